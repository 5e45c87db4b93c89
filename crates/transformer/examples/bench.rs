//! Speed of the candle encoders on this machine; `scripts/bench-encoders.sh` runs it for both
//! models beside the Python peer and adds peak RSS.
//!
//! ```sh
//! cargo run --release -p unspin-transformer --example bench -- \
//!     --model ~/.cache/unspin/encoders/all-MiniLM-L6-v2 \
//!     --articles ../shared/data/ptc-train/articles --n 100
//! ```
//!
//! Prints one JSON object: load time, seconds per 512-token window (batch of one, median of
//! `--repeat` runs after a warm-up), seconds per 1,000-token article (the windowed
//! `encode_article` path, median), and throughput over the first `--n` articles of the
//! directory in name order (one article at a time, each windowed and batched as in
//! production).
//!
//! `UNSPIN_BACKEND=ort|ort-int8` runs the onnxruntime backend instead (a build with
//! `--features ort`, after `scripts/setup-ort.sh`).

use std::path::PathBuf;
use std::time::Instant;

use unspin_transformer::{BackendKind, TextEncoder, WindowConfig};

// The same allocator the CLI uses: candle allocates a fresh buffer for every op, and
// glibc malloc made a MiniLM window almost twice as slow.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    model: PathBuf,
    articles: PathBuf,
    n: usize,
    repeat: usize,
    stride: Option<usize>,
    batch: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut model = None;
    let mut articles = None;
    let (mut n, mut repeat, mut stride, mut batch) = (100, 5, None, None);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let num = |v: String| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: {v} is not a count"))
        };
        match flag.as_str() {
            "--model" => model = Some(PathBuf::from(value()?)),
            "--articles" => articles = Some(PathBuf::from(value()?)),
            "--n" => n = num(value()?)?,
            "--repeat" => repeat = num(value()?)?.max(1),
            "--stride" => stride = Some(num(value()?)?),
            "--batch" => batch = Some(num(value()?)?),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    Ok(Args {
        model: model.ok_or("--model DIR is required")?,
        articles: articles.ok_or("--articles DIR is required")?,
        n,
        repeat,
        stride,
        batch,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if let Err(e) = run() {
        eprintln!("bench: error: {e}");
        std::process::exit(2);
    }
}

/// The first `n` `*.txt` files of `dir`, in name order.
fn read_texts(dir: &std::path::Path, n: usize) -> std::io::Result<Vec<String>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths.truncate(n);
    paths.iter().map(std::fs::read_to_string).collect()
}

// Long on purpose (~90 lines): one benchmark that reads top to bottom in the order it measures
// (load, one window, a 1,000-token article, the corpus), each figure next to its timing.
fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let t = Instant::now();
    let mut enc = TextEncoder::load_with(&args.model, None, BackendKind::from_env()?)?;
    let load_s = t.elapsed().as_secs_f64();
    let d = enc.window_config();
    enc = enc.with_windows(WindowConfig {
        stride: args.stride.unwrap_or(d.stride),
        batch_size: args.batch.unwrap_or(d.batch_size),
        ..d
    })?;

    let texts = read_texts(&args.articles, args.n)?;
    // A 1,000-token "typical article": the corpus text cut at its 1,000th token.
    let all = texts.join("\n\n");
    let tokens = enc.tokenize(&all)?;
    if tokens.len() < 1000 {
        return Err("need at least 1,000 tokens of articles".into());
    }
    let cut = all.chars().take(tokens[999].end).collect::<String>();

    // One full window.
    let sp = enc.special_tokens();
    let mut ids = vec![sp.cls];
    ids.extend(tokens[..510].iter().map(|t| t.id));
    ids.push(sp.sep);
    let mask = vec![1u32; 512];
    enc.forward(&ids, &mask, 1, 512)?;
    let window_s = median(
        (0..args.repeat)
            .map(|_| {
                let t = Instant::now();
                enc.forward(&ids, &mask, 1, 512)
                    .map(|_| t.elapsed().as_secs_f64())
            })
            .collect::<Result<_, _>>()?,
    );

    let mut article_windows = 0;
    let article_s = median(
        (0..args.repeat)
            .map(|_| {
                let t = Instant::now();
                enc.encode_article(&cut).map(|e| {
                    article_windows = e.windows;
                    t.elapsed().as_secs_f64()
                })
            })
            .collect::<Result<_, _>>()?,
    );

    let t = Instant::now();
    let (mut n_tokens, mut n_windows) = (0, 0);
    for text in &texts {
        let e = enc.encode_article(text)?;
        n_tokens += e.tokens.len();
        n_windows += e.windows;
    }
    let corpus_s = t.elapsed().as_secs_f64();

    let w = enc.window_config();
    println!(
        "{}",
        serde_json::json!({
            "impl": match enc.backend() {
                BackendKind::Candle => "unspin (candle)",
                BackendKind::Ort => "unspin (ort)",
                BackendKind::OrtInt8 => "unspin (ort int8)",
            },
            "model": args.model.file_name().map(|f| f.to_string_lossy()),
            "threads": rayon::current_num_threads(),
            "window_tokens": w.max_tokens,
            "stride": w.stride,
            "batch": w.batch_size,
            "load_s": load_s,
            "window_512_s": window_s,
            "article_1000_s": article_s,
            "article_1000_windows": article_windows,
            "articles": texts.len(),
            "articles_tokens": n_tokens,
            "articles_windows": n_windows,
            "articles_s": corpus_s,
            "articles_per_s": texts.len() as f64 / corpus_s,
        })
    );
    Ok(())
}
