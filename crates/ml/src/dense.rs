//! Dense vector arithmetic for the heads that read an encoder's vectors (the claims and quote
//! models). Two functions do not justify a linear-algebra crate; the models' weights are plain
//! `Vec<f32>` rows.

/// The dot product of `a` and `b` (over the shorter of the two), summed in eight lanes so that
/// the compiler vectorises it.
///
/// ```
/// assert_eq!(unspin_ml::dense::dot(&[1.0; 10], &[2.0; 10]), 20.0);
/// ```
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// The logistic function.
///
/// ```
/// assert_eq!(unspin_ml::dense::sigmoid(0.0), 0.5);
/// ```
pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}
