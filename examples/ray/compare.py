#!/usr/bin/env python3
"""Checks that a Ray run (analyze_ray.py) and `unspin batch` gave the same results.

    python compare.py BATCH_OUT RAY_OUT

Reports: the same set of ids, and for each id the same report (dict equality after json.loads;
identical bytes are counted too). Refusals: the same (input, line) positions, each with the same
id and message. Exits 0 and prints "OK: N records equal" when all holds, else 1 with the first
differences.
"""
import glob
import json
import os
import sys


def read_lines(paths):
    lines = []
    for path in sorted(paths):
        with open(path, encoding="utf-8") as f:
            lines += [line.rstrip("\n") for line in f if line.strip()]
    return lines


def by_id(lines, what, problems):
    out = {}
    for line in lines:
        report = json.loads(line)
        if report["id"] in out:
            problems.append(f"{what}: id {report['id']!r} appears twice")
        out[report["id"]] = (report, line)
    return out


def position(err):
    """(input, line) of a refused record; local paths compared resolved, since batch keeps the
    path as given and Ray makes it absolute."""
    path = err["input"]
    if "://" not in path:
        path = os.path.realpath(path)
    return path, err.get("line")


def compare(batch_dir, ray_dir):
    """Returns (number of equal reports, number of equal refusals, problems)."""
    problems = []
    batch = by_id(read_lines(glob.glob(os.path.join(batch_dir, "shards", "part-*.jsonl"))), "batch", problems)
    ray = by_id(read_lines(glob.glob(os.path.join(ray_dir, "reports", "*.jsonl"))), "ray", problems)
    only_batch = sorted(batch.keys() - ray.keys())
    only_ray = sorted(ray.keys() - batch.keys())
    if only_batch:
        problems.append(f"{len(only_batch)} ids only in batch's output, e.g. {only_batch[:5]}")
    if only_ray:
        problems.append(
            f"{len(only_ray)} ids only in Ray's output, e.g. {only_ray[:5]} (batch refuses a repeated id; "
            "see its errors.jsonl)"
        )
    equal = identical = 0
    for key in sorted(batch.keys() & ray.keys()):
        (b, b_line), (r, r_line) = batch[key], ray[key]
        if b == r:
            equal += 1
            identical += b_line == r_line
        elif len(problems) < 20:
            fields = sorted(k for k in b.keys() | r.keys() if b.get(k) != r.get(k))
            problems.append(f"report {key!r} differs in {fields}")

    batch_errors = {position(e): e for e in map(json.loads, read_lines([os.path.join(batch_dir, "errors.jsonl")]))}
    ray_errors = {position(e): e for e in map(json.loads, read_lines(glob.glob(os.path.join(ray_dir, "errors", "*.jsonl"))))}
    if batch_errors.keys() != ray_errors.keys():
        problems.append(
            f"refused records differ: batch only {sorted(batch_errors.keys() - ray_errors.keys())[:5]}, "
            f"Ray only {sorted(ray_errors.keys() - batch_errors.keys())[:5]}"
        )
    refused = 0
    for pos in sorted(batch_errors.keys() & ray_errors.keys(), key=str):
        b, r = batch_errors[pos], ray_errors[pos]
        if (b.get("id"), b["error"]) == (r.get("id"), r["error"]):
            refused += 1
        else:
            problems.append(f"refusal at {pos} differs: batch {b}, Ray {r}")
    if identical != equal:
        print(f"note: {equal - identical} equal reports are not byte-identical lines", file=sys.stderr)
    return equal, refused, problems


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    equal, refused, problems = compare(sys.argv[1], sys.argv[2])
    if problems:
        print("FAIL: Ray and batch disagree:", *problems, sep="\n  ")
        sys.exit(1)
    if equal == 0:
        sys.exit("FAIL: no reports to compare")
    print(f"OK: {equal} records equal, {refused} refused records equal (same ids and messages)")


if __name__ == "__main__":
    main()
