//! Choosing the encoder backend, and (with `--features ort`, after `scripts/setup-ort.sh`) the
//! onnxruntime backend against candle on the real MiniLM:
//! `cargo test -p unspin-transformer --release --features ort -- --ignored --nocapture ort`.

use std::path::{Path, PathBuf};

use unspin_transformer::{BackendKind, TextEncoder};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

#[test]
fn backend_names_parse_and_bad_ones_are_refused() {
    for kind in [BackendKind::Candle, BackendKind::Ort, BackendKind::OrtInt8] {
        assert_eq!(BackendKind::parse(kind.name()).unwrap(), kind);
    }
    let err = BackendKind::parse("onnx").unwrap_err().to_string();
    assert!(
        err.contains("\"onnx\"") && err.contains("ort-int8"),
        "{err}"
    );
}

#[test]
fn candle_backend_is_the_plain_load() {
    let dir = fixture("tiny-bert");
    let enc = TextEncoder::load_with(&dir, None, BackendKind::Candle).unwrap();
    assert_eq!(enc.backend(), BackendKind::Candle);
    let plain = TextEncoder::load(&dir, None).unwrap();
    let a = enc.encode_article("One short text.").unwrap();
    let b = plain.encode_article("One short text.").unwrap();
    let diff = (a.hidden - b.hidden)
        .unwrap()
        .abs()
        .unwrap()
        .max_all()
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert_eq!(diff, 0.0);
}

#[cfg(not(feature = "ort"))]
#[test]
fn ort_backends_say_they_are_not_built_in() {
    for kind in [BackendKind::Ort, BackendKind::OrtInt8] {
        let err = TextEncoder::load_with(&fixture("tiny-bert"), None, kind)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--features ort"), "{err}");
    }
}

#[cfg(feature = "ort")]
#[test]
fn ort_backend_without_an_exported_graph_names_the_file() {
    // The tiny fixtures have no model.onnx: the error must say which file and what to run.
    let err = TextEncoder::load_with(&fixture("tiny-bert"), None, BackendKind::Ort)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("model.onnx") || err.contains("libonnxruntime"),
        "{err}"
    );
    assert!(err.contains("setup-ort.sh"), "{err}");
}

/// fp32 through onnxruntime equals candle to float noise; int8 stays close in direction
/// (measured: max |diff| 6e-6 for fp32; mean cosine 0.995 for int8 on this text).
#[cfg(feature = "ort")]
#[test]
#[ignore = "needs scripts/setup-ort.sh (the ONNX graphs and the onnxruntime library)"]
fn ort_matches_candle_on_real_minilm() {
    let dir = unspin_transformer::default_cache_dir().join(unspin_transformer::MINILM);
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/article1001.txt"),
    )
    .unwrap();
    let reference = TextEncoder::load(&dir, None)
        .unwrap()
        .encode_article(&text)
        .unwrap();
    let rows = |t: &candle_core::Tensor| t.to_vec2::<f32>().unwrap();
    let want = rows(&reference.hidden);
    for (kind, max_diff, min_mean_cos) in [
        (BackendKind::Ort, 1e-4f32, 0.9999f32),
        (BackendKind::OrtInt8, f32::INFINITY, 0.98),
    ] {
        let enc = TextEncoder::load_with(&dir, None, kind).unwrap();
        assert_eq!(enc.backend(), kind);
        let got = enc.encode_article(&text).unwrap();
        assert_eq!(got.tokens, reference.tokens);
        let got = rows(&got.hidden);
        let (mut worst, mut cos_sum) = (0f32, 0f32);
        for (a, b) in got.iter().zip(&want) {
            let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
            let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
            cos_sum += dot / (na * nb);
            for (x, y) in a.iter().zip(b) {
                worst = worst.max((x - y).abs());
            }
        }
        let mean_cos = cos_sum / want.len() as f32;
        eprintln!(
            "{}: max |diff| {worst:.2e}, mean cosine {mean_cos:.5}",
            kind.name()
        );
        assert!(worst <= max_diff, "{}: max |diff| {worst}", kind.name());
        assert!(
            mean_cos >= min_mean_cos,
            "{}: mean cosine {mean_cos}",
            kind.name()
        );
    }
}
