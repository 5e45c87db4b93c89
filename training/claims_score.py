#!/usr/bin/env python3
"""Scores the shipped claims model (models/claims-vectors.json) on a claim_vectors dump with the
formula unspin runs (weights with the standardisation folded in, the stored threshold): how the
model fares on vectors from another backend (int8 onnxruntime) without retraining, and a check
that the written file reproduces the trainer's scores.

    training/claims_score.py DUMP_DIR [--ngram-dir DIR]    # from the repository root

Prints P / R / F1 of Yes on the held-out 20% of train.tsv (training/claims-holdout.txt) and on
dev.tsv. A stacked model (version 2, `claims_embed.py --stack`) also reads the n-gram model's
logit. Here, as in training, that comes from an n-gram model trained on the sentences outside
the held-out fifth (with the Rust `claims` example, built by `cargo build --release -p
unspin-factcheck --example claims`; about 2 s, work files in DIR, default DUMP_DIR/ngram), not
from the shipped one, which saw the held-out sentences.
"""
import argparse
import json
from pathlib import Path

import numpy as np

import claims_embed  # its TSV reader, n-gram logits and P/R/F1, as the trainer scores

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("dump")
ap.add_argument("--ngram-dir", default=None, help="work files of the n-gram model (default DUMP/ngram)")
ap.add_argument("--claims-bin", default=str(claims_embed.ROOT / "target/release/examples/claims"))
args = ap.parse_args()
vdir = Path(args.dump)
m = json.loads(Path("models/claims-vectors.json").read_text())
w = np.array(m["weights"], dtype=np.float64)
b, t = m["bias"], m["threshold"]
meta = json.loads((vdir / "meta.json").read_text())
held = set(Path("training/claims-holdout.txt").read_text().split())
train = claims_embed.read_tsv("../shared/data/checkworthy/train.tsv")
dev = claims_embed.read_tsv("../shared/data/checkworthy/dev.tsv")
held_rows = [r for r in train if r[0] in held]
extra = {"held-out train": 0.0, "dev": 0.0}
if m["version"] == 2:
    fit_rows = [r for r in train if r[0] not in held]
    _, gh, gd = claims_embed.ngram_logits(Path(args.ngram_dir or vdir / "ngram"), fit_rows, held_rows, dev,
                                          args.claims_bin, out_of_fold=False)
    for name, g, rows in (("held-out train", gh, held_rows), ("dev", gd, dev)):
        extra[name] = (m["ngram_weight"] * g.astype(np.float64)
                       + m["words_weight"] * claims_embed.log_words(rows)[:, 0])
for name, split, rows in (("held-out train", "train", held_rows), ("dev", "dev", dev)):
    all_rows = train if split == "train" else dev
    ids = (vdir / f"{split}.ids").read_text().split()
    assert ids == [r[0] for r in all_rows], f"{vdir}/{split}.ids: not the rows of {split}.tsv"
    x = np.fromfile(vdir / f"{split}.f32", dtype="<f4").reshape(len(all_rows), meta["width"]).astype(np.float64)
    sel = np.array([r[0] in held for r in all_rows]) if split == "train" else np.ones(len(all_rows), bool)
    p = 1 / (1 + np.exp(-(x[sel] @ w + b + extra[name])))
    y = np.array([r[2] for r in rows])
    pr, rc, f1 = claims_embed.prf(p, y, t)
    print(f"{name}: P {pr:.3f} R {rc:.3f} F1 {f1:.3f} ({sel.sum()} sentences)")
