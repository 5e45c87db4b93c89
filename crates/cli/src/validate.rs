//! `unspin validate`: every model side by side on the fixed held-out split of PTC train.

use crate::{output, ValidateArgs};
use anyhow::{Context, Result};
use unspin::classical::TrainOptions;
use unspin::crossval::Corpus;
use unspin::holdout;
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
        // Candidates from --model come first, in order.
        for (dir, chosen) in args.models.iter().zip(&report.chosen) {
            let path = dir.join("heads.safetensors");
            let mut heads = transformer::Heads::load(&path)?;
            // With a partner the blend is the pair's; the blend of one and the transformer's
            // own threshold stay as an earlier validation without it chose them. A pair blend
            // in which the partner won no weight is none: there is no pair blend to ship, and
            // `ensemble-both` refuses heads without one.
            let what = match &chosen.partner {
                Some(p) if chosen.blend.has_partner() => {
                    heads.meta.partner_blend = Some(chosen.blend);
                    format!("blend with {p} beside it {:?}", chosen.blend)
                }
                Some(p) => {
                    heads.meta.partner_blend = None;
                    format!("no blend with {p} beside it: it won no weight")
                }
                None => {
                    heads.meta.blend = chosen.blend;
                    heads.meta.si_threshold = chosen.alone_threshold;
                    format!(
                        "blend {:?}, own threshold {}",
                        chosen.blend, chosen.alone_threshold
                    )
                }
            };
            output::write_atomic(&path, &heads.to_bytes()?)?;
            eprintln!("unspin: {}: {what}", path.display());
        }
    }
    Ok(())
}
