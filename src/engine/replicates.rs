//! Per-replicate sums of a Latin hypercube or RQMC run: the error of such a run is the spread
//! of its R independent randomizations, not its sample variance (the points of one replicate
//! are not independent). Each replicate's sums of every mean-type result are kept apart
//! (trial i adds to replicate i mod R), so any mean or share has R independent estimates.
//!
//! The scalars of a trial, in order ([`Layout`]): the metrics, the horizon's shortfall
//! indicator, then per report year the gap, the deficit and the shortfall indicator, the IPO
//! indicator, the calendar-year figures, the checks' values.

use crate::model::Model;
use crate::sim::{N_METRICS, Outcome, metric};
use crate::stats::{FINE_BITS, Sketch};

/// Where each result sits among a trial's scalars.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Layout {
    /// Report years.
    pub years: usize,
    /// Calendar-year figures.
    pub figures: usize,
    /// Check values.
    pub checks: usize,
}

impl Layout {
    /// The layout of `model`'s trials.
    pub fn of(model: &Model) -> Layout {
        Layout {
            years: model.grid.report.len(),
            figures: crate::sim::years::figures(model),
            checks: model.probes.len(),
        }
    }
    /// Metric `i`.
    pub fn metric(&self, i: usize) -> usize {
        i
    }
    /// The shortfall indicator over the horizon.
    pub fn shortfall(&self) -> usize {
        N_METRICS
    }
    /// The gap by report year `y`.
    pub fn year_gap(&self, y: usize) -> usize {
        N_METRICS + 1 + y
    }
    /// The deficit by report year `y`.
    pub fn year_deficit(&self, y: usize) -> usize {
        N_METRICS + 1 + self.years + y
    }
    /// The shortfall indicator by report year `y`.
    pub fn year_shortfall(&self, y: usize) -> usize {
        N_METRICS + 1 + 2 * self.years + y
    }
    /// The IPO indicator.
    pub fn ipo(&self) -> usize {
        N_METRICS + 1 + 3 * self.years
    }
    /// Calendar-year figure `i` (as in the outcome's `years`).
    pub fn figure(&self, i: usize) -> usize {
        self.ipo() + 1 + i
    }
    /// Check `i`'s value.
    pub fn check(&self, i: usize) -> usize {
        self.ipo() + 1 + self.figures + i
    }
    /// Scalars per trial.
    pub fn width(&self) -> usize {
        self.check(self.checks)
    }
    /// Sketches per replicate: the gap, the deficit, then each report year's gap and
    /// deficit.
    pub fn sketches(&self) -> usize {
        2 + 2 * self.years
    }
}

/// Sums of each replicate: a chunk's, a node of the reduction tree's or the run's.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Replicates {
    layout: Layout,
    /// Trials per replicate.
    n: Vec<u64>,
    /// Sums, `[replicate][scalar]`.
    sums: Vec<f64>,
}

impl Replicates {
    /// Empty sums for `replicates` replicates of `model`'s trials.
    pub fn new(model: &Model, replicates: usize) -> Replicates {
        let layout = Layout::of(model);
        Replicates {
            layout,
            n: vec![0; replicates],
            sums: vec![0.0; replicates * layout.width()],
        }
    }

    /// Adds one trial's scalars to replicate `r`.
    pub fn add(&mut self, r: usize, o: &Outcome, checks: &[f64]) {
        let l = self.layout;
        let w = l.width();
        self.n[r] += 1;
        let row = &mut self.sums[r * w..(r + 1) * w];
        for (s, v) in row.iter_mut().zip(&o.metrics) {
            *s += v;
        }
        row[l.shortfall()] += f64::from(u8::from(o.metrics[metric::GAP] > 0.0));
        for (y, (&g, &d)) in o.report_gaps.iter().zip(&o.report_deficits).enumerate() {
            row[l.year_gap(y)] += g;
            row[l.year_deficit(y)] += d;
            row[l.year_shortfall(y)] += f64::from(u8::from(g > 0.0));
        }
        row[l.ipo()] += f64::from(u8::from(o.ipo_step.is_some()));
        for (i, v) in o.years.iter().enumerate() {
            row[l.figure(i)] += v;
        }
        for (i, v) in checks.iter().enumerate() {
            row[l.check(i)] += v;
        }
    }

    /// Adds the sums that follow (the reduction tree's order).
    pub fn merge_right(&mut self, o: &Replicates) {
        for (a, b) in self.n.iter_mut().zip(&o.n) {
            *a += b;
        }
        for (a, b) in self.sums.iter_mut().zip(&o.sums) {
            *a += b;
        }
    }

    /// Where each result sits.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Replicate estimates of scalar `i`'s mean (replicates without trials left out).
    pub fn estimates(&self, i: usize) -> Vec<f64> {
        let w = self.layout.width();
        self.n
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(r, &n)| self.sums[r * w + i] / n as f64)
            .collect()
    }
}

/// The quantile sketches of each replicate (integers: kept per worker, merged in any order).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ReplicateSketches {
    per: usize,
    /// `[replicate][sketch]`, see [`Layout::sketches`].
    sketches: Vec<Sketch>,
}

impl ReplicateSketches {
    /// Empty sketches for `replicates` replicates of `model`'s trials.
    pub fn new(model: &Model, replicates: usize) -> ReplicateSketches {
        let per = Layout::of(model).sketches();
        ReplicateSketches {
            per,
            sketches: vec![Sketch::with_bits(FINE_BITS); per * replicates],
        }
    }

    /// Adds one trial to replicate `r`.
    pub fn add(&mut self, r: usize, o: &Outcome) {
        let row = &mut self.sketches[r * self.per..(r + 1) * self.per];
        row[0].add(o.metrics[metric::GAP]);
        row[1].add(o.metrics[metric::DEFICIT]);
        let y = o.report_gaps.len();
        for (i, &v) in o.report_gaps.iter().enumerate() {
            row[2 + i].add(v);
        }
        for (i, &v) in o.report_deficits.iter().enumerate() {
            row[2 + y + i].add(v);
        }
    }

    /// Merges another worker's sketches.
    pub fn merge(&mut self, o: &ReplicateSketches) {
        if self.sketches.is_empty() {
            *self = o.clone();
            return;
        }
        for (a, b) in self.sketches.iter_mut().zip(&o.sketches) {
            a.merge(b);
        }
    }

    /// Sketch `s` of each replicate that has trials.
    pub fn of(&self, s: usize) -> impl Iterator<Item = &Sketch> + '_ {
        self.sketches
            .iter()
            .skip(s)
            .step_by(self.per.max(1))
            .filter(|k| k.count() > 0)
    }
}
