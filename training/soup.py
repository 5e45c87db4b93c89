#!/usr/bin/env python3
"""Averages fine-tuned runs that started from the same weights into one model (a "model soup",
Wortsman et al. 2022): one encoder pass at run time, where an ensemble of the runs would need
one pass per run.

    training/soup.py OUT RUN_DIR RUN_DIR... [--weights W W ...]

Each RUN_DIR is a `training/finetune.py` output (adapter.safetensors, heads.safetensors, and
run.json where there is one). The runs must share the base encoder and --seed (so their LoRA
factors and heads started equal; `finetune.py --data-seed` varies the rest); the script refuses
runs whose recorded seeds differ.

The average of the encoders' changes is exact: each module's change is alpha / r · B·A, so
stacking the runs' factors along the rank (A' = [A1; A2; ...], B' = [w1·B1, w2·B2, ...]) with
alpha' = N·alpha keeps the scale alpha' / (N·r) = alpha / r and gives B'·A' = Σ wi·Bi·Ai. The
adapter grows N-fold (MiniLM: 1 MB a run), and the Rust loader merges it like any other. The
heads are averaged tensor by tensor, which is sound only because they started equal: a hidden
unit of the TC head means the same in every run.

The output's heads carry the first run's decoding settings; choose them again with
`unspin validate --model OUT --write-blend`. OUT/soup.json records the command, commit and
inputs (with sha256).
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file


def load(path):
    with safe_open(str(path), "pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, f.metadata() or {}


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_record(run):
    """What a run was trained from: its seed (the initial weights), whether it saw every
    article (`--all`) and the held-out split it left out. From run.json, else the heads'
    training record (epoch exports and soups have only that)."""
    p = Path(run) / "run.json"
    if p.exists():
        r = json.loads(p.read_text())
    else:
        _, meta = load(Path(run) / "heads.safetensors")
        r = json.loads(json.loads(meta["unspin-heads"]).get("training", "{}"))
    return {"seed": r.get("seed"), "all": bool(r.get("all")), "holdout": r.get("holdout")}


def soup_adapter(adapters, weights):
    (first, meta0), n = adapters[0], len(adapters)
    for t, meta in adapters[1:]:
        if set(t) != set(first):
            sys.exit("soup.py: the adapters hold different modules")
        for key in ("format", "alpha", "base", "base_config_sha256"):
            if meta.get(key) != meta0.get(key):
                sys.exit(f"soup.py: the adapters differ in {key}: {meta0.get(key)} and {meta.get(key)}")
    # The stacked factors keep the scale alpha / r only when every run has the same rank.
    for name in first:
        if len({t[name].shape for t, _ in adapters}) != 1:
            sys.exit(f"soup.py: the adapters differ in the shape of {name} (another rank?)")
    out = {}
    for name in first:
        if name.endswith(".lora_A.weight"):
            out[name] = torch.cat([t[name] for t, _ in adapters], 0).contiguous()
        elif name.endswith(".lora_B.weight"):
            out[name] = torch.cat([(w * t[name].float()).to(t[name].dtype)
                                   for (t, _), w in zip(adapters, weights)], 1).contiguous()
        else:
            sys.exit(f"soup.py: unexpected adapter tensor {name}")
    meta = dict(meta0)
    meta["alpha"] = repr(float(meta0["alpha"]) * n)
    return out, meta


def soup_heads(heads, weights):
    (first, meta0) = heads[0]
    h0 = json.loads(meta0["unspin-heads"])
    for t, meta in heads[1:]:
        h = json.loads(meta["unspin-heads"])
        for key in ("encoder", "hidden_size", "techniques", "context", "span_context"):
            if h.get(key) != h0.get(key):
                sys.exit(f"soup.py: the heads differ in {key}")
        if {k: v.shape for k, v in t.items()} != {k: v.shape for k, v in first.items()}:
            sys.exit("soup.py: the heads' tensors differ in shape")
    out = {k: sum(w * t[k].float() for (t, _), w in zip(heads, weights)).contiguous() for k in first}
    return out, h0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--weights", type=float, nargs="+", help="one per run (default: equal)")
    args = ap.parse_args()
    n = len(args.runs)
    if n < 2:
        sys.exit("soup.py: give at least two runs")
    weights = args.weights or [1.0 / n] * n
    if len(weights) != n or abs(sum(weights) - 1) > 1e-6 or min(weights) < 0:
        sys.exit("soup.py: --weights needs one non-negative weight per run, summing to 1")
    records = [run_record(r) for r in args.runs]
    seeds = {r["seed"] for r in records}
    if len(seeds) != 1 or None in seeds:
        sys.exit(f"soup.py: the runs must share --seed (their initial weights); seeds {seeds}")
    # A soup of a run that saw the held-out articles must say so, or `unspin validate` would
    # score it there as unseen.
    if len({(r["all"], r["holdout"]) for r in records}) != 1:
        sys.exit("soup.py: the runs were trained on different articles (--all or --holdout differ)")
    out = Path(args.out).resolve()
    if any(out == Path(r).resolve() for r in args.runs):
        sys.exit("soup.py: OUT is one of the runs")
    adapters = [load(Path(r) / "adapter.safetensors") for r in args.runs]
    heads = [load(Path(r) / "heads.safetensors") for r in args.runs]
    at, am = soup_adapter(adapters, weights)
    ht, hmeta = soup_heads(heads, weights)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent).stdout.strip()
    record = {"command": " ".join(sys.argv), "commit": commit, "weights": weights,
              "seed": records[0]["seed"], "all": records[0]["all"], "holdout": records[0]["holdout"],
              "runs": [{"dir": r, "adapter_sha256": sha256(Path(r) / "adapter.safetensors"),
                        "heads_sha256": sha256(Path(r) / "heads.safetensors")} for r in args.runs]}
    # `seed`, `all` and `holdout` at the top, where run_record and `unspin validate` read them.
    hmeta["training"] = json.dumps({"seed": record["seed"], "all": record["all"],
                                    "holdout": record["holdout"], "soup": record}, sort_keys=True)
    # Written whole into a new directory, then renamed over OUT: never an adapter beside
    # another soup's heads.
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp.chmod(0o755)
    save_file(at, str(tmp / "adapter.safetensors"), metadata=am)
    save_file(ht, str(tmp / "heads.safetensors"), metadata={"unspin-heads": json.dumps(hmeta)})
    (tmp / "soup.json").write_text(json.dumps(record, indent=1) + "\n")
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old)
    else:
        os.replace(tmp, out)
    print(f"soup of {n} runs written to {out}")


if __name__ == "__main__":
    main()
