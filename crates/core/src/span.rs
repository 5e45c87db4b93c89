//! Spans: the one shared currency between detectors, outputs and scoring.

use crate::technique::Technique;
use serde::{Deserialize, Serialize};

/// A half-open range of Unicode code points `[start, end)`, as in PTC label files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CharSpan {
    pub start: usize,
    pub end: usize,
}

impl CharSpan {
    pub fn new(start: usize, end: usize) -> Self {
        CharSpan { start, end }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Number of code points shared with `other`.
    pub fn overlap(&self, other: &CharSpan) -> usize {
        self.end
            .min(other.end)
            .saturating_sub(self.start.max(other.start))
    }

    pub fn contains(&self, other: &CharSpan) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// A detected propaganda span: where, which technique, and how sure the detector is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub technique: Technique,
    /// Probability-like score in `[0, 1]`.
    pub confidence: f32,
}

impl Span {
    pub fn chars(&self) -> CharSpan {
        CharSpan::new(self.start, self.end)
    }
}

/// Merges overlapping (or touching, when `touch` is set) ranges into disjoint sorted ranges.
/// This is the merge the SemEval scorer applies to each side before comparing.
///
/// ```
/// use unspin_core::{merge_ranges, CharSpan};
/// let spans = vec![
///     CharSpan::new(10, 20),
///     CharSpan::new(0, 5),
///     CharSpan::new(15, 30), // shares characters 15..20 with the first: one span
///     CharSpan::new(5, 8),   // touches 0..5 without sharing a character
///     CharSpan::new(40, 40), // empty: dropped
/// ];
/// let c = |a, b| CharSpan::new(a, b);
/// assert_eq!(merge_ranges(spans.clone(), false), [c(0, 5), c(5, 8), c(10, 30)]);
/// assert_eq!(merge_ranges(spans, true), [c(0, 8), c(10, 30)]);
/// ```
pub fn merge_ranges(mut ranges: Vec<CharSpan>, touch: bool) -> Vec<CharSpan> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort();
    let mut out: Vec<CharSpan> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start < last.end || (touch && r.start == last.end) => {
                last.end = last.end.max(r.end);
            }
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_and_merge() {
        let a = CharSpan::new(0, 10);
        assert_eq!(a.overlap(&CharSpan::new(5, 20)), 5);
        assert_eq!(a.overlap(&CharSpan::new(10, 20)), 0);
        let m = merge_ranges(
            vec![
                CharSpan::new(5, 8),
                CharSpan::new(0, 6),
                CharSpan::new(8, 9),
                CharSpan::new(20, 30),
                CharSpan::new(22, 25),
                CharSpan::new(3, 3),
            ],
            false,
        );
        assert_eq!(
            m,
            vec![
                CharSpan::new(0, 8),
                CharSpan::new(8, 9),
                CharSpan::new(20, 30)
            ]
        );
        let m = merge_ranges(vec![CharSpan::new(0, 4), CharSpan::new(4, 6)], true);
        assert_eq!(m, vec![CharSpan::new(0, 6)]);
    }
}
