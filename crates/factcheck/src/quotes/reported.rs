//! Reported speech: a cue verb with its source and its complement clause.

use super::lexicon::{self, has};
use super::{Ctx, QuoteKind, Raw};

/// Words after a cue verb that start an adjunct, not the reported clause ("said on Monday").
const ADJUNCT_START: &[&str] = &[
    "in",
    "on",
    "at",
    "during",
    "to",
    "for",
    "with",
    "about",
    "after",
    "before",
    "by",
    "of",
    "from",
    "as",
    "last",
    "this",
    "earlier",
    "later",
    "yesterday",
    "today",
    "tonight",
    "again",
    "also",
    "recently",
    "previously",
    "publicly",
    "privately",
    "repeatedly",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "through",
    "via",
    "under",
    "over",
    "since",
    "when",
    "while",
    "up",
    "out",
    "off",
    "it",
    "so",
    "and",
    "or",
    "but",
    "there",
    "here",
    "him",
    "her",
    "them",
    "me",
    "us",
    "you",
    "his",
    "its",
    "their",
];

/// Words before a cue form that make it a noun ("the report", "his claims").
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this", "these", "those",
    "such", "no", "any", "some", "of", "news", "media", "new", "recent", "to",
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
    let mut s = 0;
    while s < ctx.doc.sentences.len() {
        let Some(sent) = ctx.doc.sentences.get(s) else {
            break;
        };
        let (s0, s1) = (sent.tokens.start, sent.tokens.end);
        s += 1;
        for k in s0..s1 {
            let lk = ctx.low(k);
            if !has(lexicon::CUE_VERBS, lk)
                || in_quote(k)
                || cue_used.get(k).copied().unwrap_or(false)
            {
                continue;
            }
            if let Some(r) = one(ctx, k, s0, s1) {
                if r.content.0 <= r.content.1 && ctx.words(r.content.0, r.content.1) >= 2 {
                    out.push(r);
                }
            }
        }
    }
    out
}

/// Last content token of a clause ending the sentence at `s1`: the final full stop is left out
/// unless a closing quotation mark follows it.
fn clause_end(ctx: &Ctx, from: usize, s1: usize) -> usize {
    let mut e = s1.saturating_sub(1);
    while e > from && (ctx.is_terminal(e) || matches!(ctx.tok(e), "," | ";" | ":")) {
        e -= 1;
    }
    e
}

fn one(ctx: &Ctx, k: usize, s0: usize, s1: usize) -> Option<Raw> {
    let lk = ctx.low(k);
    if lk == "according" {
        return according(ctx, k, s0, s1);
    }
    let prev = if k > s0 { ctx.low(k - 1) } else { "" };
    if has(DETERMINERS, prev) {
        return None;
    }
    // "It is believed that ...": nobody is named.
    if k >= s0 + 2 && has(lexicon::IMPERSONAL_PARTICIPLES, lk) {
        let mut a = k - 1;
        if ctx.low(a) == "widely" && a > s0 {
            a -= 1;
        }
        if matches!(ctx.low(a), "is" | "was" | "been" | "be") {
            let mut b = a;
            while b > s0 && matches!(ctx.low(b - 1), "has" | "had" | "have" | "is" | "was") {
                b -= 1;
            }
            if b > s0 && ctx.low(b - 1) == "it" && ctx.low(k + 1) == "that" {
                return Some(Raw {
                    kind: QuoteKind::Reported,
                    content: (k + 1, clause_end(ctx, k + 1, s1)),
                    cue: Some((a, k)),
                    source: None,
                });
            }
        }
    }
    let a = ctx.aux_start(k, s0);
    let source = a
        .checked_sub(1)
        .filter(|&e| e >= s0)
        .and_then(|e| ctx.source_back(e, s0));
    let next = ctx.tok(k + 1);

    let Some(src) = source else {
        // "..., said Konashenkov." — the inverted tail of a statement.
        if k > s0 + 2 && ctx.tok(k - 1) == "," && has(lexicon::SPEECH_VERBS, lk) {
            let src = ctx.np_fwd(k + 1, s1)?;
            // The speaker must close the clause ("..., said Konashenkov."); in "X, who ..., said
            // the town had a choice" the words after the cue are the statement, not a speaker.
            let after = src.1 + 1;
            let closes = after >= s1
                || ctx.is_terminal(after)
                || matches!(
                    ctx.low(after),
                    "," | ";" | "for" | "of" | "at" | "in" | "on" | "from" | "with" | "who"
                );
            if !closes {
                return None;
            }
            return Some(Raw {
                kind: QuoteKind::Reported,
                content: (s0, k - 2),
                cue: Some((k, k)),
                source: Some(src),
            });
        }
        // "reports:" with its source lost: the content is what follows.
        if next == ":" && has(lexicon::SPEECH_VERBS, lk) {
            return colon_content(ctx, k, s1).map(|content| Raw {
                kind: QuoteKind::Reported,
                content,
                cue: Some((a, k)),
                source: None,
            });
        }
        return None;
    };
    // The clause after the cue: skip a person object ("told reporters") and adjuncts, looking
    // for "that"; otherwise the cue takes a bare clause or a colon.
    let mut j = k + 1;
    if has(lexicon::OBJECT_VERBS, lk) {
        let mut m = j;
        while m < s1 && m < j + 6 && ctx.is_word(m) && ctx.low(m) != "that" {
            m += 1;
        }
        if ctx.low(m) == "that" {
            j = m;
        }
    }
    let mut m = j;
    while m < s1 && m < j + 7 && (ctx.is_word(m) || ctx.is_number(m)) && ctx.low(m) != "that" {
        m += 1;
    }
    let cue = Some((a, k));
    if m < s1 && ctx.low(m) == "that" {
        let e = clause_end(ctx, m, s1);
        if e > m {
            return Some(Raw {
                kind: QuoteKind::Reported,
                content: (m, e),
                cue,
                source: Some(src),
            });
        }
    }
    if next == ":" {
        return colon_content(ctx, k, s1).map(|content| Raw {
            kind: QuoteKind::Reported,
            content,
            cue,
            source: Some(src),
        });
    }
    // "X, he said." / "X, a source said." — the statement is the clause before, and at most
    // a short adjunct ("in a statement", "on Monday") follows the cue.
    if src.0 > s0 + 2 && ctx.tok(src.0 - 1) == "," && next == "," && ctx.mark(src.0 - 2).is_none() {
        // "X, she said, Y." — the statement is around the attribution; the clause before it
        // is its head.
        let e = clause_end(ctx, k + 2, s1);
        let content = if ctx.words(s0, src.0 - 2) >= 3 || e <= k + 2 {
            (s0, src.0 - 2)
        } else {
            (k + 2, e)
        };
        return Some(Raw {
            kind: QuoteKind::Reported,
            content,
            cue,
            source: Some(src),
        });
    }
    let short_tail = k + 1 >= s1
        || ctx.is_terminal(k + 1)
        || (s1 - k <= 7 && (next == "," || has(ADJUNCT_START, ctx.low(k + 1))));
    if src.0 > s0 + 2 && ctx.tok(src.0 - 1) == "," && short_tail {
        if ctx.mark(src.0 - 2).is_some() {
            return None; // a direct quote's attribution, already handled
        }
        return Some(Raw {
            kind: QuoteKind::Reported,
            content: (s0, src.0 - 2),
            cue,
            source: Some(src),
        });
    }
    // "He said the Pentagon ...": a bare complement clause.
    if k + 1 < s1 && ctx.is_word(k + 1) && !has(ADJUNCT_START, ctx.low(k + 1)) {
        let e = clause_end(ctx, k + 1, s1);
        if e > k + 2 && (has(lexicon::SPEECH_VERBS, lk) || has(BELIEF, lk)) {
            return Some(Raw {
                kind: QuoteKind::Reported,
                content: (k + 1, e),
                cue,
                source: Some(src),
            });
        }
    }
    None
}

/// Belief and finding verbs that take a bare clause ("polls show Trump leads").
const BELIEF: &[&str] = &[
    "believe",
    "believes",
    "believed",
    "think",
    "thinks",
    "thought",
    "show",
    "shows",
    "showed",
    "found",
    "finds",
    "suggest",
    "suggests",
    "suggested",
    "fear",
    "fears",
    "feared",
    "hope",
    "hopes",
    "hoped",
    "know",
    "knows",
    "knew",
    "predicted",
    "predicts",
    "estimated",
    "estimates",
    "expects",
    "expected",
];

/// "according to X, ..." and "..., according to X".
fn according(ctx: &Ctx, k: usize, s0: usize, s1: usize) -> Option<Raw> {
    if ctx.low(k + 1) != "to" {
        return None;
    }
    let src = ctx.np_fwd(k + 2, s1)?;
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
