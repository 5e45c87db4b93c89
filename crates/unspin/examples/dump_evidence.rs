//! Dumps the default ensemble's token evidence on the held-out split, so that span decoding
//! (thresholds, hysteresis, gap filling, a CRF over token probabilities) can be studied without
//! encoding the articles again. The classical model is retrained without the held-out articles,
//! as `unspin validate` does; the transformer must come from a run that excluded them.
//!
//! ```sh
//! cargo run --release -p unspin --example dump_evidence -- models/ft-mpnet-holdout out/evidence.jsonl
//! ```
//!
//! One JSON line per held-out article: `id`, `half_a` (validate's cross-fitting half),
//! `tokens` (code-point spans), `sentences` (token ranges), `classical` and `transformer`
//! (P(inside) per token), `tagged` (the classical taggers' spans), `gold` (SI spans) and `tc`:
//! per gold technique span, `[start, end, technique, classical scores, transformer scores]`
//! (scores in `Technique::ALL` order), what TC decides on.

use anyhow::Result;
use std::io::Write;
use unspin::classical::{self, TrainDoc, TrainOptions};

#[path = "common/held_out.rs"]
mod held_out;

fn main() -> Result<()> {
    let h = held_out::load("dump_evidence")?;
    let (corpus, held, tr) = (&h.corpus, &h.held, &h.detector);
    let (train, test): (Vec<&TrainDoc>, Vec<&TrainDoc>) = corpus
        .docs
        .iter()
        .partition(|d| !held.contains(&d.doc.article.id));
    let owned: Vec<TrainDoc> = train.iter().map(|d| (*d).clone()).collect();
    eprintln!("training the classical model on {} articles", owned.len());
    let options = TrainOptions {
        seed: 42,
        ..TrainOptions::default()
    };
    let classical = classical::train(&owned, &options, "evidence dump");
    // validate's halves: the same seeded shuffle.
    let mut order: Vec<usize> = (0..test.len()).collect();
    classical::rng::SplitMix::new(42).shuffle(&mut order);
    let half_a: std::collections::BTreeSet<usize> =
        order[..test.len() / 2].iter().copied().collect();
    let mut w = std::io::BufWriter::new(std::fs::File::create(&h.out)?);
    for (i, d) in test.iter().enumerate() {
        let doc = &d.doc;
        let enc = tr.encode(doc)?;
        let pt = tr.token_probabilities(doc, &enc)?;
        let view = classical.view(doc);
        let ev = view.evidence();
        let tc_spans: Vec<_> = d.techniques.iter().map(|(s, _)| *s).collect();
        let tc_classical = view.classify(&tc_spans);
        let tc_transformer = tr.classify_encoded(&enc, &tc_spans)?;
        let tc: Vec<_> = d
            .techniques
            .iter()
            .zip(tc_classical.iter().zip(&tc_transformer))
            .map(|((s, t), (c, x))| serde_json::json!([s.start, s.end, t.name(), c, x]))
            .collect();
        let line = serde_json::json!({
            "id": doc.article.id,
            "half_a": half_a.contains(&i),
            "tokens": doc.tokens.iter().map(|t| [t.span.start, t.span.end]).collect::<Vec<_>>(),
            "sentences": doc.sentences.iter().map(|s| [s.tokens.start, s.tokens.end]).collect::<Vec<_>>(),
            "classical": ev.si,
            "transformer": pt,
            "tagged": ev.tagged.iter().map(|s| [s.start, s.end]).collect::<Vec<_>>(),
            "gold": d.spans.iter().map(|s| [s.start, s.end]).collect::<Vec<_>>(),
            "tc": tc,
        });
        writeln!(w, "{line}")?;
        eprintln!("{}/{}", i + 1, test.len());
    }
    w.flush()?;
    Ok(())
}
