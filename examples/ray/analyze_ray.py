#!/usr/bin/env python3
"""Analyses a JSONL corpus with unspin as a Ray Data UDF; the distributed twin of `unspin batch`.

    python analyze_ray.py INPUT.jsonl[.gz]... OUTDIR [--model M] [--no-aids] [--workers N] [--threads N]

Writes OUTDIR/reports/*.jsonl (one report per line, the same JSON text `unspin batch` writes in
its shards, in no particular order) and OUTDIR/errors/*.jsonl (the records it could not analyse,
each {"input", "line", "id"?, "error"} like a line of batch's errors.jsonl).

Without RAY_ADDRESS (or --address) it starts Ray in local mode on this machine; with one it joins
that cluster and the same code runs there. Inputs may be anything Ray Data reads from: local
paths, s3://..., gs://..., hdfs://...

Exactness. The UDF gets each line as raw bytes and calls unspin.analyze_jsonl, which parses it
with the function `unspin batch` uses, so invalid UTF-8 or JSON is refused with batch's own
message. (Ray's read_json would reformat records, and read_text splits on characters that JSON
strings may contain, such as U+2028.) Lines are cut exactly as batch cuts them: on "\\n", minus
a trailing "\\r", skipping blank lines but counting them in line numbers, refusing lines over
16 MiB. One batch rule is not reproduced: batch refuses a record whose id an earlier record
already had; a distributed job sees records in no global order, so deduplicate upstream
(e.g. ds.groupby("id")) if the corpus may repeat ids.
"""
import argparse
import gzip
import json
import os
import sys
import time

import pyarrow as pa
import pyarrow.compute as pc
import ray
from ray.data.datasource import BlockBasedFileDatasink

#: `unspin batch --max-bytes` default: larger lines are refused, not read.
MAX_BYTES = 16 << 20
#: What Rust's `u8::is_ascii_whitespace` accepts (no vertical tab): batch skips lines of these.
ASCII_WHITESPACE = b" \t\n\x0c\r"


def split_lines(row):
    """One input file (a row of read_binary_files) -> one row per non-blank JSONL line."""
    data, path = row["bytes"], row["path"]
    # Ray Data decompresses by file extension already; this covers a filesystem that did not.
    if data[:2] == b"\x1f\x8b" and path.endswith(".gz"):
        data = gzip.decompress(data)
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts.pop()  # what follows the final newline is a line only if it is not empty
    out = []
    for number, line in enumerate(parts, start=1):
        row = {"input": path, "line": number, "raw": None, "error": None}
        if len(line) > MAX_BYTES:
            row["error"] = (
                f"record too large: {len(line)} bytes, over the limit of {MAX_BYTES} "
                "(raise it with --max-bytes)"
            )
        else:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line.strip(ASCII_WHITESPACE):
                continue
            row["raw"] = line
        out.append(row)
    return out


class AnalyzeLines:
    """The UDF: a callable class, so each Ray worker (an actor) loads the models once and keeps
    them for every batch it is given."""

    def __init__(self, model="classical", aids=True, threads=None):
        if threads:
            # unspin analyses a batch on a rayon thread pool, sized once per process.
            os.environ["RAYON_NUM_THREADS"] = str(threads)
        import unspin

        self.unspin = unspin
        self.model = model
        self.aids = aids
        unspin.analyze_jsonl([], model=model, aids=aids)  # loads the models now, not in the first batch

    def __call__(self, batch: pa.Table) -> pa.Table:
        inputs = batch.column("input").to_pylist()
        lines = batch.column("line").to_pylist()
        raws = batch.column("raw").to_pylist()
        preset = batch.column("error").to_pylist()
        todo = [i for i, raw in enumerate(raws) if raw is not None]
        # errors="return": a bad record becomes {"error", "id"?} in its place instead of failing
        # the batch; as_json: each report is the exact line batch writes, no re-serialising.
        results = self.unspin.analyze_jsonl(
            [raws[i] for i in todo], model=self.model, aids=self.aids, errors="return", as_json=True
        )
        reports = [None] * len(raws)
        errors = [None] * len(raws)
        for i, error in enumerate(preset):
            if error is not None:
                errors[i] = {"error": error}
        for i, result in zip(todo, results):
            if isinstance(result, str):
                reports[i] = result
            else:
                errors[i] = result
        for i, e in enumerate(errors):
            if e is not None:
                rec = {"input": inputs[i], "line": lines[i]}
                if "id" in e:
                    rec["id"] = e["id"]
                rec["error"] = e["error"]
                errors[i] = json.dumps(rec, ensure_ascii=False)
        return pa.table(
            {"report": pa.array(reports, pa.string()), "error": pa.array(errors, pa.string())}
        )


class JsonLinesSink(BlockBasedFileDatasink):
    """Writes one string column verbatim, a line per row: Ray's write_json would re-encode the
    reports (through pandas or Arrow) and could change how numbers are written."""

    def __init__(self, path, column):
        super().__init__(path, file_format="jsonl")
        self.column = column

    def write_block_to_file(self, block, file):
        values = block.to_arrow().column(self.column).to_pylist()
        file.write("".join(v + "\n" for v in values).encode("utf-8"))


def only(column):
    """A batch function keeping the rows where `column` is set, and only that column."""

    def keep(table: pa.Table) -> pa.Table:
        return table.filter(pc.is_valid(table[column])).select([column])

    return keep


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="JSONL or .jsonl.gz files (or directories of them)")
    p.add_argument("out", metavar="OUTDIR")
    p.add_argument("--model", default="classical",
                   help="the model, as `unspin batch --model` takes it; classical, batch's default, "
                        "is about 100 times faster than the ensemble [default: classical]")
    p.add_argument("--no-aids", action="store_true", help="spans only, like `unspin batch --no-aids`")
    p.add_argument("--address", default=os.environ.get("RAY_ADDRESS"),
                   help="a Ray cluster to join [default: $RAY_ADDRESS, else local mode]")
    p.add_argument("--workers", type=int, default=1,
                   help="analysis actors (one per node is usual) [default: 1]")
    p.add_argument("--threads", type=int, default=None,
                   help="analysis threads per actor [default: local mode, this machine's cores "
                   "divided among the workers; on a cluster, all cores of the actor's node]")
    p.add_argument("--actor-cpus", type=float, default=1,
                   help="CPUs Ray reserves for each actor, which decides how many fit on a node "
                   "[default: 1]")
    p.add_argument("--batch-size", type=int, default=128, help="lines per UDF call [default: 128]")
    p.add_argument("--wheel", help="an unspin wheel to ship to the workers (runtime_env), for a "
                   "cluster where it is not installed")
    a = p.parse_args(argv)
    runtime_env = {"py_modules": [a.wheel]} if a.wheel else None
    local = {}
    threads = a.threads
    if not a.address:
        cores = os.cpu_count() or 1
        threads = threads or max(1, cores // a.workers)
        # Ray's CPUs are scheduling tokens. Actors holding them all would leave none for the
        # read tasks that feed them, and the job would wait forever; so local mode declares one
        # more than the actors take. Each actor runs `threads` threads, whatever Ray counts.
        local["num_cpus"] = max(cores, int(a.workers * a.actor_cpus + 0.999) + 1)
    ray.init(address=a.address, runtime_env=runtime_env, logging_level="warning",
             log_to_driver=False, **local)
    ray.data.DataContext.get_current().enable_progress_bars = False
    started = time.perf_counter()

    lines = ray.data.read_binary_files(a.inputs, include_paths=True).flat_map(split_lines)
    results = lines.map_batches(
        AnalyzeLines,
        fn_constructor_kwargs={"model": a.model, "aids": not a.no_aids, "threads": threads},
        batch_format="pyarrow",
        batch_size=a.batch_size,
        compute=ray.data.ActorPoolStrategy(size=a.workers),
        num_cpus=a.actor_cpus,
    ).materialize()
    # Materialised once (spilled to disk if large), then written in two parts. A production job
    # might write only the reports and log the refusals elsewhere.
    counts = {}
    for column in ("report", "error"):
        part = results.map_batches(only(column), batch_format="pyarrow").materialize()
        counts[column] = part.count()
        part.write_datasink(JsonLinesSink(os.path.join(a.out, column + "s"), column))
    n, n_errors = counts["report"], counts["error"]
    secs = time.perf_counter() - started
    print(f"ray: {n} articles analysed in {secs:.1f} s ({n / max(secs, 1e-9):.0f} articles/s), "
          f"{n_errors} records refused; reports in {os.path.join(a.out, 'reports')}",
          file=sys.stderr)
    ray.shutdown()


if __name__ == "__main__":
    main()
