#!/usr/bin/env python3
"""Fine-tunes a base encoder for PTC on the CPU (or a GPU when torch sees one: wired, not yet
run on one), end to end with the heads the Rust detector runs, so the result loads as it is:

    training/finetune.sh minilm            # all 6 layers, LoRA on every linear layer
    training/finetune.sh mpnet             # all 12 layers (--train-layers 4: top 4, lower 8 cached)

Output, in --out (default out/ft-ENCODER):
  adapter.safetensors  unspin-lora v1 (crates/transformer/src/lora.rs): LoRA pairs, fp16
  heads.safetensors    unspin-heads v1 (crates/transformer/src/heads.rs): the SI and TC heads
  run.json             arguments, seed, data, commit, held-out split, wall time, per-epoch
                       validation figures (none with --all)
  checkpoint.pt        the whole training state, written every --checkpoint-minutes and when
                       SIGTERM or Ctrl-C stops the run (after the step under way); a stopped
                       or killed run started again with the same command resumes from it and
                       ends with the same weights as a run that was never stopped
  cache/               (top-k mode) the frozen layers' outputs, fp16, outside git

Model. The encoder gets LoRA updates W + (alpha/r)·B·A on every attention projection and both
feed-forward matrices of each trained layer. On top, three heads are trained together:
  SI   P(token inside a propaganda span) from [token vector, mean of its ±16 neighbours]: the
       Rust `Heads` SI head (logistic regression), so word pieces are tagged one by one and the
       Rust decoder turns them into word-aligned spans;
  TC   technique of each gold span from [mean, max of its vectors, mean of ±24 tokens around
       it, ln(1+chars), ln(1+tokens)] -> 256 ReLU -> 14: the Rust `Heads` TC head; a span that
       carries two techniques is one example per technique;
  SENT auxiliary, not shipped: does a sentence contain propaganda, from its mean vector.
  TECH auxiliary, not shipped, opt-in (--tech-weight W): which techniques' spans cover each
       token (14 independent logistic outputs over the SI head's input), so the token
       vectors learn the techniques as well as "inside"; SI stays the shipped head.
Only the tokens a window owns carry features, with the [CLS]/[SEP] rows left out, as in Rust.

Data. PTC train minus the fixed held-out split training/holdout.txt (75 of 371 articles, made
by `--make-holdout` with seed 2020; same size as PTC dev): the held-out articles are used for
per-epoch validation only. `--all` trains on all 371 for the shipped model once the recipe is
chosen (and validates nothing: the held-out articles are training data then). `--memes` adds
the SemEval-2021 meme texts (technique names mapped onto PTC's 14).

Windows. Training windows hold up to --window tokens with [CLS]/[SEP]; each epoch cuts every
article into consecutive windows from a seeded random offset, so window edges move between
epochs (no overlap, so an epoch is one pass over the tokens). In top-k mode the windows are
fixed (offset 0) because their lower-layer outputs are cached.

Determinism. The initial weights depend only on --seed; shuffling depends only on (data seed,
epoch), and dropout is reseeded from (data seed, step) before every step, so resuming from a
checkpoint replays exactly what the killed run would have done. The data seed is --seed unless
--data-seed is given.
"""
import argparse
import hashlib
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "bert": ["attention.self.query", "attention.self.key", "attention.self.value",
             "attention.output.dense", "intermediate.dense", "output.dense"],
    "mpnet": ["attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o",
              "intermediate.dense", "output.dense"],
}
ENCODERS = {"minilm": "all-MiniLM-L6-v2", "mpnet": "all-mpnet-base-v2"}
# Heads settings shared with crates/transformer (HeadsMeta): keep in step.
CONTEXT, SPAN_CONTEXT, TC_HIDDEN = 16, 24, 256
# SemEval-2021 task 2 names -> PTC names. Techniques PTC lacks (Smears, Glittering generalities,
# Obfuscation) are not examples of anything: their tokens are left out of the SI loss rather
# than taught as "outside", since PTC's annotators might have marked them.
MEME_MAP = {
    "Appeal to authority": "Appeal_to_Authority",
    "Appeal to fear/prejudice": "Appeal_to_fear-prejudice",
    "Bandwagon": "Bandwagon,Reductio_ad_hitlerum",
    "Reductio ad hitlerum": "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-white Fallacy/Dictatorship": "Black-and-White_Fallacy",
    "Causal Oversimplification": "Causal_Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration/Minimisation": "Exaggeration,Minimisation",
    "Flag-waving": "Flag-Waving",
    "Loaded Language": "Loaded_Language",
    "Name calling/Labeling": "Name_Calling,Labeling",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Thought-terminating cliché": "Thought-terminating_Cliches",
    "Whataboutism": "Whataboutism,Straw_Men,Red_Herring",
    "Misrepresentation of Someone's Position (Straw Man)": "Whataboutism,Straw_Men,Red_Herring",
    "Presenting Irrelevant Data (Red Herring)": "Whataboutism,Straw_Men,Red_Herring",
}
# Memes are a few words each: packed into pseudo-articles of about this many characters
# (blank line between memes) so a training window is not mostly padding.
MEME_PACK_CHARS = 800


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data

def read_ptc(data):
    si, tc = {}, {}
    for n, line in enumerate((data / "labels.si.tsv").read_text().splitlines(), 1):
        if line.strip():
            a, s, e = line.split("\t")
            si.setdefault(a, []).append((int(s), int(e)))
    for line in (data / "labels.tc.tsv").read_text().splitlines():
        if line.strip():
            a, t, s, e = line.split("\t")
            tc.setdefault(a, []).append((t, int(s), int(e)))
    techniques = [t.strip() for t in (data / "techniques.txt").read_text().splitlines() if t.strip()]
    arts = {}
    for p in sorted((data / "articles").glob("article*.txt")):
        aid = p.stem.replace("article", "")
        # utf-8, not utf-8-sig: a BOM is one character of PTC's offsets.
        arts[aid] = p.read_text(encoding="utf-8")
    return arts, si, tc, techniques


def read_memes(path):
    """Meme texts packed into short pseudo-articles: (text, si spans, tc spans, ignored spans).

    `path` is one SemEval-2021 task 2 JSON file or a directory of them (*_task2.json: train,
    dev and test; none of them overlaps PTC). Memes are joined with a blank line, in file
    order, until a pack reaches MEME_PACK_CHARS; offsets are shifted accordingly."""
    files = sorted(path.glob("*_task2.json")) if path.is_dir() else [path]
    if not files:
        sys.exit(f"{path}: no *_task2.json files")
    packs, cur = [], None
    for f in files:
        for m in json.loads(f.read_text(encoding="utf-8")):
            text = m["text"].strip()
            if not text:
                continue
            if cur is None or len(cur[0]) >= MEME_PACK_CHARS:
                cur = ["", [], [], []]
                packs.append(cur)
            base = len(cur[0]) + (2 if cur[0] else 0)
            cur[0] += ("\n\n" if cur[0] else "") + text
            # labels index the unstripped text
            lead = len(m["text"]) - len(m["text"].lstrip())
            for l in m.get("labels", []):
                s = max(0, l["start"] - lead) + base
                e = min(len(text), l["end"] - lead) + base
                if e <= s:
                    continue
                t = MEME_MAP.get(l["technique"])
                if t is None:
                    cur[3].append((s, e))
                else:
                    cur[1].append((s, e))
                    cur[2].append((t, s, e))
    return [tuple(p) for p in packs]


def read_pseudo(reports, texts, min_conf, limit, seed):
    """Self-training data: a teacher's reports (`unspin batch` shards, one JSON report per
    line) over unlabelled texts, as (text, si spans, tc spans) with the spans at or above
    `min_conf`. Reports name their text by file stem. At most `limit` texts (0: all), a seeded
    sample, so a run can add a measured share of pseudo-labelled text."""
    by_stem = {p.stem: p for p in sorted(Path(texts).glob("*.txt"))}
    out = []
    for f in sorted(Path(reports).glob("shards/*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            path = by_stem.get(r["id"])
            if path is None:
                sys.exit(f"{f}: report {r['id']!r} has no text in {texts}")
            text = path.read_text(encoding="utf-8")
            if r["length"] != len(text):
                sys.exit(f"{f}: report {r['id']!r} is for a text of {r['length']} characters, not {len(text)}")
            spans = [(s["technique"], s["start"], s["end"]) for s in r["spans"] if s["confidence"] >= min_conf]
            out.append((r["id"], text, sorted({(s, e) for _, s, e in spans}), spans))
    out.sort()
    if limit and limit < len(out):
        out = sorted(random.Random(seed).sample(out, limit))
    return [(text, si, tc) for _, text, si, tc in out]


def sentences(text):
    """Code-point ranges of sentences: split at line breaks and after . ! ? (with closing
    quotes/brackets) followed by white space."""
    out, start = [], 0
    for m in re.finditer(r"\n+|(?<=[.!?])[\"'”’)\]]*\s+", text):
        if text[start:m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


class Article:
    """One article tokenized once, with token-level labels."""

    def __init__(self, tok, text, si_spans, tc_spans, techniques, ignore=()):
        enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
        self.ids = enc["input_ids"]
        offs = enc["offset_mapping"]
        self.offs = offs
        n = len(self.ids)
        self.inside = [0] * n
        for s, e in si_spans:
            for i, (ts, te) in enumerate(offs):
                if te > s and ts < e and te > ts:
                    self.inside[i] = 1
        for s, e in ignore:  # unlabelled-for-PTC spans: no SI target (-100)
            for i, (ts, te) in enumerate(offs):
                if te > s and ts < e and te > ts and not self.inside[i]:
                    self.inside[i] = -100
        self.spans = []  # (token start, token end, technique index, chars)
        self.tech = [0] * n  # bit k: a span of technique k covers the token
        for t, s, e in tc_spans:
            toks = [i for i, (ts, te) in enumerate(offs) if te > s and ts < e]
            if toks and t in techniques:
                self.spans.append((toks[0], toks[-1] + 1, techniques.index(t), e - s))
                for i in toks:
                    self.tech[i] |= 1 << techniques.index(t)
        # sentence of each token (-1 outside) and each sentence's label
        self.sent_of = [-1] * n
        self.sent_y = []
        j = 0
        for k, (s, e) in enumerate(sentences(text)):
            self.sent_y.append(int(any(ss < e and se > s for ss, se in si_spans)))
            if not self.sent_y[-1] and any(ss < e and se > s for ss, se in ignore):
                continue  # only a technique PTC lacks: no sentence target either
            while j < n and offs[j][0] < e:
                if offs[j][1] > s:
                    self.sent_of[j] = k
                j += 1


def window_starts(n, content, offset):
    """Consecutive windows of `content` tokens from a shifted start, the last aligned to the
    end; an article that fits is one window."""
    if n <= content:
        return [0]
    starts = [max(0, s) for s in range(-offset, n - content, content)]
    starts.append(n - content)
    return sorted(set(starts))


def make_window(art, ws, content):
    we = min(len(art.ids), ws + content)
    spans = [(s - ws, e - ws, y, c) for s, e, y, c in art.spans if s >= ws and e <= we]
    sents = {}
    for i in range(ws, we):
        k = art.sent_of[i]
        if k >= 0:
            sents.setdefault(k, []).append(i - ws)
    sent = [(idx[0], idx[-1] + 1, art.sent_y[k]) for k, idx in sents.items()]
    return {"ids": art.ids[ws:we], "inside": art.inside[ws:we], "tech": art.tech[ws:we],
            "spans": spans, "sents": sent}


def collate(windows, cls, sep, pad):
    L = max(len(w["ids"]) for w in windows) + 2
    B = len(windows)
    ids = torch.full((B, L), pad, dtype=torch.long)
    mask = torch.zeros((B, L), dtype=torch.long)
    inside = torch.full((B, L - 2), -100, dtype=torch.long)
    for i, w in enumerate(windows):
        n = len(w["ids"])
        ids[i, : n + 2] = torch.tensor([cls] + w["ids"] + [sep])
        mask[i, : n + 2] = 1
        inside[i, :n] = torch.tensor(w["inside"])
    spans = [(i, s, e, y, c) for i, w in enumerate(windows) for s, e, y, c in w["spans"]]
    sents = [(i, s, e, y) for i, w in enumerate(windows) for s, e, y in w["sents"]]
    return ids, mask, inside, spans, sents, tech_bits(windows, L - 2)


def tech_bits(windows, width):
    """(B, width) int64 of each token's technique bits, for the TECH auxiliary loss."""
    bits = torch.zeros((len(windows), width), dtype=torch.long)
    for i, w in enumerate(windows):
        bits[i, : len(w["tech"])] = torch.tensor(w["tech"], dtype=torch.long)
    return bits


# ---------------------------------------------------------------- model

class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float):
        super().__init__()
        self.base = base
        self.scale = alpha / r
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return self.base(x) + (self.drop(x) @ self.lora_A.t() @ self.lora_B.t()) * self.scale

    def params(self):
        return [self.lora_A, self.lora_B]

    def state(self):
        return (self.lora_A.data, self.lora_B.data)

    def load(self, saved):
        self.lora_A.data.copy_(saved[0])
        self.lora_B.data.copy_(saved[1])

    def factors(self):
        return self.lora_A.detach(), self.lora_B.detach()


def add_lora(model, arch, first_layer, r, alpha, dropout):
    """Wraps the target Linears of layers >= first_layer; returns {HF module path: module}."""
    wrapped = {}
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            path = f"{name}.{child_name}" if name else child_name
            m = re.match(r"encoder\.layer\.(\d+)\.", path)
            if (isinstance(child, nn.Linear) and m and int(m.group(1)) >= first_layer
                    and any(path.endswith(t) for t in TARGETS[arch])):
                lora = LoRALinear(child, r, alpha, dropout)
                setattr(module, child_name, lora)
                wrapped[path] = lora
    return wrapped


class FullLinear(nn.Module):
    """`--full`: the target Linear's own weight is trained (no rank limit), with its base
    value kept so the export can write the change as LoRA factors: W - W0 = U·S·Vh, split as
    B = U·sqrt(S), A = sqrt(S)·Vh at rank min(out, in), so the Rust loader merges it exactly
    (up to fp16) with alpha = rank. Biases, LayerNorms and embeddings stay frozen, so the
    comparison with LoRA is over the same matrices, with and without the rank limit."""

    def __init__(self, base: nn.Linear):
        super().__init__()
        self.base = base
        self.register_buffer("w0", base.weight.detach().clone(), persistent=False)
        base.weight.requires_grad_(True)

    def forward(self, x):
        return self.base(x)

    def params(self):
        return [self.base.weight]

    def state(self):
        return (self.base.weight.data,)

    def load(self, saved):
        self.base.weight.data.copy_(saved[0])

    def factors(self):
        u, s, vh = torch.linalg.svd((self.base.weight.detach() - self.w0).double(), full_matrices=False)
        r = s.sqrt()
        return (r[:, None] * vh).float(), (u * r[None, :]).float()


def add_full(model, arch):
    """--full: every target Linear of every layer trained in full; {HF module path: module}."""
    wrapped = {}
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            path = f"{name}.{child_name}" if name else child_name
            if (isinstance(child, nn.Linear) and re.match(r"encoder\.layer\.\d+\.", path)
                    and any(path.endswith(t) for t in TARGETS[arch])):
                full = FullLinear(child)
                setattr(module, child_name, full)
                wrapped[path] = full
    return wrapped


class Passthrough(nn.Module):
    """Stands in for the embeddings in top-k mode: the cached hidden states come in as
    `inputs_embeds` and go on unchanged."""

    def forward(self, input_ids=None, inputs_embeds=None, **kwargs):
        return inputs_embeds


class Heads(nn.Module):
    def __init__(self, h, n_tech, tech_tokens=False, crf=False):
        super().__init__()
        self.si = nn.Linear(2 * h, 2)
        # Only with --crf: a linear-chain CRF over the SI head's two logits per word piece
        # (outside, inside), started at zero so that step 0 scores as the plain head does.
        self.crf = nn.ParameterDict({
            "transitions": nn.Parameter(torch.zeros(2, 2)),
            "start": nn.Parameter(torch.zeros(2)),
            "end": nn.Parameter(torch.zeros(2)),
        }) if crf else None
        self.tc = nn.Sequential(nn.Linear(3 * h + 2, TC_HIDDEN), nn.ReLU(), nn.Linear(TC_HIDDEN, n_tech))
        self.sent = nn.Linear(h, 2)
        # Only with --tech-weight, so that checkpoints of runs without it keep their keys.
        self.tech = nn.Linear(2 * h, n_tech) if tech_tokens else None
        if tech_tokens:
            # Each technique covers a few percent of the tokens: start its logits there, or
            # the 14 outputs' loss swamps SI and TC (and the clipped gradient) for hundreds
            # of steps while the biases walk down at the head's learning rate.
            nn.init.constant_(self.tech.bias, -4.0)
        self.drop = nn.Dropout(0.1)

    def token_features(self, h, lens):
        """[h_i, mean(h_{i-16..=i+16})] over the first lens[b] rows of each window."""
        B, L, H = h.shape
        valid = (torch.arange(L)[None, :] < lens[:, None]).to(h.dtype)
        hm = h * valid[..., None]
        cs = torch.cat([torch.zeros(B, 1, H, dtype=h.dtype), hm.cumsum(1)], 1)
        idx = torch.arange(L)
        lo = (idx - CONTEXT).clamp(min=0)
        hi = torch.minimum(idx[None, :] + CONTEXT + 1, lens[:, None])  # (B, L)
        hi = torch.maximum(hi, lo[None, :] + 1)
        sums = torch.gather(cs, 1, hi[..., None].expand(B, L, H)) - cs[:, lo]
        mean = sums / (hi - lo[None, :])[..., None].to(h.dtype)
        return torch.cat([h, mean], -1)

    def span_features(self, h, lens, spans):
        rows = []
        for i, s, e, _, chars in spans:
            seg = h[i, s:e]
            lo, hi = max(0, s - SPAN_CONTEXT), min(int(lens[i]), e + SPAN_CONTEXT)
            rows.append(torch.cat([seg.mean(0), seg.max(0).values, h[i, lo:hi].mean(0),
                                   torch.tensor([math.log1p(chars), math.log1p(e - s)])]))
        return torch.stack(rows)


def crf_forward(crf, e, lens):
    """The forward sums per row: e (B, L, 2) emissions, the first lens[b] rows valid. Rows past
    a window's length keep its last sums."""
    alphas = [crf["start"] + e[:, 0]]
    for t in range(1, e.shape[1]):
        nxt = torch.logsumexp(alphas[-1][:, :, None] + crf["transitions"][None], 1) + e[:, t]
        alphas.append(torch.where((t < lens)[:, None], nxt, alphas[-1]))
    return alphas


def crf_log_partition(crf, e, lens):
    """log Σ over label paths of exp(score) for each window."""
    return torch.logsumexp(crf_forward(crf, e, lens)[-1] + crf["end"], -1)


def crf_nll(crf, e, gold, lens):
    """Negative log-likelihood of the gold labels (-100: either label, so a token PTC leaves
    unlabelled is summed over, not taught), per window."""
    L = e.shape[1]
    g = gold[:, :L]
    other = (g != -100)[..., None] & (g[..., None] != torch.arange(2))
    return crf_log_partition(crf, e, lens) - crf_log_partition(crf, e.masked_fill(other, -1e4), lens)


def crf_marginals(crf, e, lens):
    """P(inside) per row by forward-backward: what `Heads::token_probabilities` computes in
    Rust from the exported transitions."""
    B, L, _ = e.shape
    alphas = crf_forward(crf, e, lens)
    beta = crf["end"].expand(B, 2)
    betas = [None] * L
    for t in range(L - 1, -1, -1):
        betas[t] = beta
        if t:
            prev = torch.logsumexp(crf["transitions"][None] + (e[:, t] + beta)[:, None, :], 2)
            beta = torch.where((t < lens)[:, None], prev, beta)
    post = torch.stack(alphas, 1) + torch.stack(betas, 1)
    return post.softmax(-1)[..., 1]


def run_encoder(model, batch, cached, bf16=False):
    """The encoder's last hidden states without [CLS], in fp32. With `bf16` its matrix
    products run in bfloat16 (autocast; the weights, their gradients and the optimiser stay
    fp32): 1.75 times the tokens/s on this AVX-512 BF16 CPU. The heads and the CRF always run
    in fp32, on the fp32 copy returned here, so their sums of logs keep their precision."""
    ids, mask = batch[0], batch[1]
    with torch.autocast(ids.device.type, dtype=torch.bfloat16, enabled=bf16):
        if cached is not None:
            out = model(inputs_embeds=cached.to(mask.device).float(), attention_mask=mask)
        else:
            out = model(input_ids=ids, attention_mask=mask)
    return out.last_hidden_state[:, 1:-1].float()  # drop [CLS]; [SEP]/pad rows masked by lens


def losses(heads, h, batch, sent_weight, tech_weight=0.0):
    ids, mask, inside, spans, sents, tech = batch
    lens = mask.sum(1) - 2
    x = heads.drop(heads.token_features(h, lens))
    si_logits = heads.si(x)
    L = h.shape[1]
    if heads.crf is not None:
        valid = (inside[:, :L] != -100).sum().clamp(min=1)
        loss = crf_nll(heads.crf, si_logits, inside, lens).sum() / valid
    else:
        loss = F.cross_entropy(si_logits.reshape(-1, 2), inside[:, :L].reshape(-1), ignore_index=-100)
    out = {"si": loss.item()}
    if tech_weight > 0:
        # Tokens without an SI target (padding, techniques PTC lacks) have no technique target.
        valid = inside[:, :L] != -100
        n_tech = heads.tech.out_features
        target = ((tech[:, :L, None] >> torch.arange(n_tech)) & 1).to(x.dtype)
        bce = F.binary_cross_entropy_with_logits(heads.tech(x), target, reduction="none").sum(-1)
        tl = (bce * valid).sum() / valid.sum().clamp(min=1)
        loss = loss + tech_weight * tl
        out["tech"] = tl.item()
    if spans:
        tc_logits = heads.tc(heads.drop(heads.span_features(h, lens, spans)))
        tc_loss = F.cross_entropy(tc_logits, torch.tensor([y for _, _, _, y, _ in spans]))
        loss = loss + tc_loss
        out["tc"] = tc_loss.item()
    if sents and sent_weight > 0:
        reps = torch.stack([h[i, s:e].mean(0) for i, s, e, _ in sents])
        sl = F.cross_entropy(heads.sent(heads.drop(reps)), torch.tensor([y for *_, y in sents]))
        loss = loss + sent_weight * sl
        out["sent"] = sl.item()
    return loss, out


# ---------------------------------------------------------------- helpers

def git_commit():
    """HEAD, marked "+dirty" when training/ has uncommitted changes: then HEAD alone does not
    say which recipe ran."""
    try:
        run = lambda *a: subprocess.run(["git", "-C", str(ROOT), *a], capture_output=True,
                                        text=True, check=True).stdout.strip()
        head = run("rev-parse", "--short", "HEAD")
        return head + ("+dirty" if run("status", "--porcelain", "--", "training") else "")
    except Exception:
        return None


def atomic_torch_save(obj, path):
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def make_holdout(ids, n, seed):
    ids = sorted(ids)
    random.Random(seed).shuffle(ids)
    return sorted(ids[:n])


def export(out, model_dir, arch, loras, heads, args, techniques, extra_meta):
    out.mkdir(parents=True, exist_ok=True)
    tensors = {}
    for path, l in loras.items():
        a, b = l.factors()
        tensors[f"{path}.lora_A.weight"] = a.to("cpu", torch.float16).contiguous()
        tensors[f"{path}.lora_B.weight"] = b.to("cpu", torch.float16).contiguous()
    # LoRA scales B·A by alpha / rank; a full-rank export (--full) must be merged unscaled.
    # One alpha serves every module, so a full-rank export needs one rank: min(out, in) is the
    # hidden size for every target matrix of both encoders.
    ranks = {t.shape[0] for k, t in tensors.items() if k.endswith("lora_A.weight")}
    assert not args.full or len(ranks) == 1, f"full-rank export with several ranks: {ranks}"
    alpha = float(ranks.pop()) if args.full else float(args.alpha)
    cfg_sha = hashlib.sha256((model_dir / "config.json").read_bytes()).hexdigest()
    save_file(tensors, str(out / "adapter.safetensors.tmp"), metadata={
        "format": "unspin-lora", "version": "1", "alpha": repr(alpha),
        "base": model_dir.name, "base_config_sha256": cfg_sha,
    })
    os.replace(out / "adapter.safetensors.tmp", out / "adapter.safetensors")
    ht = {
        "si.0.weight": heads.si.weight, "si.0.bias": heads.si.bias,
        "tc.0.weight": heads.tc[0].weight, "tc.0.bias": heads.tc[0].bias,
        "tc.1.weight": heads.tc[2].weight, "tc.1.bias": heads.tc[2].bias,
    }
    if heads.crf is not None:
        ht.update({f"si_crf.{k}": v for k, v in heads.crf.items()})
    ht = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in ht.items()}
    meta = {
        "version": 1, "encoder": model_dir.name, "hidden_size": heads.sent.in_features,
        "context": CONTEXT, "span_context": SPAN_CONTEXT, "si_threshold": 0.5,
        "second_technique": 0.3, "techniques": techniques,
        "blend": {"si_weight": 0.5, "si_threshold": 0.35, "tc_weight": 0.5},
        "training": json.dumps(extra_meta, sort_keys=True),
    }
    save_file(ht, str(out / "heads.safetensors.tmp"), metadata={"unspin-heads": json.dumps(meta)})
    os.replace(out / "heads.safetensors.tmp", out / "heads.safetensors")


@torch.no_grad()
def validate(model, heads, windows, batch_size, toks, cache, bf16=False):
    """Token-level SI F1 at the best of a few thresholds, and TC accuracy on gold spans: quick
    signals for early stopping; the official scores come from `unspin train --holdout`."""
    model.eval()
    heads.eval()
    probs, golds, correct, n_spans, spreads = [], [], 0, 0, []
    for b in range(0, len(windows), batch_size):
        chunk = windows[b : b + batch_size]
        batch = collate(chunk, *toks)
        cached = None
        if cache is not None:
            cached = cache_batch(cache, range(b, b + len(chunk)), batch[1].shape[1])
        h = run_encoder(model, batch, cached, bf16)
        lens = batch[1].sum(1) - 2
        spreads += [h[i, : int(n)].std(0).mean().item() for i, n in enumerate(lens) if n > 1]
        logits = heads.si(heads.token_features(h, lens))
        p = (crf_marginals(heads.crf, logits, lens) if heads.crf is not None
             else logits.softmax(-1)[..., 1])
        ins = batch[2][:, : h.shape[1]]
        keep = ins != -100
        probs.append(p[keep])
        golds.append(ins[keep])
        if batch[3]:
            pred = heads.tc(heads.span_features(h, lens, batch[3])).argmax(-1)
            correct += (pred == torch.tensor([y for _, _, _, y, _ in batch[3]])).sum().item()
            n_spans += len(batch[3])
    p, g = torch.cat(probs), torch.cat(golds) == 1
    best = (0.0, 0.5)
    for t in [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]:
        pr = p >= t
        tp = (pr & g).sum().item()
        f1 = 2 * tp / max(1, pr.sum().item() + g.sum().item())
        best = max(best, (f1, t))
    model.train()
    heads.train()
    return {"si_token_f1": round(best[0], 4), "si_threshold": best[1],
            "tc_accuracy": round(correct / max(1, n_spans), 4), "tc_spans": n_spans,
            "token_spread": round(sum(spreads) / max(1, len(spreads)), 5)}


# A healthy encoder's token vectors differ: their spread (the std over a window's tokens, averaged
# over dimensions and windows) is about 0.08 for MPNet on the held-out windows. A run that
# collapsed gives every token nearly one vector (0.0002 seen: MPNet, --window 512 --batch 4 at
# --lr 5e-4), so SI finds nothing and TC names the commonest technique, epoch after epoch.
COLLAPSED_SPREAD = 0.005


def cache_batch(cache, rows, L):
    x = cache["hidden"][list(rows)]
    return x[:, :L]


def build_cache(model_full, windows, first, batch_size, toks, path):
    """Hidden states after the first `first` layers for each window, fp16, saved to `path`."""
    if path.exists():
        data = torch.load(path)
        if data["n"] == len(windows):
            log(f"cache: reusing {path}")
            return data
    L = max(len(w["ids"]) for w in windows) + 2
    H = model_full.config.hidden_size
    hidden = torch.zeros((len(windows), L, H), dtype=torch.float16)
    model_full.eval()
    t0 = time.time()
    # Only the frozen layers run: their output is the model's output while the rest is cut off.
    layers = model_full.encoder.layer
    model_full.encoder.layer = nn.ModuleList(list(layers)[:first])
    try:
        with torch.no_grad():
            for b in range(0, len(windows), batch_size):
                chunk = windows[b : b + batch_size]
                ids, mask, *_ = collate(chunk, *toks)
                h = model_full(input_ids=ids, attention_mask=mask).last_hidden_state
                hidden[b : b + len(chunk), : ids.shape[1]] = h.to(torch.float16)
                if (b // batch_size) % 20 == 0:
                    log(f"cache: {b + len(chunk)}/{len(windows)} windows, {time.time() - t0:.0f} s")
    finally:
        model_full.encoder.layer = layers
    data = {"n": len(windows), "hidden": hidden}
    atomic_torch_save(data, path)
    return data


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoder", choices=sorted(ENCODERS), required=True)
    ap.add_argument("--models", default=os.environ.get("UNSPIN_MODELS", str(Path.home() / ".cache/unspin/encoders")))
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/ptc-train"))
    ap.add_argument("--memes", default=None, help="SemEval-2021 task 2 JSON file, or the directory of them, to add")
    ap.add_argument("--extra", default=None,
                    help="self-training: an `unspin batch` output directory of a teacher's reports")
    ap.add_argument("--extra-texts", default=None, help="the texts those reports were made from (*.txt)")
    ap.add_argument("--extra-min-confidence", type=float, default=0.0,
                    help="pseudo-label only the teacher's spans at or above this confidence (0: every "
                         "span it reports, its own thresholds applied: 19 an article on PolNeAR)")
    ap.add_argument("--extra-articles", type=int, default=0, help="at most this many teacher texts (0: all)")
    ap.add_argument("--holdout", default=str(ROOT / "training/holdout.txt"))
    ap.add_argument("--make-holdout", action="store_true", help="write --holdout (75 articles, seed 2020) and exit")
    ap.add_argument("--all", action="store_true", help="train on every article, the held-out ones too")
    ap.add_argument("--out", default=None)
    ap.add_argument("--train-layers", type=int, default=0, help="top layers trained (0: all); lower ones cached")
    ap.add_argument("--window", type=int, default=256)
    ap.add_argument("--full", action="store_true",
                    help="train the target matrices in full instead of LoRA (all layers; use a lower --lr, e.g. 1e-4)")
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=float, default=32.0)
    ap.add_argument("--lora-dropout", type=float, default=0.05,
                    help="dropout on each adapted matrix's input (72 masks a step on MPNet). With "
                         "--attention-dropout 0 as well, 0 trains 256-token windows at 1,109 tokens/s "
                         "against 597 with both, 2 cores with AMX (training/README.md)")
    ap.add_argument("--attention-dropout", type=float, default=None,
                    help="dropout on the attention probabilities (default: the encoder's own, 0.1). "
                         "0 skips drawing a mask over every head's (window x window) matrix: "
                         "345 -> 454 tokens/s on 512-token windows, 2 cores (training/README.md)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--sent-weight", type=float, default=0.5)
    ap.add_argument("--tech-weight", type=float, default=0.0,
                    help="weight of the per-token technique loss (TECH, not shipped; 0: off)")
    ap.add_argument("--crf", action="store_true",
                    help="SI as a linear-chain CRF over the SI head's logits (trained on the sequence's "
                         "likelihood; P(inside) at run time by forward-backward) instead of per-piece "
                         "cross-entropy")
    ap.add_argument("--bf16", action="store_true",
                    help="the encoder's matrix products in bfloat16 (autocast), weights and "
                         "optimiser in fp32: about 1.75x faster on a CPU with AVX-512 BF16")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--data-seed", type=int, default=None,
                    help="seed of window offsets, shuffling and dropout (default: --seed). Runs that "
                         "share --seed start from the same weights, so runs with other data seeds can "
                         "be averaged into one model (training/soup.py)")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--cpu", action="store_true", help="stay on the CPU even when torch sees a GPU")
    ap.add_argument("--checkpoint-minutes", type=float, default=5.0)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (smoke tests)")
    ap.add_argument("--articles", type=int, default=0, help="only the first N training articles (smoke tests)")
    args = ap.parse_args()

    data = Path(args.data)
    # The initial weights come from --seed; what each step sees (window offsets, order, dropout)
    # from the data seed.
    dseed = args.seed if args.data_seed is None else args.data_seed
    arts, si_gold, tc_gold, techniques = read_ptc(data)
    holdout_path = Path(args.holdout)
    if args.make_holdout:
        ids = make_holdout(list(arts), 75, 2020)
        holdout_path.write_text("".join(f"{i}\n" for i in ids))
        log(f"wrote {holdout_path}: {len(ids)} articles")
        return
    held = [l.strip() for l in holdout_path.read_text().splitlines() if l.strip()]
    missing = [a for a in held if a not in arts]
    if missing:
        sys.exit(f"{holdout_path}: articles not in {data}: {missing[:3]}")

    if args.threads:
        torch.set_num_threads(args.threads)
    # On a GPU when torch sees one. Not yet run on a GPU: none has been lent to this project
    # since this was written (2026-12-07).
    device = "cuda" if torch.cuda.is_available() and not args.cpu else "cpu"
    from transformers import AutoModel, AutoTokenizer

    model_dir = Path(args.models) / ENCODERS[args.encoder]
    if not (model_dir / "model.safetensors").exists():
        sys.exit(f"{model_dir}: no encoder (run scripts/setup-models.sh)")
    out = Path(args.out or ROOT / f"out/ft-{args.encoder}")
    out.mkdir(parents=True, exist_ok=True)
    tok = AutoTokenizer.from_pretrained(model_dir)
    toks = (tok.cls_token_id, tok.sep_token_id, tok.pad_token_id)
    extra_config = ({} if args.attention_dropout is None
                    else {"attention_probs_dropout_prob": args.attention_dropout})
    model = AutoModel.from_pretrained(model_dir, add_pooling_layer=False, **extra_config)
    arch = model.config.model_type
    n_layers = model.config.num_hidden_layers
    first = n_layers - args.train_layers if args.train_layers else 0
    torch.manual_seed(args.seed)
    for p in model.parameters():
        p.requires_grad_(False)

    train_ids = [a for a in arts if args.all or a not in set(held)]
    if args.articles:
        train_ids = train_ids[: args.articles]
    content = args.window - 2
    t_tok = time.time()
    train_arts = [Article(tok, arts[a], si_gold.get(a, []), tc_gold.get(a, []), techniques) for a in train_ids]
    if args.memes:
        packs = read_memes(Path(args.memes))
        for text, si, tc, ignore in packs:
            train_arts.append(Article(tok, text, si, tc, techniques, ignore))
        log(f"memes: {len(packs)} packs, {sum(len(p[2]) for p in packs)} mapped spans, "
            f"{sum(len(p[3]) for p in packs)} left out of SI")
    if args.extra:
        if not args.extra_texts:
            sys.exit("--extra needs --extra-texts (the directory of the texts it analysed)")
        pseudo = read_pseudo(args.extra, args.extra_texts, args.extra_min_confidence,
                             args.extra_articles, args.seed)
        for text, si, tc in pseudo:
            train_arts.append(Article(tok, text, si, tc, techniques))
        log(f"self-training: {len(pseudo)} teacher texts, {sum(len(p[2]) for p in pseudo)} spans "
            f"at confidence >= {args.extra_min_confidence}")
    held_arts = [] if args.all else [
        Article(tok, arts[a], si_gold.get(a, []), tc_gold.get(a, []), techniques) for a in held]
    log(f"tokenized {len(train_arts)} training and {len(held_arts)} held-out texts in {time.time() - t_tok:.0f} s")

    memo = {}

    def epoch_windows(epoch):
        if epoch in memo:
            return memo[epoch]
        memo.clear()
        rng = random.Random(dseed * 1000 + epoch)
        ws = []
        for art in train_arts:
            off = rng.randrange(content) if first == 0 else 0
            ws += [make_window(art, s, content) for s in window_starts(len(art.ids), content, off)]
        if first == 0:
            rng.shuffle(ws)
        memo[epoch] = ws
        return ws

    held_windows = [make_window(a, s, content) for a in held_arts
                    for s in window_starts(len(a.ids), content, 0)]
    # top-k: fixed windows, their lower-layer outputs cached once
    train_cache = held_cache = None
    fixed = epoch_windows(0) if first else None
    if first:
        cdir = out / "cache"
        cdir.mkdir(exist_ok=True)
        key = hashlib.sha256(json.dumps([ENCODERS[args.encoder], first, args.window, train_ids,
                                         bool(args.memes), args.extra, args.extra_min_confidence,
                                         args.extra_articles]).encode()).hexdigest()[:12]
        train_cache = build_cache(model, fixed, first, 16, toks, cdir / f"train-{key}.pt")
        if not args.all:
            held_cache = build_cache(model, held_windows, first, 16, toks, cdir / f"held-{key}.pt")

    if args.full and first:
        sys.exit("--full trains every layer: it does not go with --train-layers")
    loras = (add_full(model, arch) if args.full
             else add_lora(model, arch, first, args.rank, args.alpha, args.lora_dropout))
    if first:
        model.embeddings = Passthrough()
        model.encoder.layer = nn.ModuleList(list(model.encoder.layer)[first:])
    heads = Heads(model.config.hidden_size, len(techniques), args.tech_weight > 0, args.crf)
    # The weights were initialised on the CPU, from the CPU's generator, so --seed gives the
    # same start on any device (soup.py averages runs that started equal). From here on every
    # tensor made (batches, masks, features) lands on the device, so the code below needs no
    # device arguments. Exact replay after a resume holds on the CPU; on a GPU some backward
    # kernels (scatter_add, attention) are not deterministic, so two GPU runs differ a little.
    model.to(device)
    heads.to(device)
    if device != "cpu":
        # Not on the CPU, where it is the default anyway: setting a default device routes every
        # torch call through a Python __torch_function__ hook, for nothing there.
        torch.set_default_device(device)
    lora_params = [p for l in loras.values() for p in l.params()]
    n_windows = len(fixed) if first else len(epoch_windows(0))
    steps_per_epoch = math.ceil(n_windows / args.batch)
    total = args.epochs * steps_per_epoch
    if args.max_steps:
        total = min(total, args.max_steps)
    opt = torch.optim.AdamW([
        {"params": lora_params, "lr": args.lr, "weight_decay": 0.01 if args.full else 0.0},
        {"params": list(heads.parameters()), "lr": args.head_lr, "weight_decay": 0.01},
    ])
    warm = max(1, total // 16)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / total))

    state = {"step": 0, "epochs": [], "log": [], "wall_s": 0.0, "device": device}
    ckpt = out / "checkpoint.pt"
    settings = {k: v for k, v in vars(args).items()
                if k not in ("threads", "checkpoint_minutes", "out", "cpu")}
    if not args.full:
        del settings["full"]  # so checkpoints made before --full existed still resume
    if args.data_seed in (None, args.seed):
        del settings["data_seed"]  # likewise for --data-seed, which then changes nothing
    if not args.tech_weight:
        del settings["tech_weight"]  # likewise
    if not args.crf:
        del settings["crf"]  # likewise
    if not args.bf16:
        del settings["bf16"]  # likewise
    if args.attention_dropout is None:
        del settings["attention_dropout"]  # likewise
    if ckpt.exists():
        # On the CPU: load_state_dict and the optimiser's load move each tensor where its
        # parameter lives, and keep AdamW's step counters on the CPU as a fresh run does.
        c = torch.load(ckpt, weights_only=False, map_location="cpu")
        if c["state"].get("device", "cpu") != device:
            log(f"warning: {ckpt} was made on {c['state'].get('device', 'cpu')}, resuming on "
                f"{device}: the rest of the run will not replay the first exactly")
        if c["settings"] != settings:
            sys.exit(f"{ckpt}: made with other settings; delete it or use another --out\n"
                     f"  it: {c['settings']}\n  now: {settings}")
        for path, l in loras.items():
            l.load(c["lora"][path])
        heads.load_state_dict(c["heads"])
        opt.load_state_dict(c["opt"])
        sched.load_state_dict(c["sched"])
        state = c["state"]
        state["device"] = device
        log(f"resumed from {ckpt} at step {state['step']}/{total}")

    def save_ckpt():
        atomic_torch_save({
            "settings": settings, "state": state, "heads": heads.state_dict(),
            "lora": {p: l.state() for p, l in loras.items()},
            "opt": opt.state_dict(), "sched": sched.state_dict(),
        }, ckpt)

    meta = {"command": " ".join(sys.argv), "encoder": ENCODERS[args.encoder], "seed": args.seed,
            "data_seed": dseed, "data": str(data),
            "memes": args.memes, "extra": args.extra, "holdout": str(holdout_path), "all": args.all,
            "train_articles": len(train_ids), "train_layers": args.train_layers or n_layers,
            "commit": git_commit(), "args": settings, "device": device}
    kind = "fully trained" if args.full else f"LoRA (r={args.rank})"
    log(f"{arch}: {len(loras)} {kind} modules on layers {first}..{n_layers - 1}, "
        f"{n_windows} windows/epoch, {steps_per_epoch} steps/epoch, {total} steps, "
        f"{torch.get_num_threads()} threads")
    model.train()
    heads.train()
    # SIGTERM or Ctrl-C: finish the step under way, write a checkpoint, exit. The same
    # command then resumes from exactly there instead of from the last periodic checkpoint.
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: stop.append(signum))
    t_start, t_ckpt = time.time(), time.time()
    wall0 = state["wall_s"]
    tokens_done = 0
    while state["step"] < total:
        step = state["step"]
        epoch, b = divmod(step, steps_per_epoch)
        ws = fixed if first else epoch_windows(epoch)
        order = list(range(len(ws)))
        if first:
            random.Random(dseed * 1000 + epoch).shuffle(order)
        rows = order[b * args.batch : (b + 1) * args.batch]
        if not rows:
            # Windows start at a random offset each epoch, so a later epoch can hold a few
            # windows fewer than epoch 0, which set steps_per_epoch: its last step then takes
            # the epoch's first windows again rather than an empty batch.
            rows = order[: args.batch]
        chunk = [ws[i] for i in rows]
        batch = collate(chunk, *toks)
        cached = cache_batch(train_cache, rows, batch[1].shape[1]) if first else None
        torch.manual_seed(dseed * 100_003 + step)
        h = run_encoder(model, batch, cached, args.bf16)
        loss, parts = losses(heads, h, batch, args.sent_weight, args.tech_weight)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(lora_params + list(heads.parameters()), 1.0)
        opt.step()
        sched.step()
        state["step"] = step + 1
        tokens_done += int(batch[1].sum())
        if state["step"] % 20 == 0:
            el = time.time() - t_start
            state["log"].append({"step": state["step"], "loss": round(loss.item(), 4), **{k: round(v, 4) for k, v in parts.items()}})
            log(f"step {state['step']}/{total} epoch {epoch} loss {loss.item():.3f} "
                f"{' '.join(f'{k} {v:.3f}' for k, v in parts.items())} | {tokens_done / el:.0f} tokens/s")
        end_of_epoch = state["step"] % steps_per_epoch == 0 or state["step"] == total
        if end_of_epoch:
            # With --all the held-out articles are training data: scoring them would only
            # measure fit, and costs minutes an epoch on a CPU.
            v = ({"skipped": "--all trains on the held-out articles"} if args.all
                 else validate(model, heads, held_windows, 16, toks, held_cache, args.bf16))
            v["epoch"] = epoch + 1
            v["step"] = state["step"]
            state["epochs"].append(v)
            log(f"epoch {epoch + 1} held-out: {v}")
            if v.get("token_spread", 1.0) < COLLAPSED_SPREAD:
                sys.exit(f"epoch {epoch + 1}: the encoder has collapsed: its token vectors' spread "
                         f"is {v['token_spread']} (healthy runs: about 0.08), so every token looks "
                         f"alike (the one run seen so did not recover by its next epoch); start "
                         f"again with a lower --lr")
            state["wall_s"] = wall0 + time.time() - t_start
            export(out / f"epoch-{epoch + 1}", model_dir, arch, loras, heads, args, techniques,
                   {**meta, "epoch": epoch + 1, "step": state["step"], "wall_s": round(state["wall_s"])})
        if end_of_epoch or stop or time.time() - t_ckpt > 60 * args.checkpoint_minutes:
            state["wall_s"] = wall0 + time.time() - t_start
            save_ckpt()
            t_ckpt = time.time()
        if stop:
            log(f"stopped by signal {stop[0]} at step {state['step']}/{total}: checkpoint "
                f"written; run the same command again to resume")
            sys.exit(128 + stop[0])
    state["wall_s"] = wall0 + time.time() - t_start
    export(out, model_dir, arch, loras, heads, args, techniques,
           {**meta, "epoch": args.epochs, "step": state["step"], "wall_s": round(state["wall_s"])})
    (out / "run.json").write_text(json.dumps({**meta, "state": state, "torch": torch.__version__,
                                              "threads": torch.get_num_threads()}, indent=1))
    log(f"done in {state['wall_s'] / 60:.1f} min of training: {out}")


if __name__ == "__main__":
    main()
