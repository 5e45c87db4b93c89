//! Fused, in-place CPU kernels for the element-wise parts of a layer.
//!
//! Profiling a MiniLM window showed a third of the time outside the GEMMs: candle's softmax
//! and exact GELU call scalar libm `expf`/`erff` per element, and every bias add, residual add
//! and LayerNorm is its own pass over memory with a freshly allocated (and zeroed) output and
//! its own thread barrier. These kernels fuse each run of element-wise work into one pass over
//! a tensor that was just produced by a matmul (so nothing else holds it and writing in place
//! is sound), parallelised by rows with rayon, and vectorised: the loops are plain Rust that
//! the compiler vectorises, compiled a second time with AVX-512 / AVX2+FMA enabled and picked
//! at run time.
//!
//! `exp` and `erf` are polynomial approximations accurate to about 2 ulp (exp, Cephes) and
//! 1.5e-7 absolute (erf, Abramowitz & Stegun 7.1.26), well below f32 GEMM noise; the parity
//! tests against PyTorch bound the end-to-end difference.

use candle_core::{CpuStorage, InplaceOp2, InplaceOp3, Layout, Tensor};
use rayon::prelude::*;

use crate::{Error, Result};

/// Rows handed to one rayon task at a time: enough work per task to amortise scheduling.
const MIN_ROWS: usize = 16;

#[inline(always)]
fn exp(x: f32) -> f32 {
    // exp(x) = 2^n · exp(r), n = round(x / ln 2), |r| ≤ ln 2 / 2; Cephes expf polynomial.
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const C1: f32 = 0.693_359_4;
    const C2: f32 = -2.121_944_4e-4;
    let xc = x.clamp(-87.0, 88.0);
    // Round to nearest with the 1.5·2^23 trick: the sum's low mantissa bits hold round(x/ln 2)
    // (offset by 0x4B40_0000), so neither `roundps` nor a saturating float-to-int `as` (which
    // compiles to scalar compare-and-branch code) is needed, and the loop stays vectorised.
    let t = xc * LOG2E + 12_582_912.0;
    let n = t - 12_582_912.0;
    let r = xc - n * C1 - n * C2;
    let mut p = 1.987_569_2e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5; // Cephes: 5.0000001e-1, which is 0.5 in f32
    let e = p * r * r + r + 1.0;
    let scale = f32::from_bits(t.to_bits().wrapping_sub(0x4B40_0000).wrapping_add(127) << 23);
    // Below the clamp the true value is < 2^-125: call it 0, as masked keys must be.
    if x < -87.0 {
        0.0
    } else {
        e * scale
    }
}

#[inline(always)]
fn gelu(x: f32) -> f32 {
    // 0.5·x·(1 + erf(x/√2)), erf by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7).
    let z = x * std::f32::consts::FRAC_1_SQRT_2;
    let a = z.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let mut p = 1.061_405_4_f32;
    p = p * t - 1.453_152_1;
    p = p * t + 1.421_413_8;
    p = p * t - 0.284_496_74;
    p = p * t + 0.254_829_6;
    let erf_abs = 1.0 - p * t * exp(-a * a);
    let erf = if z < 0.0 { -erf_abs } else { erf_abs };
    0.5 * x * (1.0 + erf)
}

/// Lanes of the partial reductions: f32 addition and `max` are not associative, so the
/// compiler keeps a plain loop serial; 16 explicit accumulators let it use whole vectors.
const LANES: usize = 16;

#[inline(always)]
fn lane_sum(xs: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let chunks = xs.chunks_exact(LANES);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for i in 0..LANES {
            acc[i] += c[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[inline(always)]
fn lane_max(xs: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let chunks = xs.chunks_exact(LANES);
    let tail = chunks
        .remainder()
        .iter()
        .fold(f32::NEG_INFINITY, |m, &x| m.max(x));
    for c in chunks {
        for i in 0..LANES {
            acc[i] = if c[i] > acc[i] { c[i] } else { acc[i] };
        }
    }
    acc.iter().fold(tail, |m, &x| m.max(x))
}

#[inline(always)]
fn softmax_row(row: &mut [f32], bias: &[f32]) {
    for (x, b) in row.iter_mut().zip(bias) {
        *x += b;
    }
    let max = lane_max(row);
    for x in row.iter_mut() {
        *x = exp(*x - max);
    }
    let inv = 1.0 / lane_sum(row);
    for x in row.iter_mut() {
        *x *= inv;
    }
}

#[inline(always)]
fn bias_gelu_row(row: &mut [f32], bias: &[f32]) {
    for (x, b) in row.iter_mut().zip(bias) {
        *x = gelu(*x + b);
    }
}

/// `row = LayerNorm(row + bias + residual) · gamma + beta`, two-pass (mean, then variance of
/// the centred values) like PyTorch, so large activations do not lose precision.
#[inline(always)]
fn norm_row(row: &mut [f32], residual: &[f32], params: &[f32], eps: f32) {
    let n = row.len();
    let (bias, rest) = params.split_at(n);
    let (gamma, beta) = rest.split_at(n);
    for ((x, r), b) in row.iter_mut().zip(residual).zip(bias) {
        *x += r + b;
    }
    let mean = lane_sum(row) / n as f32;
    let mut var = [0f32; LANES];
    for c in row.chunks_mut(LANES) {
        for (i, x) in c.iter_mut().enumerate() {
            *x -= mean;
            var[i] += *x * *x;
        }
    }
    let var: f32 = var.iter().sum();
    let inv = 1.0 / (var / n as f32 + eps).sqrt();
    for ((x, g), b) in row.iter_mut().zip(gamma).zip(beta) {
        *x = *x * inv * g + b;
    }
}

/// Defines `$name(args)` that runs `$body` compiled for AVX-512, for AVX2+FMA, or for the
/// baseline, whichever the CPU supports.
macro_rules! dispatch {
    ($name:ident, ($($arg:ident: $ty:ty),*), $kernel:ident) => {
        fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                fn v4($($arg: $ty),*) {
                    $kernel($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                fn v3($($arg: $ty),*) {
                    $kernel($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU supports AVX-512F, checked just above.
                    return unsafe { v4($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                {
                    // SAFETY: the CPU supports AVX2 and FMA, checked just above.
                    return unsafe { v3($($arg),*) };
                }
            }
            $kernel($($arg),*)
        }
    };
}

dispatch!(softmax_row_fast, (row: &mut [f32], bias: &[f32]), softmax_row);
dispatch!(bias_gelu_row_fast, (row: &mut [f32], bias: &[f32]), bias_gelu_row);
dispatch!(
    norm_row_fast,
    (row: &mut [f32], residual: &[f32], params: &[f32], eps: f32),
    norm_row
);

fn contiguous_f32<'a>(s: &'a CpuStorage, l: &Layout, what: &str) -> candle_core::Result<&'a [f32]> {
    match (s, l.contiguous_offsets()) {
        (CpuStorage::F32(v), Some((a, b))) => Ok(&v[a..b]),
        _ => candle_core::bail!("{what}: expected a contiguous f32 tensor"),
    }
}

fn contiguous_f32_mut<'a>(
    s: &'a mut CpuStorage,
    l: &Layout,
    what: &str,
) -> candle_core::Result<&'a mut [f32]> {
    match (s, l.contiguous_offsets()) {
        (CpuStorage::F32(v), Some((a, b))) => Ok(&mut v[a..b]),
        _ => candle_core::bail!("{what}: expected a contiguous f32 tensor"),
    }
}

/// Softmax over the last dimension of `(B, H, Q, K)` scores after adding a bias that
/// broadcasts to them (each of its first three dims is 1 or full; the last is K).
struct SoftmaxBias;

impl InplaceOp2 for SoftmaxBias {
    fn name(&self) -> &'static str {
        "unspin-softmax-bias"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<()> {
        let (b, h, q, k) = l1.shape().dims4()?;
        let (bb, bh, bq, bk) = l2.shape().dims4()?;
        let fits = |full: usize, got: usize| got == 1 || got == full;
        if bk != k || !fits(b, bb) || !fits(h, bh) || !fits(q, bq) {
            candle_core::bail!(
                "softmax bias {:?} does not broadcast to scores {:?}",
                l2.dims(),
                l1.dims()
            );
        }
        let bias = contiguous_f32(s2, l2, "softmax bias")?;
        let scores = contiguous_f32_mut(s1, l1, "softmax scores")?;
        scores
            .par_chunks_mut(k)
            .with_min_len(MIN_ROWS)
            .enumerate()
            .for_each(|(r, row)| {
                let (bi, hi, qi) = (r / (h * q), (r / q) % h, r % q);
                let br = ((if bb == 1 { 0 } else { bi }) * bh + if bh == 1 { 0 } else { hi }) * bq
                    + if bq == 1 { 0 } else { qi };
                softmax_row_fast(row, &bias[br * k..(br + 1) * k]);
            });
        Ok(())
    }
}

/// `x = gelu(x + bias)` over the last dimension.
struct BiasGelu;

impl InplaceOp2 for BiasGelu {
    fn name(&self) -> &'static str {
        "unspin-bias-gelu"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<()> {
        let n = l2.shape().elem_count();
        if l1.dims().last() != Some(&n) {
            candle_core::bail!("gelu bias {:?} does not fit {:?}", l2.dims(), l1.dims());
        }
        let bias = contiguous_f32(s2, l2, "gelu bias")?;
        let x = contiguous_f32_mut(s1, l1, "gelu input")?;
        x.par_chunks_mut(n)
            .with_min_len(MIN_ROWS)
            .for_each(|row| bias_gelu_row_fast(row, bias));
        Ok(())
    }
}

/// `x = LayerNorm(x + bias + residual)` over the last dimension; `params` is `(3, n)`:
/// bias, gamma, beta.
struct BiasResidualNorm {
    eps: f32,
}

impl InplaceOp3 for BiasResidualNorm {
    fn name(&self) -> &'static str {
        "unspin-bias-residual-norm"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<()> {
        let n = l3.shape().elem_count() / 3;
        if l1.dims() != l2.dims() || l1.dims().last() != Some(&n) || l3.dims() != [3, n] {
            candle_core::bail!(
                "layer norm: x {:?}, residual {:?}, params {:?} do not fit",
                l1.dims(),
                l2.dims(),
                l3.dims()
            );
        }
        let residual = contiguous_f32(s2, l2, "residual")?;
        let params = contiguous_f32(s3, l3, "norm params")?;
        let x = contiguous_f32_mut(s1, l1, "norm input")?;
        let eps = self.eps;
        x.par_chunks_mut(n)
            .zip(residual.par_chunks(n))
            .with_min_len(MIN_ROWS)
            .for_each(|(row, res)| norm_row_fast(row, res, params, eps));
        Ok(())
    }
}

/// In place: `scores = softmax(scores + bias)` over the last dimension. `scores` must be a
/// fresh contiguous f32 tensor that nothing else refers to.
pub(crate) fn softmax_with_bias(scores: &Tensor, bias: &Tensor) -> Result<()> {
    scores.inplace_op2(bias, &SoftmaxBias).map_err(Error::from)
}

/// In place: `x = gelu(x + bias)` (exact, erf-based GELU).
pub(crate) fn bias_gelu(x: &Tensor, bias: &Tensor) -> Result<()> {
    x.inplace_op2(bias, &BiasGelu).map_err(Error::from)
}

/// In place: `x = LayerNorm(x + bias + residual)`, `params` = stacked (bias, gamma, beta).
pub(crate) fn bias_residual_norm(
    x: &Tensor,
    residual: &Tensor,
    params: &Tensor,
    eps: f64,
) -> Result<()> {
    x.inplace_op3(residual, params, &BiasResidualNorm { eps: eps as f32 })
        .map_err(Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_and_gelu_match_libm() {
        let mut worst_exp = 0f32;
        let mut worst_gelu = 0f32;
        for i in -20_000..=20_000 {
            let x = i as f32 * 0.004;
            let e = x.exp();
            worst_exp = worst_exp.max(((exp(x) - e) / e).abs());
            let g = 0.5 * x as f64 * (1.0 + libm_erf(x as f64 / std::f64::consts::SQRT_2));
            worst_gelu = worst_gelu.max((gelu(x) as f64 - g).abs() as f32);
        }
        assert!(worst_exp < 5e-7, "exp relative error {worst_exp}");
        assert!(worst_gelu < 1e-6, "gelu absolute error {worst_gelu}");
        assert_eq!(exp(-1e9), 0.0);
        assert!(exp(100.0).is_finite());
    }

    /// erf in f64 by its Taylor series (|x| ≤ 3) or continued fraction, for the test only.
    fn libm_erf(x: f64) -> f64 {
        if x.abs() > 5.0 {
            return x.signum();
        }
        let mut sum = x;
        let mut term = x;
        for n in 1..200 {
            term *= -x * x / n as f64;
            sum += term / (2 * n + 1) as f64;
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn fused_ops_match_candle() {
        let dev = candle_core::Device::Cpu;
        let scores = Tensor::randn(0f32, 3.0, (2, 3, 5, 7), &dev).unwrap();
        let bias = Tensor::randn(0f32, 1.0, (2, 1, 1, 7), &dev).unwrap();
        let expected =
            candle_nn::ops::softmax_last_dim(&scores.broadcast_add(&bias).unwrap()).unwrap();
        let got = scores.copy().unwrap();
        softmax_with_bias(&got, &bias).unwrap();
        let d = (got - expected).unwrap().abs().unwrap().max_all().unwrap();
        assert!(d.to_scalar::<f32>().unwrap() < 1e-6);

        let x = Tensor::randn(0f32, 2.0, (4, 6), &dev).unwrap();
        let b = Tensor::randn(0f32, 1.0, (6,), &dev).unwrap();
        let expected = x.broadcast_add(&b).unwrap().gelu_erf().unwrap();
        let got = x.copy().unwrap();
        bias_gelu(&got, &b).unwrap();
        let d = (got - expected).unwrap().abs().unwrap().max_all().unwrap();
        assert!(d.to_scalar::<f32>().unwrap() < 1e-6);

        let res = Tensor::randn(0f32, 1.0, (4, 6), &dev).unwrap();
        let params = Tensor::randn(0f32, 1.0, (3, 6), &dev).unwrap();
        let norm = candle_nn::LayerNorm::new(params.get(1).unwrap(), params.get(2).unwrap(), 1e-5);
        let sum = x
            .broadcast_add(&params.get(0).unwrap())
            .unwrap()
            .add(&res)
            .unwrap();
        let expected = candle_core::Module::forward(&norm, &sum).unwrap();
        let got = x.copy().unwrap();
        bias_residual_norm(&got, &res, &params, 1e-5).unwrap();
        let d = (got - expected).unwrap().abs().unwrap().max_all().unwrap();
        assert!(d.to_scalar::<f32>().unwrap() < 1e-5);
    }
}
