#!/usr/bin/env bash
# Load benchmark for `unspin serve` (a measurement, not a test): N requests from C concurrent
# clients on loopback, each analysing one typical article (examples/article1001.txt, ~2.7 KB,
# with the fact-checking aids). Prints ApacheBench's throughput and latency percentiles, the
# error count, and the server's peak RSS.
#
#   scripts/load-bench.sh [REQUESTS=10000] [CONCURRENCY=8]
#
# Installs ApacheBench (Debian package apache2-utils) when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
requests=${1:-10000}
concurrency=${2:-8}

if ! command -v ab >/dev/null; then
    echo "installing apache2-utils (ApacheBench)..." >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get install -y apache2-utils >/dev/null 2>&1 ||
        { $sudo_cmd apt-get update >/dev/null && $sudo_cmd apt-get install -y apache2-utils >/dev/null; }
fi

cargo build --release --quiet
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
python3 -c 'import json,sys; print(json.dumps({"text": open(sys.argv[1], encoding="utf-8").read()}))' \
    examples/article1001.txt >"$work/body.json"

port=$((20000 + RANDOM % 20000))
./target/release/unspin serve --model classical --addr "127.0.0.1:$port" 2>"$work/server.log" &
server=$!
for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
done

# Warm-up, then the measured run.
ab -q -n 200 -c "$concurrency" -p "$work/body.json" -T application/json \
    "http://127.0.0.1:$port/v1/analyze" >/dev/null
ab -n "$requests" -c "$concurrency" -p "$work/body.json" -T application/json \
    "http://127.0.0.1:$port/v1/analyze" >"$work/ab.txt"

grep -E '^(Complete requests|Failed requests|Non-2xx responses|Requests per second|Time per request)' "$work/ab.txt" || true
grep -A12 'Percentage of the requests' "$work/ab.txt" | grep -E '^\s+(50|90|99|100)%' || true
echo "server peak RSS: $(grep VmHWM /proc/$server/status | awk '{print $2, $3}')"
