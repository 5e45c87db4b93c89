//! The BERT and MPNet encoder stacks.
//!
//! Both are post-LayerNorm transformers with the same layer shape (self-attention, residual +
//! LayerNorm, GELU feed-forward, residual + LayerNorm), so one `Layer` serves both; they
//! differ only in embeddings and in MPNet's relative position bias, which [`Encoder`] adds to
//! the attention mask once per forward pass and shares across layers (as `MPNetEncoder` does).
//!
//! Speed notes (2 CPU cores, f32, candle's `gemm` backend):
//! * q, k and v are fused into one `(3·hidden, hidden)` matrix at load, one GEMM instead of
//!   three over the same input;
//! * the `1/√d` scale is folded into the fused q rows, saving a pass over the `(T, T)` scores;
//! * the mask and the position bias are summed once into one `(B, H|1, T, T)` tensor reused by
//!   every layer;
//! * bias adds, residual adds, LayerNorm, softmax and GELU run as fused in-place kernels
//!   (`crate::ops`) on the matmul outputs.

use std::collections::HashMap;

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::LayerNorm;

use crate::config::{Architecture, EncoderConfig};
use crate::ops;
use crate::{Error, Result};

/// Large negative score for masked keys: any finite value that drives `exp` to 0 gives the
/// same softmax as the `finfo.min` `transformers` uses.
const MASKED: f32 = -1e9;

/// One encoder: embeddings, layers, and for MPNet the relative-attention-bias table.
#[derive(Debug)]
pub struct Encoder {
    config: EncoderConfig,
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    /// BERT: row 0 of the token-type table (every token is type 0 in single-text encoding).
    token_type_row: Option<Tensor>,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    /// MPNet: `(num_buckets, num_heads)` from `encoder.relative_attention_bias.weight`.
    relative_attention_bias: Option<Tensor>,
}

#[derive(Debug)]
struct Layer {
    /// q, k and v stacked (q rows pre-scaled by 1/√head_dim): `(3·hidden, hidden)`, `(3·hidden)`.
    qkv_w: Tensor,
    qkv_b: Tensor,
    /// Attention output projection, `(hidden, hidden)`.
    attn_out_w: Tensor,
    /// The projection's bias and the following LayerNorm's gamma and beta, `(3, hidden)`.
    attn_norm: Tensor,
    ffn_in_w: Tensor,
    ffn_in_b: Tensor,
    ffn_out_w: Tensor,
    /// As `attn_norm`, for the feed-forward output.
    ffn_norm: Tensor,
    eps: f64,
    heads: usize,
    head_dim: usize,
}

/// Module paths of a layer's parts in the Hugging Face checkpoints, per architecture.
pub(crate) struct LayerNames {
    pub q: &'static str,
    pub k: &'static str,
    pub v: &'static str,
    pub attn_out: &'static str,
    pub attn_norm: &'static str,
    pub ffn_in: &'static str,
    pub ffn_out: &'static str,
    pub ffn_norm: &'static str,
}

pub(crate) fn layer_names(arch: Architecture) -> LayerNames {
    match arch {
        Architecture::Bert => LayerNames {
            q: "attention.self.query",
            k: "attention.self.key",
            v: "attention.self.value",
            attn_out: "attention.output.dense",
            attn_norm: "attention.output.LayerNorm",
            ffn_in: "intermediate.dense",
            ffn_out: "output.dense",
            ffn_norm: "output.LayerNorm",
        },
        Architecture::MPNet => LayerNames {
            q: "attention.attn.q",
            k: "attention.attn.k",
            v: "attention.attn.v",
            attn_out: "attention.attn.o",
            attn_norm: "attention.LayerNorm",
            ffn_in: "intermediate.dense",
            ffn_out: "output.dense",
            ffn_norm: "output.LayerNorm",
        },
    }
}

/// Takes named tensors out of a map, checking shapes.
struct Taker<'a> {
    tensors: &'a mut HashMap<String, Tensor>,
}

impl Taker<'_> {
    fn take(&mut self, name: &str, shape: &[usize]) -> Result<Tensor> {
        let t = self
            .tensors
            .remove(name)
            .ok_or_else(|| Error::Weights(format!("tensor {name} is missing")))?;
        if t.dims() != shape {
            return Err(Error::Weights(format!(
                "tensor {name} has shape {:?}, expected {shape:?}",
                t.dims()
            )));
        }
        Ok(t.to_dtype(DType::F32)?)
    }

    fn linear(&mut self, name: &str, out: usize, inp: usize) -> Result<(Tensor, Tensor)> {
        Ok((
            self.take(&format!("{name}.weight"), &[out, inp])?,
            self.take(&format!("{name}.bias"), &[out])?,
        ))
    }

    /// A projection's bias with the LayerNorm after it, stacked `(3, size)` for
    /// [`ops::bias_residual_norm`].
    fn bias_norm(&mut self, bias: Tensor, name: &str, size: usize) -> Result<Tensor> {
        let gamma = self.take(&format!("{name}.weight"), &[size])?;
        let beta = self.take(&format!("{name}.bias"), &[size])?;
        Ok(Tensor::stack(&[bias, gamma, beta], 0)?)
    }

    fn norm(&mut self, name: &str, size: usize, eps: f64) -> Result<LayerNorm> {
        Ok(LayerNorm::new(
            self.take(&format!("{name}.weight"), &[size])?,
            self.take(&format!("{name}.bias"), &[size])?,
            eps,
        ))
    }
}

impl Encoder {
    /// Builds an encoder from checkpoint tensors named by their bare Hugging Face module paths
    /// (`embeddings.word_embeddings.weight`, `encoder.layer.0.…`; see
    /// [`crate::weights::strip_model_prefix`]). Tensors it does not use (the pooler, buffers)
    /// are ignored.
    pub fn from_tensors(
        config: EncoderConfig,
        mut tensors: HashMap<String, Tensor>,
    ) -> Result<Self> {
        let c = &config;
        let h = c.hidden_size;
        let mut t = Taker {
            tensors: &mut tensors,
        };
        let word_embeddings = t.take("embeddings.word_embeddings.weight", &[c.vocab_size, h])?;
        let position_embeddings = t.take(
            "embeddings.position_embeddings.weight",
            &[c.max_position_embeddings, h],
        )?;
        let token_type_row = match c.architecture {
            Architecture::Bert => Some(
                t.take(
                    "embeddings.token_type_embeddings.weight",
                    &[c.type_vocab_size, h],
                )?
                .get(0)?,
            ),
            Architecture::MPNet => None,
        };
        let embeddings_norm = t.norm("embeddings.LayerNorm", h, c.layer_norm_eps)?;
        let relative_attention_bias = match c.architecture {
            Architecture::Bert => None,
            Architecture::MPNet => Some(t.take(
                "encoder.relative_attention_bias.weight",
                &[c.relative_attention_num_buckets, c.num_attention_heads],
            )?),
        };
        let names = layer_names(c.architecture);
        let scale = 1.0 / (c.head_dim() as f64).sqrt();
        let mut layers = Vec::with_capacity(c.num_hidden_layers);
        for i in 0..c.num_hidden_layers {
            let p = |part: &str| format!("encoder.layer.{i}.{part}");
            let (qw, qb) = t.linear(&p(names.q), h, h)?;
            let (kw, kb) = t.linear(&p(names.k), h, h)?;
            let (vw, vb) = t.linear(&p(names.v), h, h)?;
            let qkv_w = Tensor::cat(&[(qw * scale)?, kw, vw], 0)?;
            let qkv_b = Tensor::cat(&[(qb * scale)?, kb, vb], 0)?;
            let (ow, ob) = t.linear(&p(names.attn_out), h, h)?;
            let (iw, ib) = t.linear(&p(names.ffn_in), c.intermediate_size, h)?;
            let (fw, fb) = t.linear(&p(names.ffn_out), h, c.intermediate_size)?;
            layers.push(Layer {
                qkv_w,
                qkv_b,
                attn_out_w: ow,
                attn_norm: t.bias_norm(ob, &p(names.attn_norm), h)?,
                ffn_in_w: iw,
                ffn_in_b: ib,
                ffn_out_w: fw,
                ffn_norm: t.bias_norm(fb, &p(names.ffn_norm), h)?,
                eps: c.layer_norm_eps,
                heads: c.num_attention_heads,
                head_dim: c.head_dim(),
            });
        }
        Ok(Encoder {
            config,
            word_embeddings,
            position_embeddings,
            token_type_row,
            embeddings_norm,
            layers,
            relative_attention_bias,
        })
    }

    /// The configuration the encoder was built from.
    pub fn config(&self) -> &EncoderConfig {
        &self.config
    }

    /// Runs the encoder on a padded batch: `input_ids` and `attention_mask` are `(batch, len)`
    /// row-major, `attention_mask` 1 for real tokens and 0 for padding. Returns the last
    /// hidden state, `(batch, len, hidden)`, as `transformers`' `last_hidden_state`
    /// (padding rows included, so they can be compared too).
    pub fn forward(
        &self,
        input_ids: &[u32],
        attention_mask: &[u32],
        batch: usize,
        len: usize,
    ) -> Result<Tensor> {
        let c = &self.config;
        if batch == 0 || len == 0 {
            return Err(Error::Invalid("empty batch".into()));
        }
        if input_ids.len() != batch * len || attention_mask.len() != batch * len {
            return Err(Error::Invalid(format!(
                "input_ids ({}) and attention_mask ({}) must both hold batch × len = {} values",
                input_ids.len(),
                attention_mask.len(),
                batch * len
            )));
        }
        if len > c.max_sequence_len() {
            return Err(Error::Invalid(format!(
                "sequence of {len} tokens is longer than the model's {}",
                c.max_sequence_len()
            )));
        }
        if let Some(&bad) = input_ids.iter().find(|&&id| id as usize >= c.vocab_size) {
            return Err(Error::Invalid(format!(
                "token id {bad} is outside the vocabulary ({})",
                c.vocab_size
            )));
        }
        let dev = &Device::Cpu;
        let ids = Tensor::from_slice(input_ids, (batch * len,), dev)?;
        let positions = self.position_ids(input_ids, batch, len);
        let positions = Tensor::from_vec(positions, (batch * len,), dev)?;
        let mut x = (self.word_embeddings.index_select(&ids, 0)?
            + self.position_embeddings.index_select(&positions, 0)?)?;
        if let Some(tt) = &self.token_type_row {
            x = x.broadcast_add(tt)?;
        }
        let x = x.reshape((batch, len, c.hidden_size))?;
        let mut x = self.embeddings_norm.forward(&x)?;

        let bias = self.attention_bias(attention_mask, batch, len)?;
        for layer in &self.layers {
            x = layer.forward(&x, &bias)?;
        }
        Ok(x)
    }

    /// Position ids as `transformers` computes them: BERT counts from 0; MPNet gives padding
    /// tokens `padding_idx` and real tokens `padding_idx + 1 + (number of real tokens before)`
    /// (`create_position_ids_from_input_ids`, which looks at the ids, not the mask).
    fn position_ids(&self, input_ids: &[u32], batch: usize, len: usize) -> Vec<u32> {
        match self.config.architecture {
            Architecture::Bert => (0..batch).flat_map(|_| 0..len as u32).collect(),
            Architecture::MPNet => {
                let pad = self.config.pad_token_id;
                let mut out = Vec::with_capacity(batch * len);
                for row in input_ids.chunks(len) {
                    let mut seen = 0;
                    for &id in row {
                        if id == pad {
                            out.push(pad);
                        } else {
                            seen += 1;
                            out.push(pad + seen);
                        }
                    }
                }
                out
            }
        }
    }

    /// What every layer adds to its attention scores: the key-padding mask, `(B, 1, 1, T)`,
    /// plus for MPNet the relative position bias, `(1, H, T, T)`; broadcast to one tensor.
    fn attention_bias(&self, attention_mask: &[u32], batch: usize, len: usize) -> Result<Tensor> {
        let dev = &Device::Cpu;
        let mask: Vec<f32> = attention_mask
            .iter()
            .map(|&m| if m == 0 { MASKED } else { 0.0 })
            .collect();
        let mask = Tensor::from_vec(mask, (batch, 1, 1, len), dev)?;
        let Some(table) = &self.relative_attention_bias else {
            return Ok(mask);
        };
        let buckets = self.config.relative_attention_num_buckets;
        let mut idx = Vec::with_capacity(len * len);
        for q in 0..len as i64 {
            for k in 0..len as i64 {
                idx.push(relative_position_bucket(k - q, buckets, 128));
            }
        }
        let idx = Tensor::from_vec(idx, (len * len,), dev)?;
        let heads = self.config.num_attention_heads;
        let bias = table
            .index_select(&idx, 0)?
            .reshape((len, len, heads))?
            .permute((2, 0, 1))?
            .unsqueeze(0)?;
        Ok(mask.broadcast_add(&bias)?.contiguous()?)
    }
}

/// MPNet's (and T5's) bidirectional relative-position bucket for `relative = key - query`,
/// written as `MPNetEncoder.relative_position_bucket` computes it, in f32 so that the
/// logarithmic buckets split where PyTorch's do: half the buckets for each direction, exact
/// buckets for distances below a quarter of them, logarithmic up to `max_distance`.
pub fn relative_position_bucket(relative: i64, num_buckets: usize, max_distance: i64) -> u32 {
    let half = (num_buckets / 2) as i64;
    let n = -relative;
    let mut ret = if n < 0 { half } else { 0 };
    let n = n.abs();
    let max_exact = half / 2;
    if n < max_exact {
        ret += n;
    } else {
        // PyTorch divides an f32 tensor by a Python float (f64 `math.log`), rounded to f32.
        let denom = (max_distance as f64 / max_exact as f64).ln() as f32;
        let ratio = (n as f32 / max_exact as f32).ln() / denom;
        let large = max_exact + (ratio * (half - max_exact) as f32) as i64;
        ret += large.min(half - 1);
    }
    ret as u32
}

impl Layer {
    /// One post-LayerNorm transformer layer. Every tensor the fused in-place kernels write to
    /// is the fresh output of a matmul, referenced nowhere else.
    fn forward(&self, x: &Tensor, bias: &Tensor) -> Result<Tensor> {
        let (b, t, hidden) = x.dims3()?;
        let (h, d) = (self.heads, self.head_dim);
        let x2 = x.reshape((b * t, hidden))?;
        // (B·T, 3·hidden) -> (B, T, 3, H, D) -> three (B, H, T, D)
        let qkv = x2
            .matmul(&self.qkv_w.t()?)?
            .broadcast_add(&self.qkv_b)?
            .reshape((b, t, 3, h, d))?;
        let split = |i| -> Result<Tensor> {
            Ok(qkv
                .narrow(2, i, 1)?
                .squeeze(2)?
                .transpose(1, 2)?
                .contiguous()?)
        };
        let (q, k, v) = (split(0)?, split(1)?, split(2)?);
        let probs = q.matmul(&k.t()?)?;
        ops::softmax_with_bias(&probs, bias)?;
        let ctx = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .reshape((b * t, hidden))?;
        let attn = ctx.matmul(&self.attn_out_w.t()?)?;
        ops::bias_residual_norm(&attn, &x2, &self.attn_norm, self.eps)?;
        let ff = attn.matmul(&self.ffn_in_w.t()?)?;
        ops::bias_gelu(&ff, &self.ffn_in_b)?;
        let out = ff.matmul(&self.ffn_out_w.t()?)?;
        ops::bias_residual_norm(&out, &attn, &self.ffn_norm, self.eps)?;
        Ok(out.reshape((b, t, hidden))?)
    }
}

/// Mean of the hidden states over the real tokens of each row (sentence-transformers'
/// pooling for both base encoders): `(B, T, H)` and a `(B, T)` 0/1 mask to `(B, H)`.
pub fn mean_pool(hidden: &Tensor, attention_mask: &[u32]) -> Result<Tensor> {
    let (b, t, _) = hidden.dims3()?;
    if attention_mask.len() != b * t {
        return Err(Error::Invalid(
            "mask does not match the hidden states".into(),
        ));
    }
    let m: Vec<f32> = attention_mask
        .iter()
        .map(|&v| (v != 0) as u8 as f32)
        .collect();
    let m = Tensor::from_vec(m, (b, t, 1), &Device::Cpu)?;
    let sum = hidden.broadcast_mul(&m)?.sum(1)?;
    let count = m.sum(1)?.clamp(1e-9, f32::MAX)?;
    Ok(sum.broadcast_div(&count)?)
}
