//! The ensemble: the one place where models are blended. The classical model's evidence
//! (CRF marginals and tagged spans) and a transformer's token probabilities are mixed
//! linearly, decoded once by [`unspin_core::decode()`], and each region's technique scores mixed
//! the same way, with the weights stored in the transformer's heads. A partner transformer
//! (`ensemble-both`'s MiniLM beside its MPNet) can be mixed into the transformer's probabilities
//! and scores first: two encoders trained apart err on different words. The spans'
//! confidences are then mapped to how often such spans were right on the validation split,
//! where the heads carry that map.

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
    /// Mixed into `transformer`'s token probabilities and technique scores with the blend's
    /// `partner_*` weights; with weights of 0 it is never run.
    partner: Option<TransformerDetector>,
    blend: BlendParams,
    name: String,
}

/// Which encoder of the ensemble failed, and how.
struct Failed<'a> {
    encoder: &'a str,
    /// The partner failed: the transformer's own blend can still run without it.
    partner: bool,
    error: transformer::Error,
}

/// Tags an error of `t` with its name and role.
fn failed<'a>(
    t: &'a TransformerDetector,
    partner: bool,
) -> impl Fn(transformer::Error) -> Failed<'a> + 'a {
    move |error| Failed {
        encoder: t.name(),
        partner,
        error,
    }
}

impl Ensemble {
    /// Named `"ensemble-<transformer>"` ([`Ensemble::named`] renames the default one), so that
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
            partner: None,
            blend,
            name,
        }
    }

    /// The blend chosen for a pair that the transformer's heads carry, if the partner has
    /// weight in it.
    fn pair_blend(&self) -> Option<BlendParams> {
        let pair = self.transformer.heads().meta.partner_blend?;
        pair.has_partner().then_some(pair)
    }

    /// Whether the transformer's heads carry a blend chosen with a partner beside it, in which
    /// the partner has weight.
    pub fn wants_partner(&self) -> bool {
        self.pair_blend().is_some()
    }

    /// Runs `partner` beside the transformer, with the blend chosen for the pair
    /// (`partner_blend` in the transformer's heads), or `None` when the heads carry no such
    /// blend ([`Ensemble::wants_partner`]): mixing a partner in under weights chosen without it
    /// would be a guess.
    pub fn with_partner(mut self, partner: TransformerDetector) -> Option<Self> {
        self.blend = self.pair_blend()?;
        self.partner = Some(partner);
        Some(self)
    }

    /// The same ensemble without its partner, under the transformer's own blend: what runs
    /// where the partner fails on an article.
    fn without_partner(&self) -> Self {
        Ensemble {
            classical: self.classical.clone(),
            transformer: self.transformer.clone(),
            partner: None,
            blend: self.transformer.heads().meta.blend,
            name: self.name.clone(),
        }
    }

    /// Whether the partner counts under the blend: in the token probabilities, and in the
    /// technique scores. Where it counts in neither it is not run at all.
    fn partner_counts(&self) -> (bool, bool) {
        let b = &self.blend;
        (
            b.partner_si_weight > 0.0 && b.si_weight > 0.0,
            b.partner_tc_weight > 0.0 && b.tc_weight > 0.0,
        )
    }

    /// Mixes the transformer's technique scores into the classical model's `own`, with the
    /// partner's (when it ran) mixed into the transformer's first: one formula for regions
    /// found here and spans given to `classify`.
    fn mix_scores(
        &self,
        own: &mut [TechniqueScores],
        mut theirs: Vec<TechniqueScores>,
        partner: Option<Vec<TechniqueScores>>,
    ) {
        if let Some(partner) = partner {
            for (a, b) in theirs.iter_mut().zip(partner) {
                mix_into(a, &b, self.blend.partner_tc_weight);
            }
        }
        for (a, b) in own.iter_mut().zip(theirs) {
            mix_into(a, &b, self.blend.tc_weight);
        }
    }

    /// Runs `partner` beside the transformer under whatever blend is set (validation sweeps
    /// the partner's weights with [`Ensemble::with_blend`]).
    pub fn with_partner_unblended(mut self, partner: TransformerDetector) -> Self {
        self.partner = Some(partner);
        self
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
    /// probabilities (and the partner's, when it runs) mixed in, decoded once, each region's
    /// technique scores mixed the same way. Fails only when an encoder does.
    fn blended(&self, doc: &Document, cancel: &Cancel) -> Result<Detection, Failed<'_>> {
        let t = &self.transformer;
        let enc = t.encode_until(doc, cancel).map_err(failed(t, false))?;
        let mut si = t.token_probabilities(doc, &enc).map_err(failed(t, false))?;
        let (in_tokens, in_scores) = self.partner_counts();
        let partner = match &self.partner {
            Some(p) if in_tokens || in_scores => {
                let e = p.encode_until(doc, cancel).map_err(failed(p, true))?;
                if in_tokens {
                    let theirs = p.token_probabilities(doc, &e).map_err(failed(p, true))?;
                    mix_into(&mut si, &theirs, self.blend.partner_si_weight);
                }
                Some((p, e))
            }
            _ => None,
        };
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
                let theirs = t.classify_encoded(&enc, spans).map_err(failed(t, false))?;
                let partner_scores = match partner.as_ref().filter(|_| in_scores) {
                    Some((p, e)) => Some(p.classify_encoded(e, spans).map_err(failed(p, true))?),
                    None => None,
                };
                self.mix_scores(&mut own, theirs, partner_scores);
            }
            Ok::<_, Failed>(own)
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
    /// model's spans stand alone; where only the partner fails, the ensemble runs without it,
    /// under the transformer's own blend. Either way the detection says so in a note.
    /// (`classify` has no note to carry, so there either failure is an error.)
    fn detect(&self, doc: &Document, cancel: &Cancel) -> Result<Detection, DetectError> {
        match self.blended(doc, cancel) {
            Ok(detection) => Ok(detection),
            Err(Failed {
                error: transformer::Error::Cancelled(c),
                ..
            }) => Err(c.into()),
            Err(Failed {
                encoder,
                partner: true,
                error,
            }) => {
                let mut detection = self.without_partner().detect(doc, cancel)?;
                detection.notes.insert(
                    0,
                    format!(
                        "the {encoder} encoder failed on this article ({error}); the spans are the ensemble's without it"
                    ),
                );
                Ok(detection)
            }
            Err(Failed { encoder, error, .. }) => Ok(Detection {
                spans: self.classical.view(doc).detect(),
                notes: vec![format!(
                    "the {encoder} encoder failed on this article ({error}); the spans are the classical model's alone"
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
        let partner_scores = match self.partner.as_ref().filter(|_| self.partner_counts().1) {
            Some(p) => Some(p.classify(doc, spans, cancel)?),
            None => None,
        };
        let mut own = self.classical.view(doc).classify(spans);
        self.mix_scores(&mut own, theirs, partner_scores);
        Ok(own)
    }
}
