//! Paired comparisons, goal seek and trace through the library API.

use crate::support::{close, model, scenario_file};
use funding_gap::analysis::{Target, compare, parse_sweep, sweep, trace};
use funding_gap::engine::RunConfig;
use funding_gap::model::compile;
use funding_gap::scenario::load_str;

fn cfg(trials: u64) -> RunConfig {
    RunConfig {
        trials,
        seed: 9,
        threads: Some(2),
        save_trials: false,
        worst: 0,
    }
}

/// Two near-identical scenarios (bench, and bench with $1B more cash): on common random
/// numbers the paired standard error of the difference is a small fraction of the unpaired
/// one. Flexible deferral is switched off: with it, more cash can mean fewer deferrals and so
/// a larger gap later, and the gaps need not be ordered trial by trial.
#[test]
fn common_random_numbers_shrink_the_error_of_a_difference() {
    let rigid = [
        "obligations.nvidia_loi.flexible_share=0",
        "obligations.amd.flexible_share=0",
        "obligations.broadcom.flexible_share=0",
    ];
    let a = scenario_file("bench.toml", &rigid);
    let mut more = rigid.to_vec();
    more.push("cash.initial=41");
    let b = scenario_file("bench.toml", &more);
    let c = compare(&[a, b], &cfg(20_000), &|_| {}, None).unwrap_or_else(|e| panic!("{e}"));
    let p = &c.paired[0];
    assert!(p.gap_mean_diff < 0.0, "more cash lowers the gap: {p:?}");
    assert!(
        p.gap_mean_diff_se < 0.05 * p.gap_mean_diff_se_unpaired,
        "paired s.e. {} vs unpaired {}",
        p.gap_mean_diff_se,
        p.gap_mean_diff_se_unpaired
    );
    // With $1B more in every trial, no trial can have a larger gap.
    assert_eq!(p.p_gap_a_smaller, 0.0);
    // The difference is about −$1B where a trial is short: a little more where drawing less
    // debt also saves interest.
    assert!(
        p.gap_mean_diff >= -1.1 && p.gap_mean_diff < -0.8,
        "{}",
        p.gap_mean_diff
    );
}

const ONE_STEP: &str = r#"
[time]
start = 2026
horizon_years = 1
steps_per_year = 1
[cash]
initial = 0
[revenue.none]
run_rate = 0
growth = 0
[obligations.bill]
total = { low = 0, high = 100 }
start = 2026
years = 1
"#;

/// Cash x against a bill uniform on [0, 100]: P(shortfall) = 1 − x/100, so the smallest x
/// with P(shortfall) ≤ 0.1 is 90.
#[test]
fn goal_seek_finds_a_known_root() {
    let build = |v: f64| {
        compile(&load_str(
            ONE_STEP,
            "t.toml",
            None,
            &[format!("cash.initial={v}")],
        )?)
    };
    let (path, values) = parse_sweep("cash.initial=0:100:6").unwrap_or_else(|e| panic!("{e}"));
    let target = Target::parse("shortfall_probability<=0.1").unwrap_or_else(|e| panic!("{e}"));
    let s = sweep(
        "t",
        Default::default(),
        &path,
        &values,
        &build,
        &cfg(40_000),
        Some(&target),
        &|_, _| {},
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // The grid: P(shortfall) at 0, 20, …, 100 is 1 − x/100 within MC error (s.e. ≤ 0.0025).
    for p in &s.points {
        close(
            p.shortfall_probability,
            1.0 - p.value / 100.0,
            0.01,
            &format!("P(shortfall) at {}", p.value),
        );
    }
    let seek = s.seek.unwrap_or_else(|| panic!("no seek"));
    let root = seek.value.unwrap_or(f64::NAN);
    // The root of the sampled (paired, monotone) curve is within MC error of 90: the 10th
    // percentile of 40,000 uniforms is off by ~0.15, plus the bisection's tolerance of 0.02.
    close(root, 90.0, 0.75, "smallest cash with P(shortfall) ≤ 10 %");
    assert!(seek.runs > 0);
}

#[test]
fn trace_replays_a_trial_of_the_run() {
    let m = model(ONE_STEP);
    let t = trace(&m, 9, 5);
    let again = trace(&m, 9, 5);
    assert_eq!(t, again);
    assert_eq!(t.steps.len(), 1);
    let bill = t
        .inputs
        .iter()
        .find(|(p, _, _)| p == "obligations.bill.total")
        .map(|i| i.1)
        .unwrap_or(f64::NAN);
    close(
        t.steps[0].obligations_paid,
        bill,
        1e-9,
        "the bill is paid in the one step",
    );
    let gap = t
        .metrics
        .iter()
        .find(|(k, _)| k == "gap")
        .map(|m| m.1)
        .unwrap_or(f64::NAN);
    close(gap, bill, 1e-9, "gap = bill with no cash");
}
