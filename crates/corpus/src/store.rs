//! The results database: every report of a batch run, flattened into SQLite tables that
//! statistics (and anyone with `sqlite3`) can query.
//!
//! Crash safety comes from one rule: a shard's rows and the row recording the shard are written
//! in one transaction. [`Store::shards`] therefore tells exactly which shards are in, and a
//! resumed run ingests the others. The journal is WAL with `synchronous=NORMAL`: a committed
//! transaction survives the process being killed at any moment (only a power loss may lose the
//! last commits, which a resumed run then re-ingests from the shard files).
//!
//! # Schema (version 1, in `PRAGMA user_version`)
//!
//! | table      | one row per                  | columns |
//! |------------|------------------------------|---------|
//! | `shards`   | ingested shard               | `shard` PK, `n_articles`, `inserted_at` (UTC, RFC 3339) |
//! | `articles` | report                       | `article_id` (integer PK), `id` (the report's id, unique), `shard`, `source`, `url`, `date`, `month` (`YYYY-MM` or NULL), `length`, `title`, `detector`, `n_spans`, `propaganda_chars`, `n_sentences`, `n_check_worthy`, `n_quotes`, `n_unattributed`, `n_findings` |
//! | `spans`    | propaganda span              | `article_id`, `n`, `technique` (PTC name), `start`, `end`, `confidence`, `text` |
//! | `claims`   | *check-worthy* sentence      | `article_id`, `n`, `start`, `end`, `score`, `text` |
//! | `quotes`   | quote or reported statement  | `article_id`, `n`, `kind`, `start`, `end`, `text`, `cue`, `source`, `speaker`, `unattributed` |
//! | `findings` | internal inconsistency       | `article_id`, `n`, `kind`, `explanation`, `places` (JSON array of `{start,end,text}`) |
//!
//! The child tables point at articles through the integer `article_id`
//! (`... FROM spans JOIN articles USING (article_id) WHERE id = '123'`) rather than through
//! the report id: ids come in any order (URLs, hashes), and indexing tens of millions of child
//! rows by a random text key made inserts two to three times slower than appending integers.
//! Child tables are clustered by `(article_id, n)` (`WITHOUT ROWID`), `n` being the row's
//! position in its report's list: an article's rows are stored together, and each insert
//! appends to one B-tree instead of a table and an index.
//!
//! Offsets are Unicode code points, end exclusive, as in the reports. Only check-worthy claims
//! are stored: every sentence is a claim in a report, and storing them all would multiply the
//! database size for rows no statistic reads (`n_sentences` keeps their number).
//!
//! An article id seen again (in a later shard, or twice in one) replaces the earlier article
//! with all its rows: ids are keys, and the latest analysis of an article is the one to count.

use anyhow::{bail, Context, Result};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Duration;
use unspin::Report;

/// File name of the database inside a batch output directory.
pub const DATABASE_FILE: &str = "unspin.sqlite";

/// Whether `name` is the database file `database` (a file name) or one of the files SQLite
/// keeps beside it while writing (`-wal`, `-shm`, `-journal`): replacing any of them corrupts
/// the database.
pub fn is_database_file(database: &str, name: &str) -> bool {
    name.strip_prefix(database)
        .is_some_and(|rest| ["", "-wal", "-shm", "-journal"].contains(&rest))
}

/// The schema version this code writes and reads, kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 1;

/// How long a statement waits for another connection's write lock (a `stats` run reading while
/// a batch writes, two batch processes) before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const SCHEMA: &str = r#"
CREATE TABLE shards (
    shard       INTEGER PRIMARY KEY,
    n_articles  INTEGER NOT NULL,
    inserted_at TEXT NOT NULL
);
CREATE TABLE articles (
    article_id       INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    shard            INTEGER NOT NULL,
    source           TEXT,
    url              TEXT,
    date             TEXT,
    month            TEXT,
    length           INTEGER NOT NULL,
    title            TEXT,
    detector         TEXT NOT NULL,
    n_spans          INTEGER NOT NULL,
    propaganda_chars INTEGER NOT NULL,
    n_sentences      INTEGER NOT NULL,
    n_check_worthy   INTEGER NOT NULL,
    n_quotes         INTEGER NOT NULL,
    n_unattributed   INTEGER NOT NULL,
    n_findings       INTEGER NOT NULL
);
-- Filtering and grouping by outlet and month, the axes of every statistic.
CREATE INDEX articles_source_month ON articles(source, month);
CREATE INDEX articles_month ON articles(month);
-- "Articles with the most findings" reads the top of this index; most articles have none.
CREATE INDEX articles_findings ON articles(n_findings DESC, id) WHERE n_findings > 0;

-- Child rows, clustered by article. REFERENCES documents the link for readers and tools; it
-- is not enforced (foreign_keys stays off), since the store writes both sides itself.

CREATE TABLE spans (
    article_id INTEGER NOT NULL REFERENCES articles(article_id),
    n          INTEGER NOT NULL,
    technique  TEXT NOT NULL,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    confidence REAL NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (article_id, n)
) WITHOUT ROWID;

CREATE TABLE claims (
    article_id INTEGER NOT NULL REFERENCES articles(article_id),
    n          INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    score      REAL NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (article_id, n)
) WITHOUT ROWID;

CREATE TABLE quotes (
    article_id   INTEGER NOT NULL REFERENCES articles(article_id),
    n            INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    start        INTEGER NOT NULL,
    "end"        INTEGER NOT NULL,
    text         TEXT NOT NULL,
    cue          TEXT,
    source       TEXT,
    speaker      TEXT,
    unattributed INTEGER NOT NULL,
    PRIMARY KEY (article_id, n)
) WITHOUT ROWID;

CREATE TABLE findings (
    article_id  INTEGER NOT NULL REFERENCES articles(article_id),
    n           INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    explanation TEXT NOT NULL,
    places      TEXT NOT NULL,
    PRIMARY KEY (article_id, n)
) WITHOUT ROWID;
"#;

const INSERT_ARTICLE: &str = "INSERT INTO articles (id, shard, source, url, date, month, length, \
     title, detector, n_spans, propaganda_chars, n_sentences, n_check_worthy, n_quotes, \
     n_unattributed, n_findings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, \
     ?14, ?15, ?16) ON CONFLICT(id) DO NOTHING";
const INSERT_SPAN: &str =
    "INSERT INTO spans (n, article_id, technique, start, \"end\", confidence, \
     text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const INSERT_CLAIM: &str =
    "INSERT INTO claims (n, article_id, start, \"end\", score, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const INSERT_QUOTE: &str = "INSERT INTO quotes (n, article_id, kind, start, \"end\", text, cue, \
     source, speaker, unattributed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
const INSERT_FINDING: &str =
    "INSERT INTO findings (n, article_id, kind, explanation, places) VALUES (?1, ?2, ?3, ?4, ?5)";

/// An open results database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens or creates the database at `path`, creating the schema if new (WAL journal,
    /// `synchronous=NORMAL`: committed transactions survive the process being killed).
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)
            .with_context(|| format!("{}: cannot open the results database", path.display()))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure(true)?;
        store.ensure_schema()?;
        Ok(store)
    }

    /// Opens an existing database for reading only (statistics): never creates a file, never
    /// changes one, and fails with a message naming `path` when there is no database there.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.is_file() {
            bail!("{}: no results database there", path.display());
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("{}: cannot open the results database", path.display()))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure(false)?;
        match store.schema_version()? {
            SCHEMA_VERSION => Ok(store),
            0 => bail!(
                "{}: not an unspin results database (it has no unspin tables)",
                path.display()
            ),
            v => bail!(
                "{}: results database of schema version {v}; this unspin reads version \
                 {SCHEMA_VERSION}",
                path.display()
            ),
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The SQLite connection, for queries ([`crate::stats`]) and for tests.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn configure(&self, write: bool) -> Result<()> {
        let ctx = || {
            format!(
                "{}: cannot set up the results database",
                self.path.display()
            )
        };
        self.conn.busy_timeout(BUSY_TIMEOUT).with_context(ctx)?;
        // Prepared statements are reused for every row of every shard.
        self.conn.set_prepared_statement_cache_capacity(32);
        if write {
            // `journal_mode` answers with the mode in force; a file that is not a database
            // fails here, with SQLite's "file is not a database".
            let mode: String = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .with_context(ctx)?;
            if !mode.eq_ignore_ascii_case("wal") {
                bail!(
                    "{}: the results database cannot use a write-ahead log (journal mode {mode})",
                    self.path.display()
                );
            }
            self.conn
                .execute_batch(
                    "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; \
                     PRAGMA cache_size = -65536;",
                )
                .with_context(ctx)?;
        }
        Ok(())
    }

    fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .with_context(|| format!("{}: cannot read the results database", self.path.display()))
    }

    /// Creates the tables in a new database; checks the version of an existing one.
    fn ensure_schema(&self) -> Result<()> {
        match self.schema_version()? {
            SCHEMA_VERSION => Ok(()),
            0 => {
                let n_tables: i64 = self
                    .conn
                    .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
                    .with_context(|| {
                        format!("{}: cannot read the results database", self.path.display())
                    })?;
                if n_tables > 0 {
                    bail!(
                        "{}: an SQLite database with other tables, not an unspin results \
                         database; refusing to add tables to it",
                        self.path.display()
                    );
                }
                self.conn
                    .execute_batch(&format!(
                        "BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
                    ))
                    .with_context(|| {
                        format!(
                            "{}: cannot create the results database tables",
                            self.path.display()
                        )
                    })
            }
            v => bail!(
                "{}: results database of schema version {v}; this unspin writes version \
                 {SCHEMA_VERSION}",
                self.path.display()
            ),
        }
    }

    /// Shard numbers whose rows are already in the database.
    pub fn shards(&self) -> Result<BTreeSet<u64>> {
        let ctx = || format!("{}: cannot read the shard list", self.path.display());
        let mut stmt = self
            .conn
            .prepare_cached("SELECT shard FROM shards")
            .with_context(ctx)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, i64>(0))
            .with_context(ctx)?;
        let mut out = BTreeSet::new();
        for shard in rows {
            let shard = shard.with_context(ctx)?;
            // Shards are written from u64 through `i64::try_from`, so they are never negative.
            out.insert(u64::try_from(shard).with_context(ctx)?);
        }
        Ok(out)
    }

    /// Inserts all rows of one shard and records the shard, in one transaction (all or
    /// nothing). Idempotent: a shard already recorded is a no-op returning `Ok`.
    pub fn insert_shard(&mut self, shard: u64, reports: &[Report]) -> Result<()> {
        let path = self.path.display().to_string();
        let shard_key = i64::try_from(shard)
            .with_context(|| format!("{path}: shard number {shard} is too large"))?;
        // IMMEDIATE takes the write lock up front, so the "already recorded?" check and the
        // inserts cannot interleave with another writer's.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .with_context(|| format!("{path}: cannot start a transaction for shard {shard}"))?;
        let recorded: Option<i64> = tx
            .query_row("SELECT 1 FROM shards WHERE shard = ?1", [shard_key], |r| {
                r.get(0)
            })
            .optional()
            .with_context(|| format!("{path}: cannot read the shard list"))?;
        if recorded.is_some() {
            return Ok(());
        }
        for report in reports {
            insert_report(&tx, shard_key, report).with_context(|| {
                format!(
                    "{path}: cannot insert article {:?} of shard {shard}",
                    report.id
                )
            })?;
        }
        tx.execute(
            "INSERT INTO shards (shard, n_articles, inserted_at) \
             VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            params![shard_key, to_i64(reports.len())?],
        )
        .with_context(|| format!("{path}: cannot record shard {shard}"))?;
        tx.commit()
            .with_context(|| format!("{path}: cannot commit shard {shard}"))?;
        Ok(())
    }

    /// Reads a JSONL shard file (one report per line; blank lines are skipped) and inserts it
    /// with [`Store::insert_shard`]. Errors name the file, and the line for a bad report.
    /// A shard already recorded is not even read.
    pub fn ingest_shard_file(&mut self, shard: u64, path: &Path) -> Result<()> {
        if self.shards()?.contains(&shard) {
            return Ok(());
        }
        let file = std::fs::File::open(path)
            .with_context(|| format!("{}: cannot open shard file", path.display()))?;
        let mut reader = BufReader::new(file);
        let mut reports = Vec::new();
        let mut line = Vec::new();
        let mut line_no = 0usize;
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .with_context(|| format!("{}: cannot read shard file", path.display()))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let report: Report = serde_json::from_slice(&line)
                .with_context(|| format!("{}:{line_no}: not a valid report", path.display()))?;
            reports.push(report);
        }
        self.insert_shard(shard, &reports)
    }
}

/// Inserts one report and its child rows. An article id already present is replaced: its old
/// rows are deleted first. The common case (a new id) costs one insert, as `ON CONFLICT DO
/// NOTHING` reports whether the row went in.
fn insert_report(tx: &rusqlite::Transaction<'_>, shard: i64, r: &Report) -> Result<()> {
    let n_check_worthy = r.claims.iter().filter(|c| c.check_worthy).count();
    let n_unattributed = r.quotes.iter().filter(|q| q.unattributed).count();
    let month = r.date.as_deref().and_then(month_of);
    let propaganda = propaganda_chars(r);
    let article_params = params![
        r.id,
        shard,
        r.source,
        r.url,
        r.date,
        month,
        to_i64(r.length)?,
        r.title,
        r.detector,
        to_i64(r.spans.len())?,
        to_i64(propaganda)?,
        to_i64(r.claims.len())?,
        to_i64(n_check_worthy)?,
        to_i64(r.quotes.len())?,
        to_i64(n_unattributed)?,
        to_i64(r.findings.len())?,
    ];
    let mut insert_article = tx.prepare_cached(INSERT_ARTICLE)?;
    if insert_article.execute(article_params)? == 0 {
        let old: i64 = tx
            .prepare_cached("SELECT article_id FROM articles WHERE id = ?1")?
            .query_row([&r.id], |row| row.get(0))?;
        for table in ["spans", "claims", "quotes", "findings", "articles"] {
            tx.prepare_cached(&format!("DELETE FROM {table} WHERE article_id = ?1"))?
                .execute([old])?;
        }
        insert_article.execute(article_params)?;
    }
    let key = tx.last_insert_rowid();

    let mut stmt = tx.prepare_cached(INSERT_SPAN)?;
    for (n, s) in r.spans.iter().enumerate() {
        stmt.execute(params![
            to_i64(n)?,
            key,
            s.technique.name(),
            to_i64(s.start)?,
            to_i64(s.end)?,
            f64::from(s.confidence),
            s.text
        ])?;
    }
    let mut stmt = tx.prepare_cached(INSERT_CLAIM)?;
    for (n, c) in r.claims.iter().filter(|c| c.check_worthy).enumerate() {
        stmt.execute(params![
            to_i64(n)?,
            key,
            to_i64(c.start)?,
            to_i64(c.end)?,
            f64::from(c.score),
            c.text
        ])?;
    }
    let mut stmt = tx.prepare_cached(INSERT_QUOTE)?;
    for (n, q) in r.quotes.iter().enumerate() {
        stmt.execute(params![
            to_i64(n)?,
            key,
            enum_name(&q.kind)?,
            to_i64(q.content.start)?,
            to_i64(q.content.end)?,
            q.content.text,
            q.cue.as_ref().map(|p| p.text.as_str()),
            q.source.as_ref().map(|p| p.text.as_str()),
            q.speaker,
            q.unattributed
        ])?;
    }
    let mut stmt = tx.prepare_cached(INSERT_FINDING)?;
    for (n, f) in r.findings.iter().enumerate() {
        stmt.execute(params![
            to_i64(n)?,
            key,
            enum_name(&f.kind)?,
            f.explanation,
            serde_json::to_string(&f.places)?
        ])?;
    }
    Ok(())
}

/// The wire name of a serde unit enum (`direct`, `parts_dont_sum_to_total`), so the database
/// uses the same words as the JSON reports.
fn enum_name<T: serde::Serialize>(value: &T) -> Result<String> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(s) => Ok(s),
        other => bail!("expected a name, got {other}"),
    }
}

fn to_i64(n: usize) -> Result<i64> {
    i64::try_from(n).with_context(|| format!("number {n} is too large for the database"))
}

/// Number of code points covered by at least one span: overlapping spans (two techniques on
/// one phrase) count once, so the share of propaganda never exceeds the text. Spans are
/// clipped to the article.
pub fn propaganda_chars(report: &Report) -> usize {
    let mut ranges: Vec<(usize, usize)> = report
        .spans
        .iter()
        .map(|s| (s.start.min(report.length), s.end.min(report.length)))
        .filter(|(a, b)| a < b)
        .collect();
    ranges.sort_unstable();
    let mut total = 0;
    let mut current: Option<(usize, usize)> = None;
    for (a, b) in ranges {
        current = match current {
            Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += cb - ca;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((ca, cb)) = current {
        total += cb - ca;
    }
    total
}

/// The `YYYY-MM` month of a publication date, or `None` when it does not parse.
///
/// Accepts ISO 8601 dates and timestamps (`2025-03-01`, `2025-03`, `2025-03-01T10:00:00Z`,
/// `2025-03-01 10:00`), and the RFC 2822 dates of RSS feeds (`Sat, 01 Mar 2025 10:00:00 GMT`,
/// `1 March 2025`). The month is the one written: a timestamp's time zone is not converted,
/// since the outlet's local date is the one its readers saw.
pub fn month_of(date: &str) -> Option<String> {
    let d = date.trim();
    iso_month(d).or_else(|| rfc2822_month(d))
}

fn iso_month(d: &str) -> Option<String> {
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .filter(|s| s.iter().all(u8::is_ascii_digit))
            .map(|_| &d[r])
    };
    let year = digits(0..4)?;
    if b.get(4) != Some(&b'-') {
        return None;
    }
    let month: u32 = digits(5..7)?.parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    match b.get(7) {
        None => {}
        Some(b'-') => {
            let day: u32 = digits(8..10)?.parse().ok()?;
            if !(1..=31).contains(&day) {
                return None;
            }
            match b.get(10) {
                None | Some(b'T') | Some(b't') | Some(b' ') => {}
                Some(_) => return None,
            }
        }
        Some(_) => return None,
    }
    Some(format!("{year}-{month:02}"))
}

fn rfc2822_month(d: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    // Day-of-week prefix ("Sat,") is optional; then day, month name, year.
    let rest = match d.split_once(',') {
        Some((_, rest)) => rest,
        None => d,
    };
    let mut words = rest.split_whitespace();
    let day: u32 = words.next()?.parse().ok()?;
    if !(1..=31).contains(&day) {
        return None;
    }
    let name = words.next()?.to_ascii_lowercase();
    let name = name.trim_end_matches('.');
    let month = MONTHS.iter().position(|m| {
        name.len() >= 3 && name.starts_with(m) && {
            let full = [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ];
            full.iter().any(|f| f.starts_with(name)) || name == "sept"
        }
    })?;
    let year = words.next()?;
    if year.len() != 4 || !year.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("{year}-{:02}", month + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use unspin::aids::{Claim, Finding, FindingKind, Place, Quote, QuoteKind};
    use unspin::{ReportSpan, Technique};

    fn span(start: usize, end: usize, t: Technique, text: &str) -> ReportSpan {
        ReportSpan {
            start,
            end,
            technique: t,
            confidence: 0.9,
            text: text.into(),
        }
    }

    fn place(start: usize, end: usize, text: &str) -> Place {
        Place {
            start,
            end,
            text: text.into(),
        }
    }

    pub(crate) fn report(id: &str, source: Option<&str>, date: Option<&str>) -> Report {
        Report {
            id: id.into(),
            source: source.map(Into::into),
            url: Some(format!("https://example.org/{id}")),
            date: date.map(Into::into),
            length: 100,
            detector: "test".into(),
            version: None,
            created: None,
            notes: Vec::new(),
            title: None,
            text: None,
            spans: vec![
                span(0, 10, Technique::LoadedLanguage, "evil plot"),
                span(5, 20, Technique::NameCallingLabeling, "traitors"),
                span(50, 60, Technique::Doubt, "really?"),
            ],
            claims: vec![
                Claim {
                    start: 0,
                    end: 40,
                    text: "a".into(),
                    score: 0.8,
                    check_worthy: true,
                },
                Claim {
                    start: 40,
                    end: 100,
                    text: "b".into(),
                    score: 0.1,
                    check_worthy: false,
                },
            ],
            quotes: vec![Quote {
                kind: QuoteKind::Reported,
                content: place(70, 90, "that it was bad"),
                cue: Some(place(62, 66, "said")),
                source: Some(place(60, 62, "he")),
                speaker: Some("John Smith".into()),
                speaker_place: None,
                unattributed: false,
            }],
            findings: vec![Finding {
                kind: FindingKind::NameSpelledTwoWays,
                places: vec![place(1, 5, "Smith"), place(30, 35, "Smyth")],
                explanation: "\"Smith\" and \"Smyth\" look like one name".into(),
            }],
        }
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn months_parse_iso_and_rss_dates_and_reject_garbage() {
        assert_eq!(month_of("2025-03-01").as_deref(), Some("2025-03"));
        assert_eq!(month_of("2025-03-01T10:00:00Z").as_deref(), Some("2025-03"));
        assert_eq!(month_of(" 2025-12-31 23:59 ").as_deref(), Some("2025-12"));
        assert_eq!(month_of("2025-03").as_deref(), Some("2025-03"));
        assert_eq!(
            month_of("Sat, 01 Mar 2025 10:00:00 GMT").as_deref(),
            Some("2025-03")
        );
        assert_eq!(month_of("1 September 2024").as_deref(), Some("2024-09"));
        for bad in [
            "garbage",
            "",
            "2025",
            "2025-13-01",
            "2025-00-10",
            "2025-03-32",
            "2025-3-1",
            "20250301",
            "2025-03-01x",
            "yesterday, 5 pm",
            "1 Marchx 2025",
            "32 Mar 2025",
            "é2025-03-01",
        ] {
            assert_eq!(month_of(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn propaganda_chars_counts_the_union_of_spans() {
        let r = report("1", None, None);
        // [0,10) ∪ [5,20) = [0,20): 20 chars; [50,60): 10 more.
        assert_eq!(propaganda_chars(&r), 30);
        let mut r = report("2", None, None);
        r.spans.push(span(95, 150, Technique::Slogans, "x")); // clipped to length 100
        r.spans.push(span(20, 25, Technique::Slogans, "x")); // touches [0,20): merges
        r.spans.push(span(7, 7, Technique::Slogans, "")); // empty
        assert_eq!(propaganda_chars(&r), 30 + 5 + 5);
        r.spans.clear();
        assert_eq!(propaganda_chars(&r), 0);
    }

    #[test]
    fn insert_stores_every_table_with_exact_counts() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let reports = vec![
            report("a", Some("Outlet"), Some("2025-03-01T10:00:00Z")),
            report("b", None, Some("garbage")),
        ];
        store.insert_shard(7, &reports).unwrap();
        assert_eq!(store.shards().unwrap(), BTreeSet::from([7]));
        assert_eq!(count(&store, "SELECT count(*) FROM articles"), 2);
        assert_eq!(count(&store, "SELECT count(*) FROM spans"), 6);
        assert_eq!(
            count(&store, "SELECT count(*) FROM claims"),
            2,
            "check-worthy only"
        );
        assert_eq!(count(&store, "SELECT count(*) FROM quotes"), 2);
        assert_eq!(count(&store, "SELECT count(*) FROM findings"), 2);
        assert_eq!(
            count(&store, "SELECT n_articles FROM shards WHERE shard = 7"),
            2
        );
        let row: (
            Option<String>,
            Option<String>,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
        ) = store
            .conn
            .query_row(
                "SELECT source, month, length, n_spans, propaganda_chars, n_sentences, \
                 n_check_worthy, n_quotes, n_findings FROM articles WHERE id = 'a'",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(
            row,
            (
                Some("Outlet".into()),
                Some("2025-03".into()),
                100,
                3,
                30,
                2,
                1,
                1,
                1
            )
        );
        let month: Option<String> = store
            .conn
            .query_row("SELECT month FROM articles WHERE id = 'b'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(month, None, "garbage date has no month");
        let (kind, cue, places): (String, Option<String>, String) = store
            .conn
            .query_row(
                "SELECT q.kind, q.cue, f.places FROM quotes q JOIN findings f \
                 USING (article_id) JOIN articles a USING (article_id) WHERE a.id = 'a'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(kind, "reported");
        assert_eq!(cue.as_deref(), Some("said"));
        let places: Vec<Place> = serde_json::from_str(&places).unwrap();
        assert_eq!(places[1].text, "Smyth");
        let kind: String = store
            .conn
            .query_row("SELECT kind FROM findings LIMIT 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kind, "name_spelled_two_ways");
    }

    #[test]
    fn insert_shard_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let reports = vec![report("a", Some("X"), None)];
        store.insert_shard(1, &reports).unwrap();
        store.insert_shard(1, &reports).unwrap();
        // Even different content under a recorded shard number is ignored: the shard is in.
        store
            .insert_shard(1, &[report("other", None, None)])
            .unwrap();
        assert_eq!(count(&store, "SELECT count(*) FROM articles"), 1);
        assert_eq!(count(&store, "SELECT count(*) FROM spans"), 3);
        assert_eq!(count(&store, "SELECT count(*) FROM shards"), 1);
    }

    #[test]
    fn insert_shard_is_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let mut bad = report("bad", None, None);
        // Not representable in SQLite's i64: fails after the first article went in.
        bad.spans[2].end = usize::MAX;
        let err = store
            .insert_shard(3, &[report("good", None, None), bad])
            .unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("\"bad\"") && msg.contains("shard 3"), "{msg}");
        assert!(store.shards().unwrap().is_empty());
        for table in [
            "articles", "spans", "claims", "quotes", "findings", "shards",
        ] {
            assert_eq!(
                count(&store, &format!("SELECT count(*) FROM {table}")),
                0,
                "{table}"
            );
        }
        // The store is still usable, and the shard can be inserted once fixed.
        store
            .insert_shard(3, &[report("good", None, None)])
            .unwrap();
        assert_eq!(store.shards().unwrap(), BTreeSet::from([3]));
    }

    #[test]
    fn a_repeated_id_replaces_the_earlier_article() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        store
            .insert_shard(0, &[report("a", Some("Old"), None)])
            .unwrap();
        let mut newer = report("a", Some("New"), None);
        newer.spans.truncate(1);
        newer.findings.clear();
        store.insert_shard(1, &[newer]).unwrap();
        assert_eq!(count(&store, "SELECT count(*) FROM articles"), 1);
        assert_eq!(count(&store, "SELECT count(*) FROM spans"), 1);
        assert_eq!(count(&store, "SELECT count(*) FROM findings"), 0);
        assert_eq!(count(&store, "SELECT shard FROM articles"), 1);
    }

    #[test]
    fn reopening_keeps_data_and_read_only_open_checks_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        {
            let mut store = Store::open(&path).unwrap();
            store.insert_shard(2, &[report("a", None, None)]).unwrap();
            store.insert_shard(5, &[]).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.shards().unwrap(), BTreeSet::from([2, 5]));
        let ro = Store::open_read_only(&path).unwrap();
        assert_eq!(ro.shards().unwrap(), BTreeSet::from([2, 5]));

        let missing = dir.path().join("missing.sqlite");
        let e = format!("{:#}", Store::open_read_only(&missing).unwrap_err());
        assert!(e.contains("missing.sqlite"), "{e}");
        assert!(!missing.exists(), "read-only open must not create a file");

        let junk = dir.path().join("junk.sqlite");
        std::fs::write(&junk, b"this is not a database, just some text").unwrap();
        let e = format!("{:#}", Store::open(&junk).unwrap_err());
        assert!(e.contains("junk.sqlite"), "{e}");
        let e = format!("{:#}", Store::open_read_only(&junk).unwrap_err());
        assert!(e.contains("junk.sqlite"), "{e}");

        let other = dir.path().join("other.sqlite");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let e = format!("{:#}", Store::open(&other).unwrap_err());
        assert!(e.contains("other tables"), "{e}");
        let e = format!("{:#}", Store::open_read_only(&other).unwrap_err());
        assert!(e.contains("not an unspin results database"), "{e}");
    }

    #[test]
    fn ingest_reads_jsonl_and_names_the_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let good = dir.path().join("part-000001.jsonl");
        let mut text = String::new();
        for id in ["a", "b"] {
            text.push_str(&serde_json::to_string(&report(id, Some("S"), None)).unwrap());
            text.push('\n');
        }
        text.push('\n'); // a trailing blank line is fine
        std::fs::write(&good, &text).unwrap();
        store.ingest_shard_file(1, &good).unwrap();
        assert_eq!(count(&store, "SELECT count(*) FROM articles"), 2);

        let bad = dir.path().join("part-000002.jsonl");
        std::fs::write(&bad, format!("{text}{{\"id\": \"c\"}}\n")).unwrap();
        let e = format!("{:#}", store.ingest_shard_file(2, &bad).unwrap_err());
        assert!(e.contains("part-000002.jsonl:4"), "{e}");
        assert!(!store.shards().unwrap().contains(&2));

        let e = format!(
            "{:#}",
            store
                .ingest_shard_file(3, &dir.path().join("nope.jsonl"))
                .unwrap_err()
        );
        assert!(e.contains("nope.jsonl"), "{e}");
    }

    /// Insert speed on synthetic reports shaped like real ones (PTC articles average about
    /// 20 spans, 30 sentences of which a third are check-worthy, 8 quotes). Run with
    /// `cargo test -p unspin-corpus --release -- --ignored --nocapture insert_speed`.
    #[test]
    #[ignore]
    fn insert_speed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let n_articles = 100_000;
        let per_shard = 1000;
        let sources = [
            "Daily Ledger",
            "Patriot Wire",
            "Metro Observer",
            "Global Sentinel",
        ];
        let techniques = Technique::ALL;
        let mut rows = 0usize;
        let mut elapsed = Duration::ZERO;
        for shard in 0..n_articles / per_shard {
            let reports: Vec<Report> = (0..per_shard)
                .map(|i| {
                    let n = shard * per_shard + i;
                    let mut r = report(
                        // Ids in no particular order, like URLs or hashes of a crawl.
                        &format!("{:016x}", (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
                        Some(sources[n % sources.len()]),
                        Some(&format!("2025-{:02}-{:02}", 1 + n % 12, 1 + n % 28)),
                    );
                    r.length = 4000;
                    r.spans = (0..20)
                        .map(|k| {
                            span(
                                k * 150,
                                k * 150 + 40,
                                techniques[(n + k) % techniques.len()],
                                "a loaded phrase of some forty characters",
                            )
                        })
                        .collect();
                    r.claims = (0..30)
                        .map(|k| Claim {
                            start: k * 130,
                            end: k * 130 + 120,
                            text: "A sentence of a news article, about one hundred and twenty \
                                   characters long, that may be worth checking."
                                .into(),
                            score: if k % 3 == 0 { 0.7 } else { 0.2 },
                            check_worthy: k % 3 == 0,
                        })
                        .collect();
                    r.quotes = (0..8).map(|_| r.quotes[0].clone()).collect();
                    if n % 5 != 0 {
                        r.findings.clear();
                    }
                    rows += 1
                        + r.spans.len()
                        + r.claims.iter().filter(|c| c.check_worthy).count()
                        + r.quotes.len()
                        + r.findings.len();
                    r
                })
                .collect();
            let t = std::time::Instant::now();
            store.insert_shard(shard as u64, &reports).unwrap();
            elapsed += t.elapsed();
        }
        let secs = elapsed.as_secs_f64();
        println!(
            "insert_speed: {n_articles} articles, {rows} rows in {secs:.2} s: {:.0} articles/s, \
             {:.0} rows/s",
            n_articles as f64 / secs,
            rows as f64 / secs
        );
        let t = std::time::Instant::now();
        let stats = crate::stats::compute(&store, &crate::stats::Options::default()).unwrap();
        assert_eq!(stats.totals.articles, n_articles as u64);
        println!(
            "insert_speed: statistics over them in {:.2} s",
            t.elapsed().as_secs_f64()
        );
    }
}
