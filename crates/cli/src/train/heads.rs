//! `unspin train --model minilm|mpnet`: heads on a frozen encoder, trained on the CPU, and
//! (with --cv) the side-by-side cross-validation of classical, transformer and ensemble.

use crate::{output, TrainArgs};
use anyhow::Result;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use unspin::classical::TrainOptions;
use unspin::compare::{compare_models, encode_corpus, train_heads_on, FoldEncodings};
use unspin::crossval::{Corpus, CvOptions};
use unspin::transformer::{self, BlendParams, EncodingCache, HeadsTrainOptions, TextEncoder};

/// Blend weights the cross-validation tries: token weight × threshold × technique weight.
const SI_WEIGHTS: [f32; 3] = [0.3, 0.5, 0.7];
const SI_THRESHOLDS: [f32; 3] = [0.25, 0.3, 0.35];
const TC_WEIGHTS: [f32; 2] = [0.4, 0.6];

pub fn run(
    args: &TrainArgs,
    corpus: &Corpus,
    data: &Path,
    train: TrainOptions,
    encoder: &str,
    outputs: &super::Outputs,
) -> Result<()> {
    let (text_encoder, test_encoder) = load_encoders(args, encoder)?;
    let hidden = text_encoder.config().hidden_size;
    let mut heads_opts = HeadsTrainOptions::default();
    let t0 = Instant::now();
    let encode = |enc: &TextEncoder| encode_with_progress(corpus, enc, encoder);
    let cache = encode(&text_encoder)?;
    let test_cache = test_encoder.as_ref().map(encode).transpose()?;
    let encode_seconds = t0.elapsed().as_secs_f64();
    if let Some(folds) = args.cv {
        let encodings = FoldEncodings {
            train: cache.clone(),
            test: test_cache.unwrap_or_else(|| cache.clone()),
        };
        let cv = Cv {
            folds,
            train: &train,
            encoder,
            encode_seconds,
        };
        let best = cross_validate(
            args,
            corpus,
            cv,
            text_encoder,
            encodings,
            &heads_opts,
            outputs,
        )?;
        // Without --out, --cv only evaluates; with it, the same encodings also train the
        // heads to ship (encoding is most of the time: 15 min for MPNet on 2 cores).
        if !outputs.saves_model() {
            return Ok(());
        }
        // The blend stored with the heads: the one cross-validation chose.
        if let Some(best) = best {
            heads_opts.blend = best;
        }
    }
    let docs: Vec<&unspin::classical::TrainDoc> = corpus.docs.iter().collect();
    let description = super::description(data, &train);
    let t1 = Instant::now();
    let heads = train_heads_on(
        &docs,
        &cache,
        encoder,
        hidden,
        &heads_opts,
        args.seed,
        &description,
    )?;
    let out = outputs.model(&heads.to_bytes()?)?;
    let blend = heads.meta.blend;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    let text = format!(
        "encoded {} articles in {encode_seconds:.0} s, trained heads in {:.1} s\nheads: {} ({:.1} KiB), ensemble blend (si_w, th, tc_w) {:.2}, {:.2}, {:.2}\n",
        corpus.docs.len(),
        t1.elapsed().as_secs_f64(),
        out.display(),
        size as f64 / 1024.0,
        blend.si_weight,
        blend.si_threshold,
        blend.tc_weight
    );
    output::emit(text.as_bytes(), None)
}

/// Encodes every article of `corpus` with `enc`, reporting progress on stderr every 10 s and
/// at the end (MPNet takes minutes on a few cores).
fn encode_with_progress(
    corpus: &Corpus,
    enc: &TextEncoder,
    encoder: &str,
) -> Result<Arc<EncodingCache>> {
    let mut last = Instant::now();
    encode_corpus(corpus, enc, |i, n| {
        if last.elapsed().as_secs_f64() > 10.0 || i == n {
            eprintln!(
                "unspin: encoded {i}/{n} articles with {encoder} ({})",
                enc.backend().name()
            );
            last = Instant::now();
        }
    })
    .map(Arc::new)
}

/// What `--cv` runs with, besides the encodings.
struct Cv<'a> {
    folds: usize,
    train: &'a TrainOptions,
    encoder: &'a str,
    encode_seconds: f64,
}

/// `--cv`: classical, transformer and ensemble side by side over the folds; prints the table
/// (and writes `--report`) and returns the blend it chose.
fn cross_validate(
    args: &TrainArgs,
    corpus: &Corpus,
    cv: Cv,
    text_encoder: TextEncoder,
    encodings: FoldEncodings,
    heads_opts: &HeadsTrainOptions,
    outputs: &super::Outputs,
) -> Result<Option<BlendParams>> {
    let opts = CvOptions {
        folds: cv.folds,
        seed: args.seed,
        train: cv.train.clone(),
        sweep: Vec::new(),
    };
    let mut report = compare_models(
        corpus,
        &opts,
        Arc::new(text_encoder),
        cv.encoder,
        encodings,
        heads_opts,
        &blends(),
    )?;
    report.encode_seconds = cv.encode_seconds;
    outputs.report(args, &report)?;
    output::emit(report.to_string().as_bytes(), None)?;
    Ok(report.best_blend())
}

/// The encoder to train on and, with `--test-backend`, the one held-out articles are encoded
/// by (heads trained as shipped, on this backend's vectors, and run where a user might run
/// them; clap lets `--test-backend` through only with `--cv`). Both backends are checked and
/// loaded before any encoding: a typo or a backend this build lacks fails at once, not after
/// half an hour of MPNet.
fn load_encoders(args: &TrainArgs, encoder: &str) -> Result<(TextEncoder, Option<TextEncoder>)> {
    let dir = encoders_dir(args);
    let backend = transformer::BackendKind::from_env()?;
    let test_backend = args
        .test_backend
        .as_deref()
        .map(transformer::BackendKind::parse)
        .transpose()?;
    let text_encoder = TextEncoder::load_with(&dir.join(encoder), None, backend)?;
    let test_encoder = test_backend
        .map(|kind| TextEncoder::load_with(&dir.join(encoder), None, kind))
        .transpose()?;
    Ok((text_encoder, test_encoder))
}

/// The directory the encoders are read from: `--encoders`, else setup's cache.
pub(super) fn encoders_dir(args: &TrainArgs) -> std::path::PathBuf {
    args.encoders
        .clone()
        .unwrap_or_else(transformer::default_cache_dir)
}

/// Blend weights the cross-validation tries: token weight × threshold × technique weight.
fn blends() -> Vec<BlendParams> {
    let mut blends = Vec::new();
    for &si_weight in &SI_WEIGHTS {
        for &si_threshold in &SI_THRESHOLDS {
            for &tc_weight in &TC_WEIGHTS {
                blends.push(BlendParams::plain(si_weight, si_threshold, tc_weight));
            }
        }
    }
    blends
}
