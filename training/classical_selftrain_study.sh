#!/usr/bin/env bash
# Does the classical model gain from MPNet's labels on unlabelled news (self-training of the
# ensemble's cheap half)? A seeded sample of 400 PolNeAR training texts (news, no PTC overlap)
# is labelled by the held-out MPNet alone (models/ft-mpnet-holdout: it never saw the 75
# held-out articles, so the teacher leaks nothing of them), added to PTC train as extra
# articles, and `unspin validate` retrains the classical model on the 296 training articles
# plus the 400 and scores it, alone and in the ensemble, beside the same run on PTC alone.
#   training/classical_selftrain_study.sh [OUT]   (default out/classical-selftrain; ~35 min on 2 cores:
#   10 min of teacher labels, 11 and 13 min of validation)
# TEACHER=models/ft-minilm-holdout labels with the held-out MiniLM instead (it errs elsewhere
# than MPNet, the ensemble's other half, so its labels might keep the classical model apart).
# Measured 2026-12-06 (README "Self-training the classical model"): classical alone rose, the
# ensemble fell, so nothing ships.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/out/classical-selftrain}"
DATA="${UNSPIN_DATA:-$ROOT/../shared/data}"
UNSPIN="${UNSPIN:-$ROOT/target/release/unspin}"
rm -rf "$OUT/in"
mkdir -p "$OUT/in"
# 400 texts, seed 7, as article900000000.txt … (PTC ids are numbers).
python3 - "$DATA/quotes/polnear/train/text" "$OUT" <<'EOF'
import os, random, shutil, sys
src, out = sys.argv[1:3]
names = sorted(os.listdir(src))
random.Random(7).shuffle(names)
with open(f"{out}/map.tsv", "w") as m:
    for i, n in enumerate(names[:400]):
        shutil.copy(os.path.join(src, n), f"{out}/in/article{900000000 + i}.txt")
        m.write(f"{900000000 + i}\t{n}\n")
EOF
"$UNSPIN" analyze --model "$ROOT/${TEACHER:-models/ft-mpnet-holdout}" --no-aids --format ptc "$OUT/in" \
  -o "$OUT/teacher.tsv" --force
cut -f1,3,4 "$OUT/teacher.tsv" > "$OUT/teacher-si.tsv"
"$ROOT/training/validate_with_extra.sh" "$OUT" self "$OUT/in" "$OUT/teacher.tsv" "$OUT/teacher-si.tsv"
