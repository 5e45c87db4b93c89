//! The quote tagger against the rules on PolNeAR dev (needs `../shared/data`; ignored in CI).
//!
//! ```sh
//! cargo test --release -p unspin-factcheck --test polnear -- --ignored
//! ```

use std::path::PathBuf;
use unspin_factcheck::quotes::embedded;
use unspin_factcheck::quotes::polnear::{self, Role};

fn dev_dir() -> PathBuf {
    match std::env::var_os("UNSPIN_DATA") {
        Some(d) => PathBuf::from(d).join("quotes/polnear/dev"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/quotes/polnear/dev"),
    }
}

#[test]
#[ignore = "needs ../shared/data/quotes/polnear (set UNSPIN_DATA)"]
fn the_tagger_beats_the_rules_on_overlap_f1_for_every_role() {
    let docs = polnear::load(&dev_dir()).expect("PolNeAR dev");
    assert_eq!(docs.len(), 84);
    let rules = polnear::score(&docs, None);
    let both = polnear::score(&docs, embedded());
    println!(
        "rules alone:\n{}\nrules + tagger:\n{}",
        rules.table(),
        both.table()
    );
    for role in Role::ALL {
        let (r, b) = (
            rules.get(role, false).prf().2,
            both.get(role, false).prf().2,
        );
        assert!(
            b >= r + 0.03,
            "{}: overlap F1 {b:.3} against the rules' {r:.3}",
            role.name()
        );
        // Exact matches may not fall by more than a point.
        let (r, b) = (rules.get(role, true).prf().2, both.get(role, true).prf().2);
        assert!(
            b >= r - 0.01,
            "{}: exact F1 {b:.3} against the rules' {r:.3}",
            role.name()
        );
    }
}
