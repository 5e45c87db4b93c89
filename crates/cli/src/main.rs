//! `unspin`: the command-line front end of the unspin library.
//!
//! This file only declares the command line and maps outcomes to exit codes; each subcommand
//! lives in its own module, and all propaganda logic lives in the `unspin` library so that other
//! front ends (an HTTP server, notebooks) get exactly the same behaviour.
//!
//! Exit codes are part of the contract other tooling relies on:
//! * `0`: success (including "no propaganda found");
//! * `2`: the command could not do its job because of its input (unreadable or invalid files,
//!   malformed labels, a bad model file, a usage error). The message goes to stderr as
//!   `unspin: error: ...` and names the file, and the line for label files.
//!
//! Every command builds its complete output in memory and only prints or writes it once
//! everything succeeded, so a failure never leaves half an output behind.

mod analyze;
mod batch;
mod bench;
mod classify;
mod evaluate;
mod output;
mod provenance;
mod rate;
mod render;
mod serve;
mod stats;
mod train;
mod validate;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc is markedly faster than the system allocator for the many small token and feature
/// vectors the detector allocates, especially when analysing on all cores.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code for bad input and usage errors (the same code clap uses for usage errors).
const EXIT_BAD_INPUT: u8 = 2;

/// Find propaganda techniques in news articles, with exact character offsets.
///
/// unspin detects the 14 techniques of the SemEval-2020 Task 11 Propaganda Techniques Corpus.
/// Offsets are Unicode code points, end exclusive, counted on the raw file (a BOM counts).
#[derive(Debug, Parser)]
#[command(name = "unspin", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Detect propaganda spans in articles (files, directories of *.txt, or - for stdin).
    Analyze(AnalyzeArgs),
    /// Classify given spans (a PTC TC template) into techniques: the TC task.
    Classify(ClassifyArgs),
    /// Score predictions against gold labels with the SemEval-2020 Task 11 scorers.
    Eval(EvalArgs),
    /// Train the classical model on PTC data, or cross-validate it with --cv.
    Train(TrainArgs),
    /// Score every model side by side on the fixed held-out split of PTC train: classical
    /// (retrained without the split), fine-tuned encoders, and their ensembles with blends
    /// cross-fitted on halves of the split.
    Validate(ValidateArgs),
    /// Measure analysis and training speed (prints figures, asserts nothing).
    Bench(BenchArgs),
    /// Serve the HTTP API (JSON, under /v1) until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Analyse a whole corpus (directories, JSONL, gzip'd JSONL) on all cores into resumable
    /// JSONL shards and a results database.
    Batch(batch::BatchArgs),
    /// Statistics from a batch run's results database: techniques by outlet and month,
    /// propaganda share per outlet, frequent loaded phrases, articles with most findings.
    Stats(stats::StatsArgs),
}

/// Output formats of `unspin analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A pretty-printed JSON array with one report per article.
    Json,
    /// One compact JSON report per line.
    Jsonl,
    /// PTC FLC lines: ID<TAB>TECHNIQUE<TAB>START<TAB>END.
    Ptc,
    /// A summary, the article with highlighted spans, a numbered span list and a legend, for
    /// reading in a terminal.
    Text,
    /// One standalone HTML file: summary, annotated article, legend and lists; opens offline
    /// and prints in black and white.
    Html,
    /// CSV, one row per span, check-worthy claim, quote and inconsistency place.
    Csv,
}

/// `--input`: how article bytes are interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputArg {
    Auto,
    Text,
    Html,
}

impl From<InputArg> for unspin::InputFormat {
    fn from(a: InputArg) -> Self {
        match a {
            InputArg::Auto => unspin::InputFormat::Auto,
            InputArg::Text => unspin::InputFormat::Text,
            InputArg::Html => unspin::InputFormat::Html,
        }
    }
}

/// When the text view uses colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    /// Only when stdout is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
struct AnalyzeArgs {
    /// Articles to analyse: files (a *.jsonl or *.jsonl.gz file is its records), directories
    /// (every *.txt, *.html and *.htm below them, and every record of their *.jsonl and
    /// *.jsonl.gz files: the articles `batch` reads),
    /// http:// and https:// URLs (fetched with a 20 s limit, at most 5 redirects and
    /// --max-bytes; web pages become their main text), or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// How to read inputs: auto treats *.html/*.htm files and anything that starts like an HTML
    /// document as a web page and analyses its extracted main text.
    #[arg(long, value_enum, default_value_t = InputArg::Auto)]
    input: InputArg,
    /// The detector: classical (embedded), minilm or mpnet (fine-tuned encoders), minilm-frozen
    /// or mpnet-frozen (frozen encoders with heads), ensemble (classical + fine-tuned MPNet),
    /// ensemble-both (the same with fine-tuned MiniLM beside MPNet: a little more accurate,
    /// slower), ensemble-minilm (classical + fine-tuned MiniLM), or a model file or directory
    /// (classical .unspin, heads .safetensors, a training/finetune.py output)
    /// [default: the ensemble when its encoder is installed (scripts/setup-models.sh), else
    /// classical].
    #[arg(long, value_name = MODEL_HELP, env = "UNSPIN_MODEL")]
    model: Option<String>,
    /// Largest accepted article in bytes; larger inputs are refused, not read.
    #[arg(long, value_name = "N", default_value_t = unspin::input::DEFAULT_MAX_BYTES)]
    max_bytes: u64,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write FILE even when it is an input of this run, a symbolic link (the file it points to
    /// is written), a device or FIFO (written into) or write-protected (replaced, and left
    /// write-protected). A directory is never replaced.
    #[arg(long, requires = "output")]
    force: bool,
    /// Colour in the text view.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Skip the fact-checking aids (claims, quotes, contradictions) and report propaganda spans
    /// only. The ptc format never runs them.
    #[arg(long)]
    no_aids: bool,
}

#[derive(Debug, Args)]
struct ClassifyArgs {
    /// TC template: ID<TAB>?<TAB>START<TAB>END per line (a technique instead of ? is ignored).
    #[arg(long, value_name = "FILE")]
    spans: PathBuf,
    /// Directory holding article<ID>.txt for every ID in the template.
    #[arg(long, value_name = "DIR")]
    articles: PathBuf,
    /// The detector, as for `analyze` [default: ensemble when installed, else classical].
    #[arg(long, value_name = MODEL_HELP, env = "UNSPIN_MODEL")]
    model: Option<String>,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write FILE even when it is an input of this run, a symbolic link (the file it points to
    /// is written), a device or FIFO (written into) or write-protected (replaced, and left
    /// write-protected). A directory is never replaced.
    #[arg(long, requires = "output")]
    force: bool,
}

/// The three SemEval-2020 Task 11 tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TaskArg {
    /// Span identification: where is propaganda (3- or 4-column files; techniques ignored).
    Si,
    /// Technique classification of given spans (4-column files).
    Tc,
    /// Full-length classification: spans and techniques together (4-column files).
    Flc,
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// Which task's scorer to use.
    #[arg(value_enum)]
    task: TaskArg,
    /// Gold label file.
    #[arg(long, value_name = "FILE")]
    gold: PathBuf,
    /// Predicted label file.
    #[arg(long, value_name = "FILE")]
    pred: PathBuf,
    /// Directory of article<ID>.txt: when given, every span of every label file is checked
    /// against the article lengths first.
    #[arg(long, value_name = "DIR")]
    articles: Option<PathBuf>,
    /// Print the scores as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also give F1 a 95% interval: 1,000 draws, with replacement, of the articles any label
    /// file labels, each scored like the whole (a bootstrap over articles; seeded, so reruns
    /// agree).
    #[arg(long)]
    ci: bool,
    /// A second system's predictions, scored on the same draws: prints its F1 and the 95%
    /// interval of --pred's lead over it (implies --ci).
    #[arg(long, value_name = "FILE")]
    against: Option<PathBuf>,
}

/// What `unspin train` trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TrainModel {
    Classical,
    Minilm,
    Mpnet,
}

#[derive(Debug, Args)]
struct TrainArgs {
    /// PTC training data: a directory with articles/, labels.tc.tsv and labels.si.tsv
    /// [default: $UNSPIN_DATA/ptc-train, else ../shared/data/ptc-train].
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Where to save the trained model [default: models/classical.unspin, or
    /// models/heads-<MODEL>.safetensors]. --cv saves nothing, except that with a transformer
    /// --model and an explicit --out it then trains heads on all articles from the same
    /// encodings and stores the ensemble blend the cross-validation scored best.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// What to train: the classical model, or heads on a frozen transformer encoder
    /// (with --cv: classical, transformer and ensemble side by side).
    #[arg(long, value_enum, default_value_t = TrainModel::Classical)]
    model: TrainModel,
    /// Where the base encoders are installed [default: $UNSPIN_MODELS, else
    /// ~/.cache/unspin/encoders].
    #[arg(long, value_name = "DIR")]
    encoders: Option<PathBuf>,
    /// Random seed for shuffling and training.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Run K-fold article-level cross-validation instead of training a model to save.
    #[arg(long, value_name = "K")]
    cv: Option<usize>,
    /// Extra SI thresholds to score during cross-validation, e.g. 0.2,0.3,0.4.
    #[arg(long, value_delimiter = ',', requires = "cv", value_name = "T,...")]
    sweep: Vec<f32>,
    /// With --cv and a transformer --model: encode the held-out articles with this encoder
    /// backend (candle, ort, ort-int8) while heads train on the vectors of UNSPIN_BACKEND
    /// (default candle), to measure shipped heads under another backend.
    #[arg(long, requires = "cv", value_name = "BACKEND")]
    test_backend: Option<String>,
    /// Also write the cross-validation report as JSON to FILE.
    #[arg(long, requires = "cv", value_name = "FILE")]
    report: Option<PathBuf>,
    /// Hyper-parameters as JSON (any subset of the fields `--print-options` shows); the rest
    /// keep their defaults. --seed still sets the seed.
    #[arg(long, value_name = "FILE")]
    options: Option<PathBuf>,
    /// Print the training hyper-parameters in effect as JSON and exit.
    #[arg(long)]
    print_options: bool,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// PTC training data (as for `train`).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// The held-out split: article ids, one per line.
    #[arg(long, value_name = "FILE", default_value = "training/holdout.txt")]
    holdout: PathBuf,
    /// A model directory from training/finetune.py (heads.safetensors, adapter.safetensors),
    /// trained without the held-out articles; repeat to compare several.
    #[arg(long = "model", value_name = "DIR")]
    models: Vec<PathBuf>,
    /// Also train heads on a frozen encoder (minilm or mpnet) without the held-out articles
    /// and score them: the model before fine-tuning. Encodes all articles (MiniLM 2.5 min,
    /// MPNet 25 min on 2 cores).
    #[arg(long, value_name = "ENCODER", value_parser = ["minilm", "mpnet"])]
    frozen: Vec<String>,
    /// A second fine-tuned model directory (trained without the held-out articles, like
    /// --model) to run beside every candidate in its ensemble; its shares of the token
    /// probabilities and technique scores are chosen with the rest of the blend. With
    /// --write-blend, the pair's blend is stored as the candidate's `partner_blend`.
    #[arg(long, value_name = "DIR")]
    partner: Option<PathBuf>,
    /// Where the base encoders are installed [default: $UNSPIN_MODELS, else
    /// ~/.cache/unspin/encoders].
    #[arg(long, value_name = "DIR")]
    encoders: Option<PathBuf>,
    /// Seed of the classical model's training and of the cross-fitting halves.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Also write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Store what validation chose on all held-out articles (the ensemble's blend with its
    /// second-technique threshold and confidence calibration, and the transformer's own token
    /// threshold) in each --model DIR's heads.safetensors, ready to ship; with --partner, the
    /// pair's blend as `partner_blend` instead, leaving the rest as it was (and none where the
    /// partner won no weight). Beside each, settings.json records how (command, seed, data,
    /// commit, time, scores), under the name of the setting written.
    #[arg(long, requires = "models")]
    write_blend: bool,
    /// Hold every ensemble's technique weight at W (0.4, 0.6, 0.8 or 1) instead of choosing
    /// it: for a weight decided on other evidence (the memes, a disagreement of the halves),
    /// so that --write-blend stores the rest of the blend, the second-technique threshold and
    /// the confidence calibration chosen and fitted under the weight that ships.
    #[arg(long, value_name = "W")]
    tc_weight: Option<f32>,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// PTC training data directory (as for `train`; one named here must exist); without it,
    /// and with no data at the default place, only examples/ is benchmarked and training is
    /// skipped.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Approximate time to spend on each analysis measurement.
    #[arg(long, value_name = "S", default_value_t = 3.0)]
    seconds: f64,
    /// The detector, as for `analyze` [default: classical].
    #[arg(long, value_name = MODEL_HELP)]
    model: Option<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one; the address is printed).
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Largest accepted request body in bytes; larger requests get 413.
    #[arg(long, value_name = "BYTES", default_value_t = unspin_server::DEFAULT_MAX_BODY)]
    max_body: usize,
    /// Longest a request may take, in seconds; slower ones get 504.
    #[arg(long, value_name = "SECS", default_value_t = unspin_server::DEFAULT_TIMEOUT.as_secs(),
          value_parser = at_least_one)]
    timeout: u64,
    /// Analyses that may run at once, at most 512 [default: 2 × cores].
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=MAX_CONCURRENT))]
    max_concurrent: Option<u64>,
    /// Analyses that may wait for a running one, at most 4096; requests past running + waiting
    /// get 503.
    #[arg(long, value_name = "N", default_value_t = unspin_server::DEFAULT_MAX_QUEUED as u64,
          value_parser = clap::value_parser!(u64).range(0..=MAX_QUEUED))]
    max_queued: u64,
    /// The detector, as for `analyze` [default: as for `analyze`, the ensemble when its
    /// encoder is installed, else classical; `--model classical` is about 100 times faster].
    #[arg(long, value_name = MODEL_HELP, env = "UNSPIN_MODEL")]
    model: Option<String>,
    /// Let web pages from ORIGIN (e.g. https://example.org) call the API from a browser:
    /// preflight requests are answered and responses carry Access-Control-Allow-Origin for it.
    /// Repeatable. Without it no other origin may call the API.
    #[arg(long = "allow-origin", value_name = "ORIGIN", value_parser = origin)]
    allow_origins: Vec<String>,
    /// Accept {"url": …} in /v1/analyze (and a URL field in the page): the server fetches the
    /// page itself, within 20 s, 5 redirects and --max-body bytes. Public addresses only:
    /// loopback, private, link-local and cloud metadata addresses are refused, checked after
    /// DNS resolution and on every redirect.
    #[arg(long)]
    fetch: bool,
    /// With --fetch, also fetch loopback, private and link-local addresses (an intranet
    /// deployment whose users may reach those hosts anyway).
    #[arg(long, requires = "fetch")]
    fetch_allow_internal: bool,
}

/// Most `serve --max-concurrent`: analyses run on tokio's blocking pool, which has 512 threads,
/// so more could never run at once; they would only wait, which is what `--max-queued` is for.
const MAX_CONCURRENT: u64 = 512;

/// Most `serve --max-queued`: each waiting request holds a connection and up to `--max-body`
/// bytes, and behind thousands of others it would time out before its turn anyway.
const MAX_QUEUED: u64 = 4096;

/// A count or a number of seconds that must be at least 1. clap's `range(1..)` would say
/// "0 is not in 1..18446744073709551615".
pub(crate) fn at_least_one(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(0) => Err("must be 1 or more".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("not a whole number ({e})")),
    }
}

/// An origin as browsers send it: scheme, host and optional port, nothing more.
fn origin(s: &str) -> Result<String, String> {
    unspin_server::parse_origin(s).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let result = match cli.command {
        Command::Analyze(a) => analyze::run(a),
        Command::Classify(a) => classify::run(a),
        Command::Eval(a) => evaluate::run(a),
        Command::Train(a) => train::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Batch(a) => batch::run(a),
        Command::Stats(a) => stats::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if output::is_broken_pipe(&e) => {
            // `unspin analyze ... | head`: the reader left, which is not our failure.
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("unspin: error: {}", message(&e));
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// The whole context chain on one line, "what we tried: why it failed", as anyhow's `{:#}`
/// writes it, less a cause the message so far already ends with: a library error that names
/// its cause ("x.txt: cannot read: Input/output error") and also returns it as its source
/// would otherwise print the cause twice. (Only at the end, so that a path that happens to
/// contain a cause's words cannot hide it.)
fn message(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.ends_with(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// Prints help and version normally; prefixes real usage errors with `unspin: ` so every error
/// reads `unspin: error: ...`, and exits 2.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // Prints to stdout (help) as clap would; a failed print has nowhere else to go.
            let _ = e.print();
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(EXIT_BAD_INPUT)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            eprint!("unspin: {}", e.render());
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// What `--model` takes, for its help text.
const MODEL_HELP: &str =
    "classical|minilm|mpnet|minilm-frozen|mpnet-frozen|ensemble|ensemble-both|ensemble-minilm|PATH";

/// Loads the detector named by `--model` (a name, or a model file or directory). With no
/// `--model`, `analyze`, `classify` and `serve` take the best installed model (the ensemble);
/// the corpus-scale commands (batch, bench) take the classical model, which is 100 times
/// faster. Whenever the model is not the one asked for, or runs on a slower backend than
/// setup installs for it, stderr says so and why.
fn load_model(
    model: Option<&str>,
    best_by_default: bool,
) -> anyhow::Result<Box<dyn unspin::Detector>> {
    let encoders = unspin::transformer::default_cache_dir();
    let loaded = match model {
        Some(m) => unspin::load_model(&m.parse().map_err(anyhow::Error::msg)?, &encoders)?,
        None if best_by_default => unspin::load_best(&encoders)?,
        None => unspin::load_model(&unspin::ModelChoice::Classical, &encoders)?,
    };
    if let Some(why) = loaded.fallback {
        eprintln!("unspin: note: {why} (--model silences this)");
    }
    if let Some(why) = loaded.backend_note {
        eprintln!("unspin: note: {why} (UNSPIN_BACKEND=candle silences this)");
    }
    Ok(loaded.detector)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sweep_parses_comma_lists() {
        let cli =
            Cli::try_parse_from(["unspin", "train", "--cv", "5", "--sweep", "0.2,0.3"]).unwrap();
        match cli.command {
            Command::Train(t) => {
                assert_eq!(t.cv, Some(5));
                assert_eq!(t.sweep, vec![0.2, 0.3]);
            }
            _ => panic!("wrong subcommand"),
        }
    }

    #[test]
    fn an_error_chain_names_each_cause_once() {
        let io = std::io::Error::other("Input/output error");
        let quoting = unspin::InputError::Io {
            path: "x.txt".into(),
            source: io,
        };
        let e = anyhow::Error::new(quoting).context("reading the articles");
        assert_eq!(
            message(&e),
            "reading the articles: x.txt: cannot read: Input/output error"
        );
        let plain = anyhow::anyhow!("disk full").context("cannot write out.json");
        assert_eq!(message(&plain), "cannot write out.json: disk full");
    }

    #[test]
    fn sweep_needs_cv() {
        assert!(Cli::try_parse_from(["unspin", "train", "--sweep", "0.2"]).is_err());
    }
}
