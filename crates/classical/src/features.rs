//! Feature extraction for the SI tagger (per token) and the TC classifier (per span).
//!
//! Features are hashed: each is a template id combined with precomputed per-token hashes, so
//! extraction allocates no strings on the hot path (the speed target is 2 MB of text per second
//! on one core). The features follow what distinguishes the techniques: the words themselves and
//! their neighbours, casing and punctuation the writer chose, quotes, position in the sentence
//! and article, repetition within the article, and lexicons learned from the training data.

use crate::hash::{combine, fnv_extend, hash_bytes, FNV_OFFSET};
use crate::lexicon::{CountTable, Lexicon, NO_VALUE};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;
use unspin_core::{CharSpan, Document, TokenKind};

/// Feature templates; the id is hashed in, so templates never collide with each other.
#[derive(Clone, Copy)]
#[repr(u8)]
enum T {
    Bias = 1,
    Word,
    WordAt,
    Bigram,
    Shape,
    Suffix,
    Lex,
    LexAt,
    LexPair,
    SentLex,
    SentLen,
    SentPunct,
    SentPos,
    RelPos,
    Quote,
    Title,
    RepWord,
    RepTrigram,
    Caps,
    WordQuote,
    SentLexWord,
    // TC templates
    SpanWord,
    SpanBigram,
    SpanText,
    SpanFirst,
    SpanLast,
    SpanLen,
    SpanCharLen,
    Context,
    SpanRep,
    SpanRepLater,
    SpanInTitle,
    SpanPunct,
    SpanQuote,
    SpanCover,
    SpanLexTechnique,
    SpanSuffix,
    SpanCaps,
    SpanSentLex,
    SpanLexMax,
}

#[inline]
fn f(t: T, v: u64) -> u64 {
    combine(t as u64, v)
}

#[inline]
fn f2(t: T, a: u64, b: u64) -> u64 {
    combine(combine(t as u64, a), b)
}

/// Hash of the lowercased text, computed char by char without allocating.
fn hash_lower(s: &str) -> u64 {
    let mut buf = [0u8; 4];
    s.chars()
        .flat_map(char::to_lowercase)
        .fold(FNV_OFFSET, |h, c| {
            fnv_extend(h, c.encode_utf8(&mut buf).as_bytes())
        })
}

/// Hash of the word shape: X for upper, x for lower, d for digit, other chars kept; runs of
/// the same class collapse ("Konashenkov" → "Xx", "11,775" → "d,d").
fn hash_shape(s: &str) -> u64 {
    let mut out = [0u8; 8];
    let mut n = 0;
    let mut last = 0u8;
    for c in s.chars() {
        let k = if c.is_uppercase() {
            b'X'
        } else if c.is_lowercase() {
            b'x'
        } else if c.is_numeric() {
            b'd'
        } else if c.is_ascii() {
            c as u8
        } else {
            b'*'
        };
        if k != last && n < out.len() {
            out[n] = k;
            n += 1;
        }
        last = k;
    }
    hash_bytes(&out[..n])
}

fn hash_suffix(s: &str) -> u64 {
    let n = s.chars().count();
    if n <= 3 {
        return 0;
    }
    let start = s.char_indices().nth(n - 3).map(|(b, _)| b).unwrap_or(0);
    hash_lower(&s[start..])
}

fn bucket(x: usize, edges: &[usize]) -> u64 {
    edges.iter().position(|&e| x < e).unwrap_or(edges.len()) as u64
}

/// Everything about a document that features read, computed once per document.
/// How far [`DocInfo::occurrences`] counts: the repetition features put every count from 6 up
/// in one bucket.
const REPEATS_COUNTED: usize = 6;

/// When this many positions of a span's rarest token have not settled its count,
/// [`DocInfo::occurrences`] looks for the span's rarest k-gram instead. An ordinary article
/// never gets there: a token that common sits in a span with rarer ones, and a span of common
/// tokens that is itself common settles within a few.
const LONG_SCAN: usize = 512;

/// The k-gram lengths [`GramIndex`] keeps: a span of `L` tokens holds a k-gram of more than
/// half its length, up to 16 tokens, rare even in a text of two words (2^16 kinds).
const GRAM_LENGTHS: [usize; 4] = [2, 4, 8, 16];

/// Where each k-gram of a document starts, for each k in [`GRAM_LENGTHS`]: start positions
/// ordered by (k-gram hash, position), so one k-gram's starts are a run found by binary
/// search, in ascending order. Hashes are polynomial over the token hashes modulo the Mersenne
/// prime 2^61 − 1 (a power-of-two modulus falls to texts like Thue–Morse's without any
/// crafting); a collision only adds a candidate, which [`DocInfo::count_at`] compares token by
/// token, so a text crafted against this fixed base costs time, never a wrong count.
///
/// Memory: 8 bytes per token for the prefix hashes and 4 per token and length for the starts,
/// 24 bytes a token in all, plus 16 a token while one length's starts are sorted; built only
/// for texts that need it.
struct GramIndex {
    /// `prefix[i]`: hash of the first `i` tokens.
    prefix: Vec<u64>,
    /// `BASE^k` for each k in [`GRAM_LENGTHS`].
    pow: [u64; 4],
    starts: [Vec<u32>; 4],
}

const MERSENNE_61: u64 = (1 << 61) - 1;
const BASE: u64 = 0x1f3d_5b79_a2c4_e681 % MERSENNE_61;

/// `a·b mod 2^61 − 1` for `a, b` below the modulus, by folding the high bits onto the low ones
/// (2^61 ≡ 1) instead of a 128-bit division.
fn mul_mod(a: u64, b: u64) -> u64 {
    let x = a as u128 * b as u128;
    let folded = (x as u64 & MERSENNE_61) + (x >> 61) as u64;
    if folded >= MERSENNE_61 {
        folded - MERSENNE_61
    } else {
        folded
    }
}

impl GramIndex {
    fn new(tokens: &[u64]) -> Self {
        let mut prefix = Vec::with_capacity(tokens.len() + 1);
        prefix.push(0);
        for &t in tokens {
            let last = *prefix.last().unwrap_or(&0);
            prefix.push((mul_mod(last, BASE) + t % MERSENNE_61) % MERSENNE_61);
        }
        let pow = GRAM_LENGTHS.map(|k| (0..k).fold(1, |p, _| mul_mod(p, BASE)));
        let mut index = GramIndex {
            prefix,
            pow,
            starts: Default::default(),
        };
        for (slot, &k) in GRAM_LENGTHS.iter().enumerate() {
            let mut keyed: Vec<(u64, u32)> = (0..(tokens.len() + 1).saturating_sub(k))
                .map(|i| (index.hash(slot, i), i as u32))
                .collect();
            keyed.sort_unstable();
            let mut starts: Vec<u32> = keyed.into_iter().map(|(_, i)| i).collect();
            // Collecting in place keeps the sort buffer's 16 bytes a start.
            starts.shrink_to_fit();
            index.starts[slot] = starts;
        }
        index
    }

    /// The hash of the k-gram starting at `i`, k = `GRAM_LENGTHS[slot]`.
    fn hash(&self, slot: usize, i: usize) -> u64 {
        let k = GRAM_LENGTHS[slot];
        let head = mul_mod(self.prefix[i], self.pow[slot]);
        (self.prefix[i + k] + MERSENNE_61 - head) % MERSENNE_61
    }

    /// The starts of every k-gram hashing like the one at `i`, in ascending order.
    fn run(&self, slot: usize, i: usize) -> &[u32] {
        let h = self.hash(slot, i);
        let starts = &self.starts[slot];
        let key = |&p: &u32| (self.hash(slot, p as usize), p);
        let lo = starts.partition_point(|p| key(p) < (h, 0));
        let hi = starts.partition_point(|p| key(p) <= (h, u32::MAX));
        &starts[lo..hi]
    }

    /// The span `a..b`'s rarest k-gram of the longest indexed length that fits (`b - a` is at
    /// least the shortest): its offset in the span and its starts.
    fn rarest_in(&self, a: usize, b: usize) -> (usize, &[u32]) {
        let n = b - a;
        debug_assert!(
            n >= GRAM_LENGTHS[0],
            "span {a}..{b} shorter than the shortest k-gram"
        );
        let slot = GRAM_LENGTHS.iter().rposition(|&k| k <= n).unwrap_or(0);
        let k = GRAM_LENGTHS[slot];
        (0..=n - k)
            .map(|o| (o, self.run(slot, a + o)))
            .min_by_key(|(_, run)| run.len())
            .unwrap_or((0, &[]))
    }
}

pub struct DocInfo<'d> {
    pub doc: &'d Document,
    /// Hash of each token's lowercased text.
    pub lower: Vec<u64>,
    shape: Vec<u64>,
    suffix: Vec<u64>,
    /// Lexicon rate bucket per token.
    pub lex: Vec<u8>,
    in_quote: Vec<bool>,
    /// Borrowed from the document's shared view.
    sent_of: &'d [usize],
    word_count: FxHashMap<u64, u32>,
    trigram_count: FxHashMap<u64, u32>,
    /// Where each token (by lowercased hash) occurs, in order: `occurrences` looks only where
    /// a span's rarest token is, instead of scanning the whole article once per candidate
    /// span, which made analysis quadratic (a 16 MB text took 150 s, 11 times its 1 MB rate).
    positions: FxHashMap<u64, Vec<u32>>,
    /// Where each k-gram starts, built the first time a span's every token is common (see
    /// [`LONG_SCAN`]); never, in ordinary articles.
    grams: OnceLock<GramIndex>,
    /// Per sentence: highest lexicon bucket, mean bucket (×2), and punctuation flags.
    sent_lex_max: Vec<u8>,
    sent_lex_mean: Vec<u8>,
    sent_punct: Vec<u8>,
    title_end: usize,
}

/// What the span features read from a span's words, gathered in the one pass that also
/// appends each word's own features.
struct SpanTally {
    /// Hash of the span's lowercased words in order.
    text_hash: u64,
    /// Per technique, the highest lexicon lift of any word.
    lifts_max: [u8; unspin_core::Technique::COUNT],
    lex_max: u8,
    /// Words starting with a capital, and words.
    caps: usize,
    words: usize,
    /// Flags: 1 "!", 2 "?", 4 a quotation mark, 8 "," or ";".
    punct: u64,
}

/// Counts of words inside and outside the gold spans of one document, for the lexicon.
pub fn count_words(
    doc: &Document,
    spans: &[(CharSpan, Option<unspin_core::Technique>)],
) -> CountTable {
    let mut table = CountTable::default();
    for (i, tok) in doc.tokens.iter().enumerate() {
        if tok.kind != TokenKind::Word {
            continue;
        }
        let e = table.entry(hash_lower(doc.token_text(i))).or_default();
        e.total += 1;
        let mut inside = false;
        for (s, t) in spans {
            if s.overlap(&tok.span) * 2 >= tok.span.len() {
                inside = true;
                if let Some(t) = t {
                    e.per_technique[t.index()] += 1;
                }
            }
        }
        if inside {
            e.in_span += 1;
        }
    }
    table
}

impl<'d> DocInfo<'d> {
    /// Precomputes token and sentence facts. `exclude` holds this document's own word counts
    /// when it is a training document (see [`crate::lexicon`]). One sweep over the tokens
    /// fills every per-token view at once, which is why it is long.
    pub fn new(doc: &'d Document, lexicon: &Lexicon, exclude: Option<&CountTable>) -> Self {
        let n = doc.tokens.len();
        let text = doc.text();
        let mut lower = Vec::with_capacity(n);
        let mut shape = Vec::with_capacity(n);
        let mut suffix = Vec::with_capacity(n);
        let mut lex = Vec::with_capacity(n);
        let mut in_quote = Vec::with_capacity(n);
        let mut word_count: FxHashMap<u64, u32> = FxHashMap::default();
        let mut positions: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        let mut quote = false;
        for (i, tok) in doc.tokens.iter().enumerate() {
            let s = tok.text(text);
            let h = hash_lower(s);
            lower.push(h);
            // u32: a text within the input limits has far fewer than 4 billion tokens.
            positions.entry(h).or_default().push(i as u32);
            shape.push(hash_shape(s));
            suffix.push(hash_suffix(s));
            if tok.kind == TokenKind::Word {
                lex.push(lexicon.rate_bucket(h, exclude));
                *word_count.entry(h).or_default() += 1;
            } else {
                lex.push(NO_VALUE);
            }
            if tok.line_start {
                quote = false;
            }
            match s {
                "“" | "«" => quote = true,
                "”" | "»" => quote = false,
                "\"" => quote = !quote,
                _ => {}
            }
            in_quote.push(quote);
        }
        let mut trigram_count: FxHashMap<u64, u32> = FxHashMap::default();
        for i in 0..n.saturating_sub(2) {
            *trigram_count
                .entry(combine(combine(lower[i], lower[i + 1]), lower[i + 2]))
                .or_default() += 1;
        }
        let sent_of = doc.sentence_of();
        let mut sent_lex_max = Vec::with_capacity(doc.sentences.len());
        let mut sent_lex_mean = Vec::with_capacity(doc.sentences.len());
        let mut sent_punct = Vec::with_capacity(doc.sentences.len());
        for s in &doc.sentences {
            let mut max = 0u8;
            let mut sum = 0u32;
            let mut cnt = 0u32;
            let mut punct = 0u8;
            for i in s.tokens.clone() {
                if lex[i] != NO_VALUE {
                    max = max.max(lex[i]);
                    sum += lex[i] as u32;
                    cnt += 1;
                }
                match doc.token_text(i) {
                    "!" => punct |= 1,
                    "?" => punct |= 2,
                    "“" | "\"" | "”" => punct |= 4,
                    _ => {}
                }
            }
            sent_lex_max.push(max);
            sent_lex_mean.push((2 * sum).checked_div(cnt).unwrap_or(0) as u8);
            sent_punct.push(punct);
        }
        // PTC articles start with a title line; treat the first line as the title.
        let title_end = doc
            .tokens
            .iter()
            .skip(1)
            .position(|t| t.line_start)
            .map(|p| p + 1)
            .unwrap_or(n);
        DocInfo {
            doc,
            lower,
            shape,
            suffix,
            lex,
            in_quote,
            sent_of,
            word_count,
            trigram_count,
            positions,
            grams: OnceLock::new(),
            sent_lex_max,
            sent_lex_mean,
            sent_punct,
            title_end,
        }
    }

    fn word(&self, i: isize) -> u64 {
        if i < 0 {
            1
        } else if i as usize >= self.lower.len() {
            2
        } else {
            self.lower[i as usize]
        }
    }

    fn lex_at(&self, i: isize) -> u64 {
        if i < 0 || i as usize >= self.lex.len() {
            200
        } else {
            self.lex[i as usize] as u64
        }
    }

    /// Appends the SI features of token `i` to `out`, group by group. The order is part of the
    /// model: training sums a token's weights in it, so reordering changes the trained bytes.
    pub fn token_features(&self, i: usize, out: &mut Vec<u64>) {
        self.word_features(i, out);
        self.lexicon_features(i, out);
        self.sentence_features(i, out);
        self.place_features(i, out);
        self.repetition_features(i, out);
        self.caps_features(i, out);
    }

    /// The word, its neighbours, its shape and suffix.
    fn word_features(&self, i: usize, out: &mut Vec<u64>) {
        let ii = i as isize;
        let w = self.lower[i];
        out.push(f(T::Bias, 0));
        out.push(f(T::Word, w));
        for d in [-2isize, -1, 1, 2] {
            out.push(f2(T::WordAt, d as u64, self.word(ii + d)));
        }
        out.push(f2(T::Bigram, self.word(ii - 1), w));
        out.push(f2(T::Bigram, w, self.word(ii + 1) ^ 0x55));
        out.push(f(T::Shape, self.shape[i]));
        if self.suffix[i] != 0 {
            out.push(f(T::Suffix, self.suffix[i]));
        }
    }

    /// The lexicon's rate buckets of the word and its neighbours.
    fn lexicon_features(&self, i: usize, out: &mut Vec<u64>) {
        let ii = i as isize;
        out.push(f(T::Lex, self.lex[i] as u64));
        for d in [-2isize, -1, 1, 2] {
            out.push(f2(T::LexAt, d as u64, self.lex_at(ii + d)));
        }
        out.push(f2(T::LexPair, self.lex_at(ii - 1), self.lex[i] as u64));
        out.push(f2(
            T::LexPair,
            self.lex[i] as u64 + 300,
            self.lex_at(ii + 1),
        ));
    }

    /// The sentence's lexicon scores, length and punctuation, and the token's place in it.
    fn sentence_features(&self, i: usize, out: &mut Vec<u64>) {
        let si = self.sent_of[i];
        let sent = &self.doc.sentences[si];
        out.push(f2(
            T::SentLex,
            self.sent_lex_max[si] as u64,
            self.sent_lex_mean[si] as u64,
        ));
        out.push(f2(
            T::SentLexWord,
            self.sent_lex_max[si] as u64,
            self.lex[i] as u64,
        ));
        let slen = sent.tokens.len();
        out.push(f(T::SentLen, bucket(slen, &[4, 8, 12, 20, 30, 45])));
        out.push(f(T::SentPunct, self.sent_punct[si] as u64));
        let pos = i - sent.tokens.start;
        let sp = if pos == 0 {
            0
        } else if i + 1 == sent.tokens.end {
            1
        } else if i + 2 == sent.tokens.end {
            2
        } else {
            3 + (5 * pos / slen) as u64
        };
        out.push(f(T::SentPos, sp));
    }

    /// Where the token is in the article, and whether it is quoted or in the title.
    fn place_features(&self, i: usize, out: &mut Vec<u64>) {
        let w = self.lower[i];
        out.push(f(T::RelPos, (8 * i / self.doc.tokens.len().max(1)) as u64));
        out.push(f(T::Quote, self.in_quote[i] as u64));
        out.push(f2(T::WordQuote, w, self.in_quote[i] as u64));
        if i < self.title_end {
            out.push(f(T::Title, 0));
        }
    }

    /// Whether the word, and the trigrams it starts and ends, recur in the article.
    fn repetition_features(&self, i: usize, out: &mut Vec<u64>) {
        let tok = &self.doc.tokens[i];
        let w = self.lower[i];
        if tok.kind == TokenKind::Word && tok.span.len() >= 4 {
            let c = self.word_count.get(&w).copied().unwrap_or(1) as usize;
            out.push(f(T::RepWord, bucket(c, &[2, 3, 5, 8])));
        }
        if i + 2 < self.lower.len() {
            let tg = combine(combine(self.lower[i], self.lower[i + 1]), self.lower[i + 2]);
            if self.trigram_count.get(&tg).copied().unwrap_or(0) > 1 {
                out.push(f(T::RepTrigram, 0));
            }
        }
        if i >= 2 {
            let tg = combine(combine(self.lower[i - 2], self.lower[i - 1]), self.lower[i]);
            if self.trigram_count.get(&tg).copied().unwrap_or(0) > 1 {
                out.push(f(T::RepTrigram, 1));
            }
        }
    }

    /// A word in capitals, or one capitalised inside its sentence.
    fn caps_features(&self, i: usize, out: &mut Vec<u64>) {
        let doc = self.doc;
        let tok = &doc.tokens[i];
        let pos = i - doc.sentences[self.sent_of[i]].tokens.start;
        let s = doc.token_text(i);
        if tok.kind == TokenKind::Word
            && s.chars().count() >= 2
            && !s.chars().any(char::is_lowercase)
        {
            out.push(f(T::Caps, 0));
        } else if pos > 0 && s.starts_with(char::is_uppercase) {
            out.push(f(T::Caps, 1));
        }
    }

    /// Appends the TC features of the span covering tokens `toks` (with char span `span`),
    /// group by group; the order is part of the model, as for [`DocInfo::token_features`].
    pub fn span_features(
        &self,
        span: CharSpan,
        lexicon: &Lexicon,
        exclude: Option<&CountTable>,
        out: &mut Vec<u64>,
    ) {
        let toks = self.doc.tokens_in(span);
        let n = toks.len();
        out.push(f(T::Bias, 7));
        out.push(f(T::SpanLen, bucket(n, &[2, 3, 4, 6, 9, 16, 31])));
        out.push(f(
            T::SpanCharLen,
            bucket(span.len(), &[8, 16, 30, 60, 120, 250]),
        ));
        if n == 0 {
            return;
        }
        let (a, b) = (toks.start, toks.end);
        let tally = self.span_words(a, b, lexicon, exclude, out);
        self.span_summary(a, b, &tally, out);
        self.span_context(a, b, out);
        self.span_repetition(a, b, out);
        let si = self.sent_of[a];
        let sent = &self.doc.sentences[si];
        let cover = 4 * n / sent.tokens.len().max(1);
        out.push(f2(
            T::SpanCover,
            cover as u64,
            (self.sent_of[b - 1] != si) as u64,
        ));
        out.push(f2(
            T::SpanSentLex,
            self.sent_lex_max[si] as u64,
            self.sent_punct[si] as u64,
        ));
    }

    /// Appends each word's features of the span `a..b` and tallies what the span-level
    /// features read.
    fn span_words(
        &self,
        a: usize,
        b: usize,
        lexicon: &Lexicon,
        exclude: Option<&CountTable>,
        out: &mut Vec<u64>,
    ) -> SpanTally {
        let doc = self.doc;
        let mut tally = SpanTally {
            text_hash: 0x1234,
            lifts_max: [0u8; unspin_core::Technique::COUNT],
            lex_max: 0,
            caps: 0,
            words: 0,
            punct: 0,
        };
        for i in a..b {
            let w = self.lower[i];
            tally.text_hash = combine(tally.text_hash, w);
            out.push(f(T::SpanWord, w));
            if i + 1 < b {
                out.push(f2(T::SpanBigram, w, self.lower[i + 1]));
            }
            if self.suffix[i] != 0 {
                out.push(f(T::SpanSuffix, self.suffix[i]));
            }
            if doc.tokens[i].kind == TokenKind::Word {
                tally.words += 1;
                if doc.token_text(i).starts_with(char::is_uppercase) {
                    tally.caps += 1;
                }
                if self.lex[i] != NO_VALUE {
                    tally.lex_max = tally.lex_max.max(self.lex[i]);
                }
                if let Some(l) = lexicon.technique_lifts(w, exclude) {
                    for (m, v) in tally.lifts_max.iter_mut().zip(l) {
                        *m = (*m).max(v);
                    }
                }
            }
            match doc.token_text(i) {
                "!" => tally.punct |= 1,
                "?" => tally.punct |= 2,
                "“" | "\"" | "”" => tally.punct |= 4,
                "," | ";" => tally.punct |= 8,
                _ => {}
            }
        }
        tally
    }

    /// The span's text, edges, lexicon lifts, punctuation and capitals.
    fn span_summary(&self, a: usize, b: usize, tally: &SpanTally, out: &mut Vec<u64>) {
        out.push(f(T::SpanText, tally.text_hash));
        out.push(f(T::SpanFirst, self.lower[a]));
        out.push(f(T::SpanLast, self.lower[b - 1]));
        for (t, &v) in tally.lifts_max.iter().enumerate() {
            if v > 0 {
                out.push(f2(T::SpanLexTechnique, t as u64, v as u64));
            }
        }
        out.push(f(T::SpanLexMax, tally.lex_max as u64));
        out.push(f(T::SpanPunct, tally.punct));
        if self.doc.token_text(b - 1) == "?" {
            out.push(f(T::SpanPunct, 100));
        }
        let (caps, words) = (tally.caps, tally.words);
        out.push(f(
            T::SpanCaps,
            (4 * caps / words.max(1)) as u64 + 10 * (words == 0) as u64,
        ));
    }

    /// The words around the span, and whether it is quoted.
    fn span_context(&self, a: usize, b: usize, out: &mut Vec<u64>) {
        for (d, idx) in [
            (0u64, a as isize - 1),
            (1, a as isize - 2),
            (2, b as isize),
            (3, b as isize + 1),
        ] {
            out.push(f2(T::Context, d, self.word(idx)));
        }
        out.push(f(T::SpanQuote, self.in_quote[a] as u64));
        if a > 0 && matches!(self.doc.token_text(a - 1), "“" | "\"" | "‘" | "'") {
            out.push(f(T::SpanQuote, 2));
        }
    }

    /// Repetition: how often the same word sequence occurs in the article, and whether this
    /// is a later occurrence (annotators mark the repeats, not the first mention).
    fn span_repetition(&self, a: usize, b: usize, out: &mut Vec<u64>) {
        let (count, earlier) = self.occurrences(a, b);
        out.push(f(T::SpanRep, bucket(count, &[2, 3, 4, 6])));
        out.push(f2(
            T::SpanRepLater,
            earlier as u64,
            bucket(count, &[2, 3, 5]),
        ));
        if b - a == 1 {
            let c = self.word_count.get(&self.lower[a]).copied().unwrap_or(1) as usize;
            out.push(f2(T::SpanRep, 9, bucket(c, &[2, 3, 4, 6])));
        }
        if a < self.title_end {
            out.push(f(T::SpanInTitle, 0));
        } else if count > 1 && self.occurs_in(a, b, 0, self.title_end) {
            out.push(f(T::SpanInTitle, 1));
        }
    }

    /// Occurrences of the token sequence `a..b` in the document, counted up to
    /// [`REPEATS_COUNTED`] (the features bucket any higher count alike), and whether one
    /// precedes `a`.
    fn occurrences(&self, a: usize, b: usize) -> (usize, bool) {
        self.occurrences_past(a, b, LONG_SCAN)
    }

    /// [`DocInfo::occurrences`], looking up k-grams once `long_scan` positions of the rarest
    /// token have not settled the count (a parameter so that tests can take either path).
    fn occurrences_past(&self, a: usize, b: usize, long_scan: usize) -> (usize, bool) {
        // Every occurrence has the span's rarest token at the same offset, so only that token's
        // positions are candidates.
        let (k, starts) = (a..b)
            .map(|i| {
                let at = self.positions.get(&self.lower[i]);
                (i - a, at.map_or(&[][..], Vec::as_slice))
            })
            .min_by_key(|(_, at)| at.len())
            .unwrap_or((0, &[]));
        let budget = if b - a < GRAM_LENGTHS[0] {
            usize::MAX
        } else {
            long_scan
        };
        if let Some(found) = self.count_at(a, b, k, starts, budget) {
            return found;
        }
        // Every token of the span is common and the span itself is not (a text of few
        // distinct words): scanning them all for every span made analysis quadratic (4 MB of
        // a 10-word vocabulary took 15 s, 16 MB minutes). A longer piece of the span, its
        // rarest k-gram, is rare even there. Repetitive text, where every token is common and
        // so are the spans, settles within the budget and never builds the index.
        let grams = self.grams.get_or_init(|| GramIndex::new(&self.lower));
        let (k, starts) = grams.rarest_in(a, b);
        self.count_at(a, b, k, starts, usize::MAX)
            .unwrap_or((0, false))
    }

    /// Counts the occurrences of `a..b` that start `k` tokens before one of `starts`
    /// (ascending positions), stopping as soon as the count and "an earlier one" are settled;
    /// `None` when `budget` candidates did not settle them.
    fn count_at(
        &self,
        a: usize,
        b: usize,
        k: usize,
        starts: &[u32],
        budget: usize,
    ) -> Option<(usize, bool)> {
        let n = b - a;
        let len = self.lower.len();
        let mut count = 0;
        let mut earlier = false;
        for (seen, &p) in starts.iter().enumerate() {
            if seen == budget {
                return None;
            }
            let Some(j) = (p as usize).checked_sub(k) else {
                continue;
            };
            if j + n > len {
                break;
            }
            if self.lower[j..j + n] == self.lower[a..b] {
                count += 1;
                earlier |= j < a;
                // Positions ascend: nothing after `a` can be earlier.
                if count >= REPEATS_COUNTED && (earlier || j >= a) {
                    break;
                }
            }
        }
        Some((count, earlier))
    }

    fn occurs_in(&self, a: usize, b: usize, lo: usize, hi: usize) -> bool {
        let n = b - a;
        (lo..hi.saturating_sub(n - 1).max(lo))
            .any(|j| j + n <= hi && self.lower[j..j + n] == self.lower[a..b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unspin_core::Article;

    /// The old scan over the whole document, capped as the features see it.
    fn brute_force(info: &DocInfo, a: usize, b: usize) -> (usize, bool) {
        let n = b - a;
        let mut count = 0;
        let mut earlier = false;
        for j in 0..info.lower.len().saturating_sub(n - 1) {
            if info.lower[j..j + n] == info.lower[a..b] {
                count += 1;
                earlier |= j < a;
            }
        }
        (count.min(REPEATS_COUNTED), earlier)
    }

    /// The k-gram path gives the full scan's answer on texts of two and five words, where
    /// every token is common and most spans still occur once or not before.
    #[test]
    fn occurrences_by_k_grams_equal_a_full_scan() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for vocabulary in [["yes", "no"].as_slice(), &["a", "b", "c", "d", "e"]] {
            let words: Vec<&str> = (0..600)
                .map(|_| vocabulary[(next() % vocabulary.len() as u64) as usize])
                .collect();
            let doc = Document::new(Article::new("t", words.join(" ")));
            let lexicon = Lexicon::default();
            let info = DocInfo::new(&doc, &lexicon, None);
            let n = doc.tokens.len();
            for _ in 0..3000 {
                let a = (next() % n as u64) as usize;
                let b = (a + 1 + (next() % 40) as usize).min(n);
                let (count, earlier) = info.occurrences_past(a, b, 0);
                assert_eq!(
                    (count.min(REPEATS_COUNTED), earlier),
                    brute_force(&info, a, b),
                    "{a}..{b}"
                );
            }
            assert!(info.grams.get().is_some(), "the k-gram path was taken");
        }
    }

    #[test]
    fn occurrences_equal_a_full_scan() {
        let text = "The elites lie. The elites lie, they LIE! The elites lie. Lie, lie, lie. \
                    The elites lie. the ELITES lie. They lie and lie. The elites lie. The end.";
        let doc = Document::new(Article::new("t", text));
        let lexicon = Lexicon::default();
        let info = DocInfo::new(&doc, &lexicon, None);
        let n = doc.tokens.len();
        for a in 0..n {
            for b in a + 1..=(a + 5).min(n) {
                let (count, earlier) = info.occurrences(a, b);
                assert_eq!(
                    (count.min(REPEATS_COUNTED), earlier),
                    brute_force(&info, a, b),
                    "{a}..{b}"
                );
            }
        }
    }
}
