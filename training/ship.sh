#!/usr/bin/env bash
# Ships a finished fine-tuning run (MPNet or MiniLM, read from its run.json) as the encoder of
# models/ft-ENCODER, which the library compiles in; for MPNet, the default detector's encoder,
# it also retrains what reads that encoder's vectors:
#
#   training/ship.sh out/ft-mpnet-all [--from models/ft-mpnet-holdout]
#   training/ship.sh out/ft-minilm-all [--from models/ft-minilm-holdout]
#
# (training/ship-mpnet.sh, the name of its first use, runs this.) Before it first runs for an
# encoder, the validated model (trained without the held-out split) moves aside, where `unspin
# validate --model models/ft-ENCODER-holdout` can still score it: `git mv models/ft-ENCODER
# models/ft-ENCODER-holdout`, and a line for it in setup-models.sh's INT8_MODELS so that it is
# validated on the int8 build its figures were measured with. The library compiles
# models/ft-ENCODER in, and this builds the dump programs, so until this replaces it
# models/ft-ENCODER holds a copy: `cp -r models/ft-ENCODER-holdout models/ft-ENCODER`.
#
# Everything is made under out/ship/<encoder name>/ first and copied into models/ only when
# every step has worked, so a failure leaves models/ as it was:
# 1. the run's adapter, run.json and heads; the heads keep the decoding settings (blend,
#    thresholds, second technique, calibration, the blend with a partner beside it) of the
#    model in --from, which `unspin validate --write-blend` chose on the held-out split for the
#    same recipe trained without it: a run made with --all saw those articles, so nothing can
#    be chosen on them;
# 2. the int8 encoder of the new adapter (scripts/onnx_graph.py), installed into the encoder
#    cache and hash-checked; its sha256 lines go into models/encoders.sha256 at the end;
# MPNet only: 3. the claims model over the detector's vectors (claims-vectors.json) and 4. the
#    quote tagger over them (quotes-vectors.unspin), trained again on vectors of the new
#    encoder, on int8 as users run it: a model must be trained on the vectors it is given, and
#    both check the adapter's digest.
# Beside the run's run.json (its training) it writes ship.json, the record of this step: command,
# commit, start, wall time, where the decoding settings came from, what was retrained and how.
#
# The vector dumps (10-50 min each on 2 cores) are kept and reused when the script runs again
# (the claims dump once complete, the quotes dump text by text), so a killed run restarts where
# it was. It commits nothing: what changed is for `git diff`, the tests, the README and docs/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "ship: $*" >&2; }
die() { log "error: $*"; exit 1; }
usage="usage: training/ship.sh RUN_DIR [--from MODEL_DIR]"
RUN="${1:?$usage}"
[ -f "$RUN/run.json" ] || die "$RUN/run.json missing: the run has not finished (run its command again to resume it)"
ENC="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["args"]["encoder"])' "$RUN/run.json")" \
  || die "$RUN/run.json: no args.encoder"
case "$ENC" in
  mpnet) BASE=all-mpnet-base-v2
    # The comment in models/encoders.sha256 under which the new encoder's lines go.
    MARK="# The int8 encoder scripts/setup-models.sh builds for models/ft-mpnet " ;;
  minilm) BASE=all-MiniLM-L6-v2
    MARK="# The same for models/ft-minilm " ;;
  *) die "$RUN/run.json names no encoder this ships (args.encoder: '$ENC')" ;;
esac
TARGET="models/ft-$ENC"
FROM="$TARGET-holdout"
case "$#" in
  1) ;;
  3) [ "$2" = "--from" ] || die "$usage"; FROM="${3%/}" ;;
  *) die "$usage" ;;
esac
# Steps: MPNet also retrains what reads its vectors.
if [ "$ENC" = mpnet ]; then STEPS=4; else STEPS=2; fi
TRAIN_PY="${TRAIN_PYTHON:-$ROOT/.venv-train/bin/python}"
DEST="${UNSPIN_MODELS:-${HOME:?}/.cache/unspin/encoders}"
SETUP_PY="${UNSPIN_SETUP_VENV:-${HOME:?}/.cache/unspin/setup-venv}/bin/python"
DATA="${UNSPIN_DATA:-$ROOT/../shared/data}"

# Everything that can be checked before minutes of work.
[ -f "$FROM/heads.safetensors" ] || die "$FROM/heads.safetensors missing (the validated model whose decoding settings to keep)"
[ "$(realpath "$FROM")" != "$(realpath "$TARGET")" ] \
  || die "--from is $TARGET, which this replaces: move the validated model aside first (see the top of this script)"
grep -q "\"$(basename "$FROM") $ENC.graph.onnx\"" scripts/setup-models.sh \
  || log "warning: scripts/setup-models.sh's INT8_MODELS has no line for $FROM: it would be validated on candle"
grep -qF "$MARK" models/encoders.sha256 \
  || die "models/encoders.sha256 has no line starting '$MARK' to put the new encoder's sums under"
[ -f "$TARGET/adapter.safetensors" ] \
  || die "$TARGET is missing and the library compiles it in: cp -r $FROM $TARGET (this replaces it at the end)"
[ -z "${UNSPIN_BACKEND:-}" ] || die "UNSPIN_BACKEND is set ($UNSPIN_BACKEND): the vectors must come from the int8 encoder users run"
[ -x "$TRAIN_PY" ] || die "$TRAIN_PY missing (training/finetune.sh --setup)"
[ -x "$SETUP_PY" ] || die "$SETUP_PY missing: run scripts/setup-models.sh once"
[ -f "$DEST/$BASE/model.safetensors" ] || die "$DEST/$BASE missing: run scripts/setup-models.sh once"
if [ "$ENC" = mpnet ]; then
  for d in checkworthy quotes/polnear/train quotes/polnear/dev; do
    [ -d "$DATA/$d" ] || die "$DATA/$d missing (UNSPIN_DATA points at the shared data)"
  done
fi
# The two runs must be one recipe, --all aside, and the settings must have been chosen.
"$TRAIN_PY" - "$RUN" "$FROM" <<'PY' || die "$RUN and $FROM do not fit together (above)"
import json, sys
from pathlib import Path
from safetensors import safe_open
run, frm = (Path(a) for a in sys.argv[1:])
meta = lambda d: json.loads(safe_open(str(d / "heads.safetensors"), "np").metadata()["unspin-heads"])
ra, fa = (json.loads((d / "run.json").read_text())["args"] for d in (run, frm))
if fa.get("all"):
    sys.exit(f"{frm} was trained with --all: its settings were not chosen on unseen articles")
if not ra.get("all"):
    print(f"note: {run} was trained without --all; its own `unspin validate --write-blend` would fit it better", file=sys.stderr)
# Settings added to finetune.py after the older run are not in its record: compared where both have them.
diff = {k: (ra[k], fa[k]) for k in set(ra) & set(fa) if k != "all" and ra[k] != fa[k]}
if diff:
    sys.exit(f"the recipes differ: {diff}")
if "calibration" not in meta(frm)["blend"]:
    sys.exit(f"{frm}/heads.safetensors has no calibration: run `unspin validate --model {frm} --write-blend` first")
# `--model ensemble-both` needs a blend chosen for the pair: shipping MPNet without it would
# make that model an error.
if ra.get("encoder") == "mpnet" and "partner_blend" not in meta(frm):
    sys.exit(f"{frm}/heads.safetensors has no partner_blend: run `unspin validate --model {frm} "
             "--partner models/ft-minilm-holdout --write-blend` first")
PY

NAME="$BASE+lora-$(sha256sum "$RUN/adapter.safetensors" | cut -c1-16)"
# For the record written next to run.json (ship.json): the run's own record covers training,
# this one what was done to ship it. Taken now, before this script changes anything.
STARTED="$(date -u +%FT%TZ)"
T0=$(date +%s)
COMMIT="$(git rev-parse --short HEAD)$( [ -z "$(git status --porcelain --untracked-files=no)" ] || echo +dirty)"
SHIP="$ROOT/out/ship/$NAME"
MODEL="$SHIP/ft-$ENC"
mkdir -p "$MODEL"

log "1/$STEPS $MODEL: the run's adapter and heads, decoding settings from $FROM"
"$TRAIN_PY" training/copy_settings.py "$RUN/heads.safetensors" "$FROM/heads.safetensors" "$MODEL/heads.safetensors"
cp "$RUN/adapter.safetensors" "$RUN/run.json" "$MODEL/"

log "2/$STEPS the int8 encoder $NAME"
SUMS="$SHIP/encoders.sha256"
if ! (cd "$DEST" && [ -f "$SUMS" ] && sha256sum --quiet --strict -c "$SUMS") 2>/dev/null; then
  rm -rf "$SHIP/int8" && mkdir -p "$SHIP/int8"
  "$SETUP_PY" scripts/onnx_graph.py build "models/onnx/$ENC.graph.onnx" "$DEST/$BASE" \
    "$MODEL/adapter.safetensors" "$SHIP/int8/$NAME"
  (cd "$SHIP/int8" && sha256sum "$NAME/config.json" "$NAME/tokenizer.json" "$NAME/model.int8.onnx") >"$SUMS"
  rm -rf "${DEST:?}/$NAME" && mv "$SHIP/int8/$NAME" "$DEST/$NAME"
  (cd "$DEST" && sha256sum --quiet --strict -c "$SUMS") || die "$DEST/$NAME does not verify"
fi
export UNSPIN_BACKEND=ort-int8  # the dumps fail rather than fall back to candle

if [ "$ENC" = mpnet ]; then
cargo build --release -p unspin --example claim_vectors --example quote_vectors
cargo build --release -p unspin-factcheck --example claims --example polnear

log "3/4 claims: CheckThat! vectors of $NAME, then the stacked model"
CV="$SHIP/claims-vec"
[ -f "$CV/meta.json" ] || target/release/examples/claim_vectors "$DATA/checkworthy" "$CV" "$MODEL" "$DEST"
grep -q '"ort-int8"' "$CV/meta.json" || die "$CV was not dumped with the int8 encoder: delete it and run again"
# Relative to the repository: the claims model records the path it was trained from.
"$TRAIN_PY" training/claims_embed.py --data "$DATA/checkworthy" --vectors "${CV#"$ROOT"/}" --out "$SHIP/claims-stack" \
  --stack --write-model "$SHIP/claims-vectors.json" --threads 2

log "4/4 quotes: PolNeAR vectors of $NAME, then the vector tagger"
QV="$SHIP/quote-vec"
target/release/examples/quote_vectors "$DATA/quotes/polnear" "$QV" "$MODEL" "$DEST"   # skips texts already dumped
grep -q '"ort-int8"' "$QV/meta.json" || die "$QV was not dumped with the int8 encoder: delete it and run again"
target/release/examples/polnear train --train "$DATA/quotes/polnear/train" --vectors "$QV" --out "$SHIP/quotes-vectors.unspin"
target/release/examples/polnear eval "$DATA/quotes/polnear/dev" --vectors "$QV" --model "$SHIP/quotes-vectors.unspin"
fi

log "every step worked: copying into models/"
"$TRAIN_PY" - "$MODEL/ship.json" "$RUN" "$FROM" "$NAME" "$COMMIT" "$STARTED" "$(( $(date +%s) - T0 ))" "${DATA#"$ROOT"/}" "$ENC" <<'PY'
import hashlib, json, sys
out, run, frm, name, commit, started, secs, data, enc = sys.argv[1:]
digest = hashlib.sha256(open(f"{frm}/adapter.safetensors", "rb").read()).hexdigest()[:16]
open(out, "w").write(json.dumps({
    "command": f"training/ship.sh {run} --from {frm}",
    "commit": commit,
    "started": started,
    "wall_seconds": int(secs),
    "decoding_settings_from": f"{frm} (adapter digest {digest})",
    "int8_encoder": name,
    "retrained": {
        "models/claims-vectors.json": f"training/claims_embed.py --stack on {data}/checkworthy "
            "(held-out fifth seed 2024, CV folds seed 7)",
        "models/quotes-vectors.unspin": f"polnear train on {data}/quotes/polnear/train (seed 42)",
    } if enc == "mpnet" else {},
}, indent=1) + "\n")
PY
mkdir -p "$TARGET"
cp "$MODEL/adapter.safetensors" "$MODEL/heads.safetensors" "$MODEL/run.json" "$MODEL/ship.json" "$MODEL/settings.json" "$TARGET/"
if [ "$ENC" = mpnet ]; then
  cp "$SHIP/claims-vectors.json" models/claims-vectors.json
  cp "$SHIP/quotes-vectors.unspin" models/quotes-vectors.unspin
fi
if ! grep -q "  $NAME/model.int8.onnx\$" models/encoders.sha256; then
  # Under the comment of $TARGET's encoder, above the lines of earlier adapters (the
  # held-out model's stay; one no model uses any more is for a person to delete).
  "$TRAIN_PY" - models/encoders.sha256 "$SUMS" "$MARK" <<'PY'
import sys
path, sums, mark = sys.argv[1], open(sys.argv[2]).read().strip().splitlines(), sys.argv[3]
text = open(path).read().splitlines()
i = next(k for k, l in enumerate(text) if l.startswith(mark))
while i + 1 < len(text) and text[i + 1].startswith("#") and not text[i + 1].startswith("# The same for"):
    i += 1
text[i + 1:i + 1] = sums
open(path, "w").write("\n".join(text) + "\n")
PY
fi
scripts/setup-models.sh
log "done: $TARGET runs $NAME. Next: rebuild (the models are compiled in), cargo test,"
log "update the docs that name the old digest, and check models/encoders.sha256's comments"
