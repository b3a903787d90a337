//! Paired statistics of scenarios run on common random numbers, and the list of the trials
//! with the largest gap.

use crate::stats::Moments;

/// Paired statistics of scenario m against the first scenario, over the same trials.
#[derive(Debug, Clone, Default)]
pub struct Paired {
    /// gap_m − gap_0, $B.
    pub gap_diff: Moments,
    /// 1{gap_m > 0} − 1{gap_0 > 0}.
    pub shortfall_diff: Moments,
    /// Trials with gap_0 < gap_m.
    pub first_smaller: u64,
    /// Trials with gap_0 > gap_m.
    pub first_larger: u64,
}

impl Paired {
    /// Adds one trial: its gap in this scenario and in the first.
    pub(super) fn add(&mut self, gap: f64, first_gap: f64) {
        self.gap_diff.push(gap - first_gap);
        self.shortfall_diff
            .push(f64::from(u8::from(gap > 0.0)) - f64::from(u8::from(first_gap > 0.0)));
        self.first_smaller += u64::from(first_gap < gap);
        self.first_larger += u64::from(first_gap > gap);
    }

    /// Merges the pairs of the chunk that follows.
    pub(super) fn merge(&mut self, o: &Paired) {
        self.gap_diff.merge(&o.gap_diff);
        self.shortfall_diff.merge(&o.shortfall_diff);
        self.first_smaller += o.first_smaller;
        self.first_larger += o.first_larger;
    }
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
