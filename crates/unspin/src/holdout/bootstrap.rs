//! The held-out split's bootstrap ([`unspin_eval::bootstrap`]) for a validation row: SI, TC
//! and FLC F1 in each of the same draws of the held-out articles, and the intervals of a row
//! and of the difference between two rows.
//!
//! What the intervals leave out: a cross-fitted row's settings were chosen on the halves
//! before resampling, so the spread of that choice is not in them.

use crate::crossval::Predictions;
use crate::eval::bootstrap::{paired as paired1, Draws, Interval};
use crate::eval::{Label, Task};
use serde::Serialize;

pub use crate::eval::bootstrap::DRAWS;

/// A row's 95% intervals of SI, TC and FLC F1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Intervals {
    pub si: Interval,
    pub tc: Interval,
    pub flc: Interval,
}

/// SI, TC and FLC F1 of predictions `p` in every draw, scored as `crossval::score_all` scores
/// the whole split.
pub fn row_draws(
    draws: &Draws,
    articles: &[&str],
    gold_tc: &[Label],
    gold_si: &[Label],
    p: &Predictions,
) -> Vec<[f64; 3]> {
    let si = draws.f1(Task::Si, articles, gold_si, &p.si());
    let tc = draws.f1(Task::Tc, articles, gold_tc, &p.tc);
    let flc = draws.f1(Task::Flc, articles, gold_tc, &p.flc);
    (0..draws.len()).map(|k| [si[k], tc[k], flc[k]]).collect()
}

fn column(scores: &[[f64; 3]], k: usize) -> Vec<f64> {
    scores.iter().map(|s| s[k]).collect()
}

/// The 95% intervals of each task's F1 over `scores` (one `[SI, TC, FLC]` per draw).
pub fn intervals(scores: &[[f64; 3]]) -> Intervals {
    let task = |k: usize| Interval::of(&mut column(scores, k));
    Intervals {
        si: task(0),
        tc: task(1),
        flc: task(2),
    }
}

/// The 95% intervals of `a − b`, task by task and draw by draw (both on the same draws).
pub fn paired(a: &[[f64; 3]], b: &[[f64; 3]]) -> Intervals {
    let task = |k: usize| paired1(&column(a, k), &column(b, k));
    Intervals {
        si: task(0),
        tc: task(1),
        flc: task(2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crossval::score_all;
    use unspin_core::Technique;

    #[test]
    fn a_row_drawn_whole_scores_as_score_all_does() {
        let l = |a: &str, t: Option<Technique>, s, e| Label::new(a.to_string(), t, s, e);
        let t = Some(Technique::LoadedLanguage);
        let gold_tc = vec![l("a", t, 0, 10), l("b", t, 5, 20)];
        let gold_si = vec![l("a", None, 0, 10), l("b", None, 5, 20)];
        let p = Predictions {
            flc: vec![l("a", t, 2, 10), l("b", Some(Technique::Doubt), 0, 9)],
            tc: vec![l("a", t, 0, 10), l("b", Some(Technique::Doubt), 5, 20)],
        };
        let whole = score_all(&gold_tc, &gold_si, &p).map(|s| s.overall.f1);
        let draws = Draws::from_indices(2, vec![vec![1, 0], vec![0, 0]]);
        let got = row_draws(&draws, &["a", "b"], &gold_tc, &gold_si, &p);
        assert_eq!(got[0], whole);
        assert_ne!(got[1], whole, "a draw of \"a\" twice scores only it");
        assert_eq!(got[1][1], 1.0, "TC of \"a\" alone");
    }

    #[test]
    fn paired_differences_cancel_what_two_rows_share() {
        // FLC moves together in both rows, SI does not: only FLC's difference is narrow.
        let a: Vec<[f64; 3]> = (0..100).map(|i| [0.3 + i as f64 / 500.0; 3]).collect();
        let b: Vec<[f64; 3]> = a
            .iter()
            .enumerate()
            .map(|(i, s)| [0.4 - i as f64 / 500.0, s[1], s[2] - 0.01])
            .collect();
        let (ia, d) = (intervals(&a), paired(&a, &b));
        assert!(ia.flc.hi - ia.flc.lo > 0.15, "{ia:?}");
        assert!(
            (d.flc.lo - 0.01).abs() < 1e-9 && (d.flc.hi - 0.01).abs() < 1e-9,
            "{d:?}"
        );
        assert_eq!((d.tc.lo, d.tc.hi), (0.0, 0.0));
        assert!(d.si.hi - d.si.lo > 0.3, "{d:?}");
    }
}
