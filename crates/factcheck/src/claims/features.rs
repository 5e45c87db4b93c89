//! Hashed sentence features for the check-worthiness classifier.
//!
//! A sentence becomes a set of 64-bit feature hashes: lowercased word unigrams and bigrams (what
//! is said), character n-grams of 2–5 inside word boundaries (spelling variants, number shapes,
//! suffixes such as "-illion" or "-ed" that unigrams miss on a 20k-sentence corpus), and a few
//! cues that mark factual claims across topics (numbers, %, money, comparisons, names, "I/we",
//! questions, length). Hashing keeps the model a fixed-size table with no vocabulary to store;
//! the hash functions are the classical detector's, pinned forever, so a model file stays valid.
//!
//! Features are binary: each hash appears once per sentence however often it occurs, which keeps
//! long sentences from drowning the score in repeated n-grams.

use unspin_core::segment::{Token, TokenKind};
use unspin_ml::hash::{combine, hash_bytes};

/// Namespaces keep a word, a character n-gram and a cue with the same spelling apart.
const NS_BIAS: u64 = 0x0b1a;
const NS_WORD: u64 = 0x1000;
const NS_BIGRAM: u64 = 0x2000;
const NS_CHAR: u64 = 0x3000;
const NS_SHAPE: u64 = 0x4000;
const NS_CUE: u64 = 0x5000;

/// Shortest and longest character n-gram, as sklearn's `char_wb` (2, 5).
const CHAR_MIN: usize = 2;
const CHAR_MAX: usize = 5;

/// Words that compare or quantify change: claims about trends ("rose", "doubled", "more than").
const COMPARATIVES: &[&str] = &[
    "more",
    "less",
    "fewer",
    "most",
    "least",
    "than",
    "higher",
    "lower",
    "larger",
    "smaller",
    "bigger",
    "biggest",
    "largest",
    "increase",
    "increased",
    "decrease",
    "decreased",
    "doubled",
    "tripled",
    "rose",
    "fell",
    "grew",
    "dropped",
    "cut",
    "raised",
];

/// Universal and superlative words: "never", "every", "the only" claims are easy to check.
const ABSOLUTES: &[&str] = &[
    "never", "always", "every", "only", "first", "ever", "all", "none", "nobody", "record",
];

const FIRST_PERSON: &[&str] = &["i", "we", "me", "us", "my", "our", "i'm", "we're", "i've"];

const MONEY_WORDS: &[&str] = &["dollars", "dollar", "million", "billion", "trillion", "tax"];

/// Appends the features of the sentence made of `tokens` (slices of `text`) to `out`, sorted and
/// without repeats.
pub fn sentence_features(text: &str, tokens: &[Token], out: &mut Vec<u64>) {
    let start = out.len();
    out.push(combine(NS_BIAS, 0));
    let lower: Vec<String> = tokens.iter().map(|t| t.text(text).to_lowercase()).collect();
    let hashes: Vec<u64> = lower.iter().map(|w| hash_bytes(w.as_bytes())).collect();

    // Words and bigrams, with sentence-boundary markers so "<s> thank" and "percent </s>" count.
    let mut prev = hash_bytes(b"<s>");
    for &h in &hashes {
        out.push(combine(NS_WORD, h));
        out.push(combine(combine(NS_BIGRAM, prev), h));
        prev = h;
    }
    out.push(combine(combine(NS_BIGRAM, prev), hash_bytes(b"</s>")));

    let mut padded = String::new();
    let mut bounds = Vec::new();
    for (tok, w) in tokens.iter().zip(&lower) {
        if tok.kind == TokenKind::Punct {
            continue;
        }
        char_ngrams(w, &mut padded, &mut bounds, out);
        if tok.kind == TokenKind::Number {
            out.push(combine(NS_SHAPE, hash_bytes(number_shape(w).as_bytes())));
        }
    }

    cues(text, tokens, &lower, out);
    out[start..].sort_unstable();
    let mut n = start;
    for i in start..out.len() {
        if i == start || out[i] != out[n - 1] {
            out[n] = out[i];
            n += 1;
        }
    }
    out.truncate(n);
}

/// Character n-grams of the word padded with a space on each side (sklearn's `char_wb`), so
/// prefixes and suffixes are marked as such.
fn char_ngrams(word: &str, padded: &mut String, bounds: &mut Vec<usize>, out: &mut Vec<u64>) {
    padded.clear();
    padded.push(' ');
    padded.push_str(word);
    padded.push(' ');
    bounds.clear();
    bounds.extend(padded.char_indices().map(|(b, _)| b));
    bounds.push(padded.len());
    let chars = bounds.len() - 1;
    for n in CHAR_MIN..=CHAR_MAX.min(chars) {
        for i in 0..=chars - n {
            let gram = &padded.as_bytes()[bounds[i]..bounds[i + n]];
            out.push(combine(NS_CHAR, hash_bytes(gram)));
        }
    }
}

/// "3.5" → "0.0", "2,019" → "0,000": the form of a number without its value.
fn number_shape(w: &str) -> String {
    w.chars()
        .map(|c| if c.is_numeric() { '0' } else { c })
        .collect()
}

fn cue(name: &str, out: &mut Vec<u64>) {
    out.push(combine(NS_CUE, hash_bytes(name.as_bytes())));
}

/// Topic-independent marks of a factual claim; each is one feature (or one bucket of a count).
fn cues(text: &str, tokens: &[Token], lower: &[String], out: &mut Vec<u64>) {
    let has = |list: &[&str]| lower.iter().any(|w| list.contains(&w.as_str()));
    if tokens.iter().any(|t| t.kind == TokenKind::Number)
        || lower.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()))
    {
        cue("number", out);
    }
    if lower.iter().any(|w| is_year(w)) {
        cue("year", out);
    }
    if lower
        .iter()
        .any(|w| w == "%" || w == "percent" || w == "percentage")
    {
        cue("percent", out);
    }
    if lower.iter().any(|w| matches!(w.as_str(), "$" | "£" | "€")) || has(MONEY_WORDS) {
        cue("money", out);
    }
    if has(COMPARATIVES) {
        cue("comparative", out);
    }
    if has(ABSOLUTES) {
        cue("absolute", out);
    }
    if has(FIRST_PERSON) {
        cue("first_person", out);
    }
    if lower.iter().any(|w| w == "?") {
        cue("question", out);
    }
    // Capitalised words after the first: names of people, places, laws and agencies.
    let names = tokens
        .iter()
        .skip(1)
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| t.text(text))
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase) && *w != "I")
        .count();
    cue(["names0", "names1", "names2", "names3+"][names.min(3)], out);
    let words = tokens.iter().filter(|t| t.kind != TokenKind::Punct).count();
    let bucket = match words {
        0..=4 => "len<5",
        5..=9 => "len<10",
        10..=19 => "len<20",
        20..=39 => "len<40",
        _ => "len40+",
    };
    cue(bucket, out);
}

fn is_year(w: &str) -> bool {
    w.len() == 4
        && w.bytes().all(|b| b.is_ascii_digit())
        && (w.starts_with("19") || w.starts_with("20"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use unspin_core::segment::tokenize;

    fn feats(s: &str) -> Vec<u64> {
        let mut out = Vec::new();
        sentence_features(s, &tokenize(s), &mut out);
        out
    }

    #[test]
    fn sorted_unique_and_deterministic() {
        let a = feats("The the THE rate rose 3.5% in 2019.");
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(a, feats("The the THE rate rose 3.5% in 2019."));
        // Case does not matter to words or n-grams (the first word never counts as a name).
        assert_eq!(feats("rate rose"), feats("RATE rose"));
    }

    #[test]
    fn char_ngrams_respect_code_points() {
        let mut out = Vec::new();
        let (mut p, mut b) = (String::new(), Vec::new());
        char_ngrams("café", &mut p, &mut b, &mut out);
        // " café " has 6 code points: 5 bigrams + 4 trigrams + 3 4-grams + 2 5-grams.
        assert_eq!(out.len(), 14);
        out.clear();
        char_ngrams("a", &mut p, &mut b, &mut out);
        assert_eq!(out.len(), 3); // " a", "a ", " a "
    }

    #[test]
    fn cues_fire() {
        let has_cue =
            |s: &str, name: &str| feats(s).contains(&combine(NS_CUE, hash_bytes(name.as_bytes())));
        assert!(has_cue("Unemployment fell to 3.5% in 2019.", "percent"));
        assert!(has_cue("Unemployment fell to 3.5% in 2019.", "year"));
        assert!(has_cue("It cost $5.", "money"));
        assert!(has_cue("Why?", "question"));
        assert!(has_cue("We did it.", "first_person"));
        assert!(!has_cue("Thank you all for coming.", "number"));
    }
}
