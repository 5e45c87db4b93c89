//! Training the classical model. Kept apart from inference: nothing here runs in `analyze`.

use crate::crf::{Crf, CrfParams, Sequence};
use crate::features::{count_words, DocInfo};
use crate::lexicon::{CountTable, Lexicon};
use crate::logreg::{Example, LogReg, LogRegParams};
use crate::model::{ClassicalModel, DecodeParams, Header, Tagger};
use crate::sparse::{self, HashedWeights};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use unspin_core::{CharSpan, Document, Technique};

/// A training article: its document and gold labels.
#[derive(Debug, Clone)]
pub struct TrainDoc {
    pub doc: Document,
    /// Technique spans (TC/FLC gold).
    pub techniques: Vec<(CharSpan, Technique)>,
    /// Span-identification gold (SI).
    pub spans: Vec<CharSpan>,
}

/// Everything that determines a trained model, recorded in its header.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainOptions {
    pub seed: u64,
    pub si_bits: u32,
    pub tc_bits: u32,
    pub crf: CrfParams,
    pub logreg: LogRegParams,
    pub decode: DecodeParams,
    /// Techniques that get a dedicated span tagger, with its decision threshold.
    pub taggers: Vec<(Technique, f32)>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            seed: 42,
            si_bits: 21,
            tc_bits: 18,
            crf: CrfParams::default(),
            logreg: LogRegParams::default(),
            decode: DecodeParams::default(),
            taggers: vec![
                (Technique::LoadedLanguage, 0.15),
                (Technique::NameCallingLabeling, 0.15),
            ],
        }
    }
}

/// Fewest hash bits a trained table may have: below 2^8 rows nearly every feature shares its
/// weight with others, so a smaller value is a mistake rather than an experiment.
const MIN_BITS: u32 = 8;

/// Most epochs of either learner: training converges within a few dozen (the defaults are 8 and
/// 12), and a larger count is a typo that would run for days.
const MAX_EPOCHS: usize = 1000;

impl TrainOptions {
    /// Checks that every numeric option lies in its meaningful range, naming the first that
    /// does not (as its path in the options JSON, e.g. `crf.epochs`). Training on options that
    /// fail here would exhaust memory (`si_bits` 40), never end (a NaN threshold), or write a
    /// model that cannot be loaded.
    pub fn check(&self) -> Result<(), String> {
        for (name, bits) in [("si_bits", self.si_bits), ("tc_bits", self.tc_bits)] {
            if !(MIN_BITS..=sparse::MAX_BITS).contains(&bits) {
                return Err(format!(
                    "{name} must be between {MIN_BITS} and {}, got {bits}",
                    sparse::MAX_BITS
                ));
            }
        }
        let learners = [
            ("crf", self.crf.epochs, self.crf.learning_rate, self.crf.l2),
            (
                "logreg",
                self.logreg.epochs,
                self.logreg.learning_rate,
                self.logreg.l2,
            ),
        ];
        for (learner, epochs, learning_rate, l2) in learners {
            if !(1..=MAX_EPOCHS).contains(&epochs) {
                return Err(format!(
                    "{learner}.epochs must be between 1 and {MAX_EPOCHS}, got {epochs}"
                ));
            }
            positive(&format!("{learner}.learning_rate"), learning_rate)?;
            if !(l2 >= 0.0 && l2.is_finite()) {
                return Err(format!(
                    "{learner}.l2 must be a finite number of at least 0, got {l2}"
                ));
            }
        }
        positive("crf.positive_weight", self.crf.positive_weight)?;
        probability("decode.si_threshold", self.decode.si_threshold)?;
        probability("decode.second_technique", self.decode.second_technique)?;
        for (technique, threshold) in &self.taggers {
            probability(&format!("the threshold of tagger {technique}"), *threshold)?;
        }
        Ok(())
    }
}

/// Written so that NaN fails too: every comparison with NaN is false.
fn positive(name: &str, x: f32) -> Result<(), String> {
    if x > 0.0 && x.is_finite() {
        Ok(())
    } else {
        Err(format!("{name} must be a finite number above 0, got {x}"))
    }
}

/// A threshold on probabilities; NaN fails (and would make decoding loop forever).
fn probability(name: &str, x: f32) -> Result<(), String> {
    if (0.0..=1.0).contains(&x) {
        Ok(())
    } else {
        Err(format!("{name} must be between 0 and 1, got {x}"))
    }
}

fn rows<'a>(w: &'a HashedWeights, feats: &'a [u64]) -> impl Iterator<Item = u32> + 'a {
    let width = w.width;
    feats.iter().map(move |&f| (w.row_of(f) / width) as u32)
}

/// Trains a model. `description` goes into the header (data, commit, anything to reproduce it).
pub fn train(docs: &[TrainDoc], opts: &TrainOptions, description: &str) -> ClassicalModel {
    let tables: Vec<CountTable> = docs
        .par_iter()
        .map(|d| {
            let mut spans: Vec<(CharSpan, Option<Technique>)> =
                d.spans.iter().map(|s| (*s, None)).collect();
            spans.extend(d.techniques.iter().map(|(s, t)| (*s, Some(*t))));
            count_words(&d.doc, &spans)
        })
        .collect();
    let lexicon = Lexicon::from_documents(&tables);

    let n_taggers = 1 + opts.taggers.len();
    let per_doc: Vec<PerDoc> = docs
        .par_iter()
        .zip(&tables)
        .map(|(d, table)| training_data(d, table, &lexicon, opts))
        .collect();
    let mut seqs = Vec::new();
    let mut labels: Vec<Vec<Vec<bool>>> = vec![Vec::new(); n_taggers];
    let mut examples = Vec::new();
    for (s, l, e) in per_doc {
        seqs.extend(s);
        for (all, one) in labels.iter_mut().zip(l) {
            all.extend(one);
        }
        examples.extend(e);
    }
    let (mut crfs, tc) = rayon::join(
        || {
            labels
                .par_iter()
                .enumerate()
                .map(|(k, l)| {
                    Crf::train(
                        opts.si_bits,
                        &seqs,
                        l,
                        &opts.crf,
                        opts.seed.wrapping_add(k as u64),
                    )
                })
                .collect::<Vec<Crf>>()
        },
        || {
            LogReg::train(
                opts.tc_bits,
                Technique::COUNT,
                &examples,
                &opts.logreg,
                opts.seed ^ 1,
            )
        },
    );
    let taggers = opts
        .taggers
        .iter()
        .zip(crfs.drain(1..))
        .map(|(&(technique, threshold), crf)| Tagger {
            technique,
            threshold,
            crf,
        })
        .collect();
    let crf = crfs.pop().expect("the SI tagger is always trained");
    ClassicalModel {
        header: Header {
            techniques: Technique::ALL
                .iter()
                .map(|t| t.name().to_string())
                .collect(),
            created_by: format!("unspin-classical {}", env!("CARGO_PKG_VERSION")),
            training: format!("{description}; {} articles; options {opts:?}", docs.len()),
        },
        decode: opts.decode,
        lexicon,
        crf,
        taggers,
        tc,
    }
}

/// One article's training data: per sentence, the SI features of its tokens and each tagger's
/// labels; per technique span, its TC example.
type PerDoc = (Vec<Sequence>, Vec<Vec<Vec<bool>>>, Vec<Example>);

fn training_data(
    d: &TrainDoc,
    table: &CountTable,
    lexicon: &Lexicon,
    opts: &TrainOptions,
) -> PerDoc {
    let si_shape = HashedWeights {
        bits: opts.si_bits,
        width: 1,
        w: Vec::new(),
    };
    let tc_shape = HashedWeights {
        bits: opts.tc_bits,
        width: Technique::COUNT,
        w: Vec::new(),
    };
    let n_taggers = 1 + opts.taggers.len();
    let info = DocInfo::new(&d.doc, lexicon, Some(table));
    let mut seqs = Vec::with_capacity(d.doc.sentences.len());
    let mut labels = vec![Vec::with_capacity(d.doc.sentences.len()); n_taggers];
    let mut feats = Vec::with_capacity(64);
    let covers = |g: &CharSpan, tok: &CharSpan| g.overlap(tok) * 2 >= tok.len();
    for s in &d.doc.sentences {
        let mut seq = Sequence {
            offsets: vec![0],
            ..Default::default()
        };
        let mut seq_labels = vec![Vec::with_capacity(s.tokens.len()); n_taggers];
        for i in s.tokens.clone() {
            feats.clear();
            info.token_features(i, &mut feats);
            seq.feats.extend(rows(&si_shape, &feats));
            seq.offsets.push(seq.feats.len() as u32);
            let tok = d.doc.tokens[i].span;
            seq_labels[0].push(d.spans.iter().any(|g| covers(g, &tok)));
            for (k, (t, _)) in opts.taggers.iter().enumerate() {
                let inside = d
                    .techniques
                    .iter()
                    .any(|(g, gt)| gt == t && covers(g, &tok));
                seq_labels[k + 1].push(inside);
            }
        }
        seqs.push(seq);
        for (all, one) in labels.iter_mut().zip(seq_labels) {
            all.push(one);
        }
    }
    let examples = d
        .techniques
        .iter()
        .map(|(span, t)| {
            feats.clear();
            info.span_features(*span, lexicon, Some(table), &mut feats);
            Example {
                rows: rows(&tc_shape, &feats).collect(),
                class: t.index(),
            }
        })
        .collect();
    (seqs, labels, examples)
}
