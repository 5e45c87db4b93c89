//! Loading the PTC training corpus and article-level k-fold cross-validation.
//!
//! Cross-validation runs the exact inference path (`Detector::detect` / `classify`) on held-out
//! articles and scores with the same scorers as `unspin eval`, so the numbers it prints are the
//! numbers a user would get.

use crate::classical::{self, ClassicalModel, TrainDoc, TrainOptions};
use crate::eval::{self, Label, LabelFormat, Scores, Task};
use anyhow::{bail, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use unspin_core::{assign_techniques, Cancel, CharSpan, DetectError, Detector, Document, Span};
use unspin_io::input::{read_inputs, InputOptions};

/// The PTC training data: articles plus TC and SI gold labels.
pub struct Corpus {
    pub dir: PathBuf,
    pub docs: Vec<TrainDoc>,
}

/// Where the shared data lives unless told otherwise: `$UNSPIN_DATA`, else `../shared/data`
/// relative to the current directory (the repository root in this project's layout).
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("UNSPIN_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data"))
}

impl Corpus {
    /// Loads `dir` laid out as PTC ships it: `articles/article<ID>.txt`, `labels.tc.tsv`,
    /// `labels.si.tsv`. Labels are checked against article lengths.
    pub fn load(dir: &Path) -> Result<Corpus> {
        if !dir.is_dir() {
            bail!(
                "{}: PTC training data not found (expected a directory with articles/, labels.tc.tsv, labels.si.tsv)",
                dir.display()
            );
        }
        // read_inputs rather than read_article_dir: it refuses a blank article, naming it, as
        // analyze does; trained on, it would teach the model nothing and skew its counts.
        let articles = read_inputs(&[dir.join("articles")], &InputOptions::default())?;
        let tc_path = dir.join("labels.tc.tsv");
        let si_path = dir.join("labels.si.tsv");
        let tc = eval::read_labels(&tc_path, LabelFormat::Tc)?;
        let si = eval::read_labels(&si_path, LabelFormat::Si)?;
        // Either file alone may be empty (a corpus labelled for one task), but with neither
        // there is nothing to learn or score: a model trained on it finds nothing, silently.
        if tc.is_empty() && si.is_empty() {
            bail!(
                "{} and {}: no labels in either file, so there is nothing to train on or score",
                tc_path.display(),
                si_path.display()
            );
        }
        let lengths: HashMap<String, usize> = articles
            .iter()
            .map(|a| (a.id.clone(), a.len_chars()))
            .collect();
        eval::check_ranges(&tc, &lengths, &tc_path)?;
        eval::check_ranges(&si, &lengths, &si_path)?;
        let mut by_id: HashMap<&str, (Vec<_>, Vec<_>)> = HashMap::new();
        for l in &tc {
            if let Some(t) = l.technique {
                by_id.entry(&l.article).or_default().0.push((l.span, t));
            }
        }
        for l in &si {
            by_id.entry(&l.article).or_default().1.push(l.span);
        }
        let docs = articles
            .into_iter()
            .map(|a| {
                let (techniques, spans) = by_id.remove(a.id.as_str()).unwrap_or_default();
                TrainDoc {
                    doc: Document::new(a),
                    techniques,
                    spans,
                }
            })
            .collect();
        Ok(Corpus {
            dir: dir.to_path_buf(),
            docs,
        })
    }

    /// Gold labels of the given documents, as the scorers take them.
    pub fn gold(docs: &[&TrainDoc]) -> (Vec<Label>, Vec<Label>) {
        let mut tc = Vec::new();
        let mut si = Vec::new();
        for d in docs {
            let id = &d.doc.article.id;
            for (s, t) in &d.techniques {
                tc.push(Label::new(id.clone(), Some(*t), s.start, s.end));
            }
            for s in &d.spans {
                si.push(Label::new(id.clone(), None, s.start, s.end));
            }
        }
        (tc, si)
    }
}

/// Predictions of one detector on documents, in label form.
#[derive(Default, Clone)]
pub struct Predictions {
    /// FLC predictions (technique spans); SI uses the same spans without techniques.
    pub flc: Vec<Label>,
    /// TC predictions for the gold technique spans, in gold order.
    pub tc: Vec<Label>,
}

/// Runs `detector` on `docs` for all three tasks. A detection that comes with notes (an
/// ensemble that fell back to one of its models) is an error here: a score must not quietly
/// measure a different model.
pub fn predict(detector: &dyn Detector, docs: &[&TrainDoc]) -> Result<Predictions, DetectError> {
    use rayon::prelude::*;
    let per_doc: Vec<(Vec<Label>, Vec<Label>)> = docs
        .par_iter()
        .map(|d| {
            let id = &d.doc.article.id;
            let flc = flc_labels(detector, d)?;
            let spans: Vec<CharSpan> = d.techniques.iter().map(|(s, _)| *s).collect();
            let scores = detector.classify(&d.doc, &spans, &Cancel::new())?;
            let tc = spans
                .iter()
                .zip(assign_techniques(&spans, &scores))
                .map(|(s, t)| Label::new(id.clone(), Some(t), s.start, s.end))
                .collect();
            Ok((flc, tc))
        })
        .collect::<Result<_, DetectError>>()?;
    let mut p = Predictions::default();
    for (f, t) in per_doc {
        p.flc.extend(f);
        p.tc.extend(t);
    }
    Ok(p)
}

/// Scores predictions against gold for SI, TC and FLC.
pub fn score_all(gold_tc: &[Label], gold_si: &[Label], p: &Predictions) -> [Scores; 3] {
    [
        eval::score(Task::Si, gold_si, &p.si()),
        eval::score(Task::Tc, gold_tc, &p.tc),
        eval::score(Task::Flc, gold_tc, &p.flc),
    ]
}

impl Predictions {
    /// The SI predictions: the FLC spans without their techniques.
    pub fn si(&self) -> Vec<Label> {
        self.flc
            .iter()
            .map(|l| Label::new(l.article.clone(), None, l.span.start, l.span.end))
            .collect()
    }
}

/// Cross-validation settings.
#[derive(Debug, Clone, Serialize)]
pub struct CvOptions {
    pub folds: usize,
    pub seed: u64,
    pub train: TrainOptions,
    /// Extra SI thresholds to report (scored on the same held-out probabilities).
    pub sweep: Vec<f32>,
}

/// One threshold's pooled SI and FLC F1.
#[derive(Debug, Clone, Serialize)]
pub struct SweepRow {
    pub threshold: f32,
    pub si: eval::Prf,
    pub flc: eval::Prf,
}

/// Cross-validation results: scores over the pooled held-out predictions of all folds, plus
/// each fold's own F1 values to show the spread.
#[derive(Debug, Clone, Serialize)]
pub struct CvReport {
    pub folds: usize,
    pub seed: u64,
    pub articles: usize,
    pub si: Scores,
    pub tc: Scores,
    pub flc: Scores,
    /// Per fold: (SI F1, TC F1, FLC F1).
    pub per_fold: Vec<[f64; 3]>,
    pub sweep: Vec<SweepRow>,
    pub train_seconds_per_fold: f64,
}

/// Article-level k-fold cross-validation of the classical detector.
pub fn cross_validate(corpus: &Corpus, opts: &CvOptions) -> Result<CvReport> {
    let n = corpus.docs.len();
    let fold_of = fold_assignment(n, opts.folds, opts.seed)?;
    let mut all_gold_tc = Vec::new();
    let mut all_gold_si = Vec::new();
    let mut all = Predictions::default();
    let mut sweep_preds: Vec<Vec<Label>> = vec![Vec::new(); opts.sweep.len()];
    let mut per_fold = Vec::new();
    let mut train_secs = 0.0;
    for k in 0..opts.folds {
        let (train_docs, test) = split_fold(corpus, &fold_of, k);
        let t0 = Instant::now();
        let mut model = classical::train(&train_docs, &opts.train, &format!("cv fold {k}"));
        train_secs += t0.elapsed().as_secs_f64();
        let (gold_tc, gold_si) = Corpus::gold(&test);
        let p = predict(&model, &test)?;
        let [si, tc, flc] = score_all(&gold_tc, &gold_si, &p);
        per_fold.push([si.overall.f1, tc.overall.f1, flc.overall.f1]);
        // The fold's model is not needed after this, so the sweep retunes it in place.
        for (preds, &th) in sweep_preds.iter_mut().zip(&opts.sweep) {
            model.decode.si_threshold = th;
            preds.extend(sweep_labels(&model, &test));
        }
        all_gold_tc.extend(gold_tc);
        all_gold_si.extend(gold_si);
        all.flc.extend(p.flc);
        all.tc.extend(p.tc);
    }
    let [si, tc, flc] = score_all(&all_gold_tc, &all_gold_si, &all);
    let sweep = opts
        .sweep
        .iter()
        .zip(sweep_preds)
        .map(|(&threshold, flc_pred)| {
            let p = Predictions {
                flc: flc_pred,
                tc: Vec::new(),
            };
            let [si, _, flc] = score_all(&all_gold_tc, &all_gold_si, &p);
            SweepRow {
                threshold,
                si: si.overall,
                flc: flc.overall,
            }
        })
        .collect();
    Ok(CvReport {
        folds: opts.folds,
        seed: opts.seed,
        articles: n,
        si,
        tc,
        flc,
        per_fold,
        sweep,
        train_seconds_per_fold: train_secs / opts.folds as f64,
    })
}

/// The fold of each of `n` articles: a seeded shuffle, then round-robin, so fold sizes differ
/// by at most one article. Every cross-validation here splits the same way for a given seed.
pub(crate) fn fold_assignment(n: usize, folds: usize, seed: u64) -> Result<Vec<usize>> {
    if folds < 2 || folds > n {
        bail!(
            "cross-validation needs between 2 and {n} folds (one per article at most), got {folds}"
        );
    }
    let mut order: Vec<usize> = (0..n).collect();
    classical::rng::SplitMix::new(seed).shuffle(&mut order);
    let mut f = vec![0; n];
    for (pos, &i) in order.iter().enumerate() {
        f[i] = pos % folds;
    }
    Ok(f)
}

/// Fold `k`'s training documents (copied: training takes them by value) and test documents.
pub(crate) fn split_fold<'a>(
    corpus: &'a Corpus,
    fold_of: &[usize],
    k: usize,
) -> (Vec<TrainDoc>, Vec<&'a TrainDoc>) {
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (d, &f) in corpus.docs.iter().zip(fold_of) {
        if f == k {
            test.push(d);
        } else {
            train.push(d.clone());
        }
    }
    (train, test)
}

/// FLC predictions of `detector` on one document, in label form; notes are errors (see
/// [`predict`]).
pub fn flc_spans(detector: &dyn Detector, d: &TrainDoc) -> Result<Vec<Span>, DetectError> {
    let detection = detector.detect(&d.doc, &Cancel::new())?;
    match detection.notes.first() {
        Some(note) => Err(DetectError::failed(detector.name(), &d.doc, note)),
        None => Ok(detection.spans),
    }
}

fn flc_labels(detector: &dyn Detector, d: &TrainDoc) -> Result<Vec<Label>, DetectError> {
    Ok(to_labels(&d.doc.article.id, flc_spans(detector, d)?))
}

fn to_labels(id: &str, spans: Vec<Span>) -> Vec<Label> {
    spans
        .into_iter()
        .map(|s| Label::new(id.to_string(), Some(s.technique), s.start, s.end))
        .collect()
}

fn sweep_labels(model: &ClassicalModel, docs: &[&TrainDoc]) -> Vec<Label> {
    use rayon::prelude::*;
    docs.par_iter()
        .flat_map_iter(|d| to_labels(&d.doc.article.id, model.view(&d.doc).detect()))
        .collect()
}

impl std::fmt::Display for CvReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{}-fold article-level cross-validation, seed {}, {} articles (scores over pooled held-out predictions)",
            self.folds, self.seed, self.articles
        )?;
        writeln!(f, "task   P       R       F1      fold F1 mean ± sd")?;
        for (i, (name, s)) in [("SI", &self.si), ("TC", &self.tc), ("FLC", &self.flc)]
            .into_iter()
            .enumerate()
        {
            let v: Vec<f64> = self.per_fold.iter().map(|x| x[i]).collect();
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
            writeln!(
                f,
                "{name:<6} {:.4}  {:.4}  {:.4}  {mean:.4} ± {sd:.4}",
                s.overall.precision, s.overall.recall, s.overall.f1
            )?;
        }
        writeln!(
            f,
            "training time per fold: {:.1} s",
            self.train_seconds_per_fold
        )?;
        if !self.sweep.is_empty() {
            writeln!(f, "\nSI threshold sweep (same held-out probabilities):")?;
            writeln!(f, "threshold  SI-P    SI-R    SI-F1   FLC-F1")?;
            for r in &self.sweep {
                writeln!(
                    f,
                    "{:<9.2}  {:.4}  {:.4}  {:.4}  {:.4}",
                    r.threshold, r.si.precision, r.si.recall, r.si.f1, r.flc.f1
                )?;
            }
        }
        writeln!(f, "\nTC per technique:\n{}", self.tc)?;
        writeln!(f, "FLC per technique:\n{}", self.flc)
    }
}
