//! Platt scaling: a two-parameter map from a model's confidence to how often such a guess was
//! right, fitted on held-out outcomes. Written here because the fit is a few dozen lines of Newton's
//! method on two parameters, and the map must be stored next to the weights it calibrates.
//!
//! The map works in logit space, `p' = σ(a·logit(p) + b)`: with `a = 1, b = 0` it changes
//! nothing, and for `a > 0` it keeps the order of confidences, so ranking spans by confidence
//! and cutting them at a calibrated threshold agree with the raw scores.
//!
//! ```
//! use unspin_ml::calibrate::Platt;
//! // Guesses at 0.4 that were right 60 times in 100, and guesses at 0.2 right 30 times.
//! let mut seen = Vec::new();
//! for i in 0..100 {
//!     seen.push((0.4, i < 60));
//!     seen.push((0.2, i < 30));
//! }
//! let platt = Platt::fit(&seen).unwrap();
//! assert!((platt.apply(0.4) - 0.6).abs() < 0.05);
//! assert!((platt.apply(0.2) - 0.3).abs() < 0.05);
//! assert!(platt.apply(0.2) < platt.apply(0.4));
//! ```

use serde::{Deserialize, Serialize};

/// `p' = σ(a·logit(p) + b)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    pub a: f32,
    pub b: f32,
}

/// Confidences are clamped this far inside (0, 1) before the logit.
const EPS: f64 = 1e-4;
/// Fewer outcomes than this, or no right or no wrong one, leave nothing to fit.
const MIN_SAMPLES: usize = 20;
/// Ridge pull towards the identity map (a = 1, b = 0), so thin data cannot swing it far.
const RIDGE: f64 = 1.0;

fn logit(p: f64) -> f64 {
    let p = p.clamp(EPS, 1.0 - EPS);
    (p / (1.0 - p)).ln()
}

impl Platt {
    /// The map that changes nothing.
    pub const IDENTITY: Platt = Platt { a: 1.0, b: 0.0 };

    /// The calibrated confidence of `p`. A non-finite `p` comes back as it is.
    pub fn apply(&self, p: f32) -> f32 {
        if !p.is_finite() {
            return p;
        }
        let z = f64::from(self.a) * logit(f64::from(p)) + f64::from(self.b);
        (1.0 / (1.0 + (-z).exp())) as f32
    }

    /// Fits the map to `(confidence, right)` outcomes by Newton's method on the log loss, with
    /// Platt's smoothed targets (`(n₊+1)/(n₊+2)` and `1/(n₋+2)`) so that separable data cannot
    /// drive it to infinity. `None` when there are fewer than 20 outcomes, all right or all
    /// wrong, or the fit would reverse the order of confidences (`a ≤ 0`).
    pub fn fit(seen: &[(f32, bool)]) -> Option<Platt> {
        let seen: Vec<(f32, bool)> = seen
            .iter()
            .copied()
            .filter(|(p, _)| p.is_finite())
            .collect();
        let n_right = seen.iter().filter(|(_, r)| *r).count();
        let n_wrong = seen.len() - n_right;
        if seen.len() < MIN_SAMPLES || n_right == 0 || n_wrong == 0 {
            return None;
        }
        let hi = (n_right as f64 + 1.0) / (n_right as f64 + 2.0);
        let lo = 1.0 / (n_wrong as f64 + 2.0);
        let data: Vec<(f64, f64)> = seen
            .iter()
            .map(|&(p, r)| (logit(f64::from(p)), if r { hi } else { lo }))
            .collect();
        // Log loss plus RIDGE/2·((a-1)² + b²); convex, so damped Newton steps reach its minimum.
        let loss = |a: f64, b: f64| -> f64 {
            let mut l = RIDGE / 2.0 * ((a - 1.0).powi(2) + b * b);
            for &(x, y) in &data {
                let z = a * x + b;
                // log(1 + e^z) without overflow, minus y·z.
                l += z.max(0.0) + (-z.abs()).exp().ln_1p() - y * z;
            }
            l
        };
        let (mut a, mut b) = (1.0f64, 0.0f64);
        let mut current = loss(a, b);
        for _ in 0..100 {
            let (mut ga, mut gb) = (RIDGE * (a - 1.0), RIDGE * b);
            let (mut haa, mut hab, mut hbb) = (RIDGE, 0.0, RIDGE);
            for &(x, y) in &data {
                let q = 1.0 / (1.0 + (-(a * x + b)).exp());
                let w = q * (1.0 - q);
                ga += (q - y) * x;
                gb += q - y;
                haa += w * x * x;
                hab += w * x;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det <= 0.0 || !det.is_finite() {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            // Halve the step until the loss falls (at most 30 times).
            let mut t = 1.0;
            let mut moved = false;
            for _ in 0..30 {
                let next = loss(a - t * da, b - t * db);
                if next <= current {
                    a -= t * da;
                    b -= t * db;
                    current = next;
                    moved = true;
                    break;
                }
                t /= 2.0;
            }
            if !moved || (t * (da.abs() + db.abs())) < 1e-10 {
                break;
            }
        }
        (a > 0.0 && a.is_finite() && b.is_finite()).then_some(Platt {
            a: a as f32,
            b: b as f32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_changes_nothing() {
        for p in [0.01f32, 0.2, 0.5, 0.77, 0.99] {
            assert!((Platt::IDENTITY.apply(p) - p).abs() < 1e-5, "{p}");
        }
        assert!(Platt::IDENTITY.apply(f32::NAN).is_nan());
    }

    #[test]
    fn calibrated_outcomes_fit_near_identity() {
        // Outcomes that already match their confidences.
        let mut seen = Vec::new();
        for (p, right_of_ten) in [(0.1f32, 1), (0.3, 3), (0.5, 5), (0.7, 7), (0.9, 9)] {
            for k in 0..40 {
                seen.push((p, k % 10 < right_of_ten));
            }
        }
        let platt = Platt::fit(&seen).unwrap();
        assert!((platt.a - 1.0).abs() < 0.1, "{platt:?}");
        assert!(platt.b.abs() < 0.1, "{platt:?}");
    }

    #[test]
    fn underconfident_scores_are_raised_in_order() {
        // Right twice as often as they claim.
        let mut seen = Vec::new();
        for (p, right_of_ten) in [(0.1f32, 2), (0.2, 4), (0.3, 6), (0.4, 8)] {
            for k in 0..50 {
                seen.push((p, k % 10 < right_of_ten));
            }
        }
        let platt = Platt::fit(&seen).unwrap();
        let mapped: Vec<f32> = [0.1, 0.2, 0.3, 0.4].map(|p| platt.apply(p)).to_vec();
        assert!(mapped.windows(2).all(|w| w[0] < w[1]), "{mapped:?}");
        assert!((mapped[1] - 0.4).abs() < 0.08, "{mapped:?}");
        assert!((mapped[3] - 0.8).abs() < 0.08, "{mapped:?}");
    }

    #[test]
    fn nothing_to_fit() {
        assert_eq!(Platt::fit(&[(0.5, true); 10]), None);
        assert_eq!(Platt::fit(&[(0.5, true); 100]), None);
        assert_eq!(Platt::fit(&[(0.5, false); 100]), None);
        // Confidences that say the opposite of the outcomes would reverse the order.
        let mut seen = Vec::new();
        for k in 0..100 {
            seen.push((0.9, k % 10 == 0));
            seen.push((0.1, k % 10 != 0));
        }
        assert_eq!(Platt::fit(&seen), None);
    }
}
