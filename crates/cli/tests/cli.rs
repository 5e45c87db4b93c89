//! End-to-end tests of the `unspin` binary: the output formats other tooling parses, and the
//! promise that bad input fails with exit code 2, a message naming the file (and line), no
//! panic and nothing on stdout.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn unspin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_unspin"));
    // Keep colour decisions, data lookups and the model independent of the developer's
    // environment: these tests pin the classical model's behaviour (the default ensemble needs
    // encoders that CI does not install; its tests are in crates/unspin/tests/ensemble.rs).
    c.env_remove("NO_COLOR")
        .env_remove("UNSPIN_DATA")
        .env("UNSPIN_MODEL", "classical");
    c
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn read_text(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// Code-point span of the first occurrence of `needle` in `text`.
fn char_span(text: &str, needle: &str) -> (usize, usize) {
    let byte = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}

/// A directory holding copies of both example articles.
fn articles_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["article1001.txt", "article1002.txt"] {
        fs::copy(example(name), dir.path().join(name)).unwrap();
    }
    dir
}

/// Asserts the bad-input contract: exit code 2, `unspin: error:` on stderr mentioning every
/// needle (the file name, and `file:line:` for label files), no panic, nothing on stdout.
fn fails_with(cmd: &mut Command, needles: &[&str]) -> String {
    let out = cmd.assert().code(2).stdout("").get_output().clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("unspin: error: "), "stderr: {err}");
    assert!(!err.contains("panicked"), "stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
    err
}

/// Checks every span of a JSON report against the article file it came from: offsets inside
/// the text, and the reported text equal to the code-point slice.
fn check_report(report: &Value, path: &Path) {
    let chars: Vec<char> = read_text(path).chars().collect();
    assert_eq!(report["length"].as_u64().unwrap() as usize, chars.len());
    let mut last = (0, 0);
    for s in report["spans"].as_array().unwrap() {
        let start = s["start"].as_u64().unwrap() as usize;
        let end = s["end"].as_u64().unwrap() as usize;
        assert!(start < end && end <= chars.len(), "{s}");
        let slice: String = chars[start..end].iter().collect();
        assert_eq!(s["text"].as_str().unwrap(), slice);
        let c = s["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c), "{s}");
        assert!((start, end) >= last, "spans are sorted by position");
        last = (start, end);
    }
}

fn analyze_json(args: &[&str]) -> Value {
    let out = stdout_of(unspin().arg("analyze").args(args));
    serde_json::from_str(&out).unwrap()
}

/// The ids of a JSON array of reports, in order.
fn report_ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// analyze

#[test]
fn analyze_json_offsets_slice_back_to_the_text() {
    for name in ["article1001.txt", "article1002.txt"] {
        let path = example(name);
        let v = analyze_json(&[path.to_str().unwrap()]);
        let reports = v.as_array().unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(
            reports[0]["id"],
            name.trim_start_matches("article").trim_end_matches(".txt")
        );
        assert_eq!(reports[0]["detector"], "classical");
        check_report(&reports[0], &path);
    }
}

#[test]
fn analyze_example_finds_propaganda() {
    let v = analyze_json(&[example("article1001.txt").to_str().unwrap()]);
    assert!(
        !v[0]["spans"].as_array().unwrap().is_empty(),
        "the example article is written to be full of propaganda"
    );
}

#[test]
fn analyze_ptc_lines_match_json() {
    let path = example("article1001.txt");
    let p = path.to_str().unwrap();
    let json = analyze_json(&[p]);
    let ptc = stdout_of(unspin().args(["analyze", "--format", "ptc", p]));
    let spans = json[0]["spans"].as_array().unwrap();
    let lines: Vec<&str> = ptc.lines().collect();
    assert_eq!(lines.len(), spans.len());
    let len = read_text(&path).chars().count();
    for (line, s) in lines.iter().zip(spans) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 4, "{line:?}");
        assert_eq!(f[0], "1001");
        assert_eq!(f[1], s["technique"].as_str().unwrap());
        let (start, end): (usize, usize) = (f[2].parse().unwrap(), f[3].parse().unwrap());
        assert!(start < end && end <= len);
        assert_eq!(start as u64, s["start"].as_u64().unwrap());
        assert_eq!(end as u64, s["end"].as_u64().unwrap());
    }
}

#[test]
fn analyze_jsonl_has_one_report_per_line_in_input_order() {
    let a = example("article1002.txt");
    let b = example("article1001.txt");
    let out = stdout_of(
        unspin()
            .args(["analyze", "--format", "jsonl"])
            .arg(&a)
            .arg(&b),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    let r0: Value = serde_json::from_str(lines[0]).unwrap();
    let r1: Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(r0["id"], "1002");
    assert_eq!(r1["id"], "1001");
    check_report(&r0, &a);
    check_report(&r1, &b);
}

#[test]
fn analyze_directory_reads_every_txt_sorted() {
    let dir = articles_dir();
    fs::write(dir.path().join("notes.md"), "not an article").unwrap();
    let ids = report_ids(&analyze_json(&[dir.path().to_str().unwrap()]));
    assert_eq!(ids, ["1001", "1002"]);
}

#[test]
fn analyze_text_view() {
    let p = example("article1001.txt");
    let plain = stdout_of(
        unspin()
            .args(["analyze", "--format", "text", "--color", "never"])
            .arg(&p),
    );
    assert!(plain.starts_with("article 1001 ("), "{plain}");
    assert!(!plain.contains('\x1b'));
    assert!(plain.contains("Legend"));
    assert!(plain.contains("[1]"));
    // The article body is all there, in order, once the span markers are removed.
    let body: String = plain
        .replace(['«', '»'], "")
        .split('[')
        .map(|part| part.trim_start_matches(|c: char| c.is_ascii_digit() || c == ',' || c == ']'))
        .collect();
    assert!(body.contains("Northwind Energy said it was \"disappointed\""));

    // `auto` means no colour when stdout is not a terminal, as here.
    let auto = stdout_of(unspin().args(["analyze", "--format", "text"]).arg(&p));
    assert_eq!(auto, plain);

    let coloured = stdout_of(
        unspin()
            .args(["analyze", "--format", "text", "--color", "always"])
            .arg(&p),
    );
    assert!(coloured.contains("\x1b[48;2;"), "24-bit background colour");
    assert!(coloured.contains("\x1b[0m"));
}

#[test]
fn analyze_json_carries_text_version_and_time() {
    let p = example("article1002.txt");
    let v = analyze_json(&[p.to_str().unwrap()]);
    let r = &v[0];
    // The text, so a saved report can be read back without its input file.
    assert_eq!(r["text"].as_str().unwrap(), read_text(&p));
    assert_eq!(r["version"], env!("CARGO_PKG_VERSION"));
    let created = r["created"].as_str().unwrap();
    assert!(
        created.len() == 20 && created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "RFC 3339 UTC: {created}"
    );
}

#[test]
fn analyze_text_view_leads_with_a_summary() {
    let p = example("article1001.txt");
    let plain = stdout_of(
        unspin()
            .args(["analyze", "--format", "text", "--color", "never"])
            .arg(&p),
    );
    let summary = plain.find("\nSummary\n").expect("a summary");
    let body = plain.find("Northwind").unwrap();
    assert!(summary < body, "the summary comes before the article");
    assert!(plain[summary..body].contains("in the annotated PTC news articles it is 13.1 %"));
    assert!(plain[summary..body].contains("Techniques: "));
}

#[test]
fn analyze_csv_rows_point_at_their_text() {
    let p = example("article1001.txt");
    let chars: Vec<char> = read_text(&p).chars().collect();
    let out = stdout_of(unspin().args(["analyze", "--format", "csv"]).arg(&p));
    assert!(out.starts_with("article_id,kind,label,start,end,score,text,speaker,note\n"));
    let json = analyze_json(&[p.to_str().unwrap()]);
    let spans = json[0]["spans"].as_array().unwrap().len();
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // Every span is a row, and every row's offsets slice the article to the text it repeats
    // (a leading ' defuses a formula-like cell and is not part of the text).
    assert_eq!(rows.iter().filter(|r| &r[1] == "span").count(), spans);
    for r in &rows {
        let (start, end): (usize, usize) = (r[3].parse().unwrap(), r[4].parse().unwrap());
        let slice: String = chars[start..end].iter().collect();
        let text = r[6]
            .strip_prefix('\'')
            .filter(|t| t.starts_with(['=', '+', '-', '@']));
        assert_eq!(text.unwrap_or(&r[6]), slice, "{r:?}");
    }
    assert!(out.contains(",quote,"), "the example has quotes");
}

#[test]
fn analyze_html_is_one_standalone_page() {
    let p = example("article1001.txt");
    let html = stdout_of(unspin().args(["analyze", "--format", "html"]).arg(&p));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    // Offline: nothing fetched from elsewhere.
    for outside in ["src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(outside), "{outside}");
    }
    let summary = html.find("<h3>Summary</h3>").unwrap();
    let article = html.find("<h3>Article</h3>").unwrap();
    assert!(summary < article);
    assert!(html.contains("@media print"));
    // Each span has a label naming its technique, legible without colour.
    let json = analyze_json(&[p.to_str().unwrap()]);
    for (i, s) in json[0]["spans"].as_array().unwrap().iter().enumerate() {
        assert!(
            html.contains(&format!("\">{} ", i + 1)),
            "label of span {}: {s}",
            i + 1
        );
    }
}

#[test]
fn analyze_fetches_urls_in_order_with_files() {
    // A one-request local server: the CLI fetches any address, like curl.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let text = "Officials said the new bridge cost 12 million, twice the budget.";
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut stream, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf);
        let body = text.as_bytes();
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    });
    let url = format!("http://127.0.0.1:{port}/news/bridge.txt");
    let file = example("article1002.txt");
    let v = analyze_json(&[&url, file.to_str().unwrap()]);
    assert_eq!(report_ids(&v), ["bridge", "1002"]);
    assert_eq!(v[0]["url"], url);
    assert_eq!(v[0]["text"], text);

    // A server that is not there: an error naming the URL, exit code 2.
    let dead = format!("http://127.0.0.1:{port}/gone");
    fails_with(unspin().args(["analyze", &dead]), &[&dead]);
}

#[test]
fn analyze_stdin_matches_file() {
    let path = example("article1002.txt");
    let from_file = analyze_json(&[path.to_str().unwrap()]);
    let out = stdout_of(
        unspin()
            .args(["analyze", "-"])
            .write_stdin(fs::read(&path).unwrap()),
    );
    let from_stdin: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(from_stdin[0]["id"], "stdin");
    assert_eq!(from_stdin[0]["spans"], from_file[0]["spans"]);
    assert_eq!(from_stdin[0]["length"], from_file[0]["length"]);
}

#[test]
fn analyze_refuses_empty_articles_as_serve_and_batch_do() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("article7.txt", ""),
        ("article8.txt", " \n\t\n"),
        ("article9.txt", "\u{feff}\n"),
    ] {
        let p = dir.path().join(name);
        fs::write(&p, text).unwrap();
        fails_with(unspin().arg("analyze").arg(&p), &[name, "is empty"]);
    }
    fails_with(
        unspin().args(["analyze", "-"]).write_stdin("  \n"),
        &["<stdin>", "is empty"],
    );
}

#[test]
fn analyze_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    unspin()
        .args(["analyze", "--output"])
        .arg(&out)
        .arg(example("article1002.txt"))
        .assert()
        .success()
        .stdout("");
    let v: Value = serde_json::from_str(&read_text(&out)).unwrap();
    assert_eq!(v[0]["id"], "1002");
}

#[test]
fn a_failed_run_leaves_the_output_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    fs::write(&out, "old").unwrap();
    let bad = dir.path().join("bad.txt");
    fs::write(&bad, b"ok \xff\xfe").unwrap();
    fails_with(
        unspin()
            .args(["analyze", "--output"])
            .arg(&out)
            .arg(example("article1001.txt"))
            .arg(&bad),
        &["bad.txt"],
    );
    assert_eq!(read_text(&out), "old");
    // And no temporary file is left next to it.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}

/// Names of the entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn output_over_an_input_is_refused_unless_forced() {
    let dir = articles_dir();
    let article = dir.path().join("article1001.txt");
    let original = read_text(&article);
    // The same file given directly, through a directory, through stdin, or spelled otherwise.
    let other_spelling = dir.path().join(".").join("article1001.txt");
    for (inputs, output) in [
        (vec![article.clone()], article.clone()),
        (vec![dir.path().to_path_buf()], article.clone()),
        (vec![article.clone()], other_spelling),
    ] {
        let err = fails_with(
            unspin().arg("analyze").args(&inputs).arg("-o").arg(&output),
            &["article1001.txt", "input", "--force"],
        );
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(read_text(&article), original);
    }
    // Standard input redirected from the file itself (assert_cmd would pipe it instead).
    let redirected = std::process::Command::new(env!("CARGO_BIN_EXE_unspin"))
        .env("UNSPIN_MODEL", "classical")
        .args(["analyze", "-", "-o"])
        .arg(&article)
        .stdin(fs::File::open(&article).unwrap())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&redirected.stderr);
    assert_eq!(redirected.status.code(), Some(2), "{err}");
    assert!(
        err.contains("article1001.txt") && err.contains("<stdin>"),
        "{err}"
    );
    assert_eq!(read_text(&article), original);
    assert_eq!(entries(dir.path()), ["article1001.txt", "article1002.txt"]);

    // classify: neither the template nor an article.
    let template = dir.path().join("template.tsv");
    fs::write(&template, "1001\t?\t0\t5\n").unwrap();
    for output in [&template, &article] {
        fails_with(
            unspin()
                .args(["classify", "--spans"])
                .arg(&template)
                .arg("--articles")
                .arg(dir.path())
                .arg("-o")
                .arg(output),
            &["input", "--force"],
        );
    }
    assert_eq!(read_text(&template), "1001\t?\t0\t5\n");

    // --force: the user asked for it.
    unspin()
        .args(["analyze", "--force", "-o"])
        .arg(&article)
        .arg(&article)
        .assert()
        .success();
    let v: Value = serde_json::from_str(&read_text(&article)).unwrap();
    assert_eq!(v[0]["id"], "1001");
}

#[test]
fn output_over_a_directory_is_refused_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    for force in [&[][..], &["--force"][..]] {
        fails_with(
            unspin()
                .arg("analyze")
                .args(force)
                .arg("-o")
                .arg(dir.path())
                .arg(example("article1001.txt")),
            &[&dir.path().display().to_string(), "is a directory"],
        );
    }
    assert!(entries(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn output_through_a_symlink_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    fails_with(
        unspin()
            .args(["analyze", "-o"])
            .arg(&link)
            .arg(example("article1001.txt")),
        &["link.json", "symbolic link", "--force"],
    );
    assert_eq!(read_text(&real), "old");
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    // Forced, the link stays a link and the file it points to gets the output.
    unspin()
        .args(["analyze", "--force", "-o"])
        .arg(&link)
        .arg(example("article1001.txt"))
        .assert()
        .success();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let v: Value = serde_json::from_str(&read_text(&real)).unwrap();
    assert_eq!(v[0]["id"], "1001");
    assert_eq!(entries(dir.path()), ["link.json", "real.json"]);
}

#[cfg(unix)]
#[test]
fn output_to_a_device_or_fifo_is_refused_unless_forced() {
    let null = Path::new("/dev/null");
    fails_with(
        unspin()
            .args(["analyze", "-o"])
            .arg(null)
            .arg(example("article1001.txt")),
        &["/dev/null", "not a regular file", "--force"],
    );
    assert!(!fs::metadata(null).unwrap().is_file(), "still a device");
    unspin()
        .args(["analyze", "--force", "-o"])
        .arg(null)
        .arg(example("article1001.txt"))
        .assert()
        .success();
    assert!(!fs::metadata(null).unwrap().is_file(), "still a device");

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        fails_with(
            unspin()
                .args(["analyze", "-o"])
                .arg(&fifo)
                .arg(example("article1001.txt")),
            &["fifo", "not a regular file"],
        );
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }
}

#[test]
fn temporary_files_of_a_killed_run_are_cleaned_up_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    // What `kill -9` during a write leaves: an unlocked temporary file, here an hour old.
    let left = dir.path().join(".unspin-Ab12Cd.tmp");
    let file = fs::File::create(&left).unwrap();
    file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
        .unwrap();
    drop(file);
    // Files that only look similar are not ours to remove.
    for name in [".unspin-notes.txt", "unspin-Ab12Cd.tmp"] {
        fs::write(dir.path().join(name), "keep").unwrap();
    }
    let out = dir.path().join("report.json");
    unspin()
        .args(["analyze", "-o"])
        .arg(&out)
        .arg(example("article1001.txt"))
        .assert()
        .success();
    assert_eq!(
        entries(dir.path()),
        [".unspin-notes.txt", "report.json", "unspin-Ab12Cd.tmp"]
    );
}

// ---------------------------------------------------------------------------------------------
// classify

#[test]
fn classify_keeps_order_and_answers_duplicates_differently() {
    let dir = articles_dir();
    let t1001 = read_text(&example("article1001.txt"));
    let t1002 = read_text(&example("article1002.txt"));
    let (a, b) = char_span(&t1001, "disgraceful, reckless scheme");
    let (c, d) = char_span(&t1002, "greedy politicians");
    let (e, f) = char_span(&t1001, "Millbrook first, Millbrook forever!");
    let template = format!(
        "1001\t?\t{a}\t{b}\n1002\t?\t{c}\t{d}\n1001\tSlogans\t{e}\t{f}\n1001\t?\t{a}\t{b}\n"
    );
    let spans = dir.path().join("template.tsv");
    fs::write(&spans, &template).unwrap();
    let out = stdout_of(
        unspin()
            .args(["classify", "--spans"])
            .arg(&spans)
            .arg("--articles")
            .arg(dir.path()),
    );
    let got: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    let want: Vec<Vec<&str>> = template.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g.len(), 4);
        assert_eq!(
            (g[0], g[2], g[3]),
            (w[0], w[2], w[3]),
            "same span, same order"
        );
        assert_ne!(g[1], "?");
    }
    // Every answer is a PTC technique name, and the twice-listed span has two techniques.
    let eval_ok = tempfile::NamedTempFile::new().unwrap();
    fs::write(eval_ok.path(), &out).unwrap();
    unspin()
        .args(["eval", "tc", "--gold"])
        .arg(eval_ok.path())
        .arg("--pred")
        .arg(eval_ok.path())
        .assert()
        .success();
    assert_ne!(got[0][1], got[3][1]);
}

// ---------------------------------------------------------------------------------------------
// eval

fn eval_json(task: &str, gold: &str, pred: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let (g, p) = (dir.path().join("gold.tsv"), dir.path().join("pred.tsv"));
    fs::write(&g, gold).unwrap();
    fs::write(&p, pred).unwrap();
    let out = stdout_of(
        unspin()
            .args(["eval", task, "--json", "--gold"])
            .arg(&g)
            .arg("--pred")
            .arg(&p),
    );
    serde_json::from_str(&out).unwrap()
}

#[test]
fn eval_identical_files_score_one() {
    let tc = "1001\tDoubt\t10\t20\n1001\tSlogans\t30\t45\n1002\tLoaded_Language\t0\t5\n";
    for task in ["si", "tc", "flc"] {
        let v = eval_json(task, tc, tc);
        assert_eq!(v["overall"]["f1"].as_f64().unwrap(), 1.0, "{task}: {v}");
    }
    let si = "1001\t10\t20\n1002\t0\t5\n";
    assert_eq!(eval_json("si", si, si)["overall"]["f1"], 1.0);
}

#[test]
fn eval_si_partial_overlap() {
    // Prediction covers half the gold span: P = 5/5, R = 5/10, F1 = 2/3.
    let v = eval_json("si", "1\t0\t10\n", "1\t0\t5\n");
    let f1 = v["overall"]["f1"].as_f64().unwrap();
    assert!((f1 - 2.0 / 3.0).abs() < 1e-9, "{v}");
}

#[test]
fn eval_prints_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("gold.tsv");
    fs::write(&g, "1\tDoubt\t0\t10\n").unwrap();
    let out = stdout_of(
        unspin()
            .args(["eval", "flc", "--gold"])
            .arg(&g)
            .arg("--pred")
            .arg(&g),
    );
    assert!(out.contains("F1 1.0000"), "{out}");
    assert!(out.contains("Doubt"));
}

// ---------------------------------------------------------------------------------------------
// train (on a tiny corpus made of the examples), then use the trained model

/// A PTC-shaped data directory with the two examples and a few hand-placed labels.
fn tiny_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    fs::create_dir(&articles).unwrap();
    let mut tc = String::new();
    let mut si = String::new();
    let labels: [(&str, &[(&str, &str)]); 2] = [
        (
            "1001",
            &[
                ("Loaded_Language", "disgraceful, reckless scheme"),
                ("Name_Calling,Labeling", "green zealots"),
                ("Slogans", "Millbrook first, Millbrook forever!"),
                (
                    "Doubt",
                    "Who is really paying for their so-called independent studies?",
                ),
                ("Thought-terminating_Cliches", "It is what it is."),
            ],
        ),
        (
            "1002",
            &[
                (
                    "Exaggeration,Minimisation",
                    "wipe out every small business in town",
                ),
                ("Name_Calling,Labeling", "greedy politicians"),
            ],
        ),
    ];
    for (id, spans) in labels {
        let name = format!("article{id}.txt");
        fs::copy(example(&name), articles.join(&name)).unwrap();
        let text = read_text(&articles.join(&name));
        for (technique, needle) in spans {
            let (a, b) = char_span(&text, needle);
            tc.push_str(&format!("{id}\t{technique}\t{a}\t{b}\n"));
            si.push_str(&format!("{id}\t{a}\t{b}\n"));
        }
    }
    fs::write(dir.path().join("labels.tc.tsv"), tc).unwrap();
    fs::write(dir.path().join("labels.si.tsv"), si).unwrap();
    dir
}

#[test]
fn train_saves_a_model_that_analyze_loads() {
    let data = tiny_corpus();
    let model = data.path().join("out/model.unspin");
    let out = stdout_of(
        unspin()
            .args(["train", "--seed", "7", "--data"])
            .arg(data.path())
            .arg("--out")
            .arg(&model),
    );
    assert!(out.contains("trained on 2 articles"), "{out}");
    assert!(fs::metadata(&model).unwrap().len() > 0);
    let v = analyze_json(&[
        "--model",
        model.to_str().unwrap(),
        example("article1001.txt").to_str().unwrap(),
    ]);
    check_report(&v[0], &example("article1001.txt"));
}

#[test]
fn train_cross_validation_writes_a_json_report() {
    let data = tiny_corpus();
    let report = data.path().join("cv.json");
    let out = stdout_of(
        unspin()
            .args(["train", "--cv", "2", "--sweep", "0.2,0.4", "--data"])
            .arg(data.path())
            .arg("--report")
            .arg(&report),
    );
    assert!(out.contains("2-fold"), "{out}");
    let v: Value = serde_json::from_str(&read_text(&report)).unwrap();
    assert_eq!(v["folds"], 2);
    assert_eq!(v["sweep"].as_array().unwrap().len(), 2);
}

#[test]
fn train_cross_validation_needs_enough_articles() {
    let data = tiny_corpus();
    fails_with(
        unspin()
            .args(["train", "--cv", "3", "--data"])
            .arg(data.path()),
        &["--cv", "number of articles (2)"],
    );
}

#[test]
fn train_test_backend_is_checked_before_any_encoding() {
    let data = tiny_corpus();
    fails_with(
        unspin()
            .args(["train", "--cv", "2", "--test-backend", "ort", "--data"])
            .arg(data.path()),
        &["--test-backend needs a transformer --model"],
    );
    let empty = tempfile::tempdir().unwrap();
    fails_with(
        unspin()
            .env("UNSPIN_MODELS", empty.path())
            .args([
                "train",
                "--model",
                "minilm",
                "--cv",
                "2",
                "--test-backend",
                "onnx",
            ])
            .arg("--data")
            .arg(data.path()),
        &["unknown encoder backend \"onnx\""],
    );
    // A backend this build cannot run is refused too, before any article is encoded (the
    // tiny BERT fixture stands in for MiniLM).
    let encoders = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../transformer/tests/fixtures/tiny-bert"),
        encoders.path().join("all-MiniLM-L6-v2"),
    )
    .unwrap();
    let err = fails_with(
        unspin()
            .args([
                "train",
                "--model",
                "minilm",
                "--cv",
                "2",
                "--test-backend",
                "ort-int8",
            ])
            .arg("--encoders")
            .arg(encoders.path())
            .arg("--data")
            .arg(data.path()),
        &["ort"],
    );
    assert!(!err.contains("encoded"), "{err}");
}

#[test]
fn train_without_data_names_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-data");
    fails_with(
        unspin().args(["train", "--data"]).arg(&missing),
        &["no-such-data"],
    );
}

// ---------------------------------------------------------------------------------------------
// bench

#[test]
fn bench_without_data_uses_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    let out = stdout_of(
        unspin()
            .args(["bench", "--seconds", "0.05", "--data"])
            .arg(dir.path().join("absent")),
    );
    assert!(out.contains("PTC data not found"), "{out}");
    assert!(out.contains("analyze (spans only), 1 thread:"), "{out}");
    assert!(out.contains("analyze (with aids), 1 thread:"), "{out}");
    assert!(out.contains("MB/s"));
    assert!(!out.contains("train:"));
}

// ---------------------------------------------------------------------------------------------
// usage

#[test]
fn help_succeeds_and_usage_errors_exit_2() {
    unspin()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("analyze"));
    fails_with(unspin().arg("analyze"), &["PATH"]);
    fails_with(
        unspin().args(["analyze", "--format", "xml", "x.txt"]),
        &["xml"],
    );
    fails_with(unspin().arg("frobnicate"), &["frobnicate"]);
}

// ---------------------------------------------------------------------------------------------
// bad articles

#[test]
fn missing_article_file() {
    let dir = tempfile::tempdir().unwrap();
    fails_with(
        unspin().arg("analyze").arg(dir.path().join("nope.txt")),
        &["nope.txt"],
    );
}

#[test]
fn invalid_utf8_article() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("latin1.txt");
    fs::write(&p, b"Caf\xe9 society\n").unwrap();
    fails_with(unspin().arg("analyze").arg(&p), &["latin1.txt", "UTF-8"]);
}

#[test]
fn binary_article() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("picture.txt");
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    fs::write(&p, png).unwrap();
    fails_with(unspin().arg("analyze").arg(&p), &["picture.txt", "binary"]);
}

#[test]
fn huge_article_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.txt");
    {
        use std::io::Write;
        let mut f = fs::File::create(&p).unwrap();
        f.write_all(b"The start of a very long article.").unwrap();
        // Sparse: 100 MB long on paper, nothing on disk.
        f.set_len(100_000_000).unwrap();
    }
    fails_with(unspin().arg("analyze").arg(&p), &["huge.txt", "too large"]);
}

#[test]
fn max_bytes_is_respected() {
    fails_with(
        unspin()
            .args(["analyze", "--max-bytes", "100"])
            .arg(example("article1001.txt")),
        &["article1001.txt", "too large"],
    );
}

#[cfg(unix)]
#[test]
fn dangling_symlink_in_a_directory() {
    let dir = articles_dir();
    std::os::unix::fs::symlink(dir.path().join("gone.txt"), dir.path().join("x.txt")).unwrap();
    fails_with(unspin().arg("analyze").arg(dir.path()), &["x.txt"]);
}

// ---------------------------------------------------------------------------------------------
// bad models

#[test]
fn missing_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("missing.unspin");
    fails_with(
        unspin()
            .args(["analyze", "--model"])
            .arg(&m)
            .arg(example("article1002.txt")),
        &["missing.unspin"],
    );
}

#[test]
fn garbage_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("garbage.unspin");
    fs::write(&m, b"this is not a model at all, just some text\n").unwrap();
    fails_with(
        unspin()
            .args(["analyze", "--model"])
            .arg(&m)
            .arg(example("article1002.txt")),
        &["garbage.unspin"],
    );
    // A file that starts right but is cut short is refused too.
    let t = dir.path().join("truncated.unspin");
    let good = tiny_model();
    let bytes = fs::read(good.1).unwrap();
    fs::write(&t, &bytes[..bytes.len() / 2]).unwrap();
    fails_with(
        unspin()
            .args(["classify", "--model"])
            .arg(&t)
            .arg("--spans")
            .arg(write_template(&dir, "1002\t?\t0\t5\n"))
            .arg("--articles")
            .arg(articles_dir().path()),
        &["truncated.unspin"],
    );
}

/// A small trained model (its corpus directory must outlive the path).
fn tiny_model() -> (tempfile::TempDir, PathBuf) {
    let data = tiny_corpus();
    let model = data.path().join("m.unspin");
    unspin()
        .args(["train", "--data"])
        .arg(data.path())
        .arg("--out")
        .arg(&model)
        .assert()
        .success();
    (data, model)
}

// ---------------------------------------------------------------------------------------------
// bad label files

fn write_template(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let p = dir.path().join("spans.tsv");
    fs::write(&p, text).unwrap();
    p
}

/// Runs `classify` on a template and expects the bad-input contract naming `spans.tsv:LINE:`.
fn classify_fails(template: &str, line: usize, also: &str) {
    let dir = articles_dir();
    let spans = write_template(&dir, template);
    fails_with(
        unspin()
            .args(["classify", "--spans"])
            .arg(&spans)
            .arg("--articles")
            .arg(dir.path()),
        &[&format!("spans.tsv:{line}:"), also],
    );
}

#[test]
fn label_with_wrong_column_count() {
    classify_fails("1001\t?\t0\t5\n1001\t?\t5\n", 2, "columns");
}

#[test]
fn label_with_negative_offset() {
    classify_fails("1001\t?\t-3\t10\n", 1, "-3");
}

#[test]
fn label_with_start_after_end() {
    classify_fails("1001\t?\t0\t4\n1001\t?\t10\t5\n", 2, "after");
}

#[test]
fn label_past_the_end_of_its_article() {
    classify_fails("1001\t?\t0\t4\n1002\t?\t100\t99999\n", 2, "99999");
}

#[test]
fn label_for_an_unknown_article() {
    classify_fails("1001\t?\t0\t4\n424242\t?\t0\t4\n", 2, "424242");
}

#[test]
fn label_with_unknown_technique() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.tsv");
    fs::write(&gold, "1001\tDoubt\t0\t5\n1001\tMind_Control\t5\t9\n").unwrap();
    fails_with(
        unspin()
            .args(["eval", "flc", "--gold"])
            .arg(&gold)
            .arg("--pred")
            .arg(&gold),
        &["gold.tsv:2:", "Mind_Control"],
    );
}

#[test]
fn eval_checks_ranges_against_articles() {
    let dir = articles_dir();
    let gold = dir.path().join("gold.tsv");
    let pred = dir.path().join("pred.tsv");
    fs::write(&gold, "1001\t0\t10\n").unwrap();
    fs::write(&pred, "1001\t0\t10\n1002\t0\t5000\n").unwrap();
    // Without --articles the ranges cannot be checked, and scoring goes ahead.
    unspin()
        .args(["eval", "si", "--gold"])
        .arg(&gold)
        .arg("--pred")
        .arg(&pred)
        .assert()
        .success();
    fails_with(
        unspin()
            .args(["eval", "si", "--gold"])
            .arg(&gold)
            .arg("--pred")
            .arg(&pred)
            .arg("--articles")
            .arg(dir.path()),
        &["pred.tsv:2:", "5000"],
    );
}

#[test]
fn missing_label_file() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.tsv");
    fs::write(&gold, "1\t0\t1\n").unwrap();
    fails_with(
        unspin()
            .args(["eval", "si", "--gold"])
            .arg(&gold)
            .arg("--pred")
            .arg(dir.path().join("nothing.tsv")),
        &["nothing.tsv"],
    );
}

#[test]
fn train_options_file_overrides_only_what_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("opts.json");
    fs::write(
        &p,
        r#"{"crf": {"epochs": 3}, "decode": {"si_threshold": 0.4}}"#,
    )
    .unwrap();
    let out = stdout_of(
        unspin()
            .args(["train", "--print-options", "--seed", "7", "--options"])
            .arg(&p),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["seed"], 7);
    assert_eq!(v["crf"]["epochs"], 3);
    assert_eq!(v["decode"]["si_threshold"].as_f64().unwrap() as f32, 0.4);
    // Untouched fields keep their defaults.
    let defaults: Value =
        serde_json::from_str(&stdout_of(unspin().args(["train", "--print-options"]))).unwrap();
    assert_eq!(v["logreg"], defaults["logreg"]);
    assert_eq!(v["crf"]["learning_rate"], defaults["crf"]["learning_rate"]);
}

#[test]
fn train_options_file_with_a_typo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("opts.json");
    fs::write(&p, "{\n  \"crf\": {\"epoch\": 3}\n}\n").unwrap();
    fails_with(
        unspin()
            .args(["train", "--print-options", "--options"])
            .arg(&p),
        &["opts.json:2", "unknown field `epoch`"],
    );
}

// ---------------------------------------------------------------------------------------------
// HTML input

/// Checks spans against the extracted text the report carries (HTML inputs).
fn check_report_against_own_text(report: &Value) -> Vec<char> {
    let chars: Vec<char> = report["text"].as_str().unwrap().chars().collect();
    assert_eq!(report["length"].as_u64().unwrap() as usize, chars.len());
    for s in report["spans"].as_array().unwrap() {
        let (a, b) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        let slice: String = chars[a..b].iter().collect();
        assert_eq!(s["text"].as_str().unwrap(), slice);
    }
    chars
}

#[test]
fn analyze_html_page_reports_title_and_extracted_text() {
    let path = example("article1003.html");
    let v = analyze_json(&[path.to_str().unwrap()]);
    let r = &v[0];
    assert_eq!(r["id"], "1003");
    assert_eq!(r["title"], "Harbour Town Split Over Cruise Ship Ban");
    let text: String = check_report_against_own_text(r).into_iter().collect();
    assert!(text.starts_with("Harbour Town’s council voted on Monday"));
    for boilerplate in [
        "Share on Facebook",
        "cookies",
        "Related articles",
        "Leave a comment",
        "newsletter",
        "All rights reserved",
        "Tags:",
    ] {
        assert!(!text.contains(boilerplate), "{boilerplate:?} leaked");
    }
    assert!(!r["spans"].as_array().unwrap().is_empty());
}

#[test]
fn plain_text_reports_carry_their_text_and_no_title() {
    let p = example("article1001.txt");
    let v = analyze_json(&[p.to_str().unwrap()]);
    assert_eq!(v[0]["text"].as_str().unwrap(), read_text(&p));
    assert!(v[0].get("title").is_none());
}

#[test]
fn html_is_sniffed_on_stdin_and_can_be_forced_off() {
    let page = fs::read(example("article1003.html")).unwrap();
    let out = unspin()
        .args(["analyze", "-"])
        .write_stdin(page.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v[0]["title"], "Harbour Town Split Over Cruise Ship Ban");
    // --input text keeps the markup as the article text, offsets into the raw bytes.
    let out = unspin()
        .args(["analyze", "--input", "text", "-"])
        .write_stdin(page.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert!(v[0].get("title").is_none());
    assert_eq!(
        v[0]["length"].as_u64().unwrap() as usize,
        String::from_utf8(page).unwrap().chars().count()
    );
}

#[test]
fn html_page_without_main_text_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("menu.html");
    fs::write(
        &p,
        "<html><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav></body></html>",
    )
    .unwrap();
    fails_with(unspin().arg("analyze").arg(&p), &["menu.html"]);
}

#[test]
fn directories_include_html_pages() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        example("article1003.html"),
        dir.path().join("article1003.html"),
    )
    .unwrap();
    fs::copy(
        example("article1001.txt"),
        dir.path().join("article1001.txt"),
    )
    .unwrap();
    let ids = report_ids(&analyze_json(&[dir.path().to_str().unwrap()]));
    assert_eq!(ids, ["1001", "1003"]);
}

// ---------------------------------------------------------------------------------------------
// fact-checking aids

fn slice_chars(chars: &[char], v: &Value) -> String {
    let (a, b) = (
        v["start"].as_u64().unwrap() as usize,
        v["end"].as_u64().unwrap() as usize,
    );
    chars[a..b].iter().collect()
}

#[test]
fn aids_report_claims_quotes_and_findings_with_exact_offsets() {
    let v = analyze_json(&[example("article1003.html").to_str().unwrap()]);
    let r = &v[0];
    let chars = check_report_against_own_text(r);

    let findings = r["findings"].as_array().unwrap();
    let sum = findings
        .iter()
        .find(|f| f["kind"] == "parts_dont_sum_to_total")
        .expect("412 ships vs 230 + 190");
    let places: Vec<&str> = sum["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(places, ["412", "230", "190"]);

    let claims = r["claims"].as_array().unwrap();
    assert!(claims.len() >= 5, "every sentence is scored");
    let best = claims
        .iter()
        .max_by(|a, b| {
            a["score"]
                .as_f64()
                .partial_cmp(&b["score"].as_f64())
                .unwrap()
        })
        .unwrap();
    assert!(best["text"].as_str().unwrap().contains("412 ships"));
    assert_eq!(best["check_worthy"], true);

    let quotes = r["quotes"].as_array().unwrap();
    let calder = quotes
        .iter()
        .find(|q| q["speaker"] == "Rosa Calder")
        .expect("Rosa Calder's quote");
    assert!(calder["content"]["text"]
        .as_str()
        .unwrap()
        .contains("economic suicide"));

    for c in claims {
        assert_eq!(slice_chars(&chars, c), c["text"].as_str().unwrap());
    }
    for q in quotes {
        for role in ["content", "cue", "source"] {
            if q[role].is_object() {
                assert_eq!(
                    slice_chars(&chars, &q[role]),
                    q[role]["text"].as_str().unwrap()
                );
            }
        }
    }
    for f in findings {
        for p in f["places"].as_array().unwrap() {
            assert_eq!(slice_chars(&chars, p), p["text"].as_str().unwrap());
        }
    }
}

#[test]
fn no_aids_leaves_only_the_spans() {
    let with = analyze_json(&[example("article1003.html").to_str().unwrap()]);
    let without = analyze_json(&["--no-aids", example("article1003.html").to_str().unwrap()]);
    assert_eq!(with[0]["spans"], without[0]["spans"]);
    for key in ["claims", "quotes", "findings"] {
        assert_eq!(without[0][key].as_array().unwrap().len(), 0, "{key}");
    }
}

#[test]
fn text_view_lists_the_aids() {
    let out = stdout_of(
        unspin()
            .args(["analyze", "--format", "text", "--color", "never"])
            .arg(example("article1003.html")),
    );
    assert!(out.contains("Claims to check"), "{out}");
    assert!(out.contains("Quotes ("), "{out}");
    assert!(out.contains("230 + 190 = 420"), "{out}");
    assert!(out.contains("[unattributed]"), "{out}");
}

#[test]
fn serve_help_lists_its_limits() {
    let out = stdout_of(unspin().args(["serve", "--help"]));
    for flag in [
        "--addr",
        "--max-body",
        "--timeout",
        "--max-concurrent",
        "--model",
    ] {
        assert!(out.contains(flag), "{flag} missing from:\n{out}");
    }
}

#[test]
fn serve_rejects_bad_arguments_with_exit_2() {
    for args in [
        &["serve", "--addr", "localhost"][..],
        &["serve", "--addr", "127.0.0.1:99999"],
        &["serve", "--max-concurrent", "0"],
        &["serve", "--timeout", "0"],
    ] {
        let out = unspin().args(args).assert().code(2).get_output().clone();
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("unspin: error: "), "{args:?}: {err}");
    }
    // A model that cannot be loaded fails before the server listens.
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.unspin");
    fails_with(
        unspin()
            .args(["serve", "--addr", "127.0.0.1:0", "--model"])
            .arg(&missing),
        &["missing.unspin"],
    );
}

/// The binary really serves: started on port 0, it prints its address, and answers /healthz.
#[test]
fn serve_answers_health_checks() {
    use std::io::{BufRead, BufReader, Read, Write};
    /// Kills the server however the test ends, so a failed assertion leaves no process behind.
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Server(
        std::process::Command::new(env!("CARGO_BIN_EXE_unspin"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("unspin: listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    drop(child);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"status\":\"ok\""), "{response}");
}

#[test]
fn without_encoders_the_default_falls_back_to_classical_and_says_why() {
    let empty = tempfile::tempdir().unwrap();
    let article = example("article1001.txt");
    let out = unspin()
        .env_remove("UNSPIN_MODEL")
        .env("UNSPIN_MODELS", empty.path())
        .args(["analyze", "--no-aids"])
        .arg(&article)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("using the classical model, not the ensemble")
            && stderr.contains("scripts/setup-models.sh"),
        "{stderr}"
    );
    let fallback: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let classical: Value = serde_json::from_str(&stdout_of(
        unspin()
            .args(["analyze", "--no-aids", "--model", "classical"])
            .arg(&article),
    ))
    .unwrap();
    // The same report but for the time it was made.
    let timeless = |mut v: Value| {
        v[0].as_object_mut().unwrap().remove("created");
        v
    };
    assert_eq!(timeless(fallback.clone()), timeless(classical));
    assert_eq!(fallback[0]["detector"], "classical");
}

#[test]
fn a_model_name_typo_is_an_error_that_lists_the_choices() {
    unspin()
        .args(["analyze", "--model", "ensemble-minlm"])
        .arg(example("article1001.txt"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("unknown model `ensemble-minlm`"))
        .stderr(predicate::str::contains("classical, minilm, mpnet"));
}

#[test]
fn a_transformer_model_that_cannot_load_is_an_error_not_a_fallback() {
    let empty = tempfile::tempdir().unwrap();
    for (model, says) in [
        ("minilm", "scripts/setup-models.sh"),
        ("ensemble", "scripts/setup-models.sh"),
        ("ensemble-minilm", "scripts/setup-models.sh"),
        ("mpnet", "all-mpnet-base-v2/config.json: not found"),
    ] {
        unspin()
            .env("UNSPIN_MODELS", empty.path())
            .args(["analyze", "--model", model])
            .arg(example("article1001.txt"))
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says));
    }
}
