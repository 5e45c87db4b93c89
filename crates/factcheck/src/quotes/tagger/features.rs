//! The tagger's token features: hashed words, shapes, lexicon classes, the nearest cue verb,
//! the sentence, the rules' own findings and, for a vector tagger, its head's logits.
//!
//! A trained model's rows are these features' hashes, and training sums each token's rows in
//! the order they are appended, so names, values and order are part of the model format: any
//! change needs a new `FORMAT_VERSION` and retrained models.

use unspin_core::aids::QuoteKind;
use unspin_ml::crf::Sequence;
use unspin_ml::hash::{combine, hash_bytes};
use unspin_ml::sparse::row_index;

use crate::quotes::lexicon::{self, has};
use crate::quotes::{Ctx, Raw};

/// A coarse word shape: "Konashenkov" → "Xx", "U.S." → "X.X.", "2018" → "d".
fn shape(tok: &str) -> String {
    let mut s = String::new();
    for c in tok.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if !s.ends_with(k) {
            s.push(k);
        }
        if s.len() >= 6 {
            break;
        }
    }
    s
}

/// Each token's place in the rules' statements, per role (source, cue, content): 0 outside,
/// 1 first token, 2 later token; plus 2 when the statement is a direct quote.
fn rule_tags(n: usize, rules: &[Raw]) -> Vec<[u8; 3]> {
    // A run's first token gets 1 (3 when direct), the rest 2 (4); a token takes the highest
    // value any run gives it. The insides are counted with running sums rather than written
    // run by run: contents that all reach the end of one endless sentence made that quadratic.
    let mut tags = vec![[0u8; 3]; n];
    // Per role: runs opening (+1) and closing (-1) inside, plain and direct, at each token.
    let mut inside = vec![[[0i32; 2]; 3]; n + 1];
    let mut mark = |range: Option<(usize, usize)>, role: usize, direct: bool| {
        if let Some((a, b)) = range {
            let end = b.saturating_add(1).min(n);
            if a < end {
                let first = if direct { 3 } else { 1 };
                tags[a][role] = tags[a][role].max(first);
                inside[a + 1][role][usize::from(direct)] += 1;
                inside[end][role][usize::from(direct)] -= 1;
            }
        }
    };
    for r in rules {
        let direct = r.kind == QuoteKind::Direct;
        mark(r.source, 0, direct);
        mark(r.cue, 1, direct);
        mark(Some(r.content), 2, direct);
    }
    let mut open = [[0i32; 2]; 3];
    for (t, tag) in tags.iter_mut().enumerate() {
        for role in 0..3 {
            open[role][0] += inside[t][role][0];
            open[role][1] += inside[t][role][1];
            let v = if open[role][1] > 0 {
                4
            } else if open[role][0] > 0 {
                2
            } else {
                0
            };
            tag[role] = tag[role].max(v);
        }
    }
    tags
}

/// Distance bucket, signed: where the nearest cue verb of the sentence lies from a token.
fn bucket(d: isize) -> &'static str {
    match d {
        ..=-11 => "<<",
        -10..=-4 => "<",
        -3..=-2 => "-2",
        -1 => "-1",
        0 => "0",
        1 => "+1",
        2..=3 => "+2",
        4..=10 => ">",
        _ => ">>",
    }
}

/// A head logit as a feature value: whole steps from -6 to 6.
fn logit_bin(z: f32) -> &'static str {
    const BINS: [&str; 13] = [
        "-6", "-5", "-4", "-3", "-2", "-1", "0", "1", "2", "3", "4", "5", "6",
    ];
    let k = if z.is_nan() {
        0.0
    } else {
        z.round().clamp(-6.0, 6.0)
    };
    BINS[(k + 6.0) as usize]
}

/// Hashed features of every token, reduced to rows of a `2^bits` table; `logits`, a vector
/// head's per token, add features of their own.
pub(super) fn features(
    ctx: &Ctx,
    rules: &[Raw],
    bits: u32,
    logits: Option<&[[f32; 3]]>,
) -> Sequence {
    let n = ctx.n();
    let logits = logits.filter(|l| l.len() == n);
    let cue_verb: Vec<bool> = (0..n)
        .map(|i| has(lexicon::CUE_VERBS, ctx.low(i)))
        .collect();
    let views = Views {
        ctx,
        bits,
        tags: rule_tags(n, rules),
        inq: ctx.quoted(),
        near: nearest_cues(ctx, &cue_verb),
        sentence_has_mark: sentences_with_marks(ctx),
        cue_verb,
        logits,
        near_vcue: logits
            .map(|l| {
                let cue: Vec<bool> = l.iter().map(|z| z[1] > 0.0).collect();
                nearest_cues(ctx, &cue)
            })
            .unwrap_or_default(),
    };
    let mut offsets = Vec::with_capacity(n + 1);
    let mut feats = Vec::with_capacity(n * 40);
    offsets.push(0u32);
    for t in 0..n {
        views.token_features(t, &mut feats);
        offsets.push(feats.len() as u32);
    }
    Sequence { offsets, feats }
}

/// Per sentence, one sweep `f(a, b)` over each sentence's token range `a..b`.
fn for_each_sentence(ctx: &Ctx, mut f: impl FnMut(usize, usize)) {
    let n = ctx.n();
    let mut i = 0;
    while i < n {
        let (a, b) = ctx.sentence(i);
        let (a, b) = (a.min(i), b.max(i + 1).min(n));
        f(a, b);
        i = b;
    }
}

/// Nearest cue verb in the sentence of each token, as (cue index - token index), the earlier
/// on ties: one sweep each way, so a long sentence full of cue verbs stays linear.
fn nearest_cues(ctx: &Ctx, cue_verb: &[bool]) -> Vec<Option<isize>> {
    let mut near = vec![None::<isize>; ctx.n()];
    for_each_sentence(ctx, |a, b| {
        let mut prev = None;
        for t in a..b {
            if cue_verb[t] {
                prev = Some(t);
            }
            near[t] = prev.map(|k| k as isize - t as isize);
        }
        let mut next = None;
        for t in (a..b).rev() {
            if cue_verb[t] {
                next = Some(t);
            }
            if let Some(k) = next {
                let d = k as isize - t as isize;
                if near[t].is_none_or(|p| d < -p) {
                    near[t] = Some(d);
                }
            }
        }
    });
    near
}

/// Whether each token's sentence holds a quotation mark.
fn sentences_with_marks(ctx: &Ctx) -> Vec<bool> {
    let mut v = vec![false; ctx.n()];
    for_each_sentence(ctx, |a, b| {
        let any = (a..b).any(|k| ctx.mark(k).is_some());
        v[a..b].fill(any);
    });
    v
}

/// What the features of one token are computed from.
struct Views<'a> {
    ctx: &'a Ctx<'a, 'a>,
    bits: u32,
    /// The rules' source, cue and content tags of each token.
    tags: Vec<[u8; 3]>,
    /// Inside quotation marks.
    inq: &'a [bool],
    cue_verb: Vec<bool>,
    near: Vec<Option<isize>>,
    sentence_has_mark: Vec<bool>,
    /// A vector head's logits per token, when the tagger has a head.
    logits: Option<&'a [[f32; 3]]>,
    /// With logits: the nearest token of the sentence the head takes for a cue, as
    /// [`nearest_cues`] gives it.
    near_vcue: Vec<Option<isize>>,
}

/// What several feature groups of one token read.
struct Token<'a> {
    t: usize,
    /// The lowercased word.
    word: &'a str,
    shape: String,
    /// "q" inside quotation marks, "-" outside.
    inside: &'static str,
    /// The [`bucket`] of the nearest cue verb, "none" without one.
    near: &'static str,
    /// The rules' tags as digits ([`digits`]).
    rule: [u8; 3],
}

/// The rows of one token as they are appended, each feature reduced to a row of the `2^bits`
/// table.
struct Rows<'v> {
    bits: u32,
    feats: &'v mut Vec<u32>,
}

impl Rows<'_> {
    fn push(&mut self, h: u64) {
        self.feats.push(row_index(self.bits, 1, h) as u32);
    }

    fn named(&mut self, name: &str, value: &str) {
        self.push(feature(name, value));
    }

    /// A conjunction: feature `name` with `value`, combined with a second value.
    fn pair(&mut self, name: &str, value: &str, other: &str) {
        self.push(combine(feature(name, value), hash_bytes(other.as_bytes())));
    }
}

fn feature(name: &str, value: &str) -> u64 {
    combine(hash_bytes(name.as_bytes()), hash_bytes(value.as_bytes()))
}

/// A token's three rule tags (each 0–4, 9 past the ends) as the ASCII digits "012": hashed as
/// that string, without allocating it for every token.
fn digits(tags: [u8; 3]) -> [u8; 3] {
    tags.map(|d| b'0' + d)
}

fn as_str(digits: &[u8; 3]) -> &str {
    std::str::from_utf8(digits).unwrap_or_default()
}

impl Views<'_> {
    /// Appends the feature rows of token `t`, group by group in the model's order (see the
    /// module's comment).
    fn token_features(&self, t: usize, feats: &mut Vec<u32>) {
        let tok = self.token(t);
        let out = &mut Rows {
            bits: self.bits,
            feats,
        };
        self.word_features(&tok, out);
        self.class_features(&tok, out);
        self.cue_features(&tok, out);
        self.sentence_features(t, out);
        self.rule_features(&tok, out);
        if let Some(lg) = self.logits {
            self.head_features(&tok, lg, out);
        }
    }

    fn token(&self, t: usize) -> Token<'_> {
        Token {
            t,
            word: self.word(t as isize),
            shape: shape(self.ctx.tok(t)),
            inside: if self.inq[t] { "q" } else { "-" },
            near: self.near[t].map_or("none", bucket),
            rule: digits(self.tags[t]),
        }
    }

    /// The lowercased word at `i`, or a pad past either end.
    fn word(&self, i: isize) -> &str {
        if i < 0 || i as usize >= self.ctx.n() {
            "<pad>"
        } else {
            self.ctx.low(i as usize)
        }
    }

    /// The word and its neighbours, its shape, and whether it is quoted.
    fn word_features(&self, tok: &Token, out: &mut Rows) {
        let (ti, w0, sh) = (tok.t as isize, tok.word, tok.shape.as_str());
        out.named("bias", "");
        out.named("w", w0);
        out.named("w-1", self.word(ti - 1));
        out.named("w+1", self.word(ti + 1));
        out.named("w-2", self.word(ti - 2));
        out.named("w+2", self.word(ti + 2));
        out.pair("w-1w", self.word(ti - 1), w0);
        out.pair("ww+1", w0, self.word(ti + 1));
        out.named("shape", sh);
        out.pair("shape,w-1", sh, self.word(ti - 1));
        out.named("inq", tok.inside);
        out.pair("inq,shape", tok.inside, sh);
    }

    /// The word classes that name speakers and their verbs.
    fn class_features(&self, tok: &Token, out: &mut Rows) {
        let (t, w0) = (tok.t, tok.word);
        if self.ctx.is_name(t) {
            out.named("name", "");
        }
        if self.cue_verb[t] {
            out.named("cueverb", "");
        }
        if has(lexicon::PERSON_PRONOUNS, w0) || has(lexicon::OTHER_PRONOUNS, w0) {
            out.named("pronoun", "");
        }
        if has(lexicon::ROLE_NOUNS, w0) {
            out.named("rolenoun", "");
        }
        if has(lexicon::VAGUE_HEADS, w0) {
            out.named("vague", "");
        }
    }

    /// Where the sentence's nearest cue verb is, and which verb it is.
    fn cue_features(&self, tok: &Token, out: &mut Rows) {
        out.named("nearcue", tok.near);
        out.pair("nearcue,inq", tok.near, tok.inside);
        out.pair("nearcue,shape", tok.near, &tok.shape);
        if let Some(d) = self.near[tok.t] {
            let k = (tok.t as isize + d) as usize;
            out.pair("nearcue,verb", tok.near, self.ctx.low(k));
        }
    }

    /// The token's place in its sentence and paragraph, and whether the sentence quotes.
    fn sentence_features(&self, t: usize, out: &mut Rows) {
        let (sa, sb) = self.ctx.sentence(t);
        let pos = if t == sa {
            "first"
        } else if t + 1 >= sb {
            "last"
        } else {
            "mid"
        };
        out.named("sentpos", pos);
        if self.ctx.line_start(t) {
            out.named("linestart", "");
        }
        let mark = if self.sentence_has_mark[t] { "y" } else { "n" };
        out.named("sentmark", mark);
    }

    /// The rules' verdicts on the token and its neighbours.
    fn rule_features(&self, tok: &Token, out: &mut Rows) {
        let (t, tags) = (tok.t, &self.tags);
        let rule = as_str(&tok.rule);
        out.named("rule", rule);
        out.pair("rule,w", rule, tok.word);
        out.pair("rule,near", rule, tok.near);
        let prev = digits(if t > 0 { tags[t - 1] } else { [9; 3] });
        let next = digits(tags.get(t + 1).copied().unwrap_or([9; 3]));
        out.named("rule-1", as_str(&prev));
        out.named("rule+1", as_str(&next));
    }

    /// A vector tagger's: its head's logits for the token and its neighbours, and the nearest
    /// token the head takes for a cue.
    fn head_features(&self, tok: &Token, lg: &[[f32; 3]], out: &mut Rows) {
        const NAMES: [[&str; 5]; 3] = [
            ["vs", "vs,rule", "vs-1", "vs+1", "vs,inq"],
            ["vc", "vc,rule", "vc-1", "vc+1", "vc,inq"],
            ["vt", "vt,rule", "vt-1", "vt+1", "vt,inq"],
        ];
        let t = tok.t;
        for (r, names) in NAMES.iter().enumerate() {
            let b = logit_bin(lg[t][r]);
            out.named(names[0], b);
            out.push(combine(feature(names[1], b), u64::from(self.tags[t][r])));
            let prev = if t > 0 { logit_bin(lg[t - 1][r]) } else { "<" };
            let next = lg.get(t + 1).map_or(">", |l| logit_bin(l[r]));
            out.named(names[2], prev);
            out.named(names[3], next);
            out.pair(names[4], b, tok.inside);
        }
        let vnear = self.near_vcue[t].map_or("none", bucket);
        out.named("vnearcue", vnear);
        out.pair("vnearcue,inq", vnear, tok.inside);
        out.pair("vnearcue,vt", vnear, logit_bin(lg[t][2]));
        out.pair("vnearcue,vs", vnear, logit_bin(lg[t][0]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_coarse() {
        assert_eq!(shape("Konashenkov"), "Xx");
        assert_eq!(shape("U.S."), "X.X.");
        assert_eq!(shape("2018"), "d");
    }
}
