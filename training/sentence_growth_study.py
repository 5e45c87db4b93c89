"""Per-technique growth of predicted spans to their whole sentence: headroom on the held-out split.

Gold spans of some techniques are long (Doubt: median 89 characters on the held-out split,
Appeal_to_fear 86) where the models' predicted ones are short (MPNet alone: 26 and 56). This
grows every predicted span of a chosen set of techniques to its sentence (a regex split;
optionally only when it already covers a share `frac` of it) and scores SI and FLC (the
SemEval metric as in decode_study.py), first for each technique on all 75 held-out articles,
then cross-fitted: the set and `frac` chosen greedily on one seeded half, scored on the other.

Predictions must come from models that never saw the held-out articles, as a TSV of
id, technique, start, end, confidence (code points). For the default ensemble (2026-12-06):

    mkdir -p /tmp/ptc296/articles   # train minus training/holdout.txt: symlinked articles, filtered labels
    unspin train --data /tmp/ptc296 --out /tmp/classical296.unspin             # 2 s, seed 42
    cp /tmp/classical296.unspin models/classical.unspin
    cp models/ft-mpnet-holdout/{adapter,heads}.safetensors models/ft-mpnet/
    cargo build --release -p unspin-cli                                        # the models are compiled in
    unspin analyze --no-aids --format jsonl HELD_OUT_DIR -o ens.jsonl          # 75 articles, 75 s
    git checkout models/                                                       # put the shipped files back
    # then one TSV row per span of ens.jsonl

    python3 training/sentence_growth_study.py ens.tsv ../shared/data/ptc-train/labels.tc.tsv \
        ../shared/data/ptc-train/articles training/holdout.txt
"""
import sys, re, random, collections, itertools
pred_file, gold_file, arts_dir, holdout = sys.argv[1:5]
ho = open(holdout).read().split()
text = {i: open(f"{arts_dir}/article{i}.txt", encoding="utf-8").read() for i in ho}
def load(f, ids):
    d = collections.defaultdict(list)
    for l in open(f):
        p = l.rstrip("\n").split("\t")
        if p[0] in ids: d[p[0]].append((p[1], int(p[2]), int(p[3]), float(p[4]) if len(p) > 4 else 1.0))
    return d
P = load(pred_file, set(ho)); G = load(gold_file, set(ho))
def sentences(t):
    out = []; s = 0
    for m in re.finditer(r'(?<=[.!?])["”’)]*\s+|\n+', t):
        out.append((s, m.start())); s = m.end()
    out.append((s, len(t)))
    return [(a, b) for a, b in out if b > a]
SENT = {i: sentences(text[i]) for i in ho}
def merge(sp):
    out = []
    for a, b in sorted(sp):
        if out and a <= out[-1][1]: out[-1][1] = max(out[-1][1], b)
        else: out.append([a, b])
    return out
def credit(pred, gold):
    pred, gold = merge(pred), merge(gold); ps = rs = 0.0
    for a, b in pred:
        for c, d in gold:
            o = min(b, d) - max(a, c)
            if o > 0: ps += o / (b - a); rs += o / (d - c)
    return ps, len(pred), rs, len(gold)
def f1(cs):
    ps = sum(c[0] for c in cs); n = sum(c[1] for c in cs); rs = sum(c[2] for c in cs); g = sum(c[3] for c in cs)
    p = ps / n if n else 0; r = rs / g if g else 0
    return 2 * p * r / (p + r) if p + r else 0
def score(ids, grow, frac):
    si = []; flc = []
    for i in ids:
        sp = []
        for t, a, b, c in P[i]:
            if t in grow:
                for s0, s1 in SENT[i]:
                    if s0 <= a < s1:
                        if (b - a) >= frac * (s1 - s0): a, b = s0, max(b, s1)
                        break
            sp.append((t, a, b))
        si.append(credit([(a, b) for _, a, b in sp], [(a, b) for _, a, b, _ in G[i]]))
        for t in set(x[0] for x in sp) | set(x[0] for x in G[i]):
            flc.append(credit([(a, b) for tt, a, b in sp if tt == t], [(a, b) for tt, a, b, _ in G[i] if tt == t]))
    return f1(si), f1(flc)
TECH = sorted(set(t for v in G.values() for t, *_ in v))
print("none", score(ho, set(), 0))
for t in TECH:
    for frac in (0.0, 0.3, 0.5):
        s = score(ho, {t}, frac)
        print(f"{t[:30]:30} frac {frac}: SI {s[0]:.4f} FLC {s[1]:.4f}")
# cross-fit: greedy choose set on half A (by SI+FLC), score on B, and vice versa
rng = random.Random(42); ids = sorted(ho); rng.shuffle(ids); A, B = ids[:len(ids)//2], ids[len(ids)//2:]
def choose(half):
    best = (score(half, set(), 0), set(), 0)
    for frac in (0.0, 0.3, 0.5):
        chosen = set()
        cur = score(half, chosen, frac)
        improved = True
        while improved:
            improved = False
            for t in TECH:
                if t in chosen: continue
                s = score(half, chosen | {t}, frac)
                if s[0] + s[1] > cur[0] + cur[1] + 1e-4: cur, pick, improved = s, t, True
            if improved: chosen.add(pick)
        if cur[0] + cur[1] > best[0][0] + best[0][1]: best = (cur, set(chosen), frac)
    return best
pooled = []
for fit, test in ((A, B), (B, A)):
    (_, chosen, frac) = choose(fit)
    print("chosen", sorted(chosen), frac, "test", score(test, chosen, frac), "vs none", score(test, set(), 0))
