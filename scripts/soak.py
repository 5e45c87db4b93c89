#!/usr/bin/env python3
"""Soak test of `unspin serve` (loopback only, bounded): many mixed requests, hostile bodies
among them, with the server's RSS sampled as they go.

    scripts/soak.py [--requests 10000] [--clients 4] [--bin target/release/unspin]
                    [--model classical] [--max-growth-mb 64]

Fails (exit 1) when the server dies, answers any request with a 5xx other than 503/504, stops
answering /healthz, or its RSS after the warm-up grows by more than --max-growth-mb. Prints
the status counts and RSS at start, after warm-up, at its peak and at the end. Only the Python
standard library; the server binds 127.0.0.1 on a free port.
"""
import argparse
import collections
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTICLE = open(os.path.join(ROOT, "examples", "article1001.txt"), encoding="utf-8").read()
PAGE = open(os.path.join(ROOT, "examples", "article1003.html"), encoding="utf-8").read()


JSON = {"Content-Type": "application/json"}


def excerpt(rng):
    return ARTICLE[: rng.randrange(200, len(ARTICLE))]


def fixed(body):
    """A body made once, at start-up: some are megabytes, too big to rebuild per request."""
    return lambda rng: body


# The request mix: (method, path, headers, body made from the client's rng, what it is).
KINDS = [
    ("POST", "/v1/analyze", JSON, lambda rng: json.dumps({"text": excerpt(rng)}).encode(), "analyze text"),
    ("POST", "/v1/analyze", JSON, lambda rng: json.dumps({"text": excerpt(rng), "aids": False}).encode(),
     "analyze no aids"),
    ("POST", "/v1/analyze", JSON, fixed(json.dumps({"html": PAGE}).encode()), "analyze html"),
    ("POST", "/v1/classify", JSON,
     fixed(json.dumps({"text": ARTICLE, "spans": [{"start": 0, "end": 40}, {"start": 100, "end": 180}]}).encode()),
     "classify"),
    ("GET", "/healthz", {}, fixed(b""), "healthz"),
    ("GET", "/v1/techniques", {}, fixed(b""), "techniques"),
    ("GET", "/", {}, fixed(b""), "page"),
    # Hostile bodies, each of which once crashed or could crash a server like this one.
    ("POST", "/v1/analyze", JSON,
     fixed(json.dumps({"html": "<html><body>" + "<div/>" * 20000 + "<p>x</p>"}).encode()), "deep <div/>"),
    ("POST", "/v1/analyze", JSON, fixed(json.dumps({"html": "<b>" * 30000 + "x"}).encode()), "deep formatting"),
    ("POST", "/v1/analyze", JSON, fixed(b'{"text": "caf\xff\xfe"}'), "invalid UTF-8"),
    ("POST", "/v1/analyze", JSON, fixed(b"[" * 100000), "deep JSON"),
    ("POST", "/v1/analyze", JSON, fixed(b'{"text": '), "truncated JSON"),
    ("POST", "/v1/analyze", {"Content-Type": "text/plain"}, lambda rng: excerpt(rng).encode(), "wrong content type"),
    ("POST", "/v1/analyze", JSON, fixed(json.dumps({"text": "   \n\t "}).encode()), "blank text"),
    ("POST", "/v1/analyze", JSON, fixed(json.dumps({"text": "a", "html": "<p>b</p>"}).encode()), "text and html"),
    ("POST", "/v1/classify", JSON,
     fixed(json.dumps({"text": "short", "spans": [{"start": 3, "end": 999999}]}).encode()), "span past the end"),
    ("POST", "/v1/analyze", JSON, lambda rng: rng.randbytes(2000), "random bytes"),
    ("POST", "/v1/analyze", JSON, fixed(b"x" * (6 << 20)), "over the body limit"),
    ("OPTIONS", "/v1/analyze",
     {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, fixed(b""), "CORS preflight"),
    ("GET", "/nope", {}, fixed(b""), "404"),
    ("DELETE", "/v1/analyze", {}, fixed(b""), "405"),
]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=10000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "unspin"))
    ap.add_argument("--model", default="classical")
    ap.add_argument("--max-growth-mb", type=float, default=64.0,
                    help="largest RSS growth allowed from the end of the warm-up to the end")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    port = free_port()
    server = subprocess.Popen([a.bin, "serve", "--model", a.model, "--addr", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("soak: the server did not come up")
        start_rss = rss_kb(server.pid)

        counts = collections.Counter()
        failures = []
        samples = []
        lock = threading.Lock()
        done = [0]
        warmup = min(1000, a.requests // 10)
        warm_rss = [None]

        def client(k):
            rng = random.Random(a.seed * 1000 + k)
            while True:
                with lock:
                    if done[0] >= a.requests:
                        return
                    done[0] += 1
                    n = done[0]
                method, path, headers, make_body, what = rng.choice(KINDS)
                body = make_body(rng)
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    c.request(method, path, body=body or None, headers=headers)
                    r = c.getresponse()
                    r.read()
                    status = r.status
                except (OSError, http.client.HTTPException) as e:
                    # The server may close the connection on a body past its limit before
                    # reading it all: that is a refusal, not a failure, if it is still alive.
                    status = f"closed ({type(e).__name__})"
                    if server.poll() is not None:
                        failures.append(f"{what}: the server died")
                        return
                with lock:
                    counts[(what, status)] += 1
                    if isinstance(status, int) and status >= 500 and status not in (503, 504):
                        failures.append(f"{what}: {status}")
                    if n % 100 == 0:
                        samples.append(rss_kb(server.pid))
                    if n == warmup:
                        warm_rss[0] = rss_kb(server.pid)

        t0 = time.time()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(a.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - t0
        alive = server.poll() is None
        end_rss = rss_kb(server.pid) if alive else 0
        if alive:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/healthz")
            if c.getresponse().status != 200:
                failures.append("healthz failed after the soak")
        else:
            failures.append("the server died: " + server.stderr.read().decode(errors="replace")[-2000:])

        print(f"soak: {a.requests} requests from {a.clients} clients in {elapsed:.0f} s "
              f"({a.requests / elapsed:.0f} req/s), model {a.model}")
        by_kind = collections.defaultdict(list)
        for (what, status), n in sorted(counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
            by_kind[what].append(f"{status}×{n}")
        for what, parts in by_kind.items():
            print(f"  {what:22} {' '.join(parts)}")
        peak = max(samples + [end_rss]) if samples else end_rss
        warm = warm_rss[0] or start_rss
        growth = (end_rss - warm) / 1024
        print(f"RSS: start {start_rss / 1024:.0f} MB, after {warmup} requests {warm / 1024:.0f} MB, "
              f"peak {peak / 1024:.0f} MB, end {end_rss / 1024:.0f} MB "
              f"(growth after warm-up {growth:+.0f} MB; bound {a.max_growth_mb:.0f} MB)")
        if alive and growth > a.max_growth_mb:
            failures.append(f"RSS grew by {growth:.0f} MB after the warm-up")
        if failures:
            print("soak: FAILED:", *sorted(set(failures))[:20], sep="\n  ")
            sys.exit(1)
        print("soak: ok")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
