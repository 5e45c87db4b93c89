//! Reading `.safetensors` files into f32 tensors, one tensor at a time.
//!
//! candle's own loaders either read the whole file into memory and then copy every tensor out
//! of it (twice the model in RAM at the peak: 876 MB for MPNet) or memory-map it (which needs
//! `unsafe` and still counts the mapped pages in RSS while they are copied). Reading the JSON
//! header and then each tensor's byte range straight into its own buffer keeps the peak at the
//! model plus one tensor, which matters for the peak-RSS figure in the benchmark.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use candle_core::{Device, Tensor};

use crate::{Error, Result};

/// Tensors by name, plus the file's `__metadata__` strings.
#[derive(Debug, Default)]
pub struct TensorFile {
    pub tensors: HashMap<String, Tensor>,
    pub metadata: HashMap<String, String>,
}

/// The safetensors header caps itself at 100 MB; so do we, before allocating for it.
const MAX_HEADER: u64 = 100_000_000;

/// Loads every floating-point tensor of a safetensors file as f32 on the CPU. Integer tensors
/// (such as the `position_ids` buffers some checkpoints carry) are skipped: the encoders
/// compute positions themselves.
pub fn load_safetensors(path: &Path) -> Result<TensorFile> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    read_safetensors(file, file_len, path)
}

/// As [`load_safetensors`], from bytes in memory (`name` is used in error messages).
pub fn safetensors_from_bytes(bytes: &[u8], name: &Path) -> Result<TensorFile> {
    read_safetensors(std::io::Cursor::new(bytes), bytes.len() as u64, name)
}

fn read_safetensors(mut file: impl Read + Seek, file_len: u64, path: &Path) -> Result<TensorFile> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let bad = |message: String| Error::BadFile {
        path: path.to_path_buf(),
        message,
    };
    let mut n = [0u8; 8];
    file.read_exact(&mut n)
        .map_err(|_| bad("not a safetensors file (too short)".into()))?;
    let header_len = u64::from_le_bytes(n);
    if header_len > MAX_HEADER || 8 + header_len > file_len {
        return Err(bad(format!(
            "not a safetensors file (header length {header_len})"
        )));
    }
    let mut header = vec![0u8; header_len as usize];
    file.read_exact(&mut header).map_err(io)?;
    let header: HashMap<String, serde_json::Value> =
        serde_json::from_slice(&header).map_err(|e| bad(format!("bad safetensors header: {e}")))?;
    let data_start = 8 + header_len;

    let mut out = TensorFile::default();
    let mut entries: Vec<(String, Entry)> = Vec::with_capacity(header.len());
    for (name, value) in header {
        if name == "__metadata__" {
            if let Some(map) = value.as_object() {
                for (k, v) in map {
                    if let Some(s) = v.as_str() {
                        out.metadata.insert(k.clone(), s.to_string());
                    }
                }
            }
            continue;
        }
        let entry: Entry = serde_json::from_value(value)
            .map_err(|e| bad(format!("tensor {name}: bad header entry: {e}")))?;
        entries.push((name, entry));
    }
    // Read in file order so the disk sees one forward sweep.
    entries.sort_by_key(|(_, e)| e.data_offsets.0);
    for (name, entry) in entries {
        let width = match entry.dtype.as_str() {
            "F32" => 4,
            "F16" | "BF16" => 2,
            _ => continue,
        };
        let count: usize = entry.shape.iter().product();
        let (begin, end) = entry.data_offsets;
        if end < begin || end - begin != count * width || data_start + end as u64 > file_len {
            return Err(bad(format!(
                "tensor {name}: data range {begin}..{end} does not fit shape {:?} {}",
                entry.shape, entry.dtype
            )));
        }
        let mut bytes = vec![0u8; end - begin];
        file.seek(SeekFrom::Start(data_start + begin as u64))
            .map_err(io)?;
        file.read_exact(&mut bytes).map_err(io)?;
        let values = decode(&entry.dtype, &bytes);
        drop(bytes);
        let tensor = Tensor::from_vec(values, entry.shape, &Device::Cpu)?;
        out.tensors.insert(name, tensor);
    }
    Ok(out)
}

/// Little-endian `F32`, `F16` or (any other dtype) `BF16` values as `f32`.
fn decode(dtype: &str, bytes: &[u8]) -> Vec<f32> {
    match dtype {
        "F32" => bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        "F16" => bytes
            .chunks_exact(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect(),
        _ => bytes
            .chunks_exact(2)
            .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect(),
    }
}

#[derive(serde::Deserialize)]
struct Entry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: (usize, usize),
}

/// Strips a task-model prefix (`bert.`, `mpnet.`, `model.`, `base_model.model.`) so that
/// checkpoints saved from `BertModel` and from `BertForTokenClassification` alike use the
/// bare module paths (`embeddings.…`, `encoder.layer.N.…`) this crate looks up.
pub fn strip_model_prefix(tensors: HashMap<String, Tensor>) -> HashMap<String, Tensor> {
    const PREFIXES: [&str; 4] = ["base_model.model.", "bert.", "mpnet.", "model."];
    let has_bare = tensors.keys().any(|k| k.starts_with("embeddings."));
    if has_bare {
        return tensors;
    }
    let Some(prefix) = PREFIXES.iter().find(|p| {
        tensors
            .keys()
            .any(|k| k.starts_with(*p) && k[p.len()..].starts_with("embeddings."))
    }) else {
        return tensors;
    };
    tensors
        .into_iter()
        .map(|(k, v)| match k.strip_prefix(prefix) {
            Some(rest) => (rest.to_string(), v),
            None => (k, v),
        })
        .collect()
}

/// f32 tensors and string metadata as the bytes of a safetensors file (written by the
/// `safetensors` crate, the format's reference implementation); the caller writes them
/// atomically (`unspin_io::write_atomic`).
pub fn safetensors_bytes(
    tensors: &[(String, Tensor)],
    metadata: &HashMap<String, String>,
) -> Result<Vec<u8>> {
    let f32s = tensors
        .iter()
        .map(|(name, t)| Ok((name.clone(), t.to_dtype(candle_core::DType::F32)?)))
        .collect::<Result<Vec<_>>>()?;
    safetensors::serialize(f32s, Some(metadata.clone()))
        .map_err(|e| Error::Invalid(format!("cannot serialise the tensors: {e}")))
}
