"""Span-decoding study on the held-out split: how token probabilities become SI spans.

Reads the evidence `crates/unspin/examples/dump_evidence.rs` dumps (the default ensemble's two
token signals on the 75 held-out articles of training/holdout.txt) and scores decoding rules
with the SemEval SI metric, cross-fitted like `unspin validate`: settings chosen on one half of
the articles, scored on the other, pooled. The rule that won (hysteresis plus joining) is what
`unspin_core::regions` implements; `unspin validate` then chose its settings in Rust.

    cargo run --release -p unspin --example dump_evidence -- models/ft-mpnet-holdout out/decode/evidence.jsonl
    python3 training/decode_study.py out/decode/evidence.jsonl            # rules, about 2 min
    .venv-train/bin/python training/decode_study.py out/decode/evidence.jsonl --smoother   # + learned smoother (torch)
    python3 training/decode_study.py out/decode/evidence.jsonl --sentence-gate   # headroom of a sentence classifier, 2 min
"""
import json
import os
import sys


DATA = os.path.join(os.environ.get("UNSPIN_DATA", "../shared/data"), "ptc-train")
CLAUSE = set('.,;:!?()[]"“”‘…—–')
EDGE = set(".,;:-—–()")


def load(path):
    docs = []
    for line in open(path):
        d = json.loads(line)
        d["text"] = open(f"{DATA}/articles/article{d['id']}.txt", encoding="utf-8", newline="").read()
        d["tt"] = [d["text"][a:b] for a, b in d["tokens"]]
        docs.append(d)
    return docs


def merge(spans):
    out = []
    for a, b in sorted(spans):
        if a >= b:
            continue
        if out and a < out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def si_counts(pred, gold):
    """Returns (sum precision credit, n pred, sum recall credit, n gold) for one article."""
    pred, gold = merge(pred), merge(gold)
    ps = rs = 0.0
    for a, b in pred:
        for c, d in gold:
            o = min(b, d) - max(a, c)
            if o > 0:
                ps += o / (b - a)
                rs += o / (d - c)
    return ps, len(pred), rs, len(gold)


def f1(counts):
    ps = sum(c[0] for c in counts)
    npred = sum(c[1] for c in counts)
    rs = sum(c[2] for c in counts)
    ngold = sum(c[3] for c in counts)
    p = ps / npred if npred else 0.0
    r = rs / ngold if ngold else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def snap(d, a, b, lo, hi):
    toks = d["tokens"]
    glued = lambda i: toks[i][1] == toks[i + 1][0]
    word = lambda i: d["tt"][i] not in CLAUSE
    while a > lo and glued(a - 1) and word(a - 1) and word(a):
        a -= 1
    while b < hi and glued(b - 1) and word(b) and word(b - 1):
        b += 1
    return a, b


def regions(d, p, hi, lo, gap):
    """Runs seeded by tokens >= hi, grown over neighbours >= lo, within a sentence; runs at most
    `gap` tokens apart (in one sentence) are joined."""
    out = []
    for s, e in d["sentences"]:
        runs = []
        i = s
        while i < e:
            if p[i] < lo:
                i += 1
                continue
            j = i
            while j < e and p[j] >= lo:
                j += 1
            if max(p[i:j]) >= hi:
                runs.append([i, j])
            i = j
        joined = []
        for r in runs:
            if joined and r[0] - joined[-1][1] <= gap:
                joined[-1][1] = r[1]
            else:
                joined.append(r)
        for i, j in joined:
            a, b = snap(d, i, j, s, e)
            while a < b and d["tt"][a] in EDGE:
                a += 1
            while b > a and d["tt"][b - 1] in EDGE:
                b -= 1
            if a < b:
                conf = sum(p[a:b]) / (b - a)
                out.append((d["tokens"][a][0], d["tokens"][b - 1][1], conf, b - a))
    return out


def predict(d, w, hi, lo, gap, minconf=0.0, tagged=True):
    p = [(1 - w) * c + w * t for c, t in zip(d["classical"], d["transformer"])]
    regs = [r for r in regions(d, p, hi, lo, gap) if r[2] >= minconf]
    spans = [(a, b) for a, b, _, _ in regs]
    if tagged:
        for a, b in d["tagged"]:
            if any(min(b, y) - max(a, x) > 0 for x, y, _, _ in regs):
                spans.append((a, b))
    return spans


def crossfit(docs, grid, fn):
    pooled = []
    choices = []
    for choose_a in (True, False):
        on = [d for d in docs if d["half_a"] == choose_a]
        off = [d for d in docs if d["half_a"] != choose_a]
        best = max(grid, key=lambda g: f1([si_counts(fn(d, *g), d["gold"]) for d in on])[0])
        choices.append(best)
        pooled += [si_counts(fn(d, *best), d["gold"]) for d in off]
    return f1(pooled), choices


def main():
    docs = load(sys.argv[1])
    W = [0.3, 0.5, 0.7, 0.85, 1.0]
    TH = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]
    base = [(w, t, t, -1) for w in W for t in TH]
    print("baseline", crossfit(docs, base, predict))
    gap = [(w, t, t, g) for w in W for t in TH for g in (-1, 1, 2, 3)]
    print("gap fill", crossfit(docs, gap, predict))
    hyst = [(w, h, l, -1) for w in W for h in TH for l in TH if l <= h]
    print("hysteresis", crossfit(docs, hyst, predict))
    both = [(w, h, l, g) for w in W for h in TH for l in TH if l <= h for g in (-1, 1, 2)]
    print("hysteresis+gap", crossfit(docs, both, predict))
    clause = [(0.7, h, l, 2, f) for h in (0.35, 0.4) for l in (0.25, 0.3) for f in (0.5, 0.7, 0.9, 1.01)]
    print("hysteresis+gap+whole sentence", crossfit(docs, clause, lambda d, *g: extend_clause(d, predict(d, *g[:4]), g[4])))
    if "--smoother" in sys.argv:
        smoother(docs)
    if "--sentence-gate" in sys.argv:
        sentence_gate(docs)


# Token weight, seed and extension thresholds, joining gap: the decoding settings the gate
# studies choose among (the shipped blend's neighbourhood).
GATE_GRID = [(w, h, l, g) for w in (0.5, 0.7, 0.85) for h in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45)
             for l in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45) if l <= h for g in (-1, 2, 3)]


def sentence_gate(docs):
    """Is a sentence-level "holds propaganda" classifier worth building? Scales the tokens of
    the sentences it would reject by 0.3, with a simulated classifier right `acc` of the time
    (errors at random, so an upper bound), and says how well the tokens' own maximum already
    sorts the sentences."""
    import random

    grid = GATE_GRID
    print("as is", crossfit(docs, grid, predict)[0])

    def holds(d, s, en):
        a, b = d["tokens"][s][0], d["tokens"][en - 1][1]
        return any(min(b, y) - max(a, x) > 0 for x, y in merge(d["gold"]))

    for acc in (1.0, 0.85, 0.75):
        rng = random.Random(1)
        gated = []
        for d in docs:
            c, t = list(d["classical"]), list(d["transformer"])
            for s, en in d["sentences"]:
                if en > s and holds(d, s, en) == (rng.random() > acc):
                    for i in range(s, en):
                        c[i] *= 0.3
                        t[i] *= 0.3
            gated.append(dict(d, classical=c, transformer=t))
        print(f"a sentence gate right {acc:.0%} of the time:", crossfit(gated, grid, predict)[0])
    rows = [(max(0.3 * c + 0.7 * t for c, t in zip(d["classical"][s:en], d["transformer"][s:en])),
             holds(d, s, en)) for d in docs for s, en in d["sentences"] if en > s]
    acc, t = max((sum((m >= t) == y for m, y in rows) / len(rows), t) for t in [i / 100 for i in range(5, 95)])
    print(f"{len(rows)} sentences, {sum(y for _, y in rows)} hold a gold span; the blended tokens' "
          f"maximum sorts them {acc:.1%} right at {t} (chosen on them: optimistic)")


def extend_clause(d, spans, frac):
    """Grows a region to its whole sentence when it already covers `frac` of it."""
    out = []
    sent_chars = [(d["tokens"][s][0], d["tokens"][e - 1][1]) for s, e in d["sentences"] if e > s]
    for a, b in spans:
        for x, y in sent_chars:
            if x <= a and b <= y:
                if (b - a) >= frac * (y - x):
                    a, b = x, y
                    # leave the sentence's final punctuation out
                    while b > a and d["text"][b - 1] in ".!?\"”":
                        b -= 1
                break
        out.append((a, b))
    return out


def feats(d):
    """Per token: both signals, neighbours, a window, the sentence's level, punctuation, place."""
    pc, pt = d["classical"], d["transformer"]
    rows = []
    for s, en in d["sentences"]:
        n = en - s
        if n == 0:
            continue
        spt, spc = pt[s:en], pc[s:en]
        smean, smax, cmean = sum(spt) / n, max(spt), sum(spc) / n
        frac = sum(1 for x in spt if x >= 0.3) / n
        for t in range(s, en):
            g = lambda arr, k: arr[t + k] if s <= t + k < en else 0.0
            win = [pt[k] for k in range(max(s, t - 3), min(en, t + 4))]
            rows.append([pc[t], pt[t], g(pt, -1), g(pt, 1), g(pt, -2), g(pt, 2), g(pc, -1),
                         g(pc, 1), max(win), sum(win) / len(win), smean, smax, cmean, frac,
                         float(d["tt"][t] in CLAUSE), (t - s) / n, min(n, 60) / 60.0,
                         pt[t] * pc[t]])
    return rows


def smoother(docs):
    """A logistic regression (hidden 0) or small MLP over `feats`, trained on one half, its
    decoding thresholds chosen there, scored on the other half."""
    import torch

    for d in docs:
        assert sum(en - s for s, en in d["sentences"]) == len(d["tokens"]), d["id"]
        gold = merge(d["gold"])
        d["X"] = torch.tensor(feats(d))
        d["y"] = torch.tensor([float(any(min(b, y) - max(a, x) > 0 for x, y in gold))
                               for a, b in d["tokens"]])

    def fit(train, hidden):
        torch.manual_seed(0)
        X = torch.cat([d["X"] for d in train])
        y = torch.cat([d["y"] for d in train])
        mu, sd = X.mean(0), X.std(0) + 1e-6
        if hidden:
            m = torch.nn.Sequential(torch.nn.Linear(X.shape[1], hidden), torch.nn.Tanh(),
                                    torch.nn.Linear(hidden, 1))
        else:
            m = torch.nn.Linear(X.shape[1], 1)
        opt = torch.optim.LBFGS(m.parameters(), max_iter=300)
        Xn = (X - mu) / sd

        def closure():
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(m(Xn).squeeze(1), y)
            loss = loss + 1e-4 * sum((q ** 2).sum() for q in m.parameters())
            loss.backward()
            return loss

        opt.step(closure)
        return lambda X: torch.sigmoid(m((X - mu) / sd).squeeze(1)).tolist()

    def decode(d, h, l, g):
        regs = regions(d, d["p"], h, l, g)
        spans = [(a, b) for a, b, _, _ in regs]
        spans += [(a, b) for a, b in d["tagged"]
                  if any(min(b, y) - max(a, x) > 0 for x, y, _, _ in regs)]
        return spans

    th = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]
    grid = [(h, l, g) for h in th for l in th if l <= h for g in (-1, 1, 2, 3)]
    for hidden in (0, 8):
        pooled, choices = [], []
        for choose_a in (True, False):
            on = [d for d in docs if d["half_a"] == choose_a]
            off = [d for d in docs if d["half_a"] != choose_a]
            f = fit(on, hidden)
            for d in docs:
                d["p"] = f(d["X"])
            best = max(grid, key=lambda q: f1([si_counts(decode(d, *q), d["gold"]) for d in on])[0])
            choices.append(best)
            pooled += [si_counts(decode(d, *best), d["gold"]) for d in off]
        print("smoother, hidden", hidden, f1(pooled), choices)


if __name__ == "__main__":
    main()
