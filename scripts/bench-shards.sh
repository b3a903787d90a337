#!/usr/bin/env bash
# Shards on paper and in practice: for a run of bench.toml split into M shards, the size of
# the part files and the time `merge` takes, against the run in one process.
#
#   scripts/bench-shards.sh [TRIALS] [M...]     (default: 1048576 trials, M = 1 10 100 1000)
#
# Every shard runs here, one after another, on all cores; the merged summary.json is checked
# byte for byte against the one-process run. Prints a Markdown table for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

trials=${1:-1048576}
shift || true
ms=("$@")
[ ${#ms[@]} -gt 0 ] || ms=(1 10 100 1000)

cargo build --release --quiet
bin=target/release/funding-gap
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

quiet=(--charts none --report none -q)
t0=$(now)
"$bin" run bench --trials "$trials" --seed 1 --out "$work/one" "${quiet[@]}"
t1=$(now)
echo "one process, $trials trials: $(secs "$t0" "$t1") s"
echo
echo "| shards M | part files, total | per part, mean | largest part | all shards, s | merge, s | merged = one run |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | --- |"
for m in "${ms[@]}"; do
    parts="$work/parts-$m"
    s0=$(now)
    for ((k = 0; k < m; k++)); do
        "$bin" run bench --trials "$trials" --seed 1 --shard "$k/$m" --out "$parts" -q
    done
    s1=$(now)
    "$bin" merge "$parts" --out "$work/merged-$m" "${quiet[@]}"
    s2=$(now)
    total=$(du -cb "$parts"/*.fgpart | tail -1 | cut -f1)
    largest=$(du -b "$parts"/*.fgpart | sort -n | tail -1 | cut -f1)
    same=no
    cmp -s "$work/one/summary.json" "$work/merged-$m/summary.json" \
        && cmp -s "$work/one/bands.csv" "$work/merged-$m/bands.csv" && same=yes
    awk -v m="$m" -v t="$total" -v l="$largest" -v a="$(secs "$s0" "$s1")" \
        -v b="$(secs "$s1" "$s2")" -v s="$same" 'BEGIN {
            printf "| %d | %.1f MB | %.2f MB | %.2f MB | %s | %s | %s |\n",
                m, t / 1e6, t / m / 1e6, l / 1e6, a, b, s }'
    rm -rf "$parts" "$work/merged-$m"
done
