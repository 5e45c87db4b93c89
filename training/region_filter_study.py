"""Would a second look at each decoded region raise SI F1? A region-level filter, measured.

46% of the default's predicted regions on the held-out split touch no gold span, and the
decoding keeps or drops a token run by its probabilities alone. A region has facts no token
has: its length, how much of its sentence it fills, whether the two models agree over all of
it, how strong the rest of its sentence and its article are. This study fits a logistic
regression on such facts to predict how much of a region is gold (the SI metric's precision
credit, a fraction used as a soft target) and drops the regions it scores below a cut.

Cross-fitted like `unspin validate` and `decode_study.py`: on one half of the 75 held-out
articles it chooses the decoding settings, fits the filter on the regions they give and
chooses the cut; the other half is scored once, and the two scored halves are pooled. The
baseline is the same decoding with no filter, chosen the same way.

    cargo run --release -p unspin --example dump_evidence -- models/ft-mpnet-holdout out/decode/evidence.jsonl
    ~/.cache/unspin/setup-venv/bin/python training/region_filter_study.py out/decode/evidence.jsonl

Needs numpy only (the setup script's venv has it).
"""
import math
import sys

import numpy as np

from decode_study import f1, load, merge, regions, si_counts

QUOTES = set('"“”‘’')


def blend(d, w):
    return [(1 - w) * c + w * t for c, t in zip(d["classical"], d["transformer"])]


def candidates(d, w, hi, lo, gap):
    """The decoded regions with their token ranges: (start, end, first token, end token)."""
    p = blend(d, w)
    out = []
    starts = {a: i for i, (a, _) in enumerate(d["tokens"])}
    ends = {b: i + 1 for i, (_, b) in enumerate(d["tokens"])}
    for a, b, _, _ in regions(d, p, hi, lo, gap):
        out.append((a, b, starts[a], ends[b]))
    return p, out


def features(d, p, regs):
    """One row per region; see the module docstring for why each is there."""
    sent_of = {}
    for k, (s, e) in enumerate(d["sentences"]):
        for t in range(s, e):
            sent_of[t] = k
    n = len(d["tokens"])
    art_mean = sum(p) / max(n, 1)
    density = len(regs) / max(n, 1) * 100
    tagged = d["tagged"]
    title_end = d["sentences"][0][1] if d["sentences"] else 0
    rows = []
    for a, b, i, j in regs:
        s, e = d["sentences"][sent_of[i]]
        pr = p[i:j]
        rest = p[s:i] + p[j:e]
        c = d["classical"][i:j]
        t = d["transformer"][i:j]
        text = d["text"][a:b]
        rows.append([
            sum(pr) / len(pr),
            max(pr),
            min(pr),
            sum(c) / len(c),
            sum(t) / len(t),
            min(sum(c) / len(c), sum(t) / len(t)),
            math.log1p(j - i),
            math.log1p(b - a),
            (j - i) / max(e - s, 1),
            math.log1p(e - s),
            max(rest) if rest else 0.0,
            float(i < title_end),
            float(any(ch in QUOTES for ch in text)),
            float(i == s),
            float(j >= e - 1),
            density,
            art_mean,
            i / max(n, 1),
            float(any(min(b, y) - max(a, x) > 0 for x, y in tagged)),
            float(text[:1].isupper()),
        ])
    return np.array(rows, dtype=np.float64).reshape(len(rows), 20)


def precision_credit(regs, gold):
    gold = merge(gold)
    return [sum(max(0, min(b, y) - max(a, x)) for x, y in gold) / (b - a) for a, b, _, _ in regs]


def fit(X, y, l2=1e-2, iters=60):
    """Logistic regression with soft targets, by Newton's method on standardised inputs."""
    mu, sd = X.mean(0), X.std(0) + 1e-9
    Z = np.hstack([(X - mu) / sd, np.ones((len(X), 1))])
    w = np.zeros(Z.shape[1])
    for _ in range(iters):
        q = 1 / (1 + np.exp(-Z @ w))
        g = Z.T @ (q - y) + l2 * np.r_[w[:-1], 0]
        H = (Z * (q * (1 - q))[:, None]).T @ Z + l2 * np.eye(len(w))
        w -= np.linalg.solve(H, g)
    return lambda X: 1 / (1 + np.exp(-np.hstack([(X - mu) / sd, np.ones((len(X), 1))]) @ w))


def tagged_spans(d, regs):
    # The classical taggers' spans join what the regions touch, as the decoder does.
    return [(a, b) for a, b in d["tagged"] if any(min(b, y) - max(a, x) > 0 for x, y, _, _ in regs)]


def score(docs, setting, model=None, cut=0.0):
    counts = []
    for d in docs:
        p, regs = d["cand"][setting]
        if model is not None and regs:
            keep = model(d["feat"][setting]) >= cut
            regs = [r for r, k in zip(regs, keep) if k]
        spans = [(a, b) for a, b, _, _ in regs] + tagged_spans(d, regs)
        counts.append(si_counts(spans, d["gold"]))
    return f1(counts)


def main():
    docs = load(sys.argv[1])
    grid = [(w, h, l, g) for w in (0.5, 0.7, 0.85) for h in (0.2, 0.25, 0.3, 0.35, 0.4)
            for l in (0.15, 0.2, 0.25, 0.3) if l <= h for g in (-1, 2, 3)]
    for d in docs:
        d["cand"] = {s: candidates(d, *s) for s in grid}
        d["feat"] = {s: features(d, *d["cand"][s]) for s in grid}
    cuts = [x / 100 for x in range(5, 80, 2)]
    base, filt, choices = [], [], []
    for choose_a in (True, False):
        on = [d for d in docs if d["half_a"] == choose_a]
        off = [d for d in docs if d["half_a"] != choose_a]
        best = max(grid, key=lambda s: score(on, s)[0])
        for d in off:
            p, regs = d["cand"][best]
            base.append(si_counts([(a, b) for a, b, _, _ in regs] + tagged_spans(d, regs), d["gold"]))
        # The filter: for each decoding setting, fit on this half's regions, choose the cut
        # here; keep the setting whose filtered F1 is best here.
        top = None
        for s in (grid if "--any-setting" in sys.argv else [best]):
            X = np.vstack([d["feat"][s] for d in on if d["cand"][s][1]])
            y = np.concatenate([precision_credit(d["cand"][s][1], d["gold"]) for d in on if d["cand"][s][1]])
            m = fit(X, np.array(y))
            for c in cuts:
                v = score(on, s, m, c)[0]
                if top is None or v > top[0]:
                    top = (v, s, m, c)
        _, s, m, c = top
        choices.append((best, s, c))
        for d in off:
            p, regs = d["cand"][s]
            if regs:
                keep = m(d["feat"][s]) >= c
                regs = [r for r, k in zip(regs, keep) if k]
            filt.append(si_counts([(a, b) for a, b, _, _ in regs] + tagged_spans(d, regs), d["gold"]))
    print("no filter, cross-fitted F1 / P / R:", f1(base))
    print("region filter, cross-fitted F1 / P / R:", f1(filt))
    print("choices (decoding without filter; with filter; cut):", choices)
    # Which facts carry weight: one fit on all 75 at the shipped neighbourhood, for reading only.
    s = (0.7, 0.35, 0.25, 2)
    if s in grid:
        X = np.vstack([features(d, *d["cand"][s]) for d in docs if d["cand"][s][1]])
        y = np.concatenate([precision_credit(d["cand"][s][1], d["gold"]) for d in docs if d["cand"][s][1]])
        print(f"{len(y)} regions at {s}; mean precision credit {np.mean(y):.3f}; "
              f"share touching no gold {np.mean(np.array(y) == 0):.3f}")


if __name__ == "__main__":
    main()
