//! `unspin analyze`: formats, inputs, output files.

use super::*;

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

/// `unspin analyze [--force] -o out` on the example article: the refusal tests' command.
fn analyze_example_into(out: &Path, force: bool) -> Command {
    let mut cmd = unspin();
    cmd.arg("analyze");
    if force {
        cmd.arg("--force");
    }
    cmd.arg("-o").arg(out).arg(example("article1001.txt"));
    cmd
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
        &mut analyze_example_into(&link, false),
        &["link.json", "symbolic link", "--force"],
    );
    assert_eq!(read_text(&real), "old");
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    // Forced, the link stays a link and the file it points to gets the output.
    analyze_example_into(&link, true).assert().success();
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
fn a_write_protected_output_is_refused_unless_forced() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keep.json");
    fs::write(&out, "old").unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o444)).unwrap();
    fails_with(
        &mut analyze_example_into(&out, false),
        &["keep.json", "write-protected", "--force"],
    );
    assert_eq!(read_text(&out), "old");
    analyze_example_into(&out, true).assert().success();
    let v: Value = serde_json::from_str(&read_text(&out)).unwrap();
    assert_eq!(v[0]["id"], "1001");
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444, "still write-protected");
    assert_eq!(entries(dir.path()), ["keep.json"]);
}

#[cfg(unix)]
#[test]
fn output_to_a_device_or_fifo_is_refused_unless_forced() {
    let null = Path::new("/dev/null");
    fails_with(
        &mut analyze_example_into(null, false),
        &["/dev/null", "not a regular file", "--force"],
    );
    assert!(!fs::metadata(null).unwrap().is_file(), "still a device");
    analyze_example_into(null, true).assert().success();
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
