//! The scenario's `[[checks]]` against the run: each published figure beside the run's value,
//! its 95 % Monte Carlo interval, the difference and whether it is within the tolerance
//! (README, "Published checks").

use serde::Serialize;

use crate::engine::Accum;
use crate::model::Model;
use crate::scenario::{CheckMetric, Stat};
use crate::stats::{Moments, Sketch, Z_95, wilson};

/// One published figure checked against the run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckResult {
    /// The metric, as written in the scenario.
    pub metric: String,
    /// Its short name (the scenario's `label`, else the metric).
    pub label: String,
    /// The metric's unit: `"$B"`, `"probability"` or `"year"` (a decimal year).
    pub unit: &'static str,
    /// The published figure.
    pub published: f64,
    /// The run's value (`None`: the first-shortfall percentile is "never", after the horizon).
    pub value: Option<f64>,
    /// value − published.
    pub delta: Option<f64>,
    /// 95 % Monte Carlo interval of the value (a bound is `None` when it is "never").
    pub ci95: [Option<f64>; 2],
    /// The tolerance in the metric's unit.
    pub tolerance: f64,
    /// |delta| ≤ tolerance.
    pub pass: bool,
    /// `"match"` or `"differs"`.
    pub expect: &'static str,
    /// `pass` is what `expect` says: a pass expected to match, a failure expected to differ.
    pub as_expected: bool,
    /// Why the run departs from the figure, as the scenario states it.
    pub reason: Option<String>,
    /// Where the published figure comes from.
    pub source: String,
}

/// A value and its interval: `None` stands for "never" (first-shortfall dates only).
type Estimate = (Option<f64>, [Option<f64>; 2]);

/// A probability k/n with its Wilson interval.
fn share(k: u64, n: u64) -> Estimate {
    let (lo, hi) = wilson(k, n);
    let p = if n == 0 { 0.0 } else { k as f64 / n as f64 };
    (Some(p), [Some(lo), Some(hi)])
}

/// A statistic of a per-trial value from its moments and sketch (an indicator's mean is a
/// share of trials, with a Wilson interval).
fn of_probe(stat: Stat, m: &Moments, sk: &Sketch, n: u64) -> Estimate {
    match stat {
        Stat::Mean => {
            let half = Z_95 * m.std_error();
            (Some(m.mean), [Some(m.mean - half), Some(m.mean + half)])
        }
        Stat::Quantile(p) => {
            let (lo, hi) = sk.quantile_ci(p);
            (Some(sk.quantile(p)), [Some(lo), Some(hi)])
        }
        Stat::ProbGe(_) | Stat::ProbLe(_) => share((m.mean * n as f64).round() as u64, n),
    }
}

/// A statistic of the first-shortfall date from the counts by cash index (`counts[j]` trials
/// first ran short at `t[j]`); trials that never run short come after every date. A
/// percentile is the earliest date by which that share of all trials has run short, its
/// interval the dates at the order-statistic ranks n·p ∓ 1.96·√(n·p(1−p)).
fn first_shortfall(stat: Stat, counts: &[u64], t: &[f64], n: u64) -> Estimate {
    let date_of_rank = |r: u64| -> Option<f64> {
        let mut seen = 0;
        for (j, &c) in counts.iter().enumerate() {
            seen += c;
            if r < seen {
                return Some(t[j]);
            }
        }
        None
    };
    let up_to = |x: f64| -> u64 {
        counts
            .iter()
            .zip(t)
            .filter(|&(_, &tj)| tj <= x + 1e-9)
            .map(|(&c, _)| c)
            .sum()
    };
    match stat {
        Stat::Quantile(p) => {
            let nf = n as f64;
            let rank = |x: f64| x.clamp(0.0, (nf - 1.0).max(0.0)) as u64;
            let half = Z_95 * (nf * p * (1.0 - p)).sqrt();
            (
                date_of_rank(rank((nf * p).ceil() - 1.0)),
                [
                    date_of_rank(rank((nf * p - half).floor())),
                    date_of_rank(rank((nf * p + half).ceil())),
                ],
            )
        }
        Stat::ProbLe(x) => share(up_to(x), n),
        Stat::ProbGe(x) => {
            let before: u64 = counts
                .iter()
                .zip(t)
                .filter(|&(_, &tj)| tj < x - 1e-9)
                .map(|(&c, _)| c)
                .sum();
            share(n - before, n)
        }
        Stat::Mean => (None, [None, None]),
    }
}

/// Every check of the scenario against the run.
pub(super) fn checks(model: &Model, a: &Accum) -> Vec<CheckResult> {
    let n = a.trials();
    let g = &model.grid;
    let mut probes = model.probes.iter().zip(a.checks());
    model
        .scenario
        .checks
        .iter()
        .map(|c| {
            let (value, ci95) = match c.metric {
                CheckMetric::Of(..) => match probes.next() {
                    Some((p, (m, sk))) => of_probe(p.stat, m, sk, n),
                    None => (None, [None, None]),
                },
                CheckMetric::ShortfallProbability(None) => share(a.shortfalls(), n),
                CheckMetric::ShortfallProbability(Some(y)) => {
                    let k = g
                        .report
                        .iter()
                        .zip(a.report_gaps())
                        .find(|((ry, _), _)| *ry == y)
                        .map_or(0, |(_, (_, _, k))| k);
                    share(k, n)
                }
                CheckMetric::FirstShortfall(stat) => {
                    first_shortfall(stat, a.first_shortfall_counts(), &g.t, n)
                }
            };
            let unit = match c.metric {
                m if m.is_probability() => "probability",
                CheckMetric::FirstShortfall(_) => "year",
                _ => "$B",
            };
            let tolerance = c.tolerance.absolute(c.published);
            let delta = value.map(|v| v - c.published);
            let pass = delta.is_some_and(|d| d.abs() <= tolerance);
            CheckResult {
                metric: c.metric_text.clone(),
                label: c.label.clone(),
                unit,
                published: c.published,
                value,
                delta,
                ci95,
                tolerance,
                pass,
                expect: c.expect.as_str(),
                as_expected: pass == (c.expect == crate::scenario::Expect::Match),
                reason: c.reason.clone(),
                source: c.source.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_shortfall_dates_count_never_after_every_date() {
        // 10 trials: 2 run short at t=1, 3 at t=2, 5 never.
        let counts = [0, 2, 3, 0];
        let t = [0.0, 1.0, 2.0, 3.0];
        assert_eq!(
            first_shortfall(Stat::Quantile(0.2), &counts, &t, 10).0,
            Some(1.0)
        );
        assert_eq!(
            first_shortfall(Stat::Quantile(0.5), &counts, &t, 10).0,
            Some(2.0)
        );
        assert_eq!(
            first_shortfall(Stat::Quantile(0.51), &counts, &t, 10).0,
            None
        );
        assert_eq!(
            first_shortfall(Stat::ProbLe(1.5), &counts, &t, 10).0,
            Some(0.2)
        );
        assert_eq!(
            first_shortfall(Stat::ProbGe(2.0), &counts, &t, 10).0,
            Some(0.8)
        );
    }
}
