//! Reading CheckThat! check-worthiness files, training with held-out tuning, and scoring.
//!
//! Tuning never looks at the dev set: a stratified, seeded part of the training file is held out,
//! every (epochs, step size, Yes oversampling) setting of the grid is trained on the rest and
//! scored there at its best threshold, and the winner is retrained on the whole file with that
//! threshold. Everything is seeded, so the same data and options give the same model bit for bit.

use super::{features, read_file, sigmoid, ClaimModel, ClaimsError, Header, Scores};
use rayon::prelude::*;
use std::path::Path;
use unspin_core::segment;
use unspin_ml::logreg::{Example, LogReg, LogRegParams};
use unspin_ml::rng::SplitMix;
use unspin_ml::sparse::HashedWeights;

const HEADER: &str = "Sentence_id\tText\tclass_label";

/// One sentence of a check-worthiness file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledSentence {
    pub id: String,
    pub text: String,
    /// The label is `Yes`: the sentence is check-worthy.
    pub yes: bool,
}

/// A parsed file: the sentences that parsed and the lines that did not.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub path: String,
    pub sentences: Vec<LabeledSentence>,
    /// `(line number, reason)` of each malformed line that was skipped.
    pub skipped: Vec<(usize, String)>,
}

/// Reads a `Sentence_id<TAB>Text<TAB>class_label` file (label `Yes` or `No`).
///
/// Parsing is strict — exactly three fields, a non-empty id and text, a label of exactly `Yes`
/// or `No` — but one bad line does not sink a 22,500-line file (the 2024 training file has a
/// line with two sentences run together, "No29286"): each is skipped, recorded in
/// [`Dataset::skipped`] and reported on stderr with its file and line. A missing header or an
/// unreadable file is an error.
pub fn read_tsv(path: &Path) -> Result<Dataset, ClaimsError> {
    let name = path.display().to_string();
    let text = String::from_utf8(read_file(path)?).map_err(|e| ClaimsError::Data {
        path: name.clone(),
        message: format!("not UTF-8: {e}"),
    })?;
    let mut lines = text.lines().map(|l| l.strip_suffix('\r').unwrap_or(l));
    if lines.next() != Some(HEADER) {
        return Err(ClaimsError::Data {
            path: name,
            message: format!("first line must be the header {HEADER:?}"),
        });
    }
    let mut data = Dataset {
        path: name,
        sentences: Vec::new(),
        skipped: Vec::new(),
    };
    for (i, line) in lines.enumerate() {
        let lineno = i + 2;
        match parse_line(line) {
            Ok(s) => data.sentences.push(s),
            Err(reason) => {
                eprintln!(
                    "warning: {}:{lineno}: skipped malformed line ({reason})",
                    data.path
                );
                data.skipped.push((lineno, reason));
            }
        }
    }
    Ok(data)
}

fn parse_line(line: &str) -> Result<LabeledSentence, String> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [id, text, label] = fields[..] else {
        return Err(format!("{} tab-separated fields, expected 3", fields.len()));
    };
    if id.trim().is_empty() || text.trim().is_empty() {
        return Err("empty id or text".into());
    }
    let yes = match label {
        "Yes" => true,
        "No" => false,
        other => return Err(format!("label {other:?} is neither Yes nor No")),
    };
    Ok(LabeledSentence {
        id: id.to_string(),
        text: text.to_string(),
        yes,
    })
}

/// Training options. The grid fields are tried in every combination on the held-out split.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// The weight table has `2^bits` rows; 2^20 keeps collisions rare for ~500k n-grams.
    pub bits: u32,
    pub seed: u64,
    /// Share of each class held out for tuning.
    pub holdout: f32,
    pub epochs: Vec<usize>,
    pub learning_rates: Vec<f32>,
    /// How many times each Yes sentence is shown per epoch: the data is 1 Yes to 3 No, and
    /// oversampling plays the part of sklearn's `class_weight="balanced"`.
    pub yes_repeats: Vec<usize>,
    pub l2: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            bits: 20,
            seed: 42,
            holdout: 0.2,
            epochs: vec![3, 6],
            learning_rates: vec![0.005, 0.01, 0.02],
            yes_repeats: vec![1, 2],
            l2: 1e-6,
        }
    }
}

/// Trains on a check-worthiness file (see [`read_tsv`]) with [`train_sentences`].
pub fn train(path_train: &Path, opts: &TrainOptions) -> Result<ClaimModel, ClaimsError> {
    let data = read_tsv(path_train)?;
    let mut model =
        train_sentences(&data.sentences, opts).map_err(|message| ClaimsError::Data {
            path: data.path.clone(),
            message,
        })?;
    // Only the last two path components: a model file should not carry the trainer's home.
    let parts: Vec<_> = path_train.iter().rev().take(2).collect();
    let short: std::path::PathBuf = parts.into_iter().rev().collect();
    model.header.training = format!(
        "{} ({} sentences, {} malformed lines skipped), seed {}; {}",
        short.display(),
        data.sentences.len(),
        data.skipped.len(),
        opts.seed,
        model.header.training
    );
    Ok(model)
}

/// Trains on labelled sentences: tunes on a held-out split, then retrains on all of them.
/// Fails (with a message) when a class has fewer than two sentences or the grid is empty.
pub fn train_sentences(
    sentences: &[LabeledSentence],
    opts: &TrainOptions,
) -> Result<ClaimModel, String> {
    let (yes, no): (Vec<usize>, Vec<usize>) = (0..sentences.len()).partition(|&i| sentences[i].yes);
    if yes.len() < 2 || no.len() < 2 {
        return Err(format!(
            "need at least two sentences of each class, got {} Yes and {} No",
            yes.len(),
            no.len()
        ));
    }
    if opts.epochs.is_empty() || opts.learning_rates.is_empty() || opts.yes_repeats.is_empty() {
        return Err("empty hyper-parameter grid".into());
    }
    if !(1..=26).contains(&opts.bits) {
        return Err(format!("bits {} outside 1..=26", opts.bits));
    }
    let table = HashedWeights {
        bits: opts.bits,
        width: 1,
        w: Vec::new(),
    };
    let rows: Vec<Vec<u32>> = sentences
        .par_iter()
        .map(|s| feature_rows(&table, &s.text))
        .collect();

    let (fit, held) = stratified_split(yes, no, opts);
    let held_labels: Vec<bool> = held.iter().map(|&i| sentences[i].yes).collect();

    // Every setting trains independently (in parallel), and the best is picked in grid order,
    // so the result does not depend on thread scheduling.
    let tried: Vec<(Setting, f32, Scores)> = Setting::grid(opts)
        .into_par_iter()
        .map(|setting| {
            let w = setting.fit(opts, &rows, sentences, &fit);
            let scores: Vec<f32> = held.iter().map(|&i| logit_prob(&w, &rows[i])).collect();
            let (threshold, s) = best_threshold(&scores, &held_labels);
            (setting, threshold, s)
        })
        .collect();
    let mut best = &tried[0];
    for t in &tried[1..] {
        if t.2.f1 > best.2.f1 {
            best = t;
        }
    }
    let (setting, threshold, holdout) = *best;
    let all: Vec<usize> = (0..sentences.len()).collect();
    let weights = setting.fit(opts, &rows, sentences, &all);
    Ok(ClaimModel {
        header: Header {
            created_by: format!("unspin-factcheck {}", env!("CARGO_PKG_VERSION")),
            training: format!(
                "tuned on a {:.0}% stratified hold-out ({} sentences)",
                opts.holdout * 100.0,
                held.len()
            ),
            epochs: setting.epochs as u32,
            learning_rate: setting.learning_rate,
            yes_repeat: setting.yes_repeat as u32,
            holdout,
        },
        threshold,
        weights,
        on_vectors: None,
    })
}

/// Stratified split of the Yes and No sentence indices into (fit, held out): the same share
/// of each class, so the held-out F1 is not at the mercy of how many Yes sentences the shuffle
/// happened to leave out. Both classes hold at least two sentences.
fn stratified_split(
    yes: Vec<usize>,
    no: Vec<usize>,
    opts: &TrainOptions,
) -> (Vec<usize>, Vec<usize>) {
    let mut rng = SplitMix::new(opts.seed);
    let (mut fit, mut held) = (Vec::new(), Vec::new());
    for mut class in [yes, no] {
        rng.shuffle(&mut class);
        let k = ((class.len() as f32 * opts.holdout).round() as usize).clamp(1, class.len() - 1);
        held.extend_from_slice(&class[..k]);
        fit.extend_from_slice(&class[k..]);
    }
    held.sort_unstable();
    fit.sort_unstable();
    (fit, held)
}

#[derive(Debug, Clone, Copy)]
struct Setting {
    epochs: usize,
    learning_rate: f32,
    yes_repeat: usize,
}

impl Setting {
    /// Every setting of the grid, in grid order (the order ties are broken in).
    fn grid(opts: &TrainOptions) -> Vec<Setting> {
        let mut grid = Vec::new();
        for &epochs in &opts.epochs {
            for &learning_rate in &opts.learning_rates {
                for &yes_repeat in &opts.yes_repeats {
                    grid.push(Setting {
                        epochs,
                        learning_rate,
                        yes_repeat,
                    });
                }
            }
        }
        grid
    }

    /// Trains on the sentences `idx` and returns the collapsed Yes-minus-No logit weights.
    fn fit(
        &self,
        opts: &TrainOptions,
        rows: &[Vec<u32>],
        sentences: &[LabeledSentence],
        idx: &[usize],
    ) -> HashedWeights {
        let mut data = Vec::with_capacity(idx.len() * self.yes_repeat);
        for &i in idx {
            let copies = if sentences[i].yes { self.yes_repeat } else { 1 };
            for _ in 0..copies {
                data.push(Example {
                    rows: rows[i].clone(),
                    class: sentences[i].yes as usize,
                });
            }
        }
        let params = LogRegParams {
            epochs: self.epochs,
            learning_rate: self.learning_rate,
            l2: opts.l2,
        };
        let lr = LogReg::train(opts.bits, 2, &data, &params, opts.seed);
        // softmax([z0, z1])[1] = sigmoid(z1 - z0): only the difference of the rows matters.
        HashedWeights {
            bits: opts.bits,
            width: 1,
            w: lr.w.w.chunks_exact(2).map(|r| r[1] - r[0]).collect(),
        }
    }
}

/// The weight rows of a sentence's features (what [`ClaimModel`] sums when scoring).
fn feature_rows(table: &HashedWeights, sentence: &str) -> Vec<u32> {
    let mut feats = Vec::new();
    features::sentence_features(sentence, &segment::tokenize(sentence), &mut feats);
    feats.iter().map(|&f| table.row_of(f) as u32).collect()
}

fn logit_prob(w: &HashedWeights, rows: &[u32]) -> f32 {
    sigmoid(rows.iter().map(|&r| w.w[r as usize]).sum())
}

/// The threshold (on a 0.01 grid) with the best Yes F1, and that F1.
fn best_threshold(scores: &[f32], labels: &[bool]) -> (f32, Scores) {
    let mut best = (0.5, Evaluation::at(scores, labels, 0.5).scores);
    for k in 5..=95 {
        let t = k as f32 / 100.0;
        let s = Evaluation::at(scores, labels, t).scores;
        if s.f1 > best.1.f1 {
            best = (t, s);
        }
    }
    best
}

/// The confusion counts of the Yes class and the scores they give.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evaluation {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
    pub scores: Scores,
}

impl Evaluation {
    /// Counts decisions `score >= threshold` against the labels.
    pub fn at(scores: &[f32], labels: &[bool], threshold: f32) -> Evaluation {
        let mut e = Evaluation::default();
        for (&s, &yes) in scores.iter().zip(labels) {
            match (s >= threshold, yes) {
                (true, true) => e.true_positives += 1,
                (true, false) => e.false_positives += 1,
                (false, true) => e.false_negatives += 1,
                (false, false) => e.true_negatives += 1,
            }
        }
        let ratio = |a: usize, b: usize| {
            if a + b == 0 {
                0.0
            } else {
                a as f32 / (a + b) as f32
            }
        };
        let precision = ratio(e.true_positives, e.false_positives);
        let recall = ratio(e.true_positives, e.false_negatives);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        e.scores = Scores {
            precision,
            recall,
            f1,
        };
        e
    }
}

impl ClaimModel {
    /// Scores every sentence and counts the model's decisions against the labels.
    pub fn evaluate(&self, sentences: &[LabeledSentence]) -> Evaluation {
        let scores: Vec<f32> = sentences.iter().map(|s| self.score(&s.text)).collect();
        let labels: Vec<bool> = sentences.iter().map(|s| s.yes).collect();
        Evaluation::at(&scores, &labels, self.threshold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strictly() {
        assert!(parse_line("1\tHello.\tNo").is_ok_and(|s| !s.yes));
        assert!(parse_line("1\tIt rose 5%.\tYes").is_ok_and(|s| s.yes));
        assert!(parse_line("1\tA.\tNo29286\tB.\tNo").is_err());
        assert!(parse_line("1\tA.\tyes").is_err());
        assert!(parse_line("1\t \tNo").is_err());
        assert!(parse_line("").is_err());
    }

    #[test]
    fn evaluation_counts() {
        let e = Evaluation::at(&[0.9, 0.8, 0.2, 0.1], &[true, false, true, false], 0.5);
        assert_eq!(
            (
                e.true_positives,
                e.false_positives,
                e.false_negatives,
                e.true_negatives
            ),
            (1, 1, 1, 1)
        );
        assert!((e.scores.f1 - 0.5).abs() < 1e-6);
    }
}
