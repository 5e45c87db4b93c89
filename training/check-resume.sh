#!/usr/bin/env bash
# Checks that a killed fine-tuning run resumes to the same weights as an unkilled one: a tiny
# MiniLM run (4 articles, 2 held out, 4 steps, a checkpoint after every step) is run once
# straight through, once SIGKILLed after its checkpoint at step 2 and started again; the two
# runs' adapter and heads tensors are compared. Prints the largest difference (0.0 expected).
#   training/check-resume.sh        (PYTHON as for finetune.sh; about 2 minutes on 2 cores)
#   training/check-resume.sh --bf16 (any finetune.py flags are added to both runs)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
P="${PYTHON:-$ROOT/.venv-train/bin/python}"
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
head -2 "$ROOT/training/holdout.txt" > "$W/held.txt"
ARGS=(--encoder minilm --holdout "$W/held.txt" --articles 4 --epochs 2 --checkpoint-minutes 0 "$@")
"$P" "$ROOT/training/finetune.py" "${ARGS[@]}" --out "$W/a" 2>/dev/null
"$P" "$ROOT/training/finetune.py" "${ARGS[@]}" --out "$W/b" 2>/dev/null &
pid=$!
until "$P" -c "import torch,sys; c=torch.load('$W/b/checkpoint.pt',weights_only=False,map_location='cpu'); sys.exit(c['state']['step']<2)" 2>/dev/null; do
  sleep 0.5
done
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
"$P" "$ROOT/training/finetune.py" "${ARGS[@]}" --out "$W/b" 2>&1 | grep -i resumed
"$P" - "$W" <<'PY'
import sys
from safetensors.torch import load_file
w = sys.argv[1]
for f in ["adapter.safetensors", "heads.safetensors"]:
    a, b = load_file(f"{w}/a/{f}"), load_file(f"{w}/b/{f}")
    assert a.keys() == b.keys()
    d = max((a[k].float() - b[k].float()).abs().max().item() for k in a)
    print(f"{f}: {len(a)} tensors, largest difference {d}")
PY
