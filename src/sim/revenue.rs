//! The revenue path of a trial: every segment's run-rate at the start of each step. Revenue
//! never depends on cash, so the whole path is computed before the cash loop.
//!
//! Growth segment: `ln R[k+1] = ln R[k] + ln(1 + g(t_k))·dt − σ²dt/2 + σ√dt·ε`, with
//! `g(t) = g∞ + (g0 − g∞)·2^(−(t − start)/h)`, scaled by `(1 − R/ceiling)` under a ceiling.
//! Path segment: `R_k = scale·path(t_k)·M_k`, `ln M[k+1] = ln M[k] − σ²dt/2 + σ√dt·ε`.
//! Annual figures and driver segments are paths whose level the trial computes first:
//! `scale·figure(year of step k)·(1 + g_after)^(years after the last)`, or
//! `users(t_k)·(paying_share·12·price + ads_per_user) + market·share`.
//! Events multiply the hit segments' run-rates from the next step on.

use rand_distr::{Distribution, Exp1, StandardNormal};

use super::Scratch;
use crate::model::{Curve, DriversModel, Grid, MAX_RUN_RATE, Model, SegKind};
use crate::rng::{Stream, stream};

/// A segment's drawn parameters for the trial.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SegPar {
    g0: f64,
    ginf: f64,
    half_life: f64,
    ceiling: f64,
    scale: f64,
    sd: f64,
    drift: f64,
}

/// Sets up the trial's segments and events: each segment's parameters and starting
/// run-rate, the growth factor of every step where it does not depend on the state, and the
/// streams of its shocks and of the events' arrivals.
pub(super) fn set_up(model: &Model, seed: u64, trial: u64, s: &mut Scratch, random: bool) {
    let g = &model.grid;
    let (n, dt) = (g.n, g.dt);
    let x = &s.x;
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
            // The trial's level of each step, into the segment's row of `step_growth`,
            // which only a growth process uses.
            SegKind::Annual {
                figure,
                after,
                scale,
                after_growth,
            } => {
                p.scale = scale.get(x);
                let g1 = 1.0 + after_growth.get(x);
                let row = &mut s.step_growth[i * n..(i + 1) * n];
                for (k, (l, &e)) in row.iter_mut().zip(after).enumerate() {
                    let grown = if e == 0 { 1.0 } else { g1.powi(e) };
                    *l = (figure.get(k, x) * grown).min(MAX_RUN_RATE);
                }
                (p.scale * row.first().copied().unwrap_or(0.0)).min(MAX_RUN_RATE)
            }
            SegKind::Drivers(d) => {
                p.scale = 1.0;
                let row = &mut s.step_growth[i * n..(i + 1) * n];
                driver_levels(d, g, x, row);
                row.first().copied().unwrap_or(0.0)
            }
        };
        s.seg_par[i] = p;
        s.seg_streams[i] = stream(seed, trial, seg.key);
    }
    s.point = (seed, trial);
    for (e, ev) in model.events.iter().enumerate() {
        s.ev_streams[e] = stream(seed, trial, ev.key);
        s.next_fire[e] = if random && model.plan.is_structured() {
            // The first arrival from the point set; later ones (recurring) from the stream.
            arrival_step(
                model.plan.first_arrival(seed, trial, e),
                ev.hazard.get(x),
                dt,
            )
        } else if random {
            steps_until(&mut s.ev_streams[e], ev.hazard.get(x), dt)
        } else {
            usize::MAX
        };
    }
}

/// A driver segment's run-rate at t_0..t_{n−1} into `row`, $B/yr: users (billions) × (paying
/// share × 12 × $ per month + $ of ads per user per year) + market ($B/yr) × share.
fn driver_levels(d: &DriversModel, g: &Grid, x: &[f64], row: &mut [f64]) {
    let at = |c: &Option<Curve>, k: usize| c.as_ref().map_or(0.0, |c| c.get(k, x));
    let users = d.users.as_ref().map(|u| {
        (
            u.ceiling.get(x),
            u.midpoint.get(x),
            u.steepness.get(x),
            u.start.map(|s| s.get(x)),
        )
    });
    for (k, l) in row.iter_mut().enumerate() {
        let t = g.t[k];
        let mut level = 0.0;
        if let Some((ceiling, mid, steep, start)) = users {
            let logistic = 1.0 + (-steep * (t - mid)).exp();
            let u = match start {
                None => ceiling / logistic,
                Some(u0) => u0 + (ceiling - u0) * -(-steep * (t - g.start)).exp_m1() / logistic,
            };
            let per_user =
                at(&d.paying_share, k) * 12.0 * at(&d.price_per_month, k) + at(&d.ads_per_user, k);
            level += u * per_user;
        }
        if d.market.is_some() {
            level += at(&d.market, k) * at(&d.share, k);
        }
        *l = level.clamp(0.0, MAX_RUN_RATE);
    }
}

/// Length of a segment's row of shocks: the n − 1 updates, padded to a multiple of 8 so that
/// the loops over a row (mixing, exponentials) run in whole vectors, with no scalar tail.
pub(super) fn shock_stride(n: usize) -> usize {
    n.saturating_sub(1).next_multiple_of(8)
}

/// Where the shocks' normals come from: the segments' streams, and the trial's (seed, trial)
/// (`None`: the median path, no randomness).
struct Draws<'a> {
    streams: &'a mut [Stream],
    point: Option<(u64, u64)>,
}

/// The step of an arrival `e` standard-exponential units away at hazard `rate` per year
/// (steps of `dt` years): floor(e / (rate·dt)).
#[inline]
fn arrival_step(e: f64, rate: f64, dt: f64) -> usize {
    if rate <= 0.0 {
        return usize::MAX;
    }
    let k = (e / (rate * dt)).floor();
    if k >= usize::MAX as f64 {
        usize::MAX
    } else {
        k as usize
    }
}

/// Geometric number of steps until an event with hazard `rate` fires: floor(E / (rate·dt)),
/// E from the event's stream (not drawn when the hazard is 0).
#[inline]
fn steps_until(rng: &mut Stream, rate: f64, dt: f64) -> usize {
    if rate <= 0.0 {
        return usize::MAX;
    }
    arrival_step(Exp1.sample(rng), rate, dt)
}

/// A run of update steps `k..stop` of the segments' recurrences, in the layouts of
/// [`Scratch`] (`n` steps a row of run-rates and growth factors, `w` a row of shocks).
struct StepSpan {
    k: usize,
    stop: usize,
    n: usize,
    w: usize,
}

impl StepSpan {
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
        let StepSpan { k, stop, n, w } = *self;
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
// One piece on purpose (~120 lines): the runs of steps between event firings, the choice of
// the tight loop for a run, and the firings that end it share the segments' state (run-rate,
// multiplier, post-event growth) from run to run.
pub(super) fn revenue_path(model: &Model, s: &mut Scratch, random: bool) {
    let g = &model.grid;
    let n = g.n;
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
        point,
        ..
    } = s;
    let x = &x[..];
    if updates > 0 {
        let draws = Draws {
            streams: seg_streams,
            point: random.then_some(*point),
        };
        shocks(model, seg_par, draws, shock_n, shock, updates);
    }
    firings(model, x, ev_streams, next_fire, fires, updates);

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
        let run = StepSpan { k, stop, n, w };
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
                        // As a path, with the trial's own level (set up in `sg`).
                        SegKind::Annual { .. } | SegKind::Drivers(_) if after.is_nan() => {
                            for j in k..stop {
                                row[j] = *ri;
                                *mult = (*mult * sh[j]).min(MAX_RUN_RATE);
                                *ri = (p.scale * sg[j + 1] * *mult).min(MAX_RUN_RATE);
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
    // The segments' sum at each step, row by row so that the loop runs over steps in
    // vectors. The same numbers as summing each step's column: `Sum` for f64 starts from
    // −0.0, and −0.0 + r is r for every r.
    revenue.fill(-0.0);
    for row in r_path.chunks_exact(n).take(m) {
        for (rev, &ri) in revenue.iter_mut().zip(row) {
            *rev += ri;
        }
    }
}

/// The segments' shock factors for the `updates` updates of the trial, into `shock`
/// ([segment][update], rows of [`shock_stride`]): standard normals segment by segment (each
/// segment has its own stream, so these are the numbers a step-by-step loop would draw),
/// mixed by the segments' correlation factor, then exp(drift + sd·z), in loops that
/// vectorise. Without randomness (the median path) every factor is exp(drift).
fn shocks(
    model: &Model,
    seg_par: &[SegPar],
    draws: Draws,
    shock_n: &mut [f64],
    shock: &mut [f64],
    updates: usize,
) {
    let w = shock_stride(updates + 1);
    if let Some((seed, trial)) = draws.point {
        let plan = &model.plan;
        for (i, ((row, rng), work)) in shock_n
            .chunks_exact_mut(w)
            .zip(draws.streams.iter_mut())
            .zip(shock.chunks_exact_mut(w))
            .enumerate()
        {
            // The stream's state in a local for the row's draws (the same numbers): through
            // the `&mut` into the vector of streams, every draw stored the state back to
            // memory and reloaded it for the next.
            let mut local = rng.clone();
            // `shock` is filled from `shock_n` below: until then its row is working memory.
            if plan.bridges(i) {
                plan.shock_walk(seed, trial, i, &mut row[..updates], work, || {
                    StandardNormal.sample(&mut local)
                });
            } else {
                for z in &mut row[..updates] {
                    *z = StandardNormal.sample(&mut local);
                }
            }
            *rng = local;
        }
    } else {
        shock_n.fill(0.0);
    }
    for (i, (out, p)) in shock.chunks_exact_mut(w).zip(seg_par).enumerate() {
        if p.sd == 0.0 {
            out.fill(1.0);
            continue;
        }
        // z = Σ_j a_ij·n_j over the row's stored terms, summed in the order of j; then the factors, in loops over the
        // steps that vectorise.
        match &model.seg_factor {
            Some(a) => {
                out.fill(0.0);
                for &(j, c) in a.row(i) {
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

/// Every firing of every event, as (update step, event) in step order then event order, into
/// `fires`: an event's arrivals come from its own stream, so they can all be drawn up front.
fn firings(
    model: &Model,
    x: &[f64],
    ev_streams: &mut [Stream],
    next_fire: &[usize],
    fires: &mut Vec<(usize, usize)>,
    updates: usize,
) {
    let dt = model.grid.dt;
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
                StepSpan { k, stop, n, w }.tight_joint::<M>(
                    &mut r,
                    &mut path,
                    &step_growth,
                    &shock,
                );
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
