//! The classical propaganda technique detector: pure Rust, small, fast, embedded in the binary.
//!
//! - SI (where): a two-label linear-chain CRF ([`crf`]) tags tokens; runs of tokens whose
//!   marginal probability passes a tuned threshold become spans.
//! - TC (which technique): multinomial logistic regression ([`logreg`]) over span features.
//! - Both read hashed features ([`features`]) built on lexicons learned from the training data
//!   ([`lexicon`]).
//!
//! Training lives in [`train`](mod@train) and is never called on the inference path.

pub mod features;
pub mod lexicon;
pub mod model;
pub mod train;

// The shared toolbox, under the paths the classical model has always used.
pub use unspin_ml::{container, crf, hash, logreg, rng, sparse};

pub use model::{ClassicalModel, ClassicalView, DecodeParams, ModelError, FORMAT_VERSION};
pub use train::{train, TrainDoc, TrainOptions};
