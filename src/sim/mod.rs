//! One trial: a pure function of the compiled model, the seed and the trial index.
//!
//! A trial runs in two parts:
//!
//! 1. [`prepare`](prepare::prepare) computes everything that does not depend on cash: the
//!    inputs ([`sample`]: `z = A·ε`, `u = Φ(z)`, `x = F⁻¹(u)`), the funding schedule, the
//!    obligations due, the revenue path ([`revenue`]; revenue never depends on cash) and the
//!    other costs.
//! 2. The cash loop steps cash forward by the rules of [`cash`], which states one step of
//!    the model plainly (docs/model.md, "One trial"; the conventions of
//!    docs/bench-model.md):
//!
//! ```text
//! pre       = cash_k + revenue_k − costs_k − obligations_k + funding_k − interest_k
//! draw_k    = min(min_cash − pre, limit − drawn)  if pre < min_cash
//! cash_k+1  = min_cash if the draw covers the need, else pre + draw_k
//! depth_k+1 = max(0, min_cash − cash_k+1)
//! ```
//!
//! [`run_trial`] runs one trial with the scalar loop ([`cash::run`]). The engine runs
//! [`LANES`] trials at a time ([`run_batch`]): it prepares each, then steps their cash loops
//! side by side ([`lanes`]), calling the same rules of [`cash`] lane by lane with every
//! branch written as a selection, so the compiler vectorises across trials. Each lane does
//! exactly the operations of the scalar loop, in the same order, so the results are the same
//! to the bit (tests/engine/batch.rs).
//!
//! Everything writes into a reusable [`Scratch`] and allocates nothing. No I/O, no threads.

pub mod capacity;
pub mod cash;
pub mod checks;
pub mod gap;
mod gap_lanes;
pub mod lanes;
mod prepare;
pub mod revenue;
pub mod sample;
pub mod years;

use crate::dist::normal_cdf;
use crate::model::Model;
use crate::rng::{Stream, stream};

pub use crate::metrics::{METRIC_NAMES, METRICS, MetricDef, N_METRICS, metric};
pub use lanes::{Batch, LANES, run_batch};
pub use sample::sample_inputs;

use cash::TrialPar;
use prepare::prepare;
use revenue::{SegPar, shock_stride};

/// The results of one trial.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Scalar results, see [`METRIC_NAMES`].
    pub metrics: [f64; N_METRICS],
    /// Gap up to the end of each report year: the least injection that keeps cash at or
    /// above the floor until then, $B.
    pub report_gaps: Vec<f64>,
    /// Deficit up to the end of each report year: the deepest fall below the floor until
    /// then on the trial's own path, $B.
    pub report_deficits: Vec<f64>,
    /// Cash index j of the first step with cash below the floor.
    pub first_shortfall: Option<usize>,
    /// Break-even: index (into the grid's years) of the first year from which operating cash
    /// flow stays ≥ 0 to the end of the horizon.
    pub breakeven_year: Option<usize>,
    /// Index (into the grid's years) of the first year with operating cash flow ≥ 0 (later
    /// years may burn again).
    pub first_nonnegative_year: Option<usize>,
    /// Figures by calendar year, [series][year] for the series of [`years::SERIES`]
    /// (revenue, operating cash flow, net burn), $B; then, with `[capacity]`, the figures of
    /// [`capacity::TOTALS`] and [`capacity::SERIES`] ([series][year]).
    pub years: Vec<f64>,
    /// Step of the IPO, if it happened inside the horizon.
    pub ipo_step: Option<usize>,
}

/// Per-trial working memory, allocated once per worker and reused.
#[derive(Debug, Clone)]
pub struct Scratch {
    /// Sampled input values x.
    pub x: Vec<f64>,
    /// The seed and trial being run (the point of an LHS or RQMC plan).
    point: (u64, u64),
    /// Uniforms u of the inputs whose value needs one; read them with [`Scratch::u`].
    u: Vec<f64>,
    /// Per input, true when its value comes from its normal score z alone (a copula member
    /// whose quantile function needs only z): sampling then skips u = Φ(z), and
    /// [`Scratch::u`] computes it on demand.
    u_from_z: Vec<bool>,
    /// The sensitivity bin of each input's u ([`crate::stats::sensitivity::u_bin`]).
    pub bins: Vec<u8>,
    /// Normal scores z of the copula members.
    z: Vec<f64>,
    ztmp: Vec<f64>,
    /// Cash from rounds in each step, $B.
    funding: Vec<f64>,
    /// Obligations due in each step before any deferral: the fixed schedule plus the
    /// trial's own (tied spend, uncertain amounts that cannot be deferred), $B.
    oblig_var: Vec<f64>,
    /// Per deferrable obligation (in model order), its amount factor and flexible share.
    flex: Vec<(f64, f64)>,
    /// Other costs booked in each step, $B.
    booked: Vec<f64>,
    /// The trial's scalars for the cash loop.
    par: TrialPar,
    /// Capacity online at the start of each step, GW (empty without `[capacity]`).
    pub cap_gw: Vec<f64>,
    /// Revenue demanded of the capacity-bound segments in each step, $B/yr (empty without
    /// `[capacity]`).
    pub demand: Vec<f64>,
    /// The most revenue the capacity online can serve in each step, $B/yr (empty without
    /// `[capacity]`).
    pub cap_limit: Vec<f64>,
    /// Net flow of each step with every payment made when scheduled (revenue − costs −
    /// obligations due + funding), $B: what the gap is computed from ([`gap`]).
    net_plain: Vec<f64>,
    /// What the gap's passes over the horizon saw at each report year's end.
    gap_snaps: Vec<gap::Snap>,
    /// Flexible payments deferred into each step, $B (the scalar cash loop's).
    deferred_into: Vec<f64>,
    /// Operating cash flow of each calendar year, $B (from either cash loop).
    year_ocf: Vec<f64>,
    /// Interest paid in each calendar year, $B (from either cash loop).
    year_interest: Vec<f64>,
    /// Per segment, the run-rate: at the start (set by [`prepare`]), then as the recurrence
    /// steps.
    r: Vec<f64>,
    /// Per segment, the product of its shocks and event factors (path segments).
    mult: Vec<f64>,
    /// Per segment, its growth rate after an event, NaN before any.
    after: Vec<f64>,
    seg_par: Vec<SegPar>,
    /// Per segment, [segment][step]: for a growth segment, the growth factor (1 + g(t_k))^dt
    /// of each step when it does not depend on the state (no ceiling); for an annual-figures
    /// or a driver segment, the trial's level of the run-rate at each step ($B/yr), before
    /// scale and shocks.
    step_growth: Vec<f64>,
    /// Standard normals of the segments' shocks, [segment][update]: the update after step k
    /// for k = 0..n−2, each row padded with zeros to [`shock_stride`].
    shock_n: Vec<f64>,
    /// The shocks' growth factors exp(drift + sd·z), same layout.
    shock: Vec<f64>,
    /// Run-rate of each segment at the start of each step, [segment][step], $B/yr.
    r_path: Vec<f64>,
    seg_streams: Vec<Stream>,
    ev_streams: Vec<Stream>,
    next_fire: Vec<usize>,
    /// The trial's event firings, (update step, event), in order.
    fires: Vec<(usize, usize)>,
    /// Cash at t_0..t_n, $B.
    pub cash: Vec<f64>,
    /// Revenue run-rate at the start of each step, $B/yr.
    pub revenue: Vec<f64>,
    /// Obligations paid in each step, annualised, $B/yr.
    pub obligations: Vec<f64>,
    /// Other costs in each step, annualised, $B/yr.
    pub costs: Vec<f64>,
    /// The trial's results.
    pub outcome: Outcome,
}

impl Scratch {
    /// Working memory sized for `model`.
    pub fn new(model: &Model) -> Scratch {
        let n = model.grid.n;
        let ni = model.inputs.len();
        let m = model.segments.len();
        let seed_stream = stream(0, 0, 0);
        Scratch {
            x: vec![0.0; ni],
            point: (0, 0),
            u: vec![0.0; ni],
            u_from_z: u_from_z(model),
            bins: vec![0; ni],
            z: vec![0.0; ni],
            ztmp: vec![0.0; model.copula.as_ref().map_or(0, |c| c.members.len())],
            funding: vec![0.0; n],
            oblig_var: vec![0.0; n],
            flex: vec![(0.0, 0.0); n_deferrable(model)],
            booked: vec![0.0; n],
            par: TrialPar::default(),
            cap_gw: vec![0.0; if model.capacity.is_some() { n } else { 0 }],
            demand: vec![0.0; if model.capacity.is_some() { n } else { 0 }],
            cap_limit: vec![0.0; if model.capacity.is_some() { n } else { 0 }],
            net_plain: vec![0.0; n],
            gap_snaps: vec![gap::Snap::default(); model.grid.report.len()],
            deferred_into: vec![0.0; n],
            year_ocf: vec![0.0; model.grid.years.len()],
            year_interest: vec![0.0; model.grid.years.len()],
            r: vec![0.0; m],
            mult: vec![1.0; m],
            after: vec![f64::NAN; m],
            seg_par: vec![SegPar::default(); m],
            step_growth: vec![0.0; m * n],
            shock_n: vec![0.0; m * shock_stride(n)],
            shock: vec![0.0; m * shock_stride(n)],
            r_path: vec![0.0; m * n],
            seg_streams: vec![seed_stream.clone(); m],
            ev_streams: vec![seed_stream; model.events.len()],
            next_fire: vec![usize::MAX; model.events.len()],
            fires: Vec::with_capacity(model.events.len()),
            cash: vec![0.0; n + 1],
            revenue: vec![0.0; n],
            obligations: vec![0.0; n],
            costs: vec![0.0; n],
            outcome: Outcome {
                report_gaps: vec![0.0; model.grid.report.len()],
                report_deficits: vec![0.0; model.grid.report.len()],
                years: vec![0.0; years::figures(model)],
                ..Outcome::default()
            },
        }
    }

    /// The trial's event firings, (update step k, event index), in order: the event hits
    /// the run-rates from t_(k+1) on.
    pub fn fires(&self) -> &[(usize, usize)] {
        &self.fires
    }

    /// Revenue left unserved for lack of capacity over the horizon, $B (`None` without
    /// `[capacity]`).
    pub fn unserved_revenue(&self) -> Option<f64> {
        (!self.cap_gw.is_empty())
            .then(|| self.outcome.years[years::SERIES.len() * self.year_ocf.len()])
    }

    /// Input `i`'s uniform u = F(x): drawn directly, or Φ(z) for a copula member.
    pub fn u(&self, i: usize) -> f64 {
        if self.u_from_z[i] {
            normal_cdf(self.z[i])
        } else {
            self.u[i]
        }
    }
}

/// Per input, whether its value comes from z alone (see [`Scratch::u`]).
fn u_from_z(model: &Model) -> Vec<bool> {
    let mut v = vec![false; model.inputs.len()];
    if let Some(c) = &model.copula {
        for &i in &c.members {
            v[i] = model.inputs[i].dist.quantile_needs_only_z();
        }
    }
    v
}

/// One step of a traced trial: every flow, for `funding-gap trace`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct TraceStep {
    /// Start of the step, decimal year.
    pub t: f64,
    /// Run-rate of each segment at the start of the step, $B/yr.
    pub run_rates: Vec<f64>,
    /// Revenue booked, $B.
    pub revenue: f64,
    /// Other costs, $B.
    pub costs: f64,
    /// Obligations paid (including amounts deferred into this step), $B.
    pub obligations_paid: f64,
    /// Flexible payments moved out of this step, $B.
    pub deferred: f64,
    /// Cash from rounds, $B.
    pub rounds: f64,
    /// Cash from the IPO, $B.
    pub ipo: f64,
    /// Debt drawn in this step, $B.
    pub debt_drawn: f64,
    /// Interest paid, $B.
    pub interest: f64,
    /// Cash at the end of the step, $B.
    pub cash_end: f64,
}

/// Where a trial's random numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Draws {
    /// The trial's own streams (a Monte Carlo trial).
    Random,
    /// Every input at its median, no revenue shocks, no events: the "median path", whose
    /// sources and uses of cash add up (used by `explain`).
    Median,
}

/// Runs trial `trial` of `model` with `seed`, leaving its path and results in `s`.
pub fn run_trial(model: &Model, seed: u64, trial: u64, s: &mut Scratch) {
    run_trial_with(model, seed, trial, s, Draws::Random, None);
}

/// Runs one trial with the given source of random numbers, recording every step into
/// `trace` when one is given (the trial is the same either way).
pub fn run_trial_with(
    model: &Model,
    seed: u64,
    trial: u64,
    s: &mut Scratch,
    draws: Draws,
    trace: Option<&mut Vec<TraceStep>>,
) {
    prepare(model, seed, trial, s, draws);
    cash::run(model, s, trace);
    write_gaps(model, s);
}

/// Runs trial `trial` with `extra` $B added to its starting cash, all else as drawn: the
/// experiment that defines the gap (the trial's gap is the least `extra` with which it never
/// falls below the floor).
pub fn run_trial_injected(model: &Model, seed: u64, trial: u64, s: &mut Scratch, extra: f64) {
    prepare(model, seed, trial, s, Draws::Random);
    s.par.cash0 += extra;
    cash::run(model, s, None);
    write_gaps(model, s);
}

/// Writes the trial's gap, over the horizon and by each report year, into its outcome
/// ([`gap::least_injection`] on the plain net flows). Call after the cash loop: a trial that
/// never runs short (deficit 0) needs no injection, so its gaps are 0 without a solve.
fn write_gaps(model: &Model, s: &mut Scratch) {
    if s.outcome.metrics[metric::DEFICIT] <= 0.0 {
        s.outcome.metrics[metric::GAP] = 0.0;
        s.outcome.report_gaps.fill(0.0);
        return;
    }
    prepare::plain_net(model, s);
    let terms = terms(model, s);
    let o = &mut s.outcome;
    let ends = model.grid.report.iter().map(|&(_, j)| j);
    o.metrics[metric::GAP] = gap::least_injections(
        &s.net_plain,
        terms,
        ends,
        &mut o.report_gaps,
        &mut s.gap_snaps,
    );
}

/// Terms of no trial: the side-by-side solve's value for lanes without one.
const ZERO_TERMS: gap::Terms = gap::Terms {
    cash0: 0.0,
    floor: 0.0,
    limit: 0.0,
    rate_dt: 0.0,
};

/// The trial's cash terms for the gap (after [`prepare`]).
fn terms(model: &Model, s: &Scratch) -> gap::Terms {
    let p = &s.par;
    gap::Terms {
        cash0: p.cash0,
        floor: p.floor,
        limit: p.limit,
        rate_dt: p.rate * model.grid.dt,
    }
}

/// The number of obligations whose payments can be deferred.
fn n_deferrable(model: &Model) -> usize {
    model.var_obligations.iter().filter(|o| o.can_defer).count()
}
