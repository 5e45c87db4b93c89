//! Loading the PTC training corpus and article-level k-fold cross-validation.
//!
//! Cross-validation runs the exact inference path (`Detector::detect` / `classify`) on held-out
//! articles and scores with the same scorers as `unspin eval`, so the numbers it prints are the
//! numbers a user would get.

use crate::classical::{self, ClassicalModel, TrainDoc, TrainOptions};
use crate::eval::{self, Label, LabelFormat, Scores, Task};
use crate::models::Ensemble;
use crate::transformer::{
    self, BlendParams, EncodingCache, HeadExample, Heads, HeadsTrainOptions, TextEncoder,
    TransformerDetector,
};
use anyhow::{bail, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use unspin_core::input::{read_article_dir, InputOptions};
use unspin_core::{assign_techniques, CharSpan, Detector, Document};

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
        let articles = read_article_dir(&dir.join("articles"), &InputOptions::default())?;
        let tc_path = dir.join("labels.tc.tsv");
        let si_path = dir.join("labels.si.tsv");
        let tc = eval::read_labels(&tc_path, LabelFormat::Tc)?;
        let si = eval::read_labels(&si_path, LabelFormat::Si)?;
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
#[derive(Default)]
pub struct Predictions {
    /// FLC predictions (technique spans); SI uses the same spans without techniques.
    pub flc: Vec<Label>,
    /// TC predictions for the gold technique spans, in gold order.
    pub tc: Vec<Label>,
}

/// Runs `detector` on `docs` for all three tasks.
pub fn predict(detector: &dyn Detector, docs: &[&TrainDoc]) -> Predictions {
    use rayon::prelude::*;
    let per_doc: Vec<(Vec<Label>, Vec<Label>)> = docs
        .par_iter()
        .map(|d| {
            let id = &d.doc.article.id;
            let flc = flc_labels(detector, d);
            let spans: Vec<CharSpan> = d.techniques.iter().map(|(s, _)| *s).collect();
            let scores = detector.classify(&d.doc, &spans);
            let tc = spans
                .iter()
                .zip(assign_techniques(&spans, &scores))
                .map(|(s, t)| Label::new(id.clone(), Some(t), s.start, s.end))
                .collect();
            (flc, tc)
        })
        .collect();
    let mut p = Predictions::default();
    for (f, t) in per_doc {
        p.flc.extend(f);
        p.tc.extend(t);
    }
    p
}

/// Scores predictions against gold for SI, TC and FLC.
pub fn score_all(gold_tc: &[Label], gold_si: &[Label], p: &Predictions) -> [Scores; 3] {
    let si_pred: Vec<Label> = p
        .flc
        .iter()
        .map(|l| Label::new(l.article.clone(), None, l.span.start, l.span.end))
        .collect();
    [
        eval::score(Task::Si, gold_si, &si_pred),
        eval::score(Task::Tc, gold_tc, &p.tc),
        eval::score(Task::Flc, gold_tc, &p.flc),
    ]
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
        let p = predict(&model, &test);
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
fn fold_assignment(n: usize, folds: usize, seed: u64) -> Result<Vec<usize>> {
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
fn split_fold<'a>(
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

/// One detector's scores in a side-by-side cross-validation.
#[derive(Debug, Clone, Serialize)]
pub struct ModelScores {
    pub name: String,
    /// The blend weights, for ensembles.
    pub blend: Option<BlendParams>,
    pub si: Scores,
    pub tc: Scores,
    pub flc: Scores,
    /// Per fold: (SI F1, TC F1, FLC F1).
    pub per_fold: Vec<[f64; 3]>,
}

/// Cross-validation of the classical model, a transformer (its frozen encoder with heads
/// trained per fold) and their ensemble under each of `blends`, on the same folds.
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    pub folds: usize,
    pub seed: u64,
    pub articles: usize,
    pub encoder: String,
    pub encode_seconds: f64,
    pub head_train_seconds_per_fold: f64,
    pub models: Vec<ModelScores>,
}

/// Encodes every article of `corpus` once with `encoder` (it is frozen, so folds can share the
/// vectors). `progress` is called after each article.
pub fn encode_corpus(
    corpus: &Corpus,
    encoder: &TextEncoder,
    mut progress: impl FnMut(usize, usize),
) -> Result<EncodingCache> {
    let mut cache = EncodingCache::new();
    for (i, d) in corpus.docs.iter().enumerate() {
        let enc = encoder.encode_rows(d.doc.text())?;
        cache.insert(d.doc.article.id.clone(), Arc::new(enc));
        progress(i + 1, corpus.docs.len());
    }
    Ok(cache)
}

/// Trains heads on `docs` from their cached encodings.
pub fn train_heads_on(
    docs: &[&TrainDoc],
    cache: &EncodingCache,
    encoder: &str,
    hidden: usize,
    opts: &HeadsTrainOptions,
    seed: u64,
    training: &str,
) -> Result<Heads> {
    let examples: Vec<HeadExample> = docs
        .iter()
        .map(|d| {
            let enc = cache
                .get(&d.doc.article.id)
                .ok_or_else(|| anyhow::anyhow!("article {} was not encoded", d.doc.article.id))?;
            Ok(HeadExample {
                enc,
                spans: &d.spans,
                techniques: &d.techniques,
            })
        })
        .collect::<Result<_>>()?;
    Ok(transformer::train_heads(
        &examples, encoder, hidden, opts, seed, training,
    )?)
}

/// The article vectors a side-by-side cross-validation uses: heads are trained on `train`,
/// held-out articles are detected from `test`. They differ when measuring heads trained on one
/// encoder backend and run on another (fp32 heads on int8 vectors, as shipped heads would be).
#[derive(Clone)]
pub struct FoldEncodings {
    pub train: Arc<EncodingCache>,
    pub test: Arc<EncodingCache>,
}

/// Side-by-side k-fold cross-validation: classical, transformer, and the ensemble under each
/// blend, all on the same folds and scored like [`cross_validate`].
pub fn compare_models(
    corpus: &Corpus,
    opts: &CvOptions,
    encoder: Arc<TextEncoder>,
    encoder_name: &str,
    encodings: FoldEncodings,
    heads_opts: &HeadsTrainOptions,
    blends: &[BlendParams],
) -> Result<CompareReport> {
    let n = corpus.docs.len();
    let fold_of = fold_assignment(n, opts.folds, opts.seed)?;
    let hidden = encoder.config().hidden_size;
    let n_models = 2 + blends.len();
    let mut names = vec![String::new(); n_models];
    let mut gold = (Vec::new(), Vec::new());
    let mut pooled: Vec<Predictions> = (0..n_models).map(|_| Predictions::default()).collect();
    let mut per_fold = vec![Vec::new(); n_models];
    let mut head_secs = 0.0;
    for k in 0..opts.folds {
        let (train_docs, test) = split_fold(corpus, &fold_of, k);
        let train_refs: Vec<&TrainDoc> = train_docs.iter().collect();
        let classical_model = Arc::new(classical::train(
            &train_docs,
            &opts.train,
            &format!("cv fold {k}"),
        ));
        let t0 = Instant::now();
        let heads = train_heads_on(
            &train_refs,
            &encodings.train,
            encoder_name,
            hidden,
            heads_opts,
            opts.seed.wrapping_add(k as u64),
            &format!("cv fold {k}"),
        )?;
        head_secs += t0.elapsed().as_secs_f64();
        let tr = TransformerDetector::from_parts(encoder.clone(), heads)?
            .with_cache(encodings.test.clone());
        let (gold_tc, gold_si) = Corpus::gold(&test);
        let mut detectors: Vec<Box<dyn Detector>> = Vec::new();
        detectors.push(Box::new(ClassicalModel::clone(&classical_model)));
        for b in blends {
            detectors.push(Box::new(
                Ensemble::new(classical_model.clone(), tr.clone()).with_blend(*b),
            ));
        }
        detectors.push(Box::new(tr));
        for (m, det) in detectors.iter().enumerate() {
            names[m] = det.name().to_string();
            let p = predict(det.as_ref(), &test);
            let [si, tc, flc] = score_all(&gold_tc, &gold_si, &p);
            per_fold[m].push([si.overall.f1, tc.overall.f1, flc.overall.f1]);
            pooled[m].flc.extend(p.flc);
            pooled[m].tc.extend(p.tc);
        }
        gold.0.extend(gold_tc);
        gold.1.extend(gold_si);
    }
    let mut models = Vec::new();
    for (m, ((p, folds), name)) in pooled.iter().zip(per_fold).zip(names).enumerate() {
        let [si, tc, flc] = score_all(&gold.0, &gold.1, p);
        models.push(ModelScores {
            name,
            // Detectors run in the order classical, one ensemble per blend, transformer.
            blend: m.checked_sub(1).and_then(|i| blends.get(i)).copied(),
            si,
            tc,
            flc,
            per_fold: folds,
        });
    }
    Ok(CompareReport {
        folds: opts.folds,
        seed: opts.seed,
        articles: n,
        encoder: encoder_name.to_string(),
        encode_seconds: 0.0,
        head_train_seconds_per_fold: head_secs / opts.folds as f64,
        models,
    })
}

impl CompareReport {
    /// The blend to ship: the token weight and threshold of the ensemble with the best pooled
    /// SI F1, and the technique weight of the one with the best TC F1 (the two mixes are
    /// independent; picking both by SI once cost 2 TC points for 0.03 SI). Ties: the first
    /// tried.
    pub fn best_blend(&self) -> Option<BlendParams> {
        let best_by = |score: fn(&ModelScores) -> f64| {
            self.models
                .iter()
                .filter(|m| m.blend.is_some())
                .fold(None::<&ModelScores>, |best, m| match best {
                    Some(b) if score(b) >= score(m) => Some(b),
                    _ => Some(m),
                })
                .and_then(|m| m.blend)
        };
        let si = best_by(|m| m.si.overall.f1)?;
        let tc = best_by(|m| m.tc.overall.f1)?;
        Some(BlendParams {
            tc_weight: tc.tc_weight,
            ..si
        })
    }
}

impl std::fmt::Display for CompareReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{}-fold article-level cross-validation, seed {}, {} articles, encoder {} (scores over pooled held-out predictions)",
            self.folds, self.seed, self.articles, self.encoder
        )?;
        writeln!(
            f,
            "model            blend (si_w, th, tc_w)  SI-P    SI-R    SI-F1   TC-F1   FLC-F1"
        )?;
        for m in &self.models {
            let blend = m
                .blend
                .map(|b| {
                    format!(
                        "{:.2}, {:.2}, {:.2}",
                        b.si_weight, b.si_threshold, b.tc_weight
                    )
                })
                .unwrap_or_else(|| "-".into());
            writeln!(
                f,
                "{:<16} {:<23} {:.4}  {:.4}  {:.4}  {:.4}  {:.4}",
                m.name,
                blend,
                m.si.overall.precision,
                m.si.overall.recall,
                m.si.overall.f1,
                m.tc.overall.f1,
                m.flc.overall.f1
            )?;
        }
        writeln!(
            f,
            "encoding all articles: {:.0} s; head training per fold: {:.1} s",
            self.encode_seconds, self.head_train_seconds_per_fold
        )
    }
}

/// FLC predictions of `detector` on one document, in label form.
fn flc_labels(detector: &dyn Detector, d: &TrainDoc) -> Vec<Label> {
    let id = &d.doc.article.id;
    detector
        .detect(&d.doc)
        .into_iter()
        .map(|s| Label::new(id.clone(), Some(s.technique), s.start, s.end))
        .collect()
}

fn sweep_labels(model: &ClassicalModel, docs: &[&TrainDoc]) -> Vec<Label> {
    use rayon::prelude::*;
    docs.par_iter()
        .flat_map_iter(|d| flc_labels(model, d))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(task: Task, f1: f64) -> Scores {
        Scores {
            task,
            overall: eval::Prf {
                precision: f1,
                recall: f1,
                f1,
            },
            n_gold: 0,
            n_pred: 0,
            per_technique: Vec::new(),
            unknown_articles: Vec::new(),
        }
    }

    fn model(blend: Option<(f32, f32, f32)>, si: f64, tc: f64) -> ModelScores {
        ModelScores {
            name: "m".into(),
            blend: blend.map(|(si_weight, si_threshold, tc_weight)| BlendParams {
                si_weight,
                si_threshold,
                tc_weight,
            }),
            si: scores(Task::Si, si),
            tc: scores(Task::Tc, tc),
            flc: scores(Task::Flc, 0.0),
            per_fold: Vec::new(),
        }
    }

    #[test]
    fn best_blend_takes_the_token_mix_by_si_and_the_technique_weight_by_tc() {
        let mut report = CompareReport {
            folds: 5,
            seed: 42,
            articles: 10,
            encoder: "e".into(),
            encode_seconds: 0.0,
            head_train_seconds_per_fold: 0.0,
            // The transformer alone has the best SI here, but it is no blend.
            models: vec![
                model(None, 0.9, 0.9),
                model(Some((0.3, 0.25, 0.4)), 0.390, 0.636),
                model(Some((0.3, 0.25, 0.6)), 0.391, 0.614),
                model(Some((0.5, 0.30, 0.4)), 0.380, 0.636),
            ],
        };
        let b = report.best_blend().unwrap();
        assert_eq!((b.si_weight, b.si_threshold, b.tc_weight), (0.3, 0.25, 0.4));
        report.models.retain(|m| m.blend.is_none());
        assert!(report.best_blend().is_none());
    }
}
