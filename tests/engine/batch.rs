//! The engine's kernel, [`run_batch`] (trials stepped side by side in lanes), against trials
//! run one at a time with [`run_trial`]: the same numbers to the bit, for every shipped
//! scenario and for variants that exercise the branches the bench model does not (recurring
//! events with post-event growth, ceilings and path segments under events, monthly and
//! annual steps), in full and partial batches.

use funding_gap::model::Model;
use funding_gap::sim::{Batch, LANES, Scratch, run_batch, run_trial};

use crate::support::scenario_file;

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Runs trials first..first + count as a batch and one by one, and compares everything a
/// trial leaves for the engine.
pub(crate) fn assert_batch_matches(model: &Model, what: &str, seed: u64, first: u64, count: usize) {
    let mut batch = Batch::new(model);
    run_batch(model, seed, first, count, &mut batch);
    let mut one = Scratch::new(model);
    for l in 0..count {
        let trial = first + l as u64;
        run_trial(model, seed, trial, &mut one);
        let (b, o) = (batch.lane(l), &one);
        let at = format!("{what}, seed {seed}, trial {trial} (lane {l})");
        assert_eq!(
            bits(&b.outcome.metrics),
            bits(&o.outcome.metrics),
            "metrics: {at}"
        );
        assert_eq!(
            bits(&b.outcome.report_gaps),
            bits(&o.outcome.report_gaps),
            "report gaps: {at}"
        );
        assert_eq!(
            b.outcome.first_shortfall, o.outcome.first_shortfall,
            "first shortfall: {at}"
        );
        assert_eq!(
            b.outcome.breakeven_year, o.outcome.breakeven_year,
            "breakeven: {at}"
        );
        assert_eq!(
            b.outcome.first_nonnegative_year, o.outcome.first_nonnegative_year,
            "first non-negative year: {at}"
        );
        assert_eq!(
            bits(&b.outcome.years),
            bits(&o.outcome.years),
            "calendar-year figures: {at}"
        );
        assert_eq!(
            bits(&b.outcome.report_deficits),
            bits(&o.outcome.report_deficits),
            "report deficits: {at}"
        );
        assert_eq!(b.outcome.ipo_step, o.outcome.ipo_step, "IPO step: {at}");
        assert_eq!(bits(&b.cash), bits(&o.cash), "cash path: {at}");
        assert_eq!(bits(&b.revenue), bits(&o.revenue), "revenue path: {at}");
        assert_eq!(
            bits(&b.obligations),
            bits(&o.obligations),
            "obligations: {at}"
        );
        assert_eq!(bits(&b.costs), bits(&o.costs), "costs: {at}");
        assert_eq!(bits(&b.x), bits(&o.x), "inputs: {at}");
        assert_eq!(b.bins, o.bins, "sensitivity bins: {at}");
        // Every uniform, drawn or computed from z, is the same in a lane and alone.
        for i in 0..b.x.len() {
            assert_eq!(b.u(i).to_bits(), o.u(i).to_bits(), "uniform {i}: {at}");
        }
    }
}

fn check(file: &str, set: &[&str]) {
    let model = scenario_file(file, set);
    let what = format!("{file} {set:?}");
    for seed in [1, 42] {
        for b in 0..6u64 {
            assert_batch_matches(&model, &what, seed, b * LANES as u64, LANES);
        }
        // A partial batch, as at the end of a run: the padding lanes must not leak.
        assert_batch_matches(&model, &what, seed, 1_000, 3);
    }
}

#[test]
fn batches_match_single_trials_on_every_shipped_scenario() {
    let files = crate::support::shipped_scenarios();
    assert!(files.len() >= 10, "scenarios: {files:?}");
    for f in &files {
        check(f, &[]);
    }
}

#[test]
fn batches_match_single_trials_on_variants() {
    // Frequent recurring slumps with post-event growth on segments with ceilings and a path.
    check(
        "base.toml",
        &[
            "events.slump.recurring=true",
            "events.slump.hazard={low=0.5,high=1.5}",
        ],
    );
    check(
        "demand-slump.toml",
        &["events.slump.recurring=true", "events.slump.hazard=0.8"],
    );
    check(
        "bench.toml",
        &["events.slump.recurring=true", "events.slump.hazard=0.9"],
    );
    // Monthly and annual steps (other growth roots, other deferral lengths).
    check(
        "base.toml",
        &[
            "time.steps_per_year=12",
            "events.slump.recurring=true",
            "events.slump.hazard=0.7",
        ],
    );
    check("base.toml", &["time.steps_per_year=1"]);
    check("published/hsbc-2025.toml", &["time.steps_per_year=12"]);
}
