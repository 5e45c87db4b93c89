//! Dumps the default detector's sentence vectors for the CheckThat! check-worthiness data, so
//! that `training/claims_embed.py --vectors DIR` trains the claims model on exactly the
//! vectors unspin computes at run time.
//!
//! The sentences of one debate have consecutive ids, so runs of consecutive ids are joined into
//! pseudo-articles (at most 24 sentences each) and analysed like an article: each sentence's
//! vector is the mean of its word pieces *in context*, as in a real article, not encoded alone.
//!
//! ```sh
//! cargo run --release -p unspin --example claim_vectors -- ../shared/data/checkworthy out/claims-vec
//! ```
//!
//! Writes `OUT/{train,dev}.f32` (little-endian rows, in the order of the TSV file),
//! `OUT/{train,dev}.ids` (one sentence id per row) and `OUT/meta.json` (encoder id, width, backend).
//!
//! With `MODEL_DIR ENCODERS_DIR`, that model runs instead of the default (`common/dump_args.rs`).

use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::Path;
use unspin::{Article, Cancel, CharSpan, Detector, Document};

#[path = "common/dump_args.rs"]
mod dump_args;
#[path = "common/dump_out.rs"]
mod dump_out;

const GROUP: usize = 24;

fn read_tsv(path: &Path) -> Result<Vec<(u64, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let mut lines = text.lines();
    if lines.next() != Some("Sentence_id\tText\tclass_label") {
        bail!("{}: unexpected header", path.display());
    }
    let mut rows = Vec::new();
    // The rule training/claims_embed.py reads by, so both see the same rows.
    for (n, line) in lines.enumerate() {
        let parts: Vec<&str> = line.split('\t').collect();
        match parts.as_slice() {
            [id, text, "Yes" | "No"] if !id.is_empty() && !text.is_empty() => rows.push((
                id.parse()
                    .with_context(|| format!("{}:{}: bad id", path.display(), n + 2))?,
                text.to_string(),
            )),
            _ => eprintln!(
                "warning: {}:{}: skipped malformed line",
                path.display(),
                n + 2
            ),
        }
    }
    Ok(rows)
}

fn main() -> Result<()> {
    let (data, out, detector) = dump_args::parse("claim_vectors")?;
    std::fs::create_dir_all(&out)?;
    let mut meta = None;
    for split in ["train", "dev"] {
        let rows = read_tsv(&data.join(format!("{split}.tsv")))?;
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| rows[i].0);
        // Runs of consecutive ids, cut every GROUP sentences.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for &i in &order {
            match groups.last_mut() {
                Some(g) if g.len() < GROUP && rows[g[g.len() - 1]].0 + 1 == rows[i].0 => g.push(i),
                _ => groups.push(vec![i]),
            }
        }
        let mut vecs: Vec<Option<Vec<f32>>> = vec![None; rows.len()];
        let t0 = std::time::Instant::now();
        for (k, g) in groups.iter().enumerate() {
            let mut text = String::new();
            let mut spans = Vec::new();
            for &i in g {
                if !text.is_empty() {
                    text.push(' ');
                }
                let start = text.chars().count();
                text.push_str(&rows[i].1);
                spans.push(CharSpan::new(start, text.chars().count()));
            }
            let doc = Document::new(Article::new(format!("g{k}"), text));
            let detection = detector.detect(&doc, &Cancel::new())?;
            let Some(v) = detection.vectors else {
                bail!("the detector kept no vectors");
            };
            meta.get_or_insert_with(|| (v.encoder.clone(), v.width));
            for (&i, &span) in g.iter().zip(&spans) {
                vecs[i] = Some(v.mean_within(span).unwrap_or_else(|| vec![0.0; v.width]));
            }
            if k % 50 == 0 {
                eprintln!(
                    "{split}: {k}/{} groups, {:.0} s",
                    groups.len(),
                    t0.elapsed().as_secs_f64()
                );
            }
        }
        let vecs = vecs
            .into_iter()
            .map(|v| v.context("a sentence was not encoded"))
            .collect::<Result<Vec<_>>>()?;
        std::fs::write(
            out.join(format!("{split}.f32")),
            dump_out::le_bytes(vecs.into_iter().flatten()),
        )?;
        let mut ids = std::fs::File::create(out.join(format!("{split}.ids")))?;
        for (id, _) in &rows {
            writeln!(ids, "{id}")?;
        }
    }
    let (encoder, width) = meta.context("no sentences")?;
    dump_out::write_meta(&out, &encoder, width, &detector)
}
