//! `unspin serve`: the HTTP API. Flags become an `unspin_server::Config`; everything else lives
//! in the `unspin-server` library so the server can be embedded without this binary.

use crate::{load_model, ServeArgs};
use anyhow::{Context, Result};
use std::time::Duration;

pub fn run(args: ServeArgs) -> Result<()> {
    let config = unspin_server::Config {
        max_body: args.max_body,
        timeout: Duration::from_secs(args.timeout),
        max_concurrent: args
            .max_concurrent
            .map_or_else(unspin_server::default_max_concurrent, |n| {
                usize::try_from(n).unwrap_or(usize::MAX)
            }),
        max_queued: usize::try_from(args.max_queued).unwrap_or(usize::MAX),
        allowed_origins: args.allow_origins,
        fetch: args.fetch.then(|| unspin::fetch::FetchOptions {
            max_bytes: args.max_body as u64,
            allow_internal: args.fetch_allow_internal,
            ..Default::default()
        }),
    };
    // Models load once, before listening: a bad --model fails here, not on the first request.
    // The classical model comes along as the fast choice (the page offers both), sharing the
    // claim models: less than the 101 MB a whole `analyze --model classical` process peaks at.
    let detector = load_model(args.model.as_deref(), true)?;
    let fast = detector.name() != "classical";
    let mut analyzers = vec![unspin::Analyzer::new(detector, true)?];
    if fast {
        analyzers.push(analyzers[0].with_detector(unspin::load_detector(None)?));
    }
    unspin_server::run(args.addr, analyzers, config, |addr| {
        // Printed once bound, so scripts starting the server on port 0 can read the port.
        eprintln!("unspin: listening on http://{addr}");
    })
    .context("server failed")
}
