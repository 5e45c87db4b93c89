"""Tests of the `unspin` Python module (build and install the wheel first:
scripts/python-test.sh does both, then runs these).

The CLI comparisons run `unspin analyze` from $UNSPIN_BIN, else through `cargo run --release`.
"""
import json
import math
import os
import pathlib
import re
import subprocess
import sys
import threading
import warnings

import pytest

import unspin

ROOT = pathlib.Path(__file__).resolve().parents[3]

PROPAGANDA = (
    "The corrupt elites are destroying our great nation. Every patriot knows the truth: they "
    "hate you and everything you stand for. We must act now, before it is too late!"
)
# Astral characters (one code point, two UTF-16 units, four UTF-8 bytes) and accents before the
# spans: any byte or UTF-16 offset would be visibly off.
UNICODE = (
    "😱😱 Café owners in São Paulo were stunned 🤯 when the so-called experts announced the rules. "
    "Nobody wants this disaster, and everybody knows it. These traitors and cowards lie! "
    "Make our streets safe again!"
)
REPORT_KEYS = {"id", "length", "detector", "version", "spans", "claims", "quotes", "findings"}


# The tests pin the classical model: it is what `unspin analyze --model classical` and batch run,
# and the ensemble in a debug build would take minutes. The default has its own test below.
def analyze(items, **kwargs):
    return unspin.analyze(items, **{"model": "classical", **kwargs})


def analyze_jsonl(lines, **kwargs):
    return unspin.analyze_jsonl(lines, **{"model": "classical", **kwargs})


def cli(*args, stdin=None):
    """Runs the unspin CLI and returns its stdout."""
    exe = os.environ.get("UNSPIN_BIN")
    cmd = [exe] if exe else ["cargo", "run", "--release", "-q", "-p", "unspin-cli", "--"]
    done = subprocess.run(cmd + list(args), cwd=ROOT, input=stdin, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def places(value):
    """Every {"start", "end", "text"} dict inside a report: spans, claims, quote parts, findings."""
    if isinstance(value, dict):
        if {"start", "end", "text"} <= value.keys() and isinstance(value["start"], int):
            yield value
        for v in value.values():
            yield from places(v)
    elif isinstance(value, list):
        for v in value:
            yield from places(v)


def test_version_and_techniques():
    cargo = (ROOT / "Cargo.toml").read_text()
    assert re.search(r'^version = "(.*)"', cargo, re.M).group(1) == unspin.__version__
    names = unspin.techniques()
    assert len(names) == 14 and len(set(names)) == 14
    assert "Loaded_Language" in names and "Name_Calling,Labeling" in names


def test_default_is_the_best_installed_model():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        [r] = unspin.analyze([PROPAGANDA], aids=False)
    notes = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    if notes:  # scripts/setup-models.sh not run: a fallback, and the warning says why
        assert r["detector"] in ("classical", "ensemble-minilm"), notes
        assert "model= silences this" in notes[0]
    else:
        assert r["detector"] == "ensemble"


def test_without_encoders_the_default_falls_back_with_a_warning(tmp_path):
    code = (
        "import unspin, warnings\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    [r] = unspin.analyze(['They are traitors and cowards.'], aids=False)\n"
        "print(r['detector']); print(w[0].category.__name__); print(w[0].message)\n"
    )
    env = {**os.environ, "UNSPIN_MODELS": str(tmp_path / "none")}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    detector, category, message = done.stdout.splitlines()[:3]
    assert (detector, category) == ("classical", "UserWarning")
    assert "using the classical model, not the ensemble" in message


def test_unknown_model_is_a_value_error_listing_the_names():
    with pytest.raises(ValueError, match="classical, minilm, mpnet"):
        unspin.analyze([PROPAGANDA], model="clasical")
    assert unspin.analyze([PROPAGANDA], model="classical")[0]["detector"] == "classical"


def test_strings_get_positional_ids_and_the_report_schema():
    reports = analyze([PROPAGANDA, "The council met on Monday.", UNICODE])
    assert [r["id"] for r in reports] == ["0", "1", "2"]
    for r in reports:
        assert set(r) == REPORT_KEYS  # no source/url/date/title/text for a plain string
        assert r["detector"] == "classical"
    spans = reports[0]["spans"]
    assert spans, "the propaganda sample should have spans"
    assert set(spans[0]) == {"start", "end", "technique", "confidence", "text"}
    assert all(s["technique"] in unspin.techniques() for s in spans)
    assert all(0.0 <= s["confidence"] <= 1.0 for s in spans)
    assert reports[0]["claims"], "the aids are on by default"


def test_dicts_carry_metadata_and_ignore_unknown_keys():
    [r] = analyze([{
        "id": "a-1", "text": PROPAGANDA, "source": "Patriot Wire", "url": "https://example.org/1",
        "date": "2025-03-01", "lang": "en", "score": 3,
    }])
    assert r["id"] == "a-1"
    assert (r["source"], r["url"], r["date"]) == ("Patriot Wire", "https://example.org/1", "2025-03-01")
    assert "lang" not in r and "score" not in r
    # None and NaN (pandas' missing value) both mean absent.
    [r] = analyze([{"id": "a-2", "text": PROPAGANDA, "source": None, "html": math.nan}])
    assert set(r) == REPORT_KEYS


def test_generators_and_other_mappings_are_accepted():
    from types import MappingProxyType

    reports = analyze(t for t in [PROPAGANDA, MappingProxyType({"id": "m", "text": UNICODE})])
    assert [r["id"] for r in reports] == ["0", "m"]
    assert analyze([]) == []


def test_offsets_are_code_points():
    [r] = analyze([UNICODE])
    assert r["length"] == len(UNICODE)
    found = list(places(r))
    assert any(p["start"] > 3 for p in r["spans"]), "want spans after the emoji"
    assert len(found) > len(r["spans"]), "claims and quotes are checked too"
    for p in found:
        assert UNICODE[p["start"]:p["end"]] == p["text"], p


def test_html_records_report_the_extracted_text():
    page = (
        "<html><head><title>Mayor vows to fight</title></head><body><nav>Home | News</nav>"
        "<article><p>The mayor called the protesters a mob of lawless thugs on Friday and "
        "promised to restore order at any cost.</p><p>We will never surrender our city to "
        "these radicals, he said. Opponents said the remarks were designed to stoke fear.</p>"
        "</article><footer>Copyright 2025</footer></body></html>"
    )
    [r] = analyze([{"id": "page", "html": page}])
    assert r["title"] == "Mayor vows to fight"
    assert "Home | News" not in r["text"] and "lawless thugs" in r["text"]
    assert r["length"] == len(r["text"])
    for p in places(r):
        assert r["text"][p["start"]:p["end"]] == p["text"]


def test_bad_items_raise_with_index_and_reason():
    with pytest.raises(ValueError, match=r'^item 1 \(id "1"\): empty text$'):
        analyze([PROPAGANDA, "   \n "])
    with pytest.raises(ValueError, match=r'^item 0: no "id"$'):
        analyze([{"text": PROPAGANDA}])
    with pytest.raises(ValueError, match=r'^item 0: "id" must be a string, not int$'):
        analyze([{"id": 7, "text": PROPAGANDA}])
    with pytest.raises(ValueError, match=r'item 0 \(id "x"\): "text" must be a string, not bytes'):
        analyze([{"id": "x", "text": b"bytes"}])
    with pytest.raises(ValueError, match=r'item 0 \(id "x"\): both "text" and "html" given'):
        analyze([{"id": "x", "text": "a", "html": "<p>b</p>"}])
    with pytest.raises(ValueError, match=r'item 0 \(id "x"\): no "text" or "html"'):
        analyze([{"id": "x"}])
    with pytest.raises(ValueError, match=r'item 0 \(id "x"\): "text" is not valid Unicode'):
        analyze([{"id": "x", "text": "lone \ud800 surrogate"}])


def test_errors_skip_and_return_keep_positions():
    items = [PROPAGANDA, "", {"id": "x", "text": "a", "html": "b"}, {"text": "no id"}, UNICODE]
    skipped = analyze(items, errors="skip")
    assert [r and r["id"] for r in skipped] == ["0", None, None, None, "4"]
    returned = analyze(items, errors="return")
    assert returned[0] == skipped[0] and returned[4] == skipped[4]
    assert returned[1] == {"id": "1", "error": "empty text"}
    assert returned[2] == {"id": "x", "error": 'both "text" and "html" given; a record has one of them'}
    assert returned[3] == {"error": 'no "id"'}


def test_wrong_kinds_of_argument_are_type_errors():
    with pytest.raises(TypeError, match="not a single str"):
        analyze(PROPAGANDA)
    with pytest.raises(TypeError, match="item 1: expected a str or a dict, not int"):
        analyze(["fine", 42], errors="skip")
    with pytest.raises(ValueError, match="errors must be"):
        analyze([PROPAGANDA], errors="ignore")


def test_aids_off_keeps_spans_and_drops_aids():
    with_aids, without = analyze([PROPAGANDA]), analyze([PROPAGANDA], aids=False)
    assert without[0]["spans"] == with_aids[0]["spans"]
    assert without[0]["claims"] == without[0]["quotes"] == without[0]["findings"] == []


def test_as_json_gives_the_line_itself():
    lines = analyze([PROPAGANDA, UNICODE], as_json=True)
    assert all(isinstance(line, str) and "\n" not in line for line in lines)
    assert [json.loads(line) for line in lines] == analyze([PROPAGANDA, UNICODE])


def test_analyze_jsonl_parses_like_batch():
    lines = [
        json.dumps({"id": "ok", "text": PROPAGANDA, "source": "S"}).encode(),
        '{"id": "bad", "text": "caf\u00e9"}'.encode("latin-1"),
        b'{"id": "cut", "text": ',
        json.dumps({"id": "s", "text": UNICODE}, ensure_ascii=False),  # str lines too
    ]
    out = analyze_jsonl(lines, errors="return")
    assert out[0] == analyze([{"id": "ok", "text": PROPAGANDA, "source": "S"}])[0]
    assert out[1] == {"error": "not valid UTF-8 (byte 26 of the line)"}
    assert out[2]["error"].startswith("invalid record: EOF while parsing a value at line 1 column 22")
    assert out[3]["id"] == "s"
    with pytest.raises(ValueError, match=r"^item 1: not valid UTF-8"):
        analyze_jsonl(lines)
    with pytest.raises(TypeError, match="line 0: expected bytes or str, not dict"):
        analyze_jsonl([{"id": "x"}])


def test_threads_share_the_module():
    """The GIL is released during the analysis: Python threads calling at once must neither
    deadlock nor disturb each other's results."""
    expected = analyze([PROPAGANDA, UNICODE] * 5)
    results = [None] * 4

    def work(i):
        results[i] = analyze([PROPAGANDA, UNICODE] * 5)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


@pytest.mark.parametrize("aids", [True, False])
def test_equals_the_cli(tmp_path, aids):
    """The module and `unspin analyze --format jsonl` give equal reports for the same files."""
    paths, records = [], []
    for i, text in enumerate([PROPAGANDA, UNICODE, (ROOT / "examples" / "article1001.txt").read_text("utf-8")]):
        path = tmp_path / f"article{i}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
        records.append({"id": str(i), "text": text})
    page = ROOT / "examples" / "article1003.html"
    paths.append(str(page))
    records.append({"id": "1003", "html": page.read_text("utf-8")})
    args = ["analyze", "--model", "classical", "--format", "jsonl"] + ([] if aids else ["--no-aids"]) + paths
    from_cli = [json.loads(line) for line in cli(*args).splitlines()]
    # The CLI stamps its reports with the time and gives plain-text reports their text, so a
    # saved report stands alone; the library returns what it computed.
    for r, record in zip(from_cli, records):
        assert r.pop("created").endswith("Z")
        if "text" in record:
            assert r.pop("text") == record["text"]
    assert from_cli == analyze(records, aids=aids)
