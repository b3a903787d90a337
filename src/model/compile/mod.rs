//! [`compile()`]: a [`Scenario`] into a [`Model`], one function per section of the scenario,
//! each in its own file: `revenue.rs` (segments, revenue correlations, events), `costs.rs`,
//! `obligations.rs` (payment schedules of the contracts, the expected schedule by year),
//! `funding.rs` (rounds, participants, tranches, tied spend, IPO, debt) and `inputs.rs` (the
//! copula over the correlated inputs).
//!
//! The sections run in a fixed order, the order below, and within a section the parameters
//! are compiled in a fixed order too: each uncertain parameter becomes the next entry of
//! [`Model::inputs`], and the counterparties of the expected schedule are listed as they first
//! appear, so changing either order renumbers the inputs or reorders outputs. A new section
//! (or a new obligation timing) goes in its own function and keeps the order of the others.

mod capacity;
mod costs;
mod funding;
mod inputs;
mod obligations;
mod revenue;

use super::{Grid, Input, Model, ObligationSchedule, Value};
use crate::rng::key_of;
use crate::scenario::{Param, Problem, Scenario, ScenarioError};

/// What the sections share while they compile: the inputs found so far, and what to tell the
/// user.
#[derive(Default)]
struct Compiler {
    /// Uncertain inputs, in the order their parameters were compiled.
    inputs: Vec<Input>,
    /// Errors: if any, [`compile()`] fails with all of them.
    problems: Vec<Problem>,
    /// Notes that do not stop the compilation ([`Model::warnings`]).
    warnings: Vec<String>,
}

impl Compiler {
    /// A scenario parameter as the trial loop sees it: its value when it is fixed, else a new
    /// input (keyed by its path) and the index of that input.
    fn value(&mut self, param: &Param) -> Value {
        if param.dist.is_fixed() {
            Value::Const(param.dist.quantile(0.5))
        } else {
            self.inputs.push(Input {
                path: param.path.clone(),
                dist: param.dist.clone(),
                key: key_of(&param.path),
            });
            Value::In(self.inputs.len() - 1)
        }
    }
}

/// Compiles a scenario for simulation.
///
/// # Errors
/// [`ScenarioError::Invalid`] when a correlation names a path that is not an input of the
/// scenario, or the correlations do not form a positive semi-definite matrix.
pub fn compile(scenario: &Scenario) -> Result<Model, ScenarioError> {
    let s = scenario;
    let grid = Grid::new(
        s.time.start,
        s.time.horizon_years,
        s.time.steps_per_year,
        &s.time.report_years,
    );
    let mut cc = Compiler::default();
    // The order of these calls is the order of the inputs (see the module docs).
    let initial_cash = cc.value(&s.cash.initial);
    let min_cash = cc.value(&s.cash.min_cash);
    let revenue = revenue::compile(&mut cc, s, &grid);
    let costs = costs::compile(&mut cc, s, &grid);
    let mut schedule = ObligationSchedule::empty(&grid);
    let obligations = obligations::compile(&mut cc, s, &grid, &mut schedule);
    let funding = funding::compile(&mut cc, s, &grid, &mut schedule);
    let capacity = capacity::compile(&mut cc, s, &grid, obligations.capacity);
    let copula = inputs::copula(&mut cc, s);

    if !cc.problems.is_empty() {
        return Err(ScenarioError::Invalid {
            file: s.origin.clone(),
            problems: cc.problems,
        });
    }
    let probes = super::checks::probes(&s.checks, &grid);
    let independent = (0..cc.inputs.len())
        .filter(|i| copula.as_ref().is_none_or(|c| !c.members.contains(i)))
        .collect();
    Ok(Model {
        scenario: s.clone(),
        grid,
        inputs: cc.inputs,
        copula,
        independent,
        initial_cash,
        min_cash,
        segments: revenue.segments,
        seg_factor: revenue.seg_factor,
        events: revenue.events,
        fixed_costs: costs.fixed,
        var_costs: costs.var,
        share_lines: costs.share_lines,
        fixed_obligations: obligations.fixed,
        var_obligations: obligations.var,
        rounds: funding.rounds,
        ipo: funding.ipo,
        debt: funding.debt,
        capacity,
        schedule,
        warnings: cc.warnings,
        probes,
        plan: crate::qmc::Plan::mc(),
    })
}
