//! How often an ensemble's spans are right at each confidence, and the calibration map that
//! makes its confidence say so.

use crate::classical::TrainDoc;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use unspin_core::Span;
use unspin_ml::calibrate::Platt;

/// Spans whose confidence falls in `[lo, hi)`, and how many of them are right: they overlap a
/// gold span of the same technique.
#[derive(Debug, Clone, Serialize)]
pub struct Bin {
    pub lo: f32,
    pub hi: f32,
    pub spans: usize,
    pub right: usize,
    /// The mean confidence of the bin's spans (0 when it has none).
    pub mean_confidence: f32,
}

/// A detected span's article, confidence, and whether it is right (it overlaps a gold span of
/// the same technique).
pub(super) type Outcome = (String, f32, bool);

/// Detected spans (tagged with their article's id) as outcomes against `docs`' gold.
pub(super) fn outcomes(spans: &[(String, Span)], docs: &[&TrainDoc]) -> Vec<Outcome> {
    let by_id: HashMap<&str, &TrainDoc> = docs
        .iter()
        .map(|d| (d.doc.article.id.as_str(), *d))
        .collect();
    spans
        .iter()
        .map(|(id, s)| {
            let right = by_id.get(id.as_str()).is_some_and(|d| {
                d.techniques
                    .iter()
                    .any(|(g, t)| *t == s.technique && g.overlap(&s.chars()) > 0)
            });
            (id.clone(), s.confidence, right)
        })
        .collect()
}

/// Outcomes binned in tenths of confidence.
fn bins(outcomes: impl IntoIterator<Item = (f32, bool)>) -> Vec<Bin> {
    let mut bins: Vec<(Bin, f64)> = (0..10)
        .map(|i| {
            let bin = Bin {
                lo: i as f32 / 10.0,
                hi: (i + 1) as f32 / 10.0,
                spans: 0,
                right: 0,
                mean_confidence: 0.0,
            };
            (bin, 0.0)
        })
        .collect();
    for (c, right) in outcomes {
        let (b, sum) = &mut bins[((c * 10.0) as usize).min(9)];
        b.spans += 1;
        b.right += usize::from(right);
        *sum += f64::from(c);
    }
    bins.into_iter()
        .map(|(mut b, sum)| {
            if b.spans > 0 {
                b.mean_confidence = (sum / b.spans as f64) as f32;
            }
            b
        })
        .collect()
}

/// Expected calibration error: the gap between a bin's mean confidence and the share of its
/// spans that are right, averaged over spans.
pub fn calibration_error(bins: &[Bin]) -> f64 {
    let n: usize = bins.iter().map(|b| b.spans).sum();
    if n == 0 {
        return 0.0;
    }
    bins.iter()
        .filter(|b| b.spans > 0)
        .map(|b| {
            (f64::from(b.mean_confidence) - b.right as f64 / b.spans as f64).abs() * b.spans as f64
        })
        .sum::<f64>()
        / n as f64
}

/// How an ensemble's confidences fare under the blend that ships (chosen on all held-out
/// articles): raw, and mapped by a calibration fitted on one half of the held-out articles and
/// applied to the other (both ways, pooled, so the map never saw the spans it is scored on),
/// with the map fitted on all of them (what ships).
#[derive(Debug, Clone, Serialize)]
pub struct ModelReliability {
    pub model: String,
    pub raw: Vec<Bin>,
    pub calibrated: Vec<Bin>,
    pub error_raw: f64,
    pub error_calibrated: f64,
    pub calibration: Option<Platt>,
}

impl ModelReliability {
    pub(super) fn measure(model: String, outcomes: &[Outcome], half_a: &BTreeSet<&str>) -> Self {
        let raw = bins(outcomes.iter().map(|(_, c, r)| (*c, *r)));
        let mut calibrated = Vec::new();
        for fit_on_a in [true, false] {
            let (fit, apply): (Vec<&Outcome>, Vec<&Outcome>) = outcomes
                .iter()
                .partition(|(id, _, _)| half_a.contains(id.as_str()) == fit_on_a);
            let platt = Platt::fit(&fit.iter().map(|(_, c, r)| (*c, *r)).collect::<Vec<_>>())
                .unwrap_or(Platt::IDENTITY);
            calibrated.extend(apply.iter().map(|(_, c, r)| (platt.apply(*c), *r)));
        }
        let calibrated = bins(calibrated);
        let all: Vec<(f32, bool)> = outcomes.iter().map(|(_, c, r)| (*c, *r)).collect();
        ModelReliability {
            model,
            error_raw: calibration_error(&raw),
            error_calibrated: calibration_error(&calibrated),
            raw,
            calibrated,
            calibration: Platt::fit(&all),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_count_and_average() {
        let b = bins([(0.15, true), (0.12, false), (0.95, true), (1.0, true)]);
        assert_eq!(b.len(), 10);
        assert_eq!((b[1].spans, b[1].right), (2, 1));
        assert!((b[1].mean_confidence - 0.135).abs() < 1e-6);
        // A confidence of exactly 1 falls in the top bin.
        assert_eq!((b[9].spans, b[9].right), (2, 2));
        assert_eq!(b[5].spans, 0);
        // Bin 1: |0.135 - 0.5| over 2 spans; bin 9: |0.975 - 1| over 2.
        let e = calibration_error(&b);
        assert!((e - (0.365 * 2.0 + 0.025 * 2.0) / 4.0).abs() < 1e-6, "{e}");
        assert_eq!(calibration_error(&bins([])), 0.0);
    }

    #[test]
    fn underconfident_spans_are_calibrated_across_halves() {
        // Two articles a half, each with spans right about twice as often as they claim.
        let mut seen = Vec::new();
        for id in ["a1", "a2", "b1", "b2"] {
            for (c, right_of_ten) in [(0.15f32, 3), (0.25, 5), (0.35, 7)] {
                for k in 0..40 {
                    seen.push((id.to_string(), c, k % 10 < right_of_ten));
                }
            }
        }
        let half_a: BTreeSet<&str> = ["a1", "a2"].into();
        let m = ModelReliability::measure("m".into(), &seen, &half_a);
        assert!(m.error_raw > 0.15, "{}", m.error_raw);
        assert!(m.error_calibrated < 0.05, "{}", m.error_calibrated);
        let n = |b: &[Bin]| b.iter().map(|b| b.spans).sum::<usize>();
        assert_eq!(n(&m.raw), seen.len());
        assert_eq!(n(&m.calibrated), seen.len());
        let platt = m.calibration.unwrap();
        assert!(platt.apply(0.25) > 0.45 && platt.apply(0.25) < 0.55);
    }
}
