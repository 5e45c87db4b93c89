//! Word tokenization and sentence splitting that keep exact offsets.
//!
//! Words follow Unicode word boundaries (UAX #29, via `unicode-segmentation`), so "don't" and
//! "11,775" stay whole while punctuation becomes its own token. Sentences end at a newline, or
//! after `.`/`!`/`?` (plus closing quotes or brackets) when whitespace and a plausible sentence
//! start follow and the word before is not a known abbreviation. Rules rather than a model:
//! they are fast, predictable, and news text is regular enough.

use crate::offsets::ForwardCounter;
use crate::span::CharSpan;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// What a token is made of; used by features and by the sentence splitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Contains at least one letter.
    Word,
    /// Digits (possibly with `,` `.` inside), no letters.
    Number,
    /// Anything else that is not whitespace: punctuation, symbols, emoji.
    Punct,
}

/// A token with its code-point span and its byte range (for slicing without conversion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub span: CharSpan,
    pub bytes: Range<usize>,
    pub kind: TokenKind,
    /// A line break lies between the previous token and this one (or this is the first token).
    pub line_start: bool,
    /// Whitespace lies between the previous token and this one.
    pub space_before: bool,
}

impl Token {
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.bytes.clone()]
    }
}

/// A sentence: its span (first token start to last token end) and its token index range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub span: CharSpan,
    pub tokens: Range<usize>,
}

/// Tokenizes `text` into non-whitespace tokens with offsets.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut counter = ForwardCounter::new(text);
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut space_before = false;
    let mut line_start = true;
    for (b, piece) in text.split_word_bound_indices() {
        let first = piece.chars().next().unwrap_or(' ');
        if first.is_whitespace() {
            space_before = true;
            if piece.contains(['\n', '\r', '\u{2028}', '\u{2029}']) {
                line_start = true;
            }
            continue;
        }
        let kind = if piece.chars().any(char::is_alphabetic) {
            TokenKind::Word
        } else if first.is_ascii_digit() || first.is_numeric() {
            TokenKind::Number
        } else {
            TokenKind::Punct
        };
        let start = counter.to_char(b);
        let end = counter.to_char(b + piece.len());
        tokens.push(Token {
            span: CharSpan::new(start, end),
            bytes: b..b + piece.len(),
            kind,
            line_start,
            space_before,
        });
        space_before = false;
        line_start = false;
    }
    tokens
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "col", "lt", "sgt", "capt", "gov",
    "sen", "rep", "rev", "pres", "vs", "etc", "inc", "ltd", "co", "corp", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "vol", "fig", "approx",
    "dept", "est", "e.g", "i.e", "u.s", "u.k", "u.n", "a.m", "p.m",
];

/// Titles before a name that are abbreviations only when capitalised ("said Del. Stacey
/// Plaskett", "Supt. Mark Lyle"); in lower case several are words.
const TITLE_ABBREVIATIONS: &[&str] = &[
    "Adm", "Atty", "Brig", "Cmdr", "Cpl", "Del", "Det", "Fr", "Hon", "Insp", "Maj", "Msgr", "Pvt",
    "Reps", "Sens", "Supt",
];

/// The Associated Press's state abbreviations. After one, a full stop ends the sentence ("It
/// is based in Dover, Del. Workers walked out") except in a dateline, where the agency's name
/// follows in brackets ("SPRINGFIELD, Ill. (AP) —").
const STATE_ABBREVIATIONS: &[&str] = &[
    "Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga", "Ill", "Ind", "Kan", "Ky",
    "La", "Mass", "Md", "Mich", "Minn", "Miss", "Mo", "Mont", "Neb", "Nev", "Okla", "Ore", "Pa",
    "Tenn", "Tex", "Va", "Vt", "Wash", "Wis", "Wyo",
];

/// Words that begin sentences far more often than they follow "U.S." or "D.C." inside one.
/// Opening quotation marks are not among them: "said the U.S. “clearly” needed" is common.
const SENTENCE_STARTERS: &[&str] = &[
    "The", "He", "She", "It", "They", "We", "I", "You", "This", "That", "These", "Those", "There",
    "But", "And", "As", "In", "If", "When", "What", "Why", "How", "His", "Her", "Their", "Our",
];

fn is_closing(t: &str) -> bool {
    matches!(t, "\"" | "'" | "”" | "’" | ")" | "]" | "»" | "›")
}

fn is_terminal(t: &str) -> bool {
    matches!(t, "." | "!" | "?" | "…" | "!!" | "?!" | "。")
}

/// Splits tokens into sentences. Every token belongs to exactly one sentence.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = 0;
    let n = tokens.len();
    let mut i = 0;
    while i < n {
        let mut end_here = false;
        let t = tokens[i].text(text);
        if is_terminal(t) {
            // Absorb runs like "?!" and closing quotes/brackets.
            let mut j = i + 1;
            while j < n
                && !tokens[j].space_before
                && (is_terminal(tokens[j].text(text)) || is_closing(tokens[j].text(text)))
            {
                j += 1;
            }
            let next_ok = j >= n
                || tokens[j].line_start
                || (tokens[j].space_before && starts_sentence(tokens[j].text(text)));
            let abbrev =
                t == "." && i > 0 && !tokens[i].space_before && is_abbreviation(text, tokens, i);
            if next_ok && !abbrev {
                i = j - 1;
                end_here = true;
            }
        }
        if !end_here && i + 1 < n && tokens[i + 1].line_start {
            end_here = true;
        }
        if end_here || i + 1 == n {
            out.push(Sentence {
                span: CharSpan::new(tokens[start].span.start, tokens[i].span.end),
                tokens: start..i + 1,
            });
            start = i + 1;
        }
        i += 1;
    }
    out
}

fn starts_sentence(t: &str) -> bool {
    let c = t.chars().next().unwrap_or(' ');
    c.is_uppercase() || c.is_numeric() || matches!(c, '"' | '“' | '‘' | '\'' | '(' | '[' | '«')
}

/// Is the `.` at token `i` (not the first) part of an abbreviation like "Mr." or "U.S."? The
/// sentence splitter's own test, for rules that look for a sentence's end inside a sentence it
/// did not split (the quote rules).
pub fn is_abbreviation(text: &str, tokens: &[Token], i: usize) -> bool {
    let prev = tokens[i - 1].text(text);
    // Single letters ("J. Smith", the "S" of "U.S.") are initials.
    if prev.chars().count() == 1 && prev.chars().all(char::is_alphabetic) {
        return true;
    }
    // Dotted initialisms are one token under UAX #29 ("F.B.I", "Ph.D", "a.m"): a full stop after
    // one usually belongs to it ("George H.W. Bush", "the D.C. Court"), unless a word that
    // mostly starts sentences follows ("Washington, D.C. As I said"). Pieces of at most two
    // letters keep domain names ("example.com.") out.
    let next = tokens.get(i + 1).map(|t| t.text(text));
    // "Dover, Del." is a state, "said Del. Stacey Plaskett" a title.
    let after_comma = i >= 2 && tokens[i - 2].text(text) == ",";
    if STATE_ABBREVIATIONS.contains(&prev) && (after_comma || !TITLE_ABBREVIATIONS.contains(&prev))
    {
        return next == Some("(");
    }
    if is_dotted_initialism(prev) || TITLE_ABBREVIATIONS.contains(&prev) {
        return !tokens
            .get(i + 1)
            .is_some_and(|next| SENTENCE_STARTERS.contains(&next.text(text)));
    }
    // Rebuild dotted forms such as "e.g" from "e . g".
    let mut word = prev.to_lowercase();
    if i >= 3 && tokens[i - 2].text(text) == "." && !tokens[i - 1].space_before {
        word = format!("{}.{}", tokens[i - 3].text(text).to_lowercase(), word);
    }
    ABBREVIATIONS.contains(&word.as_str())
}

/// Whether the sentence made of `tokens[sentence]` is a headline, section heading or label
/// ("Fact checked", "A Phony War Against ISIS") rather than running text: a line of its own
/// that does not end like a sentence. The claims aid never ticks such a line (a fact-checker
/// checks the article's statements, not its title) and the quotes aid marks a statement made
/// in one as a headline's.
///
/// ```
/// use unspin_core::segment::{is_heading_line, sentences, tokenize};
/// let text = "Fact checked\n\nThe mayor said prices rose.\nPrices rose 12% in 2023";
/// let tokens = tokenize(text);
/// let s = sentences(text, &tokens);
/// assert!(is_heading_line(text, &tokens, s[0].tokens.clone()));   // "Fact checked"
/// assert!(!is_heading_line(text, &tokens, s[1].tokens.clone()));  // ends like a sentence
/// assert!(is_heading_line(text, &tokens, s[2].tokens.clone()));   // own line, no full stop
/// ```
pub fn is_heading_line(text: &str, tokens: &[Token], sentence: Range<usize>) -> bool {
    // The tokenizer already knows where lines start: no rescanning of the text around the
    // sentence, which on a long text without line breaks would be quadratic.
    let own_line = tokens[sentence.start].line_start
        && tokens.get(sentence.end).is_none_or(|next| next.line_start);
    let last = &tokens[sentence.end - 1];
    let words = &text[tokens[sentence.start].bytes.start..last.bytes.end];
    let words = words.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '*')
    });
    let ends_like_sentence = words.ends_with(['.', '!', '?', '…', ':', ';']);
    own_line && !ends_like_sentence
}

/// "F.B.I", "U.S", "Ph.D": at least two pieces between dots, each one or two letters.
fn is_dotted_initialism(word: &str) -> bool {
    let mut pieces = 0;
    for piece in word.split('.') {
        let letters = piece.chars().count();
        if !(1..=2).contains(&letters) || !piece.chars().all(char::is_alphabetic) {
            return false;
        }
        pieces += 1;
    }
    pieces >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'t>(text: &'t str, toks: &[Token]) -> Vec<&'t str> {
        toks.iter().map(|t| t.text(text)).collect()
    }

    fn check_offsets(text: &str) {
        let chars: Vec<char> = text.chars().collect();
        for t in tokenize(text) {
            let by_chars: String = chars[t.span.start..t.span.end].iter().collect();
            assert_eq!(by_chars, t.text(text), "token {:?}", t);
        }
    }

    #[test]
    fn tokens_slice_back_to_their_text() {
        check_offsets("Plain ASCII, with 11,775 trucks and don't-stop punctuation!");
        check_offsets("\u{feff}Überraschung: «naïve» café — “quoted” ‘text’…");
        check_offsets("Astral 😀 emoji 𝔘𝔫𝔦 and 𠜎 CJK ext-B, then end.");
        check_offsets("");
        check_offsets("   \n\n  ");
    }

    #[test]
    fn tokens_of_a_sentence() {
        let t = "He said: “We won’t go,” 4,530 of them.";
        let toks = tokenize(t);
        assert_eq!(
            texts(t, &toks),
            vec![
                "He", "said", ":", "“", "We", "won’t", "go", ",", "”", "4,530", "of", "them", "."
            ]
        );
        assert_eq!(toks[9].kind, TokenKind::Number);
        assert_eq!(toks[2].kind, TokenKind::Punct);
        assert!(toks[0].line_start && !toks[1].line_start);
    }

    #[test]
    fn sentence_split_rules() {
        let t = "Mr. Smith went to the U.S. on Monday. He said “No!” Then left.\nNew line without stop\nLast one? Yes.";
        let toks = tokenize(t);
        let s: Vec<&str> = sentences(t, &toks)
            .iter()
            .map(|s| &t[toks[s.tokens.start].bytes.start..toks[s.tokens.end - 1].bytes.end])
            .collect();
        assert_eq!(
            s,
            vec![
                "Mr. Smith went to the U.S. on Monday.",
                "He said “No!”",
                "Then left.",
                "New line without stop",
                "Last one?",
                "Yes."
            ]
        );
    }

    fn split(t: &str) -> Vec<&str> {
        let toks = tokenize(t);
        sentences(t, &toks)
            .iter()
            .map(|s| &t[toks[s.tokens.start].bytes.start..toks[s.tokens.end - 1].bytes.end])
            .collect()
    }

    #[test]
    fn dotted_initialisms_keep_their_sentence_unless_a_sentence_starter_follows() {
        assert_eq!(
            split("Former President George H.W. Bush met the F.B.I. Director in Washington."),
            vec!["Former President George H.W. Bush met the F.B.I. Director in Washington."]
        );
        assert_eq!(
            split(
                "He lives in Washington, D.C. The city is calm. They moved to the U.S. It rained."
            ),
            vec![
                "He lives in Washington, D.C.",
                "The city is calm.",
                "They moved to the U.S.",
                "It rained."
            ]
        );
        // Capitalised titles, and state abbreviations in a dateline; not the same words in
        // lower case, nor a state that ends a sentence.
        assert_eq!(
            split(
                "SPRINGFIELD, Ill. (AP) — Supt. Mark Lyle met Del. Stacey Plaskett. He fell ill. \
                 They moved to Dover, Del. Workers walked out. The pope said Mass. Thousands came."
            ),
            vec![
                "SPRINGFIELD, Ill. (AP) — Supt. Mark Lyle met Del. Stacey Plaskett.",
                "He fell ill.",
                "They moved to Dover, Del.",
                "Workers walked out.",
                "The pope said Mass.",
                "Thousands came."
            ]
        );
        // A domain name is no initialism: its full stop ends the sentence.
        assert_eq!(
            split("See example.com. Then call."),
            vec!["See example.com.", "Then call."]
        );
        assert!(is_dotted_initialism("Ph.D") && is_dotted_initialism("a.m"));
        assert!(!is_dotted_initialism("example.com") && !is_dotted_initialism("3.5"));
        assert!(!is_dotted_initialism("U") && !is_dotted_initialism("U."));
    }

    #[test]
    fn every_token_in_one_sentence() {
        let t = "a. b. C. d!\n\n e";
        let toks = tokenize(t);
        let s = sentences(t, &toks);
        let covered: usize = s.iter().map(|s| s.tokens.len()).sum();
        assert_eq!(covered, toks.len());
        for w in s.windows(2) {
            assert_eq!(w[0].tokens.end, w[1].tokens.start);
        }
    }
}
