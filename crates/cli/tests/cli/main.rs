//! End-to-end tests of the `unspin` binary: the output formats other tooling parses, and the
//! promise that bad input fails with exit code 2, a message naming the file (and line), no
//! panic and nothing on stdout.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

mod analyze;
mod bad_input;
mod bad_labels;
mod commands;
mod pages_and_aids;

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
