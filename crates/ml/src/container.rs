//! The file container shared by unspin's model files: a magic line naming the kind of model, a
//! little-endian `u32` format version, a deflate stream of the postcard-encoded body, then a
//! checksum trailer: `crc32:` and the little-endian CRC-32 of the inflated body.
//!
//! The magic line makes a wrong file fail loudly instead of decoding into nonsense, and the
//! version lets a build refuse a model whose features it would misread. Raw deflate has no
//! checksum of its own, so without the trailer a flipped byte could inflate into other weights
//! of the same shape and load without a word (a bad-input sweep made 40 such copies of the
//! classical model: 13 loaded). Files written before the trailer existed end with the deflate
//! stream, and still load; anything else after the stream is an error. Any byte string gives a
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
    let mut bytes = enc.finish().expect("writing to memory cannot fail");
    bytes.extend_from_slice(TRAILER);
    bytes.extend_from_slice(&crc32(&raw).to_le_bytes());
    bytes
}

/// What follows the deflate stream: this tag and four bytes of CRC-32.
const TRAILER: &[u8] = b"crc32:";

/// "1 unexpected byte", "3 unexpected bytes": a count of bytes for a message.
fn count_bytes(n: usize, adjective: &str) -> String {
    format!("{n} {adjective}byte{}", if n == 1 { "" } else { "s" })
}

fn crc32(raw: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(raw);
    crc.sum()
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
    // A slice reader, not the buffered one `read::DeflateDecoder` wraps around any reader, so
    // that `total_in` is exactly where the stream ended and the trailer begins.
    let mut inflate = flate2::bufread::DeflateDecoder::new(body);
    (&mut inflate)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut raw)
        .map_err(|e| Unpack::Corrupt(e.to_string()))?;
    if raw.len() as u64 > MAX_INFLATED {
        return Err(Unpack::Corrupt(format!(
            "the body inflates to more than {} MiB",
            MAX_INFLATED >> 20
        )));
    }
    let rest = usize::try_from(inflate.total_in())
        .ok()
        .and_then(|n| body.get(n..))
        .ok_or_else(|| Unpack::Corrupt("the body ends past the file".into()))?;
    match rest
        .strip_prefix(TRAILER)
        .map(<[u8]>::split_first_chunk::<4>)
    {
        // Written before the trailer existed: nothing to check against.
        None if rest.is_empty() => {}
        Some(Some((sum, []))) => {
            let (stored, found) = (u32::from_le_bytes(*sum), crc32(&raw));
            if stored != found {
                return Err(Unpack::Corrupt(format!(
                    "checksum mismatch (stored {stored:08x}, body {found:08x}): the file was \
                     changed or damaged after it was written"
                )));
            }
        }
        _ => {
            return Err(Unpack::Corrupt(format!(
                "{} after the body",
                count_bytes(rest.len(), "unexpected ")
            )))
        }
    }
    // `pack` writes nothing after the body, so leftovers mean the stream was damaged in a way
    // that still inflated (a case the CRC covers in new files, not in files without one).
    match postcard::take_from_bytes(&raw) {
        Ok((value, [])) => Ok(value),
        Ok((_, extra)) => Err(Unpack::Corrupt(format!(
            "{} left over after the body decoded",
            count_bytes(extra.len(), "")
        ))),
        Err(e) => Err(Unpack::Corrupt(e.to_string())),
    }
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
            Ok(value.clone())
        );
        type V = (u32, String, Vec<f32>);
        assert_eq!(unpack::<V>(b"OTHER\n", 3, &bytes), Err(Unpack::Magic));
        assert_eq!(unpack::<V>(b"TEST\n", 4, &bytes), Err(Unpack::Version(3)));
        assert!(matches!(
            unpack::<V>(b"TEST\n", 3, b"TEST\n\x03"),
            Err(Unpack::Corrupt(_))
        ));
        // Cut anywhere, it fails; but cut just before its trailer it reads as a file from
        // before trailers, whose stream is whole: the same value.
        let stream_end = bytes.len() - TRAILER.len() - 4;
        for cut in 5..bytes.len() {
            let got = unpack::<V>(b"TEST\n", 3, &bytes[..cut]);
            if cut == stream_end {
                assert_eq!(got, Ok(value.clone()));
            } else {
                assert!(got.is_err(), "cut at {cut}");
            }
        }
    }

    #[test]
    fn a_changed_byte_anywhere_is_an_error_and_files_without_a_trailer_still_load() {
        let value: Vec<f32> = (0..2000).map(|i| (i as f32 * 0.37).sin()).collect();
        let bytes = pack(b"TEST\n", 3, &value);
        let mut loaded = 0;
        for at in 9..bytes.len() {
            for flip in [0x01u8, 0x80] {
                let mut bad = bytes.clone();
                bad[at] ^= flip;
                match unpack::<Vec<f32>>(b"TEST\n", 3, &bad) {
                    Ok(v) => {
                        // Only a change deflate cannot see (say, in a block's unused bits)
                        // may load, and then it must give the very same weights.
                        assert_eq!(v, value, "byte {at} ^ {flip:#x} loaded other weights");
                        loaded += 1;
                    }
                    Err(Unpack::Corrupt(_)) => {}
                    Err(e) => panic!("{e:?}"),
                }
            }
        }
        assert!(
            loaded * 100 < bytes.len(),
            "{loaded} of {} loaded",
            2 * bytes.len()
        );
        // A file from before the trailer: the deflate stream ends the file.
        let old = &bytes[..bytes.len() - TRAILER.len() - 4];
        assert_eq!(unpack::<Vec<f32>>(b"TEST\n", 3, old), Ok(value.clone()));
        for extra in [b"x".as_slice(), b"crc32:", b"crc32:\0\0\0\0\0"] {
            let junk = [bytes.as_slice(), extra].concat();
            match unpack::<Vec<f32>>(b"TEST\n", 3, &junk) {
                Err(Unpack::Corrupt(why)) => assert!(why.contains("unexpected byte"), "{why}"),
                other => panic!("{other:?}"),
            }
        }
        let mut wrong = bytes.clone();
        let last = wrong.len() - 1;
        wrong[last] ^= 1;
        match unpack::<Vec<f32>>(b"TEST\n", 3, &wrong) {
            Err(Unpack::Corrupt(why)) => assert!(why.contains("checksum mismatch"), "{why}"),
            other => panic!("{other:?}"),
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
