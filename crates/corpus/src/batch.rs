//! Batch runs: a corpus in, JSONL shards, an errors file and the results database out.
//!
//! ```text
//! OUT/batch.json             settings and input fingerprint (see `fingerprint`), to refuse
//!                            resuming a different run
//! OUT/shards/part-000000.jsonl  one report per line, the analysed records of chunk 0, in order
//! OUT/errors/part-000000.jsonl  the skipped records of chunk 0 (only if it had any)
//! OUT/errors.jsonl           all skipped records, in input order (rebuilt at the end of a run)
//! OUT/unspin.sqlite          the results database (see `store`)
//! OUT/summary.json           counts and timing of the last run
//! ```
//!
//! The corpus is cut into chunks of `chunk_size` consecutive records. Each chunk is analysed
//! on all cores and committed as a unit: its errors file, then its shard, each written to a
//! temporary name, flushed to disk and renamed, so a file under its final name is always
//! complete. The shard's existence is what marks a chunk done. The database then takes the
//! shard's rows in one transaction that also records the shard number. So after a `kill -9` at
//! any moment, a rerun finds whole shards (the chunks in flight are simply missing), ingests any
//! shard the database did not get to, and analyses only the missing chunks; because chunks are
//! cut the same way each time, the final files are identical to an uninterrupted run's.

use crate::fingerprint;
use crate::source::{guarded, Corpus, Item, Position, Resumed};
use crate::store::Store;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::{Duration, Instant};
use unspin::{Analyzer, InputFormat, Report};

/// Settings of a batch run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Records per chunk (and per shard). Smaller chunks lose less work to a crash; larger
    /// ones mean fewer files.
    pub chunk_size: usize,
    /// Largest accepted article (or JSONL line) in bytes.
    pub max_bytes: u64,
    /// How article files in directories are read.
    pub format: InputFormat,
    /// Run the fact-checking aids (claims, quotes, findings).
    pub aids: bool,
    /// Fill the results database.
    pub store: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            chunk_size: 1000,
            max_bytes: unspin::input::DEFAULT_MAX_BYTES,
            format: InputFormat::Auto,
            aids: true,
            store: true,
        }
    }
}

/// Counts of a run so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Articles analysed by this run.
    pub analysed: u64,
    /// Records skipped because an earlier run finished their chunk.
    pub resumed: u64,
    /// Records that went to the errors file in this run.
    pub errors: u64,
    /// Chunks committed by this run.
    pub chunks: u64,
}

/// Receives progress from a run; the CLI draws a progress bar with it.
pub trait Progress: Sync {
    /// Called once before the first chunk: the total input bytes.
    fn start(&self, total_bytes: u64);
    /// Called after each chunk is committed (or skipped as already done).
    fn update(&self, bytes_done: u64, counts: &Counts);
    /// Something the user should know that does not stop the run (a damaged shard of an
    /// earlier run being analysed again). A library prints nothing itself: the caller decides
    /// where it goes (no default, so no caller drops it unawares).
    fn warn(&self, message: &str);
}

/// A [`Progress`] that reports nothing, warnings included.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: u64) {}
    fn update(&self, _: u64, _: &Counts) {}
    fn warn(&self, _: &str) {}
}

/// What a finished run did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub counts: Counts,
    /// Records in the errors file (from this and earlier runs).
    pub errors_total: u64,
    /// Chunks (shards) of the whole corpus.
    pub chunks_total: u64,
    pub elapsed_secs: f64,
    /// Articles analysed per second by this run.
    pub articles_per_sec: f64,
    pub out: PathBuf,
}

/// What identifies a run: resuming is only safe with the same inputs and settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    /// How `fingerprint` was computed ([`fingerprint::SCHEME`] when written by this build).
    /// Manifests from before this field existed used scheme 1.
    #[serde(default = "scheme_v1")]
    fingerprint_scheme: u32,
    inputs: Vec<String>,
    /// [`Corpus::fingerprint`]: the input files' paths, sizes and contents.
    fingerprint: String,
    chunk_size: usize,
    max_bytes: u64,
    input_format: String,
    aids: bool,
    detector: String,
    unspin_version: String,
}

fn scheme_v1() -> u32 {
    1
}

/// The part of a manifest read before the rest: the fingerprint scheme is checked first, so
/// that a run from another build is explained as such even if the other fields changed too.
#[derive(Deserialize)]
struct ManifestHeader {
    #[serde(default = "scheme_v1")]
    fingerprint_scheme: u32,
    #[serde(default)]
    unspin_version: Option<String>,
}

const MANIFEST: &str = "batch.json";
const SHARDS: &str = "shards";
const ERRORS: &str = "errors";
const ERRORS_FILE: &str = "errors.jsonl";
const DATABASE: &str = crate::store::DATABASE_FILE;
const SUMMARY: &str = "summary.json";

/// The path of the results database inside a batch output directory.
pub fn database_path(out: &Path) -> PathBuf {
    out.join(DATABASE)
}

/// Whether `dir` holds the output of a batch run (it has the run's manifest).
pub fn is_output_dir(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file()
}

/// Whether `path` is one of the files a batch run keeps in its output directory `out`: the
/// manifest, the summary, the errors file, the results database with its journal files,
/// anything under `shards/` and `errors/`, and the temporary files the run writes them through.
/// Another command writing one of them would break the next resume or the statistics, so
/// nothing but the run itself may. Both paths should be absolute with links resolved
/// (`unspin_io::files::resolve`), so two spellings of one file agree.
pub fn is_own_file(out: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(out) else {
        return false;
    };
    let mut parts = rel.components();
    let Some(std::path::Component::Normal(first)) = parts.next() else {
        return false;
    };
    let first = first.to_string_lossy();
    if parts.next().is_some() {
        return first == SHARDS || first == ERRORS;
    }
    // The run writes each file through a temporary sibling (`unspin_io::files`); runs of
    // older builds used `.NAME.tmp`.
    if unspin_io::files::is_temp_name(&first) {
        return true;
    }
    let name = first
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(".tmp"))
        .unwrap_or(&first);
    [MANIFEST, SUMMARY, ERRORS_FILE, SHARDS, ERRORS].contains(&name)
        || crate::store::is_database_file(DATABASE, name)
}

fn shard_name(k: u64) -> String {
    format!("part-{k:06}.jsonl")
}

/// The shard number of a final shard file name, `None` for anything else (temporary files).
fn shard_number(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("part-")?.strip_suffix(".jsonl")?;
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// One skipped record, as a line of the errors file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorRecord {
    #[serde(flatten)]
    pub pos: Position,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub error: String,
}

/// A chunk on its way from the reader to the writer.
struct Chunk {
    k: u64,
    /// `None`: an earlier run committed this chunk.
    items: Option<Vec<Item>>,
    /// An earlier run committed this chunk but its shard is damaged: analysed again, its
    /// files and database rows replaced.
    again: bool,
    n_items: u64,
    bytes_end: u64,
}

/// The analysed records of a chunk, each with its serialized shard line, and its errors.
struct Results {
    reports: Vec<(Report, Vec<u8>)>,
    errors: Vec<ErrorRecord>,
}

/// A chunk on its way from analysis to the writer.
struct Done {
    k: u64,
    /// `None`: an earlier run committed this chunk.
    results: Option<Results>,
    again: bool,
    n_items: u64,
    bytes_end: u64,
}

/// Runs (or resumes) a batch analysis of `inputs` into `out`.
pub fn run(
    inputs: &[PathBuf],
    out: &Path,
    opts: &BatchOptions,
    analyzer: &Analyzer,
    progress: &dyn Progress,
) -> Result<Summary> {
    let started = Instant::now();
    if opts.chunk_size == 0 {
        bail!("the chunk size must be at least 1");
    }
    // Before the inputs are read and fingerprinted, which takes minutes on a large corpus.
    check_out_is_no_file(out)?;
    let corpus = Corpus::open(inputs)?;
    // Checked before the output directory is made: a run over nothing (an empty JSONL file)
    // is a wrong input, as it is for analyze, not an empty result. One item is enough to
    // know; a bad record counts, since the errors file reports it.
    if corpus.items(opts.max_bytes, opts.format).next().is_none() {
        let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        bail!(
            "{}: no articles in it (no JSONL records, only empty or blank lines); there is \
             nothing to analyse",
            names.join(", ")
        );
    }
    let manifest = Manifest {
        format: 1,
        fingerprint_scheme: fingerprint::SCHEME,
        inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
        fingerprint: corpus.fingerprint(),
        chunk_size: opts.chunk_size,
        max_bytes: opts.max_bytes,
        input_format: format!("{:?}", opts.format),
        aids: opts.aids,
        detector: analyzer.detector().name().to_string(),
        unspin_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    prepare_out(out, &manifest)?;
    let mut done = finished_shards(&out.join(SHARDS))?;

    let mut store = if opts.store {
        let path = database_path(out);
        // Store::open's errors name the file already.
        let mut store = Store::open(&path)?;
        // Shards committed to disk whose rows the database did not take before a crash.
        let have = store.shards()?;
        for k in done.difference(&have).copied().collect::<Vec<_>>() {
            let path = out.join(SHARDS).join(shard_name(k));
            if let Err(e) = store.ingest_shard_file(k, &path) {
                // A line that is no report (nothing went in: one transaction): its chunk is
                // analysed again below and its rows go in then. Anything else stops the run.
                if !e.chain().any(|c| c.is::<serde_json::Error>()) {
                    return Err(e);
                }
                progress.warn(&damaged(k, &format!("{e:#}")));
                done.remove(&k);
            }
        }
        Some(store)
    } else {
        None
    };

    progress.start(corpus.total_bytes());
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(1);
    let (done_tx, done_rx) = sync_channel::<Done>(1);
    // Every chunk is committed by the end of a successful run, so the reader's count of chunks
    // is the number of shards; no need to list the directory again.
    let (counts, chunks_total) = std::thread::scope(|s| -> Result<(Counts, u64)> {
        let reader = s.spawn(|| read_chunks(&corpus, opts, out, &done, progress, chunk_tx));
        let writer = s.spawn(|| write_chunks(out, store.as_mut(), done_rx, progress));
        analyse_chunks(chunk_rx, done_tx, analyzer);
        // The writer's error explains a stop best (disk full...); the reader's comes next (a
        // finished shard it cannot read).
        let counts = writer
            .join()
            .map_err(|_| anyhow::anyhow!("the writer thread panicked"))??;
        let chunks = reader
            .join()
            .map_err(|_| anyhow::anyhow!("the reader thread panicked"))??;
        Ok((counts, chunks))
    })?;

    let errors_total = merge_errors(out)?;
    let elapsed = started.elapsed();
    let summary = Summary {
        counts,
        errors_total,
        chunks_total,
        elapsed_secs: elapsed.as_secs_f64(),
        articles_per_sec: counts.analysed as f64 / elapsed.as_secs_f64().max(1e-9),
        out: out.to_path_buf(),
    };
    let json = serde_json::to_vec_pretty(&summary)?;
    write_atomic(&out.join(SUMMARY), &json)?;
    Ok(summary)
}

/// Said plainly: reading a manifest inside a file fails with the OS's "Not a directory",
/// which reads as if the file were damaged.
fn check_out_is_no_file(out: &Path) -> Result<()> {
    if out.exists() && !out.is_dir() {
        bail!(
            "{} is not a directory: --out names the directory batch writes its results into",
            out.display()
        );
    }
    Ok(())
}

/// Creates the output directory and its manifest, or checks that an existing one belongs to
/// the same run; removes temporary files a killed run left behind.
fn prepare_out(out: &Path, manifest: &Manifest) -> Result<()> {
    check_out_is_no_file(out)?;
    let path = out.join(MANIFEST);
    if path.exists() {
        let bytes = fs::read(&path).with_context(|| format!("{}: cannot read", path.display()))?;
        let header: ManifestHeader = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not a batch manifest", path.display()))?;
        check_scheme(out, &header, manifest.fingerprint_scheme)?;
        let old: Manifest = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not a batch manifest", path.display()))?;
        if old != *manifest {
            let diff = describe_difference(&old, manifest);
            bail!(
                "{} holds a run with different inputs or settings ({diff}); resuming it would mix \
                 results: use another --out, or delete the directory to start over",
                out.display()
            );
        }
    } else if out.exists()
        && fs::read_dir(out)
            .with_context(|| format!("{}: cannot read", out.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} exists, is not empty and is not a batch output directory (no {MANIFEST}); \
             choose another --out",
            out.display()
        );
    }
    for dir in [out.to_path_buf(), out.join(SHARDS), out.join(ERRORS)] {
        fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    }
    if !path.exists() {
        write_atomic(&path, &serde_json::to_vec_pretty(manifest)?)?;
    }
    for dir in [out.to_path_buf(), out.join(SHARDS), out.join(ERRORS)] {
        for entry in
            fs::read_dir(&dir).with_context(|| format!("{}: cannot read", dir.display()))?
        {
            let entry = entry?;
            if entry.file_name().to_string_lossy().ends_with(".tmp") {
                fs::remove_file(entry.path()).with_context(|| {
                    format!("{}: cannot remove stale file", entry.path().display())
                })?;
            }
        }
    }
    Ok(())
}

/// Refuses a run whose fingerprint this build computes differently: the two fingerprints could
/// not be compared, so whether the inputs changed is unknown, and resuming might mix results.
fn check_scheme(out: &Path, old: &ManifestHeader, scheme: u32) -> Result<()> {
    if old.fingerprint_scheme == scheme {
        return Ok(());
    }
    let made_by = match &old.unspin_version {
        Some(v) => format!(" ({v})"),
        None => String::new(),
    };
    let (age, what_to_do) = if old.fingerprint_scheme < scheme {
        (
            "an older",
            "start a new run with another --out (or delete the directory to start over)",
        )
    } else {
        (
            "a newer",
            "resume it with that unspin, or start a new run with another --out",
        )
    };
    bail!(
        "{} was made by {age} build of unspin{made_by}: its input fingerprint is scheme {}, \
         this build uses {}, so it cannot tell whether the inputs changed since and will not \
         resume a run that might mix results of different inputs: {what_to_do}",
        out.display(),
        fingerprint::describe(old.fingerprint_scheme),
        fingerprint::describe(scheme),
    )
}

fn describe_difference(old: &Manifest, new: &Manifest) -> String {
    let mut d = Vec::new();
    if old.inputs != new.inputs {
        d.push(format!("inputs were {:?}", old.inputs));
    } else if old.fingerprint != new.fingerprint {
        d.push("the input files changed since".to_string());
    }
    if old.chunk_size != new.chunk_size {
        d.push(format!("--chunk-size was {}", old.chunk_size));
    }
    if old.max_bytes != new.max_bytes {
        d.push(format!("--max-bytes was {}", old.max_bytes));
    }
    if old.input_format != new.input_format {
        d.push(format!("--input was {}", old.input_format.to_lowercase()));
    }
    if old.aids != new.aids {
        d.push(format!(
            "the aids were {}",
            if old.aids { "on" } else { "off (--no-aids)" }
        ));
    }
    if old.detector != new.detector {
        d.push(format!("the model was {}", old.detector));
    }
    if old.unspin_version != new.unspin_version || old.format != new.format {
        d.push(format!("it was made by unspin {}", old.unspin_version));
    }
    d.join("; ")
}

/// Shard numbers whose final file exists.
fn finished_shards(dir: &Path) -> Result<BTreeSet<u64>> {
    let mut set = BTreeSet::new();
    for entry in fs::read_dir(dir).with_context(|| format!("{}: cannot read", dir.display()))? {
        let entry = entry?;
        if let Some(k) = shard_number(&entry.file_name().to_string_lossy()) {
            set.insert(k);
        }
    }
    Ok(set)
}

/// Reader thread: cuts the record stream into chunks. Chunks an earlier run finished are
/// passed over without being turned into articles: the ids they claimed come from their
/// shards' reports, so duplicate ids and positions stay the same. A finished chunk whose
/// files do not hold one line per record (a shard or errors file damaged after it was
/// written: cut short by a copy, a line lost or broken by hand, emptied) is analysed again and
/// its files and database rows replaced, with a warning: a run that kept them would end
/// "complete" with results missing. A shard or errors file that cannot be read at all stops
/// the run. Returns the number of chunks in the corpus.
fn read_chunks(
    corpus: &Corpus,
    opts: &BatchOptions,
    out: &Path,
    done: &BTreeSet<u64>,
    progress: &dyn Progress,
    tx: SyncSender<Chunk>,
) -> Result<u64> {
    let mut items = corpus.items(opts.max_bytes, opts.format);
    let mut k = 0u64;
    loop {
        let (n_items, items_for_analysis, again) = if done.contains(&k) {
            match read_finished(out, k)? {
                Ok((ids, errors)) => {
                    let resumed = items.resume_chunk(opts.chunk_size, |n| {
                        let lines = ids.len() + errors;
                        if lines == n {
                            return Some(ids);
                        }
                        progress.warn(&damaged(
                            k,
                            &format!(
                                "{} reports and {errors} errors for a chunk of {n} records",
                                ids.len()
                            ),
                        ));
                        None
                    });
                    match resumed {
                        Resumed::Passed(n) => (n, None, false),
                        Resumed::Again(chunk) => (chunk.len(), Some(chunk), true),
                    }
                }
                Err(why) => {
                    progress.warn(&damaged(k, &why));
                    let chunk = items.next_chunk(opts.chunk_size);
                    (chunk.len(), Some(chunk), true)
                }
            }
        } else {
            let chunk = items.next_chunk(opts.chunk_size);
            (chunk.len(), Some(chunk), false)
        };
        if n_items == 0 {
            return Ok(k);
        }
        let msg = Chunk {
            k,
            items: items_for_analysis,
            again,
            n_items: n_items as u64,
            bytes_end: items.bytes_done(),
        };
        if tx.send(msg).is_err() {
            // The writer stopped (an error it will report).
            return Ok(k);
        }
        k += 1;
    }
}

/// The warning for finished chunk `k`, whose files are damaged (`why`).
fn damaged(k: u64, why: &str) -> String {
    format!(
        "{}/{}: damaged ({why}); its chunk is analysed again and its results replaced",
        SHARDS,
        shard_name(k)
    )
}

/// What an earlier run left of finished chunk `k`: the article ids of its shard's reports
/// (the ids the chunk claimed) and the number of its errors, or why those files are damaged.
/// (An article whose analysis failed claimed its id too but left no report; a later record
/// with that id is then analysed rather than called a duplicate, the one way a resumed run can
/// differ from an unstopped one.) Only the ids are parsed, so a line that keeps its id but
/// lost the rest of a report passes.
fn read_finished(out: &Path, k: u64) -> Result<std::result::Result<(Vec<String>, usize), String>> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let shard = out.join(SHARDS).join(shard_name(k));
    let mut ids = Vec::new();
    let fine = for_each_line(&shard, |n, line| {
        let id = serde_json::from_slice::<Id>(line)
            .map_err(|e| format!("line {n}: not a report: {e}"))?;
        ids.push(id.id);
        Ok(())
    })?;
    if let Err(why) = fine {
        return Ok(Err(why));
    }
    let errors = out.join(ERRORS).join(shard_name(k));
    let mut n_errors = 0;
    let fine = if errors.exists() {
        for_each_line(&errors, |n, line| {
            serde_json::from_slice::<ErrorRecord>(line)
                .map_err(|e| format!("{ERRORS}/{} line {n}: {e}", shard_name(k)))?;
            n_errors += 1;
            Ok(())
        })?
    } else {
        Ok(())
    };
    Ok(fine.map(|()| (ids, n_errors)))
}

/// Calls `f` with each line of `path` (numbered from 1, without its newline), streamed: a
/// shard of 100,000 reports can be a gigabyte. The outer error is a file that cannot be read;
/// the inner one says how its contents are damaged: every line of a run's files ends with a
/// newline and none is blank, so a last line without one is a file cut short, even where the
/// cut leaves valid JSON.
fn for_each_line(
    path: &Path,
    mut f: impl FnMut(usize, &[u8]) -> std::result::Result<(), String>,
) -> Result<std::result::Result<(), String>> {
    use std::io::BufRead;
    let open = || format!("{}: cannot read", path.display());
    let mut file = std::io::BufReader::new(fs::File::open(path).with_context(open)?);
    let mut line = Vec::new();
    for n in 1.. {
        line.clear();
        if file.read_until(b'\n', &mut line).with_context(open)? == 0 {
            break;
        }
        let Some(body) = line.strip_suffix(b"\n") else {
            return Ok(Err(format!("line {n}: cut short")));
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Err(format!("line {n}: blank")));
        }
        if let Err(why) = f(n, body) {
            return Ok(Err(why));
        }
    }
    Ok(Ok(()))
}

/// Analyses each chunk on all cores (rayon), keeping input order.
fn analyse_chunks(rx: Receiver<Chunk>, tx: SyncSender<Done>, analyzer: &Analyzer) {
    use rayon::prelude::*;
    for chunk in rx {
        let results = chunk.items.map(|items| {
            let outcomes: Vec<Result<(Report, Vec<u8>), ErrorRecord>> = items
                .into_par_iter()
                .map(|item| analyse_one(item, analyzer))
                .collect();
            let mut reports = Vec::with_capacity(outcomes.len());
            let mut errors = Vec::new();
            for o in outcomes {
                match o {
                    Ok(r) => reports.push(r),
                    Err(e) => errors.push(e),
                }
            }
            Results { reports, errors }
        });
        let done = Done {
            k: chunk.k,
            results,
            again: chunk.again,
            n_items: chunk.n_items,
            bytes_end: chunk.bytes_end,
        };
        if tx.send(done).is_err() {
            return;
        }
    }
}

fn analyse_one(item: Item, analyzer: &Analyzer) -> Result<(Report, Vec<u8>), ErrorRecord> {
    let pos = item.pos.clone();
    let id = item.id().map(str::to_string);
    let error = match guarded(|| item.analyze(analyzer)) {
        Ok(report) => match serde_json::to_vec(&report) {
            Ok(mut line) => {
                line.push(b'\n');
                return Ok((report, line));
            }
            Err(e) => format!("cannot serialize the report: {e}"),
        },
        Err(e) => e.0,
    };
    Err(ErrorRecord { pos, id, error })
}

/// Writer thread: commits chunks in order (errors file, shard, database) and reports progress.
fn write_chunks(
    out: &Path,
    mut store: Option<&mut Store>,
    rx: Receiver<Done>,
    progress: &dyn Progress,
) -> Result<Counts> {
    let mut counts = Counts::default();
    let mut last_update = Instant::now() - Duration::from_secs(1);
    let mut bytes_done = 0;
    for done in rx {
        bytes_done = done.bytes_end;
        match done.results {
            None => counts.resumed += done.n_items,
            Some(Results { reports, errors }) => {
                let errors_path = out.join(ERRORS).join(shard_name(done.k));
                if errors.is_empty() {
                    // A previous attempt at this chunk may have left one.
                    match fs::remove_file(&errors_path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(e).with_context(|| {
                                format!("{}: cannot remove", errors_path.display())
                            })
                        }
                    }
                } else {
                    let mut buf = Vec::new();
                    for e in &errors {
                        serde_json::to_writer(&mut buf, e)?;
                        buf.push(b'\n');
                    }
                    write_atomic(&errors_path, &buf)?;
                }
                let shard = out.join(SHARDS).join(shard_name(done.k));
                write_lines_atomic(&shard, reports.iter().map(|(_, line)| line.as_slice()))?;
                counts.analysed += reports.len() as u64;
                if let Some(store) = store.as_deref_mut() {
                    let reports: Vec<Report> = reports.into_iter().map(|(r, _)| r).collect();
                    let stored = if done.again {
                        store.replace_shard(done.k, &reports)
                    } else {
                        store.insert_shard(done.k, &reports)
                    };
                    stored.with_context(|| {
                        format!("results database: cannot store shard {}", done.k)
                    })?;
                }
                counts.errors += errors.len() as u64;
                counts.chunks += 1;
            }
        }
        if last_update.elapsed() >= Duration::from_millis(100) {
            progress.update(bytes_done, &counts);
            last_update = Instant::now();
        }
    }
    progress.update(bytes_done, &counts);
    Ok(counts)
}

/// Concatenates the per-chunk errors files into `errors.jsonl`, in input order; returns the
/// number of records in it.
fn merge_errors(out: &Path) -> Result<u64> {
    let dir = out.join(ERRORS);
    let mut parts: Vec<(u64, PathBuf)> = Vec::new();
    for entry in fs::read_dir(&dir).with_context(|| format!("{}: cannot read", dir.display()))? {
        let entry = entry?;
        if let Some(k) = shard_number(&entry.file_name().to_string_lossy()) {
            parts.push((k, entry.path()));
        }
    }
    parts.sort();
    let mut bufs = Vec::with_capacity(parts.len());
    let mut n = 0u64;
    for (_, path) in &parts {
        let bytes = fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
        n += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        bufs.push(bytes);
    }
    write_lines_atomic(&out.join(ERRORS_FILE), bufs.iter().map(Vec::as_slice))?;
    Ok(n)
}

/// Every file of a run is written whole or not at all, through the one writer of
/// `unspin_io::files` (temporary sibling, flushed, renamed, directory flushed).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    unspin_io::write_atomic(path, bytes)
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// [`write_atomic`] of `parts` one after another.
fn write_lines_atomic<'a>(path: &Path, parts: impl Iterator<Item = &'a [u8]>) -> Result<()> {
    write_atomic(path, &parts.collect::<Vec<_>>().concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: 1,
            fingerprint_scheme: fingerprint::SCHEME,
            inputs: vec!["feed.jsonl".into()],
            fingerprint: "ab".repeat(32),
            chunk_size: 1000,
            max_bytes: 1 << 20,
            input_format: "Auto".into(),
            aids: true,
            detector: "classical".into(),
            unspin_version: "0.1.0".into(),
        }
    }

    /// A run directory holding `batch_json` as its manifest, and a stale temporary file.
    fn run_dir(batch_json: &str) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(MANIFEST), batch_json).unwrap();
        fs::write(tmp.path().join(".summary.json.tmp"), "").unwrap();
        tmp
    }

    #[test]
    fn a_run_with_the_same_manifest_resumes_and_other_inputs_are_named() {
        let tmp = run_dir(&serde_json::to_string(&manifest()).unwrap());
        prepare_out(tmp.path(), &manifest()).unwrap();
        assert!(!tmp.path().join(".summary.json.tmp").exists());
        let mut other = manifest();
        other.fingerprint = "cd".repeat(32);
        let err = format!("{:#}", prepare_out(tmp.path(), &other).unwrap_err());
        assert!(err.contains("the input files changed since"), "{err}");
    }

    #[test]
    fn an_output_that_is_a_file_is_refused_as_such_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("notes.txt");
        fs::write(&file, "mine").unwrap();
        let err = format!("{:#}", prepare_out(&file, &manifest()).unwrap_err());
        assert!(
            err.contains("notes.txt is not a directory: --out names"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    }

    #[test]
    fn a_run_from_before_the_fingerprint_scheme_field_is_refused_saying_what_to_do() {
        // A manifest as scheme 1 wrote it: no `fingerprint_scheme`, a 64-bit DefaultHasher.
        let tmp = run_dir(
            r#"{"format": 1, "inputs": ["feed.jsonl"], "fingerprint": "0123456789abcdef",
                "chunk_size": 1000, "max_bytes": 1048576, "input_format": "Auto",
                "aids": true, "detector": "classical", "unspin_version": "0.1.0"}"#,
        );
        let err = format!("{:#}", prepare_out(tmp.path(), &manifest()).unwrap_err());
        for part in [
            "was made by an older build of unspin (0.1.0)",
            "fingerprint is scheme v1 (path, size and modification time",
            "this build uses v2 (SHA-256 of path, size and content)",
            "cannot tell whether the inputs changed",
            "start a new run with another --out",
        ] {
            assert!(err.contains(part), "{part:?} not in: {err}");
        }
        assert!(
            tmp.path().join(".summary.json.tmp").exists(),
            "a refused directory is left as it was"
        );
    }

    #[test]
    fn a_run_from_a_newer_scheme_is_refused_even_if_its_other_fields_changed() {
        let tmp = run_dir(r#"{"fingerprint_scheme": 3, "unspin_version": "9.0.0", "new": 1}"#);
        let err = format!("{:#}", prepare_out(tmp.path(), &manifest()).unwrap_err());
        for part in [
            "was made by a newer build of unspin (9.0.0)",
            "fingerprint is scheme v3 (unknown to this build)",
            "resume it with that unspin",
        ] {
            assert!(err.contains(part), "{part:?} not in: {err}");
        }
        // The manifests this build writes name their scheme.
        let json = serde_json::to_value(manifest()).unwrap();
        assert_eq!(json["fingerprint_scheme"], fingerprint::SCHEME);
    }

    #[test]
    fn own_files_are_recognised() {
        let out = Path::new("/data/run");
        for own in [
            "batch.json",
            "summary.json",
            "errors.jsonl",
            "unspin.sqlite",
            "unspin.sqlite-wal",
            "unspin.sqlite-shm",
            "unspin.sqlite-journal",
            ".batch.json.tmp",
            "shards",
            "shards/part-000001.jsonl",
            "shards/anything-new.txt",
            "errors/part-000001.jsonl",
        ] {
            assert!(is_own_file(out, &out.join(own)), "{own}");
        }
        for other in [
            "report.txt",
            "stats.json",
            "unspin.sqlite.bak",
            "sub/batch.json",
        ] {
            assert!(!is_own_file(out, &out.join(other)), "{other}");
        }
        assert!(!is_own_file(out, Path::new("/data/batch.json")));
        assert!(!is_own_file(out, out));
    }

    #[test]
    fn shard_names_round_trip_and_temporaries_are_not_shards() {
        assert_eq!(shard_name(7), "part-000007.jsonl");
        assert_eq!(shard_number("part-000007.jsonl"), Some(7));
        assert_eq!(shard_number("part-1234567.jsonl"), Some(1_234_567));
        assert_eq!(shard_number(".part-000007.jsonl.tmp"), None);
        assert_eq!(shard_number("part-7.jsonl"), None);
        assert_eq!(shard_number("part-00000x.jsonl"), None);
    }
}
