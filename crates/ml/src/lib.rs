//! The machine-learning pieces unspin's models share, with no knowledge of propaganda, claims
//! or quotes: the classical detector, the claims model and the quote tagger are all hashed
//! features in, a small linear model out.
//!
//! - [`hash`]: feature hashing that never changes between builds (trained weights depend on it).
//! - [`sparse`]: hashed weight tables, dense in memory and sparse on disk.
//! - [`crf`]: a two-label linear-chain CRF with per-token marginals.
//! - [`logreg`]: multinomial logistic regression.
//! - [`dense`]: dot product and logistic function for heads on encoder vectors.
//! - [`calibrate`]: Platt scaling of confidences, fitted on held-out outcomes.
//! - [`rng`]: a seeded generator, so training is reproducible.
//! - [`container`]: the model file format (magic line, version, deflated postcard body).
//!
//! Written here rather than taken from crates: see each module for why.

pub mod calibrate;
pub mod container;
pub mod crf;
pub mod dense;
pub mod hash;
pub mod logreg;
pub mod rng;
pub mod sparse;
