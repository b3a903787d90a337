//! The part of a trial that does not depend on cash, computed before the cash loop: inputs,
//! funding from rounds and the IPO, obligations due, the revenue path and the other costs.

use super::cash::TrialPar;
use super::sample::{median_inputs, sample_inputs};
use super::{Draws, Scratch};
use crate::model::{MAX_RUN_RATE, Model, ShareSrc, VarCost};

/// Everything of a trial that does not depend on cash: its inputs, funding schedule,
/// obligations due, revenue path and other costs, per step; and its scalars for the cash
/// loop.
pub(super) fn prepare(model: &Model, seed: u64, trial: u64, s: &mut Scratch, draws: Draws) {
    let random = draws == Draws::Random;
    if random {
        sample_inputs(model, seed, trial, s);
    } else {
        median_inputs(model, s);
    }
    let g = &model.grid;
    let x = &s.x;
    let ipo_step = model.ipo.as_ref().and_then(|ipo| {
        (ipo.happens.get(x) > 0.5)
            .then(|| g.step_of(ipo.date.get(x)))
            .flatten()
    });
    let ipo_date = model
        .ipo
        .as_ref()
        .map_or(f64::INFINITY, |ipo| ipo.date.get(x));
    s.funding.fill(0.0);
    s.oblig_var.fill(0.0);
    // Revenue first: a tranche can wait for a revenue level. Revenue never depends on the
    // rounds or the obligations, so the order changes no number.
    super::revenue::set_up(model, seed, trial, s, random);
    super::revenue::revenue_path(model, s, random);
    super::capacity::serve(model, s);
    let rounds = rounds(model, s, ipo_step, ipo_date);
    obligations_due(model, s);
    other_costs(model, s);
    let (ipo_raise, rounds_at_ipo) = ipo(model, s, ipo_step);

    let x = &s.x;
    let dt = g.dt;
    let (mut revenue_total, mut costs_total) = (0.0, 0.0);
    for (&r, &c) in s.revenue.iter().zip(&s.booked) {
        revenue_total += r * dt;
        costs_total += c;
    }
    let (limit, rate) = model
        .debt
        .as_ref()
        .map_or((0.0, 0.0), |d| (d.limit.get(x), d.rate.get(x)));
    s.par = TrialPar {
        cash0: model.initial_cash.get(x),
        floor: model.min_cash.get(x),
        limit,
        rate,
        ipo_step: ipo_step.unwrap_or(usize::MAX),
        ipo_raise,
        rounds_at_ipo,
        revenue_total,
        costs_total,
        funding_rounds: rounds.funding,
        tied_new: rounds.tied_new,
        tied_counted: rounds.tied_counted,
    };
}

/// What the rounds bring a trial, $B.
struct RoundTotals {
    /// Cash received inside the horizon.
    funding: f64,
    /// New obligations created by tied spend.
    tied_new: f64,
    /// Tied spend that counts toward existing contracts.
    tied_counted: f64,
}

/// Adds each round's tranches to `s.funding` at their steps, and the new obligations their
/// tied spend creates to `s.oblig_var`. A tranche on the IPO arrives in the IPO's step if
/// the IPO comes before its lapse date; a conditional one by [`crate::model::TrancheModel::arrival`] (on
/// the trial's revenue path, which is computed before).
fn rounds(model: &Model, s: &mut Scratch, ipo_step: Option<usize>, ipo_date: f64) -> RoundTotals {
    let x = &s.x;
    let mut funding_rounds = 0.0;
    let mut tied_new = 0.0;
    let mut tied_counted = 0.0;
    for round in &model.rounds {
        if round.closes.get(x) < 0.5 {
            continue;
        }
        for p in &round.participants {
            if p.joins.get(x) < 0.5 {
                continue;
            }
            let amount = p.amount.get(x);
            let mut received = 0.0;
            for t in &p.tranches {
                let share = t.share();
                if let Some(k) = t.arrival(x, ipo_step, ipo_date, &s.revenue) {
                    s.funding[k] += share * amount;
                    funding_rounds += share * amount;
                    received += share * amount;
                }
            }
            match &p.tied {
                Some((share, Some(unit))) => {
                    let tied = share * amount;
                    tied_new += tied;
                    for (o, u) in s.oblig_var.iter_mut().zip(unit) {
                        *o += tied * u;
                    }
                }
                // Spend toward an existing contract is counted on the money actually
                // received: a tranche that lapses brings nothing to spend.
                Some((share, None)) => tied_counted += share * received,
                None => {}
            }
        }
    }
    RoundTotals {
        funding: funding_rounds,
        tied_new,
        tied_counted,
    }
}

/// The obligations due in each step before any deferral (`s.oblig_var`: the fixed schedule
/// plus the trial's own uncertain amounts), and each deferrable contract's amount factor and
/// flexible share (`s.flex`), whose payments the cash loop schedules. A contract `if_joins` a
/// participant who does not join (or whose round does not close) has a factor of 0.
fn obligations_due(model: &Model, s: &mut Scratch) {
    let x = &s.x;
    let mut flex = s.flex.iter_mut();
    for o in &model.var_obligations {
        let mut factor = o.total.get(x) * o.realized.get(x);
        if let Some((r, p)) = o.if_joins {
            // A contract that exists only if a participant joins a round that closes.
            let round = &model.rounds[r];
            if round.closes.get(x) < 0.5 || round.participants[p].joins.get(x) < 0.5 {
                factor = 0.0;
            }
        }
        if o.can_defer {
            if let Some(f) = flex.next() {
                *f = (factor, o.flexible.get(x));
            }
        } else {
            for (b, u) in s.oblig_var.iter_mut().zip(&o.unit) {
                *b += factor * u;
            }
        }
    }
    // Due before deferral: the fixed schedule plus the trial's own.
    for (b, &f) in s.oblig_var.iter_mut().zip(&model.fixed_obligations) {
        *b += f;
    }
}

/// Other costs booked in each step (`s.booked`, $B; `s.costs`, $B/yr): the fixed lines, then
/// each uncertain line, then each revenue share, in that order (the order of the sums does
/// not change with the layout).
fn other_costs(model: &Model, s: &mut Scratch) {
    let g = &model.grid;
    let (n, dt) = (g.n, g.dt);
    let m = model.segments.len();
    let x = &s.x;
    s.booked.copy_from_slice(&model.fixed_costs);
    for vc in &model.var_costs {
        match vc {
            VarCost::Growing {
                annual,
                growth,
                active,
            } => {
                for k in active.0..active.1.min(n) {
                    let factor = (1.0 + growth.get(x))
                        .powf(g.t[k] - g.start)
                        .min(MAX_RUN_RATE);
                    s.booked[k] += (annual.get(x) * factor).min(MAX_RUN_RATE) * dt;
                }
            }
            VarCost::Scaled { scale, per_step } => {
                let sc = scale.get(x);
                for (c, &u) in s.booked.iter_mut().zip(per_step) {
                    *c += sc * u;
                }
            }
        }
    }
    for line in &model.share_lines {
        let steps = line.active.0.min(n)..line.active.1.min(n);
        let booked = &mut s.booked[steps.clone()];
        let revenue = &s.revenue[steps.clone()];
        match (&line.share, line.segments.len() == m) {
            // The common case, a share per step of all revenue: a loop that vectorises.
            (ShareSrc::Steps(v), true) => {
                for ((c, &share), &r) in booked.iter_mut().zip(&v[steps.clone()]).zip(revenue) {
                    *c += share * (r * dt);
                }
            }
            (share, all) => {
                for (j, c) in booked.iter_mut().enumerate() {
                    let k = steps.start + j;
                    let share = match share {
                        ShareSrc::Const(p) => p.get(x),
                        ShareSrc::Steps(v) => v[k],
                    };
                    let base = if all {
                        revenue[j] * dt
                    } else {
                        line.segments
                            .iter()
                            .map(|&i| s.r_path[i * n + k])
                            .sum::<f64>()
                            * dt
                    };
                    *c += share * base;
                }
            }
        }
    }
    for (c, &b) in s.costs.iter_mut().zip(&s.booked) {
        *c = b / dt;
    }
}

/// The IPO raises a share of its valuation, a multiple of the run-rate at the start of its
/// step: revenue only, so it joins that step's funding here. Returns the raise and the
/// rounds' cash in that step (for the trace).
fn ipo(model: &Model, s: &mut Scratch, ipo_step: Option<usize>) -> (f64, f64) {
    let x = &s.x;
    let mut ipo_raise = 0.0;
    let mut rounds_at_ipo = 0.0;
    if let (Some(k), Some(ipo)) = (ipo_step, &model.ipo) {
        let raise = ipo.raise_share.get(x) * ipo.multiple.get(x) * s.revenue[k];
        ipo_raise += raise;
        rounds_at_ipo = s.funding[k];
        s.funding[k] += raise;
    }
    (ipo_raise, rounds_at_ipo)
}

/// The net flow of each step with every payment made when scheduled (no deferral, no
/// debt): revenue − other costs − obligations due + funding, $B. The gap is computed from it
/// (see [`super::gap`]: a path with no shortfall never defers). Only a trial that runs short
/// needs it.
pub(super) fn plain_net(model: &Model, s: &mut Scratch) {
    let dt = model.grid.dt;
    for (k, v) in s.net_plain.iter_mut().enumerate() {
        *v = s.revenue[k] * dt - s.booked[k] - s.oblig_var[k] + s.funding[k];
    }
    let deferrable = model.var_obligations.iter().filter(|o| o.can_defer);
    for (o, &(factor, _)) in deferrable.zip(&s.flex) {
        for (v, &u) in s.net_plain.iter_mut().zip(&o.unit) {
            *v -= factor * u;
        }
    }
}
