//! `unspin bench`: how fast analysis and training are on this machine. It prints figures and
//! asserts nothing, so it can be run anywhere and compared across commits.
//!
//! Analysis is timed end to end as a user sees it (`unspin::Analyzer`: segmentation, features,
//! decoding, report), on one thread and then on all of them, over the PTC training articles when
//! the data is present, else over `examples/`.

use crate::rate::per_second;
use crate::{load_model, train::default_train_dir, BenchArgs};
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use unspin::classical::{self, TrainOptions};
use unspin::crossval::Corpus;
use unspin::input::{read_article_dir, InputOptions};
use unspin::Article;

/// Longest `--seconds` accepted: a day per measurement is already far past any useful
/// benchmark, and a bound keeps absurd values (1e20) from overflowing `Duration`.
const MAX_SECONDS: f64 = 86_400.0;

pub fn run(args: BenchArgs) -> Result<()> {
    // Written so that NaN fails too: every comparison with NaN is false.
    if !(args.seconds > 0.0 && args.seconds <= MAX_SECONDS) {
        bail!(
            "--seconds must be a positive number of seconds, at most {MAX_SECONDS} (a day), got {}",
            args.seconds
        );
    }
    let budget = Duration::from_secs_f64(args.seconds);
    // The examples stand in only for data nobody named: a --data that is not there is a
    // mistake to report, not a reason to time something else and exit 0.
    if let Some(dir) = &args.data {
        if !dir.join("articles").is_dir() {
            bail!(
                "{}: PTC training data not found (expected a directory with articles/)",
                dir.display()
            );
        }
    }
    let data = args.data.clone().unwrap_or_else(default_train_dir);
    let mut out = std::io::stdout().lock();

    let t0 = Instant::now();
    let detector = load_model(args.model.as_deref(), false)?;
    writeln!(
        out,
        "model: {}, {} (loaded in {:.1} ms)",
        detector.name(),
        match args.model.as_deref() {
            None | Some("classical") => "embedded".to_string(),
            Some(path) => format!("from {path}"),
        },
        ms(t0.elapsed())
    )?;

    let has_data = data.join("articles").is_dir();
    let (articles, source) = bench_articles(&data, has_data, &mut out)?;
    let bytes: usize = articles.iter().map(|a| a.text().len()).sum();
    writeln!(
        out,
        "articles: {} from {} ({:.2} MB of text)",
        articles.len(),
        source.display(),
        bytes as f64 / 1e6
    )?;

    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .context("cannot start a thread pool")?;
    let threads = rayon::current_num_threads();
    // One analyzer with the aids loaded; each measurement turns them on or off per article, as
    // the server does, so the model is loaded only once.
    let analyzer = unspin::Analyzer::new(detector, true)?;
    for (what, aids) in [("spans only", false), ("with aids", true)] {
        let single = one.install(|| time_analyze(&analyzer, &articles, budget, aids, false))?;
        print_rate(
            &mut out,
            &format!("analyze ({what}), 1 thread"),
            &single,
            bytes,
            articles.len(),
        )?;
        let multi = time_analyze(&analyzer, &articles, budget, aids, true)?;
        print_rate(
            &mut out,
            &format!("analyze ({what}), {threads} threads"),
            &multi,
            bytes,
            articles.len(),
        )?;
    }

    if has_data {
        bench_training(&data, threads, &mut out)?;
    }
    out.flush()?;
    Ok(())
}

/// The articles to time: PTC train's when the data is there, else the examples (said on
/// `out`); with the directory they came from.
fn bench_articles(
    data: &Path,
    has_data: bool,
    out: &mut impl Write,
) -> Result<(Vec<unspin::Article>, PathBuf)> {
    let dir = if has_data {
        data.join("articles")
    } else {
        writeln!(
            out,
            "PTC data not found at {} (set UNSPIN_DATA or pass --data): benchmarking examples/ \
             only, and skipping training",
            data.display()
        )?;
        examples_dir()
            .context("no examples/ directory found either (run from the repository root)")?
    };
    Ok((read_article_dir(&dir, &InputOptions::default())?, dir))
}

/// Times loading the PTC corpus and training the classical model on it.
fn bench_training(data: &Path, threads: usize, out: &mut impl Write) -> Result<()> {
    let t0 = Instant::now();
    let corpus = Corpus::load(data)?;
    let load = t0.elapsed();
    let t0 = Instant::now();
    let model = classical::train(&corpus.docs, &TrainOptions::default(), "bench");
    let train = t0.elapsed();
    writeln!(
        out,
        "train: {} articles in {:.1} s on {threads} threads (corpus load {:.1} s), \
         model {:.1} KiB",
        corpus.docs.len(),
        train.as_secs_f64(),
        load.as_secs_f64(),
        model.to_bytes().len() as f64 / 1024.0
    )?;
    Ok(())
}

/// What one analysis measurement saw.
struct Timing {
    passes: usize,
    elapsed: Duration,
    spans: usize,
}

/// Analyses all articles repeatedly until `budget` has been spent (at least one pass). Only
/// analysis is timed: each pass's copy of the articles is made before its clock starts, since
/// `analyze` consumes its article.
fn time_analyze(
    analyzer: &unspin::Analyzer,
    articles: &[Article],
    budget: Duration,
    aids: bool,
    parallel: bool,
) -> Result<Timing> {
    let mut t = Timing {
        passes: 0,
        elapsed: Duration::ZERO,
        spans: 0,
    };
    while t.passes == 0 || t.elapsed < budget {
        let batch = articles.to_vec();
        let t0 = Instant::now();
        // A detector error ends the benchmark: timing a failure would measure nothing useful.
        let spans: Vec<usize> = if parallel {
            batch
                .into_par_iter()
                .map(|a| analyze(analyzer, a, aids))
                .collect::<Result<_>>()?
        } else {
            batch
                .into_iter()
                .map(|a| analyze(analyzer, a, aids))
                .collect::<Result<_>>()?
        };
        t.elapsed += t0.elapsed();
        t.passes += 1;
        t.spans = spans.iter().sum();
    }
    Ok(t)
}

/// Spans found in one article.
fn analyze(analyzer: &unspin::Analyzer, article: Article, aids: bool) -> Result<usize> {
    Ok(analyzer
        .analyze_until(article, aids, &unspin::Cancel::new())?
        .spans
        .len())
}

fn print_rate(
    out: &mut impl Write,
    label: &str,
    t: &Timing,
    bytes: usize,
    articles: usize,
) -> Result<()> {
    let secs = t.elapsed.as_secs_f64().max(1e-9);
    let passes = t.passes as f64;
    writeln!(
        out,
        "{label}: {} MB/s, {} articles/s ({} passes in {:.2} s, {} spans per pass)",
        per_second(bytes as f64 * passes / secs / 1e6),
        per_second(articles as f64 * passes / secs),
        t.passes,
        secs,
        t.spans
    )?;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `examples/` in the current directory, else next to the sources this binary was built from.
fn examples_dir() -> Option<PathBuf> {
    let here = PathBuf::from("examples");
    if here.is_dir() {
        return Some(here);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    built.is_dir().then_some(built)
}
