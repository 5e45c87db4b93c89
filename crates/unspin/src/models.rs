//! Choosing and loading a detector: the classical model, a transformer (frozen encoder plus
//! trained heads), or their ensemble, with a fallback that says why it happened.

use std::path::{Path, PathBuf};

use crate::classical::{Blend, ClassicalModel};
use crate::transformer::{self, BlendParams, Heads, TransformerDetector};
use std::sync::Arc;
use unspin_core::{mix_into, CharSpan, Detector, Document, Span, TechniqueScores, UNIFORM_SCORES};

/// Heads trained on all 371 PTC training articles over all-MiniLM-L6-v2 (`unspin train
/// --model minilm`), compiled in: 1.2 MB, while the encoder itself comes from the setup script.
static MINILM_HEADS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../models/heads-minilm.safetensors"
));

/// The same over all-mpnet-base-v2 (`unspin train --model mpnet --cv 5 --out ...`): 2.3 MB.
static MPNET_HEADS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../models/heads-mpnet.safetensors"
));

/// Which detector to run (`--model`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChoice {
    /// The classical model embedded in the binary.
    Classical,
    /// all-MiniLM-L6-v2 with the embedded heads: the fast transformer mode.
    Minilm,
    /// all-mpnet-base-v2 with the embedded heads.
    Mpnet,
    /// Classical blended with MPNet: the most accurate.
    Ensemble,
    /// Classical blended with MiniLM: the fast ensemble (about 6 times faster to encode).
    EnsembleMinilm,
    /// A classical model file (`unspin train --out`) or a heads file (`.safetensors`).
    File(PathBuf),
}

impl std::str::FromStr for ModelChoice {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "classical" => ModelChoice::Classical,
            "minilm" => ModelChoice::Minilm,
            "mpnet" => ModelChoice::Mpnet,
            "ensemble" => ModelChoice::Ensemble,
            "ensemble-minilm" => ModelChoice::EnsembleMinilm,
            path => ModelChoice::File(PathBuf::from(path)),
        })
    }
}

/// A loaded detector, and why it is not the one asked for when it fell back.
pub struct Loaded {
    pub detector: Box<dyn Detector>,
    pub fallback: Option<String>,
}

/// The heads compiled into this build for an encoder, if any.
pub fn embedded_heads(encoder: &str) -> Option<anyhow::Result<Heads>> {
    match encoder {
        transformer::MINILM => {
            Some(Heads::from_bytes(MINILM_HEADS, "<embedded MiniLM heads>").map_err(Into::into))
        }
        transformer::MPNET => {
            Some(Heads::from_bytes(MPNET_HEADS, "<embedded MPNet heads>").map_err(Into::into))
        }
        _ => None,
    }
}

/// Loads the transformer detector for `encoder` from `encoders_dir` with its embedded heads.
pub fn load_transformer(encoder: &str, encoders_dir: &Path) -> anyhow::Result<TransformerDetector> {
    let heads = embedded_heads(encoder).ok_or_else(|| {
        anyhow::anyhow!(
            "no trained heads for {encoder} in this build (fine-tuning it needs the GPU recipe in training/)"
        )
    })??;
    let enc = transformer::TextEncoder::load_with(
        &encoders_dir.join(encoder),
        None,
        transformer::BackendKind::from_env()?,
    )?;
    Ok(TransformerDetector::new(enc, heads)?)
}

/// Loads `choice`; base encoders are read from `encoders_dir`.
pub fn load_model(choice: &ModelChoice, encoders_dir: &Path) -> anyhow::Result<Box<dyn Detector>> {
    Ok(match choice {
        ModelChoice::Classical => Box::new(ClassicalModel::embedded()?),
        ModelChoice::Minilm => Box::new(load_transformer(transformer::MINILM, encoders_dir)?),
        ModelChoice::Mpnet => Box::new(load_transformer(transformer::MPNET, encoders_dir)?),
        ModelChoice::Ensemble | ModelChoice::EnsembleMinilm => {
            let encoder = if *choice == ModelChoice::Ensemble {
                transformer::MPNET
            } else {
                transformer::MINILM
            };
            Box::new(Ensemble::new(
                ClassicalModel::embedded()?,
                load_transformer(encoder, encoders_dir)?,
            ))
        }
        ModelChoice::File(path) => {
            if path.extension().is_some_and(|e| e == "safetensors") {
                Box::new(TransformerDetector::load(encoders_dir, path)?)
            } else {
                Box::new(ClassicalModel::load(path)?)
            }
        }
    })
}

/// The best detector installed: the MPNet ensemble, else the MiniLM one, else (no encoder
/// installed, say) the classical model, with the reason in [`Loaded::fallback`].
pub fn load_best(encoders_dir: &Path) -> anyhow::Result<Loaded> {
    // The classical model is unpacked once, whichever way this goes.
    let classical = ClassicalModel::embedded()?;
    let mpnet_err = match load_transformer(transformer::MPNET, encoders_dir) {
        Ok(t) => {
            return Ok(Loaded {
                detector: Box::new(Ensemble::new(classical, t)),
                fallback: None,
            })
        }
        Err(e) => e,
    };
    Ok(match load_transformer(transformer::MINILM, encoders_dir) {
        Ok(t) => Loaded {
            detector: Box::new(Ensemble::new(classical, t)),
            fallback: Some(format!(
                "using the MiniLM ensemble, not the MPNet one: {mpnet_err:#}"
            )),
        },
        Err(e) => Loaded {
            detector: Box::new(classical),
            fallback: Some(format!(
                "using the classical model, not the ensemble: {e:#}"
            )),
        },
    })
}

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
    /// Named "ensemble" with MPNet (the default) and "ensemble-<encoder>" otherwise, so that
    /// reports and resumed batch runs tell them apart.
    pub fn new(
        classical: impl Into<Arc<ClassicalModel>>,
        transformer: TransformerDetector,
    ) -> Self {
        let blend = transformer.heads().meta.blend;
        let name = match transformer.name() {
            "mpnet" => "ensemble".to_string(),
            other => format!("ensemble-{other}"),
        };
        Ensemble {
            classical: classical.into(),
            transformer,
            blend,
            name,
        }
    }

    /// Other blend weights (cross-validation sweeps them).
    pub fn with_blend(mut self, blend: BlendParams) -> Self {
        self.blend = blend;
        self
    }
}

impl Detector for Ensemble {
    fn name(&self) -> &str {
        &self.name
    }

    fn detect(&self, doc: &Document) -> Vec<Span> {
        let t = &self.transformer;
        let run = || -> transformer::Result<Vec<Span>> {
            let enc = t.encode(doc)?;
            let si = t.token_probabilities(doc, &enc)?;
            let classify = |spans: &[CharSpan]| {
                t.classify_encoded(&enc, spans)
                    .unwrap_or_else(|_| vec![UNIFORM_SCORES; spans.len()])
            };
            let blend = Blend {
                si: &si,
                si_weight: self.blend.si_weight,
                si_threshold: self.blend.si_threshold,
                classify: &classify,
                tc_weight: self.blend.tc_weight,
            };
            Ok(self.classical.detect_blended(doc, Some(&blend)))
        };
        run().unwrap_or_else(|e| {
            eprintln!(
                "unspin: ensemble: article {}: the encoder failed ({e}); classical spans only",
                doc.article.id
            );
            self.classical.detect(doc)
        })
    }

    fn classify(&self, doc: &Document, spans: &[CharSpan]) -> Vec<TechniqueScores> {
        let mut own = self.classical.classify(doc, spans);
        for (a, b) in own.iter_mut().zip(self.transformer.classify(doc, spans)) {
            mix_into(a, &b, self.blend.tc_weight);
        }
        own
    }
}
