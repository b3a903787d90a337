//! `[costs.*]`: cost lines with fixed parameters summed into one array per step, the others
//! kept as lines for the trial, and the revenue shares.

use super::Compiler;
use crate::model::{Grid, MAX_RUN_RATE, ShareLine, ShareSrc, Value, VarCost};
use crate::scenario::{CostKind, Param, Scenario, Series, Share};

/// The cost side of a [`crate::model::Model`].
pub(super) struct Costs {
    /// [`crate::model::Model::fixed_costs`], $B per step.
    pub(super) fixed: Vec<f64>,
    /// [`crate::model::Model::var_costs`].
    pub(super) var: Vec<VarCost>,
    /// [`crate::model::Model::share_lines`].
    pub(super) share_lines: Vec<ShareLine>,
}

/// Compiles the cost lines in the scenario's order (the order in which the fixed lines are
/// added into each step).
pub(super) fn compile(cc: &mut Compiler, s: &Scenario, grid: &Grid) -> Costs {
    let mut costs = Costs {
        fixed: vec![0.0; grid.n],
        var: Vec::new(),
        share_lines: Vec::new(),
    };
    for cost in &s.costs {
        let active = grid.active_steps(cost.from, cost.until);
        match &cost.kind {
            CostKind::Fixed { annual, growth } => {
                growing(cc, &mut costs, grid, annual, growth, active);
            }
            CostKind::Path { series, scale } => {
                path(cc, &mut costs, grid, series, scale, active);
            }
            CostKind::RevenueShare { share, segments } => {
                let share = match share {
                    Share::Constant(p) => ShareSrc::Const(cc.value(p)),
                    Share::Series(series) => ShareSrc::Steps(grid.sample(series, grid.n)),
                };
                costs.share_lines.push(ShareLine {
                    share,
                    segments: segments.clone(),
                    active,
                });
            }
        }
    }
    costs
}

/// annual·(1+growth)^(t_k − start) $B/yr on the active steps: added to the fixed costs when
/// both are fixed (capped as a trial caps an uncertain line), else a [`VarCost::Growing`].
fn growing(
    cc: &mut Compiler,
    costs: &mut Costs,
    grid: &Grid,
    annual: &Param,
    growth: &Param,
    active: (usize, usize),
) {
    let (a, g) = (cc.value(annual), cc.value(growth));
    match (a, g) {
        (Value::Const(a), Value::Const(g)) => {
            for (c, t) in costs.fixed[active.0..active.1]
                .iter_mut()
                .zip(&grid.t[active.0..active.1])
            {
                let factor = (1.0 + g).powf(t - grid.start).min(MAX_RUN_RATE);
                *c += (a * factor).min(MAX_RUN_RATE) * grid.dt;
            }
        }
        _ => costs.var.push(VarCost::Growing {
            annual: a,
            growth: g,
            active,
        }),
    }
}

/// scale × a published path ($B/yr) on the active steps: added to the fixed costs when the
/// scale is fixed, else a [`VarCost::Scaled`].
fn path(
    cc: &mut Compiler,
    costs: &mut Costs,
    grid: &Grid,
    series: &Series,
    scale: &Param,
    active: (usize, usize),
) {
    let mut per_step = vec![0.0; grid.n];
    for (c, &t) in per_step[active.0..active.1]
        .iter_mut()
        .zip(&grid.t[active.0..active.1])
    {
        *c = series.at(t) * grid.dt;
    }
    match cc.value(scale) {
        Value::Const(sc) => {
            for (c, u) in costs.fixed.iter_mut().zip(&per_step) {
                *c += sc * u;
            }
        }
        scale => costs.var.push(VarCost::Scaled { scale, per_step }),
    }
}
