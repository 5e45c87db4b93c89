//! Builds a results database from a JSONL corpus without `unspin batch`: analyses each record
//! (on all cores) and inserts chunks of 500 reports as shards. Used to make the demo database
//! behind `docs/stats.png`:
//!
//! ```sh
//! scripts/make-corpus.py --n 2000 --out /tmp/demo.jsonl.gz
//! cargo run --release -p unspin-corpus --example stats_demo -- /tmp/demo.jsonl.gz /tmp/demo/unspin.sqlite
//! cargo run --release -p unspin-cli -- stats /tmp/demo --html /tmp/demo/report.html
//! ```
//!
//! With `--ingest SHARD_DIR DATABASE.sqlite` it instead times ingesting the
//! `part-NNNNNN.jsonl` shards of a batch run into a new database (the store's speed on real
//! reports).

use anyhow::{Context, Result};
use rayon::prelude::*;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use unspin_corpus::source::{analyze_record, InputRecord};
use unspin_corpus::store::Store;

const CHUNK: usize = 500;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, shards, db] = args.as_slice() {
        if flag == "--ingest" {
            return ingest(Path::new(shards), Path::new(db));
        }
    }
    let [input, db] = args.as_slice() else {
        anyhow::bail!("usage: stats_demo CORPUS.jsonl[.gz] DATABASE.sqlite");
    };
    let file = std::fs::File::open(input).with_context(|| format!("{input}: cannot open"))?;
    let reader: Box<dyn Read> = if input.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut records = Vec::new();
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.with_context(|| format!("{input}:{}: cannot read", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        records.push(
            InputRecord::from_json_line(line.as_bytes())
                .with_context(|| format!("{input}:{}", i + 1))?,
        );
    }
    if let Some(dir) = Path::new(db).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
    }
    let mut store = Store::open(Path::new(db))?;
    let done = store.shards()?;
    let analyzer = unspin::Analyzer::new(unspin::load_detector(None)?, true)?;
    let started = std::time::Instant::now();
    for (shard, chunk) in records.chunks(CHUNK).enumerate() {
        if done.contains(&(shard as u64)) {
            continue;
        }
        let reports: Vec<unspin::Report> = chunk
            .par_iter()
            .filter_map(|r| analyze_record(&analyzer, r.clone()).ok())
            .collect();
        store.insert_shard(shard as u64, &reports)?;
        eprintln!("shard {shard}: {} reports", reports.len());
    }
    eprintln!(
        "{} records in {:.1} s into {db}",
        records.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Ingests every shard file of `dir` into `db`, timing the inserts alone (not the JSON parsing).
fn ingest(dir: &Path, db: &Path) -> Result<()> {
    let mut store = Store::open(db)?;
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let (mut articles, mut rows, mut secs) = (0usize, 0usize, 0f64);
    for (k, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let reports = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<Vec<unspin::Report>, _>>()
            .with_context(|| format!("{}: bad report", path.display()))?;
        articles += reports.len();
        rows += reports
            .iter()
            .map(|r| {
                1 + r.spans.len()
                    + r.claims.iter().filter(|c| c.check_worthy).count()
                    + r.quotes.len()
                    + r.findings.len()
            })
            .sum::<usize>();
        let t = std::time::Instant::now();
        store.insert_shard(k as u64, &reports)?;
        secs += t.elapsed().as_secs_f64();
    }
    eprintln!(
        "{articles} articles, {rows} rows in {secs:.2} s: {:.0} articles/s, {:.0} rows/s",
        articles as f64 / secs,
        rows as f64 / secs
    );
    Ok(())
}
