//! The results database: every report of a batch run, flattened into SQLite tables that
//! statistics (and anyone with `sqlite3`) can query.
//!
//! Crash safety comes from one rule: a shard's rows and the row recording the shard are written
//! in one transaction. [`Store::shards`] therefore tells exactly which shards are in, and a
//! resumed run ingests the others. While a writer has it open the journal is WAL with
//! `synchronous=NORMAL`: a committed transaction survives the process being killed at any
//! moment (only a power loss may lose the last commits, which a resumed run then re-ingests
//! from the shard files). A writer that closes switches the file back to a rollback journal
//! when no other connection has it open, so readers leave no `-wal` or `-shm` file beside it.
//!
//! # Schema (version 3, in `PRAGMA user_version`)
//!
//! | table      | one row per                  | columns |
//! |------------|------------------------------|---------|
//! | `shards`   | ingested shard               | `shard` PK, `n_articles`, `inserted_at` (UTC, RFC 3339) |
//! | `articles` | report                       | `article_id` (integer PK), `id` (the report's id, unique), `shard`, `source`, `url`, `date`, `month` (`YYYY-MM` or NULL), `length`, `title`, `detector`, `n_spans`, `propaganda_chars`, `n_sentences`, `n_check_worthy`, `n_quotes`, `n_unattributed`, `n_findings` |
//! | `spans`    | propaganda span              | `article_id`, `n`, `technique` (PTC name), `start`, `end`, `confidence`, `text` |
//! | `claims`   | *check-worthy* sentence      | `article_id`, `n`, `start`, `end`, `score`, `text` |
//! | `quotes`   | quote or reported statement  | `article_id`, `n`, `kind`, `start`, `end`, `text`, `cue`, `source`, `speaker`, `unattributed`, `headline` (NULL in rows written before version 2), `within` (the `n` of the statement this one is reported inside; NULL for a statement of its own; -1 in rows written before version 3, where it was not recorded) |
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
//! An older database (version 1, before `quotes.headline`; version 2, before `quotes.within`)
//! is brought to version 3 when opened for writing, its old rows marked as not recorded in the
//! new columns (`headline` NULL, `within` -1) rather than given a guess; statistics read every
//! version.
//!
//! An article id seen again (in a later shard, or twice in one) replaces the earlier article
//! with all its rows: ids are keys, and the latest analysis of an article is the one to count.

use anyhow::{bail, Context, Result};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Duration;
use unspin::Report;

/// SQLite's own message ("file is not a database") without the source rusqlite attaches to it,
/// which says the same again with its number ("Error code 26: File opened that is not a
/// database file"): error chains print every source, and users saw both. For the errors a
/// user's file causes (opening, setting up, reading the version); the rest keep rusqlite's.
fn sqlite(e: rusqlite::Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// File name of the database inside a batch output directory.
pub const DATABASE_FILE: &str = "unspin.sqlite";

/// Whether `name` is the database file `database` (a file name) or one of the files SQLite
/// keeps beside it while writing (`-wal`, `-shm`, `-journal`): replacing any of them corrupts
/// the database.
pub fn is_database_file(database: &str, name: &str) -> bool {
    name.strip_prefix(database)
        .is_some_and(|rest| ["", "-wal", "-shm", "-journal"].contains(&rest))
}

/// The schema version this code writes, kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 3;

/// Whether the database file's header says WAL mode (bytes 18 and 19, the read and write
/// versions, are 2); false for anything unreadable or too short, which the normal open then
/// reports.
fn in_wal_mode(path: &Path) -> bool {
    let mut header = [0u8; 20];
    fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
        .is_ok_and(|()| header[18] == 2 && header[19] == 2)
}

/// `path` with `suffix` added to its file name, where SQLite keeps its journals.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// `path` as an SQLite URI (`file:` and the path's bytes, percent-encoded where a URI needs
/// it) that opens the file as immutable: no locks, no journal, no files made beside it.
///
/// ```text
/// /runs/a b/unspin.sqlite  ->  file:///runs/a%20b/unspin.sqlite?immutable=1
/// run#2/unspin.sqlite      ->  file:run%232/unspin.sqlite?immutable=1
/// ```
///
/// An absolute path gets the empty authority (`file://`), so that one starting with `//`
/// is not read as a host name.
fn immutable_uri(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut uri = String::from(if bytes.starts_with(b"/") {
        "file://"
    } else {
        "file:"
    });
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// The oldest version this code reads, and (opened for writing) brings up to date.
const OLDEST_VERSION: i64 = 1;

/// What brings a database of version `v` (the index plus [`OLDEST_VERSION`]) to the next one.
const MIGRATIONS: &[&str] = &[
    // 1 → 2: whether a quote was made in a headline (`Quote::headline`); unknown for old rows.
    "ALTER TABLE quotes ADD COLUMN headline INTEGER;",
    // 2 → 3: the statement a quote is reported inside (`Quote::within`, its `n`). NULL already
    // means "a statement of its own", so old rows get -1, "not recorded", rather than a guess
    // that would count them as statements of their own. (Builds from 0cbaa92 to 6aba801^,
    // all of 2026-12-05, migrated without the -1; nothing outside this repository ran them.)
    "ALTER TABLE quotes ADD COLUMN within INTEGER; UPDATE quotes SET within = -1;",
];

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
    headline     INTEGER,
    within       INTEGER,
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
     source, speaker, unattributed, headline, within) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, \
     ?11, ?12)";
const INSERT_FINDING: &str =
    "INSERT INTO findings (n, article_id, kind, explanation, places) VALUES (?1, ?2, ?3, ?4, ?5)";

/// An open results database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Opened to write ([`Store::open`]): the file is in WAL mode while this lives.
    write: bool,
}

impl Drop for Store {
    /// A writer leaves the file in rollback-journal mode. In WAL mode every reader (`stats`)
    /// makes `-wal` and `-shm` files beside the database that a read-only connection cannot
    /// remove, and cannot read it at all from a directory it may not write. The next writer
    /// turns WAL on again. Best effort: with another connection open the switch fails at once
    /// (no busy wait), and the file stays in WAL mode, readable as before.
    fn drop(&mut self) {
        if self.write {
            let _ = self.conn.busy_timeout(Duration::ZERO);
            let _ = self
                .conn
                .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                    r.get::<_, String>(0)
                });
        }
    }
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
            .map_err(sqlite)
            .with_context(|| format!("{}: cannot open the results database", path.display()))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            write: true,
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
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        // A file in rollback mode (what writers leave) is read the normal way, which makes no
        // file beside it. One left in WAL mode (by builds before writers switched back, or a
        // copy) makes `-wal` and `-shm` files on a normal read, and fails in a directory stats
        // may not write; with no `-wal` beside it no writer has it open, so it is read as
        // immutable. Only then: an immutable reader takes no locks and would not notice a
        // batch that starts while it reads, a risk left only for those older files. SQLite
        // puts `-wal` beside the file a link points to, so the check looks there.
        let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let conn = if in_wal_mode(&real) && !beside(&real, "-wal").exists() {
            Connection::open_with_flags(immutable_uri(&real), flags | OpenFlags::SQLITE_OPEN_URI)
        } else {
            Connection::open_with_flags(path, flags)
        }
        .map_err(sqlite)
        .with_context(|| format!("{}: cannot open the results database", path.display()))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            write: false,
        };
        store.configure(false)?;
        match store.schema_version()? {
            OLDEST_VERSION..=SCHEMA_VERSION => Ok(store),
            0 => bail!(
                "{}: not an unspin results database (it has no unspin tables)",
                path.display()
            ),
            v => bail!(
                "{}: results database of schema version {v}; this unspin reads versions \
                 {OLDEST_VERSION} to {SCHEMA_VERSION}",
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
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(sqlite)
            .with_context(ctx)?;
        // Prepared statements are reused for every row of every shard.
        self.conn.set_prepared_statement_cache_capacity(32);
        if write {
            // `journal_mode` answers with the mode in force; a file that is not a database
            // fails here, with SQLite's "file is not a database".
            let mode: String = self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(sqlite)
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
                .map_err(sqlite)
                .with_context(ctx)?;
        }
        Ok(())
    }

    fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sqlite)
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
                    .map_err(sqlite)
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
            v @ OLDEST_VERSION..SCHEMA_VERSION => self.migrate().with_context(|| {
                format!(
                    "{}: cannot bring the results database from schema version {v} to \
                     {SCHEMA_VERSION}",
                    self.path.display()
                )
            }),
            v => bail!(
                "{}: results database of schema version {v}; this unspin writes version \
                 {SCHEMA_VERSION}",
                self.path.display()
            ),
        }
    }

    /// Brings an older database up to [`SCHEMA_VERSION`] in one transaction. The version is
    /// read again under the write lock: a second batch process that opened the file at the
    /// same time has waited for the first one's migration, and must not run it twice.
    fn migrate(&self) -> Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let steps = self.schema_version().and_then(|v| {
            if v > SCHEMA_VERSION {
                bail!("a newer unspin made it version {v} meanwhile");
            }
            let steps = MIGRATIONS[usize::try_from(v - OLDEST_VERSION)?..].concat();
            self.conn
                .execute_batch(&format!("{steps} PRAGMA user_version = {SCHEMA_VERSION};"))?;
            Ok(())
        });
        match steps {
            Ok(()) => Ok(self.conn.execute_batch("COMMIT")?),
            Err(e) => {
                // The error is the one to report; a failed rollback leaves nothing committed.
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
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
        self.write_shard(shard, reports, false)
    }

    /// [`Store::insert_shard`], first deleting the rows an earlier insert of this shard left
    /// (its articles and everything under them), in the same transaction: for a chunk
    /// analysed again because its shard file was damaged.
    pub fn replace_shard(&mut self, shard: u64, reports: &[Report]) -> Result<()> {
        self.write_shard(shard, reports, true)
    }

    fn write_shard(&mut self, shard: u64, reports: &[Report], replace: bool) -> Result<()> {
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
            if !replace {
                return Ok(());
            }
            let of_shard = "article_id IN (SELECT article_id FROM articles WHERE shard = ?1)";
            for delete in [
                format!("DELETE FROM spans WHERE {of_shard}"),
                format!("DELETE FROM claims WHERE {of_shard}"),
                format!("DELETE FROM quotes WHERE {of_shard}"),
                format!("DELETE FROM findings WHERE {of_shard}"),
                "DELETE FROM articles WHERE shard = ?1".to_string(),
                "DELETE FROM shards WHERE shard = ?1".to_string(),
            ] {
                tx.execute(&delete, [shard_key])
                    .with_context(|| format!("{path}: cannot delete the rows of shard {shard}"))?;
            }
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
    insert_children(tx, tx.last_insert_rowid(), r)
}

/// The report's spans, check-worthy claims, quotes and findings, under the article row `key`.
fn insert_children(tx: &rusqlite::Transaction<'_>, key: i64, r: &Report) -> Result<()> {
    let mut stmt = tx.prepare_cached(INSERT_SPAN)?;
    for (n, s) in r.spans.iter().enumerate() {
        stmt.execute(params![
            to_i64(n)?,
            key,
            s.technique().name(),
            to_i64(s.start())?,
            to_i64(s.end())?,
            f64::from(s.confidence()),
            s.text()
        ])?;
    }
    let mut stmt = tx.prepare_cached(INSERT_CLAIM)?;
    for (n, c) in r.claims.iter().filter(|c| c.check_worthy).enumerate() {
        stmt.execute(params![
            to_i64(n)?,
            key,
            to_i64(c.start())?,
            to_i64(c.end())?,
            f64::from(c.score),
            c.text()
        ])?;
    }
    let mut stmt = tx.prepare_cached(INSERT_QUOTE)?;
    for (n, q) in r.quotes.iter().enumerate() {
        stmt.execute(params![
            to_i64(n)?,
            key,
            enum_name(&q.kind)?,
            to_i64(q.content.start())?,
            to_i64(q.content.end())?,
            q.content.text(),
            q.cue.as_ref().map(|p| p.text()),
            q.source.as_ref().map(|p| p.text()),
            q.speaker,
            q.unattributed,
            q.headline,
            q.within.map(to_i64).transpose()?
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
        .map(|s| (s.start().min(report.length), s.end().min(report.length)))
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
mod tests;
