//! A linear bound on attributes per tag, checked before any parser sees the page.
//!
//! html5ever's tokenizer drops duplicate attributes by comparing each new one with every
//! attribute the tag already has, so one tag with n attributes costs n²/2 comparisons, in each
//! of the several parses a page goes through (depth check, boilerplate pre-pass, extractor). A
//! 430 KB page of one `<div>` with 40,000 attributes took 14 s; 2.4 MB took minutes, and a
//! server's time limit does not stop a parse under way. Real pages stay far below
//! [`MAX_ATTRIBUTES`] on any element, so a page over it is refused up front, and the parsers'
//! work is bounded by (attributes in the page) × [`MAX_ATTRIBUTES`].
//!
//! The count follows the HTML tokenizer's tag states closely enough for a bound: a tag opens
//! at `<` plus a letter, attribute names are separated by whitespace or `/`, values may be
//! quoted (and then hold `>`), and comments and the raw text of `script`, `style`,
//! `textarea`, `title`, `xmp`, `iframe`, `noembed`, `noframes` and `noscript` hold no tags.
//! Where it differs from the parser it counts as many attributes or more, never fewer, except
//! for whole tags the parser would not see (which cost the parser nothing).
//! Written by hand because no crate offers a tokenizer-shaped scan without the quadratic step
//! this guards against.

/// Most attributes one element may carry. Real pages use a few dozen at most (framework
/// `data-` attributes included); 256 keeps the worst case of the parsers' duplicate check to
/// 128 comparisons per attribute.
pub const MAX_ATTRIBUTES: usize = 256;

/// Elements whose content the tokenizer reads as text up to their end tag.
const RAW_TEXT: [&[u8]; 9] = [
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"noscript",
];

/// The byte offset of the first tag with more than `limit` attributes, if any.
///
/// ```
/// # use unspin_html::too_many_attributes;
/// assert_eq!(too_many_attributes(r#"<p class="a" id=b>x</p>"#, 2), None);
/// assert_eq!(too_many_attributes(r#"x <p class="a" id=b hidden>"#, 2), Some(2));
/// // Quoted values may hold spaces and '>'; a script's text holds no tags.
/// assert_eq!(too_many_attributes(r#"<p title="a > b c d">"#, 1), None);
/// assert_eq!(too_many_attributes("<script>if (a<b c d e) {}</script>", 1), None);
/// ```
pub fn too_many_attributes(html: &str, limit: usize) -> Option<usize> {
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(lt) = memchr(b'<', b, i) {
        i = lt + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, b"-->", i + 3).map_or(b.len(), |e| e + 3);
            continue;
        }
        if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_start = i;
        while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
            i += 1;
        }
        let name = &b[name_start..i];
        let mut count = 0;
        loop {
            while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                break;
            }
            // An attribute name: up to whitespace, '/', '>' or '=' (a leading '=' belongs to
            // the name, as in the tokenizer).
            count += 1;
            if count > limit {
                return Some(lt);
            }
            i += 1;
            while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            if b.get(i) != Some(&b'=') {
                continue;
            }
            i += 1;
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    i = memchr(q, b, i + 1).map_or(b.len(), |e| e + 1);
                }
                _ => {
                    while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
        if RAW_TEXT.iter().any(|r| name.eq_ignore_ascii_case(r)) {
            i = end_tag(b, name, i).unwrap_or(b.len());
        }
    }
    None
}

/// Where the raw text from `from` ends: the `</name` that closes it, which the tokenizer
/// takes only before whitespace, `/` or `>` (`"</scripts"` in a script is still script).
fn end_tag(b: &[u8], name: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(lt) = find(b, b"</", i) {
        let end = lt + 2 + name.len();
        if b.get(lt + 2..end)
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
            && b.get(end)
                .is_none_or(|&c| is_space(c) || c == b'/' || c == b'>')
        {
            return Some(end);
        }
        i = lt + 2;
    }
    None
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn memchr(c: u8, b: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&x| x == c)
        .map(|p| from + p)
}

fn find(b: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(n: usize) -> String {
        let attrs: Vec<String> = (0..n).map(|k| format!("a{k}=\"x\"")).collect();
        format!("<div {}>text</div>", attrs.join(" "))
    }

    #[test]
    fn counts_every_attribute_form() {
        assert_eq!(too_many_attributes(&tag(256), 256), None);
        assert_eq!(too_many_attributes(&tag(257), 256), Some(0));
        // Unquoted, valueless, single-quoted, spaced around '=', after a '/'.
        let forms = "<input a=1 b 'c'='d' e = \"f\" /g>";
        assert_eq!(too_many_attributes(forms, 5), None);
        assert_eq!(too_many_attributes(forms, 4), Some(0));
    }

    #[test]
    fn comments_and_raw_text_hold_no_tags() {
        let many = tag(10);
        assert_eq!(too_many_attributes(&format!("<!-- {many} -->"), 3), None);
        assert_eq!(
            too_many_attributes(&format!("<STYLE>{many}</style>"), 3),
            None
        );
        assert_eq!(
            too_many_attributes(&format!("<script>'</scripts>'{many}</script>"), 3),
            None
        );
        // After the raw text ends, tags count again.
        assert_eq!(
            too_many_attributes(&format!("<script>x</script>{many}"), 3),
            Some(18)
        );
        // An unclosed comment or script runs to the end, as in the tokenizer.
        assert_eq!(too_many_attributes(&format!("<!-- {many}"), 3), None);
    }

    #[test]
    fn a_value_may_hold_what_ends_a_tag() {
        assert_eq!(too_many_attributes(r#"<a href="x>y z w">t</a>"#, 1), None);
        // An unclosed quote swallows the rest, as in the tokenizer.
        assert_eq!(too_many_attributes(r#"<a href="x y z w"#, 1), None);
    }

    #[test]
    fn text_with_less_than_signs_is_not_a_tag() {
        assert_eq!(too_many_attributes("1 < 2 and 3 <4 a b c d>", 1), None);
        assert_eq!(too_many_attributes("<", 0), None);
        assert_eq!(too_many_attributes("<a", 0), None);
        assert_eq!(too_many_attributes("<a b", 0), Some(0));
    }
}
