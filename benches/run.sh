#!/usr/bin/env bash
# Prints the benchmark figures (criterion medians) for every bench target, or those named.
# Usage: benches/run.sh [time|compile|decide|lint|render ...]
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(time compile decide lint render)
for t in "${targets[@]}"; do
  echo "== $t"
  cargo bench --bench "$t" -- --noplot 2>/dev/null | grep -E '^[a-z].*|time:' | sed 's/^ *//'
done
