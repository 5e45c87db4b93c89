//! `unspin classify`: the TC task. Reads a PTC TC template and answers every line with a
//! technique, in the same order, so the output can go straight to the official scorer.

use crate::{load_model, output, ClassifyArgs};
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use std::collections::HashMap;
use unspin::eval::{check_ranges, read_labels, write_labels, Label, LabelFormat};
use unspin::input::{read_article_dir, InputOptions};
use unspin::{assign_techniques, Article, Cancel, CharSpan, Document};

pub fn run(args: ClassifyArgs) -> Result<()> {
    // A template marks spans with `?`; a real technique there (a gold file passed as template)
    // is accepted too and ignored, so the same file works for both.
    let template = read_labels(&args.spans, LabelFormat::TcTemplate)?;
    // Answering nothing with nothing would pass for success on a wrong or truncated file.
    if template.is_empty() {
        bail!(
            "{}: no spans: a template with nothing in it leaves nothing to classify",
            args.spans.display()
        );
    }
    let articles = read_article_dir(&args.articles, &InputOptions::default())?;
    let output = output::Output::new(
        args.output.clone(),
        output::input_guard(args.force, &[args.spans.clone(), args.articles.clone()]),
    )?;
    // Every span must lie inside its article before anything is classified: a span past the end
    // means the template and the articles do not belong together, and guessing would be wrong.
    let lengths: HashMap<String, usize> = articles
        .iter()
        .map(|a| (a.id.clone(), a.len_chars()))
        .collect();
    check_ranges(&template, &lengths, &args.spans)?;
    let detector = load_model(args.model.as_deref(), true)?;

    let techniques = classify_all(detector.as_ref(), &template, articles)?;
    let answered: Vec<Label> = template
        .iter()
        .zip(techniques)
        .map(|(l, t)| Label {
            technique: Some(t),
            ..l.clone()
        })
        .collect();
    let mut out = Vec::new();
    write_labels(&mut out, &answered, LabelFormat::Tc).context("cannot format labels")?;
    output.emit(&out)
}

/// Classifies every template line, returning one technique per line in template order.
/// Work is grouped per article so each article is segmented once, and a span listed twice in
/// one article gets two different techniques (see [`assign_techniques`]).
fn classify_all(
    detector: &dyn unspin::Detector,
    template: &[Label],
    articles: Vec<Article>,
) -> Result<Vec<unspin::Technique>> {
    let mut lines_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, l) in template.iter().enumerate() {
        lines_of.entry(l.article.as_str()).or_default().push(i);
    }
    // Articles no line refers to are not worth segmenting.
    let work: Vec<(Article, Vec<usize>)> = articles
        .into_iter()
        .filter_map(|a| {
            let lines = lines_of.remove(a.id.as_str())?;
            Some((a, lines))
        })
        .collect();
    let answers: Vec<(Vec<usize>, Vec<unspin::Technique>)> = work
        .into_par_iter()
        .map(|(article, lines)| {
            let doc = Document::new(article);
            let spans: Vec<CharSpan> = lines.iter().map(|&i| template[i].span).collect();
            let scores = detector.classify(&doc, &spans, &Cancel::new())?;
            Ok((lines, assign_techniques(&spans, &scores)))
        })
        .collect::<Result<_, unspin::DetectError>>()?;
    let mut out = vec![unspin::Technique::ALL[0]; template.len()];
    for (lines, techniques) in answers {
        for (i, t) in lines.into_iter().zip(techniques) {
            out[i] = t;
        }
    }
    Ok(out)
}
