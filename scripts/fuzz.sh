#!/usr/bin/env bash
# Fuzz the scenario loader for a given time: runs the `fuzz` properties of
# tests/robustness (arbitrary bytes and text, mutated scenarios, --set overrides on
# scenarios/bench.toml) in a loop, each round on a fresh random seed, and prints how many
# inputs were executed and what failed.
#
#   scripts/fuzz.sh 30m          # 30 minutes (also 90s, 2h, or plain seconds)
#   FUZZ_CASES=20000 scripts/fuzz.sh 1h
#
# Environment:
#   FUZZ_CASES    cases per property per round (default 20000; 4 properties per round)
#   FUZZ_PROFILE  "test" (default: the test profile, optimised, with overflow checks, so an
#                 arithmetic overflow is caught as a panic) or "release" (adds --release)
#   FUZZ_STRICT   set to also run inputs that hit a bug already pinned in
#                 tests/robustness/regressions.rs (skipped and counted otherwise;
#                 none is open now)
#   FUZZ_STOP     set to stop at the first failing round
#
# A failing round's full output is kept in $LOG_DIR (printed at the end), with the seed that
# reproduces it: PROPTEST_RNG_SEED=<seed> FUZZ_CASES=<n> cargo test --test robustness fuzz.
# Exit status: 0 if no round failed, 1 if any did, 2 if the tests do not build.
set -uo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 DURATION   (e.g. 30m, 90s, 2h, or seconds)" >&2
    exit 2
}
[ $# -eq 1 ] || usage
case "$1" in
    *h) secs=$(( ${1%h} * 3600 )) ;;
    *m) secs=$(( ${1%m} * 60 )) ;;
    *s) secs=${1%s} ;;
    *[!0-9]*|'') usage ;;
    *) secs=$1 ;;
esac 2>/dev/null || usage
[ "${secs:-0}" -gt 0 ] 2>/dev/null || usage

cases=${FUZZ_CASES:-20000}
profile_args=()
if [ "${FUZZ_PROFILE:-test}" = release ]; then
    profile_args=(--release)
fi
target_dir=${CARGO_TARGET_DIR:-target}
log_dir="$target_dir/fuzz-logs/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$log_dir"
counts="$log_dir/counts.txt"
: > "$counts"

echo "== building tests/robustness"
if ! cargo test "${profile_args[@]}" --test robustness --no-run >"$log_dir/build.log" 2>&1; then
    tail -n 30 "$log_dir/build.log" >&2
    echo "error: tests/robustness does not build (log: $log_dir/build.log)" >&2
    exit 2
fi

echo "== fuzzing for ${secs}s, $cases cases per property per round (logs: $log_dir)"
start=$(date +%s)
deadline=$(( start + secs ))
round=0
failed_rounds=0
build_errors=0
last_duration=0
last_n=1
failures=()

while :; do
    now=$(date +%s)
    remaining=$(( deadline - now ))
    [ "$remaining" -gt 0 ] || break
    n=$cases
    # Shrink the last round so that it ends about on time (from the last round's pace).
    if [ "$last_duration" -gt 0 ] && [ $(( cases * last_duration / last_n )) -gt "$remaining" ]; then
        n=$(( last_n * remaining / last_duration ))
        [ "$n" -ge 50 ] || break
        [ "$n" -le "$cases" ] || n=$cases
    fi
    round=$(( round + 1 ))
    seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
    log="$log_dir/round-$round.log"
    t0=$(date +%s)
    PROPTEST_RNG_SEED=$seed FUZZ_CASES=$n FUZZ_COUNT_FILE=$counts \
        cargo test "${profile_args[@]}" --test robustness fuzz >"$log" 2>&1
    status=$?
    last_duration=$(( $(date +%s) - t0 ))
    last_n=$n
    if [ $status -eq 0 ]; then
        rm -f "$log"
        printf '  round %d: ok (%d cases per property, %ds)\n' "$round" "$n" "$last_duration"
        continue
    fi
    if grep -q "could not compile\|error\[E[0-9]*\]" "$log"; then
        # The sources changed under us and do not build right now: wait and retry.
        build_errors=$(( build_errors + 1 ))
        printf '  round %d: the tests do not build right now; retrying in 30s (%s)\n' "$round" "$log"
        sleep 30
        continue
    fi
    failed_rounds=$(( failed_rounds + 1 ))
    failures+=("round $round: PROPTEST_RNG_SEED=$seed FUZZ_CASES=$n -> $log")
    printf '  round %d: FAILED (seed %s, log %s)\n' "$round" "$seed" "$log"
    grep -E "^---- |Test failed|^minimal failing input" "$log" | head -n 12 | sed 's/^/      /'
    [ -z "${FUZZ_STOP:-}" ] || break
done

elapsed=$(( $(date +%s) - start ))
echo
echo "== summary"
echo "  time:        ${elapsed}s, $round rounds"
awk '
    { cases[$1] += $2; acc[$1] += $3; rej[$1] += $4; known[$1] += $5
      for (i = 6; i <= NF; i++) { split($i, kv, "="); bugs[kv[1]] += kv[2] } }
    END {
        for (p in cases) {
            printf "  %-18s %9d executions (%d accepted, %d rejected, %d known bug)\n",
                p, cases[p], acc[p], rej[p], known[p]
            total += cases[p]
        }
        printf "  %-18s %9d executions\n", "total", total
        for (b in bugs) printf "  skipped, known bug %s: %d\n", b, bugs[b]
    }' "$counts"
echo "  failures:    $failed_rounds failing rounds"
for f in "${failures[@]}"; do
    echo "    $f"
done
[ "$build_errors" -eq 0 ] || echo "  ($build_errors rounds skipped: the tests did not build at the time)"
[ "$failed_rounds" -eq 0 ]
