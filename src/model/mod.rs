//! The compiled model: a [`Scenario`] flattened for the trial loop.
//!
//! Everything that can be computed once per scenario is computed here, before any trial:
//! the time grid, the list of uncertain inputs (each with its RNG stream key), the copula
//! factor, per-step payment schedules of the obligations, fixed cost lines, step indices of
//! dates. Parameters become [`P`]: a constant, or an index into the trial's sampled inputs.
//! Guarantees: the copula factor `A` satisfies `A·Aᵀ = C` for the user's correlation matrix
//! `C`; every unit payment schedule sums to 1 over its whole term (steps past the horizon are
//! dropped, not rescaled).
//!
//! Layout: this file holds the [`Model`] and the types its fields are made of; [`Grid`] (the
//! time steps and their arithmetic) is in `grid.rs`, [`Copula`] and the factorisation of a
//! correlation matrix in `copula.rs`, and [`compile()`] in `compile/`, one file per section
//! of the scenario.

mod compile;
mod copula;
mod grid;

pub use compile::compile;
pub use copula::Copula;
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

/// A parameter as the trial loop sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum P {
    /// A constant.
    Const(f64),
    /// The value of sampled input `i`.
    In(usize),
}

impl P {
    /// The parameter's value in a trial with sampled inputs `x`.
    #[inline(always)]
    pub fn get(self, x: &[f64]) -> f64 {
        match self {
            P::Const(v) => v,
            P::In(i) => x[i],
        }
    }
}

/// One uncertain input: drawn once per trial from its own stream.
#[derive(Debug, Clone)]
pub struct Input {
    /// Dotted path.
    pub path: String,
    /// Marginal distribution.
    pub dist: Dist,
    /// Stream key, a hash of the path: the same path draws the same numbers in any scenario.
    pub key: u64,
}

/// How a segment's run-rate evolves, compiled.
#[derive(Debug, Clone)]
pub enum SegKind {
    /// Decaying-growth process.
    Growth {
        /// R0.
        run_rate: P,
        /// g0.
        growth: P,
        /// g∞.
        terminal: P,
        /// Half-life, years.
        half_life: P,
        /// 2^(−(t_k − start)/h) per step when h is fixed.
        decay: Option<Vec<f64>>,
        /// Saturation level.
        ceiling: Option<P>,
    },
    /// A path: scale × level[k] × shock multiplier.
    Path {
        /// Path value at t_k, k = 0..=n.
        level: Vec<f64>,
        /// Multiplier.
        scale: P,
    },
}

/// A revenue segment, compiled.
#[derive(Debug, Clone)]
pub struct SegModel {
    /// Name.
    pub name: String,
    /// Dynamics.
    pub kind: SegKind,
    /// σ.
    pub volatility: P,
    /// Stream key of its per-step shocks.
    pub key: u64,
}

/// An event, compiled.
#[derive(Debug, Clone)]
pub struct EventModel {
    /// Annual hazard.
    pub hazard: P,
    /// Multiplier.
    pub factor: P,
    /// Hit segments.
    pub segments: Vec<usize>,
    /// Growth afterwards.
    pub growth_after: Option<P>,
    /// May fire again.
    pub recurring: bool,
    /// Stream key of its arrivals.
    pub key: u64,
}

/// A cost line with uncertain parameters.
#[derive(Debug, Clone)]
pub enum VarCost {
    /// annual·(1+growth)^(t_k − start)·dt on active steps.
    Growing {
        /// $B/yr at start.
        annual: P,
        /// Growth.
        growth: P,
        /// Active steps [from, to).
        active: (usize, usize),
    },
    /// scale × unit[k].
    Scaled {
        /// Multiplier.
        scale: P,
        /// $B booked per step at scale 1.
        per_step: Vec<f64>,
    },
}

/// Where a revenue-share line gets its share.
#[derive(Debug, Clone)]
pub enum ShareSrc {
    /// One share for all steps.
    Const(P),
    /// Share per step.
    Steps(Vec<f64>),
}

/// A revenue-share cost line.
#[derive(Debug, Clone)]
pub struct ShareLine {
    /// The share.
    pub share: ShareSrc,
    /// Segments whose revenue it takes.
    pub segments: Vec<usize>,
    /// Active steps [from, to).
    pub active: (usize, usize),
}

/// An obligation whose payments vary by trial.
#[derive(Debug, Clone)]
pub struct VarOblig {
    /// Headline total.
    pub total: P,
    /// Realized share.
    pub realized: P,
    /// Flexible share.
    pub flexible: P,
    /// Unit schedule per step (sums to ≤ 1 inside the horizon).
    pub unit: Vec<f64>,
    /// Deferral in steps.
    pub deferral_steps: usize,
    /// Whether any part can be deferred.
    pub can_defer: bool,
}

/// A compiled tranche.
#[derive(Debug, Clone, Copy)]
pub enum TrancheModel {
    /// Arrives in this step.
    AtStep {
        /// Share of the amount.
        share: f64,
        /// Step.
        step: usize,
    },
    /// Arrives in the IPO step if the IPO date is before `lapses`.
    OnIpo {
        /// Share of the amount.
        share: f64,
        /// Deadline (∞ if none).
        lapses: f64,
    },
    /// Never arrives inside the horizon.
    Never,
}

/// A compiled participant.
#[derive(Debug, Clone)]
pub struct PartModel {
    /// Name.
    pub name: String,
    /// Joins (0/1).
    pub joins: P,
    /// Amount.
    pub amount: P,
    /// Tranches.
    pub tranches: Vec<TrancheModel>,
    /// Tied spend: share, and a unit schedule unless it counts toward an existing contract.
    pub tied: Option<(f64, Option<Vec<f64>>)>,
}

/// A compiled round.
#[derive(Debug, Clone)]
pub struct RoundModel {
    /// Name.
    pub name: String,
    /// Closes (0/1).
    pub closes: P,
    /// Participants.
    pub participants: Vec<PartModel>,
}

/// The compiled IPO.
#[derive(Debug, Clone)]
pub struct IpoModel {
    /// Happens (0/1).
    pub happens: P,
    /// Date.
    pub date: P,
    /// Revenue multiple.
    pub multiple: P,
    /// Share raised.
    pub raise_share: P,
}

/// The compiled debt facility.
#[derive(Debug, Clone)]
pub struct DebtModel {
    /// Limit.
    pub limit: P,
    /// Rate.
    pub rate: P,
}

/// The deterministic obligations schedule: expected payments per calendar year by counterparty.
#[derive(Debug, Clone)]
pub struct ObligationSchedule {
    /// Calendar years.
    pub years: Vec<i32>,
    /// (counterparty, $B per year at the mean realized share and total).
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
    /// Uncertain inputs.
    pub inputs: Vec<Input>,
    /// Copula, if any correlations.
    pub copula: Option<Copula>,
    /// Indices of the inputs outside the copula (drawn from a uniform directly).
    pub independent: Vec<usize>,
    /// Cash at start.
    pub initial_cash: P,
    /// Floor.
    pub min_cash: P,
    /// Revenue segments.
    pub segments: Vec<SegModel>,
    /// Segment shock factor (row-major m×m), `None` for independent shocks.
    pub seg_factor: Option<Vec<f64>>,
    /// Events.
    pub events: Vec<EventModel>,
    /// Cost booked per step by lines with fixed parameters, $B.
    pub fixed_costs: Vec<f64>,
    /// Cost lines with uncertain parameters.
    pub var_costs: Vec<VarCost>,
    /// Revenue-share lines.
    pub share_lines: Vec<ShareLine>,
    /// Payments per step of obligations with fixed amounts and no flexibility, $B.
    pub fixed_obligations: Vec<f64>,
    /// Obligations whose payments vary by trial.
    pub var_obligations: Vec<VarOblig>,
    /// Rounds.
    pub rounds: Vec<RoundModel>,
    /// IPO.
    pub ipo: Option<IpoModel>,
    /// Debt.
    pub debt: Option<DebtModel>,
    /// Expected obligations by year and counterparty.
    pub schedule: ObligationSchedule,
    /// Notes for the user (e.g. a correlation on a fixed input was dropped).
    pub warnings: Vec<String>,
}

impl Model {
    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.scenario.name
    }
}
