//! Statistics over the results database: which techniques each outlet uses and how often,
//! how they change month by month, how much of each outlet's text is propaganda, the loaded
//! phrases that recur, and the articles with the most internal contradictions.
//!
//! [`compute`] runs the queries into a [`Stats`] value (serializable, for JSON); the renderers
//! turn it into an aligned terminal table ([`render_table`]), CSV ([`render_csv`],
//! [`csv_files`]) or a self-contained HTML page with charts ([`render_html`]).
//!
//! Rates are *per 1000 articles* so that outlets and months of different sizes compare; the
//! propaganda share is characters inside at least one span over all characters, so long
//! articles weigh more, as they do for a reader.
//!
//! The module follows the data: [`query`] reads the store into the [`model`] types, and
//! `table`, `csv`, `html` (private modules) and [`render_json`] each render that one value.

mod csv;
mod format;
mod html;
pub mod model;
pub mod query;
mod table;
#[cfg(test)]
mod tests;

pub use csv::{csv_files, render_csv};
pub use html::render_html;
pub use model::*;
pub use query::{compute, normalize_phrase, parse_month, Options, DEFAULT_TOP, PHRASE_TECHNIQUES};
pub use table::render_table;

use anyhow::{Context, Result};

/// Pretty-printed JSON of the whole [`Stats`].
pub fn render_json(stats: &Stats) -> Result<String> {
    let mut s = serde_json::to_string_pretty(stats).context("cannot serialise the statistics")?;
    s.push('\n');
    Ok(s)
}
