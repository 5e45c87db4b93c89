//! How far a held-out score could move with other articles: a bootstrap over articles.
//!
//! 75 articles are few. Two models a point apart may differ by chance, and a floor met by half
//! a point may not be met on the next 75. Resampling the held-out articles with replacement
//! (the unit the annotators worked in, so spans of one article move together) and scoring
//! every draw with the official metrics gives each row an interval, and, because every row is
//! scored on the same draws, the difference between two rows an interval of its own, which is
//! much narrower than either row's: what decides whether one model beats another.
//!
//! What the intervals leave out: a cross-fitted row's settings were chosen on the halves
//! before resampling, so the spread of that choice is not in them.
//!
//! ```
//! use unspin::holdout::bootstrap::{Draws, Interval};
//!
//! // 3 articles, 2 draws: the second picks article 2 twice and article 0 once.
//! let draws = Draws::from_indices(3, vec![vec![0, 1, 2], vec![2, 2, 0]]);
//! assert_eq!(draws.len(), 2);
//! let iv = Interval::of(&mut [0.40, 0.44, 0.42, 0.46, 0.38]);
//! assert!(iv.lo <= 0.42 && 0.42 <= iv.hi);
//! ```

use crate::crossval::{score_all, Predictions};
use crate::eval::Label;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use unspin_ml::rng::SplitMix;

/// How many draws a report makes: enough that the 2.5% and 97.5% points of each row move by
/// well under a tenth of a point between seeds, few enough to stay seconds.
pub const DRAWS: usize = 1000;

/// The central 95% of a score's draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

impl Interval {
    /// The 2.5% and 97.5% points of `values` (sorted in place; nearest rank).
    pub fn of(values: &mut [f64]) -> Interval {
        if values.is_empty() {
            return Interval { lo: 0.0, hi: 0.0 };
        }
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((q * values.len() as f64) as usize).min(values.len() - 1)];
        Interval {
            lo: at(0.025),
            hi: at(0.975),
        }
    }
}

/// A row's 95% intervals of SI, TC and FLC F1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Intervals {
    pub si: Interval,
    pub tc: Interval,
    pub flc: Interval,
}

/// Which articles each draw takes, by index into the held-out articles: the same draws for
/// every row, so that rows can be compared draw by draw.
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

    /// SI, TC and FLC F1 of every draw: the labels of the articles it picked, each pick a
    /// separate article (an article drawn twice counts twice, as two articles would).
    /// `articles` are the held-out ids in the order the draws index.
    pub fn scores(
        &self,
        articles: &[&str],
        gold_tc: &[Label],
        gold_si: &[Label],
        p: &Predictions,
    ) -> Vec<[f64; 3]> {
        assert_eq!(articles.len(), self.n, "one id per article");
        let index: HashMap<&str, usize> =
            articles.iter().enumerate().map(|(i, a)| (*a, i)).collect();
        let (gt, gs, pf, pt) = (
            by_article(gold_tc, &index, self.n),
            by_article(gold_si, &index, self.n),
            by_article(&p.flc, &index, self.n),
            by_article(&p.tc, &index, self.n),
        );
        self.picks
            .par_iter()
            .map(|picks| {
                let take = |by: &[Vec<&Label>]| -> Vec<Label> {
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
                };
                let drawn = Predictions {
                    flc: take(&pf),
                    tc: take(&pt),
                };
                let [si, tc, flc] = score_all(&take(&gt), &take(&gs), &drawn);
                [si.overall.f1, tc.overall.f1, flc.overall.f1]
            })
            .collect()
    }
}

/// `labels` by the index of their article in `index`; labels of articles outside it (none in
/// a validation run) have no draw to go into and are left out.
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

/// The 95% intervals of each task's F1 over `scores` (one `[SI, TC, FLC]` per draw).
pub fn intervals(scores: &[[f64; 3]]) -> Intervals {
    let task = |k: usize| Interval::of(&mut scores.iter().map(|s| s[k]).collect::<Vec<_>>());
    Intervals {
        si: task(0),
        tc: task(1),
        flc: task(2),
    }
}

/// The 95% intervals of `a − b`, draw by draw (both scored on the same [`Draws`]).
pub fn paired(a: &[[f64; 3]], b: &[[f64; 3]]) -> Intervals {
    assert_eq!(a.len(), b.len(), "the same draws");
    let diff: Vec<[f64; 3]> = a
        .iter()
        .zip(b)
        .map(|(x, y)| [x[0] - y[0], x[1] - y[1], x[2] - y[2]])
        .collect();
    intervals(&diff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unspin_core::Technique;

    fn label(article: &str, technique: Option<Technique>, s: usize, e: usize) -> Label {
        Label::new(article.to_string(), technique, s, e)
    }

    /// Article "a" predicted exactly, article "b" missed.
    fn two_articles() -> (Vec<Label>, Vec<Label>, Predictions) {
        let t = Some(Technique::LoadedLanguage);
        let gold_tc = vec![label("a", t, 0, 10), label("b", t, 0, 10)];
        let gold_si = vec![label("a", None, 0, 10), label("b", None, 0, 10)];
        let p = Predictions {
            flc: vec![label("a", t, 0, 10)],
            tc: vec![
                label("a", t, 0, 10),
                label("b", Some(Technique::Doubt), 0, 10),
            ],
        };
        (gold_tc, gold_si, p)
    }

    #[test]
    fn a_draw_scores_the_articles_it_picked_each_as_often_as_picked() {
        let (gt, gs, p) = two_articles();
        let draws = Draws::from_indices(2, vec![vec![0, 0], vec![1, 1], vec![0, 1]]);
        let s = draws.scores(&["a", "b"], &gt, &gs, &p);
        assert_eq!(s[0], [1.0, 1.0, 1.0], "only the article predicted right");
        assert_eq!(s[1], [0.0, 0.0, 0.0], "only the article missed");
        // Both: SI P 1, R 0.5; TC 1 of 2.
        assert!((s[2][0] - 2.0 / 3.0).abs() < 1e-9, "{:?}", s[2]);
        assert!((s[2][1] - 0.5).abs() < 1e-9, "{:?}", s[2]);
    }

    #[test]
    fn the_whole_split_drawn_once_scores_as_the_split() {
        let (gt, gs, p) = two_articles();
        let whole = score_all(&gt, &gs, &p).map(|s| s.overall.f1);
        let draws = Draws::from_indices(2, vec![vec![0, 1], vec![1, 0]]);
        for s in draws.scores(&["a", "b"], &gt, &gs, &p) {
            for k in 0..3 {
                assert!((s[k] - whole[k]).abs() < 1e-9, "{s:?} against {whole:?}");
            }
        }
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
        // Not the identity: with replacement, some article is picked twice in 20 draws.
        assert!(a.picks.iter().any(|p| {
            let mut q = p.clone();
            q.sort_unstable();
            q.dedup();
            q.len() < 75
        }));
    }

    #[test]
    fn paired_differences_cancel_what_two_rows_share() {
        // Two rows that move together draw by draw: each row's interval is wide, their
        // difference's is a point.
        let a: Vec<[f64; 3]> = (0..100).map(|i| [0.3 + i as f64 / 500.0; 3]).collect();
        let b: Vec<[f64; 3]> = a.iter().map(|s| s.map(|x| x - 0.01)).collect();
        let (ia, d) = (intervals(&a), paired(&a, &b));
        assert!(ia.si.hi - ia.si.lo > 0.15, "{ia:?}");
        assert!(
            (d.si.lo - 0.01).abs() < 1e-9 && (d.si.hi - 0.01).abs() < 1e-9,
            "{d:?}"
        );
    }

    #[test]
    fn interval_takes_the_central_95_percent() {
        let mut v: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        v.reverse();
        let iv = Interval::of(&mut v);
        assert_eq!((iv.lo, iv.hi), (25.0, 975.0));
        assert_eq!(Interval::of(&mut []), Interval { lo: 0.0, hi: 0.0 });
    }
}
