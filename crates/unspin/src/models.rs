//! Choosing and loading a detector: the classical model, a transformer (frozen encoder plus
//! trained heads), or their ensemble, with a fallback that says why it happened.

use std::path::{Path, PathBuf};

use crate::classical::{Blend, ClassicalModel};
use crate::transformer::{self, BlendParams, Heads, TransformerDetector};
use std::sync::Arc;
use unspin_core::{
    mix_into, Cancel, Cancelled, CharSpan, Detector, Document, Span, TechniqueScores,
    UNIFORM_SCORES,
};

/// Heads trained on all 371 PTC training articles over the frozen all-MiniLM-L6-v2 (`unspin
/// train --model minilm`), compiled in: 1.2 MB, while the encoder itself comes from the setup
/// script. Superseded by the fine-tuned models below; kept as `minilm-frozen` for comparison.
static MINILM_HEADS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../models/heads-minilm.safetensors"
));

/// The same over the frozen all-mpnet-base-v2 (`mpnet-frozen`): 2.3 MB.
static MPNET_HEADS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../models/heads-mpnet.safetensors"
));

/// all-MiniLM-L6-v2 fine-tuned on the CPU by `training/finetune.sh minilm` (see
/// models/ft-minilm/README.md): LoRA updates of every linear layer (fp16, merged into the base
/// weights at load) and the heads trained with them.
static MINILM_FT: FineTuned = FineTuned {
    encoder: transformer::MINILM,
    adapter: include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/ft-minilm/adapter.safetensors"
    )),
    heads: include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/ft-minilm/heads.safetensors"
    )),
};

/// all-mpnet-base-v2 fine-tuned on the CPU by `training/finetune.sh mpnet`: LoRA updates of
/// all 12 layers (which beat training the top 4 by 1.6 SI and 1.2 TC points in the ensemble on
/// the held-out split) and the heads trained with them.
static MPNET_FT: FineTuned = FineTuned {
    encoder: transformer::MPNET,
    adapter: include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/ft-mpnet/adapter.safetensors"
    )),
    heads: include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/ft-mpnet/heads.safetensors"
    )),
};

/// A fine-tuned model compiled into the binary.
struct FineTuned {
    encoder: &'static str,
    adapter: &'static [u8],
    heads: &'static [u8],
}

/// Which detector to run (`--model`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChoice {
    /// The classical model embedded in the binary.
    Classical,
    /// all-MiniLM-L6-v2 fine-tuned: the fast transformer.
    Minilm,
    /// all-mpnet-base-v2 fine-tuned (all 12 layers).
    Mpnet,
    /// A frozen encoder with heads trained on its vectors (the models before fine-tuning).
    MinilmFrozen,
    MpnetFrozen,
    /// The classical model blended with the most accurate transformer.
    Ensemble,
    /// Classical blended with the fine-tuned MiniLM.
    EnsembleMinilm,
    /// A classical model file (`unspin train --out`), a heads file (`.safetensors`), or a
    /// fine-tuned model directory (`training/finetune.py --out`).
    File(PathBuf),
}

impl ModelChoice {
    /// The names `--model` takes besides a path.
    pub const NAMES: [&'static str; 7] = [
        "classical",
        "minilm",
        "mpnet",
        "minilm-frozen",
        "mpnet-frozen",
        "ensemble",
        "ensemble-minilm",
    ];
}

impl std::str::FromStr for ModelChoice {
    type Err = String;

    /// A known name, else an existing path: a typo is an error that lists the names, not a
    /// "file not found" for a file nobody meant.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "classical" => ModelChoice::Classical,
            "minilm" => ModelChoice::Minilm,
            "mpnet" => ModelChoice::Mpnet,
            "minilm-frozen" => ModelChoice::MinilmFrozen,
            "mpnet-frozen" => ModelChoice::MpnetFrozen,
            "ensemble" => ModelChoice::Ensemble,
            "ensemble-minilm" => ModelChoice::EnsembleMinilm,
            path if Path::new(path).exists() => ModelChoice::File(PathBuf::from(path)),
            other => {
                return Err(format!(
                    "unknown model `{other}`: choose one of {}, or give the path of a model file or directory",
                    Self::NAMES.join(", ")
                ))
            }
        })
    }
}

/// A loaded detector, and why it is not the one asked for when it fell back.
pub struct Loaded {
    pub detector: Box<dyn Detector>,
    pub fallback: Option<String>,
}

/// The frozen-encoder heads compiled into this build for an encoder, if any.
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

/// Loads the frozen encoder `encoder` from `encoders_dir` with its embedded heads.
pub fn load_transformer(encoder: &str, encoders_dir: &Path) -> anyhow::Result<TransformerDetector> {
    let heads = embedded_heads(encoder)
        .ok_or_else(|| anyhow::anyhow!("no trained heads for {encoder} in this build"))??;
    let enc = transformer::TextEncoder::load_with(
        &encoders_dir.join(encoder),
        None,
        transformer::BackendKind::from_env()?,
    )?;
    Ok(TransformerDetector::new(enc, heads)?)
}

/// The fine-tuned model compiled in for `encoder`, if any.
fn embedded_fine_tuned(encoder: &str) -> Option<&'static FineTuned> {
    [&MINILM_FT, &MPNET_FT]
        .into_iter()
        .find(|m| m.encoder == encoder)
}

/// Loads the fine-tuned `encoder`: the base weights from `encoders_dir` with the compiled-in
/// adapter merged, and its heads.
pub fn load_fine_tuned(encoder: &str, encoders_dir: &Path) -> anyhow::Result<TransformerDetector> {
    let m = embedded_fine_tuned(encoder).ok_or_else(|| {
        anyhow::anyhow!("no fine-tuned {encoder} in this build (training/finetune.sh makes one)")
    })?;
    let name = transformer::short_name(encoder);
    let heads = Heads::from_bytes(m.heads, &format!("<embedded {name} heads>"))?;
    let adapter =
        transformer::lora::Adapter::from_bytes(m.adapter, &format!("<embedded {name} adapter>"))?;
    Ok(TransformerDetector::with_adapter(encoders_dir, heads, Some(&adapter))?.with_name(name))
}

/// The encoder of the default ensemble: the most accurate on the held-out split (`unspin
/// validate`, cross-fitted: MPNet 0.397 / 0.680 / 0.222 SI / TC / FLC F1 against MiniLM's
/// 0.394 / 0.668 / 0.213).
const BEST_ENCODER: &str = transformer::MPNET;

/// Loads `choice`; base encoders are read from `encoders_dir`.
pub fn load_model(choice: &ModelChoice, encoders_dir: &Path) -> anyhow::Result<Box<dyn Detector>> {
    Ok(match choice {
        ModelChoice::Classical => Box::new(ClassicalModel::embedded()?),
        ModelChoice::Minilm => Box::new(load_fine_tuned(transformer::MINILM, encoders_dir)?),
        ModelChoice::Mpnet => Box::new(load_fine_tuned(transformer::MPNET, encoders_dir)?),
        ModelChoice::MinilmFrozen => Box::new(
            load_transformer(transformer::MINILM, encoders_dir)?.with_name("minilm-frozen"),
        ),
        ModelChoice::MpnetFrozen => {
            Box::new(load_transformer(transformer::MPNET, encoders_dir)?.with_name("mpnet-frozen"))
        }
        ModelChoice::Ensemble | ModelChoice::EnsembleMinilm => {
            let encoder = if *choice == ModelChoice::Ensemble {
                BEST_ENCODER
            } else {
                transformer::MINILM
            };
            let ens = Ensemble::new(
                ClassicalModel::embedded()?,
                load_fine_tuned(encoder, encoders_dir)?,
            );
            Box::new(if *choice == ModelChoice::Ensemble {
                ens.named("ensemble")
            } else {
                ens
            })
        }
        ModelChoice::File(path) => {
            if path.is_dir() {
                Box::new(TransformerDetector::load_dir(encoders_dir, path)?)
            } else if path.extension().is_some_and(|e| e == "safetensors") {
                Box::new(TransformerDetector::load(encoders_dir, path)?)
            } else {
                Box::new(ClassicalModel::load(path)?)
            }
        }
    })
}

/// The best detector installed: the ensemble over [`BEST_ENCODER`], else over MiniLM, else
/// (no encoder installed, say) the classical model, with the reason in [`Loaded::fallback`].
pub fn load_best(encoders_dir: &Path) -> anyhow::Result<Loaded> {
    // The classical model is unpacked once, whichever way this goes.
    let classical = ClassicalModel::embedded()?;
    let best_err = match load_fine_tuned(BEST_ENCODER, encoders_dir) {
        Ok(t) => {
            return Ok(Loaded {
                detector: Box::new(Ensemble::new(classical, t).named("ensemble")),
                fallback: None,
            })
        }
        Err(e) => e,
    };
    Ok(match load_fine_tuned(transformer::MINILM, encoders_dir) {
        Ok(t) => Loaded {
            detector: Box::new(Ensemble::new(classical, t)),
            fallback: Some(format!(
                "using the MiniLM ensemble, not the MPNet one: {best_err:#}"
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

impl Detector for Ensemble {
    fn name(&self) -> &str {
        &self.name
    }

    fn detect(&self, doc: &Document) -> Vec<Span> {
        // A fresh flag is never set, so this is always Ok.
        self.detect_until(doc, &Cancel::new()).unwrap_or_default()
    }

    fn detect_until(&self, doc: &Document, cancel: &Cancel) -> Result<Vec<Span>, Cancelled> {
        let t = &self.transformer;
        let run = || -> transformer::Result<Vec<Span>> {
            let enc = t.encode_until(doc, cancel)?;
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
        match run() {
            Ok(spans) => Ok(spans),
            Err(transformer::Error::Cancelled(c)) => Err(c),
            Err(e) => {
                eprintln!(
                    "unspin: ensemble: article {}: the encoder failed ({e}); classical spans only",
                    doc.article.id
                );
                Ok(self.classical.detect(doc))
            }
        }
    }

    fn classify(&self, doc: &Document, spans: &[CharSpan]) -> Vec<TechniqueScores> {
        // A fresh flag is never set, so this is always Ok.
        self.classify_until(doc, spans, &Cancel::new())
            .unwrap_or_default()
    }

    fn classify_until(
        &self,
        doc: &Document,
        spans: &[CharSpan],
        cancel: &Cancel,
    ) -> Result<Vec<TechniqueScores>, Cancelled> {
        let mut own = self.classical.classify(doc, spans);
        let theirs = self.transformer.classify_until(doc, spans, cancel)?;
        for (a, b) in own.iter_mut().zip(theirs) {
            mix_into(a, &b, self.blend.tc_weight);
        }
        Ok(own)
    }
}
