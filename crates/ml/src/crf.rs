//! A linear-chain CRF with two labels (outside / inside a propaganda span) over hashed features.
//!
//! Written here rather than taken from a crate because the detector needs three things the
//! available CRF crates do not give together: hashed features without string attributes (for
//! speed), per-token marginal probabilities (span confidences and a tunable decision threshold,
//! which matters because the SemEval SI score rewards recall that Viterbi decoding gives away),
//! and training in a few seconds. With two labels the model is small: one emission weight per
//! feature (the score of "inside"; "outside" is the zero reference), a 2×2 transition matrix and
//! start scores.

use crate::sparse::{HashedWeights, SparseWeights};
use serde::{Deserialize, Serialize};

/// A sequence's features in compressed-row form: token `t` has features
/// `feats[offsets[t]..offsets[t + 1]]` (already reduced to weight rows). Labels are kept apart
/// so that several taggers can train on the same extracted features.
#[derive(Debug, Default, Clone)]
pub struct Sequence {
    pub offsets: Vec<u32>,
    pub feats: Vec<u32>,
}

impl Sequence {
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn token(&self, t: usize) -> &[u32] {
        &self.feats[self.offsets[t] as usize..self.offsets[t + 1] as usize]
    }
}

#[derive(Debug, Clone)]
pub struct Crf {
    pub emit: HashedWeights,
    /// `trans[prev][cur]`
    pub trans: [[f32; 2]; 2],
    pub start: [f32; 2],
}

/// Serialized CRF.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrfFile {
    emit: SparseWeights,
    trans: [[f32; 2]; 2],
    start: [f32; 2],
}

/// Training hyper-parameters.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrfParams {
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// Weight of the loss on tokens inside spans relative to outside ones.
    pub positive_weight: f32,
}

impl Default for CrfParams {
    fn default() -> Self {
        CrfParams {
            epochs: 8,
            learning_rate: 0.08,
            l2: 1e-6,
            positive_weight: 1.0,
        }
    }
}

fn logsumexp(a: f32, b: f32) -> f32 {
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

impl Crf {
    pub fn new(bits: u32) -> Self {
        Crf {
            emit: HashedWeights::new(bits, 1),
            trans: [[0.0; 2]; 2],
            start: [0.0; 2],
        }
    }

    pub fn to_file(&self) -> CrfFile {
        CrfFile {
            emit: self.emit.to_sparse(),
            trans: self.trans,
            start: self.start,
        }
    }

    pub fn from_file(f: &CrfFile) -> Result<Self, String> {
        Ok(Crf {
            emit: HashedWeights::from_sparse(&f.emit)?,
            trans: f.trans,
            start: f.start,
        })
    }

    /// Emission score of "inside" per token.
    fn emissions(&self, seq: &Sequence, out: &mut Vec<f32>) {
        out.clear();
        for t in 0..seq.len() {
            out.push(seq.token(t).iter().map(|&r| self.emit.w[r as usize]).sum());
        }
    }

    /// Forward-backward: returns (alpha, beta, log Z) in log space, each `n × 2` flattened.
    fn forward_backward(&self, e: &[f32]) -> (Vec<f32>, Vec<f32>, f32) {
        let n = e.len();
        let mut alpha = vec![0.0f32; 2 * n];
        let mut beta = vec![0.0f32; 2 * n];
        alpha[0] = self.start[0];
        alpha[1] = self.start[1] + e[0];
        for t in 1..n {
            for y in 0..2 {
                let emit = if y == 1 { e[t] } else { 0.0 };
                alpha[2 * t + y] = logsumexp(
                    alpha[2 * (t - 1)] + self.trans[0][y],
                    alpha[2 * (t - 1) + 1] + self.trans[1][y],
                ) + emit;
            }
        }
        for t in (0..n.saturating_sub(1)).rev() {
            for y in 0..2 {
                beta[2 * t + y] = logsumexp(
                    self.trans[y][0] + beta[2 * (t + 1)],
                    self.trans[y][1] + e[t + 1] + beta[2 * (t + 1) + 1],
                );
            }
        }
        let log_z = logsumexp(alpha[2 * (n - 1)], alpha[2 * (n - 1) + 1]);
        (alpha, beta, log_z)
    }

    /// Probability that each token is inside a span.
    pub fn marginals(&self, seq: &Sequence) -> Vec<f32> {
        if seq.is_empty() {
            return Vec::new();
        }
        let mut e = Vec::with_capacity(seq.len());
        self.emissions(seq, &mut e);
        let (alpha, beta, log_z) = self.forward_backward(&e);
        (0..seq.len())
            .map(|t| {
                (alpha[2 * t + 1] + beta[2 * t + 1] - log_z)
                    .exp()
                    .clamp(0.0, 1.0)
            })
            .collect()
    }

    /// Trains on `seqs` with AdaGrad on the (weighted) negative log-likelihood. Sequence order
    /// is shuffled each epoch with a seeded generator, so training is deterministic.
    pub fn train(
        bits: u32,
        seqs: &[Sequence],
        labels: &[Vec<bool>],
        params: &CrfParams,
        seed: u64,
    ) -> Crf {
        let mut crf = Crf::new(bits);
        let mut g2 = AdaGrad {
            emit: vec![1e-6f32; crf.emit.w.len()],
            trans: [[1e-6f32; 2]; 2],
            start: [1e-6f32; 2],
        };
        let mut order: Vec<usize> = (0..seqs.len()).collect();
        let mut rng = crate::rng::SplitMix::new(seed);
        let mut e = Vec::new();
        for _epoch in 0..params.epochs {
            rng.shuffle(&mut order);
            for &si in &order {
                if !seqs[si].is_empty() {
                    crf.train_step(&seqs[si], &labels[si], params, &mut g2, &mut e);
                }
            }
        }
        crf
    }

    /// One AdaGrad step on sequence `seq` (not empty) with labels `gold`; `e` is scratch space
    /// for its emissions.
    fn train_step(
        &mut self,
        seq: &Sequence,
        gold: &[bool],
        params: &CrfParams,
        g2: &mut AdaGrad,
        e: &mut Vec<f32>,
    ) {
        let n = seq.len();
        let lr = params.learning_rate;
        self.emissions(seq, e);
        let (alpha, beta, log_z) = self.forward_backward(e);
        let wt = |t: usize| {
            if gold[t] {
                params.positive_weight
            } else {
                1.0
            }
        };
        // Emission gradients: p(inside) - gold, per active feature.
        for t in 0..n {
            let p1 = (alpha[2 * t + 1] + beta[2 * t + 1] - log_z).exp();
            let g = (p1 - gold[t] as u8 as f32) * wt(t);
            for &r in seq.token(t) {
                let r = r as usize;
                let gr = g + params.l2 * self.emit.w[r];
                adagrad(&mut self.emit.w[r], &mut g2.emit[r], gr, lr);
            }
        }
        // Transition and start gradients from pairwise marginals.
        let mut gt = [[0.0f32; 2]; 2];
        for t in 1..n {
            let w = wt(t);
            for yp in 0..2 {
                for y in 0..2 {
                    let emit = if y == 1 { e[t] } else { 0.0 };
                    let xi = (alpha[2 * (t - 1) + yp] + self.trans[yp][y] + emit + beta[2 * t + y]
                        - log_z)
                        .exp();
                    gt[yp][y] += xi * w;
                }
            }
            let (yp, y) = (gold[t - 1] as usize, gold[t] as usize);
            gt[yp][y] -= w;
        }
        for ((w, sum), g) in self.trans.iter_mut().zip(&mut g2.trans).zip(gt) {
            for ((w, sum), g) in w.iter_mut().zip(sum).zip(g) {
                adagrad(w, sum, g, lr);
            }
        }
        let p1 = (alpha[1] + beta[1] - log_z).exp();
        let gs = [
            (1.0 - p1) - (!gold[0]) as u8 as f32,
            p1 - gold[0] as u8 as f32,
        ];
        for ((w, sum), g) in self.start.iter_mut().zip(&mut g2.start).zip(gs) {
            adagrad(w, sum, g, lr);
        }
    }
}

/// AdaGrad's running sums of squared gradients, per weight: each weight's steps shrink with
/// the gradients it has seen (they start at 1e-6, so the first step is finite).
struct AdaGrad {
    emit: Vec<f32>,
    trans: [[f32; 2]; 2],
    start: [f32; 2],
}

/// One AdaGrad update of weight `w` by gradient `g`; `sum` is the weight's running sum of
/// squared gradients.
fn adagrad(w: &mut f32, sum: &mut f32, g: f32, lr: f32) {
    *sum += g * g;
    *w -= lr * g / sum.sqrt();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute-force marginals by enumerating all label sequences.
    fn brute(crf: &Crf, e: &[f32]) -> Vec<f32> {
        let n = e.len();
        let mut z = 0.0f64;
        let mut m = vec![0.0f64; n];
        for mask in 0..(1u32 << n) {
            let y: Vec<usize> = (0..n).map(|t| ((mask >> t) & 1) as usize).collect();
            let mut s = crf.start[y[0]] as f64;
            for t in 0..n {
                if y[t] == 1 {
                    s += e[t] as f64;
                }
                if t > 0 {
                    s += crf.trans[y[t - 1]][y[t]] as f64;
                }
            }
            let p = s.exp();
            z += p;
            for t in 0..n {
                if y[t] == 1 {
                    m[t] += p;
                }
            }
        }
        m.iter().map(|x| (x / z) as f32).collect()
    }

    fn seq(feats: &[&[u32]]) -> Sequence {
        let mut s = Sequence {
            offsets: vec![0],
            ..Default::default()
        };
        for f in feats {
            s.feats.extend_from_slice(f);
            s.offsets.push(s.feats.len() as u32);
        }
        s
    }

    #[test]
    fn marginals_match_brute_force() {
        let mut crf = Crf::new(4);
        crf.trans = [[0.3, -0.7], [-1.1, 0.9]];
        crf.start = [0.2, -0.4];
        crf.emit.w[1] = 1.3;
        crf.emit.w[2] = -0.6;
        crf.emit.w[3] = 0.4;
        let s = seq(&[&[1], &[2, 3], &[3], &[1, 2], &[]]);
        let mut e = Vec::new();
        crf.emissions(&s, &mut e);
        let want = brute(&crf, &e);
        let got = crf.marginals(&s);
        for (a, b) in got.iter().zip(want) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
    }

    #[test]
    fn learns_a_separable_pattern() {
        // Feature 1 marks inside tokens, feature 2 outside ones; 3 appears everywhere.
        let data: Vec<Sequence> = (0..50)
            .map(|_| seq(&[&[2, 3], &[1, 3], &[1, 3], &[2, 3]]))
            .collect();
        let labels = vec![vec![false, true, true, false]; 50];
        let crf = Crf::train(4, &data, &labels, &CrfParams::default(), 7);
        let m = crf.marginals(&data[0]);
        assert!(
            m[1] > 0.9 && m[2] > 0.9 && m[0] < 0.1 && m[3] < 0.1,
            "{m:?}"
        );
    }
}
