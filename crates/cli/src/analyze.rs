//! `unspin analyze`: detect propaganda spans and the aids' findings, and print them in one of
//! six formats.

use crate::{load_model, output, render, AnalyzeArgs, ColorChoice, Format};
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::io::IsTerminal;
use unspin::eval::{write_labels, Label, LabelFormat};
use unspin::input::{read_inputs, InputOptions};
use unspin::{Article, Report};

pub fn run(args: AnalyzeArgs) -> Result<()> {
    // Inputs first: they are cheap to validate, and a typo in a path should not wait for a model.
    let opts = InputOptions {
        max_bytes: args.max_bytes,
        format: args.input.into(),
    };
    let articles = read_inputs(&args.paths, &opts)?;
    let output = output::Output::new(
        args.output.clone(),
        output::input_guard(args.force, &args.paths),
    )?;
    let aids = !args.no_aids && args.format != Format::Ptc;
    let created = unspin::export::now();
    let analyzer = unspin::Analyzer::new(load_model(args.model.as_deref(), true)?, aids)?;

    // A JSON report carries its text, so that it can be read back (into the page) without the
    // input file; the readable views need the text beside the report. PTC lines and CSV carry
    // only offsets and snippets, so they avoid a second copy of every article. Reports of pages
    // extracted from HTML already carry their text.
    let keep_text = !matches!(args.format, Format::Ptc | Format::Csv);
    let in_report = matches!(args.format, Format::Json | Format::Jsonl);
    let analysed: Vec<(Option<String>, Report)> = articles
        .into_par_iter()
        .map(|article: Article| {
            let text = (keep_text && !article.extracted).then(|| article.text.clone());
            let mut report = analyzer.analyze(article);
            report.created = Some(created.clone());
            if in_report && report.text.is_none() {
                report.text = text;
                return (None, report);
            }
            (text, report)
        })
        .collect();

    let bytes = match args.format {
        Format::Json => {
            let reports: Vec<&Report> = analysed.iter().map(|(_, r)| r).collect();
            let mut s = serde_json::to_vec_pretty(&reports).context("cannot serialise reports")?;
            s.push(b'\n');
            s
        }
        Format::Jsonl => {
            let mut s = Vec::new();
            for (_, r) in &analysed {
                serde_json::to_writer(&mut s, r).context("cannot serialise report")?;
                s.push(b'\n');
            }
            s
        }
        Format::Ptc => ptc_lines(analysed.iter().map(|(_, r)| r))?,
        Format::Csv => {
            let reports: Vec<&Report> = analysed.iter().map(|(_, r)| r).collect();
            let mut s = Vec::new();
            unspin::export::write_csv(&mut s, &reports).context("cannot write CSV")?;
            s
        }
        Format::Html => {
            let items: Vec<(&str, &Report)> = analysed
                .iter()
                .map(|(text, r)| (report_text(text, r), r))
                .collect();
            let meta = unspin::export::ExportMeta {
                created: Some(created),
                ..Default::default()
            };
            let mut s = String::new();
            unspin::export::write_html(&mut s, &items, &meta);
            s.into_bytes()
        }
        Format::Text => {
            let color = use_color(args.color, args.output.is_some());
            let mut s = String::new();
            for (i, (text, report)) in analysed.iter().enumerate() {
                if i > 0 {
                    s.push('\n');
                }
                render::render_report(&mut s, report_text(text, report), report, color);
            }
            s.into_bytes()
        }
    };
    output.emit(&bytes)
}

/// The text a report's offsets point into: its own (extracted from HTML) or the input's.
fn report_text<'a>(kept: &'a Option<String>, report: &'a Report) -> &'a str {
    report
        .text
        .as_deref()
        .or(kept.as_deref())
        .unwrap_or_default()
}

/// PTC FLC lines (`ID<TAB>TECHNIQUE<TAB>START<TAB>END`), written by the same code that writes
/// label files elsewhere so the official scorers read them.
fn ptc_lines<'a>(reports: impl Iterator<Item = &'a Report>) -> Result<Vec<u8>> {
    let labels: Vec<Label> = reports
        .flat_map(|r| {
            r.spans
                .iter()
                .map(|s| Label::new(r.id.clone(), Some(s.technique), s.start, s.end))
        })
        .collect();
    let mut out = Vec::new();
    write_labels(&mut out, &labels, LabelFormat::Tc).context("cannot format PTC labels")?;
    Ok(out)
}

/// Resolves `--color`: `auto` colours only a terminal (never a file given with `--output`), and
/// honours the NO_COLOR convention (<https://no-color.org>).
fn use_color(choice: ColorChoice, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file
                && !matches!(std::env::var_os("NO_COLOR"), Some(v) if !v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}
