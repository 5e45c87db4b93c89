//! The one place that converts between Unicode code-point offsets (what PTC, our outputs and our
//! APIs use) and UTF-8 byte offsets (what Rust string slicing needs).
//!
//! Keeping a byte offset for every character would cost 8 bytes per character (800 MB for a
//! 100 MB article), so the map stores a checkpoint every [`STRIDE`] characters and walks at most
//! `STRIDE - 1` characters from the nearest one. Pure-ASCII text, the common case, needs no table.

use crate::span::CharSpan;

/// Characters between two checkpoints.
pub const STRIDE: usize = 64;

/// Converts code-point offsets to byte offsets and back for one text.
///
/// ```
/// use unspin_core::{CharSpan, OffsetMap};
/// // "é" is one code point but two UTF-8 bytes, so every offset after it differs by one.
/// let text = "Café owners";
/// let map = OffsetMap::new(text);
/// assert_eq!((map.len_chars(), map.len_bytes()), (11, 12));
/// assert_eq!(map.char_to_byte(text, 5), Some(6)); // "owners": code point 5, byte 6
/// assert_eq!(map.byte_to_char(text, 6), Some(5));
/// assert_eq!(map.byte_to_char(text, 4), None); // inside "é"
/// assert_eq!(map.char_to_byte(text, 12), None); // past the end
/// let bytes = map.byte_range(text, CharSpan::new(0, 4)).unwrap();
/// assert_eq!(&text[bytes], "Café");
/// ```
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    /// Byte offset of character `i * STRIDE`; empty when the text is ASCII.
    checkpoints: Vec<usize>,
    n_chars: usize,
    n_bytes: usize,
}

impl OffsetMap {
    /// Builds the map for `text` in one pass.
    pub fn new(text: &str) -> Self {
        let n_bytes = text.len();
        if text.is_ascii() {
            return OffsetMap {
                checkpoints: Vec::new(),
                n_chars: n_bytes,
                n_bytes,
            };
        }
        let mut checkpoints = Vec::with_capacity(n_bytes / STRIDE + 1);
        let mut n_chars = 0;
        for (b, _) in text.char_indices() {
            if n_chars % STRIDE == 0 {
                checkpoints.push(b);
            }
            n_chars += 1;
        }
        OffsetMap {
            checkpoints,
            n_chars,
            n_bytes,
        }
    }

    /// Number of code points in the text.
    pub fn len_chars(&self) -> usize {
        self.n_chars
    }

    /// Number of bytes in the text.
    pub fn len_bytes(&self) -> usize {
        self.n_bytes
    }

    fn is_identity(&self) -> bool {
        self.checkpoints.is_empty()
    }

    /// Byte offset of code point `c`; `c == len_chars()` maps to the end. `None` past the end.
    pub fn char_to_byte(&self, text: &str, c: usize) -> Option<usize> {
        if c > self.n_chars {
            return None;
        }
        if self.is_identity() {
            return Some(c);
        }
        if c == self.n_chars {
            return Some(self.n_bytes);
        }
        let base = self.checkpoints[c / STRIDE];
        let skip = c % STRIDE;
        text[base..].char_indices().nth(skip).map(|(b, _)| base + b)
    }

    /// Code-point offset of byte `b`, which must be on a character boundary.
    pub fn byte_to_char(&self, text: &str, b: usize) -> Option<usize> {
        if b > self.n_bytes || !text.is_char_boundary(b) {
            return None;
        }
        if self.is_identity() {
            return Some(b);
        }
        // Last checkpoint at or before b.
        let k = self.checkpoints.partition_point(|&cb| cb <= b) - 1;
        let base = self.checkpoints[k];
        Some(k * STRIDE + text[base..b].chars().count())
    }

    /// The byte range of a character span, or `None` if it leaves the text.
    pub fn byte_range(&self, text: &str, span: CharSpan) -> Option<std::ops::Range<usize>> {
        if span.start > span.end {
            return None;
        }
        let s = self.char_to_byte(text, span.start)?;
        let e = self.char_to_byte(text, span.end)?;
        Some(s..e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_all(text: &str) {
        let m = OffsetMap::new(text);
        assert_eq!(m.len_chars(), text.chars().count());
        let mut c = 0;
        for (b, _) in text.char_indices() {
            assert_eq!(m.char_to_byte(text, c), Some(b), "char {c}");
            assert_eq!(m.byte_to_char(text, b), Some(c), "byte {b}");
            c += 1;
        }
        assert_eq!(m.char_to_byte(text, c), Some(text.len()));
        assert_eq!(m.byte_to_char(text, text.len()), Some(c));
        assert_eq!(m.char_to_byte(text, c + 1), None);
    }

    #[test]
    fn ascii_is_identity() {
        check_all("Hello, world.");
        check_all("");
    }

    #[test]
    fn mixed_width_characters_across_checkpoints() {
        // BOM, 2-byte, 3-byte and 4-byte characters, repeated so they straddle many checkpoints.
        let unit = "\u{feff}é“quoted” 😀 naïve 𝔘nicode — ok\n";
        let text = unit.repeat(20);
        check_all(&text);
    }

    #[test]
    fn non_boundary_byte_is_rejected() {
        let t = "é";
        let m = OffsetMap::new(t);
        assert_eq!(m.byte_to_char(t, 1), None);
    }

    #[test]
    fn byte_range_of_span() {
        let t = "😀ab";
        let m = OffsetMap::new(t);
        assert_eq!(m.byte_range(t, CharSpan::new(1, 3)), Some(4..6));
        assert_eq!(m.byte_range(t, CharSpan::new(2, 9)), None);
    }
}

/// Converts increasing byte offsets to code-point offsets in one forward pass: the fast path
/// for tokenizers, which visit every boundary in order.
#[derive(Debug)]
pub struct ForwardCounter<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> ForwardCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        ForwardCounter {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// Code-point offset of byte `b`. `b` must be a char boundary not before the previous call.
    pub fn to_char(&mut self, b: usize) -> usize {
        debug_assert!(b >= self.byte, "ForwardCounter must move forward");
        if b > self.byte {
            let piece = &self.text.as_bytes()[self.byte..b];
            // Count UTF-8 lead bytes: every byte that is not a continuation byte starts a char.
            self.chars += piece.iter().filter(|&&x| (x as i8) >= -0x40).count();
            self.byte = b;
        }
        self.chars
    }
}

#[cfg(test)]
mod forward_tests {
    use super::*;

    #[test]
    fn forward_counter_matches_map() {
        let t = "a😀b\u{feff}é—z";
        let m = OffsetMap::new(t);
        let mut f = ForwardCounter::new(t);
        for (b, _) in t.char_indices() {
            assert_eq!(Some(f.to_char(b)), m.byte_to_char(t, b));
        }
        assert_eq!(f.to_char(t.len()), t.chars().count());
    }
}
