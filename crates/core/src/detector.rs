//! The seam every technique detector plugs into: the classical model today, transformer
//! encoders and ensembles later. A detector sees a [`Document`] (text plus segmentation, built
//! once and shared) and answers in code-point [`Span`]s.

use crate::article::Article;
use crate::segment::{self, Sentence, Token};
use crate::span::{CharSpan, Span};
use crate::technique::Technique;

/// An article with its tokens and sentences: what every detector and analysis reads.
#[derive(Debug, Clone)]
pub struct Document {
    pub article: Article,
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
}

impl Document {
    pub fn new(article: Article) -> Self {
        let tokens = segment::tokenize(&article.text);
        let sentences = segment::sentences(&article.text, &tokens);
        Document {
            article,
            tokens,
            sentences,
        }
    }

    pub fn text(&self) -> &str {
        &self.article.text
    }

    pub fn token_text(&self, i: usize) -> &str {
        self.tokens[i].text(&self.article.text)
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

/// A propaganda technique detector.
pub trait Detector: Send + Sync {
    /// A short name for logs and reports ("classical", "mpnet", ...).
    fn name(&self) -> &str;

    /// Finds technique spans in a document (the FLC task; SI is the union of the spans).
    fn detect(&self, doc: &Document) -> Vec<Span>;

    /// Scores each given span against every technique (the TC task).
    fn classify(&self, doc: &Document, spans: &[CharSpan]) -> Vec<TechniqueScores>;
}
