//! Label files that are not worth scoring or classifying: endless ones and empty spans.

use super::*;

#[cfg(unix)]
#[test]
fn an_endless_label_file_stops_at_the_size_limit() {
    let dir = articles_dir();
    let gold = dir.path().join("gold.tsv");
    fs::write(&gold, "1001\t0\t10\n").unwrap();
    for task in ["si", "tc"] {
        fails_with(
            unspin()
                .args(["eval", task, "--gold", "/dev/zero", "--pred"])
                .arg(&gold),
            &["/dev/zero", "too large"],
        );
    }
    fails_with(
        unspin()
            .args(["classify", "--spans", "/dev/zero", "--articles"])
            .arg(dir.path()),
        &["/dev/zero", "too large"],
    );
}

#[test]
fn empty_spans_are_refused_with_file_and_line() {
    let dir = articles_dir();
    let spans = dir.path().join("spans.tsv");
    fs::write(&spans, "1001\t?\t0\t5\n1001\t?\t265\t265\n").unwrap();
    fails_with(
        unspin()
            .args(["classify", "--spans"])
            .arg(&spans)
            .arg("--articles")
            .arg(dir.path()),
        &["spans.tsv:2:", "empty span 265..265"],
    );
    let gold = dir.path().join("gold.tsv");
    fs::write(&gold, "1001\t0\t10\n").unwrap();
    fs::write(&spans, "1001\t265\t265\n").unwrap();
    fails_with(
        unspin()
            .args(["eval", "si", "--gold"])
            .arg(&gold)
            .arg("--pred")
            .arg(&spans)
            .arg("--articles")
            .arg(dir.path()),
        &["spans.tsv:1:", "empty span"],
    );
}
