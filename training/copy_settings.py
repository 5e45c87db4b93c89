#!/usr/bin/env python3
"""Copies the decoding settings of one model's heads into another's, tensors untouched:

    training/copy_settings.py NEW_HEADS FROM_HEADS OUT_HEADS

The settings are what `unspin validate --write-blend` chooses on the held-out split: the blend
with the classical model, the transformer's own token threshold, the second-technique
threshold, and the blend with a partner transformer beside it. A model trained on every
article (`finetune.py --all`) has seen that split, so nothing can be chosen for it there; it
takes the settings chosen for the same recipe trained without it. training/ship.sh runs this;
so does a person who chose new settings for the held-out model after the other shipped.
"""
import json
import os
import sys

from safetensors import safe_open
from safetensors.numpy import load_file, save_file

KEYS = ("blend", "si_threshold", "second_technique", "partner_blend")


def meta(path):
    return json.loads(safe_open(path, "np").metadata()["unspin-heads"])


def main():
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


if __name__ == "__main__":
    main()
