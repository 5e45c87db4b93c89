//! How the vector-dumping examples write: rows as little-endian f32, and a `meta.json` that
//! says what made them, which the training scripts check before they read the rows.

use std::path::Path;
use unspin::transformer::TransformerDetector;

/// Writes `out/meta.json`: what made the vectors (the encoder id the models check, the backend
/// that ran it) and their width.
pub fn write_meta(
    out: &Path,
    encoder: &str,
    width: usize,
    detector: &TransformerDetector,
) -> anyhow::Result<()> {
    std::fs::write(
        out.join("meta.json"),
        serde_json::to_string_pretty(&serde_json::json!({
            "encoder": encoder,
            "width": width,
            "backend": detector.backend().name(),
        }))?,
    )?;
    Ok(())
}

/// Values as little-endian f32 bytes, the dumps' row format.
pub fn le_bytes(values: impl IntoIterator<Item = f32>) -> Vec<u8> {
    values.into_iter().flat_map(f32::to_le_bytes).collect()
}
