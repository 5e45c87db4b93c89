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
