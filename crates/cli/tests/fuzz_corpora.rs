//! Replays the fuzzers' committed inputs (`fuzz/corpus/TARGET/*`, the inputs that reached new
//! code, and `fuzz/regressions/TARGET/*`, each an input that once crashed) through the checks
//! the fuzz targets run. It needs neither nightly nor cargo-fuzz, so a change that breaks one
//! of them fails `cargo test`.

#[allow(dead_code)] // the test below calls each check through a table
#[path = "../../../fuzz/checks.rs"]
mod checks;

use std::path::Path;

/// A fuzz target's name and its check.
type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 6] = [
    ("html_extract", checks::html_extract),
    ("text_input", checks::text_input),
    ("ptc_labels", checks::ptc_labels),
    ("jsonl_record", checks::jsonl_record),
    ("model_file", checks::model_file),
    ("server_request", checks::server_request),
];

#[test]
fn every_committed_fuzz_input_passes_its_check() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    for (target, check) in TARGETS {
        let mut seen = 0;
        for dir in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                let outcome = std::panic::catch_unwind(|| check(&data));
                assert!(outcome.is_ok(), "{target} fails on {}", path.display());
                seen += 1;
            }
        }
        // The seeds are committed: an empty corpus would make this test pass vacuously.
        assert!(seen > 0, "no committed inputs for fuzz target {target}");
    }
}
