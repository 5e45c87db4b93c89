//! Lexicons learned from the training data: how often a word sits inside a propaganda span, and
//! how strongly it leans towards each technique.
//!
//! Word identity features alone are noisy for words seen once or twice; a lexicon bucket lets
//! the model share evidence between rare words with similar behaviour. During training every
//! document reads the lexicon with its own counts taken out (leave-one-document-out), so the
//! model does not learn to trust lexicon values that were computed from the very labels it is
//! fitting.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use unspin_core::Technique;

/// Per-word counts: occurrences, occurrences inside any propaganda span, and occurrences inside
/// spans of each technique.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WordCounts {
    pub total: u32,
    pub in_span: u32,
    pub per_technique: [u32; Technique::COUNT],
}

impl WordCounts {
    fn sub(&self, other: &WordCounts) -> WordCounts {
        let mut per_technique = [0; Technique::COUNT];
        for (i, p) in per_technique.iter_mut().enumerate() {
            *p = self.per_technique[i].saturating_sub(other.per_technique[i]);
        }
        WordCounts {
            total: self.total.saturating_sub(other.total),
            in_span: self.in_span.saturating_sub(other.in_span),
            per_technique,
        }
    }

    fn add(&mut self, other: &WordCounts) {
        self.total += other.total;
        self.in_span += other.in_span;
        for i in 0..Technique::COUNT {
            self.per_technique[i] += other.per_technique[i];
        }
    }
}

/// Counts keyed by the hash of a lowercased word.
pub type CountTable = FxHashMap<u64, WordCounts>;

/// The lexicon: word counts over the training corpus plus corpus-wide priors.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Lexicon {
    words: Vec<(u64, WordCounts)>,
    #[serde(skip)]
    index: FxHashMap<u64, u32>,
    /// Share of word occurrences inside a span.
    pub prior_in_span: f32,
    /// Share of in-span word occurrences per technique.
    pub prior_technique: [f32; Technique::COUNT],
}

/// Words seen fewer times than this get no lexicon value.
const MIN_COUNT: u32 = 3;
/// Pseudo-count pulling rates towards the prior.
const SMOOTHING: f32 = 4.0;

/// Number of buckets for the in-span rate.
pub const RATE_BUCKETS: u8 = 10;
/// Bucket meaning "no value" (rare or unseen word).
pub const NO_VALUE: u8 = u8::MAX;

impl Lexicon {
    /// Builds a lexicon from summed per-document counts.
    pub fn from_documents(docs: &[CountTable]) -> Lexicon {
        let mut all = CountTable::default();
        for d in docs {
            for (k, v) in d {
                all.entry(*k).or_default().add(v);
            }
        }
        let mut total = 0u64;
        let mut in_span = 0u64;
        let mut per_t = [0u64; Technique::COUNT];
        for v in all.values() {
            total += v.total as u64;
            in_span += v.in_span as u64;
            for (acc, &n) in per_t.iter_mut().zip(&v.per_technique) {
                *acc += n as u64;
            }
        }
        let t_sum: u64 = per_t.iter().sum::<u64>().max(1);
        let mut prior_technique = [0.0; Technique::COUNT];
        for i in 0..Technique::COUNT {
            prior_technique[i] = (per_t[i] as f32 + 1.0) / (t_sum as f32 + Technique::COUNT as f32);
        }
        // Keep words that can ever pass MIN_COUNT; sorting makes the saved model deterministic.
        let mut words: Vec<(u64, WordCounts)> = all
            .into_iter()
            .filter(|(_, v)| v.total >= MIN_COUNT)
            .collect();
        words.sort_by_key(|(k, _)| *k);
        let mut lex = Lexicon {
            words,
            index: FxHashMap::default(),
            prior_in_span: in_span as f32 / total.max(1) as f32,
            prior_technique,
        };
        lex.rebuild_index();
        lex
    }

    /// Restores the lookup index after deserialisation.
    pub fn rebuild_index(&mut self) {
        self.index = self
            .words
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (*k, i as u32))
            .collect();
    }

    /// Counts for a word, minus `exclude` (the current document's own counts, in training).
    fn counts(&self, word: u64, exclude: Option<&CountTable>) -> Option<WordCounts> {
        let i = *self.index.get(&word)?;
        let c = &self.words[i as usize].1;
        let c = match exclude.and_then(|e| e.get(&word)) {
            Some(own) => c.sub(own),
            None => c.clone(),
        };
        (c.total >= MIN_COUNT).then_some(c)
    }

    /// Bucketed smoothed probability that an occurrence of `word` is inside a span.
    pub fn rate_bucket(&self, word: u64, exclude: Option<&CountTable>) -> u8 {
        match self.counts(word, exclude) {
            None => NO_VALUE,
            Some(c) => {
                let p = (c.in_span as f32 + SMOOTHING * self.prior_in_span)
                    / (c.total as f32 + SMOOTHING);
                rate_to_bucket(p)
            }
        }
    }

    /// Per technique, the bucketed log-lift of `word` among in-span occurrences
    /// (0 = no value or below prior, higher = more typical of that technique).
    pub fn technique_lifts(
        &self,
        word: u64,
        exclude: Option<&CountTable>,
    ) -> Option<[u8; Technique::COUNT]> {
        let c = self.counts(word, exclude)?;
        if c.in_span < 2 {
            return None;
        }
        let mut out = [0u8; Technique::COUNT];
        for (i, o) in out.iter_mut().enumerate() {
            let p = (c.per_technique[i] as f32 + SMOOTHING * self.prior_technique[i])
                / (c.in_span as f32 + SMOOTHING);
            let lift = (p / self.prior_technique[i]).log2();
            *o = if lift <= 0.5 {
                0
            } else {
                (lift.ceil() as u8).min(4)
            };
        }
        Some(out)
    }
}

fn rate_to_bucket(p: f32) -> u8 {
    const EDGES: [f32; 9] = [0.03, 0.06, 0.1, 0.15, 0.22, 0.3, 0.4, 0.55, 0.7];
    EDGES.iter().position(|&e| p < e).unwrap_or(EDGES.len()) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wc(total: u32, in_span: u32, t: usize) -> WordCounts {
        let mut w = WordCounts {
            total,
            in_span,
            ..Default::default()
        };
        w.per_technique[t] = in_span;
        w
    }

    #[test]
    fn leave_one_out_removes_own_counts() {
        let mut d1 = CountTable::default();
        d1.insert(1, wc(10, 9, 8));
        d1.insert(2, wc(3, 0, 0));
        let mut d2 = CountTable::default();
        d2.insert(1, wc(4, 0, 0));
        let lex = Lexicon::from_documents(&[d1.clone(), d2]);
        let full = lex.rate_bucket(1, None);
        let loo = lex.rate_bucket(1, Some(&d1));
        // With d1's own counts taken out only d2's four out-of-span uses remain.
        assert_ne!(loo, NO_VALUE);
        assert!(full > loo, "{full} vs {loo}");
        // Word 2 exists only in d1: without d1 it is unknown.
        assert_eq!(lex.rate_bucket(2, Some(&d1)), NO_VALUE);
        assert_eq!(lex.rate_bucket(99, None), NO_VALUE);
        let lifts = lex.technique_lifts(1, None).unwrap();
        assert!(lifts[8] > 0);
    }
}
