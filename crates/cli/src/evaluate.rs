//! `unspin eval`: score a prediction file against gold labels with the SemEval-2020 Task 11
//! scorers (reimplemented in `unspin::eval`).

use crate::{output, EvalArgs, TaskArg};
use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::path::Path;
use unspin::eval::bootstrap::{self, Draws, Interval};
use unspin::eval::{
    check_ranges, check_tc_spans, read_labels, read_labels_auto, score, Label, LabelFormat, Scores,
    Task,
};
use unspin::input::{read_article_dir, InputOptions};

pub fn run(args: EvalArgs) -> Result<()> {
    let task = match args.task {
        TaskArg::Si => Task::Si,
        TaskArg::Tc => Task::Tc,
        TaskArg::Flc => Task::Flc,
    };
    let gold = read(&args.gold, args.task)?;
    // An empty prediction file is a system that found nothing, and scores 0; an empty gold
    // file is a wrong or truncated file, and any score of it would be meaningless.
    if gold.is_empty() {
        bail!(
            "{}: no labels: a gold file with nothing in it leaves nothing to score",
            args.gold.display()
        );
    }
    let pred = read(&args.pred, args.task)?;
    let against = match &args.against {
        Some(path) => Some(read(path, args.task)?),
        None => None,
    };
    if matches!(args.task, TaskArg::Tc) {
        check_tc_spans(&gold, &args.gold, &pred, &args.pred)?;
        if let (Some(b), Some(path)) = (&against, &args.against) {
            check_tc_spans(&gold, &args.gold, b, path)?;
        }
    }
    if let Some(dir) = &args.articles {
        let articles = read_article_dir(dir, &InputOptions::default())?;
        let lengths: HashMap<String, usize> = articles
            .iter()
            .map(|a| (a.id.clone(), a.len_chars()))
            .collect();
        check_ranges(&gold, &lengths, &args.gold)?;
        check_ranges(&pred, &lengths, &args.pred)?;
        if let (Some(b), Some(path)) = (&against, &args.against) {
            check_ranges(b, &lengths, path)?;
        }
    }
    if pred.is_empty() {
        // Scored, as a system that found nothing, but a wrong or truncated file looks the same.
        eprintln!(
            "unspin: note: {}: no predictions, so precision, recall and F1 are 0",
            args.pred.display()
        );
    }
    let scores = score(task, &gold, &pred);
    let ci = if args.ci || against.is_some() {
        let ci = intervals(task, &gold, (&pred, scores.overall.f1), against.as_deref());
        if ci.is_none() {
            eprintln!("unspin: note: no article is labelled in any file, so F1 has no interval");
        }
        ci
    } else {
        None
    };
    let text = if args.json {
        let out = WithInterval {
            scores: &scores,
            f1_interval: ci.as_ref().map(|c| &c.pred),
            against: ci.as_ref().and_then(|c| c.against.as_ref()),
        };
        let mut s = serde_json::to_string_pretty(&out).context("cannot serialise scores")?;
        s.push('\n');
        s
    } else {
        let mut s = scores.to_string();
        if !s.ends_with('\n') {
            s.push('\n');
        }
        if let Some(ci) = &ci {
            s += &format!(
                "F1 95% interval [{:.4}, {:.4}]: {} draws of the {} labelled articles with replacement\n",
                ci.pred.interval.lo, ci.pred.interval.hi, ci.pred.draws, ci.pred.articles
            );
        }
        if let (Some(c), Some(path)) = (ci.as_ref().and_then(|c| c.against.as_ref()), &args.against)
        {
            s += &format!(
                "against {}: F1 {:.4}; difference {:+.4}, 95% interval [{:+.4}, {:+.4}] over the same draws{}\n",
                path.display(),
                c.f1,
                c.difference,
                c.interval.lo,
                c.interval.hi,
                if c.interval.lo > 0.0 || c.interval.hi < 0.0 {
                    ""
                } else {
                    " (holds 0: no measured difference)"
                }
            );
        }
        s
    };
    output::emit(text.as_bytes(), None)
}

/// The scores as JSON, with the intervals when they were asked for.
#[derive(serde::Serialize)]
struct WithInterval<'a> {
    #[serde(flatten)]
    scores: &'a Scores,
    #[serde(skip_serializing_if = "Option::is_none")]
    f1_interval: Option<&'a F1Interval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    against: Option<&'a Against>,
}

/// How far F1 could move with other articles like these.
#[derive(serde::Serialize)]
struct F1Interval {
    #[serde(flatten)]
    interval: Interval,
    draws: usize,
    articles: usize,
}

/// A second system scored on the same draws: its F1, and the first one's lead over it.
#[derive(serde::Serialize)]
struct Against {
    f1: f64,
    /// `--pred`'s F1 minus this one's.
    difference: f64,
    /// The 95% interval of that difference, draw by draw.
    interval: Interval,
}

struct Intervals {
    pred: F1Interval,
    against: Option<Against>,
}

/// F1's 95% interval over draws of the articles any file labels (all three files: a second
/// system must be scored on the same draws, so its articles are drawn too), and with a second
/// system, the interval of the difference over the same draws (seeded, so a rerun prints the
/// same). `None` when no file labels any article: there is nothing to draw.
fn intervals(
    task: Task,
    gold: &[Label],
    (pred, pred_f1): (&[Label], f64),
    against: Option<&[Label]>,
) -> Option<Intervals> {
    let others = pred.iter().chain(against.unwrap_or_default());
    let ids = bootstrap::labelled_articles(gold.iter().chain(others));
    if ids.is_empty() {
        return None;
    }
    let draws = Draws::new(ids.len(), bootstrap::DRAWS, 42);
    let mut a = draws.f1(task, &ids, gold, pred);
    let against = against.map(|b| {
        let f1 = score(task, gold, b).overall.f1;
        Against {
            f1,
            difference: pred_f1 - f1,
            interval: bootstrap::paired(&a, &draws.f1(task, &ids, gold, b)),
        }
    });
    Some(Intervals {
        pred: F1Interval {
            interval: Interval::of(&mut a),
            draws: draws.len(),
            articles: ids.len(),
        },
        against,
    })
}

/// Reads a label file for `task`. SI files are PTC's 3-column format, but a 4-column TC/FLC file
/// is accepted too, since "where is the propaganda" is a question every technique file also
/// answers; its techniques are kept because the SI scorer then reports recall per technique.
/// TC and FLC need techniques, so they read strict TC.
fn read(path: &Path, task: TaskArg) -> Result<Vec<Label>> {
    Ok(match task {
        TaskArg::Si => read_labels_auto(path)?,
        TaskArg::Tc | TaskArg::Flc => read_labels(path, LabelFormat::Tc)?,
    })
}
