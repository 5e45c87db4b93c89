"""Exports an installed encoder to ONNX for unspin's optional onnxruntime backend.

    python scripts/export_onnx.py DIR [--check]

DIR is an encoder as scripts/setup-models.sh installs it (config.json, model.safetensors,
tokenizer.json). Writes, next to the weights:
  model.onnx        the fp32 graph (inputs input_ids and attention_mask, int64 [batch, len];
                    output last_hidden_state, f32 [batch, len, hidden]), exported by torch.onnx;
  model.int8.onnx   the same with most matrix weights quantized to 8 bits (unsigned) by
                    onnxruntime's dynamic quantization (one scale per output channel;
                    activations quantized at run time; onnx_graph.quantize_int8), which is
                    what makes onnxruntime fast on a CPU.
Both are written to a temporary name and renamed, so an interrupted export leaves nothing.
With --check it also prints the largest difference of each graph's hidden states from
PyTorch's on one window of text (the int8 graph is expected to differ by a few percent).
"""

import argparse
import os
import sys
from pathlib import Path


def export_fp32(model_dir, out):
    """Exports the encoder at `model_dir` to the ONNX file `out` (fp32), with eager attention:
    the SDPA path drops an all-ones mask in Python, which tracing would bake into the graph."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Wrapped(torch.nn.Module):
        """Only the two inputs unspin feeds (BERT's token types default to zeros)."""

        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    torch.manual_seed(0)
    # Two rows of different lengths, so padding is traced as data, not as constants.
    ids = torch.randint(1000, 2000, (2, 40), dtype=torch.long)
    mask = torch.ones((2, 40), dtype=torch.long)
    mask[1, 25:] = 0
    torch.onnx.export(
        Wrapped(model),
        (ids, mask),
        str(out),
        input_names=["input_ids", "attention_mask"],
        output_names=["last_hidden_state"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "len"},
            "attention_mask": {0: "batch", 1: "len"},
            "last_hidden_state": {0: "batch", 1: "len"},
        },
        opset_version=17,
        dynamo=False,
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", type=Path)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    d = args.dir
    for f in ("config.json", "model.safetensors", "tokenizer.json"):
        if not (d / f).is_file():
            sys.exit(f"export_onnx: {d / f}: not found (run scripts/setup-models.sh)")

    # Beside this script: the same quantization setup-models.sh applies to the default's encoder.
    from onnx_graph import quantize_int8

    fp32 = d / "model.onnx"
    int8 = d / "model.int8.onnx"
    tmp32 = d / f".model.onnx.{os.getpid()}"
    tmp8 = d / f".model.int8.onnx.{os.getpid()}"
    try:
        export_fp32(d, tmp32)
        quantize_int8(tmp32, tmp8)
        os.replace(tmp32, fp32)
        os.replace(tmp8, int8)
    finally:
        for t in (tmp32, tmp8):
            if t.exists():
                t.unlink()
    print(f"export_onnx: wrote {fp32} and {int8}", file=sys.stderr)

    if args.check:
        import numpy as np
        import onnxruntime as ort
        import torch
        from transformers import AutoModel, AutoTokenizer

        tok = AutoTokenizer.from_pretrained(str(d))
        model = AutoModel.from_pretrained(str(d), attn_implementation="eager").eval()
        text = "The phony war is over, and the real one has begun, said the minister. " * 30
        enc = tok(text, truncation=True, max_length=512, return_tensors="np")
        ids = enc["input_ids"].astype(np.int64)
        mask = enc["attention_mask"].astype(np.int64)
        with torch.inference_mode():
            ref = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
            ref = ref.last_hidden_state.numpy()
        for path in (fp32, int8):
            sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            out = sess.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            diff = np.abs(out - ref).max()
            rel = np.linalg.norm(out - ref) / np.linalg.norm(ref)
            cos = (out * ref).sum(-1) / np.linalg.norm(out, axis=-1) / np.linalg.norm(ref, axis=-1)
            print(
                f"{path.name}: max abs diff {diff:.2e}, relative L2 error {rel:.3%}, "
                f"mean cosine per token {cos.mean():.4f}"
            )


if __name__ == "__main__":
    main()
