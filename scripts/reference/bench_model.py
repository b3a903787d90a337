#!/usr/bin/env python3
"""Independent reference implementation of the benchmark model (docs/bench-model.md).

This is a cross-check tool for the Rust engine: it implements the model described
in docs/bench-model.md directly in vectorized numpy, without sharing any code or
conventions with the engine beyond that text. Trials are processed in batches so
memory stays modest; all per-trial gaps and cash paths are kept so that quantiles
are exact (numpy default linear interpolation, Hyndman-Fan type 7).

Usage:
    python3 scripts/reference/bench_model.py --trials N --seed S --out FILE.json

Money in $B, time in years, rates per year. Internally everything is indexed by
integer step k (t_k = 2026 + k*dt) to avoid floating-point date comparisons.
"""

import argparse
import json
import math
import sys
import time

import numpy as np
from scipy.special import ndtr  # standard normal CDF

# --------------------------------------------------------------------------
# Time grid
# --------------------------------------------------------------------------
T0 = 2026.0
DT = 0.25
N_STEPS = 32                      # 8 years, quarterly
STEPS_PER_YEAR = 4


def step_of(date):
    """Step index whose start equals `date` (date on the quarterly grid)."""
    k = (date - T0) * STEPS_PER_YEAR
    assert abs(k - round(k)) < 1e-12, date
    return int(round(k))


def t_of(k):
    return T0 + k * DT


# --------------------------------------------------------------------------
# Per-trial copula inputs
# --------------------------------------------------------------------------
Z90 = 1.6448536269514722  # Phi^-1(0.95)


def lognormal_90(a, b):
    """(mu, s) of ln X for a lognormal whose 90% interval is (a, b)."""
    return (math.log(a) + math.log(b)) / 2.0, (math.log(b) - math.log(a)) / (2.0 * Z90)


# index: 0 g0_consumer, 1 g0_enterprise, 2 g0_ads, 3 ipo_multiple, 4 amazon_amount, 5 nvidia_amount
COPULA_CORR = np.eye(6)
for (i, j), r in {
    (0, 1): 0.6, (0, 2): 0.4, (1, 2): 0.4, (0, 3): 0.4, (1, 3): 0.4,
    (2, 3): 0.2, (0, 4): 0.3, (1, 4): 0.3, (3, 4): 0.3, (4, 5): 0.2,
}.items():
    COPULA_CORR[i, j] = COPULA_CORR[j, i] = r
COPULA_L = np.linalg.cholesky(COPULA_CORR)

LN_G0 = [lognormal_90(0.5, 1.5), lognormal_90(0.6, 1.8), lognormal_90(0.5, 3.0)]
LN_IPO_MULT = lognormal_90(10.0, 40.0)


def triangular_ppf(u, a, m, b):
    """Inverse CDF of triangular(min=a, mode=m, max=b)."""
    c = (m - a) / (b - a)
    lo = a + np.sqrt(u * (b - a) * (m - a))
    hi = b - np.sqrt((1.0 - u) * (b - a) * (b - m))
    return np.where(u < c, lo, hi)


# --------------------------------------------------------------------------
# Revenue
# --------------------------------------------------------------------------
R0 = np.array([12.0, 10.0, 1.0])          # consumer, enterprise, ads run-rates
SIGMA = np.array([0.25, 0.30, 0.45])
G_INF = 0.08
G_HALF_LIFE = 2.0
SEG_CORR = np.array([[1.0, 0.6, 0.4],
                     [0.6, 1.0, 0.3],
                     [0.4, 0.3, 1.0]])
SEG_L = np.linalg.cholesky(SEG_CORR)
SLUMP_RATE = 0.05                        # per year
SLUMP_FACTOR = (0.5, 0.8)

# --------------------------------------------------------------------------
# Costs
# --------------------------------------------------------------------------
OPEX0 = 15.0
OPEX_GROWTH = 1.2
REVSHARE_EARLY = 0.20                    # t_k < 2030
REVSHARE_LATE = 0.08                     # t_k >= 2030
REVSHARE_SWITCH_STEP = step_of(2030.0)   # = 16

# --------------------------------------------------------------------------
# Obligations: (name, total, start, years, is_loi)
# LOIs have realized share U(0.6,1) per trial and flexible share 0.2.
# --------------------------------------------------------------------------
OBLIGATIONS = [
    ("oracle", 300.0, 2027.0, 5, False),
    ("azure", 250.0, 2026.0, 7, False),
    ("aws", 38.0, 2026.0, 7, False),
    ("aws_expansion", 100.0, 2027.0, 8, False),   # truncated at horizon end
    ("coreweave", 22.4, 2026.0, 5, False),
    ("cerebras", 10.0, 2026.0, 3, False),
    ("nvidia_loi", 350.0, 2027.0, 6, True),
    ("amd", 90.0, 2027.0, 4, True),
    ("broadcom", 150.0, 2027.0, 5, True),
    ("stargate_other", 60.0, 2026.0, 4, False),
    ("google", 10.0, 2026.0, 5, False),
    ("misc", 20.0, 2026.0, 8, False),
]
LOI_REALIZED = (0.6, 1.0)
FLEX_SHARE = 0.2
DEFER_STEPS = 4


def active_mask(start, years):
    """Boolean per step: start <= t_k < start + years (exact on the integer grid)."""
    k0 = step_of(start)
    k1 = k0 + years * STEPS_PER_YEAR
    k = np.arange(N_STEPS)
    return (k >= k0) & (k < k1)


# Fixed (realized = 1, non-flexible) obligation payments per step, summed.
FIXED_OBLIG = np.zeros(N_STEPS)
# LOI per-step schedule with realized = 1 (scaled per trial by the realized share).
LOI_UNIT = []  # list of arrays (N_STEPS,)
for _name, total, start, years, is_loi in OBLIGATIONS:
    per_step = total / years * DT * active_mask(start, years)
    if is_loi:
        LOI_UNIT.append(per_step)
    else:
        FIXED_OBLIG += per_step
LOI_UNIT = np.array(LOI_UNIT)  # (3, N_STEPS)

# --------------------------------------------------------------------------
# Funding
# --------------------------------------------------------------------------
CASH0 = 40.0
MIN_CASH = 5.0
CLOSE_STEP = step_of(2026.25)                       # = 1
SOFTBANK_STEPS = [step_of(2026.25), step_of(2026.5), step_of(2026.75)]
P_JOIN = {"amazon": 0.9, "nvidia": 0.8, "softbank": 0.85,
          "microsoft": 0.6, "sovereign": 0.5, "others": 0.7}
AMAZON_AT_CLOSE = 0.3
AMAZON_TIED_SHARE = 0.5
AMAZON_TIED_YEARS = 5
AMAZON_TIED_MASK = active_mask(2026.25, AMAZON_TIED_YEARS)   # steps 1..20
P_IPO = 0.6
IPO_DATE = (2026.75, 2028.5)
IPO_RAISE_SHARE = 0.05
DEBT_LIMIT = 6.0
DEBT_RATE = 0.06


# --------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------
def sample_inputs(rng, n):
    """Draw all per-trial inputs (everything except the per-step revenue shocks)."""
    inp = {}
    # Gaussian copula: z = L eps, u = Phi(z)
    eps = rng.standard_normal((n, 6))
    z = eps @ COPULA_L.T
    u = ndtr(z)
    inp["z"] = z
    inp["g0"] = np.stack([np.exp(mu + s * z[:, i]) for i, (mu, s) in enumerate(LN_G0)], axis=1)
    inp["ipo_multiple"] = np.exp(LN_IPO_MULT[0] + LN_IPO_MULT[1] * z[:, 3])
    inp["amazon_amount"] = 10.0 + 40.0 * u[:, 4]
    inp["nvidia_amount"] = triangular_ppf(u[:, 5], 10.0, 20.0, 30.0)

    # Independent inputs
    inp["loi_realized"] = rng.uniform(*LOI_REALIZED, size=(n, 3))
    inp["join"] = {name: rng.random(n) < p for name, p in P_JOIN.items()}
    inp["softbank_amount"] = rng.uniform(15.0, 30.0, n)
    inp["microsoft_amount"] = rng.uniform(2.0, 10.0, n)
    inp["sovereign_amount"] = rng.uniform(5.0, 20.0, n)
    inp["others_amount"] = rng.uniform(5.0, 15.0, n)
    inp["ipo"] = rng.random(n) < P_IPO
    ipo_date = rng.uniform(*IPO_DATE, n)
    inp["ipo_step"] = np.floor((ipo_date - T0) / DT).astype(np.int64)   # 3..9
    # Demand slump: step of first arrival of a Poisson(0.05/yr) process,
    # floor(E / (rate*dt)); >= N_STEPS means never within the horizon.
    e = rng.exponential(1.0, n)
    inp["slump_step"] = np.floor(e / (SLUMP_RATE * DT)).astype(np.int64)
    inp["slump_factor"] = rng.uniform(*SLUMP_FACTOR, n)
    return inp


# --------------------------------------------------------------------------
# Simulation of one batch
# --------------------------------------------------------------------------
def simulate(inp, rng, sigma=SIGMA):
    """Run the step recursion for one batch. Returns dict of per-trial arrays.

    `rng` supplies the per-step revenue shocks (3 normals per trial per step);
    `sigma` can be set to zeros for deterministic checks.
    """
    n = inp["g0"].shape[0]
    sigma = np.asarray(sigma, dtype=float)
    j = inp["join"]

    # ---- funding schedule per step (n, N_STEPS), known up front -------------
    amazon = np.where(j["amazon"], inp["amazon_amount"], 0.0)
    funding = np.zeros((n, N_STEPS))
    funding[:, CLOSE_STEP] += AMAZON_AT_CLOSE * amazon
    funding[:, CLOSE_STEP] += np.where(j["nvidia"], inp["nvidia_amount"], 0.0)
    funding[:, CLOSE_STEP] += np.where(j["microsoft"], inp["microsoft_amount"], 0.0)
    funding[:, CLOSE_STEP] += np.where(j["sovereign"], inp["sovereign_amount"], 0.0)
    funding[:, CLOSE_STEP] += np.where(j["others"], inp["others_amount"], 0.0)
    softbank = np.where(j["softbank"], inp["softbank_amount"], 0.0)
    for k in SOFTBANK_STEPS:
        funding[:, k] += softbank / 3.0
    # Amazon's remaining 70% arrives in the IPO step (IPO date always < 2029.0).
    ipo = inp["ipo"]
    ipo_step = inp["ipo_step"]
    rows = np.nonzero(ipo)[0]
    funding[rows, ipo_step[rows]] += (1.0 - AMAZON_AT_CLOSE) * amazon[rows]
    # (The IPO raise itself depends on run-rates and is added inside the loop.)

    # ---- obligations schedule -------------------------------------------------
    # Non-flexible part: fixed contracts + Amazon's tied spend.
    tied_per_step = AMAZON_TIED_SHARE * amazon / AMAZON_TIED_YEARS * DT   # (n,)
    fixed_oblig = FIXED_OBLIG[None, :] + tied_per_step[:, None] * AMAZON_TIED_MASK[None, :]
    # Scheduled LOI payment per step (sum of the three LOIs), (n, N_STEPS).
    loi_sched = inp["loi_realized"] @ LOI_UNIT
    # Amounts deferred into each step (paid in full there, never re-deferred).
    deferred_in = np.zeros((n, N_STEPS))

    # ---- state ----------------------------------------------------------------
    lnR = np.tile(np.log(R0), (n, 1))
    cash = np.full(n, CASH0)
    drawn = np.zeros(n)
    cash_path = np.empty((n, N_STEPS + 1))
    cash_path[:, 0] = cash
    g0_minus_ginf = inp["g0"] - G_INF                           # (n, 3)
    drift_vol = sigma ** 2 * DT / 2.0
    vol = sigma * math.sqrt(DT)
    # Per-trial flow totals (for the cash identity check and diagnostics).
    tot = {name: np.zeros(n) for name in
           ("revenue", "opex", "revshare", "obligations", "funding", "interest",
            "draw", "deferred", "ipo_raise")}

    for k in range(N_STEPS):
        t = t_of(k)
        R = np.exp(lnR)                                       # run-rates at start of step
        revenue = R.sum(axis=1) * DT
        opex = OPEX0 * OPEX_GROWTH ** (t - T0) * DT
        revshare = (REVSHARE_EARLY if k < REVSHARE_SWITCH_STEP else REVSHARE_LATE) * revenue

        # Flexible deferral: decided on cash at the start of the step.
        below = cash < MIN_CASH
        defer = np.where(below, FLEX_SHARE * loi_sched[:, k], 0.0)
        if k + DEFER_STEPS < N_STEPS:
            deferred_in[:, k + DEFER_STEPS] += defer
        # else: deferred beyond the horizon -> dropped
        tot["deferred"] += defer
        obligations = fixed_oblig[:, k] + loi_sched[:, k] - defer + deferred_in[:, k]

        # IPO raise in the IPO step: 5% of multiple * sum of run-rates at step start.
        fund = funding[:, k].copy()
        at_ipo = ipo & (ipo_step == k)
        ipo_raise = np.where(at_ipo, IPO_RAISE_SHARE * inp["ipo_multiple"] * R.sum(axis=1), 0.0)
        fund += ipo_raise
        tot["ipo_raise"] += ipo_raise

        # Interest on the amount drawn before this step.
        interest = DEBT_RATE * drawn * DT

        pre = cash + revenue - opex - revshare - obligations + fund - interest
        need = MIN_CASH - pre
        room = DEBT_LIMIT - drawn
        short = pre < MIN_CASH
        draw = np.where(short, np.minimum(need, room), 0.0)
        covered = short & (need <= room)
        cash = np.where(covered, MIN_CASH, pre + draw)
        drawn = drawn + draw
        cash_path[:, k + 1] = cash
        for name, v in (("revenue", revenue), ("opex", opex), ("revshare", revshare),
                        ("obligations", obligations), ("funding", fund),
                        ("interest", interest), ("draw", draw)):
            tot[name] += v

        # Revenue update to R_{k+1}.
        g = G_INF + g0_minus_ginf * 2.0 ** (-(t - T0) / G_HALF_LIFE)
        shocks = rng.standard_normal((n, 3)) @ SEG_L.T
        lnR = lnR + np.log1p(g) * DT - drift_vol + vol * shocks
        # Demand slump happening in step k multiplies R_{k+1} (and all later).
        hit = inp["slump_step"] == k
        lnR = lnR + np.where(hit, np.log(inp["slump_factor"]), 0.0)[:, None]

    depth = np.maximum(0.0, MIN_CASH - cash_path[:, 1:])      # depth at step k+1, k=0..31
    return {
        "cash_path": cash_path,
        "depth": depth,
        "drawn": drawn,
        "amazon_tied_total": AMAZON_TIED_SHARE * amazon,
        "totals": tot,
    }


# --------------------------------------------------------------------------
# Run-level statistics
# --------------------------------------------------------------------------
QUANTILES = {"p5": 0.05, "p10": 0.10, "p25": 0.25, "p50": 0.50,
             "p75": 0.75, "p90": 0.90, "p95": 0.95, "p99": 0.99}
GAP_2030_LAST_K = step_of(2031.0) - 1   # steps k = 0..19 (t_{k+1} <= 2031.0)


def summarize(x):
    out = {"mean": float(np.mean(x))}
    for name, q in QUANTILES.items():
        out[name] = float(np.quantile(x, q))   # numpy default: linear (type 7)
    return out


def run(trials, seed, batch):
    rng = np.random.default_rng(seed)
    gap = np.empty(trials)
    gap_2030 = np.empty(trials)
    first_k = np.empty(trials, dtype=np.int64)   # first step k with depth>0 at k+1; N_STEPS if none
    cash_paths = np.empty((trials, N_STEPS + 1))
    ipo_count = 0
    tied_sum = 0.0
    done = 0
    while done < trials:
        n = min(batch, trials - done)
        inp = sample_inputs(rng, n)
        res = simulate(inp, rng)
        d = res["depth"]
        sl = slice(done, done + n)
        gap[sl] = d.max(axis=1)
        gap_2030[sl] = d[:, :GAP_2030_LAST_K + 1].max(axis=1)
        pos = d > 0
        first_k[sl] = np.where(pos.any(axis=1), pos.argmax(axis=1), N_STEPS)
        cash_paths[sl] = res["cash_path"]
        ipo_count += int(inp["ipo"].sum())
        tied_sum += float(res["amazon_tied_total"].sum())
        done += n

    first_by_year = {}
    for year in range(2026, 2034):
        # t_{k+1} <= year + 1  <=>  k + 1 <= step_of(year + 1)
        kmax = step_of(year + 1.0) - 1
        first_by_year[str(year)] = float(np.mean(first_k <= kmax))

    bands = {}
    for name, q in [("p5", 0.05), ("p25", 0.25), ("p50", 0.50), ("p75", 0.75), ("p95", 0.95)]:
        bands[name] = [float(v) for v in np.quantile(cash_paths, q, axis=0)]

    return {
        "trials": trials,
        "seed": seed,
        "shortfall_probability": float(np.mean(gap > 0)),
        "gap": summarize(gap),
        "shortfall_probability_2030": float(np.mean(gap_2030 > 0)),
        "gap_2030": summarize(gap_2030),
        "first_shortfall_by_year": first_by_year,
        "cash_bands": bands,
        "cash_end_mean": float(cash_paths[:, -1].mean()),
        "ipo_share": ipo_count / trials,
        "amazon_tied_mean": tied_sum / trials,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--batch", type=int, default=250_000, help="trials per batch")
    args = ap.parse_args(argv)

    t0 = time.time()
    out = run(args.trials, args.seed, args.batch)
    elapsed = time.time() - t0
    cmd = f"python3 scripts/reference/bench_model.py --trials {args.trials} --seed {args.seed} --out {args.out}"
    if args.batch != 250_000:
        cmd += f" --batch {args.batch}"
    out["generated_by"] = cmd
    out["numpy_version"] = np.__version__
    out["elapsed_seconds"] = round(elapsed, 1)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out} ({args.trials} trials, {elapsed:.1f}s): "
          f"P(shortfall)={out['shortfall_probability']:.4f} "
          f"gap p50={out['gap']['p50']:.3f} p90={out['gap']['p90']:.3f} "
          f"p95={out['gap']['p95']:.3f} mean={out['gap']['mean']:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
