//! Check-worthiness from the detector's own encoder: logistic regression on the mean of a
//! sentence's word-piece vectors ([`PieceVectors::mean_within`]).
//!
//! The default detector already encodes every article, so scoring a sentence this way costs a
//! mean and a dot product. On a fixed held-out fifth of the CheckThat! 2024 training sentences
//! it beats the hashed n-gram model ([`super::ClaimModel`]) by about 8 F1 points
//! (`training/README.md`), so it scores the claims whenever the vectors it was trained on are at
//! hand; otherwise (the classical detector, another adapter) the n-gram model does.
//!
//! The file is JSON written by `training/claims_embed.py --write-model`: the encoder id the
//! vectors must come from, the weights with the training set's standardisation folded in, the
//! bias and the decision threshold.

use serde::Deserialize;
use unspin_core::{CharSpan, PieceVectors};

use super::{ClaimsError, Scores};

const FORMAT: &str = "unspin-claims-vectors";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format: String,
    version: u32,
    encoder: String,
    threshold: f32,
    bias: f32,
    weights: Vec<f32>,
    training: String,
    holdout: Scores,
    dev: Scores,
}

/// A check-worthiness classifier over one encoder's sentence vectors.
#[derive(Debug, Clone)]
pub struct VectorClaimModel {
    /// The [`PieceVectors::encoder`] it was trained on; it reads no other vectors.
    pub encoder: String,
    /// A sentence is check-worthy when its score reaches this.
    pub threshold: f32,
    weights: Vec<f32>,
    bias: f32,
    /// How it was trained (free text).
    pub training: String,
    /// Yes-class scores on the held-out training sentences and on CheckThat! dev.
    pub holdout: Scores,
    pub dev: Scores,
}

/// The model trained on the default detector's vectors, compiled into the binary.
static EMBEDDED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../models/claims-vectors.json"
));

impl VectorClaimModel {
    /// The model embedded at build time.
    pub fn embedded() -> Result<Self, ClaimsError> {
        Self::from_json(EMBEDDED, "<embedded claims-vectors model>")
    }

    /// Parses a model file; `name` only labels errors.
    pub fn from_json(json: &str, name: &str) -> Result<Self, ClaimsError> {
        let corrupt = |message: String| ClaimsError::Corrupt {
            path: name.to_string(),
            message,
        };
        let f: File = serde_json::from_str(json).map_err(|e| corrupt(e.to_string()))?;
        if f.format != FORMAT || f.version != 1 {
            return Err(corrupt(format!(
                "format {:?} version {}, expected {FORMAT:?} version 1",
                f.format, f.version
            )));
        }
        if f.weights.is_empty() || !f.weights.iter().chain([&f.bias]).all(|w| w.is_finite()) {
            return Err(corrupt("weights must be finite and not empty".into()));
        }
        if !(0.0..=1.0).contains(&f.threshold) {
            return Err(corrupt(format!("threshold {} outside 0..1", f.threshold)));
        }
        Ok(VectorClaimModel {
            encoder: f.encoder,
            threshold: f.threshold,
            weights: f.weights,
            bias: f.bias,
            training: f.training,
            holdout: f.holdout,
            dev: f.dev,
        })
    }

    /// The vector width it reads.
    pub fn weights_len(&self) -> usize {
        self.weights.len()
    }

    /// Whether `vectors` are the kind this model was trained on.
    pub fn reads(&self, vectors: &PieceVectors) -> bool {
        vectors.encoder == self.encoder && vectors.width == self.weights.len()
    }

    /// P(check-worthy) for the sentence at `span`, from the mean of its pieces' vectors;
    /// `None` when no piece lies inside it or the vectors are not this model's.
    pub fn score(&self, vectors: &PieceVectors, span: CharSpan) -> Option<f32> {
        if !self.reads(vectors) {
            return None;
        }
        let mean = vectors.mean_within(span)?;
        let z: f32 = self.bias
            + mean
                .iter()
                .zip(&self.weights)
                .map(|(x, w)| x * w)
                .sum::<f32>();
        Some(unspin_ml::dense::sigmoid(z))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(encoder: &str) -> VectorClaimModel {
        VectorClaimModel::from_json(
            &format!(
                r#"{{"format": "unspin-claims-vectors", "version": 1, "encoder": "{encoder}",
                "threshold": 0.5, "bias": -1.0, "weights": [2.0, 0.0], "training": "test",
                "holdout": {{"precision": 0, "recall": 0, "f1": 0}},
                "dev": {{"precision": 0, "recall": 0, "f1": 0}}}}"#
            ),
            "test",
        )
        .unwrap()
    }

    fn vectors(encoder: &str) -> PieceVectors {
        PieceVectors {
            encoder: encoder.into(),
            pieces: vec![CharSpan::new(0, 3), CharSpan::new(4, 8)],
            width: 2,
            rows: vec![1.0, 5.0, 0.0, 5.0].into(),
        }
    }

    #[test]
    fn scores_the_mean_of_the_sentence_pieces() {
        let m = model("enc");
        // Mean (0.5, 5.0): z = -1 + 2·0.5 = 0.
        let p = m.score(&vectors("enc"), CharSpan::new(0, 8)).unwrap();
        assert!((p - 0.5).abs() < 1e-6);
        // Only the first piece: z = 1.
        let p = m.score(&vectors("enc"), CharSpan::new(0, 3)).unwrap();
        assert!((p - 1.0 / (1.0 + (-1.0f32).exp())).abs() < 1e-6);
        assert_eq!(m.score(&vectors("enc"), CharSpan::new(1, 2)), None);
    }

    #[test]
    fn claims_come_from_the_vector_model_when_its_vectors_are_given() {
        use unspin_core::{Article, Document};
        let mut m = super::super::ClaimModel::embedded().unwrap();
        m.on_vectors = Some(model("enc"));
        let doc = Document::new(Article::new("1", "Prices rose 12% in 2023. Thank you."));
        let (first, second) = (doc.sentences[0].span, doc.sentences[1].span);
        // One piece per sentence: the first scores 0.5, the second sigmoid(-1).
        let v = PieceVectors {
            encoder: "enc".into(),
            pieces: vec![first, second],
            width: 2,
            rows: vec![0.5, 0.0, 0.0, 0.0].into(),
        };
        let claims = m.claims_with(&doc, Some(&v));
        assert!((claims[0].score - 0.5).abs() < 1e-6);
        assert!(
            claims[0].check_worthy,
            "0.5 reaches the vector model's threshold"
        );
        assert!((claims[1].score - 1.0 / (1.0 + 1.0f32.exp())).abs() < 1e-6);
        assert!(!claims[1].check_worthy);
        // A sentence with no piece of its own stays on the vector model's scale: 0.
        let first_only = PieceVectors {
            pieces: vec![first],
            rows: vec![0.5, 0.0].into(),
            ..v.clone()
        };
        let claims = m.claims_with(&doc, Some(&first_only));
        assert_eq!((claims[1].score, claims[1].check_worthy), (0.0, false));
        // Another encoder's vectors, or none: the n-gram model scores, as claims_in does.
        let linear = m.claims_in(&doc);
        let other = PieceVectors {
            encoder: "other".into(),
            ..v
        };
        assert_eq!(m.claims_with(&doc, Some(&other)), linear);
        assert_ne!(linear[0].score, 0.5);
    }

    #[test]
    fn reads_only_its_own_encoder() {
        assert_eq!(
            model("enc").score(&vectors("other"), CharSpan::new(0, 8)),
            None
        );
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        for bad in [
            "",
            "{}",
            r#"{"format": "x", "version": 1, "encoder": "e", "threshold": 0.5, "bias": 0, "weights": [1], "training": "", "holdout": {"precision": 0, "recall": 0, "f1": 0}, "dev": {"precision": 0, "recall": 0, "f1": 0}}"#,
            r#"{"format": "unspin-claims-vectors", "version": 1, "encoder": "e", "threshold": 2, "bias": 0, "weights": [1], "training": "", "holdout": {"precision": 0, "recall": 0, "f1": 0}, "dev": {"precision": 0, "recall": 0, "f1": 0}}"#,
            r#"{"format": "unspin-claims-vectors", "version": 1, "encoder": "e", "threshold": 0.5, "bias": 0, "weights": [], "training": "", "holdout": {"precision": 0, "recall": 0, "f1": 0}, "dev": {"precision": 0, "recall": 0, "f1": 0}}"#,
        ] {
            let e = VectorClaimModel::from_json(bad, "m.json")
                .unwrap_err()
                .to_string();
            assert!(e.contains("m.json"), "{e}");
        }
    }
}
