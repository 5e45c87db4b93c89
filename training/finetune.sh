#!/usr/bin/env bash
# One command per fine-tuning run, on the CPU (or a GPU when torch sees one; not yet run on one):
#
#   training/finetune.sh minilm [extra finetune.py flags...]   # all 6 layers, ~30-60 min on 2 cores
#   training/finetune.sh mpnet  [extra finetune.py flags...]   # all 12 layers, 5 epochs: ~2.5-3.5 h on 2 cores
#   training/finetune.sh mpnet --train-layers 4 --epochs 3      # top 4, lower 8 cached: ~52 min
#
# Output in out/ft-ENCODER (adapter.safetensors, heads.safetensors, run.json, epoch-N/,
# checkpoint.pt). Run the same command again after a kill: it resumes from the checkpoint.
# The recipe, its settings and the measured results are in training/README.md.
#
# Needs: scripts/setup-models.sh (base encoders) and a Python with torch, transformers and
# safetensors: PYTHON=/path/to/python, else .venv-train/bin/python, which
# `training/finetune.sh --setup` creates from PyPI (torch 2.15 with its CUDA libraries, about 5.6 GB).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-train"
if [ "${1:-}" = "--setup" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$ROOT/training/requirements.txt"
  exit 0
fi
ENCODER="${1:?usage: training/finetune.sh minilm|mpnet [finetune.py flags]}"
shift
PYTHON="${PYTHON:-$VENV/bin/python}"
[ -x "$PYTHON" ] || command -v "$PYTHON" >/dev/null \
  || { echo "finetune.sh: error: no $PYTHON (run training/finetune.sh --setup, or set PYTHON)" >&2; exit 1; }
"$PYTHON" -c "import torch, transformers, safetensors" 2>/dev/null \
  || { echo "finetune.sh: error: $PYTHON lacks torch/transformers/safetensors (training/finetune.sh --setup)" >&2; exit 1; }
"$ROOT/scripts/setup-models.sh"
case "$ENCODER" in
  minilm) DEFAULTS=(--epochs 4) ;;
  # All layers: 1.6 SI / 1.2 TC points more in the ensemble than the top 4, for 1.6 times the
  # time; five epochs beat three on every cross-fitted score (training/README.md). The
  # shipped models/ft-mpnet is this recipe's run with --all.
  mpnet) DEFAULTS=(--train-layers 0 --epochs 5) ;;
  *) echo "finetune.sh: error: unknown encoder $ENCODER (minilm or mpnet)" >&2; exit 1 ;;
esac
exec "$PYTHON" "$ROOT/training/finetune.py" --encoder "$ENCODER" "${DEFAULTS[@]}" "$@"
