//! The detector's encoder as a quote signal: each token's mean word-piece vector, read by a
//! small head (32 ReLU units shared by source, cue and content, then a logistic output per
//! role) whose scores the vector tagger's CRFs take as features.
//!
//! The default detector already encodes every article with the fine-tuned MPNet and hands the
//! aids its per-piece rows ([`PieceVectors`]); a token's row is in context (it knows whether
//! the sentence is somebody's words), which hashed word features cannot see past a few
//! neighbours. Scoring costs 32 dot products of a token's neighbourhood (3 × 768 values), about
//! 11 ms an article of 950 tokens on one core. Why hidden units: on a fixed fifth of PolNeAR
//! train they tag tokens at F1 0.723 / 0.627 / 0.828 against 0.677 / 0.590 / 0.807 for a
//! logistic regression per role on the same inputs (the head shipped before, still
//! [`HeadParams::logistic`]); through the CRFs the tagger scored level with the logistic head
//! on PolNeAR (within noise both ways), so the gain is the head's own.

use serde::{Deserialize, Serialize};
use unspin_core::{Document, PieceVectors, TokenKind};
use unspin_ml::dense::{dot, sigmoid};

/// Widest vectors a head may read.
const MAX_WIDTH: usize = 8192;

/// Pieces looked at per token: a tokenizer's pieces never span more than a word, so this only
/// bounds the time a malformed piece list (one piece over the whole text) could take.
const MAX_PIECES_PER_TOKEN: usize = 64;

/// Each token's vector: the mean of the pieces lying wholly inside it, else of the pieces
/// overlapping it, else zeros (a character the encoder's tokenizer dropped). `n_tokens ×
/// width` values, row-major; empty for vectors wider than any head reads.
pub fn token_vectors(doc: &Document, v: &PieceVectors) -> Vec<f32> {
    if v.width > MAX_WIDTH {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(doc.tokens.len() * v.width);
    for_each_token_vector(doc, v, |_, row| out.extend_from_slice(row));
    out
}

/// Calls `f(t, row)` with each token's [`token_vectors`] row in token order, from one buffer:
/// what the head needs without the document's rows held at once (3 KB a token for MPNet).
fn for_each_token_vector(doc: &Document, v: &PieceVectors, mut f: impl FnMut(usize, &[f32])) {
    let w = v.width;
    if w > MAX_WIDTH {
        return;
    }
    let n_pieces = v
        .rows
        .len()
        .checked_div(w)
        .map_or(0, |n| n.min(v.pieces.len()));
    let pieces = &v.pieces[..n_pieces];
    let mut buffer = vec![0.0f32; w];
    // Pieces are in text order: the first piece that could touch a token only moves forward.
    let mut first = 0;
    for (t, tok) in doc.tokens.iter().enumerate() {
        let (a, b) = (tok.span.start, tok.span.end);
        while first < pieces.len() && pieces[first].end <= a {
            first += 1;
        }
        buffer.fill(0.0);
        let row = &mut buffer[..];
        let mut add = |inside: bool| -> usize {
            let mut n = 0;
            for (k, p) in pieces
                .iter()
                .enumerate()
                .skip(first)
                .take(MAX_PIECES_PER_TOKEN)
            {
                if p.start >= b {
                    break;
                }
                let ok = if inside {
                    p.start >= a && p.end <= b
                } else {
                    p.end > a
                };
                if ok && p.start < p.end {
                    for (s, &x) in row.iter_mut().zip(&v.rows[k * w..(k + 1) * w]) {
                        *s += x;
                    }
                    n += 1;
                }
            }
            n
        };
        let mut n = add(true);
        if n == 0 {
            n = add(false);
        }
        if n > 1 {
            let inv = 1.0 / n as f32;
            row.iter_mut().for_each(|x| *x *= inv);
        }
        f(t, row);
    }
}

/// Do `v`'s pieces reach every word and number of `doc`, with a row for each piece? Where they
/// do not (vectors of another text, or an encoder that stopped early), the missing tokens'
/// rows would be zeros the head was never trained on, so the plain tagger runs instead.
pub fn covers(doc: &Document, v: &PieceVectors) -> bool {
    if v.width == 0 || v.rows.len() < v.pieces.len().saturating_mul(v.width) {
        return false;
    }
    let mut first = 0;
    for tok in doc.tokens.iter().filter(|t| t.kind != TokenKind::Punct) {
        // Empty pieces are skipped too: token_vectors reads none of them.
        while first < v.pieces.len()
            && (v.pieces[first].end <= tok.span.start || v.pieces[first].is_empty())
        {
            first += 1;
        }
        if v.pieces.get(first).is_none_or(|p| p.start >= tok.span.end) {
            return false;
        }
    }
    true
}

/// A head over a token's vector and its `context` neighbours on each side (zeros past the
/// ends), the input `x = v[t - context] ‖ … ‖ v[t + context]`. Without hidden units it is a
/// logistic regression per role, `bias[r] + weights[r] · x`; with them, the three roles share
/// `hidden` ReLU units, `bias[r] + Σ_u weights[r][u] · relu(hidden_bias[u] +
/// hidden_weights[u] · x)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorHead {
    /// The [`PieceVectors::encoder`] it was trained on; it reads no other vectors.
    pub encoder: String,
    pub width: usize,
    pub context: usize,
    /// Shared hidden units; 0 for none.
    pub hidden: usize,
    /// `hidden` rows of `(2·context + 1) · width` values.
    pub hidden_weights: Vec<f32>,
    pub hidden_bias: Vec<f32>,
    /// Per role, `(2·context + 1) · width` values without hidden units, else `hidden`.
    pub weights: [Vec<f32>; 3],
    pub bias: [f32; 3],
}

/// How a head is trained.
#[derive(Debug, Clone, Copy)]
pub struct HeadParams {
    pub context: usize,
    /// Shared hidden units; 0 trains a logistic regression per role.
    pub hidden: usize,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    pub seed: u64,
}

impl Default for HeadParams {
    /// The shipped head: 32 hidden units, Adam at 0.001 decaying linearly to 0 over batches of
    /// 256 tokens, L2 1e-5, 4 epochs, a neighbour on each side. On the fixed fifth of PolNeAR
    /// train its tokens score F1 0.723 / 0.627 / 0.828 (source / cue / content) against
    /// [`HeadParams::logistic`]'s 0.677 / 0.590 / 0.807 (2026-12-04).
    fn default() -> Self {
        HeadParams {
            context: 1,
            hidden: 32,
            epochs: 4,
            learning_rate: 0.001,
            l2: 1e-5,
            seed: 42,
        }
    }
}

impl HeadParams {
    /// A logistic regression per role (the head shipped until 2026-12-04): plain SGD per
    /// token at 0.0005 decaying as `rate / (1 + epoch)`, L2 1e-6.
    pub fn logistic() -> Self {
        HeadParams {
            hidden: 0,
            learning_rate: 0.0005,
            l2: 1e-6,
            ..HeadParams::default()
        }
    }
}

/// Tokens per Adam step when a head with hidden units trains.
const BATCH: usize = 256;

impl VectorHead {
    /// Input length.
    fn len(&self) -> usize {
        (2 * self.context + 1) * self.width
    }

    /// Values that read the input directly: the hidden units, or the three roles without them.
    fn units(&self) -> usize {
        if self.hidden == 0 {
            3
        } else {
            self.hidden
        }
    }

    /// Unit `u`'s weights over the input.
    fn unit(&self, u: usize) -> &[f32] {
        if self.hidden == 0 {
            &self.weights[u]
        } else {
            &self.hidden_weights[u * self.len()..(u + 1) * self.len()]
        }
    }

    /// A head the file may carry: sizes that agree, finite weights.
    pub(crate) fn check(&self) -> Result<(), String> {
        // Bounded so that no size computed from them can overflow (encoders are 384 or 768 wide).
        if self.width == 0 || self.width > MAX_WIDTH || self.context > 4 || self.hidden > 1024 {
            return Err(
                "quotes model: a vector head of width 0 or over 8192, context over 4 or over \
                 1024 hidden units"
                    .into(),
            );
        }
        let per_role = if self.hidden == 0 {
            self.len()
        } else {
            self.hidden
        };
        if self.weights.iter().any(|w| w.len() != per_role)
            || self.hidden_weights.len() != self.hidden * self.len()
            || self.hidden_bias.len() != self.hidden
        {
            return Err("quotes model: the vector head's weights do not match its sizes".into());
        }
        let all = self.weights.iter().flatten().chain(&self.bias);
        let all = all.chain(&self.hidden_weights).chain(&self.hidden_bias);
        if !all.into_iter().all(|w| w.is_finite()) {
            return Err("quotes model: a vector head weight is not finite".into());
        }
        Ok(())
    }

    /// Whether `vectors` are the kind this head was trained on.
    pub fn reads(&self, vectors: &PieceVectors) -> bool {
        vectors.encoder == self.encoder && vectors.width == self.width
    }

    /// Per token, each role's logit, from [`token_vectors`]' rows (`n × width`); `None` when
    /// the rows are not `n` tokens of this head's width.
    pub fn logits(&self, rows: &[f32], n: usize) -> Option<Vec<[f32; 3]>> {
        let w = self.width;
        if rows.len() != n * w {
            return None;
        }
        let mut pre = self.start(n);
        for (t, v) in rows.chunks_exact(w).enumerate() {
            self.add_token(&mut pre, n, t, v);
        }
        Some(self.finish(&pre, n))
    }

    /// [`VectorHead::logits`] of `doc`'s [`token_vectors`], made one token at a time: the
    /// same values, bit for bit, without the document's rows in memory. `None` when `v` is not
    /// what this head reads.
    pub fn logits_of(&self, doc: &Document, v: &PieceVectors) -> Option<Vec<[f32; 3]>> {
        if !self.reads(v) || self.width > MAX_WIDTH {
            return None;
        }
        let n = doc.tokens.len();
        let mut pre = self.start(n);
        for_each_token_vector(doc, v, |t, row| self.add_token(&mut pre, n, t, row));
        Some(self.finish(&pre, n))
    }

    /// Each token's units before any input: their biases.
    fn start(&self, n: usize) -> Vec<f32> {
        let bias: &[f32] = if self.hidden == 0 {
            &self.bias
        } else {
            &self.hidden_bias
        };
        bias.repeat(n)
    }

    /// Adds token `t`'s row to every unit it takes part in (`pre`: `n × units`). Each token's
    /// row meets each slot's weights once: token t in slot s serves t + c - s.
    fn add_token(&self, pre: &mut [f32], n: usize, t: usize, v: &[f32]) {
        let (w, c, units) = (self.width, self.context, self.units());
        for s in 0..=2 * c {
            let Some(target) = (t + c).checked_sub(s).filter(|&k| k < n) else {
                continue;
            };
            for (u, z) in pre[target * units..(target + 1) * units]
                .iter_mut()
                .enumerate()
            {
                *z += dot(v, &self.unit(u)[s * w..(s + 1) * w]);
            }
        }
    }

    /// The roles' logits from the units' sums.
    fn finish(&self, pre: &[f32], n: usize) -> Vec<[f32; 3]> {
        if self.hidden == 0 {
            return pre.chunks_exact(3).map(|z| [z[0], z[1], z[2]]).collect();
        }
        let mut h = vec![0.0f32; self.hidden];
        pre.chunks_exact(self.hidden)
            .take(n)
            .map(|z| {
                for (hu, &zu) in h.iter_mut().zip(z) {
                    *hu = zu.max(0.0);
                }
                [0, 1, 2].map(|r| self.bias[r] + dot(&h, &self.weights[r]))
            })
            .collect()
    }

    /// Trains the head on `docs`: each document's rows (`n × width`) and per-role labels, on
    /// standardised inputs, the standardisation folded into the weights at the end;
    /// deterministic for a seed (one thread). Without hidden units, plain SGD per token; with
    /// them, `VectorHead::train_hidden` (private).
    pub fn train(
        encoder: &str,
        width: usize,
        docs: &[(&[f32], &[Vec<bool>; 3])],
        p: &HeadParams,
    ) -> VectorHead {
        if p.hidden > 0 {
            return Self::train_hidden(encoder, width, docs, p);
        }
        let c = p.context;
        let len = (2 * c + 1) * width;
        let (scale, mut order) = Standardisation::of(docs, width);
        let mut weights = [vec![0.0f32; len], vec![0.0f32; len], vec![0.0f32; len]];
        let mut bias = [0.0f32; 3];
        let mut x = vec![0.0f32; len];
        let mut rng = unspin_ml::rng::SplitMix::new(p.seed);
        for epoch in 0..p.epochs {
            rng.shuffle(&mut order);
            let lr = p.learning_rate / (1.0 + epoch as f32);
            let decay = 1.0 - lr * p.l2;
            for &(k, t) in &order {
                let (rows, labels) = docs[k as usize];
                let t = t as usize;
                scale.window(&mut x, rows, t, c);
                for r in 0..3 {
                    let z = bias[r] + dot(&x, &weights[r]);
                    let g = sigmoid(z) - f32::from(u8::from(labels[r][t]));
                    bias[r] -= lr * g;
                    let step = lr * g;
                    for (wd, &xd) in weights[r].iter_mut().zip(&x) {
                        *wd = *wd * decay - step * xd;
                    }
                }
            }
        }
        for (ws, b) in weights.iter_mut().zip(bias.iter_mut()) {
            scale.fold_into(ws, std::slice::from_mut(b));
        }
        VectorHead {
            encoder: encoder.to_string(),
            width,
            context: c,
            hidden: 0,
            hidden_weights: Vec::new(),
            hidden_bias: Vec::new(),
            weights,
            bias,
        }
    }

    /// A head with `p.hidden` shared ReLU units: Adam (β 0.9 / 0.999) on the mean log loss of
    /// batches of [`BATCH`] tokens, the rate decaying linearly to 0, L2 `p.l2` added to the
    /// gradient, weights drawn uniformly within ±1/√(inputs) as PyTorch's `Linear` does.
    /// (`training/quote_head_study.py` measured a PyTorch sketch of it first, with dropout.)
    fn train_hidden(
        encoder: &str,
        width: usize,
        docs: &[(&[f32], &[Vec<bool>; 3])],
        p: &HeadParams,
    ) -> VectorHead {
        let (c, hn) = (p.context, p.hidden);
        let len = (2 * c + 1) * width;
        let (scale, mut order) = Standardisation::of(docs, width);
        // All parameters in one vector, for Adam: hidden rows, hidden biases, the roles'
        // weights (3 × hn), the roles' biases.
        let (o_hb, o_w, o_b) = (hn * len, hn * len + hn, hn * len + hn + 3 * hn);
        let n_par = o_b + 3;
        let mut rng = unspin_ml::rng::SplitMix::new(p.seed);
        let mut uniform = |bound: f32| {
            let u = (rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
            (2.0 * u - 1.0) * bound
        };
        let (b1, b2) = (1.0 / (len as f32).sqrt(), 1.0 / (hn as f32).sqrt());
        let mut theta: Vec<f32> = (0..n_par)
            .map(|i| uniform(if i < o_w { b1 } else { b2 }))
            .collect();
        let (mut m, mut v) = (vec![0.0f32; n_par], vec![0.0f32; n_par]);
        let mut grad = vec![0.0f32; n_par];
        let mut x = vec![0.0f32; len];
        let (mut pre, mut dh) = (vec![0.0f32; hn], vec![0.0f32; hn]);
        let steps = p.epochs * order.len().div_ceil(BATCH);
        let mut step = 0usize;
        let mut rng = unspin_ml::rng::SplitMix::new(p.seed ^ 0x5eed);
        for _ in 0..p.epochs {
            rng.shuffle(&mut order);
            for batch in order.chunks(BATCH) {
                grad.fill(0.0);
                let scale_g = 1.0 / batch.len() as f32;
                for &(k, t) in batch {
                    let (rows, labels) = docs[k as usize];
                    let t = t as usize;
                    scale.window(&mut x, rows, t, c);
                    let (w1, rest) = theta.split_at(o_hb);
                    for (u, z) in pre.iter_mut().enumerate() {
                        *z = (rest[u] + dot(&x, &w1[u * len..(u + 1) * len])).max(0.0);
                    }
                    dh.fill(0.0);
                    for r in 0..3 {
                        let wr = &theta[o_w + r * hn..o_w + (r + 1) * hn];
                        let z = theta[o_b + r] + dot(&pre, wr);
                        let g = (sigmoid(z) - f32::from(u8::from(labels[r][t]))) * scale_g;
                        grad[o_b + r] += g;
                        for u in 0..hn {
                            grad[o_w + r * hn + u] += g * pre[u];
                            dh[u] += g * wr[u];
                        }
                    }
                    for u in 0..hn {
                        if pre[u] <= 0.0 || dh[u] == 0.0 {
                            continue;
                        }
                        grad[o_hb + u] += dh[u];
                        for (gd, &xd) in grad[u * len..(u + 1) * len].iter_mut().zip(&x) {
                            *gd += dh[u] * xd;
                        }
                    }
                }
                step += 1;
                let lr = p.learning_rate * (1.0 - (step - 1) as f32 / steps as f32);
                let (c1, c2) = (
                    1.0 - 0.9f32.powi(step as i32),
                    1.0 - 0.999f32.powi(step as i32),
                );
                for i in 0..n_par {
                    let g = grad[i] + p.l2 * theta[i];
                    m[i] = 0.9 * m[i] + 0.1 * g;
                    v[i] = 0.999 * v[i] + 0.001 * g * g;
                    theta[i] -= lr * (m[i] / c1) / ((v[i] / c2).sqrt() + 1e-8);
                }
            }
        }
        let mut hidden_weights = theta[..o_hb].to_vec();
        let mut hidden_bias = theta[o_hb..o_w].to_vec();
        for (row, b) in hidden_weights.chunks_exact_mut(len).zip(&mut hidden_bias) {
            scale.fold_into(row, std::slice::from_mut(b));
        }
        let weights = [0, 1, 2].map(|r| theta[o_w + r * hn..o_w + (r + 1) * hn].to_vec());
        VectorHead {
            encoder: encoder.to_string(),
            width,
            context: c,
            hidden: hn,
            hidden_weights,
            hidden_bias,
            weights,
            bias: [theta[o_b], theta[o_b + 1], theta[o_b + 2]],
        }
    }
}

/// Per dimension, the mean and the inverse standard deviation of every token's vector: SGD
/// runs on standardised inputs, and the head it gives reads raw ones.
struct Standardisation {
    mu: Vec<f32>,
    inv: Vec<f32>,
}

impl Standardisation {
    /// Over the rows of `docs`, `width` values each; also gives every row as (document,
    /// token), the order SGD shuffles.
    fn of(docs: &[(&[f32], &[Vec<bool>; 3])], width: usize) -> (Standardisation, Vec<(u32, u32)>) {
        let w = width;
        let mut mean = vec![0.0f64; w];
        let mut sq = vec![0.0f64; w];
        let mut order: Vec<(u32, u32)> = Vec::new();
        for (k, (rows, _)) in docs.iter().enumerate() {
            for (t, v) in rows.chunks_exact(w).enumerate() {
                for d in 0..w {
                    let x = f64::from(v[d]);
                    mean[d] += x;
                    sq[d] += x * x;
                }
                order.push((k as u32, t as u32));
            }
        }
        let cnt = order.len().max(1) as f64;
        let mu: Vec<f32> = mean.iter().map(|m| (m / cnt) as f32).collect();
        let inv: Vec<f32> = (0..w)
            .map(|d| {
                let var = sq[d] / cnt - (mean[d] / cnt).powi(2);
                (1.0 / var.max(1e-8).sqrt()) as f32
            })
            .collect();
        (Standardisation { mu, inv }, order)
    }

    /// Fills `x` with the standardised vectors of token `t` and its `context` neighbours on
    /// each side; past the ends, a raw zero vector standardised, which is what the folded
    /// weights read there at run time (before 2026-12-04 training saw zeros, i.e. the mean).
    fn window(&self, x: &mut [f32], rows: &[f32], t: usize, context: usize) {
        let w = self.mu.len();
        let n = rows.len() / w;
        for (s, xs) in x.chunks_exact_mut(w).enumerate() {
            match (t + s).checked_sub(context).filter(|&j| j < n) {
                Some(j) => {
                    for (d, xd) in xs.iter_mut().enumerate() {
                        *xd = (rows[j * w + d] - self.mu[d]) * self.inv[d];
                    }
                }
                None => {
                    for (d, xd) in xs.iter_mut().enumerate() {
                        *xd = -self.mu[d] * self.inv[d];
                    }
                }
            }
        }
    }

    /// Folds the standardisation into one trained row of weights over the input and its bias
    /// (a one-element slice): w·((v - μ)·inv) = (w·inv)·v - Σ w·inv·μ.
    fn fold_into(&self, ws: &mut [f32], bias: &mut [f32]) {
        let w = self.mu.len();
        // Slot by slot, dimension by dimension: `i` is `slot · w + d`.
        for (i, wd) in ws.iter_mut().enumerate() {
            let d = i % w;
            *wd *= self.inv[d];
            bias[0] -= *wd * self.mu[d];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unspin_core::{Article, CharSpan};

    #[test]
    fn a_token_takes_the_mean_of_its_pieces() {
        let doc = Document::new(Article::new("a", "Konashenkov said."));
        // "Kona" "shenkov" " said" (with a space, as some tokenizers cut) and "." dropped.
        let v = PieceVectors {
            encoder: "e".into(),
            pieces: vec![
                CharSpan::new(0, 4),
                CharSpan::new(4, 11),
                CharSpan::new(11, 16),
            ],
            width: 2,
            rows: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0].into(),
        };
        let t = token_vectors(&doc, &v);
        assert_eq!(doc.tokens.len(), 3);
        assert_eq!(&t[0..2], &[2.0, 3.0]);
        assert_eq!(&t[2..4], &[5.0, 6.0], "a piece overlapping the token");
        assert_eq!(&t[4..6], &[0.0, 0.0], "no piece: zeros");
        let short = PieceVectors {
            rows: vec![1.0].into(),
            ..v
        };
        assert_eq!(token_vectors(&doc, &short), vec![0.0; 6]);
    }

    /// Vectors of `pieces`, `width` wide, with fixed values of both signs.
    fn fixed_vectors(pieces: Vec<CharSpan>, width: usize) -> PieceVectors {
        let rows: Vec<f32> = (0..pieces.len() * width)
            .map(|i| ((i * 37 % 19) as f32 - 9.0) / 7.0)
            .collect();
        PieceVectors {
            encoder: "e".into(),
            pieces,
            width,
            rows: rows.into(),
        }
    }

    #[test]
    fn logits_made_token_by_token_are_those_of_the_whole_rows() {
        let text = "Konashenkov said the strikes, which he called precise, hit 17 convoys.";
        let doc = Document::new(Article::new("a", text));
        // One piece per word or number, and two for the long name.
        let mut pieces = vec![CharSpan::new(0, 4), CharSpan::new(4, 11)];
        pieces.extend(doc.tokens.iter().skip(1).map(|t| t.span));
        let width = 3;
        let v = fixed_vectors(pieces, width);
        let head = VectorHead {
            encoder: "e".into(),
            width,
            context: 2,
            hidden: 0,
            hidden_weights: Vec::new(),
            hidden_bias: Vec::new(),
            weights: [0.3f32, -0.7, 1.1].map(|k| {
                (0..5 * width)
                    .map(|i| k * ((i % 7) as f32 - 3.0) / 3.0)
                    .collect()
            }),
            bias: [0.1, -0.2, 0.3],
        };
        let n = doc.tokens.len();
        let whole = head.logits(&token_vectors(&doc, &v), n).unwrap();
        let streamed = head.logits_of(&doc, &v).unwrap();
        let bits =
            |l: &[[f32; 3]]| -> Vec<u32> { l.iter().flatten().map(|x| x.to_bits()).collect() };
        assert_eq!(bits(&whole), bits(&streamed));
        assert!(whole.iter().any(|l| l != &head.bias));
        // Not this head's vectors: nothing.
        let other = PieceVectors {
            encoder: "other".into(),
            ..v
        };
        assert_eq!(head.logits_of(&doc, &other), None);
    }

    #[test]
    fn vectors_cover_a_text_only_when_they_reach_every_word() {
        let doc = Document::new(Article::new("a", "Konashenkov said 5."));
        let piece = |a: usize, b: usize| CharSpan::new(a, b);
        let v = |pieces: Vec<CharSpan>, rows: usize| PieceVectors {
            encoder: "e".into(),
            width: 2,
            rows: vec![0.5; rows * 2].into(),
            pieces,
        };
        let all = vec![piece(0, 4), piece(4, 11), piece(11, 16), piece(17, 18)];
        // The final "." has no piece: punctuation may be dropped.
        assert!(covers(&doc, &v(all.clone(), 4)));
        assert!(
            !covers(&doc, &v(all[..3].to_vec(), 3)),
            "the number is missed"
        );
        assert!(!covers(&doc, &v(all[..1].to_vec(), 1)), "stopped early");
        assert!(
            !covers(&doc, &v(all.clone(), 3)),
            "rows short of the pieces"
        );
        assert!(!covers(&doc, &v(Vec::new(), 0)));
        let empty_inside = vec![piece(0, 11), piece(13, 13), piece(17, 18)];
        assert!(
            !covers(&doc, &v(empty_inside, 3)),
            "an empty piece covers nothing"
        );
        let mut wide = v(all, 4);
        wide.width = 0;
        assert!(!covers(&doc, &wide));
    }
    #[test]
    fn a_head_learns_a_separable_signal_and_folds_its_standardisation_in() {
        // Token t's vector is (t % 3, 1); role r is "token ≡ r mod 3", learnable from the
        // token itself (slot 1) — and from its neighbours.
        let n = 60;
        let rows: Vec<f32> = (0..n)
            .flat_map(|t| [(t % 3) as f32 * 2.0 + 10.0, 1.0])
            .collect();
        let labels = [0, 1, 2].map(|r| (0..n).map(|t| t % 3 == r).collect::<Vec<bool>>());
        let p = HeadParams {
            epochs: 40,
            learning_rate: 0.05,
            ..HeadParams::logistic()
        };
        let h = VectorHead::train("e", 2, &[(&rows, &labels)], &p);
        h.check().unwrap();
        assert_eq!(h.weights[0].len(), 6);
        let z = h.logits(&rows, n).unwrap();
        for (t, zt) in z.iter().enumerate().take(n - 1).skip(1) {
            for (r, &zr) in zt.iter().enumerate() {
                assert_eq!(zr > 0.0, t % 3 == r, "token {t} role {r}: {zt:?}");
            }
        }
        assert_eq!(h.logits(&rows, n + 1), None, "rows of another shape");
        assert_eq!(h.logits(&[], 0), Some(vec![]));
        // Deterministic for a seed.
        assert_eq!(h, VectorHead::train("e", 2, &[(&rows, &labels)], &p));
    }

    #[test]
    fn hidden_units_learn_what_one_logistic_regression_cannot() {
        // Role 0 is "exactly one of the token's two features is high" (XOR), which no
        // weighted sum of the features separates; roles 1 and 2 are plain. A neighbour on
        // each side is read too, so the first and last tokens see padding.
        let n = 200;
        let feat = |t: usize| [((t / 2) % 2) as f32 * 4.0 + 1.0, (t % 2) as f32 * 4.0 - 3.0];
        let rows: Vec<f32> = (0..n).flat_map(feat).collect();
        let xor = |t: usize| ((t / 2) % 2) != (t % 2);
        let labels = [
            (0..n).map(xor).collect::<Vec<bool>>(),
            (0..n).map(|t| t % 2 == 1).collect(),
            (0..n).map(|t| (t / 2) % 2 == 0).collect(),
        ];
        let p = HeadParams {
            context: 1,
            epochs: 300,
            learning_rate: 0.02,
            hidden: 8,
            ..HeadParams::default()
        };
        let h = VectorHead::train("e", 2, &[(&rows, &labels)], &p);
        h.check().unwrap();
        assert_eq!(
            (h.hidden, h.hidden_weights.len(), h.weights[0].len()),
            (8, 48, 8)
        );
        let z = h.logits(&rows, n).unwrap();
        for (t, zt) in z.iter().enumerate() {
            for (r, &zr) in zt.iter().enumerate() {
                assert_eq!(zr > 0.0, labels[r][t], "token {t} role {r}: {zt:?}");
            }
        }
        // Deterministic for a seed; sizes that disagree or a weight not finite are refused.
        assert_eq!(h, VectorHead::train("e", 2, &[(&rows, &labels)], &p));
        let mut bad = h.clone();
        bad.hidden_bias.pop();
        assert!(bad.check().is_err());
        let mut bad = h.clone();
        bad.weights[2].push(0.0);
        assert!(bad.check().is_err());
        let mut bad = h;
        bad.hidden_weights[3] = f32::INFINITY;
        assert!(bad.check().is_err());
    }

    #[test]
    fn training_pads_the_ends_as_run_time_does() {
        // A unit's weights over standardised windows, folded, must give at run time (raw
        // rows, zeros past the ends) what they gave at training, the first and last tokens
        // included. Before 2026-12-04 training padded with the mean and the ends disagreed.
        let rows = vec![1.0, 2.0, 3.0, 5.0, 4.0, 0.5];
        let labels = [vec![false; 3], vec![false; 3], vec![false; 3]];
        let (scale, order) = Standardisation::of(&[(&rows, &labels)], 2);
        assert_eq!(order, [(0, 0), (0, 1), (0, 2)]);
        let w: Vec<f32> = (0..6).map(|i| i as f32 - 2.5).collect();
        let b = 0.3;
        let (mut folded, mut fb) = (w.clone(), [b]);
        scale.fold_into(&mut folded, &mut fb);
        let mut x = vec![0.0; 6];
        for t in 0..3 {
            scale.window(&mut x, &rows, t, 1);
            let trained = b + dot(&w, &x);
            let raw: Vec<f32> = (t..t + 3)
                .flat_map(|j| match j.checked_sub(1).filter(|&k| k < 3) {
                    Some(k) => rows[k * 2..k * 2 + 2].to_vec(),
                    None => vec![0.0; 2],
                })
                .collect();
            let run = fb[0] + dot(&folded, &raw);
            assert!(
                (trained - run).abs() < 1e-4,
                "token {t}: {trained} against {run}"
            );
        }
    }

    #[test]
    fn a_hidden_head_streams_the_logits_of_the_whole_rows() {
        let text = "Konashenkov said the strikes, which he called precise, hit 17 convoys.";
        let doc = Document::new(Article::new("a", text));
        let pieces: Vec<CharSpan> = doc.tokens.iter().map(|t| t.span).collect();
        let width = 3;
        let v = fixed_vectors(pieces, width);
        let (hidden, len) = (4, 3 * width);
        let head = VectorHead {
            encoder: "e".into(),
            width,
            context: 1,
            hidden,
            hidden_weights: (0..hidden * len)
                .map(|i| ((i % 5) as f32 - 2.0) / 3.0)
                .collect(),
            hidden_bias: vec![0.1, -0.1, 0.2, 0.0],
            weights: [0.5f32, -1.0, 2.0]
                .map(|k| (0..hidden).map(|u| k * (u as f32 - 1.5)).collect()),
            bias: [0.1, -0.2, 0.3],
        };
        head.check().unwrap();
        let n = doc.tokens.len();
        let whole = head.logits(&token_vectors(&doc, &v), n).unwrap();
        let streamed = head.logits_of(&doc, &v).unwrap();
        assert_eq!(whole, streamed);
        // By hand for the first and the last token: padding on one side.
        let tv = token_vectors(&doc, &v);
        let pad = vec![0.0; width];
        for (t, x) in [
            (0, [pad.clone(), tv[..2 * width].to_vec()].concat()),
            (n - 1, [tv[(n - 2) * width..].to_vec(), pad].concat()),
        ] {
            let h: Vec<f32> = (0..hidden)
                .map(|u| {
                    let w = &head.hidden_weights[u * len..(u + 1) * len];
                    (head.hidden_bias[u] + dot(&x, w)).max(0.0)
                })
                .collect();
            for (r, &got) in whole[t].iter().enumerate() {
                let want = head.bias[r] + dot(&h, &head.weights[r]);
                assert!((got - want).abs() < 1e-5, "token {t}: {got} against {want}");
            }
        }
    }

    #[test]
    fn a_head_of_bad_sizes_or_weights_is_refused() {
        let ok = VectorHead {
            encoder: "e".into(),
            width: 2,
            context: 0,
            hidden: 0,
            hidden_weights: Vec::new(),
            hidden_bias: Vec::new(),
            weights: [vec![0.0; 2], vec![0.0; 2], vec![0.0; 2]],
            bias: [0.0; 3],
        };
        ok.check().unwrap();
        let short = VectorHead {
            weights: [vec![0.0; 2], vec![0.0; 1], vec![0.0; 2]],
            ..ok.clone()
        };
        assert!(short.check().is_err());
        let nan = VectorHead {
            bias: [0.0, f32::NAN, 0.0],
            ..ok.clone()
        };
        assert!(nan.check().is_err());
        let wide = VectorHead { context: 9, ..ok };
        assert!(wide.check().is_err());
    }
}
