//! The ensemble: the one place where models are blended. The classical model's evidence
//! (CRF marginals and tagged spans) and a transformer's token probabilities are mixed
//! linearly, decoded once by [`unspin_core::decode`], and each region's technique scores mixed
//! the same way, with the weights stored in the transformer's heads. The spans' confidences
//! are then mapped to how often such spans were right on the validation split, where the
//! heads carry that map.

use std::sync::Arc;

use crate::classical::ClassicalModel;
use crate::transformer::{self, BlendParams, TransformerDetector};
use unspin_core::{
    decode, mix_into, Cancel, CharSpan, DecodeOptions, DetectError, Detection, Detector, Document,
    TechniqueScores,
};

/// The classical model blended with a transformer: token probabilities and technique scores
/// mixed linearly with the weights stored in the transformer's heads.
pub struct Ensemble {
    // Shared: cross-validation builds 18 ensembles per fold over one classical model.
    classical: Arc<ClassicalModel>,
    transformer: TransformerDetector,
    blend: BlendParams,
    name: String,
}

impl Ensemble {
    /// Named "ensemble-<transformer>" ([`Ensemble::named`] renames the default one), so that
    /// reports and resumed batch runs tell them apart.
    pub fn new(
        classical: impl Into<Arc<ClassicalModel>>,
        transformer: TransformerDetector,
    ) -> Self {
        let blend = transformer.heads().meta.blend;
        let name = format!("ensemble-{}", transformer.name());
        Ensemble {
            classical: classical.into(),
            transformer,
            blend,
            name,
        }
    }

    /// Another name in reports: the default ensemble is plain "ensemble".
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Other blend weights (cross-validation sweeps them).
    pub fn with_blend(mut self, blend: BlendParams) -> Self {
        self.blend = blend;
        self
    }
}

impl Ensemble {
    /// The blend itself: the classical model's evidence with the transformer's token
    /// probabilities mixed in, decoded once, each region's technique scores mixed the same way.
    /// Fails only when the transformer does.
    fn blended(&self, doc: &Document, cancel: &Cancel) -> transformer::Result<Detection> {
        let t = &self.transformer;
        let enc = t.encode_until(doc, cancel)?;
        let si = t.token_probabilities(doc, &enc)?;
        let classical = self.classical.view(doc);
        let mut evidence = classical.evidence();
        mix_into(&mut evidence.si, &si, self.blend.si_weight);
        let rule = self.blend.region_rule();
        let options = DecodeOptions {
            si_threshold: rule.seed,
            si_extend: rule.extend,
            si_join_gap: rule.join_gap,
            second_technique: self
                .blend
                .second_technique
                .unwrap_or(self.classical.decode_options().second_technique),
            // With no weight on the transformer there is no new evidence, and the blend (with
            // no second-technique threshold or calibration of its own) is the classical model
            // exactly.
            confirm_tagged: self.blend.si_weight > 0.0,
        };
        let mut spans = decode(doc, evidence, options, |spans| {
            let mut own = classical.classify(spans);
            if self.blend.tc_weight > 0.0 {
                for (a, b) in own.iter_mut().zip(t.classify_encoded(&enc, spans)?) {
                    mix_into(a, &b, self.blend.tc_weight);
                }
            }
            Ok::<_, transformer::Error>(own)
        })?;
        // Monotone, so it changes what a confidence says but never which span ranks first.
        if let Some(platt) = self.blend.calibration {
            for s in &mut spans {
                s.confidence = platt.apply(s.confidence);
            }
        }
        Ok(Detection {
            spans,
            notes: Vec::new(),
            vectors: Some(Arc::new(t.piece_vectors(&enc))),
        })
    }
}

impl Detector for Ensemble {
    fn name(&self) -> &str {
        &self.name
    }

    /// Where the transformer fails on an article (it never has in the tests), the classical
    /// model's spans stand alone, and the detection says so in a note.
    fn detect(&self, doc: &Document, cancel: &Cancel) -> Result<Detection, DetectError> {
        match self.blended(doc, cancel) {
            Ok(detection) => Ok(detection),
            Err(transformer::Error::Cancelled(c)) => Err(c.into()),
            Err(e) => Ok(Detection {
                spans: self.classical.view(doc).detect(),
                notes: vec![format!(
                    "the {} encoder failed on this article ({e}); the spans are the classical model's alone",
                    self.transformer.name()
                )],
                vectors: None,
            }),
        }
    }

    fn classify(
        &self,
        doc: &Document,
        spans: &[CharSpan],
        cancel: &Cancel,
    ) -> Result<Vec<TechniqueScores>, DetectError> {
        let theirs = self.transformer.classify(doc, spans, cancel)?;
        let mut own = self.classical.view(doc).classify(spans);
        for (a, b) in own.iter_mut().zip(theirs) {
            mix_into(a, &b, self.blend.tc_weight);
        }
        Ok(own)
    }
}
