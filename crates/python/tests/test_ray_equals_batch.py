"""The distributed path gives what `unspin batch` gives: examples/ray/analyze_ray.py (unspin as a
Ray Data UDF, local mode) against `unspin batch` on the same corpus, refused records included.

Needs Ray Data (`scripts/python-test.sh --with-ray` installs it); skipped without it. Runs the CLI
from $UNSPIN_BIN, else through `cargo run --release`.
"""
import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("ray.data", reason="Ray Data is not installed (scripts/python-test.sh --with-ray installs it)")

ROOT = pathlib.Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "ray"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("aids", [True, False], ids=["aids", "no-aids"])
def test_ray_equals_batch(tmp_path, aids):
    corpus = tmp_path / "corpus.jsonl.gz"
    n, _ = load("corpus").build(corpus, n=120)
    flag = [] if aids else ["--no-aids"]

    exe = os.environ.get("UNSPIN_BIN")
    cmd = [exe] if exe else ["cargo", "run", "--release", "-q", "-p", "unspin-cli", "--"]
    subprocess.run(cmd + ["batch", str(corpus), "--out", str(tmp_path / "batch"), "--no-store", "-q"] + flag,
                   cwd=ROOT, check=True)
    subprocess.run([sys.executable, str(EXAMPLE / "analyze_ray.py"), str(corpus), str(tmp_path / "ray")] + flag,
                   check=True)

    equal, refused, problems = load("compare").compare(tmp_path / "batch", tmp_path / "ray")
    assert problems == []
    assert equal == n + 3  # the articles plus the three good hand-made records
    assert refused == 8
