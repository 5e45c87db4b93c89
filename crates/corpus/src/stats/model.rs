//! What `unspin stats` reports: one serializable value that every renderer reads.

use serde::Serialize;

/// Everything `unspin stats` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// The filter the numbers are restricted to.
    pub filter: Filter,
    /// The `--top` the lists were cut to.
    pub top: usize,
    pub totals: Totals,
    /// Every technique with its overall counts, most frequent first. Per-outlet and per-month
    /// technique lists use this same order.
    pub techniques: Vec<TechniqueCount>,
    /// The `top` outlets with the most articles (articles without a source form one row with
    /// `source: null`).
    pub by_source: Vec<SourceRow>,
    /// Every month with dated articles, in order.
    pub by_month: Vec<MonthRow>,
    /// The most frequent loaded phrases (see
    /// [`PHRASE_TECHNIQUES`](super::query::PHRASE_TECHNIQUES)), normalised.
    pub phrases: Vec<Phrase>,
    /// The articles with the most findings (internal contradictions), most first.
    pub top_findings: Vec<ArticleFindings>,
    /// Caveats a reader needs: rows left out of a section, lists cut short.
    pub notes: Vec<String>,
}

impl Stats {
    /// Indices into `techniques` of the techniques with at least one span, in its order (most
    /// frequent first): the columns of the terminal and HTML technique tables.
    pub fn present_techniques(&self) -> Vec<usize> {
        self.techniques
            .iter()
            .enumerate()
            .filter(|(_, c)| c.spans > 0)
            .map(|(i, _)| i)
            .collect()
    }
}

/// The restriction the statistics were computed under.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    pub source: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

impl Filter {
    pub(crate) fn is_empty(&self) -> bool {
        self.source.is_none() && self.since.is_none() && self.until.is_none()
    }

    /// "source = X, 2025-01 to 2025-03", for headings.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.source {
            parts.push(format!("outlet {s:?}"));
        }
        match (&self.since, &self.until) {
            (Some(a), Some(b)) => parts.push(format!("{a} to {b}")),
            (Some(a), None) => parts.push(format!("since {a}")),
            (None, Some(b)) => parts.push(format!("until {b}")),
            (None, None) => {}
        }
        parts.join(", ")
    }
}

/// Corpus-wide numbers (after the filter).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    pub articles: u64,
    /// Distinct non-empty sources.
    pub sources: u64,
    /// Distinct months with dated articles.
    pub months: u64,
    pub first_month: Option<String>,
    pub last_month: Option<String>,
    /// Characters (code points) of all articles.
    pub chars: u64,
    /// Characters inside at least one span.
    pub propaganda_chars: u64,
    /// `propaganda_chars / chars` (0 when there is no text).
    pub propaganda_share: f64,
    pub spans: u64,
    pub spans_per_1000_articles: f64,
    pub sentences: u64,
    pub check_worthy: u64,
    pub quotes: u64,
    pub unattributed_quotes: u64,
    pub findings: u64,
    pub articles_with_findings: u64,
    pub articles_without_source: u64,
    pub articles_without_month: u64,
}

/// Spans of one technique within a group of articles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TechniqueCount {
    /// The PTC name (`Loaded_Language`).
    pub technique: String,
    pub spans: u64,
    /// Spans per 1000 articles of the group.
    pub per_1000_articles: f64,
    /// This technique's part of the group's spans (0 when the group has none).
    pub share_of_spans: f64,
}

/// One outlet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRow {
    /// `None`: articles that name no outlet.
    pub source: Option<String>,
    pub articles: u64,
    pub chars: u64,
    pub propaganda_chars: u64,
    pub propaganda_share: f64,
    pub spans: u64,
    pub spans_per_1000_articles: f64,
    pub findings: u64,
    /// In the order of [`Stats::techniques`].
    pub techniques: Vec<TechniqueCount>,
}

/// One month (`YYYY-MM`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthRow {
    pub month: String,
    pub articles: u64,
    pub chars: u64,
    pub propaganda_chars: u64,
    pub propaganda_share: f64,
    pub spans: u64,
    pub spans_per_1000_articles: f64,
    /// In the order of [`Stats::techniques`].
    pub techniques: Vec<TechniqueCount>,
}

/// A recurring loaded phrase: span texts lowercased, whitespace collapsed and surrounding
/// punctuation trimmed, so `"Radical  Islam,"` and `radical islam` count together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phrase {
    pub phrase: String,
    pub count: u64,
    /// Distinct outlets using it.
    pub outlets: u64,
    /// The technique it was most often labelled with.
    pub technique: String,
}

/// An article and its findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleFindings {
    pub id: String,
    pub source: Option<String>,
    pub date: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub n_findings: u64,
    pub explanations: Vec<String>,
}
