#!/usr/bin/env bash
# The last step of the classical-model studies (classical_memes_study.sh,
# classical_selftrain_study.sh): PTC train plus extra labelled articles, scored by `unspin
# validate` (seed 42, split training/holdout.txt) beside the same run on PTC train alone.
#   training/validate_with_extra.sh OUT NAME EXTRA_ARTICLES_DIR EXTRA_TC EXTRA_SI
# builds OUT/data (PTC's articles linked, the extra ones copied, the label files joined) and
# writes OUT/validate-NAME.json and OUT/validate-base.json. EXTRA_TC is a TC/FLC label file
# (ID, technique, start, end), EXTRA_SI an SI one (ID, start, end). NO_BASE=1 skips the run on
# PTC train alone (deterministic: an earlier OUT/validate-base.json at the same commit stands).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$1" NAME="$2" EXTRA="$3" EXTRA_TC="$4" EXTRA_SI="$5"
DATA="${UNSPIN_DATA:-$ROOT/../shared/data}"
UNSPIN="${UNSPIN:-$ROOT/target/release/unspin}"
rm -rf "$OUT/data"
mkdir -p "$OUT/data/articles"
ln -sf "$(cd "$DATA/ptc-train/articles" && pwd)"/* "$OUT/data/articles/"
cp "$EXTRA"/* "$OUT/data/articles/"
cp "$DATA/ptc-train/techniques.txt" "$OUT/data/"
cat "$DATA/ptc-train/labels.tc.tsv" "$EXTRA_TC" > "$OUT/data/labels.tc.tsv"
cat "$DATA/ptc-train/labels.si.tsv" "$EXTRA_SI" > "$OUT/data/labels.si.tsv"
cd "$ROOT"
"$UNSPIN" validate --data "$OUT/data" --model models/ft-mpnet-holdout --report "$OUT/validate-$NAME.json"
[ -n "${NO_BASE:-}" ] || "$UNSPIN" validate --data "$DATA/ptc-train" --model models/ft-mpnet-holdout --report "$OUT/validate-base.json"
