//! Writes an encoder directory with a LoRA adapter merged into its weights, so that tools
//! that take a plain encoder (scripts/export_onnx.py, hence the onnxruntime backends) can run a
//! fine-tuned model. Used to measure the int8 onnxruntime backend on the fine-tuned default.
//!
//! ```sh
//! cargo run --release -p unspin-transformer --example merge_adapter -- \
//!     ~/.cache/unspin/encoders/all-mpnet-base-v2 models/ft-mpnet/adapter.safetensors OUT_DIR
//! ```
//!
//! OUT_DIR gets the base's config.json and tokenizer.json and the merged model.safetensors (the
//! same tensor names as the base, so transformers reads it). Its name should be the base's
//! (`.../all-mpnet-base-v2`), which is how heads find their encoder.

use std::path::PathBuf;

use unspin_transformer::lora::Adapter;
use unspin_transformer::weights;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [base, adapter, out] = args.as_slice() else {
        return Err("usage: merge_adapter BASE_DIR ADAPTER OUT_DIR".into());
    };
    let mut tensors = weights::strip_model_prefix(
        weights::load_safetensors(&base.join("model.safetensors"))?.tensors,
    );
    Adapter::load(adapter)?.merge_into(&mut tensors)?;
    std::fs::create_dir_all(out)?;
    for f in ["config.json", "tokenizer.json"] {
        std::fs::copy(base.join(f), out.join(f))?;
    }
    // Position ids are a buffer, not weights; the export builds its own.
    let tensors: std::collections::HashMap<String, candle_core::Tensor> = tensors
        .into_iter()
        .filter(|(k, _)| !k.ends_with("position_ids"))
        .collect();
    candle_core::safetensors::save(&tensors, out.join("model.safetensors"))?;
    eprintln!(
        "merge_adapter: {} tensors to {}",
        tensors.len(),
        out.display()
    );
    Ok(())
}
