//! What a reader should see first: the few facts of a [`Report`] worth acting on, computed once
//! so that every view (the text view, the annotated HTML export, the web page) leads with the
//! same summary.
//!
//! ```
//! use unspin_core::summary::{Summary, PTC_BASELINE};
//! use unspin_core::{Article, Document, Report, Span, Technique};
//!
//! let doc = Document::new(Article::new("a", "word ".repeat(20))); // 100 characters
//! let spans = [(0, 10, Technique::LoadedLanguage), (5, 20, Technique::Doubt)]
//!     .map(|(start, end, technique)| Span { start, end, technique, confidence: 0.9 });
//! let report = Report::new(&doc, "x", spans.to_vec());
//! let s = Summary::of(&report, 3);
//! assert_eq!(s.covered_chars, 20); // 0..20 once the overlap is merged
//! assert!((s.span_share - 0.20).abs() < 1e-6);
//! assert!(s.span_share > PTC_BASELINE.upper_quartile); // more than three articles in four
//! assert_eq!(s.techniques.len(), 2);
//! ```

use crate::report::Report;
use crate::span::{merge_ranges, CharSpan};
use crate::technique::Technique;

/// How much of a news article human annotators marked as propaganda, for comparison with one
/// article's share. Measured on the gold spans of the 371 PTC training articles (annotators, not
/// a detector): characters inside any span over all characters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Baseline {
    /// Over the whole corpus.
    pub overall: f32,
    /// Half the articles have this share or less.
    pub median: f32,
    /// A quarter of the articles have this share or more.
    pub upper_quartile: f32,
}

/// The PTC training corpus' shares (also shown by the web page).
pub const PTC_BASELINE: Baseline = Baseline {
    overall: 0.131,
    median: 0.103,
    upper_quartile: 0.178,
};

/// Where one article stands against [`PTC_BASELINE`], in words a reader can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// At or under the median PTC article.
    Low,
    /// Between the median and the upper quartile.
    Typical,
    /// In the most loaded quarter of PTC articles.
    High,
}

impl Standing {
    pub fn of(share: f32) -> Standing {
        if share <= PTC_BASELINE.median {
            Standing::Low
        } else if share < PTC_BASELINE.upper_quartile {
            Standing::Typical
        } else {
            Standing::High
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Standing::Low => "no more than in half the annotated PTC news articles",
            Standing::Typical => "more than in half the annotated PTC news articles",
            Standing::High => {
                "as much as in the most loaded quarter of annotated PTC news articles"
            }
        }
    }
}

/// The headline facts of one report. Indices point into the report's own lists, so a view can
/// link each fact to its places.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Code points inside at least one span (overlaps counted once).
    pub covered_chars: usize,
    /// `covered_chars` over the article's length (0 for an empty article).
    pub span_share: f32,
    pub standing: Standing,
    /// Every technique found with its number of spans, most frequent first (ties: the
    /// techniques' canonical order).
    pub techniques: Vec<(Technique, usize)>,
    /// Indices into `report.findings`: all of them, in report order.
    pub findings: Vec<usize>,
    /// Indices into `report.quotes` of the statements pinned on nobody or someone unnamed.
    pub unattributed_quotes: Vec<usize>,
    /// Indices into `report.claims` of the most check-worthy sentences (only those the model
    /// ticked), best first, at most the number asked for.
    pub top_claims: Vec<usize>,
    /// How many sentences the model ticked in all.
    pub check_worthy: usize,
}

impl Summary {
    /// Summarises `report`, keeping at most `max_claims` claims.
    pub fn of(report: &Report, max_claims: usize) -> Summary {
        let ranges = report
            .spans
            .iter()
            .map(|s| CharSpan::new(s.start(), s.end().min(report.length)))
            .collect();
        let covered_chars: usize = merge_ranges(ranges, false).iter().map(|r| r.len()).sum();
        let span_share = if report.length == 0 {
            0.0
        } else {
            covered_chars as f32 / report.length as f32
        };
        let mut counts = [0usize; Technique::COUNT];
        for s in &report.spans {
            counts[s.technique().index()] += 1;
        }
        let mut techniques: Vec<(Technique, usize)> = Technique::ALL
            .into_iter()
            .map(|t| (t, counts[t.index()]))
            .filter(|&(_, n)| n > 0)
            .collect();
        techniques.sort_by_key(|&(t, n)| (std::cmp::Reverse(n), t.index()));
        let mut claims: Vec<usize> = (0..report.claims.len())
            .filter(|&i| report.claims[i].check_worthy)
            .collect();
        let check_worthy = claims.len();
        // Stable sort: equal scores keep text order.
        claims.sort_by(|&a, &b| report.claims[b].score.total_cmp(&report.claims[a].score));
        claims.truncate(max_claims);
        Summary {
            covered_chars,
            span_share,
            standing: Standing::of(span_share),
            techniques,
            findings: (0..report.findings.len()).collect(),
            unattributed_quotes: (0..report.quotes.len())
                .filter(|&i| report.quotes[i].unattributed)
                .collect(),
            top_claims: claims,
            check_worthy,
        }
    }

    /// Two sentences comparing the article's share with the PTC corpus, e.g. "4.3 % of the
    /// text is inside a detected span; in the annotated PTC news articles it is 13.1 %
    /// overall, 10.3 % in the median article. That is no more than in half the annotated PTC
    /// news articles."
    pub fn share_sentence(&self) -> String {
        format!(
            "{} of the text is inside a detected span; in the annotated PTC news articles it is {} overall, {} in the median article. That is {}.",
            percent(self.span_share),
            percent(PTC_BASELINE.overall),
            percent(PTC_BASELINE.median),
            self.standing.describe()
        )
    }
}

/// `0.043` → `"4.3 %"`.
pub fn percent(share: f32) -> String {
    format!("{:.1} %", 100.0 * share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aids::{Claim, Quote, QuoteKind};
    use crate::{Article, CharSpan, Document, Place};

    fn article() -> Article {
        Article::new("a", "x".repeat(50))
    }

    fn report() -> Report {
        Report::new(&Document::new(article()), "x", Vec::new())
    }

    fn place() -> Place {
        Place::new(&article(), CharSpan::new(0, 1)).unwrap()
    }

    fn claim(score: f32, check_worthy: bool) -> Claim {
        Claim::new(place(), score, check_worthy)
    }

    #[test]
    fn empty_report() {
        let mut r = report();
        r.length = 0;
        let s = Summary::of(&r, 3);
        assert_eq!(s.span_share, 0.0);
        assert_eq!(s.standing, Standing::Low);
        assert!(s.techniques.is_empty() && s.top_claims.is_empty());
    }

    #[test]
    fn claims_ranked_and_capped() {
        let mut r = report();
        r.claims = vec![
            claim(0.6, true),
            claim(0.9, true),
            claim(0.95, false),
            claim(0.7, true),
        ];
        let s = Summary::of(&r, 2);
        assert_eq!(s.top_claims, vec![1, 3]);
        assert_eq!(s.check_worthy, 3);
    }

    #[test]
    fn unattributed_quotes_listed() {
        let place = place();
        let q = |unattributed| Quote {
            kind: QuoteKind::Reported,
            content: place.clone(),
            cue: None,
            source: None,
            speaker: None,
            speaker_place: None,
            unattributed,
            headline: false,
            within: None,
        };
        let mut r = report();
        r.quotes = vec![q(false), q(true)];
        assert_eq!(Summary::of(&r, 3).unattributed_quotes, vec![1]);
    }

    #[test]
    fn standing_follows_the_quartiles() {
        assert_eq!(Standing::of(0.05), Standing::Low);
        assert_eq!(Standing::of(0.103), Standing::Low);
        assert_eq!(Standing::of(0.12), Standing::Typical);
        assert_eq!(Standing::of(0.178), Standing::High);
    }

    #[test]
    fn spans_past_the_end_are_clipped() {
        // Only a stored report read back can hold one: a report made here drops such spans.
        let r: Report = serde_json::from_str(
            r#"{"id":"a","length":10,"detector":"x","claims":[],"quotes":[],"findings":[],
                "spans":[{"start":5,"end":40,"technique":"Doubt","confidence":1.0,"text":""}]}"#,
        )
        .unwrap();
        assert_eq!(Summary::of(&r, 3).covered_chars, 5);
    }
}
