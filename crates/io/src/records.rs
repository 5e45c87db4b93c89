//! Corpus records: one article of a JSONL corpus (`{"id", "text" | "html", "source"?,
//! "url"?, "date"?}`), read line by line with a cap on each line, so that a corrupt or huge
//! line costs one record, never the memory of the machine.

use crate::input::{
    article_from_bytes, check_id, is_blank, nul_in_text, Given, GivenError, InputFormat,
};
use flate2::read::MultiGzDecoder;
use serde::Deserialize;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use unspin_core::Article;

/// One article of a JSONL corpus, as written by a crawler.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct InputRecord {
    pub id: String,
    /// Plain text, kept code point for code point (offsets point into it).
    #[serde(default)]
    pub text: Option<String>,
    /// A whole web page; its extracted main text is analysed and reported.
    #[serde(default)]
    pub html: Option<String>,
    /// The outlet (a name or domain); statistics group by it.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// Publication date, ideally ISO 8601 (`2025-03-01` or a full timestamp); statistics by
    /// month read its first seven characters.
    #[serde(default)]
    pub date: Option<String>,
}

/// Why one record was skipped. The run goes on; the reason lands in the errors file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError(pub String);

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RecordError {}

impl InputRecord {
    /// Parses one JSONL line. Invalid UTF-8 and invalid JSON are reported with where in the
    /// line they are, since the line itself may be megabytes long.
    pub fn from_json_line(line: &[u8]) -> Result<InputRecord, RecordError> {
        if let Err(e) = std::str::from_utf8(line) {
            return Err(RecordError(format!(
                "not valid UTF-8 (byte {} of the line)",
                e.valid_up_to()
            )));
        }
        serde_json::from_slice(line).map_err(|e| {
            RecordError(format!(
                "invalid record: {e} (a record is {{\"id\", \"text\" | \"html\", \"source\"?, \"url\"?, \"date\"?}})"
            ))
        })
    }

    /// The article this record describes: its text, or the main text extracted from its page.
    pub fn into_article(self) -> Result<(Article, Meta), RecordError> {
        if self.id.trim().is_empty() {
            return Err(RecordError("empty \"id\"".into()));
        }
        check_id(&self.id).map_err(RecordError)?;
        let meta = Meta {
            source: self.source,
            url: self.url,
            date: self.date,
        };
        // A record's `url` is metadata, never fetched, so it is not one of the forms.
        let article = match Given::exactly_one(self.text, self.html, None) {
            Ok(Given::Text(text)) => {
                if let Some(why) = nul_in_text(&text) {
                    return Err(RecordError(why));
                }
                Article::new(self.id, text)
            }
            Ok(Given::Html(html)) => crate::input::article_from_html(self.id, &html)
                .map_err(|e| RecordError(format!("html: {e}")))?,
            Err(GivenError::Several) => {
                return Err(RecordError(
                    "both \"text\" and \"html\" given; a record has one of them".into(),
                ))
            }
            Ok(Given::Url(_)) | Err(GivenError::Missing) => {
                return Err(RecordError("no \"text\" or \"html\"".into()))
            }
        };
        if is_blank(article.text()) {
            return Err(RecordError("empty text".into()));
        }
        Ok((article, meta))
    }
}

/// What a record says about an article besides its text; copied onto its report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub source: Option<String>,
    pub url: Option<String>,
    pub date: Option<String>,
}

/// Reads one article file of a corpus directory with the CLI's rules (UTF-8 checks, HTML by
/// extension or sniffing); the id comes from the file name (`article123.txt` is `123`).
pub fn article_from_file(
    bytes: Vec<u8>,
    path: &Path,
    format: InputFormat,
) -> Result<Article, RecordError> {
    let id = Article::id_from_path(path);
    check_id(&id).map_err(|why| RecordError(format!("{}: {why}", path.display())))?;
    let article =
        article_from_bytes(bytes, id, path, format).map_err(|e| RecordError(e.to_string()))?;
    if is_blank(article.text()) {
        return Err(RecordError(format!("{}: empty text", path.display())));
    }
    Ok(article)
}

/// A buffered reader of a JSONL file's lines, decompressing when `gz` (concatenated gzip
/// members too, as `cat a.gz b.gz` makes).
pub fn jsonl_reader<R: Read + Send + 'static>(inner: R, gz: bool) -> Box<dyn BufRead + Send> {
    if gz {
        Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(BufReader::new(inner)),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, inner))
    }
}

/// The records of one JSONL file with their 1-based line numbers; blank lines are skipped.
/// A line over `max_bytes` or that does not parse is an `Err` for that line, and reading goes
/// on; a file that cannot be read further (a truncated gzip stream) ends with one `Err`.
pub struct JsonlRecords {
    reader: Box<dyn BufRead + Send>,
    max_bytes: u64,
    line: u64,
    done: bool,
}

impl JsonlRecords {
    pub fn new(reader: Box<dyn BufRead + Send>, max_bytes: u64) -> Self {
        JsonlRecords {
            reader,
            max_bytes,
            line: 0,
            done: false,
        }
    }

    /// Opens `path`, gzip'd when `gz`.
    pub fn open(path: &Path, gz: bool, max_bytes: u64) -> io::Result<Self> {
        Ok(Self::new(jsonl_reader(File::open(path)?, gz), max_bytes))
    }
}

impl Iterator for JsonlRecords {
    type Item = (u64, Result<InputRecord, RecordError>);

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let line = match read_line_capped(&mut self.reader, self.max_bytes) {
                Ok(None) => return None,
                Ok(Some(line)) => line,
                Err(e) => {
                    self.done = true;
                    let msg = format!("cannot read further in this file: {e}");
                    return Some((self.line + 1, Err(RecordError(msg))));
                }
            };
            self.line += 1;
            // Editors on Windows start UTF-8 files with a byte-order mark; JSON does not allow
            // one, and a .txt article keeps it as text, so here it is dropped, as JSON readers
            // commonly do.
            let line = match line {
                Line::Data(d) if self.line == 1 && d.starts_with(UTF8_BOM) => {
                    let rest = d[UTF8_BOM.len()..].to_vec();
                    if rest.iter().all(u8::is_ascii_whitespace) {
                        Line::Blank
                    } else {
                        Line::Data(rest)
                    }
                }
                other => other,
            };
            let record = match line {
                Line::Blank => continue,
                Line::TooLong(n) => Err(RecordError(format!(
                    "record too large: {n} bytes, over the limit of {} \
                     (raise it with --max-bytes)",
                    self.max_bytes
                ))),
                Line::Data(d) => InputRecord::from_json_line(&d),
            };
            return Some((self.line, record));
        }
        None
    }
}

/// The UTF-8 byte-order mark.
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// One line of a JSONL file, as [`read_line_capped`] reads it.
pub enum Line {
    /// Nothing but white space: skipped, not an error.
    Blank,
    /// Longer than the cap: its length in bytes.
    TooLong(u64),
    /// The line without its terminator.
    Data(Vec<u8>),
}

/// Reads one line (without its `\n` / `\r\n`), never buffering more than `max` bytes of it: a
/// longer line is skipped to its end and reported by length.
pub fn read_line_capped(r: &mut dyn BufRead, max: u64) -> io::Result<Option<Line>> {
    let mut buf = Vec::new();
    let mut total: u64 = 0;
    let mut any = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, done) = match memchr(chunk) {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        total += part.len() as u64;
        if total <= max {
            buf.extend_from_slice(part);
        }
        let used = done.unwrap_or(chunk.len());
        r.consume(used);
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if total > max {
        return Ok(Some(Line::TooLong(total)));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    if buf.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Some(Line::Blank));
    }
    Ok(Some(Line::Data(buf)))
}

fn memchr(s: &[u8]) -> Option<usize> {
    s.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: u64) -> Vec<String> {
        let mut r = io::Cursor::new(input.to_vec());
        let mut out = Vec::new();
        while let Some(l) = read_line_capped(&mut r, max).unwrap() {
            out.push(match l {
                Line::Blank => "<blank>".to_string(),
                Line::TooLong(n) => format!("<too long: {n}>"),
                Line::Data(d) => String::from_utf8(d).unwrap(),
            });
        }
        out
    }

    #[test]
    fn lines_are_capped_without_losing_the_next_one() {
        assert_eq!(
            lines(b"ab\r\n\n  \ncdefgh\nxy", 4),
            ["ab", "<blank>", "<blank>", "<too long: 6>", "xy"]
        );
        assert!(lines(b"", 4).is_empty());
    }

    #[test]
    fn records_need_an_id_and_exactly_one_of_text_and_html() {
        let rec =
            |s: &str| InputRecord::from_json_line(s.as_bytes()).and_then(|r| r.into_article());
        assert!(rec(r#"{"id": "1", "text": "Fine."}"#).is_ok());
        assert!(rec(r#"{"text": "No id."}"#)
            .unwrap_err()
            .0
            .contains("invalid record"));
        assert!(rec(r#"{"id": " ", "text": "Blank id."}"#)
            .unwrap_err()
            .0
            .contains("empty \"id\""));
        for (id, code) in [
            (r"a\tb", "U+0009 at character 2"),
            (r"a\nb", "U+000A"),
            (r"\u001b[31m", "U+001B"),
            (r"a\u2028b", "U+2028"),
        ] {
            let line = format!(r#"{{"id": "{id}", "text": "Text."}}"#);
            let e = rec(&line).unwrap_err().0;
            assert!(e.contains(code), "{id}: {e}");
        }
        assert!(rec(r#"{"id": "Ünïcode — fine", "text": "Text."}"#).is_ok());
        assert!(rec(r#"{"id": "1", "text": "a", "html": "<p>b</p>"}"#)
            .unwrap_err()
            .0
            .contains("both"));
        assert!(rec(r#"[1, 2]"#).is_err());
        // Blank text is refused by the same rule as `analyze` and the HTTP API.
        for blank in [r#""""#, r#"" \n\t""#, r#""\ufeff ""#] {
            let line = format!(r#"{{"id": "1", "text": {blank}}}"#);
            assert!(rec(&line).unwrap_err().0.contains("empty text"), "{line}");
        }
        let (article, meta) =
            rec(r#"{"id": "1", "text": "x", "source": "S", "date": "2025-01-02"}"#).unwrap();
        assert_eq!(article.text(), "x");
        assert_eq!(meta.source.as_deref(), Some("S"));
        assert!(InputRecord::from_json_line(b"{\"id\": \"\xff\"}")
            .unwrap_err()
            .0
            .contains("UTF-8"));
    }

    #[test]
    fn a_nul_in_a_records_text_is_refused_like_a_binary_file() {
        let line = r#"{"id": "d", "text": "NUL \u0000 here."}"#;
        let e = InputRecord::from_json_line(line.as_bytes())
            .unwrap()
            .into_article()
            .unwrap_err();
        assert!(
            e.0.contains("NUL character (U+0000) at code point 4"),
            "{e}"
        );
        // The same text as a file is refused as binary, wherever the NUL is.
        let late = format!("{}\0", "a".repeat(crate::input::BINARY_SNIFF_BYTES + 10));
        for text in ["NUL \0 here.".to_string(), late] {
            let e = article_from_bytes(
                text.into_bytes(),
                "d".into(),
                Path::new("d.txt"),
                InputFormat::Auto,
            )
            .unwrap_err();
            assert!(matches!(e, crate::input::InputError::Binary { .. }), "{e}");
        }
    }

    #[test]
    fn jsonl_records_number_their_lines_and_skip_blank_ones() {
        let text = b"{\"id\": \"a\", \"text\": \"x\"}\n\n{bad\n{\"id\": \"b\", \"text\": \"y\"}\n";
        let got: Vec<(u64, Result<String, String>)> =
            JsonlRecords::new(jsonl_reader(io::Cursor::new(text.to_vec()), false), 1 << 20)
                .map(|(n, r)| (n, r.map(|r| r.id).map_err(|e| e.0)))
                .collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], (1, Ok("a".to_string())));
        assert_eq!(got[1].0, 3);
        assert!(got[1].1.as_ref().unwrap_err().contains("invalid record"));
        assert_eq!(got[2], (4, Ok("b".to_string())));
    }
}
