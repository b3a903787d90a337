//! The replay of single trials, and the trials with the largest gap.

use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::engine::{RunConfig, RunError, simulate};
use crate::model::Model;
use crate::sim::{Draws, METRIC_NAMES, Scratch, TraceStep, run_trial_with};
use crate::summary::{Summary, summarize};

/// One replayed trial.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrialTrace {
    /// Scenario name.
    pub scenario: String,
    /// Trial index.
    pub trial: u64,
    /// Seed.
    pub seed: u64,
    /// Segment names, in the order of `TraceStep::run_rates`.
    pub segments: Vec<String>,
    /// Sampled inputs: (path, value, u).
    pub inputs: Vec<(String, f64, f64)>,
    /// Every step.
    pub steps: Vec<TraceStep>,
    /// The trial's results: (name, value).
    pub metrics: Vec<(String, f64)>,
    /// Gap by report year.
    pub report_gaps: Vec<(i32, f64)>,
    /// First shortfall date, if any.
    pub first_shortfall: Option<f64>,
}

/// Replays trial `trial` of a run with `seed`, exactly as it ran there.
pub fn trace(model: &Model, seed: u64, trial: u64) -> TrialTrace {
    let mut s = Scratch::new(model);
    let mut steps = Vec::with_capacity(model.grid.n);
    run_trial_with(model, seed, trial, &mut s, Draws::Random, Some(&mut steps));
    let o = &s.outcome;
    TrialTrace {
        scenario: model.name().to_string(),
        trial,
        seed,
        segments: model.segments.iter().map(|g| g.name.clone()).collect(),
        inputs: model
            .inputs
            .iter()
            .enumerate()
            .map(|(i, inp)| (inp.path.clone(), s.x[i], s.u(i)))
            .collect(),
        steps,
        metrics: METRIC_NAMES
            .iter()
            .zip(&o.metrics)
            .map(|(name, &v)| (name.to_string(), v))
            .collect(),
        report_gaps: model
            .grid
            .report
            .iter()
            .map(|r| r.0)
            .zip(o.report_gaps.iter().copied())
            .collect(),
        first_shortfall: o.first_shortfall.map(|j| model.grid.t[j]),
    }
}

/// The `k` trials with the largest gap in a run, with their gap; `cancel`, when set, stops
/// the run at its next batch.
///
/// # Errors
/// [`RunError`] as [`simulate`].
pub fn worst(
    model: &Model,
    cfg: &RunConfig,
    k: usize,
    cancel: Option<&AtomicBool>,
) -> Result<(Summary, Vec<(u64, f64)>), RunError> {
    let cfg = RunConfig {
        worst: k,
        ..cfg.clone()
    };
    let run = simulate(model, &cfg, &|_| {}, None, cancel)?;
    let list = run.accum.worst().iter().map(|&(g, t)| (t, g)).collect();
    Ok((summarize(model, &run), list))
}
