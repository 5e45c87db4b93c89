#!/usr/bin/env bash
# Does analysis time grow linearly with input size? A benchmark, not a test: prints MB/s and
# peak RSS of `unspin analyze` on one plain-text article and one HTML page of 1, 4 and 16 MB
# (the example article repeated as paragraphs), on a text of ten words in random order (`few`)
# and on one short sentence repeated (`one`), and the time per MB at 16 MB over that at 1 MB
# (1.0 is linear; a quadratic step would show as about 16).
#
#   scripts/bench-scaling.sh [--model NAME] [--no-aids] [SIZES_MB...]   # default: classical, 1 4 16
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
model=classical aids=() sizes=()
while [ $# -gt 0 ]; do
    case "$1" in
        --model) model="$2"; shift 2 ;;
        --no-aids) aids=(--no-aids); shift ;;
        *) sizes+=("$1"); shift ;;
    esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1 4 16)
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" "${sizes[@]}" <<'PY'
import html, sys
work, sizes = sys.argv[1], [float(s) for s in sys.argv[2:]]
paras = [p for p in open("examples/article1001.txt", encoding="utf-8").read().split("\n") if p.strip()]
for mb in sizes:
    target = int(mb * 1_000_000)
    out, n, i = [], 0, 0
    while n < target:
        p = paras[i % len(paras)]
        out.append(p)
        n += len(p.encode()) + 1
        i += 1
    open(f"{work}/{mb:g}.txt", "w", encoding="utf-8").write("\n".join(out) + "\n")
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in out)
    page = (f"<!doctype html><html><head><title>Scaling</title></head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>Scaling</h1>{body}</article>"
            f"<footer>Footer</footer></body></html>")
    open(f"{work}/{mb:g}.html", "w", encoding="utf-8").write(page)
    # Ten words in seeded random order, twelve to a sentence: every token common, most spans
    # unique, the case that made the repetition feature quadratic until 2026-12-07.
    import random
    rng, words = random.Random(7), "the enemy elites lie about our great nation and truth".split()
    lines, n = [], 0
    while n < target:
        line = " ".join(rng.choice(words) for _ in range(12)).capitalize() + "."
        lines.append(line)
        n += len(line) + 1
    open(f"{work}/{mb:g}.few", "w", encoding="utf-8").write("\n".join(lines) + "\n")
    # One short sentence repeated in a single paragraph: a region and a tagged span in every
    # sentence, the case that made decoding quadratic until 2026-12-07 (sixteenth session).
    one = "The traitors lie. " * (target // 18 + 1)
    open(f"{work}/{mb:g}.one", "w", encoding="utf-8").write(one[:target])
PY

echo "unspin analyze --model $model ${aids[*]:-} (release build, $(nproc) cores)"
printf '%-6s %8s %10s %9s %10s %12s\n' kind MB seconds MB/s "peak RSS" "s/MB vs 1st"
for kind in txt html few one; do
    first=""
    for mb in "${sizes[@]}"; do
        f="$work/$mb.$kind"
        bytes=$(stat -c %s "$f")
        /usr/bin/time -f "%e %M" -o "$work/time" ./target/release/unspin analyze --model "$model" \
            "${aids[@]}" --max-bytes $((bytes + 1)) --format jsonl "$f" >/dev/null
        read -r secs kb <"$work/time"
        per=$(python3 -c "print($secs / ($bytes / 1e6))")
        [ -n "$first" ] || first=$per
        python3 -c "b=$bytes/1e6; s=$secs; print(f'%-6s %8.1f %10.2f %9.2f %7.0f MB %12.2f' % ('$kind', b, s, b / max(s, 1e-9), $kb / 1024, $per / $first))"
    done
done
