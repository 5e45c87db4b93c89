//! Name check: one name spelled two ways ("Rudskoy" / "Rudskoi").
//!
//! Candidates are capitalised words of five letters or more, never in lowercase (so they are not
//! ordinary words), outside title-case headlines, and not on a list of capitalised vocabulary;
//! at least one of a pair must appear inside a sentence (so its capital is not just sentence
//! case: "Murkowsky said …" / "Murkowski added …" is a pair, two sentence openers are not).
//! Two candidates are reported when they differ by exactly one edit — a substituted, inserted,
//! deleted or swapped letter — except where that edit is what grammar or regional spelling does
//! to a word: an ending ("Russia"/"Russian", "Americas"/"American"), "Defence"/"Defense",
//! "Labour"/"Labor". Pairs are found through shared one-deletion keys, so the cost stays linear
//! in the number of distinct words instead of quadratic.

use super::lexicon::{self, has};
use super::{Doc, Finding, FindingKind};
use std::collections::{BTreeSet, HashMap, HashSet};
use unspin_core::segment::TokenKind;

/// Where a spelling occurs: (token index, length in code points without any possessive).
type Occurrences = Vec<(usize, usize)>;

/// The word without a possessive ending: "Russia's" → "Russia".
pub(super) fn strip_possessive(w: &str) -> &str {
    for suffix in ["'s", "’s", "'S", "’S"] {
        if let Some(stem) = w.strip_suffix(suffix) {
            return stem;
        }
    }
    w
}

/// Shaped like a name: letters only, a capital then a small letter (not an acronym such as
/// "ISIS"/"ISIL", which differ by a letter and are distinct), five letters or more.
fn name_shaped(w: &str) -> bool {
    let mut chars = w.chars();
    let (Some(first), Some(second)) = (chars.next(), chars.next()) else {
        return false;
    };
    first.is_uppercase()
        && second.is_lowercase()
        && w.chars().all(char::is_alphabetic)
        && w.chars().count() >= 5
}

/// The letter without its accent, for the accents of Latin-script names ("Orbán", "Viganò").
fn base_letter(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' | 'ş' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        'ř' => 'r',
        'ğ' => 'g',
        _ => c,
    }
}

fn is_vowel(c: char) -> bool {
    matches!(base_letter(c), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Letters that transliterations of one name swap ("Rudskoy"/"Rudskoi", "Gaddafi"/"Qaddafi").
fn transliteration_pair(x: char, y: char) -> bool {
    const PAIRS: &[(char, char)] = &[
        ('c', 'k'),
        ('c', 'q'),
        ('f', 'v'),
        ('f', 'w'),
        ('g', 'q'),
        ('i', 'j'),
        ('i', 'y'),
        ('j', 'y'),
        ('k', 'q'),
        ('v', 'w'),
    ];
    PAIRS.contains(&(x.min(y), x.max(y)))
}

/// How two spellings differ, when they could be one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// Only an accent ("Orbán"/"Orban").
    Accent,
    /// One letter added, dropped, swapped or changed the way names get misspelt.
    Letter,
}

/// Could `a` and `b` (lowercase) be one name spelled two ways? They must be exactly one edit
/// apart, and the edit must be one that misspells a name rather than one that makes a different
/// word. A changed consonant usually makes another word ("Price"/"Prize", "Ireland"/"Iceland",
/// "Donald"/"Ronald"), a changed last letter an inflection or derivation ("Latino"/"Latina",
/// "Zionist"/"Zionism", "Argentina"/"Argentine"), so substitutions are accepted only for
/// accents, transliteration pairs (y/i, k/q, v/w ...) and, in words of seven letters or more,
/// vowels inside the word (in shorter ones a changed vowel makes two names too often:
/// "Durbin"/"Durban", "Barton"/"Burton", "Larson"/"Larsen", so "Okafor"/"Okafer" is missed).
/// Added, dropped and swapped letters ("Goldstein"/"Goldsetein", "Strzok"/"Stzrok") are accepted
/// except for the endings and regional spellings grammar produces.
fn one_name(a: &[char], b: &[char]) -> Option<Variant> {
    let (la, lb) = (a.len(), b.len());
    if la.min(lb) < 5 || la.abs_diff(lb) > 1 || a.starts_with(b) || b.starts_with(a) {
        return None;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let max_q = la.min(lb) - p;
    let q = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_q)
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[p..la - q], &b[p..lb - q]);
    let at_end = q == 0;
    match (ma, mb) {
        ([x], [y]) => {
            if base_letter(*x) == base_letter(*y) {
                return Some(Variant::Accent);
            }
            let (x, y) = (base_letter(*x), base_letter(*y));
            if transliteration_pair(x, y) {
                return Some(Variant::Letter);
            }
            let inner = p > 0 && !at_end;
            (inner && is_vowel(x) && is_vowel(y) && la.min(lb) >= 7).then_some(Variant::Letter)
        }
        ([], [y]) | ([y], []) => {
            let longer = if la > lb { a } else { b };
            let before = p.checked_sub(1).and_then(|k| longer.get(k)).copied();
            let after = longer.get(p + 1).copied();
            // "Labour"/"Labor"; "Honduras"/"Hondurans"; a letter added in front.
            let regional = *y == 'u' && before == Some('o') && after == Some('r');
            let demonym = *y == 'n' && after == Some('s') && p + 2 == longer.len();
            (p > 0 && !regional && !demonym).then_some(Variant::Letter)
        }
        ([x1, x2], [y1, y2]) if x1 == y2 && x2 == y1 => {
            // "Centre"/"Center".
            let regional = at_end && matches!((x1, x2), ('r', 'e') | ('e', 'r'));
            (!regional).then_some(Variant::Letter)
        }
        _ => None,
    }
}

/// Could `a` and `b` be one person's surname spelled two ways ("Rudskoy"/"Rudskoi")? The
/// same test the name check reports by, for the quote speaker to link a variant back to the
/// full name written earlier.
pub(crate) fn spelled_otherwise(a: &str, b: &str) -> bool {
    if a == b || !name_shaped(a) || !name_shaped(b) {
        return false;
    }
    let (la, lb) = (a.to_lowercase(), b.to_lowercase());
    let distinct = lexicon::DISTINCT_NAMES
        .iter()
        .any(|(x, y)| (*x == la && *y == lb) || (*x == lb && *y == la));
    let ca: Vec<char> = la.chars().collect();
    let cb: Vec<char> = lb.chars().collect();
    !distinct && one_name(&ca, &cb).is_some()
}

/// Titles before a name, which say nothing about whose name it is.
const TITLES: &[&str] = &[
    "abbot",
    "archbishop",
    "bishop",
    "brother",
    "capt",
    "cardinal",
    "col",
    "dr",
    "father",
    "gen",
    "gov",
    "imam",
    "lady",
    "lord",
    "lt",
    "mr",
    "mrs",
    "ms",
    "pope",
    "prof",
    "rabbi",
    "rep",
    "rev",
    "saint",
    "sen",
    "sgt",
    "sheikh",
    "sir",
    "sister",
    "st",
];

/// The names right before (`before`) or after the occurrences: capitalised words of the same
/// sentence that are not titles or vocabulary (listed, or seen in lowercase in the text).
fn neighbours<'t>(
    doc: &Doc<'t>,
    lowercase: &HashSet<&str>,
    occ: &[(usize, usize)],
    before: bool,
) -> HashSet<&'t str> {
    occ.iter()
        .filter_map(|&(i, _)| {
            let k = if before { i.checked_sub(1)? } else { i + 1 };
            let w = strip_possessive(doc.tok(k));
            let sr = doc.sentence_range(k);
            let inside = sr.contains(&i);
            let low = w.to_lowercase();
            let vocabulary = has(TITLES, &low)
                || has(lexicon::COMMON_CAPITALISED, &low)
                || lowercase.contains(low.as_str());
            let mut chars = w.chars();
            let shaped = chars.next().is_some_and(char::is_uppercase)
                && chars.next().is_some_and(char::is_lowercase);
            (doc.kind(k) == Some(TokenKind::Word) && inside && shaped && !vocabulary).then_some(w)
        })
        .collect()
}

/// Two spellings flanked by different names, and never by the same one, are two people:
/// "Donald Trump" and "Ronald Reagan", "Mark Andersen" and "Gillian Anderson". Bare
/// occurrences ("Andersen said") say nothing either way.
fn different_people(
    doc: &Doc,
    lowercase: &HashSet<&str>,
    a: &[(usize, usize)],
    b: &[(usize, usize)],
) -> bool {
    [true, false].into_iter().any(|before| {
        let x = neighbours(doc, lowercase, a, before);
        let y = neighbours(doc, lowercase, b, before);
        !x.is_empty() && !y.is_empty() && x.is_disjoint(&y)
    })
}

/// Runs the name check.
pub(crate) fn check(doc: &Doc) -> Vec<Finding> {
    let Capitals { lowercase, forms } = capitals(doc);
    // A spelling seen only at sentence starts may be any word in sentence case; it is kept as
    // the partner of one seen inside a sentence ("Senator Jane Murkowsky said …" /
    // "Murkowski added …"), never paired with another like it.
    let inside = |w: &str| forms.get(w).is_some_and(|f| f.1);
    // An adverb opening a sentence ("Hardly anyone came" / "Thomas Hardy") is sentence case,
    // not a misspelt name: a spelling seen only there, in "-ly", whose partner drops that "l".
    // Surnames in "-ly" keep their pairs ("Connelly said" / "Connolly added").
    let adverb = |w: &str, l: &str, other: &str| {
        !inside(w)
            && l.strip_suffix("ly")
                .is_some_and(|stem| other == format!("{stem}y"))
    };
    let mut names: Vec<(&str, String)> = forms
        .keys()
        .map(|w| (*w, w.to_lowercase()))
        .filter(|(_, l)| !lowercase.contains(l.as_str()) && !has(lexicon::COMMON_CAPITALISED, l))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for (a, b) in candidate_pairs(&names) {
        if !inside(names[a].0) && !inside(names[b].0) {
            continue;
        }
        let (la, lb) = (&names[a].1, &names[b].1);
        let ca: Vec<char> = la.chars().collect();
        let cb: Vec<char> = lb.chars().collect();
        let distinct = lexicon::DISTINCT_NAMES
            .iter()
            .any(|(x, y)| (x == la && y == lb) || (x == lb && y == la));
        let Some(variant) = one_name(&ca, &cb).filter(|_| !distinct) else {
            continue;
        };
        if adverb(names[a].0, la, lb) || adverb(names[b].0, lb, la) {
            continue;
        }
        let occ = |w: &str| forms.get(w).map(|f| f.0.clone()).unwrap_or_default();
        let (oa, ob) = (occ(names[a].0), occ(names[b].0));
        if different_people(doc, &lowercase, &oa, &ob) {
            continue;
        }
        let (mut first, mut second) = ((names[a].0, oa), (names[b].0, ob));
        if second.1.first() < first.1.first() {
            std::mem::swap(&mut first, &mut second);
        }
        out.push(finding(doc, first, second, variant));
    }
    out
}

/// The capitalised words of a document outside title-case headlines, and its lowercase words.
struct Capitals<'d> {
    /// Lowercase spellings of words seen in lowercase somewhere.
    lowercase: HashSet<&'d str>,
    /// Spelling → (its occurrences, whether one is inside a sentence).
    forms: HashMap<&'d str, (Occurrences, bool)>,
}

fn capitals<'d>(doc: &'d Doc) -> Capitals<'d> {
    let title = title_case_sentences(doc);
    let mut lowercase: HashSet<&str> = HashSet::new();
    let mut forms: HashMap<&str, (Occurrences, bool)> = HashMap::new();
    for (i, t) in doc.tokens.iter().enumerate() {
        if t.kind != TokenKind::Word {
            continue;
        }
        let w = strip_possessive(doc.tok(i));
        if w.chars().next().is_some_and(char::is_lowercase) {
            lowercase.insert(strip_possessive(doc.low(i)));
            continue;
        }
        let s = doc.sent_of.get(i).copied().unwrap_or(0);
        if title.get(s).copied().unwrap_or(false) || !name_shaped(w) {
            continue;
        }
        let sr = doc.sentence_range(i);
        let initial = (sr.start..i).all(|k| doc.kind(k) == Some(TokenKind::Punct));
        let entry = forms.entry(w).or_default();
        entry.0.push((i, w.chars().count()));
        entry.1 |= !initial;
    }
    Capitals { lowercase, forms }
}

/// Title-case headlines (no full stop, most words capitalised) say nothing about names.
fn title_case_sentences(doc: &Doc) -> Vec<bool> {
    doc.sentences
        .iter()
        .map(|s| {
            let words: Vec<&str> = s
                .tokens
                .clone()
                .map(|i| doc.tok(i))
                .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
                .collect();
            let caps = words
                .iter()
                .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
                .count();
            let last = s.tokens.end.checked_sub(1).map_or("", |k| doc.tok(k));
            let stop = matches!(last, "." | "!" | "?" | "…");
            !stop && words.len() >= 3 && caps * 4 >= words.len() * 3
        })
        .collect()
}

/// Pairs of `names` (indices, lower first) that may be one edit apart: words one edit apart
/// share a key, themselves or themselves less one letter.
fn candidate_pairs(names: &[(&str, String)]) -> BTreeSet<(usize, usize)> {
    let mut keys: HashMap<String, Vec<usize>> = HashMap::new();
    for (k, (_, l)) in names.iter().enumerate() {
        let chars: Vec<char> = l.chars().collect();
        keys.entry(l.clone()).or_default().push(k);
        for d in 0..chars.len() {
            let key: String = chars[..d].iter().chain(&chars[d + 1..]).collect();
            keys.entry(key).or_default().push(k);
        }
    }
    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    for ids in keys.values() {
        // A key shared by dozens of words is a common pattern, not one name; skipping it keeps
        // adversarial input from going quadratic.
        if ids.len() > 32 {
            continue;
        }
        for (x, &a) in ids.iter().enumerate() {
            for &b in &ids[x + 1..] {
                if a != b {
                    pairs.insert((a.min(b), a.max(b)));
                }
            }
        }
    }
    pairs
}

/// The finding for two spellings, each with its occurrences, the earlier first.
fn finding(
    doc: &Doc,
    first: (&str, Occurrences),
    second: (&str, Occurrences),
    variant: Variant,
) -> Finding {
    let times = |n: usize| {
        if n == 1 {
            "once".to_string()
        } else {
            format!("{n} times")
        }
    };
    let mut places: Vec<_> = first
        .1
        .iter()
        .chain(&second.1)
        .map(|&(i, n)| doc.place_prefix(i, n))
        .collect();
    places.sort_by_key(|p| (p.start(), p.end()));
    Finding {
        kind: FindingKind::NameSpelledTwoWays,
        explanation: format!(
            "\"{}\" ({}) and \"{}\" ({}) differ {}: probably one name spelled two ways",
            first.0,
            times(first.1.len()),
            second.0,
            times(second.1.len()),
            match variant {
                Variant::Accent => "only in an accent",
                Variant::Letter => "by one letter",
            }
        ),
        places,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        let ca: Vec<char> = a.chars().collect();
        let cb: Vec<char> = b.chars().collect();
        one_name(&ca, &cb).is_some()
    }

    #[test]
    fn one_edit_spellings() {
        assert!(same("rudskoy", "rudskoi"));
        assert!(same("mueller", "muller"));
        assert!(same("gaddafi", "qaddafi"));
        assert!(same("konashenkov", "konashenkow"));
        assert!(same("baldanza", "baldazna"));
        assert!(same("goldstein", "goldsetein"));
        assert!(same("strzok", "stzrok"));
        assert!(same("kazakstan", "kazakhstan"));
        assert!(same("francesco", "francisco"));
        assert_eq!(
            one_name(
                &"orbán".chars().collect::<Vec<_>>(),
                &"orban".chars().collect::<Vec<_>>()
            ),
            Some(Variant::Accent)
        );
    }

    #[test]
    fn different_words_a_letter_apart() {
        for (a, b) in [
            ("donald", "ronald"),
            ("price", "prize"),
            ("ireland", "iceland"),
            ("south", "youth"),
            ("chile", "child"),
            ("latino", "latina"),
            ("zionist", "zionism"),
            ("argentina", "argentine"),
            ("antonio", "antonia"),
            ("durbin", "durban"),
            ("barton", "burton"),
            ("larson", "larsen"),
            ("honduras", "hondurans"),
            ("veritas", "pveritas"),
            ("mafia", "maria"),
        ] {
            assert!(!same(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn grammar_and_regional_variants_are_not_misspellings() {
        assert!(!same("russia", "russian"));
        assert!(!same("syria", "syrian"));
        assert!(!same("americas", "american"));
        assert!(!same("iraqi", "iraqs"));
        assert!(!same("defence", "defense"));
        assert!(!same("organisation", "organization"));
        assert!(!same("labour", "labor"));
        assert!(!same("centre", "center"));
        assert!(!same("iran", "iraq"));
        assert!(!same("konashenkov", "baldanza"));
        assert!(!same("rudskoy", "rudskoy"));
    }

    #[test]
    fn titles_are_sorted() {
        for w in TITLES.windows(2) {
            assert!(w[0] < w[1], "{} before {}", w[0], w[1]);
        }
    }

    #[test]
    fn possessive_and_shape() {
        assert_eq!(strip_possessive("Russia's"), "Russia");
        assert_eq!(strip_possessive("Russia’s"), "Russia");
        assert!(name_shaped("Rudskoy"));
        assert!(!name_shaped("ISIS"));
        assert!(!name_shaped("Iran"));
        assert!(!name_shaped("rudskoy"));
        assert!(!name_shaped("Su24M"));
    }
}
