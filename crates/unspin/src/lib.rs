//! unspin: find propaganda techniques in news articles.
//!
//! This crate is the library front door. It ties the pieces together (core types, the
//! classical detector with its model embedded in the binary, PTC label I/O and scoring) and
//! knows nothing of command lines or servers.
//!
//! ```no_run
//! let detector = unspin::load_detector(None).unwrap();
//! let report = unspin::analyze(detector.as_ref(), unspin::Article::new("1", "They are traitors.")).unwrap();
//! for s in &report.spans {
//!     println!("{} {}..{} {:?}", s.technique(), s.start(), s.end(), s.text());
//! }
//! ```

pub use unspin_classical as classical;
pub use unspin_core::*;
pub use unspin_eval as eval;
pub use unspin_factcheck as factcheck;
pub use unspin_io::{
    article_from_bytes, article_from_html, read_article, read_article_dir, read_article_from,
    read_inputs, InputError, InputFormat, InputOptions,
};
pub use unspin_io::{files, input};
#[cfg(feature = "transformer")]
pub use unspin_transformer as transformer;

#[cfg(feature = "transformer")]
pub mod compare;
pub mod crossval;
#[cfg(feature = "transformer")]
pub mod ensemble;
pub mod export;
pub mod fetch;
#[cfg(feature = "transformer")]
pub mod holdout;
pub mod models;

#[cfg(feature = "transformer")]
pub use ensemble::Ensemble;
pub use models::{load_best, load_model, Loaded, ModelChoice};

use std::path::Path;

/// This build's version, as reports and exports record it (all crates share one version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Loads a detector: the model at `path` if given, else the classical model embedded at build
/// time.
pub fn load_detector(path: Option<&Path>) -> anyhow::Result<Box<dyn Detector>> {
    let model = match path {
        Some(p) => classical::ClassicalModel::load(p)?,
        None => classical::ClassicalModel::embedded()?,
    };
    Ok(Box::new(model))
}

/// Runs a detector over one article and packages the result: propaganda spans only.
pub fn analyze(detector: &dyn Detector, article: Article) -> Result<Report, DetectError> {
    let doc = Document::new(article);
    let detection = detector.detect(&doc, &Cancel::new())?;
    Ok(report_of(&doc, detector.name(), detection).0)
}

/// The report of a detection, and the vectors it carried (for the aids).
fn report_of(
    doc: &Document,
    detector: &str,
    detection: Detection,
) -> (Report, Option<std::sync::Arc<PieceVectors>>) {
    let mut report = Report::new(doc, detector, detection.spans);
    report.notes = detection.notes;
    (report, detection.vectors)
}

/// Everything unspin reports on an article: propaganda spans from a detector, plus the
/// fact-checking aids (check-worthy claims, quotes, internal contradictions) unless they were
/// turned off.
pub struct Analyzer {
    detector: Box<dyn Detector>,
    /// `None`: the aids are off. Shared by analyzers made with [`Analyzer::with_detector`].
    claims: Option<std::sync::Arc<factcheck::claims::ClaimModel>>,
}

impl Analyzer {
    /// A detector, with the aids (and the embedded claim model) when `aids` is true.
    pub fn new(detector: Box<dyn Detector>, aids: bool) -> anyhow::Result<Self> {
        let claims = if aids {
            Some(std::sync::Arc::new(
                factcheck::claims::ClaimModel::embedded()?,
            ))
        } else {
            None
        };
        Ok(Analyzer { detector, claims })
    }

    /// Another analyzer with the same aids (the claim models shared, not loaded again) around
    /// `detector`: how a server offers a second model.
    pub fn with_detector(&self, detector: Box<dyn Detector>) -> Self {
        Analyzer {
            detector,
            claims: self.claims.clone(),
        }
    }

    pub fn detector(&self) -> &dyn Detector {
        self.detector.as_ref()
    }

    /// Analyses one article. The aids read the same text the spans point into, so all offsets
    /// in the report share one coordinate system. The detector's notes travel in
    /// [`Report::notes`]; an error means the detector gave no answer for this article.
    pub fn analyze(&self, article: Article) -> Result<Report, DetectError> {
        self.analyze_until(article, true, &Cancel::new())
    }

    /// Like [`Analyzer::analyze`], but skips the aids for this article when `aids` is false
    /// (a long-running server loads the claim model once and lets each request choose), and
    /// gives up with [`DetectError::Cancelled`] soon after `cancel` is set: between the
    /// encoder's batches of windows, and between detection and the aids.
    pub fn analyze_until(
        &self,
        article: Article,
        aids: bool,
        cancel: &Cancel,
    ) -> Result<Report, DetectError> {
        let doc = Document::new(article);
        let detection = self.detector.detect(&doc, cancel)?;
        cancel.check()?;
        let (mut report, vectors) = report_of(&doc, self.detector.name(), detection);
        if let Some(model) = self.claims.as_ref().filter(|_| aids) {
            let aids = factcheck::run(model, &doc, vectors.as_deref());
            report.claims = aids.claims;
            report.quotes = aids.quotes;
            report.findings = aids.findings;
        }
        Ok(report)
    }
}
