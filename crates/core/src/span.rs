//! Spans: the one shared currency between detectors, outputs and scoring.
//!
//! One family, from bare offsets to what a user reads:
//!
//! * [`CharSpan`]: where, a half-open range of code points (`start..end`, as in PTC files);
//! * [`Span`]: a detector's finding, a `CharSpan` with a technique and a confidence;
//! * [`Place`]: a `CharSpan` with its text, as every aid reports it;
//! * [`ReportSpan`](crate::ReportSpan): a `Span` with its text, as a report lists it.
//!
//! The two with text have private fields and are made only from the [`Article`] they point
//! into, so their text is always exactly the code points `start..end` of that article.

use crate::article::Article;
use crate::technique::Technique;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// A half-open range of Unicode code points `[start, end)`, as in PTC label files.
///
/// ```
/// use unspin_core::CharSpan;
/// let s = CharSpan::from(3..7);
/// assert_eq!((s.start, s.end, s.len()), (3, 7, 4));
/// assert_eq!(s.range(), 3..7);
/// ```
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

    /// The same offsets as a `Range`, for slicing and iterating.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

impl From<Range<usize>> for CharSpan {
    fn from(r: Range<usize>) -> Self {
        CharSpan::new(r.start, r.end)
    }
}

impl From<CharSpan> for Range<usize> {
    fn from(s: CharSpan) -> Self {
        s.range()
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

/// A stretch of the checked text. `start`/`end` are Unicode code-point offsets (end exclusive),
/// and `text` is exactly the code points `start..end` of the input.
// This doc comment is the OpenAPI description (utoipa): the invariant and example live on `new`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Place {
    start: usize,
    end: usize,
    text: String,
}

impl Place {
    /// The stretch `span` of `article`, or `None` when the span leaves the text or is
    /// reversed. The fields are private and this is the only constructor besides
    /// deserialization, so a place made here cannot disagree with its text.
    ///
    /// ```
    /// use unspin_core::{Article, CharSpan, Place};
    /// let article = Article::new("1", "Café owners said no.");
    /// let place = Place::new(&article, CharSpan::new(5, 16)).unwrap();
    /// assert_eq!((place.start(), place.end(), place.text()), (5, 16, "owners said"));
    /// assert_eq!(Place::new(&article, CharSpan::new(5, 99)), None); // leaves the text
    /// ```
    pub fn new(article: &Article, span: CharSpan) -> Option<Place> {
        let text = article.slice(span)?.to_string();
        Some(Place {
            start: span.start,
            end: span.end,
            text,
        })
    }

    /// An empty place at the start of the text: what a lookup past the last token yields.
    pub fn empty() -> Place {
        Place {
            start: 0,
            end: 0,
            text: String::new(),
        }
    }

    pub fn start(&self) -> usize {
        self.start
    }

    pub fn end(&self) -> usize {
        self.end
    }

    /// Exactly the code points `start..end` of the article.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn chars(&self) -> CharSpan {
        CharSpan::new(self.start, self.end)
    }

    /// Offsets and text, taken apart without copying the text.
    pub fn into_parts(self) -> (CharSpan, String) {
        (CharSpan::new(self.start, self.end), self.text)
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
    fn places_are_their_text() {
        let a = Article::new("x", "\u{feff}😀 hi there");
        let p = Place::new(&a, CharSpan::new(3, 5)).unwrap();
        assert_eq!((p.text(), p.chars()), ("hi", CharSpan::new(3, 5)));
        assert_eq!(Place::new(&a, CharSpan::new(1, 2)).unwrap().text(), "😀");
        assert_eq!(Place::new(&a, CharSpan::new(4, 3)), None);
        assert_eq!(Place::new(&a, CharSpan::new(0, 99)), None);
        assert_eq!(Place::new(&a, CharSpan::new(11, 11)).unwrap().text(), "");
    }

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
