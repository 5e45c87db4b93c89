//! `unspin validate`: every model side by side on the fixed held-out split of PTC train.

use crate::{output, provenance, ValidateArgs};
use anyhow::{Context, Result};
use std::path::Path;
use unspin::classical::TrainOptions;
use unspin::crossval::Corpus;
use unspin::holdout::{self, Chosen};
use unspin::transformer;

pub fn run(args: ValidateArgs) -> Result<()> {
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
    let t0 = std::time::Instant::now();
    let started = provenance::now_utc();
    let report = holdout::validate(
        &corpus,
        &held,
        candidates,
        partner,
        &train,
        args.seed,
        |msg| eprintln!("unspin: {msg} ({:.0} s)", t0.elapsed().as_secs_f64()),
    )?;
    if let Some(path) = &args.report {
        let mut json = serde_json::to_vec_pretty(&report).context("cannot serialise report")?;
        json.push(b'\n');
        output::write_atomic(path, &json)?;
    }
    output::emit(report.to_string().as_bytes(), None)?;
    if args.write_blend {
        let run = Run {
            command: provenance::command_line(std::env::args()),
            commit: provenance::git_commit(),
            started,
            wall_seconds: t0.elapsed().as_secs(),
        };
        // Candidates from --model come first, in order.
        for (dir, chosen) in args.models.iter().zip(&report.chosen) {
            write_blend(dir, chosen, &report, &args, &data, &run)?;
        }
    }
    Ok(())
}

/// What every settings record of one `validate --write-blend` run shares.
struct Run {
    command: String,
    commit: Option<String>,
    started: String,
    wall_seconds: u64,
}

/// Stores what validation chose in `dir`'s heads, and beside them, in `settings.json`, how it
/// was chosen (command, seed, data, commit, time and the scores it was chosen by), under the
/// name of the setting written: `blend` (the blend of one, with the transformer's own
/// threshold) or `partner_blend`.
fn write_blend(
    dir: &Path,
    chosen: &Chosen,
    report: &holdout::Report,
    args: &ValidateArgs,
    data: &Path,
    run: &Run,
) -> Result<()> {
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
    // written by --report has the rest): the figures the choice rests on.
    let ensemble = format!("ensemble({}", chosen.model);
    let rows: Vec<serde_json::Value> = report
        .rows
        .iter()
        .filter(|r| r.name == chosen.model || r.name.starts_with(&ensemble))
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
    let record = serde_json::json!({
        "what": format!("{key} in heads.safetensors, chosen by unspin validate --write-blend"),
        "command": run.command,
        "seed": args.seed,
        "data": data.display().to_string(),
        "holdout": args.holdout.display().to_string(),
        "train_articles": report.train_articles,
        "held_articles": report.held_articles,
        "commit": run.commit,
        "started": run.started,
        "wall_seconds": run.wall_seconds,
        "chosen": chosen,
        "rows": rows,
    });
    // The record is made before the heads are written, so a settings file this tool cannot
    // read stops the run with nothing changed.
    let settings_path = dir.join("settings.json");
    let existing = match std::fs::read(&settings_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", settings_path.display()))
        }
    };
    let settings = provenance::with_record(&settings_path, existing.as_deref(), key, record)?;
    output::write_atomic(&path, &heads.to_bytes()?)?;
    output::write_atomic(&settings_path, &settings)?;
    eprintln!("unspin: {}: {what}", path.display());
    eprintln!("unspin: {}: how, under \"{key}\"", settings_path.display());
    Ok(())
}
