//! unspin at corpus scale.
//!
//! The flow is *inputs ([`source`]: directories of pages, JSONL, gzip'd JSONL) → chunks of
//! records → analysis on all cores → one JSONL shard per chunk ([`batch`]) → the results
//! database ([`store`]) → [`stats`]*.
//!
//! Crash safety rests on one rule: a chunk's shard appears (by atomic rename) only once all of
//! it is written, and the database records the shard in the same transaction as its rows. A run
//! killed at any moment therefore leaves whole shards and a database that knows which of them it
//! holds; the next run skips those chunks and (re)ingests the rest.

pub mod batch;
pub mod fingerprint;
pub mod source;
pub mod stats;
pub mod store;
