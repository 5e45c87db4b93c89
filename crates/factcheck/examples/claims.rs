//! Trains the check-worthy claim model and evaluates it on the CheckThat! 2024 dev set.
//!
//! ```sh
//! cargo run --release -p unspin-factcheck --example claims -- train [--data DIR] [--output PATH]
//! cargo run --release -p unspin-factcheck --example claims -- eval [--data DIR] [--model PATH]
//! cargo run --release -p unspin-factcheck --example claims -- score --input TSV [--model PATH]
//! ```
//!
//! `score` prints `ID<TAB>LOGIT` for every sentence of a CheckThat!-style TSV: the n-gram
//! model's logits that `training/claims_embed.py --stack` sets beside the sentence vectors.
//! `train --like PATH` trains with the epochs, learning rate and Yes repeats recorded in the
//! model at `PATH` instead of choosing them, so that models trained on parts of the data give
//! logits on that model's scale.
//!
//! `DIR` holds `train.tsv` and `dev.tsv`; by default `$UNSPIN_DATA/checkworthy`, else
//! `../shared/data/checkworthy` beside the repository. The data is never copied into the
//! repository; when it is absent the command says so and exits successfully. `train` writes
//! `models/claims.unspin` (the embedded model) unless `--output` says otherwise; `eval` reads the
//! embedded model unless `--model` names a file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use unspin_factcheck::claims::{read_tsv, train, ClaimModel, Evaluation, TrainOptions};

fn repo_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

fn default_data() -> PathBuf {
    match std::env::var_os("UNSPIN_DATA") {
        Some(dir) => PathBuf::from(dir).join("checkworthy"),
        None => repo_root().join("../shared/data/checkworthy"),
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: claims train|eval|score [--data DIR] [--output PATH] [--model PATH] [--input TSV] [--like MODEL]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first().cloned() else {
        return usage();
    };
    let mut data = default_data();
    let mut output = repo_root().join("models/claims.unspin");
    let mut model_path = None;
    let mut input = None;
    let mut like = None;
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let Some(value) = rest.next() else {
            return usage();
        };
        match flag.as_str() {
            "--data" => data = PathBuf::from(value),
            "--output" => output = PathBuf::from(value),
            "--model" => model_path = Some(PathBuf::from(value)),
            "--input" => input = Some(PathBuf::from(value)),
            "--like" => like = Some(PathBuf::from(value)),
            _ => return usage(),
        }
    }
    if command == "score" {
        let Some(input) = input else {
            return usage();
        };
        return match run_score(&input, model_path.as_deref()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("claims: error: {e}");
                ExitCode::from(2)
            }
        };
    }
    let file = match command.as_str() {
        "train" => "train.tsv",
        "eval" => "dev.tsv",
        _ => return usage(),
    };
    let path = data.join(file);
    if !path.is_file() {
        println!(
            "skipping: {} not found (set --data DIR or UNSPIN_DATA)",
            path.display()
        );
        return ExitCode::SUCCESS;
    }
    let result = if command == "train" {
        run_train(&path, &output, like.as_deref())
    } else {
        run_eval(&path, model_path.as_deref())
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("claims: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_train(
    path: &Path,
    output: &Path,
    like: Option<&Path>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut options = TrainOptions::default();
    if let Some(like) = like {
        let h = ClaimModel::load(like)?.header;
        options.epochs = vec![h.epochs as usize];
        options.learning_rates = vec![h.learning_rate];
        options.yes_repeats = vec![h.yes_repeat as usize];
    }
    let start = Instant::now();
    let model = train(path, &options)?;
    let secs = start.elapsed().as_secs_f64();
    unspin_io::write_atomic(output, &model.to_bytes())?;
    let h = &model.header;
    println!("trained in {secs:.1} s: {}", h.training);
    println!(
        "chosen: {} epochs, learning rate {}, Yes shown {}x, threshold {:.2}",
        h.epochs, h.learning_rate, h.yes_repeat, model.threshold
    );
    println!(
        "held-out train: P {:.3} R {:.3} F1 {:.3}",
        h.holdout.precision, h.holdout.recall, h.holdout.f1
    );
    println!(
        "wrote {} ({} bytes, {} non-zero features)",
        output.display(),
        std::fs::metadata(output)?.len(),
        model.used_features()
    );
    Ok(())
}

fn load(model_path: Option<&Path>) -> Result<ClaimModel, unspin_factcheck::claims::ClaimsError> {
    match model_path {
        Some(p) => ClaimModel::load(p),
        None => ClaimModel::embedded(),
    }
}

fn run_score(input: &Path, model_path: Option<&Path>) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let model = load(model_path)?;
    let data = read_tsv(input)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for s in &data.sentences {
        writeln!(out, "{}\t{}", s.id, model.logit_of(&s.text))?;
    }
    out.flush()?;
    Ok(())
}

fn run_eval(path: &Path, model_path: Option<&Path>) -> Result<(), Box<dyn std::error::Error>> {
    let model = load(model_path)?;
    let data = read_tsv(path)?;
    let start = Instant::now();
    let e: Evaluation = model.evaluate(&data.sentences);
    let per = start.elapsed().as_secs_f64() / data.sentences.len().max(1) as f64;
    println!(
        "{}: {} sentences, threshold {:.2}",
        data.path,
        data.sentences.len(),
        model.threshold
    );
    println!(
        "Yes: P {:.3} R {:.3} F1 {:.3}",
        e.scores.precision, e.scores.recall, e.scores.f1
    );
    println!(
        "confusion: TP {} FP {} FN {} TN {}",
        e.true_positives, e.false_positives, e.false_negatives, e.true_negatives
    );
    println!("speed: {:.1} µs per sentence (one thread)", per * 1e6);
    Ok(())
}
