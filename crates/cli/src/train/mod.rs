//! `unspin train`: train the classical model on PTC data and save it, or cross-validate it.

use crate::{output, TrainArgs, TrainModel};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;
use unspin::classical::{self, TrainOptions};
use unspin::crossval::{cross_validate, default_data_dir, Corpus, CvOptions};
use unspin::files::{self, Guard};

mod heads;

pub fn run(args: TrainArgs) -> Result<()> {
    let mut train = match &args.options {
        Some(path) => read_options(path)?,
        None => TrainOptions::default(),
    };
    train.seed = args.seed;
    check_sweep(&args.sweep)?;
    if args.print_options {
        let mut json = serde_json::to_vec_pretty(&train).context("cannot serialise options")?;
        json.push(b'\n');
        return output::emit(&json, None);
    }
    let data = args.data.clone().unwrap_or_else(default_train_dir);
    let corpus = Corpus::load(&data)?;
    // Checked here, before a transformer spends minutes encoding the corpus.
    if let Some(folds) = args.cv {
        let n = corpus.docs.len();
        if folds < 2 || folds > n {
            bail!("--cv must be between 2 and the number of articles ({n}), got {folds}");
        }
    }
    let encoder = match args.model {
        TrainModel::Classical => None,
        TrainModel::Minilm => Some(unspin::transformer::BaseEncoder::MiniLm.dir_name()),
        TrainModel::Mpnet => Some(unspin::transformer::BaseEncoder::MpNet.dir_name()),
    };
    if encoder.is_none() && args.test_backend.is_some() {
        bail!("--test-backend needs a transformer --model (minilm or mpnet)");
    }
    let outputs = Outputs::check(&args, &data, encoder)?;
    if let Some(encoder) = encoder {
        return heads::run(&args, &corpus, &data, train, encoder, &outputs);
    }
    match args.cv {
        Some(folds) => run_cv(&args, &corpus, folds, train, &outputs),
        None => run_train(&corpus, &data, &train, &outputs),
    }
}

/// The files a training run writes, checked before the work starts: a path that cannot be
/// written, or that is one of the run's inputs (the data's articles and labels, the options
/// file), fails in a second rather than after minutes of training, and is then never written.
pub(crate) struct Outputs {
    /// Where the model goes, when this run saves one.
    model: Option<PathBuf>,
    /// Refuses the run's inputs; every output is written through it.
    guard: Guard,
}

impl Outputs {
    fn check(args: &TrainArgs, data: &Path, encoder: Option<&str>) -> Result<Outputs> {
        let mut inputs = vec![
            data.join("articles"),
            data.join("labels.tc.tsv"),
            data.join("labels.si.tsv"),
        ];
        inputs.extend(args.options.clone());
        let mut guard = output::input_guard(false, &inputs);
        if let Some(encoder) = encoder {
            // The encoder is read too, as a directory of files the guard cannot list one by
            // one: nothing below it is written (nor below the onnxruntime library, which the
            // int8 backend loads). Heads may still sit beside the encoders.
            let dir = heads::encoders_dir(args);
            let read = [encoder, "onnxruntime"].map(|d| files::resolve(&dir.join(d)));
            guard.protect(move |target| {
                read.iter()
                    .find(|d| target.starts_with(d))
                    .map(|d| format!("is inside {}, which this run reads", d.display()))
            });
        }
        // --cv saves a model only for a transformer with an explicit --out (see TrainArgs).
        let model = match (args.cv, encoder) {
            (None, None) => Some(
                args.out
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("models/classical.unspin")),
            ),
            (None, Some(encoder)) => Some(args.out.clone().unwrap_or_else(|| {
                PathBuf::from(format!(
                    "models/heads-{}.safetensors",
                    unspin::transformer::short_name(encoder)
                ))
            })),
            (Some(_), Some(_)) => args.out.clone(),
            (Some(_), None) => None,
        };
        if let (Some(out), Some(report)) = (&model, &args.report) {
            if files::resolve(out) == files::resolve(report) {
                bail!(
                    "{}: --report names the file the model is written to; give each its own",
                    report.display()
                );
            }
        }
        if let Some(out) = &model {
            // Checked before its directory is made, so a refused path leaves none behind.
            output::check_unforced(out, &guard)?;
            if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("{}: cannot create directory", dir.display()))?;
            }
            output::check_before_work(out, &guard)?;
        }
        if let Some(report) = &args.report {
            output::check_before_work(report, &guard)?;
        }
        Ok(Outputs { model, guard })
    }

    /// Writes `--report`, when given.
    pub(crate) fn report(&self, args: &TrainArgs, report: &impl serde::Serialize) -> Result<()> {
        if let Some(path) = &args.report {
            let mut json = serde_json::to_vec_pretty(report).context("cannot serialise report")?;
            json.push(b'\n');
            output::write_guarded(path, &json, &self.guard)?;
        }
        Ok(())
    }

    /// Writes the model to the path checked before the work; returns that path.
    pub(crate) fn model(&self, bytes: &[u8]) -> Result<&Path> {
        let path = self.model.as_deref().context("this run saves no model")?;
        output::write_guarded(path, bytes, &self.guard)?;
        Ok(path)
    }

    /// Whether this run saves a model.
    pub(crate) fn saves_model(&self) -> bool {
        self.model.is_some()
    }
}

fn read_options(path: &Path) -> Result<TrainOptions> {
    let bytes =
        std::fs::read(path).with_context(|| format!("{}: cannot read options", path.display()))?;
    let opts: TrainOptions = serde_json::from_slice(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}: invalid training options: {e}",
            path.display(),
            e.line()
        )
    })?;
    opts.check()
        .map_err(|e| anyhow::anyhow!("{}: invalid training options: {e}", path.display()))?;
    Ok(opts)
}

/// Refuses `--sweep` thresholds outside [0, 1]: they are token probabilities, and NaN would
/// make decoding loop forever.
fn check_sweep(sweep: &[f32]) -> Result<()> {
    match sweep.iter().find(|t| !(0.0..=1.0).contains(*t)) {
        Some(t) => bail!("--sweep thresholds must be between 0 and 1, got {t}"),
        None => Ok(()),
    }
}

/// The PTC training split inside the shared data directory.
pub fn default_train_dir() -> PathBuf {
    default_data_dir().join("ptc-train")
}

fn run_train(corpus: &Corpus, data: &Path, opts: &TrainOptions, outputs: &Outputs) -> Result<()> {
    let description = description(data, opts);
    eprintln!(
        "unspin: training on {} articles ({description})",
        corpus.docs.len()
    );
    let t0 = Instant::now();
    let model = classical::train(&corpus.docs, opts, &description);
    let secs = t0.elapsed().as_secs_f64();
    let out = outputs.model(&model.to_bytes())?;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    let text = format!(
        "trained on {} articles in {secs:.1} s\nmodel: {} ({size} bytes, {:.1} KiB)\n",
        corpus.docs.len(),
        out.display(),
        size as f64 / 1024.0
    );
    output::emit(text.as_bytes(), None)
}

fn run_cv(
    args: &TrainArgs,
    corpus: &Corpus,
    folds: usize,
    train: TrainOptions,
    outputs: &Outputs,
) -> Result<()> {
    let n = corpus.docs.len();
    let opts = CvOptions {
        folds,
        seed: args.seed,
        train,
        sweep: args.sweep.clone(),
    };
    eprintln!(
        "unspin: {folds}-fold cross-validation on {n} articles from {}",
        corpus.dir.display()
    );
    let report = cross_validate(corpus, &opts)?;
    outputs.report(args, &report)?;
    output::emit(report.to_string().as_bytes(), None)
}

/// The header text that says how a model was made: data, seed and, when available, the commit,
/// so a model file found later can be reproduced.
pub(crate) fn description(data: &Path, opts: &TrainOptions) -> String {
    let mut d = format!("data {}, seed {}", data.display(), opts.seed);
    if let Some(commit) = crate::provenance::git_commit() {
        d.push_str(&format!(", commit {commit}"));
    }
    d
}
