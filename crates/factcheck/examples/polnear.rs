//! Trains the quote tagger on PolNeAR train, and scores quote finding on PolNeAR dev.
//!
//! ```sh
//! # score the rules alone and the embedded tagger (with the rules) on dev, side by side
//! cargo run --release -p unspin-factcheck --example polnear -- eval [DIR]
//! # train: choose thresholds on a fixed fifth of train, retrain on all of it, write the model
//! cargo run --release -p unspin-factcheck --example polnear -- train [--out models/quotes.unspin]
//! # the vector tagger, on the default detector's token vectors dumped by
//! # `cargo run --release -p unspin --example quote_vectors -- ../shared/data/quotes/polnear out/quote-vec`
//! cargo run --release -p unspin-factcheck --example polnear -- train --vectors out/quote-vec [--out models/quotes-vectors.unspin]
//! cargo run --release -p unspin-factcheck --example polnear -- eval --vectors out/quote-vec
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
use unspin_factcheck::quotes::{token_labels, HeadParams, QuoteTagger, TrainParams, VectorHead};

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

/// Per role, content first (the cue and source are linked to it), the threshold from `lo`
/// tenths to 0.8 with the best mean of exact and overlap F1 under `score` (the held-out
/// fifth), set in both the tagger and the parameters the final tagger is trained with.
fn choose_thresholds(
    tagger: &mut QuoteTagger,
    params: &mut TrainParams,
    lo: u32,
    score: impl Fn(&QuoteTagger) -> Scores,
) {
    for role in [Role::Content, Role::Cue, Role::Source] {
        let mut best = (f64::MIN, 0.5);
        for k in lo..=8 {
            let th = k as f32 / 10.0;
            tagger.thresholds[role.index()] = th;
            let scores = score(tagger);
            let f = role_f1(&scores, role);
            println!(
                "  {} threshold {th:.1}: mean F1 {f:.4} (exact {:.4}, overlap {:.4})",
                role.name(),
                scores.get(role, true).prf().2,
                scores.get(role, false).prf().2
            );
            if f > best.0 {
                best = (f, th);
            }
        }
        tagger.thresholds[role.index()] = best.1;
        params.thresholds[role.index()] = best.1;
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("train") => train(&args[1..]),
        Some("eval") => eval(&args[1..]),
        Some("labels") => labels(&args[1..]),
        _ => {
            eprintln!(
                "usage: polnear eval [DIR] [--vectors VDIR [--model FILE]] | \
                 polnear train [--out FILE] [--train DIR] [--vectors VDIR] | \
                 polnear labels OUT"
            );
            std::process::exit(2);
        }
    }
}

/// Writes each train and dev text's token labels, for studies of the vector head outside Rust
/// (`training/quote_head_study.py`): `OUT/{train,dev}/<id>.labels`, one byte per token (bit 0
/// source, 1 cue, 2 content: [`token_labels`]), in the order of a vector dump's rows, and
/// `OUT/train/folds.tsv` (id, fold by id hash as `train` uses).
fn labels(args: &[String]) {
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: polnear labels OUT");
        std::process::exit(2);
    };
    for split in ["train", "dev"] {
        let docs = load_or_skip(&data_dir(split));
        let dir = out.join(split);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| {
            eprintln!("polnear labels: {}: {e}", dir.display());
            std::process::exit(1);
        });
        let mut folds = String::new();
        for d in &docs {
            let doc = unspin_core::Document::new(unspin_core::Article::new("", d.text.clone()));
            let [s, c, k] = token_labels(&doc, d);
            let bytes: Vec<u8> = (0..s.len())
                .map(|t| u8::from(s[t]) | u8::from(c[t]) << 1 | u8::from(k[t]) << 2)
                .collect();
            let path = dir.join(format!("{}.labels", d.id));
            std::fs::write(&path, bytes).unwrap_or_else(|e| {
                eprintln!("polnear labels: {}: {e}", path.display());
                std::process::exit(1);
            });
            folds += &format!("{}\t{}\n", d.id, fold(d));
        }
        if split == "train" {
            let path = dir.join("folds.tsv");
            std::fs::write(&path, folds).unwrap_or_else(|e| {
                eprintln!("polnear labels: {}: {e}", path.display());
                std::process::exit(1);
            });
        }
        println!("{split}: {} texts", docs.len());
    }
}

/// The encoder id and width of a vector dump (`meta.json`).
fn dump_meta(vdir: &Path) -> (String, usize) {
    let path = vdir.join("meta.json");
    let meta: serde_json::Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| {
            eprintln!("polnear: cannot read {}", path.display());
            std::process::exit(1);
        });
    let encoder = meta["encoder"].as_str().unwrap_or_default().to_string();
    let width = meta["width"].as_u64().unwrap_or(0) as usize;
    (encoder, width)
}

/// Each document's token vectors from a dump (`VDIR/SPLIT/<id>.f32`); exits when one is
/// missing or does not match the document's tokens.
fn load_rows(vdir: &Path, split: &str, docs: &[Annotated], width: usize) -> Vec<Vec<f32>> {
    docs.iter()
        .map(|d| {
            let path = vdir.join(split).join(format!("{}.f32", d.id));
            let bytes = std::fs::read(&path).unwrap_or_else(|e| {
                eprintln!("polnear: {}: {e}", path.display());
                std::process::exit(1);
            });
            let rows: Vec<f32> = bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            let n = unspin_core::Document::new(unspin_core::Article::new("", d.text.clone()))
                .tokens
                .len();
            if rows.len() != n * width {
                eprintln!(
                    "polnear: {}: {} values, expected {n} tokens × {width}",
                    path.display(),
                    rows.len()
                );
                std::process::exit(1);
            }
            rows
        })
        .collect()
}

fn eval(args: &[String]) {
    let (dir, vdir, model) = eval_args(args);
    let dir = dir.unwrap_or_else(|| data_dir("dev"));
    let docs = load_or_skip(&dir);
    println!("PolNeAR {}: {} documents", dir.display(), docs.len());
    let embedded = unspin_factcheck::quotes::embedded();
    for (name, tagger) in [
        ("rules alone", None),
        ("tagger + rules (no vectors)", embedded),
    ] {
        if name.starts_with("tagger") && tagger.is_none() {
            println!("\n(no tagger embedded: models/quotes.unspin is empty or unreadable)");
            continue;
        }
        report(name, &docs, tagger, None);
    }
    let Some(vdir) = vdir else {
        return;
    };
    let loaded = model.as_deref().map(read_tagger);
    let tagger = match &loaded {
        Some(t) => Some(t),
        None => unspin_factcheck::quotes::embedded_vectors(),
    };
    let Some(tagger) = tagger.filter(|t| t.head.is_some()) else {
        println!("\n(no vector tagger: models/quotes-vectors.unspin is empty or has no head)");
        return;
    };
    let (encoder, width) = dump_meta(&vdir);
    let head = tagger.head.as_ref().expect("checked");
    if head.encoder != encoder || head.width != width {
        eprintln!(
            "polnear eval: the dump is {encoder} ({width}), the head reads {} ({})",
            head.encoder, head.width
        );
        std::process::exit(1);
    }
    let rows = load_rows(&vdir, "dev", &docs, width);
    time_token_vectors(&docs, &rows, &encoder, width);
    report(
        "vector tagger + rules (default with vectors)",
        &docs,
        Some(tagger),
        Some(&rows),
    );
}

/// Scores one system on `docs` and prints its table, time and intervals.
fn report(name: &str, docs: &[Annotated], tagger: Option<&QuoteTagger>, rows: Option<&[Vec<f32>]>) {
    let t = Instant::now();
    let per_doc = polnear::per_document(docs, tagger, rows);
    let ms = t.elapsed().as_millis();
    println!(
        "\n{name} ({ms} ms):\n{}{}",
        polnear::Scores::sum(&per_doc).table(),
        polnear::interval_table(&per_doc)
    );
}

/// `eval`'s data directory, vector dump and model file, each if given.
fn eval_args(args: &[String]) -> (Option<PathBuf>, Option<PathBuf>, Option<PathBuf>) {
    let mut dir = None;
    let mut vdir = None;
    let mut model = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--vectors" => vdir = it.next().map(PathBuf::from),
            "--model" => model = it.next().map(PathBuf::from),
            _ if !a.starts_with("--") && dir.is_none() => dir = Some(PathBuf::from(a)),
            _ => {
                eprintln!("polnear eval: unknown or incomplete option {a}");
                std::process::exit(2);
            }
        }
    }
    (dir, vdir, model)
}

/// A tagger file named on the command line; exits when it cannot be read.
fn read_tagger(path: &Path) -> QuoteTagger {
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("polnear eval: {}: {e}", path.display());
        std::process::exit(1);
    });
    QuoteTagger::from_bytes(&bytes).unwrap_or_else(|e| {
        eprintln!("polnear eval: {}: {e}", path.display());
        std::process::exit(1);
    })
}

/// Times what the run-time path adds before tagging: each token's mean piece vector, here
/// from one piece per token carrying the dumped row.
fn time_token_vectors(docs: &[Annotated], rows: &[Vec<f32>], encoder: &str, width: usize) {
    let t = Instant::now();
    for (d, r) in docs.iter().zip(rows) {
        let doc = unspin_core::Document::new(unspin_core::Article::new("", d.text.clone()));
        let v = unspin_core::PieceVectors {
            encoder: encoder.to_string(),
            pieces: doc.tokens.iter().map(|t| t.span).collect(),
            width,
            rows: r.clone().into(),
        };
        std::hint::black_box(unspin_factcheck::quotes::token_vectors(&doc, &v));
    }
    println!(
        "\ntoken vectors of {} texts (document segmentation included): {:.0?}",
        docs.len(),
        t.elapsed()
    );
}

fn train(args: &[String]) {
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/quotes.unspin");
    let mut dir = data_dir("train");
    // A directory named on the command line must load; only the default may be absent.
    let mut explicit = false;
    let mut out_given = false;
    let mut vdir = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.next()) {
            ("--out", Some(v)) => {
                out = PathBuf::from(v);
                out_given = true;
            }
            ("--vectors", Some(v)) => vdir = Some(PathBuf::from(v)),
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
    if let Some(vdir) = vdir {
        if !out_given {
            out = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../models/quotes-vectors.unspin");
        }
        return train_vectors(&docs, &vdir, &out, start);
    }
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
    choose_thresholds(&mut tagger, &mut params, 2, |t| {
        polnear::score(&valid, Some(t))
    });
    println!(
        "tagger + rules on the held-out fifth (thresholds {:?}):\n{}",
        params.thresholds,
        polnear::score(&valid, Some(&tagger)).table()
    );
    let tagger = QuoteTagger::train(&docs, &params);
    write_tagger(&out, &tagger, docs.len(), start);
}

/// The fold of a train text: its id's hash mod 5. Fold 0 is the fixed fifth thresholds are
/// chosen on.
fn fold(d: &Annotated) -> u64 {
    unspin_ml::hash::hash_bytes(d.id.as_bytes()) % 5
}

/// Token-level precision, recall and F1 of a head's logits (> 0) per role: how much the
/// vectors alone know.
fn head_report(logits: &[Vec<[f32; 3]>], labels: &[[Vec<bool>; 3]]) -> String {
    let mut s = String::new();
    for role in Role::ALL {
        let r = role.index();
        let (mut tp, mut pred, mut gold) = (0usize, 0usize, 0usize);
        for (lg, lb) in logits.iter().zip(labels) {
            for (z, &y) in lg.iter().zip(&lb[r]) {
                let p = z[r] > 0.0;
                tp += usize::from(p && y);
                pred += usize::from(p);
                gold += usize::from(y);
            }
        }
        let c = polnear::Counts { tp, pred, gold };
        let (p, rc, f) = c.prf();
        s += &format!(
            "  {:<8} tokens P {p:.3} R {rc:.3} F1 {f:.3}\n",
            role.name().to_lowercase()
        );
    }
    s
}

/// Trains the vector tagger: a head on the dumped token vectors, whose out-of-fold logits
/// (5 folds by id hash) are features of the CRFs; thresholds chosen on fold 0 with everything
/// fitted on folds 1–4 (their logits out of fold within those four), then all retrained on
/// the 840 texts.
fn train_vectors(docs: &[Annotated], vdir: &Path, out: &Path, start: Instant) {
    let (encoder, width) = dump_meta(vdir);
    let rows = load_rows(vdir, "train", docs, width);
    let labels: Vec<[Vec<bool>; 3]> = docs
        .iter()
        .map(|d| {
            token_labels(
                &unspin_core::Document::new(unspin_core::Article::new("", d.text.clone())),
                d,
            )
        })
        .collect();
    let folds: Vec<u64> = docs.iter().map(fold).collect();
    println!(
        "vectors {} ({encoder}, width {width}) loaded at {:.0?}",
        vdir.display(),
        start.elapsed()
    );
    let train = VectorTrain {
        docs,
        rows,
        labels,
        folds,
        encoder,
        width,
        hp: head_params(),
    };
    let Some(params) = train.thresholds_from_fold_0() else {
        return;
    };
    // Stage 2: everything on all of train.
    let all_oof = train.oof(&|_| true, &[0, 1, 2, 3, 4]);
    let all_logits: Vec<Vec<[f32; 3]>> = all_oof
        .into_iter()
        .map(|l| l.expect("every text has a fold"))
        .collect();
    let head = train.head_on(&|_| true);
    let tagger = QuoteTagger::train_with_head(docs, &all_logits, head, &params);
    write_tagger(out, &tagger, docs.len(), start);
}

fn head_params() -> HeadParams {
    // Experiments only: QV_HIDDEN, QV_EPOCHS, QV_LR, QV_CONTEXT, QV_L2 override the shipped
    // settings (QV_HIDDEN first: 0 is the logistic head with its own rate and L2).
    let env = |k: &str| std::env::var(k).ok();
    let mut hp = match env("QV_HIDDEN").and_then(|v| v.parse::<usize>().ok()) {
        Some(0) => HeadParams::logistic(),
        Some(h) => HeadParams {
            hidden: h,
            ..HeadParams::default()
        },
        None => HeadParams::default(),
    };
    if let Some(v) = env("QV_EPOCHS").and_then(|v| v.parse().ok()) {
        hp.epochs = v;
    }
    if let Some(v) = env("QV_LR").and_then(|v| v.parse().ok()) {
        hp.learning_rate = v;
    }
    if let Some(v) = env("QV_CONTEXT").and_then(|v| v.parse().ok()) {
        hp.context = v;
    }
    if let Some(v) = env("QV_L2").and_then(|v| v.parse().ok()) {
        hp.l2 = v;
    }
    hp
}

/// The train texts with what the vector tagger learns from, indexed alike: each text's token
/// vectors, token labels and fold.
struct VectorTrain<'a> {
    docs: &'a [Annotated],
    rows: Vec<Vec<f32>>,
    labels: Vec<[Vec<bool>; 3]>,
    folds: Vec<u64>,
    encoder: String,
    width: usize,
    hp: HeadParams,
}

impl VectorTrain<'_> {
    fn head_on(&self, keep: &dyn Fn(usize) -> bool) -> VectorHead {
        let t = Instant::now();
        let set: Vec<(&[f32], &[Vec<bool>; 3])> = (0..self.docs.len())
            .filter(|&k| keep(k))
            .map(|k| (self.rows[k].as_slice(), &self.labels[k]))
            .collect();
        let h = VectorHead::train(&self.encoder, self.width, &set, &self.hp);
        eprintln!("  head on {} texts: {:.0?}", set.len(), t.elapsed());
        h
    }

    fn logits_of(&self, h: &VectorHead, k: usize) -> Vec<[f32; 3]> {
        h.logits(&self.rows[k], self.labels[k][0].len())
            .expect("rows checked")
    }

    /// Out-of-fold logits over the texts `within` keeps, by the given folds.
    fn oof(
        &self,
        within: &(dyn Fn(usize) -> bool + Sync),
        fold_ids: &[u64],
    ) -> Vec<Option<Vec<[f32; 3]>>> {
        use rayon::prelude::*;
        let mut out: Vec<Option<Vec<[f32; 3]>>> = vec![None; self.docs.len()];
        // Folds train side by side, each head on one thread, deterministic as before.
        let heads: Vec<(u64, VectorHead)> = fold_ids
            .par_iter()
            .map(|&f| (f, self.head_on(&|k| within(k) && self.folds[k] != f)))
            .collect();
        for (f, h) in heads {
            for k in (0..self.docs.len()).filter(|&k| within(k) && self.folds[k] == f) {
                out[k] = Some(self.logits_of(&h, k));
            }
        }
        out
    }

    /// Stage 1: fit on folds 1–4, choose thresholds on fold 0. `None` when `QV_HEAD_ONLY`
    /// asks for the head's report alone.
    fn thresholds_from_fold_0(&self) -> Option<TrainParams> {
        let (docs, folds) = (self.docs, &self.folds);
        let fit_ix: Vec<usize> = (0..docs.len()).filter(|&k| folds[k] != 0).collect();
        let valid_ix: Vec<usize> = (0..docs.len()).filter(|&k| folds[k] == 0).collect();
        let fit_head = self.head_on(&|k| folds[k] != 0);
        let valid_logits: Vec<Vec<[f32; 3]>> = valid_ix
            .iter()
            .map(|&k| self.logits_of(&fit_head, k))
            .collect();
        let valid_labels: Vec<[Vec<bool>; 3]> =
            valid_ix.iter().map(|&k| self.labels[k].clone()).collect();
        println!(
            "head on folds 1-4 ({:?}), tokens of fold 0:\n{}",
            self.hp,
            head_report(&valid_logits, &valid_labels)
        );
        if std::env::var("QV_HEAD_ONLY").is_ok() {
            return None;
        }
        let fit_oof = self.oof(&|k| folds[k] != 0, &[1, 2, 3, 4]);
        let fit: Vec<Annotated> = fit_ix.iter().map(|&k| docs[k].clone()).collect();
        let valid: Vec<Annotated> = valid_ix.iter().map(|&k| docs[k].clone()).collect();
        let valid_rows: Vec<Vec<f32>> = valid_ix.iter().map(|&k| self.rows[k].clone()).collect();
        let fit_logits: Vec<Vec<[f32; 3]>> = fit_ix
            .iter()
            .map(|&k| fit_oof[k].clone().expect("every fit text has a fold"))
            .collect();
        let mut params = TrainParams::default();
        let t = Instant::now();
        let mut tagger = QuoteTagger::train_with_head(&fit, &fit_logits, fit_head, &params);
        println!("CRFs on folds 1-4: {:.0?}", t.elapsed());
        choose_thresholds(&mut tagger, &mut params, 1, |t| {
            polnear::score_with_rows(&valid, Some(t), Some(&valid_rows))
        });
        println!(
            "vector tagger + rules on the held-out fifth (thresholds {:?}):\n{}",
            params.thresholds,
            polnear::score_with_rows(&valid, Some(&tagger), Some(&valid_rows)).table()
        );
        Some(params)
    }
}

/// Writes the shipped tagger (atomically: a failed write leaves the old file) and says so.
fn write_tagger(out: &Path, tagger: &QuoteTagger, n_docs: usize, start: Instant) {
    let bytes = tagger.to_bytes();
    unspin_io::write_atomic(out, &bytes).unwrap_or_else(|e| {
        eprintln!("polnear train: {}: {e}", out.display());
        std::process::exit(1);
    });
    println!(
        "wrote {} ({} bytes), trained on all {n_docs} documents; {:.0?} in all",
        out.display(),
        bytes.len(),
        start.elapsed()
    );
}
