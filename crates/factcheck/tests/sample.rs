//! The shared sample article: the checks must find its two known slips and nothing else.
//!
//! The sample lives outside the repository (`../shared/samples/`, or `$UNSPIN_SHARED/samples/`)
//! and is never copied in; when it is absent the test says so and passes.

use std::path::PathBuf;
use unspin_factcheck::consistency::{check, Finding, FindingKind};

fn sample_path() -> PathBuf {
    let shared = match std::env::var_os("UNSPIN_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    shared.join("samples").join("russia-phony-war.txt")
}

fn slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

#[test]
fn russia_phony_war_sample() {
    let path = sample_path();
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: sample not found at {}", path.display());
        return;
    };
    let findings = check(&text);
    for f in &findings {
        println!("{}", serde_json::to_string(f).unwrap());
    }
    for f in &findings {
        for p in &f.places {
            assert_eq!(slice(&text, p.start(), p.end()), p.text(), "{f:?}");
        }
    }

    let sums: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::PartsDontSumToTotal)
        .collect();
    assert_eq!(sums.len(), 1, "{findings:#?}");
    let texts: Vec<&str> = sums[0].places.iter().map(|p| p.text()).collect();
    assert_eq!(texts, ["11,775", "4,530", "7,250"]);
    assert_eq!(
        sums[0].explanation,
        "4,530 + 7,250 = 11,780, but the total given is 11,775"
    );

    let names: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::NameSpelledTwoWays)
        .collect();
    assert_eq!(names.len(), 1, "{findings:#?}");
    let texts: Vec<&str> = names[0].places.iter().map(|p| p.text()).collect();
    assert_eq!(texts, ["Rudskoy", "Rudskoy", "Rudskoi"]);

    assert_eq!(findings.len(), 2, "nothing spurious: {findings:#?}");
}
