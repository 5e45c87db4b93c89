//! Number checks: parts that do not add up to their total, shares over 100%, one quantity
//! given two values, and one statement repeated with another figure.
//!
//! Quantities are read from the tokens ("11,775", "1.5 million", "45%", "Thirty-seven", "$5
//! billion"), skipping what only looks like one: years, dates, times, model names ("Su-34").
//! Each remembers whether it was hedged ("more than", "about", "11,000+") and how finely it was
//! rounded, because a hedged or rounded figure cannot contradict a precise sum.

use super::lexicon::{self, has};
use super::{format_number, Doc, Finding, FindingKind, Place};
use std::collections::{BTreeMap, BTreeSet};
use unspin_core::segment::TokenKind;

/// What a quantity counts: a share, money, or anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum QKind {
    Count,
    Percent,
    Money,
}

/// A number found in the text, with the words that qualify it.
#[derive(Debug, Clone)]
struct Quantity {
    value: f64,
    /// How far the true value may be from `value` given how the figure was rounded: half its
    /// last significant unit ("1.5 million" ±50,000; "12,000" ±500; "11,775" ±0).
    tol: f64,
    kind: QKind,
    /// Hedged: "more than", "about", "almost", "11,000+", a range bound.
    approx: bool,
    /// First and last token of the figure, currency symbol, scale word and "%" included.
    first: usize,
    last: usize,
    sentence: usize,
    /// A unit word right after the figure ("km", "years"), which parts must share with a total.
    unit_noun: Option<String>,
}

/// Parses a digit token: "11,775", "1.5", "300". Returns the value, the unit of its last
/// significant digit, and whether it looks like a year (four digits, no separator, 1000–2199).
/// Malformed groupings ("1,2,3") and figures too long for exact arithmetic are refused.
fn parse_digits(s: &str) -> Option<(f64, f64, bool)> {
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
    {
        return None;
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty() || frac.contains(['.', ',']) || (s.contains('.') && frac.is_empty()) {
        return None;
    }
    let mut groups = int.split(',');
    let head = groups.next().unwrap_or("");
    if int.contains(',') && (head.is_empty() || head.len() > 3 || groups.any(|g| g.len() != 3)) {
        return None;
    }
    let digits: String = int.chars().filter(|c| *c != ',').collect();
    if digits.trim_start_matches('0').len() + frac.len() > 15 {
        return None;
    }
    let value: f64 = if frac.is_empty() {
        digits.parse().ok()?
    } else {
        format!("{digits}.{frac}").parse().ok()?
    };
    let unit = if !frac.is_empty() {
        10f64.powi(-(frac.len() as i32))
    } else {
        let tz = digits.len() - digits.trim_end_matches('0').len();
        if value > 0.0 && tz >= 3 {
            10f64.powi(tz as i32)
        } else {
            1.0
        }
    };
    let year = !int.contains(',') && frac.is_empty() && digits.len() == 4 && {
        (1000.0..=2199.0).contains(&value)
    };
    Some((value, unit, year))
}

/// A number written in words at token `i` ("seven", "Thirty-seven", "twenty one", "dozen"):
/// value, last token, and whether the word itself is vague ("dozen").
fn word_number(doc: &Doc, i: usize) -> Option<(f64, usize, bool)> {
    let w = doc.low(i);
    if let Some(t) = lexicon::TENS.iter().position(|x| *x == w) {
        let v = 10.0 * (t as f64 + 2.0);
        let ones = |k: usize| {
            lexicon::ONES[1..10]
                .iter()
                .position(|x| *x == doc.low(k))
                .map(|p| p as f64 + 1.0)
        };
        if doc.tok(i + 1) == "-" && doc.glued(i + 1) && doc.glued(i + 2) {
            if let Some(o) = ones(i + 2) {
                return Some((v + o, i + 2, false));
            }
        }
        if doc.kind(i + 1) == Some(TokenKind::Word) {
            if let Some(o) = ones(i + 1) {
                return Some((v + o, i + 1, false));
            }
        }
        return Some((v, i, false));
    }
    if let Some(o) = lexicon::ONES.iter().position(|x| *x == w) {
        return Some((o as f64, i, false));
    }
    (w == "dozen").then_some((12.0, i, true))
}

/// A digit token as a quantity, or `None` when it is not one: a year, part of a date, time,
/// ratio or code ("9/11", "3:30", "Su-34").
fn digit_number(doc: &Doc, i: usize) -> Option<(f64, f64, bool)> {
    let (value, unit, year) = parse_digits(doc.tok(i))?;
    if year {
        return None;
    }
    if doc.glued(i) && matches!(doc.tok(i - 1), "-" | "–" | "/" | ":" | "#" | "." | "_") {
        return None;
    }
    if doc.glued(i + 1) && matches!(doc.tok(i + 1), "/" | ":") {
        return None;
    }
    // A footnote mark: "[3]".
    if doc.glued(i) && doc.tok(i - 1) == "[" && doc.glued(i + 1) && doc.tok(i + 1) == "]" {
        return None;
    }
    let month_before = i > 0 && has(lexicon::MONTHS, doc.low(i - 1));
    let month_after = has(lexicon::MONTHS, doc.low(i + 1))
        || (doc.low(i + 1) == "of" && has(lexicon::MONTHS, doc.low(i + 2)));
    if month_before || month_after {
        return None;
    }
    // A range "10-15": the lower bound is hedged (the upper is dropped above).
    let range = doc.glued(i + 1)
        && matches!(doc.tok(i + 1), "-" | "–")
        && doc.kind(i + 2) == Some(TokenKind::Number);
    Some((value, unit, range))
}

/// Whether hedges around the figure at tokens `first..=last` (its number at `i`, in the
/// sentence `sr`) make it approximate: "about 10", "11,000+", "50-odd", "300 trucks or so",
/// "20 to 30", "between 10 and 20". `hedged_at` is where a second hedged bound must start
/// ("between 10 and 20", "20 to 30"): it is set here and read for the next figure.
fn hedged(
    doc: &Doc,
    sr: std::ops::Range<usize>,
    i: usize,
    first: usize,
    last: usize,
    hedged_at: &mut usize,
) -> bool {
    let mut approx = false;
    // Hedges before the figure: at most two words back, within the sentence.
    for k in (sr.start.max(first.saturating_sub(2))..first).rev() {
        if doc.kind(k) == Some(TokenKind::Number) {
            break;
        }
        let w = doc.low(k);
        if has(lexicon::APPROX_BEFORE, w) || matches!(w, "~" | "≈" | "±") {
            approx = true;
        }
        if w == "between" {
            *hedged_at = last + 2;
        }
    }
    if i == *hedged_at {
        approx = true;
    }
    // Hedges after: "11,000+", "50-odd", "300 trucks or so", "20 to 30".
    let next = doc.low(last + 1);
    if (next == "+" && doc.glued(last + 1))
        || matches!(next, "odd" | "plus")
        || (next == "-" && matches!(doc.low(last + 2), "odd" | "plus" | "some"))
    {
        approx = true;
    }
    for k in last + 1..(last + 6).min(sr.end) {
        if doc.kind(k) != Some(TokenKind::Word) {
            break;
        }
        let hedge = matches!(
            doc.low(k + 1),
            "so" | "more" | "less" | "fewer" | "thereabouts"
        );
        if doc.low(k) == "or" && hedge {
            approx = true;
        }
    }
    if next == "to" && doc.kind(last + 2) == Some(TokenKind::Number) {
        approx = true;
        *hedged_at = last + 2;
    }
    approx
}

/// Every quantity in the text, in order.
fn extract(doc: &Doc) -> Vec<Quantity> {
    let n = doc.tokens.len();
    let mut out: Vec<Quantity> = Vec::new();
    // "between 10 and 20": the second bound is hedged too; this is where it must start.
    let mut hedged_at = usize::MAX;
    let mut i = 0;
    while i < n {
        let parsed = match doc.kind(i) {
            Some(TokenKind::Number) => digit_number(doc, i).map(|(v, u, a)| (v, u, i, a)),
            Some(TokenKind::Word) => word_number(doc, i).map(|(v, l, a)| (v, 1.0, l, a)),
            _ => None,
        };
        let Some((mut value, mut unit, mut last, mut approx)) = parsed else {
            i += 1;
            continue;
        };
        let sr = doc.sentence_range(i);
        let mut first = i;
        if let Some(s) = lexicon::scale(doc.low(last + 1)) {
            value *= s;
            unit *= s;
            last += 1;
        }
        let mut kind = QKind::Count;
        if matches!(doc.low(last + 1), "%" | "percent" | "pct") {
            kind = QKind::Percent;
            last += 1;
        } else if doc.low(last + 1) == "per" && doc.low(last + 2) == "cent" {
            kind = QKind::Percent;
            last += 2;
        } else if i > sr.start && doc.glued(i) && matches!(doc.tok(i - 1), "$" | "€" | "£" | "¥")
        {
            kind = QKind::Money;
            first = i - 1;
        } else if has(lexicon::CURRENCY_WORDS, doc.low(last + 1)) {
            kind = QKind::Money;
        }
        approx |= hedged(doc, sr.clone(), i, first, last, &mut hedged_at);
        let tol = if kind == QKind::Percent && unit == 1.0 {
            0.5
        } else if unit == 1.0 {
            0.0
        } else {
            unit / 2.0
        };
        let unit_noun = Some(doc.low(last + 1))
            .filter(|w| has(lexicon::UNIT_NOUNS, w))
            .map(str::to_string);
        out.push(Quantity {
            value,
            tol,
            kind,
            approx,
            first,
            last,
            sentence: doc.sent_of.get(i).copied().unwrap_or(0),
            unit_noun,
        });
        i = last + 1;
    }
    out
}

/// Runs the number checks.
pub(crate) fn check(doc: &Doc) -> Vec<Finding> {
    let qs = extract(doc);
    let mut out = parts_and_totals(doc, &qs);
    out.extend(shares_without_total(doc, &qs));
    out.extend(percent_over_100(doc, &qs));
    out.extend(complementary_shares(doc, &qs));
    let conflicts = conflicting_values(doc, &qs);
    let transposed: Vec<Finding> = transposed_digits(doc, &qs)
        .into_iter()
        .filter(|t| !conflicts.iter().any(|c| c.places == t.places))
        .collect();
    out.extend(conflicts);
    out.extend(transposed);
    out.extend(repeated_statements(doc, &qs));
    out
}

/// Reports a count given twice with its digits in another order, of things named by the same
/// noun: "would hire 4,530 new teachers" and later "will bring 4,350 new teachers"; "4,530
/// homes" and "the 4,350 destroyed homes". A typing slip of this kind keeps every digit, and
/// two honest counts of one kind of thing rarely do: so both figures must be written in
/// digits (not hedged), differ, hold the same digits with as many before the decimal point,
/// the same scale word, lie in different sentences, and be followed by the same noun (the
/// last word of up to three). Counts of four digits or more need no more than the same words
/// or "the" before the later one. Shorter figures are often honest ("136 homicides in 2022"
/// and "163 homicides in 2023"), so for them the noun phrases must be the same and so must the
/// event: a count of 20 or more followed by the same three words after the noun, one of them
/// more than a little word ("34 homes in the Elm district" / "43 homes in the Elm district"),
/// with no different years in reach (a shared verb is no proof: "reported 34 new cases on
/// Monday" / "On Tuesday it reported 43 new cases"); they are grouped apart from the longer
/// counts, so that they do not make a noun's counts look like a table; money ("a $4.5 million expansion" / "the $5.4 million
/// expansion") must be referred back with "the", since a budget may honestly change. A noun
/// given more than four counts is a table or a breakdown, a count after "other" or "another"
/// a subgroup: both are left alone. A pair [`conflicting_values`] already reports is not
/// reported twice. On PTC train and PolNeAR train/dev (1,295 texts) the shorter figures and
/// money added no finding (47 before and after).
fn transposed_digits(doc: &Doc, qs: &[Quantity]) -> Vec<Finding> {
    /// One count: its quantity, the last token of its noun phrase, its digits sorted, the noun
    /// phrase, and whether "the" comes right before it.
    struct Mention<'d> {
        q: usize,
        np_last: usize,
        digits: Vec<u8>,
        np: String,
        definite: bool,
        /// The scale word after the figure ("million"), or "".
        scale: &'d str,
        /// A count of four digits or more, held to the looser test.
        plain: bool,
    }
    // The digits of a figure written as one token of digits, commas and a decimal point
    // ("4,530", "$4.5 million": "4.5"), sorted, with the words after it that scale it.
    let digits = |q: &Quantity| -> Option<(Vec<u8>, &str)> {
        let n = (q.first..=q.last).find(|&i| doc.kind(i) == Some(TokenKind::Number))?;
        let t = doc.tok(n);
        if q.approx
            || !t
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        {
            return None;
        }
        let mut d: Vec<u8> = t.bytes().filter(u8::is_ascii_digit).collect();
        d.sort_unstable();
        // "4.5" and "45" share their digits but not their size: the count of whole digits
        // goes with them.
        let whole = t
            .split('.')
            .next()
            .map_or(0, |w| w.bytes().filter(u8::is_ascii_digit).count());
        d.push(b'0' + whole.min(9) as u8);
        let scale = if n < q.last { doc.low(q.last) } else { "" };
        Some((d, scale))
    };
    // Short counts and money apart from the counts of four digits or more, so that they do not
    // make a noun's group look like a table.
    let mut by_noun: BTreeMap<(&str, bool), Vec<Mention>> = BTreeMap::new();
    for (k, q) in qs.iter().enumerate() {
        if q.kind == QKind::Percent {
            continue;
        }
        let (Some((d, scale)), Some((np, np_last))) = (digits(q), noun_phrase(doc, q)) else {
            continue;
        };
        let sr = doc.sentence_range(q.first);
        let before = (q.first > sr.start).then(|| doc.low(q.first - 1));
        if before.is_some_and(|w| has(lexicon::INCOMPLETE, w)) {
            continue;
        }
        // Four digits or more are rarely two different things with the same digits; with
        // fewer ("34 homes" / "43 homes", "$4.5 million" / "$5.4 million") the noun phrase
        // must be the same, and money must be referred back to ("the $5.4 million
        // expansion"): a price or budget may honestly change.
        let definite = before == Some("the");
        // (`d` holds one more entry than the figure has digits: the count of whole ones.)
        let plain = q.kind == QKind::Count && d.len() > 4;
        let short = d.len() > 2 && (q.kind == QKind::Money || q.value >= 20.0);
        if !(plain || short) {
            continue;
        }
        by_noun
            .entry((doc.low(np_last), plain))
            .or_default()
            .push(Mention {
                q: k,
                np_last,
                digits: d,
                np,
                definite,
                scale,
                plain,
            });
    }
    // The three tokens after a short count's noun phrase, which must be the same for both
    // ("34 homes in the Elm district" / "43 homes in the Elm district"): a shared verb is not
    // enough ("reported 34 new cases on Monday" / "On Tuesday it reported 43 new cases").
    let after = |m: &Mention| -> Vec<&str> {
        let sr = doc.sentence_range(qs[m.q].first);
        (m.np_last + 1..(m.np_last + 4).min(sr.end))
            .map(|i| doc.low(i))
            .collect()
    };
    // (Within twelve tokens of the figure, so that an endless sentence costs no more.)
    let years = |m: &Mention| -> BTreeSet<&str> {
        let sr = doc.sentence_range(qs[m.q].first);
        (qs[m.q].first.saturating_sub(12).max(sr.start)..(m.np_last + 13).min(sr.end))
            .filter(|&i| parse_digits(doc.tok(i)).is_some_and(|(_, _, year)| year))
            .map(|i| doc.tok(i))
            .collect()
    };
    let same_event = |a: &Mention, b: &Mention| {
        let (ta, tb) = (after(a), after(b));
        let (ya, yb) = (years(a), years(b));
        let other_years = !ya.is_empty() && !yb.is_empty() && ya != yb;
        let content = |w: &&str| w.chars().all(char::is_alphabetic) && !has(lexicon::NP_STOP, w);
        !other_years && ta.len() == 3 && ta == tb && ta.iter().any(content)
    };
    let mut out = Vec::new();
    for ((noun, _), ms) in &by_noun {
        if ms.len() > 4 {
            continue;
        }
        let pair = ms.iter().enumerate().find_map(|(i, a)| {
            ms[i + 1..]
                .iter()
                .find(|b| {
                    a.digits == b.digits
                        && a.scale == b.scale
                        && qs[a.q].kind == qs[b.q].kind
                        && qs[a.q].value != qs[b.q].value
                        && qs[a.q].sentence != qs[b.q].sentence
                        && if a.plain && b.plain {
                            a.np == b.np || b.definite
                        } else if qs[a.q].kind == QKind::Money {
                            a.np == b.np && b.definite
                        } else {
                            // "destroyed 34 homes in the Elm district" / "43 homes in the
                            // Elm district", but not "25 people were killed" / "52 people
                            // were injured".
                            a.np == b.np && same_event(a, b)
                        }
                })
                .map(|b| (a, b))
        });
        if let Some((a, b)) = pair {
            let pa = doc.place(qs[a.q].first, a.np_last);
            let pb = doc.place(qs[b.q].first, b.np_last);
            out.push(Finding {
                kind: FindingKind::ConflictingValues,
                explanation: format!(
                    "\"{}\" and later \"{}\": the same digits in another order, of the same {noun}; perhaps one figure was mistyped",
                    pa.text(),
                    pb.text()
                ),
                places: vec![pa, pb],
            });
        }
    }
    out
}

fn qplace(doc: &Doc, q: &Quantity) -> Place {
    doc.place(q.first, q.last)
}

/// How the text presents a list of parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// "of them", "of which", "Of the 120 ..., ": the parts may be the complete breakdown.
    Breakdown,
    /// "including", "among them": the parts are some of the total, never more than it.
    Inclusive,
    /// "120 people: 70 women and 50 men", "70 were women and 50 were men" after a total: a
    /// breakdown only when at least two parts follow ("convents: 11" is a label and a value).
    List,
}

/// A list of parts: the quantities, whether the last was joined by "and" (the mark of a
/// complete enumeration), and whether words like "other"/"remaining" say something is left out.
struct PartList {
    parts: Vec<usize>,
    joined_and: bool,
    incomplete: bool,
}

/// For each token, the quantity that starts there, if any: how [`parse_list`] finds the next
/// part.
fn starts(doc: &Doc, qs: &[Quantity]) -> Vec<Option<usize>> {
    let mut start_at = vec![None; doc.tokens.len() + 1];
    for (k, q) in qs.iter().enumerate() {
        if let Some(slot) = start_at.get_mut(q.first) {
            *slot = Some(k);
        }
    }
    start_at
}

/// Finds part/total structures and reports those whose arithmetic fails.
fn parts_and_totals(doc: &Doc, qs: &[Quantity]) -> Vec<Finding> {
    let start_at = starts(doc, qs);
    let mut used = vec![false; qs.len()];
    let mut out = Vec::new();
    for p in 0..qs.len() {
        if used[p] {
            continue;
        }
        let Some((anchor, fixed_total)) = anchor_for(doc, qs, p) else {
            continue;
        };
        let list = parse_list(doc, qs, &start_at, p);
        for &k in &list.parts {
            used[k] = true;
        }
        if anchor == Anchor::List && list.parts.len() < 2 {
            continue;
        }
        let total = fixed_total.or_else(|| find_total(qs, &used, p));
        if let Some(t) = total {
            out.extend(judge(doc, qs, t, &list, anchor));
        }
    }
    out
}

/// Is quantity `p` the first part of a list, and how is the list introduced? Also returns the
/// total when the wording names it ("Of the 120 people, ...", "120 people: ...").
fn anchor_for(doc: &Doc, qs: &[Quantity], p: usize) -> Option<(Anchor, Option<usize>)> {
    let q = &qs[p];
    let (f, l) = (q.first, q.last);
    let sr = doc.sentence_range(f);
    // "4,530 of them in Turkey", "40 of which were ..."
    if doc.low(l + 1) == "of"
        && matches!(
            doc.low(l + 2),
            "them" | "these" | "those" | "which" | "whom"
        )
    {
        return Some((Anchor::Breakdown, None));
    }
    let mut b = f;
    if b > sr.start && doc.tok(b - 1) == "," {
        b -= 1;
    }
    let w1 = if b > sr.start { doc.low(b - 1) } else { "" };
    let w2 = if b >= sr.start + 2 {
        doc.low(b - 2)
    } else {
        ""
    };
    if matches!(w1, "including" | "includes" | "included")
        || (w2 == "among" && matches!(w1, "them" | "whom" | "which" | "these" | "those"))
    {
        return Some((Anchor::Inclusive, None));
    }
    if w2 == "of" && matches!(w1, "which" | "whom" | "them" | "these" | "those") {
        return Some((Anchor::Breakdown, None));
    }
    if p > 0 {
        let prev = &qs[p - 1];
        if prev.sentence == q.sentence {
            // "120 people: 70 women and 50 men" — the total's own words up to the colon, and
            // the total not itself the value of a label ("convents: 11 nuns: 120").
            let colon = f > sr.start && doc.tok(f - 1) == ":";
            let words_between = (prev.last + 1..f.saturating_sub(1)).all(|k| {
                doc.kind(k) == Some(TokenKind::Word) && !has(lexicon::NP_STOP, doc.low(k))
            });
            let labelled = prev.first > sr.start && doc.tok(prev.first - 1) == ":";
            if colon && prev.last + 5 >= f && words_between && !labelled {
                return Some((Anchor::List, Some(p - 1)));
            }
            // "Of the 120 people killed, 70 were women and 50 were men"
            let lead: Vec<&str> = (sr.start.max(prev.first.saturating_sub(5))..prev.first)
                .map(|k| doc.low(k))
                .filter(|w| !matches!(*w, "“" | "\"" | "‘" | "'" | "("))
                .collect();
            let of_the = prev.first <= sr.start + 5
                && matches!(
                    lead.as_slice(),
                    ["of"]
                        | ["of", "the" | "those" | "these" | "all"]
                        | ["of", "all", "the"]
                        | ["out", "of"]
                        | ["out", "of", "the" | "those" | "these"]
                );
            if of_the && (prev.last + 1..f).any(|k| doc.tok(k) == ",") {
                return Some((Anchor::Breakdown, Some(p - 1)));
            }
        }
    }
    // "... 120 people. 70 were women and 50 were men."
    let opening = (sr.start..f).all(|k| doc.kind(k) == Some(TokenKind::Punct));
    if opening && matches!(doc.low(l + 1), "were" | "are") {
        return Some((Anchor::List, None));
    }
    None
}

/// Words that join one part of a list to the next.
fn is_separator(w: &str) -> bool {
    matches!(w, "and" | "," | ";" | "while" | "whereas" | "plus")
}

/// Reads the list of parts that starts at quantity `p`: each part is a figure, a few words of
/// description, a separator, and the next figure; the list ends at the sentence end or at a
/// figure not introduced by a separator.
fn parse_list(doc: &Doc, qs: &[Quantity], start_at: &[Option<usize>], p: usize) -> PartList {
    let mut list = PartList {
        parts: vec![p],
        joined_and: false,
        incomplete: false,
    };
    let end = doc.sentence_range(qs[p].first).end;
    let mut cur = p;
    'parts: loop {
        let mut i = qs[cur].last + 1;
        let mut steps = 0;
        while i < end && steps < 12 {
            if start_at.get(i).copied().flatten().is_some() {
                break 'parts;
            }
            let w = doc.low(i);
            if has(lexicon::INCOMPLETE, w) {
                list.incomplete = true;
            }
            if is_separator(w) {
                let mut j = i;
                let mut saw_and = false;
                while j < end && j < i + 5 {
                    let wj = doc.low(j);
                    let incomplete = has(lexicon::INCOMPLETE, wj);
                    list.incomplete |= incomplete;
                    saw_and |= matches!(wj, "and" | "plus");
                    if is_separator(wj) || incomplete || matches!(wj, "the" | "a") {
                        j += 1;
                    } else {
                        break;
                    }
                }
                if let Some(k) = start_at.get(j).copied().flatten().filter(|_| j < end) {
                    // "39 were arrested, four of which ...": a breakdown of the part, not a
                    // further part; the list cannot be read past it. ("60% of them women and
                    // 50% of them men" is parallel, not nested.)
                    let of_them = |q: &Quantity| match doc.low(q.last + 1) {
                        "of" => doc.low(q.last + 2),
                        _ => "",
                    };
                    let parallel = matches!(of_them(&qs[p]), "them" | "these" | "those");
                    let nested = match of_them(&qs[k]) {
                        "which" | "whom" => true,
                        "them" | "these" | "those" => !parallel,
                        _ => false,
                    };
                    if nested {
                        break 'parts;
                    }
                    list.parts.push(k);
                    list.joined_and = saw_and;
                    cur = k;
                    continue 'parts;
                }
            }
            i += 1;
            steps += 1;
        }
        break;
    }
    // "... 474 pneumonic, 156 bubonic and 1 septicemic. A further 54 were unspecified."
    if let Some(next) = doc.sentences.get(qs[p].sentence + 1) {
        let head = next.tokens.start..next.tokens.end.min(next.tokens.start + 4);
        if head
            .into_iter()
            .any(|k| has(lexicon::INCOMPLETE, doc.low(k)))
        {
            list.incomplete = true;
        }
    }
    list
}

/// How many quantities before a part list [`find_total`] looks back for its total: a total
/// comes a few figures before its parts ("11,775 trucks ..., with 4,530 of them in Turkey and
/// 7,250 in Iraq"), never 64.
const TOTAL_WINDOW: usize = 64;

/// The total a list starting at quantity `p` breaks down, when it is unambiguous: the only
/// candidate before the list in its sentence, or, when there is none, the only one in the
/// previous sentence. Two candidates mean we cannot tell which one "them" refers to.
fn find_total(qs: &[Quantity], used: &[bool], p: usize) -> Option<usize> {
    let q = &qs[p];
    // Quantities are in text order, so a sentence's are a contiguous run. Only whether there is
    // exactly one candidate matters, and only among the last TOTAL_WINDOW quantities: scanning
    // the whole sentence for every part list made one endless sentence of lists quadratic
    // (2 MB of them: 1.6 s of CPU in a debug build and rising fourfold per doubling).
    let candidates = |sentence: usize| -> Vec<usize> {
        let start = qs.partition_point(|c| c.sentence < sentence);
        (start.max(p.saturating_sub(TOTAL_WINDOW))..p)
            .filter(|&k| {
                let c = &qs[k];
                c.sentence == sentence && !used[k] && c.kind != QKind::Percent && c.value >= 2.0
            })
            .take(2)
            .collect()
    };
    let same = candidates(q.sentence);
    match same.len() {
        1 => Some(same[0]),
        0 if q.sentence > 0 => {
            let prev = candidates(q.sentence - 1);
            (prev.len() == 1).then(|| prev[0])
        }
        _ => None,
    }
}

/// Checks a part list against its total and reports a mismatch.
fn judge(doc: &Doc, qs: &[Quantity], t: usize, list: &PartList, anchor: Anchor) -> Option<Finding> {
    let total = &qs[t];
    let parts: Vec<&Quantity> = list.parts.iter().map(|&k| &qs[k]).collect();
    if total.approx || parts.iter().any(|q| q.approx) {
        return None;
    }
    if parts
        .iter()
        .any(|q| q.unit_noun.is_some() && q.unit_noun != total.unit_noun)
    {
        return None;
    }
    let percent = parts.iter().all(|q| q.kind == QKind::Percent);
    let (target, target_tol, target_text) = if percent {
        // "300 people, 60% of them women and 50% men": shares of one whole.
        if total.kind == QKind::Percent || parts.len() < 2 {
            return None;
        }
        (100.0, 0.0, "100%".to_string())
    } else if parts.iter().all(|q| q.kind == total.kind) && total.kind != QKind::Percent {
        (
            total.value,
            total.tol,
            qplace(doc, total).text().to_string(),
        )
    } else {
        return None;
    };
    let sum: f64 = parts.iter().map(|q| q.value).sum();
    let tol = target_tol + parts.iter().map(|q| q.tol).sum::<f64>() + 1e-9 * target.abs().max(1.0);
    // A part bigger than its total usually means we picked the wrong total, unless the total
    // sits right before the list ("120 people, 300 of them women").
    let adjacent = total.last + 6 >= parts[0].first && total.sentence == parts[0].sentence;
    if !adjacent && parts.iter().any(|q| q.value > target + tol) {
        return None;
    }
    let complete =
        anchor != Anchor::Inclusive && parts.len() >= 2 && list.joined_and && !list.incomplete;
    let pct = if percent { "%" } else { "" };
    let terms: Vec<String> = parts
        .iter()
        .map(|q| qplace(doc, q).text().to_string())
        .collect();
    let sum_text = format!("{}{pct}", format_number(sum));
    let explanation = if complete {
        if (sum - target).abs() <= tol || sum < 0.5 * target || sum > 2.0 * target {
            return None;
        }
        let expected = if percent {
            "shares of one whole should add up to 100%".to_string()
        } else {
            format!("the total given is {target_text}")
        };
        format!("{} = {sum_text}, but {expected}", terms.join(" + "))
    } else {
        if sum <= target + tol {
            return None;
        }
        if parts.len() == 1 {
            format!("{sum_text} is given as part of {target_text}, but it is larger than the total")
        } else {
            format!(
                "{} = {sum_text}, more than the total of {target_text} they are part of",
                terms.join(" + ")
            )
        }
    };
    let mut places: Vec<Place> = parts.iter().map(|q| qplace(doc, q)).collect();
    if !percent {
        places.push(qplace(doc, total));
    }
    places.sort_by_key(|p| (p.start(), p.end()));
    Some(Finding {
        kind: FindingKind::PartsDontSumToTotal,
        places,
        explanation,
    })
}

/// Prepositions that say where a share of a whole goes ("35% to schools"). Not "in": "61% in
/// 2016, 58% in 2018" and "60% in Philadelphia, 45% in Erie" are shares of different wholes.
const ALLOCATED: &[&str] = &["for", "into", "on", "to"];

/// Verbs that hand a whole out in shares ("gives 60% of spending to ...", "60% of the money
/// goes to ..."), sorted.
const ALLOCATING: &[&str] = &[
    "allocate",
    "allocated",
    "allocates",
    "assigned",
    "assigns",
    "devoted",
    "devotes",
    "distributed",
    "distributes",
    "earmarked",
    "earmarks",
    "give",
    "gives",
    "giving",
    "go",
    "goes",
    "going",
    "spend",
    "spends",
    "spent",
    "split",
    "splits",
    "went",
];

/// Reports shares of one whole listed without a total that add up to more than 100%: "gives 60%
/// of spending to the police, 35% to schools and 15% to parks". Only the first share names the
/// whole ("of spending"), which is no group of people (a poll's "60% of respondents pointed
/// to inflation, 45% to crime" may give several answers each); each later one shares it (no
/// "of" of its own: "60% of men and 55% of women" are two wholes) and says where it goes with
/// a preposition ("to schools"); and a verb of handing out ("gives", "goes", "spent") comes
/// before the second share, so that series ("60% of the vote in one city, 45% in another")
/// and opinions ("trust the party on health care, 48% on the economy") are left alone. A list
/// under a total is [`parts_and_totals`]' business; less than 100% is left alone too, since
/// the rest may simply go unmentioned.
fn shares_without_total(doc: &Doc, qs: &[Quantity]) -> Vec<Finding> {
    let start_at = starts(doc, qs);
    let mut used = vec![false; qs.len()];
    let mut out = Vec::new();
    for p in 0..qs.len() {
        let q = &qs[p];
        if used[p] || q.kind != QKind::Percent || doc.low(q.last + 1) != "of" {
            continue;
        }
        if anchor_for(doc, qs, p).is_some() {
            continue;
        }
        let sr = doc.sentence_range(q.first);
        if (sr.start.max(q.first.saturating_sub(4))..q.first)
            .any(|k| has(lexicon::GROWTH, doc.low(k)))
        {
            continue;
        }
        let list = parse_list(doc, qs, &start_at, p);
        for &k in &list.parts {
            used[k] = true;
        }
        if list.parts.len() < 2 || !list.joined_and || list.incomplete {
            continue;
        }
        let parts: Vec<&Quantity> = list.parts.iter().map(|&k| &qs[k]).collect();
        let mut whole = q.last + 2;
        while whole < q.last + 5 && has(lexicon::POPULATION_DET, doc.low(whole)) {
            whole += 1;
        }
        let people = has(lexicon::POPULATION, doc.low(whole));
        let handed_out = (sr.start..parts[1].first).any(|k| has(ALLOCATING, doc.low(k)));
        let shared = parts[1..]
            .iter()
            .all(|r| r.kind == QKind::Percent && has(ALLOCATED, doc.low(r.last + 1)));
        if people || !handed_out || !shared || parts.iter().any(|r| r.approx) {
            continue;
        }
        let sum: f64 = parts.iter().map(|r| r.value).sum();
        let tol: f64 = parts.iter().map(|r| r.tol).sum::<f64>() + 1e-9;
        if sum <= 100.0 + tol {
            continue;
        }
        let places: Vec<Place> = parts.iter().map(|r| qplace(doc, r)).collect();
        let terms: Vec<&str> = places.iter().map(Place::text).collect();
        out.push(Finding {
            kind: FindingKind::PartsDontSumToTotal,
            explanation: format!(
                "{} = {}%, but shares of one whole cannot add up to more than 100%",
                terms.join(" + "),
                format_number(sum)
            ),
            places,
        });
    }
    out
}

/// Groups that split one whole between them, so that their shares cannot pass 100%.
const COMPLEMENTS: &[(&str, &str)] = &[
    ("female", "male"),
    ("insured", "uninsured"),
    ("women", "men"),
    ("yes", "no"),
];

/// Reports the two shares of one whole split between complementary groups that add up to more
/// than 100%: "70 percent of the workers were women and 45 percent were men". Both shares in
/// one sentence, next to each other, precise, each followed within five words (no mark or
/// number between) by one of a pair of groups that cannot overlap ([`COMPLEMENTS`]), and the
/// second with no whole of its own ("of nurses"): "70% of doctors are women and 45% of nurses
/// are men" are two wholes.
fn complementary_shares(doc: &Doc, qs: &[Quantity]) -> Vec<Finding> {
    // The pair a share's group belongs to, and which of its two groups it is.
    let group = |q: &Quantity| -> Option<(usize, bool)> {
        let sr = doc.sentence_range(q.first);
        (q.last + 1..(q.last + 6).min(sr.end))
            .take_while(|&k| doc.kind(k) == Some(TokenKind::Word))
            .find_map(|k| {
                let w = doc.low(k);
                COMPLEMENTS
                    .iter()
                    .position(|(a, b)| *a == w || *b == w)
                    .map(|p| (p, COMPLEMENTS[p].1 == w))
            })
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < qs.len() {
        let s = qs[i].sentence;
        let end = (i..qs.len())
            .find(|&k| qs[k].sentence != s)
            .unwrap_or(qs.len());
        let sentence = &qs[i..end];
        i = end;
        // Two shares next to each other in the sentence, of the two groups of one pair.
        // Two shares next to each other, of the two groups of one pair: the pair's index.
        let found = sentence.windows(2).find_map(|w| {
            let (a, b) = (&w[0], &w[1]);
            let precise_shares = a.kind == QKind::Percent
                && b.kind == QKind::Percent
                && !a.approx
                && !b.approx
                && doc.low(b.last + 1) != "of"
                && a.value + b.value > 100.0 + a.tol + b.tol + 1e-9;
            if !precise_shares {
                return None;
            }
            match (group(a), group(b)) {
                (Some(x), Some(y)) if x.0 == y.0 && x.1 != y.1 => Some((a, b, Some(x.0))),
                // "…, while among Democrats, 90% do not": another group, another whole. The
                // denial follows its connector at once.
                _ if elliptic_negation(doc, b)
                    && has(DENIAL_CONNECTORS, doc.low(b.first.wrapping_sub(1)))
                    && !(a.last..b.first).any(|k| negation(doc.low(k))) =>
                {
                    Some((a, b, None))
                }
                _ => None,
            }
        });
        let Some((a, b, pair)) = found else {
            continue;
        };
        let sum = a.value + b.value;
        let places = vec![qplace(doc, a), qplace(doc, b)];
        let why = match pair {
            Some(p) => {
                let (x, y) = COMPLEMENTS[p];
                format!("the shares of {x} and {y} in one whole")
            }
            None => "those who say so and those who say not".to_string(),
        };
        out.push(Finding {
            kind: FindingKind::PartsDontSumToTotal,
            explanation: format!(
                "{} + {} = {}%, but {why} cannot add up to more than 100%",
                places[0].text(),
                places[1].text(),
                format_number(sum)
            ),
            places,
        });
    }
    out
}

/// A word that negates its clause: "not", "never", "no", or a contraction in "n't".
fn negation(w: &str) -> bool {
    matches!(w, "not" | "never" | "no") || w.ends_with("n't") || w.ends_with("n’t")
}

/// The share `q` is followed by a clause that only negates the one before it: "and 48% said
/// they did not", "while 40% do not.", "and 48% didn't". At most three words (a cue and a
/// pronoun) before an auxiliary with its negation, then the sentence or clause ends: the same
/// statement denied, so the two shares split one whole.
fn elliptic_negation(doc: &Doc, q: &Quantity) -> bool {
    let sr = doc.sentence_range(q.first);
    let mut k = q.last + 1;
    while k < sr.end && k < q.last + 4 && doc.kind(k) == Some(TokenKind::Word) {
        let w = doc.low(k);
        if negation(w) {
            break;
        }
        if has(ELLIPTIC_AUX, w) && negation(doc.low(k + 1)) {
            k += 1;
            break;
        }
        k += 1;
    }
    let end = |i: usize| i >= sr.end || matches!(doc.tok(i), "." | "," | ";" | ")" | "!");
    k < sr.end && negation(doc.low(k)) && doc.low(k) != "no" && end(k + 1)
}

/// Words that join a share to the share denying it: "… and 48% did not", "while 52% don't".
const DENIAL_CONNECTORS: &[&str] = &["and", "but", "whereas", "while"];

/// Auxiliaries that stand for a whole verb phrase before "not" ("48% did not").
const ELLIPTIC_AUX: &[&str] = &[
    "are", "could", "did", "do", "does", "had", "has", "have", "is", "was", "were", "will", "would",
];

/// Reports shares of a whole above 100% ("120% of voters"), leaving alone changes and ratios
/// ("rose 150%", "debt at 120% of GDP"), which may exceed it.
fn percent_over_100(doc: &Doc, qs: &[Quantity]) -> Vec<Finding> {
    let mut out = Vec::new();
    for q in qs
        .iter()
        .filter(|q| q.kind == QKind::Percent && q.value > 100.0)
    {
        let sr = doc.sentence_range(q.first);
        let growth = (sr.start.max(q.first.saturating_sub(4))..q.first)
            .any(|k| has(lexicon::GROWTH, doc.low(k)));
        if growth {
            continue;
        }
        let mut j = q.last + 1;
        let share = if doc.low(j) == "of" {
            j += 1;
            while j < q.last + 5 && has(lexicon::POPULATION_DET, doc.low(j)) {
                j += 1;
            }
            has(lexicon::POPULATION, doc.low(j))
        } else {
            has(lexicon::SHARE_VERBS, doc.low(j)) || matches!(doc.low(j), "were" | "are")
        };
        if share && j < sr.end {
            let place = qplace(doc, q);
            out.push(Finding {
                kind: FindingKind::PercentOver100,
                explanation: format!(
                    "{} is given as a share of a whole, which cannot be more than 100%",
                    place.text()
                ),
                places: vec![place],
            });
        }
    }
    out
}

/// The noun phrase right after a quantity ("soldiers", "tank truck convoys"): up to three
/// words, stopping at function words and punctuation. Returns its text and last token.
fn noun_phrase(doc: &Doc, q: &Quantity) -> Option<(String, usize)> {
    let mut words = Vec::new();
    let mut i = q.last + 1;
    let end = doc.sentence_range(q.first).end;
    while i < end && words.len() < 3 && doc.kind(i) == Some(TokenKind::Word) {
        let w = doc.low(i);
        if has(lexicon::NP_STOP, w) || lexicon::scale(w).is_some() {
            break;
        }
        // After the first word, "-ed"/"-ing" words are usually the verb ("300 soldiers crossed").
        if !words.is_empty() && (w.ends_with("ed") || w.ends_with("ing")) {
            break;
        }
        words.push(w);
        i += 1;
    }
    let head = *words.first()?;
    if has(lexicon::UNIT_NOUNS, head) || has(lexicon::MONTHS, head) || head.chars().count() < 3 {
        return None;
    }
    Some((words.join(" "), i - 1))
}

/// Reports a quantity introduced with one value ("300 soldiers") and referred back to with
/// another ("the 350 soldiers"). Only a definite back-reference counts, the introduction must be
/// unique and precise, the second value must never have been introduced itself, and the two
/// values must be close (at least 10, within a factor 1.5) — two different groups of soldiers
/// are common, one group with two sizes is a slip.
fn conflicting_values(doc: &Doc, qs: &[Quantity]) -> Vec<Finding> {
    struct Mention {
        q: usize,
        definite: bool,
        np_last: usize,
    }
    let mut groups: BTreeMap<String, Vec<Mention>> = BTreeMap::new();
    for (k, q) in qs.iter().enumerate() {
        // Money is left out: prices, wages and budgets change honestly over time ("a $12
        // minimum wage" in one year, "the $15 minimum wage" wanted later).
        if q.kind != QKind::Count {
            continue;
        }
        let Some((np, np_last)) = noun_phrase(doc, q) else {
            continue;
        };
        let sr = doc.sentence_range(q.first);
        let before = |n: usize| {
            q.first
                .checked_sub(n)
                .filter(|&k| k >= sr.start)
                .map_or("", |k| doc.low(k))
        };
        let definite = before(1) == "the";
        // "the other two board members": a subgroup, not a reference back.
        if has(lexicon::INCOMPLETE, before(1)) {
            continue;
        }
        groups.entry(np).or_default().push(Mention {
            q: k,
            definite,
            np_last,
        });
    }
    let mut out = Vec::new();
    for (np, ms) in &groups {
        let close = |a: &Quantity, b: &Quantity| (a.value - b.value).abs() <= a.tol + b.tol + 1e-9;
        // Bounded so that a text repeating one phrase thousands of times stays linear.
        for (d_i, d) in ms.iter().enumerate().filter(|(_, m)| m.definite).take(32) {
            let dq = &qs[d.q];
            if dq.approx {
                continue;
            }
            let earlier: Vec<&Mention> = ms[..d_i].iter().filter(|m| !m.definite).collect();
            let Some(intro) = earlier.first() else {
                continue;
            };
            let iq = &qs[intro.q];
            let one_intro = earlier
                .iter()
                .all(|m| !qs[m.q].approx && close(&qs[m.q], iq));
            let value_new = !ms.iter().any(|m| !m.definite && close(&qs[m.q], dq));
            // A slip changes a figure a little (300/350, 45/54); "five states" and "the 50
            // states", or "21 pages" and "the 412 pages", are different things.
            let (lo, hi) = (iq.value.min(dq.value), iq.value.max(dq.value));
            let near = lo >= 10.0 && hi <= 1.5 * lo;
            if one_intro && value_new && near {
                let a = doc.place(iq.first, intro.np_last);
                let b = doc.place(dq.first, d.np_last);
                out.push(Finding {
                    kind: FindingKind::ConflictingValues,
                    explanation: format!(
                        "\"{}\" and later \"the {}\" seem to be the same {np}, but the numbers differ",
                        a.text(), b.text()
                    ),
                    places: vec![a, b],
                });
                break;
            }
        }
    }
    out
}

/// Reports one statement made twice with another figure: "Violent crime rose by 12% last
/// year, police said" and later "Violent crime rose by 21% last year, police said". A slip of
/// this kind repeats the sentence nearly word for word, and sentences that share a phrase but
/// not the rest say different things ("For women, the unemployment rate fell to 3.6% in May" /
/// "For men, ..."; "He said the economy grew by 4.1%" / "Official figures show the economy
/// grew by 3.5%", a claim and its correction). So the two sentences must hold the same words
/// apart from the figures (little words and connectives such as "but" aside, numbers and
/// ordinals counted), the same words must come right before the figure (at least three, two
/// of them more than little words: "she is at minus 40" is no statement of its own) and after
/// it (up to eight words, to a mark or another number), the figures must be of one kind and
/// unit, precise, apart by more than their rounding, and each the only one of its sentence (a
/// sentence of several figures is a breakdown, and two alike give two sets of data: "16
/// percent were Latino and 3 percent were black" for one election, "17 ... and 16 ..." for
/// another). Live updates repeat a sentence honestly as figures change: a time stamp on its
/// own line ("7:55 p.m.") between the two leaves them alone. A missed slip costs less than a
/// false alarm.
fn repeated_statements(doc: &Doc, qs: &[Quantity]) -> Vec<Finding> {
    type Frame<'d> = (QKind, Option<&'d str>, Vec<&'d str>, Vec<&'d str>);
    let mut frames: BTreeMap<Frame, Vec<usize>> = BTreeMap::new();
    let mut per_sentence = vec![0usize; doc.sentences.len()];
    for q in qs {
        if let Some(c) = per_sentence.get_mut(q.sentence) {
            *c += 1;
        }
    }
    for (k, q) in qs.iter().enumerate() {
        if q.approx || per_sentence.get(q.sentence) != Some(&1) {
            continue;
        }
        let sr = doc.sentence_range(q.first);
        let before: Vec<&str> = (sr.start..q.first)
            .rev()
            .take_while(|&i| doc.kind(i) == Some(TokenKind::Word))
            .take(4)
            .map(|i| doc.low(i))
            .collect();
        let own = before.iter().filter(|w| !little(w)).count();
        if before.len() < 3 || own < 2 {
            continue;
        }
        let after: Vec<&str> = (q.last + 1..sr.end)
            .take_while(|&i| doc.kind(i) == Some(TokenKind::Word))
            .take(8)
            .map(|i| doc.low(i))
            .collect();
        let key = (q.kind, q.unit_noun.as_deref(), before, after);
        frames.entry(key).or_default().push(k);
    }
    let mut out = Vec::new();
    let mut stamps: Option<Vec<usize>> = None;
    let mut words: Option<SentenceWords> = None;
    for ks in frames.values().filter(|ks| ks.len() > 1) {
        let first = &qs[ks[0]];
        let mut differs = |q: &Quantity| {
            // Each figure is its sentence's only one, so two figures are two sentences.
            (q.value - first.value).abs() > q.tol + first.tol + 1e-9
                && {
                    let w = words.get_or_insert_with(|| SentenceWords::of(doc, qs));
                    w.same(first.sentence, q.sentence)
                }
                && {
                    let stamps = stamps.get_or_insert_with(|| time_stamps_before(doc));
                    stamps[first.last] == stamps[q.first]
                }
        };
        // Bounded, like the other checks, so a text repeating one phrase stays linear.
        if let Some(q) = ks[1..]
            .iter()
            .take(32)
            .map(|&k| &qs[k])
            .find(|q| differs(q))
        {
            let (a, b) = (qplace(doc, first), qplace(doc, q));
            out.push(Finding {
                kind: FindingKind::ConflictingValues,
                explanation: format!(
                    "the same statement is made with {} and later with {}",
                    a.text(),
                    b.text()
                ),
                places: vec![a, b],
            });
        }
    }
    out
}

/// A word that says little by itself: a function word, pronoun or connective.
fn little(w: &str) -> bool {
    has(lexicon::NP_STOP, w) || has(lexicon::FRAME_FILLERS, w)
}

/// Each sentence's words apart from its figures, as an id per distinct set: two sentences
/// with one id say the same thing but for their figures. Computed once for the text, so that
/// comparing sentences costs nothing however long they are.
struct SentenceWords {
    ids: Vec<usize>,
}

impl SentenceWords {
    fn of(doc: &Doc, qs: &[Quantity]) -> Self {
        let mut figure = vec![false; doc.tokens.len()];
        for q in qs {
            for f in &mut figure[q.first..=q.last] {
                *f = true;
            }
        }
        let mut seen: std::collections::HashMap<Vec<&str>, usize> = Default::default();
        let ids = doc
            .sentences
            .iter()
            .map(|s| {
                let mut w: Vec<&str> = s
                    .tokens
                    .clone()
                    .filter(|&i| !figure[i])
                    .filter(|&i| match doc.kind(i) {
                        Some(TokenKind::Number) => true,
                        Some(TokenKind::Word) => !little(doc.low(i)),
                        _ => false,
                    })
                    .map(|i| doc.low(i))
                    .collect();
                w.sort_unstable();
                w.dedup();
                let next = seen.len();
                *seen.entry(w).or_insert(next)
            })
            .collect();
        SentenceWords { ids }
    }

    fn same(&self, a: usize, b: usize) -> bool {
        self.ids.get(a).is_some_and(|x| Some(x) == self.ids.get(b))
    }
}

/// For every token, how many time stamps on a line of their own ("7:55 p.m.", "10:30") come
/// before it: the entries of a live-updated article.
fn time_stamps_before(doc: &Doc) -> Vec<usize> {
    let n = doc.tokens.len();
    let para = |i: usize| doc.para.get(i).copied();
    let mut out = Vec::with_capacity(n + 1);
    let mut count = 0;
    for i in 0..n {
        let starts_line = i == 0 || para(i - 1) != para(i);
        if starts_line
            && doc.kind(i) == Some(TokenKind::Number)
            && doc.tok(i + 1) == ":"
            && doc.kind(i + 2) == Some(TokenKind::Number)
            && (i..n.min(i + 9)).any(|k| para(k + 1) != para(i))
        {
            count += 1;
        }
        out.push(count);
    }
    out.push(count);
    out
}

#[cfg(test)]
mod tests;
