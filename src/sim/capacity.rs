//! Revenue that compute can serve (docs/model.md, "Capacity"). With a `[capacity]` section,
//! the segments' run-rates computed by [`super::revenue`] are the *demand*; in each step the
//! capacity-bound segments together serve at most capacity × revenue per GW-year, each scaled
//! by the same factor, and the rest is revenue left unserved. Capacity that the demand does
//! not need is idle: paid for, earning nothing. Capacity does not depend on cash (it follows
//! the contracts' schedules, see the docs), so this runs before the cash loop.

use super::Scratch;
use crate::model::{MAX_RUN_RATE, Model};

/// Per-trial totals over the horizon, at the start of the capacity's figures in
/// [`super::Outcome::years`]: name (as in trials.csv and summary.json) and definition.
pub const TOTALS: [(&str, &str); 2] = [
    (
        "unserved_revenue",
        "Revenue demanded but not served for lack of capacity, over the horizon, $B.",
    ),
    (
        "idle_gw_years",
        "Capacity online but not needed to serve the demand, over the horizon, GW-years.",
    ),
];

/// Per-year series after [`TOTALS`], one value per calendar year each.
pub const SERIES: [(&str, &str); 4] = [
    (
        "demand",
        "Revenue demanded of the capacity-bound segments in the year, $B.",
    ),
    (
        "unserved_revenue",
        "Revenue demanded but not served for lack of capacity in the year, $B.",
    ),
    (
        "capacity_gw",
        "Capacity online, the average over the year's steps, GW.",
    ),
    (
        "idle_gw",
        "Capacity online but not needed, the average over the year's steps, GW.",
    ),
];

/// Index of each series in [`SERIES`].
pub mod series {
    /// Revenue demanded.
    pub const DEMAND: usize = 0;
    /// Revenue unserved.
    pub const UNSERVED: usize = 1;
    /// Capacity online.
    pub const GW: usize = 2;
    /// Capacity idle.
    pub const IDLE: usize = 3;
}

/// How many figures the capacity adds to a trial's [`super::Outcome::years`]: none without
/// `[capacity]`.
pub fn figures(model: &Model) -> usize {
    if model.capacity.is_some() {
        TOTALS.len() + SERIES.len() * model.grid.years.len()
    } else {
        0
    }
}

/// Bounds the trial's revenue by its capacity (after the revenue path, before anything reads
/// revenue) and writes the capacity's figures. Does nothing without `[capacity]`.
pub(super) fn serve(model: &Model, s: &mut Scratch) {
    let Some(c) = &model.capacity else {
        return;
    };
    let g = &model.grid;
    let (n, dt) = (g.n, g.dt);
    let x = &s.x;
    let rpg0 = c.revenue_per_gw.get(x);
    let growth = 1.0 + c.growth.get(x);
    s.cap_gw.fill(c.existing_gw.get(x));
    for ct in &c.contracts {
        if let Some((r, p)) = ct.if_joins {
            let round = &model.rounds[r];
            if round.closes.get(x) < 0.5 || round.participants[p].joins.get(x) < 0.5 {
                continue;
            }
        }
        let gw = ct.gw.get(x) * ct.realized.get(x);
        for (v, &u) in s.cap_gw.iter_mut().zip(&ct.online) {
            *v += gw * u;
        }
    }
    let ny = g.years.len();
    let base = super::years::SERIES.len() * ny;
    let (totals, figs) = s.outcome.years[base..].split_at_mut(TOTALS.len());
    figs.fill(0.0);
    totals.fill(0.0);
    let m = model.segments.len();
    for k in 0..n {
        let per_gw = rpg0 * growth.powf(c.years_in[k]);
        let limit = (s.cap_gw[k] * per_gw).min(MAX_RUN_RATE);
        let demand: f64 = (0..m)
            .filter(|&i| c.bound[i])
            .map(|i| s.r_path[i * n + k])
            .sum();
        s.demand[k] = demand;
        s.cap_limit[k] = limit;
        let served = demand.min(limit);
        if demand > limit {
            let f = limit / demand;
            for i in (0..m).filter(|&i| c.bound[i]) {
                s.r_path[i * n + k] *= f;
            }
            s.revenue[k] = (0..m).map(|i| s.r_path[i * n + k]).sum();
        }
        // The GW the served revenue needs; the rest is idle.
        let idle = if per_gw > 0.0 {
            (s.cap_gw[k] - served / per_gw).max(0.0)
        } else {
            s.cap_gw[k]
        };
        let y = g.year_of_step[k];
        totals[0] += (demand - served) * dt;
        totals[1] += idle * dt;
        figs[series::DEMAND * ny + y] += demand * dt;
        figs[series::UNSERVED * ny + y] += (demand - served) * dt;
        figs[series::GW * ny + y] += s.cap_gw[k];
        figs[series::IDLE * ny + y] += idle;
    }
    for (y, &steps) in c.steps_in_year.iter().enumerate() {
        figs[series::GW * ny + y] /= steps;
        figs[series::IDLE * ny + y] /= steps;
    }
}
