//! `unspin analyze`: detect propaganda spans and the aids' findings, and print them in one of
//! six formats.

use crate::{load_model, output, render, AnalyzeArgs, ColorChoice, Format};
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::io::IsTerminal;
use unspin::eval::{write_labels, Label, LabelFormat};
use unspin::fetch::{self, FetchOptions};
use unspin::input::{read_inputs, InputOptions};
use unspin::{Article, Report};

pub fn run(args: AnalyzeArgs) -> Result<()> {
    // Inputs first: they are cheap to validate, and a typo in a path should not wait for a model.
    let opts = InputOptions {
        max_bytes: args.max_bytes,
        format: args.input.into(),
    };
    let (articles, urls) = read_all(&args.paths, &opts)?;
    let output = output::Output::new(
        args.output.clone(),
        output::input_guard(args.force, &args.paths),
    )?;
    let aids = !args.no_aids && args.format != Format::Ptc;
    let created = unspin::export::now();
    let analyzer = unspin::Analyzer::new(load_model(args.model.as_deref(), true)?, aids)?;
    let analysed = analyse(&analyzer, articles, urls, args.format, &created)?;
    for (_, report) in &analysed {
        for note in &report.notes {
            eprintln!("unspin: note: article {}: {note}", report.id);
        }
        // A page's offsets count the text extracted from it, which PTC lines and CSV do not
        // carry: without this, a reader would slice the HTML file with them.
        if report.text.is_some() && matches!(args.format, Format::Ptc | Format::Csv) {
            eprintln!(
                "unspin: note: article {}: its offsets count code points of the text extracted \
                 from the page, not of the file (--format json carries that text)",
                report.id
            );
        }
    }
    let color = use_color(args.color, args.output.is_some());
    output.emit(&render_all(&analysed, args.format, created, color)?)
}

/// Analyses the articles on all cores, in order; beside each report, its text when the
/// format shows it but the report does not carry it.
///
/// A JSON report carries its text, so that it can be read back (into the page) without the
/// input file; the readable views need the text beside the report. PTC lines and CSV carry
/// only offsets and snippets, so they avoid a second copy of every article. Reports of pages
/// extracted from HTML already carry their text.
fn analyse(
    analyzer: &unspin::Analyzer,
    articles: Vec<Article>,
    urls: Vec<Option<String>>,
    format: Format,
    created: &str,
) -> Result<Vec<(Option<String>, Report)>> {
    let keep_text = !matches!(format, Format::Ptc | Format::Csv);
    let in_report = matches!(format, Format::Json | Format::Jsonl);
    let analysed = articles
        .into_par_iter()
        .zip(urls)
        .map(|(article, url): (Article, Option<String>)| {
            let text = (keep_text && !article.extracted).then(|| article.text().to_string());
            let mut report = analyzer.analyze(article)?;
            report.created = Some(created.to_string());
            report.url = url;
            if in_report && report.text.is_none() {
                report.text = text;
                return Ok((None, report));
            }
            Ok((text, report))
        })
        .collect::<Result<_, unspin::DetectError>>()?;
    Ok(analysed)
}

/// The reports in `format`, as the bytes to write.
fn render_all(
    analysed: &[(Option<String>, Report)],
    format: Format,
    created: String,
    color: bool,
) -> Result<Vec<u8>> {
    let reports = || analysed.iter().map(|(_, r)| r);
    Ok(match format {
        Format::Json => {
            let reports: Vec<&Report> = reports().collect();
            let mut s = serde_json::to_vec_pretty(&reports).context("cannot serialise reports")?;
            s.push(b'\n');
            s
        }
        Format::Jsonl => {
            let mut s = Vec::new();
            for r in reports() {
                serde_json::to_writer(&mut s, r).context("cannot serialise report")?;
                s.push(b'\n');
            }
            s
        }
        Format::Ptc => ptc_lines(reports())?,
        Format::Csv => {
            let reports: Vec<&Report> = reports().collect();
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
            let mut s = String::new();
            for (i, (text, report)) in analysed.iter().enumerate() {
                if i > 0 {
                    s.push('\n');
                }
                render::render_report(&mut s, report_text(text, report), report, color);
            }
            s.into_bytes()
        }
    })
}

/// Reads every input in the order given: files, directories and `-` as [`read_inputs`] does,
/// `http://` and `https://` arguments fetched (any address: the CLI runs as its user, like
/// curl). Returns the articles and, beside each, the URL it came from (after redirects).
fn read_all(
    paths: &[std::path::PathBuf],
    opts: &InputOptions,
) -> Result<(Vec<Article>, Vec<Option<String>>)> {
    let fetch_opts = FetchOptions {
        max_bytes: opts.max_bytes,
        allow_internal: true,
        ..FetchOptions::default()
    };
    let (mut articles, mut urls) = (Vec::new(), Vec::new());
    let mut files = Vec::new();
    let flush = |files: &mut Vec<std::path::PathBuf>,
                 articles: &mut Vec<Article>,
                 urls: &mut Vec<Option<String>>|
     -> Result<()> {
        if !files.is_empty() {
            let read = read_inputs(files, opts)?;
            urls.extend(std::iter::repeat_n(None, read.len()));
            articles.extend(read);
            files.clear();
        }
        Ok(())
    };
    for p in paths {
        match p.to_str().filter(|s| fetch::is_url(s)) {
            Some(url) => {
                flush(&mut files, &mut articles, &mut urls)?;
                let fetched = fetch::fetch(url, &fetch_opts)?;
                let mut article = fetch::article_from_fetched(&fetched)?;
                article.id = fetch::id_from_url(&fetched.url);
                if unspin::input::is_blank(article.text()) {
                    anyhow::bail!("{}: the article is empty", fetched.url);
                }
                articles.push(article);
                urls.push(Some(fetched.url));
            }
            None => files.push(p.clone()),
        }
    }
    flush(&mut files, &mut articles, &mut urls)?;
    // Ids must stay unique across files and URLs, as read_inputs keeps them among files.
    let mut seen = std::collections::HashSet::new();
    for a in &articles {
        if !seen.insert(a.id.as_str()) {
            anyhow::bail!(
                "two inputs give the article id {:?}; ids come from file names and URLs, so rename one",
                a.id
            );
        }
    }
    Ok((articles, urls))
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
                .map(|s| Label::new(r.id.clone(), Some(s.technique()), s.start(), s.end()))
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
