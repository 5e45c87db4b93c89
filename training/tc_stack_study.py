"""Would a learned combiner name techniques better than the default's linear blend? A study on
the held-out split.

The default names a span's technique by the argmax of w·MPNet + (1 − w)·classical, w chosen by
`unspin validate`. This asks whether a small multinomial logistic regression over both models'
log-probabilities (optionally with per-technique offsets only) does better, cross-fitted like
`unspin validate`: fitted on one half of the 75 held-out articles' gold spans, scored on the
other, pooled. Accuracy over the gold spans is TC micro-F1 when every span gets one answer;
identical spans take the best techniques in turn.

    cargo run --release -p unspin --example dump_evidence -- models/ft-mpnet-holdout out/blend3/tc-ft-mpnet-holdout.jsonl
    .venv-train/bin/python training/tc_stack_study.py out/blend3/tc-ft-mpnet-holdout.jsonl

Measured 2026-12-04 (night), 1,577 gold spans: the linear blend 0.692; the blend plus one
offset per technique 0.690; the regression over both models' log-probabilities 0.659 / 0.685 /
0.682 at L2 0.1 / 0.01 / 0.001, and with span length, repetition count and a question mark
added 0.656 / 0.683 / 0.679. Nothing beats the blend, so nothing ships.
"""
import sys

import numpy as np

import claims_embed as ce  # its standardisation
from blend3_study import TECHNIQUES, right_in_turn
from decode_study import load

K = len(TECHNIQUES)


def rows(docs):
    """(article index, span key, gold index, classical scores, MPNet scores, span text)."""
    out = []
    for i, d in enumerate(docs):
        for a, b, tech, c, m in d["tc"]:
            out.append((i, (a, b), TECHNIQUES.index(tech), np.array(c), np.array(m), d["text"][a:b]))
    return out


def accuracy(rs, scores):
    """Gold spans right when each takes its best technique, identical spans the next best."""
    return right_in_turn(((r[0], r[1]), r[2], s) for r, s in zip(rs, scores))


def features(rs, docs):
    x = []
    for i, key, _, c, m, text in rs:
        t = docs[i]["text"].lower()
        reps = t.count(text.lower()) if text.strip() else 1
        x.append(np.concatenate([np.log(c + 1e-6), np.log(m + 1e-6),
                                 [np.log1p(len(text)), np.log(reps), float(text.rstrip().endswith("?"))]]))
    return np.array(x)


def fit_softmax(y, l2, z=None, base=None, steps=600, lr=0.5):
    """Multinomial logistic regression by full-batch gradient descent (Adam). Either weights
    over standardised features `z` plus an unpenalised bias, or, given `base` (logits), only
    one offset per technique on top of it, penalised too. Returns the parameters."""
    n = len(y)
    params = [np.zeros(K)] if base is not None else [np.zeros((z.shape[1], K)), np.zeros(K)]
    moments = [(0 * p, 0 * p) for p in params]
    yo = np.eye(K)[y]
    for t in range(1, steps + 1):
        logits = logits_of(params, z, base)
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        g = (p - yo) / n
        grads = [g.sum(0) + l2 * params[0]] if base is not None else [z.T @ g + l2 * params[0], g.sum(0)]
        for prm, grad, (m_, v_) in zip(params, grads, moments):
            m_[:] = 0.9 * m_ + 0.1 * grad
            v_[:] = 0.999 * v_ + 0.001 * grad * grad
            prm -= lr * 0.1 * (m_ / (1 - 0.9 ** t)) / (np.sqrt(v_ / (1 - 0.999 ** t)) + 1e-8)
    return params


def logits_of(params, z=None, base=None):
    return base + params[0] if base is not None else z @ params[0] + params[1]


def main():
    docs = load(sys.argv[1])
    rs_all = rows(docs)
    half = np.array([docs[r[0]]["half_a"] for r in rs_all])
    x_all = features(rs_all, docs)
    y_all = np.array([r[2] for r in rs_all])
    ws = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0]

    def mix(rs, w):
        return [w * r[4] + (1 - w) * r[3] for r in rs]

    names = ["blend", "blend+offsets"] + [f"lr(c,m{extra}) l2={l2}" for extra in ("", ",extra")
                                          for l2 in ("1e-1", "1e-2", "1e-3")]
    for name in names:
        right = total = 0
        for choose_a in (True, False):
            on = np.where(half == choose_a)[0]
            off = np.where(half != choose_a)[0]
            r_on = [rs_all[i] for i in on]
            r_off = [rs_all[i] for i in off]
            w = max(ws, key=lambda w: accuracy(r_on, mix(r_on, w)))
            if name == "blend":
                s = mix(r_off, w)
            elif name == "blend+offsets":
                base_on = np.log(np.array(mix(r_on, w)) + 1e-6)
                base_off = np.log(np.array(mix(r_off, w)) + 1e-6)
                params = fit_softmax(y_all[on], 1e-2, base=base_on)
                s = list(logits_of(params, base=base_off))
            else:
                l2 = float(name.split("l2=")[1])
                cols = slice(None) if "extra" in name else slice(0, 2 * K)
                (z_on, z_off), _ = ce.standardize(x_all[on][:, cols], x_all[off][:, cols])
                s = list(logits_of(fit_softmax(y_all[on], l2, z=z_on), z=z_off))
            right += accuracy(r_off, s)
            total += len(r_off)
        print(f"{name:28s} TC accuracy cross-fitted {right / total:.4f} ({right}/{total})", flush=True)


if __name__ == "__main__":
    main()
