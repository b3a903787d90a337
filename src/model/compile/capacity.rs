//! `[capacity]`: the capacity online per step, from the contracts that state it, and the
//! revenue a GW serves (docs/model.md, "Capacity").

use super::Compiler;
use crate::model::{CapContract, CapacityModel, Grid};
use crate::scenario::Scenario;

/// The scenario's capacity, with the contracts' capacity compiled by the obligations (in
/// their order, after each contract's own inputs); `None` without a `[capacity]` section.
pub(super) fn compile(
    cc: &mut Compiler,
    s: &Scenario,
    grid: &Grid,
    contracts: Vec<CapContract>,
) -> Option<CapacityModel> {
    let c = s.capacity.as_ref()?;
    let mut bound = vec![false; s.segments.len()];
    for &i in &c.segments {
        bound[i] = true;
    }
    Some(CapacityModel {
        revenue_per_gw: cc.value(&c.revenue_per_gw_year),
        growth: cc.value(&c.efficiency_growth),
        existing_gw: cc.value(&c.existing_gw),
        contracts,
        bound,
        years_in: grid.t[..grid.n].iter().map(|t| t - grid.start).collect(),
        steps_in_year: (0..grid.years.len())
            .map(|y| grid.year_of_step.iter().filter(|&&v| v == y).count().max(1) as f64)
            .collect(),
    })
}

/// Share of a contract's capacity online at the start of each step: 0 before `from`, rising
/// linearly to 1 over `years` (at once when `years` is 0), 1 after.
pub(super) fn online(grid: &Grid, from: f64, years: f64) -> Vec<f64> {
    grid.t[..grid.n]
        .iter()
        .map(|&t| {
            if t < from {
                0.0
            } else if years <= 0.0 {
                1.0
            } else {
                ((t - from) / years).min(1.0)
            }
        })
        .collect()
}
