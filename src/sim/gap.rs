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
    solve(net, t, f64::INFINITY, std::iter::empty(), &mut []).0
}

/// The least injection over all of `net` (returned) and over each prefix `net[..J]` for the
/// cash indices J in `ends` (ascending), written to `out`. A prefix that contains the step
/// where the whole horizon's answer binds has the same answer. The others start from what
/// the horizon's last evaluation saw at their end: the horizon's answer x is safe for every
/// prefix, and one Newton step down from x with the prefix's own m and slope there lands on
/// the prefix's root whenever that root lies on the same linear piece, which one pass over
/// the prefix confirms; otherwise the prefix is solved on its own, bounded above by x.
pub fn least_injections(
    net: &[f64],
    t: Terms,
    ends: impl Iterator<Item = usize> + Clone,
    out: &mut [f64],
    snaps: &mut [Snap],
) -> f64 {
    let (x, binds_at, valid) = solve(net, t, f64::INFINITY, ends.clone(), snaps);
    let mut so_far = 0.0_f64;
    for ((o, j), snap) in out.iter_mut().zip(ends).zip(snaps.iter()) {
        let here = if j >= net.len() || binds_at <= j {
            x
        } else {
            match prefix_start(t, x, valid.then_some(snap)) {
                Prefix::Answer(a) => a,
                Prefix::Solve => solve(&net[..j], t, x, std::iter::empty(), &mut []).0,
                Prefix::Try(y) => {
                    let (m, _, _) = lowest_position(&net[..j], t, y, std::iter::empty(), &mut []);
                    prefix_finish(&net[..j], t, x, snap, y, m)
                }
            }
        };
        so_far = running_max(so_far, here);
        *o = so_far;
    }
    x
}

/// The gap by a report year never falls below the gap by an earlier one. Each answer lies
/// within the tolerance above its root, so two prefixes whose roots are equal could come out
/// in the wrong order by a last digit: the running maximum keeps the gap by year
/// non-decreasing, and every value still safe (more than the least is safe).
pub(super) fn running_max(so_far: f64, here: f64) -> f64 {
    so_far.max(here)
}

/// What the horizon's passes saw at a prefix's end: the plain path's deepest point there,
/// and m and its slope over the prefix at the horizon's answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snap {
    /// The plain path's deepest cumulative flow over the prefix (m at r = 0, less the start).
    pub(super) lowest: f64,
    /// m over the prefix at the horizon's answer.
    pub(super) m: f64,
    /// dm/dx there.
    pub(super) slope: f64,
}

/// How a prefix's answer is found.
#[derive(Debug, Clone, Copy)]
pub(super) enum Prefix {
    /// Known without a pass.
    Answer(f64),
    /// One pass at this amount decides it ([`prefix_finish`]).
    Try(f64),
    /// Solved on its own.
    Solve,
}

/// The start of a prefix's solve, given the horizon's answer `most` (safe for the prefix)
/// and, when the horizon's last pass was at `most`, what it saw at the prefix's end.
pub(super) fn prefix_start(t: Terms, most: f64, snap: Option<&Snap>) -> Prefix {
    let start = (t.floor - t.cash0).max(0.0);
    let Some(snap) = snap else {
        return Prefix::Solve;
    };
    let no_interest = (t.floor - t.cash0 - snap.lowest - t.limit).max(start);
    if t.limit <= 0.0 || t.rate_dt <= 0.0 {
        return Prefix::Answer(no_interest);
    }
    if snap.m < -t.limit + tol(most) {
        // The prefix binds at the horizon's answer already.
        return Prefix::Answer(most);
    }
    let target = -t.limit + 0.25 * tol(most);
    let x = (most + (target - snap.m) / snap.slope).max(no_interest);
    if x < most {
        Prefix::Try(x)
    } else {
        Prefix::Solve
    }
}

/// A prefix's answer once m over it is known at the amount `x` that [`prefix_start`] chose:
/// at the lower bound (no interest), safe is least; elsewhere, safe by less than tol(x) is
/// least (slope ≥ 1). Otherwise the prefix is solved on its own, bounded by what is known
/// to be safe.
pub(super) fn prefix_finish(net: &[f64], t: Terms, most: f64, snap: &Snap, x: f64, m: f64) -> f64 {
    let start = (t.floor - t.cash0).max(0.0);
    let no_interest = (t.floor - t.cash0 - snap.lowest - t.limit).max(start);
    if m >= -t.limit && (x == no_interest || m < -t.limit + tol(x)) {
        return x;
    }
    let bound = if m >= -t.limit { x } else { most };
    solve(net, t, bound, std::iter::empty(), &mut []).0
}

/// Relative tolerance of an answer near `x`.
fn tol(x: f64) -> f64 {
    REL_TOL * x.abs().max(1.0)
}

/// The solve's first point, from the plain path's deepest point `lowest` (reached at cash
/// index `lowest_at`): the answer without interest, which is a lower bound.
#[derive(Debug, Clone, Copy)]
pub(super) struct First {
    /// The floor less the starting cash, if positive: needed whatever happens.
    start: f64,
    /// The deepest point less the facility, with no interest.
    plain: f64,
    /// The answer without interest: max(start, plain).
    pub(super) x0: f64,
    /// Where it binds.
    binds: usize,
    /// A safe amount: no draw at all.
    no_draw: f64,
}

impl First {
    /// The first point for terms `t` and the plain path's deepest point.
    pub(super) fn new(t: Terms, lowest: f64, lowest_at: usize) -> First {
        let start = (t.floor - t.cash0).max(0.0);
        let plain = t.floor - t.cash0 - lowest - t.limit;
        First {
            start,
            plain,
            x0: plain.max(start),
            binds: if plain > start { lowest_at } else { 0 },
            no_draw: (t.floor - t.cash0 - lowest).max(start),
        }
    }

    /// The answer when interest cannot matter (no facility, or a free one).
    pub(super) fn closed(&self, t: Terms) -> Option<(f64, usize)> {
        (t.limit <= 0.0 || t.rate_dt <= 0.0).then_some((self.x0, self.binds))
    }

    /// The answer if the pass at x0 found m(x0) = `m` (reached at `at`) clear of the limit.
    pub(super) fn clear(&self, t: Terms, m: f64, at: usize) -> Option<(f64, usize)> {
        (m >= -t.limit).then_some((self.x0, if self.plain > self.start { at } else { 0 }))
    }

    /// The bracket the Newton steps start in, below `most`.
    pub(super) fn bracket(&self, most: f64) -> (f64, f64) {
        (self.x0, self.no_draw.min(most))
    }
}

/// The next point of the safeguarded Newton iteration from `x` (where m = `mx` with slope
/// `sx`) inside the bracket (lo, hi); `None` when the bracket has closed.
pub(super) fn next_point(t: Terms, (lo, hi): (f64, f64), x: f64, mx: f64, sx: f64) -> Option<f64> {
    if hi - lo <= tol(hi) {
        return None;
    }
    // Newton on m, aimed a hair above −L: on the root's linear piece the step lands there
    // exactly (up to rounding), on the feasible side. Elsewhere it still moves toward the
    // root, and bisection keeps it inside the bracket.
    let target = -t.limit + 0.25 * tol(x);
    let newton = x + (target - mx) / sx;
    Some(if newton > lo && newton < hi {
        newton
    } else {
        0.5 * (lo + hi)
    })
}

/// Whether m(x) = `mx` lands: clear of −L by less than tol(x). m rises with slope ≥ 1
/// everywhere, so every point more than tol(x) below x then falls short: x is the answer.
pub(super) fn lands(t: Terms, x: f64, mx: f64) -> bool {
    mx >= -t.limit && mx < -t.limit + tol(x)
}

/// The least injection for `net`, no larger than `most` (a known feasible amount, or
/// infinity), the cash index where it binds: cash there sits exactly at the floor with the
/// facility fully drawn (0 when the start or nothing binds), and whether `snaps` (one per
/// prefix end in `ends`) hold what the last pass saw at the answer.
pub(super) fn solve(
    net: &[f64],
    t: Terms,
    most: f64,
    ends: impl Iterator<Item = usize> + Clone,
    snaps: &mut [Snap],
) -> (f64, usize, bool) {
    // The plain path's deepest point below its start, and where: m(x) at r = 0.
    // One lane: each step's flow as a row of one.
    let rows = |a: usize, b: usize| net[a..b].iter().map(std::array::from_ref);
    let mut sc = Scan {
        sum: [0.0],
        lowest: [f64::INFINITY],
        at: [0],
    };
    let mut k = 0;
    for (j, snap) in ends.clone().zip(snaps.iter_mut()) {
        let j = j.clamp(k, net.len());
        sc = sc.rows(rows(k, j), k);
        k = j;
        snap.lowest = sc.lowest[0];
    }
    sc = sc.rows(rows(k, net.len()), k);
    let (lowest, lowest_at) = (sc.lowest[0], sc.at[0]);
    if net.is_empty() {
        return ((t.floor - t.cash0).max(0.0), 0, false);
    }
    let first = First::new(t, lowest, lowest_at);
    if let Some((x, binds)) = first.closed(t) {
        return (x, binds, true);
    }
    let (m, slope, at) = lowest_position(net, t, first.x0, ends.clone(), snaps);
    if let Some((x, binds)) = first.clear(t, m, at) {
        return (x, binds, true);
    }
    let (mut lo, mut hi) = first.bracket(most);
    let (mut x, mut mx, mut sx) = (lo, m, slope);
    let mut hi_at = 0;
    for _ in 0..100 {
        let Some(next) = next_point(t, (lo, hi), x, mx, sx) else {
            break;
        };
        x = next;
        let at;
        (mx, sx, at) = lowest_position(net, t, x, ends.clone(), snaps);
        if lands(t, x, mx) {
            return (x, at, true);
        }
        if mx >= -t.limit {
            (hi, hi_at) = (x, at);
        } else {
            lo = x;
        }
    }
    // The bracket closed without a landing: the feasible end, and (conservatively) no
    // prefix shares it unless it binds there.
    (hi, if hi_at == 0 { net.len() + 1 } else { hi_at }, false)
}

/// m(x) = min_{j ≥ 1} p_j, its slope dm/dx, and the first j where it is reached, with x added
/// to the starting cash; and for each prefix end in `ends`, m and its slope over that prefix
/// in `snaps`.
pub(super) fn lowest_position(
    net: &[f64],
    t: Terms,
    x: f64,
    ends: impl Iterator<Item = usize>,
    snaps: &mut [Snap],
) -> (f64, f64, usize) {
    // One lane: each step's flow as a row of one.
    let rows = |a: usize, b: usize| net[a..b].iter().map(std::array::from_ref);
    let rate_dt = [t.rate_dt];
    let mut st = Pass::new(&[t], &[x]);
    let mut k = 0;
    for (j, snap) in ends.zip(snaps.iter_mut()) {
        let j = j.min(net.len()).max(k);
        st.steps(rows(k, j), k, &rate_dt);
        k = j;
        (snap.m, snap.slope) = (st.m[0], st.dm[0]);
    }
    st.steps(rows(k, net.len()), k, &rate_dt);
    (st.m[0], st.dm[0], st.at[0])
}

/// The state of a pass of the recurrence for `L` trials side by side (one for the scalar
/// solve, [`LANES`](super::lanes::LANES) for the engine's): p, the debt drawn so far
/// D = max(0, max −p_i), their slopes in x, the lowest p so far, its slope and where. One
/// definition for both, so a lane computes exactly what the scalar solve does.
#[derive(Clone, Copy)]
pub(super) struct Pass<const L: usize> {
    pub(super) p: [f64; L],
    pub(super) dp: [f64; L],
    pub(super) d: [f64; L],
    pub(super) dd: [f64; L],
    pub(super) m: [f64; L],
    pub(super) dm: [f64; L],
    pub(super) at: [usize; L],
}

impl<const L: usize> Pass<L> {
    /// A pass with `x[l]` added to lane l's starting cash.
    pub(super) fn new(t: &[Terms; L], x: &[f64; L]) -> Pass<L> {
        Pass {
            p: std::array::from_fn(|l| t[l].cash0 + x[l] - t[l].floor),
            dp: [1.0; L],
            d: [0.0; L],
            dd: [0.0; L],
            m: [f64::INFINITY; L],
            dm: [1.0; L],
            at: [0; L],
        }
    }

    /// Steps through rows `k0..k0 + net.len()`: the scalar pass's operations, lane by lane.
    #[inline(always)]
    pub(super) fn steps<'r>(
        &mut self,
        net: impl Iterator<Item = &'r [f64; L]>,
        k0: usize,
        rate_dt: &[f64; L],
    ) {
        // Locals rather than fields, so that the lanes stay in vector registers.
        let Pass {
            mut p,
            mut dp,
            mut d,
            mut dd,
            mut m,
            mut dm,
            mut at,
        } = *self;
        let rate_dt = *rate_dt;
        for (k, v) in net.enumerate() {
            let here = k0 + k + 1;
            for l in 0..L {
                let up = -p[l] > d[l];
                d[l] = if up { -p[l] } else { d[l] };
                dd[l] = if up { -dp[l] } else { dd[l] };
                p[l] += v[l] - rate_dt[l] * d[l];
                dp[l] -= rate_dt[l] * dd[l];
                let low = p[l] < m[l];
                m[l] = if low { p[l] } else { m[l] };
                dm[l] = if low { dp[l] } else { dm[l] };
                at[l] = if low { here } else { at[l] };
            }
        }
        *self = Pass {
            p,
            dp,
            d,
            dd,
            m,
            dm,
            at,
        };
    }
}

/// The plain path's running sum of `L` trials side by side, its lowest point and where (one
/// definition for the scalar solve and the lanes, like [`Pass`]).
#[derive(Clone, Copy)]
pub(super) struct Scan<const L: usize> {
    pub(super) sum: [f64; L],
    pub(super) lowest: [f64; L],
    pub(super) at: [usize; L],
}

impl<const L: usize> Scan<L> {
    /// After rows `k0..k0 + net.len()`: the scalar scan's operations, lane by lane.
    #[inline(always)]
    pub(super) fn rows<'r>(self, net: impl Iterator<Item = &'r [f64; L]>, k0: usize) -> Scan<L> {
        let Scan {
            mut sum,
            mut lowest,
            mut at,
        } = self;
        for (k, row) in net.enumerate() {
            let here = k0 + k + 1;
            for l in 0..L {
                sum[l] += row[l];
                let low = sum[l] < lowest[l];
                lowest[l] = if low { sum[l] } else { lowest[l] };
                at[l] = if low { here } else { at[l] };
            }
        }
        Scan { sum, lowest, at }
    }
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
            let mut snaps = vec![Snap::default(); ends.len()];
            let whole = least_injections(&net, t, ends.iter().copied(), &mut by_prefix, &mut snaps);
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
