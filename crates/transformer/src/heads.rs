//! Small trained heads on top of a frozen encoder: what this project can train without a GPU.
//!
//! Fine-tuning MiniLM or MPNet needs a GPU this project did not get (see `training/`). The
//! encoders' hidden states are still informative as they come from PyPI, so this module trains
//! two small classifiers on them, on the CPU, in seconds:
//!
//! * **SI**: P(token inside a propaganda span) from the token's vector and the mean vector of
//!   its ±`context` neighbours ([`token_features`]);
//! * **TC**: the technique of a span from the mean and max of its tokens' vectors, the mean of a
//!   ±`span_context` window around it, and its length ([`span_features`]).
//!
//! A head is a multinomial logistic regression, or an MLP with one ReLU layer. Both are trained
//! with candle's autograd and AdamW, deterministically from a seed, and saved with their
//! settings in one safetensors file ([`Heads::to_bytes`]).

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use serde::{Deserialize, Serialize};
use unspin_core::{CharSpan, RegionRule, Technique, TechniqueScores};

use crate::article::TokenSpan;
use crate::weights;
use crate::{Error, Result};
use unspin_ml::calibrate::Platt;

/// The metadata key the heads' settings are stored under in the safetensors file.
const META_KEY: &str = "unspin-heads";
/// The prefix of the [`SiCrf`] tensors (`transitions`, `start`, `end`) in a heads file.
const SI_CRF: &str = "si_crf";
/// Bumped when features or layout change, so an old file is refused rather than misread.
pub const HEADS_VERSION: u32 = 1;

/// How a blend with the classical model mixes the two (stored with the heads: the weights
/// were tuned for these heads).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct BlendParams {
    /// Weight of the transformer's token probabilities (the classical CRF gets the rest).
    pub si_weight: f32,
    /// Token threshold on the blended probabilities: a region needs a token this likely.
    pub si_threshold: f32,
    /// Weight of the transformer's technique scores.
    pub tc_weight: f32,
    /// A region grows over neighbouring tokens down to this probability (hysteresis); absent
    /// in heads written before it existed, which cut at `si_threshold` alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub si_extend: Option<f32>,
    /// Regions of one sentence at most this many tokens apart are joined (0: none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub si_join_gap: usize,
    /// A region also gets its second technique when that scores at least this; absent: the
    /// classical model's setting (0.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_technique: Option<f32>,
    /// Maps a span's blended confidence to how often such spans were right on the validation
    /// split, so that a span reported at 0.5 is right about half the time; absent: the raw
    /// confidence (the region's mean token probability × its technique's score).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Platt>,
    /// In a blend with a partner transformer beside this one (`ensemble-both`'s MiniLM beside
    /// its MPNet): the partner's share of the transformer token probabilities, mixed in
    /// before they meet the classical model's. 0: no partner, as in every blend of one.
    #[serde(default, skip_serializing_if = "is_zero_f32")]
    pub partner_si_weight: f32,
    /// The partner's share of the transformer technique scores, the same way.
    #[serde(default, skip_serializing_if = "is_zero_f32")]
    pub partner_tc_weight: f32,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn is_zero_f32(x: &f32) -> bool {
    *x == 0.0
}

impl BlendParams {
    /// How the blended token probabilities are cut into regions. (A binary older than these
    /// fields reads them as absent and cuts at `si_threshold` alone; the shipped heads are
    /// compiled into the binary that reads them, so the two never part.)
    pub fn region_rule(&self) -> RegionRule {
        RegionRule {
            seed: self.si_threshold,
            extend: self.si_extend.unwrap_or(self.si_threshold),
            join_gap: self.si_join_gap,
        }
    }

    /// A blend that cuts regions at one threshold, as every blend did before hysteresis.
    pub fn plain(si_weight: f32, si_threshold: f32, tc_weight: f32) -> Self {
        BlendParams {
            si_weight,
            si_threshold,
            tc_weight,
            si_extend: None,
            si_join_gap: 0,
            second_technique: None,
            calibration: None,
            partner_si_weight: 0.0,
            partner_tc_weight: 0.0,
        }
    }

    /// Whether the blend mixes a partner transformer in.
    pub fn has_partner(&self) -> bool {
        self.partner_si_weight > 0.0 || self.partner_tc_weight > 0.0
    }
}

impl Default for BlendParams {
    /// The best SI F1 of the 18 blends `unspin train --model minilm --cv 5` scores (SI 0.390,
    /// TC 0.631, FLC 0.197 with MiniLM heads; the classical model alone: 0.369, 0.603, 0.201).
    /// Picked on the same held-out predictions it is scored on, so slightly optimistic.
    fn default() -> Self {
        BlendParams::plain(0.3, 0.25, 0.4)
    }
}

/// Everything the heads need besides their weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeadsMeta {
    pub version: u32,
    /// The encoder directory name ([`crate::MINILM`] or [`crate::MPNET`]).
    pub encoder: String,
    pub hidden_size: usize,
    /// Neighbours on each side averaged into a token's features.
    pub context: usize,
    /// Tokens on each side averaged into a span's context features.
    pub span_context: usize,
    /// A token is inside a span when its probability reaches this (the heads alone).
    pub si_threshold: f32,
    /// A region also gets its second technique when that scores at least this.
    pub second_technique: f32,
    pub techniques: Vec<String>,
    pub blend: BlendParams,
    /// The blend to use when the partner transformer (the fine-tuned MiniLM, for the MPNet
    /// heads) runs beside these heads: chosen with it by `unspin validate --partner`, its
    /// weights and thresholds differ from `blend`'s. Absent: no blend with a partner was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_blend: Option<BlendParams>,
    /// Free text: data, seed, commit.
    pub training: String,
}

/// A linear layer stack with ReLU between layers: `(weight (out, in), bias (out))` each.
#[derive(Debug, Clone)]
pub struct Mlp {
    layers: Vec<(Tensor, Tensor)>,
}

impl Mlp {
    pub fn input_dim(&self) -> usize {
        self.layers[0].0.dims()[1]
    }

    pub fn output_dim(&self) -> usize {
        self.layers[self.layers.len() - 1].0.dims()[0]
    }

    /// Logits for rows `x` of shape `(n, input_dim)`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut h = x.clone();
        for (i, (w, b)) in self.layers.iter().enumerate() {
            h = h.matmul(&w.t()?)?.broadcast_add(b)?;
            if i + 1 < self.layers.len() {
                h = h.relu()?;
            }
        }
        Ok(h)
    }

    /// Softmax probabilities for `n` rows of `x` (row-major, `n * input_dim` values).
    pub fn probabilities(&self, x: Vec<f32>, n: usize) -> Result<Vec<Vec<f32>>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let p = candle_nn::ops::softmax_last_dim(&self.forward_rows(x, n)?)?;
        Ok(p.to_vec2()?)
    }

    /// Logits for `n` rows of `x` (row-major, `n * input_dim` values).
    pub fn logits(&self, x: Vec<f32>, n: usize) -> Result<Vec<Vec<f32>>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        Ok(self.forward_rows(x, n)?.to_vec2()?)
    }

    fn forward_rows(&self, x: Vec<f32>, n: usize) -> Result<Tensor> {
        self.forward(&Tensor::from_vec(x, (n, self.input_dim()), &Device::Cpu)?)
    }
}

/// A linear-chain CRF over the SI head's two outputs per word piece (outside, inside), from
/// `training/finetune.py --crf`: a piece's P(inside) is then its marginal over every labelling
/// of the article (forward-backward), not its own softmax, so a piece between two inside pieces
/// is pulled in and a lone one out, as the training data's runs were.
///
/// ```
/// use unspin_transformer::heads::SiCrf;
/// // Without transitions the marginals are the pieces' own softmax probabilities …
/// let flat = SiCrf { transitions: [[0.0; 2]; 2], start: [0.0; 2], end: [0.0; 2] };
/// let p = flat.marginals(&[[0.0, 2.0], [0.0, -1.0], [0.0, 2.0]]);
/// assert!((p[1] - 1.0 / (1.0 + 1f32.exp())).abs() < 1e-6);
/// // … and a cost of leaving and entering a span pulls the weak middle piece in.
/// let sticky = SiCrf { transitions: [[0.0, -3.0], [-3.0, 0.0]], ..flat };
/// assert!(sticky.marginals(&[[0.0, 2.0], [0.0, -1.0], [0.0, 2.0]])[1] > 0.5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiCrf {
    /// Score of label `to` after label `from`: `transitions[from][to]`.
    pub transitions: [[f32; 2]; 2],
    /// Scores of the first and of the last piece's label.
    pub start: [f32; 2],
    pub end: [f32; 2],
}

impl SiCrf {
    /// P(inside) of each piece given its two emission scores (the SI head's logits), by
    /// forward-backward in log space (f64, so a long article's sums do not drift).
    pub fn marginals(&self, emissions: &[[f32; 2]]) -> Vec<f32> {
        let n = emissions.len();
        if n == 0 {
            return Vec::new();
        }
        let lse = |a: f64, b: f64| {
            let m = a.max(b);
            m + ((a - m).exp() + (b - m).exp()).ln()
        };
        let t = |from: usize, to: usize| f64::from(self.transitions[from][to]);
        let e = |i: usize, k: usize| f64::from(emissions[i][k]);
        let mut alpha = vec![[0.0f64; 2]; n];
        alpha[0] = [
            f64::from(self.start[0]) + e(0, 0),
            f64::from(self.start[1]) + e(0, 1),
        ];
        for i in 1..n {
            let a = alpha[i - 1];
            alpha[i] = [0, 1].map(|k| lse(a[0] + t(0, k), a[1] + t(1, k)) + e(i, k));
        }
        let mut beta = [f64::from(self.end[0]), f64::from(self.end[1])];
        let mut out = vec![0.0f32; n];
        for i in (0..n).rev() {
            let (o, ins) = (alpha[i][0] + beta[0], alpha[i][1] + beta[1]);
            out[i] = (1.0 / (1.0 + (o - ins).exp())) as f32;
            beta = [0, 1].map(|k| lse(t(k, 0) + e(i, 0) + beta[0], t(k, 1) + e(i, 1) + beta[1]));
        }
        out
    }
}

/// The SI and TC heads with their settings.
#[derive(Debug, Clone)]
pub struct Heads {
    pub meta: HeadsMeta,
    pub si: Mlp,
    pub tc: Mlp,
    /// A CRF over the SI head's outputs, when the heads were trained with one.
    pub si_crf: Option<SiCrf>,
}

impl Heads {
    /// Loads heads written by [`Heads::to_bytes`], checking they fit their settings.
    pub fn load(path: &Path) -> Result<Self> {
        Self::from_file(weights::load_safetensors(path)?, path)
    }

    /// The heads of a fine-tuned model directory (`DIR/heads.safetensors`; a directory
    /// without them, or a path that is no directory, is [`crate::Error::NotAModel`]).
    pub fn load_dir(dir: &Path) -> Result<Self> {
        let path = dir.join("heads.safetensors");
        if path.is_file() {
            return Self::load(&path);
        }
        let why = if dir.is_dir() {
            "no heads.safetensors in this directory"
        } else if dir.exists() {
            "not a directory"
        } else {
            "no such directory"
        };
        Err(crate::Error::NotAModel {
            path: dir.to_path_buf(),
            why,
        })
    }

    /// Heads from the bytes of a file written by [`Heads::to_bytes`] (`name` names it in errors).
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Self> {
        let path = Path::new(name);
        Self::from_file(weights::safetensors_from_bytes(bytes, path)?, path)
    }

    fn from_file(file: weights::TensorFile, path: &Path) -> Result<Self> {
        let bad = |message: String| Error::BadFile {
            path: path.to_path_buf(),
            message,
        };
        let meta = file
            .metadata
            .get(META_KEY)
            .ok_or_else(|| bad(format!("not unspin heads (no `{META_KEY}` metadata)")))?;
        let meta: HeadsMeta =
            serde_json::from_str(meta).map_err(|e| bad(format!("bad heads metadata: {e}")))?;
        if meta.version != HEADS_VERSION {
            return Err(bad(format!(
                "heads version {}, this build reads version {HEADS_VERSION}; retrain them",
                meta.version
            )));
        }
        let expected: Vec<&str> = Technique::ALL.iter().map(|t| t.name()).collect();
        if meta.techniques != expected {
            return Err(bad("technique list differs from this build's".into()));
        }
        let mut tensors = file.tensors;
        let mut take = |prefix: &str| -> Result<Mlp> {
            let mut layers = Vec::new();
            while let (Some(w), Some(b)) = (
                tensors.remove(&format!("{prefix}.{}.weight", layers.len())),
                tensors.remove(&format!("{prefix}.{}.bias", layers.len())),
            ) {
                layers.push((w, b));
            }
            if layers.is_empty() {
                return Err(bad(format!("no `{prefix}` head")));
            }
            for pair in layers.windows(2) {
                if pair[0].0.dims()[0] != pair[1].0.dims()[1] {
                    return Err(bad(format!("`{prefix}` layers do not chain")));
                }
            }
            if layers
                .iter()
                .any(|(w, b)| w.rank() != 2 || b.dims() != [w.dims()[0]])
            {
                return Err(bad(format!("`{prefix}` has a badly shaped layer")));
            }
            Ok(Mlp { layers })
        };
        let si = take("si")?;
        let tc = take("tc")?;
        let crf_parts =
            ["transitions", "start", "end"].map(|k| tensors.remove(&format!("{SI_CRF}.{k}")));
        let si_crf = match crf_parts {
            [None, None, None] => None,
            [Some(t), Some(s), Some(e)] => {
                let flat = |x: &Tensor, dims: &[usize]| -> Result<Vec<f32>> {
                    if x.dims() != dims {
                        return Err(bad(format!("`{SI_CRF}` is badly shaped")));
                    }
                    Ok(x.flatten_all()?.to_dtype(DType::F32)?.to_vec1()?)
                };
                let (t, s, e) = (flat(&t, &[2, 2])?, flat(&s, &[2])?, flat(&e, &[2])?);
                Some(SiCrf {
                    transitions: [[t[0], t[1]], [t[2], t[3]]],
                    start: [s[0], s[1]],
                    end: [e[0], e[1]],
                })
            }
            _ => return Err(bad(format!("`{SI_CRF}` lacks some of its tensors"))),
        };
        let h = meta.hidden_size;
        if si.input_dim() != 2 * h || si.output_dim() != 2 {
            return Err(bad(format!(
                "SI head is {}→{}, expected {}→2",
                si.input_dim(),
                si.output_dim(),
                2 * h
            )));
        }
        if tc.input_dim() != span_dim(h) || tc.output_dim() != Technique::COUNT {
            return Err(bad(format!(
                "TC head is {}→{}, expected {}→{}",
                tc.input_dim(),
                tc.output_dim(),
                span_dim(h),
                Technique::COUNT
            )));
        }
        Ok(Heads {
            meta,
            si,
            tc,
            si_crf,
        })
    }

    /// The heads as a safetensors file, for the caller to write (atomically, with
    /// `unspin_io::write_atomic`).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut tensors = Vec::new();
        for (prefix, mlp) in [("si", &self.si), ("tc", &self.tc)] {
            for (i, (w, b)) in mlp.layers.iter().enumerate() {
                tensors.push((format!("{prefix}.{i}.weight"), w.clone()));
                tensors.push((format!("{prefix}.{i}.bias"), b.clone()));
            }
        }
        if let Some(crf) = &self.si_crf {
            let t = crf.transitions;
            let cpu = &Device::Cpu;
            tensors.push((
                format!("{SI_CRF}.transitions"),
                Tensor::from_vec(vec![t[0][0], t[0][1], t[1][0], t[1][1]], (2, 2), cpu)?,
            ));
            tensors.push((
                format!("{SI_CRF}.start"),
                Tensor::from_vec(crf.start.to_vec(), 2, cpu)?,
            ));
            tensors.push((
                format!("{SI_CRF}.end"),
                Tensor::from_vec(crf.end.to_vec(), 2, cpu)?,
            ));
        }
        let meta = serde_json::to_string(&self.meta).expect("metadata serialises");
        weights::safetensors_bytes(&tensors, &HashMap::from([(META_KEY.to_string(), meta)]))
    }

    /// `hidden` must hold `n` rows of this model's width: an encoding from elsewhere (a cache,
    /// another encoder) is refused rather than read out of bounds.
    fn check_rows(&self, hidden: &[f32], n: usize) -> Result<()> {
        let h = self.meta.hidden_size;
        if hidden.len() != n * h {
            return Err(Error::Invalid(format!(
                "the encoding has {} values for {n} tokens of width {h}",
                hidden.len()
            )));
        }
        Ok(())
    }

    /// P(inside a propaganda span) for each token of an encoded article. The features are
    /// built [`FEATURE_BLOCK`] tokens at a time, so a long article costs its rows and one
    /// block, not 4 times its rows again (a 256 KB text's features alone were 700 MB). The
    /// probabilities are those of the whole article's features bit for bit: the sums carry
    /// over (`Prefix`), and no block is short unless it is the whole article, because the
    /// matrix product candle runs (gemm) takes another kernel, summing in another order, for
    /// products of at most 256 values (128 rows of two classes).
    pub fn token_probabilities(&self, hidden: &[f32], n: usize) -> Result<Vec<f32>> {
        self.check_rows(hidden, n)?;
        let (h, context) = (self.meta.hidden_size, self.meta.context);
        let mut prefix = Prefix::new(hidden, h);
        let mut out = Vec::with_capacity(n);
        let mut emissions = Vec::new();
        let mut start = 0;
        while start < n {
            // A remainder under half a block joins the block before it.
            let end = if n - start < FEATURE_BLOCK + FEATURE_BLOCK / 2 {
                n
            } else {
                start + FEATURE_BLOCK
            };
            let x = token_features_of(&mut prefix, n, context, start..end);
            if self.si_crf.is_some() {
                emissions.extend(
                    self.si
                        .logits(x, end - start)?
                        .into_iter()
                        .map(|l| [l[0], l[1]]),
                );
            } else {
                out.extend(
                    self.si
                        .probabilities(x, end - start)?
                        .into_iter()
                        .map(|p| p[1]),
                );
            }
            start = end;
        }
        if let Some(crf) = &self.si_crf {
            // Over the whole article: a CRF's marginals depend on every piece, and the pieces'
            // order is the text's across window boundaries.
            return Ok(crf.marginals(&emissions));
        }
        Ok(out)
    }

    /// Technique probabilities for each span, in [`Technique::ALL`] order.
    pub fn classify(
        &self,
        hidden: &[f32],
        tokens: &[TokenSpan],
        spans: &[CharSpan],
    ) -> Result<Vec<TechniqueScores>> {
        self.check_rows(hidden, tokens.len())?;
        let mut x = Vec::with_capacity(spans.len() * span_dim(self.meta.hidden_size));
        for &s in spans {
            span_features(
                hidden,
                tokens,
                self.meta.hidden_size,
                self.meta.span_context,
                s,
                &mut x,
            );
        }
        Ok(self
            .tc
            .probabilities(x, spans.len())?
            .into_iter()
            .map(|p| std::array::from_fn(|k| p[k]))
            .collect())
    }
}

/// Width of [`span_features`] for hidden size `h`.
pub fn span_dim(h: usize) -> usize {
    3 * h + 2
}

/// Tokens whose SI features are built at once: 1,024 × 2 × 768 floats, 6 MB for MPNet.
pub const FEATURE_BLOCK: usize = 1024;

/// Each token's vector followed by the mean vector of tokens `i - context ..= i + context`
/// (clipped to the article): `n * 2h` values. The mean is what lets a linear head see the
/// sentence a word sits in.
pub fn token_features(hidden: &[f32], n: usize, h: usize, context: usize) -> Vec<f32> {
    token_features_of(&mut Prefix::new(hidden, h), n, context, 0..n)
}

/// [`token_features`] of the tokens in `range` alone, bit for bit the values the whole
/// article's would hold: `prefix` carries the running sums from one block to the next.
fn token_features_of(
    prefix: &mut Prefix,
    n: usize,
    context: usize,
    range: std::ops::Range<usize>,
) -> Vec<f32> {
    let h = prefix.h;
    let mut out = Vec::with_capacity(range.len() * 2 * h);
    // Zero-width rows have no features (and would leave `Prefix` no row to count by).
    if range.is_empty() || h == 0 {
        return out;
    }
    prefix.cover(
        range.start.saturating_sub(context),
        (range.end + context).min(n),
    );
    for i in range {
        out.extend_from_slice(&prefix.hidden[i * h..(i + 1) * h]);
        let (lo, hi) = (i.saturating_sub(context), (i + context + 1).min(n));
        let (a, b) = (prefix.row(lo), prefix.row(hi));
        let k = (hi - lo) as f64;
        out.extend(a.iter().zip(b).map(|(a, b)| ((b - a) / k) as f32));
    }
    out
}

/// Running sums of the rows, `row(i)` = the sum of rows `0..i` in f64, kept only for a window
/// of indices that moves forward: the sums over the whole article would be twice its rows.
/// Each sum is the previous one plus a row, in article order, so a window gives the same bits
/// as a table built from the start.
struct Prefix<'a> {
    hidden: &'a [f32],
    h: usize,
    /// Index of the first row in `sums`.
    base: usize,
    sums: Vec<f64>,
}

impl<'a> Prefix<'a> {
    fn new(hidden: &'a [f32], h: usize) -> Self {
        Prefix {
            hidden,
            h,
            base: 0,
            sums: vec![0.0; h],
        }
    }

    /// Keeps `row(lo..=hi)` and nothing before `lo`; `lo` never moves back.
    fn cover(&mut self, lo: usize, hi: usize) {
        let h = self.h;
        let drop = lo.saturating_sub(self.base).min(self.sums.len() / h - 1);
        self.sums.drain(..drop * h);
        self.base += drop;
        while self.base + self.sums.len() / h <= hi {
            let i = self.base + self.sums.len() / h - 1;
            let last = self.sums.len() - h;
            for j in 0..h {
                let next = self.sums[last + j] + self.hidden[i * h + j] as f64;
                self.sums.push(next);
            }
        }
    }

    fn row(&self, i: usize) -> &[f64] {
        let at = (i - self.base) * self.h;
        &self.sums[at..at + self.h]
    }
}

/// Features of one span, appended to `out` ([`span_dim`] values): mean and max of the vectors
/// of the tokens it overlaps, the mean over ±`context` tokens around them, ln(1 + characters)
/// and ln(1 + tokens). A span that overlaps no token (whitespace) takes the nearest token.
pub fn span_features(
    hidden: &[f32],
    tokens: &[TokenSpan],
    h: usize,
    context: usize,
    span: CharSpan,
    out: &mut Vec<f32>,
) {
    let n = tokens.len();
    if n == 0 {
        out.extend(std::iter::repeat_n(0.0, 3 * h));
        out.extend([(1.0 + span.len() as f32).ln(), 0.0]);
        return;
    }
    let a = tokens.partition_point(|t| t.end <= span.start);
    let b = tokens.partition_point(|t| t.start < span.end).max(a);
    let (a, b) = if a < b {
        (a, b)
    } else {
        (a.min(n - 1), a.min(n - 1) + 1)
    };
    let start = out.len();
    out.extend(std::iter::repeat_n(0.0, h));
    out.extend(std::iter::repeat_n(f32::NEG_INFINITY, h));
    for i in a..b {
        let row = &hidden[i * h..(i + 1) * h];
        let (mean, max) = out[start..start + 2 * h].split_at_mut(h);
        for ((m, x), &v) in mean.iter_mut().zip(max.iter_mut()).zip(row) {
            *m += v;
            *x = x.max(v);
        }
    }
    let k = (b - a) as f32;
    out[start..start + h].iter_mut().for_each(|m| *m /= k);
    let (lo, hi) = (a.saturating_sub(context), (b + context).min(n));
    let mut ctx = vec![0.0f32; h];
    for i in lo..hi {
        for (c, &v) in ctx.iter_mut().zip(&hidden[i * h..(i + 1) * h]) {
            *c += v;
        }
    }
    out.extend(ctx.iter().map(|c| c / (hi - lo) as f32));
    out.extend([(1.0 + span.len() as f32).ln(), (1.0 + k).ln()]);
}

/// How to train one head.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HeadOptions {
    /// Width of the hidden ReLU layer; 0 trains a plain logistic regression.
    pub hidden: usize,
    pub epochs: usize,
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub batch_size: usize,
}

impl Default for HeadOptions {
    fn default() -> Self {
        HeadOptions {
            hidden: 0,
            epochs: 8,
            learning_rate: 1e-3,
            weight_decay: 1e-4,
            batch_size: 256,
        }
    }
}

/// Trains a head on rows `x` (`y.len()` rows of `dim` values) with labels `y < classes`:
/// cross-entropy, AdamW, shuffled mini-batches; the same seed gives the same head.
pub fn train_head(
    x: &[f32],
    dim: usize,
    y: &[u32],
    classes: usize,
    opts: &HeadOptions,
    seed: u64,
) -> Result<Mlp> {
    let n = y.len();
    if x.len() != n * dim || n == 0 {
        return Err(Error::Invalid(format!(
            "training a head needs rows of {dim} values and one label each ({} values, {n} labels)",
            x.len()
        )));
    }
    let mut rng = SplitMix(seed);
    let sizes: Vec<usize> = if opts.hidden > 0 {
        vec![dim, opts.hidden, classes]
    } else {
        vec![dim, classes]
    };
    let mut vars = Vec::new();
    for pair in sizes.windows(2) {
        let (fan_in, fan_out) = (pair[0], pair[1]);
        // Uniform(±1/sqrt(fan_in)), as torch.nn.Linear initialises.
        let bound = 1.0 / (fan_in as f32).sqrt();
        let w: Vec<f32> = (0..fan_in * fan_out)
            .map(|_| (rng.unit() * 2.0 - 1.0) * bound)
            .collect();
        vars.push(Var::from_tensor(&Tensor::from_vec(
            w,
            (fan_out, fan_in),
            &Device::Cpu,
        )?)?);
        vars.push(Var::zeros(fan_out, DType::F32, &Device::Cpu)?);
    }
    let mut opt = AdamW::new(
        vars.clone(),
        ParamsAdamW {
            lr: opts.learning_rate,
            weight_decay: opts.weight_decay,
            ..Default::default()
        },
    )?;
    let as_mlp = |vars: &[Var]| Mlp {
        layers: vars
            .chunks(2)
            .map(|p| (p[0].as_tensor().clone(), p[1].as_tensor().clone()))
            .collect(),
    };
    let mut order: Vec<usize> = (0..n).collect();
    let mut xb = Vec::with_capacity(opts.batch_size * dim);
    let mut yb = Vec::with_capacity(opts.batch_size);
    for _ in 0..opts.epochs {
        rng.shuffle(&mut order);
        for batch in order.chunks(opts.batch_size.max(1)) {
            xb.clear();
            yb.clear();
            for &i in batch {
                xb.extend_from_slice(&x[i * dim..(i + 1) * dim]);
                yb.push(y[i]);
            }
            let xt = Tensor::from_slice(&xb, (batch.len(), dim), &Device::Cpu)?;
            let yt = Tensor::from_slice(&yb, batch.len(), &Device::Cpu)?;
            let loss = candle_nn::loss::cross_entropy(&as_mlp(&vars).forward(&xt)?, &yt)?;
            opt.backward_step(&loss)?;
        }
    }
    // Detached copies: the saved head carries no autograd state.
    Ok(Mlp {
        layers: vars
            .chunks(2)
            .map(|p| Ok((p[0].as_tensor().detach(), p[1].as_tensor().detach())))
            .collect::<Result<_>>()?,
    })
}

/// A small seeded generator (SplitMix64) for weight initialisation and shuffling.
///
/// Not `unspin_ml::rng::SplitMix`: that one finishes with the classical hash's rotated
/// mix, so its stream differs, and switching would change every head trained from a seed
/// (the shipped heads would no longer reproduce from seed 42). The transformer crate also does
/// not depend on the classical one.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_features_append_the_neighbourhood_mean() {
        // 3 tokens, h = 2, context 1: token 0 averages rows 0..2, token 2 rows 1..3.
        let hidden = [1.0, 0.0, 3.0, 2.0, 5.0, 4.0];
        let f = token_features(&hidden, 3, 2, 1);
        assert_eq!(&f[0..4], &[1.0, 0.0, 2.0, 1.0]);
        assert_eq!(&f[4..8], &[3.0, 2.0, 3.0, 2.0]);
        assert_eq!(&f[8..12], &[5.0, 4.0, 4.0, 3.0]);
    }

    #[test]
    fn features_built_in_blocks_are_the_whole_articles_bit_for_bit() {
        // A huge value every 97 tokens makes the running sums round, so sums restarted at a
        // block would differ from the whole article's.
        let (n, h, context) = (2 * FEATURE_BLOCK + 37, 3, 16);
        let hidden: Vec<f32> = (0..n * h)
            .map(|i| {
                let scale = if (i / h) % 97 == 0 { 1e12 } else { 1.0 };
                ((i * 7919 % 1000) as f32 / 7.0 - 60.0) * scale
            })
            .collect();
        let whole = token_features(&hidden, n, h, context);
        let mut prefix = Prefix::new(&hidden, h);
        let mut blocks = Vec::new();
        for start in (0..n).step_by(FEATURE_BLOCK) {
            let end = (start + FEATURE_BLOCK).min(n);
            blocks.extend(token_features_of(&mut prefix, n, context, start..end));
        }
        assert_eq!(whole.len(), n * 2 * h);
        assert!(whole
            .iter()
            .zip(&blocks)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(whole.len(), blocks.len());
        // The window stays small: one block and its context, not the article.
        assert!(prefix.sums.len() <= (FEATURE_BLOCK + 2 * context + 2) * h);
        // Restarting the sums would not give these bits.
        let restarted = token_features(&hidden[FEATURE_BLOCK * h..], n - FEATURE_BLOCK, h, context);
        let a = &whole[(FEATURE_BLOCK + 100) * 2 * h..(FEATURE_BLOCK + 101) * 2 * h];
        let b = &restarted[100 * 2 * h..101 * 2 * h];
        assert_ne!(a, b);
    }

    #[test]
    fn si_probabilities_in_blocks_are_the_whole_articles_bit_for_bit() {
        // MPNet's width and a linear SI head, as shipped; block remainders of 100 (joined to
        // the block before) and 600 rows.
        let (h, context) = (768, 16);
        let mut rng = SplitMix(11);
        let w: Vec<f32> = (0..2 * 2 * h).map(|_| rng.unit() - 0.5).collect();
        let si = Mlp {
            layers: vec![(
                Tensor::from_vec(w, (2, 2 * h), &Device::Cpu).unwrap(),
                Tensor::from_vec(vec![0.1f32, -0.1], 2, &Device::Cpu).unwrap(),
            )],
        };
        let heads = Heads {
            meta: HeadsMeta {
                version: 1,
                encoder: "test".into(),
                hidden_size: h,
                context,
                span_context: 24,
                si_threshold: 0.5,
                second_technique: 0.3,
                techniques: Vec::new(),
                blend: BlendParams::default(),
                partner_blend: None,
                training: String::new(),
            },
            si: si.clone(),
            tc: si.clone(),
            si_crf: None,
        };
        for n in [2 * FEATURE_BLOCK + 100, 2 * FEATURE_BLOCK + 600] {
            let hidden: Vec<f32> = (0..n * h).map(|_| rng.unit() * 4.0 - 2.0).collect();
            let got = heads.token_probabilities(&hidden, n).unwrap();
            let want: Vec<f32> = si
                .probabilities(token_features(&hidden, n, h, context), n)
                .unwrap()
                .into_iter()
                .map(|p| p[1])
                .collect();
            assert_eq!(got.len(), n);
            assert!(
                got.iter()
                    .zip(&want)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "n = {n}"
            );
        }
    }

    #[test]
    fn span_features_pool_the_overlapping_tokens() {
        let tokens: Vec<TokenSpan> = (0..3)
            .map(|i| TokenSpan {
                id: 0,
                start: 4 * i,
                end: 4 * i + 3,
            })
            .collect();
        let hidden = [1.0, 0.0, 3.0, 2.0, 5.0, 4.0];
        let mut out = Vec::new();
        // Chars 4..11 overlap tokens 1 and 2; no context beyond them.
        span_features(&hidden, &tokens, 2, 0, CharSpan::new(4, 11), &mut out);
        assert_eq!(out.len(), span_dim(2));
        assert_eq!(&out[0..6], &[4.0, 3.0, 5.0, 4.0, 4.0, 3.0]);
        assert!((out[6] - 8f32.ln()).abs() < 1e-6 && (out[7] - 3f32.ln()).abs() < 1e-6);
        // A span in the gap between tokens takes the next token.
        out.clear();
        span_features(&hidden, &tokens, 2, 0, CharSpan::new(3, 4), &mut out);
        assert_eq!(&out[0..2], &[3.0, 2.0]);
    }

    #[test]
    fn crf_marginals_are_those_of_every_labelling_enumerated() {
        let crf = SiCrf {
            transitions: [[0.3, -1.2], [-0.7, 0.9]],
            start: [0.2, -0.4],
            end: [-0.1, 0.5],
        };
        let mut rng = SplitMix(5);
        for n in 1..=7 {
            let e: Vec<[f32; 2]> = (0..n)
                .map(|_| [rng.unit() * 4.0 - 2.0, rng.unit() * 4.0 - 2.0])
                .collect();
            let score = |path: usize| {
                let y = |i: usize| (path >> i) & 1;
                let mut s = f64::from(crf.start[y(0)] + e[0][y(0)]);
                for i in 1..n {
                    s += f64::from(crf.transitions[y(i - 1)][y(i)] + e[i][y(i)]);
                }
                s + f64::from(crf.end[y(n - 1)])
            };
            let z: f64 = (0..1usize << n).map(|p| score(p).exp()).sum();
            let got = crf.marginals(&e);
            for (i, g) in got.iter().enumerate() {
                let want: f64 = (0..1usize << n)
                    .filter(|p| (p >> i) & 1 == 1)
                    .map(|p| score(p).exp())
                    .sum::<f64>()
                    / z;
                assert!((f64::from(*g) - want).abs() < 1e-6, "n {n}, piece {i}");
            }
        }
        assert!(crf.marginals(&[]).is_empty());
    }

    #[test]
    fn a_crf_survives_the_heads_file_and_changes_only_si() {
        let h = 4;
        let layer = |out: usize, inp: usize| {
            let w: Vec<f32> = (0..out * inp).map(|i| (i as f32 * 0.37).sin()).collect();
            (
                Tensor::from_vec(w, (out, inp), &Device::Cpu).unwrap(),
                Tensor::from_vec(vec![0.05f32; out], out, &Device::Cpu).unwrap(),
            )
        };
        let mut heads = Heads {
            meta: HeadsMeta {
                version: HEADS_VERSION,
                encoder: "test".into(),
                hidden_size: h,
                context: 1,
                span_context: 2,
                si_threshold: 0.5,
                second_technique: 0.3,
                techniques: Technique::ALL.iter().map(|t| t.name().into()).collect(),
                blend: BlendParams::default(),
                partner_blend: None,
                training: String::new(),
            },
            si: Mlp {
                layers: vec![layer(2, 2 * h)],
            },
            tc: Mlp {
                layers: vec![layer(Technique::COUNT, span_dim(h))],
            },
            si_crf: None,
        };
        let hidden: Vec<f32> = (0..6 * h).map(|i| (i as f32 * 0.71).cos()).collect();
        let plain = heads.token_probabilities(&hidden, 6).unwrap();
        let crf = SiCrf {
            transitions: [[1.0, -2.0], [-2.0, 1.0]],
            start: [0.5, -0.5],
            end: [0.0, 0.0],
        };
        heads.si_crf = Some(crf);
        let back = Heads::from_bytes(&heads.to_bytes().unwrap(), "test").unwrap();
        assert_eq!(back.si_crf, Some(crf));
        let with = back.token_probabilities(&hidden, 6).unwrap();
        assert_ne!(with, plain);
        // Without transitions the marginals are the softmax the plain head gives.
        heads.si_crf = Some(SiCrf {
            transitions: [[0.0; 2]; 2],
            start: [0.0; 2],
            end: [0.0; 2],
        });
        let flat = heads.token_probabilities(&hidden, 6).unwrap();
        assert!(flat.iter().zip(&plain).all(|(a, b)| (a - b).abs() < 1e-6));
    }

    #[test]
    fn a_head_learns_a_separable_problem_deterministically() {
        // Class = which of the two coordinates is larger.
        let mut rng = SplitMix(7);
        let n = 400;
        let x: Vec<f32> = (0..2 * n).map(|_| rng.unit()).collect();
        let y: Vec<u32> = (0..n).map(|i| u32::from(x[2 * i + 1] > x[2 * i])).collect();
        let opts = HeadOptions {
            epochs: 60,
            learning_rate: 0.05,
            batch_size: 32,
            ..HeadOptions::default()
        };
        let head = train_head(&x, 2, &y, 2, &opts, 1).unwrap();
        let p = head.probabilities(x.clone(), n).unwrap();
        let correct = p
            .iter()
            .zip(&y)
            .filter(|(p, &y)| (p[1] > 0.5) == (y == 1))
            .count();
        assert!(correct as f64 / n as f64 > 0.95, "{correct}/{n} right");
        // Deterministic from the seed.
        let again = train_head(&x, 2, &y, 2, &opts, 1).unwrap();
        assert_eq!(
            head.layers[0].0.to_vec2::<f32>().unwrap(),
            again.layers[0].0.to_vec2::<f32>().unwrap()
        );
    }
}
