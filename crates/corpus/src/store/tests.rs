use super::*;
use unspin::aids::{Claim, Finding, FindingKind, Place, Quote, QuoteKind};
use unspin::{ReportSpan, Technique};

/// A span as a stored report holds it: read back, so its text is taken as given.
fn span(start: usize, end: usize, t: Technique, text: &str) -> ReportSpan {
    let v = serde_json::json!({"start": start, "end": end, "technique": t, "confidence": 0.9, "text": text});
    serde_json::from_value(v).unwrap()
}

/// A place as a stored report holds it.
fn place(start: usize, end: usize, text: &str) -> Place {
    serde_json::from_value(serde_json::json!({"start": start, "end": end, "text": text})).unwrap()
}

/// A claim as a stored report holds it.
fn claim(start: usize, end: usize, text: &str, score: f32, check_worthy: bool) -> Claim {
    let v = serde_json::json!({"start": start, "end": end, "text": text, "score": score, "check_worthy": check_worthy});
    serde_json::from_value(v).unwrap()
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
            claim(0, 40, "a", 0.8, true),
            claim(40, 100, "b", 0.1, false),
        ],
        quotes: vec![Quote {
            kind: QuoteKind::Reported,
            content: place(70, 90, "that it was bad"),
            cue: Some(place(62, 66, "said")),
            source: Some(place(60, 62, "he")),
            speaker: Some("John Smith".into()),
            speaker_place: None,
            unattributed: false,
            headline: false,
            within: None,
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

/// Shard 7 holding two reports: "a" with an outlet and an ISO date, "b" with neither an
/// outlet nor a date that parses.
fn shard_7() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db.sqlite")).unwrap();
    let reports = vec![
        report("a", Some("Outlet"), Some("2025-03-01T10:00:00Z")),
        report("b", None, Some("garbage")),
    ];
    store.insert_shard(7, &reports).unwrap();
    (dir, store)
}

#[test]
fn insert_stores_every_table_with_exact_counts() {
    let (_dir, store) = shard_7();
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
}

#[test]
fn an_article_row_holds_its_month_and_what_its_report_counts() {
    let (_dir, store) = shard_7();
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
}

#[test]
fn quotes_and_findings_keep_their_kinds_cues_and_places() {
    let (_dir, store) = shard_7();
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
    assert_eq!(places[1].text(), "Smyth");
    let kind: String = store
        .conn
        .query_row("SELECT kind FROM findings LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kind, "name_spelled_two_ways");
}

/// Column `column` of article `id`'s quotes, in order.
fn quote_column(store: &Store, id: &str, column: &str) -> Vec<Option<i64>> {
    let sql = format!(
        "SELECT q.{column} FROM quotes q JOIN articles a USING (article_id) \
         WHERE a.id = ?1 ORDER BY q.n"
    );
    let mut stmt = store.conn.prepare(&sql).unwrap();
    let rows = stmt.query_map([id], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

/// A database at `path` holding the article "old", taken back to an older schema by `sql`.
fn older_database(path: &std::path::Path, sql: &str) {
    let mut store = Store::open(path).unwrap();
    store.insert_shard(1, &[report("old", None, None)]).unwrap();
    store.conn.execute_batch(sql).unwrap();
}

#[test]
fn a_version_1_database_is_read_and_brought_up_to_date_when_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    // A version 1 database: no quotes.headline, no quotes.within.
    older_database(
        &path,
        "ALTER TABLE quotes DROP COLUMN headline; ALTER TABLE quotes DROP COLUMN within; \
         PRAGMA user_version = 1;",
    );
    let ro = Store::open_read_only(&path).unwrap();
    assert_eq!(ro.shards().unwrap(), BTreeSet::from([1]));
    drop(ro);

    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    // A second writer that saw version 1 before the first migrated must not migrate again.
    store.migrate().unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let mut new = report("new", None, None);
    new.quotes[0].headline = true;
    let mut inner = new.quotes[0].clone();
    inner.within = Some(0);
    new.quotes.push(inner);
    store.insert_shard(2, &[new]).unwrap();
    let column = |id: &str, column: &str| quote_column(&store, id, column);
    assert_eq!(
        column("old", "headline"),
        [None],
        "not recorded before version 2"
    );
    assert_eq!(column("new", "headline"), [Some(1), Some(1)]);
    assert_eq!(
        column("old", "within"),
        [Some(-1)],
        "not recorded before version 3"
    );
    assert_eq!(column("new", "within"), [None, Some(0)]);

    store
        .conn
        .execute_batch("PRAGMA user_version = 4;")
        .unwrap();
    drop(store);
    let e = format!("{:#}", Store::open(&path).unwrap_err());
    assert!(e.contains("schema version 4"), "{e}");
    let e = format!("{:#}", Store::open_read_only(&path).unwrap_err());
    assert!(e.contains("reads versions 1 to 3"), "{e}");
}

#[test]
fn a_version_2_database_marks_within_as_not_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    older_database(
        &path,
        "ALTER TABLE quotes DROP COLUMN within; PRAGMA user_version = 2;",
    );
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    store.insert_shard(2, &[report("new", None, None)]).unwrap();
    let within = |id: &str| quote_column(&store, id, "within");
    assert_eq!(within("old"), [Some(-1)], "not recorded");
    assert_eq!(within("new"), [None], "a statement of its own");
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
    bad.spans[2] = span(50, usize::MAX, Technique::Doubt, "really?");
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
    // SQLite's reason once, without rusqlite's numbered restatement of it.
    for e in [
        Store::open(&junk).unwrap_err(),
        Store::open_read_only(&junk).unwrap_err(),
    ] {
        let e = format!("{e:#}");
        assert!(e.contains("junk.sqlite"), "{e}");
        assert_eq!(e.matches("not a database").count(), 1, "{e}");
        assert!(!e.contains("Error code"), "{e}");
    }

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
                    .map(|k| {
                        claim(
                            k * 130,
                            k * 130 + 120,
                            "A sentence of a news article, about one hundred and twenty \
                             characters long, that may be worth checking.",
                            if k % 3 == 0 { 0.7 } else { 0.2 },
                            k % 3 == 0,
                        )
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

/// The file names in `dir`, sorted.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `stats` reads without leaving `-wal` or `-shm` files beside the database: the writer leaves
/// the file in rollback mode, and one still in WAL mode with no journal beside it (an older
/// build's, a copy) is read as immutable.
#[test]
fn reading_leaves_no_files_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        store.insert_shard(2, &[report("a", None, None)]).unwrap();
        let mode: String = store
            .connection()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal", "a writer works in WAL mode");
    }
    let mode = |path: &std::path::Path| -> String {
        Connection::open(path)
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(mode(&path), "delete", "the writer left rollback mode");
    let read = || {
        let ro = Store::open_read_only(&path).unwrap();
        assert_eq!(ro.shards().unwrap(), BTreeSet::from([2]));
    };
    read();
    assert_eq!(names_in(dir.path()), ["db.sqlite"]);

    // Left in WAL mode, as builds before the switch back left it.
    Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        .unwrap();
    assert_eq!(mode(&path), "wal");
    assert_eq!(names_in(dir.path()), ["db.sqlite"]);
    read();
    assert_eq!(names_in(dir.path()), ["db.sqlite"]);
}

#[test]
fn the_immutable_uri_escapes_what_a_uri_cannot_hold() {
    let uri = |p: &str| immutable_uri(std::path::Path::new(p));
    assert_eq!(
        uri("/runs/a b/unspin.sqlite"),
        "file:///runs/a%20b/unspin.sqlite?immutable=1"
    );
    assert_eq!(
        uri("run#2/x?.sqlite"),
        "file:run%232/x%3F.sqlite?immutable=1"
    );
    assert_eq!(uri("//host/db"), "file:////host/db?immutable=1");
    assert_eq!(uri("ü%.db"), "file:%C3%BC%25.db?immutable=1");
}
