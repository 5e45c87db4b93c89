#!/usr/bin/env python3
"""Builds a synthetic JSONL corpus from a directory of article*.txt files (PTC by default).

There is no labelled crawl with outlets and dates to test corpus-scale features on, so this
replicates real articles under new ids and gives each a *synthetic* outlet and month. The
texts are real; the `source` and `date` fields are made up (deterministically, from the seed)
and only exist to exercise batch runs, the results store and `unspin stats`.

    scripts/make-corpus.py --n 100000 --out /tmp/corpus.jsonl.gz
"""
import argparse
import gzip
import json
import pathlib
import random

OUTLETS = [
    "The Daily Ledger", "Northern Courier", "Patriot Wire", "Global Sentinel",
    "Freedom Dispatch", "Metro Observer", "Liberty Herald", "The Evening Standard Post",
]


def main():
    here = pathlib.Path(__file__).resolve().parent.parent
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", default=str(here.parent / "shared/data/ptc-train/articles"),
                   help="directory of article*.txt files [default: ../shared/data/ptc-train/articles]")
    p.add_argument("--n", type=int, default=1000, help="records to write [default: 1000]")
    p.add_argument("--out", required=True, help="output file; .gz compresses")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--months", type=int, default=12, help="spread dates over this many months of 2025")
    a = p.parse_args()

    files = sorted(pathlib.Path(a.articles).glob("*.txt"))
    if not files:
        raise SystemExit(f"make-corpus: no .txt files in {a.articles}")
    texts = [(f.stem, f.read_text(encoding="utf-8")) for f in files]
    rng = random.Random(a.seed)
    # Each outlet leans towards a different slice of the articles, so per-outlet statistics
    # differ the way real outlets do, while every text stays a real article.
    weights = {o: [rng.random() ** 3 for _ in texts] for o in OUTLETS}
    opener = gzip.open if a.out.endswith(".gz") else open
    with opener(a.out, "wt", encoding="utf-8") as out:
        for i in range(a.n):
            outlet = OUTLETS[rng.randrange(len(OUTLETS))]
            stem, text = rng.choices(texts, weights=weights[outlet])[0]
            month = 1 + rng.randrange(a.months)
            day = 1 + rng.randrange(28)
            rec = {
                "id": f"{i:07d}-{stem}",
                "text": text,
                "source": outlet,
                "url": f"https://example.org/{outlet.lower().replace(' ', '-')}/{i}",
                "date": f"2025-{month:02d}-{day:02d}",
            }
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
