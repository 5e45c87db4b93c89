#!/usr/bin/env bash
# One command for the GPU training run (see training/train.py for the recipe):
#
#   training/train.sh [MODEL] [OUT] [extra train.py flags...]
#
#   MODEL  all-mpnet-base-v2 (default) or all-MiniLM-L6-v2, looked up in the encoder cache
#          (${UNSPIN_MODELS:-~/.cache/unspin/encoders}; scripts/setup-models.sh fills it), or a
#          directory
#   OUT    output directory (default out/train-MODEL); gets adapter.safetensors (LoRA + heads,
#          unspin-lora v1), check.json and metrics.json
#   DATA   env: the PTC training data (default ../shared/data/ptc-train). On a lent GPU machine
#          ../shared is not there: copy it into an ignored folder, carry it, and set DATA.
#
# Needs python3 with torch, transformers and safetensors (present on the GPU machines; for a
# CPU smoke test: training/train.sh all-MiniLM-L6-v2 /tmp/smoke --articles 2 --max-steps 3).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODEL="${1:-all-mpnet-base-v2}"
OUT="${2:-$ROOT/out/train-$(basename "$MODEL")}"
shift $(( $# > 2 ? 2 : $# ))
DATA="${DATA:-$ROOT/../shared/data/ptc-train}"
PYTHON="${PYTHON:-python3}"
if [ -d "$MODEL" ]; then DIR="$MODEL"; else DIR="${UNSPIN_MODELS:-$HOME/.cache/unspin/encoders}/$MODEL"; fi
[ -f "$DIR/model.safetensors" ] || "$ROOT/scripts/setup-models.sh"
[ -d "$DATA/articles" ] || { echo "train.sh: error: no PTC data in $DATA (set DATA)" >&2; exit 1; }
"$PYTHON" -c "import torch, transformers, safetensors" 2>/dev/null \
  || { echo "train.sh: error: $PYTHON lacks torch/transformers/safetensors" >&2; exit 1; }
exec "$PYTHON" "$ROOT/training/train.py" --model "$DIR" --data "$DATA" --out "$OUT" "$@"
