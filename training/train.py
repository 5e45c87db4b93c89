#!/usr/bin/env python3
"""Fine-tunes a base encoder for PTC with LoRA adapters and two heads; writes one file that the
Rust loader (crates/transformer, src/lora.rs) reads.

    python training/train.py --model ~/.cache/unspin/encoders/all-mpnet-base-v2 \
        --data ../shared/data/ptc-train --out out/mpnet-ptc

Tasks, trained together on the same windows:
  SI  span identification as BIO token tagging (O, B, I) on every token;
  TC  technique classification of each gold span: [CLS] vector ⊕ mean of the span's token
      vectors -> 14 techniques (a span listed with two techniques gives two examples).
Windows: 256 tokens with the special tokens, stride 128 content tokens, last window aligned to
the end (the plan of unspin_transformer::plan_windows). A span is trained in every window that
holds all of it.

LoRA by hand (PEFT is not assumed to be installed): every attention projection (q, k, v, o)
and both feed-forward matrices of every layer get W + (alpha / r)·B·A, A Kaiming-uniform, B
zero, the base weights frozen. Heads and LoRA matrices are trained with AdamW.

Output, in --out:
  adapter.safetensors  unspin-lora v1: MODULE.lora_A.weight / MODULE.lora_B.weight (HF module
                       paths) + heads.si.{weight,bias} (3, H) + heads.tc.{weight,bias} (14, 2H);
                       metadata: format, version, alpha, base, window, stride, si_labels,
                       tc_labels (JSON list), base_config_sha256
  check.json           a sentence, its ids and the adapted last_hidden_state's first rows, for
                       checking the Rust merge (see crates/transformer/tests/parity.rs)
  metrics.json         loss per logged step, span-level SI token F1 and TC accuracy on --dev
                       articles when given
Runs on CUDA when available, else CPU (use --max-steps for a smoke test).
"""
import argparse
import hashlib
import json
import math
import random
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import AutoModel, AutoTokenizer

SI_LABELS = ["O", "B", "I"]

# One LoRA implementation for both recipes (the CPU one, finetune.py, is what ships).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from finetune import TARGETS, LoRALinear, add_lora as _add_lora  # noqa: E402


def add_lora(model, arch, r, alpha, dropout):
    """Wraps the target Linears of every layer; returns {module path: LoRALinear}."""
    return _add_lora(model, arch, 0, r, alpha, dropout)


def plan_windows(n, content_len, stride):
    """Twin of unspin_transformer::plan_windows: (start, end) content-token ranges."""
    if n == 0:
        return []
    if n <= content_len:
        return [(0, n)]
    starts, s = [], 0
    while s + content_len < n:
        starts.append(s)
        s += stride
    starts.append(n - content_len)
    return [(s, s + content_len) for s in sorted(set(starts))]


def read_labels(data):
    si, tc = {}, {}
    for line in (data / "labels.si.tsv").read_text().splitlines():
        if line.strip():
            a, s, e = line.split("\t")
            si.setdefault(a, []).append((int(s), int(e)))
    for line in (data / "labels.tc.tsv").read_text().splitlines():
        if line.strip():
            a, t, s, e = line.split("\t")
            tc.setdefault(a, []).append((t, int(s), int(e)))
    techniques = [t.strip() for t in (data / "techniques.txt").read_text().splitlines() if t.strip()]
    return si, tc, techniques


def make_windows(tok, text, si_spans, tc_spans, techniques, window, stride):
    """Tokenizes one article (offsets are Python str indices = code points, as PTC's) and cuts
    it into training windows."""
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offs = enc["input_ids"], enc["offset_mapping"]
    n = len(ids)
    bio = [0] * n
    for s, e in si_spans:
        first = True
        for i, (ts, te) in enumerate(offs):
            if te > s and ts < e and te > ts:
                bio[i] = 1 if first else 2
                first = False
    spans = []  # (token_start, token_end, label)
    for t, s, e in tc_spans:
        toks = [i for i, (ts, te) in enumerate(offs) if te > s and ts < e]
        if toks and t in techniques:
            spans.append((toks[0], toks[-1] + 1, techniques.index(t)))
    out = []
    for ws, we in plan_windows(n, window - 2, stride):
        w_ids = [tok.cls_token_id] + ids[ws:we] + [tok.sep_token_id]
        w_bio = [-100] + bio[ws:we] + [-100]
        # +1: the [CLS] in front
        w_spans = [(s - ws + 1, e - ws + 1, y) for s, e, y in spans if s >= ws and e <= we]
        out.append((w_ids, w_bio, w_spans))
    return out


class Heads(nn.Module):
    def __init__(self, hidden, n_tech):
        super().__init__()
        self.si = nn.Linear(hidden, len(SI_LABELS))
        self.tc = nn.Linear(2 * hidden, n_tech)


def batches(windows, batch_size, pad_id, shuffle):
    order = list(range(len(windows)))
    if shuffle:
        random.shuffle(order)
    for b in range(0, len(order), batch_size):
        chunk = [windows[i] for i in order[b : b + batch_size]]
        L = max(len(w[0]) for w in chunk)
        ids = torch.full((len(chunk), L), pad_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), L), dtype=torch.long)
        bio = torch.full((len(chunk), L), -100, dtype=torch.long)
        spans = []
        for i, (w_ids, w_bio, w_spans) in enumerate(chunk):
            ids[i, : len(w_ids)] = torch.tensor(w_ids)
            mask[i, : len(w_ids)] = 1
            bio[i, : len(w_bio)] = torch.tensor(w_bio)
            spans += [(i, s, e, y) for s, e, y in w_spans]
        yield ids, mask, bio, spans


def forward(model, heads, ids, mask, spans, device):
    h = model(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state
    si_logits = heads.si(h)
    tc_logits = tc_y = None
    if spans:
        reps = torch.stack([torch.cat([h[i, 0], h[i, s:e].mean(0)]) for i, s, e, _ in spans])
        tc_logits = heads.tc(reps)
        tc_y = torch.tensor([y for *_, y in spans], device=device)
    return si_logits, tc_logits, tc_y


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="base encoder directory (setup-models.sh layout)")
    ap.add_argument("--data", required=True, help="directory with articles/, labels.si.tsv, labels.tc.tsv, techniques.txt")
    ap.add_argument("--out", required=True)
    ap.add_argument("--articles", type=int, default=0, help="use only the first N articles (smoke tests)")
    ap.add_argument("--dev", type=int, default=0, help="hold out the last N articles for evaluation")
    ap.add_argument("--window", type=int, default=256)
    ap.add_argument("--stride", type=int, default=128)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=float, default=32.0)
    ap.add_argument("--lora-dropout", type=float, default=0.1)
    ap.add_argument("--epochs", type=float, default=5)
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model_dir, data, out = Path(args.model), Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir, attn_implementation="eager")
    arch = model.config.model_type
    if arch not in TARGETS:
        sys.exit(f"model_type {arch} is not supported (bert, mpnet)")
    for p in model.parameters():
        p.requires_grad_(False)
    loras = add_lora(model, arch, args.rank, args.alpha, args.lora_dropout)
    si_gold, tc_gold, techniques = read_labels(data)
    heads = Heads(model.config.hidden_size, len(techniques))
    model.to(device)
    heads.to(device)

    paths = sorted((data / "articles").glob("article*.txt"))
    if args.articles:
        paths = paths[: args.articles]
    dev_paths = paths[len(paths) - args.dev :] if args.dev else []
    train_paths = paths[: len(paths) - args.dev] if args.dev else paths

    def windows_of(ps):
        ws = []
        for p in ps:
            aid = p.stem.replace("article", "")
            ws += make_windows(tok, p.read_text(encoding="utf-8"), si_gold.get(aid, []),
                               tc_gold.get(aid, []), techniques, args.window, args.stride)
        return ws

    train = windows_of(train_paths)
    dev = windows_of(dev_paths)
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total = args.max_steps or max(1, int(args.epochs * steps_per_epoch))
    lora_params = [p for l in loras.values() for p in (l.lora_A, l.lora_B)]
    opt = torch.optim.AdamW([
        {"params": lora_params, "lr": args.lr, "weight_decay": 0.0},
        {"params": heads.parameters(), "lr": args.head_lr, "weight_decay": 0.01},
    ])
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, total // 10)) * max(0.0, (total - s) / total))
    print(f"{arch}: {len(loras)} LoRA modules (r={args.rank}), {len(train)} train windows, "
          f"{len(dev)} dev windows, {total} steps on {device}", file=sys.stderr)

    log, step, t0 = [], 0, time.time()
    model.train()
    heads.train()
    while step < total:
        for ids, mask, bio, spans in batches(train, args.batch, tok.pad_token_id, shuffle=True):
            si_logits, tc_logits, tc_y = forward(model, heads, ids, mask, spans, device)
            loss = F.cross_entropy(si_logits.flatten(0, 1), bio.to(device).flatten(), ignore_index=-100)
            if tc_logits is not None:
                loss = loss + F.cross_entropy(tc_logits, tc_y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(lora_params + list(heads.parameters()), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 10 == 0 or step == total:
                log.append({"step": step, "loss": loss.item(), "s": round(time.time() - t0, 1)})
                print(f"step {step}/{total} loss {loss.item():.4f}", file=sys.stderr)
            if step >= total:
                break

    metrics = {"log": log, "train_windows": len(train), "dev_windows": len(dev)}
    model.eval()
    heads.eval()
    if dev:
        tp = fp = fn = 0
        correct = n_spans = 0
        with torch.no_grad():
            for ids, mask, bio, spans in batches(dev, args.batch, tok.pad_token_id, shuffle=False):
                si_logits, tc_logits, tc_y = forward(model, heads, ids, mask, spans, device)
                pred = si_logits.argmax(-1).cpu() > 0
                gold = bio > 0
                valid = bio != -100
                tp += (pred & gold & valid).sum().item()
                fp += (pred & ~gold & valid).sum().item()
                fn += (~pred & gold & valid).sum().item()
                if tc_logits is not None:
                    correct += (tc_logits.argmax(-1) == tc_y).sum().item()
                    n_spans += len(spans)
        p = tp / max(1, tp + fp)
        r = tp / max(1, tp + fn)
        metrics["dev_si_token_f1"] = 2 * p * r / max(1e-9, p + r)
        metrics["dev_tc_accuracy"] = correct / max(1, n_spans)
        print(f"dev: SI token F1 {metrics['dev_si_token_f1']:.3f}, TC accuracy {metrics['dev_tc_accuracy']:.3f}",
              file=sys.stderr)

    tensors = {}
    for path, l in loras.items():
        tensors[f"{path}.lora_A.weight"] = l.lora_A.detach().float().cpu().contiguous()
        tensors[f"{path}.lora_B.weight"] = l.lora_B.detach().float().cpu().contiguous()
    for name, p in heads.named_parameters():
        tensors[f"heads.{name}"] = p.detach().float().cpu().contiguous()
    config_sha = hashlib.sha256((model_dir / "config.json").read_bytes()).hexdigest()
    save_file(tensors, str(out / "adapter.safetensors"), metadata={
        "format": "unspin-lora", "version": "1", "alpha": repr(float(args.alpha)),
        "base": model_dir.name, "base_config_sha256": config_sha,
        "window": str(args.window), "stride": str(args.stride),
        "si_labels": json.dumps(SI_LABELS), "tc_labels": json.dumps(techniques),
    })

    # A reference for the Rust merge: the adapted encoder's output on one sentence.
    text = "The senator's outrageous lies will destroy our great nation — wake up, people!"
    enc = tok(text, return_tensors="pt")
    with torch.no_grad():
        h = model(**{k: v.to(device) for k, v in enc.items()}).last_hidden_state[0].float().cpu()
    (out / "check.json").write_text(json.dumps({
        "text": text, "input_ids": enc["input_ids"][0].tolist(),
        "rows": [[round(float(x), 7) for x in h[i, :16]] for i in range(h.shape[0])],
    }))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    print(f"wrote {out / 'adapter.safetensors'}", file=sys.stderr)


if __name__ == "__main__":
    main()
