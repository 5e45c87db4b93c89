//! The transformer models compiled into the binary (adapters and heads; the base encoders come
//! from `scripts/setup-models.sh`), and loading them by name.

use std::path::Path;

use super::{Loaded, ModelChoice};
use crate::classical::ClassicalModel;
use crate::ensemble::Ensemble;
use crate::transformer::{self, BaseEncoder, Heads, TransformerDetector};
use unspin_core::Detector;

/// The bytes of a file under `models/`, compiled in.
macro_rules! model_file {
    ($path:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/", $path))
    };
}

/// Heads trained on all 371 PTC training articles over the frozen all-MiniLM-L6-v2 (`unspin
/// train --model minilm`), compiled in: 1.2 MB, while the encoder itself comes from the setup
/// script. Superseded by the fine-tuned models below; kept as `minilm-frozen` for comparison.
static MINILM_HEADS: &[u8] = model_file!("heads-minilm.safetensors");

/// The same over the frozen all-mpnet-base-v2 (`mpnet-frozen`): 2.3 MB.
static MPNET_HEADS: &[u8] = model_file!("heads-mpnet.safetensors");

/// all-MiniLM-L6-v2 fine-tuned on the CPU by `training/finetune.sh minilm` (recipe and runs in
/// training/README.md, this run's record in models/ft-minilm/run.json): LoRA updates of every
/// linear layer (fp16, merged into the base weights at load) and the heads trained with them.
/// The fast models, and the partner `ensemble-both` runs beside MPNet.
static MINILM_FT: FineTuned = FineTuned {
    adapter: model_file!("ft-minilm/adapter.safetensors"),
    heads: model_file!("ft-minilm/heads.safetensors"),
};

/// all-mpnet-base-v2 fine-tuned on the CPU by `training/finetune.sh mpnet`: LoRA updates of
/// all 12 layers over 5 epochs (which beat training the top 4 by 1.6 SI and 1.2 TC points in
/// the ensemble on the held-out split, and 3 epochs by 1.1 and 0.5) and the heads trained with
/// them.
static MPNET_FT: FineTuned = FineTuned {
    adapter: model_file!("ft-mpnet/adapter.safetensors"),
    heads: model_file!("ft-mpnet/heads.safetensors"),
};

/// A fine-tuned model compiled into the binary.
struct FineTuned {
    adapter: &'static [u8],
    heads: &'static [u8],
}

/// The frozen-encoder heads compiled into this build for an encoder.
pub fn embedded_heads(encoder: BaseEncoder) -> anyhow::Result<Heads> {
    let (bytes, name) = match encoder {
        BaseEncoder::MiniLm => (MINILM_HEADS, "<embedded MiniLM heads>"),
        BaseEncoder::MpNet => (MPNET_HEADS, "<embedded MPNet heads>"),
    };
    Ok(Heads::from_bytes(bytes, name)?)
}

/// Loads the frozen encoder `encoder` from `encoders_dir` with its embedded heads.
pub fn load_transformer(
    encoder: BaseEncoder,
    encoders_dir: &Path,
) -> anyhow::Result<TransformerDetector> {
    let heads = embedded_heads(encoder)?;
    let enc = transformer::TextEncoder::load_with(
        &encoders_dir.join(encoder.dir_name()),
        None,
        transformer::BackendKind::from_env()?,
    )?;
    Ok(TransformerDetector::new(enc, heads)?)
}

/// The fine-tuned model compiled in for `encoder`.
fn embedded_fine_tuned(encoder: BaseEncoder) -> &'static FineTuned {
    match encoder {
        BaseEncoder::MiniLm => &MINILM_FT,
        BaseEncoder::MpNet => &MPNET_FT,
    }
}

/// The files `scripts/setup-models.sh` installs, with their sha256: among them, the int8
/// encoders it builds for fine-tuned models (`<encoder>+lora-<digest>/model.int8.onnx`).
static SETUP_FILES: &str = include_str!("../../../../models/encoders.sha256");

/// Whether `scripts/setup-models.sh` builds an int8 encoder for the encoder `id`
/// ([`TransformerDetector::encoder_id`]).
pub fn setup_builds_int8(id: &str) -> bool {
    let want = format!("{id}/model.int8.onnx");
    SETUP_FILES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l.split_once("  ").is_some_and(|(_, file)| file == want))
}

/// Loads the fine-tuned `encoder`: the base weights from `encoders_dir` with the compiled-in
/// adapter merged, and its heads. When it runs with candle only because the int8 encoder that
/// setup builds for it is missing, its [`TransformerDetector::backend_note`] says so.
pub fn load_fine_tuned(
    encoder: BaseEncoder,
    encoders_dir: &Path,
) -> anyhow::Result<TransformerDetector> {
    let m = embedded_fine_tuned(encoder);
    let name = encoder.short_name();
    let heads = Heads::from_bytes(m.heads, &format!("<embedded {name} heads>"))?;
    let adapter =
        transformer::lora::Adapter::from_bytes(m.adapter, &format!("<embedded {name} adapter>"))?;
    let t = TransformerDetector::with_adapter(encoders_dir, heads, Some(&adapter))?.with_name(name);
    // Nothing setup can mend in a build without onnxruntime, or where the user chose. Left to
    // choose, an onnxruntime build runs candle without a note only when the int8 encoder is
    // not there (one that is there and fails says so itself).
    let missing = transformer::ORT_BUILT
        && t.backend() == transformer::BackendKind::Candle
        && t.backend_note().is_none()
        && transformer::BackendKind::requested()?.is_none()
        && setup_builds_int8(t.encoder_id());
    Ok(if missing {
        let note = format!(
            "the int8 encoder {} is not installed (scripts/setup-models.sh builds it): running candle, slower",
            encoders_dir.join(t.encoder_id()).display()
        );
        t.with_backend_note(Some(note))
    } else {
        t
    })
}

/// The encoder of the default ensemble: the most accurate on the held-out split (`unspin
/// validate`, blends cross-fitted: the MPNet ensemble 0.426 / 0.697 / 0.252 SI / TC / FLC F1
/// against the MiniLM one's 0.394 / 0.668 / 0.208).
pub const BEST_ENCODER: BaseEncoder = BaseEncoder::MpNet;

/// The encoder run beside [`BEST_ENCODER`] in `ensemble-both`, under the blend chosen for the
/// pair that the best encoder's heads carry (`partner_blend`).
pub(super) const PARTNER_ENCODER: BaseEncoder = BaseEncoder::MiniLm;

/// Loads a transformer `choice` (or, for completeness, the classical ones), with the
/// transformer's [`TransformerDetector::backend_note`].
pub(super) fn load_transformer_choice(
    choice: &ModelChoice,
    encoders_dir: &Path,
) -> anyhow::Result<Loaded> {
    let noted = |t: TransformerDetector| {
        let note = t.backend_note().map(str::to_string);
        (t, note)
    };
    let (detector, backend_note): (Box<dyn Detector>, _) = match choice {
        ModelChoice::Classical => (Box::new(ClassicalModel::embedded()?), None),
        ModelChoice::Minilm | ModelChoice::Mpnet => {
            let encoder = if *choice == ModelChoice::Mpnet {
                BaseEncoder::MpNet
            } else {
                BaseEncoder::MiniLm
            };
            let (t, note) = noted(load_fine_tuned(encoder, encoders_dir)?);
            (Box::new(t), note)
        }
        ModelChoice::MinilmFrozen => (
            Box::new(
                load_transformer(BaseEncoder::MiniLm, encoders_dir)?.with_name("minilm-frozen"),
            ),
            None,
        ),
        ModelChoice::MpnetFrozen => (
            Box::new(load_transformer(BaseEncoder::MpNet, encoders_dir)?.with_name("mpnet-frozen")),
            None,
        ),
        ModelChoice::Ensemble | ModelChoice::EnsembleMinilm => {
            let encoder = if *choice == ModelChoice::Ensemble {
                BEST_ENCODER
            } else {
                BaseEncoder::MiniLm
            };
            let (t, note) = noted(load_fine_tuned(encoder, encoders_dir)?);
            let ens = Ensemble::new(ClassicalModel::embedded()?, t);
            let ens = if *choice == ModelChoice::Ensemble {
                ens.named("ensemble")
            } else {
                ens
            };
            (Box::new(ens), note)
        }
        ModelChoice::EnsembleBoth => {
            let (t, mut notes) = noted(load_fine_tuned(BEST_ENCODER, encoders_dir)?);
            let ens = Ensemble::new(ClassicalModel::embedded()?, t);
            if !ens.wants_partner() {
                anyhow::bail!(
                    "model ensemble-both: the embedded {} heads carry no blend chosen with {} beside them, or one where it won no weight (unspin validate --model models/ft-mpnet-holdout --partner models/ft-minilm-holdout --write-blend chooses one; training/copy_settings.py copies it into models/ft-mpnet; then rebuild)",
                    BEST_ENCODER.short_name(),
                    PARTNER_ENCODER.short_name()
                );
            }
            let (partner, partner_note) = noted(load_fine_tuned(PARTNER_ENCODER, encoders_dir)?);
            notes = match (notes, partner_note) {
                (Some(a), Some(b)) => Some(format!("{a}; {b}")),
                (a, b) => a.or(b),
            };
            let ens = ens
                .with_partner(partner)
                .expect("wants_partner says the heads carry a pair blend")
                .named("ensemble-both");
            (Box::new(ens), notes)
        }
        ModelChoice::File(path) => {
            if path.is_dir() {
                let (t, note) = noted(TransformerDetector::load_dir(encoders_dir, path)?);
                (Box::new(t), note)
            } else if path.extension().is_some_and(|e| e == "safetensors") {
                (
                    Box::new(TransformerDetector::load(encoders_dir, path)?),
                    None,
                )
            } else {
                (Box::new(ClassicalModel::load(path)?), None)
            }
        }
    };
    Ok(Loaded {
        detector,
        fallback: None,
        backend_note,
    })
}

/// [`super::load_best`] with the transformer models compiled in.
pub(super) fn best_with(classical: ClassicalModel, encoders_dir: &Path) -> Loaded {
    let best_err = match load_fine_tuned(BEST_ENCODER, encoders_dir) {
        Ok(t) => {
            return Loaded {
                backend_note: t.backend_note().map(str::to_string),
                detector: Box::new(Ensemble::new(classical, t).named("ensemble")),
                fallback: None,
            };
        }
        Err(e) => e,
    };
    match load_fine_tuned(BaseEncoder::MiniLm, encoders_dir) {
        Ok(t) => Loaded {
            backend_note: t.backend_note().map(str::to_string),
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
            backend_note: None,
        },
    }
}
