//! Parity of the Rust forward pass with Hugging Face `transformers`.
//!
//! The tiny fixtures in `tests/fixtures/` (2 layers, 32 wide, random weights; made by
//! `tests/fixtures/make_fixtures.py tiny`) carry PyTorch's `last_hidden_state` for two padded
//! sequences, with and without a LoRA adapter. The real-weight test is `#[ignore]`d because it
//! needs the base encoders installed by `scripts/setup-models.sh`:
//! `cargo test -p unspin-transformer --release -- --ignored --nocapture`.

use std::path::{Path, PathBuf};

use candle_core::Tensor;
use serde_json::Value;
use unspin_transformer::model::{mean_pool, relative_position_bucket};
use unspin_transformer::{default_cache_dir, Error, TextEncoder, WindowConfig, MINILM, MPNET};

/// Measured max |Rust − PyTorch| on the tiny fixtures: 1.7e-6 (BERT, with or without the
/// adapter), 1.5e-6 (MPNet) and 2.0e-6 (MPNet + adapter); f32 summation-order noise. The bound leaves room for other
/// CPUs' GEMM blocking while still catching any real mistake (those move outputs by > 1e-2).
const TINY_TOL: f32 = 2e-5;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn ints(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn flat(t: &Tensor) -> Vec<f32> {
    t.flatten_all().unwrap().to_vec1::<f32>().unwrap()
}

fn tiny_parity(name: &str) {
    let dir = fixture(name);
    let reference = read_json(&dir.join("reference.json"));
    let (batch, len) = (
        reference["batch"].as_u64().unwrap() as usize,
        reference["len"].as_u64().unwrap() as usize,
    );
    let ids = ints(&reference["input_ids"]);
    let mask = ints(&reference["attention_mask"]);

    let plain = TextEncoder::load(&dir, None).unwrap();
    let out = plain.forward(&ids, &mask, batch, len).unwrap();
    let diff = max_abs_diff(&flat(&out), &floats(&reference["last_hidden_state"]));
    println!("{name}: max abs diff {diff:e}");
    assert!(diff < TINY_TOL, "{name}: max abs diff {diff} ≥ {TINY_TOL}");

    let adapted = TextEncoder::load(&dir, Some(&dir.join("adapter.safetensors"))).unwrap();
    let out = adapted.forward(&ids, &mask, batch, len).unwrap();
    let expected = floats(&reference["adapted_last_hidden_state"]);
    let diff = max_abs_diff(&flat(&out), &expected);
    println!("{name} + adapter: max abs diff {diff:e}");
    assert!(
        diff < TINY_TOL,
        "{name} + adapter: max abs diff {diff} ≥ {TINY_TOL}"
    );
    // The adapter must actually change the output, or the test above proves nothing.
    let moved = max_abs_diff(&expected, &floats(&reference["last_hidden_state"]));
    assert!(moved > 0.1, "adapter moved the output by only {moved}");
}

#[test]
fn tiny_bert_matches_transformers() {
    tiny_parity("tiny-bert");
}

#[test]
fn tiny_mpnet_matches_transformers() {
    tiny_parity("tiny-mpnet");
}

#[test]
fn mpnet_buckets_match_transformers() {
    let reference = read_json(&fixture("mpnet-buckets.json"));
    let from = reference["relative_from"].as_i64().unwrap();
    let buckets = ints(&reference["buckets"]);
    for (i, &expected) in buckets.iter().enumerate() {
        let rel = from + i as i64;
        assert_eq!(
            relative_position_bucket(rel, 32, 128),
            expected,
            "relative position {rel}"
        );
    }
}

#[test]
fn missing_model_says_how_to_install() {
    let err = TextEncoder::load(Path::new("/nonexistent/unspin-model"), None).unwrap_err();
    assert!(matches!(err, Error::MissingModelFile { .. }), "{err:?}");
    assert!(err.to_string().contains("scripts/setup-models.sh"), "{err}");
}

#[test]
fn bad_adapter_is_refused_without_panicking() {
    let dir = fixture("tiny-bert");
    // The MPNet adapter names modules BERT does not have.
    let err = TextEncoder::load(
        &dir,
        Some(&fixture("tiny-mpnet").join("adapter.safetensors")),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Adapter(_)), "{err:?}");
    // A model file is not an adapter (no unspin-lora metadata).
    let err = TextEncoder::load(&dir, Some(&dir.join("model.safetensors"))).unwrap_err();
    assert!(err.to_string().contains("unspin-lora"), "{err}");
    // Garbage is refused as a file error.
    let err = TextEncoder::load(&dir, Some(&dir.join("config.json"))).unwrap_err();
    assert!(matches!(err, Error::BadFile { .. }), "{err:?}");
}

/// A text of `n` words of the tiny vocabulary, with a multi-byte word in it.
fn article(n: usize) -> String {
    let words = [
        "the", "senator", "said", "café", "people", "will", "never", "know", "good", "world",
    ];
    (0..n)
        .map(|i| words[(i * 7 + i / 3) % words.len()])
        .collect::<Vec<_>>()
        .join(if n % 2 == 0 { " " } else { "  " })
}

#[test]
fn tokens_carry_code_point_offsets() {
    let enc = TextEncoder::load(&fixture("tiny-bert"), None).unwrap();
    let text = "\u{feff}Café people — said";
    let tokens = enc.tokenize(text).unwrap();
    let chars: Vec<char> = text.chars().collect();
    let pieces: Vec<String> = tokens
        .iter()
        .map(|t| chars[t.start..t.end].iter().collect())
        .collect();
    // Whether the BOM becomes an [UNK] token of its own depends on the pre-tokenizer; the
    // words after it must be found at their code-point offsets either way.
    let words: Vec<&str> = pieces
        .iter()
        .map(String::as_str)
        .filter(|p| *p != "\u{feff}")
        .collect();
    assert_eq!(words, ["Café", "people", "—", "said"]);
    // The BOM counts as a character: "Café" starts at code point 1 (byte 3).
    let cafe = tokens.iter().find(|t| chars[t.start] == 'C').unwrap();
    assert_eq!((cafe.start, cafe.end), (1, 5));
}

#[test]
fn short_article_is_one_window_equal_to_a_plain_forward() {
    let enc = TextEncoder::load(&fixture("tiny-mpnet"), None).unwrap();
    let text = article(12);
    let got = enc.encode_article(&text).unwrap();
    assert_eq!(got.windows, 1);
    let sp = enc.special_tokens();
    let mut ids = vec![sp.cls];
    ids.extend(got.tokens.iter().map(|t| t.id));
    ids.push(sp.sep);
    let n = ids.len();
    let direct = enc.forward(&ids, &vec![1; n], 1, n).unwrap();
    let direct = direct.get(0).unwrap().narrow(0, 1, n - 2).unwrap();
    assert_eq!(max_abs_diff(&flat(&got.hidden), &flat(&direct)), 0.0);
}

#[test]
fn long_article_takes_each_token_from_its_most_central_window() {
    for model in ["tiny-bert", "tiny-mpnet"] {
        let small = WindowConfig {
            max_tokens: 16,
            stride: 6,
            batch_size: 3,
        };
        let enc = TextEncoder::load(&fixture(model), None)
            .unwrap()
            .with_windows(small)
            .unwrap();
        let text = article(101);
        let got = enc.encode_article(&text).unwrap();
        let n = got.tokens.len();
        assert_eq!(n, 101);
        assert_eq!(got.hidden.dims(), &[n, 32]);
        let plan = unspin_transformer::plan_windows(n, small.content_len(), small.stride);
        assert_eq!(got.windows, plan.len());
        // Recompute every window on its own (batch of one, so no padding interplay) and
        // check the owned rows.
        let sp = enc.special_tokens();
        let rows = flat(&got.hidden);
        for w in &plan {
            let mut ids = vec![sp.cls];
            ids.extend(got.tokens[w.start..w.end].iter().map(|t| t.id));
            ids.push(sp.sep);
            let len = ids.len();
            let out = enc.forward(&ids, &vec![1; len], 1, len).unwrap();
            let own = out
                .get(0)
                .unwrap()
                .narrow(0, w.own_start - w.start + 1, w.own_end - w.own_start)
                .unwrap();
            let diff = max_abs_diff(&rows[w.own_start * 32..w.own_end * 32], &flat(&own));
            assert!(diff < 1e-5, "{model}: window {w:?} differs by {diff}");
        }
        // The streaming form hands over consecutive owned ranges, covering every token once.
        let mut next = 0;
        let (tokens, windows) = enc
            .encode_article_by_parts(&text, |range, rows| {
                assert_eq!(range.start, next);
                assert_eq!(rows.dims(), &[range.len(), 32]);
                next = range.end;
                Ok(())
            })
            .unwrap();
        assert_eq!((next, tokens.len(), windows), (n, n, plan.len()));
        // Batching does not change the result.
        let one = enc
            .with_windows(WindowConfig {
                batch_size: 1,
                ..small
            })
            .unwrap()
            .encode_article(&text)
            .unwrap();
        assert!(max_abs_diff(&rows, &flat(&one.hidden)) < 1e-5);
    }
}

#[test]
fn rows_equal_the_whole_encoding_and_stop_when_cancelled() {
    let small = WindowConfig {
        max_tokens: 16,
        stride: 6,
        batch_size: 3,
    };
    let enc = TextEncoder::load(&fixture("tiny-bert"), None)
        .unwrap()
        .with_windows(small)
        .unwrap();
    let text = article(101);
    let whole = enc.encode_article(&text).unwrap();
    let rows = enc.encode_rows(&text).unwrap();
    assert_eq!(rows.tokens, whole.tokens);
    assert_eq!(rows.hidden.to_vec(), flat(&whole.hidden));
    let cancel = unspin_core::Cancel::new();
    cancel.cancel();
    assert!(matches!(
        enc.encode_rows_until(&text, &cancel),
        Err(Error::Cancelled(_))
    ));
}

#[test]
fn empty_article_has_no_tokens() {
    let enc = TextEncoder::load(&fixture("tiny-bert"), None).unwrap();
    let got = enc.encode_article("   ").unwrap();
    assert!(got.tokens.is_empty());
    assert_eq!(got.hidden.dims(), &[0, 32]);
    assert_eq!(got.windows, 0);
}

/// Measured (f32, AMD EPYC, transformers 4.57.6 / torch 2.x CPU): MiniLM max abs diff 1.3e-6 on
/// the first dims and 7.9e-7 on the mean-pooled embedding; MPNet 9.5e-7 and 4.6e-7. The
/// token ids must match exactly.
const REAL_TOL: f32 = 1e-4;

#[test]
#[ignore = "needs the base encoders: run scripts/setup-models.sh"]
fn real_encoders_match_transformers() {
    let reference = read_json(&fixture("real-reference.json"));
    let cache = default_cache_dir();
    for name in [MINILM, MPNET] {
        let dir = cache.join(name);
        let enc = match TextEncoder::load(&dir, None) {
            Ok(enc) => enc,
            Err(e) => panic!("{e}"),
        };
        for row in reference["models"][name].as_array().unwrap() {
            let text = row["text"].as_str().unwrap();
            let expected_ids = ints(&row["input_ids"]);
            let sp = enc.special_tokens();
            let mut ids = vec![sp.cls];
            ids.extend(enc.tokenize(text).unwrap().iter().map(|t| t.id));
            ids.push(sp.sep);
            assert_eq!(ids, expected_ids, "{name}: token ids of {text:?}");
            let n = ids.len();
            let mask = vec![1; n];
            let hidden = enc.forward(&ids, &mask, 1, n).unwrap();
            let mut first = 0f32;
            for (i, dims) in ints(&row["token_rows"])
                .iter()
                .zip(row["first_dims"].as_array().unwrap())
            {
                let got = hidden.get(0).unwrap().get(*i as usize).unwrap();
                let got = flat(&got.narrow(0, 0, 8).unwrap());
                first = first.max(max_abs_diff(&got, &floats(dims)));
            }
            let pooled = flat(&mean_pool(&hidden, &mask).unwrap());
            let pooled_diff = max_abs_diff(&pooled, &floats(&row["mean_pooled"]));
            println!("{name}: {n} tokens, first dims max diff {first:e}, mean-pooled max diff {pooled_diff:e}");
            assert!(
                first < REAL_TOL && pooled_diff < REAL_TOL,
                "{name}: {text:?}"
            );
        }
    }
}

/// Checks a trained adapter end to end: `training/train.py` writes `adapter.safetensors` and
/// `check.json` (PyTorch's adapted output on one sentence); merged here at load, the Rust
/// encoder must give the same vectors. Run with
/// `UNSPIN_ADAPTER_CHECK=OUT_DIR cargo test -p unspin-transformer -- --ignored adapter`.
#[test]
#[ignore = "needs a trained adapter: set UNSPIN_ADAPTER_CHECK to training/train.sh's output"]
fn trained_adapter_matches_pytorch() {
    let Some(dir) = std::env::var_os("UNSPIN_ADAPTER_CHECK").map(PathBuf::from) else {
        println!("skipped: set UNSPIN_ADAPTER_CHECK to a training/train.sh output directory");
        return;
    };
    let adapter_path = dir.join("adapter.safetensors");
    let adapter = unspin_transformer::lora::Adapter::load(&adapter_path).unwrap();
    let base = adapter
        .base
        .clone()
        .expect("the adapter names its base model");
    assert!(adapter.extra.contains_key("heads.si.weight"));
    let enc = TextEncoder::load(&default_cache_dir().join(base), Some(&adapter_path)).unwrap();
    let check = read_json(&dir.join("check.json"));
    let ids = ints(&check["input_ids"]);
    let n = ids.len();
    let hidden = enc.forward(&ids, &vec![1; n], 1, n).unwrap();
    let mut worst = 0f32;
    for (i, row) in check["rows"].as_array().unwrap().iter().enumerate() {
        let expected = floats(row);
        let got = hidden.get(0).unwrap().get(i).unwrap();
        let got = flat(&got.narrow(0, 0, expected.len()).unwrap());
        worst = worst.max(max_abs_diff(&got, &expected));
    }
    // How far the adapter moved the base model's output, so a pass is not vacuous.
    let plain = TextEncoder::load(
        &default_cache_dir().join(adapter.base.as_ref().unwrap()),
        None,
    )
    .unwrap()
    .forward(&ids, &vec![1; n], 1, n)
    .unwrap();
    let moved = max_abs_diff(&flat(&plain), &flat(&hidden));
    println!("trained adapter: max abs diff {worst:e}; the adapter moves the output by {moved:e}");
    assert!(worst < REAL_TOL, "max abs diff {worst}");
    assert!(
        moved > 10.0 * worst,
        "the adapter barely changes the output ({moved})"
    );
}
