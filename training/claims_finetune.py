#!/usr/bin/env python3
"""Check-worthy claims by fine-tuning all-MiniLM-L6-v2 on CheckThat! 2024 train: a measurement
of what issue 16 suggests, beside the shipped stack (linear over the detector's MPNet sentence
vectors, the n-gram logit and ln(1 + words); held-out 0.739, dev 0.908).

    training/claims_finetune.py --out out/claims-ft/minilm6                 # all 6 layers
    training/claims_finetune.py --layers 3 --out out/claims-ft/minilm3      # the first 3 only

Same yardstick as `claims_embed.py`: trains on the 17,999 train sentences outside
`training/claims-holdout.txt`, scores that held-out fifth and `dev.tsv`. A tenth of the fit
sentences (seeded) is set aside to choose the epoch and the threshold, so nothing scored was
used to choose anything. The model: the encoder (first `--layers` layers, all weights trained),
the mean of the sentence's word pieces ([CLS]/[SEP] left out, as unspin pools), a linear
layer, binary cross-entropy.

Checkpoints go to OUT/ckpt.pt every few minutes and after each epoch; the same command resumes
a killed run, with the same result (the batch order of every epoch comes from the seed and the
epoch). OUT/run.json records the command, seed, data, commit, wall time and the scores, and
the time to score a sentence on one thread (fp32 PyTorch): what running it beside the
detector would cost.
"""
import argparse
import json
import os
import random
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import claims_embed as ce  # noqa: E402
from finetune import git_commit  # noqa: E402  (HEAD, +dirty when training/ has changes)

ROOT = Path(__file__).resolve().parent.parent


class Model(torch.nn.Module):
    def __init__(self, encoder, width):
        super().__init__()
        self.encoder = encoder
        self.drop = torch.nn.Dropout(0.1)
        self.out = torch.nn.Linear(width, 1)

    def forward(self, ids, mask):
        h = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        return self.out(self.drop(ce.mean_pool(h, mask))).squeeze(-1)


def batches(tok, rows, size, max_len, rng=None):
    """Batches of similar length (less padding): sorted by length within shuffled pools of 50
    batches when `rng` is given, else in length order."""
    order = list(range(len(rows)))
    if rng is not None:
        rng.shuffle(order)
    pool = size * 50
    out = []
    for p in range(0, len(order), pool):
        chunk = sorted(order[p : p + pool], key=lambda i: len(rows[i][1]))
        out += [chunk[s : s + size] for s in range(0, len(chunk), size)]
    if rng is not None:
        rng.shuffle(out)
    for idx in out:
        enc = tok([rows[i][1] for i in idx], padding=True, truncation=True, max_length=max_len,
                  return_tensors="pt")
        y = torch.tensor([float(rows[i][2]) for i in idx])
        yield idx, enc["input_ids"], enc["attention_mask"], y


@torch.no_grad()
def scores(model, tok, rows, max_len):
    model.eval()
    p = np.zeros(len(rows), np.float32)
    for idx, ids, mask, _ in batches(tok, rows, 64, max_len):
        p[idx] = torch.sigmoid(model(ids, mask)).numpy()
    model.train()
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/checkworthy"))
    ap.add_argument("--models", default=os.path.expanduser("~/.cache/unspin/encoders"))
    ap.add_argument("--holdout", default=str(ROOT / "training/claims-holdout.txt"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--layers", type=int, default=6, help="keep the encoder's first N layers")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    from transformers import AutoModel, AutoTokenizer

    t_start = time.time()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data = Path(args.data)
    train, dev = ce.read_tsv(data / "train.tsv"), ce.read_tsv(data / "dev.tsv")
    held = set(Path(args.holdout).read_text().split())
    fit = [r for r in train if r[0] not in held]
    held_rows = [r for r in train if r[0] in held]
    rng = random.Random(args.seed)
    pick = set(rng.sample(range(len(fit)), len(fit) // 10))
    choose_rows = [r for i, r in enumerate(fit) if i in pick]
    fit = [r for i, r in enumerate(fit) if i not in pick]
    ce.log(f"{len(fit)} fit, {len(choose_rows)} to choose epoch and threshold, "
           f"{len(held_rows)} held-out, {len(dev)} dev")

    model_dir = Path(args.models) / "all-MiniLM-L6-v2"
    tok = AutoTokenizer.from_pretrained(model_dir)
    enc = AutoModel.from_pretrained(model_dir, add_pooling_layer=False)
    enc.encoder.layer = enc.encoder.layer[: args.layers]
    enc.config.num_hidden_layers = args.layers
    model = Model(enc, enc.config.hidden_size)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps_per_epoch = -(-len(fit) // args.batch)
    total = steps_per_epoch * args.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, s / max(1, total // 20)) * max(0.0, (total - s) / total))
    state = {"epoch": 0, "step_in_epoch": 0, "history": [], "seconds": 0.0}
    ckpt = out / "ckpt.pt"
    if ckpt.exists():
        c = torch.load(ckpt, weights_only=False)
        # Only the same run resumes: other settings would mix two recipes in one model.
        if c.get("args") != vars(args):
            sys.exit(f"{ckpt} is a checkpoint of other settings ({c.get('args')}): use another --out")
        model.load_state_dict(c["model"])
        opt.load_state_dict(c["opt"])
        sched.load_state_dict(c["sched"])
        torch.set_rng_state(c["torch_rng"])
        state = c["state"]
        ce.log(f"resumed at epoch {state['epoch']} step {state['step_in_epoch']}")

    def save():
        tmp = ckpt.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "torch_rng": torch.get_rng_state(), "state": state, "args": vars(args)}, tmp)
        os.replace(tmp, ckpt)

    model.train()
    last_save = time.time()
    session_start = time.time()
    seconds_before = state["seconds"]
    while state["epoch"] < args.epochs:
        e = state["epoch"]
        tokens, t0 = 0, time.time()
        for k, (_, ids, mask, y) in enumerate(batches(tok, fit, args.batch, args.max_len,
                                                     random.Random(args.seed * 1000 + e))):
            if k < state["step_in_epoch"]:
                continue
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(ids, mask), y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            tokens += int(mask.sum())
            state["step_in_epoch"] = k + 1
            if k % 50 == 0:
                ce.log(f"epoch {e} step {k}/{steps_per_epoch} loss {loss.item():.3f} "
                       f"{tokens / (time.time() - t0):.0f} tokens/s")
            if time.time() - last_save > 300:
                state["seconds"] = seconds_before + time.time() - session_start
                save()
                last_save = time.time()
        p = scores(model, tok, choose_rows, args.max_len)
        t, f = ce.best_threshold(p, np.array([r[2] for r in choose_rows]))
        state["history"].append({"epoch": e, "choose_f1": f, "threshold": t})
        torch.save(model.state_dict(), out / f"epoch{e}.pt")
        ce.log(f"epoch {e}: F1 {f:.3f} at {t:.2f} on the choosing tenth")
        state["epoch"], state["step_in_epoch"] = e + 1, 0
        state["seconds"] = seconds_before + time.time() - session_start
        save()
        last_save = time.time()

    best = max(state["history"], key=lambda h: h["choose_f1"])
    model.load_state_dict(torch.load(out / f"epoch{best['epoch']}.pt"))
    res = {"command": shlex.join(sys.argv), "seed": args.seed,
           "data": f"{args.data} (train.tsv outside {Path(args.holdout).name}, a seeded tenth of it to choose; dev.tsv)",
           "commit": git_commit(), "train_seconds": round(state["seconds"]), "args": vars(args),
           "history": state["history"], "chosen": best}
    for name, rows in (("held-out train", held_rows), ("dev", dev)):
        p = scores(model, tok, rows, args.max_len)
        pr, rc, f = ce.prf(p, np.array([r[2] for r in rows]), best["threshold"])
        res[name] = {"precision": pr, "recall": rc, "f1": f}
        ce.log(f"{name}: P {pr:.3f} R {rc:.3f} F1 {f:.3f} (epoch {best['epoch']}, threshold {best['threshold']:.2f})")
        np.save(out / f"scores-{name.replace(' ', '-')}.npy", p)
    # What it would cost beside the detector: one thread, fp32, the dev sentences in batches.
    torch.set_num_threads(1)
    t0 = time.time()
    scores(model, tok, dev, args.max_len)
    res["ms_per_sentence_1_thread"] = 1000 * (time.time() - t0) / len(dev)
    ce.log(f"{res['ms_per_sentence_1_thread']:.2f} ms a sentence on one thread (fp32)")
    res["wall_seconds"] = round(time.time() - t_start)
    (out / "run.json").write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
