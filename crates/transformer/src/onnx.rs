//! The onnxruntime backend (cargo feature `ort`, on by default in `unspin`): the same encoder
//! exported to ONNX, fp32 or with int8 matrix weights, run by the ONNX Runtime
//! library that `scripts/setup-models.sh` (and `scripts/setup-ort.sh`) copy out of the
//! `onnxruntime` PyPI wheel. The default model's encoder runs here, int8, once setup has built
//! it (`scripts/onnx_graph.py`).
//!
//! The library is loaded at run time (`load-dynamic`), so a build with the feature still runs
//! without it, and nothing is linked or downloaded at build time.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use candle_core::{Device, Tensor};
use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::Tensor as OrtTensor;

use crate::{Error, Result};

/// Where the library is looked for when `ORT_DYLIB_PATH` is not set: `onnxruntime/` beside the
/// encoders, where the setup scripts put it.
pub fn default_library(encoders_dir: &Path) -> PathBuf {
    encoders_dir.join("onnxruntime").join("libonnxruntime.so")
}

/// One ONNX Runtime environment per process (the library allows no second one). Only a
/// success is kept: after a failure (no library yet, say) a later load tries again, so a
/// server or a Python session picks up a library installed after its first attempt.
static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();
static INIT: Mutex<()> = Mutex::new(());

fn environment(library: &Path) -> Result<&'static Environment> {
    let fail = |e: String| Error::Invalid(format!("onnxruntime: {e}"));
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env);
    }
    let _one_at_a_time = INIT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env);
    }
    if !library.is_file() {
        return Err(fail(format!(
            "{}: not found (run scripts/setup-models.sh, or set ORT_DYLIB_PATH)",
            library.display()
        )));
    }
    let env = ort::init_from(library)
        .map_err(|e| fail(format!("{}: {e}", library.display())))?
        .with_name("unspin")
        .build()
        .map_err(|e| fail(format!("{}: {e}", library.display())))?;
    Ok(ENVIRONMENT.get_or_init(|| env))
}

fn ort_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::BadFile {
        path: path.to_path_buf(),
        message: format!("onnxruntime: {e}"),
    }
}

/// An exported encoder in an onnxruntime session.
pub struct OrtEncoder {
    // `Session::run` takes `&mut self`; windows are already batched, so one run at a time
    // loses little (onnxruntime spreads each run over the intra-op threads).
    session: Mutex<Session>,
    path: PathBuf,
    hidden_size: usize,
}

impl std::fmt::Debug for OrtEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrtEncoder")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl OrtEncoder {
    /// Opens `model` (an `.onnx` file with inputs `input_ids` and `attention_mask` and output
    /// `last_hidden_state`) with the library at `library`, on `threads` intra-op threads.
    pub fn load(model: &Path, library: &Path, hidden_size: usize, threads: usize) -> Result<Self> {
        if !model.is_file() {
            return Err(Error::BadFile {
                path: model.to_path_buf(),
                message: "not found (scripts/setup-models.sh builds the default model's int8 encoder; scripts/setup-ort.sh exports the base encoders)"
                    .into(),
            });
        }
        let env = environment(library)?;
        let session = Session::builder(env)
            .map_err(|e| ort_error(model, e))?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|e| ort_error(model, e))?
            .with_intra_threads(threads.max(1))
            .map_err(|e| ort_error(model, e))?
            .with_inter_threads(1)
            .map_err(|e| ort_error(model, e))?
            .commit_from_file(model)
            .map_err(|e| ort_error(model, e))?;
        for name in ["input_ids", "attention_mask"] {
            if !session.inputs().iter().any(|i| i.name() == name) {
                return Err(ort_error(model, format!("the graph has no input {name}")));
            }
        }
        Ok(OrtEncoder {
            session: Mutex::new(session),
            path: model.to_path_buf(),
            hidden_size,
        })
    }

    /// As [`crate::model::Encoder::forward`]: `ids` and `mask` are `batch × len`, row-major;
    /// returns `(batch, len, hidden_size)`.
    pub fn forward(&self, ids: &[u32], mask: &[u32], batch: usize, len: usize) -> Result<Tensor> {
        if ids.len() != batch * len || mask.len() != batch * len {
            return Err(Error::Invalid(format!(
                "expected {batch}×{len} ids and mask, got {} and {}",
                ids.len(),
                mask.len()
            )));
        }
        let to_i64 = |v: &[u32]| v.iter().map(|&x| i64::from(x)).collect::<Vec<i64>>();
        let err = |e: ort::Error| ort_error(&self.path, e);
        let ids = OrtTensor::from_array(([batch, len], to_i64(ids))).map_err(err)?;
        let mask = OrtTensor::from_array(([batch, len], to_i64(mask))).map_err(err)?;
        // A poisoned lock only means another thread panicked mid-run; the session itself
        // holds no state between runs.
        let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let outputs = session
            .run(ort::inputs!["input_ids" => ids, "attention_mask" => mask])
            .map_err(err)?;
        let (shape, data) = outputs["last_hidden_state"]
            .try_extract_tensor::<f32>()
            .map_err(err)?;
        let dims: Vec<i64> = shape.iter().copied().collect();
        if dims != [batch as i64, len as i64, self.hidden_size as i64] {
            return Err(ort_error(
                &self.path,
                format!(
                    "output shape {dims:?}, expected [{batch}, {len}, {}]",
                    self.hidden_size
                ),
            ));
        }
        Ok(Tensor::from_slice(
            data,
            (batch, len, self.hidden_size),
            &Device::Cpu,
        )?)
    }
}
