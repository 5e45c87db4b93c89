//! Reading corpora: what one input record is, and turning it into a report.
//!
//! A corpus is a list of inputs, each a directory of `.txt`/`.html`/`.htm` files, a JSONL file
//! or a gzip'd JSONL file. A JSONL line is one [`InputRecord`]:
//! `{"id", "text" | "html", "source"?, "url"?, "date"?}`.

use serde::Deserialize;
use std::fmt;
use std::path::Path;
use unspin::{Analyzer, Article, InputFormat, Report};

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
        let meta = Meta {
            source: self.source,
            url: self.url,
            date: self.date,
        };
        let article = match (self.text, self.html) {
            (Some(_), Some(_)) => {
                return Err(RecordError(
                    "both \"text\" and \"html\" given; a record has one of them".into(),
                ))
            }
            (Some(text), None) => Article::new(self.id, text),
            (None, Some(html)) => unspin::article_from_html(self.id, &html)
                .map_err(|e| RecordError(format!("html: {e}")))?,
            (None, None) => return Err(RecordError("no \"text\" or \"html\"".into())),
        };
        if unspin::input::is_blank(&article.text) {
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

/// Analyses one article and attaches its metadata: the single place a record becomes a
/// report, shared by `unspin batch` and the Python bindings so their outputs are identical. A
/// detector that fails on the article costs that record, with the detector's message.
pub fn analyze_article(
    analyzer: &Analyzer,
    article: Article,
    meta: Meta,
) -> Result<Report, RecordError> {
    let mut report = analyzer
        .analyze(article)
        .map_err(|e| RecordError(e.to_string()))?;
    report.source = meta.source;
    report.url = meta.url;
    report.date = meta.date;
    Ok(report)
}

/// [`InputRecord::into_article`] then [`analyze_article`].
pub fn analyze_record(analyzer: &Analyzer, record: InputRecord) -> Result<Report, RecordError> {
    let (article, meta) = record.into_article()?;
    analyze_article(analyzer, article, meta)
}

/// Reads one article file of a corpus directory with the CLI's rules (UTF-8 checks, HTML by
/// extension or sniffing); the id comes from the file name (`article123.txt` is `123`).
pub fn article_from_file(
    bytes: Vec<u8>,
    path: &Path,
    format: InputFormat,
) -> Result<Article, RecordError> {
    let id = Article::id_from_path(path);
    let article = unspin::article_from_bytes(bytes, id, path, format)
        .map_err(|e| RecordError(e.to_string()))?;
    if unspin::input::is_blank(&article.text) {
        return Err(RecordError(format!("{}: empty text", path.display())));
    }
    Ok(article)
}

// ---------------------------------------------------------------------------------------------
// Streaming over inputs
// ---------------------------------------------------------------------------------------------

use crate::fingerprint;
use flate2::read::MultiGzDecoder;
use std::collections::HashSet;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;

/// Where a record came from, for the errors file: the input file and, for JSONL, the 1-based
/// line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub input: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}", self.input),
            None => f.write_str(&self.input),
        }
    }
}

/// One record read from the corpus but not yet analysed: reading is sequential and cheap,
/// analysis (HTML extraction included) runs in parallel on what this carries.
#[derive(Debug)]
pub struct Item {
    pub pos: Position,
    pub payload: Result<Payload, RecordError>,
}

#[derive(Debug)]
pub enum Payload {
    /// A parsed JSONL record.
    Record(InputRecord),
    /// The bytes of an article file; decoded (and extracted, for pages) during analysis.
    File { path: PathBuf, bytes: Vec<u8> },
}

impl Item {
    /// The article id, when the record got far enough to have one.
    pub fn id(&self) -> Option<&str> {
        match &self.payload {
            Ok(Payload::Record(r)) => Some(&r.id),
            Ok(Payload::File { .. }) | Err(_) => None,
        }
    }

    /// Analyses the item: the report, or why it was skipped.
    pub fn analyze(self, analyzer: &Analyzer, format: InputFormat) -> Result<Report, RecordError> {
        match self.payload? {
            Payload::Record(r) => analyze_record(analyzer, r),
            Payload::File { path, bytes } => {
                let article = article_from_file(bytes, &path, format)?;
                analyze_article(analyzer, article, Meta::default())
            }
        }
    }
}

/// What kind of input a file is, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Article,
    Jsonl,
    JsonlGz,
}

fn kind_of(path: &Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.starts_with('.') {
        // Editor backups, macOS `._*` resource forks.
        return None;
    }
    if name.ends_with(".jsonl.gz") || name.ends_with(".ndjson.gz") || name.ends_with(".json.gz") {
        Some(Kind::JsonlGz)
    } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
        Some(Kind::Jsonl)
    } else if name.ends_with(".txt") || name.ends_with(".html") || name.ends_with(".htm") {
        Some(Kind::Article)
    } else {
        None
    }
}

/// The files of a corpus, listed before anything is read, so that a typo'd path fails at once
/// and a resumed run can tell whether its inputs changed ([`Corpus::fingerprint`]).
#[derive(Debug, Clone)]
pub struct Corpus {
    files: Vec<(PathBuf, Kind, u64)>,
    total_bytes: u64,
}

impl Corpus {
    /// Lists the inputs: a directory contributes every article (`.txt`, `.html`, `.htm`) and
    /// JSONL (`.jsonl`, `.ndjson`, optionally `.gz`) file below it, recursively, in name order;
    /// a file is read as what its name says (anything else is read as JSONL).
    pub fn open(inputs: &[PathBuf]) -> anyhow::Result<Corpus> {
        use anyhow::Context;
        let mut files = Vec::new();
        for input in inputs {
            if input.as_os_str() == "-" {
                anyhow::bail!(
                    "-: batch runs read files, not standard input, so that a stopped run can \
                     resume; save the stream to a .jsonl file first"
                );
            }
            let meta = std::fs::metadata(input)
                .with_context(|| format!("{}: cannot read", input.display()))?;
            if meta.is_dir() {
                let before = files.len();
                for entry in walkdir::WalkDir::new(input)
                    .follow_links(true)
                    .sort_by_file_name()
                {
                    let entry =
                        entry.with_context(|| format!("{}: cannot list", input.display()))?;
                    if !entry.file_type().is_file() {
                        continue;
                    }
                    if let Some(kind) = kind_of(entry.path()) {
                        let len = entry
                            .metadata()
                            .with_context(|| format!("{}: cannot read", entry.path().display()))?
                            .len();
                        files.push((entry.path().to_path_buf(), kind, len));
                    }
                }
                if files.len() == before {
                    anyhow::bail!(
                        "{}: no .txt, .html, .htm, .jsonl or .jsonl.gz files in this directory",
                        input.display()
                    );
                }
            } else {
                if !meta.is_file() {
                    // A pipe (`<(zcat ...)`) or device would be consumed by the fingerprint,
                    // and could not be read again by a resumed run anyway.
                    anyhow::bail!(
                        "{}: not a regular file; batch runs read files, so that a stopped run \
                         can resume: save the stream to a .jsonl file first",
                        input.display()
                    );
                }
                let kind = match kind_of(input) {
                    Some(k) => k,
                    None if input.extension().is_some_and(|e| e == "gz") => Kind::JsonlGz,
                    None => Kind::Jsonl,
                };
                files.push((input.clone(), kind, meta.len()));
            }
        }
        let total_bytes = files.iter().map(|f| f.2).sum();
        Ok(Corpus { files, total_bytes })
    }

    /// The inputs' fingerprint under [`fingerprint::SCHEME`]: changes when a file is added,
    /// removed, renamed, resized or edited (see [`fingerprint`] for what exactly is hashed,
    /// and its limit for files over 64 MiB). Reads the files, on all cores.
    pub fn fingerprint(&self) -> String {
        use rayon::prelude::*;
        let contents: Vec<fingerprint::Content> = self
            .files
            .par_iter()
            .map(|(path, _, len)| fingerprint::Content::of_file(path, *len))
            .collect();
        fingerprint::combine(
            self.files
                .iter()
                .zip(contents)
                .map(|((path, _, len), c)| (path.as_path(), *len, c)),
        )
    }

    /// Sum of the input files' sizes (compressed size for `.gz`): the scale of the progress bar.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Number of input files.
    pub fn files(&self) -> usize {
        self.files.len()
    }

    /// Streams every record, in order. `max_bytes` caps one article (and one JSONL line);
    /// larger ones become errors without being buffered.
    pub fn items(&self, max_bytes: u64) -> Items<'_> {
        Items {
            corpus: self,
            next_file: 0,
            current: None,
            max_bytes,
            seen: HashSet::new(),
            bytes_done: 0,
        }
    }
}

/// The record stream of a [`Corpus`].
pub struct Items<'a> {
    corpus: &'a Corpus,
    next_file: usize,
    current: Option<Lines>,
    max_bytes: u64,
    /// Hashes of the ids seen so far: 8 bytes per article (8 MB for a million), so duplicate
    /// ids are caught without memory growing with article sizes.
    seen: HashSet<u64>,
    /// Input bytes fully consumed so far (files finished plus the open file's progress).
    bytes_done: u64,
}

struct Lines {
    reader: Box<dyn BufRead + Send>,
    counted: std::sync::Arc<std::sync::atomic::AtomicU64>,
    base: u64,
    /// The file's name as errors show it, formatted once rather than per record.
    input: String,
    line: u64,
}

/// Counts the bytes read from the file itself (compressed bytes for `.gz`), for progress.
struct Counting<R> {
    inner: R,
    n: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

impl Items<'_> {
    /// Input bytes consumed so far, on the scale of [`Corpus::total_bytes`].
    pub fn bytes_done(&self) -> u64 {
        match &self.current {
            Some(l) => l.base + l.counted.load(std::sync::atomic::Ordering::Relaxed),
            None => self.bytes_done,
        }
    }

    /// Marks `id` as seen; false when an earlier record had it.
    fn first_time(&mut self, id: &str) -> bool {
        // These hashes live only as long as this process, so DefaultHasher's freedom to change
        // between builds does not matter here (unlike the fingerprint, which is stored).
        let mut h = std::hash::DefaultHasher::new();
        id.hash(&mut h);
        self.seen.insert(h.finish())
    }

    fn check_duplicate(&mut self, mut item: Item) -> Item {
        if let Some(id) = item.id().map(str::to_string) {
            if !self.first_time(&id) {
                item.payload = Err(RecordError(format!(
                    "duplicate id \"{id}\" (an earlier record has it; ids must be unique)"
                )));
            }
        }
        item
    }

    fn open_file(&mut self, path: &Path, kind: Kind, len: u64) -> Option<Item> {
        let pos = Position {
            input: path.display().to_string(),
            line: None,
        };
        match kind {
            Kind::Article => {
                self.bytes_done += len;
                let payload = read_capped(path, self.max_bytes).map(|bytes| Payload::File {
                    path: path.to_path_buf(),
                    bytes,
                });
                let mut item = Item { pos, payload };
                if item.payload.is_ok() {
                    // Ids of files come from their names; check them like record ids.
                    let id = unspin::Article::id_from_path(path);
                    if !self.first_time(&id) {
                        item.payload = Err(RecordError(format!(
                            "duplicate id \"{id}\" (an earlier record has it; ids come from file names)"
                        )));
                    }
                }
                Some(item)
            }
            Kind::Jsonl | Kind::JsonlGz => {
                let file = match File::open(path) {
                    Ok(f) => f,
                    Err(e) => {
                        self.bytes_done += len;
                        return Some(Item {
                            pos,
                            payload: Err(RecordError(format!("cannot read: {e}"))),
                        });
                    }
                };
                let counted = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
                let counting = Counting {
                    inner: file,
                    n: counted.clone(),
                };
                let reader: Box<dyn BufRead + Send> = if kind == Kind::JsonlGz {
                    Box::new(BufReader::with_capacity(
                        1 << 16,
                        MultiGzDecoder::new(BufReader::new(counting)),
                    ))
                } else {
                    Box::new(BufReader::with_capacity(1 << 16, counting))
                };
                self.current = Some(Lines {
                    reader,
                    counted,
                    base: self.bytes_done,
                    input: pos.input,
                    line: 0,
                });
                self.bytes_done += len;
                None
            }
        }
    }
}

impl Iterator for Items<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(lines) = &mut self.current {
                match read_line_capped(&mut lines.reader, self.max_bytes) {
                    Ok(None) => {
                        self.current = None;
                        continue;
                    }
                    Ok(Some(line)) => {
                        lines.line += 1;
                        let pos = Position {
                            input: lines.input.clone(),
                            line: Some(lines.line),
                        };
                        let line = match line {
                            Line::Blank => continue,
                            Line::TooLong(n) => {
                                return Some(Item {
                                    pos,
                                    payload: Err(RecordError(format!(
                                        "record too large: {n} bytes, over the limit of {} \
                                         (raise it with --max-bytes)",
                                        self.max_bytes
                                    ))),
                                })
                            }
                            Line::Data(d) => d,
                        };
                        let payload = InputRecord::from_json_line(&line).map(Payload::Record);
                        return Some(self.check_duplicate(Item { pos, payload }));
                    }
                    Err(e) => {
                        // A corrupt or truncated file: report where it broke and go on with
                        // the next input.
                        let pos = Position {
                            input: std::mem::take(&mut lines.input),
                            line: Some(lines.line + 1),
                        };
                        self.current = None;
                        return Some(Item {
                            pos,
                            payload: Err(RecordError(format!(
                                "cannot read further in this file: {e}"
                            ))),
                        });
                    }
                }
            }
            let (path, kind, len) = self.corpus.files.get(self.next_file)?.clone();
            self.next_file += 1;
            if let Some(item) = self.open_file(&path, kind, len) {
                return Some(item);
            }
        }
    }
}

enum Line {
    Blank,
    TooLong(u64),
    Data(Vec<u8>),
}

/// Reads one line (without its `\n` / `\r\n`), never buffering more than `max` bytes of it: a
/// longer line is skipped to its end and reported by length.
fn read_line_capped(r: &mut dyn BufRead, max: u64) -> io::Result<Option<Line>> {
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

fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, RecordError> {
    let file = File::open(path).map_err(|e| RecordError(format!("cannot read: {e}")))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| RecordError(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > max {
        return Err(RecordError(format!(
            "too large: over the limit of {max} bytes (raise it with --max-bytes)"
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

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

    fn items(inputs: &[PathBuf]) -> Vec<(String, Result<String, String>)> {
        let corpus = Corpus::open(inputs).unwrap();
        corpus
            .items(1 << 20)
            .map(|it| {
                let pos = it.pos.to_string();
                let what = match it.payload {
                    Ok(Payload::Record(r)) => Ok(r.id),
                    Ok(Payload::File { path, .. }) => Ok(unspin::Article::id_from_path(&path)),
                    Err(e) => Err(e.0),
                };
                (pos, what)
            })
            .collect()
    }

    #[test]
    fn a_corrupt_gzip_file_is_one_error_and_the_run_goes_on() {
        let tmp = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..200 {
            writeln!(gz, r#"{{"id": "g{i}", "text": "Some text number {i}."}}"#).unwrap();
        }
        let mut bytes = gz.finish().unwrap();
        let n = bytes.len();
        bytes.truncate(n / 2);
        let bad = tmp.path().join("a.jsonl.gz");
        fs_write(&bad, &bytes);
        let good = tmp.path().join("b.jsonl");
        fs_write(&good, br#"{"id": "after", "text": "Still read."}"#);
        let got = items(&[bad, good]);
        let (last_pos, last) = got.last().unwrap();
        assert_eq!(last, &Ok("after".to_string()));
        assert!(last_pos.ends_with("b.jsonl:1"));
        let errors: Vec<_> = got.iter().filter(|(_, r)| r.is_err()).collect();
        assert_eq!(errors.len(), 1, "{got:?}");
        assert!(errors[0]
            .1
            .as_ref()
            .unwrap_err()
            .contains("cannot read further"));
        assert!(got.len() > 2, "records before the break are kept");
    }

    #[test]
    fn duplicate_ids_are_caught_across_files_and_kinds() {
        let tmp = tempfile::tempdir().unwrap();
        fs_write(&tmp.path().join("article7.txt"), b"Text.");
        fs_write(
            &tmp.path().join("x.jsonl"),
            b"{\"id\": \"7\", \"text\": \"Again.\"}\n{\"id\": \"8\", \"text\": \"New.\"}\n",
        );
        let got = items(&[tmp.path().to_path_buf()]);
        assert_eq!(got[0].1, Ok("7".to_string()));
        assert!(got[1]
            .1
            .as_ref()
            .unwrap_err()
            .contains("duplicate id \"7\""));
        assert_eq!(got[2].1, Ok("8".to_string()));
    }

    #[test]
    fn opening_checks_paths_and_fingerprints_the_inputs() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("nope.jsonl");
        let err = Corpus::open(std::slice::from_ref(&missing)).unwrap_err();
        assert!(format!("{err:#}").contains("nope.jsonl"));
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let err = Corpus::open(std::slice::from_ref(&empty)).unwrap_err();
        assert!(format!("{err:#}").contains("no .txt"));

        let f = tmp.path().join("c.jsonl");
        fs_write(&f, b"{\"id\": \"1\", \"text\": \"a\"}\n");
        let a = Corpus::open(std::slice::from_ref(&f)).unwrap();
        assert_eq!(a.total_bytes(), 25);
        fs_write(
            &f,
            b"{\"id\": \"1\", \"text\": \"a\"}\n{\"id\": \"2\", \"text\": \"b\"}\n",
        );
        let b = Corpus::open(std::slice::from_ref(&f)).unwrap();
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(
            b.fingerprint(),
            b.fingerprint(),
            "a fixed function of the files"
        );
        assert_eq!(b.fingerprint().len(), 64, "SHA-256 in hex");

        // Pipes and devices cannot be read twice (by the fingerprint, then by the run, or
        // again on resume).
        #[cfg(unix)]
        {
            let err = Corpus::open(&[PathBuf::from("/dev/null")]).unwrap_err();
            assert!(format!("{err:#}").contains("not a regular file"), "{err:#}");
        }
    }

    #[test]
    fn a_same_size_edit_with_the_old_mtime_restored_changes_the_fingerprint() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("feed.jsonl");
        fs_write(&f, b"{\"id\": \"1\", \"text\": \"Old.\"}\n");
        let mtime = std::fs::metadata(&f).unwrap().modified().unwrap();
        let before = Corpus::open(std::slice::from_ref(&f))
            .unwrap()
            .fingerprint();

        // What `touch -r`, `rsync -t` or restoring a backup does: same size, same time.
        fs_write(&f, b"{\"id\": \"1\", \"text\": \"New.\"}\n");
        File::options()
            .write(true)
            .open(&f)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert_eq!(std::fs::metadata(&f).unwrap().modified().unwrap(), mtime);
        let after = Corpus::open(std::slice::from_ref(&f))
            .unwrap()
            .fingerprint();
        assert_ne!(before, after);
    }

    #[test]
    fn a_large_input_is_fingerprinted_by_samples_that_include_its_end() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("big.jsonl");
        // Sparse: 70 MiB on paper, next to nothing on disk, and only 8 MiB of it read.
        let len = fingerprint::WHOLE_LIMIT + (6 << 20);
        File::create(&f).unwrap().set_len(len).unwrap();
        let before = Corpus::open(std::slice::from_ref(&f))
            .unwrap()
            .fingerprint();
        {
            use std::io::{Seek, SeekFrom};
            let mut file = File::options().write(true).open(&f).unwrap();
            file.seek(SeekFrom::Start(len - 10)).unwrap();
            file.write_all(b"x").unwrap();
        }
        assert_eq!(std::fs::metadata(&f).unwrap().len(), len);
        let after = Corpus::open(std::slice::from_ref(&f))
            .unwrap()
            .fingerprint();
        assert_ne!(before, after);
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
        assert_eq!(article.text, "x");
        assert_eq!(meta.source.as_deref(), Some("S"));
        assert!(InputRecord::from_json_line(b"{\"id\": \"\xff\"}")
            .unwrap_err()
            .0
            .contains("UTF-8"));
    }

    fn fs_write(path: &Path, bytes: &[u8]) {
        std::fs::write(path, bytes).unwrap();
    }
}
