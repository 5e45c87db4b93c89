//! Multinomial logistic regression over hashed binary features, trained with AdaGrad.

use crate::sparse::{HashedWeights, SparseWeights};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone)]
pub struct LogReg {
    pub w: HashedWeights,
    pub classes: usize,
}

/// Training hyper-parameters.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogRegParams {
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
}

impl Default for LogRegParams {
    fn default() -> Self {
        LogRegParams {
            epochs: 12,
            learning_rate: 0.02,
            l2: 1e-5,
        }
    }
}

/// One training example: feature rows and its class.
#[derive(Debug, Clone)]
pub struct Example {
    pub rows: Vec<u32>,
    pub class: usize,
}

impl LogReg {
    pub fn to_file(&self) -> SparseWeights {
        self.w.to_sparse()
    }

    pub fn from_file(s: &SparseWeights) -> Result<Self, String> {
        let w = HashedWeights::from_sparse(s)?;
        Ok(LogReg {
            classes: w.width,
            w,
        })
    }

    /// Class probabilities.
    pub fn predict(&self, rows: &[u32]) -> Vec<f32> {
        let mut z = vec![0.0f32; self.classes];
        self.probabilities_into(rows.iter().map(|&r| r as usize), &mut z);
        z
    }

    /// Class probabilities of hashed features, written into `out` (one slot per class) without
    /// allocating: the per-span path of the detector.
    pub fn predict_features(&self, feats: &[u64], out: &mut [f32]) {
        let k = self.classes;
        self.probabilities_into(feats.iter().map(|&f| self.w.row_of(f) / k), out);
    }

    fn probabilities_into(&self, rows: impl Iterator<Item = usize>, z: &mut [f32]) {
        let k = self.classes;
        z.fill(0.0);
        for r in rows {
            let row = &self.w.w[r * k..(r + 1) * k];
            for (zi, wi) in z.iter_mut().zip(row) {
                *zi += wi;
            }
        }
        softmax(z);
    }

    pub fn train(
        bits: u32,
        classes: usize,
        data: &[Example],
        p: &LogRegParams,
        seed: u64,
    ) -> LogReg {
        let mut m = LogReg {
            w: HashedWeights::new(bits, classes),
            classes,
        };
        let mut g2 = vec![1e-6f32; m.w.w.len()];
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut rng = crate::rng::SplitMix::new(seed);
        for _ in 0..p.epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let ex = &data[i];
                let mut probs = m.predict(&ex.rows);
                probs[ex.class] -= 1.0;
                for &r in &ex.rows {
                    let base = r as usize * classes;
                    for (c, &g) in probs.iter().enumerate() {
                        let j = base + c;
                        let g = g + p.l2 * m.w.w[j];
                        g2[j] += g * g;
                        m.w.w[j] -= p.learning_rate * g / g2[j].sqrt();
                    }
                }
            }
        }
        m
    }
}

pub fn softmax(z: &mut [f32]) {
    let max = z.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_three_classes() {
        let data: Vec<Example> = (0..90)
            .map(|i| Example {
                rows: vec![(i % 3) as u32 + 1, 10],
                class: i % 3,
            })
            .collect();
        // The default step size is tuned for ~6000 PTC spans; 90 toy examples need a larger one.
        let params = LogRegParams {
            learning_rate: 0.2,
            ..LogRegParams::default()
        };
        let m = LogReg::train(5, 3, &data, &params, 1);
        for c in 0..3 {
            let p = m.predict(&[c as u32 + 1, 10]);
            assert!(p[c] > 0.8, "{p:?}");
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
    }
}
