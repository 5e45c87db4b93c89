//! The seam every technique detector plugs into: the classical model today, transformer
//! encoders and ensembles later. A detector sees a [`Document`] (text plus segmentation, built
//! once and shared) and answers in code-point [`Span`]s.

use crate::article::Article;
use crate::segment::{self, Sentence, Token};
use crate::span::{CharSpan, Place, Span};
use crate::technique::Technique;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// An article with its tokens and sentences: what every detector and analysis reads. Every
/// token and sentence carries its code-point span, so what a detector finds in tokens maps
/// straight back onto the text.
///
/// ```
/// use unspin_core::{Article, CharSpan, Document};
/// let doc = Document::new(Article::new("1", "They lie. Always!"));
/// let words: Vec<&str> = (0..doc.tokens.len()).map(|i| doc.token_text(i)).collect();
/// assert_eq!(words, ["They", "lie", ".", "Always", "!"]);
/// assert_eq!(doc.tokens[3].span, CharSpan::new(10, 16));
/// assert_eq!(doc.sentences.len(), 2);
/// assert_eq!(doc.sentences[1].tokens, 3..5);
/// // The tokens a span touches: "lie. Al" overlaps "lie", "." and "Always".
/// assert_eq!(doc.tokens_in(CharSpan::new(5, 12)), 1..4);
/// // Views computed once, on first use, and shared by every detector and aid.
/// assert_eq!(doc.lower()[3], "always");
/// assert_eq!(doc.sentence_of(), [0, 0, 0, 1, 1]);
/// assert_eq!(doc.paragraph_of(), [0, 0, 0, 0, 0]);
/// ```
#[derive(Debug, Clone)]
pub struct Document {
    /// The article, tokens and sentences the views below are computed from: set by
    /// [`Document::new`] and not to be changed afterwards.
    pub article: Article,
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
    views: Views,
}

/// Per-token views of a [`Document`], each computed on first use. They used to be recomputed
/// by every aid that needed them (and the tokens cloned for it); now there is one copy.
#[derive(Debug, Clone, Default)]
struct Views {
    lower: OnceLock<Vec<String>>,
    sentence_of: OnceLock<Vec<usize>>,
    paragraph_of: OnceLock<Vec<usize>>,
}

impl Document {
    pub fn new(article: Article) -> Self {
        let tokens = segment::tokenize(article.text());
        let sentences = segment::sentences(article.text(), &tokens);
        Document {
            article,
            tokens,
            sentences,
            views: Views::default(),
        }
    }

    /// Every token's text, lowercased.
    pub fn lower(&self) -> &[String] {
        self.views.lower.get_or_init(|| {
            self.tokens
                .iter()
                .map(|t| t.text(self.article.text()).to_lowercase())
                .collect()
        })
    }

    /// The index of every token's sentence (0 for a token no sentence holds).
    pub fn sentence_of(&self) -> &[usize] {
        self.views.sentence_of.get_or_init(|| {
            let mut of = vec![0; self.tokens.len()];
            for (s, sent) in self.sentences.iter().enumerate() {
                for i in sent.tokens.clone() {
                    if let Some(slot) = of.get_mut(i) {
                        *slot = s;
                    }
                }
            }
            of
        })
    }

    /// The index of every token's paragraph: a new one starts at each token after a line
    /// break.
    pub fn paragraph_of(&self) -> &[usize] {
        self.views.paragraph_of.get_or_init(|| {
            let mut p = 0;
            self.tokens
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    if t.line_start && i > 0 {
                        p += 1;
                    }
                    p
                })
                .collect()
        })
    }

    pub fn text(&self) -> &str {
        self.article.text()
    }

    pub fn token_text(&self, i: usize) -> &str {
        self.tokens[i].text(self.article.text())
    }

    /// The place `span` of the text, for spans made from this document's own tokens and
    /// sentences, which lie inside it by construction. Tests catch a break of that (the debug
    /// assertion); a release build gives an empty place rather than stopping the analysis.
    pub fn place(&self, span: CharSpan) -> Place {
        let place = Place::new(&self.article, span);
        debug_assert!(place.is_some(), "{span:?} outside the article");
        place.unwrap_or_else(Place::empty)
    }

    /// Indices of the tokens that overlap `span`.
    pub fn tokens_in(&self, span: CharSpan) -> std::ops::Range<usize> {
        let a = self.tokens.partition_point(|t| t.span.end <= span.start);
        let b = self.tokens.partition_point(|t| t.span.start < span.end);
        a..b.max(a)
    }
}

/// Technique scores for one span: a probability per technique, in [`Technique::ALL`] order.
pub type TechniqueScores = [f32; Technique::COUNT];

/// Scores that prefer no technique: what a detector answers for a span it could not score.
pub const UNIFORM_SCORES: TechniqueScores = [1.0 / Technique::COUNT as f32; Technique::COUNT];

/// A flag that asks running work to stop, shared between whoever waits for the work and the
/// work itself. A server sets it when a request times out, so that the analysis gives its slot
/// back instead of finishing for a client that has gone.
///
/// ```
/// use unspin_core::Cancel;
/// let cancel = Cancel::new();
/// let seen_by_worker = cancel.clone();
/// assert!(seen_by_worker.check().is_ok());
/// cancel.cancel();
/// assert!(seen_by_worker.check().is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the work to stop; it does at its next [`Cancel::check`].
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once [`Cancel::cancel`] was called: work calls this between units
    /// (encoder windows, sentences) and returns the error with `?`.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Work stopped because its [`Cancel`] flag was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the analysis was cancelled")]
pub struct Cancelled;

/// What a detector found in one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detection {
    /// Technique spans (the FLC task; SI is their union).
    pub spans: Vec<Span>,
    /// What the reader of the report should know about how the spans were found: a part of an
    /// ensemble that failed on this article and was left out, say. The library never prints:
    /// the CLI writes notes to stderr, reports carry them (`Report::notes`).
    pub notes: Vec<String>,
    /// The encoder's vectors for the document, from detectors that run one: the aids reuse
    /// them (the claims model scores sentences from them) instead of encoding again.
    pub vectors: Option<Arc<PieceVectors>>,
}

impl Detection {
    /// Spans with nothing to note and no vectors.
    pub fn from_spans(spans: Vec<Span>) -> Self {
        Detection {
            spans,
            ..Detection::default()
        }
    }
}

/// An encoder's vectors for a document, kept so that the aids can reuse them instead of
/// encoding the text again: one row per word piece, with the piece's code-point span.
///
/// ```
/// use unspin_core::{CharSpan, PieceVectors};
/// let v = PieceVectors {
///     encoder: "toy".into(),
///     pieces: vec![CharSpan::new(0, 4), CharSpan::new(5, 8), CharSpan::new(9, 12)],
///     width: 2,
///     rows: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0].into(),
/// };
/// // The mean over the pieces inside 0..8: (1, 2) and (3, 4).
/// assert_eq!(v.mean_within(CharSpan::new(0, 8)), Some(vec![2.0, 3.0]));
/// assert_eq!(v.mean_within(CharSpan::new(1, 3)), None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PieceVectors {
    /// Which encoder made them: the base encoder, and for a fine-tuned one a digest of its
    /// adapter. A model trained on one encoder's vectors reads no other's. (The onnxruntime
    /// backends run only base encoders, whose vectors no shipped model reads.)
    pub encoder: String,
    /// Each word piece's place in the text, in order.
    pub pieces: Vec<CharSpan>,
    /// Values per row.
    pub width: usize,
    /// `pieces.len() × width` values, row-major; shared with the encoder's output.
    pub rows: Arc<[f32]>,
}

impl PieceVectors {
    /// The mean vector of the pieces that lie wholly inside `span`; `None` when there are none.
    /// Never panics, even when `rows` holds fewer than `pieces.len() × width` values.
    pub fn mean_within(&self, span: CharSpan) -> Option<Vec<f32>> {
        let first = self.pieces.partition_point(|p| p.start < span.start);
        let mut sum = vec![0.0f32; self.width];
        let mut n = 0usize;
        for (i, p) in self.pieces.iter().enumerate().skip(first) {
            if p.start >= span.end {
                break;
            }
            if p.end <= span.end {
                // Rows short of the pieces (a malformed value built by hand) end the mean.
                let Some(row) = self.rows.get(i * self.width..(i + 1) * self.width) else {
                    break;
                };
                for (s, &x) in sum.iter_mut().zip(row) {
                    *s += x;
                }
                n += 1;
            }
        }
        (n > 0).then(|| sum.into_iter().map(|s| s / n as f32).collect())
    }
}

/// Why a detector gave no answer for a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// The caller's [`Cancel`] flag was set.
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
    /// The model failed on this document (an encoder error, say). Other documents may still
    /// succeed, so batch front ends record it and go on.
    #[error("{detector} detector: article {article}: {message}")]
    Failed {
        detector: String,
        article: String,
        message: String,
    },
}

impl DetectError {
    /// A failure of `detector` on `doc`.
    pub fn failed(detector: &str, doc: &Document, message: impl std::fmt::Display) -> Self {
        DetectError::Failed {
            detector: detector.to_string(),
            article: doc.article.id.clone(),
            message: message.to_string(),
        }
    }
}

/// A propaganda technique detector.
///
/// Both methods take a [`Cancel`] flag: detectors whose work comes in long steps (the
/// transformer's encoder windows) check it between steps, quick ones before they start. Pass
/// `&Cancel::new()` when nothing will cancel.
pub trait Detector: Send + Sync {
    /// A short name for logs and reports ("classical", "mpnet", ...).
    fn name(&self) -> &str;

    /// Finds technique spans in a document (the FLC task; SI is the union of the spans).
    fn detect(&self, doc: &Document, cancel: &Cancel) -> Result<Detection, DetectError>;

    /// Scores each given span against every technique (the TC task): one row per span, in
    /// order.
    fn classify(
        &self,
        doc: &Document,
        spans: &[CharSpan],
        cancel: &Cancel,
    ) -> Result<Vec<TechniqueScores>, DetectError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_span() {
        let d = Document::new(Article::new("1", "one two three four"));
        assert_eq!(d.tokens_in(CharSpan::new(4, 13)), 1..3);
        assert_eq!(d.tokens_in(CharSpan::new(5, 6)), 1..2);
        assert_eq!(d.tokens_in(CharSpan::new(7, 8)), 2..2);
    }
}
