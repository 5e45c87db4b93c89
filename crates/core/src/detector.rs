//! The seam every technique detector plugs into: the classical model today, transformer
//! encoders and ensembles later. A detector sees a [`Document`] (text plus segmentation, built
//! once and shared) and answers in code-point [`Span`]s.

use crate::article::Article;
use crate::segment::{self, Sentence, Token};
use crate::span::{CharSpan, Span};
use crate::technique::Technique;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

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

/// Scores that prefer no technique: what a detector answers for a span it could not score.
pub const UNIFORM_SCORES: TechniqueScores = [1.0 / Technique::COUNT as f32; Technique::COUNT];

/// Mixes `other` into `own` linearly, element by element: `(1 - w)·own + w·other`. How an
/// ensemble blends token probabilities and technique scores (`w` = the other model's weight).
pub fn mix_into(own: &mut [f32], other: &[f32], w: f32) {
    for (p, &q) in own.iter_mut().zip(other) {
        *p = (1.0 - w) * *p + w * q;
    }
}

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

/// A propaganda technique detector.
pub trait Detector: Send + Sync {
    /// A short name for logs and reports ("classical", "mpnet", ...).
    fn name(&self) -> &str;

    /// Finds technique spans in a document (the FLC task; SI is the union of the spans).
    fn detect(&self, doc: &Document) -> Vec<Span>;

    /// [`Detector::detect`] that stops early once `cancel` is set. Detectors whose work comes in
    /// long steps (the transformer's encoder windows) check between steps; the default, for
    /// detectors that take milliseconds, checks before and after.
    fn detect_until(&self, doc: &Document, cancel: &Cancel) -> Result<Vec<Span>, Cancelled> {
        cancel.check()?;
        let spans = self.detect(doc);
        cancel.check()?;
        Ok(spans)
    }

    /// Scores each given span against every technique (the TC task).
    fn classify(&self, doc: &Document, spans: &[CharSpan]) -> Vec<TechniqueScores>;

    /// [`Detector::classify`] that stops early once `cancel` is set, as
    /// [`Detector::detect_until`] does.
    fn classify_until(
        &self,
        doc: &Document,
        spans: &[CharSpan],
        cancel: &Cancel,
    ) -> Result<Vec<TechniqueScores>, Cancelled> {
        cancel.check()?;
        let scores = self.classify(doc, spans);
        cancel.check()?;
        Ok(scores)
    }
}

/// Turns per-token probabilities of being inside propaganda into spans: runs of tokens at or
/// above `th` within one sentence, trimmed of the edge punctuation annotators leave out. Each
/// span's confidence is its tokens' mean probability. Every detector that scores tokens decodes
/// through here, so the classical model, the transformer heads and their blend cut spans alike.
pub fn spans_from_token_probabilities(
    doc: &Document,
    probs: &[f32],
    th: f32,
) -> Vec<(CharSpan, f32)> {
    let mut out = Vec::new();
    for s in &doc.sentences {
        let mut i = s.tokens.start;
        while i < s.tokens.end {
            if probs[i] < th {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < s.tokens.end && probs[j] >= th {
                j += 1;
            }
            let (mut a, mut b) = snap_to_words(doc, i, j, s.tokens.start, s.tokens.end);
            while a < b && is_edge_punct(doc.token_text(a)) {
                a += 1;
            }
            while b > a && is_edge_punct(doc.token_text(b - 1)) {
                b -= 1;
            }
            if a < b {
                let conf = probs[a..b].iter().sum::<f32>() / (b - a) as f32;
                out.push((
                    CharSpan::new(doc.tokens[a].span.start, doc.tokens[b - 1].span.end),
                    conf,
                ));
            }
            i = j;
        }
    }
    out
}

/// Grows tokens `a..b` so that neither end falls inside a word: "Su" of "Su-25" or "n" of
/// "don't" would otherwise end a span (PTC's gold spans almost never do: 8 of 5,468). A token
/// glued to its neighbour (no white space between) belongs to the same word, unless it is
/// punctuation that ends a clause, which a span may stop before. Stays within `lo..hi` (the
/// sentence).
fn snap_to_words(
    doc: &Document,
    mut a: usize,
    mut b: usize,
    lo: usize,
    hi: usize,
) -> (usize, usize) {
    let glued = |i: usize| doc.tokens[i].span.end == doc.tokens[i + 1].span.start;
    let word_part = |i: usize| !is_clause_punct(doc.token_text(i));
    while a > lo && glued(a - 1) && word_part(a - 1) && word_part(a) {
        a -= 1;
    }
    while b < hi && glued(b - 1) && word_part(b) && word_part(b - 1) {
        b += 1;
    }
    (a, b)
}

fn is_clause_punct(t: &str) -> bool {
    matches!(
        t,
        "." | ","
            | ";"
            | ":"
            | "!"
            | "?"
            | "("
            | ")"
            | "["
            | "]"
            | "\""
            | "“"
            | "”"
            | "‘"
            | "…"
            | "—"
            | "–"
    )
}

fn is_edge_punct(t: &str) -> bool {
    matches!(t, "." | "," | ";" | ":" | "-" | "—" | "–" | "(" | ")")
}

/// The techniques to report for a detected region: the most probable one, and the runner-up
/// too when its probability reaches `second` (PTC regions often carry two techniques).
pub fn top_techniques(p: &TechniqueScores, second: f32) -> Vec<(Technique, f32)> {
    let mut order: [usize; Technique::COUNT] = std::array::from_fn(|k| k);
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut out = vec![(Technique::ALL[order[0]], p[order[0]])];
    if p[order[1]] >= second {
        out.push((Technique::ALL[order[1]], p[order[1]]));
    }
    out
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
    fn decoded_spans_never_cut_a_word() {
        let text = "They flew Su-24M and Su-25 bombers, a well-known pride.";
        let d = Document::new(Article::new("1", text));
        let span_of = |word: &str| {
            let i = (0..d.tokens.len())
                .find(|&i| d.token_text(i) == word)
                .unwrap();
            let mut p = vec![0.0; d.tokens.len()];
            p[i] = 0.9;
            let spans = spans_from_token_probabilities(&d, &p, 0.5);
            assert_eq!(spans.len(), 1, "{word}");
            let c = spans[0].0;
            text.chars().skip(c.start).take(c.len()).collect::<String>()
        };
        // Only "Su" of "Su-25" is marked: the span still covers the whole word.
        let su = (0..d.tokens.len())
            .filter(|&i| d.token_text(i) == "Su")
            .nth(1)
            .unwrap();
        let mut p = vec![0.0; d.tokens.len()];
        p[su] = 0.9;
        let spans = spans_from_token_probabilities(&d, &p, 0.5);
        let c = spans[0].0;
        assert_eq!(
            text.chars().skip(c.start).take(c.len()).collect::<String>(),
            "Su-25"
        );
        // Clause punctuation glued to a word is not pulled in.
        assert_eq!(span_of("bombers"), "bombers");
        assert_eq!(span_of("pride"), "pride");
        assert_eq!(span_of("known"), "well-known");
    }

    #[test]
    fn tokens_in_span() {
        let d = Document::new(Article::new("1", "one two three four"));
        assert_eq!(d.tokens_in(CharSpan::new(4, 13)), 1..3);
        assert_eq!(d.tokens_in(CharSpan::new(5, 6)), 1..2);
        assert_eq!(d.tokens_in(CharSpan::new(7, 8)), 2..2);
    }
}
