//! Validation on one fixed, seeded, article-level split of PTC train (`training/holdout.txt`:
//! 75 of 371 articles, the size of PTC dev), with every model side by side.
//!
//! Why not cross-validation: 5-fold CV on train overstated held-out TC by 8 points, partly
//! because blend weights were chosen on the very predictions they were scored on. Here:
//!
//! * every model (classical, frozen heads, fine-tuned encoders) is trained without the
//!   held-out articles: the classical model is retrained on the rest, transformers must come
//!   from `training/finetune.py` runs that exclude the split (their `run.json` says so);
//! * an ensemble's blend (token weight, token threshold, technique weight) is chosen on one
//!   half of the held-out articles and scored on the other, then the other way round
//!   (two-fold cross-fitting), so its reported score never saw its own choice. The blend chosen
//!   on all held-out articles, which is what ships, is reported separately and marked;
//! * on top of the blend, the second-technique threshold is cross-fitted the same way (and
//!   ships only where that raised FLC), and a calibration map of span confidence (Platt
//!   scaling) is fitted on one half and checked on the other; the map fitted on all held-out
//!   articles ships.
//! * every row gets 95% intervals from draws of the held-out articles with replacement, and
//!   every honest row its difference from the first cross-fitted ensemble over the same draws
//!   ([`bootstrap`]): on 75 articles a point of F1 is often chance, and the paired interval
//!   says when it is not.

use crate::classical::{self, ClassicalModel, TrainDoc, TrainOptions};
use crate::crossval::{predict, score_all, Corpus, Predictions};
use crate::ensemble::Ensemble;
use crate::eval::{Label, Scores};
use crate::transformer::{BlendParams, EncodingCache, TransformerDetector};
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::cell::OnceCell;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use unspin_core::{DetectError, Detector, Span, Technique};

pub mod bootstrap;
mod reliability;
use crate::eval::bootstrap::Draws;
use bootstrap::Intervals;
use reliability::outcomes;
pub use reliability::{calibration_error, Bin, ModelReliability};

/// Reads a split file: one article id per line (blank lines and `#` comments skipped). Every
/// id must be in `corpus`, once.
pub fn read_split(path: &Path, corpus: &Corpus) -> Result<BTreeSet<String>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: cannot read the held-out split", path.display()))?;
    let text = crate::input::utf8_text(bytes, path)?;
    // Editors on Windows start files with a byte-order mark; the label readers skip it too.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let known: BTreeSet<&str> = corpus
        .docs
        .iter()
        .map(|d| d.doc.article.id.as_str())
        .collect();
    let mut ids = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let id = line.trim();
        if id.is_empty() || id.starts_with('#') {
            continue;
        }
        if !known.contains(id) {
            bail!(
                "{}:{}: article {id:?} is not in {}",
                path.display(),
                n + 1,
                corpus.dir.display()
            );
        }
        if !ids.insert(id.to_string()) {
            bail!("{}:{}: article {id} is listed twice", path.display(), n + 1);
        }
    }
    if ids.is_empty() || ids.len() == corpus.docs.len() {
        bail!(
            "{}: the split must hold some but not all of the {} articles ({} listed)",
            path.display(),
            corpus.docs.len(),
            ids.len()
        );
    }
    Ok(ids)
}

/// The extension thresholds both grids try under a token threshold: none, or each of 0.2,
/// 0.25 and 0.3 below it (one equal to it would be the same blend as none).
fn extensions(si_threshold: f32) -> impl Iterator<Item = Option<f32>> {
    let lower = [0.2, 0.25, 0.3]
        .into_iter()
        .filter(move |&e| e < si_threshold);
    std::iter::once(None).chain(lower.map(Some))
}

/// The blends tried for each ensemble: token weight × token threshold × extension threshold
/// (none, or lower than the token threshold) × joining gap × technique weight, 1,440 in all.
/// A weight of 1 is the transformer alone (decoded by the same span decoder).
pub fn blend_grid() -> Vec<BlendParams> {
    let mut out = Vec::new();
    for si_weight in [0.3, 0.5, 0.7, 0.85, 1.0] {
        for si_threshold in [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5] {
            for si_extend in extensions(si_threshold) {
                for si_join_gap in [0, 2, 3] {
                    for tc_weight in [0.4, 0.6, 0.8, 1.0] {
                        out.push(BlendParams {
                            si_extend,
                            si_join_gap,
                            ..BlendParams::plain(si_weight, si_threshold, tc_weight)
                        });
                    }
                }
            }
        }
    }
    out
}

/// The blends tried when a partner transformer runs beside each candidate: the partner's
/// share of the transformer token probabilities (0, 0.2, 0.35, 0.5) × token weight (0.5, 0.7,
/// 0.85) × token threshold (0.3–0.45) × extension (none, or 0.2, 0.25, 0.3 where lower than the
/// threshold) × joining gap (2, 3), and the transformer alone (weight 1, each threshold of
/// [`blend_grid`], no partner), each × technique weight (0.4–1.0) × the partner's share of the
/// technique scores (0, 0.2, 0.35, 0.5): 5,904 in all. The token settings are the
/// neighbourhood every blend of one chose (weight 0.7, threshold 0.3–0.4, joined across 2–3),
/// so that choosing among them takes minutes, not an hour.
pub fn partner_blend_grid() -> Vec<BlendParams> {
    let mut tokens = Vec::new();
    for si_threshold in [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5] {
        tokens.push(BlendParams::plain(1.0, si_threshold, 1.0));
    }
    for partner_si_weight in [0.0, 0.2, 0.35, 0.5] {
        for si_weight in [0.5, 0.7, 0.85] {
            for si_threshold in [0.3, 0.35, 0.4, 0.45] {
                for si_extend in extensions(si_threshold) {
                    for si_join_gap in [2, 3] {
                        tokens.push(BlendParams {
                            si_extend,
                            si_join_gap,
                            partner_si_weight,
                            ..BlendParams::plain(si_weight, si_threshold, 1.0)
                        });
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for t in tokens {
        for tc_weight in [0.4, 0.6, 0.8, 1.0] {
            for partner_tc_weight in [0.0, 0.2, 0.35, 0.5] {
                out.push(BlendParams {
                    tc_weight,
                    partner_tc_weight,
                    ..t
                });
            }
        }
    }
    out
}

/// A blend in one line: `weight/threshold[↓extension][+gap]/technique weight[ 2nd≥t]`, with
/// ` partner a/b` for a partner's shares of the token probabilities and technique scores.
pub fn describe(b: &BlendParams) -> String {
    let extend = b.si_extend.map(|e| format!("↓{e:.2}")).unwrap_or_default();
    let join = match b.si_join_gap {
        0 => String::new(),
        g => format!("+{g}"),
    };
    let second = b
        .second_technique
        .map(|t| format!(" 2nd≥{t:.2}"))
        .unwrap_or_default();
    let partner = if b.has_partner() {
        format!(
            " partner {:.2}/{:.2}",
            b.partner_si_weight, b.partner_tc_weight
        )
    } else {
        String::new()
    };
    format!(
        "{:.2}/{:.2}{extend}{join}/{:.2}{second}{partner}",
        b.si_weight, b.si_threshold, b.tc_weight
    )
}

/// Each blend's predictions on the held-out articles, made when first asked for. The grid
/// holds 1,440 blends (5,904 with a partner), but choosing among them needs only the technique
/// weights under one token setting and the token settings under the chosen technique weights
/// ([`choose_blend`]): about 370 to 740 are made (with a partner 400 to 1,100; the
/// cross-fitting halves may choose different weights), under a second each on cached
/// encodings.
struct Lazy<'a> {
    grid: &'a [BlendParams],
    make: Box<dyn Fn(BlendParams) -> Result<Predictions, DetectError> + 'a>,
    /// One cell per blend of `grid`.
    made: Vec<OnceCell<Predictions>>,
}

impl<'a> Lazy<'a> {
    fn new(
        grid: &'a [BlendParams],
        make: impl Fn(BlendParams) -> Result<Predictions, DetectError> + 'a,
    ) -> Self {
        Lazy {
            grid,
            make: Box::new(make),
            made: grid.iter().map(|_| OnceCell::new()).collect(),
        }
    }

    fn get(&self, i: usize) -> Result<&Predictions, DetectError> {
        if let Some(p) = self.made[i].get() {
            return Ok(p);
        }
        let p = (self.make)(self.grid[i])?;
        Ok(self.made[i].get_or_init(|| p))
    }

    fn count_made(&self) -> usize {
        self.made.iter().filter(|c| c.get().is_some()).count()
    }
}

/// One row of the side-by-side table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub name: String,
    /// How the row's settings were chosen: `fixed`, `cross-fitted` (honest), or
    /// `chosen on all held-out` (optimistic: the blend to ship).
    pub selection: String,
    pub blend: Option<BlendParams>,
    pub si: Scores,
    pub tc: Scores,
    pub flc: Scores,
    /// 95% intervals of the three F1s over [`bootstrap::DRAWS`] resamplings of the held-out
    /// articles.
    pub ci: Intervals,
    /// F1 of SI, TC and FLC in each draw, for the paired differences.
    #[serde(skip)]
    pub draws: Vec<[f64; 3]>,
}

/// One row against the report's baseline, draw by draw.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    pub name: String,
    pub selection: String,
    /// This row's F1 minus the baseline's, SI, TC and FLC, on the held-out articles.
    pub delta: [f64; 3],
    /// 95% intervals of the same differences over the draws.
    pub ci: Intervals,
}

/// How validation chooses what it reports and ships.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    /// Seeds the classical model's training, the cross-fitting halves and the bootstrap draws.
    pub seed: u64,
    /// Holds every ensemble's technique weight at this value (one the blend grid tries)
    /// instead of choosing it: for a weight decided on other evidence than the held-out
    /// split, so that the shipped blend's other settings, its second-technique threshold and
    /// its calibration are chosen and measured under the weight that ships.
    pub technique_weight: Option<f32>,
}

/// The validation report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub train_articles: usize,
    pub held_articles: usize,
    /// The ensembles' technique weight when it was held fixed ([`Choice::technique_weight`]).
    pub technique_weight: Option<f32>,
    pub rows: Vec<Row>,
    /// For each ensemble under the blend that ships: how often a span reported with a given
    /// confidence is right.
    pub reliability: Vec<ModelReliability>,
    /// Per candidate, in order: the settings chosen on all held-out articles, to ship.
    pub chosen: Vec<Chosen>,
    /// The row the others are compared with: the first candidate's ensemble, cross-fitted.
    pub baseline: Option<String>,
    /// Every honest row (fixed or cross-fitted, not chosen on all held-out) against the
    /// baseline, paired over the same draws.
    pub differences: Vec<Difference>,
}

/// What validation chose for one candidate, on all held-out articles.
#[derive(Debug, Clone, Serialize)]
pub struct Chosen {
    pub model: String,
    /// The partner run beside it, when there was one: `blend` is then the pair's.
    pub partner: Option<String>,
    /// Which backend encoded the held-out articles ("candle", "ort-int8"): the scores and the
    /// blend hold for that one's vectors.
    pub backend: &'static str,
    /// The ensemble's blend.
    pub blend: BlendParams,
    /// The token threshold of the transformer alone.
    pub alone_threshold: f32,
}

/// A model to validate next to the classical one.
pub struct Candidate {
    pub detector: TransformerDetector,
}

/// Trains the classical model without the held-out articles and scores it, each candidate
/// alone, and each candidate's ensemble with it, on the held-out articles. With a `partner`,
/// every ensemble runs it beside the candidate and the blends swept are
/// [`partner_blend_grid`]'s, so that the partner's weights are chosen (and cross-fitted) with
/// the rest.
pub fn validate(
    corpus: &Corpus,
    held: &BTreeSet<String>,
    candidates: Vec<Candidate>,
    partner: Option<TransformerDetector>,
    train: &TrainOptions,
    choice: &Choice,
    mut progress: impl FnMut(&str),
) -> Result<Report> {
    let seed = choice.seed;
    let grid = match partner {
        Some(_) => partner_blend_grid(),
        None => blend_grid(),
    };
    check_technique_weight(choice.technique_weight, &grid)?;
    let (train_docs, test): (Vec<&TrainDoc>, Vec<&TrainDoc>) = corpus
        .docs
        .iter()
        .partition(|d| !held.contains(&d.doc.article.id));
    let owned: Vec<TrainDoc> = train_docs.iter().map(|d| (*d).clone()).collect();
    progress(&format!(
        "training the classical model on {} articles",
        owned.len()
    ));
    let classical = Arc::new(classical::train(&owned, train, "held-out validation"));
    let (gold_tc, gold_si) = Corpus::gold(&test);
    // Halves for cross-fitting, seeded.
    let mut order: Vec<usize> = (0..test.len()).collect();
    classical::rng::SplitMix::new(seed).shuffle(&mut order);
    let half_a: BTreeSet<&str> = order[..test.len() / 2]
        .iter()
        .map(|&i| test[i].doc.article.id.as_str())
        .collect();
    let partner = match partner {
        Some(p) => {
            progress(&format!(
                "encoding {} held-out articles with the partner {} ({})",
                test.len(),
                p.name(),
                p.backend().name()
            ));
            let cache = encode_all(&p, &test)?;
            Some(p.with_cache(Arc::new(cache)))
        }
        None => None,
    };
    let ids: Vec<&str> = test.iter().map(|d| d.doc.article.id.as_str()).collect();
    let split = Split {
        draws: Draws::new(test.len(), bootstrap::DRAWS, seed),
        ids,
        test: &test,
        gold_tc,
        gold_si,
        half_a,
        grid,
        technique_weight: choice.technique_weight,
        classical,
        partner,
    };
    let p = predict(&ClassicalModel::clone(&split.classical), &test)?;
    let mut rows = vec![split.row("classical", "fixed", None, &p)];
    let mut tables = Vec::new();
    let mut chosen = Vec::new();
    for cand in candidates {
        let (r, table, choice) = split.candidate(cand, &mut progress)?;
        rows.extend(r);
        tables.push(table);
        chosen.push(choice);
    }
    let (baseline, differences) = differences(&rows);
    Ok(Report {
        train_articles: train_docs.len(),
        held_articles: test.len(),
        technique_weight: choice.technique_weight,
        rows,
        reliability: tables,
        chosen,
        baseline,
        differences,
    })
}

/// Refuses a technique weight to hold fixed that `grid` never tries, naming those it does:
/// holding it would leave no ensemble blend to choose.
///
/// ```
/// use unspin::holdout::{blend_grid, check_technique_weight};
/// assert!(check_technique_weight(Some(0.4), &blend_grid()).is_ok());
/// assert!(check_technique_weight(None, &blend_grid()).is_ok());
/// let err = check_technique_weight(Some(0.5), &blend_grid()).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "technique weight 0.5 is not one the blends try (0.4, 0.6, 0.8, 1)"
/// );
/// ```
pub fn check_technique_weight(weight: Option<f32>, grid: &[BlendParams]) -> Result<()> {
    let Some(w) = weight else { return Ok(()) };
    if grid.iter().any(|b| b.tc_weight == w) {
        return Ok(());
    }
    let mut tried: Vec<f32> = grid.iter().map(|b| b.tc_weight).collect();
    tried.sort_by(f32::total_cmp);
    tried.dedup();
    let tried: Vec<String> = tried.iter().map(|w| w.to_string()).collect();
    bail!(
        "technique weight {w} is not one the blends try ({})",
        tried.join(", ")
    )
}

/// The blends of `grid` an ensemble may choose among: all, or those with the technique weight
/// held fixed.
fn ensemble_choices(grid: &[BlendParams], technique_weight: Option<f32>) -> Vec<usize> {
    (0..grid.len())
        .filter(|&i| technique_weight.is_none_or(|w| grid[i].tc_weight == w))
        .collect()
}

/// Rows whose settings were not chosen on the articles they are scored on.
fn honest(r: &Row) -> bool {
    r.selection == "fixed" || r.selection.contains("cross-fitted")
}

/// The first ensemble row cross-fitted on the blend alone, and every other honest row
/// against it.
fn differences(rows: &[Row]) -> (Option<String>, Vec<Difference>) {
    let Some(base) = rows
        .iter()
        .position(|r| r.name.starts_with("ensemble(") && r.selection.starts_with("cross-fitted ("))
    else {
        return (None, Vec::new());
    };
    let b = &rows[base];
    let f1 = |r: &Row| [r.si.overall.f1, r.tc.overall.f1, r.flc.overall.f1];
    let diffs = rows
        .iter()
        .enumerate()
        .filter(|&(i, r)| i != base && honest(r))
        .map(|(_, r)| {
            let (x, y) = (f1(r), f1(b));
            Difference {
                name: r.name.clone(),
                selection: r.selection.clone(),
                delta: [x[0] - y[0], x[1] - y[1], x[2] - y[2]],
                ci: bootstrap::paired(&r.draws, &b.draws),
            }
        })
        .collect();
    (Some(format!("{} ({})", b.name, short(&b.selection))), diffs)
}

/// A selection without its parenthesised details.
fn short(selection: &str) -> &str {
    selection.split(" (").next().unwrap_or(selection).trim()
}

/// The held-out articles with what every candidate is scored against.
struct Split<'a> {
    /// The same resamplings of `test` for every row.
    draws: Draws,
    /// `test`'s ids, in order: what the draws index.
    ids: Vec<&'a str>,
    test: &'a [&'a TrainDoc],
    gold_tc: Vec<Label>,
    gold_si: Vec<Label>,
    /// The ids of the first half, for cross-fitting.
    half_a: BTreeSet<&'a str>,
    grid: Vec<BlendParams>,
    /// The ensembles' technique weight when it is fixed rather than chosen.
    technique_weight: Option<f32>,
    /// The classical model trained without the held-out articles.
    classical: Arc<ClassicalModel>,
    /// Run beside every candidate in its ensemble, its encodings cached.
    partner: Option<TransformerDetector>,
}

/// Every article of `test` encoded by `t`, by id.
fn encode_all(t: &TransformerDetector, test: &[&TrainDoc]) -> Result<EncodingCache> {
    let mut cache = EncodingCache::new();
    for d in test {
        cache.insert(d.doc.article.id.clone(), t.encode(&d.doc)?);
    }
    Ok(cache)
}

impl Split<'_> {
    fn row(&self, name: &str, selection: &str, blend: Option<BlendParams>, p: &Predictions) -> Row {
        let [si, tc, flc] = score_all(&self.gold_tc, &self.gold_si, p);
        let draws = bootstrap::row_draws(&self.draws, &self.ids, &self.gold_tc, &self.gold_si, p);
        Row {
            name: name.to_string(),
            selection: selection.to_string(),
            blend,
            si,
            tc,
            flc,
            ci: bootstrap::intervals(&draws),
            draws,
        }
    }

    fn ensemble(&self, tr: &TransformerDetector, blend: BlendParams) -> Ensemble {
        let e = Ensemble::new(self.classical.clone(), tr.clone()).with_blend(blend);
        match &self.partner {
            Some(p) => e.with_partner_unblended(p.clone()),
            None => e,
        }
    }

    /// A candidate alone and in the ensemble, every way the report shows it: its rows, the
    /// ensemble's reliability table, and the blend chosen on all held-out articles.
    fn candidate(
        &self,
        cand: Candidate,
        progress: &mut impl FnMut(&str),
    ) -> Result<(Vec<Row>, ModelReliability, Chosen)> {
        let (test, grid) = (self.test, &self.grid);
        let name = cand.detector.name().to_string();
        // Which backend ran matters to the scores (int8 or fp32), so the log says it.
        progress(&format!(
            "encoding {} held-out articles with {name} ({}{})",
            test.len(),
            cand.detector.backend().name(),
            cand.detector
                .backend_note()
                .map(|why| format!(": {why}"))
                .unwrap_or_default()
        ));
        let cache = encode_all(&cand.detector, test)?;
        let tr = cand.detector.with_cache(Arc::new(cache));
        let mut rows = vec![self.row(&name, "fixed", None, &predict(&tr, test)?)];
        progress(&format!("{name}: {} blends", grid.len()));
        let per_blend = Lazy::new(grid, |b| predict(&self.ensemble(&tr, b), test));
        let ens = match &self.partner {
            Some(p) => format!("ensemble({name}+{})", p.name()),
            None => format!("ensemble({name})"),
        };
        // A fixed technique weight holds for every ensemble choice below, so that what ships,
        // its second-technique threshold and its confidence map are all measured under it;
        // the transformer alone keeps its own blends.
        let all = ensemble_choices(grid, self.technique_weight);
        let (pooled, halves) = cross_fit(&per_blend, &all, test, &self.half_a)?;
        let (alone_row, alone_threshold) = self.alone(&name, &per_blend)?;
        rows.push(alone_row);
        let choices = halves
            .iter()
            .map(|&b| describe(&grid[b]))
            .collect::<Vec<_>>()
            .join(" and ");
        let mut r = self.row(&ens, "cross-fitted", None, &pooled);
        r.selection = format!("cross-fitted (halves chose {choices})");
        let cross_fitted_flc = r.flc.overall.f1;
        rows.push(r);
        progress(&format!("{name}: per-technique thresholds"));
        rows.push(self.per_technique_row(&ens, &tr, &per_blend, &halves)?);
        progress(&format!("{name}: second-technique thresholds"));
        let make = |b: BlendParams| predict(&self.ensemble(&tr, b), test);
        let r = self.second_technique_row(&ens, &make, &halves)?;
        // A second-technique threshold ships only when choosing it on one half raised FLC on
        // the other.
        let second_helps = r.flc.overall.f1 > cross_fitted_flc;
        rows.push(r);
        let b = choose_blend(&per_blend, &all, test, |_| true)?;
        let mut blend = grid[b];
        let with_second;
        let shipped = if second_helps {
            let (t, p) = choose_second(&make, blend, test, |_| true)?;
            blend.second_technique = Some(t);
            with_second = p;
            &with_second
        } else {
            per_blend.get(b)?
        };
        rows.push(self.row(&ens, "chosen on all held-out", Some(blend), shipped));
        progress(&format!("{name}: calibration"));
        let seen = outcomes(&spans_of(&self.ensemble(&tr, blend), test)?, test);
        let table = ModelReliability::measure(ens, &seen, &self.half_a);
        blend.calibration = table.calibration;
        progress(&format!(
            "{name}: {} of {} blends made",
            per_blend.count_made(),
            grid.len()
        ));
        let chosen = Chosen {
            model: name,
            partner: self.partner.as_ref().map(|p| p.name().to_string()),
            backend: tr.backend().name(),
            blend,
            alone_threshold,
        };
        Ok((rows, table, chosen))
    }
}

impl Split<'_> {
    /// The transformer alone (all weight on it, cut at one threshold as its heads are), its
    /// token threshold cross-fitted like the blends: its row, and the threshold chosen on all
    /// held-out articles.
    fn alone(&self, name: &str, per_blend: &Lazy) -> Result<(Row, f32), DetectError> {
        let grid = &self.grid;
        let alone: Vec<usize> = (0..grid.len())
            .filter(|&i| grid[i] == BlendParams::plain(1.0, grid[i].si_threshold, 1.0))
            .collect();
        let (pooled, _) = cross_fit(per_blend, &alone, self.test, &self.half_a)?;
        let threshold = grid[choose_blend(per_blend, &alone, self.test, |_| true)?].si_threshold;
        Ok((
            self.row(name, "threshold cross-fitted", None, &pooled),
            threshold,
        ))
    }

    /// The row of per-technique thresholds on top of the halves' blends (an experiment).
    fn per_technique_row(
        &self,
        ens: &str,
        tr: &TransformerDetector,
        per_blend: &Lazy,
        halves: &[usize],
    ) -> Result<Row, DetectError> {
        let halves_made = halves
            .iter()
            .map(|&b| Ok((self.grid[b], per_blend.get(b)?)))
            .collect::<Result<Vec<_>, DetectError>>()?;
        let (pooled, chosen) = cross_fit_thresholds(
            |b| self.ensemble(tr, b),
            &halves_made,
            self.test,
            &self.half_a,
        )?;
        let floors = chosen
            .iter()
            .map(|t| t.map(|x| format!("{x:.2}")).join(" "))
            .collect::<Vec<_>>()
            .join(" | ");
        let mut r = self.row(ens, "", None, &pooled);
        r.selection = format!("cross-fitted + per-technique thresholds ({floors})");
        Ok(r)
    }

    /// The row of a second-technique threshold cross-fitted on top of the halves' blends.
    fn second_technique_row(
        &self,
        ens: &str,
        make: &dyn Fn(BlendParams) -> Result<Predictions, DetectError>,
        halves: &[usize],
    ) -> Result<Row, DetectError> {
        let blends: Vec<BlendParams> = halves.iter().map(|&b| self.grid[b]).collect();
        let (pooled, chosen) = cross_fit_second(make, &blends, self.test, &self.half_a)?;
        let mut r = self.row(ens, "", None, &pooled);
        let chosen: Vec<String> = chosen.iter().map(|t| format!("{t:.2}")).collect();
        r.selection = format!(
            "cross-fitted + second technique (halves chose {})",
            chosen.join(" and ")
        );
        Ok(r)
    }
}

/// Second-technique thresholds tried on top of a chosen blend, the classical model's default
/// first so that ties keep it. Technique scores sum to 1, so a runner-up never reaches 1.0:
/// one technique per region.
const SECOND_TECHNIQUE: [f32; 7] = [0.3, 0.1, 0.15, 0.2, 0.25, 0.35, 1.0];

/// The second-technique threshold with the best FLC F1 under `blend` on the articles `pick`
/// selects, with that threshold's predictions on every article. It decides only whether a
/// region also carries its runner-up technique: TC stays as it is, and SI moves only slightly
/// (a runner-up span can outlive its region's top technique, which a tagged span covers), so
/// FLC alone decides.
fn choose_second(
    make: &dyn Fn(BlendParams) -> Result<Predictions, DetectError>,
    blend: BlendParams,
    test: &[&TrainDoc],
    pick: impl Fn(&str) -> bool,
) -> Result<(f32, Predictions), DetectError> {
    let (gold_tc, gold_si) = gold_of(test, &pick);
    let mut best: Option<(f32, f64, Predictions)> = None;
    for t in SECOND_TECHNIQUE {
        let p = make(BlendParams {
            second_technique: Some(t),
            ..blend
        })?;
        let sub = Predictions {
            flc: p.flc.iter().filter(|l| pick(&l.article)).cloned().collect(),
            tc: Vec::new(),
        };
        let f = score_all(&gold_tc, &gold_si, &sub)[2].overall.f1;
        if best.as_ref().is_none_or(|(_, b, _)| f > *b) {
            best = Some((t, f, p));
        }
    }
    let (t, _, p) = best.expect("SECOND_TECHNIQUE is not empty");
    Ok((t, p))
}

/// The second-technique threshold cross-fitted on top of each half's blend (`halves[k]`: the
/// blend half `k` chose): chosen on the same half, scored on the other. Returns the pooled
/// predictions and the two choices.
fn cross_fit_second(
    make: &dyn Fn(BlendParams) -> Result<Predictions, DetectError>,
    halves: &[BlendParams],
    test: &[&TrainDoc],
    half_a: &BTreeSet<&str>,
) -> Result<(Predictions, Vec<f32>), DetectError> {
    cross_fit_by(half_a, |k, pick| choose_second(make, halves[k], test, pick))
}

/// Per-technique span thresholds on top of each half's cross-fitted blend (`halves[k]`: the
/// blend half `k` chose, with its predictions), chosen on the same half and scored on the
/// other (an experiment: nothing ships them). They drop spans, so they change SI as well as
/// FLC; TC predictions stay the blend's. Returns the pooled predictions and the two choices.
fn cross_fit_thresholds(
    ensemble: impl Fn(BlendParams) -> Ensemble,
    halves: &[(BlendParams, &Predictions)],
    test: &[&TrainDoc],
    half_a: &BTreeSet<&str>,
) -> Result<(Predictions, Vec<[f32; Technique::COUNT]>), DetectError> {
    cross_fit_by(half_a, |k, pick| {
        let (blend, predictions) = halves[k];
        // The blend's labels carry no confidences, so its spans are detected again (on cached
        // encodings: seconds).
        let spans = spans_of(&ensemble(blend), test)?;
        let th = choose_technique_thresholds(&spans, test, pick);
        let p = Predictions {
            flc: labels_above(&spans, &th),
            tc: predictions.tc.clone(),
        };
        Ok((th, p))
    })
}

/// Every article's detected spans, with their confidences, tagged with the article id.
fn spans_of(
    detector: &dyn Detector,
    docs: &[&TrainDoc],
) -> Result<Vec<(String, Span)>, DetectError> {
    use rayon::prelude::*;
    let per_doc: Vec<Vec<(String, Span)>> = docs
        .par_iter()
        .map(|d| {
            let id = d.doc.article.id.clone();
            Ok(crate::crossval::flc_spans(detector, d)?
                .into_iter()
                .map(|s| (id.clone(), s))
                .collect())
        })
        .collect::<Result<_, DetectError>>()?;
    Ok(per_doc.into_iter().flatten().collect())
}

/// The spans whose confidence reaches their technique's threshold, as FLC labels.
fn labels_above(spans: &[(String, Span)], th: &[f32; Technique::COUNT]) -> Vec<Label> {
    spans
        .iter()
        .filter(|(_, s)| s.confidence >= th[s.technique.index()])
        .map(|(id, s)| Label::new(id.clone(), Some(s.technique), s.start, s.end))
        .collect()
}

/// The gold TC and SI labels of the articles `pick` selects.
fn gold_of(test: &[&TrainDoc], pick: &impl Fn(&str) -> bool) -> (Vec<Label>, Vec<Label>) {
    let docs: Vec<&TrainDoc> = test
        .iter()
        .copied()
        .filter(|d| pick(&d.doc.article.id))
        .collect();
    Corpus::gold(&docs)
}

/// Per-technique confidence thresholds maximising SI F1 + FLC F1 on the articles `pick`
/// selects: coordinate ascent from no threshold, two passes over the techniques, a change
/// taken only when it strictly improves. On the shipped MPNet ensemble (cross-fitted) they
/// raised FLC from 0.251 to 0.272 but cost 1.4 SI points (maximising FLC alone: 0.276 and 2.3
/// SI points); with regions grown and joined, from 0.274 to 0.287 for 0.5 SI points. The two
/// halves chose different thresholds each time, so none ship.
fn choose_technique_thresholds(
    spans: &[(String, Span)],
    test: &[&TrainDoc],
    pick: impl Fn(&str) -> bool,
) -> [f32; Technique::COUNT] {
    let (gold_tc, gold_si) = gold_of(test, &pick);
    let mine: Vec<(String, Span)> = spans.iter().filter(|(id, _)| pick(id)).cloned().collect();
    let flc = |th: &[f32; Technique::COUNT]| {
        let p = Predictions {
            flc: labels_above(&mine, th),
            tc: Vec::new(),
        };
        let [si, _, flc] = score_all(&gold_tc, &gold_si, &p);
        si.overall.f1 + flc.overall.f1
    };
    let mut th = [0.0f32; Technique::COUNT];
    let mut best = flc(&th);
    for _pass in 0..2 {
        for t in 0..Technique::COUNT {
            for cand in [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5] {
                let mut trial = th;
                trial[t] = cand;
                let f = flc(&trial);
                if f > best + 1e-9 {
                    best = f;
                    th = trial;
                }
            }
        }
    }
    th
}

/// Two-fold cross-fitting over the blends `among`: each half of the held-out articles gets the
/// predictions of the blend chosen on the other half. Returns the pooled predictions and the
/// two choices (indices into `grid`).
fn cross_fit(
    per_blend: &Lazy,
    among: &[usize],
    test: &[&TrainDoc],
    half_a: &BTreeSet<&str>,
) -> Result<(Predictions, Vec<usize>), DetectError> {
    cross_fit_by(half_a, |_, pick| {
        let b = choose_blend(per_blend, among, test, pick)?;
        Ok((b, per_blend.get(b)?.clone()))
    })
}

/// Two-fold cross-fitting itself: for half A, then half B (`k` = 0, 1), `choose` picks a
/// setting on the articles `pick` selects and returns it with its predictions; only the other
/// half's predictions are pooled, so none of them saw the choice it was made under.
fn cross_fit_by<T>(
    half_a: &BTreeSet<&str>,
    mut choose: impl FnMut(usize, &dyn Fn(&str) -> bool) -> Result<(T, Predictions), DetectError>,
) -> Result<(Predictions, Vec<T>), DetectError> {
    let mut pooled = Predictions::default();
    let mut chosen = Vec::new();
    for (k, choose_on_a) in [true, false].into_iter().enumerate() {
        let pick = |id: &str| half_a.contains(id) == choose_on_a;
        let (t, p) = choose(k, &pick)?;
        pooled
            .flc
            .extend(p.flc.into_iter().filter(|l| !pick(&l.article)));
        pooled
            .tc
            .extend(p.tc.into_iter().filter(|l| !pick(&l.article)));
        chosen.push(t);
    }
    Ok((pooled, chosen))
}

/// Index into the grid of the blend among `among` with the best TC F1 on the articles `pick`
/// selects for its technique weights (its own and a partner's), then, under those weights, the
/// best SI F1 for its token settings. TC depends on the technique weights alone (it labels
/// given spans), so technique weights are compared under the first blend's token settings. SI
/// depends on the token settings almost alone: the technique weights move it only where a
/// tagged span already covers a region's technique, so the token settings are compared under
/// the weights that ship with them. Ties go to the first tried.
fn choose_blend(
    per_blend: &Lazy,
    among: &[usize],
    test: &[&TrainDoc],
    pick: impl Fn(&str) -> bool,
) -> Result<usize, DetectError> {
    let grid = per_blend.grid;
    let first = grid[among[0]];
    let (gold_tc, gold_si) = gold_of(test, &pick);
    let score = |i: usize, task: usize| -> Result<f64, DetectError> {
        let p = per_blend.get(i)?;
        let sub = Predictions {
            flc: p.flc.iter().filter(|l| pick(&l.article)).cloned().collect(),
            tc: p.tc.iter().filter(|l| pick(&l.article)).cloned().collect(),
        };
        Ok(score_all(&gold_tc, &gold_si, &sub)[task].overall.f1)
    };
    // `keep` holds for `among[0]` in both uses below, so some blend is always found.
    let argmax = |task: usize, keep: &dyn Fn(&BlendParams) -> bool| {
        let mut best: Option<(usize, f64)> = None;
        for &i in among.iter().filter(|&&i| keep(&grid[i])) {
            let f = score(i, task)?;
            if best.is_none_or(|(_, b)| f > b) {
                best = Some((i, f));
            }
        }
        Ok::<_, DetectError>(best.map_or(among[0], |(i, _)| i))
    };
    let tc = argmax(1, &|b| {
        BlendParams {
            tc_weight: first.tc_weight,
            partner_tc_weight: first.partner_tc_weight,
            ..*b
        } == first
    })?;
    let (tc_weight, partner_tc_weight) = (grid[tc].tc_weight, grid[tc].partner_tc_weight);
    argmax(0, &|b| {
        b.tc_weight == tc_weight && b.partner_tc_weight == partner_tc_weight
    })
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "held-out validation: trained on {} articles, scored on {} held-out articles",
            self.train_articles, self.held_articles
        )?;
        if let Some(w) = self.technique_weight {
            writeln!(
                f,
                "every ensemble's technique weight held at {w:.2} (chosen elsewhere, not on this split)"
            )?;
        }
        writeln!(
            f,
            "{:<28} {:>6} {:>6} {:>6} {:>6} {:>6}  selection",
            "model", "SI P", "SI R", "SI F1", "TC F1", "FLC F1"
        )?;
        for r in &self.rows {
            let blend = r
                .blend
                .map(|b| format!(" [{}]", describe(&b)))
                .unwrap_or_default();
            writeln!(
                f,
                "{:<28} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3}  {}{blend}",
                r.name,
                r.si.overall.precision,
                r.si.overall.recall,
                r.si.overall.f1,
                r.tc.overall.f1,
                r.flc.overall.f1,
                r.selection
            )?;
        }
        let iv = |i: &crate::eval::bootstrap::Interval| format!("[{:.3}, {:.3}]", i.lo, i.hi);
        writeln!(
            f,
            "\n95% intervals, {} draws of the {} held-out articles with replacement (settings as chosen above, not chosen again per draw)",
            bootstrap::DRAWS, self.held_articles
        )?;
        writeln!(
            f,
            "{:<28} {:<16} {:<16} {:<16} selection",
            "model", "SI F1", "TC F1", "FLC F1"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<28} {:<16} {:<16} {:<16} {}",
                r.name,
                iv(&r.ci.si),
                iv(&r.ci.tc),
                iv(&r.ci.flc),
                short(&r.selection)
            )?;
        }
        if let Some(base) = &self.baseline {
            let d = |x: f64, i: &crate::eval::bootstrap::Interval| {
                format!("{x:+.3} [{:+.3}, {:+.3}]", i.lo, i.hi)
            };
            writeln!(
                f,
                "\ndifference from {base}, paired over the same draws (an interval that holds 0: no measured difference)"
            )?;
            writeln!(
                f,
                "{:<28} {:<24} {:<24} {:<24} selection",
                "model", "SI F1", "TC F1", "FLC F1"
            )?;
            for x in &self.differences {
                writeln!(
                    f,
                    "{:<28} {:<24} {:<24} {:<24} {}",
                    x.name,
                    d(x.delta[0], &x.ci.si),
                    d(x.delta[1], &x.ci.tc),
                    d(x.delta[2], &x.ci.flc),
                    short(&x.selection)
                )?;
            }
        }
        for m in &self.reliability {
            writeln!(
                f,
                "\nreliability of {} (blend chosen on all held-out): spans right / spans by confidence, raw and calibrated (map fitted on the other half)",
                m.model
            )?;
            for (raw, cal) in m.raw.iter().zip(&m.calibrated) {
                if raw.spans + cal.spans == 0 {
                    continue;
                }
                let share = |b: &Bin| match b.spans {
                    0 => "   -".to_string(),
                    n => format!("{:.2}", b.right as f64 / n as f64),
                };
                writeln!(
                    f,
                    "  {:.1}-{:.1}  raw {:>4} / {:<4} {}   calibrated {:>4} / {:<4} {}",
                    raw.lo,
                    raw.hi,
                    raw.right,
                    raw.spans,
                    share(raw),
                    cal.right,
                    cal.spans,
                    share(cal)
                )?;
            }
            let map = m
                .calibration
                .map(|p| format!("σ({:.3}·logit(c) {:+.3})", p.a, p.b))
                .unwrap_or_else(|| "none".into());
            writeln!(
                f,
                "  expected calibration error: raw {:.3}, calibrated {:.3}; map fitted on all held-out: {map}",
                m.error_raw, m.error_calibrated
            )?;
        }
        Ok(())
    }
}

/// A frozen encoder with heads trained on the articles outside the split (the pre-fine-tuning
/// model, fairly: the shipped frozen heads saw all 371 articles). Encodes every article once.
pub fn frozen_candidate(
    corpus: &Corpus,
    held: &BTreeSet<String>,
    encoders_dir: &Path,
    base: crate::transformer::BaseEncoder,
    seed: u64,
    mut progress: impl FnMut(&str),
) -> Result<Candidate> {
    let encoder = base.dir_name();
    let text_encoder = crate::transformer::TextEncoder::load(&encoders_dir.join(encoder), None)?;
    let hidden = text_encoder.config().hidden_size;
    let mut last = std::time::Instant::now();
    let cache = crate::compare::encode_corpus(corpus, &text_encoder, |i, n| {
        if last.elapsed().as_secs() >= 30 || i == n {
            progress(&format!("encoded {i}/{n} articles with frozen {encoder}"));
            last = std::time::Instant::now();
        }
    })?;
    let train: Vec<&TrainDoc> = corpus
        .docs
        .iter()
        .filter(|d| !held.contains(&d.doc.article.id))
        .collect();
    let heads = crate::compare::train_heads_on(
        &train,
        &cache,
        encoder,
        hidden,
        &crate::transformer::HeadsTrainOptions::default(),
        seed,
        "held-out validation",
    )?;
    let name = format!("{}-frozen", base.short_name());
    let detector = TransformerDetector::from_parts(Arc::new(text_encoder), heads)?
        .with_cache(Arc::new(cache))
        .with_name(name);
    Ok(Candidate { detector })
}

/// Whether heads' training record (`training/finetune.py` writes its run's JSON there) says the
/// run trained on every article, the held-out ones too (`--all`). Records of other forms
/// (frozen heads trained by `unspin train`) say nothing either way.
///
/// ```
/// use unspin::holdout::trained_on_held_out;
/// assert!(trained_on_held_out(r#"{"all": true, "seed": 13}"#));
/// assert!(!trained_on_held_out(r#"{"all": false, "seed": 13}"#));
/// assert!(!trained_on_held_out("unspin train, seed 42"));
/// ```
pub fn trained_on_held_out(training: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(training)
        .is_ok_and(|v| v.get("all") == Some(&serde_json::Value::Bool(true)))
}

/// Loads a fine-tuned model directory (`training/finetune.py` output) to be scored on the
/// held-out split. A model trained on the held-out articles is refused: its scores there would
/// measure how well it fits its own training data, and a table of them beside fair ones would
/// mislead. Its heads are read first, so the refusal comes before the encoder loads.
pub fn load_unseen(encoders_dir: &Path, dir: &Path) -> Result<TransformerDetector> {
    // Said here rather than by the loader, whose message lists model files too: only a
    // fine-tuned directory has an encoder to score.
    if !dir.is_dir() {
        bail!(
            "{}: not a model directory; validate scores fine-tuned models, directories from \
             training/finetune.py holding heads.safetensors and adapter.safetensors",
            dir.display()
        );
    }
    let cannot = || format!("{}: cannot load the model", dir.display());
    let heads = crate::transformer::Heads::load_dir(dir).with_context(cannot)?;
    if trained_on_held_out(&heads.meta.training) {
        bail!(
            "{}: this model was trained on every PTC training article, the held-out ones \
             too (its training record says --all), so it cannot be scored on them; use \
             the run of the same recipe without --all (models/ft-mpnet-holdout for the \
             default's MPNet, models/ft-minilm-holdout for MiniLM)",
            dir.display()
        );
    }
    TransformerDetector::load_dir_with(encoders_dir, dir, heads).with_context(cannot)
}

/// Loads fine-tuned model directories as candidates ([`load_unseen`]).
pub fn load_candidates(encoders_dir: &Path, dirs: &[std::path::PathBuf]) -> Result<Vec<Candidate>> {
    let mut seen = HashMap::new();
    dirs.iter()
        .map(|d| {
            let mut detector = load_unseen(encoders_dir, d)?;
            // Two epochs of one run share a name; number them apart.
            let n = seen.entry(detector.name().to_string()).or_insert(0);
            *n += 1;
            if *n > 1 {
                let name = format!("{}#{n}", detector.name());
                detector = detector.with_name(name);
            }
            Ok(Candidate { detector })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_file_may_start_with_a_bom_and_bad_utf8_names_its_line() {
        let doc = |id: &str| crate::classical::TrainDoc {
            doc: unspin_core::Document::new(unspin_core::Article::new(id, "Text.")),
            techniques: Vec::new(),
            spans: Vec::new(),
        };
        let corpus = Corpus {
            dir: "data".into(),
            docs: vec![doc("1"), doc("2"), doc("3")],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("split.txt");
        std::fs::write(&path, "\u{feff}1\n2\n").unwrap();
        let ids = read_split(&path, &corpus).unwrap();
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["1", "2"]);
        std::fs::write(&path, b"1\n2\xff\n").unwrap();
        let err = read_split(&path, &corpus).unwrap_err().to_string();
        assert!(
            err.contains("split.txt: not valid UTF-8 at line 2, column 2 (byte offset 3)"),
            "{err}"
        );
    }

    /// The shipped MiniLM heads with `training` replaced, as `dir/heads.safetensors`.
    fn heads_trained(dir: &Path, training: &str) {
        let shipped =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/ft-minilm/heads.safetensors");
        let mut heads = crate::transformer::Heads::load(&shipped).unwrap();
        heads.meta.training = training.to_string();
        std::fs::write(dir.join("heads.safetensors"), heads.to_bytes().unwrap()).unwrap();
    }

    /// A row scoring `f1` (SI, TC, FLC) on the split and `draws` in the bootstrap.
    fn fake_row(name: &str, selection: &str, f1: [f64; 3], draws: Vec<[f64; 3]>) -> Row {
        let scores = |task, x| {
            let mut s = crate::eval::score(task, &[], &[]);
            s.overall.f1 = x;
            s
        };
        Row {
            name: name.into(),
            selection: selection.into(),
            blend: None,
            si: scores(crate::eval::Task::Si, f1[0]),
            tc: scores(crate::eval::Task::Tc, f1[1]),
            flc: scores(crate::eval::Task::Flc, f1[2]),
            ci: bootstrap::intervals(&draws),
            draws,
        }
    }

    #[test]
    fn a_held_technique_weight_leaves_only_its_blends_to_choose() {
        for grid in [blend_grid(), partner_blend_grid()] {
            let all = ensemble_choices(&grid, None);
            assert_eq!(all.len(), grid.len());
            let held = ensemble_choices(&grid, Some(0.4));
            assert!(!held.is_empty() && held.len() < all.len());
            assert!(held.iter().all(|&i| grid[i].tc_weight == 0.4));
            // Every token setting stays open to choice under it.
            let settings = |ix: &[usize]| {
                let mut v: Vec<String> = ix
                    .iter()
                    .map(|&i| {
                        let b = grid[i];
                        format!(
                            "{:?}",
                            BlendParams {
                                tc_weight: 0.0,
                                partner_tc_weight: 0.0,
                                ..b
                            }
                        )
                    })
                    .collect();
                v.sort();
                v.dedup();
                v
            };
            assert_eq!(settings(&held), settings(&all));
        }
    }

    #[test]
    fn honest_rows_are_compared_with_the_first_cross_fitted_ensemble_draw_by_draw() {
        let d = |x: f64| vec![[x, x, x], [x + 0.1, x + 0.1, x + 0.1]];
        let rows = vec![
            fake_row("classical", "fixed", [0.3; 3], d(0.3)),
            fake_row("m", "threshold cross-fitted", [0.4; 3], d(0.4)),
            fake_row(
                "ensemble(m)",
                "cross-fitted (halves chose a and b)",
                [0.5; 3],
                d(0.5),
            ),
            fake_row(
                "ensemble(m)",
                "cross-fitted + second technique (x)",
                [0.52; 3],
                d(0.52),
            ),
            fake_row("ensemble(m)", "chosen on all held-out", [0.6; 3], d(0.6)),
            fake_row(
                "ensemble(n)",
                "cross-fitted (halves chose c and d)",
                [0.55; 3],
                d(0.55),
            ),
        ];
        let (base, diffs) = differences(&rows);
        assert_eq!(base.as_deref(), Some("ensemble(m) (cross-fitted)"));
        let seen: Vec<(&str, &str)> = diffs
            .iter()
            .map(|x| (x.name.as_str(), short(&x.selection)))
            .collect();
        assert_eq!(
            seen,
            [
                ("classical", "fixed"),
                ("m", "threshold cross-fitted"),
                ("ensemble(m)", "cross-fitted + second technique"),
                ("ensemble(n)", "cross-fitted"),
            ],
            "every honest row but the baseline, none chosen on all held-out"
        );
        let n = &diffs[3];
        assert!((n.delta[0] - 0.05).abs() < 1e-9, "{:?}", n.delta);
        // The rows move together over the draws, so the paired interval is the difference.
        assert!((n.ci.tc.lo - 0.05).abs() < 1e-9 && (n.ci.tc.hi - 0.05).abs() < 1e-9);
        let (none, empty) = differences(&rows[..2]);
        assert!(
            none.is_none() && empty.is_empty(),
            "no ensemble, no baseline"
        );
    }

    /// `choose_blend` compares technique mixes under one token setting and token settings
    /// under one technique mix, so the partner grid must hold every pair of the two.
    #[test]
    fn the_partner_grid_crosses_every_token_setting_with_every_technique_mix() {
        let grid = partner_blend_grid();
        let token = |b: &BlendParams| BlendParams {
            tc_weight: 1.0,
            partner_tc_weight: 0.0,
            ..*b
        };
        let mut settings: Vec<BlendParams> = Vec::new();
        for b in &grid {
            if !settings.contains(&token(b)) {
                settings.push(token(b));
            }
        }
        // Per weight and threshold: 0.3 extends to none, 0.2 or 0.25; 0.35 and up to all four.
        assert_eq!(settings.len(), 9 + 4 * 3 * (3 + 4 * 3) * 2);
        assert_eq!(grid.len(), settings.len() * 16);
        for s in &settings {
            assert_eq!(grid.iter().filter(|b| token(b) == *s).count(), 16);
        }
        // The partner's weights are swept, 0 among them, so "no partner" can win.
        assert!(grid.iter().any(|b| b.partner_si_weight == 0.5));
        assert!(grid.iter().any(|b| b.partner_tc_weight == 0.5));
        assert!(grid.iter().any(|b| !b.has_partner() && b.si_weight < 1.0));
        // The transformer alone, as `alone` looks for it: weight 1, no partner.
        let alone = grid
            .iter()
            .filter(|b| **b == BlendParams::plain(1.0, b.si_threshold, 1.0))
            .count();
        assert_eq!(alone, 9);
        assert!(blend_grid().iter().all(|b| !b.has_partner()));
    }

    #[test]
    fn a_model_trained_on_the_held_out_articles_is_refused_before_its_encoder_loads() {
        let dir = tempfile::tempdir().unwrap();
        // No encoders at all: a refusal must not need them.
        let no_encoders = dir.path().join("no-encoders");
        heads_trained(dir.path(), r#"{"all": true, "seed": 13}"#);
        let refusal = |dir: &Path| match load_unseen(&no_encoders, dir) {
            Ok(_) => panic!("loaded without encoders"),
            Err(e) => format!("{e:#}"),
        };
        let err = refusal(dir.path());
        assert!(err.contains("--all"), "{err}");
        // Trained without them, it gets as far as the missing encoder.
        heads_trained(dir.path(), r#"{"all": false, "seed": 13}"#);
        let err = refusal(dir.path());
        assert!(
            !err.contains("--all") && err.contains("cannot load the model"),
            "{err}"
        );
    }
}
