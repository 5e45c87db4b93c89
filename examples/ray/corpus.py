#!/usr/bin/env python3
"""Writes the test corpus of the Ray example: real articles plus the awkward records a crawl
produces, so that the comparison with `unspin batch` covers refusals too.

    python corpus.py --n 300 --out /tmp/corpus.jsonl.gz

The articles come from scripts/make-corpus.py (PTC texts with synthetic outlets and dates) when
the PTC data is there (../shared/data), else from fixture.jsonl beside this file. Then come
records that must be analysed (an HTML page, CRLF line ending, a raw U+2028 inside a string,
null fields, unknown fields) and records that must be refused (invalid JSON, invalid UTF-8, no
id, an id that is not a string, empty text, both text and html, a page without article text),
with blank lines between them, which batch skips but counts in line numbers.
"""
import argparse
import gzip
import json
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def extra_lines():
    """The hand-made lines appended to every test corpus, as raw bytes."""
    page = (
        "<!DOCTYPE html><html><head><title>Mayor vows to fight</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav><article><h1>Mayor vows to fight</h1>"
        "<p>The mayor called the protesters a mob of lawless thugs on Friday and promised to "
        "restore order at any cost.</p><p>\u201cWe will never surrender our city to these "
        "radicals,\u201d he said. Opponents said the remarks were designed to stoke fear.</p>"
        "<p>The council will vote on the new policing budget of 12 million dollars next week, "
        "officials said.</p></article><footer>\u00a9 2025 Example News</footer></body></html>"
    )
    good = [
        json.dumps({"id": "html-page", "html": page, "source": "Example News", "date": "2025-04-01"}),
        # A raw U+2028 inside a string: valid JSON, but a line break to str.splitlines().
        json.dumps({"id": "u2028", "text": "They lie.\u2028They always lie, these crooks! Wake up, people."},
                   ensure_ascii=False),
        json.dumps({"id": "nulls", "text": "Shocking betrayal by the so-called leaders!", "source": None,
                    "url": None, "date": None, "lang": "en"}),
    ]
    lines = [line.encode("utf-8") for line in good]
    lines[0] += b"\r"  # a CRLF line ending
    lines += [
        b"",
        b"   \t ",
        b'{"id": "bad-json", "text": "unterminated',
        '{"id": "bad-utf8", "text": "caf\u00e9"}'.encode("latin-1"),
        b'{"text": "no id at all"}',
        b'{"id": 7, "text": "an id that is a number"}',
        b'{"id": "empty-text", "text": "  \\n  "}',
        b'{"id": "both", "text": "a", "html": "<p>b</p>"}',
        b'{"id": "empty-page", "html": "<html><body><nav>Home</nav></body></html>"}',
        b'{"id": "", "text": "an empty id"}',
    ]
    return lines


def article_lines(n):
    """`n` real articles from make-corpus.py, or the fixture when the PTC data is missing."""
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "articles.jsonl"
        made = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make-corpus.py"), "--n", str(n), "--out", str(out)],
            capture_output=True,
        )
        if made.returncode == 0:
            return out.read_bytes().splitlines(), "make-corpus.py"
    print(f"corpus: PTC articles unavailable ({made.stderr.decode().strip()}); using fixture.jsonl",
          file=sys.stderr)
    return (HERE / "fixture.jsonl").read_bytes().splitlines(), "fixture.jsonl"


def build(out, n=300):
    """Writes the corpus to `out` (gzip'd if it ends with .gz); returns (records, origin)."""
    articles, origin = article_lines(n)
    data = b"".join(line + b"\n" for line in articles + extra_lines())
    out = pathlib.Path(out)
    out.write_bytes(gzip.compress(data) if out.suffix == ".gz" else data)
    return len(articles), origin


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=300, help="real articles [default: 300]")
    p.add_argument("--out", required=True, help="output file; .gz compresses")
    a = p.parse_args()
    n, origin = build(a.out, a.n)
    print(f"corpus: {n} articles from {origin} plus {len(extra_lines())} hand-made lines in {a.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
