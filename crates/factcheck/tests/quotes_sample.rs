//! The shared sample article: Konashenkov's statements must be found and linked to his full
//! title. The sample lives outside the repository (`../shared/samples/`, or
//! `$UNSPIN_SHARED/samples/`) and is never copied in; when it is absent the test says so and
//! passes.

use std::path::PathBuf;
use unspin_factcheck::quotes::{extract, QuoteKind};

fn sample_path() -> PathBuf {
    let shared = match std::env::var_os("UNSPIN_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    shared.join("samples").join("russia-phony-war.txt")
}

#[test]
fn russia_phony_war_quotes() {
    let path = sample_path();
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: sample not found at {}", path.display());
        return;
    };
    let quotes = extract(&text);
    let chars: Vec<char> = text.chars().collect();
    for q in &quotes {
        println!("{}", serde_json::to_string(q).unwrap_or_default());
        for p in [Some(&q.content), q.cue.as_ref(), q.source.as_ref()]
            .into_iter()
            .flatten()
        {
            let got: String = chars[p.start()..p.end()].iter().collect();
            assert_eq!(got, p.text());
        }
    }
    let full = "Russian Defence Ministry spokesman\u{a0}Igor Konashenkov";
    let by_him: Vec<_> = quotes
        .iter()
        .filter(|q| q.speaker.as_deref() == Some(full))
        .collect();
    // Three direct quotes ("Konashenkov said", "he said", "Konashenkov said"), the reported
    // "Konashenkov has said that ..." and "The Russian Defense Ministry spokesman said that ...".
    assert!(by_him.len() >= 5, "{quotes:#?}");
    assert!(by_him
        .iter()
        .any(|q| q.kind == QuoteKind::Direct
            && q.content.text().starts_with("“The hackneyed thesis")));
    assert!(by_him
        .iter()
        .any(|q| q.source.as_ref().is_some_and(|s| s.text() == "he")));
    // Baldanza's quote goes to her full mention; Rudskoy's "he added" to him.
    assert!(quotes
        .iter()
        .any(|q| q.content.text().starts_with("“We are not going")
            && q.speaker.as_deref() == Some("the Pentagon spokesperson Michelle Baldanza")));
    assert!(quotes
        .iter()
        .any(|q| q.content.text().starts_with("“As of the time")
            && q.speaker.as_deref() == Some("General Sergey Rudskoy")));
    // "reports:" lost its outlet with a link, but the paragraph after it names its speaker:
    // "He thus commented on …" is Konashenkov's, and nothing in the sample is unattributed.
    assert!(quotes.iter().any(|q| q
        .cue
        .as_ref()
        .is_some_and(|c| c.text() == "thus commented on")
        && q.speaker.as_deref() == Some(full)));
    assert!(quotes.iter().all(|q| !q.unattributed), "{quotes:#?}");
    // What Baldanza "confirmed" is part of the statement Konashenkov commented on: marked as
    // inside his, so the same words are not read as two people's own.
    let confirmed = quotes
        .iter()
        .find(|q| q.cue.as_ref().is_some_and(|c| c.text() == "confirmed"))
        .expect("Baldanza's confirmed");
    let outer = confirmed.reported_in(&quotes).expect("inside another");
    assert_eq!(outer.speaker.as_deref(), Some(full), "{outer:#?}");
}
