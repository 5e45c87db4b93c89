//! Main text and title from an HTML page, with boilerplate (menus, share bars, comments) removed.
//!
//! unspin analyses plain article text and reports spans as code-point offsets into it, so a
//! news page saved as HTML has to be reduced to exactly the prose a reader would see as "the
//! article" first: navigation, cookie banners, share buttons, comment threads, newsletter
//! boxes, "related articles" rails and footers would otherwise be analysed (and flagged) as if
//! the journalist had written them.
//!
//! The heavy lifting — deciding which part of the page is the article — is done by
//! [`rs_trafilatura`], a Rust port of trafilatura (about 0.97 F1 on the ScrapingHub
//! article-extraction benchmark). This crate wraps it with:
//!
//! * a light **pre-pass** that deletes elements whose `class`/`id` names are unambiguous
//!   boilerplate (`byline`, `share-buttons`, `cookie-banner`, `newsletter-signup`, …), for the
//!   old div-soup pages where trafilatura has no semantic tags to go on;
//! * its own **renderer** of the extracted HTML, so that the text has one stable shape that
//!   downstream offsets can rely on: paragraphs separated by a blank line, list items on their
//!   own lines, whitespace collapsed, entities decoded, the title not repeated at the top;
//! * **robustness** guarantees: no panic escapes (a panic inside the extractor becomes
//!   [`HtmlError::Extraction`]), no silent truncation, and a clear [`HtmlError::NoMainText`]
//!   when the page has no article in it.
//!
//! ```
//! let page = r##"<!doctype html><html><head><title>Dam repairs finished early | Gazette</title></head>
//! <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
//! <article><h1>Dam repairs finished early</h1>
//! <p>Engineers finished repairs on the old river dam two weeks ahead of schedule on Friday, the water authority said in a statement.</p>
//! <p>The work, which cost about four million, replaced the rusted sluice gates and sealed several cracks in the concrete wall.</p>
//! <p>Residents downstream had complained for years that the gates could no longer be closed fully during spring floods.</p>
//! <div class="share-buttons"><a href="#">Share on Facebook</a></div></article>
//! <footer>&copy; 2031 Gazette</footer></body></html>"##;
//!
//! assert!(unspin_html::looks_like_html(page));
//! let article = unspin_html::extract(page)?;
//! assert_eq!(article.title.as_deref(), Some("Dam repairs finished early"));
//! assert!(article.text.starts_with("Engineers finished repairs"));
//! assert!(article.text.contains("ahead of schedule on Friday, the water authority said in a statement.\n\nThe work"));
//! assert!(!article.text.contains("Share on Facebook"));
//! # Ok::<(), unspin_html::HtmlError>(())
//! ```

use std::panic::{catch_unwind, AssertUnwindSafe};

use dom_query::{Document, NodeRef};

mod attributes;
mod depth;
pub use attributes::{too_many_attributes, MAX_ATTRIBUTES};
pub use depth::parsed_depth;

/// The article found in an HTML page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Extracted {
    /// The headline, from the page's metadata (`og:title`, JSON-LD, `<title>` minus the site
    /// name, or the `<h1>`); `None` when the page names none.
    pub title: Option<String>,
    /// The article body. Paragraphs (and headings inside the body) are separated by one blank
    /// line (`"\n\n"`); list items and `<br>` breaks are on their own lines within their block.
    /// Whitespace runs (including no-break spaces) are collapsed to one space, entities are
    /// decoded, and there is no leading or trailing whitespace. The title is not repeated at
    /// the top. Never empty.
    pub text: String,
}

/// Why no article text could be extracted.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    /// The page was parsed, but nothing in it looks like article prose: an empty document, a
    /// page of navigation only, an index page of links, or plain garbage.
    #[error("no main article text found in the HTML page")]
    NoMainText,
    /// The parsed tree would be deeper than [`MAX_NESTING`]: such a page is broken or
    /// hostile, and extraction time grows with the square of the depth (and recursion in the
    /// extractor could overflow the stack), so it is refused as soon as the parser gets there.
    #[error("HTML elements are nested more than {MAX_NESTING} deep")]
    TooDeep,
    /// An element carries more than [`MAX_ATTRIBUTES`] attributes: the parser's duplicate
    /// check makes such a tag cost the square of its attributes, so it is refused before any
    /// parse (the `usize` is the tag's byte offset in the page).
    #[error("an HTML element at byte {0} has more than {MAX_ATTRIBUTES} attributes")]
    TooManyAttributes(usize),
    /// The extractor itself failed (or panicked) on this input. The message says how.
    #[error("HTML extraction failed: {0}")]
    Extraction(String),
}

/// Deepest element nesting [`extract`] accepts. Real pages stay below a few hundred; at this
/// depth extraction still takes well under a second and fits a 2 MiB thread stack.
pub const MAX_NESTING: usize = 1500;

/// Extracts the title and main article text of an HTML page.
///
/// `html` is the whole page as text: decode raw bytes with [`decode_html`] first, which
/// honours the page's `<meta charset>`. Works on malformed HTML the way browsers do (html5ever
/// parser) and never panics.
///
/// # Errors
///
/// [`HtmlError::NoMainText`] when the page holds no article prose, [`HtmlError::TooDeep`]
/// for absurdly nested markup, [`HtmlError::TooManyAttributes`] for an element with absurdly
/// many attributes, [`HtmlError::Extraction`] when the extractor fails outright.
pub fn extract(html: &str) -> Result<Extracted, HtmlError> {
    if html.trim().is_empty() {
        return Err(HtmlError::NoMainText);
    }
    // First: every parse below (the depth check's too) is quadratic in one tag's attributes.
    if let Some(at) = too_many_attributes(html, MAX_ATTRIBUTES) {
        return Err(HtmlError::TooManyAttributes(at));
    }
    // Measured by the parser itself (see `depth`): a tag-count estimate missed `<div/>`,
    // stray end tags and ruby parts, and one 120 KB page overflowed a server thread's stack.
    if parsed_depth(html, MAX_NESTING).is_none() {
        return Err(HtmlError::TooDeep);
    }
    let cleaned = catch_unwind(|| strip_boilerplate(html))
        // The pre-pass is only an aid: if it ever fails, the extractor still gets the page.
        .unwrap_or_else(|_| html.to_owned());

    let options = rs_trafilatura::Options {
        // Never cut the article: downstream offsets must cover all of it, and the crate's
        // `String::truncate` at a byte count can split (and panic on) a multi-byte character.
        max_extracted_len: usize::MAX,
        ..rs_trafilatura::Options::default()
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        rs_trafilatura::extract_with_options(&cleaned, &options)
    }))
    .map_err(|panic| HtmlError::Extraction(panic_message(&panic)))?;
    let result = match result {
        Ok(r) => r,
        Err(rs_trafilatura::Error::NoContent) => return Err(HtmlError::NoMainText),
        Err(e) => return Err(HtmlError::Extraction(e.to_string())),
    };

    let title = result
        .metadata
        .title
        .as_deref()
        .map(clean_title)
        .filter(|t| !t.is_empty());

    // Prefer our rendering of the extracted HTML (it knows paragraphs from list items and
    // does not pad inline elements with spaces); fall back to the crate's plain text when the
    // HTML is missing or lost much of the text.
    let mut blocks = result
        .content_html
        .as_deref()
        .and_then(|h| catch_unwind(|| render_html(h)).ok())
        .unwrap_or_default();
    // The crate prunes its plain text after building `content_html` ("See also" link lists,
    // tag clouds, share rows stay in the HTML only), so the text decides *what* is kept and
    // the rendering only *how* it is laid out. Rendering everything cost 0.025 precision on
    // trafilatura's 990-page benchmark (`examples/extraction-bench.rs`).
    keep_lines_in(&mut blocks, &result.content_text);
    let rendered_len: usize = blocks.iter().map(|b| b.len()).sum();
    let plain = text_blocks(&result.content_text);
    let plain_len: usize = plain.iter().map(|b| b.len()).sum();
    if rendered_len * 2 < plain_len {
        blocks = plain;
    }

    blocks.retain(|b| !is_teaser_link(b));
    drop_leading_title(&mut blocks, title.as_deref());
    let text = blocks.join("\n\n");
    if !has_prose(&text, title.as_deref()) {
        return Err(HtmlError::NoMainText);
    }
    Ok(Extracted { title, text })
}

/// Decodes the raw bytes of an HTML page to text for [`extract`], honouring the page's own
/// `<meta charset>` / `http-equiv` declaration (old news sites are often ISO-8859-1 or
/// Windows-1252) and falling back to UTF-8. Undecodable bytes become U+FFFD rather than an
/// error: a page is still worth extracting with one bad byte in it.
pub fn decode_html(bytes: &[u8]) -> String {
    rs_trafilatura::encoding::transcode_to_utf8(bytes)
}

/// Whether the extracted text is worth calling an article. trafilatura's fallback, on a page
/// with no content (only a menu, or garbage), returns scraps such as the title repeated
/// ("Site index Site indexSite index") or stray punctuation; those are no main text.
fn has_prose(text: &str, title: Option<&str>) -> bool {
    let mut key = title_key(text);
    if let Some(title) = title.map(title_key).filter(|t| !t.is_empty()) {
        key = key.replace(&title, "");
    }
    !key.is_empty()
}

/// Whether `text` looks like an HTML document rather than plain text.
///
/// True when, after an optional byte-order mark, whitespace and `<!-- comments -->` (and an
/// `<?xml …?>` declaration, for XHTML), the text starts with `<!doctype html`, `<html`,
/// `<head`, `<body`, `<article`, `<meta`, `<title` or `<div` (case-insensitive). Only the start is examined, so a
/// plain-text article that merely quotes a tag is not mistaken for a page.
pub fn looks_like_html(text: &str) -> bool {
    const OPENERS: [&str; 8] = [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<article",
        "<meta",
        "<title",
        "<div",
    ];
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Bounded so a page of nothing but comments cannot make sniffing slow.
    for _ in 0..64 {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<!--") {
            match after.find("-->") {
                Some(end) => rest = &after[end + 3..],
                None => return false,
            }
        } else if rest.starts_with("<?xml") {
            match rest.find("?>") {
                Some(end) => rest = &rest[end + 2..],
                None => return false,
            }
        } else {
            break;
        }
    }
    let head: String = rest.chars().take(16).flat_map(char::to_lowercase).collect();
    OPENERS.iter().any(|opener| {
        head.strip_prefix(opener).is_some_and(|after| {
            // `<html>` or `<html lang=..>`, but not `<htmlish>`.
            after.is_empty()
                || after.starts_with(|c: char| c == '>' || c == '/' || c.is_whitespace())
        })
    })
}

/// Class / id names that mark an element as boilerplate on any site, matched against whole
/// tokens (lowercased). Kept deliberately specific: a wrong hit deletes article text, a miss
/// only leaves the decision to trafilatura.
const BOILERPLATE_NAMES: &[&str] = &[
    "byline",
    "byline-block",
    "post-meta",
    "post-info",
    "entry-meta",
    "article-meta",
    "share",
    "sharing",
    "sharebar",
    "sharedaddy",
    "social-share",
    "social-links",
    "cookie-banner",
    "cookie-notice",
    "cookie-consent",
    "cookie-bar",
    "onetrust-consent-sdk",
    "newsletter",
    "newsletter-box",
    "newsletter-signup",
    "related",
    "related-posts",
    "related-articles",
    "read-more",
    "most-read",
    "comments",
    "comments-area",
    "comment-respond",
    "commentform",
    "comment-form",
    "advertisement",
    "ad-slot",
    "breadcrumb",
    "breadcrumbs",
    "tags",
    "post-tags",
    "entry-tags",
    "article-tags",
    "tag-list",
    "tags-list",
];

/// Token prefixes with the same meaning (`share-tools`, `cookie-banner__text`, `ad-slot--mpu`).
const BOILERPLATE_PREFIXES: &[&str] = &[
    "share-",
    "sharing-",
    "social-share",
    "cookie-",
    "newsletter-",
    "related-",
    "ad-slot",
    "byline-",
    "breadcrumb",
];

/// Elements never deleted by the pre-pass, whatever their class: they are (or hold) the
/// page itself.
const PROTECTED_TAGS: &[&str] = &["html", "body", "main", "article"];

/// A boilerplate element holding more than this share of the page's text is kept anyway: the
/// class name was probably used for a wrapper around the article (`<div class="has-share">`
/// style), and trafilatura can still sort it out.
const MAX_REMOVED_SHARE: f64 = 0.4;

fn is_boilerplate_name(token: &str) -> bool {
    let token = token.to_ascii_lowercase();
    BOILERPLATE_NAMES.contains(&token.as_str())
        || BOILERPLATE_PREFIXES.iter().any(|p| token.starts_with(p))
}

/// Paragraphs at least this long (in bytes) are prose, not a share row or a byline.
const PROSE_PARAGRAPH_BYTES: usize = 150;

/// Whether an element holds article prose (two long paragraphs) despite a boilerplate name:
/// some themes put their share bar's class on the article wrapper itself
/// (`<div class="entry themeform share">` in WordPress's Hueman), where deleting it
/// deleted the article.
fn holds_prose(node: &NodeRef<'_>) -> bool {
    node.find(&["p"])
        .iter()
        .filter(|p| p.text().trim().len() >= PROSE_PARAGRAPH_BYTES)
        .nth(1)
        .is_some()
}

/// Deletes elements whose class or id names them as boilerplate, and returns the page
/// re-serialised. Returns the input unchanged when nothing matched, to spare a serialisation.
fn strip_boilerplate(html: &str) -> String {
    let doc = Document::from(html);
    let page_text_len = doc
        .select("body")
        .nodes()
        .first()
        .map_or(0, |b| b.text().len());
    let mut removed = false;
    for node in doc.select("[class], [id]").nodes() {
        let tag = node.node_name().unwrap_or_default().to_ascii_lowercase();
        if PROTECTED_TAGS.contains(&tag.as_str()) {
            continue;
        }
        let class = node.attr("class").unwrap_or_default();
        let id = node.attr("id").unwrap_or_default();
        let hit = class.split_whitespace().any(is_boilerplate_name)
            || (!id.is_empty() && is_boilerplate_name(&id));
        if !hit {
            continue;
        }
        let len = node.text().len();
        if page_text_len > 0 && len as f64 > MAX_REMOVED_SHARE * page_text_len as f64 {
            continue;
        }
        if holds_prose(node) {
            continue;
        }
        node.remove_from_parent();
        removed = true;
    }
    if removed {
        doc.html().to_string()
    } else {
        html.to_owned()
    }
}

/// Elements that start and end a block (paragraph) of their own.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
];

/// Elements that start a new line inside the current block.
const LINE_TAGS: &[&str] = &["br", "li", "tr", "option"];

/// Elements whose content is never article text.
const SKIP_TAGS: &[&str] = &[
    "button", "head", "iframe", "noscript", "script", "select", "style", "svg", "template",
    "textarea", "title",
];

/// Accumulates rendered text: finished blocks, the lines of the current block and the
/// current (not yet whitespace-collapsed) line.
#[derive(Default)]
struct Renderer {
    blocks: Vec<String>,
    lines: Vec<String>,
    line: String,
}

impl Renderer {
    fn end_line(&mut self) {
        let collapsed = collapse_whitespace(&self.line);
        self.line.clear();
        if !collapsed.is_empty() {
            self.lines.push(collapsed);
        }
    }

    fn end_block(&mut self) {
        self.end_line();
        if !self.lines.is_empty() {
            self.blocks.push(self.lines.join("\n"));
            self.lines.clear();
        }
    }
}

/// Renders the extracted article HTML to blocks of text. Iterative rather than recursive, so
/// a pathologically deep tree cannot overflow the stack.
fn render_html(html: &str) -> Vec<String> {
    let doc = Document::fragment(html);
    let mut out = Renderer::default();
    // (node, leaving): a node is pushed once to enter it and once more to leave it.
    let mut stack: Vec<(NodeRef<'_>, bool)> = vec![(doc.root(), false)];
    while let Some((node, leaving)) = stack.pop() {
        if node.is_text() {
            out.line.push_str(&node.text());
            continue;
        }
        let name = if node.is_element() {
            node.node_name().unwrap_or_default().to_ascii_lowercase()
        } else {
            String::new()
        };
        let name = name.as_str();
        if leaving {
            if BLOCK_TAGS.contains(&name) {
                out.end_block();
            } else if LINE_TAGS.contains(&name) {
                out.end_line();
            } else if name == "td" || name == "th" {
                out.line.push(' ');
            }
            continue;
        }
        if SKIP_TAGS.contains(&name) || node.is_comment() {
            continue;
        }
        if BLOCK_TAGS.contains(&name) {
            out.end_block();
        } else if LINE_TAGS.contains(&name) {
            out.end_line();
        }
        stack.push((node, true));
        let mut children = node.children();
        children.reverse();
        stack.extend(children.into_iter().map(|c| (c, false)));
    }
    out.end_block();
    out.blocks
}

/// Keeps only the lines of `blocks` whose text occurs in `text`, compared without whitespace,
/// invisible characters and `|` (the crate's text writes `( WFP )` where the page has
/// `(WFP)`, and `a | b` for table cells we separate by a space); blocks left without lines
/// are dropped.
///
/// Each line is looked for anywhere in the text: the crate's order is not always the tree's
/// (a search that only moved forward lost 0.006 recall on the benchmark). That is a scan of
/// the text per line, so a page whose lines × text length exceeds [`LINE_SCAN_BUDGET`]
/// (hundreds of kilobytes of text in a thousand lines; a news article is a tenth of that
/// both ways) is left unfiltered rather than taking quadratic time.
fn keep_lines_in(blocks: &mut Vec<String>, text: &str) {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| {
                !c.is_whitespace() && !matches!(c, '|' | '\u{ad}' | '\u{200b}' | '\u{feff}')
            })
            .collect()
    };
    let haystack = key(text);
    let lines: usize = blocks.iter().map(|b| b.lines().count()).sum();
    // No text to go by (the crate found only markup): the rendering stands, as before.
    if haystack.is_empty() || lines.saturating_mul(haystack.len()) > LINE_SCAN_BUDGET {
        return;
    }
    for block in blocks.iter_mut() {
        let kept: Vec<&str> = block
            .lines()
            .filter(|line| haystack.contains(&key(line)))
            .collect();
        if kept.len() != block.lines().count() {
            *block = kept.join("\n");
        }
    }
    blocks.retain(|b| !b.is_empty());
}

/// Most bytes [`keep_lines_in`] scans (lines × text length), a fraction of a second; a long
/// news article (30 KB of text, 300 lines) needs 9 MB.
const LINE_SCAN_BUDGET: usize = 1 << 28;

/// Splits the extractor's plain text into blocks at blank lines, collapsing whitespace.
fn text_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let collapsed = collapse_whitespace(line);
        if collapsed.is_empty() {
            if !lines.is_empty() {
                blocks.push(lines.join(" "));
                lines.clear();
            }
        } else {
            lines.push(collapsed);
        }
    }
    if !lines.is_empty() {
        blocks.push(lines.join(" "));
    }
    blocks
}

/// Collapses every run of Unicode whitespace (no-break spaces included) to one space, trims,
/// and drops invisible characters (soft hyphen, zero-width space, BOM) that would otherwise
/// split words in the analysed text.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        let word = word.replace(['\u{ad}', '\u{200b}', '\u{feff}'], "");
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
    }
    out
}

/// Labels of the one-line links to other stories that sites drop between paragraphs
/// ("READ MORE: Council approves budget"); trafilatura keeps them, as they sit inside the
/// article body.
const TEASER_LABELS: &[&str] = &[
    "related",
    "read more",
    "read also",
    "also read",
    "see also",
    "more on this story",
    "recommended",
    "watch",
];

/// Longest block still treated as a teaser link: an article paragraph that happens to start
/// with "Related:" is longer than a headline.
const TEASER_MAX_CHARS: usize = 160;

/// Whether a block is a "Related: <headline>" teaser rather than article text.
fn is_teaser_link(block: &str) -> bool {
    if block.chars().count() > TEASER_MAX_CHARS || block.contains('\n') {
        return false;
    }
    let Some((label, rest)) = block.split_once(':') else {
        return false;
    };
    let label = label.trim().to_lowercase();
    TEASER_LABELS.contains(&label.as_str()) && !rest.trim().is_empty()
}

/// Separators left dangling where a site name was cut off a `<title>`
/// ("Headline :: Site" → "Headline :").
const TITLE_SEPARATORS: &[char] = &[':', '|', '-', '–', '—', '·', '•', '/', '»', '«', '~'];

fn clean_title(title: &str) -> String {
    collapse_whitespace(title)
        .trim_matches(|c: char| c.is_whitespace() || TITLE_SEPARATORS.contains(&c))
        .to_owned()
}

/// How many blocks at the top may be checked for a repeated headline (a kicker or section
/// label can come before it).
const TITLE_SCAN_BLOCKS: usize = 3;

/// Removes the first of the leading blocks that repeats the title, so the text starts with the
/// article itself.
fn drop_leading_title(blocks: &mut Vec<String>, title: Option<&str>) {
    let Some(title) = title else { return };
    let key = title_key(title);
    if key.is_empty() {
        return;
    }
    if let Some(i) = blocks
        .iter()
        .take(TITLE_SCAN_BLOCKS)
        .position(|b| title_key(b) == key)
    {
        blocks.remove(i);
    }
}

/// Comparison key for titles: lowercase alphanumerics only, so "Café owners & bakers" matches
/// "café owners &amp; bakers:" rendered differently.
fn title_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_owned());
    format!("extractor panicked: {detail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_html_starts() {
        assert!(looks_like_html("<!DOCTYPE html><html></html>"));
        assert!(looks_like_html(
            "\u{feff}  \n<!-- saved page -->\n<HTML lang=en>"
        ));
        assert!(looks_like_html(
            "<?xml version=\"1.0\"?>\n<html xmlns=\"x\">"
        ));
        assert!(looks_like_html("<head><title>x</title></head>"));
        assert!(looks_like_html("<body>"));
        assert!(looks_like_html("<article class=\"story\">"));
        assert!(!looks_like_html("The senator said <b> tags are fine."));
        assert!(!looks_like_html(""));
        assert!(!looks_like_html("<htmlish>"));
        assert!(!looks_like_html("<!-- never closed"));
        assert!(!looks_like_html("Plain article text.\n\nSecond paragraph."));
    }

    #[test]
    fn renders_blocks_and_list_lines() {
        let blocks = render_html(
            "<h2>Head</h2><p>One  <b>bold</b>\n word.</p><ul><li>a</li><li>b &amp; c</li></ul><p>x<br>y</p>",
        );
        assert_eq!(blocks, ["Head", "One bold word.", "a\nb & c", "x\ny"]);
    }

    #[test]
    fn boilerplate_names_match_whole_tokens_only() {
        for name in [
            "tags",
            "post-tags",
            "share-tools",
            "Cookie-Banner",
            "byline",
        ] {
            assert!(is_boilerplate_name(name), "{name}");
        }
        for name in ["story-body", "tagsoup", "shared-content", "article"] {
            assert!(!is_boilerplate_name(name), "{name}");
        }
    }

    #[test]
    fn keeps_only_lines_the_extractor_kept() {
        let mut blocks = vec![
            "Body one (WFP) said.".to_owned(),
            "See also".to_owned(),
            "row a 2.3 GB/s\nOther link".to_owned(),
        ];
        keep_lines_in(
            &mut blocks,
            "Body one ( WFP ) said.\n\nrow a | 2.3 GB/s\nsoft\u{ad}ware",
        );
        assert_eq!(blocks, ["Body one (WFP) said.", "row a 2.3 GB/s"]);
    }

    #[test]
    fn article_wrappers_with_share_classes_hold_prose() {
        let long = "word ".repeat(40);
        let doc = Document::from(format!(
            "<div class=\"entry share\"><p>{long}</p><p>{long}</p></div><div class=\"share\"><p>Share</p><p>{long}</p></div>"
        ));
        let held: Vec<bool> = doc.select("div").nodes().iter().map(holds_prose).collect();
        assert_eq!(held, [true, false]);
    }

    #[test]
    fn collapses_nbsp_and_drops_invisibles() {
        assert_eq!(
            collapse_whitespace(" a\u{a0}\u{a0}b \t soft\u{ad}ware\u{200b} "),
            "a b software"
        );
    }

    #[test]
    fn cleans_dangling_title_separators() {
        assert_eq!(
            clean_title("Quarry expansion approved :"),
            "Quarry expansion approved"
        );
        assert_eq!(clean_title("  Why now?  "), "Why now?");
        assert_eq!(clean_title("\"Quoted\" headline -"), "\"Quoted\" headline");
    }

    #[test]
    fn drops_repeated_title_once() {
        let mut blocks = vec!["Café owners & bakers".to_owned(), "Body.".to_owned()];
        drop_leading_title(&mut blocks, Some("Café Owners & Bakers:"));
        assert_eq!(blocks, ["Body."]);
    }

    #[test]
    fn teaser_links_are_recognised() {
        assert!(is_teaser_link("READ MORE: Council approves bridge budget"));
        assert!(is_teaser_link("Related: City hall to reopen in May"));
        assert!(!is_teaser_link("Related: ")); // nothing after the label
        assert!(!is_teaser_link("Relatedly, the council said no."));
        assert!(!is_teaser_link(
            "See also: the mayor, who said on Tuesday that the toll would be reviewed, and the \
             council, which said it would not, were both asked to comment on the plan before \
             the vote."
        ));
    }

    #[test]
    fn decodes_declared_latin1() {
        let page = b"<html><head><meta charset=\"ISO-8859-1\"></head><body>Caf\xe9</body></html>";
        assert!(decode_html(page).contains("Caf\u{e9}"));
        assert!(decode_html("<p>d\u{e9}j\u{e0}</p>".as_bytes()).contains("d\u{e9}j\u{e0}"));
    }

    #[test]
    fn title_echoes_and_symbols_are_not_prose() {
        assert!(!has_prose(
            "Site index\nSite indexSite index",
            Some("Site index")
        ));
        assert!(!has_prose("<<<>>><<<>>>", None));
        assert!(has_prose("Short note.", None));
        assert!(has_prose("Site index has moved.", Some("Site index")));
    }

    #[test]
    fn boilerplate_names_match_whole_tokens() {
        assert!(is_boilerplate_name("share-tools"));
        assert!(is_boilerplate_name("Byline"));
        assert!(is_boilerplate_name("ad-slot--inline"));
        assert!(!is_boilerplate_name("shared-content"));
        assert!(!is_boilerplate_name("has-comments"));
        assert!(!is_boilerplate_name("article-body"));
        assert!(!is_boilerplate_name("reader"));
    }
}
