//! The funding gap of a trial: the least extra cash, added at the start, with which the trial
//! run again under all of the scenario's rules never has cash below the floor (and neither
//! has it with any larger amount). Computed exactly, not by re-running the trial in a search.
//!
//! Why this is exact (docs/model.md, "The gap"):
//!
//! 1. **Deferral drops out.** A flexible payment is deferred only in a step that starts with
//!    cash below the floor, which is already a shortfall. So a path with no shortfall never
//!    defers, and a path with x added has no shortfall exactly when the same path with
//!    deferral switched off has none. The gap is computed on the trial's flows with every
//!    payment made when scheduled.
//! 2. **The facility is a reflection.** With deferral off, let p_k = cash_k − floor − D_k,
//!    where D_k is the debt drawn at t_k. While there is no shortfall, every step draws just
//!    enough to return to the floor, so `D_k = max(0, max_{i ≤ k} −p_i)` and
//!    `p_{k+1} = p_k + net_k − r·dt·D_k`, p_0 = cash_0 + x − floor, where net_k is the step's
//!    revenue − costs − scheduled obligations + funding. The path has no shortfall if and only
//!    if p_0 ≥ 0 and every draw fits the limit L: min_{j ≥ 1} p_j ≥ −L.
//! 3. **One root of a monotone piecewise-linear function.** Each p_j(x) is continuous and
//!    piecewise linear in x with slope ≥ 1 (more cash, less debt, less interest), so
//!    m(x) = min_j p_j(x) is too, and the gap is max(0, cash_0 shortfall, the root of
//!    m(x) = −L). Without interest (r = 0) or without a facility the root is closed-form
//!    (the plain path's deepest point less L). Otherwise Newton steps on m with its exact
//!    slope, aimed a hair (1e-12 relative) above −L and safeguarded by bisection, land on the
//!    root's linear piece in a few iterations; the answer is a point that does not fall
//!    short while every point more than 1e-12 relative below it does (slope ≥ 1 ensures
//!    it).

/// A trial's cash terms for the gap, $B: cash at the start, the floor, the facility's limit
/// and its interest per step (rate × dt).
#[derive(Debug, Clone, Copy)]
pub struct Terms {
    /// Cash at the start.
    pub cash0: f64,
    /// The cash floor.
    pub floor: f64,
    /// Debt facility limit (0 without one).
    pub limit: f64,
    /// Interest per step on drawn debt: annual rate × dt.
    pub rate_dt: f64,
}

/// Relative width of the final bracket around the root.
const REL_TOL: f64 = 1e-12;

/// The least injection that keeps cash at or above the floor at t_0 … t_J, where `net` holds
/// the net flows of steps 0 … J−1 with every payment made when scheduled, $B.
pub fn least_injection(net: &[f64], t: Terms) -> f64 {
    solve(net, t, f64::INFINITY).0
}

/// The least injection over all of `net` (returned) and over each prefix `net[..J]` for the
/// cash indices J in `ends`, written to `out`. A prefix that contains the step where the
/// whole horizon's answer binds has the same answer; only the others are solved, each
/// bounded above by the horizon's.
pub fn least_injections(
    net: &[f64],
    t: Terms,
    ends: impl Iterator<Item = usize>,
    out: &mut [f64],
) -> f64 {
    let (x, binds_at) = solve(net, t, f64::INFINITY);
    // Each answer lies within the tolerance above its root, so two prefixes whose roots are
    // equal could come out in the wrong order by a last digit: the running maximum keeps the
    // gap by year non-decreasing, and every value still safe (more than the least is safe).
    let mut so_far = 0.0_f64;
    for (o, j) in out.iter_mut().zip(ends) {
        let here = if j >= net.len() || binds_at <= j {
            x
        } else {
            solve(&net[..j], t, x).0
        };
        so_far = so_far.max(here);
        *o = so_far;
    }
    x
}

/// The least injection for `net`, no larger than `most` (a known feasible amount, or
/// infinity), and the cash index where it binds: cash there sits exactly at the floor
/// with the facility fully drawn (0 when the start or nothing binds).
fn solve(net: &[f64], t: Terms, most: f64) -> (f64, usize) {
    let start = (t.floor - t.cash0).max(0.0);
    // The plain path's deepest point below its start, and where: m(x) at r = 0.
    let mut s = 0.0_f64;
    let (mut lowest, mut lowest_at) = (f64::INFINITY, 0);
    for (k, &v) in net.iter().enumerate() {
        s += v;
        if s < lowest {
            (lowest, lowest_at) = (s, k + 1);
        }
    }
    if net.is_empty() {
        return (start, 0);
    }
    // p_j = (cash0 + x − floor) + S_j ≥ −L for every j ≥ 1, with no interest.
    let plain = t.floor - t.cash0 - lowest - t.limit;
    let no_interest = plain.max(start);
    let binds = if plain > start { lowest_at } else { 0 };
    if t.limit <= 0.0 || t.rate_dt <= 0.0 {
        return (no_interest, binds);
    }
    let (m, slope, at) = lowest_position(net, t, no_interest);
    if m >= -t.limit {
        return (no_interest, if plain > start { at } else { 0 });
    }
    // A feasible point: no draw at all (or the caller's bound).
    let mut hi = (t.floor - t.cash0 - lowest).max(start).min(most);
    let mut lo = no_interest;
    let tol = |x: f64| REL_TOL * x.abs().max(1.0);
    let (mut x, mut mx, mut sx) = (lo, m, slope);
    let mut hi_at = 0;
    for _ in 0..100 {
        if hi - lo <= tol(hi) {
            break;
        }
        // Newton on m, aimed a hair above −L: on the root's linear piece the step lands
        // there exactly (up to rounding), on the feasible side. Elsewhere it still moves
        // toward the root, and bisection keeps it inside the bracket.
        let target = -t.limit + 0.25 * tol(x);
        let newton = x + (target - mx) / sx;
        x = if newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        let at;
        (mx, sx, at) = lowest_position(net, t, x);
        if mx >= -t.limit {
            // m rises with slope ≥ 1 everywhere, so if x clears −L by less than tol(x),
            // every point more than tol(x) below x falls short: x is the answer.
            if mx < -t.limit + tol(x) {
                return (x, at);
            }
            (hi, hi_at) = (x, at);
        } else {
            lo = x;
        }
    }
    // The bracket closed without a landing: the feasible end, and (conservatively) no
    // prefix shares it unless it binds there.
    (hi, if hi_at == 0 { net.len() + 1 } else { hi_at })
}

/// m(x) = min_{j ≥ 1} p_j, its slope dm/dx, and the first j where it is reached, with x added
/// to the starting cash.
fn lowest_position(net: &[f64], t: Terms, x: f64) -> (f64, f64, usize) {
    let (mut p, mut dp) = (t.cash0 + x - t.floor, 1.0);
    // The debt drawn so far, D = max(0, max −p_i), and its slope.
    let (mut d, mut dd) = (0.0_f64, 0.0_f64);
    let (mut m, mut dm, mut at) = (f64::INFINITY, 1.0, 0);
    for (k, &v) in net.iter().enumerate() {
        // Selections rather than branches: which step sets the debt, and which the minimum,
        // changes from trial to trial.
        let up = -p > d;
        d = if up { -p } else { d };
        dd = if up { -dp } else { dd };
        p += v - t.rate_dt * d;
        dp -= t.rate_dt * dd;
        let low = p < m;
        m = if low { p } else { m };
        dm = if low { dp } else { dm };
        at = if low { k + 1 } else { at };
    }
    (m, dm, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Steps cash forward as the model does with deferral off (draw to the floor, interest on
    /// the debt at the start of the step) and says whether it ever falls below the floor.
    fn short(net: &[f64], t: Terms, x: f64) -> bool {
        let (mut cash, mut drawn) = (t.cash0 + x, 0.0);
        if cash < t.floor {
            return true;
        }
        for &v in net {
            let pre = cash + v - t.rate_dt * drawn;
            let need = t.floor - pre;
            if need > 0.0 {
                if need > t.limit - drawn {
                    return true;
                }
                drawn += need;
                cash = t.floor;
            } else {
                cash = pre;
            }
        }
        false
    }

    fn terms(cash0: f64, limit: f64, rate_dt: f64) -> Terms {
        Terms {
            cash0,
            floor: 5.0,
            limit,
            rate_dt,
        }
    }

    #[test]
    fn known_answers() {
        // No facility: the plain path's deepest point. Cash 10, floor 5, flows −3, −4, +2, −6:
        // cumulative −3, −7, −5, −11, so 5 − 10 + 11 = 6.
        let net = [-3.0, -4.0, 2.0, -6.0];
        assert_eq!(least_injection(&net, terms(10.0, 0.0, 0.0)), 6.0);
        // A facility without interest covers L of it.
        assert_eq!(least_injection(&net, terms(10.0, 4.0, 0.0)), 2.0);
        assert_eq!(least_injection(&net, terms(10.0, 20.0, 0.0)), 0.0);
        // Starting below the floor always needs the difference, whatever the facility.
        assert_eq!(least_injection(&net, terms(3.0, 100.0, 0.0)), 2.0);
        assert_eq!(least_injection(&[], terms(3.0, 0.0, 0.0)), 2.0);
        // With interest 10 % a step and limit 4: with x < 2, p = 5 + x, 2 + x, −2 + x (draw
        // 2 − x), 1.1·x − 0.2, then 1.2·x − 6.4 < −4: too little. At x = 2 the path draws
        // nothing until the last step, which draws exactly 4.
        let x = least_injection(&net, terms(10.0, 4.0, 0.1));
        assert!((x - 2.0).abs() < 1e-12, "{x}");
    }

    #[test]
    fn the_answer_is_the_least_safe_amount() {
        // Pseudo-random flows and terms; the answer works, a hair less does not, and more
        // always works.
        let mut state = 12345_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..2000 {
            let n = 1 + (next() * 40.0) as usize;
            let net: Vec<f64> = (0..n).map(|_| (next() - 0.6) * 20.0).collect();
            let t = Terms {
                cash0: next() * 30.0,
                floor: next() * 10.0,
                limit: if next() < 0.3 { 0.0 } else { next() * 80.0 },
                rate_dt: if next() < 0.2 { 0.0 } else { next() * 0.05 },
            };
            let x = least_injection(&net, t);
            // Each prefix's answer, from the shortcut, is the one solved alone.
            let ends: Vec<usize> = (0..=n).step_by(3).collect();
            let mut by_prefix = vec![0.0; ends.len()];
            let whole = least_injections(&net, t, ends.iter().copied(), &mut by_prefix);
            assert_eq!(whole, x);
            for (&j, &got) in ends.iter().zip(&by_prefix) {
                let alone = least_injection(&net[..j], t);
                assert!(
                    (got - alone).abs() <= 1e-11 * alone.max(1.0),
                    "prefix {j}: {got} vs {alone}"
                );
                assert!(!short(&net[..j], t, got + 1e-9 * got.max(1.0)));
            }
            let eps = 1e-9 * x.max(1.0);
            assert!(!short(&net, t, x + eps), "{net:?} {t:?} {x}");
            for k in [2.0, 10.0, 1e3] {
                assert!(!short(&net, t, x + k * eps + k), "{net:?} {t:?} {x}");
            }
            if x > 0.0 {
                assert!(short(&net, t, x - eps), "{net:?} {t:?} {x}");
            }
        }
    }
}
