//! Label files that are not worth scoring or classifying: endless, empty, empty spans, and TC
//! predictions for other spans than the gold's.

use super::*;

#[cfg(unix)]
#[test]
fn an_endless_label_file_stops_at_the_size_limit() {
    let dir = articles_dir();
    let gold = dir.path().join("gold.tsv");
    fs::write(&gold, "1001\t0\t10\n").unwrap();
    // Without the limit these grew by hundreds of MB a second: fail in time, do not eat the
    // machine.
    let limit = std::time::Duration::from_secs(60);
    for task in ["si", "tc"] {
        fails_with(
            unspin()
                .args(["eval", task, "--gold", "/dev/zero", "--pred"])
                .arg(&gold)
                .timeout(limit),
            &["/dev/zero", "too large"],
        );
    }
    fails_with(
        unspin()
            .args(["classify", "--spans", "/dev/zero", "--articles"])
            .arg(dir.path())
            .timeout(limit),
        &["/dev/zero", "too large"],
    );
}

#[test]
fn an_empty_gold_file_or_template_is_refused_an_empty_prediction_scores_zero_but_in_tc() {
    let dir = articles_dir();
    let (gold, empty) = (dir.path().join("gold.tsv"), dir.path().join("empty.tsv"));
    fs::write(&gold, "1001\tDoubt\t0\t10\n").unwrap();
    fs::write(&empty, "\n").unwrap();
    for task in ["si", "tc", "flc"] {
        fails_with(
            unspin()
                .args(["eval", task, "--gold"])
                .arg(&empty)
                .arg("--pred")
                .arg(&gold),
            &["empty.tsv", "no labels"],
        );
        let eval_empty = || {
            let mut cmd = unspin();
            cmd.args(["eval", task, "--json", "--gold"])
                .arg(&gold)
                .arg("--pred")
                .arg(&empty);
            cmd
        };
        if task == "tc" {
            // TC names the technique of given spans: an answer for none of them is no answer.
            fails_with(&mut eval_empty(), &["gold.tsv:1", "no prediction"]);
            continue;
        }
        let out = eval_empty().assert().success().get_output().clone();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["overall"]["f1"], 0.0, "{task}: {v}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("empty.tsv: no predictions"), "{task}: {err}");
    }
    fails_with(
        unspin()
            .args(["classify", "--spans"])
            .arg(&empty)
            .arg("--articles")
            .arg(dir.path()),
        &["empty.tsv", "no spans"],
    );
}

#[test]
fn eval_tc_refuses_predictions_for_other_spans_than_the_gold() {
    let dir = tempfile::tempdir().unwrap();
    let (gold, pred) = (dir.path().join("gold.tsv"), dir.path().join("other.tsv"));
    // The same span with two techniques, as PTC lists it.
    fs::write(&gold, "1\tDoubt\t0\t5\n1\tSlogans\t0\t5\n2\tDoubt\t3\t9\n").unwrap();
    let eval = |pred_text: &str| {
        fs::write(&pred, pred_text).unwrap();
        let mut cmd = unspin();
        cmd.args(["eval", "tc", "--json", "--gold"])
            .arg(&gold)
            .arg("--pred")
            .arg(&pred);
        cmd
    };
    let out = stdout_of(&mut eval(
        "2\tDoubt\t3\t9\n1\tSlogans\t0\t5\n1\tDoubt\t0\t5\n",
    ));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["overall"]["f1"], 1.0, "{v}");

    fails_with(
        &mut eval("1\tDoubt\t0\t5\n999\tDoubt\t1\t5\n"),
        &["other.tsv:2:", "999", "not a span of the gold file"],
    );
    fails_with(
        &mut eval("1\tDoubt\t0\t5\n1\tSlogans\t0\t5\n"),
        &[
            "other.tsv",
            "no prediction for span 3..9 of article 2",
            "gold.tsv:3",
        ],
    );
    // A second system is held to the same spans.
    fs::write(&pred, "999\tDoubt\t1\t5\n").unwrap();
    fails_with(
        unspin()
            .args(["eval", "tc", "--gold"])
            .arg(&gold)
            .arg("--pred")
            .arg(&gold)
            .arg("--against")
            .arg(&pred),
        &["other.tsv:1:", "999"],
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
