#!/usr/bin/env bash
# Load test of `charter serve` on loopback: single-case POST /v1/decide with wrk (Debian's
# package `wrk`), 64 connections, for a bounded time. Prints requests/s and the latency
# percentiles. Usage: benches/serve.sh [SECONDS] [CONNECTIONS] [-- MORE SERVE ARGUMENTS], e.g.
# `benches/serve.sh 10 64 -- --decision-log /tmp/decisions.sqlite` to measure with the log on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
shift $(($# < 2 ? $# : 2))
[ "${1:-}" = "--" ] && shift
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
cargo build --release --locked --quiet
log=$(mktemp)
./target/release/charter serve --policy policies/complaint-office --addr 127.0.0.1:0 "$@" 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do
  addr=$(grep -o 'addr=[0-9.:]*' "$log" | head -1 | cut -d= -f2 || true)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { cat "$log" >&2; exit 1; }
echo "== charter serve $* on $addr: POST /v1/decide, $connections connections, 2 wrk threads, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s benches/wrk-decide.lua \
  "http://$addr/v1/decide?now=2026-11-30T12:00:00%2B08:00" |
  grep -E 'Requests/sec|Latency  |50%|90%|99%|requests in|Non-2xx|Socket errors'
curl -s "http://$addr/metrics" 2>/dev/null | grep -E '^charter_http_requests_total|^charter_decision_log' || true
