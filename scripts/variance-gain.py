#!/usr/bin/env python3
"""Measured variance of funding-gap's estimates under --sampling mc, lhs and rqmc.

For each scenario, method and number of trials N, runs `funding-gap run` with K different
seeds and takes the variance of each estimate over the K independent repetitions (not the
runs' own error claims, which are reported beside it for comparison). Prints a CSV row per
(scenario, method, N) and a Markdown table at the end.

    scripts/variance-gain.py --bin target/release/funding-gap --scenarios base bench \
        --powers 16 18 20 22 --reps 8 [--reps-top 4] > variance.csv

Estimates: the mean gap, P(shortfall), P(shortfall by 2028), the gap's P90.
"""
import argparse
import json
import os
import shutil
import statistics as st
import subprocess
import sys
import tempfile
import time


def run(binary, scenario, method, trials, seed, out):
    t0 = time.perf_counter()
    subprocess.run(
        [binary, "run", scenario, "--trials", str(trials), "--seed", str(seed),
         "--sampling", method, "--charts", "none", "--report", "none", "-q", "--out", out],
        check=True,
    )
    secs = time.perf_counter() - t0
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    return {
        "secs": secs,
        "gap_mean": s["gap"]["mean"],
        "gap_se": s["gap"]["std_error"],
        "p_short": s["shortfall_probability"]["estimate"],
        # P(first shortfall by the end of 2028) = P(short of cash at some point by then).
        "p_2028": s["first_shortfall"]["probability_by_year"]["2028"],
        "gap_p90": s["gap"]["quantiles"]["p90"],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/funding-gap")
    ap.add_argument("--scenarios", nargs="+", default=["base", "bench"])
    ap.add_argument("--methods", nargs="+", default=["mc", "lhs", "rqmc"])
    ap.add_argument("--powers", nargs="+", type=int, default=[16, 18, 20, 22])
    ap.add_argument("--reps", type=int, default=8)
    ap.add_argument("--reps-top", type=int, default=None, help="repetitions at the largest N")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="fg-variance-")
    keys = ["gap_mean", "p_short", "p_2028", "gap_p90"]
    print("scenario,method,trials,reps,secs_per_run," + ",".join(f"var_{k}" for k in keys) + ",mean_claimed_se_gap")
    rows = []
    try:
        for sc in a.scenarios:
            for p in a.powers:
                n = 1 << p
                k = a.reps_top if (a.reps_top and p == max(a.powers)) else a.reps
                for m in a.methods:
                    res = [run(a.bin, sc, m, n, 1000 + i, os.path.join(tmp, "o")) for i in range(k)]
                    var = {key: st.variance([r[key] for r in res]) for key in keys}
                    secs = st.median(r["secs"] for r in res)
                    claimed = st.mean(r["gap_se"] for r in res)
                    rows.append((sc, m, n, k, secs, var, claimed))
                    print(f"{sc},{m},{n},{k},{secs:.3f}," + ",".join(f"{var[x]:.6g}" for x in keys) + f",{claimed:.6g}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # Markdown: variance ratios against mc at the same N.
    print("\n| scenario | trials | method | s per run | var(mean gap) | ratio | var(P short) | ratio | var(P 2028) | ratio | var(gap P90) | ratio | sd of mean gap / claimed se |", file=sys.stderr)
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", file=sys.stderr)
    base = {(r[0], r[2]): r for r in rows if r[1] == "mc"}
    for sc, m, n, k, secs, var, claimed in rows:
        mc = base.get((sc, n))
        cells = []
        for key in keys:
            ratio = mc[5][key] / var[key] if mc and var[key] > 0 else float("nan")
            cells += [f"{var[key]:.3g}", f"{ratio:.1f}×"]
        honest = (var["gap_mean"] ** 0.5) / claimed if claimed > 0 else float("nan")
        print(f"| {sc} | 2^{n.bit_length() - 1} | {m} | {secs:.2f} | " + " | ".join(cells) + f" | {honest:.2f} |", file=sys.stderr)


if __name__ == "__main__":
    main()
