//! The arguments the vector-dumping examples share: `DATA_DIR OUT_DIR [MODEL_DIR ENCODERS_DIR]`.
//! Without a model directory the default detector's fine-tuned MPNet runs, on the backend the
//! default picks (int8 when setup has built it; `UNSPIN_BACKEND=candle` for fp32); with one,
//! that model (heads, and an adapter if any) on the encoders in ENCODERS_DIR. The dumps'
//! `meta.json` records the backend (`common/dump_out.rs`).

use anyhow::bail;
use std::path::{Path, PathBuf};
use unspin::transformer::{default_cache_dir, BaseEncoder, TransformerDetector};

/// The data directory, the output directory and the detector; `usage` names the example.
pub fn parse(usage: &str) -> anyhow::Result<(PathBuf, PathBuf, TransformerDetector)> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let detector = match args.as_slice() {
        [_, _] => unspin::models::load_fine_tuned(BaseEncoder::MpNet, &default_cache_dir())?,
        [_, _, model, encoders] => TransformerDetector::load_dir(Path::new(encoders), model)?,
        _ => bail!("usage: {usage} DATA_DIR OUT_DIR [MODEL_DIR ENCODERS_DIR]"),
    };
    Ok((args[0].clone(), args[1].clone(), detector))
}
