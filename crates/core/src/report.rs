//! What an analysis returns for one article: the shape of `--format json` and of the HTTP API.

use crate::detector::Document;
use crate::span::Span;
use crate::technique::Technique;
use serde::Serialize;

/// One detected span as reported to users: offsets in code points, plus its text for reading.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReportSpan {
    pub start: usize,
    pub end: usize,
    pub technique: Technique,
    pub confidence: f32,
    pub text: String,
}

/// The analysis of one article.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub id: String,
    /// Length of the text in code points (the range every offset lives in).
    pub length: usize,
    /// Name of the detector that produced the spans.
    pub detector: String,
    pub spans: Vec<ReportSpan>,
}

impl Report {
    /// Builds a report, attaching each span's text; spans are sorted by position.
    pub fn new(doc: &Document, detector: &str, mut spans: Vec<Span>) -> Self {
        spans.sort_by(|a, b| {
            (a.start, a.end, a.technique.index()).cmp(&(b.start, b.end, b.technique.index()))
        });
        let spans = spans
            .into_iter()
            .map(|s| ReportSpan {
                start: s.start,
                end: s.end,
                technique: s.technique,
                confidence: s.confidence,
                text: doc.article.slice(s.chars()).unwrap_or_default().to_string(),
            })
            .collect();
        Report {
            id: doc.article.id.clone(),
            length: doc.article.len_chars(),
            detector: detector.to_string(),
            spans,
        }
    }
}
