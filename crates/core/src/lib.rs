//! Core types of unspin.
//!
//! The flow is *input → [`Article`] (text + [`OffsetMap`]) → [`Document`] (tokens, sentences) →
//! [`Detector`] → [`Span`]s*. Offsets are Unicode code points everywhere; only [`offsets`]
//! converts to and from bytes.

pub mod aids;
pub mod article;
pub mod decode;
pub mod detector;
pub mod offsets;
pub mod report;
pub mod segment;
pub mod span;
pub mod summary;
pub mod technique;

pub use article::Article;
pub use decode::{
    assign_techniques, decode, mix_into, regions, spans_from_token_probabilities, top_techniques,
    DecodeOptions, RegionRule, TokenEvidence,
};
pub use detector::{
    Cancel, Cancelled, DetectError, Detection, Detector, Document, PieceVectors, TechniqueScores,
    UNIFORM_SCORES,
};
pub use offsets::OffsetMap;
pub use report::{Report, ReportSpan};
pub use segment::{Sentence, Token, TokenKind};
pub use span::{merge_ranges, CharSpan, Place, Span};
pub use technique::{Technique, UnknownTechnique};

/// How much of a bad field an error message quotes: enough to find it, not a megabyte of it.
pub const QUOTED_CHARS: usize = 40;

/// `field` quoted for an error message (as `{:?}` quotes it), cut after [`QUOTED_CHARS`]
/// characters with its length.
///
/// ```
/// use unspin_core::quote_field;
/// assert_eq!(quote_field("12x"), "\"12x\"");
/// assert_eq!(
///     quote_field(&"9".repeat(1000)),
///     format!("\"{}\"… (first 40 characters of 1000)", "9".repeat(40))
/// );
/// ```
pub fn quote_field(field: &str) -> String {
    match field.char_indices().nth(QUOTED_CHARS) {
        None => format!("{field:?}"),
        Some((cut, _)) => format!(
            "{:?}… (first {QUOTED_CHARS} characters of {})",
            &field[..cut],
            field.chars().count()
        ),
    }
}
