//! Statistics over the results database: which techniques each outlet uses and how often,
//! how they change month by month, how much of each outlet's text is propaganda, the loaded
//! phrases that recur, and the articles with the most internal contradictions.
//!
//! [`compute`] runs the queries into a [`Stats`] value (serializable, for JSON); the renderers
//! turn it into an aligned terminal table ([`render_table`]), CSV ([`render_csv`],
//! [`csv_files`]) or a self-contained HTML page with charts ([`render_html`]).
//!
//! Rates are *per 1000 articles* so that outlets and months of different sizes compare; the
//! propaganda share is characters inside at least one span over all characters, so long
//! articles weigh more, as they do for a reader.

mod html;

pub use html::render_html;

use crate::store::Store;
use anyhow::{bail, Context, Result};
use rusqlite::named_params;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use unspin::Technique;

/// What to compute: filters and list lengths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Longest list of outlets, phrases and articles to report.
    pub top: usize,
    /// Only articles of this outlet (exact `source`).
    pub source: Option<String>,
    /// Only articles of this month (`YYYY-MM`) or later; articles without a date are left out.
    pub since: Option<String>,
    /// Only articles of this month (`YYYY-MM`) or earlier; articles without a date are left out.
    pub until: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            top: DEFAULT_TOP,
            source: None,
            since: None,
            until: None,
        }
    }
}

/// Default for [`Options::top`].
pub const DEFAULT_TOP: usize = 20;

/// The techniques whose spans are "loaded phrases": the emotionally charged words and labels
/// that recur across articles, unlike whole-sentence techniques such as doubt or whataboutism.
pub const PHRASE_TECHNIQUES: [Technique; 2] =
    [Technique::LoadedLanguage, Technique::NameCallingLabeling];

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
    /// The most frequent loaded phrases (see [`PHRASE_TECHNIQUES`]), normalised.
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
    fn is_empty(&self) -> bool {
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

/// One row of the outlet or month table: label, articles, propaganda share, spans per 1000
/// articles, per-technique counts.
type GroupCells<'a> = (String, u64, f64, f64, &'a [TechniqueCount]);

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

/// Checks a `YYYY-MM` month bound (`--since`, `--until`).
pub fn parse_month(s: &str) -> Result<String> {
    let b = s.as_bytes();
    let ok = b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..].iter().all(u8::is_ascii_digit)
        && (1..=12).contains(&s[5..].parse::<u32>().unwrap_or(0));
    if ok {
        Ok(s.to_string())
    } else {
        bail!("{s:?} is not a month: expected YYYY-MM, like 2025-03")
    }
}

/// Normalises a span text into a phrase key: lowercase, whitespace collapsed, typographic
/// apostrophes made plain, punctuation and symbols trimmed from both ends. `None` when
/// nothing is left.
pub fn normalize_phrase(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '\u{2018}' | '\u{2019}' | '\u{02BC}' => out.push('\''),
                c => out.extend(c.to_lowercase()),
            }
        }
    }
    let trimmed = out.trim_matches(|c: char| !c.is_alphanumeric());
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn per_1000(part: u64, articles: u64) -> f64 {
    ratio(part, articles) * 1000.0
}

fn to_u64(n: i64) -> u64 {
    // Counts and sums of non-negative columns; a negative value cannot come from the store.
    u64::try_from(n).unwrap_or(0)
}

/// The filter as a WHERE clause over `articles a`, with named parameters.
const FILTER: &str = "(:source IS NULL OR a.source = :source) \
     AND (:since IS NULL OR a.month >= :since) AND (:until IS NULL OR a.month <= :until)";

/// Per-group sums read from `articles`.
#[derive(Default, Clone, Copy)]
struct Sums {
    articles: u64,
    chars: u64,
    propaganda_chars: u64,
    spans: u64,
    findings: u64,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.articles += o.articles;
        self.chars += o.chars;
        self.propaganda_chars += o.propaganda_chars;
        self.spans += o.spans;
        self.findings += o.findings;
    }
}

/// Computes all statistics over `store` under `opts`.
pub fn compute(store: &Store, opts: &Options) -> Result<Stats> {
    let filter = Filter {
        source: opts.source.clone(),
        since: opts.since.as_deref().map(parse_month).transpose()?,
        until: opts.until.as_deref().map(parse_month).transpose()?,
    };
    if let (Some(a), Some(b)) = (&filter.since, &filter.until) {
        if a > b {
            bail!("--since {a} is after --until {b}");
        }
    }
    let top = opts.top.max(1);
    let conn = store.connection();
    let db = store.path().display().to_string();
    let ctx = |what: &str| format!("{db}: cannot compute {what}");
    let params = named_params! {
        ":source": filter.source,
        ":since": filter.since,
        ":until": filter.until,
    };

    // Totals.
    let mut totals = conn
        .query_row(
            &format!(
                "SELECT count(*), count(DISTINCT source), count(DISTINCT month), min(month), \
                 max(month), total(length), total(propaganda_chars), total(n_spans), \
                 total(n_sentences), total(n_check_worthy), total(n_quotes), \
                 total(n_unattributed), total(n_findings), total(n_findings > 0), \
                 total(source IS NULL), total(month IS NULL) FROM articles a WHERE {FILTER}"
            ),
            params,
            |r| {
                let f = |i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, f64>(i)? as u64) };
                Ok(Totals {
                    articles: to_u64(r.get(0)?),
                    sources: to_u64(r.get(1)?),
                    months: to_u64(r.get(2)?),
                    first_month: r.get(3)?,
                    last_month: r.get(4)?,
                    chars: f(5)?,
                    propaganda_chars: f(6)?,
                    spans: f(7)?,
                    sentences: f(8)?,
                    check_worthy: f(9)?,
                    quotes: f(10)?,
                    unattributed_quotes: f(11)?,
                    findings: f(12)?,
                    articles_with_findings: f(13)?,
                    articles_without_source: f(14)?,
                    articles_without_month: f(15)?,
                    ..Totals::default()
                })
            },
        )
        .with_context(|| ctx("totals"))?;
    totals.propaganda_share = ratio(totals.propaganda_chars, totals.chars);
    totals.spans_per_1000_articles = per_1000(totals.spans, totals.articles);

    // Article sums per (source, month).
    let mut by_cell: BTreeMap<(Option<String>, Option<String>), Sums> = BTreeMap::new();
    {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT source, month, count(*), total(length), total(propaganda_chars), \
                 total(n_spans), total(n_findings) FROM articles a WHERE {FILTER} \
                 GROUP BY source, month"
            ))
            .with_context(|| ctx("article counts"))?;
        let rows = stmt
            .query_map(params, |r| {
                Ok((
                    (
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                    ),
                    Sums {
                        articles: to_u64(r.get(2)?),
                        chars: r.get::<_, f64>(3)? as u64,
                        propaganda_chars: r.get::<_, f64>(4)? as u64,
                        spans: r.get::<_, f64>(5)? as u64,
                        findings: r.get::<_, f64>(6)? as u64,
                    },
                ))
            })
            .with_context(|| ctx("article counts"))?;
        for row in rows {
            let (key, sums) = row.with_context(|| ctx("article counts"))?;
            by_cell.insert(key, sums);
        }
    }

    // Span counts per (source, month, technique).
    let mut span_cells: Vec<(Option<String>, Option<String>, String, u64)> = Vec::new();
    {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT a.source, a.month, s.technique, count(*) FROM spans s \
                 JOIN articles a USING (article_id) WHERE {FILTER} \
                 GROUP BY a.source, a.month, s.technique"
            ))
            .with_context(|| ctx("technique counts"))?;
        let rows = stmt
            .query_map(params, |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, to_u64(r.get(3)?)))
            })
            .with_context(|| ctx("technique counts"))?;
        for row in rows {
            span_cells.push(row.with_context(|| ctx("technique counts"))?);
        }
    }

    // Technique order: most frequent first; all 14 known techniques appear, then any unknown
    // name found in the database (from a newer model), so every list has the same columns.
    let mut overall: HashMap<String, u64> = Technique::ALL
        .iter()
        .map(|t| (t.name().to_string(), 0))
        .collect();
    for (_, _, t, n) in &span_cells {
        *overall.entry(t.clone()).or_default() += n;
    }
    let mut order: Vec<(String, u64)> = overall.into_iter().collect();
    order.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| technique_rank(&a.0).cmp(&technique_rank(&b.0)))
            .then_with(|| a.0.cmp(&b.0))
    });
    let technique_names: Vec<String> = order.iter().map(|(t, _)| t.clone()).collect();
    let column: HashMap<&str, usize> = technique_names
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let span_total: u64 = order.iter().map(|(_, n)| n).sum();
    let techniques = counts_row(
        &order.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        &technique_names,
        totals.articles,
        span_total,
    );

    // Fold cells into outlets and months.
    let n_tech = technique_names.len();
    let mut src: BTreeMap<Option<String>, (Sums, Vec<u64>)> = BTreeMap::new();
    let mut mon: BTreeMap<String, (Sums, Vec<u64>)> = BTreeMap::new();
    for ((s, m), sums) in &by_cell {
        src.entry(s.clone())
            .or_insert_with(|| (Sums::default(), vec![0; n_tech]))
            .0
            .add(sums);
        if let Some(m) = m {
            mon.entry(m.clone())
                .or_insert_with(|| (Sums::default(), vec![0; n_tech]))
                .0
                .add(sums);
        }
    }
    for (s, m, t, n) in &span_cells {
        let i = column[t.as_str()];
        if let Some(e) = src.get_mut(s) {
            e.1[i] += n;
        }
        if let Some(e) = m.as_ref().and_then(|m| mon.get_mut(m)) {
            e.1[i] += n;
        }
    }
    let mut by_source: Vec<SourceRow> = src
        .into_iter()
        .map(|(source, (s, counts))| SourceRow {
            source,
            articles: s.articles,
            chars: s.chars,
            propaganda_chars: s.propaganda_chars,
            propaganda_share: ratio(s.propaganda_chars, s.chars),
            spans: s.spans,
            spans_per_1000_articles: per_1000(s.spans, s.articles),
            findings: s.findings,
            techniques: counts_row(&counts, &technique_names, s.articles, counts.iter().sum()),
        })
        .collect();
    by_source.sort_by(|a, b| {
        b.articles
            .cmp(&a.articles)
            .then_with(|| a.source.is_none().cmp(&b.source.is_none()))
            .then_with(|| a.source.cmp(&b.source))
    });
    let mut notes = Vec::new();
    if by_source.len() > top {
        notes.push(format!(
            "Only the {top} largest of {} outlets are shown (--top {top}); the overall numbers \
             include all of them.",
            by_source.len()
        ));
        by_source.truncate(top);
    }
    let by_month: Vec<MonthRow> = mon
        .into_iter()
        .map(|(month, (s, counts))| MonthRow {
            month,
            articles: s.articles,
            chars: s.chars,
            propaganda_chars: s.propaganda_chars,
            propaganda_share: ratio(s.propaganda_chars, s.chars),
            spans: s.spans,
            spans_per_1000_articles: per_1000(s.spans, s.articles),
            techniques: counts_row(&counts, &technique_names, s.articles, counts.iter().sum()),
        })
        .collect();

    let phrases = phrases(store, &filter, top, &ctx)?;
    let top_findings = top_findings(store, &filter, top, &ctx)?;

    if totals.articles == 0 {
        notes.clear();
        notes.push(if filter.is_empty() {
            "The database holds no articles yet.".to_string()
        } else {
            format!("No article matches the filter ({}).", filter.describe())
        });
    } else {
        if totals.articles_without_source == totals.articles {
            notes.push(
                "No article names its outlet (the \"source\" field of the batch input), so \
                 there is nothing to compare between outlets."
                    .into(),
            );
        } else if totals.articles_without_source > 0 {
            let n = totals.articles_without_source;
            notes.push(format!(
                "{} {} no outlet; {} counted together as \"(no source)\".",
                articles(n),
                if n == 1 { "names" } else { "name" },
                if n == 1 { "it is" } else { "they are" },
            ));
        }
        if totals.articles_without_month == totals.articles {
            notes.push(
                "No article has a date that parses (like 2025-03-01), so there is no \
                 month-by-month view."
                    .into(),
            );
        } else if totals.articles_without_month > 0 {
            let n = totals.articles_without_month;
            notes.push(format!(
                "{} {} no date that parses; {} left out of the months.",
                articles(n),
                if n == 1 { "has" } else { "have" },
                if n == 1 { "it is" } else { "they are" },
            ));
        }
    }

    Ok(Stats {
        filter,
        top,
        totals,
        techniques,
        by_source,
        by_month,
        phrases,
        top_findings,
        notes,
    })
}

/// Position of a known technique in class order, after all of them for unknown names.
fn technique_rank(name: &str) -> usize {
    name.parse::<Technique>()
        .map(Technique::index)
        .unwrap_or(Technique::COUNT)
}

fn counts_row(counts: &[u64], names: &[String], articles: u64, spans: u64) -> Vec<TechniqueCount> {
    names
        .iter()
        .zip(counts)
        .map(|(t, &n)| TechniqueCount {
            technique: t.clone(),
            spans: n,
            per_1000_articles: per_1000(n, articles),
            share_of_spans: ratio(n, spans),
        })
        .collect()
}

fn phrases(
    store: &Store,
    filter: &Filter,
    top: usize,
    ctx: &dyn Fn(&str) -> String,
) -> Result<Vec<Phrase>> {
    struct Acc {
        count: u64,
        outlets: HashSet<String>,
        by_technique: BTreeMap<String, u64>,
    }
    let techniques: Vec<&str> = PHRASE_TECHNIQUES.iter().map(|t| t.name()).collect();
    let mut stmt = store
        .connection()
        .prepare(&format!(
            "SELECT s.text, s.technique, a.source FROM spans s JOIN articles a \
             USING (article_id) WHERE s.technique IN (:t1, :t2) AND {FILTER}"
        ))
        .with_context(|| ctx("loaded phrases"))?;
    let mut rows = stmt
        .query(named_params! {
            ":t1": techniques[0],
            ":t2": techniques[1],
            ":source": filter.source,
            ":since": filter.since,
            ":until": filter.until,
        })
        .with_context(|| ctx("loaded phrases"))?;
    let mut acc: HashMap<String, Acc> = HashMap::new();
    while let Some(row) = rows.next().with_context(|| ctx("loaded phrases"))? {
        let text: String = row.get(0).with_context(|| ctx("loaded phrases"))?;
        let Some(phrase) = normalize_phrase(&text) else {
            continue;
        };
        let technique: String = row.get(1).with_context(|| ctx("loaded phrases"))?;
        let source: Option<String> = row.get(2).with_context(|| ctx("loaded phrases"))?;
        let e = acc.entry(phrase).or_insert_with(|| Acc {
            count: 0,
            outlets: HashSet::new(),
            by_technique: BTreeMap::new(),
        });
        e.count += 1;
        if let Some(s) = source {
            if !e.outlets.contains(&s) {
                e.outlets.insert(s);
            }
        }
        *e.by_technique.entry(technique).or_default() += 1;
    }
    let mut out: Vec<Phrase> = acc
        .into_iter()
        .map(|(phrase, a)| Phrase {
            phrase,
            count: a.count,
            outlets: a.outlets.len() as u64,
            technique: a
                .by_technique
                .iter()
                .max_by(|x, y| x.1.cmp(y.1).then_with(|| y.0.cmp(x.0)))
                .map(|(t, _)| t.clone())
                .unwrap_or_default(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| b.outlets.cmp(&a.outlets))
            .then_with(|| a.phrase.cmp(&b.phrase))
    });
    out.truncate(top);
    Ok(out)
}

fn top_findings(
    store: &Store,
    filter: &Filter,
    top: usize,
    ctx: &dyn Fn(&str) -> String,
) -> Result<Vec<ArticleFindings>> {
    let conn = store.connection();
    let mut stmt = conn
        .prepare(&format!(
            "SELECT article_id, id, source, date, title, url, n_findings FROM articles a \
             WHERE n_findings > 0 AND {FILTER} ORDER BY n_findings DESC, id LIMIT :top"
        ))
        .with_context(|| ctx("articles with findings"))?;
    let rows = stmt
        .query_map(
            named_params! {
                ":source": filter.source,
                ":since": filter.since,
                ":until": filter.until,
                ":top": i64::try_from(top).unwrap_or(i64::MAX),
            },
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    ArticleFindings {
                        id: r.get(1)?,
                        source: r.get(2)?,
                        date: r.get(3)?,
                        title: r.get(4)?,
                        url: r.get(5)?,
                        n_findings: to_u64(r.get(6)?),
                        explanations: Vec::new(),
                    },
                ))
            },
        )
        .with_context(|| ctx("articles with findings"))?;
    let mut out = Vec::new();
    let mut explain = conn
        .prepare("SELECT explanation FROM findings WHERE article_id = ?1 ORDER BY n")
        .with_context(|| ctx("findings"))?;
    for row in rows {
        let (key, mut article) = row.with_context(|| ctx("articles with findings"))?;
        article.explanations = explain
            .query_map([key], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
            .with_context(|| ctx("findings"))?;
        out.push(article);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers shared by the renderers.

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with its noun in the right number: `1 article`, `1,234 articles`.
pub(crate) fn articles(n: u64) -> String {
    counted(n, "article", "articles")
}

/// `n` with `one` or `many` after it: `1 span`, `2,000 spans`.
pub(crate) fn counted(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", thousands(n))
    }
}

/// A share as a percentage with one decimal (`0.0623` → `6.2%`).
pub(crate) fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// How an outlet row is labelled when articles name none.
pub(crate) const NO_SOURCE: &str = "(no source)";

pub(crate) fn source_label(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or(NO_SOURCE)
}

/// A short column heading for a technique (terminal tables are narrow).
fn technique_code(name: &str) -> &str {
    match name.parse::<Technique>() {
        Ok(t) => match t {
            Technique::AppealToAuthority => "Auth",
            Technique::AppealToFearPrejudice => "Fear",
            Technique::BandwagonReductioAdHitlerum => "Bandw",
            Technique::BlackAndWhiteFallacy => "B&W",
            Technique::CausalOversimplification => "Causal",
            Technique::Doubt => "Doubt",
            Technique::ExaggerationMinimisation => "Exagg",
            Technique::FlagWaving => "Flag",
            Technique::LoadedLanguage => "Loaded",
            Technique::NameCallingLabeling => "Name",
            Technique::Repetition => "Repet",
            Technique::Slogans => "Slogan",
            Technique::ThoughtTerminatingCliches => "Cliche",
            Technique::WhataboutismStrawMenRedHerring => "Whatab",
        },
        Err(_) => name,
    }
}

/// Cuts `s` to at most `max` characters, marking the cut with an ellipsis.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Terminal table.

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

/// Renders rows as columns padded to the widest cell, two spaces apart, with a rule under the
/// heading.
fn table(out: &mut String, head: &[(&str, Align)], rows: &[Vec<String>]) {
    let mut width: Vec<usize> = head.iter().map(|(h, _)| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::from("  ");
        for (i, cell) in cells.enumerate() {
            let pad = width[i].saturating_sub(cell.chars().count());
            if i > 0 {
                s.push_str("  ");
            }
            match head[i].1 {
                Align::Left => {
                    s.push_str(cell);
                    s.extend(std::iter::repeat_n(' ', pad));
                }
                Align::Right => {
                    s.extend(std::iter::repeat_n(' ', pad));
                    s.push_str(cell);
                }
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(out, &mut head.iter().map(|(h, _)| *h));
    let rule: Vec<String> = width.iter().map(|w| "─".repeat(*w)).collect();
    line(out, &mut rule.iter().map(String::as_str));
    for row in rows {
        line(out, &mut row.iter().map(String::as_str));
    }
}

fn section(out: &mut String, title: &str) {
    out.push('\n');
    out.push_str(title);
    out.push('\n');
}

/// The plain-text report: several aligned tables, for a terminal or a log.
pub fn render_table(stats: &Stats) -> String {
    let mut out = String::new();
    let t = &stats.totals;
    let _ = write!(out, "unspin stats");
    if !stats.filter.is_empty() {
        let _ = write!(out, " ({})", stats.filter.describe());
    }
    out.push('\n');
    if t.articles == 0 {
        for n in &stats.notes {
            let _ = writeln!(out, "\n{n}");
        }
        return out;
    }

    section(&mut out, "OVERVIEW");
    let months = match (&t.first_month, &t.last_month) {
        (Some(a), Some(b)) if a != b => format!("{} ({a} to {b})", t.months),
        (Some(a), _) => format!("1 ({a})"),
        _ => "none (no parseable dates)".into(),
    };
    let rows = vec![
        vec!["Articles".into(), thousands(t.articles)],
        vec!["Outlets".into(), thousands(t.sources)],
        vec!["Months".into(), months],
        vec![
            "Propaganda spans".into(),
            format!(
                "{} ({:.1} per article)",
                thousands(t.spans),
                t.spans_per_1000_articles / 1000.0
            ),
        ],
        vec![
            "Propaganda share".into(),
            format!(
                "{} of {} characters",
                percent(t.propaganda_share),
                thousands(t.chars)
            ),
        ],
        vec![
            "Check-worthy sentences".into(),
            format!(
                "{} of {}",
                thousands(t.check_worthy),
                thousands(t.sentences)
            ),
        ],
        vec![
            "Quotes".into(),
            format!(
                "{} ({} unattributed)",
                thousands(t.quotes),
                thousands(t.unattributed_quotes)
            ),
        ],
        vec![
            "Findings".into(),
            format!(
                "{} in {}",
                thousands(t.findings),
                articles(t.articles_with_findings)
            ),
        ],
    ];
    table(
        &mut out,
        &[("Measure", Align::Left), ("Value", Align::Left)],
        &rows,
    );

    section(&mut out, "TECHNIQUES");
    let rows: Vec<Vec<String>> = stats
        .techniques
        .iter()
        .map(|c| {
            vec![
                c.technique.clone(),
                thousands(c.spans),
                percent(c.share_of_spans),
                format!("{:.0}", c.per_1000_articles),
            ]
        })
        .collect();
    table(
        &mut out,
        &[
            ("Technique", Align::Left),
            ("Spans", Align::Right),
            ("Share", Align::Right),
            ("Per 1000 articles", Align::Right),
        ],
        &rows,
    );

    // Technique columns: only techniques that occur, most frequent first.
    let cols = stats.present_techniques();
    let legend = {
        let items: Vec<String> = cols
            .iter()
            .map(|&i| {
                let n = &stats.techniques[i].technique;
                format!("{} = {n}", technique_code(n))
            })
            .collect();
        let mut s = String::from("  Spans per 1000 articles.");
        let mut width = s.chars().count();
        for item in items {
            let w = item.chars().count() + 3;
            if width + w > 100 {
                s.push_str("\n ");
                width = 1;
            }
            s.push_str("   ");
            s.push_str(&item);
            width += w;
        }
        s.push('\n');
        s
    };
    let codes: Vec<&str> = cols
        .iter()
        .map(|&i| technique_code(&stats.techniques[i].technique))
        .collect();

    // Outlets and months are the same table over a different grouping.
    let group_table = |out: &mut String, title: &str, first: &str, rows: Vec<GroupCells>| {
        section(out, title);
        let mut head: Vec<(&str, Align)> = vec![
            (first, Align::Left),
            ("Articles", Align::Right),
            ("Share", Align::Right),
            ("Spans/art", Align::Right),
        ];
        head.extend(codes.iter().map(|c| (*c, Align::Right)));
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|(label, articles, share, spans_per_1000, techniques)| {
                let mut row = vec![
                    label,
                    thousands(articles),
                    percent(share),
                    format!("{:.1}", spans_per_1000 / 1000.0),
                ];
                row.extend(
                    cols.iter()
                        .map(|&i| format!("{:.0}", techniques[i].per_1000_articles)),
                );
                row
            })
            .collect();
        table(out, &head, &rows);
        out.push_str(&legend);
    };
    if !stats.by_source.is_empty() && t.articles_without_source < t.articles {
        let rows = stats
            .by_source
            .iter()
            .map(|s| {
                let label = truncate(source_label(&s.source), 28);
                (
                    label,
                    s.articles,
                    s.propaganda_share,
                    s.spans_per_1000_articles,
                    &s.techniques[..],
                )
            })
            .collect();
        group_table(&mut out, "OUTLETS", "Outlet", rows);
    }
    if !stats.by_month.is_empty() {
        let rows = stats
            .by_month
            .iter()
            .map(|m| {
                let label = m.month.clone();
                (
                    label,
                    m.articles,
                    m.propaganda_share,
                    m.spans_per_1000_articles,
                    &m.techniques[..],
                )
            })
            .collect();
        group_table(&mut out, "MONTHS", "Month", rows);
    }

    if !stats.phrases.is_empty() {
        section(
            &mut out,
            "LOADED PHRASES (Loaded_Language, Name_Calling,Labeling)",
        );
        let rows: Vec<Vec<String>> = stats
            .phrases
            .iter()
            .enumerate()
            .map(|(i, p)| {
                vec![
                    (i + 1).to_string(),
                    truncate(&p.phrase, 50),
                    thousands(p.count),
                    thousands(p.outlets),
                    technique_code(&p.technique).to_string(),
                ]
            })
            .collect();
        table(
            &mut out,
            &[
                ("#", Align::Right),
                ("Phrase", Align::Left),
                ("Count", Align::Right),
                ("Outlets", Align::Right),
                ("Mostly", Align::Left),
            ],
            &rows,
        );
    }

    if !stats.top_findings.is_empty() {
        section(&mut out, "ARTICLES WITH THE MOST FINDINGS");
        let mut rows = Vec::new();
        for a in &stats.top_findings {
            // The article's columns on its first explanation only; the rest continue below it.
            let mut lead = vec![
                truncate(&a.id, 24),
                truncate(source_label(&a.source), 24),
                a.date.clone().unwrap_or_default(),
                a.n_findings.to_string(),
            ];
            for e in &a.explanations {
                let mut row = std::mem::replace(&mut lead, vec![String::new(); 4]);
                row.push(truncate(e, 90));
                rows.push(row);
            }
        }
        table(
            &mut out,
            &[
                ("Article", Align::Left),
                ("Outlet", Align::Left),
                ("Date", Align::Left),
                ("Findings", Align::Right),
                ("Explanation", Align::Left),
            ],
            &rows,
        );
    }

    if !stats.notes.is_empty() {
        section(&mut out, "NOTES");
        for n in &stats.notes {
            out.push_str(&wrap(n, 100, "  - ", "    "));
        }
    }
    out
}

/// Wraps `text` at `width` columns; every line starts with `first` or, after the first,
/// `indent`.
fn wrap(text: &str, width: usize, first: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    if !empty {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// CSV.

/// One CSV field, quoted when it must be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_line(out: &mut String, cells: &[String]) {
    let fields: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

fn num(x: f64) -> String {
    // Enough digits for analysis, without float noise like 0.30000000000000004.
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
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

/// One CSV per section, as `(file name, contents)`: the layout for `--csv-dir`, where each
/// file opens as a plain sheet. Technique rows are long (one row per group and technique), so
/// they filter and pivot without knowing the technique names.
pub fn csv_files(stats: &Stats) -> Vec<(&'static str, String)> {
    let mut files = Vec::new();

    let mut s = String::new();
    csv_line(&mut s, &["measure".into(), "value".into()]);
    for (k, v) in overview_pairs(stats) {
        csv_line(&mut s, &[k.into(), v]);
    }
    files.push(("overview.csv", s));

    let mut s = String::new();
    csv_line(
        &mut s,
        &[
            "technique".into(),
            "spans".into(),
            "share_of_spans".into(),
            "per_1000_articles".into(),
        ],
    );
    for c in &stats.techniques {
        csv_line(
            &mut s,
            &[
                c.technique.clone(),
                c.spans.to_string(),
                num(c.share_of_spans),
                num(c.per_1000_articles),
            ],
        );
    }
    files.push(("techniques.csv", s));

    let mut s = String::new();
    let mut long = String::new();
    csv_line(
        &mut s,
        &[
            "source".into(),
            "articles".into(),
            "chars".into(),
            "propaganda_chars".into(),
            "propaganda_share".into(),
            "spans".into(),
            "spans_per_1000_articles".into(),
            "findings".into(),
        ],
    );
    csv_line(
        &mut long,
        &[
            "source".into(),
            "technique".into(),
            "spans".into(),
            "per_1000_articles".into(),
            "share_of_spans".into(),
        ],
    );
    for r in &stats.by_source {
        csv_line(
            &mut s,
            &[
                opt(&r.source),
                r.articles.to_string(),
                r.chars.to_string(),
                r.propaganda_chars.to_string(),
                num(r.propaganda_share),
                r.spans.to_string(),
                num(r.spans_per_1000_articles),
                r.findings.to_string(),
            ],
        );
        for c in &r.techniques {
            csv_line(
                &mut long,
                &[
                    opt(&r.source),
                    c.technique.clone(),
                    c.spans.to_string(),
                    num(c.per_1000_articles),
                    num(c.share_of_spans),
                ],
            );
        }
    }
    files.push(("sources.csv", s));
    files.push(("techniques_by_source.csv", long));

    let mut s = String::new();
    let mut long = String::new();
    csv_line(
        &mut s,
        &[
            "month".into(),
            "articles".into(),
            "chars".into(),
            "propaganda_chars".into(),
            "propaganda_share".into(),
            "spans".into(),
            "spans_per_1000_articles".into(),
        ],
    );
    csv_line(
        &mut long,
        &[
            "month".into(),
            "technique".into(),
            "spans".into(),
            "per_1000_articles".into(),
            "share_of_spans".into(),
        ],
    );
    for r in &stats.by_month {
        csv_line(
            &mut s,
            &[
                r.month.clone(),
                r.articles.to_string(),
                r.chars.to_string(),
                r.propaganda_chars.to_string(),
                num(r.propaganda_share),
                r.spans.to_string(),
                num(r.spans_per_1000_articles),
            ],
        );
        for c in &r.techniques {
            csv_line(
                &mut long,
                &[
                    r.month.clone(),
                    c.technique.clone(),
                    c.spans.to_string(),
                    num(c.per_1000_articles),
                    num(c.share_of_spans),
                ],
            );
        }
    }
    files.push(("months.csv", s));
    files.push(("techniques_by_month.csv", long));

    let mut s = String::new();
    csv_line(
        &mut s,
        &[
            "rank".into(),
            "phrase".into(),
            "count".into(),
            "outlets".into(),
            "technique".into(),
        ],
    );
    for (i, p) in stats.phrases.iter().enumerate() {
        csv_line(
            &mut s,
            &[
                (i + 1).to_string(),
                p.phrase.clone(),
                p.count.to_string(),
                p.outlets.to_string(),
                p.technique.clone(),
            ],
        );
    }
    files.push(("phrases.csv", s));

    let mut s = String::new();
    csv_line(
        &mut s,
        &[
            "rank".into(),
            "id".into(),
            "source".into(),
            "date".into(),
            "title".into(),
            "url".into(),
            "n_findings".into(),
            "explanations".into(),
        ],
    );
    for (i, a) in stats.top_findings.iter().enumerate() {
        csv_line(
            &mut s,
            &[
                (i + 1).to_string(),
                a.id.clone(),
                opt(&a.source),
                opt(&a.date),
                opt(&a.title),
                opt(&a.url),
                a.n_findings.to_string(),
                a.explanations.join("\n"),
            ],
        );
    }
    files.push(("findings.csv", s));
    files
}

/// All sections in one tidy ("long") CSV for standard output, one number or text per row:
/// `section,source,month,technique,item,metric,value`. `section` names the `--csv-dir` file
/// the row belongs to; the key columns a section does not use are empty (in `sources` and
/// `techniques_by_source` an empty source means articles that name none); `item` is the
/// phrase or the article id. One pipe carries everything, and any tool filters by section
/// and pivots by metric; [`csv_files`] gives the spreadsheet-shaped files instead.
pub fn render_csv(stats: &Stats) -> String {
    struct Row<'a> {
        section: &'a str,
        source: String,
        month: String,
        technique: String,
        item: String,
    }
    let mut out = String::new();
    let header = [
        "section",
        "source",
        "month",
        "technique",
        "item",
        "metric",
        "value",
    ];
    csv_line(&mut out, &header.map(String::from));
    let mut emit = |r: &Row<'_>, metric: &str, value: String| {
        csv_line(
            &mut out,
            &[
                r.section.to_string(),
                r.source.clone(),
                r.month.clone(),
                r.technique.clone(),
                r.item.clone(),
                metric.to_string(),
                value,
            ],
        );
    };
    let key = |section| Row {
        section,
        source: String::new(),
        month: String::new(),
        technique: String::new(),
        item: String::new(),
    };
    for (k, v) in overview_pairs(stats) {
        emit(&key("overview"), k, v);
    }
    for c in &stats.techniques {
        let r = Row {
            technique: c.technique.clone(),
            ..key("techniques")
        };
        emit(&r, "spans", c.spans.to_string());
        emit(&r, "share_of_spans", num(c.share_of_spans));
        emit(&r, "per_1000_articles", num(c.per_1000_articles));
    }
    for s in &stats.by_source {
        let r = Row {
            source: opt(&s.source),
            ..key("sources")
        };
        emit(&r, "articles", s.articles.to_string());
        emit(&r, "chars", s.chars.to_string());
        emit(&r, "propaganda_chars", s.propaganda_chars.to_string());
        emit(&r, "propaganda_share", num(s.propaganda_share));
        emit(&r, "spans", s.spans.to_string());
        emit(
            &r,
            "spans_per_1000_articles",
            num(s.spans_per_1000_articles),
        );
        emit(&r, "findings", s.findings.to_string());
        for c in &s.techniques {
            let r = Row {
                source: opt(&s.source),
                technique: c.technique.clone(),
                ..key("techniques_by_source")
            };
            emit(&r, "spans", c.spans.to_string());
            emit(&r, "per_1000_articles", num(c.per_1000_articles));
            emit(&r, "share_of_spans", num(c.share_of_spans));
        }
    }
    for m in &stats.by_month {
        let r = Row {
            month: m.month.clone(),
            ..key("months")
        };
        emit(&r, "articles", m.articles.to_string());
        emit(&r, "chars", m.chars.to_string());
        emit(&r, "propaganda_chars", m.propaganda_chars.to_string());
        emit(&r, "propaganda_share", num(m.propaganda_share));
        emit(&r, "spans", m.spans.to_string());
        emit(
            &r,
            "spans_per_1000_articles",
            num(m.spans_per_1000_articles),
        );
        for c in &m.techniques {
            let r = Row {
                month: m.month.clone(),
                technique: c.technique.clone(),
                ..key("techniques_by_month")
            };
            emit(&r, "spans", c.spans.to_string());
            emit(&r, "per_1000_articles", num(c.per_1000_articles));
            emit(&r, "share_of_spans", num(c.share_of_spans));
        }
    }
    for (i, p) in stats.phrases.iter().enumerate() {
        let r = Row {
            technique: p.technique.clone(),
            item: p.phrase.clone(),
            ..key("phrases")
        };
        emit(&r, "rank", (i + 1).to_string());
        emit(&r, "count", p.count.to_string());
        emit(&r, "outlets", p.outlets.to_string());
    }
    for (i, a) in stats.top_findings.iter().enumerate() {
        let r = Row {
            source: opt(&a.source),
            item: a.id.clone(),
            ..key("findings")
        };
        emit(&r, "rank", (i + 1).to_string());
        emit(&r, "n_findings", a.n_findings.to_string());
        emit(&r, "date", opt(&a.date));
        emit(&r, "title", opt(&a.title));
        emit(&r, "url", opt(&a.url));
        for e in &a.explanations {
            emit(&r, "explanation", e.clone());
        }
    }
    out
}

/// Pretty-printed JSON of the whole [`Stats`].
pub fn render_json(stats: &Stats) -> Result<String> {
    let mut s = serde_json::to_string_pretty(stats).context("cannot serialise the statistics")?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unspin::aids::{Finding, FindingKind, Place};
    use unspin::{Report, ReportSpan};

    fn span(start: usize, end: usize, t: Technique, text: &str) -> ReportSpan {
        ReportSpan {
            start,
            end,
            technique: t,
            confidence: 0.9,
            text: text.into(),
        }
    }

    fn report(
        id: &str,
        source: Option<&str>,
        date: Option<&str>,
        length: usize,
        spans: Vec<ReportSpan>,
        findings: &[&str],
    ) -> Report {
        Report {
            id: id.into(),
            source: source.map(Into::into),
            url: Some(format!("https://example.org/{id}")),
            date: date.map(Into::into),
            length,
            detector: "test".into(),
            version: None,
            created: None,
            notes: Vec::new(),
            title: Some(format!("Title of {id}")),
            text: None,
            spans,
            claims: Vec::new(),
            quotes: Vec::new(),
            findings: findings
                .iter()
                .map(|e| Finding {
                    kind: FindingKind::ConflictingValues,
                    places: vec![Place {
                        start: 0,
                        end: 1,
                        text: "x".into(),
                    }],
                    explanation: e.to_string(),
                })
                .collect(),
        }
    }

    /// Three outlets' worth of articles with hand-countable numbers:
    /// - A (2 articles, 2025-01 and 2025-02): 100 + 300 chars; spans cover 10 + 30 (union).
    /// - B (1 article, 2025-02): 200 chars, 50 covered.
    /// - no source (1 article, no date): 100 chars, no spans.
    fn corpus() -> (tempfile::TempDir, Store) {
        use Technique::*;
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        store
            .insert_shard(
                0,
                &[
                    report(
                        "a1",
                        Some("A"),
                        Some("2025-01-05"),
                        100,
                        vec![
                            span(0, 10, LoadedLanguage, "Evil  Regime,"),
                            span(5, 10, NameCallingLabeling, "regime"),
                        ],
                        &["one", "two"],
                    ),
                    report(
                        "a2",
                        Some("A"),
                        Some("2025-02-01T09:00:00Z"),
                        300,
                        vec![
                            span(0, 20, LoadedLanguage, "“evil regime”"),
                            span(100, 110, Doubt, "really"),
                        ],
                        &[],
                    ),
                ],
            )
            .unwrap();
        store
            .insert_shard(
                1,
                &[
                    report(
                        "b1",
                        Some("B"),
                        Some("2025-02-20"),
                        200,
                        vec![
                            span(0, 50, NameCallingLabeling, "Evil regime"),
                            span(60, 60, LoadedLanguage, "..."),
                        ],
                        &["three"],
                    ),
                    report("n1", None, Some("last Tuesday"), 100, vec![], &[]),
                ],
            )
            .unwrap();
        (dir, store)
    }

    fn find<'a>(stats: &'a Stats, source: Option<&str>) -> &'a SourceRow {
        stats
            .by_source
            .iter()
            .find(|r| r.source.as_deref() == source)
            .unwrap()
    }

    fn technique(row: &[TechniqueCount], t: Technique) -> &TechniqueCount {
        row.iter().find(|c| c.technique == t.name()).unwrap()
    }

    #[test]
    fn counts_and_rates_by_outlet_and_month_are_exact() {
        let (_dir, store) = corpus();
        let s = compute(&store, &Options::default()).unwrap();
        let t = &s.totals;
        assert_eq!(t.articles, 4);
        assert_eq!(t.sources, 2);
        assert_eq!(t.months, 2);
        assert_eq!(t.spans, 6);
        assert_eq!(t.chars, 700);
        assert_eq!(t.propaganda_chars, 10 + 30 + 50);
        assert!((t.propaganda_share - 90.0 / 700.0).abs() < 1e-12);
        assert_eq!(t.findings, 3);
        assert_eq!(t.articles_with_findings, 2);
        assert_eq!(t.articles_without_source, 1);
        assert_eq!(t.articles_without_month, 1);

        // The most frequent technique comes first, and every technique is listed.
        assert_eq!(s.techniques.len(), Technique::COUNT);
        assert_eq!(s.techniques[0].technique, "Loaded_Language");
        assert_eq!(s.techniques[0].spans, 3);
        assert_eq!(s.techniques[0].per_1000_articles, 750.0);
        assert_eq!(s.techniques[0].share_of_spans, 0.5);

        assert_eq!(s.by_source.len(), 3);
        assert_eq!(s.by_source[0].source.as_deref(), Some("A"), "largest first");
        let a = find(&s, Some("A"));
        assert_eq!((a.articles, a.chars, a.propaganda_chars), (2, 400, 40));
        assert_eq!(a.propaganda_share, 0.1);
        assert_eq!(a.spans, 4);
        assert_eq!(a.spans_per_1000_articles, 2000.0);
        assert_eq!(a.findings, 2);
        let loaded = technique(&a.techniques, Technique::LoadedLanguage);
        assert_eq!((loaded.spans, loaded.per_1000_articles), (2, 1000.0));
        assert_eq!(loaded.share_of_spans, 0.5);
        let b = find(&s, Some("B"));
        assert_eq!(b.propaganda_share, 0.25);
        assert_eq!(
            technique(&b.techniques, Technique::NameCallingLabeling).per_1000_articles,
            1000.0
        );
        let none = find(&s, None);
        assert_eq!(
            (none.articles, none.spans, none.propaganda_share),
            (1, 0, 0.0)
        );

        let months: Vec<(&str, u64, u64)> = s
            .by_month
            .iter()
            .map(|m| (m.month.as_str(), m.articles, m.spans))
            .collect();
        assert_eq!(months, vec![("2025-01", 1, 2), ("2025-02", 2, 4)]);
        let feb = &s.by_month[1];
        assert_eq!(
            technique(&feb.techniques, Technique::LoadedLanguage).per_1000_articles,
            1000.0
        );
        assert_eq!(feb.propaganda_share, 80.0 / 500.0);
        assert!(s
            .notes
            .iter()
            .any(|n| n.starts_with("1 article names no outlet; it is counted")));
        assert!(s
            .notes
            .iter()
            .any(|n| n.starts_with("1 article has no date that parses; it is left out")));
    }

    #[test]
    fn counts_of_articles_agree_in_number() {
        assert_eq!(articles(1), "1 article");
        assert_eq!(articles(0), "0 articles");
        assert_eq!(articles(1234), "1,234 articles");
    }

    #[test]
    fn phrases_are_normalised_and_counted_across_outlets() {
        let (_dir, store) = corpus();
        let s = compute(&store, &Options::default()).unwrap();
        // "Evil  Regime,", "“evil regime”" (A) and "Evil regime" (B) are one phrase; "..."
        // normalises to nothing; Doubt spans are not phrases.
        assert_eq!(
            s.phrases[0],
            Phrase {
                phrase: "evil regime".into(),
                count: 3,
                outlets: 2,
                technique: "Loaded_Language".into(),
            }
        );
        assert_eq!(s.phrases[1].phrase, "regime");
        assert_eq!(s.phrases.len(), 2);
    }

    #[test]
    fn top_findings_are_ordered_and_explained() {
        let (_dir, store) = corpus();
        let s = compute(&store, &Options::default()).unwrap();
        let got: Vec<(&str, u64, Vec<String>)> = s
            .top_findings
            .iter()
            .map(|a| (a.id.as_str(), a.n_findings, a.explanations.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a1", 2, vec!["one".to_string(), "two".to_string()]),
                ("b1", 1, vec!["three".to_string()]),
            ]
        );
        assert_eq!(s.top_findings[0].date.as_deref(), Some("2025-01-05"));
        let s = compute(
            &store,
            &Options {
                top: 1,
                ..Options::default()
            },
        )
        .unwrap();
        assert_eq!(s.top_findings.len(), 1);
        assert_eq!(s.phrases.len(), 1);
        assert_eq!(s.by_source.len(), 1);
        assert!(s.notes.iter().any(|n| n.contains("largest of 3 outlets")));
    }

    #[test]
    fn filters_restrict_every_section() {
        let (_dir, store) = corpus();
        let only_b = compute(
            &store,
            &Options {
                source: Some("B".into()),
                ..Options::default()
            },
        )
        .unwrap();
        assert_eq!(only_b.totals.articles, 1);
        assert_eq!(only_b.by_source.len(), 1);
        assert_eq!(only_b.phrases[0].count, 1);
        assert_eq!(only_b.top_findings.len(), 1);

        let feb = compute(
            &store,
            &Options {
                since: Some("2025-02".into()),
                until: Some("2025-02".into()),
                ..Options::default()
            },
        )
        .unwrap();
        assert_eq!(feb.totals.articles, 2, "undated articles are left out");
        assert_eq!(feb.by_month.len(), 1);
        assert_eq!(feb.totals.articles_without_month, 0);

        let none = compute(
            &store,
            &Options {
                source: Some("Nobody".into()),
                ..Options::default()
            },
        )
        .unwrap();
        assert_eq!(none.totals.articles, 0);
        assert_eq!(
            none.notes,
            vec!["No article matches the filter (outlet \"Nobody\").".to_string()]
        );

        for (since, until) in [("2025-13", "2025-01"), ("2025-03", "2025-01")] {
            let e = compute(
                &store,
                &Options {
                    since: Some(since.into()),
                    until: Some(until.into()),
                    ..Options::default()
                },
            )
            .unwrap_err();
            assert!(e.to_string().contains(since), "{e}");
        }
    }

    #[test]
    fn empty_database_renders_a_message_in_every_format() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let s = compute(&store, &Options::default()).unwrap();
        assert_eq!(s.totals, Totals::default());
        assert!(s.by_source.is_empty() && s.by_month.is_empty() && s.phrases.is_empty());
        assert_eq!(
            s.notes,
            vec!["The database holds no articles yet.".to_string()]
        );
        let table = render_table(&s);
        assert!(table.contains("no articles yet"), "{table}");
        let html = render_html(&s, "empty");
        assert!(html.contains("no articles yet") && !html.contains("<svg"));
        for out in [table, html, render_json(&s).unwrap(), render_csv(&s)] {
            assert!(!out.contains("NaN") && !out.contains("inf"), "{out}");
        }
    }

    #[test]
    fn no_sources_and_no_dates_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let reports = vec![report(
            "x",
            None,
            None,
            50,
            vec![span(0, 5, Technique::Slogans, "Go!")],
            &[],
        )];
        store.insert_shard(0, &reports).unwrap();
        let s = compute(&store, &Options::default()).unwrap();
        assert!(s
            .notes
            .iter()
            .any(|n| n.contains("No article names its outlet")));
        assert!(s.notes.iter().any(|n| n.contains("no month-by-month view")));
        let table = render_table(&s);
        assert!(
            !table.contains("OUTLETS") && !table.contains("MONTHS"),
            "{table}"
        );
        let html = render_html(&s, "t");
        assert!(!html.contains(r#"data-testid="mix""#));
        assert!(html.contains("no timeline"));
        assert!(!html.contains("NaN"));
    }

    #[test]
    fn outlets_with_few_articles_come_last_in_the_share_chart() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let heavy = |id: &str| {
            report(
                id,
                Some("Lone Blog"),
                Some("2025-03-01"),
                100,
                vec![span(0, 80, Technique::LoadedLanguage, "x")],
                &[],
            )
        };
        let light = |id: &str| {
            report(
                id,
                Some("Daily Ledger"),
                Some("2025-03-01"),
                100,
                vec![span(0, 10, Technique::LoadedLanguage, "x")],
                &[],
            )
        };
        let reports = vec![heavy("1"), light("2"), light("3"), light("4")];
        store.insert_shard(0, &reports).unwrap();
        let s = compute(&store, &Options::default()).unwrap();
        let html = render_html(&s, "t");
        let share = &html[html.find(r#"id="share""#).expect("share chart")..];
        let ledger = share.find(r#"data-outlet="Daily Ledger""#).unwrap();
        let lone = share.find(r#"data-outlet="Lone Blog""#).unwrap();
        assert!(
            ledger < lone,
            "the one-article outlet (80% share) comes after the 10% one"
        );
        assert!(share.contains(r#"<g class="row few" data-outlet="Lone Blog""#));
        assert!(share.contains(r#"<g class="row" data-outlet="Daily Ledger""#));
    }

    #[test]
    fn renderers_show_the_numbers_and_escape_corpus_text() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let evil = "<script>alert(1)</script> & \"Co\", Ltd";
        let mut r = report(
            "<b>id</b>",
            Some(evil),
            Some("2025-03-01"),
            200,
            vec![span(
                0,
                50,
                Technique::LoadedLanguage,
                "<img src=x onerror=alert(1)>",
            )],
            &["<i>bad</i>"],
        );
        r.url = Some("javascript:alert(1)".into());
        store.insert_shard(0, &[r]).unwrap();
        let s = compute(&store, &Options::default()).unwrap();

        let html = render_html(&s, "<title>");
        assert!(
            !html.contains("<script>alert"),
            "outlet name must be escaped"
        );
        assert!(!html.contains("<img"));
        assert!(!html.contains("<i>bad"));
        assert!(!html.contains("<b>id"));
        assert!(!html.contains("javascript:alert"), "no javascript: links");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;, Ltd"));
        assert!(html.contains("25.0%"), "propaganda share 50/200");
        assert!(html.contains(Technique::LoadedLanguage.color()));
        assert!(!html.contains("{{"), "every placeholder is filled");

        let table = render_table(&s);
        assert!(table.contains("25.0%"), "{table}");

        let files = csv_files(&s);
        let sources = &files.iter().find(|f| f.0 == "sources.csv").unwrap().1;
        assert!(
            sources.contains("\"<script>alert(1)</script> & \"\"Co\"\", Ltd\",1,200,50,0.25,"),
            "{sources}"
        );
        let long = render_csv(&s);
        assert!(long.starts_with("section,source,month,technique,item,metric,value\r\n"));
        assert!(
            long.contains("overview,,,,,propaganda_share,0.25\r\n"),
            "{long}"
        );
        assert!(long
            .contains("techniques_by_month,,2025-03,Loaded_Language,,per_1000_articles,1000\r\n"));

        let json: serde_json::Value = serde_json::from_str(&render_json(&s).unwrap()).unwrap();
        assert_eq!(json["totals"]["propaganda_share"], 0.25);
        assert_eq!(json["by_source"][0]["source"], evil);
    }

    #[test]
    fn phrase_normalisation() {
        assert_eq!(
            normalize_phrase("  Evil\n\tRegime ,").as_deref(),
            Some("evil regime")
        );
        assert_eq!(
            normalize_phrase("“Crooked Hillary”").as_deref(),
            Some("crooked hillary")
        );
        assert_eq!(
            normalize_phrase("Trump’s  puppets!").as_deref(),
            Some("trump's puppets")
        );
        assert_eq!(
            normalize_phrase("U.S.-backed").as_deref(),
            Some("u.s.-backed")
        );
        assert_eq!(normalize_phrase("ÉNORME").as_deref(), Some("énorme"));
        assert_eq!(normalize_phrase(" ... "), None);
        assert_eq!(normalize_phrase(""), None);
    }

    #[test]
    fn month_bounds() {
        assert_eq!(parse_month("2025-03").unwrap(), "2025-03");
        for bad in [
            "2025-3",
            "2025-13",
            "2025-00",
            "25-03",
            "2025-03-01",
            "march",
            "",
        ] {
            assert!(parse_month(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn number_formatting() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(1000.0), "1000");
        assert_eq!(num(0.0), "0");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
