//! Paired statistics of scenarios run on common random numbers, and the list of the trials
//! with the largest gap.

use crate::model::Model;
use crate::sim::{Outcome, metric};
use crate::stats::Moments;

/// Paired statistics of scenario m against the first scenario, over the same trials.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Paired {
    /// gap_m − gap_0, $B.
    pub gap_diff: Moments,
    /// 1{gap_m > 0} − 1{gap_0 > 0}.
    pub shortfall_diff: Moments,
    /// deficit_m − deficit_0, $B.
    pub deficit_diff: Moments,
    /// cash_end_m − cash_end_0, $B.
    pub cash_end_diff: Moments,
    /// Trials with gap_0 < gap_m.
    pub first_smaller: u64,
    /// Trials with gap_0 > gap_m.
    pub first_larger: u64,
    /// The report years both scenarios have: (year, its index in the first scenario's report
    /// years, its index in scenario m's), in the first scenario's order.
    pub years: Vec<(i32, usize, usize)>,
    /// Per entry of `years`: gap_m − gap_0 up to the end of that year, $B.
    pub gap_diff_by_year: Vec<Moments>,
    /// Per entry of `years`: 1{gap_m > 0} − 1{gap_0 > 0} by the end of that year.
    pub shortfall_diff_by_year: Vec<Moments>,
}

impl Paired {
    /// Empty pairs of `model` against `first`, over the report years they share.
    pub(super) fn new(first: &Model, model: &Model) -> Paired {
        let years: Vec<(i32, usize, usize)> = first
            .grid
            .report
            .iter()
            .enumerate()
            .filter_map(|(i, (y, _))| {
                let j = model.grid.report.iter().position(|(z, _)| z == y)?;
                Some((*y, i, j))
            })
            .collect();
        Paired {
            gap_diff_by_year: vec![Moments::default(); years.len()],
            shortfall_diff_by_year: vec![Moments::default(); years.len()],
            years,
            ..Paired::default()
        }
    }

    /// Adds one trial: its outcome in this scenario and in the first.
    pub(super) fn add(&mut self, o: &Outcome, first: &Outcome) {
        let (gap, first_gap) = (o.metrics[metric::GAP], first.metrics[metric::GAP]);
        self.gap_diff.push(gap - first_gap);
        self.shortfall_diff.push(short(gap) - short(first_gap));
        let diff = |k: usize| o.metrics[k] - first.metrics[k];
        self.deficit_diff.push(diff(metric::DEFICIT));
        self.cash_end_diff.push(diff(metric::CASH_END));
        self.first_smaller += u64::from(first_gap < gap);
        self.first_larger += u64::from(first_gap > gap);
        for (((_, i, j), g), s) in self
            .years
            .iter()
            .zip(&mut self.gap_diff_by_year)
            .zip(&mut self.shortfall_diff_by_year)
        {
            let (b, a) = (o.report_gaps[*j], first.report_gaps[*i]);
            g.push(b - a);
            s.push(short(b) - short(a));
        }
    }

    /// Merges the pairs of the part of the run that follows.
    pub(super) fn merge(&mut self, o: &Paired) {
        self.gap_diff.merge(&o.gap_diff);
        self.shortfall_diff.merge(&o.shortfall_diff);
        self.deficit_diff.merge(&o.deficit_diff);
        self.cash_end_diff.merge(&o.cash_end_diff);
        self.first_smaller += o.first_smaller;
        self.first_larger += o.first_larger;
        for (a, b) in self.gap_diff_by_year.iter_mut().zip(&o.gap_diff_by_year) {
            a.merge(b);
        }
        for (a, b) in self
            .shortfall_diff_by_year
            .iter_mut()
            .zip(&o.shortfall_diff_by_year)
        {
            a.merge(b);
        }
    }
}

/// 1 for a shortfall (a gap above 0), else 0: the indicator the shortfall counts use.
fn short(gap: f64) -> f64 {
    f64::from(u8::from(gap > 0.0))
}

/// The K trials with the largest gap: (gap, trial), largest first, ties by trial index.
pub(super) fn keep_worst(worst: &mut Vec<(f64, u64)>, k: usize, gap: f64, trial: u64) {
    if k == 0 {
        return;
    }
    let better = |a: &(f64, u64), b: &(f64, u64)| a.0 > b.0 || (a.0 == b.0 && a.1 < b.1);
    if worst.len() == k && !better(&(gap, trial), &worst[k - 1]) {
        return;
    }
    let pos = worst.partition_point(|w| better(w, &(gap, trial)));
    worst.insert(pos, (gap, trial));
    worst.truncate(k);
}

impl super::tree::Merge for Paired {
    fn merge_right(&mut self, right: Paired) {
        self.merge(&right);
    }
}
