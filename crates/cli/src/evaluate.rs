//! `unspin eval`: score a prediction file against gold labels with the SemEval-2020 Task 11
//! scorers (reimplemented in `unspin::eval`).

use crate::{output, EvalArgs, TaskArg};
use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::Path;
use unspin::eval::{check_ranges, read_labels, read_labels_auto, score, Label, LabelFormat, Task};
use unspin::input::{read_article_dir, InputOptions};

pub fn run(args: EvalArgs) -> Result<()> {
    let task = match args.task {
        TaskArg::Si => Task::Si,
        TaskArg::Tc => Task::Tc,
        TaskArg::Flc => Task::Flc,
    };
    let gold = read(&args.gold, args.task)?;
    let pred = read(&args.pred, args.task)?;
    if let Some(dir) = &args.articles {
        let articles = read_article_dir(dir, &InputOptions::default())?;
        let lengths: HashMap<String, usize> = articles
            .iter()
            .map(|a| (a.id.clone(), a.len_chars()))
            .collect();
        check_ranges(&gold, &lengths, &args.gold)?;
        check_ranges(&pred, &lengths, &args.pred)?;
    }
    let scores = score(task, &gold, &pred);
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&scores).context("cannot serialise scores")?;
        s.push('\n');
        s
    } else {
        let mut s = scores.to_string();
        if !s.ends_with('\n') {
            s.push('\n');
        }
        s
    };
    output::emit(text.as_bytes(), None)
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
