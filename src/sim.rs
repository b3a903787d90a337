//! One trial: a pure function of the compiled model, the seed and the trial index.
//!
//! [`run_trial`] samples the trial's inputs through the copula (`z = A·ε`, `u = Φ(z)`,
//! `x = F⁻¹(u)`), then steps cash forward (DESIGN.md, "One trial"; the conventions of
//! BENCH_MODEL.md):
//!
//! ```text
//! pre       = cash_k + revenue_k − costs_k − obligations_k + funding_k − interest_k
//! draw_k    = min(min_cash − pre, limit − drawn)  if pre < min_cash
//! cash_k+1  = min_cash if the draw covers the need, else pre + draw_k
//! depth_k+1 = max(0, min_cash − cash_k+1)
//! ```
//!
//! It writes into a reusable [`Scratch`] and allocates nothing. No I/O, no threads.

use rand::RngExt;
use rand_distr::{Exp1, StandardNormal};

use crate::dist::normal_cdf;
use crate::model::{Model, SegKind, ShareSrc, TrancheModel, VarCost};
use crate::rng::{Stream, stream, uniform};

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
    /// Their uniforms u = Φ(z).
    pub u: Vec<f64>,
    z: Vec<f64>,
    ztmp: Vec<f64>,
    funding: Vec<f64>,
    oblig_var: Vec<f64>,
    deferred: Vec<f64>,
    flex: Vec<(f64, f64)>,
    r: Vec<f64>,
    seg_par: Vec<SegPar>,
    /// Per segment, the growth factor (1 + g(t_k))^dt of each step, when it does not depend
    /// on the state (no ceiling); [segment][step].
    step_growth: Vec<f64>,
    /// Standard normals of the segments' shocks, [segment][update]: the update after step k
    /// for k = 0..n−2.
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
    year_ocf: Vec<f64>,
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
            z: vec![0.0; ni],
            ztmp: vec![0.0; model.copula.as_ref().map_or(0, |c| c.members.len())],
            funding: vec![0.0; n],
            oblig_var: vec![0.0; n],
            deferred: vec![0.0; n],
            flex: Vec::with_capacity(model.var_obligations.len()),
            r: vec![0.0; m],
            seg_par: vec![SegPar::default(); m],
            step_growth: vec![0.0; m * n],
            shock_n: vec![0.0; m * n.saturating_sub(1)],
            shock: vec![0.0; m * n.saturating_sub(1)],
            r_path: vec![0.0; m * n],
            seg_streams: vec![seed_stream.clone(); m],
            ev_streams: vec![seed_stream; model.events.len()],
            next_fire: vec![usize::MAX; model.events.len()],
            fires: Vec::with_capacity(model.events.len()),
            year_ocf: vec![0.0; model.grid.years.len()],
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
        s.x[i] = inp.dist.quantile(u).clamp(-MAX_INPUT, MAX_INPUT);
    }
    if let Some(c) = &model.copula {
        let m = c.members.len();
        for (a, &i) in c.members.iter().enumerate() {
            s.ztmp[a] = stream(seed, trial, model.inputs[i].key).sample(StandardNormal);
        }
        for (a, &i) in c.members.iter().enumerate() {
            let row = &c.factor[a * m..(a + 1) * m];
            let z: f64 = row.iter().zip(&s.ztmp).map(|(f, e)| f * e).sum();
            let u = normal_cdf(z);
            s.z[i] = z;
            s.u[i] = u;
            s.x[i] = model.inputs[i]
                .dist
                .quantile_from_z(z, u)
                .clamp(-MAX_INPUT, MAX_INPUT);
        }
    }
}

/// Geometric number of steps until an event with hazard `rate` fires: floor(E / (rate·dt)).
#[inline]
fn steps_until(rng: &mut Stream, rate: f64, dt: f64) -> usize {
    if rate <= 0.0 {
        return usize::MAX;
    }
    let e: f64 = rng.sample(Exp1);
    let k = (e / (rate * dt)).floor();
    if k >= usize::MAX as f64 {
        usize::MAX
    } else {
        k as usize
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
    let Scratch {
        x,
        r,
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
            for (row, rng) in shock_n
                .chunks_exact_mut(updates)
                .zip(seg_streams.iter_mut())
            {
                for z in row {
                    *z = rng.sample(StandardNormal);
                }
            }
        } else {
            shock_n.fill(0.0);
        }
        for (i, (out, p)) in shock.chunks_exact_mut(updates).zip(&*seg_par).enumerate() {
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
                        let nj = &shock_n[j * updates..(j + 1) * updates];
                        for (o, &z) in out.iter_mut().zip(nj) {
                            *o += c * z;
                        }
                    }
                }
                None => out.copy_from_slice(&shock_n[i * updates..(i + 1) * updates]),
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

    // Each segment's recurrence on its own (no segment depends on another), in runs of steps
    // between firings; a segment without a ceiling or a post-event growth rate takes the
    // tight loop.
    for (i, seg) in model.segments.iter().enumerate() {
        let p = &seg_par[i];
        let row = &mut r_path[i * n..(i + 1) * n];
        let sh = &shock[i * updates..(i + 1) * updates];
        let sg = &step_growth[i * n..(i + 1) * n];
        let (mut ri, mut mult, mut after) = (r[i], 1.0_f64, f64::NAN);
        let mut f = 0;
        let mut k = 0;
        while k < updates {
            // Update steps k..stop, then the firings of step stop − 1.
            let stop = fires.get(f).map_or(updates, |&(kf, _)| kf + 1);
            match &seg.kind {
                SegKind::Growth { ceiling: None, .. } if after.is_nan() => {
                    for ((out, &gk), &zk) in
                        row[k..stop].iter_mut().zip(&sg[k..stop]).zip(&sh[k..stop])
                    {
                        *out = ri;
                        ri = (ri * gk * zk).min(MAX_RUN_RATE);
                    }
                }
                SegKind::Path { level, .. } if after.is_nan() => {
                    for j in k..stop {
                        row[j] = ri;
                        mult = (mult * sh[j]).min(MAX_RUN_RATE);
                        ri = (p.scale * level[j + 1] * mult).min(MAX_RUN_RATE);
                    }
                }
                kind => {
                    for j in k..stop {
                        row[j] = ri;
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
                            growth *= (1.0 - ri / p.ceiling).max(0.0);
                        }
                        ri = (ri * g.step_power(1.0 + growth) * sh[j])
                            .min(p.ceiling)
                            .min(MAX_RUN_RATE);
                    }
                }
            }
            while let Some(&(kf, e)) = fires.get(f) {
                if kf + 1 != stop {
                    break;
                }
                f += 1;
                let ev = &model.events[e];
                for _ in ev.segments.iter().filter(|&&j| j == i) {
                    let factor = ev.factor.get(x);
                    ri = (ri * factor).min(MAX_RUN_RATE);
                    mult = (mult * factor).min(MAX_RUN_RATE);
                    if let Some(a) = ev.growth_after {
                        after = a.get(x);
                    }
                }
            }
            k = stop;
        }
        if let Some(last) = row.last_mut() {
            *last = ri;
        }
    }
    for (k, rev) in revenue.iter_mut().enumerate() {
        *rev = (0..m).map(|i| r_path[i * n + k]).sum();
    }
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
    mut trace: Option<&mut Vec<TraceStep>>,
) {
    if let Some(t) = trace.as_deref_mut() {
        t.clear();
    }
    let random = draws == Draws::Random;
    if random {
        sample_inputs(model, seed, trial, s);
    } else {
        median_inputs(model, s);
    }
    let g = &model.grid;
    let (n, dt) = (g.n, g.dt);
    let x = &s.x;

    // Funding and trial-specific obligations, known before the first step.
    s.funding.fill(0.0);
    s.oblig_var.fill(0.0);
    s.deferred.fill(0.0);
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
    s.flex.clear();
    for o in &model.var_obligations {
        let factor = o.total.get(x) * o.realized.get(x);
        if o.can_defer {
            s.flex.push((factor, o.flexible.get(x)));
        } else {
            for (b, u) in s.oblig_var.iter_mut().zip(&o.unit) {
                *b += factor * u;
            }
        }
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
                                *f = g.step_power(1.0 + p.ginf + (p.g0 - p.ginf) * dk);
                            }
                        }
                        None => {
                            for (k, f) in out.iter_mut().enumerate() {
                                let dk = (-(g.t[k] - g.start) / p.half_life).exp2();
                                *f = g.step_power(1.0 + p.ginf + (p.g0 - p.ginf) * dk);
                            }
                        }
                    }
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

    let floor = model.min_cash.get(x);
    let (limit, rate) = model
        .debt
        .as_ref()
        .map_or((0.0, 0.0), |d| (d.limit.get(x), d.rate.get(x)));
    let mut cash = model.initial_cash.get(x);
    s.cash[0] = cash;
    s.year_ocf.fill(0.0);
    let mut drawn = 0.0;
    let (mut revenue_total, mut costs_total, mut oblig_total, mut dropped) = (0.0, 0.0, 0.0, 0.0);
    let (mut interest_total, mut ipo_raise, mut cash_min) = (0.0, 0.0, cash);
    let mut gap = (floor - cash).max(0.0);
    let mut first_shortfall = (gap > 0.0).then_some(0);
    let mut rp = 0;
    while rp < g.report.len() && g.report[rp].1 == 0 {
        s.outcome.report_gaps[rp] = gap;
        rp += 1;
    }
    let m = model.segments.len();

    for k in 0..n {
        let tk = g.t[k];
        // Revenue booked from the run-rate at the start of the step.
        let run_rate = s.revenue[k];
        let revenue = run_rate * dt;

        // Other costs.
        let mut cost = model.fixed_costs[k];
        for vc in &model.var_costs {
            match vc {
                VarCost::Growing {
                    annual,
                    growth,
                    active,
                } => {
                    if (active.0..active.1).contains(&k) {
                        let factor = (1.0 + growth.get(x)).powf(tk - g.start).min(MAX_RUN_RATE);
                        cost += (annual.get(x) * factor).min(MAX_RUN_RATE) * dt;
                    }
                }
                VarCost::Scaled { scale, per_step } => cost += scale.get(x) * per_step[k],
            }
        }
        for line in &model.share_lines {
            if !(line.active.0..line.active.1).contains(&k) {
                continue;
            }
            let share = match &line.share {
                ShareSrc::Const(p) => p.get(x),
                ShareSrc::Steps(v) => v[k],
            };
            let base = if line.segments.len() == m {
                revenue
            } else {
                line.segments
                    .iter()
                    .map(|&i| s.r_path[i * n + k])
                    .sum::<f64>()
                    * dt
            };
            cost += share * base;
        }

        // Obligations, with flexible deferral when cash starts the step below the floor.
        let stressed = cash < floor;
        let mut moved_out = 0.0;
        let mut oblig = model.fixed_obligations[k] + s.oblig_var[k] + s.deferred[k];
        let mut fi = 0;
        for o in &model.var_obligations {
            if !o.can_defer {
                continue;
            }
            let (factor, flexible) = s.flex[fi];
            fi += 1;
            let scheduled = factor * o.unit[k];
            if stressed && flexible > 0.0 && scheduled > 0.0 {
                let moved = flexible * scheduled;
                moved_out += moved;
                let to = k + o.deferral_steps;
                if to < n {
                    s.deferred[to] += moved;
                } else {
                    dropped += moved;
                }
                oblig += scheduled - moved;
            } else {
                oblig += scheduled;
            }
        }

        // Funding.
        let mut funding = s.funding[k];
        let mut raise = 0.0;
        if ipo_step == Some(k) {
            if let Some(ipo) = &model.ipo {
                raise = ipo.raise_share.get(x) * ipo.multiple.get(x) * run_rate;
                ipo_raise += raise;
                funding += raise;
            }
        }
        let drawn_before = drawn;

        // Cash, debt and the floor.
        let interest = rate * drawn * dt;
        let pre = cash + revenue - cost - oblig + funding - interest;
        let mut next = pre;
        if pre < floor {
            let room = limit - drawn;
            let need = floor - pre;
            if need <= room {
                drawn += need;
                next = floor;
            } else if room > 0.0 {
                drawn += room;
                next = pre + room;
            }
        }
        cash = next;
        s.cash[k + 1] = cash;
        cash_min = cash_min.min(cash);
        let depth = floor - cash;
        if depth > 0.0 {
            if first_shortfall.is_none() {
                first_shortfall = Some(k + 1);
            }
            gap = gap.max(depth);
        }
        while rp < g.report.len() && g.report[rp].1 == k + 1 {
            s.outcome.report_gaps[rp] = gap;
            rp += 1;
        }

        if let Some(t) = trace.as_deref_mut() {
            t.push(TraceStep {
                t: tk,
                run_rates: (0..m).map(|i| s.r_path[i * n + k]).collect(),
                revenue,
                costs: cost,
                obligations_paid: oblig,
                deferred: moved_out,
                rounds: s.funding[k],
                ipo: raise,
                debt_drawn: drawn - drawn_before,
                interest,
                cash_end: cash,
            });
        }
        revenue_total += revenue;
        costs_total += cost;
        oblig_total += oblig;
        interest_total += interest;
        s.year_ocf[g.year_of_step[k]] += revenue - cost - oblig;
        s.costs[k] = cost / dt;
        s.obligations[k] = oblig / dt;
    }

    let o = &mut s.outcome;
    o.first_shortfall = first_shortfall;
    o.ipo_step = ipo_step;
    o.breakeven_year = s.year_ocf.iter().position(|&v| v >= 0.0);
    let peak_burn = s.year_ocf.iter().fold(0.0_f64, |acc, &v| acc.max(-v));
    use metric::*;
    let mm = &mut o.metrics;
    mm[GAP] = gap;
    mm[CASH_END] = cash;
    mm[CASH_MIN] = cash_min;
    mm[REVENUE] = revenue_total;
    mm[COSTS] = costs_total;
    mm[OBLIGATIONS] = oblig_total;
    mm[DROPPED] = dropped;
    mm[FUNDING_ROUNDS] = funding_rounds;
    mm[TIED] = tied_new;
    mm[IPO_RAISE] = ipo_raise;
    mm[DEBT] = drawn;
    mm[INTEREST] = interest_total;
    mm[PEAK_BURN] = peak_burn;
    mm[TIED_COUNTED] = tied_counted;
    mm[NET_NEW_CASH] = funding_rounds - tied_new;
}
