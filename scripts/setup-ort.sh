#!/usr/bin/env bash
# Exports the base encoders for unspin's onnxruntime backend (UNSPIN_BACKEND=ort or ort-int8):
# each installed encoder exported to ONNX in fp32 and with int8 matrix weights
# (scripts/export_onnx.py). The library, and the default model's int8 encoder, come from
# scripts/setup-models.sh, which this runs first; only this export needs PyTorch.
#
#   scripts/setup-ort.sh            # after scripts/setup-models.sh
#
# Environment:
#   UNSPIN_MODELS   encoder cache (default ~/.cache/unspin/encoders)
#   VENV            Python venv for the exporter (default ~/.cache/unspin/bench-venv, the one
#                   scripts/bench-encoders.sh uses), filled from PyPI with torch, transformers,
#                   onnx and onnxruntime when missing (several GB: torch is only needed to export)
#   MODELS          which encoders (default "all-MiniLM-L6-v2 all-mpnet-base-v2")
#
# Result:
#   $UNSPIN_MODELS/<encoder>/model.onnx, model.int8.onnx
# Then: UNSPIN_BACKEND=ort-int8 target/release/unspin --model mpnet-frozen ...
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${UNSPIN_MODELS:-$HOME/.cache/unspin/encoders}"
VENV="${VENV:-$HOME/.cache/unspin/bench-venv}"
MODELS="${MODELS:-all-MiniLM-L6-v2 all-mpnet-base-v2}"
# The versions the backend was measured with (the parity fixtures use this transformers).
ORT_VERSION="1.32.0"

die() { echo "setup-ort: error: $*" >&2; exit 1; }
log() { echo "setup-ort: $*" >&2; }

"$ROOT/scripts/setup-models.sh"
# setup-models.sh has copied the library out of its own pinned onnxruntime wheel; checked
# before installing torch, which is only worth it with the library there.
[ -f "$DEST/onnxruntime/libonnxruntime.so" ] \
  || die "no $DEST/onnxruntime/libonnxruntime.so: setup-models.sh did not install it (see its warnings; UNSPIN_INT8=0 skips it)"
if ! "$VENV/bin/python" -c "import torch, transformers, onnxruntime, onnx" 2>/dev/null; then
  log "installing torch, transformers, onnx and onnxruntime into $VENV"
  python3 -m venv "$VENV" || die "cannot create $VENV"
  "$VENV/bin/pip" install --quiet torch "transformers==4.57.6" "onnxruntime==$ORT_VERSION" onnx \
    || die "pip install failed"
fi
have="$("$VENV/bin/python" -c "import onnxruntime; print(onnxruntime.__version__)")"
[ "$have" = "$ORT_VERSION" ] || log "note: $VENV has onnxruntime $have, measured with $ORT_VERSION"

for model in $MODELS; do
  if [ -f "$DEST/$model/model.int8.onnx" ] && [ "$DEST/$model/model.int8.onnx" -nt "$ROOT/scripts/export_onnx.py" ]; then
    log "$model: already exported"
    continue
  fi
  log "$model: exporting to ONNX and quantizing"
  "$VENV/bin/python" "$ROOT/scripts/export_onnx.py" "$DEST/$model" --check \
    || die "$model: export failed"
done
