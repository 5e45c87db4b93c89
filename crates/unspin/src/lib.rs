//! unspin: find propaganda techniques in news articles.
//!
//! This crate is the library front door. It ties the pieces together (core types, the
//! classical detector with its model embedded in the binary, PTC label I/O and scoring) and
//! knows nothing of command lines or servers.
//!
//! ```no_run
//! let detector = unspin::load_detector(None).unwrap();
//! let report = unspin::analyze(detector.as_ref(), unspin::Article::new("1", "They are traitors."));
//! for s in &report.spans {
//!     println!("{} {}..{} {:?}", s.technique, s.start, s.end, s.text);
//! }
//! ```

pub use unspin_classical as classical;
pub use unspin_core::*;
pub use unspin_eval as eval;

pub mod crossval;

use std::path::Path;

/// Loads a detector: the model at `path` if given, else the classical model embedded at build
/// time.
pub fn load_detector(path: Option<&Path>) -> anyhow::Result<Box<dyn Detector>> {
    let model = match path {
        Some(p) => classical::ClassicalModel::load(p)?,
        None => classical::ClassicalModel::embedded()?,
    };
    Ok(Box::new(model))
}

/// Runs a detector over one article and packages the result.
pub fn analyze(detector: &dyn Detector, article: Article) -> Report {
    let doc = Document::new(article);
    let spans = detector.detect(&doc);
    Report::new(&doc, detector.name(), spans)
}
