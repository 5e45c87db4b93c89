//! HTML input and the fact-checking aids.

use super::*;

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
fn ptc_and_csv_of_a_page_say_what_their_offsets_count() {
    let page = example("article1003.html");
    let text = example("article1001.txt");
    for format in ["ptc", "csv"] {
        let out = unspin()
            .args(["analyze", "--model", "classical", "--format", format])
            .arg(&page)
            .arg(&text)
            .assert()
            .success()
            .get_output()
            .clone();
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("article 1003: its offsets count code points of the text extracted"),
            "{format}: {err}"
        );
        assert!(
            !err.contains("article 1001"),
            "a text file needs no note: {err}"
        );
    }
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
fn text_view_says_when_no_sentence_is_check_worthy() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("calm.txt");
    fs::write(&p, "What a lovely morning. I hope you enjoy it.\n").unwrap();
    let text_view = |flags: &[&str]| {
        stdout_of(
            unspin()
                .args(["analyze", "--model", "classical", "--format", "text"])
                .args(["--color", "never"])
                .args(flags)
                .arg(&p),
        )
    };
    let out = text_view(&[]);
    assert!(
        out.contains("Claims to check: none of 2 sentences is check-worthy"),
        "{out}"
    );
    // Without the aids nothing is said about claims.
    let out = text_view(&["--no-aids"]);
    assert!(!out.contains("Claims to check"), "{out}");
}

#[test]
fn text_view_says_whose_statement_holds_a_nested_one() {
    let text =
        "Igor Konashenkov thus commented on a recent statement by the Pentagon spokesperson \
                Michelle Baldanza who confirmed that the US military did not intend to share \
                intelligence with Moscow.\n";
    let out = stdout_of(
        unspin()
            .args([
                "analyze",
                "--format",
                "text",
                "--color",
                "never",
                "--model",
                "classical",
                "-",
            ])
            .write_stdin(text),
    );
    let line = out
        .lines()
        .find(|l| l.contains("(confirmed)"))
        .unwrap_or_else(|| panic!("no line for Baldanza's statement in {out}"));
    assert!(
        line.contains("[inside Igor Konashenkov's statement]"),
        "{line}"
    );
    let json = stdout_of(
        unspin()
            .args(["analyze", "--model", "classical", "-"])
            .write_stdin(text),
    );
    let v: Value = serde_json::from_str(&json).unwrap();
    let quotes = v[0]["quotes"].as_array().unwrap();
    let inner = quotes
        .iter()
        .find(|q| q["cue"]["text"] == "confirmed")
        .unwrap();
    let outer = &quotes[inner["within"].as_u64().unwrap() as usize];
    assert_eq!(outer["cue"]["text"], "thus commented on");
    // A statement of its own carries no "within" at all.
    assert!(outer.get("within").is_none(), "{outer}");
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
        ("ensemble-both", "scripts/setup-models.sh"),
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
