//! End-to-end tests of `unspin stats`: each output format carries the hand-computed numbers of
//! a small database, files are written whole, and bad input fails with exit code 2 and a
//! message naming the path.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use unspin::aids::{Finding, FindingKind, Place};
use unspin::{Report, ReportSpan, Technique};
use unspin_corpus::store::{Store, DATABASE_FILE};

fn unspin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_unspin"));
    c.env_remove("NO_COLOR").env_remove("UNSPIN_DATA");
    c
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// Exit code 2, `unspin: error:` naming every needle, nothing on stdout, no panic.
fn fails_with(cmd: &mut Command, needles: &[&str]) {
    let out = cmd.assert().code(2).stdout("").get_output().clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("unspin: error: "), "stderr: {err}");
    assert!(!err.contains("panicked"), "stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

/// A span as a stored report holds it: read back, so its text is taken as given.
fn span(start: usize, end: usize, t: Technique, text: &str) -> ReportSpan {
    let v = serde_json::json!({"start": start, "end": end, "technique": t, "confidence": 0.8, "text": text});
    serde_json::from_value(v).unwrap()
}

fn report(id: &str, source: &str, date: &str, length: usize, spans: Vec<ReportSpan>) -> Report {
    Report {
        id: id.into(),
        source: Some(source.into()),
        url: Some(format!("https://example.org/{id}")),
        date: Some(date.into()),
        length,
        detector: "test".into(),
        version: None,
        created: None,
        title: None,
        text: None,
        spans,
        claims: Vec::new(),
        quotes: Vec::new(),
        findings: Vec::new(),
        notes: Vec::new(),
    }
}

/// A batch-like directory with a database of three articles:
/// - "Daily Ledger": 2 articles (2025-01, 2025-02), 400 + 600 chars; spans [0,100) and
///   [50,150) overlap, so 150 + 50 = 200 propaganda chars: share 20.0%.
/// - "Patriot Wire": 1 article (2025-02), 500 chars, 250 in spans: share 50.0%.
///
/// Overall: 450 / 1500 = 30.0%.
fn batch_dir() -> tempfile::TempDir {
    use Technique::*;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join(DATABASE_FILE)).unwrap();
    let mut with_finding = report(
        "ledger-1",
        "Daily Ledger",
        "2025-01-15",
        400,
        vec![
            span(0, 100, LoadedLanguage, "Reckless"),
            span(50, 150, NameCallingLabeling, "traitors"),
        ],
    );
    with_finding.findings.push(Finding {
        kind: FindingKind::PartsDontSumToTotal,
        places: vec![serde_json::from_value::<Place>(
            serde_json::json!({"start": 0, "end": 3, "text": "100"}),
        )
        .unwrap()],
        explanation: "40 + 50 is 90, not the 100 given as the total".into(),
    });
    store
        .insert_shard(
            0,
            &[
                with_finding,
                report(
                    "ledger-2",
                    "Daily Ledger",
                    "2025-02-01T08:00:00Z",
                    600,
                    vec![span(10, 60, LoadedLanguage, "reckless!")],
                ),
            ],
        )
        .unwrap();
    store
        .insert_shard(
            1,
            &[report(
                "wire-1",
                "Patriot Wire",
                "2025-02-03",
                500,
                vec![
                    span(0, 200, FlagWaving, "our great nation"),
                    span(300, 350, LoadedLanguage, "RECKLESS"),
                ],
            )],
        )
        .unwrap();
    dir
}

#[test]
fn table_shows_every_section_with_the_hand_computed_shares() {
    let dir = batch_dir();
    let out = stdout_of(unspin().arg("stats").arg(dir.path()));
    for needle in [
        "OVERVIEW",
        "TECHNIQUES",
        "OUTLETS",
        "MONTHS",
        "LOADED PHRASES",
        "ARTICLES WITH THE MOST FINDINGS",
        "Daily Ledger",
        "Patriot Wire",
        "30.0% of 1,500 characters",
        "20.0%",
        "50.0%",
        "2025-01",
        "2025-02",
        "reckless",
        "40 + 50 is 90",
    ] {
        assert!(out.contains(needle), "table lacks {needle:?}:\n{out}");
    }
    // The phrase row: "Reckless", "reckless!" and "RECKLESS" are one phrase in two outlets.
    let phrase = out.lines().find(|l| l.contains("reckless")).unwrap();
    let cells: Vec<&str> = phrase.split_whitespace().collect();
    assert_eq!(
        cells[..5],
        ["1", "reckless", "3", "2", "Loaded"],
        "{phrase}"
    );
}

#[test]
fn json_carries_exact_numbers_and_the_database_file_works_too() {
    let dir = batch_dir();
    let db = dir.path().join(DATABASE_FILE);
    let out = stdout_of(unspin().args(["stats", "--format", "json"]).arg(&db));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["totals"]["articles"], 3);
    assert_eq!(v["totals"]["propaganda_chars"], 450);
    assert_eq!(v["totals"]["propaganda_share"], 0.3);
    let sources = v["by_source"].as_array().unwrap();
    assert_eq!(sources[0]["source"], "Daily Ledger");
    assert_eq!(sources[0]["propaganda_share"], 0.2);
    assert_eq!(sources[1]["propaganda_share"], 0.5);
    let loaded = sources[0]["techniques"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["technique"] == "Loaded_Language")
        .unwrap();
    assert_eq!(loaded["spans"], 2);
    assert_eq!(loaded["per_1000_articles"], 1000.0);
    assert_eq!(v["top_findings"][0]["id"], "ledger-1");
}

#[test]
fn filters_apply() {
    let dir = batch_dir();
    let out = stdout_of(unspin().arg("stats").arg(dir.path()).args([
        "--format",
        "json",
        "--source",
        "Patriot Wire",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["totals"]["articles"], 1);
    assert_eq!(v["totals"]["propaganda_share"], 0.5);
    let out = stdout_of(unspin().arg("stats").arg(dir.path()).args([
        "--format", "json", "--since", "2025-02", "--until", "2025-02",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["totals"]["articles"], 2);
    assert_eq!(v["by_month"].as_array().unwrap().len(), 1);
    let out = stdout_of(
        unspin()
            .arg("stats")
            .arg(dir.path())
            .args(["--source", "Nobody"]),
    );
    assert!(
        out.contains("No article matches the filter (outlet \"Nobody\")"),
        "{out}"
    );
}

#[test]
fn csv_to_stdout_and_one_file_per_section() {
    let dir = batch_dir();
    let out = stdout_of(
        unspin()
            .arg("stats")
            .arg(dir.path())
            .args(["--format", "csv"]),
    );
    assert!(out.starts_with("section,source,month,technique,item,metric,value\r\n"));
    assert!(
        out.contains("sources,Patriot Wire,,,,propaganda_share,0.5\r\n"),
        "{out}"
    );
    assert!(
        out.contains("phrases,,,Loaded_Language,reckless,count,3\r\n"),
        "{out}"
    );

    let csv = dir.path().join("csv");
    unspin()
        .arg("stats")
        .arg(dir.path())
        .arg("--csv-dir")
        .arg(&csv)
        .assert()
        .success()
        .stdout("");
    let mut names: Vec<String> = fs::read_dir(&csv)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "findings.csv",
            "months.csv",
            "overview.csv",
            "phrases.csv",
            "sources.csv",
            "techniques.csv",
            "techniques_by_month.csv",
            "techniques_by_source.csv",
        ]
    );
    let sources = fs::read_to_string(csv.join("sources.csv")).unwrap();
    assert_eq!(
        sources,
        "source,articles,chars,propaganda_chars,propaganda_share,spans,spans_per_1000_articles,findings\r\n\
         Daily Ledger,2,1000,200,0.2,3,1500,1\r\n\
         Patriot Wire,1,500,250,0.5,2,2000,0\r\n"
    );
    let by_month = fs::read_to_string(csv.join("techniques_by_month.csv")).unwrap();
    assert!(
        by_month.contains("2025-02,Loaded_Language,2,1000,0.666667\r\n"),
        "{by_month}"
    );
}

#[test]
fn html_report_is_self_contained_with_a_chart_row_per_outlet() {
    let dir = batch_dir();
    let html = dir.path().join("report.html");
    let out = unspin()
        .arg("stats")
        .arg(dir.path())
        .arg("--html")
        .arg(&html)
        .assert()
        .success()
        .stdout("")
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("report.html"));
    let page = fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    for needle in [
        r#"data-testid="mix""#,
        r#"data-testid="time""#,
        r#"data-testid="share""#,
        r#"data-testid="phrases""#,
        r#"data-testid="heat""#,
        r#"data-testid="findings""#,
        r#"data-testid="legend""#,
        "30.0%",
        "50.0%",
        Technique::FlagWaving.color(),
    ] {
        assert!(page.contains(needle), "page lacks {needle:?}");
    }
    // One row per outlet in each outlet chart (mix and share).
    assert_eq!(page.matches(r#"data-outlet="Daily Ledger""#).count(), 2);
    assert_eq!(page.matches(r#"data-outlet="Patriot Wire""#).count(), 2);
    // Self-contained: nothing is fetched.
    for remote in ["src=\"http", "href=\"//", "@import", "<link "] {
        assert!(!page.contains(remote), "page fetches something: {remote}");
    }
    // The title is the batch directory's name.
    let name = dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(page.contains(&format!("<h1>{name}</h1>")));

    // With --format the table still goes to stdout; --output puts it in a file.
    let table = dir.path().join("stats.txt");
    unspin()
        .arg("stats")
        .arg(dir.path())
        .arg("--html")
        .arg(&html)
        .arg("--output")
        .arg(&table)
        .assert()
        .success()
        .stdout("");
    assert!(fs::read_to_string(&table).unwrap().contains("OVERVIEW"));
}

#[test]
fn reports_from_analyze_ingest_and_count() {
    // The real pipeline: `analyze --format jsonl` writes the report schema a shard holds.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/article1001.txt");
    let jsonl = stdout_of(
        unspin()
            .args(["analyze", "--format", "jsonl"])
            .arg(&example),
    );
    let report: Report = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert!(!report.spans.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let shard = dir.path().join("part-000000.jsonl");
    fs::write(&shard, &jsonl).unwrap();
    let mut store = Store::open(&dir.path().join(DATABASE_FILE)).unwrap();
    store.ingest_shard_file(0, &shard).unwrap();
    drop(store);

    let out = stdout_of(
        unspin()
            .arg("stats")
            .arg(dir.path())
            .args(["--format", "json"]),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["totals"]["articles"], 1);
    assert_eq!(v["totals"]["spans"], report.spans.len());
    assert_eq!(v["totals"]["chars"], report.length);
    assert_eq!(v["by_source"][0]["source"], Value::Null);
    let claims = report.claims.iter().filter(|c| c.check_worthy).count();
    assert_eq!(v["totals"]["check_worthy"], claims);
    let notes = v["notes"].as_array().unwrap();
    assert!(notes
        .iter()
        .any(|n| n.as_str().unwrap().contains("No article names its outlet")));
}

#[test]
fn empty_database_is_a_clear_message_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(&dir.path().join(DATABASE_FILE)).unwrap();
    let out = stdout_of(unspin().arg("stats").arg(dir.path()));
    assert!(out.contains("The database holds no articles yet."), "{out}");
    let html = dir.path().join("r.html");
    unspin()
        .arg("stats")
        .arg(dir.path())
        .arg("--html")
        .arg(&html)
        .assert()
        .success();
    let page = fs::read_to_string(&html).unwrap();
    assert!(page.contains(r#"data-testid="empty""#) && !page.contains("NaN"));
}

#[test]
fn missing_or_bad_databases_fail_with_exit_2_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing: PathBuf = dir.path().join("nothing-here");
    fails_with(unspin().arg("stats").arg(&missing), &["nothing-here"]);
    // A directory without a database: named, with the file expected in it.
    fails_with(
        unspin().arg("stats").arg(dir.path()),
        &[&dir.path().display().to_string(), DATABASE_FILE],
    );
    assert!(
        !dir.path().join(DATABASE_FILE).exists(),
        "stats must not create a database"
    );
    let junk = dir.path().join("junk.sqlite");
    fs::write(
        &junk,
        "not a database at all, just text that goes on for a while",
    )
    .unwrap();
    fails_with(unspin().arg("stats").arg(&junk), &["junk.sqlite"]);

    let good = batch_dir();
    fails_with(
        unspin()
            .arg("stats")
            .arg(good.path())
            .args(["--since", "2025-13"]),
        &["2025-13"],
    );
    fails_with(
        unspin()
            .arg("stats")
            .arg(good.path())
            .args(["--since", "2025-05", "--until", "2025-01"]),
        &["2025-05", "2025-01"],
    );
    fails_with(
        unspin().arg("stats").arg(good.path()).args(["--top", "0"]),
        &["--top"],
    );
    // An output file that cannot be written: nothing half-written, the path named.
    fails_with(
        unspin()
            .arg("stats")
            .arg(good.path())
            .arg("--html")
            .arg(good.path().join("no/such/dir/r.html")),
        &["r.html"],
    );
}

#[test]
fn outputs_never_touch_the_batch_runs_own_files_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    fs::create_dir(&corpus).unwrap();
    fs::write(
        corpus.join("article1.txt"),
        "The corrupt traitors will destroy our great nation. Officials said so.",
    )
    .unwrap();
    let run = dir.path().join("run");
    run_batch(&run, &corpus);
    let before = files_under(&run);
    every_file_of_the_run_is_refused(&run);
    a_refused_destination_stops_the_others(&run, &dir.path().join("csv"));
    let after = files_under(&run);
    let paths = |files: &[(PathBuf, Vec<u8>)]| -> Vec<PathBuf> {
        files.iter().map(|(p, _)| p.clone()).collect()
    };
    assert_eq!(paths(&after), paths(&before));
    assert!(after == before, "the batch directory's files are untouched");

    a_lone_database_and_its_journals_are_refused(&run, dir.path());
    // Anything else in or beside the batch directory is fine, and the run still resumes.
    let report = run.join("report.txt");
    unspin()
        .arg("stats")
        .arg(&run)
        .arg("--output")
        .arg(&report)
        .assert()
        .success();
    assert!(fs::read_to_string(&report).unwrap().contains("OVERVIEW"));
    run_batch(&run, &corpus);
}

fn run_batch(run: &Path, corpus: &Path) {
    unspin()
        .args(["batch", "-q", "--out"])
        .arg(run)
        .arg(corpus)
        .assert()
        .success();
}

/// Every file under `dir` with its bytes, sorted, so that two snapshots compare byte for byte.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                // `-shm` and `-wal` files too: reading must leave none behind.
                let bytes = fs::read(&p).unwrap();
                files.push((p, bytes));
            }
        }
    }
    files.sort();
    files
}

fn every_file_of_the_run_is_refused(run: &Path) {
    let shard = fs::read_dir(run.join("shards"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let spelled_otherwise = run.join("shards").join("..").join(DATABASE_FILE);
    for force in [&[][..], &["--force"][..]] {
        for (flag, target) in [
            ("--output", run.join(DATABASE_FILE)),
            ("--output", spelled_otherwise.clone()),
            ("--output", run.join("unspin.sqlite-wal")),
            ("--output", run.join("batch.json")),
            ("--output", run.join("errors.jsonl")),
            ("--html", run.join("summary.json")),
            ("--html", shard.clone()),
            ("--csv-dir", run.join("shards")),
        ] {
            fails_with(
                unspin()
                    .arg("stats")
                    .arg(run)
                    .args(force)
                    .arg(flag)
                    .arg(&target),
                &[&target.display().to_string(), "never writes there"],
            );
        }
        // Given the database file itself, the same holds.
        fails_with(
            unspin()
                .arg("stats")
                .arg(run.join(DATABASE_FILE))
                .args(force)
                .arg("--output")
                .arg(run.join(DATABASE_FILE)),
            &[DATABASE_FILE, "never writes there"],
        );
    }
}

/// A refused destination stops the others too: nothing is written at all.
fn a_refused_destination_stops_the_others(run: &Path, csv: &Path) {
    fails_with(
        unspin()
            .arg("stats")
            .arg(run)
            .arg("--csv-dir")
            .arg(csv)
            .arg("--html")
            .arg(run.join("batch.json")),
        &["batch.json"],
    );
    assert!(!csv.exists());
}

/// A database outside any batch directory: it and its journal files are protected.
fn a_lone_database_and_its_journals_are_refused(run: &Path, dir: &Path) {
    let lone = dir.join("results.db");
    fs::copy(run.join(DATABASE_FILE), &lone).unwrap();
    for target in ["results.db", "results.db-journal"] {
        fails_with(
            unspin()
                .arg("stats")
                .arg(&lone)
                .args(["--force", "--output"])
                .arg(dir.join(target)),
            &[target, "never writes there"],
        );
    }
}

#[test]
fn two_outputs_on_one_file_are_refused_before_either_is_written() {
    let dir = batch_dir();
    let out = tempfile::tempdir().unwrap();
    let same = out.path().join("same.txt");
    fs::write(&same, "keep").unwrap();
    let csv = out.path().join("newcsv");
    for (a, b) in [
        (("--output", same.clone()), ("--html", same.clone())),
        (
            ("--output", csv.join("overview.csv")),
            ("--csv-dir", csv.clone()),
        ),
        (
            ("--html", csv.join("phrases.csv")),
            ("--csv-dir", csv.join("..").join("newcsv")),
        ),
    ] {
        fails_with(
            unspin()
                .arg("stats")
                .arg(dir.path())
                .arg(a.0)
                .arg(&a.1)
                .arg(b.0)
                .arg(&b.1),
            &[a.0, b.0],
        );
        assert_eq!(fs::read_to_string(&same).unwrap(), "keep");
        assert!(!csv.exists());
    }
}
