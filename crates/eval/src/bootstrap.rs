//! How far a score could move with other articles: a bootstrap over articles.
//!
//! Dev and held-out sets of PTC hold 75 articles or so. Two systems a point apart may differ
//! by chance, and a score half a point above a mark may fall below it on the next 75.
//! Resampling the articles with replacement (the unit the annotators worked in, so the spans
//! of one article move together) and scoring every draw with the official metrics gives a
//! score an interval; scoring two systems on the same [`Draws`] gives their difference one of
//! its own, which says whether one beats the other. For systems that err on the same articles
//! (two blends of one model, a model and its ensemble) it is much narrower than either's.
//!
//! ```
//! use unspin_eval::bootstrap::{Draws, Interval};
//! use unspin_eval::{Label, Task};
//!
//! // Article "a" found, article "b" missed: F1 2/3 over both. A draw of "a" twice scores 1,
//! // of "b" twice 0.
//! let gold = vec![Label::new("a", None, 0, 10), Label::new("b", None, 0, 10)];
//! let pred = vec![Label::new("a", None, 0, 10)];
//! let draws = Draws::from_indices(2, vec![vec![0, 0], vec![1, 1], vec![0, 1]]);
//! let f1 = draws.f1(Task::Si, &["a", "b"], &gold, &pred);
//! assert_eq!(f1[0], 1.0);
//! assert_eq!(f1[1], 0.0);
//! assert!((f1[2] - 2.0 / 3.0).abs() < 1e-9);
//! let iv = Interval::of(&mut [0.40_f64, 0.44, 0.42, 0.46, 0.38]);
//! assert!(iv.lo <= 0.42 && 0.42 <= iv.hi);
//! ```

use crate::{score, Label, Task};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use unspin_ml::rng::SplitMix;

/// How many draws to make. With SI F1 spread about 0.02 over draws of 75 PTC articles, an
/// end of the interval moves by about two tenths of a point from one set of draws to the
/// next: fine for telling a point from nothing, and seconds to compute.
pub const DRAWS: usize = 1000;

/// The central 95% of a score's draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

impl Interval {
    /// The 2.5% and 97.5% points of `values` (sorted in place): as many values left out
    /// below as above.
    pub fn of(values: &mut [f64]) -> Interval {
        if values.is_empty() {
            return Interval { lo: 0.0, hi: 0.0 };
        }
        values.sort_by(f64::total_cmp);
        let k = values.len() / 40;
        Interval {
            lo: values[k],
            hi: values[values.len() - 1 - k],
        }
    }
}

/// Which articles each draw takes, by index into a list of article ids: the same draws for
/// every system scored on them, so that systems can be compared draw by draw.
#[derive(Debug, Clone)]
pub struct Draws {
    n: usize,
    picks: Vec<Vec<usize>>,
}

impl Draws {
    /// `count` draws of `n` articles each, with replacement, from `seed`.
    pub fn new(n: usize, count: usize, seed: u64) -> Draws {
        let mut rng = SplitMix::new(seed ^ 0xb007_57a9);
        let picks = (0..count)
            .map(|_| {
                (0..n)
                    .map(|_| (rng.next_u64() % n.max(1) as u64) as usize)
                    .collect()
            })
            .collect();
        Draws { n, picks }
    }

    /// Draws given as lists of article indices (each below `n`).
    pub fn from_indices(n: usize, picks: Vec<Vec<usize>>) -> Draws {
        assert!(picks.iter().flatten().all(|&i| i < n), "index out of range");
        Draws { n, picks }
    }

    pub fn len(&self) -> usize {
        self.picks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.picks.is_empty()
    }

    /// The article indices of each draw: for scores that are sums over articles (counts of
    /// matches), a draw's score is the sum over its picks.
    pub fn picks(&self) -> &[Vec<usize>] {
        &self.picks
    }

    /// `task`'s F1 in every draw: the labels of the articles it picked, each pick a separate
    /// article (one drawn twice counts twice, as two articles would). `articles` are the ids
    /// the draws index; labels of other articles are left out of every draw.
    pub fn f1(&self, task: Task, articles: &[&str], gold: &[Label], pred: &[Label]) -> Vec<f64> {
        assert_eq!(articles.len(), self.n, "one id per article");
        let index: HashMap<&str, usize> =
            articles.iter().enumerate().map(|(i, a)| (*a, i)).collect();
        assert_eq!(index.len(), self.n, "an article listed twice");
        let (gold, pred) = (
            by_article(gold, &index, self.n),
            by_article(pred, &index, self.n),
        );
        self.picks
            .par_iter()
            .map(|picks| {
                score(task, &take(picks, &gold), &take(picks, &pred))
                    .overall
                    .f1
            })
            .collect()
    }
}

/// `labels` by the index of their article in `index`; labels of other articles are dropped.
fn by_article<'l>(
    labels: &'l [Label],
    index: &HashMap<&str, usize>,
    n: usize,
) -> Vec<Vec<&'l Label>> {
    let mut by: Vec<Vec<&Label>> = vec![Vec::new(); n];
    for l in labels {
        if let Some(&i) = index.get(l.article.as_str()) {
            by[i].push(l);
        }
    }
    by
}

/// The labels of one draw, each picked article renamed by its slot so that an article picked
/// twice is two articles to the scorers.
fn take(picks: &[usize], by: &[Vec<&Label>]) -> Vec<Label> {
    picks
        .iter()
        .enumerate()
        .flat_map(|(slot, &i)| {
            let id = slot.to_string();
            by[i].iter().map(move |l| Label {
                article: id.clone(),
                ..(*l).clone()
            })
        })
        .collect()
}

/// The 95% interval of `a − b`, draw by draw (both scored on the same [`Draws`]).
pub fn paired(a: &[f64], b: &[f64]) -> Interval {
    assert_eq!(a.len(), b.len(), "the same draws");
    Interval::of(&mut a.iter().zip(b).map(|(x, y)| x - y).collect::<Vec<_>>())
}

/// The ids of the articles `labels` label (gold and predicted together), sorted: what a
/// bootstrap of a scoring run resamples. An article with predictions and no gold counts, as
/// the scorers count its predictions as false positives; one with neither changes no score
/// and is not known here.
pub fn labelled_articles<'l>(labels: impl IntoIterator<Item = &'l Label>) -> Vec<&'l str> {
    let mut ids: Vec<&str> = labels.into_iter().map(|l| l.article.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use unspin_core::Technique;

    fn label(article: &str, technique: Option<Technique>, s: usize, e: usize) -> Label {
        Label::new(article.to_string(), technique, s, e)
    }

    #[test]
    fn a_draw_scores_the_articles_it_picked_each_as_often_as_picked() {
        let t = Some(Technique::LoadedLanguage);
        let gold = vec![label("a", t, 0, 10), label("b", t, 0, 10)];
        // TC: "a" right, "b" wrong.
        let pred = vec![
            label("a", t, 0, 10),
            label("b", Some(Technique::Doubt), 0, 10),
        ];
        let draws = Draws::from_indices(2, vec![vec![0, 0], vec![1, 1], vec![0, 1], vec![0, 0, 1]]);
        // The last draw is longer than the list: three articles, "a" twice.
        let f1 = draws.f1(Task::Tc, &["a", "b"], &gold, &pred);
        assert_eq!(f1[..3], [1.0, 0.0, 0.5]);
        assert!((f1[3] - 2.0 / 3.0).abs() < 1e-9, "{f1:?}");
        // SI: "a" found twice and "b" missed is P 1, R 2/3; were the two "a"s one article,
        // their spans would merge into one and R would be 1/2.
        let f1 = draws.f1(Task::Si, &["a", "b"], &gold, &pred[..1]);
        assert!((f1[3] - 0.8).abs() < 1e-9, "{f1:?}");
        // FLC: only "a" predicted.
        let f1 = draws.f1(Task::Flc, &["a", "b"], &gold, &pred[..1]);
        assert_eq!(f1[..2], [1.0, 0.0]);
    }

    #[test]
    fn the_whole_set_drawn_once_scores_as_the_set_and_unlisted_articles_are_left_out() {
        let gold = vec![label("a", None, 0, 10), label("b", None, 5, 20)];
        let pred = vec![
            label("a", None, 2, 10),
            label("b", None, 0, 8),
            label("c", None, 0, 9),
        ];
        let whole = score(Task::Si, &gold, &pred).overall.f1;
        let ids = labelled_articles(gold.iter().chain(&pred));
        assert_eq!(ids, ["a", "b", "c"], "c's prediction is a false positive");
        let draws = Draws::from_indices(3, vec![vec![0, 1, 2], vec![2, 1, 0]]);
        for f in draws.f1(Task::Si, &ids, &gold, &pred) {
            assert!((f - whole).abs() < 1e-9, "{f} against {whole}");
        }
        // An id not listed: its labels are in no draw.
        let draws = Draws::from_indices(2, vec![vec![0, 1]]);
        let without_c = score(Task::Si, &gold, &pred[..2]).overall.f1;
        assert_eq!(draws.f1(Task::Si, &ids[..2], &gold, &pred), [without_c]);
        assert_ne!(without_c, whole);
    }

    #[test]
    fn draws_are_seeded_and_in_range() {
        let a = Draws::new(75, 20, 42);
        assert_eq!(a.picks, Draws::new(75, 20, 42).picks);
        assert_ne!(a.picks, Draws::new(75, 20, 43).picks);
        assert!(a
            .picks
            .iter()
            .all(|p| p.len() == 75 && p.iter().all(|&i| i < 75)));
        // With replacement: some article is picked twice in some draw.
        assert!(a.picks.iter().any(|p| {
            let mut q = p.clone();
            q.sort_unstable();
            q.dedup();
            q.len() < 75
        }));
    }

    #[test]
    fn paired_differences_cancel_what_two_systems_share() {
        // Two systems that mostly move together draw by draw: each one's interval is wide,
        // their difference's is the spread of what they do not share, 0.01 ± 0.05.
        let a: Vec<f64> = (0..100).map(|i| 0.3 + i as f64 / 500.0).collect();
        let b: Vec<f64> = a
            .iter()
            .enumerate()
            .map(|(i, x)| x - 0.01 + if i % 2 == 0 { 0.05 } else { -0.05 })
            .collect();
        let ia = Interval::of(&mut a.clone());
        assert!(ia.hi - ia.lo > 0.15, "{ia:?}");
        let d = paired(&a, &b);
        assert!(
            (d.lo + 0.04).abs() < 1e-9 && (d.hi - 0.06).abs() < 1e-9,
            "{d:?}"
        );
    }

    #[test]
    fn interval_takes_the_central_95_percent() {
        let mut v: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        v.reverse();
        let iv = Interval::of(&mut v);
        assert_eq!((iv.lo, iv.hi), (25.0, 974.0), "25 left out on each side");
        assert_eq!(Interval::of(&mut [0.5]), Interval { lo: 0.5, hi: 0.5 });
        assert_eq!(Interval::of(&mut []), Interval { lo: 0.0, hi: 0.0 });
    }
}
