//! Direct quotes: spans in quotation marks, and the cue and source attached to them.

use super::lexicon::{self, has};
use super::{Ctx, Family, QuoteKind, Raw, Role};

/// Quotations shorter than this many words without a cue of their own are scare quotes or
/// titles ("the “experts”", ''The 40-Year-Old Virgin''), not statements.
const MIN_WORDS_WITH_CUE: usize = 1;
const MIN_WORDS_WITHOUT_CUE: usize = 6;

/// Finds every direct quote with its attribution.
pub(crate) fn find(ctx: &Ctx) -> Vec<Raw> {
    let spans = spans(ctx);
    let mut out: Vec<Raw> = Vec::new();
    // Per quote in `out`: too short to stand without a cue of its own.
    let mut short: Vec<bool> = Vec::new();
    // The furthest end of the spans so far: a span ending before it is nested in one of them.
    let mut reach = 0;
    for (open, close) in spans {
        let nested = close < reach;
        reach = reach.max(close);
        let words = ctx.words(open, close);
        let found = dash_name(ctx, close, words)
            .or_else(|| after(ctx, close))
            .or_else(|| before(ctx, open));
        let (cue, source) = match found {
            Some((c, s)) => (Some(c), s),
            None => (None, None),
        };
        // A quotation inside another without a cue of its own is the outer speaker's words
        // (“The sign read “No entry for anyone without a permit,” so we left,” she said).
        if nested && cue.is_none() {
            continue;
        }
        let min = if cue.is_some() {
            MIN_WORDS_WITH_CUE
        } else {
            MIN_WORDS_WITHOUT_CUE
        };
        if cue.is_some() && words < min {
            continue;
        }
        // A short quotation without a cue is kept for now: it may be a whole sentence that
        // continues the quote before it (`“We checked them twice,” she said. “They hold.”`).
        short.push(words < min);
        out.push(Raw {
            kind: QuoteKind::Direct,
            content: (open, close),
            cue,
            source,
        });
    }
    inherit(ctx, &mut out, &short);
    let mut short = short.into_iter();
    out.retain(|q| !short.next().unwrap_or(false) || q.cue.is_some());
    out
}

/// Pairs quotation marks into (opening token, closing token) spans.
///
/// A quote is abandoned at a paragraph break unless the next paragraph opens with a quotation
/// mark: news style leaves a multi-paragraph quotation open at each paragraph end and reopens it
/// at the start of the next, so then the quote runs on.
///
/// A second opening mark of the same family before a close is read two ways: a quotation
/// nested in another (“My father always said, “Never trust …,” and he was right,” Brown said)
/// when a second close follows in the paragraph, and otherwise a stray mark, the quote
/// starting afresh (“We will win,“ he said. “Never,” she said). So the outer mark is held,
/// one level deep; the inner span is kept either way, and the outer one too when it closes.
fn spans(ctx: &Ctx) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Family)> = None;
    // The mark the open quote is nested in, until the open one closes.
    let mut outer: Option<(usize, Family)> = None;
    // `open` is an outer mark whose inner quotation has closed.
    let mut restored = false;
    let n = ctx.n();
    let mut i = 0;
    while i < n {
        let mark = ctx.mark(i);
        if open.is_some() && ctx.line_start(i) && i > 0 {
            outer = None;
            // An outer quotation still open at the paragraph end had its inner one closed and
            // then no close of its own: a stray mark, not a quotation running on.
            if std::mem::take(&mut restored) {
                open = None;
            }
            match (open, mark) {
                (Some((_, fam)), Some((f, Role::Open | Role::Either, len))) if f == fam => {
                    // Runs on into this paragraph; check the quote is not closed at once.
                    if ctx.mark(i + len).is_some() {
                        open = None;
                    } else {
                        i += len;
                        continue;
                    }
                }
                _ => open = None,
            }
        }
        let Some((fam, role, len)) = mark else {
            i += 1;
            continue;
        };
        match open {
            None => {
                if role != Role::Close {
                    open = Some((i, fam));
                    restored = false;
                }
            }
            Some((o, ofam)) => {
                if fam == ofam {
                    if role == Role::Open {
                        outer = open;
                        open = Some((i, fam));
                        restored = false;
                    } else {
                        if o + 1 < i {
                            out.push((o, i + len - 1));
                        }
                        open = outer.take();
                        restored = open.is_some();
                    }
                }
            }
        }
        i += len;
    }
    single_quotes(ctx, &mut out);
    out.sort_unstable();
    out
}

/// Adds long ‘single-quoted’ spans. Single marks double as apostrophes ("terrorists’"), so
/// only a ‘ opening after a space and a ’ closing before a non-letter, on one line, with many
/// words between and outside any double-quoted span, count.
fn single_quotes(ctx: &Ctx, out: &mut Vec<(usize, usize)>) {
    let mut quoted = vec![false; ctx.n()];
    for &(a, b) in out.iter() {
        for f in quoted.iter_mut().take(b + 1).skip(a) {
            *f = true;
        }
    }
    let inside = |i: usize| quoted.get(i).copied().unwrap_or(false);
    let mut extra = Vec::new();
    let mut open: Option<usize> = None;
    for i in 0..ctx.n() {
        if ctx.line_start(i) {
            open = None;
        }
        match ctx.tok(i) {
            "‘" if !ctx.doc.glued(i + 1) || ctx.is_word(i + 1) => open = Some(i),
            "’" => {
                if let Some(o) = open {
                    if !ctx.is_word(i + 1) || !ctx.doc.glued(i + 1) {
                        if ctx.words(o, i) >= 8 && !inside(o) {
                            extra.push((o, i));
                        }
                        open = None;
                    }
                }
            }
            _ => {}
        }
    }
    out.extend(extra);
}

type Attribution = ((usize, usize), Option<(usize, usize)>);

/// Cue and source after a closing mark: `...,” he said`, `...,” said Konashenkov`,
/// `...,” the Russian spokesman told reporters`.
fn after(ctx: &Ctx, close: usize) -> Option<Attribution> {
    // `“... forever.” Okafor added that ...`: a quotation closed by a full stop ends its
    // sentence, so a cue after it starts a new statement.
    if close > 0 && ctx.tok(close - 1) == "." {
        return None;
    }
    let mut j = close + 1;
    let comma = ctx.tok(j) == ",";
    if comma {
        j += 1;
    }
    if j >= ctx.n() || ctx.line_start(j) || ctx.is_terminal(j) {
        return None;
    }
    // `“Café Déjà Vu” Owner Says Tariff Will Ruin …`: a quotation with no punctuation at its
    // end or after it, whose cue goes on to words of its own, names something; the statement
    // is what follows the cue.
    let bare = !comma && close > 0 && (ctx.is_word(close - 1) || ctx.is_number(close - 1));
    let names = |k: usize| bare && (ctx.is_word(k + 1) || ctx.is_number(k + 1));
    let j_low = ctx.low(j);
    if has(lexicon::SPEECH_VERBS, j_low) && j_low != "according" {
        let src = ctx
            .np_fwd(j + 1, ctx.n())
            .map(|src| ctx.with_what_close_to(src, ctx.n()));
        return Some(((j, j), src));
    }
    let mut k = j;
    while k < ctx.n() && k < j + 12 {
        if k > j && ctx.line_start(k) {
            return None;
        }
        let lk = ctx.low(k);
        if k > j && has(lexicon::SPEECH_VERBS, lk) && lk != "according" {
            if names(k) {
                return None;
            }
            let a = ctx.aux_start(k, j + 1);
            let src_end = a.checked_sub(1)?;
            let src = ctx.source_back(src_end, j)?;
            if src.0 != j {
                // "the tired, 71-year-old diplomat said": adjectives split by a comma.
                // (The walk so far has seen only words, numbers, commas and glued marks.)
                let adjectives = !(j..src.0).any(|i| has(lexicon::NP_STOP, ctx.low(i)));
                if !adjectives {
                    return None;
                }
                return Some(((a, k), Some((j, src.1))));
            }
            return Some(((a, k), Some(src)));
        }
        // "Rep. Jim Moss (D-Wash.) said": step over a short parenthesis.
        if lk == "(" && k > j {
            match (k + 1..(k + 8).min(ctx.n())).find(|&c| ctx.tok(c) == ")") {
                Some(c) => {
                    k = c + 1;
                    continue;
                }
                None => return None,
            }
        }
        let word_like = ctx.is_word(k)
            || ctx.is_number(k)
            || (lk == "," && k > j)
            || (matches!(lk, "." | "-" | "’" | "'") && ctx.doc.glued(k) && ctx.is_word(k + 1));
        if !word_like {
            return None;
        }
        k += 1;
    }
    None
}

/// `“... our greatest shame.” ― Sonya Herridge`: a dash and a name standing alone after the
/// quotation attribute it (lists of reactions, epigraphs); the dash is the cue, as PolNeAR
/// marks it. The name must end the line or be followed only by a comma, a full stop or the
/// next quotation, so `” — Trump said ...` is left to the other rules; and the quotation (of
/// `words` words) must be a statement, not a title (`“Wheel And Fight” — Pat Buchanan’s
/// Nixon Book`).
fn dash_name(ctx: &Ctx, close: usize, words: usize) -> Option<Attribution> {
    if words < MIN_WORDS_WITHOUT_CUE {
        return None;
    }
    let d = close + 1;
    if !matches!(ctx.tok(d), "―" | "—" | "–" | "--") || ctx.line_start(d) || !ctx.is_name(d + 1)
    {
        return None;
    }
    let src = ctx.np_fwd(d + 1, ctx.n())?;
    let next = src.1 + 1;
    let alone = next >= ctx.n()
        || ctx.line_start(next)
        || ctx.mark(next).is_some()
        || matches!(ctx.tok(next), "," | "." | ";");
    alone.then_some(((d, d), Some(src)))
}

/// Cue and source before an opening mark: `Konashenkov said: “...`, `He added, “...`,
/// `said Konashenkov: “...`.
fn before(ctx: &Ctx, open: usize) -> Option<Attribution> {
    let mut i = open.checked_sub(1)?;
    // Without a colon or comma only `said “...` itself counts: a cue further back governs a
    // clause that merely ends in a quotation (`said that X is “...”`).
    let reach = if matches!(ctx.tok(i), ":" | ",") {
        i = i.checked_sub(1)?;
        6
    } else if ctx.line_start(open) {
        return None;
    } else {
        0
    };
    let lo = i.saturating_sub(reach);
    let mut k = i;
    loop {
        let lk = ctx.low(k);
        if has(lexicon::SPEECH_VERBS, lk) && lk != "according" {
            let (s0, _) = ctx.sentence(k);
            let a = ctx.aux_start(k, s0);
            let src = a
                .checked_sub(1)
                .and_then(|e| ctx.source_back(e, s0))
                .or_else(|| ctx.np_fwd(k + 1, i + 1));
            return Some(((a, k), src));
        }
        if !ctx.is_word(k) || k <= lo || ctx.line_start(k) || lk == "that" {
            return None;
        }
        k -= 1;
    }
}

/// A quote with no cue of its own that directly follows an attributed quote of the same
/// paragraph (`“...,” he said. “...”`) continues that speaker's words. One too `short` to stand
/// alone (fewer words than [`MIN_WORDS_WITHOUT_CUE`]) continues them only as a whole sentence
/// (`“Nobody asked.”`), not as a scare quote opening the next one (`“Experts” disagree`).
fn inherit(ctx: &Ctx, quotes: &mut [Raw], short: &[bool]) {
    for q in 1..quotes.len() {
        if short[q] {
            let (open, close) = quotes[q].content;
            let sentence = close > open + 1
                && ctx.is_terminal(close - 1)
                && (open == 0 || ctx.is_terminal(open - 1) || ctx.line_start(open));
            if !sentence {
                continue;
            }
        }
        let (prev, rest) = quotes.split_at_mut(q);
        let (Some(p), Some(cur)) = (prev.last(), rest.first_mut()) else {
            continue;
        };
        if cur.cue.is_some() || p.cue.is_none() {
            continue;
        }
        let p_end = [Some(p.content), p.cue, p.source]
            .into_iter()
            .flatten()
            .map(|r| r.1)
            .max()
            .unwrap_or(p.content.1);
        if p_end >= cur.content.0 || ctx.para_of(p_end) != ctx.para_of(cur.content.0) {
            continue;
        }
        // Between them only punctuation, or the rest of the attribution's sentence
        // (`“...,” Reid said in an interview on Wednesday. “...”`).
        let gap = p_end + 1..cur.content.0;
        let punct_only = gap.clone().all(|i| matches!(ctx.tok(i), "." | "," | ";"));
        let tail_only = gap.len() <= 15
            && p.cue.is_some_and(|c| c.1 > p.content.1)
            && cur
                .content
                .0
                .checked_sub(1)
                .is_some_and(|e| ctx.is_terminal(e))
            && gap.clone().filter(|&i| ctx.is_terminal(i)).count() == 1
            && gap.clone().all(|i| {
                ctx.mark(i).is_none()
                    && !has(lexicon::CUE_VERBS, ctx.low(i))
                    && !matches!(ctx.tok(i), ":" | ";" | "(" | ")")
            });
        if punct_only || tail_only {
            cur.cue = p.cue;
            cur.source = p.source;
        }
    }
}
