//! A trial's values for its scenario's checks ([`crate::model::checks::Probe`]), read from
//! its outcome once the trial is done.

use super::Outcome;
use super::years::series;
use crate::model::Model;
use crate::model::checks::Source;
use crate::scenario::{Stat, YearSeries};

/// The value of each probe of `model` for the trial whose results are `o`, into `out` (one
/// per probe): the quantity, or 1/0 for an indicator.
pub fn values(model: &Model, o: &Outcome, out: &mut [f64]) {
    let ny = model.grid.years.len();
    let at = |s: usize, y: usize| o.years[s * ny + y];
    for (v, p) in out.iter_mut().zip(&model.probes) {
        let x = match p.source {
            Source::Years {
                series: kind,
                from,
                to,
            } => (from..=to)
                .map(|y| {
                    let (rev, ocf, paid) = (
                        at(series::REVENUE, y),
                        at(series::OCF, y),
                        at(series::OBLIGATIONS, y),
                    );
                    match kind {
                        YearSeries::Revenue => rev,
                        YearSeries::OperatingCashFlow => ocf,
                        YearSeries::NetBurn => at(series::NET_BURN, y),
                        YearSeries::ObligationsPaid => paid,
                        YearSeries::Costs => rev - ocf - paid,
                        YearSeries::PreObligationCashFlow => ocf + paid,
                    }
                })
                .sum(),
            Source::Metric(i) => o.metrics[i],
            Source::GapBy(r) => o.report_gaps[r],
            Source::DeficitBy(r) => o.report_deficits[r],
        };
        *v = match p.stat {
            Stat::Mean | Stat::Quantile(_) => x,
            Stat::ProbGe(t) => f64::from(u8::from(x >= t)),
            Stat::ProbLe(t) => f64::from(u8::from(x <= t)),
        };
    }
}
