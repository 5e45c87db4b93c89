"""Scores the shipped claims model (models/claims-vectors.json) on a claim_vectors dump, as unspin
would at run time (weights with the standardisation folded in, the stored threshold): how the
model fares on vectors from another backend (int8 onnxruntime) without retraining.

    python training/claims_score.py DUMP_DIR      # from the repository root

Prints P / R / F1 of Yes on the held-out 20% of train.tsv (training/claims-holdout.txt) and on
dev.tsv.
"""
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import claims_embed  # noqa: E402  (its TSV reader and P/R/F1, as the trainer scores)

vdir = Path(sys.argv[1])
m = json.loads(Path("models/claims-vectors.json").read_text())
w = np.array(m["weights"], dtype=np.float64)
b, t = m["bias"], m["threshold"]
meta = json.loads((vdir / "meta.json").read_text())
held = set(Path("training/claims-holdout.txt").read_text().split())
for name in ("train", "dev"):
    rs = claims_embed.read_tsv(f"../shared/data/checkworthy/{name}.tsv")
    ids = (vdir / f"{name}.ids").read_text().split()
    assert ids == [r[0] for r in rs], f"{vdir}/{name}.ids: not the rows of {name}.tsv"
    x = np.fromfile(vdir / f"{name}.f32", dtype="<f4").reshape(len(rs), meta["width"]).astype(np.float64)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    y = np.array([r[2] for r in rs])
    sel = np.array([r[0] in held for r in rs]) if name == "train" else np.ones(len(rs), bool)
    pr, rc, f1 = claims_embed.prf(p[sel], y[sel], t)
    label = "held-out train" if name == "train" else "dev"
    print(f"{label}: P {pr:.3f} R {rc:.3f} F1 {f1:.3f} ({sel.sum()} sentences)")
