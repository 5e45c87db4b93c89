"""Do copies inflate the held-out split? Near-duplicate articles across the split, and how the
default scores on them.

PTC train holds several stories in more than one version (the same wire text on two sites, a
follow-up quoting its predecessor). A held-out article with a near-copy among the training
articles could be scored high because the encoder saw its text, which would make the split
overstate unseen data. This finds, for every held-out article, the training article sharing
most of its 5-word shingles, and scores the default ensemble's shipped decoding (token weight
0.7, seed 0.35, grown to 0.25, joined across 2; technique weight 0.6) on the articles with a
near-copy (>= 30% of their shingles in one training article) and on the rest, from the
evidence `dump_evidence` writes:

    cargo run --release -p unspin --example dump_evidence -- models/ft-mpnet-holdout out/decode/evidence.jsonl   # 3 min
    python3 training/near_duplicates_study.py out/decode/evidence.jsonl   # 20 s

Fixed settings (not cross-fitted): this compares subsets under one decoding, it does not
estimate a score.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import decode_study as ds  # noqa: E402

DATA = os.path.join(os.environ.get("UNSPIN_DATA", "../shared/data"), "ptc-train")
HOLDOUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "holdout.txt")
NEAR = 0.3


def shingles(text):
    w = re.findall(r"\w+", text.lower())
    return {tuple(w[i:i + 5]) for i in range(len(w) - 4)}


def si(docs):
    return ds.f1([ds.si_counts(ds.predict(d, 0.7, 0.35, 0.25, 2), d["gold"]) for d in docs])


def tc(docs, techniques, w=0.6):
    right = n = 0
    for d in docs:
        for _a, _b, gold, classical, transformer in d["tc"]:
            s = [(1 - w) * c + w * t for c, t in zip(classical, transformer)]
            right += techniques[s.index(max(s))] == gold
            n += 1
    return right / n if n else 0.0, n


def main():
    held = {l.strip() for l in open(HOLDOUT) if l.strip()}
    arts = {}
    for f in os.listdir(f"{DATA}/articles"):
        m = re.fullmatch(r"article(\d+)\.txt", f)
        if m:
            arts[m.group(1)] = shingles(open(f"{DATA}/articles/{f}", encoding="utf-8-sig").read())
    train = [a for a in arts if a not in held]
    best = {}
    for h in held:
        share, twin = max((len(arts[h] & arts[t]) / max(1, len(arts[h])), t) for t in train)
        best[h] = (share, twin)
    near = {h for h, (s, _) in best.items() if s >= NEAR}
    print(f"held-out articles with >= {NEAR:.0%} of their 5-word shingles in one training article: {len(near)} of {len(held)}")
    for h in sorted(near, key=lambda h: -best[h][0]):
        print(f"  {h}  {best[h][0]:.2f}  {best[h][1]}")
    techniques = [l.strip() for l in open(f"{DATA}/techniques.txt") if l.strip()]
    docs = ds.load(sys.argv[1])
    for name, sub in [("all", docs), ("with a near-copy", [d for d in docs if d["id"] in near]),
                      ("without", [d for d in docs if d["id"] not in near])]:
        (f, p, r), (acc, n) = si(sub), tc(sub, techniques)
        print(f"{name:>17}: {len(sub):2} articles  SI P/R/F1 {p:.3f}/{r:.3f}/{f:.3f}  TC {acc:.3f} over {n} spans")


if __name__ == "__main__":
    main()
