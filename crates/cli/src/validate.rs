//! `unspin validate`: every model side by side on the fixed held-out split of PTC train.

use crate::{output, provenance, ValidateArgs};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use unspin::classical::TrainOptions;
use unspin::crossval::Corpus;
use unspin::holdout::{self, Chosen};
use unspin::transformer;

pub fn run(args: ValidateArgs) -> Result<()> {
    // Taken first: the record --write-blend leaves says which code and when, and how long the
    // whole command took, loading included. Git is asked only when there is a record to write.
    let t0 = std::time::Instant::now();
    let started = unspin::export::now();
    let commit = args.write_blend.then(provenance::git_commit).flatten();
    // Before minutes of loading and training: a weight the blends never try is a typo.
    let grid = match args.partner {
        Some(_) => holdout::partner_blend_grid(),
        None => holdout::blend_grid(),
    };
    holdout::check_technique_weight(args.tc_weight, &grid)?;
    let data = args
        .data
        .clone()
        .unwrap_or_else(crate::train::default_train_dir);
    let corpus = Corpus::load(&data)?;
    let held = holdout::read_split(&args.holdout, &corpus)?;
    let encoders = args
        .encoders
        .clone()
        .unwrap_or_else(transformer::default_cache_dir);
    let guard = report_guard(&args, &data, &encoders);
    if let Some(path) = &args.report {
        // Before minutes of training and encoding, not after.
        output::check_before_work(path, &guard)?;
    }
    // Models load before minutes of training and encoding, so a bad path fails at once.
    let mut candidates = holdout::load_candidates(&encoders, &args.models)?;
    let partner = match &args.partner {
        Some(dir) => Some(holdout::load_unseen(&encoders, dir)?),
        None => None,
    };
    for name in &args.frozen {
        let encoder: transformer::BaseEncoder = name.parse().map_err(anyhow::Error::msg)?;
        candidates.push(holdout::frozen_candidate(
            &corpus,
            &held,
            &encoders,
            encoder,
            args.seed,
            |msg| eprintln!("unspin: {msg}"),
        )?);
    }
    let train = TrainOptions {
        seed: args.seed,
        ..TrainOptions::default()
    };
    let report = holdout::validate(
        &corpus,
        &held,
        candidates,
        partner,
        &train,
        &holdout::Choice {
            seed: args.seed,
            technique_weight: args.tc_weight,
        },
        |msg| eprintln!("unspin: {msg} ({:.0} s)", t0.elapsed().as_secs_f64()),
    )?;
    if let Some(path) = &args.report {
        let mut json = serde_json::to_vec_pretty(&report).context("cannot serialise report")?;
        json.push(b'\n');
        output::write_guarded(path, &json, &guard)?;
    }
    output::emit(report.to_string().as_bytes(), None)?;
    if args.write_blend {
        let run = Run {
            command: provenance::command_line(std::env::args_os()),
            commit,
            started,
            wall_seconds: t0.elapsed().as_secs(),
        };
        // Everything is made and every path checked before the first file is written, so a
        // refusal (a settings file that is no record map, a symbolic link) leaves every
        // directory as it was. Candidates from --model come first, in order.
        let writes = args
            .models
            .iter()
            .zip(&report.chosen)
            .map(|(dir, chosen)| blend_files(dir, chosen, &report, &args, &data, &run))
            .collect::<Result<Vec<_>>>()?;
        let guard = unspin::files::Guard::default();
        for w in &writes {
            output::check(&w.heads.0, &guard)?;
            output::check(&w.settings.0, &guard)?;
        }
        for w in &writes {
            output::write_atomic(&w.heads.0, &w.heads.1)?;
            output::write_atomic(&w.settings.0, &w.settings.1)?;
            eprintln!("unspin: {}: {}", w.heads.0.display(), w.what);
            eprintln!(
                "unspin: {}: how, under \"{}\"",
                w.settings.0.display(),
                w.key
            );
        }
    }
    Ok(())
}

/// What `--report` may not replace: the data's articles and labels, the held-out split, the
/// files of the model directories read, and anything inside the encoders it may read (base
/// weights, their int8 builds, the onnxruntime library).
fn report_guard(args: &ValidateArgs, data: &Path, encoders: &Path) -> unspin::files::Guard {
    let mut inputs = vec![
        data.join("articles"),
        data.join("labels.tc.tsv"),
        data.join("labels.si.tsv"),
        args.holdout.clone(),
    ];
    for dir in args.models.iter().chain(&args.partner) {
        // A listing failure surfaces when the model loads; nothing to protect then.
        if let Ok(entries) = std::fs::read_dir(dir) {
            inputs.extend(entries.flatten().map(|e| e.path()));
        }
    }
    let mut guard = output::input_guard(false, &inputs);
    // The encoders are directories of files the guard cannot list one by one (and a report
    // may not exist yet): nothing is written below a base encoder, an int8 build of one, or
    // the onnxruntime library. Other folders beside them are the user's.
    let root = unspin::files::resolve(encoders);
    guard.protect(move |target| {
        let name = target.strip_prefix(&root).ok()?.components().next()?;
        let name = name.as_os_str().to_str()?;
        let read = name == "onnxruntime"
            || transformer::BaseEncoder::ALL.iter().any(|e| {
                let base = e.dir_name();
                name == base || name.starts_with(&format!("{base}+lora-"))
            });
        read.then(|| {
            format!(
                "is inside {}, which validate reads",
                root.join(name).display()
            )
        })
    });
    guard
}

/// What every settings record of one `validate --write-blend` run shares.
struct Run {
    command: String,
    commit: Option<String>,
    started: String,
    wall_seconds: u64,
}

/// The files `--write-blend` writes into one model directory.
struct BlendFiles {
    /// The heads with what validation chose.
    heads: (PathBuf, Vec<u8>),
    /// `settings.json` with the record of how.
    settings: (PathBuf, Vec<u8>),
    /// Which setting was written: `blend` or `partner_blend`.
    key: &'static str,
    what: String,
}

/// What validation chose, in `dir`'s heads, and beside them, in `settings.json`, how it was
/// chosen (command, seed, data, commit, time, the scores it was chosen by and the digest of
/// the heads it wrote), under the name of the setting written: `blend` (the blend of one, with
/// the transformer's own threshold) or `partner_blend`.
fn blend_files(
    dir: &Path,
    chosen: &Chosen,
    report: &holdout::Report,
    args: &ValidateArgs,
    data: &Path,
    run: &Run,
) -> Result<BlendFiles> {
    let path = dir.join("heads.safetensors");
    let mut heads = transformer::Heads::load(&path)?;
    // With a partner the blend is the pair's; the blend of one and the transformer's
    // own threshold stay as an earlier validation without it chose them. A pair blend
    // in which the partner won no weight is none: there is no pair blend to ship, and
    // `ensemble-both` refuses heads without one.
    let (key, what) = match &chosen.partner {
        Some(p) if chosen.blend.has_partner() => {
            heads.meta.partner_blend = Some(chosen.blend);
            (
                "partner_blend",
                format!("blend with {p} beside it {:?}", chosen.blend),
            )
        }
        Some(p) => {
            heads.meta.partner_blend = None;
            (
                "partner_blend",
                format!("no blend with {p} beside it: it won no weight"),
            )
        }
        None => {
            heads.meta.blend = chosen.blend;
            heads.meta.si_threshold = chosen.alone_threshold;
            (
                "blend",
                format!(
                    "blend {:?}, own threshold {}",
                    chosen.blend, chosen.alone_threshold
                ),
            )
        }
    };
    // Rows of this candidate, alone and in its ensemble, overall scores only (the report
    // written by --report has the rest): the figures the choice rests on. Matched whole, so
    // that "mpnet-ft" does not take the rows of a second candidate "mpnet-ft#2".
    let (alone, pair) = (
        format!("ensemble({})", chosen.model),
        format!("ensemble({}+", chosen.model),
    );
    let rows: Vec<serde_json::Value> = report
        .rows
        .iter()
        .filter(|r| r.name == chosen.model || r.name == alone || r.name.starts_with(&pair))
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "selection": r.selection,
                "si": r.si.overall,
                "tc": r.tc.overall,
                "flc": r.flc.overall,
            })
        })
        .collect();
    let heads_bytes = heads.to_bytes()?;
    let record = serde_json::json!({
        "what": format!("{key} in heads.safetensors, chosen by unspin validate --write-blend"),
        "command": run.command,
        "seed": args.seed,
        "technique_weight_held": args.tc_weight,
        "data": data.display().to_string(),
        "holdout": args.holdout.display().to_string(),
        "train_articles": report.train_articles,
        "held_articles": report.held_articles,
        "commit": run.commit,
        "started": run.started,
        "wall_seconds": run.wall_seconds,
        "chosen": chosen,
        "rows": rows,
        "heads_sha256": hex_sha256(&heads_bytes),
    });
    let settings_path = dir.join("settings.json");
    let existing = match std::fs::read(&settings_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", settings_path.display()))
        }
    };
    let settings = provenance::with_record(&settings_path, existing.as_deref(), key, record)?;
    Ok(BlendFiles {
        heads: (path, heads_bytes),
        settings: (settings_path, settings),
        key,
        what,
    })
}

/// Lower-case hex SHA-256 of `bytes`: which heads file a record describes.
fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
