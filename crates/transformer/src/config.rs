//! The subset of a Hugging Face `config.json` the encoders need.

use std::path::Path;

use serde::Deserialize;

use crate::{Error, Result};

/// Which encoder family a configuration describes (its `model_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// `model_type: "bert"` (MiniLM is a small BERT).
    Bert,
    /// `model_type: "mpnet"`.
    MPNet,
}

/// Encoder hyper-parameters, read from `config.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct EncoderConfig {
    pub architecture: Architecture,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub layer_norm_eps: f64,
    /// Padding token id; MPNet also uses it as the padding *position* (positions start after it).
    pub pad_token_id: u32,
    /// BERT only: number of token types (0 for MPNet, which has no token-type embeddings).
    pub type_vocab_size: usize,
    /// MPNet only: relative-attention buckets (32 in all released MPNets).
    pub relative_attention_num_buckets: usize,
}

/// The raw JSON; fields absent from one family are optional.
#[derive(Deserialize)]
struct RawConfig {
    model_type: String,
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    max_position_embeddings: usize,
    layer_norm_eps: Option<f64>,
    pad_token_id: Option<u32>,
    type_vocab_size: Option<usize>,
    relative_attention_num_buckets: Option<usize>,
    hidden_act: Option<String>,
    position_embedding_type: Option<String>,
}

impl EncoderConfig {
    /// Parses a `config.json` text; `origin` names it in errors.
    pub fn from_json(json: &str, origin: &Path) -> Result<Self> {
        let bad = |message: String| Error::BadFile {
            path: origin.to_path_buf(),
            message,
        };
        let raw: RawConfig =
            serde_json::from_str(json).map_err(|e| bad(format!("not a model config: {e}")))?;
        let architecture = match raw.model_type.as_str() {
            "bert" => Architecture::Bert,
            "mpnet" => Architecture::MPNet,
            other => {
                return Err(bad(format!(
                    "model_type {other:?} is not supported (bert or mpnet)"
                )))
            }
        };
        // Both released encoders use exact (erf) GELU; refuse anything we do not implement
        // rather than produce subtly wrong vectors.
        if let Some(act) = raw.hidden_act.as_deref() {
            if act != "gelu" {
                return Err(bad(format!("hidden_act {act:?} is not supported (gelu)")));
            }
        }
        if let Some(pe) = raw.position_embedding_type.as_deref() {
            if pe != "absolute" {
                return Err(bad(format!(
                    "position_embedding_type {pe:?} is not supported (absolute)"
                )));
            }
        }
        if raw.num_attention_heads == 0 || raw.hidden_size % raw.num_attention_heads != 0 {
            return Err(bad(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                raw.hidden_size, raw.num_attention_heads
            )));
        }
        let (type_vocab_size, buckets) = match architecture {
            Architecture::Bert => (raw.type_vocab_size.unwrap_or(2), 0),
            Architecture::MPNet => (0, raw.relative_attention_num_buckets.unwrap_or(32)),
        };
        if architecture == Architecture::MPNet && (buckets < 4 || buckets % 2 != 0) {
            return Err(bad(format!(
                "relative_attention_num_buckets {buckets} must be even and at least 4"
            )));
        }
        Ok(EncoderConfig {
            architecture,
            vocab_size: raw.vocab_size,
            hidden_size: raw.hidden_size,
            num_hidden_layers: raw.num_hidden_layers,
            num_attention_heads: raw.num_attention_heads,
            intermediate_size: raw.intermediate_size,
            max_position_embeddings: raw.max_position_embeddings,
            layer_norm_eps: raw.layer_norm_eps.unwrap_or(1e-12),
            pad_token_id: raw.pad_token_id.unwrap_or(match architecture {
                Architecture::Bert => 0,
                Architecture::MPNet => 1,
            }),
            type_vocab_size,
            relative_attention_num_buckets: buckets,
        })
    }

    /// Reads and parses `path`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json(&text, path)
    }

    /// Width of one attention head.
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }

    /// The longest token sequence (special tokens included) the position embeddings cover:
    /// 512 for both BERT (positions 0..512) and MPNet (514 slots, two taken by padding_idx
    /// and the one before it).
    pub fn max_sequence_len(&self) -> usize {
        match self.architecture {
            Architecture::Bert => self.max_position_embeddings,
            Architecture::MPNet => self
                .max_position_embeddings
                .saturating_sub(self.pad_token_id as usize + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_two_families_and_refuses_others() {
        let p = Path::new("config.json");
        let bert = EncoderConfig::from_json(
            r#"{"model_type":"bert","vocab_size":30522,"hidden_size":384,"num_hidden_layers":6,
            "num_attention_heads":12,"intermediate_size":1536,"max_position_embeddings":512,
            "hidden_act":"gelu","layer_norm_eps":1e-12,"pad_token_id":0,"type_vocab_size":2}"#,
            p,
        )
        .unwrap();
        assert_eq!(bert.architecture, Architecture::Bert);
        assert_eq!(bert.head_dim(), 32);
        assert_eq!(bert.max_sequence_len(), 512);
        let mpnet = EncoderConfig::from_json(
            r#"{"model_type":"mpnet","vocab_size":30527,"hidden_size":768,"num_hidden_layers":12,
            "num_attention_heads":12,"intermediate_size":3072,"max_position_embeddings":514,
            "layer_norm_eps":1e-5,"pad_token_id":1,"relative_attention_num_buckets":32}"#,
            p,
        )
        .unwrap();
        assert_eq!(mpnet.architecture, Architecture::MPNet);
        assert_eq!(mpnet.max_sequence_len(), 512);
        let err = EncoderConfig::from_json(r#"{"model_type":"gpt2"}"#, p).unwrap_err();
        assert!(err.to_string().contains("config.json"), "{err}");
        let err = EncoderConfig::from_json(
            r#"{"model_type":"bert","vocab_size":1,"hidden_size":10,"num_hidden_layers":1,
            "num_attention_heads":3,"intermediate_size":1,"max_position_embeddings":1}"#,
            p,
        )
        .unwrap_err();
        assert!(err.to_string().contains("multiple"), "{err}");
    }
}
