#!/usr/bin/env python3
"""Copies the decoding settings of one model's heads into another's, tensors untouched:

    training/copy_settings.py NEW_HEADS FROM_HEADS OUT_HEADS

The settings are what `unspin validate --write-blend` chooses on the held-out split: the blend
with the classical model, the transformer's own token threshold, the second-technique
threshold, and the blend with a partner transformer beside it. A model trained on every
article (`finetune.py --all`) has seen that split, so nothing can be chosen for it there; it
takes the settings chosen for the same recipe trained without it. training/ship.sh runs this;
so does a person who chose new settings for the held-out model after the other shipped.

Beside OUT_HEADS it records the copy in settings.json, under the names `unspin validate
--write-blend` records its choices by ("blend", "partner_blend"), each with the record it was
copied from (FROM_HEADS' settings.json, where there is one).
"""
import datetime
import json
import os
import shlex
import subprocess
import sys
import time

from safetensors import safe_open
from safetensors.numpy import load_file, save_file

KEYS = ("blend", "si_threshold", "second_technique", "partner_blend")


def meta(path):
    return json.loads(safe_open(path, "np").metadata()["unspin-heads"])


def commit():
    """`git rev-parse --short HEAD`, +dirty when tracked files differ from it, as ship.sh writes it."""
    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True).stdout.strip()
    head = git("rev-parse", "--short", "HEAD") or None
    return head and head + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def record_copy(old, out, started, t0):
    """Writes settings.json beside `out`: one record per setting, naming where it came from."""
    source = read_json(os.path.join(os.path.dirname(old) or ".", "settings.json"))
    path = os.path.join(os.path.dirname(out) or ".", "settings.json")
    records = read_json(path)
    if not isinstance(records, dict) or not isinstance(source, dict):
        sys.exit(f"{path} or the settings.json beside {old} is not a JSON object of records")
    for key in ("blend", "partner_blend"):
        records[key] = {
            "what": f"{key} in heads.safetensors, copied from {old}: nothing can be chosen on the "
                    "held-out split for a model that has seen it",
            "command": shlex.join(["training/copy_settings.py", *sys.argv[1:]]),
            "commit": commit(),
            "started": started,
            "wall_seconds": round(time.time() - t0),
            "copied_from": source.get(key),
        }
    with open(path + ".tmp", "w") as f:
        f.write(json.dumps(records, indent=1, ensure_ascii=False) + "\n")
    os.replace(path + ".tmp", path)


def main():
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    t0 = time.time()
    new, old, out = sys.argv[1:]
    m, o = meta(new), meta(old)
    if m["techniques"] != o["techniques"] or m["encoder"] != o["encoder"]:
        sys.exit(f"{new} and {old} are heads of different kinds")
    for key in KEYS:
        if key in o:
            m[key] = o[key]
        else:
            m.pop(key, None)
    save_file(load_file(new), out + ".tmp", metadata={"unspin-heads": json.dumps(m)})
    os.replace(out + ".tmp", out)
    record_copy(old, out, started, t0)


if __name__ == "__main__":
    main()
