//! The detector's encoder as a quote signal: each token's mean word-piece vector, read by a
//! logistic head per role (source, cue, content) whose scores the vector tagger's CRFs take as
//! features.
//!
//! The default detector already encodes every article with the fine-tuned MPNet and hands the
//! aids its per-piece rows ([`PieceVectors`]); a token's row is in context (it knows whether
//! the sentence is somebody's words), which hashed word features cannot see past a few
//! neighbours. Scoring costs three dot products per token.

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

/// A logistic head per role over a token's vector and its `context` neighbours on each side
/// (zeros past the ends): `bias[r] + Σ weights[r][slot·width + d] · v[t + slot - context][d]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorHead {
    /// The [`PieceVectors::encoder`] it was trained on; it reads no other vectors.
    pub encoder: String,
    pub width: usize,
    pub context: usize,
    /// Per role, `(2·context + 1) · width` values.
    pub weights: [Vec<f32>; 3],
    pub bias: [f32; 3],
}

/// How a head is trained.
#[derive(Debug, Clone, Copy)]
pub struct HeadParams {
    pub context: usize,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    pub seed: u64,
}

impl Default for HeadParams {
    fn default() -> Self {
        HeadParams {
            context: 1,
            epochs: 4,
            learning_rate: 0.0005,
            l2: 1e-6,
            seed: 42,
        }
    }
}

impl VectorHead {
    /// Input length per role.
    fn len(&self) -> usize {
        (2 * self.context + 1) * self.width
    }

    /// A head the file may carry: sizes that agree, finite weights.
    pub(crate) fn check(&self) -> Result<(), String> {
        // Bounded so that no size computed from them can overflow (encoders are 384 or 768 wide).
        if self.width == 0 || self.width > MAX_WIDTH || self.context > 4 {
            return Err(
                "quotes model: a vector head of width 0 or over 8192, or context over 4".into(),
            );
        }
        if self.weights.iter().any(|w| w.len() != self.len()) {
            return Err("quotes model: the vector head's weights do not match its width".into());
        }
        let all = self.weights.iter().flatten().chain(&self.bias);
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
        let mut out = vec![self.bias; n];
        for (t, v) in rows.chunks_exact(w).enumerate() {
            self.add_token(&mut out, t, v);
        }
        Some(out)
    }

    /// [`VectorHead::logits`] of `doc`'s [`token_vectors`], made one token at a time: the
    /// same values, bit for bit, without the document's rows in memory. `None` when `v` is not
    /// what this head reads.
    pub fn logits_of(&self, doc: &Document, v: &PieceVectors) -> Option<Vec<[f32; 3]>> {
        if !self.reads(v) || self.width > MAX_WIDTH {
            return None;
        }
        let mut out = vec![self.bias; doc.tokens.len()];
        for_each_token_vector(doc, v, |t, row| self.add_token(&mut out, t, row));
        Some(out)
    }

    /// Adds token `t`'s row to every logit it takes part in. Each token's row meets each
    /// slot's weights once: token t in slot s serves t + c - s.
    fn add_token(&self, out: &mut [[f32; 3]], t: usize, v: &[f32]) {
        let (w, c, n) = (self.width, self.context, out.len());
        for s in 0..=2 * c {
            let Some(target) = (t + c).checked_sub(s).filter(|&k| k < n) else {
                continue;
            };
            for (z, wr) in out[target].iter_mut().zip(&self.weights) {
                *z += dot(v, &wr[s * w..(s + 1) * w]);
            }
        }
    }

    /// Trains the head on `docs`: each document's rows (`n × width`) and per-role labels.
    /// Plain SGD on standardised inputs, the standardisation folded into the weights at the
    /// end; deterministic for a seed (one thread).
    pub fn train(
        encoder: &str,
        width: usize,
        docs: &[(&[f32], &[Vec<bool>; 3])],
        p: &HeadParams,
    ) -> VectorHead {
        let c = p.context;
        let len = (2 * c + 1) * width;
        let (scale, count) = Standardisation::of(docs, width);
        let mut order: Vec<(u32, u32)> = Vec::with_capacity(count);
        for (k, (rows, _)) in docs.iter().enumerate() {
            for t in 0..rows.len() / width.max(1) {
                order.push((k as u32, t as u32));
            }
        }
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
        scale.fold_into(&mut weights, &mut bias);
        VectorHead {
            encoder: encoder.to_string(),
            width,
            context: c,
            weights,
            bias,
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
    /// Over the rows of `docs`, `width` values each; also gives the number of rows.
    fn of(docs: &[(&[f32], &[Vec<bool>; 3])], width: usize) -> (Standardisation, usize) {
        let w = width;
        let mut mean = vec![0.0f64; w];
        let mut sq = vec![0.0f64; w];
        let mut count = 0usize;
        for (rows, _) in docs {
            for v in rows.chunks_exact(w) {
                for d in 0..w {
                    let x = f64::from(v[d]);
                    mean[d] += x;
                    sq[d] += x * x;
                }
                count += 1;
            }
        }
        let cnt = count.max(1) as f64;
        let mu: Vec<f32> = mean.iter().map(|m| (m / cnt) as f32).collect();
        let inv: Vec<f32> = (0..w)
            .map(|d| {
                let var = sq[d] / cnt - (mean[d] / cnt).powi(2);
                (1.0 / var.max(1e-8).sqrt()) as f32
            })
            .collect();
        (Standardisation { mu, inv }, count)
    }

    /// Fills `x` with the standardised vectors of token `t` and its `context` neighbours on
    /// each side, zeros past the ends.
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
                None => xs.fill(0.0),
            }
        }
    }

    /// Folds the standardisation into trained weights: w·((v - μ)·inv) = (w·inv)·v - Σ w·inv·μ.
    fn fold_into(&self, weights: &mut [Vec<f32>; 3], bias: &mut [f32; 3]) {
        let w = self.mu.len();
        for (ws, b) in weights.iter_mut().zip(bias.iter_mut()) {
            // Slot by slot, dimension by dimension: `i` is `slot · w + d`.
            for (i, wd) in ws.iter_mut().enumerate() {
                let d = i % w;
                *wd *= self.inv[d];
                *b -= *wd * self.mu[d];
            }
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

    #[test]
    fn logits_made_token_by_token_are_those_of_the_whole_rows() {
        let text = "Konashenkov said the strikes, which he called precise, hit 17 convoys.";
        let doc = Document::new(Article::new("a", text));
        // One piece per word or number, and two for the long name.
        let mut pieces = vec![CharSpan::new(0, 4), CharSpan::new(4, 11)];
        pieces.extend(doc.tokens.iter().skip(1).map(|t| t.span));
        let width = 3;
        let rows: Vec<f32> = (0..pieces.len() * width)
            .map(|i| ((i * 37 % 19) as f32 - 9.0) / 7.0)
            .collect();
        let v = PieceVectors {
            encoder: "e".into(),
            pieces,
            width,
            rows: rows.into(),
        };
        let head = VectorHead {
            encoder: "e".into(),
            width,
            context: 2,
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
            ..HeadParams::default()
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
    fn a_head_of_bad_sizes_or_weights_is_refused() {
        let ok = VectorHead {
            encoder: "e".into(),
            width: 2,
            context: 0,
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
