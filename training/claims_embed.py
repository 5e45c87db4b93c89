#!/usr/bin/env python3
"""Check-worthy claims from encoder vectors: an experiment on a fixed held-out split.

The question: does a small classifier over an encoder's mean-pooled sentence vectors beat the
shipped linear model (hashed n-grams, `models/claims.unspin`) on sentences it never saw? The
yardstick is a fixed, stratified 20% of CheckThat! 2024 `train.tsv` (`training/claims-holdout.txt`,
seed 2024), because `dev.tsv` is far easier than unseen data; dev is reported too.

Encoders: the base all-mpnet-base-v2 / all-MiniLM-L6-v2 from `scripts/setup-models.sh`, optionally
with a LoRA adapter merged in (e.g. `models/ft-mpnet/adapter.safetensors`, the detector's own
encoder, whose vectors unspin already computes for every article, so a claims head on them
costs nothing extra at run time).

    training/claims_embed.py --make-holdout          # once; writes training/claims-holdout.txt
    training/claims_embed.py --encoder mpnet --adapter models/ft-mpnet/adapter.safetensors

What ships reads the vectors unspin itself computes, in context: `cargo run --release -p unspin
--example claim_vectors -- DATA out/claims-vec` joins each debate's consecutive sentences into
pseudo-articles, runs the default detector and writes every sentence's mean piece vector; then

    training/claims_embed.py --vectors out/claims-vec --stack --write-model models/claims-vectors.json

trains on those (same split, same cross-validation) and writes the model unspin loads, with
the standardisation folded into the weights and the encoder id it must be given vectors of.
`--stack` adds two inputs. One is the logit of the hashed n-gram model (`models/claims.unspin`),
scored out of fold (five n-gram models, each trained by the Rust `claims` example on four of the
cross-validation folds with the shipped model's settings, score the fifth; one trained on all
the fit sentences scores held-out and dev), so the weight it gets is the one an unseen
sentence's n-gram score deserves. The
other is ln(1 + words), the sentence's whitespace-separated word count, which a mean of
vectors cannot see.

Vectors are cached under --out (one .npy per split), written in chunks so a killed run resumes.
The classifier is an L2 logistic regression (torch, full batch, LBFGS); its strength and the
threshold are chosen by 5-fold cross-validation on the 80% it trains on, never on the
predictions that are scored (the Yes class keeps weight 1: see `choose`).
"""
import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
ENCODERS = {"mpnet": "all-mpnet-base-v2", "minilm": "all-MiniLM-L6-v2"}


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\r\n")
        assert header == "Sentence_id\tText\tclass_label", f"{path}: unexpected header"
        for n, line in enumerate(f, 2):
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) != 3 or parts[2] not in ("Yes", "No") or not parts[0] or not parts[1]:
                print(f"warning: {path}:{n}: skipped malformed line", file=sys.stderr)
                continue
            rows.append((parts[0], parts[1], parts[2] == "Yes"))
    return rows


def make_holdout(rows, share, seed):
    rng = random.Random(seed)
    held = []
    for label in (True, False):
        ids = sorted(r[0] for r in rows if r[2] == label)
        rng.shuffle(ids)
        held += ids[: round(len(ids) * share)]
    return sorted(held)


def load_encoder(models, encoder, adapter):
    from transformers import AutoModel, AutoTokenizer
    from safetensors import safe_open

    model_dir = Path(models) / ENCODERS[encoder]
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir, add_pooling_layer=False).eval()
    if adapter:
        with safe_open(adapter, "pt") as f:
            meta = f.metadata()
            alpha = float(meta["alpha"])
            mods = dict(model.named_modules())
            names = sorted({k.rsplit(".lora_", 1)[0] for k in f.keys()})
            for name in names:
                a = f.get_tensor(f"{name}.lora_A.weight").float()
                b = f.get_tensor(f"{name}.lora_B.weight").float()
                lin = mods[name]
                with torch.no_grad():
                    lin.weight += (alpha / a.shape[0]) * (b @ a)
        log(f"merged {len(names)} LoRA pairs from {adapter}")
    return tok, model


def mean_pool(h, mask):
    """The mean of each row's word-piece vectors in `h` (batch × len × width), [CLS] and [SEP]
    left out as unspin pools an article's pieces; `mask` is the tokenizer's attention mask."""
    m = mask.clone()
    m[:, 0] = 0
    m[torch.arange(len(mask)), mask.sum(1) - 1] = 0
    return (h * m[..., None]).sum(1) / m.sum(1).clamp(min=1)[:, None]


@torch.no_grad()
def encode(tok, model, texts, path, batch=32, max_len=128):
    """Mean of the last hidden state over the sentence's word pieces ([CLS]/[SEP] left out, as
    unspin pools an article's pieces), cached at `path` and resumed chunk by chunk."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    part = path.with_suffix(".part.npz")
    done = {}
    if part.exists():
        z = np.load(part)
        done = dict(zip(z["idx"].tolist(), z["vec"]))
        log(f"{path.name}: resuming with {len(done)} of {len(texts)} encoded")
    todo = [i for i in order if i not in done]
    t0, last = time.time(), time.time()
    for s in range(0, len(todo), batch):
        ids = todo[s : s + batch]
        enc = tok([texts[i] for i in ids], padding=True, truncation=True, max_length=max_len, return_tensors="pt")
        v = mean_pool(model(**enc).last_hidden_state, enc["attention_mask"])
        for i, row in zip(ids, v.numpy()):
            done[i] = row.astype(np.float32)
        if time.time() - last > 120 or s + batch >= len(todo):
            last = time.time()
            keys = sorted(done)
            tmp = part.with_name(part.name + ".tmp.npz")
            np.savez(tmp, idx=np.array(keys), vec=np.stack([done[k] for k in keys]))
            os.replace(tmp, part)
            log(f"{path.name}: {len(done)}/{len(texts)} ({(s + batch) / (time.time() - t0):.1f} sentences/s)")
    out = np.stack([done[i] for i in range(len(texts))])
    np.save(path, out)
    part.unlink(missing_ok=True)
    return out


def fit_lr(x, y, l2, yes_weight, iters=200):
    x = torch.from_numpy(x)
    y = torch.from_numpy(y.astype(np.float32))
    w = torch.zeros(x.shape[1], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    sw = torch.where(y > 0, torch.tensor(yes_weight), torch.tensor(1.0))
    opt = torch.optim.LBFGS([w, b], max_iter=iters, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        z = x @ w + b
        loss = (torch.nn.functional.binary_cross_entropy_with_logits(z, y, weight=sw, reduction="sum") / sw.sum()
                + l2 * (w @ w))
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach(), b.detach()


def predict(model, x):
    w, b = model
    return torch.sigmoid(torch.from_numpy(x) @ w + b).numpy()


def prf(p, y, t):
    pred = p >= t
    tp = int((pred & y).sum()); fp = int((pred & ~y).sum()); fn = int((~pred & y).sum())
    pr = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    return pr, rc, (2 * pr * rc / (pr + rc) if pr + rc else 0.0)


def f1_interval(p, y, t, groups, draws=1000, seed=42):
    """The 95% interval of F1 at threshold `t` over `draws` resamplings, with replacement, of
    the groups of sentences (`groups[i]` is sentence i's): groups of one sentence each, or of
    a stretch of one debate, whose sentences err together, so that the interval is not
    narrowed by pretending they are independent."""
    pred = p >= t
    keys = sorted(set(groups))
    index = {k: i for i, k in enumerate(keys)}
    g = np.array([index[k] for k in groups])
    # Per group: true positives, predicted, gold; a draw's F1 comes from the sums.
    tp = np.bincount(g, weights=(pred & y), minlength=len(keys))
    npred = np.bincount(g, weights=pred, minlength=len(keys))
    ngold = np.bincount(g, weights=y, minlength=len(keys))
    rng = np.random.default_rng(seed)
    f = []
    for _ in range(draws):
        pick = np.bincount(rng.integers(0, len(keys), len(keys)), minlength=len(keys))
        a, b, c = (pick * tp).sum(), (pick * npred).sum(), (pick * ngold).sum()
        f.append(2 * a / (b + c) if b + c else 0.0)
    f.sort()
    k = draws // 40
    return f[k], f[draws - 1 - k]


def best_threshold(p, y):
    best = (0.5, -1.0)
    for t in np.arange(0.05, 0.96, 0.01):
        f = prf(p, y, t)[2]
        if f > best[1]:
            best = (float(t), f)
    return best


def reliability(p, y):
    """Sentences and check-worthy ones per tenth of the score: is 0.7 right 70% of the time?"""
    out = []
    for k in range(10):
        sel = (p >= k / 10) & (p < (k + 1) / 10 if k < 9 else p <= 1.0)
        out.append((k / 10, int(sel.sum()), int((y & sel).sum())))
    return out


def standardize(train, *others):
    mu, sd = train.mean(0), train.std(0) + 1e-6
    return [(a - mu) / sd for a in (train,) + others], (mu, sd)


def choose(x, y, seed=7):
    """5-fold CV on the training part: every L2 strength, pooled out-of-fold scores, best F1
    threshold. Returns the winner. The Yes class keeps weight 1: unspin shows the score as a
    probability (and lets the reader move the threshold), and a heavier Yes class would inflate
    it; the F1 it might buy is the threshold's to find. (With the n-gram logit stacked, weight 2
    led CV by 0.002; the held-out reliability table then showed its 0.5-0.6 scores right 36%
    of the time. Its held-out F1 was 0.721 against 0.722 with weight 1, so fixing the weight
    chose nothing for held-out F1.)"""
    yw = 1.0
    results = []
    for l2 in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1):
        oof = out_of_fold(x, y, lambda xtr, ytr, l2=l2: lambda z, m=fit_lr(xtr, ytr, l2, yw): predict(m, z), seed)
        t, f = best_threshold(oof, y)
        results.append((f, l2, yw, t))
        log(f"  cv l2={l2:g}: F1 {f:.3f} at {t:.2f}")
    return max(results)


def out_of_fold(x, y, make, seed=7):
    """Each row's score from a model that did not see it: `make(x, y)` fits on four of the
    five folds (standardised on them) and returns a scoring function for the fifth."""
    fold = folds(len(y), seed)
    oof = np.zeros(len(y), dtype=np.float32)
    for k in range(5):
        tr, te = fold != k, fold == k
        (xtr, xte), _ = standardize(x[tr], x[te])
        oof[te] = make(xtr, y[tr])(xte)
    return oof


def folds(n, seed=7):
    """The 5 cross-validation folds of n rows. `choose` and `ngram_logits` must cut the same
    ones: a sentence's out-of-fold n-gram logit is then from a model that did not see it."""
    return np.random.default_rng(seed).permutation(n) % 5


def log_words(rows):
    """ln(1 + the sentence's whitespace-separated words), as a column (unspin: `split_whitespace`)."""
    return np.log1p([len(r[1].split()) for r in rows]).astype(np.float32)[:, None]


MAX_NGRAM_LOGIT = 13.81551  # = ln((1 - 1e-6) / 1e-6); unspin clamps to its twin (claims/vectors.rs)


def ngram_logits(out, fit_rows, held_rows, dev_rows, claims_bin, seed=7, out_of_fold=True):
    """The hashed n-gram model's logits for the stack: out of fold on the fit rows (the folds of
    `choose`; None with `out_of_fold=False`), and from a model trained on all fit rows for
    held-out and dev. Every model is trained with the settings recorded in
    `models/claims.unspin` (`claims -- train --like`), so all the logits are on the scale of
    the model unspin pairs the stack with; each is retrained on every run (about 2 s a model),
    so nothing stale is read back. Work files go to `out`."""
    import subprocess

    shipped = ROOT / "models/claims.unspin"

    def write(path, rows):
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write("Sentence_id\tText\tclass_label\n")
            f.writelines(f"{i}\t{t}\t{'Yes' if y else 'No'}\n" for i, t, y in rows)

    def run(*a):
        return subprocess.run([str(claims_bin), *a], check=True, capture_output=True, text=True).stdout

    def model(rows, d):
        write(d / "train.tsv", rows)
        said = run("train", "--data", str(d), "--output", str(d / "model.unspin"), "--like", str(shipped))
        log(f"  n-gram model {d.name}: " + said.splitlines()[1])
        return d / "model.unspin"

    def logits(model, rows, path):
        write(path, rows)
        got = dict(line.split("\t") for line in run("score", "--input", str(path), "--model", str(model)).splitlines())
        return np.clip(np.array([float(got[r[0]]) for r in rows]), -MAX_NGRAM_LOGIT, MAX_NGRAM_LOGIT).astype(np.float32)

    if not Path(claims_bin).exists():
        sys.exit(f"{claims_bin} not found: cargo build --release -p unspin-factcheck --example claims")
    gf = None
    if out_of_fold:
        fold = folds(len(fit_rows), seed)
        gf = np.zeros(len(fit_rows), np.float32)
        for k in range(5):
            d = out / f"fold{k}"
            m = model([r for r, f in zip(fit_rows, fold) if f != k], d)
            gf[fold == k] = logits(m, [r for r, f in zip(fit_rows, fold) if f == k], d / "scored.tsv")
    m = model(fit_rows, out / "fit")
    return gf, logits(m, held_rows, out / "fit/held.tsv"), logits(m, dev_rows, out / "fit/dev.tsv")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/checkworthy"))
    ap.add_argument("--models", default=os.path.expanduser("~/.cache/unspin/encoders"))
    ap.add_argument("--encoder", choices=ENCODERS, default="mpnet")
    ap.add_argument("--adapter", default=None, help="LoRA adapter to merge (unspin-lora safetensors)")
    ap.add_argument("--holdout", default=str(ROOT / "training/claims-holdout.txt"))
    ap.add_argument("--make-holdout", action="store_true")
    ap.add_argument("--out", default=None)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--vectors", default=None,
                    help="directory from the claim_vectors example: use its vectors, encode nothing")
    ap.add_argument("--write-model", default=None, help="write the trained model here (JSON, for unspin)")
    ap.add_argument("--stack", action="store_true",
                    help="add the hashed n-gram model's logit (scored out of fold) and ln(1 + words) as inputs")
    ap.add_argument("--claims-bin", default=str(ROOT / "target/release/examples/claims"),
                    help="the Rust claims example, which trains and scores the n-gram models")
    args = ap.parse_args()

    data = Path(args.data)
    train = read_tsv(data / "train.tsv")
    dev = read_tsv(data / "dev.tsv")
    if args.make_holdout:
        held = make_holdout(train, 0.2, 2024)
        Path(args.holdout).write_text("".join(f"{i}\n" for i in held))
        log(f"wrote {args.holdout}: {len(held)} of {len(train)} sentences")
        return
    held = set(Path(args.holdout).read_text().split())
    fit_rows = [r for r in train if r[0] not in held]
    held_rows = [r for r in train if r[0] in held]
    log(f"{len(fit_rows)} fit, {len(held_rows)} held-out, {len(dev)} dev sentences")

    torch.set_num_threads(args.threads)
    encoder_id = None
    if args.vectors:
        vdir = Path(args.vectors)
        meta = json.loads((vdir / "meta.json").read_text())
        encoder_id, width = meta["encoder"], meta["width"]
        tag = "unspin-" + encoder_id
        out = Path(args.out or vdir)
        vecs = {}
        for name, rows in (("train", train), ("dev", dev)):
            ids = (vdir / f"{name}.ids").read_text().split()
            assert ids == [r[0] for r in rows], f"{vdir}/{name}.ids: not the rows of {name}.tsv"
            vecs[name] = np.fromfile(vdir / f"{name}.f32", dtype="<f4").reshape(len(rows), width)
        log(f"read vectors of {encoder_id} (width {width}) from {vdir}")
    else:
        tag = args.encoder + ("-" + Path(args.adapter).parent.name if args.adapter else "-base")
        out = Path(args.out or ROOT / "out/claims-emb" / tag)
        out.mkdir(parents=True, exist_ok=True)
        tok, model = load_encoder(args.models, args.encoder, args.adapter)
        t0 = time.time()
        vecs = {}
        for name, rows in (("train", train), ("dev", dev)):
            path = out / f"{name}.npy"
            vecs[name] = np.load(path) if path.exists() else encode(tok, model, [r[1] for r in rows], path)
        log(f"vectors ready in {time.time() - t0:.0f} s")

    index = {r[0]: i for i, r in enumerate(train)}
    xf = vecs["train"][[index[r[0]] for r in fit_rows]]
    yf = np.array([r[2] for r in fit_rows])
    xh = vecs["train"][[index[r[0]] for r in held_rows]]
    yh = np.array([r[2] for r in held_rows])
    xd, yd = vecs["dev"], np.array([r[2] for r in dev])
    if args.stack:
        t0 = time.time()
        g = ngram_logits(out / "ngram", fit_rows, held_rows, dev, args.claims_bin)
        xf, xh, xd = (np.concatenate([x, gx[:, None], log_words(rows)], 1)
                      for x, gx, rows in zip((xf, xh, xd), g, (fit_rows, held_rows, dev)))
        log(f"n-gram logits and word counts stacked ({time.time() - t0:.0f} s)")

    t0 = time.time()
    f_cv, l2, yw, t = choose(xf, yf)
    (xf_s, xh_s, xd_s), (mu, sd) = standardize(xf, xh, xd)
    m = fit_lr(xf_s, yf, l2, yw)
    res = {"encoder": tag, "l2": l2, "yes_weight": yw, "threshold": t, "cv_f1": f_cv}
    for name, x, y in (("held-out train", xh_s, yh), ("dev", xd_s, yd)):
        p = predict(m, x)
        pr, rc, f = prf(p, y, t)
        res[name] = {"precision": pr, "recall": rc, "f1": f}
        log(f"{tag} {name}: P {pr:.3f} R {rc:.3f} F1 {f:.3f} (threshold {t:.2f} from CV)")
        np.save(out / f"scores-{name.replace(' ', '-')}.npy", p)
        if name == "held-out train":
            # Sentence ids run in debate order: blocks of 1,000 ids are stretches of debates.
            ids = [int(r[0]) for r in held_rows]
            for unit, groups in (("sentences", ids), ("blocks of 1,000 ids", [i // 1000 for i in ids])):
                lo, hi = f1_interval(p, y, t, groups)
                res[name][f"f1_interval_{unit.split()[0]}"] = [lo, hi]
                log(f"  F1 95% interval, 1,000 draws of the {len(set(groups))} {unit}: [{lo:.3f}, {hi:.3f}]")
            res["reliability"] = reliability(p, y)
            for lo, n, yes in res["reliability"]:
                log(f"  score {lo:.1f}-{lo + 0.1:.1f}: {n:5d} sentences, {yes / max(n, 1):.2f} check-worthy")
    res["train_seconds"] = round(time.time() - t0)
    (out / "result.json").write_text(json.dumps(res, indent=1))
    if args.write_model:
        if encoder_id is None:
            sys.exit("--write-model needs --vectors: unspin must be given the vectors it was trained on")
        # The standardisation folded in: w·(x - mu)/sd + b = (w/sd)·x + (b - w·mu/sd).
        w, b = m
        w = w.numpy().astype(np.float64) / sd
        b = float(b.numpy()[0]) - float((w * mu).sum())
        stacked = ", the n-gram model's out-of-fold logit and ln(1 + words)" if args.stack else ""
        model = {
            "format": "unspin-claims-vectors",
            "version": 2 if args.stack else 1,
            "encoder": encoder_id,
            "threshold": round(t, 4),
            "bias": b,
            "weights": [float(x) for x in w[:width].astype(np.float32)],
            "training": (f"training/claims_embed.py --vectors {args.vectors}{' --stack' if stacked else ''}: "
                         f"logistic regression (L2 {l2:g}, Yes weight {yw:g}) over the sentence vectors{stacked}, "
                         f"on the {len(fit_rows)} CheckThat! 2024 train sentences outside "
                         f"{Path(args.holdout).name}; threshold from 5-fold CV"),
            "holdout": res["held-out train"],
            "dev": res["dev"],
        }
        if args.stack:
            # Run time pairs it with the shipped n-gram model; a test checks this digest.
            import hashlib
            model["ngram_weight"] = float(np.float32(w[width]))
            model["words_weight"] = float(np.float32(w[width + 1]))
            model["ngram_model_sha256"] = hashlib.sha256((ROOT / "models/claims.unspin").read_bytes()).hexdigest()
        Path(args.write_model).write_text(json.dumps(model, indent=1) + "\n")
        log(f"wrote {args.write_model}")


if __name__ == "__main__":
    main()
