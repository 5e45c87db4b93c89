#!/usr/bin/env python3
"""The SemEval-2021 task 2 meme texts as a PTC-style corpus: a yardstick for a model trained on
the held-out split too.

A model trained on all 371 PTC training articles (`finetune.py --all`) has seen the held-out
split, so `unspin validate` cannot score it. The memes (951 texts, none from PTC) can score it
beside the model of the same recipe trained without the split, provided neither was trained
with `--memes` (their `run.json` says `"memes": null`): out of domain, so the figures are low,
but the same for both, and a model that fell behind on them would show it.

    .venv-train/bin/python training/memes_as_ptc.py out/memes-ptc     # finetune.py's packing needs torch
    unspin analyze --no-aids --model DIR --format ptc out/memes-ptc/articles -o spans.tsv
    unspin eval si --gold out/memes-ptc/gold-si.tsv --pred spans.tsv    # and flc with gold-tc.tsv
    unspin classify --model DIR --spans out/memes-ptc/template-tc.tsv --articles out/memes-ptc/articles -o tc.tsv
    unspin eval tc --gold out/memes-ptc/gold-tc.tsv --pred tc.tsv

Writes OUT/articles/article<N>.txt (the memes packed into pseudo-articles of about 800
characters, blank line between memes, exactly as `finetune.py --memes` packs them; the
directory is emptied first), and OUT/gold-si.tsv, OUT/gold-tc.tsv (PTC label files) and
OUT/template-tc.tsv (the TC task's input: gold spans with a "?" technique). Technique names are
mapped onto PTC's 14 as in `finetune.py`; spans of the three techniques PTC lacks (316: smears,
glittering generalities, obfuscation) are left out of the gold, so SI precision reads slightly
low. Data: DATA_DIR, else $UNSPIN_DATA/memes-semeval2021, else ../shared/data/memes-semeval2021.
"""
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from finetune import read_memes  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main():
    if len(sys.argv) > 3 or any(a.startswith("-") for a in sys.argv[1:]):
        sys.exit("usage: memes_as_ptc.py [OUT_DIR [DATA_DIR]]")
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "out/memes-ptc")
    shared = Path(os.environ.get("UNSPIN_DATA", ROOT.parent / "shared/data"))
    data = Path(sys.argv[2] if len(sys.argv) > 2 else shared / "memes-semeval2021")
    packs = read_memes(data)
    # Articles of an earlier run with other packing would be analysed with no gold.
    shutil.rmtree(out / "articles", ignore_errors=True)
    (out / "articles").mkdir(parents=True)
    si, tc, tmpl = [], [], []
    for n, (text, spans, techs, _ignored) in enumerate(packs, 1):
        aid = f"{900000 + n}"
        (out / "articles" / f"article{aid}.txt").write_text(text, encoding="utf-8")
        si += [f"{aid}\t{s}\t{e}\n" for s, e in sorted(set(spans))]
        tc += [f"{aid}\t{t}\t{s}\t{e}\n" for t, s, e in sorted(techs, key=lambda x: (x[1], x[2], x[0]))]
        tmpl += [f"{aid}\t?\t{s}\t{e}\n" for t, s, e in sorted(techs, key=lambda x: (x[1], x[2], x[0]))]
    (out / "gold-si.tsv").write_text("".join(si))
    (out / "gold-tc.tsv").write_text("".join(tc))
    (out / "template-tc.tsv").write_text("".join(tmpl))
    print(f"{out}: {len(packs)} pseudo-articles, {len(si)} SI spans, {len(tc)} TC labels", file=sys.stderr)


if __name__ == "__main__":
    main()
