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
