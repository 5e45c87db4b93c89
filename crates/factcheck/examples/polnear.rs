//! Trains the quote tagger on PolNeAR train, and scores quote finding on PolNeAR dev.
//!
//! ```sh
//! # score the rules alone and the embedded tagger (with the rules) on dev, side by side
//! cargo run --release -p unspin-factcheck --example polnear -- eval [DIR]
//! # train: choose thresholds on a fixed fifth of train, retrain on all of it, write the model
//! cargo run --release -p unspin-factcheck --example polnear -- train [--out models/quotes.unspin]
//! ```
//!
//! Directories default to `$UNSPIN_DATA/quotes/polnear/{train,dev}`, else
//! `../shared/data/quotes/polnear/{train,dev}` relative to the repository root. Without data
//! the example says so and exits 0. Scoring is `unspin_factcheck::quotes::polnear`'s (exact
//! and overlap P/R/F1 per role).
//!
//! Training is deterministic (seed 42): the same data gives the same model file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use unspin_factcheck::quotes::polnear::{self, Annotated, Role, Scores};
use unspin_factcheck::quotes::{QuoteTagger, TrainParams};

fn data_dir(split: &str) -> PathBuf {
    match std::env::var_os("UNSPIN_DATA") {
        Some(d) => PathBuf::from(d).join("quotes/polnear").join(split),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/quotes/polnear")
            .join(split),
    }
}

fn load_or_skip(dir: &Path) -> Vec<Annotated> {
    match polnear::load(dir) {
        Ok(docs) if !docs.is_empty() => docs,
        Ok(_) | Err(_) => {
            println!(
                "skipping: no PolNeAR data at {} (set UNSPIN_DATA or pass DIR)",
                dir.display()
            );
            std::process::exit(0);
        }
    }
}

/// The mean of exact and overlap F1 for a role: what the thresholds are chosen on.
fn role_f1(s: &Scores, role: Role) -> f64 {
    (s.get(role, true).prf().2 + s.get(role, false).prf().2) / 2.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("train") => train(&args[1..]),
        Some("eval") => eval(args.get(1).map(PathBuf::from)),
        _ => {
            eprintln!("usage: polnear eval [DIR] | polnear train [--out FILE] [--train DIR]");
            std::process::exit(2);
        }
    }
}

fn eval(dir: Option<PathBuf>) {
    let dir = dir.unwrap_or_else(|| data_dir("dev"));
    let docs = load_or_skip(&dir);
    println!("PolNeAR {}: {} documents", dir.display(), docs.len());
    let embedded = unspin_factcheck::quotes::embedded();
    for (name, tagger) in [
        ("rules alone", None),
        ("tagger + rules (default)", embedded),
    ] {
        if name.starts_with("tagger") && tagger.is_none() {
            println!("\n(no tagger embedded: models/quotes.unspin is empty or unreadable)");
            continue;
        }
        let t = Instant::now();
        let s = polnear::score(&docs, tagger);
        println!("\n{name} ({:.0?}):\n{}", t.elapsed(), s.table());
    }
}

fn train(args: &[String]) {
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/quotes.unspin");
    let mut dir = data_dir("train");
    // A directory named on the command line must load; only the default may be absent.
    let mut explicit = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.next()) {
            ("--out", Some(v)) => out = PathBuf::from(v),
            ("--train", Some(v)) => {
                dir = PathBuf::from(v);
                explicit = true;
            }
            _ => {
                eprintln!("polnear train: unknown or incomplete option {a}");
                std::process::exit(2);
            }
        }
    }
    let start = Instant::now();
    let docs = if explicit {
        polnear::load(&dir).unwrap_or_else(|e| {
            eprintln!("polnear train: {e}");
            std::process::exit(1);
        })
    } else {
        load_or_skip(&dir)
    };
    // A fixed fifth of train, by a hash of the id, for choosing thresholds: never dev.
    let held = |d: &Annotated| unspin_ml::hash::hash_bytes(d.id.as_bytes()) % 5 == 0;
    let (valid, fit): (Vec<Annotated>, Vec<Annotated>) = docs.iter().cloned().partition(held);
    println!(
        "PolNeAR train {}: {} documents, {} to fit, {} to choose thresholds",
        dir.display(),
        docs.len(),
        fit.len(),
        valid.len()
    );
    let mut params = TrainParams::default();
    let mut tagger = QuoteTagger::train(&fit, &params);
    println!(
        "rules alone on the held-out fifth:\n{}",
        polnear::score(&valid, None).table()
    );
    // Content first: the cue and source are linked to it.
    for role in [Role::Content, Role::Cue, Role::Source] {
        let mut best = (f64::MIN, 0.5);
        for k in 2..=8 {
            let th = k as f32 / 10.0;
            tagger.thresholds[role.index()] = th;
            let f = role_f1(&polnear::score(&valid, Some(&tagger)), role);
            println!("  {} threshold {th:.1}: mean F1 {f:.4}", role.name());
            if f > best.0 {
                best = (f, th);
            }
        }
        tagger.thresholds[role.index()] = best.1;
        params.thresholds[role.index()] = best.1;
    }
    println!(
        "tagger + rules on the held-out fifth (thresholds {:?}):\n{}",
        params.thresholds,
        polnear::score(&valid, Some(&tagger)).table()
    );
    let tagger = QuoteTagger::train(&docs, &params);
    let bytes = tagger.to_bytes();
    unspin_io::write_atomic(&out, &bytes).unwrap_or_else(|e| {
        eprintln!("polnear train: {}: {e}", out.display());
        std::process::exit(1);
    });
    println!(
        "wrote {} ({} bytes), trained on all {} documents; {:.0?} in all",
        out.display(),
        bytes.len(),
        docs.len(),
        start.elapsed()
    );
}
