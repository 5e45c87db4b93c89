#!/usr/bin/env bash
# Fuzzes unspin's input parsers with cargo fuzz (libFuzzer; nightly Rust, for the fuzz targets
# only). See fuzz/README.md.
#
#   scripts/fuzz.sh [--seconds N] [--jobs J] [--cmin] [TARGET...]
#
# Runs each TARGET (default: all six) for N seconds (default 600), J at a time (default 1),
# starting from and adding to fuzz/corpus/TARGET. A crash leaves its input in
# fuzz/artifacts/TARGET/ and makes the script exit non-zero; once fixed, move that file into
# fuzz/regressions/TARGET/, where `cargo test` replays it. --cmin shrinks each corpus to the
# inputs that still add coverage before committing it.
# Installs what it lacks: the nightly toolchain (rustup) and cargo-fuzz (cargo install).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=600 jobs=1 cmin=0 targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        --cmin) cmin=1; shift ;;
        -*) echo "fuzz.sh: error: unknown flag $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
all=(html_extract text_input ptc_labels jsonl_record model_file server_request)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
cd "$root/fuzz"
# One build for every target (they share all their dependencies), before the clocks start.
cargo +nightly fuzz build -O

run() {
    local t="$1"
    mkdir -p "corpus/$t" "artifacts/$t"
    # -rss_limit_mb: one input may not make the process hold 2 GB; -timeout: nor take 10 s.
    # The log of each run is kept; its last lines say how many runs and how much coverage.
    if cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        >"artifacts/$t.log" 2>&1; then
        echo "fuzz.sh: $t: clean for ${seconds} s: $(grep -E 'stat::number_of_executed_units' "artifacts/$t.log" | awk '{print $2}') runs, $(ls "corpus/$t" | wc -l) corpus inputs"
    else
        echo "fuzz.sh: $t: FAILED, see fuzz/artifacts/$t.log and fuzz/artifacts/$t/" >&2
        return 1
    fi
}

status=0
pids=()
for t in "${targets[@]}"; do
    run "$t" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$jobs" ]; then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done

if [ "$cmin" = 1 ]; then
    for t in "${targets[@]}"; do
        cargo +nightly fuzz cmin -O "$t" "corpus/$t" >"artifacts/$t.cmin.log" 2>&1
        echo "fuzz.sh: $t: corpus minimized to $(ls "corpus/$t" | wc -l) inputs"
    done
fi
exit $status
