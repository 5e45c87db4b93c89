//! Speaker resolution: from the source as written to the fullest mention of who it is.
//!
//! News text introduces a speaker once in full ("Russian Defence Ministry spokesman Igor
//! Konashenkov") and then refers back by surname, pronoun or role ("Konashenkov", "he", "the
//! spokesman"). A reader checking a quote needs the full form, so each source is linked back to
//! it: a surname to the longest earlier mention ending in that surname, a pronoun to the
//! speaker of the statement just before (news attributes quotes in runs) unless a person has
//! since opened a sentence as its subject, a role to the earlier mention given that role (by a
//! title, "Sen. Ted Cruz", a word before the name or a description after it) and sharing most of
//! its names. "he" and "she" pass over a person known to be of the other gender (by a title, a
//! "-woman" role, a common given name, or an earlier "he"/"she" linked to them), and over a
//! body ("The Washington Post").

use super::lexicon::{self, has};
use super::{Ctx, Quote, Raw};
use crate::consistency::Place;
use std::collections::HashMap;

/// How many earlier mentions a pronoun or role description looks through.
const WINDOW: usize = 300;

/// (a mention ending in a name, fullest mention ending in that name up to it that is no
/// phrase, [`a_phrase`]).
type Fullest = ((usize, usize), (usize, usize));

/// A person [`named_in_full`]: their longest mention, the first mention's start, how many.
type Person = ((usize, usize), usize, usize);

/// The candidate mentions, sorted by start, with the fullest mention of each name so far.
struct Index<'c> {
    cands: Vec<(usize, usize)>,
    /// Per final name word: (a mention ending in it, fullest such mention up to it that is no
    /// phrase), by start.
    by_name: HashMap<&'c str, Vec<Fullest>>,
    /// How often each name word is written in the whole text, headlines included; counted on
    /// first use, which only a lone-surname source without a fuller mention needs.
    name_counts: std::cell::OnceCell<HashMap<&'c str, u32>>,
    /// [`fullest`] of each mention asked so far: a pronoun asks it of every mention in reach,
    /// and each answer may compare names with up to [`SAME_NAME_REACH`] mentions.
    fullest: std::cell::RefCell<HashMap<(usize, usize), (usize, usize)>>,
    /// [`named_in_full`] over all mentions of each surname a role's tie-break asked of
    /// ([`person_count`]): asked of each holder of the role in reach, for each description.
    people: std::cell::RefCell<HashMap<&'c str, Vec<Person>>>,
}

impl<'c> Index<'c> {
    fn new(ctx: &Ctx<'_, 'c>, mut cands: Vec<(usize, usize)>) -> Self {
        cands.sort_unstable();
        cands.dedup();
        let mut by_name: HashMap<&'c str, Vec<Fullest>> = HashMap::new();
        for &c in &cands {
            if !ctx.is_name(c.1) {
                continue;
            }
            let list = by_name.entry(ctx.tok(c.1)).or_default();
            let best = match list.last() {
                Some(&(_, b)) if chars(ctx, b) >= chars(ctx, c) || a_phrase(ctx, c) => b,
                // The name alone, so that a later full mention, however short, takes over.
                None if a_phrase(ctx, c) => (c.1, c.1),
                _ => c,
            };
            list.push((c, best));
        }
        Index {
            cands,
            by_name,
            name_counts: std::cell::OnceCell::new(),
            fullest: std::cell::RefCell::new(HashMap::new()),
            people: std::cell::RefCell::new(HashMap::new()),
        }
    }

    /// How often the name word `w` is written in the text.
    fn count(&self, ctx: &Ctx<'_, 'c>, w: &str) -> u32 {
        let counts = self.name_counts.get_or_init(|| {
            let mut counts: HashMap<&'c str, u32> = HashMap::new();
            for i in 0..ctx.n() {
                if ctx.is_name(i) {
                    *counts.entry(ctx.tok(i)).or_default() += 1;
                }
            }
            counts
        });
        counts.get(w).copied().unwrap_or(0)
    }

    /// Up to [`WINDOW`] candidates starting before token `at`, latest first.
    fn before(&self, at: usize) -> impl Iterator<Item = &(usize, usize)> {
        let idx = self.cands.partition_point(|c| c.0 < at);
        self.cands[..idx].iter().rev().take(WINDOW)
    }
}

/// Length in code points of the mention `c` (what `Doc::place` would cover), read from the
/// token spans without building its text.
fn chars(ctx: &Ctx, c: (usize, usize)) -> usize {
    match (ctx.doc.tokens.get(c.0), ctx.doc.tokens.get(c.1)) {
        (Some(a), Some(b)) if a.bytes.start <= b.bytes.end => b.span.end - a.span.start,
        _ => 0,
    }
}

/// How far back (in tokens) a pronoun may reach for its speaker.
const PRONOUN_REACH: usize = 400;

/// Whether token `i` lies between quotation marks: a name there is quoted, not present.
fn quoted(ctx: &Ctx, i: usize) -> bool {
    ctx.quoted().get(i).copied().unwrap_or(false)
}

/// The grammatical gender "he" and "she" carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Female,
    Male,
}

/// The gender a title gives ("Mr.", "Mrs.", "Ms."), if `w` (lowercase) is one.
fn title_gender(w: &str) -> Option<Gender> {
    match w {
        "mr" | "sir" => Some(Gender::Male),
        "mrs" | "ms" | "miss" | "madam" | "dame" => Some(Gender::Female),
        _ => None,
    }
}

/// The gender of the pronoun `w`, if it is "he"/"him" or "she"/"her".
fn pronoun_gender(w: &str) -> Option<Gender> {
    match w {
        "she" | "her" => Some(Gender::Female),
        "he" | "him" => Some(Gender::Male),
        _ => None,
    }
}

/// What the text tells of a mention's gender: a title (Mr., Mrs., Ms.), a "-woman" role, a
/// common given name, or else what an earlier "he"/"she" linked to the same surname said
/// (`learned`). None when nothing does, or the signs disagree.
fn gender_of<'c>(
    ctx: &Ctx<'_, 'c>,
    m: (usize, usize),
    learned: &HashMap<&'c str, Gender>,
) -> Option<Gender> {
    let mut seen = None;
    // A given name, not the surname that ends a longer mention ("Laura James", "Melanie").
    let given = |i: usize| ctx.is_name(i) && (i < m.1 || m.0 == m.1);
    for i in m.0..=m.1 {
        let w = ctx.low(i);
        let g = title_gender(w).or(match w {
            _ if w.ends_with("woman") || w.ends_with("women") => Some(Gender::Female),
            _ if given(i) && has(lexicon::FEMALE_NAMES, w) => Some(Gender::Female),
            _ if given(i) && has(lexicon::MALE_NAMES, w) => Some(Gender::Male),
            _ => None,
        });
        match (seen, g) {
            (Some(a), Some(b)) if a != b => return None,
            (None, Some(b)) => seen = Some(b),
            _ => {}
        }
    }
    seen.or_else(|| learned.get(ctx.tok(m.1)).copied())
}

pub(crate) fn resolve(ctx: &Ctx, raws: &[Raw]) -> Vec<Quote> {
    let mut cands = mention_runs(ctx);
    for r in raws {
        if let Some(s) = r.source {
            if !is_pronoun(ctx, s) {
                // "Trump, Sexton", "a spokeswoman, Anna White": a later "Sexton said" extends
                // the name after the comma, not the phrase before it.
                let s = before_relative(ctx, s);
                cands.push(ctx.name_after_comma(s.0, s.1).unwrap_or(s));
            }
        }
    }
    // A headline's words are no one's name: "Foolish Religion Author Gary Wills: ‘…’" is not
    // the fullest form of "Wills", nor "Mayor Says Budget Balanced" the mayor, nor "Benghazi
    // Widow Dorothy Woods" Dorothy Woods; in a headline or the text's title only a person's
    // names count, as the text writes them elsewhere ("Gary Wills", "Dorothy Woods"). A
    // statement made in a headline still has its own source as its speaker.
    let mut in_body = HashMap::new();
    let mut kept = Vec::with_capacity(cands.len());
    for c in cands {
        if in_byline(ctx, c) {
            continue;
        }
        if ctx.heading_or_title(c.0) {
            title_names(ctx, c, &mut in_body, &mut kept);
        } else {
            kept.push(c);
        }
    }
    let cands = kept;
    let index = Index::new(ctx, cands);
    let mut out = Vec::with_capacity(raws.len());
    // The last resolved speaker and the token where its statement was attributed.
    let mut last: Option<((usize, usize), usize)> = None;
    // Per surname: the gender of the "he"/"she" that referred to it.
    let mut learned: HashMap<&str, Gender> = HashMap::new();
    for r in raws {
        let (speaker, vague) = match r.source {
            // A question put by somebody unnamed ("Asked whether …") is the reporter's,
            // not a claim pinned on nobody: nothing to flag.
            None => (None, !super::asks(ctx, r)),
            Some(s) => speaker_of(ctx, s, &index, last, &learned),
        };
        if let (Some(sp), Some(s)) = (speaker, r.source) {
            if let Some(g) = (s.0 == s.1).then(|| pronoun_gender(ctx.low(s.0))).flatten() {
                if ctx.is_name(sp.1) && gender_of(ctx, sp, &learned).is_none() {
                    learned.insert(ctx.tok(sp.1), g);
                }
            }
        }
        // Only people are referred back to by "he"/"she".
        if let (Some(sp), Some(s)) = (speaker, r.source) {
            if looks_like_person(ctx, sp) || (sp.0 == sp.1 && ctx.is_name(sp.0)) {
                last = Some((sp, s.1));
            }
        }
        let place = |(a, b): (usize, usize)| ctx.doc.place(a, b);
        let speaker_place = speaker.map(place);
        out.push(Quote {
            kind: r.kind,
            content: place(r.content),
            cue: r.cue.map(place),
            source: r.source.map(place),
            speaker: speaker_place.as_ref().map(|p: &Place| p.text().to_string()),
            speaker_place,
            unattributed: vague,
            // The same headlines as lend no names above: a title that a corpus ended with a
            // full stop is one.
            headline: ctx.heading_or_title(r.content.0),
            within: None,
        });
    }
    out
}

/// The people named in mention `c`, a headline's or title's: its runs of two to four name
/// words that the text also writes as names outside its headlines, added to `out` ("Gary
/// Wills" of "Foolish Religion Author Gary Wills", "Dorothy Woods" of "Benghazi Widow Dorothy
/// Woods Defends Trump", "Hillary Clinton" and "Donald Trump" of "Hillary Clinton Slams Donald
/// Trump").
///
/// `in_body` remembers the answer per word: a text of headlines naming one person thousands
/// of times asks it of each, and each answer may look through every place the name is written.
fn title_names<'c>(
    ctx: &Ctx<'_, 'c>,
    c: (usize, usize),
    in_body: &mut HashMap<&'c str, bool>,
    out: &mut Vec<(usize, usize)>,
) {
    let mut in_body = |j: usize| {
        // An initial's full stop, or the hyphen or apostrophe inside a name ("Lopez-Cantera").
        (matches!(ctx.tok(j), "." | "-" | "'" | "’") && ctx.doc.glued(j))
            || (ctx.is_name(j)
                && *in_body.entry(ctx.tok(j)).or_insert_with(|| {
                    ctx.name_places(ctx.tok(j))
                        .iter()
                        .any(|&p| !ctx.heading_or_title(p))
                }))
    };
    let mut j = c.0;
    while j <= c.1 {
        if !ctx.is_word(j) || !in_body(j) {
            j += 1;
            continue;
        }
        let start = j;
        let mut end = j;
        while end < c.1 && in_body(end + 1) {
            end += 1;
        }
        while end > start && !ctx.is_word(end) {
            end -= 1;
        }
        if (2..=4).contains(&ctx.words(start, end)) {
            out.push((start, end));
        }
        j = end + 1;
    }
}

pub(super) fn is_pronoun(ctx: &Ctx, s: (usize, usize)) -> bool {
    s.0 == s.1
        && (has(lexicon::PERSON_PRONOUNS, ctx.low(s.0))
            || has(lexicon::OTHER_PRONOUNS, ctx.low(s.0)))
}

/// The resolved speaker of source `s` (token span) and whether the source is vague.
fn speaker_of<'c>(
    ctx: &Ctx<'_, 'c>,
    s: (usize, usize),
    index: &Index<'c>,
    last: Option<((usize, usize), usize)>,
    learned: &HashMap<&'c str, Gender>,
) -> (Option<(usize, usize)>, bool) {
    // "A spokesman, who asked not to be named,", "an official speaking on condition of
    // anonymity": nobody a reader can check stands behind the words.
    if anonymous(ctx, s) {
        return (None, true);
    }
    // "Councillor Ben Okafor, who proposed the ban,", "Sen. Mitch McConnell (R-Ky.)": the
    // speaker is the part before the appositive, relative clause or parenthesis.
    let s = match (s.0 + 1..=s.1).find(|&i| matches!(ctx.tok(i), "," | "(" | "—" | "–")) {
        Some(c) => match apposed_name(ctx, s, c) {
            Some(name) => name,
            None if c > s.0 + 1 || ctx.is_word(s.0) => (s.0, c - 1),
            None => s,
        },
        None => s,
    };
    // "Anyone who knows anything about McConnell": the speaker is "Anyone", and McConnell
    // is who the clause is about.
    let s = before_relative(ctx, s);
    // "Sources close to the council": the head is "Sources"; what they are close to is no name.
    let s = match (s.0 + 1..s.1).find(|&i| {
        matches!(
            (ctx.low(i), ctx.low(i + 1)),
            ("close", "to") | ("familiar", "with") | ("near", "to")
        )
    }) {
        Some(c) => (s.0, c - 1),
        None => s,
    };
    let head = ctx.low(s.1);
    if s.0 == s.1 && has(lexicon::PERSON_PRONOUNS, head) {
        // "she" is not a man known as one, nor "he" a woman, and neither is two people.
        let fits = |m: (usize, usize)| {
            !two_people(ctx, m)
                && pronoun_gender(head)
                    .is_none_or(|g| gender_of(ctx, m, learned).is_none_or(|h| h == g))
        };
        if let Some((sp, at)) = last {
            if at <= s.0 && s.0 - at <= PRONOUN_REACH {
                // "Former commissioner Gerald Pike, who attended, backed the vote. “…,” he
                // said.": a person brought in as a sentence's subject since that statement is
                // who "he" now is.
                let newer =
                    newer_subject(ctx, index, at, s.0).filter(|m| ctx.tok(m.1) != ctx.tok(sp.1));
                let m = newer.map_or(sp, |m| fullest(ctx, m, index));
                if fits(m) {
                    return (Some(m), false);
                }
                // "Sanders and Clinton said … she added": the one of them known to be of the
                // pronoun's gender; nobody when two are ("Jeb Bush and Chris Christie … he");
                // when none is, "she" looks further back, as below.
                if two_people(ctx, m) {
                    let g = pronoun_gender(head);
                    let mut ones = people_of(ctx, m)
                        .map(|p| fullest(ctx, p, index))
                        .filter(|&p| g.is_some() && gender_of(ctx, p, learned) == g);
                    if let Some(one) = ones.next() {
                        return (ones.next().is_none().then_some(one), false);
                    }
                }
                // Known to be of the other gender: the latest earlier mention known to be of
                // the pronoun's ("Melanie said yes … “I love you,” he said": Donald Trump),
                // else nobody rather than the wrong person.
                let g = pronoun_gender(head);
                let m = index
                    .before(s.0)
                    .filter(|c| c.1 < s.0 && s.0 - c.1 <= PRONOUN_REACH)
                    .filter(|c| !quoted(ctx, c.0))
                    .map(|c| fullest(ctx, *c, index))
                    .find(|&c| {
                        ctx.is_name(c.1)
                            && g.is_some()
                            && !two_people(ctx, c)
                            && gender_of(ctx, c, learned) == g
                    });
                return (m, false);
            }
        }
        // No statement before: the latest earlier mention of a person (not one known to be
        // of the other gender).
        let m = index
            .before(s.0)
            .filter(|c| {
                c.1 < s.0
                    && s.0 - c.1 <= PRONOUN_REACH
                    && looks_like_person(ctx, **c)
                    && fits(fullest(ctx, **c, index))
            })
            .max_by_key(|c| c.1)
            .copied();
        return (m.map(|m| fullest(ctx, m, index)), false);
    }
    if s.0 == s.1 && has(lexicon::OTHER_PRONOUNS, head) {
        return (None, false);
    }
    let names: Vec<usize> = (s.0..=s.1).filter(|&i| ctx.is_name(i)).collect();
    let named_after_first = names.iter().any(|&i| i > s.0);
    if has(lexicon::VAGUE_HEADS, head) && !named_after_first {
        return (None, true);
    }
    if has(lexicon::ROLE_NOUNS, head) && !ctx.is_name(s.1) {
        if let Some(b) = by_role(ctx, s, head, index) {
            return (Some(b), false);
        }
        return (Some(s), false);
    }
    if let Some(&sur) = names
        .iter()
        .rev()
        .find(|&&i| !has(lexicon::ROLE_NOUNS, ctx.low(i)))
    {
        if sur == s.1 {
            return (Some(fullest_or_variant(ctx, s, index)), false);
        }
        return (Some(s), false);
    }
    (Some(s), false)
}

/// Whether the mention `m` names two or more people or bodies joined by "and" ("Jeb Bush and
/// Chris Christie", "Both Mr. King and Mr. Schultz"): a name on each side of it. Not an office
/// that holds "and" ("Minister of Foreign Affairs and Trade Péter Szijjártó", after "of";
/// "Conservative columnist and Fox News contributor George Will").
fn two_people(ctx: &Ctx, m: (usize, usize)) -> bool {
    let of = (m.0..=m.1).find(|&j| ctx.low(j) == "of").unwrap_or(m.1 + 1);
    // "Marks and Spencer chairman Archie Norman": a lowercase office after the "and" is an
    // organisation's officer. Where the last one is, found once: a long run of names joined
    // by "and" would otherwise look ahead from each.
    let last_office = (m.0..=m.1)
        .rev()
        .find(|&j| !ctx.capitalised(j) && has(lexicon::ROLE_NOUNS, ctx.low(j)));
    let officer = |i: usize| last_office.is_some_and(|j| j > i);
    (m.0 + 1..m.1.min(of)).any(|i| {
        let and = ctx.low(i) == "and"
            || (ctx.tok(i) == "&" && !(ctx.doc.glued(i) && ctx.doc.glued(i + 1)));
        and && ctx.is_name(i - 1) && ctx.capitalised(i + 1) && !officer(i)
    })
}

/// The mentions a [`two_people`] mention joins: its runs between "and", "&" and commas that
/// end in a name ("Jeb Bush", "Chris Christie").
fn people_of<'a>(ctx: &'a Ctx, m: (usize, usize)) -> impl Iterator<Item = (usize, usize)> + 'a {
    let cut = move |i: usize| matches!(ctx.low(i), "and" | "&" | ",");
    let mut start = m.0;
    (m.0..=m.1 + 1).filter_map(move |i| {
        if i <= m.1 && !cut(i) {
            return None;
        }
        let part = (start, i.checked_sub(1)?);
        start = i + 1;
        (part.0 <= part.1 && ctx.is_name(part.1)).then_some(part)
    })
}

/// Source `s` without a restrictive relative clause ("A lawyer who represents the family" →
/// "A lawyer"): the names in the clause are not the speaker's, so they neither name the
/// speaker nor become the fullest mention of those people ("Anyone who has studied President
/// Trump" is no fuller form of "President Trump").
fn before_relative(ctx: &Ctx, s: (usize, usize)) -> (usize, usize) {
    // "The WHO website": an acronym; "Sanders - who digested …": a parenthesis.
    let relative =
        |i: usize| ctx.tok(i) == "who" && !matches!(ctx.tok(i - 1), "," | "-" | "—" | "–");
    match (s.0 + 1..=s.1).find(|&i| relative(i)) {
        Some(w) => (s.0, w - 1),
        None => s,
    }
}

/// Whether source `s` says its speaker may not be named: "asked not to be named", "declined
/// to be identified", "on condition of anonymity", "was not authorized to speak".
fn anonymous(ctx: &Ctx, s: (usize, usize)) -> bool {
    // "…,” said a district spokeswoman, who asked not to be named.": the clause after an
    // inverted source says it too.
    // The clause must say it of the speaker, within its first words and before a clause of its
    // own: "…, who, like all respondents, responded anonymously" does, "…, who has criticised
    // officials who speak anonymously" does not.
    let tail = ctx.tok(s.1 + 1) == "," && matches!(ctx.low(s.1 + 2), "who" | "speaking");
    let end = if tail {
        let end = (ctx.sentence(s.1).1.saturating_sub(1)).min(s.1 + 9);
        (s.1 + 3..=end)
            .find(|&i| matches!(ctx.low(i), "who" | "that" | "which"))
            .map_or(end, |i| i - 1)
    } else {
        s.1
    };
    (s.0..=end).any(|i| {
        let w = ctx.low(i);
        w == "anonymity"
            || w == "anonymously"
            || (matches!(w, "named" | "identified")
                && i >= s.0 + 3
                && ctx.low(i - 1) == "be"
                && ctx.low(i - 2) == "to"
                && matches!(ctx.low(i - 3), "not" | "declined" | "refused"))
            || (w == "authorized" && ctx.low(i + 1) == "to" && i > s.0 && ctx.low(i - 1) == "not")
    })
}

/// "The mayor, Tom Reyes,": a source `s` that opens with a role and no name before the comma
/// at `c`, then the name in apposition, is that name (what later "Reyes" and "he" are linked
/// to). Role nouns may sit in the name ("A senior official, Pentagon spokesman John Kirby,");
/// it must fill the apposition and end in no possessive ("The official, Trump's former
/// adviser,").
fn apposed_name(ctx: &Ctx, s: (usize, usize), c: usize) -> Option<(usize, usize)> {
    // Whose role it is may be named: "Hale's deputy, Nina Patel," is Nina Patel.
    let role_of_someone = (s.0..c).any(|i| ctx.possessive(i))
        && (s.0..c).any(|i| has(lexicon::ROLE_NOUNS, ctx.low(i)));
    let named = (s.0..c).any(|i| ctx.is_name(i) && !(role_of_someone && ctx.possessive(i)));
    if ctx.tok(c) != "," || named || !ctx.is_name(c + 1) {
        return None;
    }
    let e = (c + 1..=s.1)
        .take_while(|&i| {
            ctx.is_name(i)
                || has(lexicon::ROLE_NOUNS, ctx.low(i))
                || (ctx.tok(i) == "." && ctx.doc.glued(i))
        })
        .last()?;
    let fills = e == s.1 || ctx.tok(e + 1) == ",";
    (ctx.is_name(e) && fills && !ctx.possessive(e)).then_some((c + 1, e))
}

/// Whether the mention `c` is in a byline ("By Amber Phillips", "BYLINE: Amber Phillips."):
/// the writer's name, which no "he" or "she" of the text refers to, so no candidate mention. A
/// sentence that opens on "By" and holds no word but names and "and" ("By Monday morning, …"
/// holds more).
fn in_byline(ctx: &Ctx, c: (usize, usize)) -> bool {
    let (start, end) = ctx.sentence(c.0);
    matches!(ctx.low(start), "by" | "byline")
        && start < c.0
        && (start + 1..end).all(|i| !ctx.is_word(i) || ctx.is_name(i) || ctx.low(i) == "and")
}

/// How far into its sentence a mention may start and still be taken for the subject:
/// "Former state energy commissioner Gerald Pike" starts 4 tokens in.
const SUBJECT_REACH: usize = 6;

/// The latest person mention after token `after` and before `before` that is a sentence's
/// subject, outside quotation marks (a name the last speaker quoted is not a new speaker): in
/// an earlier sentence, one within [`SUBJECT_REACH`] tokens of its start; in `before`'s own
/// sentence, one that starts it or follows its opening phrase ([`after_opening_phrase`]),
/// a lone surname included when the text names its person in full, and not a topic right
/// before ", he".
fn newer_subject(ctx: &Ctx, index: &Index, after: usize, before: usize) -> Option<(usize, usize)> {
    let own_sentence = ctx.sentence(before).0;
    let person = |c| looks_like_person(ctx, c) || described(ctx, c);
    index
        .before(before)
        .take_while(|c| c.0 > after)
        // A name between quotation marks is quoted, not present.
        .filter(|c| !quoted(ctx, c.0))
        .find(|&&c| {
            let start = ctx.sentence(c.0).0;
            if c.0 >= own_sentence {
                // In the pronoun's own sentence only its opening subject ("Judge Elissa
                // Cadish later ordered …, but she acknowledged"; "During her campaign,
                // Clinton caught flak when she said"), and not a topic put before the
                // pronoun's own clause ("African-Americans, he said, can …"). Stricter than in
                // earlier sentences: there the words before a name are mostly its title, here
                // often the clause the pronoun sits in ("Asked about Trump, he said"). A lone
                // surname counts here when the text names its person in full ("Clinton");
                // before, one is mostly someone the last speaker's story mentions in passing
                // ("Rubio toured a factory. “…,” he said": the last speaker).
                let topic = c.1 + 2 == before && ctx.tok(c.1 + 1) == ",";
                return c.1 < before
                    && !topic
                    && (c.0 == start || after_opening_phrase(ctx, start, c))
                    && (person(c) || looks_like_person(ctx, fullest(ctx, c, index)));
            }
            c.1 < own_sentence
                && person(c)
                && c.0 - start <= SUBJECT_REACH
                && (start..c.0).all(|i| ctx.is_word(i) && (i == start || !finite_verb(ctx, i)))
                // A subject pronoun makes the name an object ("He told John Smith"); a
                // possessive opens the subject ("Her colleague David Lee disagreed").
                && (ctx.low(start) == "her"
                    || !(has(lexicon::PERSON_PRONOUNS, ctx.low(start))
                        || has(lexicon::OTHER_PRONOUNS, ctx.low(start))))
        })
        .copied()
}

/// How far into its sentence the name after its opening phrase ("During her primary
/// campaign, Clinton") may start.
const OPENING_PHRASE_REACH: usize = 12;

/// Whether mention `(i, end)` follows the phrase opening the sentence that starts at `start`:
/// one that opens with a preposition or subordinator and ends at the comma before `i`, its
/// only break. Not the first of a list ("Unlike Obama, Clinton and Sanders, he …").
fn after_opening_phrase(ctx: &Ctx, start: usize, (i, end): (usize, usize)) -> bool {
    let listed = matches!(ctx.low(end + 1), "and" | "or")
        || (ctx.tok(end + 1) == "," && ctx.is_name(end + 2));
    !listed
        && i > start + 2
        && i - start <= OPENING_PHRASE_REACH
        && ctx.tok(i - 1) == ","
        && phrase_opener(ctx, start)
        && (start..i - 1).all(|j| !matches!(ctx.tok(j), "," | "—" | "–" | ":"))
}

/// A lone name described as a person between commas right after it: "Carter, the state
/// treasurer,". The description opens with an article and ends on the role at its closing
/// comma, so that "Instead, the senator said" and "Florida, where the governor …" describe
/// nobody.
fn described(ctx: &Ctx, c: (usize, usize)) -> bool {
    described_by(ctx, c, |i| has(lexicon::ROLE_NOUNS, ctx.low(i))).is_some()
}

/// [`described`], with the role the description ends on told by `role`: that role word.
fn described_by(ctx: &Ctx, c: (usize, usize), role: impl Fn(usize) -> bool) -> Option<usize> {
    let d = c.1 + 2;
    // "Debbie Wasserman Schultz of Florida, the national party chairwoman,": a place.
    let complement = c.0 > 0
        && matches!(
            ctx.low(c.0 - 1),
            "of" | "in" | "from" | "at" | "for" | "with" | "to" | "on" | "by"
        );
    if complement
        || !(ctx.is_name(c.1)
            && ctx.tok(c.1 + 1) == ","
            && matches!(ctx.low(d), "the" | "a" | "an"))
    {
        return None;
    }
    // "Later, the state treasurer, Tom Carter, defended …": the description goes on to a name,
    // whose it is; "Later" is nobody.
    (d + 1..d + 5)
        .take_while(|&i| ctx.is_word(i) || ctx.tok(i) == ",")
        .find(|&i| ctx.tok(i) == ",")
        .filter(|&close| close > d + 1 && role(close - 1) && !ctx.is_name(close + 1))
        .map(|close| close - 1)
}

/// A word that reads as the finite verb of a clause ("told", "says"), which would make the
/// name after it an object ("Officials told John Smith"). Base forms such as "state" are
/// left out: before a name they are modifiers ("state energy commissioner").
fn finite_verb(ctx: &Ctx, i: usize) -> bool {
    let w = ctx.low(i);
    has(lexicon::CUE_VERBS, w)
        && (w.ends_with("ed")
            || w.ends_with('s')
            || matches!(
                w,
                "said" | "told" | "wrote" | "spoke" | "thought" | "felt" | "knew"
            ))
}

/// The earlier mention a role description ("the spokesman", "The Russian Defense Ministry
/// spokesman") refers to: one holding the same role and a name ([`role_context`]), sharing the
/// most name words with the description ("The Florida senator": "Florida Sen. Marco Rubio"),
/// then the one the text writes most ([`person_count`]: an article's "the senator" is its own
/// senator, not one it mentions in passing), the latest on ties, and the longest of those;
/// then its fullest form.
/// Nobody when the description names something ("The Florida senator") that no holder of the
/// role shares, or names two people ("The Kentucky Republican and the New York businessman").
fn by_role<'c>(
    ctx: &Ctx<'_, 'c>,
    s: (usize, usize),
    head: &str,
    index: &Index<'c>,
) -> Option<(usize, usize)> {
    if (s.0..=s.1).any(|i| ctx.low(i) == "and") {
        return None;
    }
    let modifier = office_modifier(ctx, s.1);
    let words: Vec<&str> = (s.0..s.1)
        .filter(|&i| ctx.is_name(i))
        .map(|i| ctx.low(i))
        .collect();
    let (shared, best) = index
        .before(s.0)
        .filter(|c| c.1 < s.0 && ctx.is_name(c.1))
        // A name between quotation marks is quoted, not present ("“Sen. Elizabeth Warren is
        // wrong,” the senator said").
        .filter(|c| !quoted(ctx, c.0))
        .filter_map(|&c| {
            let r = role_context(ctx, c, head, modifier)?;
            let shared = (r.0..=r.1)
                .filter(|&i| ctx.is_name(i) && words.contains(&ctx.low(i)))
                .count();
            let key = (shared, person_count(ctx, c, index), c.1, chars(ctx, c));
            Some((key, c))
        })
        .max_by_key(|&(key, _)| key)
        .map(|((shared, ..), c)| (shared, c))?;
    if shared == 0 && !words.is_empty() {
        return None;
    }
    Some(fullest(ctx, best, index))
}

/// The words around the mention `c` that describe it, when they give it the role `head`: in
/// its own words ("Vermont Sen. Bernie Sanders", "spokesman Igor Konashenkov"), in the word or
/// title right before it ("Democratic presidential candidate Hillary Clinton", "Sen. Bernie
/// Sanders" where the run starts at the name), or in a description between commas right after
/// it ("Tom Carter, the state treasurer,"). The range reaches back over a few words ("Florida
/// Sen.", "Democratic presidential") and on over "of" and a place ("Gov. John R. Kasich of
/// Ohio"). None for a mention that is the title alone ("Sen").
fn role_context(
    ctx: &Ctx,
    c: (usize, usize),
    head: &str,
    modifier: Option<&str>,
) -> Option<(usize, usize)> {
    let role = |i: usize| lexicon::same_role(ctx.low(i), head);
    if role(c.1) {
        return None;
    }
    // A clean mention: names, titles and their stops, "of" ("Gov. John R. Kasich of Ohio"),
    // not a phrase holding a verb ("Journalist Jorge Ramos corrected the GOP candidate") nor a
    // possessive ("President Barack Obama’s", one token) nor a party and state after a comma.
    let clean = (c.0..=c.1).all(|i| {
        ctx.is_name(i)
            || has(lexicon::ROLE_NOUNS, ctx.low(i))
            // "Mayor Bill de Blasio": a particle inside a surname.
            || (i > c.0 && i < c.1 && has(NAME_PARTICLES, ctx.low(i)))
            || ctx.low(i) == "of"
            || (matches!(ctx.tok(i), "." | "-") && ctx.doc.glued(i))
    }) && !ctx.possessive(c.1)
        && !matches!(ctx.tok(c.1 + 1), "’" | "'");
    if !clean {
        return None;
    }
    let sentence = ctx.sentence(c.0).0;
    let mut before = (sentence..c.0)
        .rev()
        .filter(|&i| !ctx.abbreviation_stop(i))
        .take(ROLE_BEFORE)
        .take_while(|&i| ctx.is_word(i));
    let first = before.next();
    let from = before.last().or(first).unwrap_or(c.0);
    let described = described_by(ctx, c, role);
    let at = (c.0..=c.1)
        .find(|&i| role(i))
        .or(first.filter(|&i| role(i)))
        .or(described);
    // "Vice President Joseph R. Biden" is not who "the president" is, nor "President Obama"
    // "the vice president", nor "Joe Biden, the vice president," either.
    if at.is_none_or(|i| office_modifier(ctx, i) != modifier) {
        return None;
    }
    let end = match ctx.low(c.1 + 1) {
        "of" => (c.1 + 2..c.1 + 6).take_while(|&i| ctx.is_name(i)).last(),
        _ => None,
    };
    // A description after the name describes it too: "Tom Carter, the Florida treasurer,".
    let end = described.max(end).unwrap_or(c.1);
    Some((from, end))
}

/// The word before the role noun at `i` that makes it another office ("vice president",
/// "deputy director", "Lt. Gov.", "inspector general"), lowercased: an office's modifier, and
/// before "general" the office it is general of ("Attorney General", "Surgeon General"; not
/// "the general", "Gen.").
fn office_modifier(ctx: &Ctx, i: usize) -> Option<&'static str> {
    const MODIFIERS: &[&str] = &[
        "assistant",
        "associate",
        "deputy",
        "lieutenant",
        "lt",
        "vice",
    ];
    const GENERAL_OF: &[&str] = &[
        "adjutant",
        "attorney",
        "comptroller",
        "inspector",
        "postmaster",
        "secretary",
        "solicitor",
        "surgeon",
    ];
    // "Lt. Gov.", "Vice-President": past an abbreviation's stop or a hyphen.
    let mut j = i.checked_sub(1)?;
    if matches!(ctx.tok(j), "." | "-") && ctx.doc.glued(j) {
        j = j.checked_sub(1)?;
    }
    let w = ctx.low(j);
    let list = if lexicon::same_role(ctx.low(i), "general") {
        GENERAL_OF
    } else {
        MODIFIERS
    };
    list.iter()
        .find(|&&m| m == w)
        .map(|&m| if m == "lt" { "lieutenant" } else { m })
}

/// Words before a name that may describe it ("Democratic presidential candidate", "Florida
/// Sen."): the first of them may be its role, and all count as words the description shares.
const ROLE_BEFORE: usize = 4;

/// The longest candidate mention (earliest on ties) ending in the same name as `m` and holding
/// its names ([`same_person`]), written no later than `m`; `m` itself when none is longer.
fn fullest(ctx: &Ctx, m: (usize, usize), index: &Index) -> (usize, usize) {
    if !ctx.is_name(m.1) {
        return m;
    }
    if let Some(&f) = index.fullest.borrow().get(&m) {
        return f;
    }
    let f = longest_same_name(ctx, m, index).unwrap_or(m);
    index.fullest.borrow_mut().insert(m, f);
    f
}

/// [`fullest`] for a source that is a lone surname no earlier mention ends in: the fullest
/// earlier mention of a spelling variant of it ("General Sergey Rudskoy" for "Rudskoi said":
/// transliterated names drift within one article), the latest among the mentions a pronoun
/// would look through. Only for a spelling written nowhere else in the text: "Carson said"
/// after "Tucker Carlson asked" is Ben Carson when the headline names him.
fn fullest_or_variant<'c>(
    ctx: &Ctx<'_, 'c>,
    m: (usize, usize),
    index: &Index<'c>,
) -> (usize, usize) {
    let best = fullest(ctx, m, index);
    if best != m || m.0 != m.1 || index.count(ctx, ctx.tok(m.1)) != 1 {
        return best;
    }
    let name = ctx.tok(m.1);
    index
        .before(m.0)
        .find(|c| ctx.is_name(c.1) && crate::consistency::spelled_otherwise(name, ctx.tok(c.1)))
        .map(|&c| longest_same_name(ctx, c, index).unwrap_or(c))
        .filter(|&best| chars(ctx, best) > chars(ctx, m))
        .unwrap_or(m)
}

/// Whether the mention `c` reads as a phrase or clause that ends in a name rather than as the
/// name with its description. Past its first word it holds one of:
/// - an article, in any case, that follows no office's preposition or apposition's comma and
///   opens no title, and is no initial ("the end of the audience the Pope", "First the Dems",
///   "Here’s The Federalist’s Mollie Hemingway"; not "Mr. Burman of the Tax Policy Center",
///   "Mike Coffman of Colorado, a Republican", "the Rev. Federico Lombardi", "Jock A.
///   Finlayson");
/// - a preposition, relative or possessive pronoun a name never holds, lowercase as written
///   ("Dan McLaughlin at the National Review", "excerpts of his speech released by the White
///   House");
/// - "and" or "or" before a lowercase word ("Trump and the CIA"; not "Minister of Foreign
///   Affairs and Trade").
///
/// Such a mention, a source the rules or the tagger found, is its own statement's speaker, but
/// no fuller form of a name written elsewhere.
fn a_phrase(ctx: &Ctx, c: (usize, usize)) -> bool {
    const NEVER_IN_A_NAME: &[&str] = &[
        "as", "at", "by", "from", "her", "his", "in", "its", "my", "on", "our", "that", "their",
        "which", "who", "whom", "with", "your",
    ];
    (c.0 + 1..=c.1).any(|i| {
        let w = ctx.low(i);
        match w {
            // Not an initial ("Jock A. Finlayson").
            "the" | "a" | "an" if !(ctx.tok(i + 1) == "." && ctx.doc.glued(i + 1)) => {
                // After an office's preposition ("Ambassador to the UN"), an apposition ("Mike
                // Coffman of Colorado, a Republican"), or a title written with its article
                // ("the Rev. Federico Lombardi").
                let after = matches!(ctx.low(i - 1), "of" | "to" | "for" | ",");
                let title = i < c.1
                    && matches!(
                        ctx.low(i + 1),
                        "rev" | "reverend" | "hon" | "honorable" | "honourable"
                    );
                !after && !title
            }
            "and" | "or" => i < c.1 && !ctx.capitalised(i + 1),
            // Lowercase as written: "In" and "On" open names of works and places.
            _ => has(NEVER_IN_A_NAME, w) && !ctx.capitalised(i),
        }
    })
}

/// The fullest mention of the person `m` names, ending in the same name and written no later
/// than it, when that is longer than `m`. The fullest of all such mentions is taken when it
/// holds `m`'s names; else the longest that does among the last [`SAME_NAME_REACH`]: "Hillary
/// Clinton" is not "President Bill Clinton", written earlier and longer.
fn longest_same_name(ctx: &Ctx, m: (usize, usize), index: &Index) -> Option<(usize, usize)> {
    let list = index.by_name.get(ctx.tok(m.1))?;
    let idx = list.partition_point(|e| e.0 .0 <= m.0);
    let &(_, best) = list.get(idx.checked_sub(1)?)?;
    // Nothing longer at all: the common case, which needs no names compared.
    if chars(ctx, best) <= chars(ctx, m) {
        return None;
    }
    if let Some(one) = among_namesakes(ctx, m, &list[idx.saturating_sub(SAME_NAME_REACH)..idx]) {
        return (chars(ctx, one) > chars(ctx, m)).then_some(one);
    }
    // `best` is never a phrase (Index::new); the mentions themselves may be.
    let best = if same_person(ctx, m, best) {
        best
    } else {
        // Latest first, so that on ties the earliest wins, as in the fullest of all.
        list[..idx]
            .iter()
            .rev()
            .take(SAME_NAME_REACH)
            .map(|e| e.0)
            .filter(|&c| same_person(ctx, m, c) && !a_phrase(ctx, c))
            .fold(m, |b, c| if chars(ctx, c) >= chars(ctx, b) { c } else { b })
    };
    (chars(ctx, best) > chars(ctx, m)).then_some(best)
}

/// Who a mention without a given name ("Clinton", "Mrs. Clinton", "Secretary Clinton") is when
/// the text has named people of that surname in full before it (`earlier`: the mentions ending
/// in it, in text order): the one its title's gender allows ("Mrs.", "Mr."), and of several
/// the one named in full first in the latest sentence (of `m`'s and the
/// [`RECENT_SENTENCES`] before it) that writes the surname, else the one named most in full,
/// the first named on a tie. A writer who names two Clintons calls the one the story is about
/// "Clinton" and the other by name or office ("Clinton and her husband, former President Bill
/// Clinton, attended …"), so the longest mention, often the other's with a title, is the
/// wrong guess. Some(`m`) when no one named fits; None when `m` has a given
/// name, or one person alone of that surname was named in full and fits (the caller's rule
/// stands).
fn among_namesakes(ctx: &Ctx, m: (usize, usize), earlier: &[Fullest]) -> Option<(usize, usize)> {
    if name_words(ctx, m).count() != 1 {
        return None;
    }
    let mut people = named_in_full(ctx, m, earlier);
    let all = people.len();
    // Only a title tells a surname's gender: "Bradley" is Rebecca Bradley's too.
    let title = (m.0..m.1).find_map(|i| title_gender(ctx.low(i)));
    if let Some(g) = title {
        people.retain(|p| gender_of(ctx, p.0, &HashMap::new()).is_none_or(|h| h == g));
    }
    match (all, people.len()) {
        (0, _) | (1, 1) => None,
        (_, 0) => Some(m),
        _ => {
            // One named in full just before, first in its sentence, is who the text goes on
            // about: "However, Patricia Smith, mother of Benghazi victim Sean Smith, rejected
            // the claim. “She lied to me,” Smith said."
            let of = |c: (usize, usize)| people.iter().find(|p| one_person(ctx, c, p.0));
            let from = (0..RECENT_SENTENCES).fold(ctx.sentence(m.0).0, |s, _| {
                s.checked_sub(1).map_or(s, |i| ctx.sentence(i).0)
            });
            let recent = earlier
                .iter()
                .map(|e| e.0)
                .filter(|c| c.0 >= from && c.1 < m.0)
                .max_by_key(|c| ctx.sentence(c.0).0)
                .map(|last| ctx.sentence(last.0).0)
                .and_then(|sentence| {
                    let first = earlier
                        .iter()
                        .map(|e| e.0)
                        .find(|c| c.0 >= sentence && c.1 < m.0)?;
                    given_name(ctx, first).and(of(first))
                });
            recent
                .or_else(|| most_named(&people).map(|i| &people[i]))
                .map(|p| p.0)
        }
    }
}

/// Whether the mentions `a` and `b` name one person, whichever holds more of the names.
fn one_person(ctx: &Ctx, a: (usize, usize), b: (usize, usize)) -> bool {
    same_person(ctx, a, b) || same_person(ctx, b, a)
}

/// The people `mentions` (ending in a surname, in text order) name in full, with a given name
/// before the surname, who may be the person `m` is: per person, the longest mention (one
/// that opens on a name or title first), the first mention's start, and how many there are.
///
/// "Hillary Clinton met former President Bill Clinton. Hillary Clinton left." gives two (by
/// token): (Hillary Clinton, 0, 2) and (former President Bill Clinton, 3, 1).
fn named_in_full(ctx: &Ctx, m: (usize, usize), mentions: &[Fullest]) -> Vec<Person> {
    let mut people: Vec<Person> = Vec::new();
    for &(c, _) in mentions {
        if given_name(ctx, c).is_none() || !same_person(ctx, m, c) {
            continue;
        }
        match people.iter_mut().find(|p| one_person(ctx, c, p.0)) {
            Some(p) => {
                p.2 += 1;
                // The longest that opens on a name or title: not a phrase a source ended in
                // ("a defeat President Barack Obama").
                let opens = |c: (usize, usize)| ctx.capitalised(c.0);
                if (opens(c), chars(ctx, c)) > (opens(p.0), chars(ctx, p.0)) {
                    p.0 = c;
                }
            }
            None => people.push((c, c.0, 1)),
        }
    }
    people
}

/// How often the text writes the person of the mention `c`: the count of its surname, unless
/// the text names several people of that surname in full and `c` is one of them (a mention
/// without a given name, "President Clinton", keeps the surname's count). Then the one it
/// names most in full (the first named on a tie) has the surname's mentions less the others'
/// full ones, as a lone surname goes to them ([`among_namesakes`]), and each other person
/// their full mentions: in a story about Hillary Clinton, "President Bill Clinton" is not
/// written as often as "President Obama" because "Clinton" is.
fn person_count<'c>(ctx: &Ctx<'_, 'c>, c: (usize, usize), index: &Index<'c>) -> u32 {
    let surname = ctx.tok(c.1);
    let total = index.count(ctx, surname);
    if given_name(ctx, c).is_none() {
        return total;
    }
    let mut cache = index.people.borrow_mut();
    // Who is named in full depends on the surname alone: a lone surname is everyone's.
    let people = cache.entry(surname).or_insert_with(|| {
        index
            .by_name
            .get(surname)
            .map_or_else(Vec::new, |mentions| {
                named_in_full(ctx, (c.1, c.1), mentions)
            })
    });
    if people.len() < 2 {
        return total;
    }
    let (Some(mine), Some(most)) = (
        people.iter().position(|p| one_person(ctx, c, p.0)),
        most_named(people),
    ) else {
        return total;
    };
    let full = |p: &Person| u32::try_from(p.2).unwrap_or(u32::MAX);
    if mine == most {
        let others: u32 = (people.iter().enumerate())
            .filter(|&(i, _)| i != mine)
            .map(|(_, p)| full(p))
            .sum();
        total.saturating_sub(others)
    } else {
        full(&people[mine])
    }
}

/// Which of `people` the text names most in full, the first named on a tie: who a surname
/// alone is when nothing nearer tells ([`among_namesakes`], [`person_count`]).
fn most_named(people: &[Person]) -> Option<usize> {
    (0..people.len()).max_by_key(|&i| (people[i].2, std::cmp::Reverse(people[i].1)))
}

/// How many sentences before a surname's own [`among_namesakes`] looks back for a namesake
/// just named: a quotation of two sentences after the naming one ("“We were nose-to-nose at the
/// coffin ceremony. She lied to me,” Smith said").
const RECENT_SENTENCES: usize = 2;

/// The given name right before a mention's surname ("Bill" of "former President Bill Clinton",
/// past initials and particles: "George W. Bush"), if it has one: not an office ("Rep
/// McCaul", "Former AG Mukasey"), an acronym, a lowercase word ("Former Mexico leader
/// Calderon") or the first half of a pair ("Obama-Clinton", "Johnson-Weld").
fn given_name(ctx: &Ctx, c: (usize, usize)) -> Option<usize> {
    let mut i = c.1.checked_sub(1)?;
    while i > c.0
        && (has(NAME_PARTICLES, ctx.low(i))
            || (ctx.tok(i) == "." && ctx.doc.glued(i))
            || (ctx.tok(i).chars().count() == 1 && ctx.is_word(i)))
    {
        i -= 1;
    }
    let w = ctx.low(i);
    (i >= c.0
        && i < c.1
        && ctx.is_name(i)
        && w.chars().count() > 1
        && !has(lexicon::ROLE_NOUNS, w)
        && !lexicon::title_abbreviation(w)
        && ctx.tok(i).chars().skip(1).any(char::is_lowercase))
    .then_some(i)
}

/// The words of a mention that name its person: no office ("President", "Sen."), no title's
/// abbreviation, no initial; particles ("de", "von") count.
fn name_words<'a>(ctx: &'a Ctx, (a, b): (usize, usize)) -> impl Iterator<Item = usize> + 'a {
    let abbreviation = move |i: usize| ctx.tok(i + 1) == "." && ctx.doc.glued(i + 1);
    (a..=b).filter(move |&i| {
        let w = ctx.low(i);
        (ctx.is_name(i)
            && !has(lexicon::ROLE_NOUNS, w)
            && w.chars().count() > 1
            && !(i < b && abbreviation(i)))
            || has(NAME_PARTICLES, w)
    })
}

/// How many earlier mentions of one surname [`longest_same_name`] looks through when the
/// fullest is somebody else: enough for any article, and a text repeating a name endlessly
/// stays linear.
const SAME_NAME_REACH: usize = 64;

/// Whether the mention `c` can name the person `m` names: `m`'s names, offices left out, come
/// in `c` in the same order. "Mr. Rubio" and "Marco Rubio", "George Bush" and "George W.
/// Bush", "Mayor de Blasio" and "Mayor Bill de Blasio" can; "Hillary Clinton" and "President
/// Bill Clinton", "Donald Trump" and "Melania Trump" cannot, nor one person and two
/// ([`two_people`]).
///
/// An abbreviated title ("Sen.", "Col.") is an office. A sentence's first word is a name when
/// it is a common given name, or the text capitalises it inside a sentence too and never
/// writes it lowercase: "Does Rubio (like …)" and "Outgoing Flake" are Marco Rubio and Jeff
/// Flake.
pub(super) fn same_person(ctx: &Ctx, m: (usize, usize), c: (usize, usize)) -> bool {
    let names = |c| name_words(ctx, c);
    let proper = |i: usize| {
        let w = ctx.low(i);
        ctx.sentence(i).0 != i
            || lexicon::is_given_name(w)
            || (!ctx.written_lowercase(w) && ctx.capitalised_inside(ctx.tok(i)))
    };
    // "Hillary Clinton" is one of "Donald Trump and Hillary Clinton", not all of it.
    if two_people(ctx, c) && !two_people(ctx, m) {
        return false;
    }
    // A lone surname that ends `c` (what most lookups ask): nothing more to compare.
    if m.0 == m.1 && ctx.tok(m.0) == ctx.tok(c.1) {
        return true;
    }
    let mut theirs = names(c);
    names(m)
        .filter(|&i| proper(i))
        .all(|i| theirs.any(|j| ctx.low(j) == ctx.low(i)))
}

/// Lowercase words inside surnames ("Bill de Blasio", "Ursula von der Leyen").
pub(super) const NAME_PARTICLES: &[&str] = &[
    "al", "da", "de", "del", "della", "der", "di", "du", "la", "le", "van", "von",
];

/// A mention with a role noun or at least two name words ("Igor Konashenkov"), not one whose
/// head names a body ("The Washington Post", [`lexicon::ORG_HEADS`]).
fn looks_like_person(ctx: &Ctx, c: (usize, usize)) -> bool {
    let names = (c.0..=c.1).filter(|&i| ctx.is_name(i)).count();
    let role = (c.0..=c.1).any(|i| has(lexicon::ROLE_NOUNS, ctx.low(i)));
    // A name before an "of" is the head: "Mr. Burman of the Tax Policy Center" is a person,
    // "Bank of America" a body; not an office ("The director of the European Centre" is
    // the Centre's, and "he" looks past it to the name it is given). A title after the "of"
    // phrase starts the name anew: "Bank of England Governor Mark Carney" is a person.
    let head = (c.0 + 1..=c.1)
        .find(|&i| ctx.low(i) == "of")
        .filter(|&of| !(of..=c.1).any(|i| has(lexicon::ROLE_NOUNS, ctx.low(i))))
        .map(|of| of - 1)
        .filter(|&h| ctx.is_name(h) && !has(lexicon::ROLE_NOUNS, ctx.low(h)))
        .unwrap_or(c.1);
    let head = ctx.low(head);
    let head = head
        .strip_suffix("’s")
        .or_else(|| head.strip_suffix("'s"))
        .unwrap_or(head);
    // "Emily Post", "Bill Press": a given name first makes a person of any surname.
    let body = has(lexicon::ORG_HEADS, head) && !lexicon::is_given_name(ctx.low(c.0));
    (names >= 2 || (role && names >= 1)) && !body
}

/// Maximal runs of name words, role nouns and name-internal punctuation ("U.S.", "Al-Assad")
/// that contain a name word: the mentions a source can refer back to.
fn mention_runs(ctx: &Ctx) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut has_name = false;
    let n = ctx.n();
    for i in 0..=n {
        // "Later Hillary Clinton": a sentence's opening adverb is capitalised, not a name; nor
        // its opening preposition ("Like Saviano, he said").
        let opener = super::opens_sentence(ctx, i) || phrase_opener(ctx, i);
        let part = i < n
            && !(ctx.line_start(i) && start.is_some())
            && !opener
            && (ctx.is_name(i)
                || (start.is_some() && has(lexicon::ROLE_NOUNS, ctx.low(i)))
                || (start.is_some()
                    && matches!(ctx.tok(i), "." | "-")
                    && ctx.doc.glued(i)
                    && ctx.doc.glued(i + 1)
                    && ctx.is_word(i + 1))
                // "Sen. Bernie Sanders", "Gov. Chris Christie": a title's full stop.
                || (start.is_some()
                    && ctx.abbreviation_stop(i)
                    && lexicon::title_abbreviation(ctx.low(i - 1))
                    && ctx.is_name(i + 1)
                    && !ctx.line_start(i + 1)));
        if part {
            if start.is_none() {
                start = Some(i);
                has_name = false;
            }
            has_name |= ctx.is_name(i);
        } else {
            if let Some(s0) = start.take() {
                // "In a meeting with the Washington Post Trump (said)": two names written
                // together are two mentions where the source rules would cut them apart.
                let e = i - 1;
                let cut = has_name
                    .then(|| super::subject_after_opening(ctx, ctx.sentence(e).0, e))
                    .flatten()
                    .filter(|&x| x > s0 && x <= e);
                if let Some(x) = cut {
                    if (s0..x).any(|j| ctx.is_name(j)) {
                        out.push((s0, x - 1));
                    }
                    out.push((x, e));
                } else if has_name {
                    out.push((s0, e));
                }
            }
            // A run may also begin here (a line start ended the previous one).
            if i < n && ctx.is_name(i) && !opener {
                start = Some(i);
                has_name = true;
            }
        }
    }
    out
}

/// A preposition or subordinator opening its sentence ("Like Saviano, he said", "Regarding
/// Cupich, …", "During her campaign, Clinton …"): capitalised there, and no part of the name
/// after it. Most of these words are never names anyway (`lexicon::NOT_NAMES`); "Like",
/// "Regarding", "During" could be.
fn phrase_opener(ctx: &Ctx, i: usize) -> bool {
    let w = ctx.low(i);
    (has(PHRASE_OPENERS, w) || has(super::OPENING_PREPOSITIONS, w)) && ctx.sentence(i).0 == i
}

/// Prepositions and subordinators that open a sentence's opening phrase, beyond the source
/// rules' `super::OPENING_PREPOSITIONS` ([`phrase_opener`] reads both).
pub(super) const PHRASE_OPENERS: &[&str] = &[
    "although",
    "as",
    "because",
    "before",
    "despite",
    "if",
    "like",
    "regarding",
    "since",
    "though",
    "unlike",
    "when",
    "while",
];
