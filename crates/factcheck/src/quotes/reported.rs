//! Reported speech: a cue verb with its source and its complement clause.

use super::lexicon::{self, has};
use super::{Ctx, QuoteKind, Raw};

/// Words after a cue verb that start an adjunct, not the reported clause ("said on Monday").
const ADJUNCT_START: &[&str] = &[
    "about",
    "after",
    "again",
    "also",
    "and",
    "as",
    "at",
    "before",
    "but",
    "by",
    "during",
    "earlier",
    "for",
    "friday",
    "from",
    "her",
    "here",
    "him",
    "in",
    "it",
    "last",
    "later",
    "me",
    "monday",
    "of",
    "off",
    "on",
    "or",
    "out",
    "over",
    "previously",
    "privately",
    "publicly",
    "recently",
    "repeatedly",
    "saturday",
    "since",
    "so",
    "sunday",
    "them",
    "there",
    "this",
    "through",
    "thursday",
    "to",
    "today",
    "tonight",
    "tuesday",
    "under",
    "up",
    "us",
    "via",
    "wednesday",
    "when",
    "while",
    "with",
    "yesterday",
    "you",
];

/// Token `i` starts an adjunct after a cue verb. "it" and "there" followed by a word start
/// the reported clause instead ("said it would", "said there was").
fn adjunct_start(ctx: &Ctx, i: usize) -> bool {
    let l = ctx.low(i);
    has(ADJUNCT_START, l) && !(matches!(l, "it" | "there" | "her") && ctx.is_word(i + 1))
}

/// Words that open a clause of its own after "X, she said,": what follows is not the rest of
/// X ("…, she said, but critics say …").
const CLAUSE_OPENERS: &[&str] = &[
    "although", "and", "as", "because", "but", "though", "unless", "when", "whereas", "while",
    "yet",
];

/// Prepositions before a cue form that make it a noun ("in remarks", "after talks").
pub(super) const PREPOSITIONS: &[&str] = &[
    "after", "at", "before", "by", "during", "for", "from", "in", "of", "on", "with",
];

/// Words before a cue form that make it a noun ("the report", "his claims").
pub(super) const DETERMINERS: &[&str] = &[
    "a", "an", "any", "her", "his", "its", "media", "my", "new", "news", "no", "of", "our",
    "recent", "some", "such", "the", "their", "these", "this", "those", "to", "your",
];

/// Finds reported statements. `taken` are the direct quotes (token spans) and `used_cues` the
/// cue verbs they already claimed; cues inside a quotation belong to the quoted speaker.
pub(crate) fn find(ctx: &Ctx, taken: &[(usize, usize)], used_cues: &[usize]) -> Vec<Raw> {
    // Per-token flags, so the scan stays linear however many quotes there are.
    let mut quoted = vec![false; ctx.n()];
    for &(a, b) in taken {
        for f in quoted.iter_mut().take(b).skip(a + 1) {
            *f = true;
        }
    }
    let mut cue_used = vec![false; ctx.n()];
    for &c in used_cues {
        if let Some(f) = cue_used.get_mut(c) {
            *f = true;
        }
    }
    let in_quote = |i: usize| quoted.get(i).copied().unwrap_or(false);
    let mut out = Vec::new();
    headlines(ctx, &quoted, &mut out);
    for sent in ctx.doc.sentences {
        // A wire dateline ("DHAKA, Bangladesh (Reuters) -") is nobody's words: statements and
        // their speakers start after it.
        let (s0, s1) = (
            after_dateline(ctx, sent.tokens.start, sent.tokens.end),
            sent.tokens.end,
        );
        // A capitalised cue form inside a sentence is a name ("the United States").
        // Title-case headlines ("Trump Says He Will Win") are the exception.
        let title = title_case(ctx, s0, s1);
        for k in s0..s1 {
            let lk = ctx.low(k);
            let capital = k > s0 && ctx.capitalised(k) && !title;
            if capital
                || !(has(lexicon::CUE_VERBS, lk)
                    || has(lexicon::STANCE_VERBS, lk)
                    || statement_noun(ctx, k, s1).is_some())
                || in_quote(k)
                || cue_used.get(k).copied().unwrap_or(false)
            {
                continue;
            }
            if let Some(r) = one(ctx, k, s0, s1) {
                if r.content.0 <= r.content.1 && ctx.words(r.content.0, r.content.1) >= 2 {
                    // A cue reaching past its verb ("issued a statement saying") claims its
                    // later words: "saying" is not a statement of its own.
                    if let Some((_, c1)) = r.cue {
                        for f in cue_used.iter_mut().take(c1 + 1).skip(k + 1) {
                            *f = true;
                        }
                    }
                    out.push(r);
                }
            }
        }
    }
    out
}

/// Words after a comma that open a second, coordinated clause ("…, while Grady said …").
const SIBLING_OPENERS: &[&str] = &["and", "but", "whereas", "while", "yet"];

/// Adverbs set off by commas between a speaker and the cue ("Akter, however, told").
const DISCOURSE_ADVERBS: &[&str] = &[
    "however",
    "instead",
    "likewise",
    "meanwhile",
    "moreover",
    "similarly",
    "though",
    "too",
];

/// `e` the last token before a cue (or its auxiliary): past an adverb set off by commas
/// ("Nasreen Akter, however, told"), the token before that adverb's opening comma, where the
/// speaker ends.
fn past_discourse_adverb(ctx: &Ctx, e: usize, s0: usize) -> usize {
    if e >= s0 + 3
        && ctx.tok(e) == ","
        && has(DISCOURSE_ADVERBS, ctx.low(e - 1))
        && ctx.tok(e - 2) == ","
    {
        e - 3
    } else {
        e
    }
}

/// Whether token `b` (a semicolon, or a comma before a coordinating word such as "while" or
/// "but") starts a second statement with a speaker of its own: a speaker and a cue verb follow
/// within a few words. "Whitfield said the deficit was closed, while Grady said it had merely
/// been hidden": Grady's words are his, not part of Whitfield's statement; "Chowdhury said the
/// doors were open; fire official Nasreen Akter, however, told reporters …" likewise. `s1` is
/// the end of `b`'s sentence. [`Ctx::sibling_after`] asks it once per token.
pub(super) fn starts_sibling(ctx: &Ctx, b: usize, s1: usize) -> bool {
    // How far after the boundary the second cue may lie: a speaker of a few words.
    const REACH: usize = 10;
    let opener = match ctx.tok(b) {
        ";" => b + 1,
        "," if has(SIBLING_OPENERS, ctx.low(b + 1)) => b + 2,
        _ => return false,
    };
    (opener + 1..s1.min(opener + REACH)).any(|k| {
        if !has(lexicon::CUE_VERBS, ctx.low(k)) || ctx.capitalised(k) {
            return false;
        }
        let a = ctx.aux_start(k, opener);
        // A pronoun ("…, and she told him …") may be somebody the first speaker reports on:
        // the clause stays theirs, and the second statement is reported within it.
        a > opener
            && !(opener..a).any(|i| ctx.low(i) == "that" || ctx.mark(i).is_some())
            && ctx
                .source_back(past_discourse_adverb(ctx, a - 1, opener), opener)
                .is_some_and(|src| src.0 == opener && !super::speaker::is_pronoun(ctx, src))
    })
}

/// The first token after a wire dateline opening the sentence `s0..s1` at a line's start, or
/// `s0` when there is none: a place in capitals ("WASHINGTON", "RENO, Nev.", "DHAKA,
/// Bangladesh"), an agency in brackets or not ("(AP)", "(Reuters)"), then a dash.
pub(super) fn after_dateline(ctx: &Ctx, s0: usize, s1: usize) -> usize {
    // A place and an agency take a few tokens: "COLUMBIA , S.C. ( AP ) —".
    const REACH: usize = 12;
    let caps = |i: usize| {
        let t = ctx.tok(i);
        t.chars().count() >= 2
            && t.chars().any(char::is_alphabetic)
            && t.chars().all(|c| c.is_uppercase() || !c.is_alphabetic())
    };
    if !ctx.line_start(s0) || !caps(s0) {
        return s0;
    }
    // Words in capitals, then after a comma the region ("Bangladesh", "Nev."), and the agency
    // in brackets; any other word ("NASA Administrator Bill Nelson —") is no dateline.
    let (mut region, mut agency) = (false, false);
    for i in s0 + 1..s1.min(s0 + REACH) {
        match ctx.tok(i) {
            // A hyphen between two words joins them ("COVID-19", "GOP-led"): no dateline.
            "-" if ctx.doc.glued(i) && ctx.doc.glued(i + 1) => return s0,
            "—" | "–" | "-" | "--" => {
                return if i + 1 < s1 { i + 1 } else { s0 };
            }
            "," => region = true,
            "(" => agency = true,
            ")" => agency = false,
            "." => {}
            _ if ctx.is_word(i) && (caps(i) || ((region || agency) && ctx.capitalised(i))) => {}
            _ => return s0,
        }
    }
    s0
}

/// Last content token of a clause ending the sentence at `s1`, or before a second statement
/// with its own speaker ([`starts_sibling`]): the final full stop is left out unless a
/// closing quotation mark follows it.
fn clause_end(ctx: &Ctx, from: usize, s1: usize) -> usize {
    let s1 = ctx.sibling_after(from).min(s1);
    let mut e = s1.saturating_sub(1);
    while e > from && (ctx.is_terminal(e) || matches!(ctx.tok(e), "," | ";" | ":")) {
        e -= 1;
    }
    e
}

/// The reported statement whose cue is the verb at `k` in the sentence `s0..s1`, if any. The
/// rules are tried in order and the first that matches wins, so their order is part of the
/// behaviour.
fn one(ctx: &Ctx, k: usize, s0: usize, s1: usize) -> Option<Raw> {
    let lk = ctx.low(k);
    if lk == "according" {
        return according(ctx, k, s0, s1);
    }
    let prev = if k > s0 { ctx.low(k - 1) } else { "" };
    if has(DETERMINERS, prev) {
        return None;
    }
    let a = ctx.aux_start(k, s0);
    let source = a
        .checked_sub(1)
        .filter(|&e| e >= s0)
        .map(|e| past_discourse_adverb(ctx, e, s0))
        .and_then(|e| source_before_time(ctx, e, s0).or_else(|| ctx.source_back(e, s0)));
    // "issued a statement": no cue verb on its own, so nothing else is tried when it fails.
    if let Some(n) = statement_noun(ctx, k, s1) {
        let issued = source.and_then(|src| issued_a_statement(ctx, n, s1, src, a));
        if issued.is_some() || !(has(lexicon::CUE_VERBS, lk) || has(lexicon::STANCE_VERBS, lk)) {
            return issued;
        }
    }
    if let Some(raw) = impersonal(ctx, k, s0, s1) {
        return Some(raw);
    }
    if let Some(raw) = asked(ctx, k, s0, s1) {
        return Some(raw);
    }
    // "Trump doubled down and said the judge had ...": the cue shares its sentence's subject.
    let coordinated = prev == "and" && (has(lexicon::SPEECH_VERBS, lk) || has(BELIEF, lk));
    if source.is_none() && ((prev == "," && lk.ends_with("ing")) || coordinated) {
        return participle(ctx, k, s0, s1);
    }
    if source.is_none() && !has(lexicon::CUE_VERBS, lk) {
        return None;
    }
    match source {
        None => sourceless(ctx, k, s0, s1, a),
        Some(src) => with_source(ctx, k, s0, s1, src, (a, k)).map(|r| in_relative(ctx, r, a, s0)),
    }
}

/// "The mayor, who said last week that he would resign, told reporters …": a statement whose
/// cue (its auxiliaries start at `a`) sits in a relative clause between commas ends where that
/// clause does, at the comma before the sentence's own verb, not at the sentence's end.
fn in_relative(ctx: &Ctx, mut r: Raw, a: usize, s0: usize) -> Raw {
    let relative = a >= s0 + 2 && ctx.low(a - 1) == "who" && ctx.tok(a - 2) == ",";
    if !relative {
        return r;
    }
    let (from, to) = r.content;
    let verb = |i: usize| {
        let w = ctx.low(i);
        ctx.is_word(i)
            && !ctx.capitalised(i)
            && (has(lexicon::AUX, w)
                || has(lexicon::CUE_VERBS, w)
                || has(lexicon::CLAUSE_VERBS, w)
                || w.ends_with("ed"))
    };
    if let Some(c) = (from + 1..to).find(|&i| ctx.tok(i) == "," && verb(i + 1)) {
        r.content = (from, c - 1);
    }
    r
}

/// The speaker before a phrase of time that ends at `e`, right before the verb: "Sanders on
/// Tuesday said", "McConnell, on Thursday, said", "the senator earlier this week said". The
/// time belongs to neither source nor cue; read as a noun phrase it gave no source, or
/// "week".
fn source_before_time(ctx: &Ctx, e: usize, s0: usize) -> Option<(usize, usize)> {
    let commas = ctx.tok(e) == ",";
    let t = ctx.time_phrase_back(if commas { e.checked_sub(1)? } else { e }, s0 + 1)?;
    let end = match commas {
        true if t >= s0 + 2 && ctx.tok(t - 1) == "," => t - 2,
        true => return None,
        false => t - 1,
    };
    // "A poll released last week said", "Officials who spoke on Tuesday said": the time is
    // part of the speaker's description. After a participle the source runs on through it
    // (and `tidy_sources` keeps it); a relative clause is left to the plain reading. A
    // relative pronoun counts within a few words only: one far back opened another clause.
    if ctx.time_tells_which(t.saturating_sub(4).max(s0), t) {
        let src = ctx
            .source_back(end, s0)
            .filter(|_| ctx.participle_before(t))?;
        return Some((src.0, e));
    }
    ctx.source_back(end, s0)
}

/// "Johnnie Wilson, of Springfield, Va., said he had fought …": the sentence opens with a name
/// and a description between commas, then the cue and its clause. The speaker is the name with
/// its description, as attribution corpora mark it.
fn subject_and_appositive(ctx: &Ctx, k: usize, s0: usize, s1: usize) -> Option<Raw> {
    let first_comma = (s0..k).find(|&i| ctx.tok(i) == ",")?;
    let name = (s0..first_comma).all(|i| ctx.is_name(i) || (ctx.tok(i) == "." && ctx.doc.glued(i)));
    let middle = first_comma + 1;
    let described = middle < k - 1 && ctx.words(middle, k - 1) > 0;
    if first_comma == s0 || !name || !described || ctx.words(s0, k - 1) > 12 {
        return None;
    }
    // "Biden, in a speech, said": an adjunct between the commas says where, not who; "of
    // Springfield" and "from Ohio" say who.
    let adjunct = has(ADJUNCT_START, ctx.low(middle)) && !matches!(ctx.low(middle), "of" | "from");
    let source = if adjunct {
        (s0, first_comma - 1)
    } else {
        (s0, k - 1)
    };
    let e = clause_end(ctx, k + 1, s1);
    (e > k + 1).then_some(Raw {
        kind: QuoteKind::Reported,
        content: (k + 1, e),
        cue: Some((k, k)),
        source: Some(source),
    })
}

/// Where the noun ends when the verb at `k` issues a statement: "issued a statement",
/// "released a brief statement", "put out a statement", "made an announcement".
fn statement_noun(ctx: &Ctx, k: usize, s1: usize) -> Option<usize> {
    let mut d = k + 1;
    match ctx.low(k) {
        "issued" | "issues" | "released" | "releases" | "made" | "makes" => {}
        "put" | "puts" if ctx.low(d) == "out" => d += 1,
        _ => return None,
    }
    if !matches!(ctx.low(d), "a" | "an" | "the") {
        return None;
    }
    // One adjective at most: "a brief statement", "a joint statement".
    (d + 1..(d + 3).min(s1)).find(|&n| {
        matches!(
            ctx.low(n),
            "statement" | "communique" | "communiqué" | "announcement"
        )
    })
}

/// "The ministry issued a statement in mid-November that it would …", "… released a
/// statement Tuesday saying …": PolNeAR's cue runs from the verb to the noun (at `n`, from
/// [`statement_noun`]), or to "saying" when that introduces the content. Only with a speaker
/// `src` before the verb (its auxiliaries start at `a`) and a "that" or "saying" after a short adjunct of time or place;
/// a phrase of its own after the noun ("in response to reports that …", "denying that …")
/// holds somebody else's words, and a relative "that" ("a statement that surprised many")
/// opens none.
fn issued_a_statement(
    ctx: &Ctx,
    n: usize,
    s1: usize,
    src: (usize, usize),
    a: usize,
) -> Option<Raw> {
    let mut j = n + 1;
    while j < s1
        && j < n + 7
        && !matches!(ctx.low(j), "that" | "saying")
        && !has(OWN_PHRASE, ctx.low(j))
        && !ctx.low(j).ends_with("ing")
        && !has(lexicon::CUE_VERBS, ctx.low(j))
        && (ctx.is_word(j)
            || ctx.is_number(j)
            || ctx.tok(j) == ","
            || (ctx.tok(j) == "-" && ctx.doc.glued(j + 1)))
    {
        j += 1;
    }
    if j >= s1 {
        return None;
    }
    let after = ctx.low(j + 1);
    let (cue_end, from) = match ctx.low(j) {
        "that" if !has(lexicon::AUX, after) && !after.ends_with("ed") => (n, j),
        "saying" => (j, j + 1),
        _ => return None,
    };
    let e = clause_end(ctx, from, s1);
    (e > from).then_some(Raw {
        kind: QuoteKind::Reported,
        content: (from, e),
        cue: Some((a, cue_end)),
        source: Some(src),
    })
}

/// Words after a statement noun that open a phrase of their own ("in response to reports
/// that …", "about the claim that …", "and the minister said that …"): the "that" clause
/// after them is not the statement's.
const OWN_PHRASE: &[&str] = &[
    "about",
    "against",
    "and",
    "but",
    "concerning",
    "of",
    "over",
    "regarding",
    "to",
];

/// "It is believed that ...": nobody is named.
fn impersonal(ctx: &Ctx, k: usize, s0: usize, s1: usize) -> Option<Raw> {
    if k < s0 + 2 || !has(lexicon::IMPERSONAL_PARTICIPLES, ctx.low(k)) {
        return None;
    }
    let mut a = k - 1;
    if ctx.low(a) == "widely" && a > s0 {
        a -= 1;
    }
    if !matches!(ctx.low(a), "is" | "was" | "been" | "be") {
        return None;
    }
    let mut b = a;
    while b > s0 && matches!(ctx.low(b - 1), "has" | "had" | "have" | "is" | "was") {
        b -= 1;
    }
    (b > s0 && ctx.low(b - 1) == "it" && ctx.low(k + 1) == "that").then(|| Raw {
        kind: QuoteKind::Reported,
        content: (k + 1, clause_end(ctx, k + 1, s1)),
        cue: Some((a, k)),
        source: None,
    })
}

/// "Asked whether he would run, ...", "..., he said when asked about the polls": a question
/// put to somebody unnamed.
fn asked(ctx: &Ctx, k: usize, s0: usize, s1: usize) -> Option<Raw> {
    if !asked_unnamed(ctx, k, s0) {
        return None;
    }
    if !matches!(
        ctx.low(k + 1),
        "if" | "whether"
            | "about"
            | "what"
            | "which"
            | "why"
            | "how"
            | "who"
            | "when"
            | "by"
            | "on"
            | "specifically"
            | "again"
            | "later"
    ) {
        return None;
    }
    let c = k + 1;
    let mut e = c;
    while e + 1 < s1 && ctx.tok(e + 1) != "," && ctx.mark(e + 1).is_none() {
        e += 1;
    }
    let e = clause_end(ctx, c, e + 1);
    (e > c + 1).then_some(Raw {
        kind: QuoteKind::Reported,
        content: (c, e),
        cue: Some((k, k)),
        source: None,
    })
}

/// Whether "asked" at `k`, in a sentence from `s0`, puts a question by somebody unnamed: it
/// opens the sentence or follows "when", "after", "once" or a comma.
pub(super) fn asked_unnamed(ctx: &Ctx, k: usize, s0: usize) -> bool {
    ctx.low(k) == "asked"
        && (k == s0 || (k > s0 && matches!(ctx.low(k - 1), "when" | "after" | "," | "once")))
}

/// A cue with no subject before it (`a` is where its auxiliaries start).
fn sourceless(ctx: &Ctx, k: usize, s0: usize, s1: usize, a: usize) -> Option<Raw> {
    let lk = ctx.low(k);
    // "..., said Konashenkov." — the inverted tail of a statement.
    if k > s0 + 2 && ctx.tok(k - 1) == "," && has(lexicon::SPEECH_VERBS, lk) {
        let mut src = ctx.with_what_close_to(ctx.np_fwd(k + 1, s1)?, s1);
        // A pronoun is a whole speaker: "Johnnie Wilson, of Springfield, Va., said he had
        // fought …" has the clause "he had fought …" after the cue, not a speaker "he had
        // fought"; and an auxiliary inside marks a clause too.
        if super::speaker::is_pronoun(ctx, (src.0, src.0)) {
            src.1 = src.0;
        }
        // The speaker must close the clause ("..., said Konashenkov."); in "X, who ..., said
        // the town had a choice" the words after the cue are the statement, not a speaker.
        let after = src.1 + 1;
        let closes = after >= s1
            || ctx.is_terminal(after)
            || matches!(
                ctx.low(after),
                "," | ";" | "for" | "of" | "at" | "in" | "on" | "from" | "with" | "who"
            );
        // Lowercase only: "Theresa May", "Will Smith" are names.
        let clause =
            (src.0..=src.1).any(|i| !ctx.capitalised(i) && lexicon::has(lexicon::AUX, ctx.low(i)));
        if !closes || clause {
            return subject_and_appositive(ctx, k, s0, s1);
        }
        return Some(Raw {
            kind: QuoteKind::Reported,
            content: (s0, k - 2),
            cue: Some((k, k)),
            source: Some(src),
        });
    }
    // "reports:" with its source lost: the content is what follows.
    if ctx.tok(k + 1) == ":" && has(lexicon::SPEECH_VERBS, lk) {
        return colon_content(ctx, k, s1).map(|content| Raw {
            kind: QuoteKind::Reported,
            content,
            cue: Some((a, k)),
            source: None,
        });
    }
    None
}

/// Where "that" opens the clause after the cue at `k`, skipping a person object ("told
/// reporters that") and adjuncts ("said in an interview with The Associated Press last week
/// that"); some token other than "that" when there is none.
fn that_position(ctx: &Ctx, k: usize, s1: usize) -> usize {
    let mut j = k + 1;
    if has(lexicon::OBJECT_VERBS, ctx.low(k)) {
        // The person told may be a programme with its network: "told NBC News' “Today” show
        // on Tuesday that …": a possessive mark glued to its word and a title in quotation
        // marks are passed over, not counted among the six words. A "that" inside a quotation
        // ("told the president “that we ought …”") opens no clause of the cue's, and the walk
        // stops at a subject ("told a judge he felt “very strongly” that …": the clause began
        // at "he"; without the marks the plain walk below finds the "that", as before).
        let possessive = |m: usize| matches!(ctx.tok(m), "'" | "’") && ctx.doc.glued(m);
        let (mut m, mut words, mut marks) = (j, 0, 0);
        while m < s1 && ctx.low(m) != "that" && !has(SUBJECT_PRONOUNS, ctx.low(m)) {
            if possessive(m) {
            } else if ctx.mark(m).is_some() {
                marks += 1;
            } else if ctx.is_word(m) && words < 6 {
                words += 1;
            } else {
                break;
            }
            m += 1;
        }
        if ctx.low(m) == "that" && marks % 2 == 0 {
            j = m;
        }
    }
    // A cue on the way ("said Okonjo had told him privately that …") owns the "that": the
    // clause after the first cue is the statement, and the second is reported inside it.
    // "in remarks that", "a statement that": a cue word after a determiner or a preposition
    // is a noun, not a second cue.
    let second_cue = |m: usize| {
        m > k + 1
            && has(lexicon::CUE_VERBS, ctx.low(m))
            && !has(DETERMINERS, ctx.low(m - 1))
            && !has(PREPOSITIONS, ctx.low(m - 1))
    };
    let mut m = j;
    while m < s1
        && m < j + 7
        && (ctx.is_word(m) || ctx.is_number(m))
        && ctx.low(m) != "that"
        && !second_cue(m)
    {
        m += 1;
    }
    if ctx.low(m) != "that" && has(ADJUNCT_START, ctx.low(k + 1)) {
        let mut x = k + 1;
        while x < s1
            && x < k + 16
            && ctx.low(x) != "that"
            && (ctx.is_word(x)
                || ctx.is_number(x)
                || (matches!(ctx.tok(x), "." | "-" | "’" | "'" | "‘") && ctx.doc.glued(x + 1)))
        {
            x += 1;
        }
        if x < s1 && ctx.low(x) == "that" {
            m = x;
        }
    }
    m
}

/// A cue at `k` with its speaker `src`: the statement is a "that" clause, what follows a
/// colon, the clause before ("X, he said."), or a bare clause after ("He said the ...").
fn with_source(
    ctx: &Ctx,
    k: usize,
    s0: usize,
    s1: usize,
    src: (usize, usize),
    cue: (usize, usize),
) -> Option<Raw> {
    let lk = ctx.low(k);
    let next = ctx.tok(k + 1);
    let m = that_position(ctx, k, s1);
    let cue = Some(cue);
    let raw = |content| Raw {
        kind: QuoteKind::Reported,
        content,
        cue,
        source: Some(src),
    };
    if has(lexicon::STANCE_VERBS, lk) {
        return stance(ctx, k, s1, src, cue);
    }
    // "He thus commented on a recent statement by ...": the topic commented on is the content
    // (PolNeAR's cue is "commented on"), not a "that" clause inside it ("… Baldanza who
    // confirmed that …", hers). But "commented on Twitter that …" reports the clause, and
    // "…, he commented on Sunday." closes the statement before it.
    let that_soon = (k + 2..(k + 6).min(s1)).any(|i| ctx.low(i) == "that");
    let tail = src.0 > s0 && ctx.tok(src.0 - 1) == ",";
    if lk.starts_with("comment") && ctx.low(k + 1) == "on" && !that_soon && !tail {
        let e = clause_end(ctx, k + 2, s1);
        if e > k + 2 {
            return Some(Raw {
                kind: QuoteKind::Reported,
                content: (k + 2, e),
                cue: cue.map(|c| (c.0, k + 1)),
                source: Some(src),
            });
        }
    }
    if m < s1 && ctx.low(m) == "that" {
        let e = clause_end(ctx, m, s1);
        if e > m {
            return Some(raw((m, e)));
        }
    }
    if next == ":" {
        return colon_content(ctx, k, s1).map(raw);
    }
    // "X, he said." / "X, a source said." — the statement is the clause before, and at most
    // a short adjunct ("in a statement", "on Monday") follows the cue.
    if src.0 > s0 + 2 && ctx.tok(src.0 - 1) == "," && next == "," && ctx.mark(src.0 - 2).is_none() {
        // "X, she said, Y." — the statement is around the attribution, and is one statement:
        // attribution corpora mark its two parts as one content, whose envelope is X to Y. A
        // place cannot skip the words in the middle, so the content runs over them. After a
        // short opener ("Now, he said, …") the statement is what follows.
        let e = clause_end(ctx, k + 2, s1);
        // The words after the cue continue the statement only when they are not an adjunct
        // ("in a statement", "adding that …"), a clause of their own ("but critics say …"),
        // or another quotation or cue.
        let w = ctx.low(k + 2);
        let continues = e > k + 2
            && !adjunct_start(ctx, k + 2)
            && !w.ends_with("ing")
            && !has(CLAUSE_OPENERS, w)
            && !(k + 2..=e).any(|i| ctx.mark(i).is_some() || has(lexicon::CUE_VERBS, ctx.low(i)));
        let head = ctx.words(s0, src.0 - 2) >= 3;
        let content = if head && continues {
            (s0, e)
        } else if !head && e > k + 2 {
            (k + 2, e)
        } else {
            (s0, src.0 - 2)
        };
        return Some(raw(content));
    }
    let short_tail = k + 1 >= s1
        || ctx.is_terminal(k + 1)
        || (s1 - k <= 7 && (next == "," || adjunct_start(ctx, k + 1)));
    if src.0 > s0 + 2 && ctx.tok(src.0 - 1) == "," && short_tail {
        if ctx.mark(src.0 - 2).is_some() {
            return None; // a direct quote's attribution, already handled
        }
        return Some(raw((s0, src.0 - 2)));
    }
    // "He said the Pentagon ...": a bare complement clause; after "told reporters", "assured
    // them" the clause starts after the person told.
    let from = told_whom(ctx, k, s1).unwrap_or(k + 1);
    if from < s1
        && (ctx.is_word(from) || ctx.is_number(from) || ctx.signs_figure(from))
        && !adjunct_start(ctx, from)
    {
        let e = clause_end(ctx, from, s1);
        if e > from + 1 && (has(lexicon::SPEECH_VERBS, lk) || has(BELIEF, lk)) {
            return Some(raw((from, e)));
        }
    }
    None
}

/// Where the clause starts after a verb at `k` that takes the person told before it: "told
/// reporters he thought …", "assured them the plan …", "told CNN it was …". The person is an
/// object pronoun, an audience ("reporters", "the crowd") or a name of up to three words, and
/// a subject must follow (a pronoun, a determiner, a name): "told him to leave" is an order,
/// "told reporters in Miami" no clause. PolNeAR marks the clause alone as the content.
fn told_whom(ctx: &Ctx, k: usize, s1: usize) -> Option<usize> {
    if !has(lexicon::OBJECT_VERBS, ctx.low(k)) {
        return None;
    }
    let mut j = k + 1;
    if matches!(ctx.low(j), "the" | "a" | "an") {
        j += 1;
    }
    // "told host Chris Cuomo she believed …": a role before the name told.
    if has(lexicon::ROLE_NOUNS, ctx.low(j)) && ctx.is_name(j + 1) {
        j += 1;
    }
    let w = ctx.low(j);
    let next = if matches!(w, "him" | "her" | "them" | "us" | "me" | "you") || has(AUDIENCES, w) {
        j + 1
    } else {
        let mut n = j;
        while n < s1 && n < j + 3 && ctx.is_name(n) {
            n += 1;
        }
        if n == j {
            return None;
        }
        n
    };
    let subject = matches!(
        ctx.low(next),
        "he" | "she" | "it" | "they" | "we" | "i" | "you" | "there" | "this" | "the" | "a" | "an"
    ) || (ctx.is_name(next) && next > k + 1 && !ctx.is_name(next - 1));
    (next < s1 && subject).then_some(next)
}

/// Pronouns that open a clause as its subject.
pub(super) const SUBJECT_PRONOUNS: &[&str] = &["he", "i", "it", "she", "they", "we", "you"];

/// The people a speaker tells things to as a group: "told reporters …".
const AUDIENCES: &[&str] = &[
    "audience",
    "crowd",
    "journalists",
    "lawmakers",
    "listeners",
    "members",
    "parliament",
    "reporters",
    "supporters",
    "viewers",
    "voters",
];

/// Belief and finding verbs that take a bare clause ("polls show Trump leads").
pub(super) const BELIEF: &[&str] = &[
    "believe",
    "believed",
    "believes",
    "estimated",
    "estimates",
    "expected",
    "expects",
    "fear",
    "feared",
    "fears",
    "finds",
    "found",
    "hope",
    "hoped",
    "hopes",
    "knew",
    "know",
    "knows",
    "predicted",
    "predicts",
    "show",
    "showed",
    "shows",
    "suggest",
    "suggested",
    "suggests",
    "think",
    "thinks",
    "thought",
];

/// "according to X, ..." and "..., according to X".
fn according(ctx: &Ctx, k: usize, s0: usize, s1: usize) -> Option<Raw> {
    if ctx.low(k + 1) != "to" {
        return None;
    }
    let src = with_agent(ctx, ctx.np_fwd(k + 2, s1)?, s1);
    // "according to a person familiar with the talks".
    let src = ctx.with_what_close_to(src, s1);
    let cue = Some((k, k + 1));
    let before_words = if k > s0 { ctx.words(s0, k - 1) } else { 0 };
    let content = if before_words >= 3 && k > s0 && matches!(ctx.tok(k - 1), "," | "—" | "–") {
        (s0, k - 2)
    } else if before_words >= 3 {
        (s0, k - 1)
    } else {
        let mut c = src.1 + 1;
        if ctx.tok(c) == "," {
            c += 1;
        }
        (c, clause_end(ctx, c, s1))
    };
    Some(Raw {
        kind: QuoteKind::Reported,
        content,
        cue,
        source: Some(src),
    })
}

/// "according to documents seen by the Bugle", "a report published by the ministry": the
/// agent after a participle says whose documents or report they are, so the source runs
/// through it (the noun phrase alone stops at "by", which elsewhere ends a source).
fn with_agent(ctx: &Ctx, src: (usize, usize), s1: usize) -> (usize, usize) {
    let last = ctx.low(src.1);
    // Lowercase: "according to Khalid Ahmed by telephone" ends its source at the name.
    let lowercase = ctx.tok(src.1) == last;
    let participle = lowercase && (last.len() > 4 && last.ends_with("ed"))
        || matches!(
            last,
            "seen"
                | "given"
                | "shown"
                | "written"
                | "made"
                | "held"
                | "known"
                | "drawn"
                | "taken"
                | "sent"
                | "kept"
        );
    if src.1 > src.0 && participle && ctx.low(src.1 + 1) == "by" {
        if let Some(agent) = ctx.np_fwd(src.1 + 2, s1) {
            return (src.0, agent.1);
        }
    }
    src
}

/// Content after "cue:": the rest of the sentence, or the next paragraph when the colon ends
/// the line (`Konashenkov said:` / `reports:` then the statement).
fn colon_content(ctx: &Ctx, k: usize, s1: usize) -> Option<(usize, usize)> {
    let c = k + 2;
    if c < s1 {
        return Some((c, clause_end(ctx, c, s1)));
    }
    if c >= ctx.n() {
        return None;
    }
    let p = ctx.para_of(c);
    let mut e = c;
    while e + 1 < ctx.n() && ctx.para_of(e + 1) == p {
        e += 1;
    }
    Some((c, e))
}

/// "X called the plan “a disaster”", "X endorsed Clinton": the object, to the end of the
/// clause, is the content. The source must stand on its own, not be a prepositional object
/// ("a group called ...", "linked to a group called ...").
fn stance(
    ctx: &Ctx,
    k: usize,
    s1: usize,
    src: (usize, usize),
    cue: Option<(usize, usize)>,
) -> Option<Raw> {
    let before = src.0.checked_sub(1).map(|i| ctx.low(i)).unwrap_or("");
    if matches!(
        before,
        "to" | "with" | "in" | "on" | "at" | "of" | "for" | "by" | "from" | "about" | "a" | "an"
    ) {
        return None;
    }
    // A walk that ran through a clause ("She joined a group called ...") is no source.
    let plain = !(src.0..=src.1).any(|i| ctx.tok(i) == ",");
    if plain
        && (src.0 + 1..=src.1).any(|i| {
            matches!(ctx.low(i), "a" | "an" | "the")
                || has(lexicon::PERSON_PRONOUNS, ctx.low(i))
                || has(lexicon::OTHER_PRONOUNS, ctx.low(i))
        })
    {
        return None;
    }
    // In a relative clause ("Okafor, who proposed the ban, said ...") the verb describes the
    // source instead of attributing a statement; the main verb's cue covers the sentence.
    if k > 0 && matches!(ctx.low(k - 1), "who" | "which" | "that" | "whom") {
        return None;
    }
    let c = k + 1;
    if c >= s1 || !(ctx.is_word(c) || ctx.is_number(c) || ctx.mark(c).is_some()) {
        return None;
    }
    // "ships called at the port", "called off", "asked for": verb + particle is not a stance.
    if matches!(
        ctx.low(c),
        "at" | "in" | "on" | "off" | "up" | "for" | "into" | "out" | "by" | "from"
    ) {
        return None;
    }
    // "declined to comment" says nothing.
    if ctx.low(c) == "to" && matches!(ctx.low(c + 1), "comment" | "elaborate" | "say") {
        return None;
    }
    let e = clause_end(ctx, c, s1);
    (e > c).then_some(Raw {
        kind: QuoteKind::Reported,
        content: (c, e),
        cue,
        source: Some(src),
    })
}

/// "Sanders spoke on Tuesday, saying he would stay in the race": a participle cue after a
/// comma takes the subject of its sentence as source and the rest of the clause as content.
fn participle(ctx: &Ctx, k: usize, s0: usize, s1: usize) -> Option<Raw> {
    let mut start = s0;
    // `“...,” Mr. Axelrod said, calling ...`: the subject follows the opening quotation.
    if let Some((fam, _, len)) = ctx.mark(start) {
        let close = (start + len..k).find(|&i| ctx.mark(i).is_some_and(|m| m.0 == fam))?;
        start = close + ctx.mark(close).map_or(1, |m| m.2);
        if ctx.tok(start) == "," {
            start += 1;
        }
    }
    if start >= k {
        return None;
    }
    let l = ctx.low(start);
    let subj_end = if has(lexicon::PERSON_PRONOUNS, l) || matches!(l, "they" | "we" | "i") {
        start
    } else {
        let mut e = start;
        if matches!(l, "the") {
            e += 1;
        }
        if !ctx.is_name(e) {
            return None;
        }
        while e + 1 < k
            && (ctx.is_name(e + 1)
                || (matches!(ctx.tok(e + 1), "." | "-")
                    && ctx.doc.glued(e + 1)
                    && ctx.is_word(e + 2)
                    && ctx.doc.glued(e + 2)))
        {
            e += 1;
        }
        e
    };
    // The subject must be followed by its verb (a lowercase word), not be part of a phrase.
    let v = subj_end + 1;
    if v >= k || !ctx.is_word(v) || ctx.capitalised(v) {
        return None;
    }
    let c = k + 1;
    if c >= s1 || !(ctx.is_word(c) || ctx.is_number(c) || ctx.mark(c).is_some()) {
        return None;
    }
    let e = clause_end(ctx, c, s1);
    (e > c).then_some(Raw {
        kind: QuoteKind::Reported,
        content: (c, e),
        cue: Some((k, k)),
        source: Some((start, subj_end)),
    })
}

/// Words that label a line without naming a speaker ("Update: ...", "Watch: ...", a kicker
/// such as "BOOM: ...", "Just Leaked: ...", "Paid Notice: ...").
const NOT_HEADLINE_SOURCES: &[&str] = &[
    "a",
    "also",
    "bombshell",
    "boom",
    "breaking",
    "busted",
    "click",
    "correction",
    "editor",
    "editor's",
    "exclusive",
    "flashback",
    "here",
    "how",
    "just",
    "listen",
    "live",
    "look",
    "more",
    "note",
    "paid",
    "photo",
    "photos",
    "q",
    "read",
    "related",
    "revealed",
    "see",
    "shocking",
    "subscribe",
    "tags",
    "the",
    "this",
    "update",
    "updated",
    "video",
    "watch",
    "what",
    "when",
    "where",
    "who",
    "why",
    "wow",
];

/// Headline attributions: a line opening with a short capitalised source and a colon,
/// "Trump: Cruz Has ‘To Come a Long Way’ On Ethanol" — the rest of the line is the content.
fn headlines(ctx: &Ctx, quoted: &[bool], out: &mut Vec<Raw>) {
    let n = ctx.n();
    for i in 0..n {
        // A transcript's turns often open with a quotation mark each ("\"WALLACE: Let's
        // start …"), a quotation the paragraphs run on in: the speaker's name follows it.
        let opener = (1..=2.min(i))
            .filter(|&len| ctx.line_start(i - len))
            .find_map(|len| {
                ctx.mark(i - len)
                    .filter(|m| m.2 == len && m.1 != super::Role::Close)
            });
        let opened = opener.is_some();
        if !(ctx.line_start(i) || i == 0 || opened) || !ctx.is_name(i) {
            continue;
        }
        if quoted.get(i).copied().unwrap_or(false) && !opened {
            continue;
        }
        if has(NOT_HEADLINE_SOURCES, ctx.low(i)) {
            continue;
        }
        let Some(colon) = (i + 1..(i + 7).min(n))
            .take_while(|&j| !ctx.line_start(j))
            .find(|&j| ctx.tok(j) == ":")
        else {
            continue;
        };
        let src_ok = (i..colon).all(|j| {
            (ctx.is_word(j) && (ctx.is_name(j) || has(lexicon::ROLE_NOUNS, ctx.low(j))))
                || (matches!(ctx.tok(j), "." | "-" | "’" | "'") && ctx.doc.glued(j))
                || (ctx.is_word(j) && ctx.low(j) == "camp")
        });
        if !src_ok || ctx.words(i, colon - 1) > 4 {
            continue;
        }
        let c = colon + 1;
        if c >= n || ctx.line_start(c) {
            continue;
        }
        let mut e = c;
        while e + 1 < n && !ctx.line_start(e + 1) {
            e += 1;
        }
        if ctx.words(c, e) < 3 {
            continue;
        }
        // A quotation closed on the same line ("\"Obama: the best,\" he said.") is the
        // direct-quote rule's, with its own speaker. Marks of another family inside a turn
        // ("… an episode of “Shark Tank.”") are the speaker's own quoting, and so is a pair of
        // the opener's family: the line closes the opener only when its marks of that family
        // leave one unpaired.
        if let Some(o) = opener {
            let marks = (c..=e).filter_map(|j| ctx.mark(j)).filter(|m| m.0 == o.0);
            let (opens, closes, either) = marks.fold((0, 0, 0), |(a, b, x), m| match m.1 {
                super::Role::Open => (a + 1, b, x),
                super::Role::Close => (a, b + 1, x),
                super::Role::Either => (a, b, x + 1),
            });
            if closes > opens || either % 2 == 1 {
                continue;
            }
        }
        out.push(Raw {
            kind: QuoteKind::Reported,
            content: (c, e),
            cue: Some((colon, colon)),
            source: Some((i, colon - 1)),
        });
    }
}

/// Most words of sentence `s0..s1` are capitalised, as in a headline.
fn title_case(ctx: &Ctx, s0: usize, s1: usize) -> bool {
    let (mut words, mut caps) = (0, 0);
    for i in s0..s1.min(s0 + 40) {
        if ctx.is_word(i) && ctx.tok(i).chars().count() > 3 {
            words += 1;
            caps += usize::from(ctx.capitalised(i));
        }
    }
    words >= 3 && caps * 10 >= words * 8
}

/// This module's word lists, for the test that keeps every list sorted.
#[cfg(test)]
pub(super) const WORD_LISTS: &[(&str, &[&str])] = &[
    ("ADJUNCT_START", ADJUNCT_START),
    ("CLAUSE_OPENERS", CLAUSE_OPENERS),
    ("DETERMINERS", DETERMINERS),
    ("BELIEF", BELIEF),
    ("NOT_HEADLINE_SOURCES", NOT_HEADLINE_SOURCES),
    ("OWN_PHRASE", OWN_PHRASE),
    ("SIBLING_OPENERS", SIBLING_OPENERS),
    ("DISCOURSE_ADVERBS", DISCOURSE_ADVERBS),
    ("PREPOSITIONS", PREPOSITIONS),
];
