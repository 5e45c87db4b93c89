//! The analyzer hands the detector's vectors to the aids: the claims model trained on the
//! default detector's vectors scores the claims whenever the detection carries them.

use std::sync::Arc;
use unspin::factcheck::claims::ClaimModel;
use unspin::{
    Analyzer, Article, Cancel, CharSpan, DetectError, Detection, Detector, Document, PieceVectors,
    TechniqueScores, UNIFORM_SCORES,
};

/// A detector that finds nothing but hands over vectors of all zeros, one piece per token,
/// labelled as `encoder`'s.
struct ZeroVectors {
    encoder: String,
    width: usize,
}

impl Detector for ZeroVectors {
    fn name(&self) -> &str {
        "zero-vectors"
    }

    fn detect(&self, doc: &Document, _: &Cancel) -> Result<Detection, DetectError> {
        let pieces: Vec<CharSpan> = doc.tokens.iter().map(|t| t.span).collect();
        Ok(Detection {
            vectors: Some(Arc::new(PieceVectors {
                encoder: self.encoder.clone(),
                rows: vec![0.0; pieces.len() * self.width].into(),
                pieces,
                width: self.width,
            })),
            ..Detection::default()
        })
    }

    fn classify(
        &self,
        _: &Document,
        spans: &[CharSpan],
        _: &Cancel,
    ) -> Result<Vec<TechniqueScores>, DetectError> {
        Ok(vec![UNIFORM_SCORES; spans.len()])
    }
}

const TEXT: &str = "Unemployment fell to 3.5% in 2019. Thank you all for coming.";

fn claim_scores(encoder: &str, width: usize) -> Vec<f32> {
    let detector = ZeroVectors {
        encoder: encoder.to_string(),
        width,
    };
    let analyzer = Analyzer::new(Box::new(detector), true).unwrap();
    let report = analyzer.analyze(Article::new("1", TEXT)).unwrap();
    report.claims.iter().map(|c| c.score).collect()
}

#[test]
fn claims_are_scored_from_the_detectors_vectors_when_they_fit() {
    let embedded = ClaimModel::embedded().unwrap();
    let on_vectors = embedded.on_vectors.as_ref().unwrap();
    let width = on_vectors.weights_len();
    // Zero vectors: the vectors say nothing, so what tells the statistic from the pleasantry is
    // what the stacked model reads beside them (the n-gram logit and the length), and the
    // scores are on the vector model's scale, not the n-gram model's.
    let scores = claim_scores(&on_vectors.encoder, width);
    assert_eq!(scores.len(), 2);
    assert!(on_vectors.stacked.is_some());
    assert!(scores[0] > scores[1], "{scores:?}");
    // Vectors of another encoder are not read: the n-gram model scores alone.
    let doc = Document::new(Article::new("1", TEXT));
    let linear: Vec<f32> = embedded.claims_in(&doc).iter().map(|c| c.score).collect();
    assert_ne!(scores, linear);
    assert_eq!(claim_scores("another encoder", width), linear);
    assert!(linear[0] > linear[1]);
}

/// The claims model must be the one trained on the shipped MPNet's vectors: retraining MPNet
/// without retraining it (training/README.md) would leave it unused, and the claims worse.
#[test]
fn the_embedded_claims_model_reads_the_shipped_mpnet_vectors() {
    let adapter_bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/ft-mpnet/adapter.safetensors"
    ))
    .unwrap();
    let adapter =
        unspin::transformer::lora::Adapter::from_bytes(&adapter_bytes, "adapter").unwrap();
    let id = format!(
        "{}+lora-{}",
        unspin::transformer::MPNET,
        adapter.digest.unwrap()
    );
    let embedded = ClaimModel::embedded().unwrap();
    assert_eq!(embedded.on_vectors.unwrap().encoder, id);
}

#[test]
fn an_analyzer_made_with_another_detector_keeps_the_aids() {
    let first = Analyzer::new(unspin::load_detector(None).unwrap(), true).unwrap();
    let second = first.with_detector(Box::new(ZeroVectors {
        encoder: "toy".into(),
        width: 2,
    }));
    assert_eq!(second.detector().name(), "zero-vectors");
    let report = second.analyze(Article::new("1", TEXT)).unwrap();
    assert_eq!(report.claims.len(), 2, "the aids still run");
    let off = Analyzer::new(unspin::load_detector(None).unwrap(), false).unwrap();
    let report = off
        .with_detector(Box::new(ZeroVectors {
            encoder: "toy".into(),
            width: 2,
        }))
        .analyze(Article::new("1", TEXT))
        .unwrap();
    assert!(report.claims.is_empty(), "and stay off when they were off");
}
