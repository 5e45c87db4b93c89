//! `unspin batch`: a whole corpus on all cores, resumable, with a progress bar.

use crate::rate::per_second;
use crate::InputArg;
use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;
use unspin_corpus::batch::{self, BatchOptions, Counts, Progress};

/// Most `--threads`: analysis is CPU-bound, so threads past the cores only add memory and
/// switching; 1024 leaves room for the largest machines while refusing a typo such as 100000,
/// which would spend minutes starting threads before any work.
const MAX_THREADS: u64 = 1024;

/// Most `--chunk-size`: a chunk's records are all held in memory while it is analysed, so a
/// typo such as 10000000000 would read the whole corpus into memory before the first shard;
/// 100,000 short records is already far past where larger chunks stop paying.
const MAX_CHUNK_SIZE: u64 = 100_000;

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Corpus inputs: directories (every .txt/.html/.htm article and .jsonl/.jsonl.gz file
    /// below them), JSONL files and gzip'd JSONL files. A JSONL record is
    /// {"id", "text" | "html", "source"?, "url"?, "date"?}.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Output directory: shards/part-NNNNNN.jsonl (one report per line), errors.jsonl,
    /// unspin.sqlite. Rerunning the same command resumes where a stopped run left off.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Records per shard: the unit of work committed at once (and lost, at most, to a crash);
    /// at most 100000.
    #[arg(long, value_name = "N", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=MAX_CHUNK_SIZE))]
    chunk_size: u64,
    /// Worker threads, at most 1024 [default: all cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_THREADS))]
    threads: Option<u64>,
    /// How to read article files in directories (JSONL records say "text" or "html").
    #[arg(long, value_enum, default_value_t = InputArg::Auto)]
    input: InputArg,
    /// The detector, as for `analyze` [default: classical, the fast one].
    #[arg(long, value_name = crate::MODEL_HELP)]
    model: Option<String>,
    /// Largest accepted article or JSONL line in bytes; larger records go to the errors file.
    #[arg(long, value_name = "N", default_value_t = unspin::input::DEFAULT_MAX_BYTES)]
    max_bytes: u64,
    /// Skip the fact-checking aids (claims, quotes, contradictions): propaganda spans only.
    #[arg(long)]
    no_aids: bool,
    /// Do not fill the results database (unspin.sqlite); JSONL shards only.
    #[arg(long)]
    no_store: bool,
    /// No progress bar (it is also hidden when stderr is not a terminal).
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: BatchArgs) -> Result<()> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build_global()
            .context("cannot start the worker threads")?;
    }
    let detector = crate::load_model(args.model.as_deref(), false)?;
    let analyzer = unspin::Analyzer::new(detector, !args.no_aids)?;
    let opts = BatchOptions {
        chunk_size: args.chunk_size as usize,
        max_bytes: args.max_bytes,
        format: args.input.into(),
        aids: !args.no_aids,
        store: !args.no_store,
    };
    let bar = Bar::new(args.quiet);
    let summary = batch::run(&args.inputs, &args.out, &opts, &analyzer, &bar)?;
    bar.finish();
    let c = &summary.counts;
    let mut line = format!(
        "unspin: {} articles analysed in {:.1} s ({} articles/s)",
        c.analysed,
        summary.elapsed_secs,
        per_second(summary.articles_per_sec)
    );
    if c.resumed > 0 {
        line += &format!(", {} done by an earlier run", c.resumed);
    }
    line += &format!(
        "; {} shards in {}",
        summary.chunks_total,
        args.out.display()
    );
    eprintln!("{line}");
    let errors = args.out.join("errors.jsonl");
    // A bad record never stops the run, but a run in which every record was bad did nothing:
    // exit 0 would let a pipeline carry on with an empty result.
    if c.analysed + c.resumed == 0 && summary.errors_total > 0 {
        bail!(
            "no article could be analysed: all {} records were set aside (see {})",
            summary.errors_total,
            errors.display()
        );
    }
    if summary.errors_total > 0 {
        eprintln!(
            "unspin: {} records skipped (see {})",
            summary.errors_total,
            errors.display()
        );
    }
    Ok(())
}

/// The progress bar: input bytes for position and ETA (known up front, even for gzip'd
/// JSONL), articles per second in the message.
struct Bar {
    bar: ProgressBar,
    started: Mutex<Option<Instant>>,
    /// Whether the last update only skipped chunks done by an earlier run: the ETA restarts
    /// once real work begins, or the skipped bytes would make it wildly optimistic.
    skipping: std::sync::atomic::AtomicBool,
}

impl Bar {
    fn new(quiet: bool) -> Bar {
        let bar = if quiet {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
        } else {
            // stderr, so stdout stays free; indicatif hides itself when it is not a terminal.
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} ETA {eta}",
            )
            .expect("valid template"),
        );
        Bar {
            bar,
            started: Mutex::new(None),
            skipping: std::sync::atomic::AtomicBool::new(true),
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn start(&self, total_bytes: u64) {
        self.bar.set_length(total_bytes);
        *self.started.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }

    fn update(&self, bytes_done: u64, counts: &Counts) {
        let secs = self
            .started
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map_or(0.0, |t| t.elapsed().as_secs_f64());
        let rate = counts.analysed as f64 / secs.max(1e-9);
        let mut msg = format!("{} articles, {}/s", counts.analysed, per_second(rate));
        if counts.errors > 0 {
            msg += &format!(", {} errors", counts.errors);
        }
        if counts.resumed > 0 {
            msg += &format!(", {} resumed", counts.resumed);
        }
        self.bar.set_message(msg);
        self.bar.set_position(bytes_done);
        if counts.analysed + counts.errors > 0
            && self
                .skipping
                .swap(false, std::sync::atomic::Ordering::Relaxed)
        {
            self.bar.reset_eta();
        }
    }

    fn warn(&self, message: &str) {
        // Printed even with --quiet (which hides only the bar), above the bar, not through it.
        self.bar.suspend(|| eprintln!("unspin: warning: {message}"));
    }
}
