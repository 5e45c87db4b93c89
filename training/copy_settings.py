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
    """`git rev-parse --short HEAD`, +dirty when tracked files differ from it (as `unspin
    validate --write-blend` and ship.sh write it); None without git or outside a repository."""
    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()
    try:
        head = git("rev-parse", "--short", "HEAD")
        return head + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def read_records(path):
    """A settings.json's records ({} when there is none); anything but a JSON object stops the
    copy before a file is written."""
    try:
        with open(path) as f:
            records = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        sys.exit(f"{path}: {e}")
    if not isinstance(records, dict):
        sys.exit(f"{path}: not a JSON object of settings records")
    return records


def main():
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    t0 = time.time()
    new, old, out = sys.argv[1:]
    m, o = meta(new), meta(old)
    if m["techniques"] != o["techniques"] or m["encoder"] != o["encoder"]:
        sys.exit(f"{new} and {old} are heads of different kinds")
    # Both settings files are read before anything is written.
    source = read_records(os.path.join(os.path.dirname(old) or ".", "settings.json"))
    path = os.path.join(os.path.dirname(out) or ".", "settings.json")
    records = read_records(path)
    for key in KEYS:
        if key in o:
            m[key] = o[key]
        else:
            m.pop(key, None)
    save_file(load_file(new), out + ".tmp", metadata={"unspin-heads": json.dumps(m)})
    os.replace(out + ".tmp", out)
    # One record per setting: "blend" stands for the blend of one with the token and
    # second-technique thresholds that go with it. A setting FROM does not have was removed,
    # and its record goes with it.
    for key in ("blend", "partner_blend"):
        if key not in o:
            records.pop(key, None)
            continue
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


if __name__ == "__main__":
    main()
