//! Check-worthy claim detection: which sentences of an article state something a fact-checker
//! should verify ("Unemployment fell to 3.5% in 2019.") and which do not ("Thank you all for
//! coming.").
//!
//! The model is binary logistic regression over hashed sentence features ([`features`]), trained
//! on the CheckThat! 2024 English check-worthiness data with the classical detector's
//! [`LogReg`](unspin_ml::logreg::LogReg). A two-class softmax only ever uses the
//! difference of its two weight rows, so the trained model is collapsed to that one logit vector
//! (half the file, one add per feature) and a sentence's score is its sigmoid. The decision
//! threshold, tuned on held-out training data, travels in the model file.
//!
//! File layout, as the classical model's: the magic line `UNSPIN-CLAIMS\n`, a little-endian `u32`
//! format version, then a deflate stream of the postcard-encoded model.

pub mod features;
mod train;
pub mod vectors;

pub use train::{
    read_tsv, train, train_sentences, Dataset, Evaluation, LabeledSentence, TrainOptions,
};

use serde::{Deserialize, Serialize};
use std::path::Path;
use unspin_core::segment::{self, is_heading_line, Token};
use unspin_core::{Article, Document};
use unspin_ml::container::{self, Unpack};
use unspin_ml::dense::sigmoid;
use unspin_ml::sparse::{HashedWeights, SparseWeights};

const MAGIC: &[u8] = b"UNSPIN-CLAIMS\n";
/// Bumped whenever features, hashing or layout change: old files are refused, not misread.
pub const FORMAT_VERSION: u32 = 1;

pub use unspin_core::aids::Claim;
use unspin_core::PieceVectors;
pub use vectors::{SentenceInputs, Stacked, VectorClaimModel};

/// Why a model could not be loaded or trained.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not an unspin claims model (bad magic bytes)")]
    Magic { path: String },
    #[error("{path}: claims model format version {found}, this build reads version {expected}; retrain with `cargo run --release -p unspin-factcheck --example claims -- train`")]
    Version {
        path: String,
        found: u32,
        expected: u32,
    },
    #[error("{path}: corrupt claims model: {message}")]
    Corrupt { path: String, message: String },
    /// Training data that cannot be used: a missing header, no examples, one class only.
    #[error("{path}: {message}")]
    Data { path: String, message: String },
}

/// Precision, recall and F1 of the Yes class on some sentences.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub precision: f32,
    pub recall: f32,
    pub f1: f32,
}

/// How a model was made; kept in the file so a model can say where it came from.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Header {
    pub created_by: String,
    /// Free text: data file, sentence counts, seed.
    pub training: String,
    /// The chosen hyper-parameters (epochs, step size, Yes oversampling).
    pub epochs: u32,
    pub learning_rate: f32,
    pub yes_repeat: u32,
    /// Yes-class scores on the held-out part of the training data, at the stored threshold.
    pub holdout: Scores,
}

#[derive(Serialize, Deserialize)]
struct ModelFile {
    header: Header,
    threshold: f32,
    weights: SparseWeights,
}

/// A trained check-worthiness classifier.
#[derive(Debug, Clone)]
pub struct ClaimModel {
    pub header: Header,
    /// A sentence is check-worthy when its score reaches this.
    pub threshold: f32,
    /// One weight per hashed feature row: the Yes-minus-No logit.
    weights: HashedWeights,
    /// The model over the detector's own vectors, which scores instead of this one when an
    /// article comes with the vectors it reads ([`ClaimModel::claims_with`]).
    pub on_vectors: Option<VectorClaimModel>,
}

/// The model trained on the CheckThat! 2024 English training set, compiled into the binary.
static EMBEDDED: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../models/claims.unspin"
));

impl ClaimModel {
    /// The models embedded at build time: the n-gram model, with the one over the default
    /// detector's vectors.
    pub fn embedded() -> Result<Self, ClaimsError> {
        let mut model = Self::from_bytes(EMBEDDED, "<embedded claims model>")?;
        model.on_vectors = Some(VectorClaimModel::embedded()?);
        Ok(model)
    }

    pub fn load(path: &Path) -> Result<Self, ClaimsError> {
        Self::from_bytes(&read_file(path)?, &path.display().to_string())
    }

    /// Parses a model file; `name` only labels errors. Any byte string gives a model or an
    /// error, never a panic.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Self, ClaimsError> {
        let file: ModelFile = unpack(bytes).map_err(|e| e.named(name))?;
        let corrupt = |message: String| Unpack::Corrupt(message).named(name);
        let weights = HashedWeights::from_sparse(&file.weights).map_err(corrupt)?;
        if weights.width != 1 {
            return Err(corrupt(format!(
                "{} weights per feature, expected 1",
                weights.width
            )));
        }
        if !(0.0..=1.0).contains(&file.threshold) {
            return Err(corrupt(format!(
                "threshold {} outside 0..1",
                file.threshold
            )));
        }
        Ok(ClaimModel {
            header: file.header,
            threshold: file.threshold,
            weights,
            on_vectors: None,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let file = ModelFile {
            header: self.header.clone(),
            threshold: self.threshold,
            weights: self.weights.to_sparse(),
        };
        container::pack(MAGIC, FORMAT_VERSION, &file)
    }

    /// Number of feature rows with a non-zero weight (what the file stores).
    pub fn used_features(&self) -> usize {
        self.weights.used_rows()
    }

    /// Probability that `sentence` is a check-worthy claim.
    pub fn score(&self, sentence: &str) -> f32 {
        self.score_tokens(sentence, &segment::tokenize(sentence))
    }

    /// Scores the sentence made of `tokens` (slices of `text`): the article's own tokens, so
    /// [`claims`](Self::claims) does not tokenize twice.
    fn score_tokens(&self, text: &str, tokens: &[Token]) -> f32 {
        sigmoid(self.logit_tokens(text, tokens))
    }

    /// The logit behind [`score`](Self::score): what a stacked [`VectorClaimModel`] reads.
    pub fn logit_of(&self, sentence: &str) -> f32 {
        self.logit_tokens(sentence, &segment::tokenize(sentence))
    }

    fn logit_tokens(&self, text: &str, tokens: &[Token]) -> f32 {
        let mut feats = Vec::with_capacity(16 * tokens.len() + 16);
        features::sentence_features(text, tokens, &mut feats);
        self.logit(&feats)
    }

    fn logit(&self, feats: &[u64]) -> f32 {
        feats
            .iter()
            .map(|&f| self.weights.w[self.weights.row_of(f)])
            .sum()
    }

    /// Splits `text` into sentences and scores each one. Offsets are code points; sentences
    /// follow [`unspin_core::segment::sentences`], like every other unspin output.
    pub fn claims(&self, text: &str) -> Vec<Claim> {
        self.claims_in(&Document::new(Article::new("", text)))
    }

    /// [`ClaimModel::claims`] over a document already segmented.
    pub fn claims_in(&self, doc: &Document) -> Vec<Claim> {
        self.claims_with(doc, None)
    }

    /// [`ClaimModel::claims_in`], scoring with [`ClaimModel::on_vectors`] where `vectors` (the
    /// detector's encoding of the document) are the ones it reads, else with the n-gram model.
    /// The score and the threshold it is held to come from the same model.
    pub fn claims_with(&self, doc: &Document, vectors: Option<&PieceVectors>) -> Vec<Claim> {
        let (text, tokens, sentences) = (doc.text(), &doc.tokens[..], &doc.sentences[..]);
        let on_vectors = self
            .on_vectors
            .as_ref()
            .zip(vectors)
            .filter(|(m, v)| m.reads(v));
        sentences
            .iter()
            .filter(|s| !s.tokens.is_empty())
            .map(|s| {
                let toks = &tokens[s.tokens.clone()];
                // One model per article, so that scores compare: a sentence without a word
                // piece of its own (nothing the encoder could read) scores 0 on the vector
                // model's scale rather than on the n-gram model's.
                let (score, threshold) = match on_vectors {
                    Some((m, v)) => {
                        // 11 µs a sentence, so only for a model that reads it.
                        let inputs = match m.stacked {
                            Some(_) => SentenceInputs {
                                ngram_logit: self.logit_tokens(text, toks),
                                words: words_of(text, toks),
                            },
                            None => SentenceInputs::default(),
                        };
                        (m.score(v, s.span, inputs).unwrap_or(0.0), m.threshold)
                    }
                    None => (self.score_tokens(text, toks), self.threshold),
                };
                let not_a_statement = is_heading_line(text, tokens, s.tokens.clone())
                    || is_page_furniture(&text[toks[0].bytes.start..])
                    || !reads_as_statement(text, toks);
                Claim::new(
                    doc.place(s.span),
                    score,
                    score >= threshold && !not_a_statement,
                )
            })
            .collect()
    }
}

/// Whether a sentence's tokens read as a statement at all, rather than a page's labels and
/// links: a time stamp ("6:05 p.m."), a list number ("1."), a photo credit
/// ("Getty/Instagram."), a handle ("@Fred_945."), a lead-in to what follows ("WaPo
/// reports:"), or a byline ("John Smith is a reporter covering city hall for the Gazette.").
/// A black-box review found 33 time stamps, 20 list numbers and 17 lead-ins ticked as
/// check-worthy in PTC train and PolNeAR dev.
///
/// ```text
/// "6:05 p.m." / "1." / "Getty/Instagram." / "WaPo reports:"   -> no statement
/// "Taxes rose 4% in 2019."                                    -> a statement
/// ```
fn reads_as_statement(text: &str, toks: &[Token]) -> bool {
    let word = |t: &Token| &text[t.bytes.clone()];
    // Two lowercase words at least: a statement has a verb and more ("Taxes went up").
    let lowercase = toks
        .iter()
        .filter(|t| {
            let w = word(t);
            w.chars().count() >= 2
                && w.chars().any(char::is_alphabetic)
                && w.chars()
                    .all(|c| (c.is_alphabetic() && c.is_lowercase()) || matches!(c, '\'' | '’'))
        })
        .count();
    // ... or one and a figure: "Crime rose 20%.", "Inflation hit 9.1%." (a diff review).
    let figure = toks.iter().any(|t| t.kind == segment::TokenKind::Number);
    if lowercase < 2 && !(lowercase == 1 && figure) {
        return false;
    }
    let words: Vec<&str> = toks
        .iter()
        .map(word)
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    // A short line that ends in a colon introduces what follows.
    let lead_in = toks.last().is_some_and(|t| word(t) == ":") && words.len() <= 6;
    !(lead_in || is_byline(&words))
}

/// Journalists' roles, as bylines and author notes give them.
const BYLINE_ROLES: &[&str] = &[
    "columnist",
    "contributor",
    "correspondent",
    "editor",
    "journalist",
    "photographer",
    "producer",
    "reporter",
    "writer",
];

/// "John Smith is a reporter covering city hall …", "Jane Doe is the Gazette's senior
/// correspondent": a name (capitalised words only) then "is a/an/the" and, within three
/// words, a journalist's role.
fn is_byline(words: &[&str]) -> bool {
    let Some(is) = words.iter().take(5).position(|w| *w == "is") else {
        return false;
    };
    let named = is > 0
        && words[..is]
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase));
    named
        && words
            .get(is + 1)
            .is_some_and(|w| matches!(*w, "a" | "an" | "the"))
        && words
            .iter()
            .skip(is + 2)
            .take(3)
            .any(|w| BYLINE_ROLES.contains(&w.to_lowercase().as_str()))
}

/// Whitespace-separated words from the sentence's first token to its last, as the stacked
/// model counted them in training (Python's `str.split()` on the sentence).
fn words_of(text: &str, tokens: &[Token]) -> usize {
    match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => text[first.bytes.start..last.bytes.end]
            .split_whitespace()
            .count(),
        _ => 0,
    }
}

/// How the furniture of a web page begins: comment forms, cookie and newsletter boxes, footers.
/// Lower case, single spaces; matched at the start of a sentence.
const PAGE_FURNITURE: &[&str] = &[
    "your email address will not be published",
    "required fields are marked",
    "save my name, email, and website",
    "notify me of follow-up comments",
    "notify me of new posts",
    "you must be logged in to post a comment",
    "this site uses akismet",
    "learn how your comment data is processed",
    "be the first to comment",
    "leave a reply",
    "we use cookies",
    "this website uses cookies",
    "this site uses cookies",
    "by continuing to use this site",
    "by continuing to use this website",
    "sign up for our newsletter",
    "subscribe to our newsletter",
    "all rights reserved",
    "follow him on",
    "follow her on",
    "follow me on",
    "follow them on",
    "follow us on",
    "click here",
    "sign up for",
];

/// The most characters of a sentence [`is_page_furniture`] reads: the longest phrase's (ASCII,
/// so its bytes).
const FURNITURE_CHARS: usize = {
    let (mut i, mut longest) = (0, 0);
    while i < PAGE_FURNITURE.len() {
        if PAGE_FURNITURE[i].len() > longest {
            longest = PAGE_FURNITURE[i].len();
        }
        i += 1;
    }
    longest
};

/// Whether the sentence starting `rest` is the furniture of a web page rather than something
/// the article says. Text pasted or fetched without its HTML keeps the comment form and the
/// footer, whose instructions ("Your email address will not be published.") the model, trained
/// on debates, scores like statements. HTML input loses them earlier, in extraction.
///
/// ```text
/// "Your email address will not be published. Required..."  -> furniture
/// "Copyright © 2017 Example News." / "(c) 2017 ..." / "©2017" -> furniture
/// "Your taxes will rise by 4% next year."                   -> not furniture
/// ```
fn is_page_furniture(rest: &str) -> bool {
    // Lower case with runs of whitespace (line breaks, no-break spaces) as one space.
    let mut head = String::with_capacity(4 * FURNITURE_CHARS);
    let mut kept = 0;
    for c in rest.chars().flat_map(char::to_lowercase) {
        let c = if c.is_whitespace() { ' ' } else { c };
        if c == ' ' && head.ends_with(' ') {
            continue;
        }
        if kept == FURNITURE_CHARS {
            break;
        }
        head.push(c);
        kept += 1;
    }
    // "Copyright 2017", "Copyright © 2017", "© 2017", "©2017", "(c) 2017".
    let year_mark = ["copyright", "\u{a9}", "(c)"].iter().any(|mark| {
        head.strip_prefix(mark).is_some_and(|after| {
            let after = after.trim_start_matches([' ', '\u{a9}']);
            after.starts_with(|c: char| c.is_ascii_digit())
        })
    });
    year_mark || PAGE_FURNITURE.iter().any(|p| head.starts_with(p))
}

/// Reads a whole file, naming it in the error.
fn read_file(path: &Path) -> Result<Vec<u8>, ClaimsError> {
    std::fs::read(path).map_err(|source| ClaimsError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Attaches the file's name to a container error.
trait Named {
    fn named(self, name: &str) -> ClaimsError;
}

impl Named for Unpack {
    fn named(self, name: &str) -> ClaimsError {
        let path = name.to_string();
        match self {
            Unpack::Magic => ClaimsError::Magic { path },
            Unpack::Version(found) => ClaimsError::Version {
                path,
                found,
                expected: FORMAT_VERSION,
            },
            Unpack::Corrupt(message) => ClaimsError::Corrupt { path, message },
        }
    }
}

/// Checks the magic line and version, inflates, and decodes the postcard body.
fn unpack(bytes: &[u8]) -> Result<ModelFile, Unpack> {
    container::unpack(MAGIC, FORMAT_VERSION, bytes)
}
