//! Fact-checking aids: what in an article a fact-checker should look at besides its rhetoric.
//!
//! [`consistency`] finds places where an article disagrees with itself — parts that do not add up
//! to the total they break down, shares over 100%, one quantity given two values, one name spelled
//! two ways. Such slips need no outside knowledge to spot, and they are a cheap signal that a text
//! was assembled carelessly (or edited to a purpose), so they are worth a reader's second look.
//!
//! [`claims`] scores each sentence for check-worthiness — is it a factual claim worth verifying? —
//! so a fact-checker can start with the statistics and assertions rather than the pleasantries.

pub mod claims;
pub mod consistency;
pub mod quotes;

use unspin_core::aids::{Claim, Finding, Quote};
use unspin_core::{Document, PieceVectors};

/// Everything the aids report on one article.
#[derive(Debug, Clone, Default)]
pub struct Aids {
    pub claims: Vec<Claim>,
    pub quotes: Vec<Quote>,
    pub findings: Vec<Finding>,
}

/// Runs all three aids on a document, reusing its tokens and sentences: the article is
/// segmented once for the detector and the aids together. `vectors`, the detector's encoding
/// of the document when it ran an encoder, let the claims model and the quote tagger read them.
pub fn run(model: &claims::ClaimModel, doc: &Document, vectors: Option<&PieceVectors>) -> Aids {
    let segmented = consistency::Doc::of(doc);
    Aids {
        claims: model.claims_with(doc, vectors),
        quotes: quotes::extract_doc(&segmented, vectors),
        findings: consistency::check_doc(&segmented),
    }
}
