//! Bad articles, models and label files: exit 2, a message naming the file and line.

use super::*;

// ---------------------------------------------------------------------------------------------
// bad articles

#[test]
fn missing_article_file() {
    let dir = tempfile::tempdir().unwrap();
    fails_with(
        unspin().arg("analyze").arg(dir.path().join("nope.txt")),
        &["nope.txt"],
    );
}

#[test]
fn invalid_utf8_article() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("latin1.txt");
    fs::write(&p, b"Caf\xe9 society\n").unwrap();
    fails_with(unspin().arg("analyze").arg(&p), &["latin1.txt", "UTF-8"]);
}

#[test]
fn binary_article() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("picture.txt");
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    fs::write(&p, png).unwrap();
    fails_with(unspin().arg("analyze").arg(&p), &["picture.txt", "binary"]);
}

#[test]
fn huge_article_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.txt");
    {
        use std::io::Write;
        let mut f = fs::File::create(&p).unwrap();
        f.write_all(b"The start of a very long article.").unwrap();
        // Sparse: 100 MB long on paper, nothing on disk.
        f.set_len(100_000_000).unwrap();
    }
    fails_with(unspin().arg("analyze").arg(&p), &["huge.txt", "too large"]);
}

#[test]
fn max_bytes_is_respected() {
    fails_with(
        unspin()
            .args(["analyze", "--max-bytes", "100"])
            .arg(example("article1001.txt")),
        &["article1001.txt", "too large"],
    );
}

#[cfg(unix)]
#[test]
fn dangling_symlink_in_a_directory() {
    let dir = articles_dir();
    std::os::unix::fs::symlink(dir.path().join("gone.txt"), dir.path().join("x.txt")).unwrap();
    fails_with(unspin().arg("analyze").arg(dir.path()), &["x.txt"]);
}

// ---------------------------------------------------------------------------------------------
// bad models

#[test]
fn missing_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("missing.unspin");
    fails_with(
        unspin()
            .args(["analyze", "--model"])
            .arg(&m)
            .arg(example("article1002.txt")),
        &["missing.unspin"],
    );
}

#[test]
fn garbage_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("garbage.unspin");
    fs::write(&m, b"this is not a model at all, just some text\n").unwrap();
    fails_with(
        unspin()
            .args(["analyze", "--model"])
            .arg(&m)
            .arg(example("article1002.txt")),
        &["garbage.unspin"],
    );
    // A file that starts right but is cut short is refused too.
    let t = dir.path().join("truncated.unspin");
    let good = tiny_model();
    let bytes = fs::read(good.1).unwrap();
    fs::write(&t, &bytes[..bytes.len() / 2]).unwrap();
    fails_with(
        unspin()
            .args(["classify", "--model"])
            .arg(&t)
            .arg("--spans")
            .arg(write_template(&dir, "1002\t?\t0\t5\n"))
            .arg("--articles")
            .arg(articles_dir().path()),
        &["truncated.unspin"],
    );
}

/// A small trained model (its corpus directory must outlive the path).
fn tiny_model() -> (tempfile::TempDir, PathBuf) {
    let data = tiny_corpus();
    let model = data.path().join("m.unspin");
    unspin()
        .args(["train", "--data"])
        .arg(data.path())
        .arg("--out")
        .arg(&model)
        .assert()
        .success();
    (data, model)
}

// ---------------------------------------------------------------------------------------------
// bad label files

fn write_template(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let p = dir.path().join("spans.tsv");
    fs::write(&p, text).unwrap();
    p
}

/// Runs `classify` on a template and expects the bad-input contract naming `spans.tsv:LINE:`.
fn classify_fails(template: &str, line: usize, also: &str) {
    let dir = articles_dir();
    let spans = write_template(&dir, template);
    fails_with(
        unspin()
            .args(["classify", "--spans"])
            .arg(&spans)
            .arg("--articles")
            .arg(dir.path()),
        &[&format!("spans.tsv:{line}:"), also],
    );
}

#[test]
fn label_with_wrong_column_count() {
    classify_fails("1001\t?\t0\t5\n1001\t?\t5\n", 2, "columns");
}

#[test]
fn label_with_negative_offset() {
    classify_fails("1001\t?\t-3\t10\n", 1, "-3");
}

#[test]
fn label_with_start_after_end() {
    classify_fails("1001\t?\t0\t4\n1001\t?\t10\t5\n", 2, "after");
}

#[test]
fn label_past_the_end_of_its_article() {
    classify_fails("1001\t?\t0\t4\n1002\t?\t100\t99999\n", 2, "99999");
}

#[test]
fn label_for_an_unknown_article() {
    classify_fails("1001\t?\t0\t4\n424242\t?\t0\t4\n", 2, "424242");
}

#[test]
fn label_with_unknown_technique() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.tsv");
    fs::write(&gold, "1001\tDoubt\t0\t5\n1001\tMind_Control\t5\t9\n").unwrap();
    fails_with(
        unspin()
            .args(["eval", "flc", "--gold"])
            .arg(&gold)
            .arg("--pred")
            .arg(&gold),
        &["gold.tsv:2:", "Mind_Control"],
    );
}

#[test]
fn eval_checks_ranges_against_articles() {
    let dir = articles_dir();
    let gold = dir.path().join("gold.tsv");
    let pred = dir.path().join("pred.tsv");
    fs::write(&gold, "1001\t0\t10\n").unwrap();
    fs::write(&pred, "1001\t0\t10\n1002\t0\t5000\n").unwrap();
    // Without --articles the ranges cannot be checked, and scoring goes ahead.
    unspin()
        .args(["eval", "si", "--gold"])
        .arg(&gold)
        .arg("--pred")
        .arg(&pred)
        .assert()
        .success();
    fails_with(
        unspin()
            .args(["eval", "si", "--gold"])
            .arg(&gold)
            .arg("--pred")
            .arg(&pred)
            .arg("--articles")
            .arg(dir.path()),
        &["pred.tsv:2:", "5000"],
    );
    // A second system's file is checked too.
    fails_with(
        unspin()
            .args(["eval", "si", "--gold"])
            .arg(&gold)
            .arg("--pred")
            .arg(&gold)
            .arg("--against")
            .arg(&pred)
            .arg("--articles")
            .arg(dir.path()),
        &["pred.tsv:2:", "5000"],
    );
}

#[test]
fn missing_label_file() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.tsv");
    fs::write(&gold, "1\t0\t1\n").unwrap();
    fails_with(
        unspin()
            .args(["eval", "si", "--gold"])
            .arg(&gold)
            .arg("--pred")
            .arg(dir.path().join("nothing.tsv")),
        &["nothing.tsv"],
    );
}

#[test]
fn train_options_file_overrides_only_what_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("opts.json");
    fs::write(
        &p,
        r#"{"crf": {"epochs": 3}, "decode": {"si_threshold": 0.4}}"#,
    )
    .unwrap();
    let out = stdout_of(
        unspin()
            .args(["train", "--print-options", "--seed", "7", "--options"])
            .arg(&p),
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["seed"], 7);
    assert_eq!(v["crf"]["epochs"], 3);
    assert_eq!(v["decode"]["si_threshold"].as_f64().unwrap() as f32, 0.4);
    // Untouched fields keep their defaults.
    let defaults: Value =
        serde_json::from_str(&stdout_of(unspin().args(["train", "--print-options"]))).unwrap();
    assert_eq!(v["logreg"], defaults["logreg"]);
    assert_eq!(v["crf"]["learning_rate"], defaults["crf"]["learning_rate"]);
}

#[test]
fn train_options_file_with_a_typo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("opts.json");
    fs::write(&p, "{\n  \"crf\": {\"epoch\": 3}\n}\n").unwrap();
    fails_with(
        unspin()
            .args(["train", "--print-options", "--options"])
            .arg(&p),
        &["opts.json:2", "unknown field `epoch`"],
    );
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// absurd numbers: refused up front, before any work, never a panic, a hang or an OOM

#[test]
fn absurd_counts_and_durations_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    fails_with(
        unspin().args(["bench", "--model", "classical", "--seconds", "1e20"]),
        &["--seconds", "86400"],
    );
    for (flag, value, bound) in [
        ("--max-concurrent", "3000000000000000000", "512"),
        ("--max-queued", "3000000000000000000", "4096"),
    ] {
        // Bounded, so that a server that starts anyway fails the test instead of hanging it.
        fails_with(
            unspin()
                .args(["serve", "--addr", "127.0.0.1:0", flag, value])
                .timeout(std::time::Duration::from_secs(60)),
            &[flag, bound],
        );
    }
    for (flag, value, bound) in [
        ("--threads", "100000", "1024"),
        ("--chunk-size", "10000000000", "100000"),
    ] {
        fails_with(
            unspin()
                .args(["batch", flag, value, "--out"])
                .arg(&out)
                .arg(example("article1001.txt")),
            &[flag, bound],
        );
    }
    assert!(!out.exists());
}

#[test]
fn train_options_out_of_range_are_refused_naming_file_and_option() {
    let data = tiny_corpus();
    let model = data.path().join("m.unspin");
    for (json, option) in [
        (r#"{"si_bits": 40}"#, "si_bits"),
        (r#"{"tc_bits": 99}"#, "tc_bits"),
        (r#"{"si_bits": 64}"#, "si_bits"),
        (r#"{"si_bits": 0}"#, "si_bits"),
        (r#"{"crf": {"epochs": 0}}"#, "crf.epochs"),
        (
            r#"{"logreg": {"learning_rate": -1}}"#,
            "logreg.learning_rate",
        ),
        (
            r#"{"decode": {"si_threshold": 1.5}}"#,
            "decode.si_threshold",
        ),
    ] {
        let opts = data.path().join("opts.json");
        fs::write(&opts, json).unwrap();
        fails_with(
            unspin()
                .args(["train", "--data"])
                .arg(data.path())
                .arg("--options")
                .arg(&opts)
                .arg("--out")
                .arg(&model),
            &["opts.json", option],
        );
        assert!(!model.exists(), "{json}");
    }
}

#[test]
fn train_refuses_a_corpus_without_labels() {
    let data = tiny_corpus();
    let d = data.path();
    fs::write(d.join("labels.tc.tsv"), "").unwrap();
    fs::write(d.join("labels.si.tsv"), "\n").unwrap();
    let model = d.join("m.unspin");
    fails_with(
        unspin()
            .args(["train", "--data"])
            .arg(d)
            .arg("--out")
            .arg(&model),
        &["labels.tc.tsv", "labels.si.tsv", "no labels"],
    );
    assert!(!model.exists());
}

#[test]
fn train_sweep_must_be_a_threshold() {
    let data = tiny_corpus();
    for sweep in ["NaN", "inf", "-0.1", "1.5"] {
        fails_with(
            unspin()
                .args(["train", "--cv", "2", "--data"])
                .arg(data.path())
                .arg(format!("--sweep=0.3,{sweep}"))
                // Before the check, NaN made the sweep loop forever: fail, do not hang.
                .timeout(std::time::Duration::from_secs(60)),
            &["--sweep"],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// outputs of train and validate: never an input, checked before the work

#[test]
fn train_and_validate_refuse_to_write_over_their_inputs() {
    let data = tiny_corpus();
    let d = data.path();
    let options = d.join("o.json");
    fs::write(&options, "{}").unwrap();
    let holdout = d.join("ho.txt");
    fs::write(&holdout, "1001\n").unwrap();
    let article = d.join("articles/article1001.txt");
    let train = || {
        let mut c = unspin();
        c.args(["train", "--data"]).arg(d);
        c
    };
    for target in [d.join("labels.tc.tsv"), article.clone(), options.clone()] {
        let before = fs::read(&target).unwrap();
        let err = fails_with(
            train()
                .arg("--options")
                .arg(&options)
                .arg("--out")
                .arg(&target),
            &[&target.file_name().unwrap().to_string_lossy(), "input"],
        );
        // train has no --force, so its message must not offer one.
        assert!(!err.contains("--force"), "{err}");
        assert_eq!(fs::read(&target).unwrap(), before);
    }
    let si = d.join("labels.si.tsv");
    let before = fs::read(&si).unwrap();
    fails_with(
        train().args(["--cv", "2", "--report"]).arg(&si),
        &["labels.si.tsv", "input"],
    );
    assert_eq!(fs::read(&si).unwrap(), before);
    fails_with(
        unspin()
            .args(["validate", "--data"])
            .arg(d)
            .arg("--holdout")
            .arg(&holdout)
            .arg("--report")
            .arg(&holdout),
        &["ho.txt", "input"],
    );
    assert_eq!(read_text(&holdout), "1001\n");
    // A technique weight the blends never try is refused before any work, and the report
    // is not begun.
    let report = d.join("r.json");
    fails_with(
        unspin()
            .args(["validate", "--tc-weight", "0.5", "--data"])
            .arg(d)
            .arg("--holdout")
            .arg(&holdout)
            .arg("--report")
            .arg(&report),
        &["technique weight 0.5", "0.4, 0.6, 0.8, 1"],
    );
    assert!(!report.exists());
    // Nor anything inside an installed encoder.
    let weights = d.join("enc/all-mpnet-base-v2/model.safetensors");
    fs::create_dir_all(weights.parent().unwrap()).unwrap();
    fs::write(&weights, "weights").unwrap();
    let validate_into = |report: &str| {
        let mut c = unspin();
        c.args(["validate", "--data"])
            .arg(d)
            .arg("--holdout")
            .arg(&holdout)
            .arg("--encoders")
            .arg(d.join("enc"))
            .arg("--report")
            .arg(d.join("enc").join(report));
        c
    };
    for (report, dir) in [
        (
            "all-mpnet-base-v2/../all-mpnet-base-v2/model.safetensors",
            "all-mpnet-base-v2",
        ),
        (
            "all-MiniLM-L6-v2+lora-0123456789abcdef/new.json",
            "all-MiniLM-L6-v2+lora-",
        ),
        ("onnxruntime/libonnxruntime.so", "onnxruntime"),
    ] {
        fails_with(&mut validate_into(report), &[dir, "which validate reads"]);
    }
    assert_eq!(read_text(&weights), "weights");
    assert!(!d
        .join("enc/all-MiniLM-L6-v2+lora-0123456789abcdef")
        .exists());
    // A folder of the user's beside the encoders is not one of them.
    let err = String::from_utf8_lossy(&validate_into("reports/r.json").output().unwrap().stderr)
        .into_owned();
    assert!(!err.contains("validate reads"), "{err}");
}

#[test]
fn train_checks_its_outputs_before_training() {
    let data = tiny_corpus();
    let d = data.path();
    let empty = tempfile::tempdir().unwrap();
    // fails_with also proves no training started: stderr holds nothing before the error.
    fails_with(
        unspin()
            .args(["train", "--data"])
            .arg(d)
            .arg("--out")
            .arg(empty.path()),
        &["is a directory"],
    );
    let missing = empty.path().join("missing/dir/r.json");
    fails_with(
        unspin()
            .args(["train", "--cv", "2", "--data"])
            .arg(d)
            .arg("--report")
            .arg(&missing),
        &["r.json"],
    );
    assert!(!empty.path().join("missing").exists());
    // Two spellings of one file for the model and the report.
    let heads = empty.path().join("h.safetensors");
    fails_with(
        unspin()
            .args(["train", "--model", "minilm", "--cv", "2", "--data"])
            .arg(d)
            .arg("--out")
            .arg(empty.path().join("new/x/../../h.safetensors"))
            .arg("--report")
            .arg(&heads),
        &["h.safetensors", "--report names the file the model"],
    );
    // Nothing below the encoders the run reads.
    let encoders = empty.path().join("enc");
    fails_with(
        unspin()
            .args(["train", "--model", "minilm", "--data"])
            .arg(d)
            .arg("--encoders")
            .arg(&encoders)
            .arg("--out")
            .arg(encoders.join("all-MiniLM-L6-v2/model.safetensors")),
        &["model.safetensors", "which this run reads"],
    );
    assert!(!heads.exists() && !encoders.exists() && !empty.path().join("new").exists());
}

// ---------------------------------------------------------------------------------------------
// inputs with no articles at all

#[test]
fn inputs_without_any_article_are_refused_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    fs::write(&empty, "").unwrap();
    let blank = dir.path().join("blank.jsonl");
    fs::write(&blank, "\n  \n\r\n").unwrap();
    let only = dir.path().join("only");
    fs::create_dir(&only).unwrap();
    fs::write(only.join("feed.jsonl"), "").unwrap();
    let kept = dir.path().join("exist.txt");
    fs::write(&kept, "kept").unwrap();
    for (input, name) in [
        (&empty, "empty.jsonl"),
        (&blank, "blank.jsonl"),
        (&only, "only"),
    ] {
        fails_with(
            unspin().arg("analyze").arg(input).arg("-o").arg(&kept),
            &[name, "no articles"],
        );
        assert_eq!(read_text(&kept), "kept");
    }
    let run = dir.path().join("b_3");
    fails_with(
        unspin()
            .args(["batch", "-q", "--out"])
            .arg(&run)
            .arg(&empty),
        &["empty.jsonl", "no articles"],
    );
    assert!(!run.exists(), "the run directory is not created");
}

#[test]
fn train_refuses_a_blank_article_naming_it() {
    let data = tiny_corpus();
    fs::write(data.path().join("articles/article1003.txt"), " \n").unwrap();
    let model = data.path().join("m.unspin");
    fails_with(
        unspin()
            .args(["train", "--data"])
            .arg(data.path())
            .arg("--out")
            .arg(&model),
        &["article1003.txt", "empty"],
    );
    assert!(!model.exists());
}

// ---------------------------------------------------------------------------------------------
// messages that say what is wrong with the path the user gave

#[test]
fn a_path_that_is_no_model_is_called_so() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails_with(
        unspin()
            .args(["analyze", "--model"])
            .arg(dir.path())
            .arg(example("article1001.txt")),
        &[&dir.path().display().to_string(), "not a model", ".unspin"],
    );
    assert!(!err.contains("setup-models"), "{err}");
    let data = tiny_corpus();
    let holdout = data.path().join("ho.txt");
    fs::write(&holdout, "1001\n").unwrap();
    let validate = |model: &Path, needles: &[&str]| {
        fails_with(
            unspin()
                .args(["validate", "--data"])
                .arg(data.path())
                .arg("--holdout")
                .arg(&holdout)
                .arg("--model")
                .arg(model),
            needles,
        )
    };
    let missing = dir.path().join("nonexist");
    let err = validate(&missing, &["nonexist", "not a model", "heads.safetensors"]);
    assert!(!err.contains("setup-models"), "{err}");
    // validate scores directories only, so a model file is not offered as one.
    let file = dir.path().join("model.unspin");
    fs::write(&file, "x").unwrap();
    let err = validate(&file, &["model.unspin", "not a model directory"]);
    assert!(!err.contains(".unspin file"), "{err}");
}

#[test]
fn a_jsonl_file_may_start_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bom.jsonl");
    fs::write(
        &p,
        "\u{feff}{\"id\": \"a\", \"text\": \"A disgraceful, reckless scheme.\"}\n",
    )
    .unwrap();
    assert_eq!(report_ids(&analyze_json(&[p.to_str().unwrap()])), ["a"]);
    // A mark alone on the first line is a blank line.
    fs::write(&p, "\u{feff}\n{\"id\": \"b\", \"text\": \"Text.\"}\n").unwrap();
    assert_eq!(report_ids(&analyze_json(&[p.to_str().unwrap()])), ["b"]);
}

#[test]
fn output_into_a_missing_directory_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nodir/x.json");
    let err = fails_with(
        unspin()
            .arg("analyze")
            .arg("-o")
            .arg(&out)
            .arg(example("article1001.txt")),
        &[&out.display().to_string(), "does not exist"],
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        !err.contains(".unspin-"),
        "the temporary file is no business of the user: {err}"
    );
}

#[test]
fn a_zero_count_says_it_must_be_one_or_more() {
    for args in [
        &["stats", "--top", "0", "x"][..],
        &["serve", "--timeout", "0"],
    ] {
        let err = fails_with(unspin().args(args), &["must be 1 or more", args[1]]);
        assert!(!err.contains("18446744073709551615"), "{err}");
    }
    fails_with(
        unspin().args(["stats", "--top", "many", "x"]),
        &["not a whole number"],
    );
}

#[test]
fn validate_write_blend_needs_a_model_to_write_into() {
    let data = tiny_corpus();
    fails_with(
        unspin()
            .args(["validate", "--write-blend", "--data"])
            .arg(data.path()),
        &["--model <DIR>"],
    );
}
