//! LoRA adapters, merged into the base weights at load so inference costs nothing extra.
//!
//! # File format (`unspin-lora`, version 1)
//!
//! A `.safetensors` file (f32, f16 or bf16 tensors) whose `__metadata__` holds
//!
//! | key       | value                                                                  |
//! |-----------|------------------------------------------------------------------------|
//! | `format`  | `unspin-lora`                                                          |
//! | `version` | `1`                                                                    |
//! | `alpha`   | LoRA alpha, a number; each module's scale is `alpha / r`               |
//! | `base`    | optional: the base encoder's directory name, e.g. `all-mpnet-base-v2`  |
//!
//! and tensors named after the Hugging Face module paths of the base model, as PEFT names them
//! (a leading `base_model.model.`, `bert.` or `mpnet.` is accepted and ignored):
//!
//! * `MODULE.lora_A.weight`, shape `(r, in)`, and `MODULE.lora_B.weight`, shape `(out, r)`, for
//!   each adapted `nn.Linear` `MODULE` (e.g. `encoder.layer.3.attention.self.query` in BERT,
//!   `encoder.layer.3.attention.attn.q` in MPNet): merged as
//!   `MODULE.weight += alpha / r · B·A`;
//! * `embeddings.…` or `encoder.…` tensors without `lora_`: fully trained parameters (biases,
//!   LayerNorms) that replace the base tensor of the same name and shape;
//! * anything else (task heads such as `heads.si.weight`) is not the encoder's: it is kept in
//!   [`Adapter::extra`] for the detector that owns it.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Tensor};

use crate::{Error, Result};

/// The value of the `format` metadata key.
pub const FORMAT: &str = "unspin-lora";
/// The format version this crate reads and writes.
pub const VERSION: &str = "1";

/// One low-rank update.
#[derive(Debug, Clone)]
pub struct LoraPair {
    /// `(r, in)`.
    pub a: Tensor,
    /// `(out, r)`.
    pub b: Tensor,
}

/// A parsed adapter file.
#[derive(Debug, Clone, Default)]
pub struct Adapter {
    pub alpha: f64,
    pub base: Option<String>,
    /// Low-rank updates by module path (`encoder.layer.0.attention.self.query`).
    pub pairs: HashMap<String, LoraPair>,
    /// Replacement tensors by full name (`encoder.layer.0.output.LayerNorm.weight`).
    pub replace: HashMap<String, Tensor>,
    /// Tensors that are not the encoder's (task heads), by full name.
    pub extra: HashMap<String, Tensor>,
    /// The first 16 hex digits of the file's SHA-256, when it was read from bytes: with the
    /// base encoder's name, what identifies the vectors an adapted encoder makes (a model
    /// trained on them, like the claims model, checks it).
    pub digest: Option<String>,
}

impl Adapter {
    /// Reads and checks an adapter file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }

    /// Reads and checks an adapter from the bytes of a file (`name` names it in errors): how
    /// adapters compiled into a binary are read.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Self> {
        let file = crate::weights::safetensors_from_bytes(bytes, Path::new(name))?;
        let mut adapter = Self::from_parts(file.tensors, &file.metadata)
            .map_err(|e| Error::Adapter(format!("{name}: {e}")))?;
        adapter.digest = Some(digest(bytes));
        Ok(adapter)
    }

    /// Builds an adapter from already-loaded tensors and metadata.
    pub fn from_parts(
        tensors: HashMap<String, Tensor>,
        metadata: &HashMap<String, String>,
    ) -> std::result::Result<Self, String> {
        match metadata.get("format").map(String::as_str) {
            Some(FORMAT) => {}
            other => return Err(format!("format is {other:?}, expected {FORMAT:?}")),
        }
        match metadata.get("version").map(String::as_str) {
            Some(VERSION) => {}
            other => {
                return Err(format!(
                    "version {other:?} is not supported (this build reads {VERSION})"
                ))
            }
        }
        let alpha: f64 = metadata
            .get("alpha")
            .ok_or("metadata has no alpha")?
            .parse()
            .map_err(|_| "alpha is not a number".to_string())?;
        if !alpha.is_finite() {
            return Err("alpha is not finite".into());
        }
        let mut adapter = Adapter {
            alpha,
            base: metadata.get("base").cloned(),
            ..Adapter::default()
        };
        let mut halves: HashMap<String, (Option<Tensor>, Option<Tensor>)> = HashMap::new();
        for (name, tensor) in tensors {
            let name = strip_prefix(&name).to_string();
            if let Some(module) = name.strip_suffix(".lora_A.weight") {
                halves.entry(module.to_string()).or_default().0 = Some(tensor);
            } else if let Some(module) = name.strip_suffix(".lora_B.weight") {
                halves.entry(module.to_string()).or_default().1 = Some(tensor);
            } else if name.contains("lora_") {
                return Err(format!(
                    "tensor {name}: not a .lora_A.weight/.lora_B.weight name"
                ));
            } else if name.starts_with("embeddings.") || name.starts_with("encoder.") {
                adapter.replace.insert(name, tensor);
            } else {
                adapter.extra.insert(name, tensor);
            }
        }
        for (module, pair) in halves {
            let (Some(a), Some(b)) = pair else {
                return Err(format!("{module}: lora_A and lora_B must come together"));
            };
            let (r, _) = a
                .dims2()
                .map_err(|_| format!("{module}.lora_A is not a matrix"))?;
            let (_, rb) = b
                .dims2()
                .map_err(|_| format!("{module}.lora_B is not a matrix"))?;
            if r == 0 || r != rb {
                return Err(format!(
                    "{module}: lora_A is {:?} and lora_B is {:?}; their ranks must match",
                    a.dims(),
                    b.dims()
                ));
            }
            adapter.pairs.insert(module, LoraPair { a, b });
        }
        Ok(adapter)
    }

    /// Merges the adapter into base tensors named by bare module paths: every low-rank pair is
    /// added to `MODULE.weight`, every replacement overwrites its tensor. Nothing is changed
    /// unless every name exists and every shape agrees.
    pub fn merge_into(&self, tensors: &mut HashMap<String, Tensor>) -> Result<()> {
        // Every shape is checked before the first weight changes, so a mismatched adapter
        // leaves the base weights as they were.
        for (module, pair) in &self.pairs {
            let key = format!("{module}.weight");
            let w = tensors
                .get(&key)
                .ok_or_else(|| Error::Adapter(format!("{module}: the base model has no {key}")))?;
            let (out, inp) = w
                .dims2()
                .map_err(|_| Error::Adapter(format!("{key} is not a matrix")))?;
            let (_, a_in) = pair.a.dims2()?;
            let (b_out, _) = pair.b.dims2()?;
            if a_in != inp || b_out != out {
                return Err(Error::Adapter(format!(
                    "{module}: lora_B·lora_A is ({b_out}, {a_in}) but {key} is ({out}, {inp})"
                )));
            }
        }
        for (name, t) in &self.replace {
            let w = tensors.get(name).ok_or_else(|| {
                Error::Adapter(format!("{name}: the base model has no such tensor"))
            })?;
            if w.dims() != t.dims() {
                return Err(Error::Adapter(format!(
                    "{name} is {:?} in the adapter but {:?} in the base model",
                    t.dims(),
                    w.dims()
                )));
            }
        }
        // One weight at a time, each replacing its base at once: collecting the merged
        // weights first held a second copy of every adapted matrix at the peak (+290 MB RSS
        // for MPNet with all layers adapted).
        // (A candle error midway, which the checks above leave no cause for, would leave the
        // earlier weights merged; callers drop the tensors on any error.)
        for (module, pair) in &self.pairs {
            let key = format!("{module}.weight");
            let (r, _) = pair.a.dims2()?;
            let scale = self.alpha / r as f64;
            let delta = (pair
                .b
                .to_dtype(DType::F32)?
                .matmul(&pair.a.to_dtype(DType::F32)?)?
                * scale)?;
            if let Some(w) = tensors.get(&key) {
                let merged = (w.to_dtype(DType::F32)? + delta)?;
                // Replacing drops the base weight at once.
                tensors.insert(key, merged);
            }
        }
        for (name, t) in &self.replace {
            tensors.insert(name.clone(), t.to_dtype(DType::F32)?);
        }
        Ok(())
    }
}

fn strip_prefix(name: &str) -> &str {
    for p in ["base_model.model.", "bert.", "mpnet.", "model."] {
        if let Some(rest) = name.strip_prefix(p) {
            return rest;
        }
    }
    name
}

/// The first 16 hex digits of the SHA-256 of `bytes`.
fn digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
