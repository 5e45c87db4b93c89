//! An article: an id and the exact text every offset points into.

use crate::offsets::OffsetMap;
use crate::span::CharSpan;
use serde::Serialize;

/// One input document. `text` is kept byte-for-byte as read (a leading BOM stays and counts as
/// character 0), because PTC offsets are defined on the raw file.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    pub id: String,
    /// Private so that it cannot drift from `offsets`, which every span of every report is
    /// sliced through.
    text: String,
    /// The page title, for articles extracted from HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// True when `text` was extracted from HTML rather than read as is: offsets then point into
    /// text the user does not have, so reports include it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub extracted: bool,
    #[serde(skip)]
    offsets: OffsetMap,
}

impl Article {
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let offsets = OffsetMap::new(&text);
        Article {
            id: id.into(),
            text,
            title: None,
            extracted: false,
            offsets,
        }
    }

    /// An article whose text was extracted from an HTML page.
    pub fn from_html(
        id: impl Into<String>,
        title: Option<String>,
        text: impl Into<String>,
    ) -> Self {
        Article {
            title,
            extracted: true,
            ..Article::new(id, text)
        }
    }

    /// The text, exactly as read.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn offsets(&self) -> &OffsetMap {
        &self.offsets
    }

    /// Length in code points.
    pub fn len_chars(&self) -> usize {
        self.offsets.len_chars()
    }

    /// The text of a code-point span, or `None` if the span leaves the article.
    pub fn slice(&self, span: CharSpan) -> Option<&str> {
        let r = self.offsets.byte_range(&self.text, span)?;
        Some(&self.text[r])
    }

    /// Derives the PTC article id from a file name: `article123.txt` gives `123`; any other
    /// name gives its stem.
    pub fn id_from_path(path: &std::path::Path) -> String {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match stem.strip_prefix("article") {
            Some(rest) if !rest.is_empty() => rest.to_string(),
            _ => stem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn ids_from_paths() {
        assert_eq!(Article::id_from_path(Path::new("/a/article111.txt")), "111");
        assert_eq!(Article::id_from_path(Path::new("news.txt")), "news");
        assert_eq!(Article::id_from_path(Path::new("article.txt")), "article");
    }

    #[test]
    fn slice_uses_code_points() {
        let a = Article::new("x", "\u{feff}😀 hi");
        assert_eq!(a.len_chars(), 5);
        assert_eq!(a.slice(CharSpan::new(3, 5)), Some("hi"));
        assert_eq!(a.slice(CharSpan::new(1, 2)), Some("😀"));
        assert_eq!(a.slice(CharSpan::new(4, 6)), None);
    }
}
