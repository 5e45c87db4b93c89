#!/usr/bin/env bash
# Tests of the Python package: builds the unspin wheel (maturin) and the CLI, installs the wheel
# into a virtualenv, runs pytest on crates/python/tests.
#
#   scripts/python-test.sh [--with-ray] [PYTEST ARGS...]
#
# --with-ray also installs Ray Data and runs the Ray-vs-batch test (skipped otherwise).
# Environment: UNSPIN_VENV (default target/py-venv, git-ignored), PYTHON (the interpreter to
# create it with: 3.9+, 3.10+ with Ray).
set -euo pipefail

ray=0
if [ "${1:-}" = --with-ray ]; then
    ray=1
    shift
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${UNSPIN_VENV:-$root/target/py-venv}"
cd "$root"

if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
packages=("maturin==1.16.0" "pytest==9.2.0")
[ "$ray" = 1 ] && packages+=("ray[data]==2.60.0")
"$venv/bin/python" -m pip install -q --disable-pip-version-check "${packages[@]}"

rm -rf target/py-wheels
# Debug builds, the CLI the same one e2e/run.sh builds: CI's disk and time go to one build, not two.
"$venv/bin/maturin" build -q -i "$venv/bin/python" -m crates/python/Cargo.toml --out target/py-wheels
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps target/py-wheels/unspin-*.whl
cargo build -q -p unspin-cli

args=("$root/crates/python/tests")
if [ "$ray" = 0 ]; then
    echo "python-test: without --with-ray, the Ray-vs-batch test is left out" >&2
    args+=(--ignore "$root/crates/python/tests/test_ray_equals_batch.py")
fi
# From outside the checkout, so that `import unspin` finds the installed wheel only; no
# __pycache__ or .pytest_cache left in the work tree.
cd "$root/target"
export PYTHONDONTWRITEBYTECODE=1
UNSPIN_BIN="$root/target/debug/unspin" "$venv/bin/python" -m pytest -q -p no:cacheprovider "${args[@]}" "$@"
