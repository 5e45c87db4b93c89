#!/usr/bin/env python3
"""Headroom of a hidden layer in the check-worthy claims model, measured before building one.

The shipped claims model (`models/claims-vectors.json`, `training/claims_embed.py --stack`) is a
logistic regression over a sentence's mean MPNet vector, the hashed n-gram model's logit and
ln(1 + words). The quote tagger's vector head gained 4-5 points of token F1 from 32 hidden
units; this asks the same of the claims model, on the same inputs, split and rules:
`training/claims-holdout.txt` (a fixed fifth of CheckThat! 2024 train) is scored, and each
model's threshold comes from 5-fold cross-validation on the other four fifths (the folds of
`claims_embed.choose`), never from the scored predictions. Dev is reported too.

    .venv-train/bin/python training/claims_mlp_study.py --vectors out/claims-vec-b1

(the vectors from `cargo run --release -p unspin --example claim_vectors`; the n-gram logits
are retrained as `claims_embed.py --stack` does, which needs
`cargo build --release -p unspin-factcheck --example claims`).
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import claims_embed as ce  # noqa: E402
import quote_head_study as qh  # noqa: E402


def fit_mlp(x, y, hidden, wd, epochs, seed, lr=1e-3, batch=128):
    """One hidden layer, trained by quote_head_study's loop (Adam, linear decay); returns a
    scoring function."""
    torch.manual_seed(seed)
    m = torch.nn.Sequential(torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
    qh.fit(m, x, y[:, None].astype(np.float32), epochs, lr, seed, batch=batch, wd=wd)
    return lambda z: torch.sigmoid(m(torch.from_numpy(z))[:, 0]).detach().numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--data", default=str(ce.ROOT.parent / "shared/data/checkworthy"))
    ap.add_argument("--hidden", type=int, nargs="*", default=[16, 64])
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--wd", type=float, nargs="*", default=[1e-4, 1e-3])
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    data = Path(a.data)
    train, dev = ce.read_tsv(data / "train.tsv"), ce.read_tsv(data / "dev.tsv")
    held = set((ce.ROOT / "training/claims-holdout.txt").read_text().split())
    fit_rows = [r for r in train if r[0] not in held]
    held_rows = [r for r in train if r[0] in held]
    vdir = Path(a.vectors)
    width = json.loads((vdir / "meta.json").read_text())["width"]
    vecs = {}
    for name, rows in (("train", train), ("dev", dev)):
        ids = (vdir / f"{name}.ids").read_text().split()
        assert ids == [r[0] for r in rows]
        vecs[name] = np.fromfile(vdir / f"{name}.f32", dtype="<f4").reshape(len(rows), width)
    index = {r[0]: i for i, r in enumerate(train)}
    xf = vecs["train"][[index[r[0]] for r in fit_rows]]
    xh = vecs["train"][[index[r[0]] for r in held_rows]]
    xd = vecs["dev"]
    yf, yh, yd = (np.array([r[2] for r in rows]) for rows in (fit_rows, held_rows, dev))
    g = ce.ngram_logits(Path("out/claims-mlp-study/ngram"), fit_rows, held_rows, dev, ce.ROOT / "target/release/examples/claims")
    xf, xh, xd = (np.concatenate([x, gx[:, None], ce.log_words(rows)], 1) for x, gx, rows in zip((xf, xh, xd), g, (fit_rows, held_rows, dev)))

    def report(name, make):
        t0 = time.time()
        t, f_cv = ce.best_threshold(ce.out_of_fold(xf, yf, make), yf)
        (xf_s, xh_s, xd_s), _ = ce.standardize(xf, xh, xd)
        m = make(xf_s, yf)
        ph, pd = m(xh_s), m(xd_s)
        h, d = ce.prf(ph, yh, t), ce.prf(pd, yd, t)
        print(f"{name:<28} cv F1 {f_cv:.3f} at {t:.2f} | held-out P {h[0]:.3f} R {h[1]:.3f} F1 {h[2]:.3f} | dev F1 {d[2]:.3f} ({time.time() - t0:.0f} s)", flush=True)

    # The shipped model's choice: L2 chosen by claims_embed.choose (logged by ship.sh); the shipped one was 3e-3.
    for l2 in (3e-3,):
        report(f"logistic l2 {l2:g}", lambda x, y, l2=l2: lambda z, m=ce.fit_lr(x, y, l2, 1.0): ce.predict(m, z))
    for h in a.hidden:
        for wd in a.wd:
            report(f"mlp {h} wd {wd:g}", lambda x, y, h=h, wd=wd: fit_mlp(x, y, h, wd, a.epochs, 42))


if __name__ == "__main__":
    main()
