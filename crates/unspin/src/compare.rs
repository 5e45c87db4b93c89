//! Side-by-side cross-validation of the classical model, a transformer (heads on a frozen
//! encoder) and their blends: every article is encoded once and each fold trains heads on the
//! same vectors. Needs the `transformer` feature.

use crate::classical::{self, ClassicalModel, TrainDoc};
use crate::crossval::{
    fold_assignment, predict, score_all, split_fold, Corpus, CvOptions, Predictions,
};
use crate::ensemble::Ensemble;
use crate::eval::{Label, Scores};
use crate::transformer::{
    self, BlendParams, EncodingCache, HeadExample, Heads, HeadsTrainOptions, TextEncoder,
    TransformerDetector,
};
use anyhow::Result;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;
use unspin_core::Detector;

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
/// blend, all on the same folds and scored like
/// [`cross_validate`](crate::crossval::cross_validate).
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
            let p = predict(det.as_ref(), &test)?;
            let [si, tc, flc] = score_all(&gold_tc, &gold_si, &p);
            per_fold[m].push([si.overall.f1, tc.overall.f1, flc.overall.f1]);
            pooled[m].flc.extend(p.flc);
            pooled[m].tc.extend(p.tc);
        }
        gold.0.extend(gold_tc);
        gold.1.extend(gold_si);
    }
    let models = pooled_scores(names, &pooled, per_fold, &gold.0, &gold.1, blends);
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

/// Each detector's scores over the predictions of all folds pooled, with its per-fold F1s.
fn pooled_scores(
    names: Vec<String>,
    pooled: &[Predictions],
    per_fold: Vec<Vec<[f64; 3]>>,
    gold_tc: &[Label],
    gold_si: &[Label],
    blends: &[BlendParams],
) -> Vec<ModelScores> {
    let mut models = Vec::new();
    for (m, ((p, folds), name)) in pooled.iter().zip(per_fold).zip(names).enumerate() {
        let [si, tc, flc] = score_all(gold_tc, gold_si, p);
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
    models
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{self, Task};

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
            blend: blend.map(|(si_weight, si_threshold, tc_weight)| {
                BlendParams::plain(si_weight, si_threshold, tc_weight)
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
