//! The errors of a Latin hypercube or RQMC run, from its R independent randomizations.
//!
//! Within one replicate the points are not independent, so the sample variance is not the
//! error. Each replicate r gives its own estimate θ_r of a mean or a share (from its sums) or
//! of a quantile (from its sketch); the replicates are independent and identically
//! distributed, so the standard error of the pooled estimate is s_θ/√R, with s_θ the sample
//! standard deviation of the θ_r, and its 95 % interval is the estimate ± t_(R−1, 0.975)·s_θ/√R
//! (a probability's clipped to [0, 1]). Where every replicate agrees (s_θ = 0, e.g. a share of
//! 0 or 1) the replicates carry no information on the error, and the plain Monte Carlo
//! interval is kept. The first-shortfall dates of a check, the checks' quantiles and the
//! share of trials bound by capacity keep their Monte Carlo intervals (docs/model.md,
//! "Sampling").

use serde::Serialize;

use super::{GAP_LEVELS, GapStats, MetricStats, Probability, Summary};
use crate::engine::{Accum, Layout, ReplicateSketches, Replicates};
use crate::model::Model;
use crate::qmc::Method;
use crate::scenario::{CheckMetric, Stat};
use crate::sim::{METRIC_NAMES, metric};

/// How a run sampled its inputs, and where its errors come from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Sampling {
    /// `lhs` or `rqmc` (a plain Monte Carlo run has no `sampling` key).
    pub method: Method,
    /// Independent randomizations.
    pub replicates: u64,
    /// t_(R−1, 0.975), the factor of every 95 % interval's half-width.
    pub t95: f64,
    /// Where the errors come from.
    pub errors: String,
}

/// The replicate standard error of `estimates`' mean: s/√R (0 with fewer than 2).
pub fn replicate_se(estimates: &[f64]) -> f64 {
    let r = estimates.len();
    if r < 2 {
        return 0.0;
    }
    let mean = estimates.iter().sum::<f64>() / r as f64;
    let ss: f64 = estimates.iter().map(|x| (x - mean) * (x - mean)).sum();
    (ss / (r as f64 - 1.0) / r as f64).sqrt()
}

/// t_(dof, 0.975).
fn t95(dof: u64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, dof.max(1) as f64).map_or(crate::stats::Z_95, |t| t.inverse_cdf(0.975))
}

struct Errors<'a> {
    reps: &'a Replicates,
    sketches: &'a ReplicateSketches,
    layout: Layout,
    t: f64,
}

impl Errors<'_> {
    fn se(&self, i: usize) -> f64 {
        replicate_se(&self.reps.estimates(i))
    }

    /// A share's 95 % interval around `p` from scalar `i`.
    fn share(&self, i: usize, p: &mut Probability) {
        let se = self.se(i);
        if se > 0.0 {
            let h = self.t * se;
            p.ci95 = [(p.estimate - h).max(0.0), (p.estimate + h).min(1.0)];
        }
    }

    /// A gap's standard error from scalar `i`, its quantiles' intervals from sketch `k`.
    fn gap(&self, i: usize, k: usize, g: &mut GapStats) {
        g.std_error = self.se(i);
        for (name, p) in GAP_LEVELS {
            let q: Vec<f64> = self.sketches.of(k).map(|s| s.quantile(p)).collect();
            let se = replicate_se(&q);
            if let (true, Some(&est), Some(ci)) = (
                se > 0.0,
                g.quantiles.get(name),
                g.quantiles_ci95.get_mut(name),
            ) {
                // A gap or a deficit is never negative.
                *ci = [(est - self.t * se).max(0.0), est + self.t * se];
            }
        }
    }

    fn metric(&self, i: usize, m: &mut MetricStats) {
        m.std_error = self.se(i);
    }
}

/// Replaces `s`'s errors by the replicates' when `model` sampled by LHS or RQMC.
pub(super) fn apply(s: &mut Summary, model: &Model, a: &Accum) {
    let Some((reps, sketches)) = a.replicates() else {
        return;
    };
    let layout = reps.layout();
    let r = model.plan.replicates;
    let e = Errors {
        reps,
        sketches,
        layout,
        t: t95(r - 1),
    };
    s.sampling = Some(Sampling {
        method: model.plan.method,
        replicates: r,
        t95: e.t,
        errors: format!(
            "standard errors and 95 % intervals from {r} independent randomizations \
             (trial i in replicate i mod {r}): s/√{r} and ± t({}, 0.975)·s/√{r}",
            r - 1
        ),
    });
    e.share(layout.shortfall(), &mut s.shortfall_probability);
    e.gap(layout.metric(metric::GAP), 0, &mut s.gap);
    e.gap(layout.metric(metric::DEFICIT), 1, &mut s.deficit);
    let years = layout.years;
    for (y, yg) in s.gap_by_year.values_mut().enumerate() {
        e.share(layout.year_shortfall(y), &mut yg.shortfall_probability);
        e.gap(layout.year_gap(y), 2 + y, &mut yg.gap);
    }
    for (y, yd) in s.deficit_by_year.values_mut().enumerate() {
        e.share(layout.year_shortfall(y), &mut yd.shortfall_probability);
        e.gap(layout.year_deficit(y), 2 + years + y, &mut yd.gap);
    }
    e.share(layout.ipo(), &mut s.ipo_probability);
    for (i, name) in METRIC_NAMES.iter().enumerate() {
        if let Some(m) = s.metrics.get_mut(*name) {
            e.metric(layout.metric(i), m);
        }
    }
    annual(&e, model, s);
    checks(&e, model, s);
}

fn annual(e: &Errors, model: &Model, s: &mut Summary) {
    use crate::sim::years::series::{NET_BURN, OBLIGATIONS, OCF, REVENUE};
    let ny = model.grid.years.len();
    let l = e.layout;
    for (i, f) in s.annual.values_mut().enumerate() {
        e.metric(l.figure(REVENUE * ny + i), &mut f.revenue);
        e.metric(l.figure(OCF * ny + i), &mut f.operating_cash_flow);
        e.metric(l.figure(NET_BURN * ny + i), &mut f.net_burn);
        e.metric(l.figure(OBLIGATIONS * ny + i), &mut f.obligations_paid);
    }
    let Some(c) = &mut s.capacity else {
        return;
    };
    use crate::sim::capacity::{TOTALS, series};
    let base = crate::sim::years::SERIES.len() * ny;
    let at = |x: usize| l.figure(base + x);
    e.metric(at(0), &mut c.unserved_revenue);
    e.metric(at(1), &mut c.idle_gw_years);
    for (y, cy) in c.by_year.values_mut().enumerate() {
        let f = |sr: usize| at(TOTALS.len() + sr * ny + y);
        e.metric(f(series::DEMAND), &mut cy.demand);
        e.metric(f(series::UNSERVED), &mut cy.unserved_revenue);
        e.metric(f(series::GW), &mut cy.capacity_gw);
        e.metric(f(series::IDLE), &mut cy.idle_gw);
    }
}

/// The checks' means and shares: value ± t·se.
fn checks(e: &Errors, model: &Model, s: &mut Summary) {
    let l = e.layout;
    let mut probe = 0;
    for (c, out) in model.scenario.checks.iter().zip(&mut s.checks) {
        let i = match c.metric {
            CheckMetric::Of(..) => {
                probe += 1;
                match model.probes.get(probe - 1).map(|p| p.stat) {
                    Some(Stat::Mean | Stat::ProbGe(_) | Stat::ProbLe(_)) => l.check(probe - 1),
                    _ => continue,
                }
            }
            CheckMetric::ShortfallProbability(None) => l.shortfall(),
            CheckMetric::ShortfallProbability(Some(y)) => {
                match model.grid.report.iter().position(|(ry, _)| *ry == y) {
                    Some(k) => l.year_shortfall(k),
                    None => continue,
                }
            }
            CheckMetric::FirstShortfall(_) => continue,
        };
        let se = e.se(i);
        if let (true, Some(v)) = (se > 0.0, out.value) {
            let h = e.t * se;
            let (lo, hi) = if out.unit == "probability" {
                ((v - h).max(0.0), (v + h).min(1.0))
            } else {
                (v - h, v + h)
            };
            out.ci95 = [Some(lo), Some(hi)];
        }
    }
}
