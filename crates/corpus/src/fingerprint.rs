//! The input fingerprint a batch run records, so that a resumed run can tell whether its
//! inputs changed.
//!
//! A resumed run trusts the shards an earlier run left, so if the inputs changed in between
//! it would mix reports of two different corpora. The fingerprint must therefore change with
//! the content, and must never change for the same content: not with the toolchain, the
//! platform or the crate versions. Scheme 1 failed both ways: it hashed path, size and
//! modification time through `std::hash::DefaultHasher`, whose algorithm Rust does not promise
//! to keep (a toolchain upgrade could make every resume refuse), and a same-size edit with the
//! old modification time restored (`touch -r`, `rsync -t`, a restored backup) went unseen.
//!
//! # Scheme 2
//!
//! Everything is SHA-256 (FIPS 180-4), integers are unsigned 64-bit little-endian.
//!
//! * **Content digest of one file** of `size` bytes (its length when the corpus was listed):
//!   - `size` ≤ [`WHOLE_LIMIT`] (64 MiB): SHA-256 of the whole file (what `sha256sum` prints);
//!   - larger: SHA-256 of the concatenation of [`SAMPLES`] (8) windows of [`SAMPLE_LEN`]
//!     (1 MiB) bytes, window `i` (0..=7) starting at `i * (size - SAMPLE_LEN) / 7`: the first
//!     and last MiB and six evenly spaced between. Reading all of a multi-gigabyte file on
//!     every resume would cost minutes; an edit of a large file that leaves its size and all
//!     eight windows unchanged goes unseen, a documented limit.
//! * **Fingerprint of the corpus**: SHA-256 of the ASCII tag `unspin batch fingerprint v2\n`
//!   followed, for each input file in the order it is read, by: the path's length and bytes
//!   (the raw bytes on Unix, UTF-8 elsewhere; as listed, so the path given on the command line
//!   joined with the file's place below a directory input), the size, one mode byte (0 whole,
//!   1 sampled, 2 unreadable) and the 32-byte content digest (all zeros when unreadable). It is
//!   written as 64 lowercase hex digits.
//!
//! A file that cannot be read gets mode 2 rather than failing the run: the run reports it as a
//! skipped record, as it always has, and the fingerprint changes once it becomes readable.
//!
//! Changing any of this means a new [`SCHEME`] number, so a run made under the old scheme is
//! refused with an explanation (see `batch`) instead of an unexplained mismatch.

use sha2::{Digest, Sha256};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// The scheme this build writes and can check.
pub const SCHEME: u32 = 2;

/// Files up to this size are hashed whole.
pub const WHOLE_LIMIT: u64 = 64 << 20;

/// Bytes in one sample window of a larger file.
pub const SAMPLE_LEN: u64 = 1 << 20;

/// Sample windows of a larger file, the first and the last included.
pub const SAMPLES: u64 = 8;

/// What the fingerprint says about one file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// SHA-256 of the whole file.
    Whole([u8; 32]),
    /// SHA-256 of the sample windows.
    Sampled([u8; 32]),
    /// The file could not be read when the fingerprint was taken.
    Unreadable,
}

impl Content {
    /// The content digest of `r`, a file of `size` bytes, by the rules of [`SCHEME`].
    pub fn of<R: Read + Seek>(mut r: R, size: u64) -> io::Result<Content> {
        let mut h = Sha256::new();
        if size <= WHOLE_LIMIT {
            // To the end, not just `size` bytes: a file that grew since it was listed must not
            // hash like the listed one.
            io::copy(&mut r, &mut h)?;
            return Ok(Content::Whole(h.finalize().into()));
        }
        for i in 0..SAMPLES {
            let offset = i * (size - SAMPLE_LEN) / (SAMPLES - 1);
            r.seek(SeekFrom::Start(offset))?;
            // A file that shrank since it was listed hashes its shorter windows.
            io::copy(&mut r.by_ref().take(SAMPLE_LEN), &mut h)?;
        }
        Ok(Content::Sampled(h.finalize().into()))
    }

    /// The content digest of the file at `path`; `Unreadable` if it cannot be read.
    pub fn of_file(path: &Path, size: u64) -> Content {
        std::fs::File::open(path)
            .and_then(|f| Content::of(io::BufReader::with_capacity(1 << 16, f), size))
            .unwrap_or(Content::Unreadable)
    }

    fn mode_and_digest(&self) -> (u8, [u8; 32]) {
        match *self {
            Content::Whole(d) => (0, d),
            Content::Sampled(d) => (1, d),
            Content::Unreadable => (2, [0; 32]),
        }
    }
}

/// The fingerprint of a corpus: its files' paths, sizes and content digests, in read order.
pub fn combine<'a>(files: impl IntoIterator<Item = (&'a Path, u64, Content)>) -> String {
    let mut h = Sha256::new();
    h.update(b"unspin batch fingerprint v2\n");
    for (path, size, content) in files {
        let path = path_bytes(path);
        h.update((path.len() as u64).to_le_bytes());
        h.update(&path);
        h.update(size.to_le_bytes());
        let (mode, digest) = content.mode_and_digest();
        h.update([mode]);
        h.update(digest);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

/// What a scheme fingerprints, for the message that refuses to resume a run made under
/// another one.
pub fn describe(scheme: u32) -> String {
    match scheme {
        1 => "v1 (path, size and modification time through Rust's DefaultHasher, which may \
              change between builds, and misses an edit that keeps size and time)"
            .to_string(),
        2 => "v2 (SHA-256 of path, size and content)".to_string(),
        n => format!("v{n} (unknown to this build)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn hex(d: [u8; 32]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A file of `len` bytes whose byte `i` is `i % 251`, without allocating it.
    struct Pattern {
        len: u64,
        pos: u64,
    }

    impl Read for Pattern {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.len.saturating_sub(self.pos) as usize);
            for (k, b) in buf[..n].iter_mut().enumerate() {
                *b = ((self.pos + k as u64) % 251) as u8;
            }
            self.pos += n as u64;
            Ok(n)
        }
    }

    impl Seek for Pattern {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            let SeekFrom::Start(p) = to else {
                unreachable!("only absolute seeks are used")
            };
            self.pos = p;
            Ok(p)
        }
    }

    // The expected values below were computed independently of this code (`sha256sum` and
    // Python's hashlib following the module documentation), so they pin the documented
    // scheme: if a dependency or toolchain upgrade changed any of them, resumes would break.

    #[test]
    fn a_small_file_is_hashed_whole_as_sha256sum_does() {
        let c = Content::of(Cursor::new(b"hello\n"), 6).unwrap();
        let Content::Whole(d) = c else {
            panic!("{c:?}")
        };
        assert_eq!(
            hex(d),
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
        );
    }

    #[test]
    fn a_large_file_is_hashed_by_its_samples() {
        let len = 100 * (1 << 20) + 12_345;
        let c = Content::of(Pattern { len, pos: 0 }, len).unwrap();
        let Content::Sampled(d) = c else {
            panic!("{c:?}")
        };
        assert_eq!(
            hex(d),
            "292b35c7cbb887751b67ce313397ebd569dce3a0dec6c0ed0b99dd83fb6df707"
        );
        // At the limit a file is still hashed whole.
        let c = Content::of(
            Pattern {
                len: WHOLE_LIMIT,
                pos: 0,
            },
            WHOLE_LIMIT,
        )
        .unwrap();
        assert!(matches!(c, Content::Whole(_)));
    }

    #[test]
    fn the_corpus_fingerprint_is_a_fixed_function_of_paths_sizes_and_contents() {
        let hello = Content::of(Cursor::new(b"hello\n"), 6).unwrap();
        let len = 100 * (1 << 20) + 12_345;
        let big = Content::of(Pattern { len, pos: 0 }, len).unwrap();
        let fp = combine([
            (Path::new("corpus/a.jsonl"), 6, hello),
            (Path::new("corpus/big.jsonl.gz"), len, big),
            (Path::new("corpus/locked.txt"), 3, Content::Unreadable),
        ]);
        assert_eq!(
            fp,
            "9d3d659f554fd7849858985651f71467129d40032b4e2c4195d99b014bbfab30"
        );
        assert_eq!(
            combine([]),
            "0d8538b12db2f87632e2fcc98a17160c1d8181307274765af0d999fee4823a76"
        );
        // Each part counts.
        let base = combine([(Path::new("a.jsonl"), 6, hello)]);
        assert_ne!(base, combine([(Path::new("b.jsonl"), 6, hello)]));
        assert_ne!(base, combine([(Path::new("a.jsonl"), 7, hello)]));
        assert_ne!(
            base,
            combine([(Path::new("a.jsonl"), 6, Content::Unreadable)])
        );
    }

    #[test]
    fn schemes_are_described_for_the_refusal_message() {
        assert!(describe(1).contains("modification time"));
        assert!(describe(SCHEME).contains("SHA-256"));
        assert!(describe(9).contains("unknown"));
    }
}
