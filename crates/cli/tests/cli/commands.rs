//! `classify`, `eval`, `train`, `bench` and usage errors.

use super::*;

// ---------------------------------------------------------------------------------------------
// classify

#[test]
fn classify_keeps_order_and_answers_duplicates_differently() {
    let dir = articles_dir();
    let t1001 = read_text(&example("article1001.txt"));
    let t1002 = read_text(&example("article1002.txt"));
    let (a, b) = char_span(&t1001, "disgraceful, reckless scheme");
    let (c, d) = char_span(&t1002, "greedy politicians");
    let (e, f) = char_span(&t1001, "Millbrook first, Millbrook forever!");
    let template = format!(
        "1001\t?\t{a}\t{b}\n1002\t?\t{c}\t{d}\n1001\tSlogans\t{e}\t{f}\n1001\t?\t{a}\t{b}\n"
    );
    let spans = dir.path().join("template.tsv");
    fs::write(&spans, &template).unwrap();
    let out = stdout_of(
        unspin()
            .args(["classify", "--spans"])
            .arg(&spans)
            .arg("--articles")
            .arg(dir.path()),
    );
    let got: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    let want: Vec<Vec<&str>> = template.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g.len(), 4);
        assert_eq!(
            (g[0], g[2], g[3]),
            (w[0], w[2], w[3]),
            "same span, same order"
        );
        assert_ne!(g[1], "?");
    }
    // Every answer is a PTC technique name, and the twice-listed span has two techniques.
    let eval_ok = tempfile::NamedTempFile::new().unwrap();
    fs::write(eval_ok.path(), &out).unwrap();
    unspin()
        .args(["eval", "tc", "--gold"])
        .arg(eval_ok.path())
        .arg("--pred")
        .arg(eval_ok.path())
        .assert()
        .success();
    assert_ne!(got[0][1], got[3][1]);
}

// ---------------------------------------------------------------------------------------------
// eval

fn eval_json(task: &str, gold: &str, pred: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let (g, p) = (dir.path().join("gold.tsv"), dir.path().join("pred.tsv"));
    fs::write(&g, gold).unwrap();
    fs::write(&p, pred).unwrap();
    let out = stdout_of(
        unspin()
            .args(["eval", task, "--json", "--gold"])
            .arg(&g)
            .arg("--pred")
            .arg(&p),
    );
    serde_json::from_str(&out).unwrap()
}

#[test]
fn eval_identical_files_score_one() {
    let tc = "1001\tDoubt\t10\t20\n1001\tSlogans\t30\t45\n1002\tLoaded_Language\t0\t5\n";
    for task in ["si", "tc", "flc"] {
        let v = eval_json(task, tc, tc);
        assert_eq!(v["overall"]["f1"].as_f64().unwrap(), 1.0, "{task}: {v}");
    }
    let si = "1001\t10\t20\n1002\t0\t5\n";
    assert_eq!(eval_json("si", si, si)["overall"]["f1"], 1.0);
}

#[test]
fn eval_si_partial_overlap() {
    // Prediction covers half the gold span: P = 5/5, R = 5/10, F1 = 2/3.
    let v = eval_json("si", "1\t0\t10\n", "1\t0\t5\n");
    let f1 = v["overall"]["f1"].as_f64().unwrap();
    assert!((f1 - 2.0 / 3.0).abs() < 1e-9, "{v}");
}

#[test]
fn eval_prints_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("gold.tsv");
    fs::write(&g, "1\tDoubt\t0\t10\n").unwrap();
    let out = stdout_of(
        unspin()
            .args(["eval", "flc", "--gold"])
            .arg(&g)
            .arg("--pred")
            .arg(&g),
    );
    assert!(out.contains("F1 1.0000"), "{out}");
    assert!(out.contains("Doubt"));
}

#[test]
fn eval_ci_gives_f1_an_interval_from_draws_of_the_labelled_articles() {
    // Article 1 found, article 2 missed, article 3 half found: F1 over all three lies inside
    // the interval, which spans from draws of mostly 2 to draws of mostly 1.
    let dir = tempfile::tempdir().unwrap();
    let (g, p) = (dir.path().join("gold.tsv"), dir.path().join("pred.tsv"));
    fs::write(&g, "1\t0\t10\n2\t0\t10\n3\t0\t10\n").unwrap();
    fs::write(&p, "1\t0\t10\n3\t0\t5\n").unwrap();
    let run = |json: bool| {
        let mut cmd = unspin();
        cmd.args(["eval", "si", "--ci", "--gold"])
            .arg(&g)
            .arg("--pred")
            .arg(&p);
        if json {
            cmd.arg("--json");
        }
        stdout_of(&mut cmd)
    };
    let v: Value = serde_json::from_str(&run(true)).unwrap();
    let f1 = v["overall"]["f1"].as_f64().unwrap();
    let (lo, hi) = (
        v["f1_interval"]["lo"].as_f64().unwrap(),
        v["f1_interval"]["hi"].as_f64().unwrap(),
    );
    assert!(lo < f1 && f1 < hi, "{v}");
    assert!(
        lo < 0.4 && hi > 0.9,
        "three articles this different: a wide interval {v}"
    );
    assert_eq!(v["f1_interval"]["draws"], 1000);
    assert_eq!(v["f1_interval"]["articles"], 3);
    let text = run(false);
    assert!(text.contains("F1 95% interval ["), "{text}");
    assert!(
        text.contains("1000 draws of the 3 labelled articles"),
        "{text}"
    );
    assert_eq!(text, run(false), "seeded: a rerun prints the same");
    // Without --ci, no interval.
    assert!(eval_json("si", "1\t0\t10\n", "1\t0\t5\n")
        .get("f1_interval")
        .is_none());
}

#[test]
fn eval_against_pairs_two_systems_over_the_same_draws() {
    // 20 articles, each found in part by A, by much or little, and by B one character less:
    // the articles vary far more than the two systems do, so their own intervals overlap, but
    // A leads in every draw, and the paired interval stays above 0.
    let dir = tempfile::tempdir().unwrap();
    let (g, a, b) = (
        dir.path().join("gold.tsv"),
        dir.path().join("a.tsv"),
        dir.path().join("b.tsv"),
    );
    let lines = |end: &dyn Fn(usize) -> usize| -> String {
        (0..20).map(|i| format!("{i}\t0\t{}\n", end(i))).collect()
    };
    fs::write(&g, lines(&|_| 10)).unwrap();
    fs::write(&a, lines(&|i| 2 + i % 8)).unwrap();
    fs::write(&b, lines(&|i| 1 + i % 8)).unwrap();
    let json = |against: &std::path::Path| -> Value {
        let out = stdout_of(
            unspin()
                .args(["eval", "si", "--json", "--gold"])
                .arg(&g)
                .arg("--pred")
                .arg(&a)
                .arg("--against")
                .arg(against),
        );
        serde_json::from_str(&out).unwrap()
    };
    let v = json(&b);
    let num = |x: &Value| x.as_f64().unwrap();
    let d = num(&v["against"]["difference"]);
    let (lo, hi) = (
        num(&v["against"]["interval"]["lo"]),
        num(&v["against"]["interval"]["hi"]),
    );
    assert!(d > 0.0 && lo > 0.0 && lo <= d && d <= hi, "{v}");
    // B's own interval, from the same command with the roles swapped.
    let swapped: Value = serde_json::from_str(&stdout_of(
        unspin()
            .args(["eval", "si", "--ci", "--json", "--gold"])
            .arg(&g)
            .arg("--pred")
            .arg(&b),
    ))
    .unwrap();
    assert!(
        num(&v["f1_interval"]["lo"]) < num(&swapped["f1_interval"]["hi"]),
        "the two systems' own intervals overlap: {v} {swapped}"
    );
    // Against itself: no difference in any draw.
    let v = json(&a);
    assert_eq!(v["against"]["difference"], 0.0);
    assert_eq!(v["against"]["interval"]["lo"], 0.0);
    assert_eq!(v["against"]["interval"]["hi"], 0.0);
    let text = |against: &std::path::Path| {
        stdout_of(
            unspin()
                .args(["eval", "si", "--gold"])
                .arg(&g)
                .arg("--pred")
                .arg(&a)
                .arg("--against")
                .arg(against),
        )
    };
    assert!(text(&a).contains("holds 0: no measured difference"));
    let t = text(&b);
    assert!(
        t.contains("F1 95% interval [") && !t.contains("holds 0"),
        "{t}"
    );
}

// ---------------------------------------------------------------------------------------------
// train (on a tiny corpus made of the examples), then use the trained model

#[test]
fn train_saves_a_model_that_analyze_loads() {
    let data = tiny_corpus();
    let model = data.path().join("out/model.unspin");
    let out = stdout_of(
        unspin()
            .args(["train", "--seed", "7", "--data"])
            .arg(data.path())
            .arg("--out")
            .arg(&model),
    );
    assert!(out.contains("trained on 2 articles"), "{out}");
    assert!(fs::metadata(&model).unwrap().len() > 0);
    let v = analyze_json(&[
        "--model",
        model.to_str().unwrap(),
        example("article1001.txt").to_str().unwrap(),
    ]);
    check_report(&v[0], &example("article1001.txt"));
}

#[test]
fn train_cross_validation_writes_a_json_report() {
    let data = tiny_corpus();
    let report = data.path().join("cv.json");
    let out = stdout_of(
        unspin()
            .args(["train", "--cv", "2", "--sweep", "0.2,0.4", "--data"])
            .arg(data.path())
            .arg("--report")
            .arg(&report),
    );
    assert!(out.contains("2-fold"), "{out}");
    let v: Value = serde_json::from_str(&read_text(&report)).unwrap();
    assert_eq!(v["folds"], 2);
    assert_eq!(v["sweep"].as_array().unwrap().len(), 2);
}

#[test]
fn train_cross_validation_needs_enough_articles() {
    let data = tiny_corpus();
    fails_with(
        unspin()
            .args(["train", "--cv", "3", "--data"])
            .arg(data.path()),
        &["--cv", "number of articles (2)"],
    );
}

#[test]
fn train_test_backend_is_checked_before_any_encoding() {
    let data = tiny_corpus();
    fails_with(
        unspin()
            .args(["train", "--cv", "2", "--test-backend", "ort", "--data"])
            .arg(data.path()),
        &["--test-backend needs a transformer --model"],
    );
    let empty = tempfile::tempdir().unwrap();
    fails_with(
        unspin()
            .env("UNSPIN_MODELS", empty.path())
            .args([
                "train",
                "--model",
                "minilm",
                "--cv",
                "2",
                "--test-backend",
                "onnx",
            ])
            .arg("--data")
            .arg(data.path()),
        &["unknown encoder backend \"onnx\""],
    );
    // A backend this build cannot run is refused too, before any article is encoded (the
    // tiny BERT fixture stands in for MiniLM).
    let encoders = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../transformer/tests/fixtures/tiny-bert"),
        encoders.path().join("all-MiniLM-L6-v2"),
    )
    .unwrap();
    let err = fails_with(
        unspin()
            .args([
                "train",
                "--model",
                "minilm",
                "--cv",
                "2",
                "--test-backend",
                "ort-int8",
            ])
            .arg("--encoders")
            .arg(encoders.path())
            .arg("--data")
            .arg(data.path()),
        &["ort"],
    );
    assert!(!err.contains("encoded"), "{err}");
}

#[test]
fn train_without_data_names_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-data");
    fails_with(
        unspin().args(["train", "--data"]).arg(&missing),
        &["no-such-data"],
    );
}

// ---------------------------------------------------------------------------------------------
// bench

#[test]
fn bench_without_data_uses_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    let out = stdout_of(
        unspin()
            .args(["bench", "--seconds", "0.05"])
            .env("UNSPIN_DATA", dir.path().join("absent")),
    );
    assert!(out.contains("PTC data not found"), "{out}");
    assert!(out.contains("analyze (spans only), 1 thread:"), "{out}");
    assert!(out.contains("analyze (with aids), 1 thread:"), "{out}");
    assert!(out.contains("MB/s"));
    assert!(!out.contains("train:"));
}

/// Data named on the command line and not there is a mistake, not a cue to time the examples.
#[test]
fn bench_with_missing_data_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    fails_with(
        unspin()
            .args(["bench", "--seconds", "0.05", "--data"])
            .arg(dir.path().join("no-such-data")),
        &["no-such-data", "not found"],
    );
}

// ---------------------------------------------------------------------------------------------
// usage

#[test]
fn help_succeeds_and_usage_errors_exit_2() {
    unspin()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("analyze"));
    fails_with(unspin().arg("analyze"), &["PATH"]);
    fails_with(
        unspin().args(["analyze", "--format", "xml", "x.txt"]),
        &["xml"],
    );
    fails_with(unspin().arg("frobnicate"), &["frobnicate"]);
}
