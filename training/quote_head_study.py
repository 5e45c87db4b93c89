"""Headroom of the quote tagger's vector head: a logistic head (what shipped until 2026-12-04)
against a small MLP, on the same inputs, scored per token on PolNeAR.

The vector tagger's CRFs read a head's per-token logits for source, cue and content
(`crates/factcheck/src/quotes/vectors.rs`: a token's mean MPNet piece vector and its neighbour
on each side, standardised). Before a hidden layer was built into that head in Rust, this
measured what one would buy, where it would be measured: token F1 on the fixed fifth of PolNeAR
train that thresholds are chosen on (fold 0 by id hash), with the head fitted on folds 1-4, and
on PolNeAR dev. It is a PyTorch sketch of the Rust head, not a copy: its MLP has dropout 0.1,
its loss is the mean over the three roles, and it pads the ends with standardised zeros.

Inputs (made by the repo's own tools, nothing here is hand-labelled):

    cargo run --release -p unspin --example quote_vectors -- ../shared/data/quotes/polnear out/quote-vec-b1
    cargo run --release -p unspin-factcheck --example polnear -- labels out/qlabels
    .venv-train/bin/python training/quote_head_study.py out/quote-vec-b1 out/qlabels --hidden 16 32 64 256
    .venv-train/bin/python training/quote_head_study.py out/quote-vec-b1 out/qlabels --context 0 --hidden 64

(about 2 min for the first on 2 cores, 41 s of it loading). Prints token P / R / F1 per role
at logit 0 and at the best threshold on fold 0 (that threshold is then applied to dev
unchanged).
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from claims_embed import prf  # noqa: E402  (scores, gold, threshold) -> P, R, F1

ROLES = ["source", "cue", "content"]


def load(vdir, ldir, split, width, ids):
    xs, ys = [], []
    for i in ids:
        x = np.fromfile(os.path.join(vdir, split, i + ".f32"), dtype="<f4").reshape(-1, width)
        y = np.fromfile(os.path.join(ldir, split, i + ".labels"), dtype=np.uint8)
        if len(x) != len(y):
            sys.exit(f"{split}/{i}: {len(x)} vectors, {len(y)} labels")
        xs.append(x)
        ys.append(np.stack([(y >> r) & 1 for r in range(3)], 1).astype(np.float32))
    return xs, ys


def windows(xs, context, mean=0):
    """Each token's vector beside its `context` neighbours on each side, zeros past the ends;
    with `mean` > 0 also the mean of the tokens at most `mean` away (inside the text), a cheap
    stand-in for the sentence around the token."""
    out = []
    for x in xs:
        n, w = x.shape
        pad = np.zeros((n + 2 * context, w), np.float32)
        pad[context : context + n] = x
        parts = [pad[s : s + n] for s in range(2 * context + 1)]
        if mean > 0:
            c = np.concatenate([np.zeros((1, w)), np.cumsum(x, 0, dtype=np.float64)])
            lo = np.maximum(np.arange(n) - mean, 0)
            hi = np.minimum(np.arange(n) + mean + 1, n)
            parts.append(((c[hi] - c[lo]) / (hi - lo)[:, None]).astype(np.float32))
        out.append(np.concatenate(parts, 1))
    return np.concatenate(out)


def fit(model, x, y, epochs, lr, seed, batch=256, wd=0.0):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=wd)
    n = len(x)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    steps = epochs * ((n + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1 - s / steps)
    for _ in range(epochs):
        perm = torch.randperm(n)
        model.train()
        for k in range(0, n, batch):
            b = perm[k : k + batch]
            opt.zero_grad()
            loss = loss_fn(model(xt[b]), yt[b])
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    return model


def logits(model, x):
    with torch.no_grad():
        return torch.cat([model(torch.from_numpy(x[k : k + 8192])) for k in range(0, len(x), 8192)]).numpy()


def report(name, z_held, y_held, z_dev, y_dev):
    for r, role in enumerate(ROLES):
        gold = y_held[:, r] > 0.5
        at0 = prf(z_held[:, r], gold, 0.0)
        best = max((prf(z_held[:, r], gold, t)[2], t) for t in np.arange(-3, 3.01, 0.25))
        dev = prf(z_dev[:, r], y_dev[:, r] > 0.5, best[1])
        print(
            f"{name:<22} {role:<8} fold 0 at 0: P {at0[0]:.3f} R {at0[1]:.3f} F1 {at0[2]:.3f}"
            f" | best F1 {best[0]:.3f} at {best[1]:+.2f} | dev there: F1 {dev[2]:.3f}",
            flush=True,
        )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vectors")
    ap.add_argument("labels")
    ap.add_argument("--context", type=int, default=1)
    ap.add_argument("--mean", type=int, default=0, help="add the mean of the tokens at most this far away")
    ap.add_argument("--hidden", type=int, nargs="*", default=[16, 32, 64, 256])
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    width = json.load(open(os.path.join(a.vectors, "meta.json")))["width"]
    folds = dict(l.split("\t") for l in open(os.path.join(a.labels, "train", "folds.tsv")).read().split("\n") if l)
    fit_ids = sorted(i for i, f in folds.items() if f != "0")
    held_ids = sorted(i for i, f in folds.items() if f == "0")
    dev_ids = sorted(f[: -len(".labels")] for f in os.listdir(os.path.join(a.labels, "dev")) if f.endswith(".labels"))
    t0 = time.time()
    xf, yf = load(a.vectors, a.labels, "train", width, fit_ids)
    xh, yh = load(a.vectors, a.labels, "train", width, held_ids)
    xd, yd = load(a.vectors, a.labels, "dev", width, dev_ids)
    allf = np.concatenate(xf)
    mu, sd = allf.mean(0), allf.std(0) + 1e-4
    del allf
    norm = lambda xs: [(x - mu) / sd for x in xs]
    Xf, Xh, Xd = (windows(norm(x), a.context, a.mean) for x in (xf, xh, xd))
    Yf, Yh, Yd = (np.concatenate(y) for y in (yf, yh, yd))
    print(
        f"{len(fit_ids)} texts to fit ({len(Xf)} tokens), {len(held_ids)} on fold 0 ({len(Xh)}), "
        f"{len(dev_ids)} dev ({len(Xd)}); inputs {Xf.shape[1]}; loaded in {time.time() - t0:.0f} s",
        flush=True,
    )
    d = Xf.shape[1]
    models = [("logistic", lambda: torch.nn.Linear(d, 3), 1e-3)]
    for h in a.hidden:
        models.append(
            (
                f"mlp {h}",
                lambda h=h: torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.ReLU(), torch.nn.Dropout(0.1), torch.nn.Linear(h, 3)),
                1e-3,
            )
        )
    for name, make, lr in models:
        t = time.time()
        torch.manual_seed(a.seed)
        m = fit(make(), Xf, Yf, a.epochs, lr, a.seed, wd=1e-5)
        report(name, logits(m, Xh), Yh, logits(m, Xd), Yd)
        print(f"  ({time.time() - t:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
