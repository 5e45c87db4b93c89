"""A sentence-level gate built for real: does a "holds propaganda" classifier on the fine-tuned
MPNet's sentence vectors raise SI on the held-out split? (Measured 2026-12-04: no.)

A logistic regression on each sentence's mean piece vector, trained on the 296 training
articles (L2 and threshold by 5-fold CV grouped by article), scores the 75 held-out articles'
sentences; their tokens in the ensemble's dumped evidence are then scaled by
`floor + (1 - floor) * p(sentence)` or mixed with it, and decoded as in decode_study.py, with
every setting cross-fitted (chosen on one half of the held-out articles, scored on the other).

    cargo run --release -p unspin --example dump_evidence -- models/ft-mpnet out/decode/evidence.jsonl
    cargo run --release -p unspin --example dump_sentences -- models/ft-mpnet out/decode/sentences   # 7 min
    .venv-train/bin/python training/sentence_gate.py out/decode/evidence.jsonl out/decode/sentences   # 2 min
"""
import json
import sys

import numpy as np
import torch

import claims_embed as ce  # its logistic regression and standardisation
import decode_study as ds  # its evidence reader, decoding and SI metric

torch.set_num_threads(1)
EVIDENCE, D = sys.argv[1], sys.argv[2]
idx = [json.loads(l) for l in open(f"{D}/index.jsonl")]
X = np.fromfile(f"{D}/rows.f32", dtype="<f4").reshape(len(idx), 768)
y = np.array([r["gold"] for r in idx]); held = np.array([r["held"] for r in idx])
tr = ~held
# choose L2 by 5-fold CV over training articles (grouped by article)
ids = sorted({r["id"] for r in idx if not r["held"]})
fold_of = {a: k % 5 for k, a in enumerate(np.random.default_rng(7).permutation(ids))}
folds = np.array([fold_of.get(r["id"], -1) for r in idx])
best = None
for l2 in (1e-3, 1e-2, 1e-1, 1.0):
    oof = np.zeros(len(idx), np.float32)
    for k in range(5):
        a, b = tr & (folds != k), tr & (folds == k)
        (xa, xb), _ = ce.standardize(X[a], X[b])
        oof[b] = ce.predict(ce.fit_lr(xa, y[a], l2, 1.0), xb)
    acc = max((((oof[tr] >= t) == y[tr]).mean(), t) for t in np.arange(0.05, 0.95, 0.01))
    print(f"l2 {l2}: CV accuracy {acc[0]:.3f} at {acc[1]:.2f}", flush=True)
    if best is None or acc[0] > best[0]: best = (acc[0], acc[1], l2)
_, t, l2 = best
(xa, xh), _ = ce.standardize(X[tr], X[held])
p = ce.predict(ce.fit_lr(xa, y[tr], l2, 1.0), xh)
print(f"held-out sentences: accuracy {((p >= t) == y[held]).mean():.3f} at the CV threshold {t:.2f} (base rate {y[held].mean():.2f})")
ps = {(r["id"], tuple(r["tokens"])): q for r, q in zip([r for r in idx if r["held"]], p)}
docs = ds.load(EVIDENCE)
W = [0.5, 0.7, 0.85]; TH = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45]
grid = [(w, h, l, g) for w in W for h in TH for l in TH if l <= h for g in (-1, 2, 3)]
def gated(lo, mix):
    out = []
    for d in docs:
        c, tt = list(d["classical"]), list(d["transformer"])
        for s, en in d["sentences"]:
            q = ps.get((d["id"], (s, en)))
            if q is None: continue
            f = lo + (1 - lo) * q
            for i in range(s, en):
                c[i] = (1 - mix) * c[i] * f + mix * q
                tt[i] = (1 - mix) * tt[i] * f + mix * q
        out.append(dict(d, classical=c, transformer=tt))
    return out
variants = {(1.0, 0.0): gated(1.0, 0.0)}
for lo in (0.3, 0.6): variants[(lo, 0.0)] = gated(lo, 0.0)
for mix in (0.15, 0.3): variants[(1.0, mix)] = gated(1.0, mix)
for k, v in variants.items(): print("gate floor %.1f, mix %.2f:" % k, ds.crossfit(v, grid, ds.predict)[0], flush=True)
# the gate settings chosen on one half too
allg = [(k, g) for k in variants for g in grid]
def fn(d, k, g): return ds.predict(d, *g)
pooled = []
for choose_a in (True, False):
    bestk = max(allg, key=lambda kg: ds.f1([ds.si_counts(ds.predict(dd, *kg[1]), dd["gold"]) for dd in variants[kg[0]] if dd["half_a"] == choose_a])[0])
    print("half", choose_a, "chose", bestk)
    pooled += [ds.si_counts(ds.predict(dd, *bestk[1]), dd["gold"]) for dd in variants[bestk[0]] if dd["half_a"] != choose_a]
print("gate and decoding cross-fitted together:", ds.f1(pooled))
