//! Reading the results database into a [`Stats`]: the SQL, and the folding of its rows
//! into outlets, months, techniques, phrases and notes.

use super::format::articles;
use super::model::*;
use crate::store::Store;
use anyhow::{bail, Context, Result};
use rusqlite::types::ToSql;
use rusqlite::Connection;
use std::collections::{BTreeMap, HashMap, HashSet};
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
    let q = Query {
        conn: store.connection(),
        db: store.path().display().to_string(),
        filter: &filter,
    };
    let totals = q.totals()?;
    let span_cells = q.span_cells()?;
    let (names, techniques) = technique_columns(&span_cells, totals.articles);
    let (mut by_source, by_month) = fold_groups(&q.article_cells()?, &span_cells, &names);
    let mut notes = Vec::new();
    if by_source.len() > top {
        notes.push(format!(
            "Only the {top} largest of {} outlets are shown (--top {top}); the overall numbers \
             include all of them.",
            by_source.len()
        ));
        by_source.truncate(top);
    }
    let phrases = q.phrases(top)?;
    let top_findings = q.top_findings(top)?;
    if totals.articles == 0 {
        notes.clear();
        notes.push(if filter.is_empty() {
            "The database holds no articles yet.".to_string()
        } else {
            format!("No article matches the filter ({}).", filter.describe())
        });
    } else {
        notes.extend(coverage_notes(&totals));
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

/// Article sums of one (outlet, month) cell.
type ArticleCells = BTreeMap<(Option<String>, Option<String>), Sums>;

/// Span counts per (outlet, month, technique).
type SpanCells = Vec<(Option<String>, Option<String>, String, u64)>;

/// The queries, all under one filter.
struct Query<'a> {
    conn: &'a Connection,
    /// The database's path, for error messages.
    db: String,
    filter: &'a Filter,
}

impl Query<'_> {
    fn ctx(&self, what: &str) -> String {
        format!("{}: cannot compute {what}", self.db)
    }

    /// The filter's named parameters, followed by `extra`.
    fn params<'p>(&'p self, extra: &[(&'p str, &'p dyn ToSql)]) -> Vec<(&'p str, &'p dyn ToSql)> {
        let mut p: Vec<(&str, &dyn ToSql)> = vec![
            (":source", &self.filter.source),
            (":since", &self.filter.since),
            (":until", &self.filter.until),
        ];
        p.extend_from_slice(extra);
        p
    }

    fn totals(&self) -> Result<Totals> {
        let mut totals = self
            .conn
            .query_row(
                &format!(
                    "SELECT count(*), count(DISTINCT source), count(DISTINCT month), min(month), \
                     max(month), total(length), total(propaganda_chars), total(n_spans), \
                     total(n_sentences), total(n_check_worthy), total(n_quotes), \
                     total(n_unattributed), total(n_findings), total(n_findings > 0), \
                     total(source IS NULL), total(month IS NULL) FROM articles a WHERE {FILTER}"
                ),
                &*self.params(&[]),
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
            .with_context(|| self.ctx("totals"))?;
        totals.propaganda_share = ratio(totals.propaganda_chars, totals.chars);
        totals.spans_per_1000_articles = per_1000(totals.spans, totals.articles);
        Ok(totals)
    }

    fn article_cells(&self) -> Result<ArticleCells> {
        let ctx = || self.ctx("article counts");
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT source, month, count(*), total(length), total(propaganda_chars), \
                 total(n_spans), total(n_findings) FROM articles a WHERE {FILTER} \
                 GROUP BY source, month"
            ))
            .with_context(ctx)?;
        let rows = stmt
            .query_map(&*self.params(&[]), |r| {
                Ok((
                    (r.get(0)?, r.get(1)?),
                    Sums {
                        articles: to_u64(r.get(2)?),
                        chars: r.get::<_, f64>(3)? as u64,
                        propaganda_chars: r.get::<_, f64>(4)? as u64,
                        spans: r.get::<_, f64>(5)? as u64,
                        findings: r.get::<_, f64>(6)? as u64,
                    },
                ))
            })
            .with_context(ctx)?;
        rows.collect::<rusqlite::Result<_>>().with_context(ctx)
    }

    fn span_cells(&self) -> Result<SpanCells> {
        let ctx = || self.ctx("technique counts");
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT a.source, a.month, s.technique, count(*) FROM spans s \
                 JOIN articles a USING (article_id) WHERE {FILTER} \
                 GROUP BY a.source, a.month, s.technique"
            ))
            .with_context(ctx)?;
        let rows = stmt
            .query_map(&*self.params(&[]), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, to_u64(r.get(3)?)))
            })
            .with_context(ctx)?;
        rows.collect::<rusqlite::Result<_>>().with_context(ctx)
    }

    /// The `top` most frequent loaded phrases.
    fn phrases(&self, top: usize) -> Result<Vec<Phrase>> {
        struct Acc {
            count: u64,
            outlets: HashSet<String>,
            by_technique: BTreeMap<String, u64>,
        }
        let ctx = || self.ctx("loaded phrases");
        let [t1, t2] = PHRASE_TECHNIQUES.map(Technique::name);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT s.text, s.technique, a.source FROM spans s JOIN articles a \
                 USING (article_id) WHERE s.technique IN (:t1, :t2) AND {FILTER}"
            ))
            .with_context(ctx)?;
        let mut rows = stmt
            .query(&*self.params(&[(":t1", &t1), (":t2", &t2)]))
            .with_context(ctx)?;
        let mut acc: HashMap<String, Acc> = HashMap::new();
        while let Some(row) = rows.next().with_context(ctx)? {
            let text: String = row.get(0).with_context(ctx)?;
            let Some(phrase) = normalize_phrase(&text) else {
                continue;
            };
            let technique: String = row.get(1).with_context(ctx)?;
            let source: Option<String> = row.get(2).with_context(ctx)?;
            let e = acc.entry(phrase).or_insert_with(|| Acc {
                count: 0,
                outlets: HashSet::new(),
                by_technique: BTreeMap::new(),
            });
            e.count += 1;
            if let Some(s) = source {
                e.outlets.insert(s);
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

    /// The `top` articles with the most findings, with their explanations.
    fn top_findings(&self, top: usize) -> Result<Vec<ArticleFindings>> {
        let ctx = || self.ctx("articles with findings");
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT article_id, id, source, date, title, url, n_findings FROM articles a \
                 WHERE n_findings > 0 AND {FILTER} ORDER BY n_findings DESC, id LIMIT :top"
            ))
            .with_context(ctx)?;
        let limit = i64::try_from(top).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(&*self.params(&[(":top", &limit)]), |r| {
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
            })
            .with_context(ctx)?;
        let mut explain = self
            .conn
            .prepare("SELECT explanation FROM findings WHERE article_id = ?1 ORDER BY n")
            .with_context(|| self.ctx("findings"))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, mut article) = row.with_context(ctx)?;
            article.explanations = explain
                .query_map([key], |r| r.get(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
                .with_context(|| self.ctx("findings"))?;
            out.push(article);
        }
        Ok(out)
    }
}

/// The technique columns every list shares: all 14 known techniques, then any unknown name
/// found in the database (from a newer model), most frequent first; with their overall counts.
fn technique_columns(span_cells: &SpanCells, articles: u64) -> (Vec<String>, Vec<TechniqueCount>) {
    let mut overall: HashMap<String, u64> = Technique::ALL
        .iter()
        .map(|t| (t.name().to_string(), 0))
        .collect();
    for (_, _, t, n) in span_cells {
        *overall.entry(t.clone()).or_default() += n;
    }
    let mut order: Vec<(String, u64)> = overall.into_iter().collect();
    order.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| technique_rank(&a.0).cmp(&technique_rank(&b.0)))
            .then_with(|| a.0.cmp(&b.0))
    });
    let (names, counts): (Vec<String>, Vec<u64>) = order.into_iter().unzip();
    let techniques = counts_row(&counts, &names, articles, counts.iter().sum());
    (names, techniques)
}

/// Folds the (outlet, month) cells into outlet rows (largest first) and month rows (in order).
fn fold_groups(
    cells: &ArticleCells,
    span_cells: &SpanCells,
    names: &[String],
) -> (Vec<SourceRow>, Vec<MonthRow>) {
    let column: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let blank = || (Sums::default(), vec![0; names.len()]);
    let mut src: BTreeMap<Option<String>, (Sums, Vec<u64>)> = BTreeMap::new();
    let mut mon: BTreeMap<String, (Sums, Vec<u64>)> = BTreeMap::new();
    for ((s, m), sums) in cells {
        src.entry(s.clone()).or_insert_with(blank).0.add(sums);
        if let Some(m) = m {
            mon.entry(m.clone()).or_insert_with(blank).0.add(sums);
        }
    }
    for (s, m, t, n) in span_cells {
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
            techniques: counts_row(&counts, names, s.articles, counts.iter().sum()),
        })
        .collect();
    by_source.sort_by(|a, b| {
        b.articles
            .cmp(&a.articles)
            .then_with(|| a.source.is_none().cmp(&b.source.is_none()))
            .then_with(|| a.source.cmp(&b.source))
    });
    let by_month = mon
        .into_iter()
        .map(|(month, (s, counts))| MonthRow {
            month,
            articles: s.articles,
            chars: s.chars,
            propaganda_chars: s.propaganda_chars,
            propaganda_share: ratio(s.propaganda_chars, s.chars),
            spans: s.spans,
            spans_per_1000_articles: per_1000(s.spans, s.articles),
            techniques: counts_row(&counts, names, s.articles, counts.iter().sum()),
        })
        .collect();
    (by_source, by_month)
}

/// What a reader must know about articles without an outlet or a date.
fn coverage_notes(totals: &Totals) -> Vec<String> {
    let outlets = missing(
        totals.articles_without_source,
        totals.articles,
        "No article names its outlet (the \"source\" field of the batch input), so there is \
         nothing to compare between outlets.",
        ["names", "name"],
        "no outlet",
        "counted together as \"(no source)\"",
    );
    let months = missing(
        totals.articles_without_month,
        totals.articles,
        "No article has a date that parses (like 2025-03-01), so there is no month-by-month \
         view.",
        ["has", "have"],
        "no date that parses",
        "left out of the months",
    );
    outlets.into_iter().chain(months).collect()
}

/// The note for the `n` of `total` articles that lack something: `all` when every article
/// does, else "N articles {verb} {what}; they are {fate}." in the right number.
fn missing(
    n: u64,
    total: u64,
    all: &str,
    verb: [&str; 2],
    what: &str,
    fate: &str,
) -> Option<String> {
    if n == 0 {
        return None;
    }
    if n == total {
        return Some(all.to_string());
    }
    let (verb, pronoun) = if n == 1 {
        (verb[0], "it is")
    } else {
        (verb[1], "they are")
    };
    Some(format!("{} {verb} {what}; {pronoun} {fate}.", articles(n)))
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
