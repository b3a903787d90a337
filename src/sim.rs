//! One trial: a pure function of the compiled model, the seed and the trial index.
//!
//! [`run_trial`] samples the trial's inputs through the copula (`z = A·ε`, `u = Φ(z)`,
//! `x = F⁻¹(u)`), then steps cash forward (docs/model.md, "One trial"; the conventions of
//! docs/bench-model.md):
//!
//! ```text
//! pre       = cash_k + revenue_k − costs_k − obligations_k + funding_k − interest_k
//! draw_k    = min(min_cash − pre, limit − drawn)  if pre < min_cash
//! cash_k+1  = min_cash if the draw covers the need, else pre + draw_k
//! depth_k+1 = max(0, min_cash − cash_k+1)
//! ```
//!
//! It writes into a reusable [`Scratch`] and allocates nothing. No I/O, no threads.
//!
//! A trial runs in two parts. `prepare` computes everything that does not depend on cash,
//! per trial: the inputs, the funding schedule, the obligations due, the revenue path (all of
//! it, since revenue never depends on cash) and the other costs. The cash loop then steps
//! cash forward. The engine runs [`LANES`] trials at a time ([`run_batch`]): it prepares
//! each, then steps the batch's cash loops side by side, lane by lane, with every branch
//! written as a selection, so the compiler vectorises the loop across trials. Each lane does
//! exactly the operations a trial run alone ([`run_trial`]) does, in the same order, so the
//! results are the same to the bit (tests/engine/batch.rs).

use rand_distr::{Distribution, Exp1, StandardNormal};

use crate::dist::normal_cdf;
use crate::model::{Model, SegKind, ShareSrc, TrancheModel, VarCost};
use crate::rng::{Stream, stream, uniform};
use crate::sensitivity::{u_bin, z_bin};

/// Largest run-rate a segment can reach, $B/yr (a thousand times world GDP): growth that
/// would overflow f64 is capped here, so no output is ever infinite or NaN.
pub const MAX_RUN_RATE: f64 = 1e15;
/// Sampled inputs are clamped to ±this, for the same reason.
pub const MAX_INPUT: f64 = 1e15;

/// Names of the per-trial scalar results, in the order of [`Outcome::metrics`].
pub const METRIC_NAMES: [&str; 15] = [
    "gap",
    "cash_end",
    "cash_min",
    "revenue",
    "costs",
    "obligations_paid",
    "obligations_deferred_past_horizon",
    "funding_rounds",
    "tied_spend_new",
    "ipo_raise",
    "debt_drawn",
    "interest",
    "peak_annual_burn",
    "tied_spend_counted",
    "round_net_new_cash",
];

/// Indices into [`Outcome::metrics`].
pub mod metric {
    /// Funding gap over the horizon, $B.
    pub const GAP: usize = 0;
    /// Cash at the end, $B.
    pub const CASH_END: usize = 1;
    /// Lowest cash over the horizon, $B.
    pub const CASH_MIN: usize = 2;
    /// Cumulative revenue, $B.
    pub const REVENUE: usize = 3;
    /// Cumulative other costs, $B.
    pub const COSTS: usize = 4;
    /// Cumulative obligations paid, $B.
    pub const OBLIGATIONS: usize = 5;
    /// Flexible payments deferred past the horizon, $B.
    pub const DROPPED: usize = 6;
    /// Cash from rounds inside the horizon, $B.
    pub const FUNDING_ROUNDS: usize = 7;
    /// New obligations created by tied spend, $B.
    pub const TIED: usize = 8;
    /// Cash raised at the IPO, $B.
    pub const IPO_RAISE: usize = 9;
    /// Debt drawn, $B.
    pub const DEBT: usize = 10;
    /// Interest paid, $B.
    pub const INTEREST: usize = 11;
    /// Largest calendar-year operating burn, $B.
    pub const PEAK_BURN: usize = 12;
    /// Tied spend that counts toward an existing contract (no new outflow), $B.
    pub const TIED_COUNTED: usize = 13;
    /// Cash from rounds inside the horizon less the new obligations their tied spend
    /// creates, $B: what the rounds add after the circular part.
    pub const NET_NEW_CASH: usize = 14;
}

/// Number of scalar metrics.
pub const N_METRICS: usize = METRIC_NAMES.len();

/// The results of one trial.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Scalar results, see [`METRIC_NAMES`].
    pub metrics: [f64; N_METRICS],
    /// Gap up to the end of each report year.
    pub report_gaps: Vec<f64>,
    /// Cash index j of the first step with cash below the floor.
    pub first_shortfall: Option<usize>,
    /// Index (into the grid's years) of the first year with operating cash flow ≥ 0.
    pub breakeven_year: Option<usize>,
    /// Step of the IPO, if it happened inside the horizon.
    pub ipo_step: Option<usize>,
}

/// Per-trial working memory, allocated once per worker and reused.
#[derive(Debug, Clone)]
pub struct Scratch {
    /// Sampled input values x.
    pub x: Vec<f64>,
    /// Their uniforms u = Φ(z). In the engine's batches a copula member whose value comes
    /// from z alone ([`crate::model::Copula::z_only`]) skips Φ and leaves its u NaN; a
    /// scratch that runs alone ([`run_trial`], `trace`, `explain`) computes every u.
    pub u: Vec<f64>,
    /// The sensitivity bin of each input's u ([`crate::sensitivity::u_bin`]), set even
    /// where u is skipped.
    pub bins: Vec<u8>,
    /// Whether every u is wanted (see `u`).
    all_u: bool,
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
    /// The cash loop's buffers when this scratch runs alone ([`run_trial`]).
    one: Lanes<1>,
    /// Per segment, the run-rate: at the start (set by [`prepare`]), then as the recurrence
    /// steps.
    r: Vec<f64>,
    /// Per segment, the product of its shocks and event factors (path segments).
    mult: Vec<f64>,
    /// Per segment, its growth rate after an event, NaN before any.
    after: Vec<f64>,
    seg_par: Vec<SegPar>,
    /// Per segment, the growth factor (1 + g(t_k))^dt of each step, when it does not depend
    /// on the state (no ceiling); [segment][step].
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

/// A trial's scalars for the cash loop, set by [`prepare`].
#[derive(Debug, Clone, Copy, Default)]
struct TrialPar {
    cash0: f64,
    floor: f64,
    limit: f64,
    rate: f64,
    /// Step of the IPO, `usize::MAX` if none inside the horizon.
    ipo_step: usize,
    /// Cash raised at the IPO (it depends on revenue only, so it is known before the cash
    /// loop and already counted in `funding`).
    ipo_raise: f64,
    /// Cash from rounds in the IPO's step, without the IPO (for the trace).
    rounds_at_ipo: f64,
    /// Cumulative revenue and other costs, $B (neither depends on cash).
    revenue_total: f64,
    costs_total: f64,
    funding_rounds: f64,
    tied_new: f64,
    tied_counted: f64,
}

/// The number of obligations whose payments can be deferred.
fn n_deferrable(model: &Model) -> usize {
    model.var_obligations.iter().filter(|o| o.can_defer).count()
}

#[derive(Debug, Clone, Copy, Default)]
struct SegPar {
    g0: f64,
    ginf: f64,
    half_life: f64,
    ceiling: f64,
    scale: f64,
    sd: f64,
    drift: f64,
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
            u: vec![0.0; ni],
            bins: vec![0; ni],
            all_u: true,
            z: vec![0.0; ni],
            ztmp: vec![0.0; model.copula.as_ref().map_or(0, |c| c.members.len())],
            funding: vec![0.0; n],
            oblig_var: vec![0.0; n],
            flex: vec![(0.0, 0.0); n_deferrable(model)],
            booked: vec![0.0; n],
            par: TrialPar::default(),
            one: Lanes::default(),
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
                ..Outcome::default()
            },
        }
    }
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

/// Sets every input to its median (z = 0, u = ½).
fn median_inputs(model: &Model, s: &mut Scratch) {
    for (i, inp) in model.inputs.iter().enumerate() {
        s.z[i] = 0.0;
        s.u[i] = 0.5;
        s.bins[i] = u_bin(0.5);
        s.x[i] = inp.dist.quantile_from_z(0.0, 0.5);
    }
}

/// Draws trial `trial`'s inputs into `x` (values) and `u` (uniforms).
///
/// An input outside the copula takes its u straight from a counter-based hash of
/// (seed, trial, path), and x = F⁻¹(u). A copula member draws a standard normal ε from its
/// stream, the copula mixes them (z = A·ε), and u = Φ(z), x = F⁻¹(Φ(z)).
pub fn sample_inputs(model: &Model, seed: u64, trial: u64, s: &mut Scratch) {
    for &i in &model.independent {
        let inp = &model.inputs[i];
        let u = uniform(seed, trial, inp.key);
        s.u[i] = u;
        s.bins[i] = u_bin(u);
        s.x[i] = inp.dist.quantile(u).clamp(-MAX_INPUT, MAX_INPUT);
    }
    if let Some(c) = &model.copula {
        let m = c.members.len();
        for (a, &i) in c.members.iter().enumerate() {
            s.ztmp[a] = StandardNormal.sample(&mut stream(seed, trial, model.inputs[i].key));
        }
        for (a, &i) in c.members.iter().enumerate() {
            let row = &c.factor[a * m..(a + 1) * m];
            let z: f64 = row.iter().zip(&s.ztmp).map(|(f, e)| f * e).sum();
            // Φ is the costliest step here; a value from z alone does not need it.
            let u = if s.all_u || !c.z_only[a] {
                normal_cdf(z)
            } else {
                f64::NAN
            };
            s.z[i] = z;
            s.u[i] = u;
            s.bins[i] = z_bin(z, &c.z_bin_edges);
            s.x[i] = model.inputs[i]
                .dist
                .quantile_from_z(z, u)
                .clamp(-MAX_INPUT, MAX_INPUT);
        }
    }
}

/// Length of a segment's row of shocks: the n − 1 updates, padded to a multiple of 8 so that
/// the loops over a row (mixing, exponentials) run in whole vectors, with no scalar tail.
fn shock_stride(n: usize) -> usize {
    n.saturating_sub(1).next_multiple_of(8)
}

/// Geometric number of steps until an event with hazard `rate` fires: floor(E / (rate·dt)).
#[inline]
fn steps_until(rng: &mut Stream, rate: f64, dt: f64) -> usize {
    if rate <= 0.0 {
        return usize::MAX;
    }
    let e: f64 = Exp1.sample(rng);
    let k = (e / (rate * dt)).floor();
    if k >= usize::MAX as f64 {
        usize::MAX
    } else {
        k as usize
    }
}

/// A run of update steps `k..stop` of the segments' recurrences, in the layouts of
/// [`Scratch`] (`n` steps a row of run-rates and growth factors, `w` a row of shocks).
struct Run {
    k: usize,
    stop: usize,
    n: usize,
    w: usize,
}

impl Run {
    /// The tight recurrence r ← min(r·g_k·z_k, cap) of `M` segments side by side: each
    /// segment's numbers are those of its own loop, but the `M` chains of dependent
    /// multiplications overlap instead of running one after another.
    #[inline]
    fn tight_joint<const M: usize>(
        &self,
        r: &mut [f64],
        r_path: &mut [f64],
        step_growth: &[f64],
        shock: &[f64],
    ) {
        let Run { k, stop, n, w } = *self;
        let len = stop - k;
        let mut rows = r_path.chunks_exact_mut(n);
        let out: [&mut [f64]; M] =
            std::array::from_fn(|_| &mut rows.next().unwrap_or_default()[k..stop]);
        let gs: [&[f64]; M] = std::array::from_fn(|i| &step_growth[i * n + k..i * n + stop]);
        let zs: [&[f64]; M] = std::array::from_fn(|i| &shock[i * w + k..i * w + stop]);
        let mut rv: [f64; M] = std::array::from_fn(|i| r[i]);
        for t in 0..len {
            for i in 0..M {
                out[i][t] = rv[i];
                rv[i] = (rv[i] * gs[i][t] * zs[i][t]).min(MAX_RUN_RATE);
            }
        }
        r[..M].copy_from_slice(&rv);
    }
}

/// Fills `s.r_path` with every segment's run-rate at the start of each step and `s.revenue`
/// with their sum. Revenue does not depend on cash, so its whole path is computed before the
/// cash loop: the shocks' normals segment by segment (each segment has its own stream, so
/// these are the numbers a step-by-step loop would draw), their mixing and exponentials in
/// tight loops, then the recurrence with the events.
fn revenue_path(model: &Model, s: &mut Scratch, random: bool) {
    let g = &model.grid;
    let (n, dt) = (g.n, g.dt);
    let m = model.segments.len();
    let updates = n.saturating_sub(1);
    let w = shock_stride(n);
    let Scratch {
        x,
        r,
        mult,
        after,
        seg_par,
        step_growth,
        shock_n,
        shock,
        r_path,
        seg_streams,
        ev_streams,
        next_fire,
        fires,
        revenue,
        ..
    } = s;
    let x = &x[..];
    if updates > 0 {
        if random {
            for (row, rng) in shock_n.chunks_exact_mut(w).zip(seg_streams.iter_mut()) {
                for z in &mut row[..updates] {
                    *z = StandardNormal.sample(rng);
                }
            }
        } else {
            shock_n.fill(0.0);
        }
        for (i, (out, p)) in shock.chunks_exact_mut(w).zip(&*seg_par).enumerate() {
            if p.sd == 0.0 {
                out.fill(1.0);
                continue;
            }
            // z = Σ_j a_ij·n_j, summed in the order of j; then the factors, in loops over the
            // steps that vectorise.
            match &model.seg_factor {
                Some(a) => {
                    out.fill(0.0);
                    for (j, &c) in a[i * m..(i + 1) * m].iter().enumerate() {
                        let nj = &shock_n[j * w..(j + 1) * w];
                        for (o, &z) in out.iter_mut().zip(nj) {
                            *o += c * z;
                        }
                    }
                }
                None => out.copy_from_slice(&shock_n[i * w..(i + 1) * w]),
            }
            let (drift, sd) = (p.drift, p.sd);
            for o in out.iter_mut() {
                *o = crate::fastmath::exp(drift + sd * *o);
            }
        }
    }

    // Every firing of every event, as (update step, event) in step order then event order:
    // an event's arrivals come from its own stream, so they can all be drawn up front.
    fires.clear();
    for (e, ev) in model.events.iter().enumerate() {
        let mut k = next_fire[e];
        while k < updates {
            fires.push((k, e));
            if !ev.recurring {
                break;
            }
            k = steps_until(&mut ev_streams[e], ev.hazard.get(x), dt).saturating_add(k + 1);
        }
    }
    fires.sort_unstable();

    // The segments' recurrences (no segment depends on another), in runs of steps between
    // firings. In a run where every segment takes the tight loop (a growth segment without a
    // ceiling or a post-event growth rate), the segments step side by side so that their
    // chains of multiplications overlap; each segment's operations are the same as on its
    // own, in the same order.
    mult[..m].fill(1.0);
    after[..m].fill(f64::NAN);
    let mut f = 0;
    let mut k = 0;
    while k < updates {
        // Update steps k..stop, then the firings of step stop − 1.
        let stop = fires.get(f).map_or(updates, |&(kf, _)| kf + 1);
        let all_tight = model.segments.iter().zip(&after[..m]).all(|(seg, a)| {
            matches!(seg.kind, SegKind::Growth { ceiling: None, .. }) && a.is_nan()
        });
        let run = Run { k, stop, n, w };
        match m {
            2 if all_tight => run.tight_joint::<2>(r, r_path, step_growth, shock),
            3 if all_tight => run.tight_joint::<3>(r, r_path, step_growth, shock),
            4 if all_tight => run.tight_joint::<4>(r, r_path, step_growth, shock),
            _ => {
                for (i, seg) in model.segments.iter().enumerate() {
                    let p = &seg_par[i];
                    let row = &mut r_path[i * n..(i + 1) * n];
                    let sh = &shock[i * w..i * w + updates];
                    let sg = &step_growth[i * n..(i + 1) * n];
                    let (ri, mult, after) = (&mut r[i], &mut mult[i], after[i]);
                    match &seg.kind {
                        SegKind::Growth { ceiling: None, .. } if after.is_nan() => run
                            .tight_joint::<1>(
                                std::slice::from_mut(ri),
                                row,
                                sg,
                                &shock[i * w..(i + 1) * w],
                            ),
                        SegKind::Path { level, .. } if after.is_nan() => {
                            for j in k..stop {
                                row[j] = *ri;
                                *mult = (*mult * sh[j]).min(MAX_RUN_RATE);
                                *ri = (p.scale * level[j + 1] * *mult).min(MAX_RUN_RATE);
                            }
                        }
                        kind => {
                            for j in k..stop {
                                row[j] = *ri;
                                let mut growth = if !after.is_nan() {
                                    after
                                } else {
                                    let decay = match kind {
                                        SegKind::Growth { decay: Some(d), .. } => d[j],
                                        _ => (-(g.t[j] - g.start) / p.half_life).exp2(),
                                    };
                                    p.ginf + (p.g0 - p.ginf) * decay
                                };
                                if p.ceiling.is_finite() {
                                    growth *= (1.0 - *ri / p.ceiling).max(0.0);
                                }
                                *ri = (*ri * g.step_power(1.0 + growth) * sh[j])
                                    .min(p.ceiling)
                                    .min(MAX_RUN_RATE);
                            }
                        }
                    }
                }
            }
        }
        while let Some(&(kf, e)) = fires.get(f) {
            if kf + 1 != stop {
                break;
            }
            f += 1;
            let ev = &model.events[e];
            for &i in &ev.segments {
                let factor = ev.factor.get(x);
                r[i] = (r[i] * factor).min(MAX_RUN_RATE);
                mult[i] = (mult[i] * factor).min(MAX_RUN_RATE);
                if let Some(a) = ev.growth_after {
                    after[i] = a.get(x);
                }
            }
        }
        k = stop;
    }
    for (row, &ri) in r_path.chunks_exact_mut(n).zip(&r[..m]) {
        if let Some(last) = row.last_mut() {
            *last = ri;
        }
    }
    for (k, rev) in revenue.iter_mut().enumerate() {
        *rev = (0..m).map(|i| r_path[i * n + k]).sum();
    }
}

/// Number of trials the engine steps together through the cash loop ([`run_batch`]).
pub const LANES: usize = 8;

/// One step's values of the `L` lanes, on a cache line of its own: a row is then one aligned
/// vector load (where it is not aligned, every load of eight lanes spans two cache lines,
/// and the alignment a buffer happens to get depends on the allocator's state).
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Row<const L: usize>([f64; L]);

impl<const L: usize> Row<L> {
    const ZERO: Row<L> = Row([0.0; L]);
}

impl<const L: usize> std::ops::Deref for Row<L> {
    type Target = [f64; L];
    fn deref(&self) -> &[f64; L] {
        &self.0
    }
}

impl<const L: usize> std::ops::DerefMut for Row<L> {
    fn deref_mut(&mut self) -> &mut [f64; L] {
        &mut self.0
    }
}

/// The cash loop's working memory for `L` trials side by side: `[step][lane]`.
#[derive(Debug, Clone, Default)]
struct Lanes<const L: usize> {
    /// Revenue run-rate at the start of each step, $B/yr.
    rate: Vec<Row<L>>,
    /// Other costs booked, $B.
    cost: Vec<Row<L>>,
    /// Obligations due before deferral, then (after the step) paid, $B.
    oblig: Vec<Row<L>>,
    /// Cash from rounds, $B.
    funding: Vec<Row<L>>,
    /// Flexible payments deferred into each step, $B.
    deferred: Vec<Row<L>>,
    /// Cash at t_0..t_n, $B.
    cash: Vec<Row<L>>,
    /// Operating cash flow of each calendar year, $B.
    year_ocf: Vec<Row<L>>,
    /// Gap by each report year, $B.
    report: Vec<Row<L>>,
    /// Per deferrable obligation: amount factor and flexible share.
    flex: Vec<(Row<L>, Row<L>)>,
}

impl<const L: usize> Lanes<L> {
    /// Sizes the buffers for `model` (allocates only the first time).
    fn fit(&mut self, model: &Model) {
        let g = &model.grid;
        let n = g.n;
        for (v, len) in [
            (&mut self.rate, n),
            (&mut self.cost, n),
            (&mut self.oblig, n),
            (&mut self.funding, n),
            (&mut self.deferred, n),
            (&mut self.cash, n + 1),
            (&mut self.year_ocf, g.years.len()),
            (&mut self.report, g.report.len()),
        ] {
            v.resize(len, Row::ZERO);
        }
        self.flex
            .resize(n_deferrable(model), (Row::ZERO, Row::ZERO));
    }
}

/// [`LANES`] trials run together: their scratches and the shared cash-loop buffers.
#[derive(Debug, Clone)]
pub struct Batch {
    lanes: Vec<Scratch>,
    buf: Lanes<LANES>,
}

impl Batch {
    /// Working memory for a batch of `model`'s trials.
    pub fn new(model: &Model) -> Batch {
        let mut buf = Lanes::default();
        buf.fit(model);
        let lane = Scratch {
            all_u: false,
            ..Scratch::new(model)
        };
        Batch {
            lanes: vec![lane; LANES],
            buf,
        }
    }

    /// The scratch of lane `l`: the path and results of the batch's `l`-th trial.
    pub fn lane(&self, l: usize) -> &Scratch {
        &self.lanes[l]
    }
}

/// Runs trials `first..first + count` (`1 ≤ count ≤ LANES`) of `model` with `seed`; lane
/// `l` of `batch` holds trial `first + l`. Each trial's results are bit for bit those of
/// [`run_trial`]: every lane performs the same operations in the same order, only side by
/// side, so the compiler can vectorise the cash loop across trials.
pub fn run_batch(model: &Model, seed: u64, first: u64, count: usize, batch: &mut Batch) {
    let last = count.clamp(1, LANES) - 1;
    for (l, s) in batch.lanes.iter_mut().enumerate() {
        // Lanes past `count` repeat the last trial; their results are not read.
        prepare(model, seed, first + l.min(last) as u64, s, Draws::Random);
    }
    batch.buf.fit(model);
    cash_loop(model, &mut batch.lanes, &mut batch.buf, None);
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
    let mut one = std::mem::take(&mut s.one);
    one.fit(model);
    cash_loop(model, std::slice::from_mut(s), &mut one, trace);
    s.one = one;
}

/// Everything of a trial that does not depend on cash: its inputs, funding schedule,
/// obligations due, revenue path and other costs, per step.
fn prepare(model: &Model, seed: u64, trial: u64, s: &mut Scratch, draws: Draws) {
    let random = draws == Draws::Random;
    if random {
        sample_inputs(model, seed, trial, s);
    } else {
        median_inputs(model, s);
    }
    let g = &model.grid;
    let (n, dt) = (g.n, g.dt);
    let m = model.segments.len();
    let x = &s.x;

    // Funding and trial-specific obligations, known before the first step.
    s.funding.fill(0.0);
    s.oblig_var.fill(0.0);
    let ipo_step = model.ipo.as_ref().and_then(|ipo| {
        (ipo.happens.get(x) > 0.5)
            .then(|| g.step_of(ipo.date.get(x)))
            .flatten()
    });
    let ipo_date = model
        .ipo
        .as_ref()
        .map_or(f64::INFINITY, |ipo| ipo.date.get(x));
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
            for t in &p.tranches {
                let (share, step) = match *t {
                    TrancheModel::AtStep { share, step } => (share, Some(step)),
                    TrancheModel::OnIpo { share, lapses } => {
                        (share, ipo_step.filter(|_| ipo_date < lapses))
                    }
                    TrancheModel::Never => (0.0, None),
                };
                if let Some(k) = step {
                    s.funding[k] += share * amount;
                    funding_rounds += share * amount;
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
                Some((share, None)) => tied_counted += share * amount,
                None => {}
            }
        }
    }
    let mut flex = s.flex.iter_mut();
    for o in &model.var_obligations {
        let factor = o.total.get(x) * o.realized.get(x);
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

    // Revenue segments.
    for (i, seg) in model.segments.iter().enumerate() {
        let vol = seg.volatility.get(x);
        let mut p = SegPar {
            sd: vol * dt.sqrt(),
            drift: -0.5 * vol * vol * dt,
            ceiling: f64::INFINITY,
            scale: 1.0,
            ..SegPar::default()
        };
        s.r[i] = match &seg.kind {
            SegKind::Growth {
                run_rate,
                growth,
                terminal,
                half_life,
                ceiling,
                decay,
            } => {
                p.g0 = growth.get(x);
                p.ginf = terminal.get(x);
                p.half_life = half_life.get(x);
                p.ceiling = ceiling.map_or(f64::INFINITY, |c| c.get(x));
                if ceiling.is_none() {
                    // Growth does not depend on the state: all steps' factors in one tight
                    // loop, where the roots pipeline instead of stalling the step loop.
                    let out = &mut s.step_growth[i * n..(i + 1) * n];
                    match decay {
                        Some(d) => {
                            for (f, dk) in out.iter_mut().zip(d) {
                                *f = 1.0 + p.ginf + (p.g0 - p.ginf) * dk;
                            }
                        }
                        None => {
                            for (f, &tk) in out.iter_mut().zip(&g.t) {
                                let dk = (-(tk - g.start) / p.half_life).exp2();
                                *f = 1.0 + p.ginf + (p.g0 - p.ginf) * dk;
                            }
                        }
                    }
                    g.step_power_all(out);
                }
                run_rate.get(x).min(p.ceiling)
            }
            SegKind::Path { level, scale } => {
                p.scale = scale.get(x);
                p.scale * level[0]
            }
        };
        s.seg_par[i] = p;
        s.seg_streams[i] = stream(seed, trial, seg.key);
    }
    for (e, ev) in model.events.iter().enumerate() {
        s.ev_streams[e] = stream(seed, trial, ev.key);
        s.next_fire[e] = if random {
            steps_until(&mut s.ev_streams[e], ev.hazard.get(x), dt)
        } else {
            usize::MAX
        };
    }

    revenue_path(model, s, random);
    let x = &s.x;

    // Other costs booked in each step: the fixed lines, then each uncertain line, then each
    // revenue share, in that order (the order of the sums does not change with the layout).
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

    // The IPO raises a share of its valuation, a multiple of the run-rate at the start of its
    // step: revenue only, so it joins that step's funding here.
    let mut ipo_raise = 0.0;
    let mut rounds_at_ipo = 0.0;
    if let (Some(k), Some(ipo)) = (ipo_step, &model.ipo) {
        let raise = ipo.raise_share.get(x) * ipo.multiple.get(x) * s.revenue[k];
        ipo_raise += raise;
        rounds_at_ipo = s.funding[k];
        s.funding[k] += raise;
    }
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
        funding_rounds,
        tied_new,
        tied_counted,
    };
}

/// Steps cash forward for the `L` prepared trials in `s`, side by side: each lane's
/// arithmetic is exactly the scalar recurrence of the module docs, with its branches written
/// as selections so that lanes never diverge. Records lane 0 into `trace` when given.
fn cash_loop<const L: usize>(
    model: &Model,
    s: &mut [Scratch],
    b: &mut Lanes<L>,
    mut trace: Option<&mut Vec<TraceStep>>,
) {
    let g = &model.grid;
    let (n, dt) = (g.n, g.dt);
    // Both callers pass exactly L scratches (a batch's, or one for a lone trial).
    let s: &mut [Scratch; L] = match s.try_into() {
        Ok(s) => s,
        Err(_) => unreachable!("cash_loop::<{L}> given {} scratches", s.len()),
    };
    if let Some(t) = trace.as_deref_mut() {
        t.clear();
    }

    // Lanes side by side: [step][lane].
    for (l, sl) in s.iter().enumerate() {
        for (rows, v) in [
            (&mut b.rate, &sl.revenue),
            (&mut b.cost, &sl.booked),
            (&mut b.oblig, &sl.oblig_var),
            (&mut b.funding, &sl.funding),
        ] {
            for (row, &x) in rows.iter_mut().zip(v) {
                row[l] = x;
            }
        }
        for ((fac, flx), &(f, fl)) in b.flex.iter_mut().zip(&sl.flex) {
            fac[l] = f;
            flx[l] = fl;
        }
    }
    b.deferred.fill(Row::ZERO);
    b.year_ocf.fill(Row::ZERO);
    let par: [TrialPar; L] = std::array::from_fn(|l| s[l].par);
    let floor: [f64; L] = std::array::from_fn(|l| par[l].floor);
    let limit: [f64; L] = std::array::from_fn(|l| par[l].limit);
    let rate: [f64; L] = std::array::from_fn(|l| par[l].rate);
    let mut cash: [f64; L] = std::array::from_fn(|l| par[l].cash0);
    *b.cash[0] = cash;
    let mut drawn = [0.0; L];
    let mut dropped = [0.0; L];
    let mut oblig_total = [0.0; L];
    let mut interest_total = [0.0; L];
    let mut cash_min = cash;
    let mut gap: [f64; L] = std::array::from_fn(|l| (floor[l] - cash[l]).max(0.0));
    let mut first: [f64; L] =
        std::array::from_fn(|l| if gap[l] > 0.0 { 0.0 } else { f64::INFINITY });
    let mut rp = 0;
    while rp < g.report.len() && g.report[rp].1 == 0 {
        *b.report[rp] = gap;
        rp += 1;
    }
    let deferrable = || model.var_obligations.iter().filter(|o| o.can_defer);

    for k in 0..n {
        let run_rate = *b.rate[k];
        let cost = *b.cost[k];
        let mut revenue = [0.0; L];
        let mut oblig = [0.0; L];
        let mut stressed = [false; L];
        let due = *b.oblig[k];
        let into = *b.deferred[k];
        for l in 0..L {
            revenue[l] = run_rate[l] * dt;
            oblig[l] = due[l] + into[l];
            stressed[l] = cash[l] < floor[l];
        }

        // Flexible deferral when cash starts the step below the floor.
        let mut moved_out = [0.0; L];
        for (o, (fac, flx)) in deferrable().zip(&b.flex) {
            let unit = o.unit[k];
            let mut moved = [0.0; L];
            let mut defer = [false; L];
            for l in 0..L {
                let scheduled = fac[l] * unit;
                defer[l] = stressed[l] & (flx[l] > 0.0) & (scheduled > 0.0);
                moved[l] = flx[l] * scheduled;
                oblig[l] = if defer[l] {
                    oblig[l] + (scheduled - moved[l])
                } else {
                    oblig[l] + scheduled
                };
                moved_out[l] = if defer[l] {
                    moved_out[l] + moved[l]
                } else {
                    moved_out[l]
                };
            }
            let to = k + o.deferral_steps;
            let target = if to < n {
                &mut *b.deferred[to]
            } else {
                &mut dropped
            };
            for l in 0..L {
                target[l] = if defer[l] {
                    target[l] + moved[l]
                } else {
                    target[l]
                };
            }
        }

        // Funding (the IPO included), debt and the floor. Simple loops over the lanes, in
        // which every branch is a selection (and step numbers are compared as floats),
        // vectorise.
        let kf = k as f64;
        let funding = *b.funding[k];
        let drawn_before = drawn;
        let mut interest = [0.0; L];
        let mut pre = [0.0; L];
        for l in 0..L {
            interest[l] = rate[l] * drawn[l] * dt;
            pre[l] = cash[l] + revenue[l] - cost[l] - oblig[l] + funding[l] - interest[l];
        }
        for l in 0..L {
            let room = limit[l] - drawn[l];
            let need = floor[l] - pre[l];
            let low = pre[l] < floor[l];
            let fits = need <= room;
            let covered = low & fits;
            let partial = low & !fits & (room > 0.0);
            let add = if covered { need } else { room };
            drawn[l] = if covered | partial {
                drawn[l] + add
            } else {
                drawn[l]
            };
            let lifted = if covered { floor[l] } else { pre[l] + room };
            cash[l] = if covered | partial { lifted } else { pre[l] };
        }
        *b.cash[k + 1] = cash;
        for l in 0..L {
            cash_min[l] = cash_min[l].min(cash[l]);
            let depth = floor[l] - cash[l];
            let short = depth > 0.0;
            first[l] = if short & (first[l] == f64::INFINITY) {
                kf + 1.0
            } else {
                first[l]
            };
            gap[l] = if short { gap[l].max(depth) } else { gap[l] };
        }
        let year = &mut *b.year_ocf[g.year_of_step[k]];
        for l in 0..L {
            oblig_total[l] += oblig[l];
            interest_total[l] += interest[l];
            year[l] += revenue[l] - cost[l] - oblig[l];
        }
        // Paid, annualised.
        for (paid, &o) in b.oblig[k].iter_mut().zip(&oblig) {
            *paid = o / dt;
        }
        while rp < g.report.len() && g.report[rp].1 == k + 1 {
            *b.report[rp] = gap;
            rp += 1;
        }

        if let Some(t) = trace.as_deref_mut() {
            let s0 = &s[0];
            t.push(TraceStep {
                t: g.t[k],
                run_rates: (0..model.segments.len())
                    .map(|i| s0.r_path[i * n + k])
                    .collect(),
                revenue: revenue[0],
                costs: cost[0],
                obligations_paid: oblig[0],
                deferred: moved_out[0],
                rounds: if k == par[0].ipo_step {
                    par[0].rounds_at_ipo
                } else {
                    funding[0]
                },
                ipo: if k == par[0].ipo_step {
                    par[0].ipo_raise
                } else {
                    0.0
                },
                debt_drawn: drawn[0] - drawn_before[0],
                interest: interest[0],
                cash_end: cash[0],
            });
        }
    }

    for (l, sl) in s.iter_mut().enumerate() {
        for (c, row) in sl.cash.iter_mut().zip(&b.cash) {
            *c = row[l];
        }
        for (o, row) in sl.obligations.iter_mut().zip(&b.oblig) {
            *o = row[l];
        }
        let p = &par[l];
        let o = &mut sl.outcome;
        for (r, row) in o.report_gaps.iter_mut().zip(&b.report) {
            *r = row[l];
        }
        o.first_shortfall = first[l].is_finite().then_some(first[l] as usize);
        o.ipo_step = (p.ipo_step != usize::MAX).then_some(p.ipo_step);
        o.breakeven_year = b.year_ocf.iter().position(|v| v[l] >= 0.0);
        let peak_burn = b.year_ocf.iter().fold(0.0_f64, |acc, v| acc.max(-v[l]));
        use metric::*;
        let mm = &mut o.metrics;
        mm[GAP] = gap[l];
        mm[CASH_END] = cash[l];
        mm[CASH_MIN] = cash_min[l];
        mm[REVENUE] = p.revenue_total;
        mm[COSTS] = p.costs_total;
        mm[OBLIGATIONS] = oblig_total[l];
        mm[DROPPED] = dropped[l];
        mm[FUNDING_ROUNDS] = p.funding_rounds;
        mm[TIED] = p.tied_new;
        mm[IPO_RAISE] = p.ipo_raise;
        mm[DEBT] = drawn[l];
        mm[INTEREST] = interest_total[l];
        mm[PEAK_BURN] = peak_burn;
        mm[TIED_COUNTED] = p.tied_counted;
        mm[NET_NEW_CASH] = p.funding_rounds - p.tied_new;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The joint recurrence gives each segment exactly the numbers of its own loop, for
    /// every width it is used with and for runs that start and stop inside the rows.
    #[test]
    fn joint_recurrence_matches_one_segment_at_a_time() {
        fn check<const M: usize>() {
            let (n, w) = (13, 16);
            // Factors around 1 with every third a large one, so the cap is reached too.
            let step_growth: Vec<f64> = (0..M * n)
                .map(|i| {
                    if i % 3 == 0 {
                        1e6
                    } else {
                        1.0 + 0.01 * i as f64
                    }
                })
                .collect();
            let shock: Vec<f64> = (0..M * w).map(|i| 0.9 + 0.013 * (i % 17) as f64).collect();
            for (k, stop) in [(0, n - 1), (2, 7), (5, 6), (4, 4)] {
                let r0: Vec<f64> = (0..M).map(|i| 1.5 + i as f64).collect();
                let mut r = r0.clone();
                let mut path = vec![0.0; M * n];
                Run { k, stop, n, w }.tight_joint::<M>(&mut r, &mut path, &step_growth, &shock);
                for i in 0..M {
                    let mut ri = r0[i];
                    for j in k..stop {
                        assert_eq!(path[i * n + j].to_bits(), ri.to_bits(), "M {M}, {i}, {j}");
                        ri = (ri * step_growth[i * n + j] * shock[i * w + j]).min(MAX_RUN_RATE);
                    }
                    assert_eq!(r[i].to_bits(), ri.to_bits(), "M {M}, segment {i}");
                }
            }
        }
        check::<2>();
        check::<3>();
        check::<4>();
    }
}
