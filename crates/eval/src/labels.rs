//! PTC label files: parsing, writing and range checks.
//!
//! The corpus ships labels as tab-separated lines, one span per line:
//!
//! * SI (span identification): `ID<TAB>START<TAB>END`
//! * TC (technique classification): `ID<TAB>TECHNIQUE<TAB>START<TAB>END`
//! * TC template: like TC, but `TECHNIQUE` may be `?` (the spans a TC system must classify)
//!
//! Offsets are Unicode code points, end exclusive. Label files are hand-edited and produced by
//! other tools, so parsing is strict and loud: every malformed line is a [`LabelError`] naming the
//! file and the 1-based line, so a bad file is never scored silently wrong. Identical lines are
//! kept (the corpus has the same span with two techniques, and the scorers decide what
//! duplicates mean).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufWriter, Cursor, Read, Write};
use std::path::{Path, PathBuf};
use unspin_core::{quote_field, CharSpan, Technique};

/// One labelled span from a label file (or made in memory).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    /// The article id, e.g. `111111111` for `article111111111.txt`.
    pub article: String,
    /// The technique; `None` in SI files and for `?` in TC templates.
    pub technique: Option<Technique>,
    /// Code-point span, end exclusive.
    pub span: CharSpan,
    /// 1-based line in the file the label came from, 0 if made in memory. Kept so that checks
    /// done after parsing (e.g. [`check_ranges`]) can still point at the offending line.
    pub line: usize,
}

impl Label {
    /// A label made in memory (`line` 0).
    pub fn new(
        article: impl Into<String>,
        technique: Option<Technique>,
        start: usize,
        end: usize,
    ) -> Label {
        Label {
            article: article.into(),
            technique,
            span: CharSpan::new(start, end),
            line: 0,
        }
    }
}

/// The layout of a label file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelFormat {
    /// `ID<TAB>START<TAB>END`
    Si,
    /// `ID<TAB>TECHNIQUE<TAB>START<TAB>END`
    Tc,
    /// Like [`LabelFormat::Tc`], but `TECHNIQUE` may be `?` (read as `None`).
    TcTemplate,
}

impl LabelFormat {
    /// Number of tab-separated columns on every line.
    pub fn columns(self) -> usize {
        match self {
            LabelFormat::Si => 3,
            LabelFormat::Tc | LabelFormat::TcTemplate => 4,
        }
    }

    /// Short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            LabelFormat::Si => "SI",
            LabelFormat::Tc => "TC",
            LabelFormat::TcTemplate => "TC template",
        }
    }

    fn column_names(self) -> &'static str {
        match self {
            LabelFormat::Si => "ID, START, END",
            LabelFormat::Tc | LabelFormat::TcTemplate => "ID, TECHNIQUE, START, END",
        }
    }
}

/// A problem with a label file, located by file and 1-based line (0 = the whole file, e.g. an
/// I/O error).
#[derive(Debug)]
pub struct LabelError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

/// `path:line: message` like compilers print, so editors can jump to the line; errors about the
/// whole file print just `path: message`.
impl std::fmt::Display for LabelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.path.display(), self.message),
            n => write!(f, "{}:{n}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for LabelError {}

impl LabelError {
    fn new(path: &Path, line: usize, message: impl Into<String>) -> Self {
        LabelError {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    fn io(path: &Path, what: &str, e: &std::io::Error) -> Self {
        LabelError::new(path, 0, format!("cannot {what}: {e}"))
    }
}

/// Parses label lines in `format` from `reader`; `path` is only used in error messages.
///
/// Lines are split on TAB; a trailing `\r` is stripped (CRLF files), as is a UTF-8 BOM at the
/// start of the first line (otherwise it would silently become part of the first article id).
/// Completely empty lines are skipped; any other malformed line is an error.
pub fn parse_labels<R: BufRead>(
    reader: R,
    path: &Path,
    format: LabelFormat,
) -> Result<Vec<Label>, LabelError> {
    parse_impl(reader, path, format, None)
}

/// The largest label file read, in bytes. PTC's largest label file is about 230 KB (6,128
/// lines), so 64 MiB is hundreds of corpora's worth, and still stops `/dev/zero`, an endless
/// pipe or a file given by mistake before it fills memory.
pub const MAX_LABEL_FILE_BYTES: u64 = 64 << 20;

/// Reads a label file in a known format. Files over [`MAX_LABEL_FILE_BYTES`] are refused.
pub fn read_labels(path: &Path, format: LabelFormat) -> Result<Vec<Label>, LabelError> {
    let bytes = read_file(path)?;
    parse_labels(Cursor::new(bytes), path, format)
}

/// Reads a label file, telling SI (3 columns) from TC (4 columns) by its first non-empty line.
/// Every later line must have the same number of columns; a line that does not is an error that
/// names it and the line that decided the format. A file with no labels gives an empty list.
/// Files over [`MAX_LABEL_FILE_BYTES`] are refused.
pub fn read_labels_auto(path: &Path) -> Result<Vec<Label>, LabelError> {
    let bytes = read_file(path)?;
    match detect_format(&bytes, path)? {
        Some((format, line)) => parse_impl(Cursor::new(bytes), path, format, Some(line)),
        None => Ok(Vec::new()),
    }
}

/// The bytes of a label file, refusing one over [`MAX_LABEL_FILE_BYTES`]: a regular file by its
/// size, before reading, and anything else (a device, a pipe) once one byte past the limit has
/// been read, so an endless stream stops there.
fn read_file(path: &Path) -> Result<Vec<u8>, LabelError> {
    let limit = MAX_LABEL_FILE_BYTES;
    let too_large = |size: String| {
        LabelError::new(
            path,
            0,
            format!(
                "too large: {size} bytes; a label file may hold at most {limit} bytes ({} MiB)",
                limit >> 20
            ),
        )
    };
    let file = File::open(path).map_err(|e| LabelError::io(path, "open", &e))?;
    if let Ok(meta) = file.metadata() {
        if meta.is_file() && meta.len() > limit {
            return Err(too_large(meta.len().to_string()));
        }
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LabelError::io(path, "read", &e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(format!("more than {limit}")));
    }
    Ok(bytes)
}

/// Finds the format from the first non-empty line: `Some((format, line))`, or `None` when the
/// file has no non-empty line. Works on bytes so that invalid UTF-8 is reported by the parser,
/// with its line, rather than here.
fn detect_format(bytes: &[u8], path: &Path) -> Result<Option<(LabelFormat, usize)>, LabelError> {
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = clean_line(raw, i == 0);
        if line.is_empty() {
            continue;
        }
        let columns = line.split(|&b| b == b'\t').count();
        return match columns {
            3 => Ok(Some((LabelFormat::Si, i + 1))),
            4 => Ok(Some((LabelFormat::Tc, i + 1))),
            n => Err(LabelError::new(
                path,
                i + 1,
                format!(
                    "cannot tell the label format: expected 3 tab-separated columns (SI: ID, \
                     START, END) or 4 (TC: ID, TECHNIQUE, START, END), found {n}"
                ),
            )),
        };
    }
    Ok(None)
}

/// Strips the line terminator (`\n` is already gone, a trailing `\r` goes here) and, on the
/// first line, a UTF-8 BOM.
fn clean_line(mut line: &[u8], first: bool) -> &[u8] {
    if let Some(rest) = line.strip_suffix(b"\n") {
        line = rest;
    }
    if let Some(rest) = line.strip_suffix(b"\r") {
        line = rest;
    }
    if first {
        if let Some(rest) = line.strip_prefix("\u{feff}".as_bytes()) {
            line = rest;
        }
    }
    line
}

/// The parser behind [`parse_labels`] and [`read_labels_auto`]; `decided_by` is the line that
/// fixed the format in auto mode, so a column-count error can explain where the expectation
/// came from.
fn parse_impl<R: BufRead>(
    mut reader: R,
    path: &Path,
    format: LabelFormat,
    decided_by: Option<usize>,
) -> Result<Vec<Label>, LabelError> {
    let mut labels = Vec::new();
    let mut buf = Vec::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| LabelError::io(path, "read", &e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let bytes = clean_line(&buf, line_no == 1);
        if bytes.is_empty() {
            continue;
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            LabelError::new(
                path,
                line_no,
                format!("invalid UTF-8 after byte {} of the line", e.valid_up_to()),
            )
        })?;
        let mut label = parse_line(text, format, decided_by)
            .map_err(|message| LabelError::new(path, line_no, message))?;
        label.line = line_no;
        labels.push(label);
    }
    Ok(labels)
}

/// Parses one non-empty line; the error is the message only (the caller adds file and line).
fn parse_line(text: &str, format: LabelFormat, decided_by: Option<usize>) -> Result<Label, String> {
    let fields: Vec<&str> = text.split('\t').collect();
    if fields.len() != format.columns() {
        let mut message = format!(
            "expected {} tab-separated columns ({}), found {}",
            format.columns(),
            format.column_names(),
            fields.len()
        );
        if let Some(first) = decided_by {
            message.push_str(&format!(
                " (line {first} made this a {} file; formats cannot be mixed)",
                format.name()
            ));
        }
        return Err(message);
    }
    let (article, technique, start, end) = match format {
        LabelFormat::Si => (fields[0], None, fields[1], fields[2]),
        LabelFormat::Tc => (
            fields[0],
            Some(parse_technique(fields[1])?),
            fields[2],
            fields[3],
        ),
        LabelFormat::TcTemplate => {
            let technique = match fields[1] {
                "?" => None,
                name => Some(parse_technique(name)?),
            };
            (fields[0], technique, fields[2], fields[3])
        }
    };
    if article.trim().is_empty() {
        return Err("empty article id".to_string());
    }
    // Only the file's first BOM is stripped; one further in (from concatenating files that
    // each start with one) would silently become part of an id that matches no article, and
    // the label written back would lose it. Found by the ptc_labels fuzz target.
    if article.contains('\u{feff}') {
        return Err(
            "article id contains a byte-order mark (U+FEFF): was this file concatenated from \
             files that each start with one?"
                .to_string(),
        );
    }
    let start = parse_offset("start", start)?;
    let end = parse_offset("end", end)?;
    if start > end {
        return Err(format!("start offset {start} is after end offset {end}"));
    }
    // An empty span marks no text: no detector makes one, PTC's gold has none, the API refuses
    // one, and the scorers would count it as a label that can never overlap anything.
    if start == end {
        return Err(format!(
            "empty span {start}..{end}: the end offset must be after the start (end is exclusive)"
        ));
    }
    Ok(Label::new(article, technique, start, end))
}

fn parse_technique(name: &str) -> Result<Technique, String> {
    name.parse::<Technique>().map_err(|e| e.to_string())
}

/// Offsets tolerate surrounding whitespace, as Python's `int()` in the official scorers does.
fn parse_offset(which: &str, field: &str) -> Result<usize, String> {
    field.trim().parse::<usize>().map_err(|_| {
        format!(
            "{which} offset {} is not a non-negative integer",
            quote_field(field)
        )
    })
}

/// Writes labels in `format`, one line each with `\n` endings. SI drops the technique; TC and
/// TC template write `?` for a missing technique (so a template round-trips, and a TC file with
/// a gap fails loudly when read back as strict TC rather than inventing a technique).
pub fn write_labels<W: Write>(w: W, labels: &[Label], format: LabelFormat) -> std::io::Result<()> {
    let mut w = BufWriter::new(w);
    for l in labels {
        match format {
            LabelFormat::Si => writeln!(w, "{}\t{}\t{}", l.article, l.span.start, l.span.end)?,
            LabelFormat::Tc | LabelFormat::TcTemplate => {
                let technique = l.technique.map_or("?", Technique::name);
                writeln!(
                    w,
                    "{}\t{}\t{}\t{}",
                    l.article, technique, l.span.start, l.span.end
                )?
            }
        }
    }
    w.flush()
}

/// Checks that every label points into a known article: its article id is in `lengths` (article
/// length in code points) and `start <= end <= length`. The first failure is reported with the
/// label's line (0 for labels made in memory); `path` is the label file, for the message.
pub fn check_ranges(
    labels: &[Label],
    lengths: &HashMap<String, usize>,
    path: &Path,
) -> Result<(), LabelError> {
    for l in labels {
        let Some(&len) = lengths.get(&l.article) else {
            return Err(LabelError::new(
                path,
                l.line,
                format!(
                    "unknown article {:?} (no article text with this id)",
                    l.article
                ),
            ));
        };
        if l.span.start > l.span.end {
            return Err(LabelError::new(
                path,
                l.line,
                format!(
                    "start offset {} is after end offset {}",
                    l.span.start, l.span.end
                ),
            ));
        }
        if l.span.end > len {
            return Err(LabelError::new(
                path,
                l.line,
                format!(
                    "span [{}, {}) ends past the end of article {:?} ({len} characters)",
                    l.span.start, l.span.end, l.article
                ),
            ));
        }
    }
    Ok(())
}

/// Checks that a TC prediction file lists exactly the gold's spans: the same (article, start,
/// end) lines, each as often as the gold lists it (PTC lists a span once per technique), in any
/// order. TC asks which technique given spans carry, so the official scorer refuses a file with
/// other spans rather than scoring it 0, which would hide that it answers another template. The
/// first line of `pred` that is not a gold span is reported, else the first gold span it lacks,
/// so an empty prediction file is refused too: unlike SI and FLC, where finding nothing is an
/// answer, a TC system must name a technique for every span it is given.
pub fn check_tc_spans(
    gold: &[Label],
    gold_path: &Path,
    pred: &[Label],
    pred_path: &Path,
) -> Result<(), LabelError> {
    let mut left: HashMap<(&str, CharSpan), usize> = HashMap::new();
    for l in gold {
        *left.entry((&l.article, l.span)).or_default() += 1;
    }
    for l in pred {
        match left.get_mut(&(l.article.as_str(), l.span)) {
            Some(n) if *n > 0 => *n -= 1,
            seen => {
                let why = if seen.is_some() {
                    "is listed more often than in"
                } else {
                    "is not a span of"
                };
                return Err(LabelError::new(
                    pred_path,
                    l.line,
                    format!(
                        "span {}..{} of article {} {why} the gold file {}: TC classifies the \
                         gold spans, so a prediction must list exactly those",
                        l.span.start,
                        l.span.end,
                        l.article,
                        gold_path.display()
                    ),
                ));
            }
        }
    }
    if let Some(l) = gold
        .iter()
        .find(|l| left[&(l.article.as_str(), l.span)] > 0)
    {
        return Err(LabelError::new(
            pred_path,
            0,
            format!(
                "no prediction for span {}..{} of article {} ({}:{}): TC classifies the gold \
                 spans, so a prediction must list each as often as the gold does",
                l.span.start,
                l.span.end,
                l.article,
                gold_path.display(),
                l.line
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Technique::*;

    fn p() -> &'static Path {
        Path::new("labels.tsv")
    }

    fn parse(text: &[u8], format: LabelFormat) -> Result<Vec<Label>, LabelError> {
        parse_labels(text, p(), format)
    }

    /// Parses text expected to be malformed and returns (line, message).
    fn bad(text: &[u8], format: LabelFormat) -> (usize, String) {
        let e = parse(text, format).expect_err("should fail");
        (e.line, e.message)
    }

    #[test]
    fn parses_si_with_crlf_bom_and_empty_lines() {
        let text = "\u{feff}111\t10\t20\r\n\r\n\n222\t0\t5\n333\t7\t8";
        let labels = parse(text.as_bytes(), LabelFormat::Si).unwrap();
        assert_eq!(labels.len(), 3);
        assert_eq!(labels[0].article, "111");
        assert_eq!(labels[0].span, CharSpan::new(10, 20));
        assert_eq!(labels[0].technique, None);
        assert_eq!(labels[0].line, 1);
        // Lines 2 and 3 are empty and skipped, but still counted.
        assert_eq!(labels[1].line, 4);
        assert_eq!(labels[2].line, 5);
        assert_eq!(labels[2].span, CharSpan::new(7, 8));
    }

    #[test]
    fn a_second_bom_is_an_error_not_part_of_an_id() {
        let (line, message) = bad("\u{feff}\u{feff}222\t0\t5\n".as_bytes(), LabelFormat::Si);
        assert_eq!(line, 1);
        assert!(message.contains("U+FEFF"), "{message}");
        let (line, _) = bad("1\t0\t5\n\u{feff}2\t0\t5\n".as_bytes(), LabelFormat::Si);
        assert_eq!(line, 2);
    }

    #[test]
    fn parses_tc_and_keeps_duplicates() {
        let text = "1\tDoubt\t0\t5\n1\tDoubt\t0\t5\n1\tLoaded_Language\t0\t5\n\
                    2\tName_Calling,Labeling\t3\t9\n";
        let labels = parse(text.as_bytes(), LabelFormat::Tc).unwrap();
        assert_eq!(labels.len(), 4);
        assert_eq!(labels[0].technique, Some(Doubt));
        assert_eq!(labels[1].technique, Some(Doubt));
        assert_eq!(labels[2].technique, Some(LoadedLanguage));
        assert_eq!(labels[3].technique, Some(NameCallingLabeling));
        assert_eq!(labels[3].line, 4);
    }

    #[test]
    fn template_allows_question_mark_but_tc_does_not() {
        let text = b"1\t?\t0\t5\n1\tDoubt\t6\t9\n";
        let labels = parse(text, LabelFormat::TcTemplate).unwrap();
        assert_eq!(labels[0].technique, None);
        assert_eq!(labels[1].technique, Some(Doubt));
        let (line, msg) = bad(text, LabelFormat::Tc);
        assert_eq!(line, 1);
        assert!(msg.contains("unknown technique"), "{msg}");
    }

    #[test]
    fn wrong_column_count_names_line_and_counts() {
        let (line, msg) = bad(b"1\t0\t5\n\n1\tDoubt\t0\t5\n", LabelFormat::Si);
        assert_eq!(line, 3);
        assert!(
            msg.contains("expected 3") && msg.contains("found 4"),
            "{msg}"
        );
        let (line, msg) = bad(b"1\tDoubt\t0\t5\n1\t0\t5\n", LabelFormat::Tc);
        assert_eq!(line, 2);
        assert!(
            msg.contains("expected 4") && msg.contains("found 3"),
            "{msg}"
        );
        // A whitespace-only line is not "completely empty": it is one column.
        let (line, msg) = bad(b"1\t0\t5\n  \n", LabelFormat::Si);
        assert_eq!(line, 2);
        assert!(msg.contains("found 1"), "{msg}");
    }

    /// A huge bad field is quoted in part, with its length, not echoed whole.
    #[test]
    fn a_huge_bad_field_is_quoted_in_part() {
        let digits = "9".repeat(1_000_000);
        let (line, msg) = bad(format!("1\t{digits}\t5\n").as_bytes(), LabelFormat::Si);
        assert_eq!(line, 1);
        assert!(msg.len() < 200, "{} bytes", msg.len());
        assert!(msg.contains("first 40 characters of 1000000"), "{msg}");
        let name = "X".repeat(5000);
        let (_, msg) = bad(format!("1\t{name}\t0\t5\n").as_bytes(), LabelFormat::Tc);
        assert!(msg.len() < 200 && msg.contains("of 5000"), "{msg}");
    }

    #[test]
    fn bad_offsets_name_the_line() {
        let (line, msg) = bad(b"1\t0\t5\n1\tx\t5\n", LabelFormat::Si);
        assert_eq!(line, 2);
        assert!(msg.contains("start offset \"x\""), "{msg}");
        let (line, msg) = bad(b"1\t0\t5\n1\t0\t5\n1\t0\t-5\n", LabelFormat::Si);
        assert_eq!(line, 3);
        assert!(
            msg.contains("end offset \"-5\"") && msg.contains("non-negative"),
            "{msg}"
        );
        let (line, msg) = bad(b"1\t-1\t5\n", LabelFormat::Si);
        assert_eq!(line, 1);
        assert!(msg.contains("start offset \"-1\""), "{msg}");
        let (line, msg) = bad(b"1\t1.5\t5\n", LabelFormat::Si);
        assert_eq!(line, 1);
        assert!(msg.contains("not a non-negative integer"), "{msg}");
        let (line, msg) = bad(b"1\t0\t99999999999999999999999\n", LabelFormat::Si);
        assert_eq!(line, 1);
        assert!(msg.contains("end offset"), "{msg}");
        let (line, msg) = bad(b"1\tDoubt\t0\t5\n1\tDoubt\t9\t5\n", LabelFormat::Tc);
        assert_eq!(line, 2);
        assert_eq!(msg, "start offset 9 is after end offset 5");
    }

    #[test]
    fn empty_spans_are_refused_with_their_line() {
        for (text, format) in [
            (&b"1\t0\t5\n111111111\t265\t265\n"[..], LabelFormat::Si),
            (
                b"1\tDoubt\t0\t5\n111111111\t?\t265\t265\n",
                LabelFormat::TcTemplate,
            ),
            (
                b"1\tDoubt\t0\t5\n111111111\tDoubt\t265\t265\n",
                LabelFormat::Tc,
            ),
        ] {
            let (line, msg) = bad(text, format);
            assert_eq!(line, 2, "{format:?}");
            assert!(msg.contains("empty span 265..265"), "{msg}");
        }
    }

    #[test]
    fn files_past_the_size_limit_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.tsv");
        // Sparse: as large as it says, without writing 64 MiB.
        let file = File::create(&path).unwrap();
        file.set_len(MAX_LABEL_FILE_BYTES + 1).unwrap();
        for result in [read_labels(&path, LabelFormat::Si), read_labels_auto(&path)] {
            let e = result.unwrap_err();
            assert_eq!((e.path.as_path(), e.line), (path.as_path(), 0));
            assert!(e.message.contains("too large"), "{}", e.message);
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_stream_stops_at_the_size_limit() {
        let path = Path::new("/dev/zero");
        for result in [read_labels(path, LabelFormat::Tc), read_labels_auto(path)] {
            let e = result.unwrap_err();
            assert_eq!((e.path.as_path(), e.line), (path, 0));
            assert!(
                e.message.contains("too large: more than 67108864 bytes"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn tc_predictions_must_list_the_gold_spans() {
        let gold = parse(
            b"1\tDoubt\t0\t5\n1\tSlogans\t0\t5\n2\tDoubt\t3\t9\n",
            LabelFormat::Tc,
        )
        .unwrap();
        let (g, pr) = (Path::new("gold.tsv"), Path::new("pred.tsv"));
        let check =
            |text: &[u8]| check_tc_spans(&gold, g, &parse(text, LabelFormat::Tc).unwrap(), pr);
        // Any order, any techniques; the span listed twice, twice.
        check(b"2\tSlogans\t3\t9\n1\tDoubt\t0\t5\n1\tDoubt\t0\t5\n").unwrap();
        // Predicting nothing answers none of the spans.
        let e = check(b"").unwrap_err();
        assert!(
            e.message
                .contains("no prediction for span 0..5 of article 1"),
            "{}",
            e.message
        );

        let e = check(b"1\tDoubt\t0\t5\n999\tDoubt\t1\t5\n").unwrap_err();
        assert_eq!((e.path.as_path(), e.line), (pr, 2));
        assert!(
            e.message
                .contains("span 1..5 of article 999 is not a span of the gold file gold.tsv"),
            "{}",
            e.message
        );
        let e = check(b"1\tDoubt\t0\t5\n1\tDoubt\t0\t5\n1\tSlogans\t0\t5\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("more often"), "{}", e.message);
        let e = check(b"1\tDoubt\t0\t5\n2\tDoubt\t3\t9\n").unwrap_err();
        assert_eq!((e.path.as_path(), e.line), (pr, 0));
        assert!(
            e.message
                .contains("no prediction for span 0..5 of article 1 (gold.tsv:1)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unknown_technique_and_empty_id_are_errors() {
        let (line, msg) = bad(
            b"1\tDoubt\t0\t5\n1\tLoaded_language\t0\t5\n",
            LabelFormat::Tc,
        );
        assert_eq!(line, 2);
        assert!(msg.contains("Loaded_language"), "{msg}");
        let (line, msg) = bad(b"1\tDoubt\t0\t5\n1\t\t0\t5\n", LabelFormat::TcTemplate);
        assert_eq!(line, 2);
        assert!(msg.contains("unknown technique"), "{msg}");
        let (line, msg) = bad(b"1\t0\t5\n\t0\t5\n", LabelFormat::Si);
        assert_eq!(line, 2);
        assert_eq!(msg, "empty article id");
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let (line, msg) = bad(b"1\t0\t5\n\n1\xff\t0\t5\n", LabelFormat::Si);
        assert_eq!(line, 3);
        assert!(msg.contains("UTF-8"), "{msg}");
    }

    #[test]
    fn error_display_has_file_and_line() {
        let e = parse(b"1\t0\n", LabelFormat::Si).unwrap_err();
        assert_eq!(
            e.to_string(),
            "labels.tsv:1: expected 3 tab-separated columns (ID, START, END), found 2"
        );
        let whole_file = LabelError::new(Path::new("gold.tsv"), 0, "cannot read: gone");
        assert_eq!(whole_file.to_string(), "gold.tsv: cannot read: gone");
    }

    #[test]
    fn garbage_never_panics() {
        let inputs: [&[u8]; 10] = [
            b"",
            b"\n\n\n",
            b"\t\t\t\t\t",
            b"\r",
            b"\xef\xbb\xbf",
            b"\xef\xbb\xbf\n1\t2\t3",
            b"a\tb\tc\td\te\n",
            b"\x00\t\x00\t\x00",
            b"1\t?\t?\t?",
            b"\xc3",
        ];
        for input in inputs {
            for format in [LabelFormat::Si, LabelFormat::Tc, LabelFormat::TcTemplate] {
                let _ = parse(input, format);
            }
        }
    }

    #[test]
    fn missing_file_is_line_zero_with_io_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.tsv");
        for result in [read_labels(&path, LabelFormat::Si), read_labels_auto(&path)] {
            let e = result.unwrap_err();
            assert_eq!(e.line, 0);
            assert_eq!(e.path, path);
            let io_text = std::io::Error::from(std::io::ErrorKind::NotFound).to_string();
            assert!(
                e.message.contains("os error") || e.message.contains(&io_text),
                "{}",
                e.message
            );
        }
    }

    fn sample() -> Vec<Label> {
        vec![
            Label::new("111", Some(Doubt), 0, 5),
            Label::new("111", Some(LoadedLanguage), 0, 5),
            Label::new("111", None, 3, 4),
            Label::new("222", Some(WhataboutismStrawMenRedHerring), 10, 40),
        ]
    }

    /// Labels as parsed, without the line numbers (which writing does not carry).
    fn strip_lines(mut labels: Vec<Label>) -> Vec<Label> {
        for l in &mut labels {
            l.line = 0;
        }
        labels
    }

    #[test]
    fn round_trips_every_format() {
        let labels = sample();

        let mut out = Vec::new();
        write_labels(&mut out, &labels, LabelFormat::TcTemplate).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert_eq!(text.lines().nth(2), Some("111\t?\t3\t4"));
        let back = parse(&out, LabelFormat::TcTemplate).unwrap();
        assert_eq!(back[3].line, 4);
        assert_eq!(strip_lines(back), labels);

        // TC writes `?` for the missing technique too, which strict TC then rejects.
        let mut out = Vec::new();
        write_labels(&mut out, &labels, LabelFormat::Tc).unwrap();
        assert_eq!(bad(&out, LabelFormat::Tc).0, 3);
        let complete: Vec<Label> = labels
            .iter()
            .filter(|l| l.technique.is_some())
            .cloned()
            .collect();
        let mut out = Vec::new();
        write_labels(&mut out, &complete, LabelFormat::Tc).unwrap();
        assert_eq!(strip_lines(parse(&out, LabelFormat::Tc).unwrap()), complete);

        // SI drops techniques.
        let mut out = Vec::new();
        write_labels(&mut out, &labels, LabelFormat::Si).unwrap();
        assert_eq!(
            String::from_utf8(out.clone()).unwrap().lines().next(),
            Some("111\t0\t5")
        );
        let expected: Vec<Label> = labels
            .iter()
            .map(|l| Label::new(l.article.clone(), None, l.span.start, l.span.end))
            .collect();
        assert_eq!(strip_lines(parse(&out, LabelFormat::Si).unwrap()), expected);
    }

    #[test]
    fn auto_detects_both_formats() {
        let dir = tempfile::tempdir().unwrap();
        let si = dir.path().join("si.tsv");
        std::fs::write(&si, "\n1\t0\t5\r\n2\t3\t4\n").unwrap();
        let labels = read_labels_auto(&si).unwrap();
        assert_eq!(labels.len(), 2);
        assert!(labels.iter().all(|l| l.technique.is_none()));
        assert_eq!(labels[0].line, 2);

        let tc = dir.path().join("tc.tsv");
        std::fs::write(&tc, "1\tDoubt\t0\t5\n2\tSlogans\t3\t4\n").unwrap();
        let labels = read_labels_auto(&tc).unwrap();
        assert_eq!(labels[1].technique, Some(Slogans));
        assert_eq!(labels, read_labels(&tc, LabelFormat::Tc).unwrap());

        let empty = dir.path().join("empty.tsv");
        std::fs::write(&empty, "\n\n").unwrap();
        assert!(read_labels_auto(&empty).unwrap().is_empty());
    }

    #[test]
    fn auto_rejects_mixed_and_unknown_layouts() {
        let dir = tempfile::tempdir().unwrap();
        let mixed = dir.path().join("mixed.tsv");
        std::fs::write(&mixed, "\n1\tDoubt\t0\t5\n2\tSlogans\t3\t4\n3\t0\t5\n").unwrap();
        let e = read_labels_auto(&mixed).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(
            e.message.contains("line 2 made this a TC file"),
            "{}",
            e.message
        );

        let mixed = dir.path().join("mixed2.tsv");
        std::fs::write(&mixed, "3\t0\t5\n1\tDoubt\t0\t5\n").unwrap();
        let e = read_labels_auto(&mixed).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("found 4"), "{}", e.message);

        let odd = dir.path().join("odd.tsv");
        std::fs::write(&odd, "\n\n1\t2\n").unwrap();
        let e = read_labels_auto(&odd).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("cannot tell"), "{}", e.message);

        // Invalid UTF-8 in auto mode is still reported with its line by the parser.
        let bin = dir.path().join("bin.tsv");
        std::fs::write(&bin, b"1\t0\t5\n\xff\t0\t5\n").unwrap();
        assert_eq!(read_labels_auto(&bin).unwrap_err().line, 2);
    }

    #[test]
    fn check_ranges_names_the_label_line() {
        let labels = parse(b"1\t0\t5\n1\t5\t10\n\n2\t0\t11\n", LabelFormat::Si).unwrap();
        let mut lengths = HashMap::from([("1".to_string(), 10), ("2".to_string(), 11)]);
        check_ranges(&labels, &lengths, p()).unwrap();

        lengths.insert("2".to_string(), 10);
        let e = check_ranges(&labels, &lengths, p()).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("ends past the end"), "{}", e.message);

        lengths.remove("2");
        let e = check_ranges(&labels, &lengths, p()).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("unknown article \"2\""), "{}", e.message);

        let backwards = [Label::new("1", None, 6, 2)];
        let e = check_ranges(&backwards, &lengths, p()).unwrap_err();
        assert_eq!(e.line, 0);
    }
}
