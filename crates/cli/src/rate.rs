//! Rates as the commands print them (`batch`'s summary and progress bar, `bench`).

/// A rate with three significant digits: the fine-tuned models analyse well under one article a
/// second on a small machine, and the bundled examples are a few kilobytes, so whole numbers
/// (or two decimals) would print "0 articles/s" and "0.00 MB/s".
///
/// `per_second(1898.4)` is `"1898"`, `per_second(12.34)` is `"12.3"`, `per_second(0.2488)` is
/// `"0.249"`, `per_second(0.001834)` is `"0.00183"`.
pub fn per_second(rate: f64) -> String {
    if !rate.is_finite() || rate <= 0.0 {
        // Zero (nothing done), or NaN/infinity from a clock that did not move: no digits to keep.
        return format!("{rate:.0}");
    }
    // Digits after the point for three significant ones; none past the units for 100 and up,
    // and at most nine so a rate of 1e-30 does not print thirty zeros.
    let decimals = (2 - rate.log10().floor() as i32).clamp(0, 9) as usize;
    format!("{rate:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::per_second;

    #[test]
    fn rates_keep_three_significant_digits() {
        assert_eq!(per_second(1898.4), "1898");
        assert_eq!(per_second(12.34), "12.3");
        assert_eq!(per_second(4.5678), "4.57");
        assert_eq!(per_second(0.2488), "0.249");
        assert_eq!(per_second(0.001834), "0.00183");
        assert_eq!(per_second(1e-30), "0.000000000");
        assert_eq!(per_second(0.0), "0");
    }
}
