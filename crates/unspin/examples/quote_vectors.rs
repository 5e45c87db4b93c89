//! Dumps the default detector's per-token vectors for the PolNeAR texts, so that the vector
//! quote tagger (`cargo run --release -p unspin-factcheck --example polnear -- train --vectors
//! DIR`) trains on exactly the vectors unspin computes at run time.
//!
//! Each text is analysed as an article by the fine-tuned MPNet (the default detector's
//! encoder); each token's vector is [`unspin_factcheck::quotes::token_vectors`]'s, the function
//! the tagger calls at run time.
//!
//! ```sh
//! cargo run --release -p unspin --example quote_vectors -- ../shared/data/quotes/polnear out/quote-vec
//! ```
//!
//! Writes `OUT/{train,dev}/<text id>.f32` (little-endian, tokens × width, row-major) and
//! `OUT/meta.json` (encoder id, width, backend; written after each split, dev first). Texts already
//! dumped are skipped, so an interrupted run resumes.
//!
//! With `MODEL_DIR ENCODERS_DIR`, that model runs instead of the default
//! (`common/dump_args.rs`): how the int8 backend's vectors were dumped for PolNeAR dev.

#[cfg(not(feature = "transformer"))]
fn main() {
    eprintln!("quote_vectors needs the transformer feature");
    std::process::exit(2);
}

#[cfg(feature = "transformer")]
#[path = "common/dump_args.rs"]
mod dump_args;
#[path = "common/dump_out.rs"]
mod dump_out;

#[cfg(feature = "transformer")]
fn main() -> anyhow::Result<()> {
    use anyhow::{bail, Context};
    use unspin::{Article, Cancel, Detector, Document};

    let (data, out, detector) = dump_args::parse("quote_vectors")?;
    let mut meta = None;
    let t0 = std::time::Instant::now();
    for split in ["dev", "train"] {
        let dir = data.join(split);
        let docs = unspin_factcheck::quotes::polnear::load(&dir).map_err(anyhow::Error::msg)?;
        let odir = out.join(split);
        std::fs::create_dir_all(&odir)?;
        for (k, d) in docs.iter().enumerate() {
            let path = odir.join(format!("{}.f32", d.id));
            if path.exists() {
                continue;
            }
            let doc = Document::new(Article::new(d.id.clone(), d.text.clone()));
            let detection = detector.detect(&doc, &Cancel::new())?;
            let Some(v) = detection.vectors else {
                bail!("the detector kept no vectors");
            };
            meta.get_or_insert_with(|| (v.encoder.clone(), v.width));
            let bytes = dump_out::le_bytes(unspin_factcheck::quotes::token_vectors(&doc, &v));
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, bytes).with_context(|| tmp.display().to_string())?;
            std::fs::rename(&tmp, &path)?;
            if k % 20 == 0 {
                eprintln!(
                    "{split}: {k}/{} texts, {:.0} s",
                    docs.len(),
                    t0.elapsed().as_secs_f64()
                );
            }
        }
        if let Some((encoder, width)) = &meta {
            dump_out::write_meta(&out, encoder, *width, &detector)?;
        }
    }
    Ok(())
}
