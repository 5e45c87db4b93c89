//! What the examples that dump the PTC training corpus for decoding studies share: the
//! arguments `MODEL_DIR OUT`, the corpus from the shared data, the fixed held-out split
//! (`training/holdout.txt`) and the model, a fine-tuned run's directory on the installed
//! encoders.

use std::collections::BTreeSet;
use std::path::PathBuf;
use unspin::crossval::Corpus;
use unspin::transformer::{default_cache_dir, TransformerDetector};

pub struct HeldOut {
    pub corpus: Corpus,
    /// Ids of the held-out articles.
    pub held: BTreeSet<String>,
    pub detector: TransformerDetector,
    pub out: PathBuf,
}

/// Parses `MODEL_DIR OUT` and loads what they name; `usage` names the example.
pub fn load(usage: &str) -> anyhow::Result<HeldOut> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [model, out] = args.as_slice() else {
        anyhow::bail!("usage: {usage} MODEL_DIR OUT");
    };
    let corpus = Corpus::load(&unspin::crossval::default_data_dir().join("ptc-train"))?;
    let held = unspin::holdout::read_split(&PathBuf::from("training/holdout.txt"), &corpus)?;
    let detector = unspin::holdout::load_unseen(&default_cache_dir(), model)?;
    Ok(HeldOut {
        corpus,
        held,
        detector,
        out: out.clone(),
    })
}
