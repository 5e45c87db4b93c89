"""A sentence-level gate built for real: does a "holds propaganda" classifier on the fine-tuned
MPNet's sentence vectors raise SI on the held-out split? (Measured 2026-12-04: no.)

A logistic regression on each sentence's mean piece vector, trained on the 296 training
articles (L2 and threshold by 5-fold CV grouped by article), scores the 75 held-out articles'
sentences; their tokens in the ensemble's dumped evidence are then scaled by
`floor + (1 - floor) * p(sentence)` or mixed with it, and decoded as in decode_study.py, with
every setting cross-fitted (chosen on one half of the held-out articles, scored on the other).

    cargo run --release -p unspin --example dump_evidence -- models/ft-mpnet-holdout out/decode/evidence.jsonl
    cargo run --release -p unspin --example dump_sentences -- models/ft-mpnet-holdout out/decode/sentences   # 7 min
    .venv-train/bin/python training/sentence_gate.py out/decode/evidence.jsonl out/decode/sentences   # 2 min
"""
import json
import sys

import numpy as np
import torch

import claims_embed as ce  # its logistic regression and standardisation
import decode_study as ds  # its evidence reader, decoding grid, cross-fitting and SI metric

torch.set_num_threads(1)
evidence, dump = sys.argv[1], sys.argv[2]
index = [json.loads(line) for line in open(f"{dump}/index.jsonl")]
width = json.load(open(f"{dump}/meta.json"))["width"]
x = np.fromfile(f"{dump}/rows.f32", dtype="<f4").reshape(len(index), width)
y = np.array([r["gold"] for r in index])
held = np.array([r["held"] for r in index])
train = ~held

# L2 and threshold by 5-fold CV over the training articles, grouped by article.
ids = sorted({r["id"] for r in index if not r["held"]})
fold_of = {a: k % 5 for k, a in enumerate(np.random.default_rng(7).permutation(ids))}
fold = np.array([fold_of.get(r["id"], -1) for r in index])
best = None
for l2 in (1e-3, 1e-2, 1e-1, 1.0):
    oof = np.zeros(len(index), np.float32)
    for k in range(5):
        a, b = train & (fold != k), train & (fold == k)
        (xa, xb), _ = ce.standardize(x[a], x[b])
        oof[b] = ce.predict(ce.fit_lr(xa, y[a], l2, 1.0), xb)
    acc, t = max((((oof[train] >= t) == y[train]).mean(), t) for t in np.arange(0.05, 0.95, 0.01))
    print(f"l2 {l2}: CV accuracy {acc:.3f} at {t:.2f}", flush=True)
    if best is None or acc > best[0]:
        best = (acc, t, l2)
_, t, l2 = best
(xa, xh), _ = ce.standardize(x[train], x[held])
p = ce.predict(ce.fit_lr(xa, y[train], l2, 1.0), xh)
print(f"held-out sentences: accuracy {((p >= t) == y[held]).mean():.3f} at the CV threshold {t:.2f} "
      f"(base rate {y[held].mean():.2f})")
p_sentence = {(r["id"], tuple(r["tokens"])): q for r, q in zip([r for r in index if r["held"]], p)}


def gated(d, floor, mix):
    """The article's evidence with each sentence's tokens scaled by floor + (1 - floor)·p and
    mixed with p."""
    c, tt = list(d["classical"]), list(d["transformer"])
    for s, en in d["sentences"]:
        q = p_sentence.get((d["id"], (s, en)))
        if q is None:
            continue
        f = floor + (1 - floor) * q
        for i in range(s, en):
            c[i] = (1 - mix) * c[i] * f + mix * q
            tt[i] = (1 - mix) * tt[i] * f + mix * q
    return dict(d, classical=c, transformer=tt)


gates = [(1.0, 0.0), (0.3, 0.0), (0.6, 0.0), (1.0, 0.15), (1.0, 0.3)]
docs = [dict(d, gated={g: gated(d, *g) for g in gates}) for d in ds.load(evidence)]


def decode(d, gate, *settings):
    return ds.predict(d["gated"][gate], *settings)


for g in gates:
    print("gate floor %.1f, mix %.2f:" % g, ds.crossfit(docs, [(g,) + s for s in ds.GATE_GRID], decode)[0], flush=True)
score, choices = ds.crossfit(docs, [(g,) + s for g in gates for s in ds.GATE_GRID], decode)
print("gate and decoding chosen together on each half:", score, "chose", [c[0] for c in choices])
