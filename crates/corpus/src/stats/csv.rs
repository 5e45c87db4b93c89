//! The CSV renderings: one file per section for `--csv-dir` ([`csv_files`]), or one tidy CSV
//! of every number for standard output ([`render_csv`]). Rows are `Serialize` structs written
//! by the `csv` crate, so each struct's fields are its file's columns, and quoting follows RFC
//! 4180 (a field is quoted when it holds a comma, a quote or a line break).

use super::model::{Stats, TechniqueCount};
use serde::{Serialize, Serializer};

/// Writes `rows` as one CSV document with a header row from the fields of `T`; a section
/// without rows still gets its header (taken from `T::default()`), so every file has columns.
pub(super) fn sheet<T: Serialize + Default>(rows: impl IntoIterator<Item = T>) -> String {
    let mut w = writer();
    let mut any = false;
    for row in rows {
        // Serialising plain structs of numbers and strings into memory cannot fail.
        w.serialize(row).expect("a CSV row serialises");
        any = true;
    }
    let text = finish(w);
    if any {
        return text;
    }
    let mut w = writer();
    w.serialize(T::default()).expect("a CSV row serialises");
    let text = finish(w);
    let end = text.find("\r\n").map_or(text.len(), |i| i + 2);
    text[..end].to_string()
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> String {
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
}

/// A number with up to six decimals and no trailing zeros: enough for analysis, without
/// float noise like 0.30000000000000004.
pub(super) fn num(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn ser_num<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&num(*x))
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

/// The overview as `(measure, value)` pairs, shared by both CSV layouts.
fn overview_pairs(stats: &Stats) -> Vec<(&'static str, String)> {
    let t = &stats.totals;
    vec![
        ("articles", t.articles.to_string()),
        ("outlets", t.sources.to_string()),
        ("months", t.months.to_string()),
        ("first_month", opt(&t.first_month)),
        ("last_month", opt(&t.last_month)),
        ("chars", t.chars.to_string()),
        ("propaganda_chars", t.propaganda_chars.to_string()),
        ("propaganda_share", num(t.propaganda_share)),
        ("spans", t.spans.to_string()),
        ("spans_per_1000_articles", num(t.spans_per_1000_articles)),
        ("sentences", t.sentences.to_string()),
        ("check_worthy", t.check_worthy.to_string()),
        ("quotes", t.quotes.to_string()),
        ("unattributed_quotes", t.unattributed_quotes.to_string()),
        ("findings", t.findings.to_string()),
        (
            "articles_with_findings",
            t.articles_with_findings.to_string(),
        ),
        (
            "articles_without_source",
            t.articles_without_source.to_string(),
        ),
        (
            "articles_without_month",
            t.articles_without_month.to_string(),
        ),
        ("filter_source", opt(&stats.filter.source)),
        ("filter_since", opt(&stats.filter.since)),
        ("filter_until", opt(&stats.filter.until)),
    ]
}

#[derive(Serialize, Default)]
struct Measure {
    measure: &'static str,
    value: String,
}

#[derive(Serialize, Default)]
struct TechniqueLine<'a> {
    technique: &'a str,
    spans: u64,
    #[serde(serialize_with = "ser_num")]
    share_of_spans: f64,
    #[serde(serialize_with = "ser_num")]
    per_1000_articles: f64,
}

#[derive(Serialize, Default)]
struct SourceLine<'a> {
    source: Option<&'a str>,
    articles: u64,
    chars: u64,
    propaganda_chars: u64,
    #[serde(serialize_with = "ser_num")]
    propaganda_share: f64,
    spans: u64,
    #[serde(serialize_with = "ser_num")]
    spans_per_1000_articles: f64,
    findings: u64,
}

#[derive(Serialize, Default)]
struct MonthLine<'a> {
    month: &'a str,
    articles: u64,
    chars: u64,
    propaganda_chars: u64,
    #[serde(serialize_with = "ser_num")]
    propaganda_share: f64,
    spans: u64,
    #[serde(serialize_with = "ser_num")]
    spans_per_1000_articles: f64,
}

/// A technique's counts within one outlet: the long rows of `techniques_by_source.csv`.
#[derive(Serialize, Default)]
struct SourceTechniqueLine<'a> {
    source: Option<&'a str>,
    technique: &'a str,
    spans: u64,
    #[serde(serialize_with = "ser_num")]
    per_1000_articles: f64,
    #[serde(serialize_with = "ser_num")]
    share_of_spans: f64,
}

/// A technique's counts within one month: the long rows of `techniques_by_month.csv`.
#[derive(Serialize, Default)]
struct MonthTechniqueLine<'a> {
    month: &'a str,
    technique: &'a str,
    spans: u64,
    #[serde(serialize_with = "ser_num")]
    per_1000_articles: f64,
    #[serde(serialize_with = "ser_num")]
    share_of_spans: f64,
}

#[derive(Serialize, Default)]
struct PhraseLine<'a> {
    rank: usize,
    phrase: &'a str,
    count: u64,
    outlets: u64,
    technique: &'a str,
}

#[derive(Serialize, Default)]
struct FindingsLine<'a> {
    rank: usize,
    id: &'a str,
    source: Option<&'a str>,
    date: Option<&'a str>,
    title: Option<&'a str>,
    url: Option<&'a str>,
    n_findings: u64,
    /// One per line, in the order the article reports them.
    explanations: String,
}

/// One CSV per section, as `(file name, contents)`: the layout for `--csv-dir`, where each
/// file opens as a plain sheet. Technique rows are long (one row per group and technique), so
/// they filter and pivot without knowing the technique names.
pub fn csv_files(stats: &Stats) -> Vec<(&'static str, String)> {
    let overview = overview_pairs(stats)
        .into_iter()
        .map(|(measure, value)| Measure { measure, value });
    let techniques = stats.techniques.iter().map(|c| TechniqueLine {
        technique: &c.technique,
        spans: c.spans,
        share_of_spans: c.share_of_spans,
        per_1000_articles: c.per_1000_articles,
    });
    let sources = stats.by_source.iter().map(|r| SourceLine {
        source: r.source.as_deref(),
        articles: r.articles,
        chars: r.chars,
        propaganda_chars: r.propaganda_chars,
        propaganda_share: r.propaganda_share,
        spans: r.spans,
        spans_per_1000_articles: r.spans_per_1000_articles,
        findings: r.findings,
    });
    let by_source = stats.by_source.iter().flat_map(|r| {
        r.techniques.iter().map(|c| SourceTechniqueLine {
            source: r.source.as_deref(),
            technique: &c.technique,
            spans: c.spans,
            per_1000_articles: c.per_1000_articles,
            share_of_spans: c.share_of_spans,
        })
    });
    let months = stats.by_month.iter().map(|r| MonthLine {
        month: &r.month,
        articles: r.articles,
        chars: r.chars,
        propaganda_chars: r.propaganda_chars,
        propaganda_share: r.propaganda_share,
        spans: r.spans,
        spans_per_1000_articles: r.spans_per_1000_articles,
    });
    let by_month = stats.by_month.iter().flat_map(|r| {
        r.techniques.iter().map(|c| MonthTechniqueLine {
            month: &r.month,
            technique: &c.technique,
            spans: c.spans,
            per_1000_articles: c.per_1000_articles,
            share_of_spans: c.share_of_spans,
        })
    });
    let phrases = stats.phrases.iter().enumerate().map(|(i, p)| PhraseLine {
        rank: i + 1,
        phrase: &p.phrase,
        count: p.count,
        outlets: p.outlets,
        technique: &p.technique,
    });
    let findings = stats
        .top_findings
        .iter()
        .enumerate()
        .map(|(i, a)| FindingsLine {
            rank: i + 1,
            id: &a.id,
            source: a.source.as_deref(),
            date: a.date.as_deref(),
            title: a.title.as_deref(),
            url: a.url.as_deref(),
            n_findings: a.n_findings,
            explanations: a.explanations.join("\n"),
        });
    vec![
        ("overview.csv", sheet(overview)),
        ("techniques.csv", sheet(techniques)),
        ("sources.csv", sheet(sources)),
        ("techniques_by_source.csv", sheet(by_source)),
        ("months.csv", sheet(months)),
        ("techniques_by_month.csv", sheet(by_month)),
        ("phrases.csv", sheet(phrases)),
        ("findings.csv", sheet(findings)),
    ]
}

/// One row of the tidy CSV: a number or text (`metric`, `value`) and the keys it belongs to.
#[derive(Serialize, Default, Clone)]
struct Tidy<'a> {
    /// The `--csv-dir` file the row belongs to.
    section: &'static str,
    source: &'a str,
    month: &'a str,
    technique: &'a str,
    /// The phrase or the article id.
    item: &'a str,
    metric: &'static str,
    value: String,
}

impl Tidy<'_> {
    /// The same keys with another metric.
    fn with(&self, metric: &'static str, value: String) -> Self {
        Tidy {
            metric,
            value,
            ..self.clone()
        }
    }
}

/// All sections in one tidy ("long") CSV for standard output, one number or text per row:
/// `section,source,month,technique,item,metric,value`. `section` names the `--csv-dir` file
/// the row belongs to; the key columns a section does not use are empty (in `sources` and
/// `techniques_by_source` an empty source means articles that name none); `item` is the
/// phrase or the article id. One pipe carries everything, and any tool filters by section
/// and pivots by metric; [`csv_files`] gives the spreadsheet-shaped files instead.
pub fn render_csv(stats: &Stats) -> String {
    let mut rows: Vec<Tidy> = Vec::new();
    let key = |section| Tidy {
        section,
        ..Tidy::default()
    };
    for (k, v) in overview_pairs(stats) {
        rows.push(key("overview").with(k, v));
    }
    for c in &stats.techniques {
        let r = Tidy {
            technique: &c.technique,
            ..key("techniques")
        };
        rows.push(r.with("spans", c.spans.to_string()));
        rows.push(r.with("share_of_spans", num(c.share_of_spans)));
        rows.push(r.with("per_1000_articles", num(c.per_1000_articles)));
    }
    for s in &stats.by_source {
        let source = s.source.as_deref().unwrap_or("");
        let r = Tidy {
            source,
            ..key("sources")
        };
        rows.push(r.with("articles", s.articles.to_string()));
        rows.push(r.with("chars", s.chars.to_string()));
        rows.push(r.with("propaganda_chars", s.propaganda_chars.to_string()));
        rows.push(r.with("propaganda_share", num(s.propaganda_share)));
        rows.push(r.with("spans", s.spans.to_string()));
        rows.push(r.with("spans_per_1000_articles", num(s.spans_per_1000_articles)));
        rows.push(r.with("findings", s.findings.to_string()));
        let r = Tidy {
            source,
            ..key("techniques_by_source")
        };
        group_metrics(&mut rows, &r, &s.techniques);
    }
    for m in &stats.by_month {
        let r = Tidy {
            month: &m.month,
            ..key("months")
        };
        rows.push(r.with("articles", m.articles.to_string()));
        rows.push(r.with("chars", m.chars.to_string()));
        rows.push(r.with("propaganda_chars", m.propaganda_chars.to_string()));
        rows.push(r.with("propaganda_share", num(m.propaganda_share)));
        rows.push(r.with("spans", m.spans.to_string()));
        rows.push(r.with("spans_per_1000_articles", num(m.spans_per_1000_articles)));
        let r = Tidy {
            month: &m.month,
            ..key("techniques_by_month")
        };
        group_metrics(&mut rows, &r, &m.techniques);
    }
    for (i, p) in stats.phrases.iter().enumerate() {
        let r = Tidy {
            technique: &p.technique,
            item: &p.phrase,
            ..key("phrases")
        };
        rows.push(r.with("rank", (i + 1).to_string()));
        rows.push(r.with("count", p.count.to_string()));
        rows.push(r.with("outlets", p.outlets.to_string()));
    }
    for (i, a) in stats.top_findings.iter().enumerate() {
        let r = Tidy {
            source: a.source.as_deref().unwrap_or(""),
            item: &a.id,
            ..key("findings")
        };
        rows.push(r.with("rank", (i + 1).to_string()));
        rows.push(r.with("n_findings", a.n_findings.to_string()));
        rows.push(r.with("date", opt(&a.date)));
        rows.push(r.with("title", opt(&a.title)));
        rows.push(r.with("url", opt(&a.url)));
        for e in &a.explanations {
            rows.push(r.with("explanation", e.clone()));
        }
    }
    sheet(rows)
}

/// A group's per-technique rows, keyed by `r` plus the technique.
fn group_metrics<'a>(rows: &mut Vec<Tidy<'a>>, r: &Tidy<'a>, techniques: &'a [TechniqueCount]) {
    for c in techniques {
        let r = Tidy {
            technique: &c.technique,
            ..r.clone()
        };
        rows.push(r.with("spans", c.spans.to_string()));
        rows.push(r.with("per_1000_articles", num(c.per_1000_articles)));
        rows.push(r.with("share_of_spans", num(c.share_of_spans)));
    }
}
