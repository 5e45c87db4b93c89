#!/usr/bin/env bash
# The Ray example end to end: installs Ray Data and maturin into a virtualenv, builds the unspin
# wheel and the CLI from this checkout, makes a small corpus (real articles plus bad records),
# runs `unspin batch` and the Ray Data job (local mode) on it, and checks that they agree.
#
#   examples/ray/run.sh [--n 300] [--no-aids]
#
# Environment: UNSPIN_VENV (the virtualenv; default target/py-venv, git-ignored), PYTHON (the
# interpreter to create it with; Ray needs 3.10+), KEEP=1 to keep the work directory.
set -euo pipefail

n=300
aids=()
while [ $# -gt 0 ]; do
    case "$1" in
        --n) n="$2"; shift 2 ;;
        --no-aids) aids=(--no-aids); shift ;;
        *) echo "usage: $0 [--n N] [--no-aids]" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${UNSPIN_VENV:-$root/target/py-venv}"
work="$(mktemp -d "${TMPDIR:-/tmp}/unspin-ray.XXXXXX")"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the work tree
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

t0=$(now)
if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "maturin==1.16.0" "ray[data]==2.60.0"
t1=$(now)

cd "$root"
rm -rf target/py-wheels
"$venv/bin/maturin" build --release -q -i "$venv/bin/python" -m crates/python/Cargo.toml --out target/py-wheels
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps target/py-wheels/unspin-*.whl
cargo build --release -q -p unspin-cli
t2=$(now)

"$venv/bin/python" "$here/corpus.py" --n "$n" --out "$work/corpus.jsonl.gz"
t3=$(now)
target/release/unspin batch "$work/corpus.jsonl.gz" --out "$work/batch" --no-store -q "${aids[@]}"
t4=$(now)
"$venv/bin/python" "$here/analyze_ray.py" "$work/corpus.jsonl.gz" "$work/ray" "${aids[@]}" 2> "$work/ray.log" \
    || { cat "$work/ray.log" >&2; exit 1; }
grep '^ray:' "$work/ray.log" >&2 || true
t5=$(now)
"$venv/bin/python" "$here/compare.py" "$work/batch" "$work/ray"
t6=$(now)

echo "times: install $(secs "$t0" "$t1") s, build $(secs "$t1" "$t2") s, unspin batch $(secs "$t3" "$t4") s," \
     "Ray job $(secs "$t4" "$t5") s (Ray start-up included), compare $(secs "$t5" "$t6") s;" \
     "total $(secs "$t0" "$t6") s, $(secs "$t2" "$t6") s without install and build"
[ "${KEEP:-0}" = 1 ] && echo "outputs kept in $work"
exit 0
