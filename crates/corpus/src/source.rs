//! Reading corpora for batch runs: the input files listed up front (so a resumed run can
//! fingerprint them), streamed record by record, and each record turned into a report.
//!
//! A corpus is a list of inputs, each a directory (what `unspin_io::input::discover` finds
//! below it: the same files `analyze DIR` reads), a JSONL file or a gzip'd JSONL file. A JSONL
//! line is one [`InputRecord`]: `{"id", "text" | "html", "source"?, "url"?, "date"?}`.

use std::fmt;
use std::path::Path;
use unspin::{Analyzer, Article, InputFormat, Report};
use unspin_io::input::{discover, FileKind};
pub use unspin_io::records::{article_from_file, InputRecord, Meta, RecordError};
use unspin_io::records::{jsonl_reader, JsonlRecords};

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

/// What a record gets when handling it panicked: the same words from `unspin batch` and the
/// Python package, so their error files compare equal.
pub const PANIC_MESSAGE: &str = "internal error: the analysis panicked on this record";

/// Runs `f`, turning a panic into a [`RecordError`] ([`PANIC_MESSAGE`]): a bug in one
/// detector must cost one record, not a day-long run or a distributed job.
pub fn guarded<T>(f: impl FnOnce() -> Result<T, RecordError>) -> Result<T, RecordError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(RecordError(PANIC_MESSAGE.to_string())))
}

/// [`InputRecord::into_article`] then [`analyze_article`].
pub fn analyze_record(analyzer: &Analyzer, record: InputRecord) -> Result<Report, RecordError> {
    let (article, meta) = record.into_article()?;
    analyze_article(analyzer, article, meta)
}

// ---------------------------------------------------------------------------------------------
// Streaming over inputs
// ---------------------------------------------------------------------------------------------

use crate::fingerprint;
use std::collections::HashSet;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{self, Read};
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
/// analysis runs in parallel on what this carries. Records and article files arrive already
/// turned into articles (see [`Items::next_chunk`]).
#[derive(Debug)]
pub struct Item {
    pub pos: Position,
    pub payload: Result<Payload, RecordError>,
    /// Kept apart from the payload so that a record skipped for its own fault is still
    /// reported with its id.
    id: Option<String>,
}

#[derive(Debug)]
pub enum Payload {
    /// A JSONL record or an article file turned into its article (its page extracted).
    Article(Article, Meta),
}

impl Item {
    /// The record's id, when it got far enough to have one (a file's comes from its name).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// Analyses the item: the report, or why it was skipped.
    pub fn analyze(self, analyzer: &Analyzer) -> Result<Report, RecordError> {
        match self.payload? {
            Payload::Article(article, meta) => analyze_article(analyzer, article, meta),
        }
    }
}

/// An item as read, before a JSONL record or an article file's bytes have been turned into an
/// article.
enum Raw {
    Record(Position, InputRecord),
    File(Position, PathBuf, Vec<u8>),
    Ready(Item),
}

/// What [`Items::resume_chunk`] did with a chunk an earlier run analysed.
pub enum Resumed {
    /// Passed over that many items: the earlier run's results stand.
    Passed(usize),
    /// The items, to be analysed again: the earlier run's record of them did not fit.
    Again(Vec<Item>),
}

impl Raw {
    fn into_item(self, format: InputFormat) -> Item {
        // Extraction runs on the reader's side; a panic in it must still cost only this record.
        match self {
            Raw::Ready(item) => item,
            Raw::Record(pos, record) => {
                let id = Some(record.id.clone());
                let payload = guarded(|| record.into_article())
                    .map(|(article, meta)| Payload::Article(article, meta));
                Item { pos, payload, id }
            }
            Raw::File(pos, path, bytes) => {
                let id = Some(Article::id_from_path(&path));
                let payload = guarded(|| article_from_file(bytes, &path, format))
                    .map(|article| Payload::Article(article, Meta::default()));
                Item { pos, payload, id }
            }
        }
    }
}

/// The files of a corpus, listed before anything is read, so that a typo'd path fails at once
/// and a resumed run can tell whether its inputs changed ([`Corpus::fingerprint`]).
#[derive(Debug, Clone)]
pub struct Corpus {
    files: Vec<(PathBuf, FileKind, u64)>,
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
                for found in discover(input).with_context(|| "cannot list the corpus")? {
                    files.push((found.path, found.kind, found.len));
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
                let kind = match FileKind::of(input) {
                    Some(k) => k,
                    None if input.extension().is_some_and(|e| e == "gz") => FileKind::JsonlGz,
                    None => FileKind::Jsonl,
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
    /// larger ones become errors without being buffered. `format` says how article files are
    /// read (JSONL records say it themselves: `text` or `html`).
    pub fn items(&self, max_bytes: u64, format: InputFormat) -> Items<'_> {
        Items {
            corpus: self,
            next_file: 0,
            current: None,
            max_bytes,
            format,
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
    format: InputFormat,
    /// Hashes of the ids seen so far: 8 bytes per article (8 MB for a million), so duplicate
    /// ids are caught without memory growing with article sizes.
    seen: HashSet<u64>,
    /// Input bytes fully consumed so far (files finished plus the open file's progress).
    bytes_done: u64,
}

struct Lines {
    records: JsonlRecords,
    counted: std::sync::Arc<std::sync::atomic::AtomicU64>,
    base: u64,
    /// The file's name as errors show it, formatted once rather than per record.
    input: String,
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

    /// The next `n` items (fewer at the end of the corpus), in input order. Records and files
    /// are turned into articles first, on all cores since that extracts pages, and only then
    /// claim their ids, in input order: one that cannot become an article (binary, blank, a
    /// record without text) is reported for its own fault and leaves its id to the next that
    /// has it.
    pub fn next_chunk(&mut self, n: usize) -> Vec<Item> {
        let raw: Vec<Raw> = std::iter::from_fn(|| self.next_raw()).take(n).collect();
        self.convert(raw)
    }

    fn convert(&mut self, raw: Vec<Raw>) -> Vec<Item> {
        use rayon::prelude::*;
        let format = self.format;
        let items: Vec<Item> = raw.into_par_iter().map(|r| r.into_item(format)).collect();
        items
            .into_iter()
            .map(|item| self.check_duplicate(item))
            .collect()
    }

    /// The next `n` items (fewer at the end of the corpus) of a chunk an earlier run
    /// analysed: `claimed` is given their number and returns the ids they claimed then, or
    /// `None` when that run's record of the chunk does not fit it. With ids, the items are
    /// passed over without being turned into articles and the ids marked as seen
    /// ([`Resumed::Passed`]); without, they become articles as [`Items::next_chunk`] makes
    /// them, to be analysed again ([`Resumed::Again`]).
    ///
    /// A resumed run gets the same duplicates this way as one never stopped, without decoding
    /// and extracting again the pages of chunks it will not analyse.
    pub fn resume_chunk(
        &mut self,
        n: usize,
        claimed: impl FnOnce(usize) -> Option<Vec<String>>,
    ) -> Resumed {
        let raw: Vec<Raw> = std::iter::from_fn(|| self.next_raw()).take(n).collect();
        match claimed(raw.len()) {
            Some(ids) => {
                for id in &ids {
                    self.first_time(id);
                }
                Resumed::Passed(raw.len())
            }
            None => Resumed::Again(self.convert(raw)),
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
        let (id, rule) = match &item.payload {
            Ok(Payload::Article(article, _)) if item.pos.line.is_none() => {
                (article.id.clone(), "ids come from file names")
            }
            Ok(Payload::Article(article, _)) => (article.id.clone(), "ids must be unique"),
            Err(_) => return item,
        };
        if !self.first_time(&id) {
            item.payload = Err(RecordError(format!(
                "duplicate id \"{id}\" (an earlier record has it; {rule})"
            )));
        }
        item
    }

    fn next_raw(&mut self) -> Option<Raw> {
        loop {
            if let Some(lines) = &mut self.current {
                let Some((line, record)) = lines.records.next() else {
                    self.current = None;
                    continue;
                };
                let pos = Position {
                    input: lines.input.clone(),
                    line: Some(line),
                };
                return Some(match record {
                    Ok(r) => Raw::Record(pos, r),
                    Err(e) => Raw::Ready(Item {
                        pos,
                        payload: Err(e),
                        id: None,
                    }),
                });
            }
            let (path, kind, len) = self.corpus.files.get(self.next_file)?.clone();
            self.next_file += 1;
            if let Some(raw) = self.open_file(&path, kind, len) {
                return Some(raw);
            }
        }
    }

    fn open_file(&mut self, path: &Path, kind: FileKind, len: u64) -> Option<Raw> {
        let pos = Position {
            input: path.display().to_string(),
            line: None,
        };
        match kind {
            FileKind::Article => {
                self.bytes_done += len;
                Some(match read_capped(path, self.max_bytes) {
                    Ok(bytes) => Raw::File(pos, path.to_path_buf(), bytes),
                    Err(e) => Raw::Ready(Item {
                        pos,
                        payload: Err(e),
                        id: Some(Article::id_from_path(path)),
                    }),
                })
            }
            FileKind::Jsonl | FileKind::JsonlGz => {
                let file = match File::open(path) {
                    Ok(f) => f,
                    Err(e) => {
                        self.bytes_done += len;
                        return Some(Raw::Ready(Item {
                            pos,
                            payload: Err(RecordError(format!("cannot read: {e}"))),
                            id: None,
                        }));
                    }
                };
                let counted = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
                let counting = Counting {
                    inner: file,
                    n: counted.clone(),
                };
                let reader = jsonl_reader(counting, kind == FileKind::JsonlGz);
                self.current = Some(Lines {
                    records: JsonlRecords::new(reader, self.max_bytes),
                    counted,
                    base: self.bytes_done,
                    input: pos.input,
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
        self.next_chunk(1).pop()
    }
}

/// The bytes of an article file, with the errors file's words (its record already names the
/// file).
fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, RecordError> {
    use unspin_io::InputError;
    unspin_io::input::read_bytes(path, max).map_err(|e| {
        RecordError(match e {
            InputError::TooLarge { .. } => {
                format!("too large: over the limit of {max} bytes (raise it with --max-bytes)")
            }
            InputError::Io { source, .. } => format!("cannot read: {source}"),
            other => other.to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn items(inputs: &[PathBuf]) -> Vec<(String, Result<String, String>)> {
        let corpus = Corpus::open(inputs).unwrap();
        corpus
            .items(1 << 20, InputFormat::Auto)
            .map(|it| {
                let pos = it.pos.to_string();
                let what = match it.payload {
                    Ok(Payload::Article(a, _)) => Ok(a.id),
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
    fn an_article_file_that_is_no_article_leaves_its_id_to_the_next() {
        let tmp = tempfile::tempdir().unwrap();
        for (dir, bytes) in [
            ("a", &b"\x00\x01binary"[..]),
            ("b", b"  \n"),
            ("c", b"Good text."),
            ("d", b"Again."),
        ] {
            std::fs::create_dir(tmp.path().join(dir)).unwrap();
            fs_write(&tmp.path().join(dir).join("article5.txt"), bytes);
        }
        let got = items(&[tmp.path().to_path_buf()]);
        let says = |i: usize, what: &str| {
            let e = got[i].1.as_ref().unwrap_err();
            assert!(e.contains(what), "item {i} should say {what:?}: {got:?}");
        };
        says(0, "binary");
        says(1, "empty");
        assert_eq!(got[2].1, Ok("5".to_string()), "{got:?}");
        says(3, "duplicate id \"5\"");
    }

    #[test]
    fn a_record_that_cannot_become_an_article_is_skipped_for_that_not_as_a_duplicate() {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("x.jsonl");
        fs_write(
            &input,
            b"{\"id\": \"b\"}\n{\"id\": \"b\", \"text\": \"Text.\"}\n\
              {\"id\": \"e\", \"text\": \"Text.\"}\n{\"id\": \"e\"}\n{\"id\": \"e\", \"text\": \" \"}\n\
              {\"id\": \"n\", \"text\": \"bad \\u0000\"}\n{\"id\": \"n\", \"text\": \"Good text.\"}\n\
              {\"id\": \"h\", \"html\": \"<html><body></body></html>\"}\n\
              {\"id\": \"h\", \"text\": \"Good text.\"}\n{\"id\": \"h\", \"text\": \"Again.\"}\n",
        );
        let corpus = Corpus::open(&[input]).unwrap();
        let got: Vec<(Option<String>, Result<String, String>)> = corpus
            .items(1 << 20, InputFormat::Auto)
            .map(|it| {
                let id = it.id().map(str::to_string);
                let why = it
                    .payload
                    .map(|p| match p {
                        Payload::Article(a, _) => a.id,
                    })
                    .map_err(|e| e.0);
                (id, why)
            })
            .collect();
        let fault = |i: usize, says: &str| {
            assert!(
                got[i].1.as_ref().unwrap_err().contains(says),
                "record {i} should say {says:?}: {got:?}"
            );
        };
        // The textless "b" claims no id: the "b" after it is the first to be analysed.
        assert_eq!(got[0].0.as_deref(), Some("b"));
        fault(0, "no \"text\"");
        assert_eq!(got[1].1, Ok("b".to_string()));
        assert_eq!(got[2].1, Ok("e".to_string()));
        // After "e" was analysed, records with no or blank text are still told so, with their id.
        assert_eq!(got[3].0.as_deref(), Some("e"));
        fault(3, "no \"text\"");
        fault(4, "empty text");
        // Faults found only by turning the record into an article claim no id either.
        assert_eq!(got[5].0.as_deref(), Some("n"));
        fault(5, "NUL");
        assert_eq!(got[6].1, Ok("n".to_string()));
        assert_eq!(got[7].0.as_deref(), Some("h"));
        fault(7, "html");
        assert_eq!(got[8].1, Ok("h".to_string()));
        // A real duplicate is still one, and named with its id.
        assert_eq!(got[9].0.as_deref(), Some("h"));
        fault(9, "duplicate id \"h\"");
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

    fn fs_write(path: &Path, bytes: &[u8]) {
        std::fs::write(path, bytes).unwrap();
    }
}
