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

/// Picks one technique per requested span for the TC task. The same span listed `k` times
/// (PTC gives a span two lines when it carries two techniques) gets the `k` best techniques,
/// one per line, in the order the lines came.
pub fn assign_techniques(spans: &[CharSpan], scores: &[TechniqueScores]) -> Vec<Technique> {
    let mut seen: std::collections::HashMap<CharSpan, usize> = std::collections::HashMap::new();
    spans
        .iter()
        .zip(scores)
        .map(|(span, s)| {
            let rank = seen.entry(*span).or_insert(0);
            let mut order: Vec<usize> = (0..Technique::COUNT).collect();
            order.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
            let pick = order[(*rank).min(Technique::COUNT - 1)];
            *rank += 1;
            Technique::ALL[pick]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_spans_get_distinct_techniques() {
        let mut a = [0.0; Technique::COUNT];
        a[Technique::LoadedLanguage.index()] = 0.6;
        a[Technique::NameCallingLabeling.index()] = 0.3;
        a[Technique::Doubt.index()] = 0.1;
        let s = CharSpan::new(0, 5);
        let other = CharSpan::new(7, 9);
        let got = assign_techniques(&[s, other, s], &[a, a, a]);
        assert_eq!(
            got,
            vec![
                Technique::LoadedLanguage,
                Technique::LoadedLanguage,
                Technique::NameCallingLabeling
            ]
        );
    }

    #[test]
    fn tokens_in_span() {
        let d = Document::new(Article::new("1", "one two three four"));
        assert_eq!(d.tokens_in(CharSpan::new(4, 13)), 1..3);
        assert_eq!(d.tokens_in(CharSpan::new(5, 6)), 1..2);
        assert_eq!(d.tokens_in(CharSpan::new(7, 8)), 2..2);
    }
}
