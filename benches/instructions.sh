#!/usr/bin/env bash
# Instructions per case, counted by callgrind: deterministic where wall time on a shared 2-core
# machine varies by 10-30 %, so it shows a change of 1 % that timings cannot. Runs
# examples/decide_loop.rs (the in-process benchmark's 1,000 generated cases) for 2 and for 6
# rounds and divides the difference by 4,000 cases, which leaves out loading the policy and
# generating the cases. Needs valgrind (Debian: `apt-get install valgrind`).
# Usage: benches/instructions.sh [decide|into|reasons|route|json|parse ...]   (default: all six)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(decide into reasons route json parse)
cargo build --release --quiet --example decide_loop
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
count() {
  valgrind --tool=callgrind --callgrind-out-file="$dir/out" \
    target/release/examples/decide_loop "$1" "$2" > /dev/null 2> "$dir/log"
  grep -E '^==[0-9]+== Collected' "$dir/log" | awk '{ gsub(",", "", $4); print $4 }'
}
for mode in "${modes[@]}"; do
  two=$(count "$mode" 2)
  six=$(count "$mode" 6)
  awk -v m="$mode" -v a="$two" -v b="$six" \
    'BEGIN { printf "%-7s %8.0f instructions per case\n", m, (b - a) / 4000 }'
done
