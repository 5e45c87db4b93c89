//! Stable feature hashing.
//!
//! Trained weights are indexed by feature hashes, so the hash must never change between builds
//! or crate versions (std's `DefaultHasher` and `FxHasher` make no such promise). FNV-1a for
//! strings plus a 64-bit mixer for combining is small, fast and fixed forever.

/// The FNV-1a starting state: the hash of no bytes.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// Continues an FNV-1a hash `h` over more bytes, so text can be hashed piecewise (e.g. char by
/// char after lowercasing) without first building a string.
#[inline]
pub fn fnv_extend(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// FNV-1a over bytes.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    fnv_extend(FNV_OFFSET, bytes)
}

/// Combines two hashes (order matters). SplitMix64 finaliser over a rotated xor.
#[inline]
pub fn combine(a: u64, b: u64) -> u64 {
    let mut z = a.rotate_left(23) ^ b.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_fixed() {
        // Pinned values: a change here silently breaks every trained model.
        assert_eq!(hash_bytes(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash_bytes(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(combine(1, 2), combine(2, 1));
        assert_eq!(
            combine(hash_bytes(b"w"), hash_bytes(b"x")),
            combine(hash_bytes(b"w"), hash_bytes(b"x"))
        );
    }
}
