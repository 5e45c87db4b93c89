//! Dumps every PTC training article's sentence vectors from a fine-tuned encoder, with whether
//! each sentence holds a gold span, so that a sentence-level "holds propaganda" classifier can
//! be tried as a gate on the decoding study's evidence (`training/sentence_gate.py`).
//!
//! ```sh
//! cargo run --release -p unspin --example dump_sentences -- models/ft-mpnet-holdout out/decode/sentences
//! ```
//!
//! Writes `OUT/rows.f32` (little-endian, one row per sentence with at least one word piece: the
//! mean of its pieces' vectors, as the claims model reads them), `OUT/meta.json` (encoder id,
//! width, backend) and `OUT/index.jsonl`, one line per row: `id`, `held` (in
//! `training/holdout.txt`), `tokens` (the sentence's token range, as `dump_evidence` writes
//! them) and `gold` (a gold SI span overlaps the sentence from its first token to its last,
//! the rule `training/decode_study.py` uses).

use anyhow::Result;
use std::io::Write;

#[path = "common/dump_out.rs"]
mod dump_out;
#[path = "common/held_out.rs"]
mod held_out;

fn main() -> Result<()> {
    let held_out::HeldOut {
        corpus,
        held,
        detector: tr,
        out,
    } = held_out::load("dump_sentences")?;
    std::fs::create_dir_all(&out)?;
    let mut rows = std::io::BufWriter::new(std::fs::File::create(out.join("rows.f32"))?);
    let mut index = std::io::BufWriter::new(std::fs::File::create(out.join("index.jsonl"))?);
    let mut width = 0;
    for (i, d) in corpus.docs.iter().enumerate() {
        let doc = &d.doc;
        let v = tr.piece_vectors(&*tr.encode(doc)?);
        width = v.width;
        for s in doc.sentences.iter().filter(|s| !s.tokens.is_empty()) {
            let Some(mean) = v.mean_within(s.span) else {
                continue;
            };
            rows.write_all(&dump_out::le_bytes(mean))?;
            let (a, b) = (
                doc.tokens[s.tokens.start].span.start,
                doc.tokens[s.tokens.end - 1].span.end,
            );
            let line = serde_json::json!({
                "id": doc.article.id,
                "held": held.contains(&doc.article.id),
                "tokens": [s.tokens.start, s.tokens.end],
                "gold": d.spans.iter().any(|g| g.start < b && a < g.end),
            });
            writeln!(index, "{line}")?;
        }
        if (i + 1) % 25 == 0 {
            eprintln!("{}/{}", i + 1, corpus.docs.len());
        }
    }
    rows.flush()?;
    index.flush()?;
    dump_out::write_meta(&out, tr.encoder_id(), width, &tr)
}
