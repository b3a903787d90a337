//! A scenario's `[[checks]]` as the engine reads them: each check on a per-trial quantity
//! becomes a [`Probe`] with grid indices, so a trial's value is a few array reads.

use super::Grid;
use crate::scenario::{Check, CheckMetric, Quantity, Stat, YearSeries};

/// Where a check's per-trial quantity comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    /// A calendar-year series summed over the years with indices `from..=to` of the grid.
    Years {
        /// Which series.
        series: YearSeries,
        /// First index into `grid.years`.
        from: usize,
        /// Last index into `grid.years`.
        to: usize,
    },
    /// A per-trial metric, by index.
    Metric(usize),
    /// The gap by the report year of this index.
    GapBy(usize),
    /// The deficit by the report year of this index.
    DeficitBy(usize),
}

/// One check's per-trial value: the quantity, or its indicator against a threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probe {
    /// The quantity.
    pub source: Source,
    /// The statistic across trials (an indicator when `ProbGe` or `ProbLe`).
    pub stat: Stat,
}

impl Probe {
    /// Whether the per-trial value is an indicator (0 or 1).
    pub fn is_indicator(&self) -> bool {
        matches!(self.stat, Stat::ProbGe(_) | Stat::ProbLe(_))
    }
}

/// The probes of `checks` on per-trial quantities, in order (checks on P(shortfall) and on
/// the first-shortfall date read the run's counts and need none).
pub(super) fn probes(checks: &[Check], grid: &Grid) -> Vec<Probe> {
    let year = |y: i32| grid.years.iter().position(|&v| v == y).unwrap_or(0);
    let report = |y: i32| grid.report.iter().position(|&(v, _)| v == y).unwrap_or(0);
    checks
        .iter()
        .filter_map(|c| match c.metric {
            CheckMetric::Of(q, stat) => Some(Probe {
                source: match q {
                    Quantity::Years { series, from, to } => Source::Years {
                        series,
                        from: year(from),
                        to: year(to),
                    },
                    Quantity::Metric(i) => Source::Metric(i),
                    Quantity::GapBy(y) => Source::GapBy(report(y)),
                    Quantity::DeficitBy(y) => Source::DeficitBy(report(y)),
                },
                stat,
            }),
            CheckMetric::ShortfallProbability(_) | CheckMetric::FirstShortfall(_) => None,
        })
        .collect()
}
