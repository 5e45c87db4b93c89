//! Check-worthiness from the detector's own encoder: logistic regression on the mean of a
//! sentence's word-piece vectors ([`PieceVectors::mean_within`]).
//!
//! The default detector already encodes every article, so scoring a sentence this way costs a
//! mean and a dot product. On a fixed held-out fifth of the CheckThat! 2024 training sentences
//! it beats the hashed n-gram model ([`super::ClaimModel`]) by about 6 F1 points (0.729 against
//! 0.670, `training/README.md`), so it scores the claims whenever the vectors it was trained on
//! are at hand; otherwise (the classical detector, another adapter) the n-gram model does.
//!
//! The file is JSON written by `training/claims_embed.py --write-model`: the encoder id the
//! vectors must come from, the weights with the training set's standardisation folded in, the
//! bias and the decision threshold. Version 2 (`--stack`) adds two inputs beside the vector, each
//! with one weight: the hashed n-gram model's logit, which knows words and numbers a mean of
//! vectors blurs, and ln(1 + words), the sentence's length, which a mean cannot see. Together
//! they raised held-out F1 from 0.710 (the vectors alone, retrained on the same vectors) to 0.729.
//!
//! ```text
//! z = bias + weights·mean(piece vectors)               version 1
//!          + ngram_weight·logit(n-gram score)          version 2 adds these
//!          + words_weight·ln(1 + words)
//! score = sigmoid(z)
//! ```

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
    #[serde(default)]
    ngram_weight: Option<f32>,
    #[serde(default)]
    words_weight: Option<f32>,
    #[serde(default)]
    ngram_model_sha256: Option<String>,
}

/// The inputs a version-2 model reads beside the vectors, with their weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Stacked {
    /// Weight of the n-gram model's logit (clamped to ±[`MAX_NGRAM_LOGIT`]).
    pub ngram_weight: f32,
    /// Weight of ln(1 + the sentence's whitespace-separated words).
    pub words_weight: f32,
    /// sha256 of the n-gram model file it is meant to run beside. It was trained on logits of
    /// models trained like that one on parts of the data, so its weight is right for that
    /// model's scale; nothing checks the pairing at run time (a caller who sets
    /// [`super::ClaimModel::on_vectors`] by hand owns it), but a test ties the embedded pair.
    pub ngram_model_sha256: String,
}

/// The training logits were clipped to ±ln((1 - 1e-6) / 1e-6), as a probability clipped to
/// `[1e-6, 1 - 1e-6]` would be (`MAX_NGRAM_LOGIT` in `training/claims_embed.py`, its twin).
pub const MAX_NGRAM_LOGIT: f32 = 13.815_51;

/// What a sentence offers the model besides its vectors; version-1 models ignore it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SentenceInputs {
    /// The n-gram model's logit for the sentence ([`super::ClaimModel::logit_of`]).
    pub ngram_logit: f32,
    /// Whitespace-separated words in the sentence.
    pub words: usize,
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
    /// The inputs beside the vectors (version 2), or `None` (version 1: the vectors alone).
    pub stacked: Option<Stacked>,
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
        if f.format != FORMAT || !(1..=2).contains(&f.version) {
            return Err(corrupt(format!(
                "format {:?} version {}, expected {FORMAT:?} version 1 or 2",
                f.format, f.version
            )));
        }
        let stacked = match (
            f.version,
            f.ngram_weight,
            f.words_weight,
            f.ngram_model_sha256,
        ) {
            (1, None, None, None) => None,
            (2, Some(ngram_weight), Some(words_weight), Some(ngram_model_sha256))
                if ngram_weight.is_finite()
                    && words_weight.is_finite()
                    && ngram_model_sha256.len() == 64
                    && ngram_model_sha256
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
            {
                Some(Stacked {
                    ngram_weight,
                    words_weight,
                    ngram_model_sha256,
                })
            }
            (version, ..) => {
                return Err(corrupt(format!(
                    "version {version}: ngram_weight, words_weight and ngram_model_sha256 \
                     belong to version 2 (finite weights, a sha256 in 64 lowercase hex digits)"
                )))
            }
        };
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
            stacked,
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

    /// P(check-worthy) for the sentence at `span`, from the mean of its pieces' vectors and,
    /// for a version-2 model, `inputs`; `None` when no piece lies inside it or the vectors are
    /// not this model's.
    pub fn score(
        &self,
        vectors: &PieceVectors,
        span: CharSpan,
        inputs: SentenceInputs,
    ) -> Option<f32> {
        if !self.reads(vectors) {
            return None;
        }
        let mean = vectors.mean_within(span)?;
        let mut z: f32 = self.bias
            + mean
                .iter()
                .zip(&self.weights)
                .map(|(x, w)| x * w)
                .sum::<f32>();
        if let Some(s) = &self.stacked {
            let ngram = inputs.ngram_logit.clamp(-MAX_NGRAM_LOGIT, MAX_NGRAM_LOGIT);
            z += s.ngram_weight * ngram + s.words_weight * (inputs.words as f32).ln_1p();
        }
        Some(unspin_ml::dense::sigmoid(z))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model file over 2-wide vectors (weights 2 and 0, bias -1) of `version`, with `extra`
    /// fields spliced in before its closing brace.
    fn file(encoder: &str, version: u32, extra: &str) -> String {
        format!(
            r#"{{"format": "unspin-claims-vectors", "version": {version}, "encoder": "{encoder}",
            "threshold": 0.5, "bias": -1.0, "weights": [2.0, 0.0], "training": "test",
            "holdout": {{"precision": 0, "recall": 0, "f1": 0}},
            "dev": {{"precision": 0, "recall": 0, "f1": 0}}{extra}}}"#
        )
    }

    /// The fields a version-2 file adds, with a well-formed digest.
    fn stacked_fields(ngram: f32, words: f32) -> String {
        let sha = "ab".repeat(32);
        format!(
            r#", "ngram_weight": {ngram}, "words_weight": {words}, "ngram_model_sha256": "{sha}""#
        )
    }

    fn model(encoder: &str) -> VectorClaimModel {
        VectorClaimModel::from_json(&file(encoder, 1, ""), "test").unwrap()
    }

    /// Version 2: the same vector weights, n-gram weight 0.5, word weight 1.
    fn stacked(encoder: &str) -> VectorClaimModel {
        VectorClaimModel::from_json(&file(encoder, 2, &stacked_fields(0.5, 1.0)), "test").unwrap()
    }

    const NONE: SentenceInputs = SentenceInputs {
        ngram_logit: 0.0,
        words: 0,
    };

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
        let p = m.score(&vectors("enc"), CharSpan::new(0, 8), NONE).unwrap();
        assert!((p - 0.5).abs() < 1e-6);
        // Only the first piece: z = 1.
        let p = m.score(&vectors("enc"), CharSpan::new(0, 3), NONE).unwrap();
        assert!((p - 1.0 / (1.0 + (-1.0f32).exp())).abs() < 1e-6);
        assert_eq!(m.score(&vectors("enc"), CharSpan::new(1, 2), NONE), None);
        // Version 1 reads nothing else.
        let inputs = SentenceInputs {
            ngram_logit: 3.0,
            words: 9,
        };
        let p = m
            .score(&vectors("enc"), CharSpan::new(0, 8), inputs)
            .unwrap();
        assert!((p - 0.5).abs() < 1e-6);
    }

    #[test]
    fn a_stacked_model_adds_the_ngram_logit_and_the_length() {
        let m = stacked("enc");
        assert_eq!(
            m.stacked.as_ref().unwrap().ngram_model_sha256,
            "ab".repeat(32)
        );
        // Mean (0.5, 5.0): z = -1 + 2·0.5 + 0.5·(-2) + 1·ln(1 + 0) = -1.
        let inputs = SentenceInputs {
            ngram_logit: -2.0,
            words: 0,
        };
        let p = m
            .score(&vectors("enc"), CharSpan::new(0, 8), inputs)
            .unwrap();
        assert!((p - 1.0 / (1.0 + 1.0f32.exp())).abs() < 1e-6);
        // Three words: + ln 4; a logit past the training clip counts as the clip.
        let inputs = SentenceInputs {
            ngram_logit: 100.0,
            words: 3,
        };
        let z = 0.5 * MAX_NGRAM_LOGIT + 4.0f32.ln();
        let p = m
            .score(&vectors("enc"), CharSpan::new(0, 8), inputs)
            .unwrap();
        assert!((p - 1.0 / (1.0 + (-z).exp())).abs() < 1e-6);
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
            ..v.clone()
        };
        assert_eq!(m.claims_with(&doc, Some(&other)), linear);
        assert_ne!(linear[0].score, 0.5);
        // A stacked model is given each sentence's n-gram logit and word count.
        m.on_vectors = Some(stacked("enc"));
        let claims = m.claims_with(&doc, Some(&v));
        for (claim, (text, words, mean)) in claims
            .iter()
            .zip([("Prices rose 12% in 2023.", 5, 0.5), ("Thank you.", 2, 0.0)])
        {
            let ngram = m.logit_of(text).clamp(-MAX_NGRAM_LOGIT, MAX_NGRAM_LOGIT);
            let z = -1.0 + 2.0 * mean + 0.5 * ngram + (1.0 + words as f32).ln();
            let want = 1.0 / (1.0 + (-z).exp());
            assert!((claim.score - want).abs() < 1e-5, "{claim:?}: want {want}");
        }
    }

    #[test]
    fn reads_only_its_own_encoder() {
        assert_eq!(
            model("enc").score(&vectors("other"), CharSpan::new(0, 8), NONE),
            None
        );
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        let v1 = file("e", 1, "");
        for (bad, why) in [
            (String::new(), "EOF"),
            ("{}".into(), "missing field"),
            (v1.replace("unspin-claims-vectors", "x"), "format"),
            (
                v1.replace(r#""threshold": 0.5"#, r#""threshold": 2"#),
                "threshold 2",
            ),
            (
                v1.replace(r#""weights": [2.0, 0.0]"#, r#""weights": []"#),
                "not empty",
            ),
            (file("e", 3, ""), "version 3"),
            // Stacked weights in a version-1 file, a version-2 file without them, a bad digest.
            (
                file("e", 1, &stacked_fields(1.0, 1.0)),
                "version 1: ngram_weight",
            ),
            (
                file("e", 2, r#", "ngram_weight": 1"#),
                "version 2: ngram_weight",
            ),
            (
                file(
                    "e",
                    2,
                    &stacked_fields(1.0, 1.0).replace(&"ab".repeat(32), "ab"),
                ),
                "64 lowercase hex",
            ),
        ] {
            let e = VectorClaimModel::from_json(&bad, "m.json")
                .unwrap_err()
                .to_string();
            assert!(e.contains("m.json") && e.contains(why), "{why}: {e}");
        }
        assert!(
            VectorClaimModel::from_json(&file("e", 2, &stacked_fields(1.0, 1.0)), "m.json").is_ok()
        );
    }
}
