//! Main-text extraction on trafilatura's evaluation set (990 pages with must-have and
//! must-not-have snippets), rs-trafilatura alone and unspin's pipeline side by side:
//!
//! ```text
//! cargo run --release -p unspin-html --example extraction-bench -- [DATA_DIR] [--show N] [--jsonl FILE] [--dump URL]
//! ```
//!
//! `DATA_DIR` defaults to `../shared/data/extraction` from the workspace root (or
//! `$UNSPIN_EXTRACTION_DATA`). Scoring is trafilatura's: each `with` snippet found in the text
//! is a true positive (else a false negative), each `without` snippet found is a false
//! positive (else a true negative), summed over all pages, after collapsing whitespace. A page
//! the pipeline refuses (no main text) scores as empty text. `--show N` prints the N pages
//! where the two differ most; `--jsonl` writes every page's counts for both; `--dump URL`
//! prints both texts of one page.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(serde::Deserialize)]
pub struct Case {
    pub file: String,
    pub with: Vec<String>,
    pub without: Vec<String>,
}

#[derive(Default, Clone, Copy, Debug, serde::Serialize)]
pub struct Counts {
    pub tp: usize,
    pub fn_: usize,
    pub fp: usize,
    pub tn: usize,
    pub empty: usize,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fn_ += o.fn_;
        self.fp += o.fp;
        self.tn += o.tn;
        self.empty += o.empty;
    }
    pub fn prf(&self) -> (f64, f64, f64) {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
    pub fn accuracy(&self) -> f64 {
        (self.tp + self.tn) as f64 / (self.tp + self.tn + self.fp + self.fn_).max(1) as f64
    }
}

/// Whitespace collapsed, and the invisible characters unspin drops from text (soft hyphen,
/// zero-width space, BOM) dropped from both sides, so "Klima\u{ad}wandel" in a snippet matches
/// "Klimawandel" in the text.
fn norm(s: &str) -> String {
    s.replace(['\u{ad}', '\u{200b}', '\u{feff}'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn score(text: &str, case: &Case) -> Counts {
    let text = norm(text);
    let mut c = Counts {
        empty: usize::from(text.is_empty()),
        ..Counts::default()
    };
    for w in &case.with {
        if text.contains(&norm(w)) {
            c.tp += 1;
        } else {
            c.fn_ += 1;
        }
    }
    for w in &case.without {
        if text.contains(&norm(w)) {
            c.fp += 1;
        } else {
            c.tn += 1;
        }
    }
    c
}

/// rs-trafilatura with its defaults, as a user of the library alone would call it.
fn library(html: &str) -> String {
    std::panic::catch_unwind(|| rs_trafilatura::extract(html))
        .ok()
        .and_then(Result::ok)
        .map(|r| r.content_text)
        .unwrap_or_default()
}

fn pipeline(html: &str) -> String {
    unspin_html::extract(html)
        .map(|e| e.text)
        .unwrap_or_default()
}

/// The default data directory: `$UNSPIN_EXTRACTION_DATA`, else `../shared/data/extraction`
/// next to the workspace.
pub fn default_dir() -> PathBuf {
    std::env::var_os("UNSPIN_EXTRACTION_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/extraction")
        })
}

/// One page's outcome.
pub struct Page<'a> {
    pub url: &'a str,
    pub case: &'a Case,
    pub library: String,
    pub pipeline: String,
    pub scores: (Counts, Counts),
}

/// Totals over every page: (library, pipeline) counts and time spent in each.
#[derive(Default)]
pub struct Totals {
    pub pages: usize,
    pub library: Counts,
    pub pipeline: Counts,
    pub library_time: Duration,
    pub pipeline_time: Duration,
}

/// Runs both extractors on every page under `dir`, calling `each` per page.
pub fn evaluate(
    dir: &Path,
    mut each: impl FnMut(&Page<'_>) -> Result<(), Box<dyn std::error::Error>>,
) -> Result<Totals, Box<dyn std::error::Error>> {
    let eval_path = dir.join("evaldata.json");
    let cases: BTreeMap<String, Case> = serde_json::from_slice(
        &std::fs::read(&eval_path).map_err(|e| format!("{}: {e}", eval_path.display()))?,
    )?;
    let mut totals = Totals {
        pages: cases.len(),
        ..Totals::default()
    };
    for (url, case) in &cases {
        let path = dir.join("pages").join(format!("{}.gz", case.file));
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(
            std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?,
        )
        .read_to_end(&mut bytes)?;
        let html = unspin_html::decode_html(&bytes);

        let t = Instant::now();
        let library = library(&html);
        totals.library_time += t.elapsed();
        let t = Instant::now();
        let pipeline = pipeline(&html);
        totals.pipeline_time += t.elapsed();

        let scores = (score(&library, case), score(&pipeline, case));
        totals.library.add(scores.0);
        totals.pipeline.add(scores.1);
        each(&Page {
            url,
            case,
            library,
            pipeline,
            scores,
        })?;
    }
    Ok(totals)
}

/// Prints the side-by-side table.
pub fn print_table(t: &Totals) {
    println!(
        "{:<22} {:>9} {:>9} {:>9} {:>9} {:>6} {:>6} {:>6} {:>6} {:>6} {:>9}",
        "extractor",
        "precision",
        "recall",
        "F1",
        "accuracy",
        "TP",
        "FN",
        "FP",
        "TN",
        "empty",
        "ms/page"
    );
    for (name, c, time) in [
        ("rs-trafilatura alone", t.library, t.library_time),
        ("unspin pipeline", t.pipeline, t.pipeline_time),
    ] {
        let (p, r, f) = c.prf();
        println!(
            "{name:<22} {p:>9.4} {r:>9.4} {f:>9.4} {:>9.4} {:>6} {:>6} {:>6} {:>6} {:>6} {:>9.2}",
            c.accuracy(),
            c.tp,
            c.fn_,
            c.fp,
            c.tn,
            c.empty,
            time.as_secs_f64() * 1000.0 / t.pages.max(1) as f64
        );
    }
}

#[allow(dead_code)] // the ignored test includes this file for `evaluate` alone
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut show = 0usize;
    let mut jsonl: Option<PathBuf> = None;
    let mut dump: Option<String> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--show" => show = args.next().ok_or("--show needs a number")?.parse()?,
            "--dump" => dump = Some(args.next().ok_or("--dump needs a URL")?),
            "--jsonl" => jsonl = Some(args.next().ok_or("--jsonl needs a file")?.into()),
            _ if a.starts_with('-') => return Err(format!("unknown flag {a}").into()),
            _ => dir = Some(a.into()),
        }
    }
    let dir = dir.unwrap_or_else(default_dir);
    let mut diffs: Vec<(i64, String, Counts, Counts)> = Vec::new();
    let mut out = jsonl.map(std::fs::File::create).transpose()?;
    let totals = evaluate(&dir, |page| {
        let (l, p) = page.scores;
        if dump.as_deref() == Some(page.url) {
            println!(
                "=== library\n{}\n=== pipeline\n{}\n===",
                page.library, page.pipeline
            );
        }
        // Positive when the pipeline is worse on this page.
        let worse = (l.tp as i64 - p.tp as i64) + (p.fp as i64 - l.fp as i64);
        if worse != 0 {
            diffs.push((worse, page.url.to_owned(), l, p));
        }
        if let Some(f) = out.as_mut() {
            use std::io::Write;
            let row = serde_json::json!({"url": page.url, "file": page.case.file,
                "library": l, "pipeline": p,
                "library_chars": page.library.chars().count(),
                "pipeline_chars": page.pipeline.chars().count()});
            writeln!(f, "{row}")?;
        }
        Ok(())
    })?;
    println!("{} pages from {}", totals.pages, dir.display());
    print_table(&totals);
    let (worse, better) = (
        diffs.iter().filter(|d| d.0 > 0).count(),
        diffs.iter().filter(|d| d.0 < 0).count(),
    );
    println!("pipeline worse than the library alone on {worse} pages, better on {better}");
    diffs.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    for (w, url, l, p) in diffs.iter().take(show) {
        println!(
            "  {w:+} {url}  library tp {} fp {}  pipeline tp {} fp {}",
            l.tp, l.fp, p.tp, p.fp
        );
    }
    Ok(())
}
