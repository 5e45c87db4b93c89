//! The learned half of quote finding: three linear-chain CRFs (source, cue, content) over
//! hashed token features, trained on PolNeAR train, that read the rules' own findings as
//! features.
//!
//! The rules are precise but miss about half of PolNeAR's attributions (recall 0.47–0.57):
//! reported speech takes too many shapes for hand-written patterns. A tagger learns the shapes
//! from 840 annotated articles, and because each rule's verdict is one of its features it keeps
//! what the rules get right and learns where they stop short. The CRFs are `unspin_ml`'s, as
//! in the classical detector (two labels, per-token marginals), so a model is a few MB and
//! tags an article in about a millisecond.
//!
//! Tagging gives three sets of token runs; [`QuoteTagger::tag`] links them into statements:
//! each content takes the nearest cue beside it, each cue the nearest source in its sentence,
//! and [`super::speaker`] resolves the speakers as for the rules' statements.

use serde::{Deserialize, Serialize};
use unspin_core::aids::QuoteKind;
use unspin_ml::container::{pack, unpack, Unpack};
use unspin_ml::crf::{Crf, CrfFile, CrfParams, Sequence};

use super::lexicon;
use super::polnear::{Annotated, Role};
use super::vectors::VectorHead;
use super::{gap, Ctx, Raw, Role as MarkRole, MAX_REPORTED_TOKENS};
use crate::consistency::Doc;
use features::features;

mod features;

const MAGIC: &[u8] = b"unspin quotes model\n";
/// A run extends from its confident core over tokens down to this share of the threshold.
const HYSTERESIS: f32 = 0.7;

/// Words a tagged statement without a cue (but with a source) must have.
const MIN_WORDS_WITHOUT_CUE: usize = 6;

/// Nouns of a statement that a cue run may end with, followed by a preposition ("released a
/// statement on"): what follows is the preposition's object ("its website", "Tuesday"), where
/// or about what the statement was made, not its words.
const STATEMENT_NOUNS: &[&str] = &[
    "comment",
    "comments",
    "message",
    "post",
    "release",
    "remarks",
    "report",
    "speech",
    "statement",
    "statements",
    "tweet",
    "video",
];

/// The prepositions of [`STATEMENT_NOUNS`]' objects.
const CUE_PREPOSITIONS: &[&str] = &[
    "about", "at", "by", "for", "from", "in", "of", "on", "over", "to", "with",
];

/// Bumped whenever the features change: a model trained on other features would misread these.
/// 2: the file may carry a [`VectorHead`], whose logits are features of its CRFs. 3: the head
/// may have hidden units.
const FORMAT_VERSION: u32 = 3;

/// The tagger: one CRF per role over the same features, with the marginal probability above
/// which a token is tagged.
#[derive(Debug, Clone)]
pub struct QuoteTagger {
    bits: u32,
    crfs: [Crf; 3],
    /// Per role ([`Role::index`]).
    pub thresholds: [f32; 3],
    /// The vector tagger's head: its CRFs read the head's logits on the detector's vectors,
    /// and without those vectors it tags nothing.
    pub head: Option<VectorHead>,
}

#[derive(Serialize, Deserialize)]
struct TaggerFile {
    bits: u32,
    crfs: Vec<CrfFile>,
    thresholds: [f32; 3],
    head: Option<VectorHead>,
}

/// What training needs to know.
#[derive(Debug, Clone, Copy)]
pub struct TrainParams {
    /// Feature table size: `2^bits` rows.
    pub bits: u32,
    pub crf: CrfParams,
    pub seed: u64,
    pub thresholds: [f32; 3],
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            bits: 18,
            crf: CrfParams {
                epochs: 10,
                ..CrfParams::default()
            },
            seed: 42,
            thresholds: [0.5; 3],
        }
    }
}

impl QuoteTagger {
    /// Trains the three CRFs on annotated texts. A token is inside a role's span when it shares
    /// a code point with one of the span's fragments.
    pub fn train(docs: &[Annotated], params: &TrainParams) -> QuoteTagger {
        Self::train_inner(docs, None, params)
    }

    /// Trains a vector tagger: `logits` are each document's head logits per token (out of
    /// fold, so that the CRFs learn how far to trust them on text the head did not see), and
    /// `head` is the head that will give them at run time.
    pub fn train_with_head(
        docs: &[Annotated],
        logits: &[Vec<[f32; 3]>],
        head: VectorHead,
        params: &TrainParams,
    ) -> QuoteTagger {
        let mut t = Self::train_inner(docs, Some(logits), params);
        t.head = Some(head);
        t
    }

    fn train_inner(
        docs: &[Annotated],
        logits: Option<&[Vec<[f32; 3]>]>,
        params: &TrainParams,
    ) -> QuoteTagger {
        let (seqs, labels): (Vec<Sequence>, Vec<[Vec<bool>; 3]>) = docs
            .iter()
            .enumerate()
            .map(|(k, d)| {
                let document = crate::consistency::document(&d.text);
                let doc = Doc::of(&document);
                let ctx = Ctx::new(&doc);
                let rules = super::rule_raws(&ctx);
                let lg = logits.and_then(|l| l.get(k)).map(Vec::as_slice);
                let seq = features(&ctx, &rules, params.bits, lg);
                (seq, token_labels(&document, d))
            })
            .unzip();
        // Per role, every document's labels (moved, not copied).
        let mut by_role: [Vec<Vec<bool>>; 3] = Default::default();
        for [source, cue, content] in labels {
            by_role[Role::Source.index()].push(source);
            by_role[Role::Cue.index()].push(cue);
            by_role[Role::Content.index()].push(content);
        }
        let crfs = Role::ALL.map(|role| {
            Crf::train(
                params.bits,
                &seqs,
                &by_role[role.index()],
                &params.crf,
                params.seed.wrapping_add(role.index() as u64),
            )
        });
        QuoteTagger {
            bits: params.bits,
            crfs,
            thresholds: params.thresholds,
            head: None,
        }
    }

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let file = TaggerFile {
            bits: self.bits,
            crfs: self.crfs.iter().map(Crf::to_file).collect(),
            thresholds: self.thresholds,
            head: self.head.clone(),
        };
        pack(MAGIC, FORMAT_VERSION, &file)
    }

    /// Parses a model file; any byte string gives a model or an error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<QuoteTagger, String> {
        let file: TaggerFile = unpack(MAGIC, FORMAT_VERSION, bytes).map_err(|e| match e {
            Unpack::Magic => "not an unspin quotes model".to_string(),
            Unpack::Version(v) => {
                format!("quotes model format {v}, this build reads {FORMAT_VERSION}")
            }
            Unpack::Corrupt(m) => format!("corrupt quotes model: {m}"),
        })?;
        let [a, b, c]: [CrfFile; 3] = file.crfs.try_into().map_err(|v: Vec<CrfFile>| {
            format!("{} CRFs in the quotes model, expected 3", v.len())
        })?;
        let crfs = [
            Crf::from_file(&a)?,
            Crf::from_file(&b)?,
            Crf::from_file(&c)?,
        ];
        if crfs
            .iter()
            .any(|c| c.emit.bits != file.bits || c.emit.width != 1)
        {
            return Err("quotes model: the CRFs' tables do not match its feature size".into());
        }
        if file.thresholds.iter().any(|t| !(0.0..=1.0).contains(t)) {
            return Err("quotes model: a threshold outside 0..1".into());
        }
        if let Some(h) = &file.head {
            h.check()?;
        }
        Ok(QuoteTagger {
            bits: file.bits,
            crfs,
            thresholds: file.thresholds,
            head: file.head,
        })
    }

    /// Per role, each token's probability of lying inside a span of that role.
    /// `logits` are the head's per token ([`VectorHead::logits`]), which a tagger with a head
    /// needs (it gives `None` without them, or with a count that is not the document's) and
    /// one without ignores.
    pub(crate) fn marginals(
        &self,
        ctx: &Ctx,
        rules: &[Raw],
        logits: Option<&[[f32; 3]]>,
    ) -> Option<[Vec<f32>; 3]> {
        let logits = match &self.head {
            Some(_) => Some(logits.filter(|l| l.len() == ctx.n())?),
            None => None,
        };
        let seq = features(ctx, rules, self.bits, logits);
        Some([0, 1, 2].map(|r| self.crfs[r].marginals(&seq)))
    }

    /// For diagnostics: each token's code-point span and, per role, its marginal probability
    /// on `text` (`None` as for [`QuoteTagger::marginals`]).
    #[doc(hidden)]
    pub fn token_marginals(&self, text: &str, rows: Option<&[f32]>) -> Option<Diagnostics> {
        let document = crate::consistency::document(text);
        let doc = Doc::of(&document);
        let ctx = Ctx::new(&doc);
        let rules = super::rule_raws(&ctx);
        let logits = self.head_logits(rows, ctx.n());
        let m = self.marginals(&ctx, &rules, logits.as_deref())?;
        let spans: Vec<(usize, usize)> = document
            .tokens
            .iter()
            .map(|t| (t.span.start, t.span.end))
            .collect();
        let chars = |(a, b): (usize, usize)| (spans[a].0, spans[b].1);
        let mut tagged: [Vec<(usize, usize)>; 3] = Default::default();
        for r in self.tag(&ctx, &rules, logits.as_deref()) {
            tagged[0].extend(r.source.map(chars));
            tagged[1].extend(r.cue.map(chars));
            tagged[2].push(chars(r.content));
        }
        Some((spans, m, tagged))
    }

    /// The head's logits from a document's token vectors (`n` rows); `None` without a head,
    /// rows or rows of the head's shape.
    pub(crate) fn head_logits(&self, rows: Option<&[f32]>, n: usize) -> Option<Vec<[f32; 3]>> {
        self.head.as_ref()?.logits(rows?, n)
    }

    /// The statements the tagger finds, as token ranges, in text order (none from a tagger
    /// with a head when `logits` are missing or not one per token).
    pub(crate) fn tag(&self, ctx: &Ctx, rules: &[Raw], logits: Option<&[[f32; 3]]>) -> Vec<Raw> {
        let Some(marg) = self.marginals(ctx, rules, logits) else {
            return Vec::new();
        };
        let [sources, cues, contents] = self.runs(ctx, &marg);
        let runs = Runs {
            sources,
            cues,
            contents: per_paragraph(ctx, contents),
        };
        let mut taken = vec![[false; 2]; runs.cues.len()];
        let mut out = runs.content_statements(ctx, &mut taken);
        out.extend(runs.cue_statements(ctx, &taken));
        out
    }

    /// Per role, the runs of tokens tagged with it that hold a word or a number.
    fn runs(&self, ctx: &Ctx, marg: &[Vec<f32>; 3]) -> [Vec<(usize, usize)>; 3] {
        // Hysteresis: a run is the tokens around a confident core down to 0.7 of the
        // threshold, so that one doubtful word does not cut a long statement in two (0.7 beat
        // 0.5 and 1.0 on the held-out fifth of PolNeAR train).
        [0, 1, 2].map(|r| {
            let p = &marg[r];
            let th = self.thresholds[r];
            runs_above(p, th * HYSTERESIS)
                .into_iter()
                .filter(|&(a, b)| p[a..=b].iter().any(|&x| x >= th))
                .filter(|&(a, b)| (a..=b).any(|i| ctx.is_word(i) || ctx.is_number(i)))
                .collect()
        })
    }
}

/// Content runs cut at paragraph starts and trimmed. One paragraph, one statement: without a
/// begin tag a run would carry a headline into the statement under it, or join the replies of
/// an interview.
fn per_paragraph(ctx: &Ctx, contents: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    contents
        .into_iter()
        .flat_map(|(a, b)| {
            let mut parts = Vec::new();
            let mut s = a;
            for i in a + 1..=b {
                if ctx.line_start(i) {
                    parts.push((s, i - 1));
                    s = i;
                }
            }
            parts.push((s, b));
            parts
        })
        .filter_map(|c| trim_content(ctx, c))
        .collect()
}

/// The tagged runs of one text, per role, each list disjoint and sorted.
struct Runs {
    sources: Vec<(usize, usize)>,
    cues: Vec<(usize, usize)>,
    contents: Vec<(usize, usize)>,
}

impl Runs {
    /// A statement per content run that has a cue, or a source and enough words; `taken`
    /// records, per cue, the sides on which it introduced one.
    fn content_statements(&self, ctx: &Ctx, taken: &mut [[bool; 2]]) -> Vec<Raw> {
        let inq = ctx.quoted();
        let mut out = Vec::new();
        for &content in &self.contents {
            let cue = self.claim_cue(ctx, content, taken);
            // The source sits in the cue's sentence ("X said"; "said X"), or, with no cue, in
            // the content's ("X: …"), outside the content, nearest the cue.
            let anchor = cue.unwrap_or(content);
            let (lo, hi) = ctx.sentence(anchor.0);
            let source = nearest(&self.sources, anchor, |s| {
                s.0 >= lo && s.1 < hi && (s.1 < content.0 || s.0 > content.1)
            });
            // A statement needs a cue, or a source and six words: without them a run is as
            // likely a title, a scare quote ("the so-called “experts”") or a stray phrase as
            // somebody's words, and a reader would see it flagged as unattributed.
            if cue.is_none()
                && (source.is_none() || ctx.words(content.0, content.1) < MIN_WORDS_WITHOUT_CUE)
            {
                continue;
            }
            let kind = if marked(ctx, content) || inq[content.0] {
                QuoteKind::Direct
            } else {
                QuoteKind::Reported
            };
            out.push(Raw {
                kind,
                content,
                cue,
                source,
            });
        }
        out
    }

    /// The cue that introduces `content`, if it is still free on that side. Each cue
    /// introduces at most one content on each side ("“A,” he said, “B.”"), in its paragraph:
    /// `taken` is [before, after] per cue.
    fn claim_cue(
        &self,
        ctx: &Ctx,
        content: (usize, usize),
        taken: &mut [[bool; 2]],
    ) -> Option<(usize, usize)> {
        let cues = &self.cues;
        nearest_cue(ctx, cues, content)
            .filter(|&k| !object_of_cue(ctx, cues[k], content))
            .filter(|&k| {
                let c = cues[k];
                let side = usize::from(c.0 > content.1);
                let free = !taken[k][side]
                    && ctx.para_of(c.0)
                        == ctx.para_of(if side == 1 { content.1 } else { content.0 });
                if free {
                    taken[k][side] = true;
                }
                free
            })
            .map(|k| cues[k])
    }

    /// Statements of the cues that introduced no content run: a cue inside a content run
    /// starts a nested one, a cue after its source the rest of its sentence.
    fn cue_statements(&self, ctx: &Ctx, taken: &[[bool; 2]]) -> Vec<Raw> {
        let mut out = Vec::new();
        for (k, &c) in self.cues.iter().enumerate() {
            if taken[k] != [false; 2] {
                continue;
            }
            let i = self.contents.partition_point(|o| o.1 < c.0);
            let statement = match self.contents.get(i).filter(|o| o.0 < c.0 && c.1 < o.1) {
                Some(&outer) => self.nested(ctx, c, outer),
                None => self.rest_of_sentence(ctx, c, i),
            };
            out.extend(statement);
        }
        out
    }

    /// Nested attributions ("X said that Y believes Z"): cue `c`, inside the content run
    /// `outer`, introduces the rest of that run in its sentence, and its source is the nearest
    /// source before it in the sentence.
    fn nested(&self, ctx: &Ctx, c: (usize, usize), outer: (usize, usize)) -> Option<Raw> {
        let (lo, hi) = ctx.sentence(c.0);
        let end = outer
            .1
            .min(hi.saturating_sub(1))
            .min(c.1 + MAX_REPORTED_TOKENS);
        let content = trim_content(ctx, (c.1 + 1, end)).filter(|&o| !object_of_cue(ctx, c, o))?;
        let source = nearest(&self.sources, c, |s| {
            short(s) && s.0 >= lo.max(outer.0) && s.1 < c.0
        });
        let kind = if marked(ctx, content) {
            QuoteKind::Direct
        } else {
            QuoteKind::Reported
        };
        Some(Raw {
            kind,
            content,
            cue: Some(c),
            source,
        })
    }

    /// "…, they want to lose": cue `c` right after its source, with no content run in its
    /// sentence, introduces the rest of the sentence. `i` is the first content run that does
    /// not end before the cue.
    fn rest_of_sentence(&self, ctx: &Ctx, c: (usize, usize), i: usize) -> Option<Raw> {
        let (lo, hi) = ctx.sentence(c.0);
        let contents = &self.contents;
        let source = nearest(&self.sources, c, |s| {
            short(s) && s.0 >= lo && s.1 < c.0 && c.0 - s.1 <= 3
        })?;
        let free = contents.get(i).is_none_or(|o| o.0 >= hi)
            && i.checked_sub(1).is_none_or(|j| contents[j].1 < lo);
        if !free {
            return None;
        }
        let end = hi.saturating_sub(1).min(c.1 + MAX_REPORTED_TOKENS);
        let content = trim_content(ctx, (c.1 + 1, end)).filter(|&o| !object_of_cue(ctx, c, o))?;
        Some(Raw {
            kind: QuoteKind::Reported,
            content,
            cue: Some(c),
            source: Some(source),
        })
    }
}

/// Whether `content`, unquoted and right after cue `c`, is only the object of the
/// preposition that ends it after a statement noun ("a statement on | its website last
/// night"). A content that goes on into a clause holds the statement too ("a statement on |
/// Tuesday denying the allegations", "a message to | supporters that the fight was not over"),
/// and stays as it is.
pub(super) fn object_of_cue(ctx: &Ctx, c: (usize, usize), content: (usize, usize)) -> bool {
    c.1 > c.0
        && c.1 + 1 == content.0
        && CUE_PREPOSITIONS.contains(&ctx.low(c.1))
        && STATEMENT_NOUNS.contains(&ctx.low(c.1 - 1))
        && !marked(ctx, content)
        && !ctx.quoted()[content.0]
        && !(content.0 + 1..=content.1).any(|i| opens_clause(ctx, i))
}

/// Whether token `i` starts or marks a clause inside a phrase: "that", an infinitive's "to", a
/// comma, or a present participle ("denying"; not "meeting" or "morning").
fn opens_clause(ctx: &Ctx, i: usize) -> bool {
    let w = ctx.low(i);
    matches!(w, "that" | "to" | ",")
        || (lexicon::is_participle(w) && !lexicon::has(lexicon::DAY_PARTS, w))
}

/// Whether a quotation mark opens or closes `content`.
fn marked(ctx: &Ctx, content: (usize, usize)) -> bool {
    ctx.mark(content.0).is_some() || ctx.mark(content.1).is_some()
}

/// A source run short enough to name somebody. The two kinds of statement above take the
/// rest of a run or sentence from many cues at once, so they are held to bounds that keep the
/// output linear in the input: contents of at most [`MAX_REPORTED_TOKENS`] tokens after their
/// cue (which also bounds `trim_content`'s walks) and sources of at most this many tokens
/// (each statement copies its source's text).
fn short(s: &(usize, usize)) -> bool {
    s.1 - s.0 < MAX_SOURCE_TOKENS
}

const MAX_SOURCE_TOKENS: usize = 30;

/// Each token's code-point span, per role its marginals, and per role the code-point spans of
/// the tagger's own statements (before the merge with the rules').
pub type Diagnostics = (Vec<(usize, usize)>, [Vec<f32>; 3], [Vec<(usize, usize)>; 3]);

/// Per role, whether each token of `document` lies inside a gold span of `d` (shares a code
/// point with one of its fragments): what the CRFs and the vector head learn.
pub fn token_labels(document: &unspin_core::Document, d: &Annotated) -> [Vec<bool>; 3] {
    let tokens = &document.tokens;
    Role::ALL.map(|role| {
        let mut inside = vec![false; tokens.len()];
        for span in d.gold.spans(role) {
            for &(a, b) in span {
                let first = tokens.partition_point(|t| t.span.end <= a);
                for (i, t) in tokens.iter().enumerate().skip(first) {
                    if t.span.start >= b {
                        break;
                    }
                    inside[i] = true;
                }
            }
        }
        inside
    })
}

/// Drops punctuation at a content's edges, except quotation marks: PolNeAR's reported
/// contents end before the full stop, its direct ones include the marks.
fn trim_content(ctx: &Ctx, (mut a, mut b): (usize, usize)) -> Option<(usize, usize)> {
    let keep = |i: usize| ctx.is_word(i) || ctx.is_number(i) || ctx.mark(i).is_some();
    while a <= b && !keep(a) {
        a += 1;
    }
    while b > a && !keep(b) {
        b -= 1;
    }
    (a <= b && keep(a)).then_some((a, b))
}

/// The cue that introduces `content`: the nearest cue run outside it, in the sentences the
/// content starts or ends in, or, after a closing quotation mark, the sentence after
/// ("“…” He said." split into two sentences). Returns its index in `cues`.
fn nearest_cue(ctx: &Ctx, cues: &[(usize, usize)], content: (usize, usize)) -> Option<usize> {
    let lo = ctx.sentence(content.0).0;
    let end_sent = ctx.sentence(content.1);
    let closes = matches!(
        ctx.mark(content.1),
        Some((_, MarkRole::Close | MarkRole::Either, _))
    );
    let hi = if end_sent.1 < ctx.n() && closes {
        ctx.sentence(end_sent.1).1
    } else {
        end_sent.1
    };
    // Runs are disjoint and sorted: the candidates are the last cue before the content and
    // the first after it, the earlier winning a tie.
    let after = cues.partition_point(|c| c.0 <= content.1);
    let before = cues.partition_point(|c| c.1 < content.0).checked_sub(1);
    let ok = |k: &usize| cues[*k].0 >= lo && cues[*k].1 < hi;
    let before = before.filter(ok);
    let after = Some(after).filter(|&k| k < cues.len()).filter(ok);
    match (before, after) {
        (Some(b), Some(a)) if gap(cues[a], content) < gap(cues[b], content) => Some(a),
        (Some(b), _) => Some(b),
        (None, a) => a,
    }
}

/// How many runs [`nearest`] steps over on each side looking for one that qualifies.
const NEAREST_STEPS: usize = 16;

/// The run of `runs` (disjoint, sorted) nearest `anchor` that passes `ok`, the earlier on
/// ties, looking a few runs each way: a bounded search, so a text of many runs stays linear.
fn nearest(
    runs: &[(usize, usize)],
    anchor: (usize, usize),
    ok: impl Fn(&(usize, usize)) -> bool,
) -> Option<(usize, usize)> {
    let split = runs.partition_point(|r| r.1 < anchor.0);
    let back = runs[..split]
        .iter()
        .rev()
        .take(NEAREST_STEPS)
        .find(|r| ok(r));
    let fwd = runs[split..].iter().take(NEAREST_STEPS).find(|r| ok(r));
    match (back, fwd) {
        (Some(b), Some(f)) if gap(*f, anchor) < gap(*b, anchor) => Some(*f),
        (Some(b), _) => Some(*b),
        (None, f) => f.copied(),
    }
}

/// Maximal runs of tokens whose probability reaches `threshold`, inclusive token ranges.
fn runs_above(p: &[f32], threshold: f32) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &x) in p.iter().enumerate() {
        match (x >= threshold, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, p.len() - 1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_tokens_at_or_above_the_threshold() {
        assert_eq!(
            runs_above(&[0.1, 0.6, 0.5, 0.2, 0.9], 0.5),
            vec![(1, 2), (4, 4)]
        );
        assert!(runs_above(&[], 0.5).is_empty());
    }

    #[test]
    fn a_model_file_round_trips_and_garbage_is_an_error() {
        let doc = Annotated {
            id: "a".into(),
            text: "He said that taxes would rise. “No,” she said.".into(),
            gold: super::super::polnear::parse_ann(
                "T1\tSource 0 2\tHe\nT2\tCue 3 7\tsaid\nT3\tContent 8 29\tx\n",
            ),
        };
        let params = TrainParams {
            bits: 10,
            ..TrainParams::default()
        };
        let m = QuoteTagger::train(std::slice::from_ref(&doc), &params);
        let back = QuoteTagger::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(back.thresholds, m.thresholds);
        assert_eq!(back.crfs[1].emit.w, m.crfs[1].emit.w);
        assert!(QuoteTagger::from_bytes(b"junk").is_err());
        let mut bytes = m.to_bytes();
        bytes.truncate(bytes.len() / 2);
        assert!(QuoteTagger::from_bytes(&bytes).is_err());

        // With a head: it travels in the file, and without rows the tagger tags nothing.
        let n = crate::consistency::document(&doc.text).tokens.len();
        let head = VectorHead {
            encoder: "e".into(),
            width: 2,
            context: 1,
            hidden: 0,
            hidden_weights: Vec::new(),
            hidden_bias: Vec::new(),
            weights: [vec![0.5; 6], vec![-0.5; 6], vec![0.0; 6]],
            bias: [0.0; 3],
        };
        let rows: Vec<f32> = (0..2 * n).map(|i| i as f32 / 10.0).collect();
        let logits = head.logits(&rows, n).unwrap();
        let v = QuoteTagger::train_with_head(
            std::slice::from_ref(&doc),
            &[logits],
            head.clone(),
            &params,
        );
        let back = QuoteTagger::from_bytes(&v.to_bytes()).unwrap();
        assert_eq!(back.head.as_ref(), Some(&head));
        let document = crate::consistency::document(&doc.text);
        let d = Doc::of(&document);
        let ctx = Ctx::new(&d);
        let rules = super::super::rule_raws(&ctx);
        assert!(back.marginals(&ctx, &rules, None).is_none());
        assert!(back.tag(&ctx, &rules, None).is_empty());
        let logits = back.head_logits(Some(&rows), n).unwrap();
        assert_eq!(back.head_logits(Some(&rows[1..]), n), None);
        assert!(back.tag(&ctx, &rules, Some(&logits[1..])).is_empty());
        let m = back.marginals(&ctx, &rules, Some(&logits)).unwrap();
        assert!(m.iter().all(|p| p.len() == n));
    }
}
