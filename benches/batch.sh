#!/usr/bin/env bash
# End-to-end batch figures: N generated cases (default 1,000,000) decided by
# `charter decide --batch` and audited by `charter audit` (with and without --compare) on every core, against merely parsing the same file with serde_json
# (into Value, and into the typed Case), all in one run. Prints wall time, cases/s and peak
# memory (GNU time's maximum resident set size) and CPU time (user + system). The parse baseline and the batch are run
# REPEAT times (default 3), interleaved, and their medians compared, since a 2-core machine
# shared with other work varies by 10-30 % from run to run.
# The batch writes to /dev/null in the compared runs; one more run writes to a file in memory.
# Usage: [REPEAT=3] benches/batch.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cargo build --release --quiet --bin charter --example gen_cases --example parse_only
bin=target/release
"$bin/examples/gen_cases" "$n" > "$dir/cases.ndjson"
echo "cases: $n, $(du -h "$dir/cases.ndjson" | cut -f1) of NDJSON, $(nproc) cores"
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$dir/time" "$@" > /dev/null 2> "$dir/err" || true
  read -r secs kb user sys < "$dir/time"
  awk -v l="$label" -v s="$secs" -v k="$kb" -v n="$n" -v u="$user" -v y="$sys" \
    'BEGIN { printf "%-44s %7.2f s %10.0f cases/s %8.1f MB peak %7.2f s CPU\n", l, s, n / s, k / 1024, u + y }'
}
repeat=${REPEAT:-3}
: > "$dir/parse" ; : > "$dir/batch"
for _ in $(seq "$repeat"); do
  measure "parse only, serde_json::Value (1 core)" "$bin/examples/parse_only" "$dir/cases.ndjson" value
  echo "$secs" >> "$dir/parse"
  measure "charter decide --batch (all cores)" "$bin/charter" decide --policy policies/complaint-office \
    --now 2026-12-01T00:00:00+08:00 --batch "$dir/cases.ndjson"
  echo "$secs" >> "$dir/batch"
done
tail -1 "$dir/err"
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
awk -v p="$(median "$dir/parse")" -v b="$(median "$dir/batch")" -v r="$repeat" \
  'BEGIN { printf "medians of %d: parse %.2f s, batch %.2f s: batch / parse = %.2f\n", r, p, b, b / p }'
# The runs above write to /dev/null, which copies nothing; writing the decisions to a file in
# memory (/dev/shm, about 4 KB per case) shows the cost of the output itself.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  out=$(mktemp -p /dev/shm charter-batch.XXXXXX)
  /usr/bin/time -f "%e %M %U %S" -o "$dir/time" "$bin/charter" decide --policy policies/complaint-office \
    --now 2026-12-01T00:00:00+08:00 --batch "$dir/cases.ndjson" > "$out" 2> "$dir/err" || true
  read -r secs kb user sys < "$dir/time"
  awk -v s="$secs" -v k="$kb" -v n="$n" -v u="$user" -v y="$sys" -v b="$(du -h "$out" | cut -f1)" \
    'BEGIN { printf "%-44s %7.2f s %10.0f cases/s %8.1f MB peak %7.2f s CPU (%s written)\n", "charter decide --batch > file in /dev/shm", s, n / s, k / 1024, u + y, b }'
  rm -f "$out"
fi
measure "parse only, typed Case (1 core)" "$bin/examples/parse_only" "$dir/cases.ndjson" case
measure "charter audit, json report (all cores)" "$bin/charter" audit --policy policies/complaint-office \
  --as-of 2026-12-01T00:00:00+08:00 --format json "$dir/cases.ndjson"
tail -1 "$dir/err"
measure "charter audit --compare (two policies, all cores)" "$bin/charter" audit --policy policies/complaint-office \
  --compare policies/complaint-office --as-of 2026-12-01T00:00:00+08:00 --format json "$dir/cases.ndjson"
tail -1 "$dir/err"
