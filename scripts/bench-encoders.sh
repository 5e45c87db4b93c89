#!/usr/bin/env bash
# Speed and memory of the candle encoders (crates/transformer) against the Python peers a user
# would otherwise pick, on the same weights, windows and articles, in one run.
#
#   scripts/bench-encoders.sh [N_ARTICLES]        # default 100
#
# Environment:
#   UNSPIN_MODELS   encoder cache (default ~/.cache/unspin/encoders); filled by setup-models.sh
#   ARTICLES        article directory (default ../shared/data/ptc-train/articles)
#   VENV            Python venv for the peers (default ~/.cache/unspin/bench-venv), created and
#                   filled from PyPI (torch, transformers, onnxruntime, onnx) when missing
#   PEERS           which peers to run (default "onnx torch", plus "onnx-int8" when
#                   scripts/setup-ort.sh has exported the int8 graphs)
#   BACKENDS        unspin backends (default "candle", plus "ort ort-int8" when setup-ort.sh has
#                   run; those build the example with --features ort)
#   MODELS          which models (default "all-MiniLM-L6-v2 all-mpnet-base-v2")
#   STRIDES         window strides to measure (default "510": no overlap, as unspin runs;
#                   "255" overlaps windows by half)
#   RAYON_NUM_THREADS  threads for every implementation (default: all cores)
#
# Prints a Markdown table (and writes every raw JSON line to $CARGO_TARGET_DIR, else target/,
# bench-encoders.jsonl):
# seconds per 512-token window, seconds per 1,000-token article, articles per second over
# N_ARTICLES articles (each windowed and batched as in production), load time and peak RSS
# (/usr/bin/time's maximum resident set size) of each process.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-100}"
MODELS_DIR="${UNSPIN_MODELS:-$HOME/.cache/unspin/encoders}"
ARTICLES="${ARTICLES:-$ROOT/../shared/data/ptc-train/articles}"
VENV="${VENV:-$HOME/.cache/unspin/bench-venv}"
ORT_LIB="$MODELS_DIR/onnxruntime/libonnxruntime.so"
if [ -f "$ORT_LIB" ]; then
  PEERS="${PEERS:-onnx onnx-int8 torch}"
  BACKENDS="${BACKENDS:-candle ort ort-int8}"
else
  PEERS="${PEERS:-onnx torch}"
  BACKENDS="${BACKENDS:-candle}"
fi
MODELS="${MODELS:-all-MiniLM-L6-v2 all-mpnet-base-v2}"
STRIDES="${STRIDES:-510}"
export RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-$(nproc)}"
OUT="${CARGO_TARGET_DIR:-$ROOT/target}/bench-encoders.jsonl"

die() { echo "bench-encoders: error: $*" >&2; exit 1; }
[ -x /usr/bin/time ] || die "/usr/bin/time is needed for peak RSS (apt-get install time)"
[ -d "$ARTICLES" ] || die "no article directory $ARTICLES (set ARTICLES)"
"$ROOT/scripts/setup-models.sh"

if [ -n "$PEERS" ] && ! "$VENV/bin/python" -c "import torch, transformers, onnxruntime, onnx" 2>/dev/null; then
  echo "bench-encoders: installing the Python peers into $VENV" >&2
  python3 -m venv "$VENV"
  # transformers is pinned to the version the parity fixtures were made with.
  "$VENV/bin/pip" install --quiet torch "transformers==4.57.6" onnxruntime onnx
fi

FEATURES=()
case " $BACKENDS " in *" ort"*) FEATURES=(--features ort) ;; esac
(cd "$ROOT" && cargo build --release -p unspin-transformer --example bench "${FEATURES[@]}")
BENCH="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/bench"

mkdir -p "$(dirname "$OUT")"
: >"$OUT"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
run() { # command... ; appends its JSON line, plus peak RSS, to $OUT
  /usr/bin/time -f "%M" -o "$TMP/rss" "$@" >"$TMP/json" || die "failed: $*"
  local json rss
  json="$(tail -n 1 "$TMP/json")"
  rss="$(tail -n 1 "$TMP/rss")"
  echo "${json%\}}, \"peak_rss_mb\": $((rss / 1024))}" | tee -a "$OUT" >&2
}

for model in $MODELS; do
  for stride in $STRIDES; do
    for backend in $BACKENDS; do
      UNSPIN_BACKEND="$backend" run "$BENCH" --model "$MODELS_DIR/$model" --articles "$ARTICLES" \
        --n "$N" --stride "$stride"
    done
    for peer in $PEERS; do
      run "$VENV/bin/python" "$ROOT/scripts/bench_encoders_peer.py" --impl "$peer" \
        --model "$MODELS_DIR/$model" --articles "$ARTICLES" --n "$N" --stride "$stride"
    done
  done
done

python3 - "$OUT" "$RAYON_NUM_THREADS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(f"\n{rows[0]['articles'] if rows else 0} articles, {sys.argv[2]} threads, 512-token windows\n")
print("| model | implementation | stride | s / 512-token window | s / 1,000-token article | articles / s | load s | peak RSS MB |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['model']} | {r['impl']} | {r['stride']} | {r['window_512_s']:.3f} | {r['article_1000_s']:.3f} "
          f"| {r['articles_per_s']:.2f} | {r['load_s']:.2f} | {r['peak_rss_mb']} |")
ours = [r for r in rows if r['impl'].startswith('unspin')]
for r in rows:
    if r['impl'].startswith('unspin'):
        continue
    for o in ours:
        if (o['model'], o['stride']) == (r['model'], r['stride']):
            print(f"- {r['model']} (stride {r['stride']}): {o['impl']} has "
                  f"{o['articles_per_s'] / r['articles_per_s']:.2f}× {r['impl']}'s throughput")
PY
