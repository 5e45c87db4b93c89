//! Reading articles from files, directories and stdin, robustly.
//!
//! Everything here exists so that a bad input fails early with a message a user can act on,
//! instead of a panic, a garbled offset or half-written output:
//!
//! * the text is kept byte-for-byte (a leading BOM stays and is character 0, `\r\n` stays),
//!   because PTC gold offsets are code points into the raw file;
//! * sizes are checked from metadata before reading, and every read is capped at
//!   `max_bytes + 1` bytes, so neither a huge file nor an endless stream can exhaust memory;
//! * binary files, UTF-16 files and invalid UTF-8 are told apart, and invalid UTF-8 is located by
//!   line, column and byte so the user can find and fix it;
//! * HTML pages (by extension, by sniffing, or when asked) become their extracted main text and
//!   title; offsets then point into the extracted text, which reports carry;
//! * [`read_inputs`] reads and validates *every* input before returning, so a caller can print
//!   nothing until all inputs are known to be good.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use unspin_core::Article;

/// Default for [`InputOptions::max_bytes`]: 16 MiB. The largest PTC article is about 30 KB, so
/// this is generous for news while still stopping an accidental multi-gigabyte file.
pub const DEFAULT_MAX_BYTES: u64 = 16 << 20;

/// How many leading bytes are inspected to decide whether a file is binary. Like `git` and
/// `grep`, a prefix suffices: binary formats show themselves in their headers.
pub const BINARY_SNIFF_BYTES: usize = 8 << 10;

/// The name used in errors for standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// The article id given to standard input.
pub const STDIN_ID: &str = "stdin";

/// How to interpret an input's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// HTML when the file name ends in `.html`/`.htm` or the content starts like an HTML
    /// document (`<!DOCTYPE html>`, `<html>`...); plain text otherwise.
    #[default]
    Auto,
    /// Always plain text, kept byte for byte.
    Text,
    /// Always an HTML page: its main text is extracted.
    Html,
}

/// Limits and interpretation applied while reading.
#[derive(Debug, Clone)]
pub struct InputOptions {
    /// Largest accepted article, in bytes. Larger inputs are refused with
    /// [`InputError::TooLarge`] rather than read, so memory use stays bounded.
    pub max_bytes: u64,
    pub format: InputFormat,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            format: InputFormat::Auto,
        }
    }
}

/// Why an input could not be read. Every message names the offending file (or `<stdin>`), since
/// with a directory of hundreds of articles "invalid UTF-8" alone would be useless.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The operating system refused a read (permissions, a dangling symlink, I/O failure...).
    #[error("{}: cannot read: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },

    /// The bytes are not UTF-8. `line` and `column` are 1-based (column in characters, lines
    /// split at `\n`); `byte` is the 0-based byte offset of the first bad byte.
    #[error(
        "{}: not valid UTF-8 at line {line}, column {column} (byte offset {byte}); \
         unspin reads UTF-8 text only, so convert the file first \
         (for example `iconv -f WINDOWS-1252 -t UTF-8`)",
        .path.display()
    )]
    NotUtf8 {
        path: PathBuf,
        line: usize,
        column: usize,
        byte: usize,
    },

    /// The file starts with a UTF-16 or UTF-32 byte-order mark. Told apart from [`Binary`]
    /// because the fix is a simple conversion.
    ///
    /// [`Binary`]: InputError::Binary
    #[error(
        "{}: looks like UTF-16 or UTF-32 text (it starts with that byte-order mark); \
         unspin reads UTF-8 only, so convert it first (for example `iconv -f UTF-16 -t UTF-8`)",
        .path.display()
    )]
    Utf16 { path: PathBuf },

    /// A NUL byte anywhere in a text file, or mostly control bytes in the first
    /// [`BINARY_SNIFF_BYTES`]: not text.
    #[error(
        "{}: looks like a binary file, not text (it contains NUL or control bytes)",
        .path.display()
    )]
    Binary { path: PathBuf },

    /// Larger than [`InputOptions::max_bytes`]. `size` is `None` for a stream, whose full size
    /// is not known because reading stops just past the limit.
    #[error("{}", too_large_message(.path, *.size, *.limit))]
    TooLarge {
        path: PathBuf,
        size: Option<u64>,
        limit: u64,
    },

    /// The path does not exist.
    #[error("{}: no such file or directory", .path.display())]
    NotFound { path: PathBuf },

    /// A directory was given where a single article file is needed.
    #[error("{}: is a directory, expected an article file", .path.display())]
    NotAFile { path: PathBuf },

    /// `-` given more than once: standard input can be read only once, so a second `-` would
    /// read nothing and be reported as empty.
    #[error(
        "{STDIN_NAME}: `-` (standard input) is given more than once; it can be read only once"
    )]
    StdinTwice,

    /// The file's name makes an id that outputs cannot hold (see [`check_id`]).
    #[error("{}: {why}; rename the file", .path.display())]
    BadId { path: PathBuf, why: String },

    /// A file was given where a directory of articles is needed.
    #[error("{}: is not a directory", .path.display())]
    NotADirectory { path: PathBuf },

    /// Two inputs map to the same article id; their outputs would be indistinguishable.
    #[error(
        "duplicate article id \"{id}\": from both {} and {} \
         (ids come from file names, article123.txt has id 123, and from the \"id\" of \
         JSONL records)",
        .first.display(),
        .second.display()
    )]
    DuplicateId {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },

    /// A directory holds no article files, which is almost certainly a wrong path.
    #[error(
        "{}: no .txt, .html, .htm, .jsonl or .jsonl.gz files in this directory or below it",
        .path.display()
    )]
    NoArticles { path: PathBuf },

    /// A JSONL file without a single record (empty, or blank lines only), or a directory whose
    /// only inputs are such files.
    #[error(
        "{}: no articles in it (no JSONL records, only empty or blank lines); \
         there is nothing to analyse",
        .path.display()
    )]
    NoRecords { path: PathBuf },

    /// A record of a JSONL file that is not an article; `at` is `file:line`.
    #[error("{}: {reason}", .at.display())]
    Record { at: PathBuf, reason: String },

    /// Nothing but white space: see [`is_blank`].
    #[error("{}: is empty (no text but white space); there is nothing to analyse", .path.display())]
    Empty { path: PathBuf },

    /// An HTML page whose main text could not be extracted.
    // `reason` rather than `source`: the message already includes it, and error chains would
    // print it twice.
    #[error("{}: {reason}", .path.display())]
    Html {
        path: PathBuf,
        reason: unspin_html::HtmlError,
    },
}

fn too_large_message(path: &Path, size: Option<u64>, limit: u64) -> String {
    let size = match size {
        Some(s) => format!("{}, over", with_human(s)),
        None => "more than".to_string(),
    };
    format!(
        "{}: too large: {size} the limit of {}; raise the limit with --max-bytes <BYTES>",
        path.display(),
        with_human(limit)
    )
}

/// `16777216 bytes (16.0 MiB)`; exact count first so it can be pasted into `--max-bytes`.
fn with_human(n: u64) -> String {
    if n < 1024 {
        format!("{n} bytes")
    } else {
        format!("{n} bytes ({})", human_bytes(n))
    }
}

/// `16777216` -> `16.0 MiB`, for messages only.
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// Builds the article of an HTML page that is already text: its extracted main text and title,
/// which offsets then point into. The one place a page becomes an [`Article`], so files read
/// here and pages posted to the HTTP API are analysed identically.
pub fn article_from_html(
    id: impl Into<String>,
    html: &str,
) -> Result<Article, unspin_html::HtmlError> {
    let e = unspin_html::extract(html)?;
    Ok(Article::from_html(id, e.title, e.text))
}

/// Reads one article file. The id comes from [`Article::id_from_path`].
///
/// Symlinks are followed. Non-regular files that are not directories (a FIFO, `/dev/stdin`,
/// `<(command)`) are read as streams, still capped at `max_bytes`.
pub fn read_article(path: &Path, opts: &InputOptions) -> Result<Article, InputError> {
    let id = Article::id_from_path(path);
    check_id(&id).map_err(|why| InputError::BadId {
        path: path.to_path_buf(),
        why,
    })?;
    let bytes = read_bytes(path, opts.max_bytes)?;
    decode(bytes, id, path, opts.format)
}

/// Whether `id` can be an article's id: it is a column of the tab-separated outputs (PTC
/// labels, CSV) and a line of the text view, so a tab or a line break (Unicode's line and
/// paragraph separators too) would split its row, and an escape would reach the terminal.
/// The reason names the character and its place.
pub fn check_id(id: &str) -> Result<(), String> {
    let bad = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    match id.chars().enumerate().find(|&(_, c)| bad(c)) {
        None => Ok(()),
        Some((at, c)) => Err(format!(
            "the id holds U+{:04X} at character {}, a control character or line break: ids \
             are written into tab-separated output and terminal views",
            c as u32,
            at + 1
        )),
    }
}

/// The bytes of one file, at most `max_bytes` of them: a larger regular file is refused from
/// its metadata before reading, a stream (FIFO, `/dev/stdin`) once it passes the limit.
pub fn read_bytes(path: &Path, max_bytes: u64) -> Result<Vec<u8>, InputError> {
    let meta = fs::metadata(path).map_err(|e| io_error(path, e))?;
    if meta.is_dir() {
        return Err(InputError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    // Refuse from metadata so an oversized file costs nothing to reject. Non-regular files report
    // a meaningless length (often 0), so they are only limited while reading.
    let mut capacity = 0;
    if meta.is_file() {
        if meta.len() > max_bytes {
            return Err(InputError::TooLarge {
                path: path.to_path_buf(),
                size: Some(meta.len()),
                limit: max_bytes,
            });
        }
        // +1 so `read_to_end` can see EOF without growing the buffer.
        capacity = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
    }
    let file = fs::File::open(path).map_err(|e| io_error(path, e))?;
    read_limited(file, path, max_bytes, capacity)
}

/// Reads one article from any reader, typically stdin (id [`STDIN_ID`], name [`STDIN_NAME`]).
/// `name` is used in error messages only.
///
/// At most `max_bytes + 1` bytes are read: one byte past the limit proves the input too large
/// without buffering an arbitrarily long stream.
pub fn read_article_from<R: Read>(
    reader: R,
    id: &str,
    name: &str,
    opts: &InputOptions,
) -> Result<Article, InputError> {
    let path = Path::new(name);
    let bytes = read_limited(reader, path, opts.max_bytes, 0)?;
    decode(bytes, id.to_string(), path, opts.format)
}

/// The code-point offset of the first NUL (U+0000) in `text`, if any. No article has one: it is
/// the mark of binary data, so a text file with one is refused as binary, and a JSONL record's
/// or an API request's text with one (written `\u0000`) is refused too, by the same rule.
pub fn first_nul(text: &str) -> Option<usize> {
    let byte = text.find('\0')?;
    Some(text[..byte].chars().count())
}

/// Why a given `"text"` (a JSONL record's, an API request's) is refused, if it holds a NUL:
/// the one wording for every way text comes in outside a file.
pub fn nul_in_text(text: &str) -> Option<String> {
    first_nul(text).map(|at| {
        format!(
            "\"text\" has a NUL character (U+0000) at code point {at}: not article text (a text \
             file with one is refused as binary)"
        )
    })
}

/// Whether a text is empty for analysis: nothing but white space (a byte-order mark counts as
/// white space). The one rule for every way an article comes in: `analyze` ([`read_inputs`]),
/// the HTTP API and `batch` all refuse such a text, rather than one of them reporting "no
/// propaganda" for what is most likely a truncated download or a wrong file.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || c == '\u{FEFF}')
}

/// Reads every input, in order: `-` is stdin, a JSONL file (by its name, see [`FileKind::of`])
/// is its records' articles, another file is one article, a directory is every article
/// [`discover`] finds below it (see [`read_article_dir`]).
///
/// Everything is read and validated before returning, so a caller that prints results only
/// after this succeeds never leaves half-written output behind a bad input. Two articles with the
/// same id (from any inputs) give [`InputError::DuplicateId`]; a blank article (see
/// [`is_blank`]) gives [`InputError::Empty`], and an input holding no article at all (an empty
/// JSONL file) [`InputError::NoRecords`].
pub fn read_inputs(paths: &[PathBuf], opts: &InputOptions) -> Result<Vec<Article>, InputError> {
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(InputError::StdinTwice);
    }
    let mut articles = Vec::new();
    let mut seen = IdSet::default();
    let mut add = |article: Article, source: &Path| {
        if is_blank(article.text()) {
            return Err(InputError::Empty {
                path: source.to_path_buf(),
            });
        }
        seen.insert(&article.id, source)?;
        articles.push(article);
        Ok(())
    };
    for path in paths {
        let found = if path.as_os_str() == "-" {
            let article = read_article_from(io::stdin().lock(), STDIN_ID, STDIN_NAME, opts)?;
            vec![(PathBuf::from(STDIN_NAME), article)]
        } else if fs::metadata(path).map_err(|e| io_error(path, e))?.is_dir() {
            read_dir_with_sources(path, opts)?
        } else if let Some(kind @ (FileKind::Jsonl | FileKind::JsonlGz)) = FileKind::of(path) {
            read_records(path, kind, opts)?
        } else {
            vec![(path.clone(), read_article(path, opts)?)]
        };
        // An input with nothing in it is refused like a blank article: most likely a
        // truncated download or a wrong file, not a corpus without propaganda.
        if found.is_empty() {
            return Err(InputError::NoRecords { path: path.clone() });
        }
        for (source, article) in found {
            add(article, &source)?;
        }
    }
    Ok(articles)
}

/// Reads every article [`discover`] finds below `dir`: each article file, and each record of
/// each JSONL file. A record that is not an article (bad JSON, no text, over
/// `opts.max_bytes`) is an error naming its file and line, as an unreadable file is.
pub fn read_article_dir(dir: &Path, opts: &InputOptions) -> Result<Vec<Article>, InputError> {
    let mut seen = IdSet::default();
    let mut articles = Vec::new();
    for (source, article) in read_dir_with_sources(dir, opts)? {
        seen.insert(&article.id, &source)?;
        articles.push(article);
    }
    Ok(articles)
}

/// [`read_article_dir`] keeping where each article came from (a file, or `file:line` for a
/// record), so duplicate-id errors can name both.
fn read_dir_with_sources(
    dir: &Path,
    opts: &InputOptions,
) -> Result<Vec<(PathBuf, Article)>, InputError> {
    let mut out = Vec::new();
    for found in discover(dir)? {
        if found.kind == FileKind::Article {
            let article = read_article(&found.path, opts)?;
            out.push((found.path, article));
        } else {
            out.extend(read_records(&found.path, found.kind, opts)?);
        }
    }
    Ok(out)
}

/// The articles of a JSONL file's records, each with its `file:line`. Each line is capped at
/// `opts.max_bytes`; the articles are all kept, as `analyze` keeps every input (`batch`
/// streams a corpus instead). A record's outlet, address and date are not articles' fields,
/// so only `batch` reports them.
fn read_records(
    path: &Path,
    kind: FileKind,
    opts: &InputOptions,
) -> Result<Vec<(PathBuf, Article)>, InputError> {
    let gz = kind == FileKind::JsonlGz;
    let records = crate::records::JsonlRecords::open(path, gz, opts.max_bytes)
        .map_err(|e| io_error(path, e))?;
    let mut out = Vec::new();
    for (line, record) in records {
        let at = PathBuf::from(format!("{}:{line}", path.display()));
        let record = record
            .and_then(|r| r.into_article())
            .map_err(|e| InputError::Record {
                at: at.clone(),
                reason: e.0,
            })?;
        out.push((at, record.0));
    }
    Ok(out)
}

/// What an input file holds, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// One article: `.txt`, or a page: `.html`, `.htm`.
    Article,
    /// JSONL records: `.jsonl`, `.ndjson`.
    Jsonl,
    /// Gzip'd JSONL records: `.jsonl.gz`, `.ndjson.gz`, `.json.gz`.
    JsonlGz,
}

impl FileKind {
    /// The kind `path`'s name says, in any letter case; `None` for other names and for names
    /// starting with `.` (editor backups, macOS `._*` resource forks, which are binary).
    ///
    /// ```
    /// use std::path::Path;
    /// use unspin_io::input::FileKind;
    /// assert_eq!(FileKind::of(Path::new("a/article1.TXT")), Some(FileKind::Article));
    /// assert_eq!(FileKind::of(Path::new("feed.jsonl.gz")), Some(FileKind::JsonlGz));
    /// assert_eq!(FileKind::of(Path::new("._article1.txt")), None);
    /// assert_eq!(FileKind::of(Path::new("article1.labels.tsv")), None);
    /// ```
    pub fn of(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.starts_with('.') {
            return None;
        }
        let ends = |exts: &[&str]| {
            exts.iter()
                .any(|e| name.len() > e.len() && name.ends_with(e))
        };
        if ends(&[".jsonl.gz", ".ndjson.gz", ".json.gz"]) {
            Some(FileKind::JsonlGz)
        } else if ends(&[".jsonl", ".ndjson"]) {
            Some(FileKind::Jsonl)
        } else if ends(&[".txt", ".html", ".htm"]) {
            Some(FileKind::Article)
        } else {
            None
        }
    }
}

/// A file [`discover`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub kind: FileKind,
    /// Its size in bytes (compressed size for `.gz`).
    pub len: u64,
}

/// Every input file below `dir`: article files and JSONL files (see [`FileKind::of`]),
/// recursively, following links, in file-name order (byte order) within each directory,
/// leaving out hidden directories and files (names starting with `.`).
///
/// The one discovery rule of unspin: `analyze DIR`, `classify DIR`, `evaluate DIR` and
/// `batch DIR` all read the files this returns, so one directory yields the same articles
/// everywhere. An entry that cannot be read, such as a dangling link, is an
/// error naming it rather than being skipped, since it is probably a lost article.
pub fn discover(dir: &Path) -> Result<Vec<Found>, InputError> {
    let meta = fs::metadata(dir).map_err(|e| io_error(dir, e))?;
    if !meta.is_dir() {
        return Err(InputError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let mut files = Vec::new();
    let hidden = |name: &std::ffi::OsStr| name.as_encoded_bytes().starts_with(b".");
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        // Hidden directories (`.git`, `.venv`, `.cache`) hold no articles, only copies and
        // tooling.
        .filter_entry(|e| e.depth() == 0 || !hidden(e.file_name()));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            // A dangling link or a loop under a name that is no input (an editor's `.#lock`
            // link, a log) is none of our business; under an article's name it is probably a
            // lost article, so it is an error naming it. Any other failure (a directory that
            // cannot be listed, say) is an error too, whatever its name: its articles would
            // be lost without a word.
            Err(e) if skippable(&e) => continue,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                return Err(io_error(&path, e.into()));
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        if let Some(kind) = FileKind::of(entry.path()) {
            let len = entry
                .metadata()
                .map_err(|e| io_error(entry.path(), e.into()))?
                .len();
            files.push(Found {
                path: entry.into_path(),
                kind,
                len,
            });
        }
    }
    if files.is_empty() {
        return Err(InputError::NoArticles {
            path: dir.to_path_buf(),
        });
    }
    Ok(files)
}

/// Whether [`discover`] may pass over a walk error: only a link that points nowhere, back up
/// the tree or round in a circle (or through a file), under a name that is no input. A
/// directory never has an input's name, so without the kind check one that cannot be listed
/// would vanish silently; so would one behind a link, hence the permission check.
fn skippable(e: &walkdir::Error) -> bool {
    let Some(path) = e.path() else {
        return false;
    };
    let broken_link = e.loop_ancestor().is_some()
        || e.io_error().is_some_and(|io| {
            io.kind() == io::ErrorKind::NotFound
                || (io.kind() != io::ErrorKind::PermissionDenied
                    && fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()))
        });
    broken_link && FileKind::of(path).is_none()
}

/// The files [`read_article_dir`] reads from `dir`, in the order it reads them.
pub fn article_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    Ok(discover(dir)?.into_iter().map(|f| f.path).collect())
}

/// Whether a path names an HTML page by its extension (`.html`, `.htm`, any case).
fn has_html_extension(path: &Path) -> bool {
    path.extension()
        .and_then(OsStr::to_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// Remembers where each id came from, to name both files in [`InputError::DuplicateId`].
#[derive(Default)]
struct IdSet(HashMap<String, PathBuf>);

impl IdSet {
    fn insert(&mut self, id: &str, source: &Path) -> Result<(), InputError> {
        if let Some(first) = self.0.get(id) {
            return Err(InputError::DuplicateId {
                id: id.to_string(),
                first: first.clone(),
                second: source.to_path_buf(),
            });
        }
        self.0.insert(id.to_string(), source.to_path_buf());
        Ok(())
    }
}

/// Maps an I/O failure to an error naming `path`. A path that exists yet cannot be resolved is
/// a dangling symlink; "no such file" would be confusing for a name `ls` shows, so say what it is.
fn io_error(path: &Path, source: io::Error) -> InputError {
    let path = path.to_path_buf();
    if source.kind() != io::ErrorKind::NotFound {
        return InputError::Io { path, source };
    }
    if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        let source = io::Error::new(
            io::ErrorKind::NotFound,
            "dangling symbolic link (its target does not exist)",
        );
        return InputError::Io { path, source };
    }
    InputError::NotFound { path }
}

/// Reads at most `limit + 1` bytes; getting the extra byte means the input is too large.
fn read_limited<R: Read>(
    reader: R,
    path: &Path,
    limit: u64,
    capacity: usize,
) -> Result<Vec<u8>, InputError> {
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            path: path.to_path_buf(),
            size: None,
            limit,
        });
    }
    Ok(bytes)
}

/// Validates raw bytes as text and builds the article: plain text is kept unchanged, an HTML
/// page becomes its extracted main text.
/// Turns the bytes of one article into an [`Article`], with the same checks as [`read_article`]
/// (UTF-16, binary, invalid UTF-8 located by line and column; HTML extracted when `format` says
/// so or, for [`InputFormat::Auto`], when `path` ends in `.html`/`.htm` or the bytes look like a
/// page). `path` names the input in errors; it need not exist (a record of a JSONL corpus, say).
pub fn article_from_bytes(
    bytes: Vec<u8>,
    id: String,
    path: &Path,
    format: InputFormat,
) -> Result<Article, InputError> {
    decode(bytes, id, path, format)
}

fn decode(
    bytes: Vec<u8>,
    id: String,
    path: &Path,
    format: InputFormat,
) -> Result<Article, InputError> {
    // Before the binary check: UTF-16 text of ASCII characters is full of NULs.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(InputError::Utf16 {
            path: path.to_path_buf(),
        });
    }
    // Before UTF-8 validation: a PNG is "invalid UTF-8 at line 1, column 1", which is true but
    // does not tell the user they passed the wrong file.
    let head = &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)];
    if looks_binary(head) {
        return Err(InputError::Binary {
            path: path.to_path_buf(),
        });
    }
    let html = match format {
        InputFormat::Text => false,
        InputFormat::Html => true,
        InputFormat::Auto => {
            has_html_extension(path) || unspin_html::looks_like_html(&String::from_utf8_lossy(head))
        }
    };
    if html {
        // Web pages declare their encoding (often not UTF-8 on older sites); the extracted text
        // is what offsets refer to, so decoding leniently loses nothing a user could point at.
        let page = unspin_html::decode_html(&bytes);
        return article_from_html(id, &page).map_err(|reason| InputError::Html {
            path: path.to_path_buf(),
            reason,
        });
    }
    let text = utf8_text(bytes, path)?;
    // The sniff above sees only the head; a NUL further in is binary data all the same.
    if first_nul(&text).is_some() {
        return Err(InputError::Binary {
            path: path.to_path_buf(),
        });
    }
    Ok(Article::new(id, text))
}

/// `bytes` as a string, or [`InputError::NotUtf8`] locating the first bad byte by line and
/// column in `path`: for every text file unspin reads, articles or not, so that all of them say
/// where the problem is the same way.
///
/// ```
/// use std::path::Path;
/// use unspin_io::input::utf8_text;
///
/// let e = utf8_text(b"ok\nbad \xff".to_vec(), Path::new("split.txt")).unwrap_err();
/// assert!(e.to_string().starts_with("split.txt: not valid UTF-8 at line 2, column 5 (byte offset 7)"));
/// ```
pub fn utf8_text(bytes: Vec<u8>, path: &Path) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|e| {
        let byte = e.utf8_error().valid_up_to();
        let (line, column) = line_column(e.as_bytes(), byte);
        InputError::NotUtf8 {
            path: path.to_path_buf(),
            line,
            column,
            byte,
        }
    })
}

/// A NUL byte, or more than 30% control bytes other than common whitespace. Text never has
/// NULs, and even text with stray escape codes stays far below 30%.
fn looks_binary(sample: &[u8]) -> bool {
    if sample.contains(&0) {
        return true;
    }
    let control = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)) || b == 0x7F)
        .count();
    control * 10 > sample.len() * 3
}

/// 1-based line and character column of byte `at`, where `bytes[..at]` is valid UTF-8.
fn line_column(bytes: &[u8], at: usize) -> (usize, usize) {
    let prefix = &bytes[..at];
    let line_start = prefix
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    // In valid UTF-8 every character has exactly one byte that is not a continuation byte.
    let column = prefix[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1;
    (line, column)
}

/// The form an article is given in, where a request or record must carry exactly one: the
/// server's analyze request (text, HTML or a URL to fetch) and a corpus record (text or HTML;
/// its `url` is metadata, never fetched) check it the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    Text(String),
    Html(String),
    Url(String),
}

/// Why fields are not exactly one [`Given`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GivenError {
    /// None of them.
    Missing,
    /// More than one.
    Several,
}

impl Given {
    /// The one form among the fields.
    ///
    /// ```
    /// use unspin_io::input::{Given, GivenError};
    /// let t = Some("Text.".to_string());
    /// assert_eq!(Given::exactly_one(t.clone(), None, None), Ok(Given::Text("Text.".into())));
    /// assert_eq!(Given::exactly_one(t.clone(), t, None), Err(GivenError::Several));
    /// assert_eq!(Given::exactly_one(None, None, None), Err(GivenError::Missing));
    /// ```
    pub fn exactly_one(
        text: Option<String>,
        html: Option<String>,
        url: Option<String>,
    ) -> Result<Given, GivenError> {
        match (text, html, url) {
            (Some(text), None, None) => Ok(Given::Text(text)),
            (None, Some(html), None) => Ok(Given::Html(html)),
            (None, None, Some(url)) => Ok(Given::Url(url)),
            (None, None, None) => Err(GivenError::Missing),
            _ => Err(GivenError::Several),
        }
    }

    /// What was given, as it was given.
    pub fn as_str(&self) -> &str {
        match self {
            Given::Text(s) | Given::Html(s) | Given::Url(s) => s,
        }
    }

    /// The name of the field it came in.
    pub fn field(&self) -> &'static str {
        match self {
            Given::Text(_) => "text",
            Given::Html(_) => "html",
            Given::Url(_) => "url",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        let bytes = "ab\n\u{e9}\u{1F600}x".as_bytes();
        // Byte of 'x': "ab\n" (3) + é (2) + 😀 (4).
        assert_eq!(line_column(bytes, 9), (2, 3));
        assert_eq!(line_column(bytes, 0), (1, 1));
        assert_eq!(line_column(bytes, 3), (2, 1));
    }

    #[test]
    fn binary_heuristic() {
        assert!(looks_binary(b"abc\0def"));
        assert!(looks_binary(&[1, 2, 3, 4, b'a', b'b']));
        assert!(!looks_binary(b"plain text\r\n\twith tabs\x0c"));
        assert!(!looks_binary(
            b"one \x1b[1mbold\x1b[0m word in a longer line of text"
        ));
        assert!(!looks_binary(b""));
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(10), "10 bytes");
        assert_eq!(with_human(10), "10 bytes");
        assert_eq!(with_human(2048), "2048 bytes (2.0 KiB)");
        assert_eq!(human_bytes(DEFAULT_MAX_BYTES), "16.0 MiB");
        assert_eq!(human_bytes(100_000_000), "95.4 MiB");
    }

    #[test]
    fn blank_means_white_space_only() {
        for blank in [
            "",
            " ",
            "\n\r\n\t",
            "\u{FEFF}",
            "\u{FEFF}\n",
            "\u{A0}\u{2003}\u{3000}",
        ] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for text in ["a", " x ", "\u{FEFF}.", "\u{200B}"] {
            assert!(!is_blank(text), "{text:?}");
        }
    }
}
