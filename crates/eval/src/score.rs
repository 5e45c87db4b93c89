//! The SemEval-2020 Task 11 scorers (Da San Martino et al. 2020), reimplemented so that numbers
//! reported by unspin are comparable with the published ones.
//!
//! * **SI** (span identification) and **FLC** (full-length classification, i.e. spans *and*
//!   techniques) use the task's partial-overlap measure. Each side is first merged: spans that
//!   share at least one character become one (touching spans do not), per article for SI and per
//!   (article, technique) for FLC. With `S` the predicted and `T` the gold merged spans,
//!
//!   `P = 1/|S| · Σ_{s∈S} Σ_{t∈T} |s∩t|/|s|`,
//!   `R = 1/|T| · Σ_{t∈T} Σ_{s∈S} |s∩t|/|t|`,
//!
//!   where only pairs from the same article (and, for FLC, with the same technique) intersect,
//!   and `F1 = 2PR/(P+R)`. A quantity with a zero denominator is 0, never NaN.
//! * **TC** (technique classification) gets the gold spans and must name their techniques. Lines
//!   are matched by (article, start, end) as multisets: a span with two gold techniques needs
//!   two predicted lines to get both. Precision and recall are micro-averaged over lines.
//!
//! In every task, predictions for an article with no gold labels are ordinary false positives
//! (the gold files only list articles that have spans); such ids are also reported in
//! [`Scores::unknown_articles`] because they often mean mismatched article ids.

use crate::labels::Label;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use unspin_core::{merge_ranges, CharSpan, Technique};

/// The three subtasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Task {
    /// Span identification: where is propaganda, whatever the technique.
    Si,
    /// Technique classification of given gold spans.
    Tc,
    /// Full-length classification: spans with their techniques (SI and TC together).
    Flc,
}

impl Task {
    /// Short upper-case name: `SI`, `TC`, `FLC`.
    pub fn name(self) -> &'static str {
        match self {
            Task::Si => "SI",
            Task::Tc => "TC",
            Task::Flc => "FLC",
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A task name that is not `si`, `tc` or `flc`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown task {0:?} (expected si, tc or flc)")]
pub struct UnknownTask(pub String);

impl std::str::FromStr for Task {
    type Err = UnknownTask;
    /// Case-insensitive `si`, `tc` or `flc`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "si" => Ok(Task::Si),
            "tc" => Ok(Task::Tc),
            "flc" => Ok(Task::Flc),
            _ => Err(UnknownTask(s.to_string())),
        }
    }
}

/// Precision, recall and F1, each in `[0, 1]` and never NaN.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    /// From credit sums and counts, as the official `compute_prec_rec_f1`: a zero denominator
    /// gives 0 for that quantity, and F1 is 0 when `P + R` is 0.
    fn from_counts(prec_num: f64, prec_den: usize, rec_num: f64, rec_den: usize) -> Prf {
        let precision = if prec_den > 0 {
            prec_num / prec_den as f64
        } else {
            0.0
        };
        let recall = if rec_den > 0 {
            rec_num / rec_den as f64
        } else {
            0.0
        };
        Prf {
            precision,
            recall,
            f1: f1(precision, recall),
        }
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

/// Scores restricted to one technique.
#[derive(Debug, Clone, Serialize)]
pub struct TechniqueRow {
    pub technique: Technique,
    pub prf: Prf,
    /// Gold items of this technique (merged spans for FLC, lines for TC, unmerged spans for SI).
    pub n_gold: usize,
    /// Predicted items of this technique (0 in SI rows; see [`score_si`]).
    pub n_pred: usize,
}

/// The result of scoring predictions against gold labels.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    pub task: Task,
    pub overall: Prf,
    /// Gold items: merged spans for SI and FLC, labelled lines for TC.
    pub n_gold: usize,
    /// Predicted items, counted the same way as `n_gold`.
    pub n_pred: usize,
    /// Either empty (SI with technique-less gold) or one row per technique in
    /// [`Technique::ALL`] order, including techniques absent from both sides (as the official
    /// scorers print them), so that rows line up across runs.
    pub per_technique: Vec<TechniqueRow>,
    /// Sorted, deduplicated ids of articles that have predictions but no gold labels.
    pub unknown_articles: Vec<String>,
}

/// Width of the longest PTC technique name (`Whataboutism,Straw_Men,Red_Herring`).
const NAME_WIDTH: usize = 34;
/// How many unknown article ids the table prints before summarising the rest.
const MAX_UNKNOWN_SHOWN: usize = 20;

impl fmt::Display for Scores {
    /// An aligned plain-text table. In SI rows only recall is meaningful (there are no predicted
    /// techniques), so precision and F1 print as `-` there.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.task {
            Task::Tc => "labels",
            Task::Si | Task::Flc => "spans",
        };
        writeln!(
            f,
            "{} overall: P {:.4}  R {:.4}  F1 {:.4}  ({} gold {unit}, {} predicted)",
            self.task,
            self.overall.precision,
            self.overall.recall,
            self.overall.f1,
            self.n_gold,
            self.n_pred
        )?;
        if !self.per_technique.is_empty() {
            writeln!(f)?;
            writeln!(
                f,
                "{:<NAME_WIDTH$}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}",
                "technique", "gold", "pred", "P", "R", "F1"
            )?;
            for row in &self.per_technique {
                let (p, r, f1) = (row.prf.precision, row.prf.recall, row.prf.f1);
                let (p, f1) = match self.task {
                    Task::Si => ("-".to_string(), "-".to_string()),
                    Task::Tc | Task::Flc => (format!("{p:.4}"), format!("{f1:.4}")),
                };
                writeln!(
                    f,
                    "{:<NAME_WIDTH$}  {:>6}  {:>6}  {p:>6}  {r:>6.4}  {f1:>6}",
                    row.technique.name(),
                    row.n_gold,
                    row.n_pred,
                )?;
            }
        }
        if !self.unknown_articles.is_empty() {
            let n = self.unknown_articles.len();
            let shown = self.unknown_articles[..n.min(MAX_UNKNOWN_SHOWN)].join(", ");
            let more = if n > MAX_UNKNOWN_SHOWN {
                format!(" and {} more", n - MAX_UNKNOWN_SHOWN)
            } else {
                String::new()
            };
            writeln!(
                f,
                "\nnote: {n} predicted article(s) have no gold labels; their predictions count as \
                 false positives: {shown}{more}"
            )?;
        }
        Ok(())
    }
}

/// Scores `pred` against `gold` for `task`.
///
/// A worked example of the three official measures on one article:
///
/// ```
/// use unspin_core::Technique::{Doubt, LoadedLanguage};
/// use unspin_eval::{score, Label, Task};
/// let gold = [
///     Label::new("1", Some(LoadedLanguage), 0, 10),
///     Label::new("1", Some(Doubt), 20, 30),
/// ];
/// // SI: one prediction covering half of the first gold span and nothing else.
/// let si = score(Task::Si, &gold, &[Label::new("1", None, 5, 10)]);
/// // Precision: all 5 predicted characters are inside gold. Recall: per gold span, the share
/// // of its characters covered (0.5 and 0), averaged: 0.25.
/// assert_eq!((si.overall.precision, si.overall.recall), (1.0, 0.25));
/// assert!((si.overall.f1 - 0.4).abs() < 1e-9);
/// // TC: the gold spans are given; one of two techniques named right.
/// let tc = score(
///     Task::Tc,
///     &gold,
///     &[
///         Label::new("1", Some(LoadedLanguage), 0, 10),
///         Label::new("1", Some(LoadedLanguage), 20, 30),
///     ],
/// );
/// assert_eq!(tc.overall.f1, 0.5);
/// // FLC: as SI, but only a span of the same technique earns credit.
/// let flc = score(Task::Flc, &gold, &[Label::new("1", Some(Doubt), 0, 10)]);
/// assert_eq!(flc.overall.f1, 0.0);
/// ```
pub fn score(task: Task, gold: &[Label], pred: &[Label]) -> Scores {
    match task {
        Task::Si => score_si(gold, pred),
        Task::Tc => score_tc(gold, pred),
        Task::Flc => score_flc(gold, pred),
    }
}

/// Span identification. Techniques are ignored for the overall score; empty spans are dropped
/// and each side is merged per article. `n_gold`/`n_pred` count merged spans.
///
/// When gold labels carry techniques (e.g. a TC file used as SI gold), `per_technique` has a
/// row per technique giving the *recall* of that technique's gold spans (unmerged, each scored
/// by the fraction of its characters covered by the merged predictions, then averaged): it
/// shows which techniques a span finder misses. Precision is undefined per technique in SI, so
/// it and F1 are left at 0 (never NaN), and `n_pred` is 0. When no gold label has a technique,
/// `per_technique` is empty.
pub fn score_si(gold: &[Label], pred: &[Label]) -> Scores {
    let gold_spans = merged_groups(gold, |l| Some(l.article.as_str()));
    let pred_spans = merged_groups(pred, |l| Some(l.article.as_str()));

    let mut credit = Credit::default();
    for (article, ps) in &pred_spans {
        if let Some(gs) = gold_spans.get(article) {
            credit.add(ps, gs);
        }
    }
    let n_gold = gold_spans.values().map(Vec::len).sum();
    let n_pred = pred_spans.values().map(Vec::len).sum();

    let per_technique = if gold.iter().any(|l| l.technique.is_some()) {
        si_technique_recall(gold, &pred_spans)
    } else {
        Vec::new()
    };

    Scores {
        task: Task::Si,
        overall: Prf::from_counts(credit.prec, n_pred, credit.rec, n_gold),
        n_gold,
        n_pred,
        per_technique,
        unknown_articles: unknown_articles(gold_spans.keys().copied(), pred_spans.keys().copied()),
    }
}

/// The SI per-technique recall rows described on [`score_si`].
fn si_technique_recall(
    gold: &[Label],
    pred_spans: &BTreeMap<&str, Vec<CharSpan>>,
) -> Vec<TechniqueRow> {
    let mut covered = [0.0f64; Technique::COUNT];
    let mut count = [0usize; Technique::COUNT];
    for l in gold {
        let Some(t) = l.technique else { continue };
        if l.span.is_empty() {
            continue;
        }
        count[t.index()] += 1;
        let Some(ps) = pred_spans.get(l.article.as_str()) else {
            continue;
        };
        // Merged predictions are sorted and disjoint: skip those ending before the gold span,
        // then sum the overlaps of those starting before it ends.
        let first = ps.partition_point(|p| p.end <= l.span.start);
        let overlap: usize = ps[first..]
            .iter()
            .take_while(|p| p.start < l.span.end)
            .map(|p| p.overlap(&l.span))
            .sum();
        covered[t.index()] += overlap as f64 / l.span.len() as f64;
    }
    Technique::ALL
        .iter()
        .map(|&t| {
            let i = t.index();
            let recall = if count[i] > 0 {
                covered[i] / count[i] as f64
            } else {
                0.0
            };
            TechniqueRow {
                technique: t,
                prf: Prf {
                    precision: 0.0,
                    recall,
                    f1: 0.0,
                },
                n_gold: count[i],
                n_pred: 0,
            }
        })
        .collect()
}

/// Full-length classification: as SI, but spans are merged per (article, technique) and only
/// pairs with the same technique earn credit. Labels without a technique (SI lines, `?` template
/// lines) are ignored on both sides: they cannot be right or wrong about a technique.
/// `n_gold`/`n_pred` count merged spans; per-technique rows use the same formula restricted to
/// one technique.
pub fn score_flc(gold: &[Label], pred: &[Label]) -> Scores {
    let gold_spans = merged_groups(gold, |l| l.technique.map(|t| (l.article.as_str(), t)));
    let pred_spans = merged_groups(pred, |l| l.technique.map(|t| (l.article.as_str(), t)));

    let mut credit = [Credit::default(); Technique::COUNT];
    for (k, ps) in &pred_spans {
        if let Some(gs) = gold_spans.get(k) {
            credit[k.1.index()].add(ps, gs);
        }
    }
    let mut n_gold = [0usize; Technique::COUNT];
    let mut n_pred = [0usize; Technique::COUNT];
    for ((_, t), spans) in &gold_spans {
        n_gold[t.index()] += spans.len();
    }
    for ((_, t), spans) in &pred_spans {
        n_pred[t.index()] += spans.len();
    }

    let total = credit.iter().fold(Credit::default(), |a, c| Credit {
        prec: a.prec + c.prec,
        rec: a.rec + c.rec,
    });
    let (n_gold_all, n_pred_all) = (n_gold.iter().sum(), n_pred.iter().sum());
    Scores {
        task: Task::Flc,
        overall: Prf::from_counts(total.prec, n_pred_all, total.rec, n_gold_all),
        n_gold: n_gold_all,
        n_pred: n_pred_all,
        per_technique: rows(|i| {
            let prf = Prf::from_counts(credit[i].prec, n_pred[i], credit[i].rec, n_gold[i]);
            (prf, n_gold[i], n_pred[i])
        }),
        unknown_articles: unknown_articles(
            gold_spans.keys().map(|k| k.0),
            pred_spans.keys().map(|k| k.0),
        ),
    }
}

/// Technique classification: lines are matched by (article, start, end); for each span the
/// number of correct lines is the size of the intersection of the gold and predicted technique
/// multisets. `P = Σcorrect/|pred|`, `R = Σcorrect/|gold|` over labelled lines. Predicted
/// lines for spans absent from gold are simply wrong. Labels without a technique are ignored on
/// both sides (a `?` prediction is an abstention, not a wrong answer).
pub fn score_tc(gold: &[Label], pred: &[Label]) -> Scores {
    type Counts = [usize; Technique::COUNT];
    // Per span: gold and predicted technique counts.
    let mut spans: HashMap<(&str, CharSpan), (Counts, Counts)> = HashMap::new();
    let mut n_gold = [0usize; Technique::COUNT];
    let mut n_pred = [0usize; Technique::COUNT];
    for l in gold {
        if let Some(t) = l.technique {
            spans.entry((&l.article, l.span)).or_default().0[t.index()] += 1;
            n_gold[t.index()] += 1;
        }
    }
    for l in pred {
        if let Some(t) = l.technique {
            spans.entry((&l.article, l.span)).or_default().1[t.index()] += 1;
            n_pred[t.index()] += 1;
        }
    }
    let mut correct = [0usize; Technique::COUNT];
    for (g, p) in spans.values() {
        for i in 0..Technique::COUNT {
            correct[i] += g[i].min(p[i]);
        }
    }
    let (n_gold_all, n_pred_all) = (n_gold.iter().sum(), n_pred.iter().sum());
    let correct_all: usize = correct.iter().sum();
    let labelled = |ls: &'_ [Label]| -> BTreeSet<String> {
        ls.iter()
            .filter(|l| l.technique.is_some())
            .map(|l| l.article.clone())
            .collect()
    };
    let (gold_articles, pred_articles) = (labelled(gold), labelled(pred));
    Scores {
        task: Task::Tc,
        overall: Prf::from_counts(
            correct_all as f64,
            n_pred_all,
            correct_all as f64,
            n_gold_all,
        ),
        n_gold: n_gold_all,
        n_pred: n_pred_all,
        per_technique: rows(|i| {
            let c = correct[i] as f64;
            (
                Prf::from_counts(c, n_pred[i], c, n_gold[i]),
                n_gold[i],
                n_pred[i],
            )
        }),
        unknown_articles: pred_articles.difference(&gold_articles).cloned().collect(),
    }
}

/// Overlap credit sums: the numerators of precision and recall.
#[derive(Debug, Clone, Copy, Default)]
struct Credit {
    prec: f64,
    rec: f64,
}

impl Credit {
    /// Adds `|s∩t|/|s|` to precision and `|s∩t|/|t|` to recall for every overlapping pair of
    /// one group. Both lists are merged (sorted, disjoint, non-empty), so a single sweep visits
    /// exactly the overlapping pairs.
    fn add(&mut self, pred: &[CharSpan], gold: &[CharSpan]) {
        let (mut i, mut j) = (0, 0);
        while i < pred.len() && j < gold.len() {
            let (s, t) = (pred[i], gold[j]);
            let o = s.overlap(&t);
            if o > 0 {
                self.prec += o as f64 / s.len() as f64;
                self.rec += o as f64 / t.len() as f64;
            }
            // The span that ends first cannot overlap anything further on the other side.
            if s.end <= t.end {
                i += 1;
            } else {
                j += 1;
            }
        }
    }
}

/// Groups the non-empty spans of `labels` by `key` (labels with key `None` are skipped) and
/// merges each group as the official scorer does: spans sharing a character become one,
/// touching spans stay apart. Groups are ordered, so sums are computed in a fixed order.
fn merged_groups<'a, K: Ord>(
    labels: &'a [Label],
    key: impl Fn(&'a Label) -> Option<K>,
) -> BTreeMap<K, Vec<CharSpan>> {
    let mut groups: BTreeMap<K, Vec<CharSpan>> = BTreeMap::new();
    for l in labels {
        if l.span.is_empty() {
            continue;
        }
        if let Some(k) = key(l) {
            groups.entry(k).or_default().push(l.span);
        }
    }
    for spans in groups.values_mut() {
        *spans = merge_ranges(std::mem::take(spans), false);
    }
    groups
}

/// Sorted, deduplicated ids of predicted articles absent from gold.
fn unknown_articles<'a>(
    gold: impl Iterator<Item = &'a str>,
    pred: impl Iterator<Item = &'a str>,
) -> Vec<String> {
    let gold: BTreeSet<&str> = gold.collect();
    let pred: BTreeSet<&str> = pred.collect();
    pred.difference(&gold).map(|s| s.to_string()).collect()
}

/// One row per technique in class order, from a function of the technique index.
fn rows(f: impl Fn(usize) -> (Prf, usize, usize)) -> Vec<TechniqueRow> {
    Technique::ALL
        .iter()
        .map(|&technique| {
            let (prf, n_gold, n_pred) = f(technique.index());
            TechniqueRow {
                technique,
                prf,
                n_gold,
                n_pred,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
