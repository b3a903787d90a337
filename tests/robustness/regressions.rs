//! Minimal reproducers of the bugs the other modules found, each now fixed: the test guards
//! the fix. An open bug gets an `#[ignore = "bug: ..."]`d test here (run them with
//! `cargo test --test robustness regressions -- --ignored`) until it is fixed.

use funding_gap::model::compile;
use funding_gap::scenario::{load, load_str};
use funding_gap::sim::{Scratch, run_trial};

use crate::support::{guarded, run_summary, scenarios_dir};

/// Cash that never runs short, one uncertain input.
const NEVER_SHORT: &str = r#"
[time]
start = 2026
horizon_years = 2
[cash]
initial = 100
[revenue.core]
run_rate = 1
growth = { low = 0.1, high = 0.2 }
"#;

fn model(text: &str) -> funding_gap::model::Model {
    let s = load_str(text, "repro.toml", None, &[]).unwrap_or_else(|e| panic!("{e}"));
    compile(&s).unwrap_or_else(|e| panic!("{e}"))
}

/// summary.json: `sensitivity.gap[i].variance_share_se` was NaN (written as `null`) when the
/// response is constant, here a gap of 0 in every trial; the same happened for every report
/// year with no shortfall in any trial, so most real runs had `null`s in
/// `sensitivity.by_year`. A constant response now has a share of exactly 0 ± 0. With too
/// few trials for two groups with a share (1 or 2 trials, say) the error is left out.
#[test]
fn variance_share_se_is_nan_for_a_constant_response() {
    for trials in [16, 1000, 2000] {
        let s = run_summary(&model(NEVER_SHORT), trials, 1);
        let inp = &s.sensitivity.gap[0];
        assert_eq!(inp.variance_share, 0.0, "{trials} trials: {inp:?}");
        assert_eq!(inp.variance_share_se, Some(0.0), "{trials} trials: {inp:?}");
    }
    for trials in [1, 2] {
        let s = run_summary(&model(NEVER_SHORT), trials, 1);
        let json = serde_json::to_value(&s.sensitivity.gap[0]).unwrap_or_default();
        assert!(json.get("variance_share_se").is_none(), "{json}");
    }
}

/// With fewer than 10 trials some deciles of u are empty and their `decile_means` were NaN
/// (`null` in summary.json); with 1 trial, 9 of 10 were. An empty decile now shows the
/// overall mean.
#[test]
fn decile_means_are_nan_with_fewer_than_ten_trials() {
    for trials in [1, 3, 9] {
        let s = run_summary(&model(NEVER_SHORT), trials, 1);
        for inp in &s.sensitivity.gap {
            assert!(
                inp.decile_means.iter().all(|m| m.is_finite()),
                "{}: decile_means = {:?}",
                inp.path,
                inp.decile_means
            );
            assert!(inp.swing.is_finite(), "{inp:?}");
        }
    }
}

/// `stats::wilson(0, n)` returns a lower end of ~1e-18, not 0, and `wilson(n, n)` an upper end
/// of 1 − 2e-16, not 1: the interval printed for an estimate of 0 % or 100 % does not contain
/// it (e.g. `shortfall_probability: { estimate: 0.0, ci95: [1.7e-18, 0.0188] }` at 200 trials).
#[test]
fn wilson_interval_excludes_an_estimate_of_0_or_1() {
    for n in [1, 7, 200, 2000, 100_000] {
        let (lo, _) = funding_gap::stats::wilson(0, n);
        let (_, hi) = funding_gap::stats::wilson(n, n);
        assert!(
            lo <= 0.0,
            "wilson(0, {n}) starts at {lo:e}, above the estimate 0"
        );
        assert!(
            hi >= 1.0,
            "wilson({n}, {n}) ends at {hi}, below the estimate 1"
        );
    }
}

/// README: errors are "one line per problem". `--set` echoed its argument raw, so one with a
/// newline (`--set $'\n'`) printed an error split over lines, the second not starting with
/// `error:`. Control characters are now shown escaped (`\n`).
#[test]
fn a_newline_in_a_set_argument_splits_the_error_line() {
    let bench = scenarios_dir().join("bench.toml");
    for arg in [
        "\n",
        "ipo.probabilty\n=0.5",
        "ipo.probabilty=\n0.5",
        "ipo.probability=\"a\\nb\"",
        "name=\"two\\nlines\"",
    ] {
        let Err(e) = load(&bench, &[arg.to_string()]) else {
            panic!("{arg:?} was accepted");
        };
        let msg = e.to_string();
        assert!(
            !msg.contains('\n'),
            "--set {arg:?} gives a multi-line error:\n{msg}"
        );
    }
}

/// Compiling hangs for a long term: `model::compile::obligations::term_unit` iterates over every step of the term
/// (years × steps per year) to normalise the weights, even though only the steps inside the
/// horizon are kept. `years = 1e12` is 4e12 iterations; `funding-gap validate` hangs too.
/// The same for `tied_spend.years`. The validator accepts any positive `years`.
#[test]
fn a_term_of_1e12_years_hangs_compile() {
    let obligation =
        format!("{NEVER_SHORT}\n[obligations.cloud]\ntotal = 10\nstart = 2026\nyears = 1e12\n");
    let tied = format!(
        "{NEVER_SHORT}\n[rounds.r]\nclose = 2026\n[rounds.r.participants.p]\namount = 10\n\
         tied_spend = {{ share = 0.5, years = 1e12 }}\n"
    );
    for text in [obligation, tied] {
        let shown = text.clone();
        let r = guarded(move || {
            let s = load_str(&text, "repro.toml", None, &[]).map_err(|e| e.to_string())?;
            compile(&s).map(|_| ()).map_err(|e| e.to_string())
        });
        assert!(
            !matches!(r, Err(ref e) if e.starts_with("HUNG")),
            "{r:?}\n{shown}"
        );
    }
}

/// `deferral_years = 1e300` gave `deferral_steps = usize::MAX` (a saturating cast), and
/// deferring a payment computed `k + deferral_steps`: "attempt to add with overflow" in a
/// debug or test build (`funding-gap run` exited 101); in a release build it wrapped to k − 1
/// and the payment silently vanished. Fixed by the 1e12 bound on numbers: 1e300 is now
/// rejected, and the largest allowed deferral must drop the payment past the horizon.
#[test]
fn huge_deferral_years_do_not_overflow_the_step_index() {
    for d in ["1e300", "1e12"] {
        let text = format!(
            "[time]\nstart = 2026\nhorizon_years = 2\n[cash]\ninitial = 0\nmin_cash = 10\n\
             [revenue.core]\nrun_rate = 1\ngrowth = 0\n[obligations.cloud]\ntotal = 40\n\
             start = 2026\nyears = 1\nflexible_share = 1\ndeferral_years = {d}\n"
        );
        let r = guarded(move || {
            let s = load_str(&text, "repro.toml", None, &[]).map_err(|e| e.to_string())?;
            let m = compile(&s).map_err(|e| e.to_string())?;
            let mut sc = Scratch::new(&m);
            run_trial(&m, 1, 0, &mut sc);
            Ok::<f64, String>(sc.outcome.metrics[funding_gap::sim::metric::DROPPED])
        });
        match r {
            // Every payment is deferred (cash is below the floor throughout) past the horizon.
            Ok(Ok(dropped)) => assert!(
                (dropped - 40.0).abs() < 1e-9,
                "deferral_years = {d}: deferred past the horizon: {dropped}"
            ),
            Ok(Err(msg)) => assert!(msg.contains("deferral_years"), "{msg}"),
            Err(e) => panic!("deferral_years = {d}: {e}"),
        }
    }
}

/// Charts must draw (or refuse) any summary promptly. `funding-gap run` once hung forever in
/// plotters' `compute_f64_key_points` when a chart's data reached ~1e308 (`cash.initial =
/// -1e308`, now rejected by the 1e12 bound on numbers); this keeps the charts safe from
/// extreme and non-finite values however they arise. (A negative revenue of -1e300 still
/// panics in `revenue_vs_obligations` with an integer overflow, but revenue is never
/// negative, so it is left out.)
#[test]
fn charts_draw_extreme_summaries_promptly() {
    use funding_gap::chart::{Chart, ChartOptions, Format, render_bytes};
    let text = NEVER_SHORT.replace("initial = 100", "initial = { low = -5, high = 5 }");
    let base = run_summary(&model(&text), 500, 1);
    let mut problems = Vec::new();
    for v in [-1e308, 1e308, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for chart in Chart::ALL {
            let mut s = base.clone();
            for x in s.bands.cash.p5.iter_mut() {
                *x = v;
            }
            for x in s.bands.revenue.p95.iter_mut() {
                *x = v.abs();
            }
            s.gap.quantiles.insert("p99".into(), v.abs());
            s.gap.mean = v.abs();
            for x in s.obligations_schedule.total_by_year.iter_mut() {
                *x = v.abs();
            }
            let r = guarded(move || {
                render_bytes(chart, &s, Format::Svg, &ChartOptions::default()).map(|b| b.len())
            });
            if let Err(e) = r {
                problems.push(format!("{} with {v:e}: {e}", chart.file_stem()));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The "whole number of steps" check on `time.horizon_years` allows a rounding error of 1e-9
/// steps, so any horizon under ~1e-9 years (e.g. `horizon_years = 1e-300`, which a `--set`
/// could give) rounds to **zero** steps and is accepted: `funding-gap validate` says
/// "ok (… 0 steps)" and `run` reports a gap of 0 with no time steps at all.
#[test]
fn a_horizon_of_zero_steps_is_accepted() {
    let text = NEVER_SHORT.replace("horizon_years = 2", "horizon_years = 1e-300");
    let r = load_str(&text, "repro.toml", None, &[]);
    let steps = r
        .as_ref()
        .ok()
        .and_then(|s| compile(s).ok())
        .map(|m| m.grid.n);
    assert!(r.is_err(), "accepted; the model has {steps:?} steps");
}
