"""Would blending both fine-tuned encoders raise SI and TC? A study on the held-out split.

The default ensemble blends the classical CRF's token probabilities with fine-tuned MPNet's;
ensemble-minilm does the same with MiniLM. This asks whether a third signal, the other
encoder's, adds anything once both are decoded the shipped way (hysteresis plus joining),
cross-fitted like `unspin validate`: weights and thresholds chosen on one half of the 75
held-out articles, scored on the other, pooled.

    cargo run --release -p unspin --example dump_evidence -- models/ft-mpnet-holdout out/blend3/tc-ft-mpnet-holdout.jsonl
    cargo run --release -p unspin --example dump_evidence -- models/ft-minilm-holdout out/blend3/tc-ft-minilm.jsonl
    python3 training/blend3_study.py out/blend3/tc-ft-mpnet-holdout.jsonl out/blend3/tc-ft-minilm.jsonl

With `--tc` it stops after the technique study. Measured 2026-12-04 (training/README.md): SI
0.448 → 0.452 and TC 0.692 → 0.703 with MiniLM beside MPNet, which `unspin validate --partner`
then confirmed (0.449 → 0.451, 0.697 → 0.709) and `--model ensemble-both` ships.

Both dumps retrain the classical model the same way (seed 42, the 296 articles), so their
`classical` columns agree and the MiniLM dump contributes only its `transformer` column.
"""
import sys

from decode_study import crossfit, load, regions


def predict(d, wc, wl, hi, lo, gap):
    """Token probability = wc·classical + wl·MiniLM + (1 − wc − wl)·MPNet, decoded into
    regions; the classical taggers' spans are kept where a region overlaps them."""
    wm = 1.0 - wc - wl
    p = [wc * c + wm * m + wl * l for c, m, l in zip(d["classical"], d["transformer"], d["minilm"])]
    regs = regions(d, p, hi, lo, gap)
    spans = [(a, b) for a, b, _, _ in regs]
    for a, b in d["tagged"]:
        if any(min(b, y) - max(a, x) > 0 for x, y, _, _ in regs):
            spans.append((a, b))
    return spans


def right_in_turn(spans):
    """How many of `spans`, (key, gold technique index, scores) each, get their technique when
    spans with one key (identical spans) take the best techniques in turn, as
    `unspin_core::assign_techniques` does."""
    right = 0
    given = {}
    for key, gold, scores in spans:
        order = sorted(range(len(scores)), key=lambda k: -scores[k])
        k = given.get(key, 0)
        given[key] = k + 1
        right += order[min(k, len(order) - 1)] == gold
    return right


def tc_correct(d, wm, wl):
    """How many of the article's gold technique spans get their technique when each span's
    scores are (1 − wm − wl)·classical + wm·MPNet + wl·MiniLM."""
    return right_in_turn(
        ((a, b), TECHNIQUES.index(tech), [(1 - wm - wl) * x + wm * y + wl * z for x, y, z in zip(c, m, l)])
        for (a, b, tech, c, m), l in zip(d["tc"], d["tc_minilm"]))


def tc_crossfit(docs, grid):
    """TC accuracy over the gold spans (what micro-F1 is when every span gets one answer),
    weights chosen on one half and scored on the other."""
    right = total = 0
    choices = []
    for choose_a in (True, False):
        on = [d for d in docs if d["half_a"] == choose_a]
        off = [d for d in docs if d["half_a"] != choose_a]
        best = max(grid, key=lambda g: sum(tc_correct(d, *g) for d in on))
        choices.append(best)
        right += sum(tc_correct(d, *best) for d in off)
        total += sum(len(d["tc"]) for d in off)
    return right / total, choices


# Technique::ALL's order, the order of the dumped scores.
TECHNIQUES = [
    "Appeal_to_Authority", "Appeal_to_fear-prejudice", "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy", "Causal_Oversimplification", "Doubt",
    "Exaggeration,Minimisation", "Flag-Waving", "Loaded_Language", "Name_Calling,Labeling",
    "Repetition", "Slogans", "Thought-terminating_Cliches", "Whataboutism,Straw_Men,Red_Herring",
]


def main():
    docs = load(sys.argv[1])
    other = {}
    for d in load(sys.argv[2]):
        other[d["id"]] = d
    for d in docs:
        o = other[d["id"]]
        assert o["tokens"] == d["tokens"] and o["half_a"] == d["half_a"], d["id"]
        diff = max(abs(a - b) for a, b in zip(o["classical"], d["classical"]))
        assert diff < 1e-6, (d["id"], diff)
        d["minilm"] = o["transformer"]
        if "tc" in d:
            d["tc_minilm"] = [row[4] for row in o["tc"]]
    if "tc" in docs[0]:
        names = {row[2] for d in docs for row in d["tc"]}
        assert names <= set(TECHNIQUES), names - set(TECHNIQUES)
        ws = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        print("TC, classical + MPNet", tc_crossfit(docs, [(w, 0.0) for w in ws]), flush=True)
        print("TC, classical + MiniLM", tc_crossfit(docs, [(0.0, w) for w in ws]), flush=True)
        print("TC, all three", tc_crossfit(docs, [(wm, wl) for wm in ws for wl in ws if wm + wl <= 1.0]),
              flush=True)
        if "--tc" in sys.argv:
            return
    th = [(h, l) for h in (0.3, 0.35, 0.4, 0.45) for l in (0.2, 0.25, 0.3) if l <= h]
    gaps = (2, 3)

    def grid(wcs, wls):
        return [(wc, wl, h, l, g) for wc in wcs for wl in wls if wc + wl <= 1.0
                for h, l in th for g in gaps]

    print("MPNet + classical", crossfit(docs, grid((0.2, 0.3, 0.4), (0.0,)), predict), flush=True)
    print("MiniLM + classical", crossfit(docs, [(wc, 1.0 - wc, h, l, g) for wc in (0.2, 0.3, 0.4)
                                                for h, l in th for g in gaps], predict), flush=True)
    print("all three", crossfit(docs, grid((0.15, 0.2, 0.3), (0.1, 0.2, 0.3, 0.4)), predict), flush=True)


if __name__ == "__main__":
    main()
