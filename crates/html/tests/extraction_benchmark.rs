//! trafilatura's 990-page evaluation set: unspin's pipeline must be at least as good as
//! rs-trafilatura alone on precision, recall and F1 (issue 16). Needs the data in
//! `../shared/data/extraction` (or `$UNSPIN_EXTRACTION_DATA`); about a minute in release:
//!
//! ```text
//! cargo test --release -p unspin-html --test extraction_benchmark -- --ignored --nocapture
//! ```

#[allow(dead_code)]
#[path = "../examples/extraction-bench.rs"]
mod bench;

#[test]
#[ignore = "needs ../shared/data/extraction; about a minute in release"]
fn pipeline_is_at_least_as_good_as_the_library_alone() {
    let dir = bench::default_dir();
    if !dir.join("evaldata.json").exists() {
        eprintln!(
            "skipped: no {} (set UNSPIN_EXTRACTION_DATA)",
            dir.join("evaldata.json").display()
        );
        return;
    }
    let totals = bench::evaluate(&dir, |_| Ok(())).expect("evaluation runs");
    bench::print_table(&totals);
    let (lp, lr, lf) = totals.library.prf();
    let (pp, pr, pf) = totals.pipeline.prf();
    assert!(pp >= lp, "precision {pp:.4} < library {lp:.4}");
    assert!(pr >= lr, "recall {pr:.4} < library {lr:.4}");
    assert!(pf >= lf, "F1 {pf:.4} < library {lf:.4}");
}
