//! Hashed weight vectors: dense in memory (fast lookups), sparse on disk (small model files).

use serde::{Deserialize, Serialize};

/// Largest `bits` a table may have: 2^26 rows is 256 MiB per weight column in memory, far past
/// any model unspin ships (21 bits at most), and a model file claiming more is corrupt.
pub const MAX_BITS: u32 = 26;

/// Rows of `width` weights indexed by a hashed feature modulo `2^bits`.
#[derive(Debug, Clone)]
pub struct HashedWeights {
    pub bits: u32,
    pub width: usize,
    pub w: Vec<f32>,
}

/// The on-disk form: only rows with a non-zero weight, indices delta-encoded (postcard writes
/// them as varints), weights as f32.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SparseWeights {
    bits: u32,
    width: u32,
    deltas: Vec<u32>,
    values: Vec<f32>,
}

/// Where the row of `feature` starts in a table of `2^bits` rows of `width` weights: what
/// [`HashedWeights::row_of`] answers, for callers that reduce features to rows before any table
/// exists (features shared by several models trained later, say).
#[inline]
pub fn row_index(bits: u32, width: usize, feature: u64) -> usize {
    // Fold the high bits in: the low bits of FNV-derived hashes are the weakest.
    let h = feature ^ (feature >> 29) ^ (feature >> 47);
    (h as usize & ((1usize << bits) - 1)) * width
}

impl HashedWeights {
    pub fn new(bits: u32, width: usize) -> Self {
        HashedWeights {
            bits,
            width,
            w: vec![0.0; (1usize << bits) * width],
        }
    }

    #[inline]
    pub fn row_of(&self, feature: u64) -> usize {
        row_index(self.bits, self.width, feature)
    }

    pub fn to_sparse(&self) -> SparseWeights {
        let mut deltas = Vec::new();
        let mut values = Vec::new();
        let mut last = 0usize;
        for (r, row) in self.w.chunks(self.width).enumerate() {
            if row.iter().any(|&x| x != 0.0) {
                deltas.push((r - last) as u32);
                last = r;
                values.extend_from_slice(row);
            }
        }
        SparseWeights {
            bits: self.bits,
            width: self.width as u32,
            deltas,
            values,
        }
    }

    pub fn from_sparse(s: &SparseWeights) -> Result<Self, String> {
        if s.bits > MAX_BITS || s.width == 0 || s.width > 64 {
            return Err(format!(
                "implausible weight table: bits {} width {}",
                s.bits, s.width
            ));
        }
        let width = s.width as usize;
        if s.values.len() != s.deltas.len() * width {
            return Err("weight table: value count does not match row count".into());
        }
        let mut out = HashedWeights::new(s.bits, width);
        let rows = 1usize << s.bits;
        let mut r = 0usize;
        for (k, &d) in s.deltas.iter().enumerate() {
            r += d as usize;
            if r >= rows {
                return Err("weight table: row index out of range".into());
            }
            out.w[r * width..(r + 1) * width]
                .copy_from_slice(&s.values[k * width..(k + 1) * width]);
        }
        Ok(out)
    }

    /// Number of non-zero rows.
    pub fn used_rows(&self) -> usize {
        self.w
            .chunks(self.width)
            .filter(|r| r.iter().any(|&x| x != 0.0))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_round_trip() {
        let mut w = HashedWeights::new(6, 3);
        w.w[3] = 1.5;
        w.w[5] = -2.0;
        w.w[63 * 3 + 2] = 0.25;
        let back = HashedWeights::from_sparse(&w.to_sparse()).unwrap();
        assert_eq!(back.w, w.w);
        assert_eq!(back.used_rows(), 2);
    }
}
