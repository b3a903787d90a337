//! The compiled model: a [`Scenario`] flattened for the trial loop.
//!
//! Everything that can be computed once per scenario is computed here, before any trial:
//! the time grid, the list of uncertain inputs (each with its RNG stream key), the copula
//! factor, per-step payment schedules of the obligations, fixed cost lines, step indices of
//! dates. Parameters become [`Value`]s: a fixed number, or an index into the trial's sampled
//! inputs.
//! Guarantees: the copula factor `A` satisfies `A·Aᵀ = C` for the user's correlation matrix
//! `C`, and so does the segments' shock factor; what is compiled grows linearly with the
//! scenario (each dense factor covers at most [`MAX_CORRELATED`] members); every unit payment schedule sums to 1 over its whole term (steps past the horizon are
//! dropped, not rescaled).
//!
//! Layout: this file holds the [`Model`] and the types its fields are made of; [`Grid`] (the
//! time steps and their arithmetic) is in `grid.rs`, [`Copula`] and the factorisation of a
//! correlation matrix in `copula.rs`, and [`compile()`] in `compile/`, one file per section
//! of the scenario.
//!
//! Units: amounts of money are $B; run-rates and flows per year are $B/yr; dates are decimal
//! years (2026.5 is the middle of 2026); rates and shares are fractions (0.25 is 25 %).

pub mod checks;
mod compile;
mod copula;
mod grid;

pub use compile::compile;
pub use copula::{Copula, MAX_CORRELATED, ShockFactor};
pub use grid::Grid;

use crate::dist::Dist;
use crate::scenario::Scenario;

/// Largest run-rate a segment can reach, $B/yr (a thousand times world GDP): growth that
/// would overflow f64 is capped here, so no output is ever infinite or NaN. Fixed cost lines
/// compiled into [`Model::fixed_costs`] are capped at it too, like the uncertain ones in a
/// trial.
pub const MAX_RUN_RATE: f64 = 1e15;
/// Sampled inputs are clamped to ±this, for the same reason as [`MAX_RUN_RATE`].
pub const MAX_INPUT: f64 = 1e15;

/// A parameter of the model as the trial loop sees it: a fixed number, or an index into the
/// trial's sampled inputs. Its unit is that of the scenario field it was compiled from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A fixed number: the parameter's distribution was `Fixed`.
    Const(f64),
    /// The value of sampled input `i`, `x[i]` in [`Value::get`] ([`Model::inputs`]`[i]`).
    In(usize),
}

impl Value {
    /// The parameter's value in a trial with sampled inputs `x`.
    #[inline(always)]
    pub fn get(self, x: &[f64]) -> f64 {
        match self {
            Value::Const(v) => v,
            Value::In(i) => x[i],
        }
    }
}

/// One uncertain input: drawn once per trial from its own stream.
#[derive(Debug, Clone)]
pub struct Input {
    /// Dotted path of the scenario field, e.g. `revenue.consumer.growth`.
    pub path: String,
    /// Marginal distribution, in the unit of the field.
    pub dist: Dist,
    /// Stream key, a hash of the path: the same path draws the same numbers in any scenario.
    pub key: u64,
}

/// How a segment's run-rate evolves, compiled.
#[derive(Debug, Clone)]
pub enum SegKind {
    /// Decaying-growth process: growth g(t) = g∞ + (g0 − g∞)·2^(−(t − start)/h), slowed near
    /// the ceiling.
    Growth {
        /// R0, run-rate at the start, $B/yr.
        run_rate: Value,
        /// g0, growth per year at the start (a fraction: 1.0 doubles in a year).
        growth: Value,
        /// g∞, growth per year that g(t) decays toward (g0 when the scenario gives none).
        terminal: Value,
        /// h, half-life of the gap g(t) − g∞, years.
        half_life: Value,
        /// 2^(−(t_k − start)/h) for each step k = 0..n when h is fixed, else `None` (computed
        /// per trial).
        decay: Option<Vec<f64>>,
        /// Saturation level of the run-rate, $B/yr (`None`: no ceiling).
        ceiling: Option<Value>,
    },
    /// A published path: `scale × level[k]` × the shock multiplier.
    Path {
        /// Path value at t_k, k = 0..=n, $B/yr.
        level: Vec<f64>,
        /// Multiplier of the path, unitless.
        scale: Value,
    },
    /// Annual figures: in step k, `scale × figure(y_k) × (1 + after_growth)^after[k]` × the
    /// shock multiplier, y_k the calendar year step k starts in; a year's figure ($B booked
    /// in it) is its run-rate for each of its steps, so the year books the figure × the share
    /// of it inside the horizon.
    Annual {
        /// The figure of each step's year, $B (years between two given ones filled by the
        /// segment's interpolation; after the last, the last).
        figure: Curve,
        /// Whole years since the last given year, per step k = 0..n−1 (0 up to it).
        after: Vec<i32>,
        /// Multiplier of the figures, unitless.
        scale: Value,
        /// Growth per year after the last given year (a fraction).
        after_growth: Value,
    },
    /// Drivers: in step k, `users_k·(paying_share_k·12·price_k + ads_k) + market_k·share_k`
    /// × the shock multiplier, $B/yr.
    Drivers(Box<DriversModel>),
}

/// A driver read at each step: at step k, `p[a] + (p[b] − p[a])·w` for `at[k] = (a, b, w)`,
/// `p` the points' values in the trial (a constant is one point).
#[derive(Debug, Clone)]
pub struct Curve {
    /// The values of its points, in the unit of the driver.
    pub points: Vec<Value>,
    /// Per step k = 0..n−1: the two points read and the weight of the second, in [0, 1).
    pub at: Vec<(usize, usize, f64)>,
}

impl Curve {
    /// Its value at step `k` in a trial with sampled inputs `x`.
    #[inline]
    pub fn get(&self, k: usize, x: &[f64]) -> f64 {
        let (a, b, w) = self.at[k];
        let va = self.points[a].get(x);
        if w == 0.0 {
            va
        } else {
            va + (self.points[b].get(x) - va) * w
        }
    }
}

/// The S-curve of a driver segment's users, billions: `ceiling / (1 + e^(−k(t − midpoint)))`,
/// or with `start` (users at t_0), `start + (ceiling − start)·(1 − e^(−k(t − t_0))) / (1 +
/// e^(−k(t − midpoint)))`, the same logistic through `start` at t_0 (docs/model.md).
#[derive(Debug, Clone)]
pub struct UsersModel {
    /// Level the curve tends to, billions.
    pub ceiling: Value,
    /// Inflection date, decimal year.
    pub midpoint: Value,
    /// k, per year.
    pub steepness: Value,
    /// Users at the start, billions (`None`: the plain logistic).
    pub start: Option<Value>,
}

/// The drivers of a driver segment, compiled (a missing term adds nothing).
#[derive(Debug, Clone)]
pub struct DriversModel {
    /// Users, billions.
    pub users: Option<UsersModel>,
    /// Share of users who pay (a fraction).
    pub paying_share: Option<Curve>,
    /// $ per paying user per month.
    pub price_per_month: Option<Curve>,
    /// $ per user per year.
    pub ads_per_user: Option<Curve>,
    /// Market size, $B/yr.
    pub market: Option<Curve>,
    /// Share of the market (a fraction).
    pub share: Option<Curve>,
}

/// A revenue segment, compiled.
#[derive(Debug, Clone)]
pub struct SegModel {
    /// Name, as in `[revenue.<name>]`.
    pub name: String,
    /// Dynamics.
    pub kind: SegKind,
    /// σ of the run-rate's log shocks, per √yr.
    pub volatility: Value,
    /// Stream key of its per-step shocks.
    pub key: u64,
}

/// An event, compiled.
#[derive(Debug, Clone)]
pub struct EventModel {
    /// Annual hazard: expected firings per year.
    pub hazard: Value,
    /// Multiplier of the hit segments' run-rates when it fires, unitless.
    pub factor: Value,
    /// Indices of the hit segments in [`Model::segments`].
    pub segments: Vec<usize>,
    /// Growth per year of the hit segments after it fires (`None`: unchanged).
    pub growth_after: Option<Value>,
    /// May fire again.
    pub recurring: bool,
    /// Stream key of its arrivals.
    pub key: u64,
}

/// A cost line with uncertain parameters.
#[derive(Debug, Clone)]
pub enum VarCost {
    /// annual·(1+growth)^(t_k − start)·dt booked on active steps.
    Growing {
        /// Cost at the start, $B/yr.
        annual: Value,
        /// Growth per year (a fraction).
        growth: Value,
        /// Active steps [from, to), step indices.
        active: (usize, usize),
    },
    /// `scale × per_step[k]` booked in step k.
    Scaled {
        /// Multiplier, unitless.
        scale: Value,
        /// $B booked per step at scale 1.
        per_step: Vec<f64>,
    },
}

/// Where a revenue-share line gets its share.
#[derive(Debug, Clone)]
pub enum ShareSrc {
    /// One share of revenue for all steps (a fraction).
    Const(Value),
    /// Share of revenue per step k = 0..n (fractions).
    Steps(Vec<f64>),
}

/// A revenue-share cost line: share × the revenue of its segments, booked per step.
#[derive(Debug, Clone)]
pub struct ShareLine {
    /// The share.
    pub share: ShareSrc,
    /// Indices of the segments whose revenue it takes, in [`Model::segments`].
    pub segments: Vec<usize>,
    /// Active steps [from, to), step indices.
    pub active: (usize, usize),
}

/// An obligation whose payments vary by trial: step k is due `total × realized × unit[k]`.
#[derive(Debug, Clone)]
pub struct VarOblig {
    /// Headline total, $B.
    pub total: Value,
    /// Share of the total actually spent (a fraction).
    pub realized: Value,
    /// Share of each payment that can be deferred (a fraction).
    pub flexible: Value,
    /// Share of the total paid in each step, k = 0..n (sums to ≤ 1 inside the horizon).
    pub unit: Vec<f64>,
    /// How long a deferred payment waits, steps (at least 1).
    pub deferral_steps: usize,
    /// Whether any part can be deferred (the flexible share is not a fixed 0).
    pub can_defer: bool,
    /// `if_joins`: the (round, participant) indices into [`Model::rounds`] without whose
    /// joining the contract does not exist in a trial (nothing is due).
    pub if_joins: Option<(usize, usize)>,
}

/// Compute capacity and the revenue it can serve (`[capacity]`), compiled: capacity online
/// in step k is `existing + Σ gw·realized·online[k]` GW, and it serves at most
/// `revenue_per_gw · (1 + growth)^(t_k − start)` $B/yr per GW.
#[derive(Debug, Clone)]
pub struct CapacityModel {
    /// Revenue one GW-year serves at the start, $B per GW-year.
    pub revenue_per_gw: Value,
    /// Growth of the revenue per GW, fraction per year.
    pub growth: Value,
    /// GW online at the start outside the listed contracts.
    pub existing_gw: Value,
    /// The contracts that bring capacity.
    pub contracts: Vec<CapContract>,
    /// Whether each segment's demand is served by the capacity, by index in
    /// [`Model::segments`].
    pub bound: Vec<bool>,
    /// t_k − start for each step k, years.
    pub years_in: Vec<f64>,
    /// Number of steps in each calendar year of the grid (at least 1).
    pub steps_in_year: Vec<f64>,
}

/// A contract's capacity, compiled.
#[derive(Debug, Clone)]
pub struct CapContract {
    /// GW at full delivery.
    pub gw: Value,
    /// The contract's realized share (a fraction): a contract realized at half brings half.
    pub realized: Value,
    /// Share of its capacity online at the start of each step k = 0..n (0 to 1).
    pub online: Vec<f64>,
    /// The contract's `if_joins`: no capacity in a trial where that participant does not
    /// join (or its round does not close).
    pub if_joins: Option<(usize, usize)>,
}

/// A compiled tranche.
#[derive(Debug, Clone, Copy)]
pub enum TrancheModel {
    /// Arrives in this step.
    AtStep {
        /// Share of the participant's amount (a fraction).
        share: f64,
        /// Step index.
        step: usize,
    },
    /// Arrives in the IPO step if the IPO date is before `lapses`.
    OnIpo {
        /// Share of the participant's amount (a fraction).
        share: f64,
        /// Deadline, decimal year (∞ if none).
        lapses: f64,
    },
    /// Never arrives inside the horizon.
    Never,
    /// A tranche with several triggers, conditions or its own probability
    /// ([`CondTranche::arrival`]).
    Conditional(CondTranche),
}

/// A compiled conditional tranche: due at the first of its triggers to come before its
/// lapse date, then arriving only if its conditions hold in that step and its own
/// probability draw says so.
#[derive(Debug, Clone, Copy)]
pub struct CondTranche {
    /// Share of the participant's amount (a fraction).
    pub share: f64,
    /// The earliest step among its `"close"` and date triggers that come before the lapse
    /// date, if any inside the horizon.
    pub step: Option<usize>,
    /// Whether the IPO's step is a trigger (when the IPO date is before `lapses`).
    pub on_ipo: bool,
    /// Deadline, decimal year (∞ if none).
    pub lapses: f64,
    /// A revenue trigger: the lowest run-rate level, $B/yr, that makes it due in the first
    /// step from `from` (before `until`) whose run-rate reaches it.
    pub on_revenue: Option<f64>,
    /// First step a revenue trigger looks at: the round's close.
    pub from: usize,
    /// End (exclusive) of the steps a revenue trigger looks at: those starting before the
    /// lapse date, within the horizon.
    pub until: usize,
    /// Whether the IPO must have happened in the step it is due or before.
    pub requires_ipo: bool,
    /// The run-rate, $B/yr, the step it is due must reach (the highest of its `requires`).
    pub requires_revenue: Option<f64>,
    /// Its own Bernoulli draw: 1 or 0 (arrives when > 0.5).
    pub arrives: Value,
}

impl CondTranche {
    /// The step it arrives in, for a trial with inputs `x`, IPO step `ipo_step` (if the IPO
    /// happens inside the horizon) at `ipo_date`, and total revenue run-rate `revenue` per
    /// step ($B/yr); `None` if it never does.
    pub fn arrival(
        &self,
        x: &[f64],
        ipo_step: Option<usize>,
        ipo_date: f64,
        revenue: &[f64],
    ) -> Option<usize> {
        let by_ipo = ipo_step.filter(|_| self.on_ipo && ipo_date < self.lapses);
        let by_revenue = self.on_revenue.and_then(|level| {
            (self.from..self.until.min(revenue.len())).find(|&k| revenue[k] >= level)
        });
        let due = [self.step, by_ipo, by_revenue]
            .into_iter()
            .flatten()
            .min()?;
        let ipo_ok = !self.requires_ipo || ipo_step.is_some_and(|i| i <= due);
        let revenue_ok = self
            .requires_revenue
            .is_none_or(|level| revenue[due] >= level);
        (ipo_ok && revenue_ok && self.arrives.get(x) > 0.5).then_some(due)
    }
}

impl TrancheModel {
    /// The step it arrives in, for a joining participant of a round that closes (see
    /// [`CondTranche::arrival`] for the arguments); `None` if it never does.
    #[inline]
    pub fn arrival(
        &self,
        x: &[f64],
        ipo_step: Option<usize>,
        ipo_date: f64,
        revenue: &[f64],
    ) -> Option<usize> {
        match *self {
            TrancheModel::AtStep { step, .. } => Some(step),
            TrancheModel::OnIpo { lapses, .. } => ipo_step.filter(|_| ipo_date < lapses),
            TrancheModel::Never => None,
            TrancheModel::Conditional(c) => c.arrival(x, ipo_step, ipo_date, revenue),
        }
    }

    /// Its share of the participant's amount (a fraction; 0 for one that never arrives).
    #[inline]
    pub fn share(&self) -> f64 {
        match *self {
            TrancheModel::AtStep { share, .. } | TrancheModel::OnIpo { share, .. } => share,
            TrancheModel::Never => 0.0,
            TrancheModel::Conditional(c) => c.share,
        }
    }
}

/// A compiled participant.
#[derive(Debug, Clone)]
pub struct PartModel {
    /// Name.
    pub name: String,
    /// Joins: 1 or 0 (a Bernoulli input, joined when > 0.5).
    pub joins: Value,
    /// Commitment, $B.
    pub amount: Value,
    /// Tranches.
    pub tranches: Vec<TrancheModel>,
    /// Tied spend: its share of the amount (a fraction), and the share of the tied spend paid
    /// in each step k = 0..n, unless it counts toward an existing contract (`None`: no new
    /// payments).
    pub tied: Option<(f64, Option<Vec<f64>>)>,
}

/// A compiled round.
#[derive(Debug, Clone)]
pub struct RoundModel {
    /// Name.
    pub name: String,
    /// Closes: 1 or 0 (a Bernoulli input, closed when > 0.5).
    pub closes: Value,
    /// Participants.
    pub participants: Vec<PartModel>,
}

/// The compiled IPO: it raises raise_share × multiple × the revenue run-rate in its step.
#[derive(Debug, Clone)]
pub struct IpoModel {
    /// Happens: 1 or 0 (a Bernoulli input, happens when > 0.5).
    pub happens: Value,
    /// Date, decimal year.
    pub date: Value,
    /// Valuation as a multiple of the revenue run-rate ($B of valuation per $B/yr).
    pub multiple: Value,
    /// Share of the valuation raised (a fraction).
    pub raise_share: Value,
}

/// The compiled debt facility.
#[derive(Debug, Clone)]
pub struct DebtModel {
    /// Most that can be drawn, $B.
    pub limit: Value,
    /// Interest per year on the amount drawn (a fraction).
    pub rate: Value,
}

/// The deterministic obligations schedule: expected payments per calendar year by counterparty.
#[derive(Debug, Clone)]
pub struct ObligationSchedule {
    /// Calendar years, as [`Grid::years`].
    pub years: Vec<i32>,
    /// (counterparty, $B paid in each of `years` at the mean realized share and total), in
    /// the order counterparties first appear.
    pub by_counterparty: Vec<(String, Vec<f64>)>,
    /// Sum of headline totals (mean), $B.
    pub headline_total: f64,
}

/// A scenario compiled for simulation.
#[derive(Debug, Clone)]
pub struct Model {
    /// The scenario it was compiled from.
    pub scenario: Scenario,
    /// Time grid.
    pub grid: Grid,
    /// Uncertain inputs, in the order the scenario's sections name them; [`Value::In`]
    /// indexes this list.
    pub inputs: Vec<Input>,
    /// Copula, if any correlations.
    pub copula: Option<Copula>,
    /// Indices of the inputs outside the copula (drawn from a uniform directly).
    pub independent: Vec<usize>,
    /// Cash at start, $B.
    pub initial_cash: Value,
    /// Floor that cash is kept at by drawing debt, $B.
    pub min_cash: Value,
    /// Revenue segments.
    pub segments: Vec<SegModel>,
    /// Factor of the segments' correlated shocks, `None` for independent shocks.
    pub seg_factor: Option<ShockFactor>,
    /// Events.
    pub events: Vec<EventModel>,
    /// Cost booked per step by lines with fixed parameters, $B per step.
    pub fixed_costs: Vec<f64>,
    /// Cost lines with uncertain parameters.
    pub var_costs: Vec<VarCost>,
    /// Revenue-share lines.
    pub share_lines: Vec<ShareLine>,
    /// Payments of obligations with fixed amounts and no flexibility, $B per step.
    pub fixed_obligations: Vec<f64>,
    /// Obligations whose payments vary by trial.
    pub var_obligations: Vec<VarOblig>,
    /// Rounds.
    pub rounds: Vec<RoundModel>,
    /// IPO.
    pub ipo: Option<IpoModel>,
    /// Debt.
    pub debt: Option<DebtModel>,
    /// Compute capacity (`None`: revenue is demand, unbounded).
    pub capacity: Option<CapacityModel>,
    /// Expected obligations by year and counterparty.
    pub schedule: ObligationSchedule,
    /// Notes for the user (e.g. a correlation on a fixed input was dropped).
    pub warnings: Vec<String>,
    /// The per-trial values the scenario's checks read, in the order of its checks.
    pub probes: Vec<checks::Probe>,
    /// How the uncertain inputs are sampled (plain Monte Carlo unless the run sets a plan
    /// with [`Model::set_sampling`]).
    pub plan: crate::qmc::Plan,
}

impl Model {
    /// Samples the uncertain inputs of a run of `trials` trials with `seed` by `method`, in
    /// `replicates` independent randomizations (LHS and RQMC; plain Monte Carlo ignores it).
    /// Input i is dimension i of the point set; then come the segments' shock walks and the
    /// events' first arrivals ([`crate::qmc::Dims`]).
    ///
    /// # Errors
    /// [`crate::qmc::PlanError`] for fewer than 2 replicates or more replicates than trials.
    pub fn set_sampling(
        &mut self,
        method: crate::qmc::Method,
        replicates: u64,
        trials: u64,
        seed: u64,
    ) -> Result<(), crate::qmc::PlanError> {
        let inputs: Vec<u64> = self.inputs.iter().map(|i| i.key).collect();
        let segments: Vec<u64> = self.segments.iter().map(|s| s.key).collect();
        let events: Vec<u64> = self.events.iter().map(|e| e.key).collect();
        let dims = crate::qmc::Dims {
            inputs: &inputs,
            segments: &segments,
            events: &events,
            steps: self.grid.n.saturating_sub(1),
        };
        self.plan = crate::qmc::Plan::new(method, replicates, trials, seed, &dims)?;
        Ok(())
    }

    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.scenario.name
    }
}
