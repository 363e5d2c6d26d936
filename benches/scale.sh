#!/usr/bin/env bash
# Big policies stay linear: a policy with N categories (default 100,000) and one with M route
# rules (default 10,000), generated, then `check`, `lint` and `doc procedure` on each, with
# wall time and peak memory (GNU time's maximum resident set size). Run it twice with
# doubled sizes to see time and memory grow in proportion.
# Usage: [CHARTER_BIN=path] benches/scale.sh [N] [M]   (CHARTER_BIN: an already built binary)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
m=${2:-10000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
[ -n "${CHARTER_BIN:-}" ] || cargo build --release --quiet --bin charter
bin=${CHARTER_BIN:-target/release/charter}
head='policy big "Big" { version "1" timezone "Asia/Shanghai" }
channel phone
attribute amount { type number }
role officer "Officer" {}'
{
  echo "$head"
  seq 0 $((n - 1)) | awk '{ printf "category c%d \"Category %d\"\n", $1, $1 }'
  printf 'route {\n  otherwise -> officer\n}\n'
} > "$dir/categories.charter"
{
  echo "$head"
  seq 0 999 | awk '{ printf "category c%d \"Category %d\"\n", $1, $1 }'
  echo "route {"
  seq 0 $((m - 1)) | awk '{ printf "  when category = c%d and amount > %d -> officer\n", $1 % 1000, $1 }'
  printf '  otherwise -> officer\n}\n'
} > "$dir/rules.charter"
for policy in categories rules; do
  size=$(du -h "$dir/$policy.charter" | cut -f1)
  for verb in check lint "doc procedure"; do
    args=(--today 2026-06-01 "$dir/$policy.charter")
    [ "$verb" = "doc procedure" ] && args=(--policy "$dir/$policy.charter" --format html)
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %M" -o "$dir/time" "$bin" $verb "${args[@]}" > /dev/null 2> "$dir/err" ||
      { cat "$dir/err" >&2; exit 1; }
    read -r secs kb < "$dir/time"
    awk -v p="$policy ($size)" -v v="$verb" -v s="$secs" -v k="$kb" \
      'BEGIN { printf "%-22s %-14s %6.2f s %8.1f MB peak\n", p, v, s, k / 1024 }'
  done
done
