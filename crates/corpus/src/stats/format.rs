//! Text formatting the terminal table and the HTML page share: counts with thousands
//! separators and nouns in the right number, percentages, outlet labels, cut strings.

use unspin::Technique;

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with its noun in the right number: `1 article`, `1,234 articles`.
pub(crate) fn articles(n: u64) -> String {
    counted(n, "article", "articles")
}

/// `n` with `one` or `many` after it: `1 span`, `2,000 spans`.
pub(crate) fn counted(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", thousands(n))
    }
}

/// A share as a percentage with one decimal (`0.0623` → `6.2%`).
pub(crate) fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// How an outlet row is labelled when articles name none.
pub(crate) const NO_SOURCE: &str = "(no source)";

pub(crate) fn source_label(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or(NO_SOURCE)
}

/// A short column heading for a technique (terminal tables are narrow); an unknown name (from
/// a newer model) as it is.
pub(crate) fn technique_code(name: &str) -> &str {
    name.parse::<Technique>()
        .map(Technique::code)
        .unwrap_or(name)
}

/// Cuts `s` to at most `max` characters, marking the cut with an ellipsis.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}
