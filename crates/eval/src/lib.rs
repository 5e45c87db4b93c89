//! Evaluation for unspin: reading and writing Propaganda Techniques Corpus label files, and the
//! three SemEval-2020 Task 11 scorers.
//!
//! * [`labels`](mod@labels) parses and writes the PTC TSV formats (SI: `ID START END`, TC: `ID TECHNIQUE
//!   START END`, and the TC template with `?` for the technique). Every malformed line is an
//!   error naming the file and line; nothing here panics on bad input.
//! * [`score`](mod@score) reproduces the official scorers (Da San Martino et al. 2020): span identification
//!   (SI) and full-length classification (FLC) with the partial-overlap precision/recall of the
//!   task, and technique classification (TC) with micro-averaged label matching.
//! * [`bootstrap`] resamples articles to give a score, and the difference between two
//!   systems' scores, a 95% interval.
//!
//! Offsets are Unicode code points, end exclusive, exactly as in the corpus.

pub mod bootstrap;
pub mod labels;
pub mod score;

pub use labels::*;
pub use score::*;
