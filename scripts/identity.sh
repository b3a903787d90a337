#!/usr/bin/env bash
# Byte-identity check for changes that must not change any result (refactors, speed work).
#
#   scripts/identity.sh BINARY DIR
#
# runs every shipped scenario at a fixed seed, at 1 and 2 threads, with trials and charts,
# plus the analysis commands (explain, trace, compare, sweep, headlines) and every help text,
# into DIR, then prints one SHA-256 per file. Run it with the binary before the change and after, and
# compare the two listings:
#
#   scripts/identity.sh /tmp/fg-before /tmp/id-before > /tmp/before.sha
#   scripts/identity.sh target/release/funding-gap /tmp/id-after > /tmp/after.sha
#   diff /tmp/before.sha /tmp/after.sha && echo identical
#
# Timings are never written into outputs (and the git commit is left out of the comparison),
# so any difference is a change of result.
set -euo pipefail
# clap prints the program's file name in usage lines: run every binary as `funding-gap`.
bindir=$(mktemp -d)
trap 'rm -rf "$bindir"' EXIT
cp "$1" "$bindir/funding-gap"
bin=$bindir/funding-gap
out=$2
cd "$(dirname "$0")/.."
rm -rf "$out"
mkdir -p "$out"
trials=${IDENTITY_TRIALS:-20000}
# The command line itself: every help text, long and short, and the version.
mkdir -p "$out/help"
"$bin" --help > "$out/help/top.txt"
"$bin" -h > "$out/help/top-short.txt"
"$bin" --version > "$out/help/version.txt"
for sub in run validate explain new headlines compare sweep trace bench; do
    "$bin" "$sub" --help > "$out/help/$sub.txt"
    "$bin" "$sub" -h > "$out/help/$sub-short.txt"
done
for f in scenarios/*.toml; do
    name=$(basename "$f" .toml)
    for t in 1 2; do
        "$bin" run "$f" --trials "$trials" --seed 7 --threads "$t" --save-trials \
            --out "$out/run-$name-t$t" -q
    done
    "$bin" explain "$f" > "$out/explain-$name.txt"
    "$bin" explain "$f" --json > "$out/explain-$name.json"
    "$bin" trace "$f" --trial 17 --seed 7 > "$out/trace-$name.txt"
    "$bin" trace "$f" --trial 17 --seed 7 --json > "$out/trace-$name.json"
done
# manifest.json names the output folder, which differs only by thread count: compare it
# across thread counts without the path.
"$bin" trace base --worst 5 --trials 5000 --seed 7 > "$out/trace-worst.txt"
"$bin" compare base no-round round-as-closed --trials 5000 --seed 7 --out "$out/compare" -q
"$bin" sweep base --set ipo.probability=0:1:5 --trials 3000 --seed 7 \
    --target 'shortfall_probability<=0.95' --out "$out/sweep" -q
"$bin" headlines scenarios/base.toml scenarios/no-round.toml --trials 3000 --seed 7 \
    > "$out/headlines.md"
"$bin" validate scenarios/*.toml > "$out/validate.txt" 2>&1
for fx in tests/fixtures/*.toml; do
    "$bin" validate "$fx" >> "$out/validate-fixtures.txt" 2>&1 || echo "exit $?" >> "$out/validate-fixtures.txt"
done
cd "$out"
# The commit a binary was built from is recorded on purpose and differs between the two, and
# so does the time a run ended (manifest.json's written_at).
find . -name '*.json' -exec sed -i '/"git_commit"/d; /"written_at"/d' {} +
# report.xlsx records the commit too, inside its zip: it is made from the summary alone
# (compared above), and tests/cli/data_outputs.rs checks its cells against summary.json.
find . -name report.xlsx -delete
sed -i 's/ (commit [0-9a-f]*\(-dirty\)\?)//' help/version.txt
# report.html names the commit in its footer and its provenance.
find . -name report.html -exec sed -i 's/ (commit <code>[0-9a-f]*\(-dirty\)\?<\/code>)//g; s/, commit <code>[0-9a-f]*\(-dirty\)\?<\/code>//g' {} +
find . -type f ! -name '*.lock' | LC_ALL=C sort | xargs sha256sum
