//! Age check: one person given two ages ("Jane Smith, 45, of Denver" / "the 47-year-old
//! Smith").
//!
//! A news age is written in a few fixed shapes, and only those are read:
//!
//! * apposition: "Jane Smith, 45," / "Jane Smith (45)" / "Jane Smith, aged 45," /
//!   "Jane Smith, 45 years old,";
//! * before the name: "the 47-year-old Smith", "47-year-old nurse Jane Smith" (up to three
//!   lowercase words between);
//! * after it: "Smith, a 47-year-old nurse".
//!
//! Anything else ("when she was 23", "then 45", "the then-45-year-old") speaks of another time
//! and is left out. A name of two words or more must begin with a known given name or a title
//! ("New York, 12," is a tally, not a person); a lone surname counts only where the article
//! also gives that surname a given name, so it is known to be a person. Two people of one
//! surname ("John Smith" and "Mary Smith", or "Smith Jr.") make a lone surname ambiguous, and
//! then only mentions with the same given name are compared.

use super::lexicon::{self, has};
use super::{Doc, Finding, FindingKind};
use crate::quotes::lexicon::is_given_name as given_name;
use std::collections::{BTreeMap, BTreeSet};
use unspin_core::segment::TokenKind;

/// One age given to one name.
struct Mention {
    /// Lowercased given name, or the title ("mrs") when none is written.
    given: Option<String>,
    surname: String,
    age: u32,
    /// Tokens of the whole mention, name and age, for the place shown.
    first: usize,
    last: usize,
    /// Written as an age ("47-year-old", "aged 47", "47 years old"), not a bare figure.
    explicit: bool,
}

/// Titles that make a lone capitalised word a person's name ("Mrs. Smith, 45,").
const TITLES: &[&str] = &["dr", "miss", "mr", "mrs", "ms", "prof"];

/// Name suffixes: "John Smith Jr., 45," is not his father, so such a mention is left out.
const SUFFIXES: &[&str] = &["ii", "iii", "iv", "jr", "sr"];

/// A plausible age written in digits: 1 to 120, no separator.
fn age_at(doc: &Doc, i: usize) -> Option<u32> {
    let t = doc.tok(i);
    if doc.kind(i) != Some(TokenKind::Number)
        || t.len() > 3
        || !t.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    t.parse().ok().filter(|a| (1..=120).contains(a))
}

/// Capitalised like a name: a capital then lowercase letters (hyphens and apostrophes inside
/// allowed: "O'Neil", "Ocasio-Cortez" is two tokens anyway), not capitalised vocabulary.
fn name_word(doc: &Doc, i: usize) -> bool {
    let w = doc.tok(i);
    let mut chars = w.chars();
    doc.kind(i) == Some(TokenKind::Word)
        && chars.next().is_some_and(char::is_uppercase)
        && chars.next().is_some_and(char::is_lowercase)
        && w.chars()
            .all(|c| c.is_alphabetic() || c == '\'' || c == '’')
        && !has(lexicon::COMMON_CAPITALISED, doc.low(i))
        && !has(lexicon::MONTHS, doc.low(i))
}

/// The name ending at token `end` (inclusive), read back within its sentence: up to three
/// name words. Returns (given name or title, surname, first token), or `None` when it does
/// not read as a person.
fn name_ending_at(doc: &Doc, end: usize) -> Option<(Option<String>, String, usize)> {
    let sr = doc.sentence_range(end);
    if !sr.contains(&end) || !name_word(doc, end) {
        return None;
    }
    let mut first = end;
    while first > sr.start && end - first < 2 && name_word(doc, first - 1) {
        first -= 1;
    }
    // A title right before ("Mrs. Smith", "Dr Jane Smith").
    let title = {
        let mut k = first;
        if k > sr.start && doc.tok(k - 1) == "." {
            k -= 1;
        }
        (k > sr.start && has(TITLES, doc.low(k - 1))).then(|| doc.low(k - 1).to_string())
    };
    person(doc, first, end, title)
}

/// The name starting at token `start` (inclusive): up to three name words.
fn name_starting_at(doc: &Doc, start: usize) -> Option<(Option<String>, String, usize)> {
    let sr = doc.sentence_range(start);
    if !sr.contains(&start) || !name_word(doc, start) {
        return None;
    }
    let mut end = start;
    while end + 1 < sr.end && end - start < 2 && name_word(doc, end + 1) {
        end += 1;
    }
    if has(SUFFIXES, doc.low(end + 1)) {
        return None;
    }
    let (given, surname, _) = person(doc, start, end, None)?;
    Some((given, surname, end))
}

fn surname(doc: &Doc, i: usize) -> String {
    super::names::strip_possessive(doc.tok(i)).to_lowercase()
}

/// Tokens `first..=end` as a person: (given name or title, surname, first token).
fn person(
    doc: &Doc,
    first: usize,
    end: usize,
    title: Option<String>,
) -> Option<(Option<String>, String, usize)> {
    if end > first {
        // The name begins at its given name: "Later Gerald Pike" is Gerald Pike, and "Mary
        // Ann Smith" is found by "mary" though "ann" is not listed.
        match ((first..end).find(|&k| given_name(doc.low(k))), title) {
            (Some(g), _) => Some((Some(doc.low(g).to_string()), surname(doc, end), g)),
            (None, Some(t)) => Some((Some(t), surname(doc, end), first)),
            // "Later Pike, a 64-year-old engineer,": the sentence's first word is capitalised
            // as such, so the name is the surname alone.
            (None, None) if end == first + 1 && first == doc.sentence_range(first).start => {
                Some((None, surname(doc, end), end))
            }
            (None, None) => None,
        }
    } else {
        // A lone word is a surname; whether it is a person is settled against the article's
        // other mentions.
        Some((title, surname(doc, end), first))
    }
}

/// An age at another time: "then" right before the figure ("Smith, then 41,", "the then
/// 41-year-old"), or a past sentence (see [`past_sentences`]).
fn another_time(doc: &Doc, sr: &std::ops::Range<usize>, i: usize, past: &[bool]) -> bool {
    (i > sr.start && doc.low(i - 1) == "then")
        || (i > sr.start + 1 && doc.tok(i - 1) == "-" && doc.low(i - 2) == "then")
        || doc
            .sent_of
            .get(i)
            .is_some_and(|&s| past.get(s) == Some(&true))
}

/// Per sentence: it holds a year or "ago" ("In 1996, the 19-year-old Smith won gold"), so an
/// age in it may be of another time. Read once per sentence, not once per age, so that a long
/// sentence of many figures stays linear.
fn past_sentences(doc: &Doc) -> Vec<bool> {
    let year = |k: usize| {
        let t = doc.tok(k);
        doc.kind(k) == Some(TokenKind::Number)
            && t.len() == 4
            && t.parse::<u32>().is_ok_and(|y| (1800..=2100).contains(&y))
    };
    doc.sentences
        .iter()
        .map(|s| s.tokens.clone().any(|k| year(k) || doc.low(k) == "ago"))
        .collect()
}

/// A verb: a name right after one is its object ("police detained Smith, a 47-year-old
/// neighbor called 911": the neighbour is somebody else), and the walk from an age to the
/// name it describes stops at one ("a 19-year-old man shot Smith").
fn verb(w: &str) -> bool {
    use crate::quotes::lexicon as q;
    w.ends_with("ed")
        || has(q::AUX, w)
        || has(q::CUE_VERBS, w)
        || has(q::CLAUSE_VERBS, w)
        || has(q::OBJECT_VERBS, w)
}

/// Every age the article gives a name, in text order.
fn mentions(doc: &Doc) -> Vec<Mention> {
    let mut out = Vec::new();
    // Only read once an article gives an age at all.
    let mut past: Option<Vec<bool>> = None;
    for i in 0..doc.tokens.len() {
        let Some(age) = age_at(doc, i) else {
            continue;
        };
        let sr = doc.sentence_range(i);
        let past = past.get_or_insert_with(|| past_sentences(doc));
        if another_time(doc, &sr, i, past) {
            continue;
        }
        let tok = |k: usize| if sr.contains(&k) { doc.tok(k) } else { "" };
        let low = |k: usize| if sr.contains(&k) { doc.low(k) } else { "" };
        let year_old =
            tok(i + 1) == "-" && low(i + 2) == "year" && tok(i + 3) == "-" && low(i + 4) == "old";
        let years_old = low(i + 1) == "years" && low(i + 2) == "old";
        let aged = low(i.wrapping_sub(1)) == "aged";
        // Apposition: "Smith, 45," / "Smith (45)" / "Smith, aged 45," / "Smith, 45 years old,".
        let after = if years_old { i + 3 } else { i + 1 };
        let (open, name_end) = if aged {
            (tok(i.wrapping_sub(2)), i.wrapping_sub(3))
        } else {
            (tok(i.wrapping_sub(1)), i.wrapping_sub(2))
        };
        let closes = match open {
            "," => matches!(tok(after), "," | ";") || (tok(after) == "." && after + 1 >= sr.end),
            "(" => tok(after) == ")",
            _ => false,
        };
        if closes && !year_old && sr.contains(&name_end) {
            if let Some((given, surname, first)) = name_ending_at(doc, name_end) {
                out.push(Mention {
                    given,
                    surname,
                    age,
                    first,
                    last: after - usize::from(tok(after) != ")"),
                    explicit: aged || years_old,
                });
            }
            continue;
        }
        if !year_old {
            continue;
        }
        // "Smith, a 47-year-old nurse," / "Smith, 47-year-old nurse.": an apposition, closed
        // by a mark after its nouns, describing a name that is no verb's object.
        let article = matches!(low(i.wrapping_sub(1)), "a" | "an");
        let comma = if article {
            i.wrapping_sub(2)
        } else {
            i.wrapping_sub(1)
        };
        if tok(comma) == "," && comma > sr.start {
            let mut k = i + 5;
            while k < sr.end
                && k < i + 11
                && doc.kind(k) == Some(TokenKind::Word)
                && !verb(doc.low(k))
            {
                k += 1;
            }
            let closed = k >= sr.end || matches!(doc.tok(k), "," | "." | ";");
            if let Some((given, surname, first)) = name_ending_at(doc, comma - 1) {
                let object = first > sr.start
                    && doc.low(first - 1) == doc.tok(first - 1)
                    && verb(doc.low(first - 1));
                if closed && !object {
                    out.push(Mention {
                        given,
                        surname,
                        age,
                        first,
                        last: i + 4,
                        explicit: true,
                    });
                }
                continue;
            }
        }
        // "the 47-year-old Smith" / "47-year-old nurse Jane Smith": only role words between.
        let mut k = i + 5;
        while k < sr.end
            && k < i + 8
            && doc.low(k) == doc.tok(k)
            && (has(AGE_ROLES, doc.low(k)) || has(crate::quotes::lexicon::ROLE_NOUNS, doc.low(k)))
        {
            k += 1;
        }
        if k >= sr.end {
            continue;
        }
        if let Some((given, surname, end)) = name_starting_at(doc, k) {
            out.push(Mention {
                given,
                surname,
                age,
                first: i,
                last: end,
                explicit: true,
            });
        }
    }
    out
}

/// Words that may stand between an age and the name it describes besides the role nouns of
/// attribution: "the 38-year-old nurse Maria Lopez", "the 19-year-old suspect Smith". Generic
/// nouns ("man", "woman") are left out: "a 19-year-old man shot Smith".
const AGE_ROLES: &[&str] = &[
    "actor", "actress", "artist", "athlete", "driver", "farmer", "father", "former", "mechanic",
    "nurse", "pastor", "retired", "singer", "soldier", "student", "suspect", "teacher", "veteran",
    "victim", "worker",
];

/// Reports a surname given two ages where the mentions are one person.
pub(crate) fn check(doc: &Doc) -> Vec<Finding> {
    let ms = mentions(doc);
    if ms.len() < 2 {
        return Vec::new();
    }
    let mut by_surname: BTreeMap<&str, Vec<&Mention>> = BTreeMap::new();
    for m in &ms {
        by_surname.entry(m.surname.as_str()).or_default().push(m);
    }
    // Whatever is written right before each surname anywhere in the article: a given name
    // (listed or not: "Dwight Hammond"), a title ("Mrs. Smith"); and surnames with a suffix
    // ("Jr."). Two of them mean two people of one name.
    let mut givens: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut suffixed: BTreeSet<String> = BTreeSet::new();
    for i in 1..doc.tokens.len() {
        let s = surname(doc, i);
        let Some((key, _)) = by_surname.get_key_value(s.as_str()) else {
            continue;
        };
        if !name_word(doc, i) {
            continue;
        }
        let before = if doc.tok(i - 1) == "." && i >= 2 {
            i - 2
        } else {
            i - 1
        };
        let w = doc.low(before);
        let title = has(TITLES, w);
        // A sentence's first word is capitalised as such ("Later Pike said").
        let opener = before == doc.sentence_range(before).start && !given_name(w);
        let given = before == i - 1
            && !opener
            && name_word(doc, before)
            && !has(crate::quotes::lexicon::ROLE_NOUNS, w)
            && !has(OFFICES, w);
        if title || given {
            givens.entry(key).or_default().insert(w.to_string());
        }
        let next = if doc.tok(i + 1) == "," { i + 2 } else { i + 1 };
        if has(SUFFIXES, doc.low(next)) {
            suffixed.insert(s);
        }
    }
    let mut out = Vec::new();
    for (surname, group) in &by_surname {
        if suffixed.contains(*surname) {
            continue;
        }
        let names = givens.get(surname);
        let known_person =
            names.is_some_and(|n| !n.is_empty()) || group.iter().any(|m| m.given.is_some());
        if !known_person {
            continue;
        }
        let several = names.is_some_and(|n| n.len() > 1);
        let one_person = |a: &Mention, b: &Mention| match (&a.given, &b.given) {
            (Some(x), Some(y)) => x == y,
            _ => !several,
        };
        // Bounded so that a text repeating one age thousands of times stays linear.
        let group = &group[..group.len().min(64)];
        'pairs: for (k, a) in group.iter().enumerate() {
            for b in &group[k + 1..] {
                // Two bare figures ("Smith (45)" / "Smith (82)") may be scores or rounds;
                // one of the two must say it is an age.
                if a.age != b.age && (a.explicit || b.explicit) && one_person(a, b) {
                    let pa = doc.place(a.first, a.last);
                    let pb = doc.place(b.first, b.last);
                    out.push(Finding {
                        kind: FindingKind::ConflictingValues,
                        explanation: format!(
                            "\"{}\" and \"{}\" give one person two ages ({} and {})",
                            pa.text(),
                            pb.text(),
                            a.age,
                            b.age
                        ),
                        places: vec![pa, pb],
                    });
                    break 'pairs;
                }
            }
        }
    }
    out
}

/// Capitalised offices that precede a surname without being a given name ("Rep Smith",
/// "Councilor Smith"), beyond the attribution rules' role nouns ("Senator", "Mayor"), which
/// are read beside them.
const OFFICES: &[&str] = &["councilor", "rep"];

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<String> {
        let document = crate::consistency::document(text);
        let doc = Doc::of(&document);
        check(&doc)
            .iter()
            .map(|f| {
                f.places
                    .iter()
                    .map(|p| p.text().to_string())
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect()
    }

    #[test]
    fn one_person_two_ages() {
        assert_eq!(
            run("Jane Smith, 45, of Denver, was arrested. Police said the 47-year-old Smith had been driving."),
            vec!["Jane Smith, 45 | 47-year-old Smith"]
        );
        assert_eq!(
            run("Gerald Pike (62) spoke first. Later Pike, a 64-year-old engineer, left."),
            vec!["Gerald Pike (62) | Pike, a 64-year-old"]
        );
        assert_eq!(
            run("The 38-year-old nurse Maria Lopez was hired. Lopez, aged 39, said she was glad."),
            vec!["38-year-old nurse Maria Lopez | Lopez, aged 39"]
        );
    }

    #[test]
    fn the_same_age_twice_or_another_time_is_no_finding() {
        assert!(run("Jane Smith, 45, spoke. The 45-year-old Smith left.").is_empty());
        assert!(run("Jane Smith, 45, spoke. Smith, then 41, had moved in 2015.").is_empty());
        assert!(run("Jane Smith, 45, spoke. The then-41-year-old Smith had moved.").is_empty());
        assert!(run("Jane Smith, 45, spoke. When Smith was 30, she moved.").is_empty());
    }

    #[test]
    fn ages_at_another_time_are_left_alone() {
        // A black-box read of the first version: each of these was reported.
        assert!(run("Jane Smith, 45, spoke. The then 41-year-old Smith had moved.").is_empty());
        assert!(run("Jane Smith, 45, spoke. In 1996, the 19-year-old Smith won gold.").is_empty());
    }

    #[test]
    fn an_age_beside_somebody_else_is_not_theirs() {
        // A black-box read of the first version: each of these was reported.
        assert!(run(
            "Jane Smith, 45, was killed Sunday. Police say a 19-year-old man shot Smith after an \
             argument."
        )
        .is_empty());
        assert!(run(
            "Jane Smith, 45, was hurt. Shortly after police detained Smith, a 47-year-old \
             neighbor called 911."
        )
        .is_empty());
        // Bare figures may be scores or rounds: one of the two must be written as an age.
        assert!(
            run("Steve Smith (45) batted well; in the second innings Smith (82) did more.")
                .is_empty()
        );
    }

    #[test]
    fn two_people_of_one_surname_are_not_confused() {
        // Titles and unlisted given names are other people too.
        assert!(run(
            "Mr. Smith, 47, and Mrs. Smith, 45, were arrested. The 47-year-old Smith left."
        )
        .is_empty());
        assert!(run(
            "Steven Hammond, 46, and his father, Dwight Hammond, 73, reported to prison. The \
             73-year-old Hammond said little."
        )
        .is_empty());
        assert!(run("John Smith, Jr., 20, spoke. The 45-year-old John Smith left.").is_empty());
        assert!(run("John Smith, 45, and his wife Mary Smith, 43, spoke.").is_empty());
        assert!(run(
            "John Smith, 45, spoke. Mary Smith also came. The 43-year-old Smith said little."
        )
        .is_empty());
        assert!(run("John Smith Jr., 20, and John Smith, 45, spoke.").is_empty());
        assert!(run("John Smith, 45, spoke. His 20-year-old son John Smith left.").is_empty());
    }

    #[test]
    fn word_lists_are_sorted_lowercase() {
        for list in [TITLES, SUFFIXES, AGE_ROLES, OFFICES] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
            assert!(list.iter().all(|w| w.to_lowercase() == *w), "{list:?}");
        }
    }

    #[test]
    fn tallies_and_places_are_not_people() {
        assert!(run("Votes: New York, 12, and New York, 14, were recounted.").is_empty());
        assert!(run("Denver, 45, spoke. The 47-year-old Denver left.").is_empty());
        assert!(run("On Monday, 25 people came. On Monday, 27, came.").is_empty());
    }
}
