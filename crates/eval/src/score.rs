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
mod tests {
    use super::*;
    use crate::labels::{parse_labels, read_labels, read_labels_auto, LabelFormat};
    use std::path::{Path, PathBuf};
    use Technique::*;

    fn si(article: &str, start: usize, end: usize) -> Label {
        Label::new(article, None, start, end)
    }

    fn tc(article: &str, t: Technique, start: usize, end: usize) -> Label {
        Label::new(article, Some(t), start, end)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[track_caller]
    fn assert_prf(prf: Prf, p: f64, r: f64, f: f64) {
        assert!(
            close(prf.precision, p) && close(prf.recall, r) && close(prf.f1, f),
            "got {prf:?}, expected P {p} R {r} F1 {f}"
        );
    }

    fn row(s: &Scores, t: Technique) -> &TechniqueRow {
        &s.per_technique[t.index()]
    }

    #[test]
    fn si_exact_match() {
        let gold = [si("a", 0, 10), si("a", 20, 30), si("b", 5, 6)];
        let s = score_si(&gold, &gold);
        assert_prf(s.overall, 1.0, 1.0, 1.0);
        assert_eq!((s.n_gold, s.n_pred), (3, 3));
        assert!(s.per_technique.is_empty());
        assert!(s.unknown_articles.is_empty());
    }

    #[test]
    fn si_partial_overlap() {
        // gold [0,10), pred [5,25): |s∩t| = 5.
        // P = 5/20 = 0.25, R = 5/10 = 0.5, F1 = 2·0.25·0.5/0.75 = 1/3.
        let s = score_si(&[si("a", 0, 10)], &[si("a", 5, 25)]);
        assert_prf(s.overall, 0.25, 0.5, 1.0 / 3.0);
    }

    #[test]
    fn si_one_pred_over_two_gold_and_back() {
        // gold [0,10) and [20,30), pred [5,25): overlaps 5 and 5.
        // P = (5/20 + 5/20)/1 = 0.5; R = (5/10 + 5/10)/2 = 0.5; F1 = 0.5.
        let s = score_si(&[si("a", 0, 10), si("a", 20, 30)], &[si("a", 5, 25)]);
        assert_prf(s.overall, 0.5, 0.5, 0.5);
        // Swapped roles swap P and R.
        let s = score_si(&[si("a", 5, 25)], &[si("a", 0, 10), si("a", 20, 30)]);
        assert_prf(s.overall, 0.5, 0.5, 0.5);
        // gold [0,10) and [20,30), pred [8,22): overlaps 2 and 2.
        // P = (2/14 + 2/14)/1 = 2/7; R = (2/10 + 2/10)/2 = 1/5;
        // F1 = 2·(2/7)(1/5)/(2/7 + 1/5) = (4/35)/(17/35) = 4/17.
        let s = score_si(&[si("a", 0, 10), si("a", 20, 30)], &[si("a", 8, 22)]);
        assert_prf(s.overall, 2.0 / 7.0, 0.2, 4.0 / 17.0);
    }

    #[test]
    fn si_nested_predictions_are_merged_first() {
        // pred [0,20) ⊃ [5,10) merge to [0,20); gold [0,10): overlap 10.
        // P = 10/20 = 0.5 over 1 merged span (not 2); R = 10/10 = 1; F1 = 2·0.5/1.5 = 2/3.
        let s = score_si(&[si("a", 0, 10)], &[si("a", 0, 20), si("a", 5, 10)]);
        assert_eq!(s.n_pred, 1);
        assert_prf(s.overall, 0.5, 1.0, 2.0 / 3.0);
    }

    #[test]
    fn si_overlapping_gold_is_merged() {
        // gold [0,10) ∪ [5,20) = [0,20); pred [0,10): overlap 10.
        // P = 10/10 = 1; R = 10/20 = 0.5 over 1 merged gold span; F1 = 2/3.
        let s = score_si(&[si("a", 0, 10), si("a", 5, 20)], &[si("a", 0, 10)]);
        assert_eq!(s.n_gold, 1);
        assert_prf(s.overall, 1.0, 0.5, 2.0 / 3.0);
    }

    #[test]
    fn si_touching_spans_are_not_merged() {
        // pred [0,5) and [5,8) touch but share no character: 2 spans. gold [0,10).
        // P = (5/5 + 3/3)/2 = 1; R = (5/10 + 3/10)/1 = 0.8; F1 = 1.6/1.8 = 8/9.
        let s = score_si(&[si("a", 0, 10)], &[si("a", 0, 5), si("a", 5, 8)]);
        assert_eq!(s.n_pred, 2);
        assert_prf(s.overall, 1.0, 0.8, 8.0 / 9.0);
        // Same on the gold side: gold [0,5), [5,10); pred [0,10).
        // P = (5/10 + 5/10)/1 = 1; R = (5/5 + 5/5)/2 = 1.
        let s = score_si(&[si("a", 0, 5), si("a", 5, 10)], &[si("a", 0, 10)]);
        assert_eq!(s.n_gold, 2);
        assert_prf(s.overall, 1.0, 1.0, 1.0);
    }

    #[test]
    fn si_duplicates_collapse() {
        // Identical spans share all their characters, so they merge into one on each side;
        // a gold span carrying two techniques is one SI span.
        let gold = [
            si("a", 0, 10),
            si("a", 0, 10),
            tc("a", Doubt, 20, 30),
            tc("a", Slogans, 20, 30),
        ];
        let pred = [
            si("a", 0, 10),
            si("a", 0, 10),
            si("a", 0, 10),
            si("a", 20, 30),
        ];
        let s = score_si(&gold, &pred);
        assert_eq!((s.n_gold, s.n_pred), (2, 2));
        assert_prf(s.overall, 1.0, 1.0, 1.0);
    }

    #[test]
    fn si_article_without_predictions_lowers_recall() {
        // gold a[0,10), b[0,10); pred a[0,10).
        // P = 1/1 = 1; R = (1 + 0)/2 = 0.5; F1 = 2/3.
        let s = score_si(&[si("a", 0, 10), si("b", 0, 10)], &[si("a", 0, 10)]);
        assert_prf(s.overall, 1.0, 0.5, 2.0 / 3.0);
        assert!(s.unknown_articles.is_empty());
    }

    #[test]
    fn si_unknown_article_lowers_precision_and_is_listed() {
        // gold a[0,10); pred a[0,10), z[0,4), y[3,4), z[10,12): 4 predicted spans, 1 right.
        // P = (1 + 0 + 0 + 0)/4 = 0.25; R = 1; F1 = 2·0.25/1.25 = 0.4.
        let pred = [
            si("a", 0, 10),
            si("z", 0, 4),
            si("y", 3, 4),
            si("z", 10, 12),
        ];
        let s = score_si(&[si("a", 0, 10)], &pred);
        assert_eq!(s.n_pred, 4);
        assert_prf(s.overall, 0.25, 1.0, 0.4);
        assert_eq!(s.unknown_articles, vec!["y", "z"]);
        let table = s.to_string();
        assert!(
            table.contains("2 predicted article(s) have no gold labels"),
            "{table}"
        );
        assert!(table.contains(": y, z"), "{table}");
    }

    #[test]
    fn empty_spans_are_dropped() {
        // pred [3,3) is no prediction at all: P = 10/10 = 1 over 1 span, R = 1.
        let s = score_si(
            &[si("a", 0, 10), si("a", 4, 4)],
            &[si("a", 0, 10), si("a", 3, 3)],
        );
        assert_eq!((s.n_gold, s.n_pred), (1, 1));
        assert_prf(s.overall, 1.0, 1.0, 1.0);
        let s = score_flc(&[tc("a", Doubt, 4, 4)], &[tc("b", Doubt, 3, 3)]);
        assert_eq!((s.n_gold, s.n_pred), (0, 0));
        assert!(s.unknown_articles.is_empty());
    }

    #[test]
    fn empty_inputs_score_zero_without_panicking() {
        let some_gold = [tc("a", Doubt, 0, 10)];
        for task in [Task::Si, Task::Tc, Task::Flc] {
            for (gold, pred) in [
                (&[][..], &[][..]),
                (&some_gold[..], &[][..]),
                (&[][..], &some_gold[..]),
            ] {
                let s = score(task, gold, pred);
                assert_eq!(s.task, task);
                assert_prf(s.overall, 0.0, 0.0, 0.0);
                for row in &s.per_technique {
                    assert_prf(row.prf, 0.0, 0.0, 0.0);
                }
                let _ = s.to_string();
                let _ = serde_json::to_string(&s).unwrap();
            }
        }
        // Predicting into an empty gold lists the article.
        assert_eq!(score_si(&[], &some_gold).unknown_articles, vec!["a"]);
        assert_eq!(score_tc(&[], &some_gold).unknown_articles, vec!["a"]);
        assert_eq!(score_flc(&[], &some_gold).unknown_articles, vec!["a"]);
    }

    #[test]
    fn si_per_technique_recall_when_gold_has_techniques() {
        // gold Loaded [0,10), Doubt [5,25); pred [0,10).
        // Overall: gold merged [0,25); P = 10/10 = 1; R = 10/25 = 0.4; F1 = 0.8/1.4 = 4/7.
        // Loaded: covered 10/10 -> R = 1. Doubt: covered [5,10) = 5/20 -> R = 0.25.
        let gold = [tc("a", LoadedLanguage, 0, 10), tc("a", Doubt, 5, 25)];
        let s = score_si(&gold, &[si("a", 0, 10)]);
        assert_prf(s.overall, 1.0, 0.4, 4.0 / 7.0);
        assert_eq!(s.per_technique.len(), Technique::COUNT);
        assert_prf(row(&s, LoadedLanguage).prf, 0.0, 1.0, 0.0);
        assert_prf(row(&s, Doubt).prf, 0.0, 0.25, 0.0);
        assert_eq!(row(&s, Doubt).n_gold, 1);
        assert_eq!(row(&s, Doubt).n_pred, 0);
        assert_eq!(row(&s, Slogans).n_gold, 0);
        // Rows use unmerged gold spans: Doubt [0,10) and [5,25), pred [0,4) and [8,12).
        // Span [0,10): overlaps 4 + 2 = 6 -> 6/10. Span [5,25): [8,12) gives 4 -> 4/20.
        // R = (0.6 + 0.2)/2 = 0.4.
        let gold = [tc("a", Doubt, 0, 10), tc("a", Doubt, 5, 25)];
        let s = score_si(&gold, &[si("a", 0, 4), si("a", 8, 12)]);
        assert_prf(row(&s, Doubt).prf, 0.0, 0.4, 0.0);
        let table = s.to_string();
        assert!(table.contains("Doubt"), "{table}");
    }

    #[test]
    fn flc_wrong_technique_gets_no_credit() {
        // Same span, different technique: nothing overlaps within a technique.
        let s = score_flc(
            &[tc("a", LoadedLanguage, 0, 10)],
            &[tc("a", NameCallingLabeling, 0, 10)],
        );
        assert_prf(s.overall, 0.0, 0.0, 0.0);
        assert_eq!((s.n_gold, s.n_pred), (1, 1));
        assert_eq!(
            (
                row(&s, LoadedLanguage).n_gold,
                row(&s, LoadedLanguage).n_pred
            ),
            (1, 0)
        );
        assert_eq!(
            (
                row(&s, NameCallingLabeling).n_gold,
                row(&s, NameCallingLabeling).n_pred
            ),
            (0, 1)
        );
        // The same data is a perfect SI answer.
        let s = score_si(
            &[tc("a", LoadedLanguage, 0, 10)],
            &[tc("a", NameCallingLabeling, 0, 10)],
        );
        assert_prf(s.overall, 1.0, 1.0, 1.0);
    }

    #[test]
    fn flc_merges_per_technique() {
        // gold: Loaded [0,10) ∪ [5,15) -> [0,15); Doubt [5,12) stays apart (other technique).
        // pred: Loaded [0,15); Doubt [0,6).
        //   Loaded: overlap 15 -> P credit 15/15 = 1, R credit 15/15 = 1.
        //   Doubt:  overlap [5,6) = 1 -> P credit 1/6, R credit 1/7.
        // n_gold = n_pred = 2. P = (1 + 1/6)/2 = 7/12; R = (1 + 1/7)/2 = 4/7;
        // F1 = 2·(7/12)(4/7)/(7/12 + 4/7) = (2/3)/(97/84) = 56/97.
        let gold = [
            tc("a", LoadedLanguage, 0, 10),
            tc("a", LoadedLanguage, 5, 15),
            tc("a", Doubt, 5, 12),
        ];
        let pred = [tc("a", LoadedLanguage, 0, 15), tc("a", Doubt, 0, 6)];
        let s = score_flc(&gold, &pred);
        assert_eq!((s.n_gold, s.n_pred), (2, 2));
        assert_prf(s.overall, 7.0 / 12.0, 4.0 / 7.0, 56.0 / 97.0);
        assert_prf(row(&s, LoadedLanguage).prf, 1.0, 1.0, 1.0);
        // Doubt: P = 1/6, R = 1/7, F1 = 2·(1/42)/(13/42) = 2/13.
        assert_prf(row(&s, Doubt).prf, 1.0 / 6.0, 1.0 / 7.0, 2.0 / 13.0);
        assert_eq!((row(&s, Doubt).n_gold, row(&s, Doubt).n_pred), (1, 1));
        assert_prf(row(&s, Slogans).prf, 0.0, 0.0, 0.0);
        // As SI, all of it merges to [0,15) on both sides.
        assert_prf(score_si(&gold, &pred).overall, 1.0, 1.0, 1.0);
    }

    #[test]
    fn flc_ignores_labels_without_technique() {
        // The technique-less pred [20,30) neither helps nor hurts: P = R = 1.
        let s = score_flc(
            &[tc("a", Doubt, 0, 10)],
            &[tc("a", Doubt, 0, 10), si("a", 20, 30)],
        );
        assert_eq!(s.n_pred, 1);
        assert_prf(s.overall, 1.0, 1.0, 1.0);
    }

    #[test]
    fn tc_two_gold_techniques_need_two_predictions() {
        let gold = [
            tc("a", LoadedLanguage, 0, 10),
            tc("a", NameCallingLabeling, 0, 10),
            tc("a", Doubt, 20, 30),
        ];
        // One prediction for the double span: correct = 1 (there) + 1 (Doubt) = 2.
        // P = 2/2 = 1; R = 2/3; F1 = 2·(2/3)/(5/3) = 4/5.
        let pred = [tc("a", LoadedLanguage, 0, 10), tc("a", Doubt, 20, 30)];
        let s = score_tc(&gold, &pred);
        assert_eq!((s.n_gold, s.n_pred), (3, 2));
        assert_prf(s.overall, 1.0, 2.0 / 3.0, 0.8);
        assert_prf(row(&s, LoadedLanguage).prf, 1.0, 1.0, 1.0);
        assert_prf(row(&s, NameCallingLabeling).prf, 0.0, 0.0, 0.0);
        assert_eq!(row(&s, NameCallingLabeling).n_gold, 1);

        // Both techniques predicted, in any order: everything right.
        let pred = [
            tc("a", Doubt, 20, 30),
            tc("a", NameCallingLabeling, 0, 10),
            tc("a", LoadedLanguage, 0, 10),
        ];
        assert_prf(score_tc(&gold, &pred).overall, 1.0, 1.0, 1.0);

        // The same technique twice on the double span: min(1, 2) = 1 correct there.
        // correct = 1 + 1 = 2 of 3 predicted and 3 gold: P = R = F1 = 2/3.
        let pred = [
            tc("a", LoadedLanguage, 0, 10),
            tc("a", LoadedLanguage, 0, 10),
            tc("a", Doubt, 20, 30),
        ];
        let s = score_tc(&gold, &pred);
        assert_prf(s.overall, 2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0);
        // Loaded: 1 correct of 2 predicted, 1 gold: P = 0.5, R = 1, F1 = 2/3.
        assert_prf(row(&s, LoadedLanguage).prf, 0.5, 1.0, 2.0 / 3.0);
    }

    #[test]
    fn tc_duplicate_gold_lines_are_a_multiset() {
        // The same gold line twice needs two predictions; one gets R = 1/2, P = 1.
        let gold = [tc("a", Doubt, 0, 10), tc("a", Doubt, 0, 10)];
        let s = score_tc(&gold, &[tc("a", Doubt, 0, 10)]);
        assert_prf(s.overall, 1.0, 0.5, 2.0 / 3.0);
    }

    #[test]
    fn tc_prediction_for_span_not_in_gold_is_wrong() {
        // gold a[0,10) Loaded. pred: a[0,10) Loaded (right), a[40,50) Loaded (no such span),
        // a[0,9) Loaded (offsets must match exactly), z[0,10) Loaded (unknown article).
        // correct = 1: P = 1/4, R = 1/1, F1 = 2·0.25/1.25 = 0.4.
        let gold = [tc("a", LoadedLanguage, 0, 10)];
        let pred = [
            tc("a", LoadedLanguage, 0, 10),
            tc("a", LoadedLanguage, 40, 50),
            tc("a", LoadedLanguage, 0, 9),
            tc("z", LoadedLanguage, 0, 10),
        ];
        let s = score_tc(&gold, &pred);
        assert_prf(s.overall, 0.25, 1.0, 0.4);
        assert_eq!(s.unknown_articles, vec!["z"]);
    }

    #[test]
    fn tc_question_marks_are_abstentions() {
        // pred "?" on the second span is ignored: P = 1/1, R = 1/2, F1 = 2/3.
        let gold = [tc("a", Doubt, 0, 10), tc("a", Slogans, 20, 30)];
        let pred = [tc("a", Doubt, 0, 10), si("a", 20, 30)];
        let s = score_tc(&gold, &pred);
        assert_eq!(s.n_pred, 1);
        assert_prf(s.overall, 1.0, 0.5, 2.0 / 3.0);
    }

    #[test]
    fn score_dispatches_and_task_names() {
        let gold = [tc("a", Doubt, 0, 10)];
        let pred = [tc("a", Slogans, 0, 10)];
        assert_prf(score(Task::Si, &gold, &pred).overall, 1.0, 1.0, 1.0);
        assert_prf(score(Task::Tc, &gold, &pred).overall, 0.0, 0.0, 0.0);
        assert_prf(score(Task::Flc, &gold, &pred).overall, 0.0, 0.0, 0.0);
        assert_eq!("FLC".parse::<Task>(), Ok(Task::Flc));
        assert_eq!("si".parse::<Task>(), Ok(Task::Si));
        assert!("x".parse::<Task>().is_err());
        assert_eq!(Task::Tc.to_string(), "TC");
        assert_eq!(serde_json::to_string(&Task::Flc).unwrap(), "\"FLC\"");
    }

    #[test]
    fn display_is_an_aligned_table() {
        let gold = [
            tc("a", Doubt, 0, 10),
            tc("a", WhataboutismStrawMenRedHerring, 20, 30),
        ];
        let pred = [tc("a", Doubt, 0, 10)];
        let table = score_flc(&gold, &pred).to_string();
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].starts_with("FLC overall: P 1.0000  R 0.5000  F1 0.6667"),
            "{table}"
        );
        assert!(lines[0].contains("(2 gold spans, 1 predicted)"), "{table}");
        // Header plus 14 rows, all the same width.
        let rows = &lines[2..];
        assert_eq!(rows.len(), 1 + Technique::COUNT, "{table}");
        assert!(rows.iter().all(|r| r.len() == rows[0].len()), "{table}");
        assert!(rows[1 + Doubt.index()].starts_with("Doubt "), "{table}");
        let si_table = score_si(&gold, &pred).to_string();
        assert!(si_table
            .lines()
            .any(|l| l.starts_with("Doubt") && l.contains(" -")));
    }

    /// The data directory: `$UNSPIN_DATA`, else `shared/data` next to the repository (the
    /// project convention, `../shared/data` from the repository root) or inside it.
    fn data_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("UNSPIN_DATA") {
            return Some(PathBuf::from(dir));
        }
        let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        ["../../../shared/data", "../../shared/data"]
            .iter()
            .map(|rel| crate_dir.join(rel))
            .find(|dir| dir.join("ptc-train").is_dir())
    }

    #[test]
    fn ptc_train_gold_scores_perfectly_against_itself() {
        let Some(data) = data_dir() else {
            println!("skipping: PTC data not found (set UNSPIN_DATA to the shared/data directory)");
            return;
        };
        let ptc = data.join("ptc-train");
        let (tc_path, si_path) = (ptc.join("labels.tc.tsv"), ptc.join("labels.si.tsv"));
        if !tc_path.is_file() || !si_path.is_file() {
            println!("skipping: {} has no PTC label files", ptc.display());
            return;
        }
        let tc_gold = read_labels(&tc_path, LabelFormat::Tc).unwrap();
        let si_gold = read_labels(&si_path, LabelFormat::Si).unwrap();
        assert_eq!(tc_gold.len(), 6128);
        assert_eq!(si_gold.len(), 5468);
        assert_eq!(read_labels_auto(&tc_path).unwrap(), tc_gold);
        assert_eq!(read_labels_auto(&si_path).unwrap(), si_gold);
        assert_eq!(
            parse_labels(
                std::fs::read(&tc_path).unwrap().as_slice(),
                &tc_path,
                LabelFormat::TcTemplate
            )
            .unwrap(),
            tc_gold
        );

        // Every span lies inside its article.
        let articles = ptc.join("articles");
        if articles.is_dir() {
            let mut lengths = HashMap::new();
            for entry in std::fs::read_dir(&articles).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                lengths.insert(
                    unspin_core::Article::id_from_path(&path),
                    text.chars().count(),
                );
            }
            crate::labels::check_ranges(&tc_gold, &lengths, &tc_path).unwrap();
            crate::labels::check_ranges(&si_gold, &lengths, &si_path).unwrap();
        }

        for (task, gold) in [
            (Task::Si, &si_gold),
            (Task::Tc, &tc_gold),
            (Task::Flc, &tc_gold),
        ] {
            let s = score(task, gold, gold);
            assert_prf(s.overall, 1.0, 1.0, 1.0);
            assert!(s.unknown_articles.is_empty());
        }
        // SI from the TC file too (techniques ignored, per-technique recall all 1).
        let s = score_si(&tc_gold, &tc_gold);
        assert_prf(s.overall, 1.0, 1.0, 1.0);
        assert!(s
            .per_technique
            .iter()
            .all(|r| r.n_gold == 0 || close(r.prf.recall, 1.0)));
        assert_eq!(
            s.per_technique.iter().map(|r| r.n_gold).sum::<usize>(),
            tc_gold.len()
        );
    }
}
