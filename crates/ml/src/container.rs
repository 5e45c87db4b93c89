//! The file container shared by unspin's model files: a magic line naming the kind of model, a
//! little-endian `u32` format version, then a deflate stream of the postcard-encoded body.
//!
//! The magic line makes a wrong file fail loudly instead of decoding into nonsense, and the
//! version lets a build refuse a model whose features it would misread. Any byte string gives a
//! value or an [`Unpack`] error, never a panic, because model paths come from users.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::{Read, Write};

/// What is wrong with a container, before the caller attaches the file's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unpack {
    /// The file does not start with the expected magic line.
    Magic,
    /// The file is this kind of model, but of another format version (the one found).
    Version(u32),
    /// The header is truncated or the body does not inflate or decode.
    Corrupt(String),
}

/// Serialises `value` into a container.
pub fn pack<T: Serialize>(magic: &[u8], version: u32, value: &T) -> Vec<u8> {
    let raw = postcard::to_allocvec(value).expect("serialising to memory cannot fail");
    let mut enc = flate2::write::DeflateEncoder::new(
        [magic, &version.to_le_bytes()].concat(),
        flate2::Compression::best(),
    );
    enc.write_all(&raw).expect("writing to memory cannot fail");
    enc.finish().expect("writing to memory cannot fail")
}

/// Largest inflated body [`unpack`] accepts: 28 times the largest model shipped (the classical
/// model's body is 9 MB). Deflate reaches about 1000:1, so without a cap a crafted 1 MB
/// `--model` file would make unspin allocate a gigabyte before postcard could refuse it.
pub const MAX_INFLATED: u64 = 256 << 20;

/// Checks the magic line and version, inflates, and decodes the body.
pub fn unpack<T: DeserializeOwned>(magic: &[u8], version: u32, bytes: &[u8]) -> Result<T, Unpack> {
    let rest = bytes.strip_prefix(magic).ok_or(Unpack::Magic)?;
    let (found, body) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| Unpack::Corrupt("truncated header".into()))?;
    let found = u32::from_le_bytes(*found);
    if found != version {
        return Err(Unpack::Version(found));
    }
    let mut raw = Vec::new();
    flate2::read::DeflateDecoder::new(body)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut raw)
        .map_err(|e| Unpack::Corrupt(e.to_string()))?;
    if raw.len() as u64 > MAX_INFLATED {
        return Err(Unpack::Corrupt(format!(
            "the body inflates to more than {} MiB",
            MAX_INFLATED >> 20
        )));
    }
    postcard::from_bytes(&raw).map_err(|e| Unpack::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_failure_is_an_error() {
        let value = (7u32, "weights".to_string(), vec![1.5f32, -2.0]);
        let bytes = pack(b"TEST\n", 3, &value);
        assert_eq!(
            unpack::<(u32, String, Vec<f32>)>(b"TEST\n", 3, &bytes),
            Ok(value)
        );
        type V = (u32, String, Vec<f32>);
        assert_eq!(unpack::<V>(b"OTHER\n", 3, &bytes), Err(Unpack::Magic));
        assert_eq!(unpack::<V>(b"TEST\n", 4, &bytes), Err(Unpack::Version(3)));
        assert!(matches!(
            unpack::<V>(b"TEST\n", 3, b"TEST\n\x03"),
            Err(Unpack::Corrupt(_))
        ));
        for cut in 5..bytes.len() {
            assert!(
                unpack::<V>(b"TEST\n", 3, &bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_it_is_inflated_whole() {
        // 300 MiB of zeros deflate to about 300 KB: a body past the cap.
        let mut enc = flate2::write::DeflateEncoder::new(
            [b"TEST\n".as_slice(), &3u32.to_le_bytes()].concat(),
            flate2::Compression::fast(),
        );
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..300 {
            enc.write_all(&zeros).unwrap();
        }
        let bomb = enc.finish().unwrap();
        assert!(bomb.len() < 2 << 20);
        match unpack::<Vec<u8>>(b"TEST\n", 3, &bomb) {
            Err(Unpack::Corrupt(why)) => assert!(why.contains("256 MiB"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
