#!/usr/bin/env bash
# Does the classical model gain from the SemEval-2021 meme texts (1,767 technique spans, no PTC
# overlap)? MPNet did not (training/README, "The meme data, measured and dropped"), but the
# classical half of the ensemble trains in a second, and its rare techniques (Slogans,
# Black-and-White, Thought-terminating, Whataboutism, Bandwagon) are commoner in memes. The
# memes, packed into 114 pseudo-articles as finetune.py packs them (training/memes_as_ptc.py),
# are added to PTC train as extra articles, and `unspin validate` retrains the classical model on
# the 296 training articles plus the 114 and scores it, alone and in the ensemble, beside the
# same run on PTC alone.
#   training/classical_memes_study.sh [OUT]   (default out/classical-memes; ~35 min on 2 cores:
#   14 and 21 min of validation beside other work)
# Measured 2026-12-06 (training/README, "The memes in the classical model"): classical alone
# rose, the ensemble fell, so nothing ships.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/out/classical-memes}"
DATA="${UNSPIN_DATA:-$ROOT/../shared/data}"
PYTHON="${PYTHON:-$ROOT/.venv-train/bin/python}"
rm -rf "$OUT/memes"
"$PYTHON" "$ROOT/training/memes_as_ptc.py" "$OUT/memes" "$DATA/memes-semeval2021"
"$ROOT/training/validate_with_extra.sh" "$OUT" memes "$OUT/memes/articles" \
  "$OUT/memes/gold-tc.tsv" "$OUT/memes/gold-si.tsv"
