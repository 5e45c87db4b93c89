"""Scores the shipped claims model (models/claims-vectors.json) on a claim_vectors dump, as unspin
would at run time (weights with the standardisation folded in, the stored threshold): how the
model fares on vectors from another backend (int8 onnxruntime) without retraining.

    python training/claims_score.py DUMP_DIR      # from the repository root

Prints P / R / F1 of Yes on the held-out 20% of train.tsv (training/claims-holdout.txt) and on
dev.tsv.
"""
import json, sys
import numpy as np
from pathlib import Path
vdir = Path(sys.argv[1])
m = json.loads(Path("models/claims-vectors.json").read_text())
w = np.array(m["weights"], dtype=np.float64); b = m["bias"]; t = m["threshold"]
meta = json.loads((vdir / "meta.json").read_text())
sys.path.insert(0, str(Path(__file__).resolve().parent))
def rows(name):
    import claims_embed
    return [(r[0], r[2]) for r in claims_embed.read_tsv(f"../shared/data/checkworthy/{name}.tsv")]
held = set(Path("training/claims-holdout.txt").read_text().split())
for name in ("train", "dev"):
    rs = rows(name)
    ids = (vdir / f"{name}.ids").read_text().split()
    assert ids == [r[0] for r in rs]
    x = np.fromfile(vdir / f"{name}.f32", dtype="<f4").reshape(len(rs), meta["width"]).astype(np.float64)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    y = np.array([r[1] for r in rs])
    sel = np.array([r[0] in held for r in rs]) if name == "train" else np.ones(len(rs), bool)
    pred = p[sel] >= t; yy = y[sel]
    tp = (pred & yy).sum(); P = tp / max(pred.sum(), 1); R = tp / max(yy.sum(), 1)
    print(f"{'held-out train' if name == 'train' else 'dev'}: P {P:.3f} R {R:.3f} F1 {2*P*R/max(P+R,1e-9):.3f} ({sel.sum()} sentences)")
