#!/usr/bin/env bash
# Corpus-scale benchmark of `unspin batch` (prints figures, asserts nothing).
#
#   scripts/bench-batch.sh [N]        # N articles, default 100000 (0: only the ensemble)
#
# Builds a synthetic JSONL.gz corpus of N records from the PTC training articles (real texts
# under new ids, synthetic outlets and dates: scripts/make-corpus.py), then runs the release
# binary over it with 1 and 2 threads, with and without the fact-checking aids, and prints
# wall time, articles/s, output size and peak RSS. A 10%-size run beside the full one shows
# whether memory grows with the corpus. Outputs are deleted after each run (about 3 GB for
# 100,000 articles with the aids). Data: ../shared/data/ptc-train/articles (or $UNSPIN_DATA/ptc-train).
#
# When the encoders are installed (scripts/setup-models.sh), the ensembles (ENSEMBLES, default
# "ensemble ensemble-minilm"; the first is the default of `unspin analyze`) are measured too, on
# MODEL_N articles (default 200) with the aids: they are hundreds of times slower, so 100,000
# articles would take hours to days; extrapolate from articles/s.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
DATA=${UNSPIN_DATA:-../shared/data}
ARTICLES="$DATA/ptc-train/articles"
if [ ! -d "$ARTICLES" ]; then
    echo "bench-batch: skipped: no PTC articles at $ARTICLES (set UNSPIN_DATA)" >&2
    exit 0
fi
WORK=${BENCH_DIR:-target/bench-batch}
mkdir -p "$WORK"
cargo build --release -q -p unspin-cli
BIN=target/release/unspin

corpus() {
    local n=$1 f="$WORK/corpus-$1.jsonl.gz"
    [ -f "$f" ] || python3 scripts/make-corpus.py --articles "$ARTICLES" --n "$n" --out "$f"
    echo "$f"
}

printf '%-10s %-9s %-8s %-5s %8s %11s %9s %10s %8s\n' model articles threads aids "wall s" articles/s "input MB" "output MB" "peak MB"
run() {
    local n=$1 threads=$2 aids=$3 model=${4:-classical} f out flags=()
    f=$(corpus "$n")
    out="$WORK/out-$n-$threads-$aids"
    rm -rf "$out"
    [ "$aids" = on ] || flags+=(--no-aids)
    flags+=(--model "$model")
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" batch -q --threads "$threads" "${flags[@]}" --out "$out" "$f" 2>/dev/null
    read -r wall rss <"$WORK/time"
    local size
    size=$(du -sm "$out" | cut -f1)
    rm -rf "$out"
    local mb
    mb=$(python3 -c "import sys; print(round($(stat -c %s "$f")/1e6,1))")
    printf '%-10s %-9s %-8s %-5s %8s %11.1f %9s %10s %8.0f\n' "$model" "$n" "$threads" "$aids" "$wall" \
        "$(python3 -c "print($n/$wall)")" "$mb" "$size" "$(python3 -c "print($rss/1024)")"
}

# 1 vs 2 threads on the 10% corpus (set FULL=1 to also run the full corpus on 1 thread);
# 10% vs 100% on 2 threads shows whether memory grows with the corpus.
# N = 0 skips the classical runs (to measure only the ensemble).
[ "$N" -gt 0 ] && for aids in off on; do
    run $((N / 10)) 1 $aids
    run $((N / 10)) 2 $aids
    [ "${FULL:-0}" = 1 ] && run "$N" 1 $aids
    run "$N" 2 $aids
done

MODEL_N=${MODEL_N:-200}
for model in ${ENSEMBLES:-ensemble ensemble-minilm}; do
    if "$BIN" analyze --model "$model" --no-aids examples/article1001.txt >/dev/null 2>&1; then
        run "$MODEL_N" 1 on "$model"
        run "$MODEL_N" 2 on "$model"
    else
        echo "bench-batch: $model skipped: the encoders are not installed (scripts/setup-models.sh)" >&2
    fi
done
