//! Reports as files a journalist can send on: annotated standalone HTML ([`html`]) and a CSV
//! of every finding ([`csv`]). Both are pure functions of reports and their texts, shared by the
//! CLI (`analyze --format html|csv`) and the server (the page's export buttons).

pub mod csv;
pub mod html;

pub use self::csv::write_csv;
pub use self::html::write_html;

/// Who made an export and when, printed in its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportMeta {
    /// The unspin version ([`crate::VERSION`]).
    pub version: String,
    /// When the analysis ran, RFC 3339; `None` leaves the date out (reproducible output).
    pub created: Option<String>,
}

impl Default for ExportMeta {
    fn default() -> Self {
        ExportMeta {
            version: crate::VERSION.to_string(),
            created: None,
        }
    }
}

/// The current time as reports record it: RFC 3339, UTC, whole seconds
/// (`2026-12-03T04:20:00Z`).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
