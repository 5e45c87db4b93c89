#!/usr/bin/env bash
# Ships a finished MPNet fine-tuning run as the default detector's encoder, and retrains what
# reads that encoder's vectors:
#
#   training/ship-mpnet.sh out/ft-mpnet-all [--from models/ft-mpnet-holdout]
#
# Before it first runs, the validated model (trained without the held-out split) moves aside,
# where `unspin validate --model models/ft-mpnet-holdout` can still score it:
# `git mv models/ft-mpnet models/ft-mpnet-holdout`, and a line for it in setup-models.sh's
# INT8_MODELS so that it is validated on the int8 build its figures were measured with.
#
# 1. models/ft-mpnet gets the run's adapter, heads and run.json. The heads keep the decoding
#    settings (blend, thresholds, second technique, calibration) of the model in --from, which
#    `unspin validate --write-blend` chose on the held-out split for the same recipe trained
#    without it: a run made with --all saw those articles, so nothing can be chosen on them.
# 2. The int8 encoder of the new adapter is built once with scripts/onnx_graph.py, its sha256
#    lines replace the old ones in models/encoders.sha256, and scripts/setup-models.sh installs it.
# 3. The claims model over the detector's vectors (models/claims-vectors.json) and the quote
#    tagger over them (models/quotes-vectors.unspin) are trained again on the new vectors: a
#    model must be trained on the vectors it is given, and both check the adapter's digest.
#
# The vectors (10-50 min each on 2 cores) land under out/ and are reused when the script runs
# again (the claims dump once complete, the quotes dump text by text), so a killed run restarts
# where it was. What it changed is left for `git
# diff`; it commits nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUN="${1:?usage: training/ship-mpnet.sh RUN_DIR [--from MODEL_DIR]}"
FROM=models/ft-mpnet-holdout
[ "${2:-}" = "--from" ] && FROM="${3:?--from needs a model directory}"
PY="${PYTHON:-$ROOT/.venv-train/bin/python}"
DEST="${UNSPIN_MODELS:-${HOME:?}/.cache/unspin/encoders}"
SETUP_PY="${UNSPIN_SETUP_VENV:-$HOME/.cache/unspin/setup-venv}/bin/python"
DATA="${UNSPIN_DATA:-$ROOT/../shared/data}"
log() { echo "ship-mpnet: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ -f "$RUN/run.json" ] || die "$RUN/run.json missing: the run has not finished (run its command again to resume it)"
[ -f "$FROM/heads.safetensors" ] || die "$FROM/heads.safetensors missing (the model whose decoding settings to keep)"
[ "$(realpath "$FROM")" != "$(realpath models/ft-mpnet)" ] \
  || die "--from is models/ft-mpnet, which this overwrites: move the validated model aside first (git mv models/ft-mpnet models/ft-mpnet-holdout)"

log "1/4 models/ft-mpnet from $RUN, decoding settings from $FROM"
mkdir -p models/ft-mpnet
"$PY" - "$RUN/heads.safetensors" "$FROM/heads.safetensors" models/ft-mpnet/heads.safetensors <<'PY'
import json, os, sys
from safetensors.numpy import load_file, save_file
from safetensors import safe_open
new, old, out = sys.argv[1:]
meta = lambda p: json.loads(safe_open(p, "np").metadata()["unspin-heads"])
m, o = meta(new), meta(old)
assert m["techniques"] == o["techniques"] and m["encoder"] == o["encoder"], "heads of another kind"
for key in ("blend", "si_threshold", "second_technique"):
    m[key] = o[key]
save_file(load_file(new), out + ".tmp", metadata={"unspin-heads": json.dumps(m)})
os.replace(out + ".tmp", out)
PY
cp "$RUN/adapter.safetensors" "$RUN/run.json" models/ft-mpnet/

log "2/4 the int8 encoder of the new adapter"
BASE=all-mpnet-base-v2
NAME="$BASE+lora-$(sha256sum models/ft-mpnet/adapter.safetensors | cut -c1-16)"
if ! grep -q "  $NAME/model.int8.onnx\$" models/encoders.sha256; then
  [ -x "$SETUP_PY" ] || die "$SETUP_PY missing: run scripts/setup-models.sh once"
  STAGE="$ROOT/out/ship-int8"
  rm -rf "$STAGE" && mkdir -p "$STAGE"
  "$SETUP_PY" scripts/onnx_graph.py build models/onnx/mpnet.graph.onnx "$DEST/$BASE" \
    models/ft-mpnet/adapter.safetensors "$STAGE/$NAME"
  lines="$(cd "$STAGE" && sha256sum "$NAME/config.json" "$NAME/tokenizer.json" "$NAME/model.int8.onnx")"
  # Added under the comment of models/ft-mpnet's encoder. Lines of earlier adapters stay:
  # the held-out model (models/ft-mpnet-holdout) is still validated on its int8 build.
  "$PY" - models/encoders.sha256 "$lines" <<'PY'
import sys
path, lines = sys.argv[1], sys.argv[2].strip().splitlines()
text = open(path).read().splitlines()
mark = "# The int8 encoder scripts/setup-models.sh builds for models/ft-mpnet "
i = next(k for k, l in enumerate(text) if l.startswith(mark))
while text[i + 1].startswith("#"):
    i += 1
text[i + 1:i + 1] = lines
open(path, "w").write("\n".join(text) + "\n")
PY
fi
scripts/setup-models.sh

log "3/4 claims: vectors of CheckThat! with the new detector, then the stacked model"
cargo build --release -p unspin --example claim_vectors --example quote_vectors
cargo build --release -p unspin-factcheck --example claims --example polnear
CV="out/claims-vec-$NAME"
[ -f "$CV/meta.json" ] || target/release/examples/claim_vectors "$DATA/checkworthy" "$CV"
"$PY" training/claims_embed.py --vectors "$CV" --out "out/claims-stack/$NAME" --stack \
  --write-model models/claims-vectors.json --threads 2

log "4/4 quotes: vectors of PolNeAR with the new detector, then the vector tagger"
QV="out/quote-vec-$NAME"
target/release/examples/quote_vectors "$DATA/quotes/polnear" "$QV"   # skips texts already dumped
target/release/examples/polnear train --vectors "$QV"
target/release/examples/polnear eval --vectors "$QV"
log "done: models/ft-mpnet is $NAME; see git diff"
