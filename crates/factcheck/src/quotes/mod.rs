//! Quotes and attribution: who is said to have said what.
//!
//! A fact-checker's first questions about a statement in an article are whether anybody is on
//! record for it, and who. [`extract`] finds **direct quotes** (words in quotation marks) and
//! **reported speech** ("X said that ...", "according to X, ..."), and for each gives the
//! content, the cue ("said", "according to"), the source as written ("he", "Konashenkov") and
//! the resolved speaker (the fullest earlier mention, "Russian Defence Ministry spokesman Igor
//! Konashenkov"). Statements pinned on nobody, or on "sources" and "officials", are flagged
//! [`Quote::unattributed`]: those are the ones a reader cannot check.
//!
//! Rules over the tokens of [`unspin_core::segment`] find the statements they are sure of —
//! fast, predictable and auditable, in the same style as [`crate::consistency`] — and a tagger
//! trained on PolNeAR ([`QuoteTagger`], compiled in) adds the ones they miss. Offsets are
//! Unicode code points (taken from the tokens), end exclusive, like every other unspin output.

mod direct;
pub(crate) mod lexicon;
pub mod polnear;
mod reported;
mod speaker;
mod tagger;
mod vectors;

use crate::consistency::Doc;
use std::sync::OnceLock;
use unspin_core::PieceVectors;

pub use tagger::{token_labels, Diagnostics, QuoteTagger, TrainParams};
pub use unspin_core::aids::{Place, Quote, QuoteKind};
pub use vectors::{covers, token_vectors, HeadParams, VectorHead};

/// Finds the quotes and reported statements of `text`, in text order, with the embedded
/// tagger and the rules together (the rules alone where no tagger is embedded).
///
/// Never panics, whatever the input; runs in time roughly linear in the length of the text.
pub fn extract(text: &str) -> Vec<Quote> {
    extract_doc(&Doc::of(&crate::consistency::document(text)), None)
}

/// [`extract`] with a tagger of the caller's choice; `None` runs the rules alone.
pub fn extract_with(text: &str, tagger: Option<&QuoteTagger>) -> Vec<Quote> {
    extract_doc_with(&Doc::of(&crate::consistency::document(text)), tagger, None)
}

/// [`extract_with`] for a tagger with a vector head: `rows` are the text's token vectors
/// ([`token_vectors`]). A tagger with a head adds nothing without them (the rules still run).
pub fn extract_with_rows(
    text: &str,
    tagger: Option<&QuoteTagger>,
    rows: Option<&[f32]>,
) -> Vec<Quote> {
    let doc = crate::consistency::document(text);
    let logits = tagger.and_then(|t| t.head_logits(rows, doc.tokens.len()));
    extract_doc_with(&Doc::of(&doc), tagger, logits.as_deref())
}

/// [`extract`] on an already segmented document; with the detector's `vectors`, when they
/// are the encoder's the embedded vector tagger was trained on and reach every word
/// ([`covers`]), that tagger runs instead.
pub(crate) fn extract_doc(doc: &Doc, vectors: Option<&PieceVectors>) -> Vec<Quote> {
    let on_vectors = vectors.and_then(|v| {
        let t = embedded_vectors()?;
        if !covers(doc.doc, v) {
            return None;
        }
        // Token by token: the document's token vectors are never held at once.
        let logits = t.head.as_ref()?.logits_of(doc.doc, v)?;
        Some((t, logits))
    });
    match on_vectors {
        Some((t, logits)) => extract_doc_with(doc, Some(t), Some(&logits)),
        None => extract_doc_with(doc, embedded(), None),
    }
}

fn extract_doc_with(
    doc: &Doc,
    tagger: Option<&QuoteTagger>,
    logits: Option<&[[f32; 3]]>,
) -> Vec<Quote> {
    let ctx = Ctx::new(doc);
    let rules = rule_raws(&ctx);
    let mut raws = match tagger {
        Some(t) => {
            let learned = t.tag(&ctx, &rules, logits);
            merge(&ctx, rules, learned)
        }
        None => rules,
    };
    drop_noun_cues(&ctx, &mut raws);
    one_speaker(&mut raws);
    cap_reported(&ctx, &mut raws);
    end_before_others_cues(&ctx, &mut raws);
    coordinated_cues(&ctx, &mut raws);
    drop_lost_sources_of_named(&ctx, &mut raws);
    tidy_sources(&ctx, &mut raws);
    keep_signs(&ctx, &mut raws);
    speaker_from_the_sentence_before(&ctx, &mut raws);
    let mut quotes = speaker::resolve(&ctx, &raws);
    mark_within(&mut quotes);
    quotes
}

/// Sets [`Quote::within`]: a statement that [lies within](Quote::lies_within) another is
/// reported within it; of several such, the smallest holds it (of equal ones, the one whose
/// words, source and cue included, start first). "He thus commented on a recent statement by … Baldanza who confirmed that
/// the US military did not intend to share …": Baldanza's "that the US military …" lies in
/// his content, so readers see it as words inside his statement, not as the same words said
/// twice. Attribution corpora annotate nested statements too (PolNeAR does), so both stay:
/// this only says how they relate.
///
/// A sweep over where statements start: only those whose content is still open at a start
/// can hold one beginning there. At most [`MAX_OPEN_HOLDERS`] of them, the latest to start,
/// are kept, so the work stays linear in the number of statements however many contents
/// overlap (one endless sentence of "…, X said, according to officials who told reporters
/// that …" made it grow with the text). Where more overlap than that, the holder may have
/// been let go, and the statement is marked within a larger one that is still kept, or none.
fn mark_within(quotes: &mut [Quote]) {
    let size = |q: &Quote| q.content.end() - q.content.start();
    let extents: Vec<(usize, usize)> = quotes.iter().map(Quote::extent).collect();
    // A holder's extent holds its content, which holds what it holds, and is larger: so it
    // starts no later, ends no earlier, and at a tie has the larger content.
    let mut order: Vec<usize> = (0..quotes.len()).collect();
    order.sort_by_key(|&i| {
        let (a, b) = extents[i];
        (a, std::cmp::Reverse(b), std::cmp::Reverse(size(&quotes[i])))
    });
    let mut open: std::collections::VecDeque<usize> = Default::default();
    for &i in &order {
        let a = extents[i].0;
        open.retain(|&j| quotes[j].content.end() > a);
        let holder = open
            .iter()
            .copied()
            .filter(|&j| quotes[i].lies_within(&quotes[j]))
            .min_by_key(|&j| size(&quotes[j]));
        quotes[i].within = holder;
        if open.len() == MAX_OPEN_HOLDERS {
            open.pop_front();
        }
        open.push_back(i);
    }
}

/// How many statements whose content is still open [`mark_within`] considers as holders:
/// news nests a statement two or three deep, so 32 loses nothing real and bounds the work
/// on text written to make contents overlap without end.
const MAX_OPEN_HOLDERS: usize = 32;

/// A quotation with neither cue nor source, opening right after a sentence of its paragraph
/// that is about somebody, is that person's: "Harrow dismissed them. “Either you stand with
/// …”", "He also questioned the motives of the company. “Who is really paying …?”". The
/// speaker is the source of the last statement cued in that sentence; failing one, the
/// sentence's opening mention when it is "he" or "she", or a name whose last word ends the
/// source of a statement elsewhere in the text ("Harrow closed by reminding the audience of
/// the town motto. “Millbrook first …”"). After a question ("Asked whether …, Mayor Carol
/// Benning shrugged. “It is what it is.”") it is the name or "he"/"she" the question was put
/// to, right after the comma that ends it, quoted elsewhere or not. News writing attributes
/// such quotes by adjacency; without this the reader was told they are pinned on nobody.
fn speaker_from_the_sentence_before(ctx: &Ctx, raws: &mut [Raw]) {
    let sentences = ctx.doc.sentences;
    // Last words of every source, for "a name quoted elsewhere".
    let mut surnames: Vec<&str> = raws
        .iter()
        .filter_map(|r| r.source.map(|s| s.1))
        .filter(|&i| ctx.capitalised(i))
        .map(|i| ctx.tok(i))
        .collect();
    surnames.sort_unstable();
    surnames.dedup();
    let mut cued: Vec<(usize, (usize, usize))> = raws
        .iter()
        .filter_map(|r| Some((r.cue?.0, r.source?)))
        .collect();
    cued.sort_unstable();
    // Questions put by somebody unnamed: where their cue is and where their content ends.
    let mut questions: Vec<(usize, usize)> = raws
        .iter()
        .filter(|r| asks(ctx, r))
        .filter_map(|r| Some((r.cue?.0, r.content.1)))
        .collect();
    questions.sort_unstable();
    for r in raws.iter_mut() {
        let o = r.content.0;
        if r.kind != QuoteKind::Direct || r.cue.is_some() || r.source.is_some() || o == 0 {
            continue;
        }
        let e = o - 1;
        if !ctx.is_terminal(e) || ctx.para_of(e) != ctx.para_of(o) {
            continue;
        }
        let at = sentences.partition_point(|s| s.tokens.end <= e);
        let Some(s0) = sentences
            .get(at)
            .map(|s| s.tokens.start)
            .filter(|&s0| s0 < e)
        else {
            continue;
        };
        if ctx.para_of(s0) != ctx.para_of(e) {
            continue;
        }
        let (from, to) = (
            cued.partition_point(|c| c.0 < s0),
            cued.partition_point(|c| c.0 < e),
        );
        if let Some(&(_, src)) = cued[from..to].last() {
            r.source = Some(src);
            continue;
        }
        if matches!(ctx.low(s0), "he" | "she") {
            r.source = Some((s0, s0));
            continue;
        }
        // "Asked whether …, Mayor Carol Benning shrugged. “It is what it is.”": the reply is
        // the one's the question was put to, the subject after the comma that ends the
        // question (not one inside it: "Asked about Smith, Jones and Brown, Lee shrugged.").
        let (from, to) = (
            questions.partition_point(|q| q.0 < s0),
            questions.partition_point(|q| q.0 < e),
        );
        if let Some(&(_, end)) = questions[from..to].first() {
            let j = end + 2;
            if ctx.tok(end + 1) == "," && j < e {
                r.source = if matches!(ctx.low(j), "he" | "she") {
                    Some((j, j))
                } else {
                    // A title may come first ("Mayor Carol Benning"): up to five words.
                    name_at(ctx, j, e, 4).map(|k| (j, k))
                };
            }
            continue;
        }
        if let Some(k) = name_at(ctx, s0, e, 3) {
            if surnames.binary_search(&ctx.tok(k)).is_ok() {
                r.source = Some((s0, k));
            }
        }
    }
}

/// Where a name opening a clause at `j` (before `e`) ends: capitalised words, at most `more`
/// after the first, up to a lowercase one. A capitalised preposition or article is no name
/// ("In March Harrow …" names nobody).
fn name_at(ctx: &Ctx, j: usize, e: usize, more: usize) -> Option<usize> {
    let mut k = j;
    while k + 1 < e && k < j + more && ctx.capitalised(k + 1) {
        k += 1;
    }
    (ctx.capitalised(j)
        && !lexicon::has(lexicon::NP_STOP, ctx.low(j))
        && !matches!(ctx.low(j), "the" | "a" | "an")
        && k + 1 < e
        && ctx.is_word(k + 1)
        && !ctx.capitalised(k + 1))
    .then_some(k)
}

/// Drops a statement introduced by a cue and a colon with nobody before it ("reports:", the
/// outlet's name lost with a link) when its content opens with another statement's source
/// ("He thus commented on …"): the paragraph then tells what that named speaker said, and
/// pinning it on nobody would list it among the unattributed. Runs after
/// [`end_before_others_cues`], which still reads the dropped cue as the end of the
/// statement before it.
fn drop_lost_sources_of_named(ctx: &Ctx, raws: &mut Vec<Raw>) {
    let mut sources: Vec<usize> = raws.iter().filter_map(|r| r.source.map(|s| s.0)).collect();
    sources.sort_unstable();
    raws.retain(|r| {
        let lost = r.source.is_none() && r.cue.is_some_and(|c| ctx.tok(c.1 + 1) == ":");
        !(lost && sources.binary_search(&r.content.0).is_ok())
    });
}

/// Prepositions that end a sentence's opening phrase right before its subject ("In an article
/// from Western Journalism, Byrne …").
const OPENING_PREPOSITIONS: &[&str] = &[
    "after", "at", "by", "during", "for", "from", "in", "of", "on", "with",
];

/// Whether token `i` is a conjunction or adverb that opens its sentence ("But Trump",
/// "Meanwhile, …"), a word of its own: "Then-President Obama", "So-called experts" are not.
fn opens_sentence(ctx: &Ctx, i: usize) -> bool {
    lexicon::has(SENTENCE_OPENERS, ctx.low(i))
        && ctx.sentence(i).0 == i
        && !(ctx.tok(i + 1) == "-" && ctx.doc.glued(i + 1))
}

/// Conjunctions and adverbs that open a sentence before its subject ("But", "Meanwhile").
const SENTENCE_OPENERS: &[&str] = &[
    "additionally",
    "also",
    "and",
    "besides",
    "but",
    "consequently",
    "earlier",
    "even",
    "eventually",
    "finally",
    "furthermore",
    "however",
    "indeed",
    "initially",
    "instead",
    "later",
    "likewise",
    "meanwhile",
    "moreover",
    "nevertheless",
    "nonetheless",
    "now",
    "or",
    "plus",
    "recently",
    "separately",
    "similarly",
    "so",
    "still",
    "then",
    "thus",
    "today",
    "ultimately",
    "yesterday",
    "yet",
];

/// Words after which "who" asks rather than relates ("not clear who fired first").
const QUESTION_WORDS: &[&str] = &[
    "ask",
    "asked",
    "asks",
    "certain",
    "clear",
    "determine",
    "knew",
    "know",
    "knows",
    "sure",
    "unclear",
    "unknown",
    "whether",
    "wonder",
    "wondered",
];

/// Words for a share of a group, before "of" ("a third of voters", "half of them").
const SHARE_WORDS: &[&str] = &[
    "half", "majority", "minority", "quarter", "quarters", "third", "thirds",
];

/// A statement that opens with a number keeps its sign or currency: "-4 degrees was the
/// low", "$6 million would go …" (the taggers, which work on words, started both at the
/// digits, which reversed the first one's meaning).
fn keep_signs(ctx: &Ctx, raws: &mut [Raw]) {
    for r in raws.iter_mut() {
        let a = r.content.0;
        if a > 0 && ctx.signs_figure(a - 1) && r.cue.is_none_or(|c| c.1 < a - 1 || c.0 > a - 1) {
            r.content.0 = a - 1;
        }
    }
}

/// Tidies the sources the taggers mark. Auxiliaries and adverbs at a source's end are not
/// the speaker ("she presumably knew", "he has continually condemned": "she", "he"), so they
/// are cut off. A source left as one lowercase adverb ("formally", "mistakenly"), participle
/// ("including") or word on [`lexicon::NOT_SOURCES`] ("despite", "now") is forgotten. The
/// taggers mark such words now and then, and the rules too ("“…,” formally said the
/// minister"): on PolNeAR dev the vector tagger marked 17 among its 1,749 sources, none
/// right; on PolNeAR train, its own training data, 98, of which 6 overlapped a gold source. A
/// statement pinned on nobody is flagged as such, where "formally (said)" told the reader
/// something untrue. Shares of a group get their number back ("65% of residents"), and a
/// name after an opening phrase is cut from it ("from Western Journalism, Byrne").
fn tidy_sources(ctx: &Ctx, raws: &mut [Raw]) {
    let adverb = |w: &str| w.len() > 4 && w.ends_with("ly") && !lexicon::has(lexicon::LY_NOUNS, w);
    for r in raws.iter_mut() {
        let Some((mut a, mut b)) = r.source else {
            continue;
        };
        // ", the governor (ordered)": a comma or dash that a tagger's run began on belongs
        // to the words before it.
        while a < b && matches!(ctx.tok(a), "," | ";" | ":" | "—" | "–" | ")") {
            a += 1;
        }
        // "Gerald Pike, who attended the meeting, (backed the vote)": a source that is the
        // relative clause alone, closed by a comma before the cue, describes the one before
        // the clause, who is the speaker; the rules read such a source whole
        // (`long_appositive`). A source that opens on "who" and runs to the cue stays: "who"
        // is the source of a statement inside the clause ("Pike, who said …", "Trump, who
        // relishes …"), as PolNeAR marks it (482 of its sources are "who" alone).
        if ctx.low(a) == "who" && a < b && a >= 2 && ctx.tok(a - 1) == "," && ctx.tok(b + 1) == ","
        {
            let lo = ctx.sentence(a).0;
            if let Some(np) = ctx.np_back(a - 2, lo).filter(|np| ctx.is_name(np.1)) {
                a = np.0;
            }
        }
        while b > a
            && !ctx.capitalised(b)
            && (lexicon::has(lexicon::AUX, ctx.low(b)) || adverb(ctx.low(b)) || ctx.low(b) == "now")
        {
            b -= 1;
        }
        // "Francis made the shocking (comments)", "Clinton has nevertheless (said)": a name
        // followed by a verb is a clause the vector tagger ran on into; the name is the
        // speaker. A relative clause ("Scott, who was …") describes the speaker and stays.
        if ctx.capitalised(a) {
            let verb = |i: usize| {
                !ctx.capitalised(i)
                    && (lexicon::has(lexicon::AUX, ctx.low(i))
                        || lexicon::has(lexicon::CLAUSE_VERBS, ctx.low(i)))
            };
            let cut = (a + 1..=b)
                .take_while(|&i| !lexicon::has(lexicon::RELATIVE_PRONOUNS, ctx.low(i)))
                .find(|&i| verb(i) && ctx.capitalised(i - 1));
            if let Some(i) = cut {
                b = i - 1;
            }
        }
        // "But Matt Morrison (said)", "Instead, Will (wrote)": a conjunction or adverb that
        // opens the sentence ties it to the one before and is no part of who speaks. PolNeAR
        // leaves such a word out of 661 sources (train and dev) and keeps it in 6. "Only"
        // stays ("Only 24 percent" are the ones who said so). Cut after the verb check above,
        // which reads a capital at the start as a name's.
        if a < b && opens_sentence(ctx, a) {
            a += 1;
            if ctx.tok(a) == "," && a < b {
                a += 1;
            }
        }
        // "Trevor Noah on Thursday", "A group of 67 artists this week": the time is when they
        // spoke, not who. Kept after a participle ("a poll released last week"), where it
        // tells which poll, and inside a relative clause ("Trump, who has been feuding with
        // leaders this week"); "X, who on Tuesday" loses its dangling "who" with it.
        if let Some(t) = ctx.time_phrase_back(b, a + 1) {
            let p = t - 1;
            let mut e = if p > a && ctx.low(p) == "who" {
                p - 1
            } else {
                p
            };
            while e > a && matches!(ctx.tok(e), "," | "—" | "–") {
                e -= 1;
            }
            if ctx.is_word(e) && !ctx.time_tells_which(a, t) {
                b = e;
            }
        }
        // "Later in the same briefing she (said)": a subject pronoun ends the clause's
        // opening, which the taggers take in now and then; the pronoun is the source. ("X
        // and she" is two people and stays.)
        if b > a
            && matches!(ctx.low(b), "he" | "she" | "they" | "we" | "i")
            && !matches!(ctx.low(b - 1), "and" | "or" | "nor" | "&")
            // "King Charles I": a numeral.
            && !(ctx.low(b) == "i" && ctx.capitalised(b - 1))
        {
            a = b;
        }
        // "65% of residents (said)", "a third of voters": the share is who speaks, and "of
        // residents" alone read as nobody.
        if ctx.low(a) == "of" && a >= 1 {
            let mut x = a - 1;
            if matches!(ctx.low(x), "%" | "percent") && x >= 1 {
                x -= 1;
            }
            if ctx.is_number(x) {
                a = x;
            } else if lexicon::has(SHARE_WORDS, ctx.low(x)) {
                a = x;
                if x >= 1 && matches!(ctx.low(x - 1), "a" | "one" | "two" | "the") {
                    a = x - 1;
                }
            }
        }
        if let Some(x) = after_phrase_tail(ctx, r.cue, a, b) {
            a = x;
        }
        if let Some(x) = parenthetical_speaker(ctx, r.cue, a, b) {
            a = x;
        }
        if let Some(x) = name_before_age(ctx, a, b) {
            a = x;
        }
        // "In an earlier article from Western Journalism, Byrne (expressed concern)": names
        // either side of a comma after a preposition are where the opening phrase ends and
        // who speaks, not a list of speakers.
        if a > 0 && lexicon::has(OPENING_PREPOSITIONS, ctx.low(a - 1)) {
            // "a spokesman for Sen. Chuck Grassley, R-Iowa": a state after the comma, no subject.
            let names = |x: usize, y: usize| {
                (x..=y).all(|i| (ctx.is_name(i) || !ctx.is_word(i)) && ctx.tok(i) != "-")
            };
            if let Some(c) = (a + 1..b).find(|&i| ctx.tok(i) == ",") {
                if c > a && names(a, c - 1) && names(c + 1, b) {
                    a = c + 1;
                }
            }
        }
        if let Some(x) = subject_after_opening(ctx, a, b) {
            a = x;
        }
        r.source = Some((a, b));
        if a == b && lexicon::has(SENTENCE_OPENERS, ctx.low(a)) {
            r.source = None;
            continue;
        }
        if a != b || ctx.capitalised(a) || !ctx.is_word(a) {
            continue;
        }
        let w = ctx.low(a);
        if adverb(w) || lexicon::is_participle(w) || lexicon::has(lexicon::NOT_SOURCES, w) {
            r.source = None;
        }
    }
}

/// Where the name starts in source `a..=b` that begins on the tail of a phrase opened before
/// it: "Raising the prospect of fissures in the party, Senator Bernie Sanders (has
/// rebuffed)", "if Trump is the GOP nominee, Rubio (gave)", "When she was a federal
/// prosecutor, Loretta Lynch (didn't bring)", "“…about” climate change, Axelrod (said)". The
/// words before the comma follow a word of their sentence (a preposition, an article, a verb)
/// or a quotation closed without a comma, so they end a phrase that began before the source;
/// after the comma comes a name, with its titles ("Lt. Gov. Carlos Lopez-Cantera", "Pastor
/// Joseph Brown of Marion Avenue Baptist Church"), and that is who speaks. An appositive
/// source opens its own phrase, at the sentence's start or after a comma, a quotation closed
/// by one, or an opener ("A spokeswoman, Anna White, (said)"; "“…,” another friend, Mariam
/// Emara (told CNN)"), and stays; so does a sentence's own opening phrase ("In 2015,
/// students in Spring Hill, Tennessee" is no name's; a later mention of the name after such a
/// comma is read by that name, in [`speaker`]). These stay too: a description after the name
/// ("Steven M. Rosenthal, a tax lawyer, (said)"), a list ("Hillary Clinton, and other
/// Democrats"), a place closed by the source's last comma ("a woman in Worcester,
/// Massachusetts,"), a possessive ("race, the Nevada Democrat’s") and a headline's list of
/// people ([`Ctx::name_after_comma`]); and a phrase after a conjunction that joins clauses
/// (", and a spokeswoman, Anna White,"), where one inside a phrase runs on ("Obama and Kerry
/// left him, Kerry"). Only for a source before its cue: after one ("said a spokeswoman, Anna
/// White") the cue is the word before it. `None` when nothing changes.
fn after_phrase_tail(ctx: &Ctx, cue: Option<(usize, usize)>, a: usize, b: usize) -> Option<usize> {
    // "As Clinton, Sanders answer union's concerns": a headline lists people with commas.
    if cue.is_none_or(|c| c.0 <= b) || ctx.heading_or_title(a) {
        return None;
    }
    let runs_on = a > ctx.sentence(a).0 && {
        let p = a - 1;
        if ctx.mark(p).is_some() {
            // A quotation closed right after a word, not after its comma or full stop.
            p > 0 && ctx.doc.glued(p) && ctx.is_word(p - 1)
        } else if matches!(ctx.low(p), "and" | "or") {
            // "the mess Obama and Kerry left him, Kerry (has)": a conjunction inside a
            // phrase; one after a comma joins clauses (", and a spokeswoman, Anna White,").
            p > 0 && ctx.is_word(p - 1)
        } else {
            ctx.is_word(p)
                && !opens_sentence(ctx, p)
                && !matches!(ctx.low(p), "but" | "nor" | "so" | "yet" | "then")
        }
    };
    if !runs_on {
        return None;
    }
    ctx.name_after_comma(a, b).map(|n| n.0)
}

/// Where the speaker starts in source `a..=b` of an attribution set inside its statement
/// between commas: "Trump, Sexton said, has created …", "Voters, Clinton suggested, don't
/// have to worry", "Mr. Trump, union members and leaders say, is …". The words before the
/// comma are the statement's subject; who speaks is the noun phrase after it, right before
/// the cue (or its auxiliaries), which a comma follows. Not an appositive closed by its own
/// comma ("Gov. John Kasich (R-OH), said,"; "Fiorina, speaking to Iowans, said,"), nor a
/// clause about the speaker ("Trump, who has nearly 9 million followers, tweeted,"), nor a
/// source of more than one comma.
fn parenthetical_speaker(
    ctx: &Ctx,
    cue: Option<(usize, usize)>,
    a: usize,
    b: usize,
) -> Option<usize> {
    let (k0, k1) = cue?;
    let next_to_cue = k0 > b && (b + 1..k0).all(|i| lexicon::has(lexicon::AUX, ctx.low(i)));
    // A source ending on its own comma is an appositive's ("Gov. John Kasich (R-OH), said,").
    if !next_to_cue || ctx.tok(k1 + 1) != "," || ctx.tok(b) == "," {
        return None;
    }
    let mut commas = (a..=b).filter(|&i| ctx.tok(i) == ",");
    let c = commas.next()?;
    let first = c + 1;
    let clause = |i: usize| {
        lexicon::has(lexicon::RELATIVE_PRONOUNS, ctx.low(i)) || lexicon::is_participle(ctx.low(i))
    };
    (commas.next().is_none() && c > a && ctx.is_word(first) && !(first..=b).any(clause))
        .then_some(first)
}

/// Where the name starts before an age that source `a..=b` begins with: "Jacob Shiansky, 24,
/// who was visiting Manhattan, (told me)", "Ramil Carr, 31, a Philadelphia photographer,
/// (said)" are Shiansky's and Carr's, as PolNeAR marks them ("Ms. Samour, 56, who was raised
/// in El Salvador"); read back from the cue, the appositive's walk stopped at the age.
fn name_before_age(ctx: &Ctx, a: usize, b: usize) -> Option<usize> {
    let age =
        ctx.is_number(a) && ctx.tok(a).len() <= 3 && ctx.tok(a).bytes().all(|x| x.is_ascii_digit());
    if !age || a >= b || ctx.tok(a + 1) != "," || a < 2 || ctx.tok(a - 1) != "," {
        return None;
    }
    let lo = ctx.sentence(a).0;
    let np = ctx.np_back(a - 2, lo)?;
    ctx.is_name(np.1).then_some(np.0)
}

/// Where the subject starts in source `a..=b` that runs on from a sentence's opening phrase
/// for want of a comma: "In a statement John Smith (said)" is John Smith's, "In a column for
/// the editorial board of the Washington Post Trump (said)" Trump's. The sentence must open
/// with a preposition, hold no comma, colon or dash up to the source's end within its first
/// [`MAX_OPENING`] tokens, and the source must end in a run of names. After a lowercase
/// noun that is no office ("special counsel Robert Mueller") the whole run is the subject.
/// After "of", a preposition, or a preposition's "the", the run may be two names written
/// together, the phrase's object and the subject ("the Washington Post Trump"): it is cut
/// where the text names both parts elsewhere apart ("the Washington Post" not followed by
/// "Trump", "Trump" not after "Post"), or where the last name is written glued to a name before it
/// ([`glued_name`]: "Donald Trump" elsewhere); one name that only appears shortened elsewhere
/// ("a spokeswoman for Senator Susan Collins", "Collins" later) stays whole. `None` when
/// nothing changes.
fn subject_after_opening(ctx: &Ctx, a: usize, b: usize) -> Option<usize> {
    let s0 = ctx.sentence(a).0;
    if b >= s0 + MAX_OPENING
        || !lexicon::has(OPENING_PREPOSITIONS, ctx.low(s0))
        || !ctx.is_name(b)
        || (s0..=b).any(|i| {
            matches!(ctx.tok(i), "," | "—" | "–" | ":") || (ctx.tok(i) == "-" && !ctx.doc.glued(i))
        })
    {
        return None;
    }
    let mut r = b;
    while r > a && ctx.is_name(r - 1) {
        r -= 1;
    }
    // "In 't Veld said": a name that opens with a preposition is no opening phrase, which
    // needs a word of its own.
    let phrase = (s0 + 1..r).any(|i| ctx.is_word(i) && ctx.tok(i).chars().count() > 1);
    if r == a || !phrase {
        return None;
    }
    let before = ctx.low(r - 1);
    // The rules' prepositions before a noun (a superset of [`OPENING_PREPOSITIONS`]).
    let preposition = |w: &str| lexicon::has(reported::PREPOSITIONS, w);
    let object = preposition(before) || (before == "the" && preposition(ctx.low(r - 2)));
    if !object {
        // A lowercase noun before the names ("statement", "interview"): not a function
        // word ("Schumer and Nancy Pelosi"), participle ("commissioned by") or office.
        let noun = ctx.is_word(r - 1)
            && !ctx.capitalised(r - 1)
            && !lexicon::has(lexicon::NP_STOP, before)
            && !lexicon::has(reported::DETERMINERS, before)
            && !before.ends_with("ed")
            && !lexicon::is_participle(before)
            && !lexicon::has(lexicon::ROLE_NOUNS, before);
        return noun.then_some(r);
    }
    (r + 1..=b).find(|&x| {
        (named_apart(ctx, (x, b), (a, b), |s, _| {
            s == 0 || ctx.tok(s - 1) != ctx.tok(x - 1)
        }) && named_apart(ctx, (r, x - 1), (a, b), |_, e| ctx.tok(e + 1) != ctx.tok(x)))
            || (x == b && glued_name(ctx, r, b))
    })
}

/// Whether the name `x` is written glued to the names before it, the words `from..x`, which
/// are at least two ("the Washington Post Trump (said)"): the text elsewhere writes `x` after
/// a given name ("Donald Trump"), while here the word before it is a capitalised one that is
/// no given name, office or initial, and `from..x` hold no given name. Only read where an
/// opening phrase runs into the subject ([`subject_after_opening`]): the given names are a
/// short list, and elsewhere one family's names ("Rafael Cruz", "Ted Cruz") would be cut.
/// Of `x`'s places the first few hundred are looked at.
fn glued_name(ctx: &Ctx, from: usize, x: usize) -> bool {
    let given = |i: usize| ctx.capitalised(i) && lexicon::is_given_name(ctx.low(i));
    if x < from + 2 || !ctx.is_name(x) || !ctx.is_name(x - 1) {
        return false;
    }
    let before = ctx.low(x - 1);
    // The possessive is one token: "Donald Trump’s recent gains" names him too.
    let name = ctx.tok(x);
    let forms = [name.to_string(), format!("{name}’s"), format!("{name}'s")];
    before.chars().count() > 2
        && !lexicon::has(lexicon::ROLE_NOUNS, before)
        && !(from..x).any(given)
        && forms.iter().any(|f| {
            ctx.name_places(f)
                .iter()
                .take(256)
                .any(|&q| q != x && q > 0 && given(q - 1))
        })
}

/// How far into a sentence [`subject_after_opening`] looks: an opening phrase and its
/// subject are a few words, and the bound keeps the work linear on one endless sentence.
const MAX_OPENING: usize = 24;

/// Whether the words `w.0..=w.1` occur outside `skip` where `apart(start, end)` holds of
/// that occurrence. Of the last word's places the first few hundred are looked at: enough
/// for any article, and a text written to repeat one name endlessly stays linear.
fn named_apart(
    ctx: &Ctx,
    w: (usize, usize),
    skip: (usize, usize),
    apart: impl Fn(usize, usize) -> bool,
) -> bool {
    let len = w.1 - w.0 + 1;
    ctx.name_places(ctx.tok(w.1)).iter().take(256).any(|&q| {
        let Some(start) = (q + 1).checked_sub(len) else {
            return false;
        };
        (q < skip.0 || start > skip.1)
            && (0..len).all(|k| ctx.tok(start + k) == ctx.tok(w.0 + k))
            && apart(start, q)
    })
}

/// The tagger trained on PolNeAR train (`models/quotes.unspin`, see
/// `crates/factcheck/examples/polnear.rs`), compiled in; `None` if the file is empty or
/// unreadable, when the rules run alone.
pub fn embedded() -> Option<&'static QuoteTagger> {
    static EMBEDDED: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/quotes.unspin"
    ));
    static TAGGER: OnceLock<Option<QuoteTagger>> = OnceLock::new();
    parse_once(&TAGGER, EMBEDDED, |_| true)
}

/// The vector tagger trained on PolNeAR train with the default detector's vectors
/// (`models/quotes-vectors.unspin`), compiled in; `None` if the file is empty, unreadable or
/// has no head. [`crate::run`] uses it when the detector hands over vectors its head reads.
pub fn embedded_vectors() -> Option<&'static QuoteTagger> {
    static EMBEDDED: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/quotes-vectors.unspin"
    ));
    static TAGGER: OnceLock<Option<QuoteTagger>> = OnceLock::new();
    parse_once(&TAGGER, EMBEDDED, |t| t.head.is_some())
}

/// A compiled-in tagger, parsed on first use; `None` when the bytes are no tagger or `keep`
/// refuses it.
fn parse_once(
    cell: &'static OnceLock<Option<QuoteTagger>>,
    bytes: &[u8],
    keep: fn(&QuoteTagger) -> bool,
) -> Option<&'static QuoteTagger> {
    cell.get_or_init(|| QuoteTagger::from_bytes(bytes).ok().filter(keep))
        .as_ref()
}

/// The rules' statements, plus each tagged statement whose content and cue no rule statement
/// touches (one cue, one statement: a cue the rules linked is spoken for).
/// On a held-out fifth of PolNeAR train this kept the rules' content boundaries (exact F1 0.38
/// against 0.31 with the tagger's statements first) for about the same overlap F1: the rules'
/// edges follow quotation marks and clause syntax, and the tagger's runs are loosest there.
fn merge(ctx: &Ctx, mut rules: Vec<Raw>, learned: Vec<Raw>) -> Vec<Raw> {
    let contents = Intervals::new(rules.iter().map(|r| r.content));
    let cues = Intervals::new(rules.iter().filter_map(|r| r.cue));
    let sources = Intervals::new(rules.iter().filter_map(|r| r.source));
    let (extra, dropped): (Vec<Raw>, Vec<Raw>) = learned
        .into_iter()
        .partition(|l| !contents.touches(l.content) && !l.cue.is_some_and(|c| cues.touches(c)));
    // A dropped statement still lends a rule statement whose content overlaps its own the part
    // the rule missed: its cue and source, where no rule has them — but not an expletive "it"
    // or "there" as a source ("It is believed that …" stays unattributed). A cue is lent once:
    // one cue, one statement.
    let mut lent: Vec<(usize, usize)> = Vec::new();
    for l in &dropped {
        let at = rules.partition_point(|r| r.content.0 <= l.content.1);
        for r in rules[..at].iter_mut().rev().take(8) {
            if gap(r.content, l.content) > 0 || r.content.1 < l.content.0 {
                continue;
            }
            if r.cue.is_none() {
                if let Some(c) = l
                    .cue
                    .filter(|&c| !cues.touches(c) && !lent.contains(&c) && gap(c, r.content) > 0)
                {
                    r.cue = Some(c);
                    lent.push(c);
                }
            }
            // "Asked whether …, the mayor shrugged": the question was put by somebody unnamed
            // (PolNeAR: an attribution without a source), not by the one who answers it.
            if r.source.is_none() && !asks(ctx, r) {
                if let Some(s) = l.source.filter(|&s| {
                    !sources.touches(s)
                        && gap(s, r.content) > 0
                        && !(s.0 == s.1 && matches!(ctx.low(s.0), "it" | "there"))
                }) {
                    r.source = Some(s);
                }
            }
        }
    }
    rules.extend(extra);
    rules.sort_by_key(|r| (r.content.0, r.content.1));
    rules.dedup_by_key(|r| (r.content, r.cue));
    rules
}

/// A reported statement cued by "asked" alone where the rules read it as a question put by
/// somebody unnamed ("Asked whether …", "…, he said when asked about …").
pub(crate) fn asks(ctx: &Ctx, r: &Raw) -> bool {
    r.kind == QuoteKind::Reported
        && r.cue
            .is_some_and(|c| c.0 == c.1 && reported::asked_unnamed(ctx, c.0, ctx.sentence(c.0).0))
}

/// Most tokens a reported content keeps. Reported speech is a clause or a sentence (of
/// PolNeAR's 24,847 contents, quotations included, 16 run past 1,000 characters, about 200
/// tokens; the median is 68 characters); without a cap, text made of one endless
/// sentence of "he said …" would give every statement the rest of the text, quadratic in
/// size (a 400 KB input used 16 GB). Direct quotes keep the marks' bounds. Applied once to the
/// final statements, whichever rule or the tagger found them, after the rules' own checks
/// (which quotation a reported clause swallows) have seen the whole clause.
pub(crate) const MAX_REPORTED_TOKENS: usize = 200;

fn cap_reported(ctx: &Ctx, raws: &mut [Raw]) {
    for r in raws.iter_mut() {
        let (a, b) = r.content;
        if r.kind != QuoteKind::Reported || b - a < MAX_REPORTED_TOKENS {
            continue;
        }
        r.content = (a, trim_end(ctx, a, a + MAX_REPORTED_TOKENS - 1));
    }
}

/// The last token of a content cut at token `cut`: back to a word or number, but keeping a
/// closing quotation mark whose opening mark lies inside the content, so that "fighting ISIS
/// “in word only”. reports" ends at the ”, not at "only" with its mark left open.
fn trim_end(ctx: &Ctx, a: usize, cut: usize) -> usize {
    let quoted = ctx.quoted();
    let mut end = cut;
    while end > a && !(ctx.is_word(end) || ctx.is_number(end)) {
        if let Some((_, role, len)) = ctx.mark(end).filter(|_| quoted[end]) {
            // A closing mark follows quoted tokens; the first of them is the opening mark.
            let opening = (0..end).rev().take_while(|&k| quoted[k]).last();
            if role != Role::Open && opening.is_some_and(|k| k >= a) {
                return (end + len - 1).min(cut);
            }
        }
        end -= 1;
    }
    end
}

/// A reported content ends before the cue of a statement that goes on past it. "Konashenkov
/// has said that the Pentagon fights ISIS during a press conference on Monday. reports: He
/// thus commented …" (a link's text lost before "reports") reads as one sentence, so the rule
/// gave the first statement "… on Monday. reports"; but "reports" introduces the next
/// statement, whose content starts after it, so the first ends at "Monday". A statement nested
/// inside the content ("said that Baldanza confirmed that …", its content inside the outer
/// one) is left alone. Runs after [`cap_reported`], so each scan is at most
/// [`MAX_REPORTED_TOKENS`] long.
fn end_before_others_cues(ctx: &Ctx, raws: &mut [Raw]) {
    // (cue start, the cue's statement's content end), by cue start.
    let mut cues: Vec<(usize, usize)> = raws
        .iter()
        .filter_map(|r| r.cue.map(|c| (c.0, r.content.1)))
        .collect();
    cues.sort_unstable();
    for r in raws.iter_mut().filter(|r| r.kind == QuoteKind::Reported) {
        let (a, b) = r.content;
        let from = cues.partition_point(|c| c.0 <= a);
        let to = cues.partition_point(|c| c.0 <= b);
        let Some(&(cue, _)) = cues[from..to].iter().find(|c| c.1 > b) else {
            continue;
        };
        // Only across a sentence's end outside quotation marks: inside one sentence the cue
        // is more likely nested attribution PolNeAR keeps in the content ("Bamberg also said
        // … which he said were at his side"), and "Mr." or "F.B.I." end none.
        let Some(stop) = (a + 1..cue).rev().find(|&k| ctx.ends_sentence(k)) else {
            continue;
        };
        r.content = (a, trim_end(ctx, a, stop - 1));
    }
}

/// "Maria Chen said the plan would fail and warned that crime had risen": two statements of
/// one speaker, the second cue joined to the first by "and", for which the taggers give the
/// second a piece of the first's source ("Opposition" of "Opposition leader Maria Chen"). The
/// second then takes the first's whole source, and the first's content, which ran on through
/// the second cue, ends before the "and". Only then: a second statement with no source or one
/// of its own ("Police said the suspect fled and told witnesses he was armed") is left alone.
/// The first is the nearest statement whose content starts before the "and" (`raws` is sorted
/// by content start; a few back are looked at, so the work stays linear).
fn coordinated_cues(ctx: &Ctx, raws: &mut [Raw]) {
    for j in 0..raws.len() {
        let (Some(c2), Some(s2)) = (raws[j].cue, raws[j].source) else {
            continue;
        };
        let Some(and) = c2.0.checked_sub(1).filter(|&k| ctx.low(k) == "and") else {
            continue;
        };
        let sentence = ctx.sentence(c2.0);
        let below = raws.partition_point(|r| r.content.0 < and);
        let first = (below.saturating_sub(8)..below).rev().find(|&i| {
            let r = &raws[i];
            i != j
                && r.kind == QuoteKind::Reported
                && r.cue.is_some_and(|c1| c1.1 < and && c1.0 >= sentence.0)
                && r.content.1 >= c2.1
                && r.source.is_some_and(|s1| s1.0 <= s2.0 && s2.1 <= s1.1)
        });
        let Some(i) = first else { continue };
        let content = raws[i].content;
        raws[j].source = raws[i].source;
        let end = trim_end(ctx, content.0, and - 1);
        if end >= content.0 {
            raws[i].content = (content.0, end);
        }
    }
}

/// Drops statements whose cue is a noun spelled like a cue verb: "several battleground states
/// could be decisive", "Editor's note:", "his early-morning tweets attempting to shame", "the
/// TV show that aired". The taggers and the rules read such words as cues now and then; the
/// rules read a cue form after a determiner as a noun when they find it
/// ([`reported::DETERMINERS`], whose list this shares), the taggers do not. A word of
/// [`lexicon::NOUN_CUES`] is a noun after a possessive, such a determiner, a number (not in a
/// name: "Channel 4 reports") or a lowercase hyphenated modifier ("late-night"), or, where no
/// subject comes before it (a capitalised word, a pronoun), before "like", a participle, or,
/// in its plural, an auxiliary ("battleground states could"; "critics claim would …" is a
/// verb). Never before "that": "some note that", and "his claim that people would …", which
/// PolNeAR marks as a cue. A comma after proves nothing ("records show, does not use the
/// plane"). Where a cue verb follows the noun ("the report said"), that verb is the cue and
/// the noun joins the source.
fn drop_noun_cues(ctx: &Ctx, raws: &mut Vec<Raw>) {
    let noun = |c: usize| {
        let w = ctx.low(c);
        let after = ctx.low(c + 1);
        if !lexicon::has(lexicon::NOUN_CUES, w) || c == 0 || after == "that" {
            return false;
        }
        let before = ctx.low(c - 1);
        let possessive = ["'s", "’s", "s'", "s’"].iter().any(|p| before.ends_with(p))
            || matches!(before, "'" | "’");
        let number = ctx.is_number(c - 1) && (c < 2 || !ctx.capitalised(c - 2));
        let hyphenated = c >= 3
            && ctx.doc.glued(c - 1)
            && ctx.tok(c - 2) == "-"
            && !ctx.capitalised(c - 1)
            && !ctx.capitalised(c - 3);
        let subject_before = ctx.capitalised(c - 1)
            || !ctx.is_word(c - 1)
            || lexicon::has(lexicon::PERSON_PRONOUNS, before)
            || lexicon::has(lexicon::OTHER_PRONOUNS, before)
            || lexicon::has(lexicon::RELATIVE_PRONOUNS, before);
        // "Polls show working-class whites": half a compound is no participle.
        let participle = lexicon::is_participle(after) && ctx.tok(c + 2) != "-";
        possessive
            || lexicon::has(reported::DETERMINERS, before)
            || number
            || hyphenated
            || (!subject_before
                && (after == "like"
                    || participle
                    || (w.ends_with('s') && lexicon::has(lexicon::FINITE_AUX, after))))
    };
    raws.retain_mut(|r| {
        let Some(c) = r.cue.filter(|&(a, b)| a == b && noun(a)).map(|(a, _)| a) else {
            return true;
        };
        // "the report said", "Other 911 calls show that": the verb after the noun is the cue,
        // and the noun belongs to the source (the taggers gave it "the" or "Other 911").
        let v = c + 1;
        if !lexicon::has(lexicon::CUE_VERBS, ctx.low(v)) || ctx.capitalised(v) {
            return false;
        }
        r.cue = Some((v, v));
        r.source = match r.source {
            Some((a, b)) if b + 1 == c => Some((a, c)),
            _ => Some(ctx.np_back(c, ctx.sentence(c).0).unwrap_or((c, c))),
        };
        // A content that started at the verb keeps what follows it ("said Candace Smith went").
        if r.content.0 == v {
            r.content.0 = v + 1;
        }
        r.content.0 <= r.content.1
    });
}

/// Tokens between two inclusive token ranges (0 when they touch or overlap).
pub(crate) fn gap(a: (usize, usize), b: (usize, usize)) -> usize {
    if a.1 < b.0 {
        b.0 - a.1
    } else {
        a.0.saturating_sub(b.1)
    }
}

/// Inclusive token ranges, for asking in logarithmic time whether any of them touches a
/// range: sorted by start, with the furthest end reached so far.
struct Intervals {
    starts: Vec<usize>,
    reach: Vec<usize>,
}

impl Intervals {
    fn new(ranges: impl Iterator<Item = (usize, usize)>) -> Self {
        let mut v: Vec<(usize, usize)> = ranges.collect();
        v.sort_unstable();
        let mut reach = Vec::with_capacity(v.len());
        let mut far = 0;
        for r in &v {
            far = far.max(r.1);
            reach.push(far);
        }
        Intervals {
            starts: v.iter().map(|r| r.0).collect(),
            reach,
        }
    }

    /// Some range starts at or before `r.1` and ends at or after `r.0`.
    fn touches(&self, r: (usize, usize)) -> bool {
        let k = self.starts.partition_point(|&s| s <= r.1);
        k > 0 && self.reach[k - 1] >= r.0
    }
}

/// One statement, one speaker: of statements with the same content, the one whose cue sits
/// closest to it stays. "He commented on a statement by Baldanza, who confirmed that …" gives
/// "that …" to Baldanza's "confirmed", not to "he" as well. `raws` is sorted by content.
fn one_speaker(raws: &mut Vec<Raw>) {
    let distance = |r: &Raw| r.cue.map_or(usize::MAX, |c| gap(c, r.content));
    let mut out: Vec<Raw> = Vec::with_capacity(raws.len());
    for r in raws.drain(..) {
        match out.last_mut() {
            Some(prev) if prev.content == r.content => {
                if distance(&r) < distance(prev) {
                    *prev = r;
                }
            }
            _ => out.push(r),
        }
    }
    *raws = out;
}

/// The statements the rules find, as token ranges, in text order.
pub(crate) fn rule_raws(ctx: &Ctx) -> Vec<Raw> {
    let mut raws = direct::find(ctx);
    let taken: Vec<(usize, usize)> = raws.iter().map(|r| r.content).collect();
    let used_cues: Vec<usize> = raws.iter().filter_map(|r| r.cue.map(|c| c.1)).collect();
    let reported = reported::find(ctx, &taken, &used_cues);
    // A quotation inside a reported clause ("said the Pentagon fights ISIS “in word only”") is
    // part of that clause, not a statement of its own — unless it carries its own cue.
    // `reach[i]`: the furthest end of a reported content starting at or before token i.
    let mut reach = vec![None::<usize>; ctx.n()];
    for r in &reported {
        if let Some(slot) = reach.get_mut(r.content.0) {
            *slot = (*slot).max(Some(r.content.1));
        }
    }
    for i in 1..reach.len() {
        reach[i] = reach[i].max(reach[i - 1]);
    }
    raws.retain(|d| {
        d.cue.is_some()
            || reach
                .get(d.content.0)
                .copied()
                .flatten()
                .is_none_or(|end| end < d.content.1)
    });
    raws.extend(reported);
    raws.sort_by_key(|r| (r.content.0, r.content.1));
    raws.dedup_by_key(|r| (r.content, r.cue));
    raws
}

/// A statement found by a rule, as token ranges (`first`, `last`), inclusive.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Raw {
    pub kind: QuoteKind,
    pub content: (usize, usize),
    pub cue: Option<(usize, usize)>,
    pub source: Option<(usize, usize)>,
}

/// Which family a quotation mark belongs to: only a mark of the same family closes a quote, so
/// that a “curly” quotation nested in a "straight" one does not end it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Straight,
    Curly,
    Guillemet,
    TwoApostrophes,
}

/// Whether a quotation mark opens, closes, or (straight marks) could do either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Open,
    Close,
    Either,
}

/// The document with what the attribution rules need on top of [`Doc`].
pub(crate) struct Ctx<'d, 't> {
    pub doc: &'d Doc<'t>,
    /// [`Ctx::quoted`], computed on first use: the tagger's features, its statements and the
    /// speaker resolution all read it.
    quoted: std::cell::OnceCell<Vec<bool>>,
    /// Word and number tokens before each token (and in all, last): [`Ctx::words`] in constant
    /// time, since the rules ask it of ranges that run to the end of the sentence, and one
    /// endless sentence made counting them quadratic.
    words_before: std::cell::OnceCell<Vec<u32>>,
    /// [`Ctx::sibling_after`] for each token, computed on first use: every reported clause
    /// asks where it ends, and on one endless sentence scanning ahead each time was quadratic.
    sibling_after: std::cell::OnceCell<Vec<usize>>,
    /// [`Ctx::name_places`], built on first use.
    /// Sorted by (token text, place): a map would hold `&'t str` in a cell, which would tie
    /// the lifetimes of the context's users together.
    name_places: std::cell::OnceCell<Vec<usize>>,
    /// [`Ctx::written_lowercase`]: the words written lowercase, sorted by text, built on
    /// first use.
    lowercase: std::cell::OnceCell<Vec<usize>>,
    /// [`Ctx::capitalised_inside`]: the name words that do not open their sentence, sorted
    /// by text, built on first use.
    inside: std::cell::OnceCell<Vec<usize>>,
    /// Whether the first sentence is the text's title ([`Ctx::heading_or_title`]), known on
    /// first use.
    title: std::cell::OnceCell<bool>,
}

/// Function words that are part of a name when capitalised inside it ("Action Against Hunger",
/// "Doctors Without Borders", "Friends Of The Earth").
const NAME_FUNCTION_WORDS: &[&str] = &[
    "against", "and", "at", "de", "for", "in", "la", "le", "of", "on", "the", "van", "von",
    "without",
];

impl<'d, 't> Ctx<'d, 't> {
    fn new(doc: &'d Doc<'t>) -> Self {
        Ctx {
            doc,
            quoted: std::cell::OnceCell::new(),
            words_before: std::cell::OnceCell::new(),
            sibling_after: std::cell::OnceCell::new(),
            name_places: std::cell::OnceCell::new(),
            lowercase: std::cell::OnceCell::new(),
            inside: std::cell::OnceCell::new(),
            title: std::cell::OnceCell::new(),
        }
    }

    /// Whether the text writes the name word `w` inside a sentence, not only as its first
    /// word: a name, where a sentence's "Outgoing" may be any word.
    pub fn capitalised_inside(&self, w: &str) -> bool {
        let keep = |i: usize| self.is_name(i) && self.sentence(i).0 != i;
        !self.places_written(&self.inside, keep, w).is_empty()
    }

    /// Whether the text writes the word `w` (lowercase) in lowercase somewhere: "does" for a
    /// sentence's "Does", which is then no name.
    pub fn written_lowercase(&self, w: &str) -> bool {
        let keep =
            |i: usize| self.is_word(i) && self.tok(i).starts_with(|c: char| c.is_lowercase());
        !self.places_written(&self.lowercase, keep, w).is_empty()
    }

    /// Where the capitalised word `name` occurs, in text order (empty for other words).
    pub fn name_places(&self, name: &str) -> &[usize] {
        self.places_written(&self.name_places, |i| self.is_name(i), name)
    }

    /// Where the word `w` is written among the tokens `keep` accepts, in text order. The
    /// tokens are sorted by (text, place) into `index` on first use, so each lookup is a
    /// binary search: the rules ask of names again and again.
    fn places_written<'s>(
        &'s self,
        index: &'s std::cell::OnceCell<Vec<usize>>,
        keep: impl Fn(usize) -> bool,
        w: &str,
    ) -> &'s [usize] {
        let places = index.get_or_init(|| {
            let mut v: Vec<usize> = (0..self.n()).filter(|&i| keep(i)).collect();
            v.sort_unstable_by_key(|&i| (self.tok(i), i));
            v
        });
        let from = places.partition_point(|&i| self.tok(i) < w);
        let to = from + places[from..].partition_point(|&i| self.tok(i) == w);
        &places[from..to]
    }

    /// The first token after `from` in its sentence that starts a second statement with a
    /// speaker of its own ([`reported::starts_sibling`]), or the number of tokens if none does.
    pub fn sibling_after(&self, from: usize) -> usize {
        let next = self.sibling_after.get_or_init(|| {
            let n = self.n();
            let mut next = vec![n; n + 1];
            for b in (0..n).rev() {
                let s1 = self.sentence(b).1;
                // A boundary in a later sentence is none of this one's.
                let after = if next[b + 1] < s1 { next[b + 1] } else { n };
                next[b] = if reported::starts_sibling(self, b, s1) {
                    b
                } else {
                    after
                };
            }
            next
        });
        next.get(from + 1).copied().unwrap_or(self.n())
    }

    pub fn n(&self) -> usize {
        self.doc.tokens.len()
    }

    /// Whether each token lies between quotation marks (the marks included), paragraph by
    /// paragraph: an opening mark opens, a closing one closes, a straight one toggles. Coarser
    /// than the pairing the direct-quote rules do (`direct::spans`: families, quotations
    /// running on across paragraphs), but it is what the shipped tagger was trained on.
    pub fn quoted(&self) -> &[bool] {
        self.quoted.get_or_init(|| {
            let mut out = vec![false; self.n()];
            let mut open = false;
            let mut para = usize::MAX;
            for (i, slot) in out.iter_mut().enumerate() {
                if self.para_of(i) != para {
                    para = self.para_of(i);
                    open = false;
                }
                match self.mark(i).map(|m| m.1) {
                    Some(Role::Open) => {
                        open = true;
                        *slot = true;
                    }
                    Some(Role::Close) => {
                        *slot = open;
                        open = false;
                    }
                    Some(Role::Either) => {
                        *slot = true;
                        open = !open;
                    }
                    None => *slot = open,
                }
            }
            out
        })
    }

    pub fn low(&self, i: usize) -> &str {
        self.doc.low(i)
    }

    pub fn tok(&self, i: usize) -> &'t str {
        self.doc.tok(i)
    }

    pub fn is_word(&self, i: usize) -> bool {
        self.doc.kind(i) == Some(unspin_core::segment::TokenKind::Word)
    }

    pub fn is_number(&self, i: usize) -> bool {
        self.doc.kind(i) == Some(unspin_core::segment::TokenKind::Number)
    }

    pub fn line_start(&self, i: usize) -> bool {
        self.doc.tokens.get(i).is_some_and(|t| t.line_start)
    }

    pub fn para_of(&self, i: usize) -> usize {
        self.doc.para.get(i).copied().unwrap_or(usize::MAX)
    }

    /// Token `i` is a capitalised word that could be (part of) a name.
    pub fn is_name(&self, i: usize) -> bool {
        self.is_word(i) && self.capitalised(i) && !lexicon::has(lexicon::NOT_NAMES, self.low(i))
    }

    /// Token `i` starts with a capital letter.
    pub fn capitalised(&self, i: usize) -> bool {
        self.tok(i).chars().next().is_some_and(char::is_uppercase)
    }

    pub fn is_terminal(&self, i: usize) -> bool {
        matches!(self.tok(i), "." | "!" | "?" | "…" | "!!" | "?!")
    }

    /// A terminal mark at `i` that ends a sentence the splitter may have missed ("on Monday.
    /// reports: …"): outside quotation marks, and not the full stop of an abbreviation
    /// ("Mr.", "U.S.", "F.B.I.").
    pub fn ends_sentence(&self, i: usize) -> bool {
        self.is_terminal(i) && !self.quoted()[i] && !self.abbreviation_stop(i)
    }

    /// The full stop at `i` ends an abbreviation ("Mr.", "U.S.", "B."), not a sentence.
    pub fn abbreviation_stop(&self, i: usize) -> bool {
        i > 0
            && self.tok(i) == "."
            && unspin_core::segment::is_abbreviation(self.doc.text, self.doc.tokens, i)
    }

    /// The quotation mark starting at token `i`: its family, role and length in tokens.
    pub fn mark(&self, i: usize) -> Option<(Family, Role, usize)> {
        let t = self.tok(i);
        let m = match t {
            "\"" => (Family::Straight, Role::Either, 1),
            "“" | "„" => (Family::Curly, Role::Open, 1),
            "”" => (Family::Curly, Role::Close, 1),
            "«" => (Family::Guillemet, Role::Open, 1),
            "»" => (Family::Guillemet, Role::Close, 1),
            "'" | "`" if self.tok(i + 1) == t && self.doc.glued(i + 1) => {
                let role = if t == "`" { Role::Open } else { Role::Either };
                (Family::TwoApostrophes, role, 2)
            }
            "''" => (Family::TwoApostrophes, Role::Either, 1),
            "``" => (Family::TwoApostrophes, Role::Open, 1),
            _ => return None,
        };
        Some(m)
    }

    /// Number of word or number tokens in `first..=last`.
    pub fn words(&self, first: usize, last: usize) -> usize {
        let before = self.words_before.get_or_init(|| {
            let mut v = Vec::with_capacity(self.n() + 1);
            let mut count = 0u32;
            v.push(0);
            for i in 0..self.n() {
                count += u32::from(self.is_word(i) || self.is_number(i));
                v.push(count);
            }
            v
        });
        let end = last.saturating_add(1).min(self.n());
        if first >= end {
            return 0;
        }
        (before[end] - before[first]) as usize
    }

    /// Token range (first, one-past-last) of the sentence holding token `i`.
    pub fn sentence(&self, i: usize) -> (usize, usize) {
        let r = self.doc.sentence_range(i);
        (r.start, r.end)
    }

    /// Backward walk for a source noun phrase ending at token `end`, not before `lo`.
    pub fn np_back(&self, end: usize, lo: usize) -> Option<(usize, usize)> {
        if end < lo || end >= self.n() || !(self.is_word(end) || self.is_number(end)) {
            return None;
        }
        let l = self.low(end);
        if (lexicon::has(lexicon::NP_STOP, l) && !self.sunday_in_title(end))
            || lexicon::has(lexicon::AUX, l)
        {
            return None;
        }
        let mut k = end;
        let mut steps = 0;
        // Set once the walk has crossed an "of" or "and" between names.
        let mut names_only = false;
        while k > lo && steps < 9 {
            let p = k - 1;
            if self.line_start(k) {
                break;
            }
            let lp = self.low(p);
            // "Rep. Earl Blumenauer (D-Ore.) said": step over a short parenthesis.
            if lp == ")" {
                match (p.saturating_sub(8)..p).rev().find(|&o| self.tok(o) == "(") {
                    Some(o) if o > lo => {
                        k = o;
                        steps += 1;
                        continue;
                    }
                    _ => break,
                }
            }
            let glued_punct = (matches!(lp, "-" | "&" | "’" | "'")
                && self.doc.glued(k)
                && self.doc.glued(p))
                // "U.S. officials", "Mr. Sanders": a full stop closing an abbreviation.
                || (lp == "."
                    && self.doc.glued(p)
                    && (self.tok(p - 1).chars().count() <= 3 || self.tok(p - 1).contains('.'))
                    && self.capitalised(p - 1));
            // "CBS This Morning reported": a capitalised determiner between two capitalised
            // words, not opening a line, is part of the name; so is the "on Sunday" of "The
            // Mail on Sunday (editor Jane Doe) said".
            // "of the University": a name may open with "the".
            let named_next =
                self.capitalised(k) || (self.low(k) == "the" && k < end && self.capitalised(k + 1));
            let between_names = p > lo && named_next && !self.line_start(p);
            let in_name = (lexicon::has(lexicon::NAME_DETERMINERS, lp)
                && self.capitalised(p)
                && self.capitalised(k)
                && p > lo
                && !self.line_start(p)
                && self.is_name(p - 1))
                || self.sunday_in_title(p)
                || (lp == "on" && self.sunday_in_title(k))
                // "Action Against Hunger", "Doctors Without Borders": a capitalised function
                // word between two capitalised words, inside a line, is part of the name.
                || (self.capitalised(p)
                    && between_names
                    && self.capitalised(p - 1)
                    && lexicon::has(NAME_FUNCTION_WORDS, lp))
                // "Olivier Le Guillou of Action Against Hunger", "Secretary of State Hillary
                // Clinton", "Mr. Grassley and Mr. Leahy": a person or office of an
                // organisation or place, and names joined, are one source.
                || (matches!(lp, "of" | "and")
                    && between_names
                    && (self.is_name(p - 1)
                        || (lp == "of" && lexicon::has(lexicon::ROLE_NOUNS, self.low(p - 1)))));
            let joins = matches!(lp, "of" | "and") && in_name && !self.capitalised(p);
            // Past a joining "of" or "and", only the names it joins: "Trump met Putin and
            // Zelensky said" is Zelensky's, "John Smith of the University" keeps "the".
            let name_part = self.capitalised(p)
                || glued_punct
                || (lp == "the" && self.capitalised(k))
                || (lp == "of" && in_name);
            if names_only && !name_part {
                break;
            }
            names_only |= joins;
            if ((self.is_word(p) || self.is_number(p))
                && (in_name || !lexicon::has(lexicon::NP_STOP, lp))
                // "Secretary of State Hillary Clinton": a capitalised cue word in a name.
                && (!lexicon::has(lexicon::CUE_VERBS, lp)
                    // "Former state energy commissioner Gerald Pike", "the state attorney
                    // general": after a capitalised word or an article, "state" is the
                    // state's, not a verb ("follows other state grand jury" stops there).
                    || (lp == "state"
                        && p > lo
                        && (self.capitalised(p - 1) || matches!(self.low(p - 1), "the" | "a"))
                        && !self.line_start(p))
                    || (self.capitalised(p)
                        && between_names
                        && (self.is_name(p - 1) || matches!(self.low(p - 1), "of" | "the"))))
                && lp != "who")
                || glued_punct
            {
                k = p;
                steps += 1;
            } else {
                break;
            }
        }
        // A "." ending the walk would be the end of an abbreviation, never a start.
        while k < end && !self.is_word(k) {
            k += 1;
        }
        Some((k, end))
    }

    /// The source ending at token `end` (just before a cue and its auxiliaries), not before
    /// `lo`: a plain noun phrase, the noun phrase before "who", or an appositive pair
    /// ("Corey Lewandowski, Trump's campaign manager, said"; "a spokeswoman, Anna White, said").
    pub fn source_back(&self, end: usize, lo: usize) -> Option<(usize, usize)> {
        if self.low(end) == "who" {
            let e = end.checked_sub(1)?;
            let e = if self.tok(e) == "," {
                e.checked_sub(1)?
            } else {
                e
            };
            return self.np_back(e, lo);
        }
        // "Sen. Mitch McConnell (R-Ky.) said": the name before a short parenthesis.
        if self.tok(end) == ")" {
            let o = (end.saturating_sub(8).max(lo)..end)
                .rev()
                .find(|&o| self.tok(o) == "(")?;
            let np = self.np_back(o.checked_sub(1)?, lo)?;
            return Some((np.0, end));
        }
        if matches!(self.tok(end), "—" | "–") {
            return self.long_appositive(end, lo);
        }
        if self.tok(end) != "," {
            let np = self.np_back(end, lo)?;
            if let Some(src) = self.restrictive_relative(np, lo) {
                return Some(src);
            }
            // "Sources close to the council say": the speaker is the vague head, not the
            // institution it is close to, and the whole phrase is what a reader sees.
            if np.0 >= lo + 3 {
                let (a, b) = (self.low(np.0 - 2), self.low(np.0 - 1));
                if matches!(
                    (a, b),
                    ("close", "to") | ("familiar", "with") | ("near", "to")
                ) {
                    let head = np.0 - 3;
                    if lexicon::has(lexicon::VAGUE_HEADS, self.low(head)) {
                        let start = self.np_back(head, lo).map_or(head, |h| h.0);
                        return Some((start, np.1));
                    }
                }
            }
            return Some(np);
        }
        let simple = self.np_back(end.checked_sub(1)?, lo).and_then(|inner| {
            let comma = inner.0.checked_sub(1)?;
            if comma <= lo || self.tok(comma) != "," {
                return None;
            }
            let outer = self.np_back(comma - 1, lo)?;
            let before_ok =
                outer.0 == lo || matches!(self.tok(outer.0 - 1), "," | ":" | "“" | "\"");
            let short = self.words(outer.0, outer.1) <= 5;
            let names = (outer.0..=outer.1).all(|i| self.is_name(i) || !self.is_word(i))
                || (inner.0..=inner.1).filter(|&i| self.is_name(i)).count() >= 2;
            (before_ok && short && names).then_some((outer.0, end))
        });
        simple.or_else(|| self.long_appositive(end, lo))
    }

    /// A source with a restrictive relative clause, `np` being the noun phrase that ends it:
    /// "Officials who spoke to reporters (said)", "A lawyer who represents the family
    /// (told …)". The speaker is the head before "who", described by the clause; read back
    /// from the verb alone the source was "reporters" or "represents the family". The clause
    /// is short (up to eight tokens), unbroken by commas or quotation marks, and "who" is
    /// followed by a lowercase word (its verb).
    fn restrictive_relative(&self, np: (usize, usize), lo: usize) -> Option<(usize, usize)> {
        let mut x = np.0;
        while x > lo && np.0 - x < 8 {
            x -= 1;
            // "It was not clear who fired first and police said …": a clause joined by "and"
            // is another subject's.
            if self.tok(x) == ","
                || self.mark(x).is_some()
                || self.is_terminal(x)
                || matches!(self.low(x), "and" | "but" | "or")
            {
                return None;
            }
            if self.tok(x) == "who" {
                // "know who he is": a question word before its subject, not a relative.
                let verb = self.is_word(x + 1)
                    && !self.capitalised(x + 1)
                    && !lexicon::has(lexicon::PERSON_PRONOUNS, self.low(x + 1))
                    && !lexicon::has(lexicon::OTHER_PRONOUNS, self.low(x + 1));
                // "not clear who", "asked who", "knows who": an indirect question.
                let question = lexicon::has(QUESTION_WORDS, self.low(x.saturating_sub(1)));
                if !verb || question || x <= lo || self.tok(x - 1) == "," || self.line_start(x) {
                    return None;
                }
                let head = self.np_back(x - 1, lo)?;
                return (head.1 == x - 1).then_some((head.0, np.1));
            }
        }
        None
    }

    /// A name followed by a long appositive or relative clause between commas, `end` being the
    /// closing comma: "Councillor Ben Okafor, who proposed the ban, said"; "Bob Graham, a
    /// professor at the University of Florida, said"; "Cory James, 22, of Flint, Mich., said".
    fn long_appositive(&self, end: usize, lo: usize) -> Option<(usize, usize)> {
        // The delimiter closing the appositive ("," or a dash) must also open it.
        let delim = self.tok(end);
        let mut c = end;
        let mut commas = 0;
        while c > lo && end - c < 40 && commas < 4 {
            c -= 1;
            let t = self.tok(c);
            if self.line_start(c) || self.is_terminal(c) || self.mark(c).is_some() {
                return None;
            }
            if matches!(t, ";" | ":") || (t != delim && matches!(t, "—" | "–")) {
                return None;
            }
            if t != delim {
                continue;
            }
            commas += 1;
            if c + 1 >= end || c <= lo {
                continue;
            }
            let Some(outer) = self.np_back(c - 1, lo) else {
                continue;
            };
            let before_ok =
                outer.0 == lo || matches!(self.tok(outer.0 - 1), "," | ":" | "“" | "\"" | "(");
            let words = self.words(outer.0, outer.1);
            let names = (outer.0..=outer.1).filter(|&i| self.is_name(i)).count();
            let role = (outer.0..=outer.1).any(|i| lexicon::has(lexicon::ROLE_NOUNS, self.low(i)));
            let first = self.low(c + 1);
            // "who …", or "speaking on condition of anonymity": a clause about the speaker.
            let clause = matches!(first, "who" | "speaking");
            let appositive = clause
                || matches!(first, "a" | "an" | "the")
                || self.is_name(c + 1)
                || self.is_number(c + 1)
                || lexicon::has(lexicon::ROLE_NOUNS, first)
                || self.possessive(c + 1);
            // A clause about the speaker makes any short noun phrase before it the speaker
            // ("One woman, who asked not to be named, said").
            if before_ok && words <= 6 && (names >= 1 || role || clause) && appositive {
                return Some((outer.0, end));
            }
        }
        None
    }

    /// Forward walk for a noun phrase starting at token `start`, before `hi`.
    pub fn np_fwd(&self, start: usize, hi: usize) -> Option<(usize, usize)> {
        if start >= hi.min(self.n()) || !self.is_word(start) {
            return None;
        }
        if lexicon::has(lexicon::NP_STOP, self.low(start)) {
            return None;
        }
        let mut k = start;
        let mut steps = 0;
        while k + 1 < hi.min(self.n()) && steps < 10 {
            let q = k + 1;
            if self.line_start(q) {
                break;
            }
            let lq = self.low(q);
            let glued_punct = matches!(lq, "-" | "." | "&" | "’" | "'")
                && self.doc.glued(q)
                && self.doc.glued(q + 1)
                && self.is_word(q + 1);
            // "Representative Charles B. Rangel", "Rep. G.K. Butterfield": an abbreviation's
            // full stop inside a name, not the end of the sentence.
            let initial = self.abbreviation_stop(q)
                && self.doc.glued(q)
                && q + 1 < hi.min(self.n())
                && self.capitalised(q + 1);
            if (self.is_word(q) && !lexicon::has(lexicon::NP_STOP, lq) && lq != "who")
                || glued_punct
                || initial
            {
                k = q;
                steps += 1;
            } else {
                break;
            }
        }
        Some((start, k))
    }

    /// A source read forwards with what it is close to: "a person familiar with the talks",
    /// "sources close to the council" (the noun phrase alone stops at "with" or "to", and "a
    /// person familiar" names nobody a reader can place).
    pub fn with_what_close_to(&self, src: (usize, usize), hi: usize) -> (usize, usize) {
        match (self.low(src.1), self.low(src.1 + 1)) {
            ("familiar", "with") | ("close", "to") | ("near", "to") => {
                self.np_fwd(src.1 + 2, hi).map_or(src, |np| (src.0, np.1))
            }
            _ => src,
        }
    }

    /// Token `i` is a sign or currency glued to the figure after it ("-4", "$6").
    pub fn signs_figure(&self, i: usize) -> bool {
        matches!(self.tok(i), "$" | "£" | "€" | "¥" | "-" | "−" | "+")
            && self.is_number(i + 1)
            && self.doc.glued(i + 1)
    }

    /// Token `i` ends in a possessive "'s" ("Hale's", "Trump’s", "TRUMP'S").
    pub fn possessive(&self, i: usize) -> bool {
        let w = self.low(i);
        w.ends_with("'s") || w.ends_with("’s")
    }

    /// Whether `x..=y` is a name with its titles: names, offices, "the" first, "of" between
    /// names, and what is no word ("Lt. Gov. Carlos Lopez-Cantera", "Pastor Joseph Brown of
    /// Marion Avenue Baptist Church", "Rep. Hakeem Jeffries (D-N.Y.)"). Not a possessive
    /// ("the Nevada Democrat’s" names whose something, not who), nor a party and state
    /// ("R-Iowa").
    pub fn name_with_titles(&self, x: usize, y: usize) -> bool {
        let party =
            self.tok(x).chars().count() == 1 && self.tok(x + 1) == "-" && self.doc.glued(x + 1);
        // The last word, before a closing parenthesis ("Rep. Hakeem Jeffries (D-N.Y.)").
        let last = match self.tok(y) {
            ")" => (x..y)
                .rev()
                .find(|&i| self.tok(i) == "(")
                .and_then(|o| o.checked_sub(1)),
            _ => Some(y),
        };
        // "CEO of Acme" is an office: a person's name has a name word that is no office before
        // its first "of" ("Pastor Joseph Brown of Marion …"), or a given name or three name
        // words after it ("Secretary of State John Kerry").
        let office = (x..=y).find(|&i| self.low(i) == "of").is_some_and(|o| {
            let person = |i: usize| {
                self.is_name(i)
                    && !lexicon::has(lexicon::ROLE_NOUNS, self.low(i))
                    && !self.tok(i).chars().all(|ch| ch.is_uppercase() || ch == '.')
            };
            let after = o + 1..=y;
            !(x..o).any(person)
                && !after.clone().any(|i| lexicon::is_given_name(self.low(i)))
                && after.filter(|&i| self.is_name(i)).count() < 3
        });
        last.is_some_and(|l| l >= x && self.is_name(l) && !self.possessive(l))
            && !party
            && !office
            && (x..=y).all(|i| {
                !self.is_word(i)
                    || self.is_name(i)
                    || lexicon::has(lexicon::ROLE_NOUNS, self.low(i))
                    || (i == x && self.low(i) == "the")
                    || (self.low(i) == "of" && i > x && i < y && self.is_name(i + 1))
            })
    }

    /// The name with its titles ([`Ctx::name_with_titles`]) after a comma in `a..=b`, the
    /// last comma that one follows, as (first, last) tokens: "the party, Senator Bernie
    /// Sanders", "In Washington, Iowa, Pastor Joseph Brown of Marion Avenue Baptist Church",
    /// "the party, Senator Bernie Sanders, (has rebuffed)". `None` for a list ("Hillary
    /// Clinton, and other Democrats"), a description after the name ("Steven M. Rosenthal, a
    /// tax lawyer"), and a place a name's comma closes ("a woman in Worcester,
    /// Massachusetts,": a name before the comma, the range's last comma after).
    pub fn name_after_comma(&self, a: usize, b: usize) -> Option<(usize, usize)> {
        // A list: "and", "or" or "&" after the comma, or ", and" anywhere ("his brother,
        // George W. Bush, and the former first lady, Laura Bush,"); not an "and" inside a
        // phrase before it ("several groups both on and off campus, Boudreau").
        let joins = |i: usize| matches!(self.low(i), "and" | "or" | "&");
        if (a + 1..=b).any(|i| joins(i) && self.tok(i - 1) == ",") {
            return None;
        }
        let joined = (a..=b).rev().find(|&i| joins(i));
        (a + 1..b)
            .rev()
            .filter(|&c| self.tok(c) == ",")
            .find_map(|c| {
                let next = (c + 1..=b).find(|&i| self.tok(i) == ",");
                if next == Some(c + 1)
                    || (next == Some(b) && self.is_name(c - 1))
                    || joined.is_some_and(|j| j > c)
                {
                    return None;
                }
                let e = next.map_or(b, |n| n - 1);
                self.name_with_titles(c + 1, e).then_some((c + 1, e))
            })
    }

    /// Whether token `i`'s sentence is a heading line, or the text's title: a first line of
    /// its own, more text after it, written in title case (at least three words of four
    /// letters or more, three in four of them capitalised). Corpora end titles with a full
    /// stop ("Benghazi Widow Dorothy Woods Defends Trump Amid Military-Related
    /// Controversies."), which a heading line lacks; a first paragraph of one sentence is
    /// written in sentence case.
    pub fn heading_or_title(&self, i: usize) -> bool {
        if i >= self.n() {
            return false;
        }
        let (first, end) = self.sentence(i);
        // Counted once: the look-ups ask of every place a name is written, and a text of one
        // endless first sentence would make each of them walk it.
        let title_case = || {
            let long = (first..end).filter(|&j| self.is_word(j) && self.tok(j).chars().count() > 3);
            let (n, caps) = long.fold((0, 0), |(n, c), j| {
                (n + 1, c + usize::from(self.capitalised(j)))
            });
            n >= 3 && caps * 4 >= n * 3
        };
        (first == 0
            && *self
                .title
                .get_or_init(|| end < self.n() && self.line_start(end) && title_case()))
            || unspin_core::segment::is_heading_line(self.doc.text, self.doc.tokens, first..end)
    }

    /// Start of the auxiliary chain before cue verb `k` ("has also said"), not before `lo`.
    pub fn aux_start(&self, k: usize, lo: usize) -> usize {
        let mut a = k;
        while a > lo && lexicon::has(lexicon::AUX, self.low(a - 1)) && !self.line_start(a) {
            a -= 1;
        }
        a
    }

    /// Token `i` is the "Sunday" ending a title such as "The Mail on Sunday".
    pub fn sunday_in_title(&self, i: usize) -> bool {
        i >= 2
            && self.tok(i) == "Sunday"
            && self.low(i - 1) == "on"
            && self.capitalised(i - 2)
            && lexicon::has(lexicon::ON_SUNDAY_TITLES, self.low(i - 2))
    }

    /// Where a phrase of time ending at token `end` starts, if one does, not before `lo`:
    /// "Tuesday", "on Tuesday", "last Thursday night", "yesterday", "this week", "earlier this
    /// month". News puts one between a speaker and the verb ("Sanders on Tuesday said …"),
    /// and it belongs to neither the source nor the cue.
    ///
    /// Capitalised, only a weekday is a time: "USA Today", "CBS This Morning" are names, and
    /// so is "The Mail on Sunday".
    pub fn time_phrase_back(&self, end: usize, lo: usize) -> Option<usize> {
        if end < lo || end >= self.n() {
            return None;
        }
        let lower = |i: usize| !self.capitalised(i);
        let before =
            |i: usize, words: &[&str]| i > lo && lower(i - 1) && words.contains(&self.low(i - 1));
        let mut i = end;
        if lexicon::has(lexicon::DAY_PARTS, self.low(i))
            && i > lo
            && (lexicon::has(lexicon::WEEKDAYS, self.low(i - 1)) || self.low(i - 1) == "yesterday")
        {
            i -= 1;
        }
        let w = self.low(i);
        if lexicon::has(lexicon::WEEKDAYS, w) {
            // "The Mail on Sunday said" names the paper; "The Mail on Sunday night said" is
            // read as a time, the likelier of the two.
            if i == end && self.sunday_in_title(i) {
                return None;
            }
            return Some(if before(i, &["on", "last", "this", "early", "late"]) {
                i - 1
            } else {
                i
            });
        }
        if !lower(i) {
            return None;
        }
        if matches!(w, "yesterday" | "today" | "tonight" | "earlier" | "later") {
            return Some(i);
        }
        if lexicon::has(lexicon::PERIODS, w) && before(i, &["this", "last", "next"]) {
            let d = i - 1;
            return Some(if before(d, &["earlier", "later", "early", "late"]) {
                d - 1
            } else {
                d
            });
        }
        None
    }

    /// The phrase of time starting at `t` tells which speaker, rather than when they spoke:
    /// it follows a participle ("a poll released last week") or sits in a relative clause
    /// opened at or after `lo` ("Trump, who has been feuding with leaders this week"; not
    /// "Sanders, who on Tuesday", where the time follows the "who" at once). `t > lo`.
    pub fn time_tells_which(&self, lo: usize, t: usize) -> bool {
        let relative = (lo..t - 1).any(|i| lexicon::has(lexicon::RELATIVE_PRONOUNS, self.low(i)));
        self.participle_before(t) || relative
    }

    /// A participle right before token `t`: "released", "published", "out" (a poll out
    /// this week).
    pub fn participle_before(&self, t: usize) -> bool {
        let p = t - 1;
        !self.capitalised(p)
            && (self.low(p).ends_with("ed") || matches!(self.low(p), "out" | "published"))
    }
}

#[cfg(test)]
mod tests;
