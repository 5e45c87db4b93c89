//! `unspin stats`: statistics from a batch run's results database.
//!
//! All work is in `unspin_corpus::stats`; this module finds the database, maps options, and
//! delivers outputs with the CLI's usual guarantees (everything rendered in memory first,
//! files written atomically).

use crate::output;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use unspin::files::{self, Guard};
use unspin_corpus::stats::{self, Options};
use unspin_corpus::store::{self, Store, DATABASE_FILE};

/// What `unspin stats` prints on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// Aligned plain-text tables, one section after another.
    Table,
    /// The complete statistics as one JSON object.
    Json,
    /// One tidy CSV: section,source,month,technique,item,metric,value.
    Csv,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// A batch output directory (its database is DIR/unspin.sqlite) or the .sqlite file itself.
    #[arg(value_name = "DIR_OR_DB")]
    pub path: PathBuf,
    /// How many outlets, phrases and articles to list.
    #[arg(long, value_name = "N", default_value_t = stats::DEFAULT_TOP as u64,
          value_parser = crate::at_least_one)]
    pub top: u64,
    /// Only articles of this outlet (the exact "source" of the batch input).
    #[arg(long, value_name = "SOURCE")]
    pub source: Option<String>,
    /// Only articles published in this month or later (articles without a date are left out).
    #[arg(long, value_name = "YYYY-MM", value_parser = month)]
    pub since: Option<String>,
    /// Only articles published in this month or earlier (articles without a date are left out).
    #[arg(long, value_name = "YYYY-MM", value_parser = month)]
    pub until: Option<String>,
    /// Output format on standard output [default: table, or nothing when --html or
    /// --csv-dir is given].
    #[arg(long, value_enum)]
    pub format: Option<StatsFormat>,
    /// Write the standard-output format to FILE (atomically) instead.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write one CSV file per section into DIR (created if missing).
    #[arg(long, value_name = "DIR")]
    pub csv_dir: Option<PathBuf>,
    /// Also write a self-contained HTML report with charts to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Title of the HTML report [default: the batch directory's name].
    #[arg(long, value_name = "TEXT", requires = "html")]
    pub title: Option<String>,
    /// Write the output files even through a symbolic link (to the file it points to), into
    /// a device or FIFO, or over a write-protected file (left write-protected). The database
    /// and a batch directory's own files are never written.
    #[arg(long)]
    pub force: bool,
}

fn month(s: &str) -> Result<String, String> {
    stats::parse_month(s).map_err(|e| e.to_string())
}

/// The database a `DIR_OR_DB` argument names.
fn database_path(path: &Path) -> Result<PathBuf> {
    if path.is_dir() {
        let db = path.join(DATABASE_FILE);
        if !db.is_file() {
            anyhow::bail!(
                "{}: no results database in this directory (expected {DATABASE_FILE}; \
                 `unspin batch INPUT --out DIR` creates it)",
                path.display()
            );
        }
        Ok(db)
    } else if path.exists() {
        Ok(path.to_path_buf())
    } else {
        anyhow::bail!("{}: no such file or directory", path.display())
    }
}

/// What the outputs may not replace: the database itself, which is an input, with its journal
/// files, and (as for every output) any batch run's own files.
fn output_guard(force: bool, db: &Path) -> Guard {
    let mut guard = output::guard(force);
    guard.input(db);
    let db = files::resolve(db);
    guard.protect(move |target| {
        let database = db.file_name()?.to_string_lossy();
        let name = target.file_name()?.to_string_lossy();
        (target.parent() == db.parent() && store::is_database_file(&database, &name)).then(|| {
            format!(
                "is the results database these statistics read, or one of its journal files ({})",
                db.display()
            )
        })
    });
    guard
}

/// Refuses two outputs that are one file (`--output same --html same`, or either inside
/// `--csv-dir` under the name of one of its CSV files): the later write would silently replace
/// the earlier. Paths are compared resolved, so two spellings of one place agree.
fn check_distinct(args: &StatsArgs, csv_paths: &[PathBuf]) -> Result<()> {
    let targets: Vec<(&str, &Path)> = args
        .output
        .iter()
        .map(|p| ("--output", p.as_path()))
        .chain(args.html.iter().map(|p| ("--html", p.as_path())))
        .chain(csv_paths.iter().map(|p| ("--csv-dir", p.as_path())))
        .collect();
    for (i, (flag, path)) in targets.iter().enumerate() {
        let resolved = files::resolve(path);
        if let Some((other, _)) = targets[..i]
            .iter()
            .find(|(_, earlier)| files::resolve(earlier) == resolved)
        {
            anyhow::bail!(
                "{}: both {other} and {flag} would write this file; give them different paths",
                path.display()
            );
        }
    }
    Ok(())
}

/// A title for the HTML report: the batch directory's name, or the database file's stem.
fn report_title(arg: &Path, db: &Path) -> String {
    let named = if arg.is_dir() { arg } else { db };
    let name = if arg.is_dir() {
        std::fs::canonicalize(named)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    } else {
        named.file_stem().map(|n| n.to_string_lossy().into_owned())
    };
    name.filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Corpus".to_string())
}

pub fn run(args: StatsArgs) -> Result<()> {
    let db = database_path(&args.path)?;
    // Every destination is checked before anything is written (the CSV files once their names
    // are known), so a refused one leaves all of them as they were.
    let guard = output_guard(args.force, &db);
    for target in args.output.iter().chain(&args.html) {
        output::check(target, &guard)?;
    }
    let store = Store::open_read_only(&db)?;
    let opts = Options {
        top: usize::try_from(args.top).unwrap_or(usize::MAX),
        source: args.source.clone(),
        since: args.since.clone(),
        until: args.until.clone(),
    };
    let stats = stats::compute(&store, &opts)?;

    // Render everything before writing anything.
    let format = match args.format {
        Some(f) => Some(f),
        None if args.output.is_some() || (args.html.is_none() && args.csv_dir.is_none()) => {
            Some(StatsFormat::Table)
        }
        None => None,
    };
    let main = match format {
        Some(StatsFormat::Table) => Some(stats::render_table(&stats)),
        Some(StatsFormat::Json) => Some(stats::render_json(&stats)?),
        Some(StatsFormat::Csv) => Some(stats::render_csv(&stats)),
        None => None,
    };
    let html = args.html.as_ref().map(|_| {
        let title = match &args.title {
            Some(t) => t.clone(),
            None => report_title(&args.path, &db),
        };
        stats::render_html(&stats, &title)
    });
    let csv = args.csv_dir.as_ref().map(|_| stats::csv_files(&stats));

    let csv_paths = match (&args.csv_dir, &csv) {
        (Some(dir), Some(files)) => files.iter().map(|(name, _)| dir.join(name)).collect(),
        _ => Vec::new(),
    };
    check_distinct(&args, &csv_paths)?;
    if let (Some(dir), Some(files)) = (&args.csv_dir, &csv) {
        for (name, _) in files {
            output::check(&dir.join(name), &guard)?;
        }
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create directory", dir.display()))?;
        for (name, body) in files {
            output::write(&dir.join(name), body.as_bytes(), &guard)?;
        }
        eprintln!(
            "unspin: wrote {} CSV files to {}",
            files.len(),
            dir.display()
        );
    }
    if let (Some(path), Some(page)) = (&args.html, &html) {
        output::write(path, page.as_bytes(), &guard)?;
        eprintln!("unspin: wrote {}", path.display());
    }
    match (main, &args.output) {
        (Some(text), Some(path)) => output::write(path, text.as_bytes(), &guard),
        (Some(text), None) => output::emit(text.as_bytes(), None),
        (None, _) => Ok(()),
    }
}
