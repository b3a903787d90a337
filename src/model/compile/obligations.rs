//! `[obligations.*]`: each contract's payments as a unit schedule per step (the share of its
//! total paid in each step), summed into one array when nothing about it is uncertain, and
//! the expected payments by calendar year and counterparty.
//!
//! A new timing of payments is a new [`Timing`] variant and a function here that turns it
//! into a unit schedule, called from [`unit`].

use super::Compiler;
use crate::model::{CapContract, Grid, ObligationSchedule, Value, VarOblig};
use crate::scenario::{Obligation, Profile, Scenario, Timing};

/// The obligations of a [`crate::model::Model`].
pub(super) struct Obligations {
    /// [`crate::model::Model::fixed_obligations`], $B per step.
    pub(super) fixed: Vec<f64>,
    /// [`crate::model::Model::var_obligations`].
    pub(super) var: Vec<VarOblig>,
    /// The capacity the contracts bring, in their order (for [`super::capacity`]).
    pub(super) capacity: Vec<CapContract>,
}

impl ObligationSchedule {
    /// No payments yet, over the grid's calendar years.
    pub(super) fn empty(grid: &Grid) -> ObligationSchedule {
        ObligationSchedule {
            years: grid.years.clone(),
            by_counterparty: Vec::new(),
            headline_total: 0.0,
        }
    }

    /// Adds `amount` ($B) paid to `counterparty` by the unit schedule `unit` (share per step)
    /// to the counterparty's row, which is created after the others if it is new.
    pub(super) fn add(&mut self, grid: &Grid, counterparty: &str, unit: &[f64], amount: f64) {
        let rows = &mut self.by_counterparty;
        let row = match rows.iter().position(|r| r.0 == counterparty) {
            Some(i) => i,
            None => {
                rows.push((counterparty.to_string(), vec![0.0; grid.years.len()]));
                rows.len() - 1
            }
        };
        for (k, u) in unit.iter().enumerate() {
            rows[row].1[grid.year_of_step[k]] += amount * u;
        }
    }
}

/// Compiles the obligations in the scenario's order, adding each to the expected `schedule`
/// (at its mean total and realized share) and its headline total.
pub(super) fn compile(
    cc: &mut Compiler,
    s: &Scenario,
    grid: &Grid,
    schedule: &mut ObligationSchedule,
) -> Obligations {
    let mut out = Obligations {
        fixed: vec![0.0; grid.n],
        var: Vec::new(),
        capacity: Vec::new(),
    };
    for o in &s.obligations {
        let unit = unit(grid, &o.timing);
        schedule.headline_total += o.total.dist.mean();
        let mut expected = o.total.dist.mean() * o.realized_share.dist.mean();
        if let Some((r, p)) = o.if_joins {
            // Expected: paid only in trials where the round closes and the participant joins.
            let round = &s.rounds[r];
            expected *= round.closes.dist.mean() * round.participants[p].joins.dist.mean();
        }
        schedule.add(grid, &o.counterparty, &unit, expected);
        let realized = obligation(cc, &mut out, grid, o, unit);
        if let Some(cap) = &o.capacity {
            out.capacity.push(CapContract {
                gw: cc.value(&cap.gw),
                realized,
                online: super::capacity::online(grid, cap.online_from, cap.online_years),
                if_joins: o.if_joins,
            });
        }
    }
    out
}

/// The share of an obligation's total paid in each step.
fn unit(grid: &Grid, timing: &Timing) -> Vec<f64> {
    match timing {
        Timing::Term {
            start,
            years,
            profile,
        } => term_unit(grid, *start, *years, *profile),
        Timing::Schedule(rows) => schedule_unit(grid, rows),
    }
}

/// One obligation paid by `unit`: into the fixed payments when its total and realized share
/// are fixed, nothing is flexible and it does not depend on a participant joining
/// (`if_joins`), else a [`VarOblig`]. Its inputs, in order: the total,
/// the realized share, the flexible share.
fn obligation(
    cc: &mut Compiler,
    out: &mut Obligations,
    grid: &Grid,
    o: &Obligation,
    unit: Vec<f64>,
) -> Value {
    let (total, realized, flexible) = (
        cc.value(&o.total),
        cc.value(&o.realized_share),
        cc.value(&o.flexible_share),
    );
    match (total, realized, flexible) {
        (Value::Const(t), Value::Const(r), Value::Const(0.0)) if o.if_joins.is_none() => {
            for (f, u) in out.fixed.iter_mut().zip(&unit) {
                *f += t * r * u;
            }
        }
        _ => out.var.push(VarOblig {
            total,
            realized,
            flexible,
            unit,
            deferral_steps: ((o.deferral_years / grid.dt).round() as usize).max(1),
            can_defer: flexible != Value::Const(0.0),
            if_joins: o.if_joins,
        }),
    }
    realized
}

/// Unit payment weights per step for a term, normalised over the whole term (including steps
/// past the horizon, which are then dropped).
pub(super) fn term_unit(grid: &Grid, start: f64, years: f64, profile: Profile) -> Vec<f64> {
    let first = grid.first_step_from(start);
    let last = grid.first_step_from(start + years);
    let mut unit = vec![0.0; grid.n];
    if last <= first {
        // A term shorter than a step: all in the step containing the start.
        if let Some(k) = grid.step_of(start) {
            unit[k] = 1.0;
        }
        return unit;
    }
    let weight = |k: i64| {
        let tk = grid.start + k as f64 * grid.dt;
        let x = ((tk + 0.5 * grid.dt - start) / years).clamp(0.0, 1.0);
        profile.weight(x)
    };
    let total: f64 = (first..last).map(weight).sum();
    if total <= 0.0 {
        return unit;
    }
    for k in first.max(0)..last.min(grid.n as i64) {
        unit[k as usize] = weight(k) / total;
    }
    unit
}

/// Unit weights per step for explicit calendar-year amounts ($B, any scale): each year's
/// share of the sum, spread evenly over the year's steps.
fn schedule_unit(grid: &Grid, rows: &[(i32, f64)]) -> Vec<f64> {
    let sum: f64 = rows.iter().map(|r| r.1).sum();
    let mut unit = vec![0.0; grid.n];
    for &(y, amount) in rows {
        let first = grid.first_step_from(y as f64);
        let last = grid.first_step_from(y as f64 + 1.0);
        let count = (last - first).max(1);
        for k in first.max(0)..last.min(grid.n as i64) {
            unit[k as usize] += amount / sum / count as f64;
        }
    }
    unit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid::new(2026.0, 8.0, 4, &[2030])
    }

    #[test]
    fn flat_term_pays_total_over_years_per_year() {
        let g = grid();
        let u = term_unit(&g, 2027.0, 8.0, Profile::Flat);
        // 100/8 per year, 87.5 inside the horizon.
        assert!((u.iter().sum::<f64>() * 100.0 - 87.5).abs() < 1e-9);
        assert_eq!(u[3], 0.0);
        assert!((u[4] - 1.0 / 32.0).abs() < 1e-15);
        let tied = term_unit(&g, 2026.25, 5.0, Profile::Flat);
        assert_eq!(tied.iter().filter(|&&w| w > 0.0).count(), 20);
        assert!(tied[0] == 0.0 && tied[1] > 0.0 && tied[20] > 0.0 && tied[21] == 0.0);
    }

    #[test]
    fn profiles_are_normalised_and_shaped() {
        let g = grid();
        for p in [Profile::Ramp, Profile::FrontLoaded, Profile::BackLoaded] {
            let u = term_unit(&g, 2026.0, 4.0, p);
            assert!((u.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        let back = term_unit(&g, 2026.0, 4.0, Profile::BackLoaded);
        assert!(back[15] > back[0]);
        let front = term_unit(&g, 2026.0, 4.0, Profile::FrontLoaded);
        assert!(front[0] > front[15]);
    }

    #[test]
    fn schedule_spreads_each_year_over_its_steps() {
        let g = grid();
        let u = schedule_unit(&g, &[(2027, 30.0), (2028, 10.0)]);
        assert!((u[4] - 30.0 / 40.0 / 4.0).abs() < 1e-15);
        assert!((u[8] - 10.0 / 40.0 / 4.0).abs() < 1e-15);
        assert!((u.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
