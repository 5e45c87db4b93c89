//! What the fact-checking aids report, as plain data: the shapes of the `claims`, `quotes` and
//! `findings` of a [`Report`](crate::Report). They live here, beside the report, so that every
//! output (CLI, HTTP, bindings) shares one schema; `unspin-factcheck` computes them.
//!
//! Every offset is a Unicode code point into the article text, end exclusive, and every `text`
//! is exactly that slice, like the propaganda spans.

use serde::{Deserialize, Serialize};

pub use crate::span::Place;

/// What kind of inconsistency a [`Finding`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Parts presented as a breakdown of a total do not add up to it (or exceed it).
    PartsDontSumToTotal,
    /// A share of a whole given as more than 100%.
    PercentOver100,
    /// The same quantity (same noun, referred back to) given two different values, or one
    /// statement made twice with two different figures, or one person given two ages.
    ConflictingValues,
    /// What looks like one name spelled two ways.
    NameSpelledTwoWays,
}

/// One inconsistency: what kind, every place involved (in text order), and a one-line reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub kind: FindingKind,
    pub places: Vec<Place>,
    pub explanation: String,
}

/// How a statement is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuoteKind {
    /// The speaker's words in quotation marks.
    Direct,
    /// Indirect speech: "X said that ...", "according to X, ...", "it is believed that ...".
    Reported,
}

/// One attributed (or conspicuously unattributed) statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quote {
    pub kind: QuoteKind,
    /// What was said. For direct quotes this includes the quotation marks.
    pub content: Place,
    /// The words that mark the attribution: "said", "has said", "told", "according to".
    pub cue: Option<Place>,
    /// The speaker mention as written: "he", "Konashenkov", "a source", "The New York Post".
    pub source: Option<Place>,
    /// The resolved speaker: for a pronoun, a partial name or "the spokesman", the fullest
    /// earlier mention it refers to; otherwise the source itself. `None` when the source is
    /// missing, vague or could not be resolved.
    pub speaker: Option<String>,
    /// Where [`Quote::speaker`] is written.
    pub speaker_place: Option<Place>,
    /// The statement is pinned on nobody, or on someone unnamed ("sources say", "a source",
    /// "officials said", "it is believed", "reports:"). Such claims cannot be checked against
    /// their source, which is why they are worth flagging.
    pub unattributed: bool,
    /// The statement is made in a headline, heading or standfirst: a line of its own that does
    /// not end like a sentence ([`crate::segment::is_heading_line`]), such as "Russia Accuse
    /// U.S. Of Fighting A Phony War". Attribution corpora annotate these too (PolNeAR marks a
    /// statement in about half its titles), but the words are the outlet's summary, not
    /// something the speaker was quoted as saying, so readers see them marked.
    #[serde(default)]
    pub headline: bool,
    /// The statement is reported inside another one's words: the index, in the same list, of
    /// the statement whose content holds this one's content, cue and source. In "Konashenkov
    /// commented on a statement by Baldanza, who confirmed that the US would not share
    /// intelligence", Baldanza's "that the US would not share intelligence" is within
    /// Konashenkov's statement. Outputs name the outer statement's speaker beside such a
    /// statement, so the same words never read as two people's own.
    /// Absent (`None`) for a statement of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<usize>,
}

impl Quote {
    /// Who the statement is credited to, as a reader would name them: the resolved speaker,
    /// else the source as written ("a source"), else `None`.
    pub fn who(&self) -> Option<&str> {
        fn named(w: &str) -> Option<&str> {
            Some(w.trim()).filter(|w| !w.is_empty())
        }
        self.speaker
            .as_deref()
            .and_then(named)
            .or_else(|| self.source.as_ref().and_then(|s| named(s.text())))
    }

    /// Who outputs print a statement is credited to: [`Quote::who`], else "an unnamed asker"
    /// for a question put by somebody the text does not name ("Asked whether it was a bomb,
    /// she said …"), the one statement with no source that is not flagged unattributed, since
    /// the reporter's question pins no claim on anybody; else "nobody".
    ///
    /// ```
    /// # use unspin_core::aids::{Quote, QuoteKind};
    /// # use unspin_core::{Article, CharSpan, Place};
    /// let article = Article::new("1", "Asked whether it was a bomb, she declined.");
    /// let place = |a, b| Place::new(&article, CharSpan::new(a, b)).unwrap();
    /// let mut q = Quote {
    ///     kind: QuoteKind::Reported,
    ///     content: place(6, 27),
    ///     cue: Some(place(0, 5)),
    ///     source: None,
    ///     speaker: None,
    ///     speaker_place: None,
    ///     unattributed: false,
    ///     headline: false,
    ///     within: None,
    /// };
    /// assert_eq!(q.who_or_none(), "an unnamed asker");
    /// q.unattributed = true;
    /// assert_eq!(q.who_or_none(), "nobody");
    /// ```
    pub fn who_or_none(&self) -> &str {
        self.who().unwrap_or(match self.unattributed {
            true => "nobody",
            false => "an unnamed asker",
        })
    }

    /// Where the statement's words start and end (code points, end exclusive): its content,
    /// cue and source together.
    pub fn extent(&self) -> (usize, usize) {
        [self.cue.as_ref(), self.source.as_ref()]
            .into_iter()
            .flatten()
            .fold((self.content.start(), self.content.end()), |(a, b), p| {
                (a.min(p.start()), b.max(p.end()))
            })
    }

    /// This statement could be reported within `outer`: its content, cue and source lie in
    /// `outer`'s content, and its content is the smaller (so nothing lies within itself, and
    /// [`Quote::within`] has no cycles).
    pub fn lies_within(&self, outer: &Quote) -> bool {
        let (a, b) = self.extent();
        let c = &outer.content;
        let size = |q: &Quote| q.content.end() - q.content.start();
        c.start() <= a && b <= c.end() && size(self) < size(outer)
    }

    /// The statement this one is reported within ([`Quote::within`]), looked up in `quotes`,
    /// the list it came from.
    pub fn reported_in<'a>(&self, quotes: &'a [Quote]) -> Option<&'a Quote> {
        quotes.get(self.within?)
    }

    /// What outputs print beside a statement reported within another: "inside Igor
    /// Konashenkov's statement", or "inside an unattributed statement".
    pub fn within_note(&self, quotes: &[Quote]) -> Option<String> {
        let outer = self.reported_in(quotes)?;
        Some(match outer.who() {
            Some(who) if !outer.unattributed => format!("inside {who}'s statement"),
            _ => "inside an unattributed statement".to_string(),
        })
    }
}

/// One sentence of an article with its check-worthiness. `start`/`end` are Unicode code-point
/// offsets (end exclusive) and `text` is exactly the code points `start..end` of the input.
// This doc comment is the OpenAPI description (utoipa); the fields come from one `Place`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Claim {
    start: usize,
    end: usize,
    text: String,
    /// Probability that the sentence is check-worthy.
    pub score: f32,
    /// `score` reached the model's threshold.
    pub check_worthy: bool,
}

impl Claim {
    /// The claim made by the sentence at `sentence`: offsets and text come from one [`Place`],
    /// so they cannot disagree.
    pub fn new(sentence: Place, score: f32, check_worthy: bool) -> Claim {
        let (span, text) = sentence.into_parts();
        Claim {
            start: span.start,
            end: span.end,
            text,
            score,
            check_worthy,
        }
    }

    pub fn start(&self) -> usize {
        self.start
    }

    pub fn end(&self) -> usize {
        self.end
    }

    /// Exactly the code points `start..end` of the article.
    pub fn text(&self) -> &str {
        &self.text
    }
}
