//! Internal-consistency checks: an article contradicting itself about numbers or names.
//!
//! Every check is a rule over the tokens and sentences of [`unspin_core::segment`], tuned for
//! precision over recall: a fact-checker reads every finding, so a false alarm costs more than a
//! missed slip. Offsets are Unicode code points, taken from the tokens (the tokenizer is the one
//! place that converts byte offsets), so they line up with every other unspin output.

mod ages;
pub(crate) mod lexicon;
mod names;
pub(crate) use names::spelled_otherwise;
mod numbers;

use unspin_core::segment::{Sentence, Token, TokenKind};
use unspin_core::{Article, CharSpan, Document};

pub use unspin_core::aids::{Finding, FindingKind, Place};

/// Runs every consistency check on `text` and returns the findings ordered by their first place.
///
/// Never panics, whatever the input; runs in time roughly linear in the length of the text.
pub fn check(text: &str) -> Vec<Finding> {
    check_doc(&Doc::of(&document(text)))
}

/// The segmented document of a bare text, for the entry points that take one.
pub(crate) fn document(text: &str) -> Document {
    Document::new(Article::new("", text))
}

/// [`check`] on an already segmented document.
pub(crate) fn check_doc(doc: &Doc) -> Vec<Finding> {
    let mut out = numbers::check(doc);
    out.extend(names::check(doc));
    out.extend(ages::check(doc));
    out.sort_by(|a, b| {
        let key = |f: &Finding| f.places.first().map(|p| (p.start(), p.end()));
        key(a).cmp(&key(b)).then(a.kind.cmp(&b.kind))
    });
    out
}

/// The segmented text the checks share: tokens, sentences, and each token lowercased, all
/// borrowed from the [`Document`] the detector read (its views are computed once).
pub(crate) struct Doc<'t> {
    /// What every [`Place`] is cut from.
    pub doc: &'t Document,
    pub text: &'t str,
    pub tokens: &'t [Token],
    pub sentences: &'t [Sentence],
    /// Sentence index of every token.
    pub sent_of: &'t [usize],
    /// Lowercased text of every token, because every rule compares words.
    pub lower: &'t [String],
    /// Paragraph (line) index of every token.
    pub para: &'t [usize],
}

impl<'t> Doc<'t> {
    pub fn of(doc: &'t Document) -> Self {
        Doc {
            doc,
            text: doc.text(),
            tokens: &doc.tokens,
            sentences: &doc.sentences,
            sent_of: doc.sentence_of(),
            lower: doc.lower(),
            para: doc.paragraph_of(),
        }
    }

    /// Original text of token `i` ("" past the end, so lookarounds need no bounds checks).
    pub fn tok(&self, i: usize) -> &'t str {
        self.tokens.get(i).map_or("", |t| t.text(self.text))
    }

    /// Lowercased text of token `i` ("" past the end).
    pub fn low(&self, i: usize) -> &str {
        self.lower.get(i).map_or("", String::as_str)
    }

    pub fn kind(&self, i: usize) -> Option<TokenKind> {
        self.tokens.get(i).map(|t| t.kind)
    }

    /// Token `i` exists, and no whitespace separates it from token `i - 1`.
    pub fn glued(&self, i: usize) -> bool {
        i > 0 && self.tokens.get(i).is_some_and(|t| !t.space_before)
    }

    /// Token range of the sentence holding token `i`.
    pub fn sentence_range(&self, i: usize) -> std::ops::Range<usize> {
        self.sent_of
            .get(i)
            .and_then(|&s| self.sentences.get(s))
            .map_or(0..0, |s| s.tokens.clone())
    }

    /// The place covering tokens `first..=last` (empty when they are not a range of tokens).
    pub fn place(&self, first: usize, last: usize) -> Place {
        match (self.tokens.get(first), self.tokens.get(last)) {
            (Some(a), Some(b)) if a.span.start <= b.span.end => self.cut(a.span.start, b.span.end),
            _ => Place::empty(),
        }
    }

    /// The place covering the first `n_chars` code points of token `i` (e.g. a name without
    /// its possessive "'s").
    pub fn place_prefix(&self, i: usize, n_chars: usize) -> Place {
        match self.tokens.get(i) {
            Some(t) => self.cut(t.span.start, t.span.end.min(t.span.start + n_chars)),
            None => Place::empty(),
        }
    }

    fn cut(&self, start: usize, end: usize) -> Place {
        self.doc.place(CharSpan::new(start, end))
    }
}

/// Formats a number the way news text writes it: thousands separated by commas, decimals only
/// when there are any.
pub(crate) fn format_number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let r = v.round();
    if (v - r).abs() <= 1e-9 * v.abs().max(1.0) && r.abs() < 1e15 {
        let digits = format!("{}", r.abs() as u64);
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (k, c) in digits.chars().enumerate() {
            if k > 0 && (digits.len() - k) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if r < 0.0 {
            grouped.insert(0, '-');
        }
        grouped
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_like_news_text() {
        assert_eq!(format_number(11780.0), "11,780");
        assert_eq!(format_number(100.0), "100");
        assert_eq!(format_number(1_497_000.0), "1,497,000");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(-1234.0), "-1,234");
        assert_eq!(
            format_number(1e30),
            format!("{:.3}", 1e30)
                .trim_end_matches('0')
                .trim_end_matches('.')
        );
    }

    #[test]
    fn finding_kinds_serialise_in_snake_case() {
        let f = Finding {
            kind: FindingKind::PartsDontSumToTotal,
            places: vec![Place::new(&Article::new("", "xab"), CharSpan::new(1, 3)).unwrap()],
            explanation: "x".into(),
        };
        let j = serde_json::to_string(&f).unwrap();
        assert!(j.contains("\"parts_dont_sum_to_total\""), "{j}");
        let back: Finding = serde_json::from_str(&j).unwrap();
        assert_eq!(back, f);
        assert_eq!(
            serde_json::to_string(&FindingKind::NameSpelledTwoWays).unwrap(),
            "\"name_spelled_two_ways\""
        );
    }
}
