#!/usr/bin/env python3
"""The Python peer of crates/transformer/examples/bench.rs: the same weights, measured the same way.

    python scripts/bench_encoders_peer.py --impl torch|onnx|onnx-int8 --model DIR --articles DIR [--n 100]

`torch` runs transformers' AutoModel (eager PyTorch on the CPU); `onnx` runs the same model in
onnxruntime, the usual way to serve an encoder on a CPU from Python: the model.onnx that
scripts/setup-ort.sh exported beside the weights, else one exported here to a temp dir;
`onnx-int8` runs setup-ort.sh's model.int8.onnx (the file unspin's ort-int8 backend runs). Both use as many threads
as the Rust side (RAYON_NUM_THREADS, else every core) and the same windows: 512 tokens with
[CLS]/[SEP], by default without overlap (stride 510: the fewest windows of equal length; a
smaller --stride overlaps them, the last aligned to the end, each token kept from its most
central window), windows of one article run one at a time, as unspin runs them since
2026-12-04 (--batch 4 batches them as it did before). Prints one JSON
object with the same keys as the Rust example.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def plan_windows(n, content_len, stride):
    """Python twin of unspin_transformer::plan_windows."""
    if n == 0:
        return []
    if n <= content_len:
        return [(0, n, 0, n)]
    if stride >= content_len:
        k = -(-n // content_len)
        base, extra = divmod(n, k)
        out, s = [], 0
        for i in range(k):
            e = s + base + (1 if i < extra else 0)
            out.append((s, e, s, e))
            s = e
        return out
    starts = []
    s = 0
    while s + content_len < n:
        starts.append(s)
        s += stride
    starts.append(n - content_len)
    starts = sorted(set(starts))
    out, own_start = [], 0
    for i, s in enumerate(starts):
        e = s + content_len
        own_end = (starts[i + 1] + e + 1) // 2 if i + 1 < len(starts) else n
        out.append((s, e, own_start, own_end))
        own_start = own_end
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=["torch", "onnx", "onnx-int8"], required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--articles", required=True)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--stride", type=int, default=510)
    ap.add_argument("--batch", type=int, default=1)
    args = ap.parse_args()

    threads = int(os.environ.get("RAYON_NUM_THREADS") or os.cpu_count() or 1)
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModel.from_pretrained(args.model).eval()
    if args.impl == "torch":
        def forward(ids, mask):
            with torch.inference_mode():
                return model(
                    input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)
                ).last_hidden_state.numpy()
    else:
        import onnxruntime as ort

        # The graphs scripts/setup-ort.sh exported (the same files unspin's ort backends
        # run); without them the fp32 graph is exported here, the same way.
        onnx_path = Path(args.model) / (
            "model.int8.onnx" if args.impl == "onnx-int8" else "model.onnx"
        )
        if args.impl == "onnx-int8" and not onnx_path.exists():
            sys.exit(f"{onnx_path}: not found (run scripts/setup-ort.sh)")
        if not onnx_path.exists():
            onnx_path = Path(tempfile.mkdtemp(prefix="unspin-onnx-")) / "model.onnx"
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from export_onnx import export_fp32

            export_fp32(args.model, onnx_path)
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])

        def forward(ids, mask):
            return sess.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    load_s = time.perf_counter() - t0

    cls, sep, pad = tok.cls_token_id, tok.sep_token_id, tok.pad_token_id
    content_len = 510

    def encode_article(text):
        ids = tok(text, add_special_tokens=False)["input_ids"]
        plan = plan_windows(len(ids), content_len, args.stride)
        rows = []
        for b in range(0, len(plan), args.batch):
            batch = plan[b : b + args.batch]
            length = max(e - s for s, e, _, _ in batch) + 2
            x = np.full((len(batch), length), pad, dtype=np.int64)
            m = np.zeros((len(batch), length), dtype=np.int64)
            for i, (s, e, _, _) in enumerate(batch):
                x[i, : e - s + 2] = [cls] + ids[s:e] + [sep]
                m[i, : e - s + 2] = 1
            out = forward(x, m)
            for i, (s, e, os_, oe) in enumerate(batch):
                rows.append(out[i, os_ - s + 1 : oe - s + 1])
        return ids, (np.concatenate(rows) if rows else np.zeros((0, 0))), len(plan)

    paths = sorted(p for p in Path(args.articles).iterdir() if p.suffix == ".txt")[: args.n]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    all_text = "\n\n".join(texts)
    enc = tok(all_text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = enc["input_ids"], enc["offset_mapping"]
    cut = all_text[: offsets[999][1]]

    window = np.array([[cls] + ids[:510] + [sep]], dtype=np.int64)
    ones = np.ones_like(window)
    forward(window, ones)
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        forward(window, ones)
        times.append(time.perf_counter() - t)
    window_s = statistics.median(times)

    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        _, _, article_windows = encode_article(cut)
        times.append(time.perf_counter() - t)
    article_s = statistics.median(times)

    t = time.perf_counter()
    n_tokens = n_windows = 0
    for text in texts:
        i, _, w = encode_article(text)
        n_tokens += len(i)
        n_windows += w
    corpus_s = time.perf_counter() - t

    print(json.dumps({
        "impl": f"python-{args.impl}",
        "model": Path(args.model).name,
        "threads": threads,
        "torch": torch.__version__,
        "window_tokens": 512,
        "stride": args.stride,
        "batch": args.batch,
        "load_s": load_s,
        "window_512_s": window_s,
        "article_1000_s": article_s,
        "article_1000_windows": article_windows,
        "articles": len(texts),
        "articles_tokens": n_tokens,
        "articles_windows": n_windows,
        "articles_s": corpus_s,
        "articles_per_s": len(texts) / corpus_s,
    }))


if __name__ == "__main__":
    sys.exit(main())
