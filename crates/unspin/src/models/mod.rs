//! Choosing and loading a detector: the classical model, a transformer (frozen encoder plus
//! trained heads), or their ensemble, with a fallback that says why it happened. The
//! transformer models need the `transformer` cargo feature (on by default); without it, only
//! the classical model loads, and asking for another is an error that says why.

use std::path::{Path, PathBuf};

use crate::classical::ClassicalModel;
use unspin_core::Detector;

#[cfg(feature = "transformer")]
mod embedded;
#[cfg(feature = "transformer")]
pub use embedded::{
    embedded_heads, load_fine_tuned, load_transformer, setup_builds_int8, BEST_ENCODER,
};

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
    /// The same with the fine-tuned MiniLM beside the transformer, under the blend chosen for
    /// the pair: a little more accurate on the held-out split, 1.2 times the time and 1.1 GB
    /// over a corpus, past the default's 1 GB.
    EnsembleBoth,
    /// Classical blended with the fine-tuned MiniLM.
    EnsembleMinilm,
    /// A classical model file (`unspin train --out`), a heads file (`.safetensors`), or a
    /// fine-tuned model directory (`training/finetune.py --out`).
    File(PathBuf),
}

impl ModelChoice {
    /// The names `--model` takes besides a path.
    pub const NAMES: [&'static str; 8] = [
        "classical",
        "minilm",
        "mpnet",
        "minilm-frozen",
        "mpnet-frozen",
        "ensemble",
        "ensemble-both",
        "ensemble-minilm",
    ];
}

impl std::fmt::Display for ModelChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelChoice::File(path) => write!(f, "{}", path.display()),
            named => {
                let i = [
                    ModelChoice::Classical,
                    ModelChoice::Minilm,
                    ModelChoice::Mpnet,
                    ModelChoice::MinilmFrozen,
                    ModelChoice::MpnetFrozen,
                    ModelChoice::Ensemble,
                    ModelChoice::EnsembleBoth,
                    ModelChoice::EnsembleMinilm,
                ]
                .iter()
                .position(|c| c == named)
                .unwrap_or(0);
                f.write_str(Self::NAMES[i])
            }
        }
    }
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
            "ensemble-both" => ModelChoice::EnsembleBoth,
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
    /// Why another model runs than the one asked for (the default's, say, when MPNet is not
    /// installed).
    pub fallback: Option<String>,
    /// Why the model's encoder runs on a slower backend than setup installs for it
    /// ([`crate::transformer::TransformerDetector::backend_note`]).
    pub backend_note: Option<String>,
}

/// Loads `choice`; base encoders are read from `encoders_dir`.
pub fn load_model(choice: &ModelChoice, encoders_dir: &Path) -> anyhow::Result<Loaded> {
    let plain = |detector: Box<dyn Detector>| Loaded {
        detector,
        fallback: None,
        backend_note: None,
    };
    match choice {
        ModelChoice::Classical => Ok(plain(Box::new(ClassicalModel::embedded()?))),
        ModelChoice::File(path) if !is_transformer_path(path) => {
            Ok(plain(Box::new(ClassicalModel::load(path)?)))
        }
        #[cfg(feature = "transformer")]
        other => embedded::load_transformer_choice(other, encoders_dir),
        #[cfg(not(feature = "transformer"))]
        other => {
            let _ = encoders_dir;
            anyhow::bail!(
                "model {other}: this build has no transformer models (it was built without the cargo feature `transformer`); use --model classical"
            )
        }
    }
}

/// A fine-tuned model directory or a heads file, as opposed to a classical model file.
fn is_transformer_path(path: &Path) -> bool {
    path.is_dir() || path.extension().is_some_and(|e| e == "safetensors")
}

/// The best detector installed: the ensemble over [`BEST_ENCODER`], else over MiniLM, else
/// (no encoder installed, say) the classical model, with the reason in [`Loaded::fallback`].
/// In a build without the `transformer` feature the classical model is the best there is, and
/// no fallback is reported.
pub fn load_best(encoders_dir: &Path) -> anyhow::Result<Loaded> {
    // The classical model is unpacked once, whichever way this goes.
    let classical = ClassicalModel::embedded()?;
    #[cfg(feature = "transformer")]
    return Ok(embedded::best_with(classical, encoders_dir));
    #[cfg(not(feature = "transformer"))]
    {
        let _ = encoders_dir;
        Ok(Loaded {
            detector: Box::new(classical),
            fallback: None,
            backend_note: None,
        })
    }
}
