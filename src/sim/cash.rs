//! One step of the cash model, stated plainly, and the scalar loop that runs a trial with it.
//!
//! In step k (covering `[t_k, t_k + dt)`), in this order (docs/model.md, "One trial"):
//!
//! 1. **Stress**: the step is stressed when cash at its start is below the floor.
//! 2. **Obligations**: due = the step's scheduled payments + payments deferred into it. In a
//!    stressed step, the flexible share of each deferrable contract's scheduled payment moves
//!    `deferral_steps` later ([`defer`]); a payment moved past the horizon leaves the
//!    accounting. A deferred payment is paid in full when it falls due (never deferred again).
//! 3. **Interest** on the debt drawn at the start of the step: `rate · drawn · dt` ([`interest`]).
//! 4. **Cash before financing**: `cash + revenue − costs − obligations + funding − interest`
//!    ([`before_financing`]).
//! 5. **Financing**: below the floor, draw on the facility up to its remaining room to bring
//!    cash back to the floor ([`draw`]).
//! 6. **Shortfall**: depth = floor − cash; the deficit is the deepest depth so far; the first
//!    step with a positive depth is the first shortfall.
//!
//! The rule functions are `#[inline(always)]` and branch-free (each branch a selection):
//! [`super::lanes`] calls them lane by lane, and the compiler vectorises across lanes.

use super::{Scratch, TraceStep, metric};
use crate::model::Model;

/// A trial's scalars for the cash loop, set before it by `prepare`.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TrialPar {
    /// Cash at the start, $B.
    pub(super) cash0: f64,
    /// The cash floor, $B.
    pub(super) floor: f64,
    /// Debt facility limit, $B.
    pub(super) limit: f64,
    /// Interest rate on drawn debt, per year.
    pub(super) rate: f64,
    /// Step of the IPO, `usize::MAX` if none inside the horizon.
    pub(super) ipo_step: usize,
    /// Cash raised at the IPO, $B (it depends on revenue only, so it is known before the
    /// cash loop and already counted in the step's funding).
    pub(super) ipo_raise: f64,
    /// Cash from rounds in the IPO's step, without the IPO (for the trace), $B.
    pub(super) rounds_at_ipo: f64,
    /// Cumulative revenue, $B (it does not depend on cash).
    pub(super) revenue_total: f64,
    /// Cumulative other costs, $B (they do not depend on cash).
    pub(super) costs_total: f64,
    /// Cash from rounds inside the horizon, $B.
    pub(super) funding_rounds: f64,
    /// New obligations created by tied spend, $B.
    pub(super) tied_new: f64,
    /// Tied spend counted toward existing contracts, $B.
    pub(super) tied_counted: f64,
}

/// Whether a deferrable contract's scheduled payment of a step is deferred, and the amount
/// that moves: in a stressed step, `flexible_share · scheduled` moves (when both are
/// positive); the rest is paid now.
#[inline(always)]
pub fn defer(stressed: bool, scheduled: f64, flexible_share: f64) -> (bool, f64) {
    let deferred = stressed & (flexible_share > 0.0) & (scheduled > 0.0);
    (deferred, flexible_share * scheduled)
}

/// Interest paid in a step on the debt drawn at its start, $B.
#[inline(always)]
pub fn interest(rate: f64, drawn: f64, dt: f64) -> f64 {
    rate * drawn * dt
}

/// Cash at the end of a step before any draw on the facility, $B.
#[inline(always)]
pub fn before_financing(
    cash: f64,
    revenue: f64,
    costs: f64,
    obligations: f64,
    funding: f64,
    interest: f64,
) -> f64 {
    cash + revenue - costs - obligations + funding - interest
}

/// Draws on the facility when cash before financing, `pre`, is below the floor: enough to
/// bring it back to the floor if the room (`limit − drawn`) allows, else all the room.
/// Returns (cash at the end of the step, debt drawn after it).
#[inline(always)]
pub fn draw(pre: f64, floor: f64, limit: f64, drawn: f64) -> (f64, f64) {
    let room = limit - drawn;
    let need = floor - pre;
    let low = pre < floor;
    let fits = need <= room;
    let covered = low & fits;
    let partial = low & !fits & (room > 0.0);
    let add = if covered { need } else { room };
    let drawn_after = if covered | partial {
        drawn + add
    } else {
        drawn
    };
    let lifted = if covered { floor } else { pre + room };
    let cash = if covered | partial { lifted } else { pre };
    (cash, drawn_after)
}

/// [`draw`] for `L` lanes side by side: each lane's numbers are exactly those of [`draw`]
/// (the same operations on the same values; only the selections are spelled out loop by
/// loop). Written as short loops of one selection each so that the compiler vectorises
/// them across lanes: the lanes' single call of `draw` was compiled to scalar code with two
/// branches per lane, whose outcome is a coin toss from trial to trial.
#[inline(always)]
pub fn draw_lanes<const L: usize>(
    pre: &[f64; L],
    floor: &[f64; L],
    limit: &[f64; L],
    drawn: &mut [f64; L],
    cash: &mut [f64; L],
) {
    let mut room = [0.0; L];
    let mut need = [0.0; L];
    let mut covered = [false; L];
    let mut drew = [false; L];
    for l in 0..L {
        room[l] = limit[l] - drawn[l];
        need[l] = floor[l] - pre[l];
        let low = pre[l] < floor[l];
        let fits = need[l] <= room[l];
        covered[l] = low & fits;
        drew[l] = covered[l] | (low & !fits & (room[l] > 0.0));
    }
    for l in 0..L {
        let add = if covered[l] { need[l] } else { room[l] };
        drawn[l] = if drew[l] { drawn[l] + add } else { drawn[l] };
    }
    for l in 0..L {
        let lifted = if covered[l] {
            floor[l]
        } else {
            pre[l] + room[l]
        };
        cash[l] = if drew[l] { lifted } else { pre[l] };
    }
}

/// Steps cash forward for the prepared trial in `s` with the rules above, one step at a
/// time, and writes its path and results into `s`; records every step into `trace` when
/// given. This is the readable statement of the cash model; [`super::lanes`] computes the
/// same numbers for eight trials at once.
pub(super) fn run(model: &Model, s: &mut Scratch, mut trace: Option<&mut Vec<TraceStep>>) {
    let g = &model.grid;
    let (n, dt) = (g.n, g.dt);
    if let Some(t) = trace.as_deref_mut() {
        t.clear();
    }
    let p = s.par;
    let mut cash = p.cash0;
    s.cash[0] = cash;
    s.deferred_into.fill(0.0);
    s.year_ocf.fill(0.0);
    s.year_interest.fill(0.0);
    let (mut drawn, mut dropped, mut oblig_total, mut interest_total) = (0.0, 0.0, 0.0, 0.0);
    let mut cash_min = cash;
    let mut deficit = (p.floor - cash).max(0.0);
    let mut first = (deficit > 0.0).then_some(0);
    let mut rp = 0;
    while rp < g.report.len() && g.report[rp].1 == 0 {
        s.outcome.report_deficits[rp] = deficit;
        rp += 1;
    }

    for k in 0..n {
        let revenue = s.revenue[k] * dt;
        let cost = s.booked[k];
        let funding = s.funding[k];
        let stressed = cash < p.floor;
        let mut oblig = s.oblig_var[k] + s.deferred_into[k];
        let mut moved_out = 0.0;
        let deferrable = model.var_obligations.iter().filter(|o| o.can_defer);
        for (o, &(factor, flexible)) in deferrable.zip(&s.flex) {
            let scheduled = factor * o.unit[k];
            let (deferred, moved) = defer(stressed, scheduled, flexible);
            if deferred {
                oblig += scheduled - moved;
                moved_out += moved;
                match s.deferred_into.get_mut(k + o.deferral_steps) {
                    Some(later) => *later += moved,
                    None => dropped += moved,
                }
            } else {
                oblig += scheduled;
            }
        }

        let drawn_before = drawn;
        let interest = interest(p.rate, drawn, dt);
        let pre = before_financing(cash, revenue, cost, oblig, funding, interest);
        (cash, drawn) = draw(pre, p.floor, p.limit, drawn);
        s.cash[k + 1] = cash;
        cash_min = cash_min.min(cash);
        let depth = p.floor - cash;
        if depth > 0.0 {
            first.get_or_insert(k + 1);
            deficit = deficit.max(depth);
        }
        oblig_total += oblig;
        interest_total += interest;
        let year = g.year_of_step[k];
        s.year_ocf[year] += revenue - cost - oblig;
        s.year_interest[year] += interest;
        s.obligations[k] = oblig / dt;
        while rp < g.report.len() && g.report[rp].1 == k + 1 {
            s.outcome.report_deficits[rp] = deficit;
            rp += 1;
        }

        if let Some(t) = trace.as_deref_mut() {
            let at_ipo = k == p.ipo_step;
            t.push(TraceStep {
                t: g.t[k],
                run_rates: (0..model.segments.len())
                    .map(|i| s.r_path[i * n + k])
                    .collect(),
                revenue,
                costs: cost,
                obligations_paid: oblig,
                deferred: moved_out,
                rounds: if at_ipo { p.rounds_at_ipo } else { funding },
                ipo: if at_ipo { p.ipo_raise } else { 0.0 },
                debt_drawn: drawn - drawn_before,
                interest,
                cash_end: cash,
            });
        }
    }

    let peak_burn = super::years::finish(model, s);
    let o = &mut s.outcome;
    o.first_shortfall = first;
    o.ipo_step = (p.ipo_step != usize::MAX).then_some(p.ipo_step);
    let totals = Totals {
        deficit,
        cash_end: cash,
        cash_min,
        obligations: oblig_total,
        dropped,
        drawn,
        interest: interest_total,
        peak_burn,
    };
    totals.write(&p, &mut o.metrics);
}

/// A trial's results from its cash loop, $B.
#[derive(Debug, Clone, Copy)]
pub(super) struct Totals {
    /// The deficit (deepest fall below the floor).
    pub(super) deficit: f64,
    pub(super) cash_end: f64,
    pub(super) cash_min: f64,
    pub(super) obligations: f64,
    pub(super) dropped: f64,
    pub(super) drawn: f64,
    pub(super) interest: f64,
    pub(super) peak_burn: f64,
}

impl Totals {
    /// Writes the trial's metrics: these totals and the cash-independent ones of `p`.
    pub(super) fn write(&self, p: &TrialPar, mm: &mut [f64; super::N_METRICS]) {
        use metric::*;
        mm[DEFICIT] = self.deficit;
        mm[CASH_END] = self.cash_end;
        mm[CASH_MIN] = self.cash_min;
        mm[REVENUE] = p.revenue_total;
        mm[COSTS] = p.costs_total;
        mm[OBLIGATIONS] = self.obligations;
        mm[DROPPED] = self.dropped;
        mm[FUNDING_ROUNDS] = p.funding_rounds;
        mm[TIED] = p.tied_new;
        mm[IPO_RAISE] = p.ipo_raise;
        mm[DEBT] = self.drawn;
        mm[INTEREST] = self.interest;
        mm[PEAK_BURN] = self.peak_burn;
        mm[TIED_COUNTED] = p.tied_counted;
        mm[NET_NEW_CASH] = p.funding_rounds - p.tied_new;
    }
}

#[cfg(test)]
mod tests {
    use super::{draw, draw_lanes};

    /// The lanes' draw gives every lane the bits of the scalar rule, in each case: above the
    /// floor, covered by the room, partly covered, no room left, over the limit, at the
    /// boundaries, and with signed zeros and infinities.
    #[test]
    fn draw_lanes_matches_draw_lane_by_lane() {
        let values = [
            -1e9,
            -7.5,
            -0.0,
            0.0,
            1e-300,
            2.5,
            5.0,
            6.0,
            11.0,
            f64::INFINITY,
        ];
        let mut cases = Vec::new();
        for &pre in &values {
            for &floor in &[0.0, 5.0, -0.0] {
                for &limit in &[0.0, 6.0, 1e12] {
                    for &drawn in &[0.0, -0.0, 3.0, 6.0, 8.0] {
                        cases.push((pre, floor, limit, drawn));
                    }
                }
            }
        }
        for chunk in cases.chunks(8) {
            let get = |f: fn(&(f64, f64, f64, f64)) -> f64| -> [f64; 8] {
                std::array::from_fn(|l| chunk.get(l).map_or(1.0, f))
            };
            let (pre, floor, limit) = (get(|c| c.0), get(|c| c.1), get(|c| c.2));
            let mut drawn = get(|c| c.3);
            let before = drawn;
            let mut cash = [0.0; 8];
            draw_lanes(&pre, &floor, &limit, &mut drawn, &mut cash);
            for l in 0..8 {
                let (c, d) = draw(pre[l], floor[l], limit[l], before[l]);
                assert_eq!(cash[l].to_bits(), c.to_bits(), "cash, lane {l}: {chunk:?}");
                assert_eq!(
                    drawn[l].to_bits(),
                    d.to_bits(),
                    "drawn, lane {l}: {chunk:?}"
                );
            }
        }
    }
}
