#!/usr/bin/env python3
"""Two measurements around the shipped claims stack (training/README.md, "Measured since, not
shipped"), on the split and vectors of `claims_embed.py --stack`:

    training/claims_studies.py second-vector [KIND...]   # default: mp+st ml+st mp+ml+st ml
    training/claims_studies.py debate-blocks [BLOCK]     # default: 1000

`second-vector` asks whether a sentence encoded alone by the base all-MiniLM-L6-v2 adds to the
stack: KIND joins inputs with "+": mp (the detector's in-context MPNet sentence means,
out/int8/claims-vec from the `claim_vectors` example), ml (MiniLM sentence means,
out/claims-emb/minilm-base from `claims_embed.py --encoder minilm`), st (the out-of-fold n-gram
logit and ln(1 + words)). L2 and threshold by claims_embed's 5-fold CV on the fit sentences.

`debate-blocks` holds out blocks of BLOCK consecutive sentence ids (ids run in debate order;
five folds, every fifth block) instead of random sentences, for the n-gram model (threshold by
its own fold's best) and the stack (the shipped L2 0.01 and threshold 0.32).

Needs the .venv-train Python (torch) and `cargo build --release -p unspin-factcheck --example
claims`. Work files go to out/claims-studies/.
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import claims_embed as ce  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared/data/checkworthy"
WORK = ROOT / "out/claims-studies"
CLAIMS_BIN = ROOT / "target/release/examples/claims"


def mpnet(name):
    return np.fromfile(ROOT / f"out/int8/claims-vec/{name}.f32", dtype="<f4").reshape(-1, 768)


def second_vector(kinds):
    train, dev = ce.read_tsv(DATA / "train.tsv"), ce.read_tsv(DATA / "dev.tsv")
    held = set((ROOT / "training/claims-holdout.txt").read_text().split())
    fit_rows = [r for r in train if r[0] not in held]
    held_rows = [r for r in train if r[0] in held]
    index = {r[0]: i for i, r in enumerate(train)}
    fi, hi = [index[r[0]] for r in fit_rows], [index[r[0]] for r in held_rows]
    vec = {"mp": {n: mpnet(n) for n in ("train", "dev")},
           "ml": {n: np.load(ROOT / f"out/claims-emb/minilm-base/{n}.npy") for n in ("train", "dev")}}
    g = ce.ngram_logits(WORK / "ngram", fit_rows, held_rows, dev, CLAIMS_BIN)
    st = [np.concatenate([gx[:, None], ce.log_words(rows)], 1) for gx, rows in zip(g, (fit_rows, held_rows, dev))]
    ys = [np.array([r[2] for r in rows]) for rows in (fit_rows, held_rows, dev)]
    for kind in kinds:
        parts = [st if k == "st" else (vec[k]["train"][fi], vec[k]["train"][hi], vec[k]["dev"])
                 for k in kind.split("+")]
        xf, xh, xd = (np.concatenate([p[i] for p in parts], 1) for i in range(3))
        f_cv, l2, yw, t = ce.choose(xf, ys[0])
        (xf, xh, xd), _ = ce.standardize(xf, xh, xd)
        m = ce.fit_lr(xf, ys[0], l2, yw)
        (hp, hr, hf), (_, _, df) = (ce.prf(ce.predict(m, x), y, t) for x, y in ((xh, ys[1]), (xd, ys[2])))
        print(f"{kind}: CV F1 {f_cv:.3f} (L2 {l2:g}, threshold {t:.2f}) | held-out P {hp:.3f} R {hr:.3f} "
              f"F1 {hf:.3f} | dev F1 {df:.3f}", flush=True)


def debate_blocks(block):
    train = ce.read_tsv(DATA / "train.tsv")
    vec = mpnet("train")
    res = []
    for k in range(5):
        held = [i for i, r in enumerate(train) if (int(r[0]) // block) % 5 == k]
        hs = set(held)
        fit = [i for i in range(len(train)) if i not in hs]
        fr, hr = [train[i] for i in fit], [train[i] for i in held]
        gf, gh, _ = ce.ngram_logits(WORK / f"blocks{k}", fr, hr, hr[:1], CLAIMS_BIN)
        yf, yh = np.array([r[2] for r in fr]), np.array([r[2] for r in hr])
        xf = np.concatenate([vec[fit], gf[:, None], ce.log_words(fr)], 1)
        xh = np.concatenate([vec[held], gh[:, None], ce.log_words(hr)], 1)
        (xf, xh), _ = ce.standardize(xf, xh)
        p = ce.predict(ce.fit_lr(xf, yf, 0.01, 1.0), xh)
        sig = lambda z: 1 / (1 + np.exp(-z))
        t_ng, _ = ce.best_threshold(sig(gf), yf)
        f_ng, f_st = ce.prf(sig(gh), yh, t_ng)[2], ce.prf(p, yh, 0.32)[2]
        res.append((f_ng, f_st))
        print(f"fold {k}: {len(held)} held out (Yes {yh.mean():.2f}); n-gram F1 {f_ng:.3f}, stack F1 {f_st:.3f}", flush=True)
    print("blocks of %d ids: mean n-gram F1 %.3f, stack F1 %.3f" % ((block,) + tuple(np.mean(res, 0))))


if __name__ == "__main__":
    what, rest = (sys.argv[1] if len(sys.argv) > 1 else ""), sys.argv[2:]
    if what == "second-vector":
        second_vector(rest or ["mp+st", "ml+st", "mp+ml+st", "ml"])
    elif what == "debate-blocks" and len(rest) <= 1:
        debate_blocks(int(rest[0]) if rest else 1000)
    else:
        sys.exit(__doc__)
