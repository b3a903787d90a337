//! The sample of trajectories behind the per-step percentile bands, and its quantiles.
//!
//! Every `stride`-th trial is kept (a fixed stride, so the sample does not depend on the
//! thread count): per sampled trial one row of cash at t_0..t_n (n + 1 values), then the
//! revenue run-rate, obligations paid and other costs of each step (n values each, $B/yr);
//! and, in a second set of rows, the trial's calendar-year figures
//! ([`crate::sim::Outcome::years`]). This module is the only one that knows that layout.

use rayon::prelude::*;

use crate::sim::Scratch;
use crate::stats::quantile::{order_key, type7_select_many};

/// Sampled trajectories, in trial order.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct BandSample {
    /// Steps n of the grid.
    n: usize,
    /// The rows, `width(n)` values each.
    rows: Vec<f64>,
    /// The calendar-year figures of the same trials, one row each, in the same order.
    annual: Vec<f64>,
    /// With `[capacity]`: per trial, capacity (GW), demand and the capacity's limit ($B/yr)
    /// of each step.
    capacity: Vec<f64>,
}

/// Per-step quantiles at five levels of each series, from [`BandSample::quantiles`].
#[derive(Debug, Clone, PartialEq)]
pub struct BandQuantiles {
    /// Sampled trials.
    pub trials: usize,
    /// Cash at t_0..t_n, $B.
    pub cash: Vec<[f64; 5]>,
    /// Revenue run-rate per step, $B/yr.
    pub revenue: Vec<[f64; 5]>,
    /// Obligations paid per step, $B/yr.
    pub obligations: Vec<[f64; 5]>,
    /// Other costs per step, $B/yr.
    pub costs: Vec<[f64; 5]>,
    /// Obligations plus other costs per step, $B/yr.
    pub outflows: Vec<[f64; 5]>,
    /// The calendar-year figures, in the order of [`crate::sim::Outcome::years`], $B.
    pub annual: Vec<[f64; 5]>,
    /// With `[capacity]`: capacity online (GW), then demand, then the most revenue the
    /// capacity can serve ($B/yr), each step by step; empty without.
    pub capacity: Vec<[f64; 5]>,
}

impl BandSample {
    /// Values per sampled trial on a grid of `n` steps.
    pub fn width(n: usize) -> usize {
        4 * n + 1
    }

    /// An empty sample for a grid of `n` steps, with room for `trials` rows.
    pub(super) fn with_capacity(n: usize, trials: usize) -> BandSample {
        BandSample {
            n,
            rows: Vec::with_capacity(trials * Self::width(n)),
            annual: Vec::new(),
            capacity: Vec::new(),
        }
    }

    /// Appends the trajectory of the trial in `s`.
    pub(super) fn push(&mut self, s: &Scratch) {
        self.n = s.revenue.len();
        self.rows.extend_from_slice(&s.cash);
        self.rows.extend_from_slice(&s.revenue);
        self.rows.extend_from_slice(&s.obligations);
        self.rows.extend_from_slice(&s.costs);
        self.annual.extend_from_slice(&s.outcome.years);
        self.capacity.extend_from_slice(&s.cap_gw);
        self.capacity.extend_from_slice(&s.demand);
        self.capacity.extend_from_slice(&s.cap_limit);
    }

    /// Appends the rows of the chunk that follows.
    pub(super) fn append(&mut self, o: &BandSample) {
        self.n = self.n.max(o.n);
        self.rows.extend_from_slice(&o.rows);
        self.annual.extend_from_slice(&o.annual);
        self.capacity.extend_from_slice(&o.capacity);
    }

    /// Number of sampled trials.
    pub fn trials(&self) -> usize {
        self.rows.len() / Self::width(self.n)
    }

    /// Type-7 quantiles at `levels` of every series at every step, by exact selection.
    /// The selections are independent, so they run on `pool`; the quantiles are the same
    /// numbers on any number of threads.
    pub(super) fn quantiles(&self, levels: &[f64; 5], pool: &rayon::ThreadPool) -> BandQuantiles {
        let n = self.n;
        let width = Self::width(n);
        let samples = self.trials();
        // One pass over the rows, each value's order key pushed to its step's column, plus
        // the outflows (obligations + costs).
        let figures = self.annual.len().checked_div(samples).unwrap_or(0);
        let cap = self.capacity.len().checked_div(samples).unwrap_or(0);
        let mut columns: Vec<Vec<i64>> = (0..width + n + figures + cap)
            .map(|_| Vec::with_capacity(samples))
            .collect();
        for row in self.rows.chunks_exact(width) {
            let (fixed, rest) = columns.split_at_mut(width);
            let outflows = &mut rest[..n];
            for (c, &v) in fixed.iter_mut().zip(row) {
                c.push(order_key(v));
            }
            let (oblig, cost) = (&row[2 * n + 1..3 * n + 1], &row[3 * n + 1..]);
            for ((c, &o), &k) in outflows.iter_mut().zip(oblig).zip(cost) {
                c.push(order_key(o + k));
            }
        }
        if figures > 0 {
            for row in self.annual.chunks_exact(figures) {
                for (c, &v) in columns[width + n..].iter_mut().zip(row) {
                    c.push(order_key(v));
                }
            }
        }
        if cap > 0 {
            for row in self.capacity.chunks_exact(cap) {
                for (c, &v) in columns[width + n + figures..].iter_mut().zip(row) {
                    c.push(order_key(v));
                }
            }
        }
        let select = |keys: &mut Vec<i64>| -> [f64; 5] {
            let q = type7_select_many(keys, levels);
            std::array::from_fn(|l| q[l])
        };
        let q: Vec<[f64; 5]> = pool.install(|| columns.par_iter_mut().map(select).collect());
        BandQuantiles {
            trials: samples,
            cash: q[..n + 1].to_vec(),
            revenue: q[n + 1..2 * n + 1].to_vec(),
            obligations: q[2 * n + 1..3 * n + 1].to_vec(),
            costs: q[3 * n + 1..width].to_vec(),
            outflows: q[width..width + n].to_vec(),
            annual: q[width + n..width + n + figures].to_vec(),
            capacity: q[width + n + figures..].to_vec(),
        }
    }
}
