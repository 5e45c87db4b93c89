//! The transformer detector and the ensemble on the tiny random BERT fixture of
//! `unspin-transformer` (2 layers, 32 wide): heads train and round-trip through their file,
//! spans come out in code points, and a blend that gives the transformer no weight is exactly
//! the classical model.

use std::path::PathBuf;
use std::sync::Arc;

use unspin::classical::ClassicalModel;
use unspin::transformer::{
    train_heads, BlendParams, HeadExample, Heads, HeadsTrainOptions, TextEncoder,
    TransformerDetector,
};
use unspin::{Article, Cancel, CharSpan, Detector, Document, Ensemble, Technique};
use unspin_ml::calibrate::Platt;

/// The tiny random BERT fixture's folder (with an adapter beside its weights).
fn tiny_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../transformer/tests/fixtures/tiny-bert")
}

fn tiny_encoder() -> TextEncoder {
    TextEncoder::load(&tiny_dir(), None).unwrap()
}

/// `examples/article1001.txt` as a document.
fn example_doc() -> Document {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/article1001.txt"),
    )
    .unwrap();
    Document::new(Article::new("1001", text))
}

/// Two articles with multi-byte characters before their spans, so byte and code-point
/// offsets differ.
/// A document with its gold SI spans and technique spans.
type Labelled = (Document, Vec<CharSpan>, Vec<(CharSpan, Technique)>);

fn articles() -> Vec<Labelled> {
    let texts = [
        "Café owners say the corrupt élite are destroying our great nation. Prices rose 5%.",
        "“Nobody believes them,” said Zoë. These traitors will ruin everything we love.",
    ];
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let doc = Document::new(Article::new(format!("{i}"), *t));
            let find = |needle: &str| {
                let b = t.find(needle).unwrap();
                let start = t[..b].chars().count();
                CharSpan::new(start, start + needle.chars().count())
            };
            let (a, b) = if i == 0 {
                (find("corrupt élite"), find("destroying our great nation"))
            } else {
                (find("traitors"), find("ruin everything we love"))
            };
            let techniques = vec![
                (a, Technique::NameCallingLabeling),
                (b, Technique::LoadedLanguage),
            ];
            (doc, vec![a, b], techniques)
        })
        .collect()
}

fn trained_heads(encoder: &TextEncoder) -> Heads {
    trained_heads_seeded(encoder, 3)
}

fn trained_heads_seeded(encoder: &TextEncoder, seed: u64) -> Heads {
    let data = articles();
    let encs: Vec<_> = data
        .iter()
        .map(|(d, _, _)| encoder.encode_rows(d.text()).unwrap())
        .collect();
    let examples: Vec<HeadExample> = data
        .iter()
        .zip(&encs)
        .map(|((_, spans, techniques), enc)| HeadExample {
            enc,
            spans,
            techniques,
        })
        .collect();
    let mut opts = HeadsTrainOptions::default();
    opts.si.epochs = 20;
    opts.tc.epochs = 20;
    train_heads(&examples, "tiny-bert", 32, &opts, seed, "test").unwrap()
}

#[test]
fn heads_round_trip_through_their_file() {
    let encoder = tiny_encoder();
    let heads = trained_heads(&encoder);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("heads.safetensors");
    unspin::files::write_atomic(&path, &heads.to_bytes().unwrap()).unwrap();
    let loaded = Heads::load(&path).unwrap();
    assert_eq!(loaded.meta.encoder, "tiny-bert");
    let enc = encoder.encode_rows(articles()[0].0.text()).unwrap();
    let a = heads
        .token_probabilities(&enc.hidden, enc.tokens.len())
        .unwrap();
    let b = loaded
        .token_probabilities(&enc.hidden, enc.tokens.len())
        .unwrap();
    assert_eq!(a, b);
    // Not heads at all, and heads for another width, are refused with the file named.
    std::fs::write(&path, b"not a safetensors file").unwrap();
    let e = Heads::load(&path).unwrap_err().to_string();
    assert!(e.contains("heads.safetensors"), "{e}");
}

#[test]
fn transformer_spans_are_code_points_inside_the_text() {
    let encoder = tiny_encoder();
    let heads = trained_heads(&encoder);
    let det = TransformerDetector::new(encoder, heads).unwrap();
    for (doc, _, techniques) in articles() {
        let n = doc.article.len_chars();
        for s in det.detect(&doc, &Cancel::new()).unwrap().spans {
            assert!(s.start < s.end && s.end <= n, "{s:?} outside 0..{n}");
        }
        let spans: Vec<CharSpan> = techniques.iter().map(|t| t.0).collect();
        let scores = det.classify(&doc, &spans, &Cancel::new()).unwrap();
        assert_eq!(scores.len(), spans.len());
        for p in scores {
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        }
    }
}

/// The embedded classical model, a transformer detector on the tiny fixture with freshly
/// trained heads, and `examples/article1001.txt`.
fn tiny_models_and_example() -> (ClassicalModel, TransformerDetector, Document) {
    let encoder = Arc::new(tiny_encoder());
    let heads = trained_heads(&encoder);
    let tr = TransformerDetector::from_parts(encoder, heads).unwrap();
    (ClassicalModel::embedded().unwrap(), tr, example_doc())
}

#[test]
fn a_blend_without_transformer_weight_is_the_classical_model() {
    let (classical, tr, doc) = tiny_models_and_example();
    let ens = Ensemble::new(classical.clone(), tr).with_blend(BlendParams::plain(
        0.0,
        classical.decode.si_threshold,
        0.0,
    ));
    let detect = |d: &dyn Detector| d.detect(&doc, &Cancel::new()).unwrap();
    let want = detect(&classical).spans;
    assert!(!want.is_empty());
    let got = detect(&ens).spans;
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((g.start, g.end, g.technique), (w.start, w.end, w.technique));
        assert!((g.confidence - w.confidence).abs() < 1e-6);
    }
    // With weight, the transformer changes something.
    let ens = ens.with_blend(BlendParams::plain(1.0, 0.5, 1.0));
    assert_ne!(detect(&ens).spans, want);
}

#[test]
fn calibration_maps_confidences_and_one_technique_per_region_drops_runners_up() {
    let (classical, tr, doc) = tiny_models_and_example();
    let raw_blend = BlendParams {
        // Every region gets its runner-up technique too.
        second_technique: Some(0.0),
        ..BlendParams::plain(0.5, classical.decode.si_threshold, 0.5)
    };
    let spans = |b: BlendParams| {
        Ensemble::new(classical.clone(), tr.clone())
            .with_blend(b)
            .detect(&doc, &Cancel::new())
            .unwrap()
            .spans
    };
    let raw = spans(raw_blend);
    assert!(!raw.is_empty());
    let platt = Platt { a: 0.5, b: 1.0 };
    let calibrated = spans(BlendParams {
        calibration: Some(platt),
        ..raw_blend
    });
    assert_eq!(raw.len(), calibrated.len());
    for (r, c) in raw.iter().zip(&calibrated) {
        assert_eq!((r.start, r.end, r.technique), (c.start, c.end, c.technique));
        assert!((platt.apply(r.confidence) - c.confidence).abs() < 1e-6);
        assert_ne!(r.confidence, c.confidence);
    }
    // A threshold no runner-up reaches leaves one technique per region.
    let single = spans(BlendParams {
        second_technique: Some(1.0),
        ..raw_blend
    });
    assert!(single.len() < raw.len(), "{} {}", single.len(), raw.len());
    let mut regions: Vec<_> = single.iter().map(|s| (s.start, s.end)).collect();
    let n = regions.len();
    regions.sort_unstable();
    regions.dedup();
    assert_eq!(regions.len(), n, "a region reported twice");
}

/// A second transformer on the same fixture with heads of another seed: a partner whose
/// probabilities differ from the first's.
fn tiny_partner() -> TransformerDetector {
    let encoder = Arc::new(tiny_encoder());
    let heads = trained_heads_seeded(&encoder, 11);
    TransformerDetector::from_parts(encoder, heads)
        .unwrap()
        .with_name("partner")
}

/// `t` with an encoding of `doc` that its heads cannot read: it fails on `doc` if run.
fn broken_on(t: TransformerDetector, doc: &Document) -> TransformerDetector {
    let mut broken = t.encode(doc).unwrap().as_ref().clone();
    broken.hidden = Vec::new().into();
    let cache = std::collections::HashMap::from([(doc.article.id.clone(), Arc::new(broken))]);
    t.with_cache(Arc::new(cache))
}

#[test]
fn a_partner_runs_only_with_weight_and_then_is_mixed_in() {
    let (classical, tr, doc) = tiny_models_and_example();
    let partner = tiny_partner();
    let base = BlendParams {
        si_extend: Some(0.3),
        si_join_gap: 2,
        ..BlendParams::plain(0.7, 0.4, 0.6)
    };
    let run = |b: BlendParams, with: Option<&TransformerDetector>| {
        let e = Ensemble::new(classical.clone(), tr.clone()).with_blend(b);
        let e = match with {
            Some(p) => e.with_partner_unblended(p.clone()),
            None => e,
        };
        let spans = e.detect(&doc, &Cancel::new()).unwrap().spans;
        let given: Vec<CharSpan> = spans
            .iter()
            .map(|s| CharSpan::new(s.start, s.end))
            .collect();
        let scores = e.classify(&doc, &given, &Cancel::new()).unwrap();
        (spans, given, scores)
    };
    // Weights of 0: the partner is never run (one that would fail leaves no note), and the
    // ensemble is the one without it.
    let (alone, given, alone_scores) = run(base, None);
    assert!(!alone.is_empty());
    assert_eq!(run(base, Some(&partner)).0, alone);
    let never_run = Ensemble::new(classical.clone(), tr.clone())
        .with_blend(base)
        .with_partner_unblended(broken_on(partner.clone(), &doc))
        .detect(&doc, &Cancel::new())
        .unwrap();
    assert!(never_run.notes.is_empty(), "{:?}", never_run.notes);
    assert_eq!(never_run.spans, alone);
    // Its share of the technique scores mixes its scores into the transformer's before they
    // meet the classical model's: (1 − w)·classical + w·((1 − p)·first + p·partner).
    let mixed = BlendParams {
        partner_tc_weight: 0.5,
        ..base
    };
    let (_, _, got) = run(mixed, Some(&partner));
    let c = classical.classify(&doc, &given, &Cancel::new()).unwrap();
    let t = tr.classify(&doc, &given, &Cancel::new()).unwrap();
    let p = partner.classify(&doc, &given, &Cancel::new()).unwrap();
    for i in 0..given.len() {
        for k in 0..Technique::COUNT {
            let want = 0.4 * c[i][k] + 0.6 * (0.5 * t[i][k] + 0.5 * p[i][k]);
            assert!((got[i][k] - want).abs() < 1e-5, "{} {}", got[i][k], want);
        }
    }
    assert_ne!(got, alone_scores);
    // Its share of the token probabilities moves the spans.
    let tokens = BlendParams {
        partner_si_weight: 0.9,
        ..base
    };
    assert_ne!(run(tokens, Some(&partner)).0, alone);
}

#[test]
fn the_pair_blend_comes_from_the_heads_and_is_needed_for_a_partner() {
    let (classical, tr, _) = tiny_models_and_example();
    // Heads without a pair blend take no partner: its weights would be a guess.
    assert!(tr.heads().meta.partner_blend.is_none());
    let ens = Ensemble::new(classical.clone(), tr.clone());
    assert!(!ens.wants_partner());
    assert!(ens.with_partner(tiny_partner()).is_none());
    // Heads with one: the ensemble runs the partner under it.
    let mut heads = tr.heads().clone();
    let pair = BlendParams {
        partner_si_weight: 0.35,
        partner_tc_weight: 0.2,
        ..BlendParams::plain(0.7, 0.4, 0.6)
    };
    heads.meta.partner_blend = Some(pair);
    let encoder = Arc::new(tiny_encoder());
    let tr = TransformerDetector::from_parts(encoder, heads.clone()).unwrap();
    let ens = Ensemble::new(classical.clone(), tr.clone());
    assert!(ens.wants_partner());
    let doc = example_doc();
    let paired = ens.with_partner(tiny_partner()).unwrap();
    let by_hand = Ensemble::new(classical.clone(), tr.clone())
        .with_blend(pair)
        .with_partner_unblended(tiny_partner());
    let spans = |e: &Ensemble| e.detect(&doc, &Cancel::new()).unwrap().spans;
    assert_eq!(spans(&paired), spans(&by_hand));
    assert_ne!(spans(&paired), spans(&Ensemble::new(classical.clone(), tr)));
    // A pair blend in which the partner has no weight asks for no partner.
    heads.meta.partner_blend = Some(BlendParams::plain(0.7, 0.4, 0.6));
    let tr = TransformerDetector::from_parts(Arc::new(tiny_encoder()), heads.clone()).unwrap();
    assert!(!Ensemble::new(classical, tr).wants_partner());
    // The pair blend survives the heads file; a file without it (all written before it) says
    // nothing of partners and reads as none.
    heads.meta.partner_blend = Some(pair);
    let back = Heads::from_bytes(&heads.to_bytes().unwrap(), "pair").unwrap();
    assert_eq!(back.meta.partner_blend, Some(pair));
    heads.meta.partner_blend = None;
    let bytes = heads.to_bytes().unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("partner"));
    let back = Heads::from_bytes(&bytes, "no pair").unwrap();
    assert_eq!(back.meta.partner_blend, None);
    assert!(!back.meta.blend.has_partner());
}

/// The partner only sharpens the transformer's evidence: where it fails, the ensemble runs
/// without it, under the transformer's own blend, and says so.
#[test]
fn a_partner_that_fails_leaves_the_ensemble_without_it_and_a_note() {
    let (classical, tr, doc) = tiny_models_and_example();
    let ens = Ensemble::new(classical.clone(), tr.clone())
        .with_blend(BlendParams {
            partner_si_weight: 0.5,
            ..BlendParams::plain(0.7, 0.4, 0.6)
        })
        .with_partner_unblended(broken_on(tiny_partner(), &doc));
    let got = ens.detect(&doc, &Cancel::new()).unwrap();
    let want = Ensemble::new(classical, tr)
        .detect(&doc, &Cancel::new())
        .unwrap();
    assert_eq!(got.spans, want.spans);
    assert!(got.vectors.is_some());
    assert_eq!(got.notes.len(), 1);
    assert!(
        got.notes[0].starts_with("the partner encoder failed")
            && got.notes[0].ends_with("the spans are the ensemble's without it"),
        "{:?}",
        got.notes
    );
}

/// Past the encoder's length limit the transformer refuses the article plainly (its vectors
/// would not fit in memory: 11 GB for a 16 MB text), and the ensemble gives the classical
/// spans with a note; the limit is lowered here so the test text can stay short.
#[test]
fn an_article_too_long_for_the_encoder_gets_the_classical_spans_and_a_note() {
    let encoder = tiny_encoder();
    let heads = trained_heads(&encoder);
    let text = "They are traitors, and everyone knows it.";
    let doc = Document::new(Article::new("x", text));
    let pieces = encoder.tokenize(text).unwrap().len();
    assert_eq!(encoder.max_pieces(), unspin::transformer::MAX_PIECES);
    let tr = TransformerDetector::new(encoder.with_max_pieces(pieces - 1), heads).unwrap();
    let e = tr.detect(&doc, &Cancel::new()).unwrap_err().to_string();
    assert!(
        e.contains(&format!("has {pieces} word pieces")) && e.contains("classical model"),
        "{e}"
    );
    let classical = ClassicalModel::embedded().unwrap();
    let ens = Ensemble::new(classical.clone(), tr);
    let got = ens.detect(&doc, &Cancel::new()).unwrap();
    assert_eq!(
        got.spans,
        classical.detect(&doc, &Cancel::new()).unwrap().spans
    );
    assert!(got.vectors.is_none());
    assert!(got.notes[0].contains("word pieces"), "{:?}", got.notes);
}

#[test]
fn an_ensemble_whose_encoder_fails_falls_back_to_classical_and_says_so() {
    let encoder = Arc::new(tiny_encoder());
    let heads = trained_heads(&encoder);
    let classical = ClassicalModel::embedded().unwrap();
    let text = "They are traitors, and everyone knows it.";
    let doc = Document::new(Article::new("x", text));
    // An encoding with no vectors for its tokens: the heads cannot read it.
    let tr = broken_on(
        TransformerDetector::from_parts(encoder, heads).unwrap(),
        &doc,
    );
    // Alone, the transformer fails with the article named.
    let e = tr.detect(&doc, &Cancel::new()).unwrap_err().to_string();
    assert!(e.contains("article x"), "{e}");
    // In the ensemble, the classical spans stand, with a note that says why.
    let ens = Ensemble::new(classical.clone(), tr);
    let got = ens.detect(&doc, &Cancel::new()).unwrap();
    let want = classical.detect(&doc, &Cancel::new()).unwrap();
    assert_eq!(got.spans, want.spans);
    assert_eq!(got.notes.len(), 1);
    assert!(
        got.notes[0].contains("classical model's alone"),
        "{:?}",
        got.notes
    );
    // Classifying needs the transformer: it fails rather than scoring with half a model.
    assert!(ens
        .classify(&doc, &[CharSpan::new(9, 17)], &Cancel::new())
        .is_err());
}

/// The shipped ensemble on the real encoder: needs `scripts/setup-models.sh`.
#[test]
#[ignore = "needs the base encoders: run scripts/setup-models.sh"]
fn the_installed_ensemble_finds_spans_in_the_example() {
    let dir = unspin::transformer::default_cache_dir();
    let loaded = unspin::load_best(&dir).unwrap();
    assert!(loaded.fallback.is_none(), "{:?}", loaded.fallback);
    assert_eq!(loaded.detector.name(), "ensemble");
    let doc = example_doc();
    let n = doc.article.len_chars();
    let detection = loaded.detector.detect(&doc, &Cancel::new()).unwrap();
    assert!(detection.notes.is_empty(), "{:?}", detection.notes);
    // Its vectors are the ones the embedded claims model reads.
    let claims = unspin::factcheck::claims::ClaimModel::embedded().unwrap();
    assert!(claims
        .on_vectors
        .unwrap()
        .reads(detection.vectors.as_deref().unwrap()));
    let spans = detection.spans;
    assert!(spans.len() >= 3, "{spans:?}");
    assert!(spans.iter().all(|s| s.start < s.end && s.end <= n));
}

/// The shipped MPNet was trained on the held-out articles too, so its decoding settings are the
/// ones chosen for the same recipe without them (`training/copy_settings.py`): the blend with
/// MiniLM beside it among them, which `ensemble-both` needs.
#[test]
fn the_shipped_mpnet_carries_the_pair_blend_chosen_for_the_held_out_model() {
    let heads = |dir: &str| {
        Heads::load(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../models")
                .join(dir)
                .join("heads.safetensors"),
        )
        .unwrap()
        .meta
    };
    let (shipped, held_out) = (heads("ft-mpnet"), heads("ft-mpnet-holdout"));
    let pair = shipped
        .partner_blend
        .expect("models/ft-mpnet has no partner_blend");
    assert!(pair.has_partner() && pair.calibration.is_some(), "{pair:?}");
    assert_eq!(Some(pair), held_out.partner_blend);
    assert_eq!(shipped.blend, held_out.blend);
}

/// `ensemble-both` runs MiniLM beside MPNet, and without MiniLM installed it is an error; the
/// default needs only MPNet.
#[test]
#[ignore = "needs the base encoders: run scripts/setup-models.sh"]
fn ensemble_both_runs_minilm_beside_mpnet_and_needs_it() {
    let both = unspin::load_model(
        &unspin::ModelChoice::EnsembleBoth,
        &unspin::transformer::default_cache_dir(),
    )
    .unwrap();
    assert_eq!(both.detector.name(), "ensemble-both");
    assert!(both.fallback.is_none());
    let detection = both
        .detector
        .detect(&example_doc(), &Cancel::new())
        .unwrap();
    assert!(detection.notes.is_empty(), "{:?}", detection.notes);
    assert!(!detection.spans.is_empty());
    let only_mpnet = only_installed(unspin::transformer::MPNET);
    let asked = unspin::load_model(&unspin::ModelChoice::EnsembleBoth, only_mpnet.path());
    let e = format!("{:#}", asked.err().expect("loaded without MiniLM"));
    assert!(e.contains(unspin::transformer::MINILM), "{e}");
    let default = unspin::load_best(only_mpnet.path()).unwrap();
    assert_eq!(default.detector.name(), "ensemble");
    assert!(default.fallback.is_none(), "{:?}", default.fallback);
}

/// With MiniLM installed but not MPNet, the default is the MiniLM ensemble, and says so.
#[test]
#[ignore = "needs the base encoders: run scripts/setup-models.sh"]
fn without_mpnet_the_default_is_the_minilm_ensemble() {
    let only_minilm = only_installed(unspin::transformer::MINILM);
    let loaded = unspin::load_best(only_minilm.path()).unwrap();
    assert_eq!(loaded.detector.name(), "ensemble-minilm");
    let why = loaded.fallback.unwrap();
    assert!(
        why.contains("not the MPNet one") && why.contains("all-mpnet-base-v2"),
        "{why}"
    );
}

/// An encoders folder holding only the encoder at `encoder`, linked as `name`.
fn encoders_dir_with(encoder: &std::path::Path, name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(encoder, dir.path().join(name)).unwrap();
    dir
}

/// An encoders folder holding only the installed encoder `name` (from setup-models.sh).
fn only_installed(name: &str) -> tempfile::TempDir {
    encoders_dir_with(&unspin::transformer::default_cache_dir().join(name), name)
}

/// An encoders folder holding only the tiny fixture, as `tiny-bert`.
fn tiny_encoders_dir() -> tempfile::TempDir {
    encoders_dir_with(&tiny_dir(), "tiny-bert")
}

fn tiny_adapter() -> unspin::transformer::lora::Adapter {
    unspin::transformer::lora::Adapter::load(&tiny_dir().join("adapter.safetensors")).unwrap()
}

/// A fine-tuned model without an int8 encoder runs with candle and labels its vectors as the
/// fine-tuned encoder's (what the claims and quotes models check); one whose int8 encoder is
/// there but will not load runs the same way and says why. (UNSPIN_BACKEND is unset in tests.)
#[test]
fn a_fine_tuned_model_runs_candle_without_a_working_int8_encoder() {
    if std::env::var_os("UNSPIN_BACKEND").is_some_and(|v| !v.is_empty()) {
        eprintln!("skipped: UNSPIN_BACKEND is set, and this test is about the choice without it");
        return;
    }
    let dir = tiny_encoders_dir();
    let heads = trained_heads(&tiny_encoder());
    let adapter = tiny_adapter();
    let id = format!("tiny-bert+lora-{}", adapter.digest.as_deref().unwrap());
    let det = TransformerDetector::with_adapter(dir.path(), heads.clone(), Some(&adapter)).unwrap();
    assert_eq!(det.backend(), unspin::transformer::BackendKind::Candle);
    assert_eq!(det.encoder_id(), id);
    // Nothing was meant to be installed for this model, so nothing to say.
    assert_eq!(det.backend_note(), None);

    if !unspin::transformer::ORT_BUILT {
        return; // no int8 backend in this build to try
    }
    // No onnxruntime library beside it, and no real graph.
    let merged = dir.path().join(&id);
    std::fs::create_dir(&merged).unwrap();
    for f in ["config.json", "tokenizer.json"] {
        std::fs::copy(dir.path().join("tiny-bert").join(f), merged.join(f)).unwrap();
    }
    std::fs::write(merged.join("model.int8.onnx"), b"not a graph").unwrap();
    let det = TransformerDetector::with_adapter(dir.path(), heads, Some(&adapter)).unwrap();
    assert_eq!(det.backend(), unspin::transformer::BackendKind::Candle);
    assert_eq!(det.encoder_id(), id);
    let why = det.backend_note().unwrap();
    assert!(why.contains("would not load"), "{why}");
    let detection = det.detect(&example_doc(), &Cancel::new()).unwrap();
    assert_eq!(detection.vectors.unwrap().encoder, id);
}

/// Setup builds the int8 encoders of both fine-tuned models compiled into this binary (the
/// names carry the adapters' digests, computed by the setup script in shell): retraining an
/// adapter without a new line in models/encoders.sha256 fails here. A base encoder has none.
#[test]
fn setup_builds_the_int8_encoders_of_the_embedded_models() {
    let digest = |bytes: &[u8]| {
        unspin::transformer::lora::Adapter::from_bytes(bytes, "embedded")
            .unwrap()
            .digest
            .unwrap()
    };
    let mpnet = digest(include_bytes!(
        "../../../models/ft-mpnet/adapter.safetensors"
    ));
    let minilm = digest(include_bytes!(
        "../../../models/ft-minilm/adapter.safetensors"
    ));
    for id in [
        format!("{}+lora-{mpnet}", unspin::transformer::MPNET),
        format!("{}+lora-{minilm}", unspin::transformer::MINILM),
    ] {
        assert!(unspin::models::setup_builds_int8(&id), "{id}");
    }
    assert!(!unspin::models::setup_builds_int8(
        unspin::transformer::MPNET
    ));
    assert!(!unspin::models::setup_builds_int8(&format!(
        "{}+lora-0000000000000000",
        unspin::transformer::MPNET
    )));
}

/// Where setup has not built the int8 encoder it builds for the default's MPNet, MPNet runs
/// with candle and the note says what to run.
#[test]
#[ignore = "needs the base encoders: run scripts/setup-models.sh"]
fn without_its_int8_encoder_the_default_mpnet_says_what_to_run() {
    let only_base = only_installed(unspin::transformer::MPNET);
    let t =
        unspin::models::load_fine_tuned(unspin::transformer::BaseEncoder::MpNet, only_base.path())
            .unwrap();
    assert_eq!(t.backend(), unspin::transformer::BackendKind::Candle);
    let why = t.backend_note().unwrap();
    assert!(
        why.contains("not installed")
            && why.contains("setup-models.sh")
            && why.contains(t.encoder_id()),
        "{why}"
    );
}

/// After `scripts/setup-models.sh`, the default's MPNet runs on the int8 encoder setup built,
/// without a note, and its vectors point the way candle's do (mean cosine per token: 0.988
/// measured on this text).
#[test]
#[ignore = "needs scripts/setup-models.sh (the encoders and the int8 encoder)"]
fn the_installed_default_runs_int8_close_to_candle() {
    use unspin::transformer::BaseEncoder;
    let dir = unspin::transformer::default_cache_dir();
    // The default's MPNet, and the MiniLM of ensemble-minilm and ensemble-both.
    let fine_tuned: [(BaseEncoder, &[u8], &str); 2] = [
        (
            BaseEncoder::MpNet,
            include_bytes!("../../../models/ft-mpnet/adapter.safetensors"),
            unspin::transformer::MPNET,
        ),
        (
            BaseEncoder::MiniLm,
            include_bytes!("../../../models/ft-minilm/adapter.safetensors"),
            unspin::transformer::MINILM,
        ),
    ];
    for (encoder, adapter, base) in fine_tuned {
        let int8 = unspin::models::load_fine_tuned(encoder, &dir).unwrap();
        assert_eq!(int8.backend(), unspin::transformer::BackendKind::OrtInt8);
        assert!(int8.backend_note().is_none(), "{:?}", int8.backend_note());
        let doc = example_doc();
        let a = int8.encode(&doc).unwrap();
        let adapter = unspin::transformer::lora::Adapter::from_bytes(adapter, "adapter").unwrap();
        let candle = TextEncoder::load_adapted(&dir.join(base), Some(&adapter)).unwrap();
        let b = candle.encode_rows(doc.text()).unwrap();
        assert_eq!(a.tokens, b.tokens);
        let h = int8.heads().meta.hidden_size;
        let cos: f32 = a
            .hidden
            .chunks(h)
            .zip(b.hidden.chunks(h))
            .map(|(x, y)| {
                let dot: f32 = x.iter().zip(y).map(|(p, q)| p * q).sum();
                let norm = |v: &[f32]| v.iter().map(|p| p * p).sum::<f32>().sqrt();
                dot / (norm(x) * norm(y))
            })
            .sum::<f32>()
            / a.tokens.len() as f32;
        eprintln!("{base}: int8 against candle: mean cosine per token {cos:.4}");
        assert!(cos >= 0.98, "{base}: mean cosine {cos}");
    }
}
