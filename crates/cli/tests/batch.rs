//! `unspin batch` end to end: every input kind, bad records going to the errors file without
//! stopping the run, and the crash-safety promise: a run killed with SIGKILL and resumed ends
//! with exactly the files and database rows of an uninterrupted run.

use assert_cmd::Command;
use flate2::write::GzEncoder;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn unspin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_unspin"));
    c.env_remove("UNSPIN_DATA");
    c
}

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    fs::read_to_string(path).unwrap()
}

/// Every line of every shard, in shard order, parsed.
fn shard_records(out: &Path) -> Vec<Value> {
    let mut names: Vec<PathBuf> = fs::read_dir(out.join("shards"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let mut records = Vec::new();
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("part-") && name.ends_with(".jsonl"),
            "stray file in shards/: {name}"
        );
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "{name} is truncated"
        );
        for line in text.lines() {
            records.push(serde_json::from_str(line).unwrap());
        }
    }
    records
}

fn error_records(out: &Path) -> Vec<Value> {
    fs::read_to_string(out.join("errors.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn batch_reads_every_input_kind_and_sets_bad_records_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = mixed_corpus(tmp.path());
    let gz = gzipped_feed(tmp.path());
    let out = tmp.path().join("out");
    unspin()
        .args(["batch", "--quiet", "--chunk-size", "3", "--out"])
        .arg(&out)
        .arg(&corpus)
        .arg(&gz)
        .assert()
        .success();

    good_records_are_analysed_in_input_order(&out);
    bad_records_are_set_aside_with_their_reason(&out, &corpus);
    database_and_summary_agree_with_the_shards(&out);
}

fn mixed_corpus(dir: &Path) -> PathBuf {
    let corpus = dir.join("corpus");
    fs::create_dir_all(corpus.join("pages/2025")).unwrap();
    fs::write(corpus.join("article1001.txt"), example("article1001.txt")).unwrap();
    fs::write(
        corpus.join("pages/2025/page.html"),
        example("article1003.html"),
    )
    .unwrap();
    // Not an article: ignored.
    fs::write(corpus.join("notes.md"), "# notes").unwrap();
    // A binary file with an article's name: an error record, not a stop.
    fs::write(corpus.join("broken.txt"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    write_feed(&corpus.join("feed.jsonl"));
    corpus
}

/// `bad_records_are_set_aside_with_their_reason` finds each bad record by its line number, so
/// the order of these lines is part of the test.
fn write_feed(path: &Path) {
    let text = example("article1002.txt");
    let mut jsonl = Vec::new();
    for line in [
        json!({"id": "j1", "text": text, "source": "Outlet A", "date": "2025-03-01"}).to_string(),
        "{not json".to_string(),
        json!({"id": "j3", "text": "   "}).to_string(),
        json!({"id": "j4"}).to_string(),
        String::new(), // blank lines are skipped, but still counted for positions
        json!({"id": "j1", "text": "A second record with the same id."}).to_string(),
        json!({"id": "j7", "html": example("article1003.html"), "url": "https://example.org/x"})
            .to_string(),
    ] {
        jsonl.extend_from_slice(line.as_bytes());
        jsonl.push(b'\n');
    }
    // Invalid UTF-8 inside a JSON string, on line 8.
    jsonl.extend_from_slice(b"{\"id\": \"j8\", \"text\": \"caf\xe9\"}\n");
    fs::write(path, &jsonl).unwrap();
}

/// An input named after the directory, so that its records must come after the directory's,
/// and gzip'd, so that it must be unpacked.
fn gzipped_feed(dir: &Path) -> PathBuf {
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    writeln!(
        gz,
        "{}",
        json!({"id": "g1", "text": "They are traitors who betrayed the nation.", "source": "Outlet B", "date": "2025-04-02T10:00:00Z"})
    )
    .unwrap();
    let path = dir.join("extra.jsonl.gz");
    fs::write(&path, gz.finish().unwrap()).unwrap();
    path
}

fn good_records_are_analysed_in_input_order(out: &Path) {
    let records = shard_records(out);
    // Directory order is by name: article1001.txt, broken.txt, feed.jsonl, notes.md (ignored),
    // pages/2025/page.html; then the gzip'd file.
    assert_eq!(ids(&records), ["1001", "j1", "j7", "page", "g1"]);
    let j1 = &records[1];
    assert_eq!(j1["source"], "Outlet A");
    assert_eq!(j1["date"], "2025-03-01");
    assert!(!j1["spans"].as_array().unwrap().is_empty());
    assert!(
        !j1["claims"].as_array().unwrap().is_empty(),
        "aids run by default"
    );
    assert_eq!(records[2]["url"], "https://example.org/x");
    assert!(
        records[2]["text"].is_string(),
        "pages carry their extracted text"
    );
}

fn bad_records_are_set_aside_with_their_reason(out: &Path, corpus: &Path) {
    let errors = error_records(out);
    let feed = corpus.join("feed.jsonl").display().to_string();
    let at = |line: u64| {
        errors
            .iter()
            .find(|e| e["input"] == feed.as_str() && e["line"] == line)
            .unwrap_or_else(|| panic!("no error for line {line}: {errors:?}"))["error"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(at(2).contains("invalid record"));
    assert!(at(3).contains("empty text"));
    assert!(at(4).contains("no \"text\" or \"html\""));
    assert!(at(6).contains("duplicate id \"j1\""));
    assert!(at(8).contains("not valid UTF-8"));
    let broken = errors
        .iter()
        .find(|e| e["input"].as_str().unwrap().ends_with("broken.txt"))
        .unwrap();
    assert!(broken["error"].as_str().unwrap().contains("binary"));
    assert!(broken.get("line").is_none());
    assert_eq!(errors.len(), 6);
}

fn database_and_summary_agree_with_the_shards(out: &Path) {
    let db = rusqlite::Connection::open(out.join("unspin.sqlite")).unwrap();
    let n: i64 = db
        .query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 5);
    let summary: Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["counts"]["analysed"], 5);
    assert_eq!(summary["errors_total"], 6);
}

/// A synthetic corpus big enough that a run takes a few seconds: real article texts under new
/// ids, with a few bad records sprinkled in.
fn big_corpus(dir: &Path, n: usize) -> PathBuf {
    let texts = [example("article1001.txt"), example("article1002.txt")];
    let path = dir.join("corpus.jsonl");
    let mut f = fs::File::create(&path).unwrap();
    for i in 0..n {
        if i % 97 == 13 {
            writeln!(f, "{{\"id\": \"bad{i}\", \"text\": ").unwrap();
            continue;
        }
        let text = format!("{}\n\nUpdate {i}: the story continues.", texts[i % 2]);
        let source = ["Outlet A", "Outlet B", "Outlet C"][i % 3];
        // Now and then the id of a record a few chunks back (of 10): a resumed run must know
        // the ids its finished chunks claimed.
        let id = if i % 89 == 50 { i - 35 } else { i };
        let rec = json!({"id": format!("a{id:05}"), "text": text, "source": source,
                         "date": format!("2025-{:02}-01", 1 + i % 12)});
        writeln!(f, "{rec}").unwrap();
    }
    path
}

fn finished_shards(out: &Path) -> usize {
    fs::read_dir(out.join("shards"))
        .map(|d| {
            d.filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                let name = name.to_string_lossy();
                name.starts_with("part-") && name.ends_with(".jsonl")
            })
            .count()
        })
        .unwrap_or(0)
}

/// Starts a batch run and SIGKILLs it once `shards` shards exist; returns whether it was
/// killed before finishing on its own.
fn run_and_kill(corpus: &Path, out: &Path, shards: usize) -> bool {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_unspin"))
        .args(["batch", "--quiet", "--chunk-size", "10", "--out"])
        .arg(out)
        .arg(corpus)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            return false;
        }
        if finished_shards(out) >= shards {
            child.kill().unwrap(); // SIGKILL: no destructors, no flushing
            child.wait().unwrap();
            return true;
        }
        assert!(Instant::now() < deadline, "batch run did not progress");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Runs (or resumes) a batch run to its end; returns its stderr.
fn run_to_end(corpus: &Path, out: &Path) -> String {
    let output = unspin()
        .args(["batch", "--chunk-size", "10", "--out"])
        .arg(out)
        .arg(corpus)
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    String::from_utf8_lossy(&output).into_owned()
}

/// Table contents as sorted text lines, to compare two databases.
fn table_dump(db: &Path) -> Vec<String> {
    dump(db, false)
}

/// [`table_dump`] with each row's article named by its id rather than by its integer key,
/// which follows the order articles went in.
fn dump_by_id(db: &Path) -> Vec<String> {
    dump(db, true)
}

fn dump(db: &Path, by_id: bool) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let ids: std::collections::HashMap<i64, String> = conn
        .prepare("SELECT article_id, id FROM articles")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut lines = Vec::new();
    for (table, cols) in [
        (
            "articles",
            "id, source, date, length, n_spans, propaganda_chars",
        ),
        (
            "spans",
            "article_id, technique, start, \"end\", confidence, text",
        ),
        ("claims", "article_id, start, \"end\", score"),
        ("quotes", "*"),
        ("findings", "*"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT {cols} FROM {table}"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let mut cells = Vec::new();
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    // Every table but articles starts with its article's key.
                    match v {
                        rusqlite::types::Value::Integer(key)
                            if by_id && i == 0 && table != "articles" =>
                        {
                            cells.push(ids[&key].clone())
                        }
                        v => cells.push(format!("{v:?}")),
                    }
                }
                Ok(format!("{table}: {}", cells.join(" | ")))
            })
            .unwrap();
        for row in rows {
            lines.push(row.unwrap());
        }
    }
    lines.sort();
    lines
}

#[test]
fn batch_killed_twice_and_resumed_equals_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = big_corpus(tmp.path(), 1500);

    let whole = tmp.path().join("whole");
    unspin()
        .args(["batch", "--quiet", "--chunk-size", "10", "--out"])
        .arg(&whole)
        .arg(&corpus)
        .assert()
        .success();

    let resumed = tmp.path().join("resumed");
    let killed_once = run_and_kill(&corpus, &resumed, 8);
    let after_first = finished_shards(&resumed);
    let killed_twice = run_and_kill(&corpus, &resumed, after_first + 30);
    assert!(
        killed_once && killed_twice,
        "the run finished before it could be killed; make the corpus bigger"
    );
    let stderr = run_to_end(&corpus, &resumed);
    assert!(stderr.contains("done by an earlier run"), "{stderr}");

    // Same shards, byte for byte, and the same errors file.
    let names: Vec<_> = {
        let mut v: Vec<_> = fs::read_dir(whole.join("shards"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names.len(), 150);
    for name in &names {
        assert_eq!(
            fs::read(whole.join("shards").join(name)).unwrap(),
            fs::read(resumed.join("shards").join(name)).unwrap(),
            "{name:?} differs"
        );
    }
    assert_eq!(finished_shards(&resumed), names.len());
    assert_eq!(
        fs::read(whole.join("errors.jsonl")).unwrap(),
        fs::read(resumed.join("errors.jsonl")).unwrap()
    );
    let duplicates = error_records(&whole)
        .iter()
        .filter(|e| e["error"].as_str().unwrap().contains("duplicate id"))
        .count();
    assert_eq!(duplicates, (0..1500).filter(|i| i % 89 == 50).count());
    let records = shard_records(&resumed);
    let unique: HashSet<_> = ids(&records).into_iter().collect();
    assert_eq!(unique.len(), records.len(), "no record twice");
    assert_eq!(records.len() + error_records(&resumed).len(), 1500);

    // And the same database rows, none twice.
    let expected = table_dump(&whole.join("unspin.sqlite"));
    assert_eq!(expected, table_dump(&resumed.join("unspin.sqlite")));

    // A lost database is rebuilt from the shards, without analysing anything again.
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(resumed.join(format!("unspin.sqlite{suffix}")));
    }
    assert!(run_to_end(&corpus, &resumed).contains("0 articles analysed"));
    assert_eq!(expected, table_dump(&resumed.join("unspin.sqlite")));
}

#[test]
fn a_damaged_finished_shard_is_analysed_again_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = big_corpus(tmp.path(), 60);
    let out = tmp.path().join("out");
    run_to_end(&corpus, &out);
    let shard = |k: usize| out.join("shards").join(format!("part-{k:06}.jsonl"));
    let good: Vec<Vec<u8>> = (0..6).map(|k| fs::read(shard(k)).unwrap()).collect();
    let errors = fs::read(out.join("errors.jsonl")).unwrap();
    let chunk_errors = fs::read(out.join("errors/part-000001.jsonl")).unwrap();
    // Rows by article id: rows put in again take new integer keys.
    let by_id = dump_by_id(&out.join("unspin.sqlite"));
    let analysed = |stderr: &str| -> usize {
        let line = stderr
            .lines()
            .find(|l| l.contains("articles analysed"))
            .unwrap();
        line["unspin: ".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };

    // A report broken inside its first line (chunk 1 also holds a bad record, in errors/),
    // a file cut at its last line's end minus the newline (valid JSON, cut short all the
    // same), and an emptied file; the database has all their rows. Shard 5's chunk claims
    // an id of chunk 1 (a duplicate), so chunk 1's ids must be claimed again.
    let first_end = good[1].iter().position(|&b| b == b'\n').unwrap();
    fs::write(
        shard(1),
        [&good[1][..first_end / 2], &good[1][first_end..]].concat(),
    )
    .unwrap();
    fs::write(shard(3), &good[3][..good[3].len() - 1]).unwrap();
    fs::write(shard(4), b"").unwrap();
    let stderr = run_to_end(&corpus, &out);
    for warning in [
        "part-000001.jsonl: damaged (line 1: not a report",
        "part-000003.jsonl: damaged (line 10: cut short)",
        "part-000004.jsonl: damaged (0 reports and 0 errors for a chunk of 10 records)",
    ] {
        assert!(stderr.contains(warning), "{warning} not in: {stderr}");
    }
    assert_eq!(stderr.matches("analysed again").count(), 3, "{stderr}");
    assert_eq!(analysed(&stderr), 29, "{stderr}");
    for (k, bytes) in good.iter().enumerate() {
        assert_eq!(&fs::read(shard(k)).unwrap(), bytes, "shard {k}");
    }
    assert_eq!(fs::read(out.join("errors.jsonl")).unwrap(), errors);
    assert_eq!(
        fs::read(out.join("errors/part-000001.jsonl")).unwrap(),
        chunk_errors
    );
    assert_eq!(by_id, dump_by_id(&out.join("unspin.sqlite")));

    // The database's rows of a damaged shard are replaced, not kept beside new ones: here a
    // lost errors file makes chunk 1 one line short, and its rows were changed by hand.
    fs::remove_file(out.join("errors/part-000001.jsonl")).unwrap();
    let conn = rusqlite::Connection::open(out.join("unspin.sqlite")).unwrap();
    conn.execute("UPDATE articles SET n_spans = 999 WHERE shard = 1", [])
        .unwrap();
    drop(conn);
    let stderr = run_to_end(&corpus, &out);
    assert!(
        stderr.contains("part-000001.jsonl: damaged (9 reports and 0 errors for a chunk of 10"),
        "{stderr}"
    );
    assert_eq!(
        fs::read(out.join("errors/part-000001.jsonl")).unwrap(),
        chunk_errors
    );
    assert_eq!(by_id, dump_by_id(&out.join("unspin.sqlite")));

    // A database that never took a damaged shard's rows gets them from its new analysis.
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(out.join(format!("unspin.sqlite{suffix}")));
    }
    fs::write(shard(2), b"not json\n").unwrap();
    let stderr = run_to_end(&corpus, &out);
    assert!(stderr.contains("part-000002.jsonl: damaged ("), "{stderr}");
    assert_eq!(stderr.matches("damaged").count(), 1, "{stderr}");
    assert_eq!(fs::read(shard(2)).unwrap(), good[2]);
    assert_eq!(by_id, dump_by_id(&out.join("unspin.sqlite")));

    // A batch run over the corpus with extra flags: whether it succeeded, and its stderr.
    let batch = |flags: &[&str]| {
        let out = unspin()
            .args(["batch", "--quiet", "--chunk-size", "10"])
            .args(flags)
            .arg("--out")
            .arg(&out)
            .arg(&corpus)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    // Without the database and the bar, the warning still shows.
    fs::write(shard(5), &good[5][..good[5].len() / 3]).unwrap();
    let (ok, stderr) = batch(&["--no-store"]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("part-000005.jsonl: damaged (line"),
        "{stderr}"
    );
    assert_eq!(fs::read(shard(5)).unwrap(), good[5]);

    // A shard that cannot be read at all stops the run, naming it, and is left as it is.
    fs::remove_file(shard(0)).unwrap();
    fs::create_dir(shard(0)).unwrap();
    let (ok, stderr) = batch(&[]);
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("part-000000.jsonl: cannot read"),
        "{stderr}"
    );
    assert!(shard(0).is_dir());
}

/// A JSONL input of one short record, in `dir`.
fn one_record(dir: &Path) -> PathBuf {
    let input = dir.join("a.jsonl");
    fs::write(
        &input,
        format!("{}\n", json!({"id": "x", "text": "Hello there."})),
    )
    .unwrap();
    input
}

/// What `cmd` prints on stderr, after checking that it fails with the bad-input status.
fn bad_input_stderr(cmd: &mut Command) -> String {
    let out = cmd.assert().code(2).get_output().stderr.clone();
    String::from_utf8_lossy(&out).into_owned()
}

/// [`one_record`] analysed by a finished batch run into `dir/out`: (input, out).
fn one_record_batch(dir: &Path) -> (PathBuf, PathBuf) {
    let input = one_record(dir);
    let out = dir.join("out");
    unspin()
        .args(["batch", "-q", "--out"])
        .arg(&out)
        .arg(&input)
        .assert()
        .success();
    (input, out)
}

#[test]
fn batch_refuses_to_resume_with_other_settings_or_into_a_foreign_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = one_record_batch(tmp.path());
    let err = bad_input_stderr(
        unspin()
            .args(["batch", "-q", "--no-aids", "--out"])
            .arg(&out)
            .arg(&input),
    );
    assert!(err.contains("different inputs or settings"), "{err}");
    assert!(err.contains("the aids were on"), "{err}");

    let foreign = tmp.path().join("foreign");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("keep.txt"), "mine").unwrap();
    unspin()
        .args(["batch", "-q", "--out"])
        .arg(&foreign)
        .arg(&input)
        .assert()
        .code(2);
    assert_eq!(
        fs::read_dir(&foreign).unwrap().count(),
        1,
        "nothing written"
    );

    let missing = tmp.path().join("missing.jsonl");
    let fresh = tmp.path().join("fresh");
    unspin()
        .args(["batch", "-q", "--out"])
        .arg(&fresh)
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing.jsonl"));
    assert!(!fresh.exists(), "no output for a failed start");
}

/// A results database that is no database stops the resume with one clear line: the file
/// named once and SQLite's reason once (it was "x: cannot open: x: cannot set up ...: file is
/// not a database: Error code 26: File opened that is not a database file").
#[test]
fn a_damaged_database_is_named_once_with_its_reason_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out) = one_record_batch(tmp.path());
    let db = out.join("unspin.sqlite");
    for journal in ["-wal", "-shm"] {
        let _ = fs::remove_file(out.join(format!("unspin.sqlite{journal}")));
    }
    fs::write(
        &db,
        "not a database at all, just text that goes on for a while",
    )
    .unwrap();
    let err = bad_input_stderr(
        unspin()
            .args(["batch", "-q", "--out"])
            .arg(&out)
            .arg(&input),
    );
    assert_eq!(err.matches("unspin.sqlite").count(), 1, "{err}");
    assert_eq!(err.matches("not a database").count(), 1, "{err}");
    assert!(!err.contains("Error code"), "{err}");
}

/// A batch run's own files are refused as any command's output, even with `--force`: replaced,
/// the database loses the run's results and the manifest makes the next resume fail.
#[test]
fn no_other_command_writes_over_a_batch_runs_files() {
    let tmp = tempfile::tempdir().unwrap();
    let input = one_record(tmp.path());
    let article = tmp.path().join("b.txt");
    fs::write(&article, "They are traitors, all of them.").unwrap();
    let out = tmp.path().join("out");
    unspin()
        .args(["batch", "-q", "--model", "classical", "--out"])
        .arg(&out)
        .arg(&input)
        .assert()
        .success();
    let shard = fs::read_dir(out.join("shards"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .next()
        .expect("a shard");
    for target in [out.join("unspin.sqlite"), out.join("batch.json"), shard] {
        let before = fs::read(&target).unwrap();
        let err = bad_input_stderr(
            unspin()
                .args(["analyze", "--model", "classical", "--force", "-o"])
                .arg(&target)
                .arg(&article),
        );
        assert!(err.contains("belongs to the batch run"), "{err}");
        assert_eq!(fs::read(&target).unwrap(), before, "{}", target.display());
    }
    // Beside the run's files, anything else may still be written.
    unspin()
        .args(["analyze", "--model", "classical", "-o"])
        .arg(out.join("notes.json"))
        .arg(&article)
        .assert()
        .success();
    unspin()
        .args(["batch", "-q", "--model", "classical", "--out"])
        .arg(&out)
        .arg(&input)
        .assert()
        .success();
}

/// A run in which every record was set aside analysed nothing: a non-zero exit, with its
/// files complete (errors.jsonl lists each record), not a success to carry on from.
#[test]
fn a_batch_of_only_bad_records_fails_after_listing_them() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("bad.jsonl");
    let batch = |out: &Path| {
        let mut c = unspin();
        c.args(["batch", "-q", "--model", "classical", "--out"])
            .arg(out)
            .arg(&feed);
        c
    };
    fs::write(&feed, "{\"id\": \"a\"}\nnot json\n").unwrap();
    let out = dir.path().join("run");
    let output = batch(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.contains("no article could be analysed") && err.contains("errors.jsonl"),
        "{err}"
    );
    assert_eq!(error_records(&out).len(), 2);

    // One good record among them is a run that did something: it succeeds.
    fs::write(
        &feed,
        "{\"id\": \"a\"}\n{\"id\": \"b\", \"text\": \"They lie.\"}\n",
    )
    .unwrap();
    batch(&dir.path().join("run2")).assert().success();
}
