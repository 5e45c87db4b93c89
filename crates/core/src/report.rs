//! What an analysis returns for one article: the shape of `--format json` and of the HTTP API.

use crate::aids::{Claim, Finding, Quote};
use crate::article::Article;
use crate::detector::Document;
use crate::span::Span;
use crate::technique::Technique;
use serde::{Deserialize, Serialize};

/// One detected span as reported to users: offsets in code points, plus its text for reading.
// This doc comment is the OpenAPI description (utoipa): the invariant and example live on `new`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSpan {
    start: usize,
    end: usize,
    technique: Technique,
    confidence: f32,
    text: String,
}

impl ReportSpan {
    /// The report line of `span`, or `None` when the span leaves the article or is reversed.
    /// The fields are private and this is the only constructor besides deserialization, so a
    /// span made here always carries exactly the text of its offsets.
    ///
    /// ```
    /// use unspin_core::{Article, ReportSpan, Span, Technique};
    /// let article = Article::new("1", "They are traitors, all of them.");
    /// let span = Span { start: 9, end: 17, technique: Technique::NameCallingLabeling, confidence: 0.8 };
    /// let s = ReportSpan::new(&article, &span).unwrap();
    /// assert_eq!((s.start(), s.end(), s.text()), (9, 17, "traitors"));
    /// ```
    pub fn new(article: &Article, span: &Span) -> Option<ReportSpan> {
        Some(ReportSpan {
            start: span.start,
            end: span.end,
            technique: span.technique,
            confidence: span.confidence,
            text: article.slice(span.chars())?.to_string(),
        })
    }

    pub fn start(&self) -> usize {
        self.start
    }

    pub fn end(&self) -> usize {
        self.end
    }

    pub fn technique(&self) -> Technique {
        self.technique
    }

    /// Probability-like score in `[0, 1]`.
    pub fn confidence(&self) -> f32 {
        self.confidence
    }

    /// Exactly the code points `start..end` of the article.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The span without its text.
    pub fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.end,
            technique: self.technique,
            confidence: self.confidence,
        }
    }
}

/// The analysis of one article.
///
/// It deserializes too, so that stored results (the JSONL shards of a batch run) can be read
/// back into the results database without a second schema.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub id: String,
    /// The outlet the article came from, when the input said (batch records: `source`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The article's address, when the input said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The publication date as the input gave it (ideally ISO 8601, `2024-03-01`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Length of the text in code points (the range every offset lives in).
    pub length: usize,
    /// Name of the detector that produced the spans.
    pub detector: String,
    /// The unspin version that made the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// When the analysis ran (RFC 3339, UTC). Set by the front end that ran it (CLI, server),
    /// not by the library, so library output stays reproducible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The page title, for articles extracted from HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The text offsets point into, when it is not the input file itself (extracted from HTML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub spans: Vec<ReportSpan>,
    /// Every sentence with its check-worthiness score (empty when the aids were not run).
    pub claims: Vec<Claim>,
    /// Direct quotes and reported speech with their cues and speakers.
    pub quotes: Vec<Quote>,
    /// Places where the article contradicts itself (numbers that do not add up, names spelled
    /// two ways).
    pub findings: Vec<Finding>,
    /// What the reader should know about how this report was made ([`Detection::notes`]: a
    /// model of the ensemble that failed on this article, say). Absent when there is none.
    ///
    /// [`Detection::notes`]: crate::Detection::notes
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Report {
    /// Builds a report, attaching each span's text; spans are sorted by position, and a span
    /// that leaves the text or is reversed (no detector makes one) is dropped rather than shown
    /// without text.
    pub fn new(doc: &Document, detector: &str, mut spans: Vec<Span>) -> Self {
        spans.sort_by(|a, b| {
            (a.start, a.end, a.technique.index()).cmp(&(b.start, b.end, b.technique.index()))
        });
        let spans = spans
            .iter()
            .filter_map(|s| ReportSpan::new(&doc.article, s))
            .collect();
        Report {
            id: doc.article.id.clone(),
            source: None,
            url: None,
            date: None,
            length: doc.article.len_chars(),
            detector: detector.to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
            created: None,
            title: doc.article.title.clone(),
            text: doc
                .article
                .extracted
                .then(|| doc.article.text().to_string()),
            spans,
            claims: Vec::new(),
            quotes: Vec::new(),
            findings: Vec::new(),
            notes: Vec::new(),
        }
    }
}
