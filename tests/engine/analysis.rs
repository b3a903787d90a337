//! Paired comparisons, goal seek and trace through the library API.

use crate::support::{close, model, scenario_file};
use funding_gap::analysis::{Target, compare, drivers, parse_sweep, sweep, trace, worst};
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

/// Three years of a bill uniform on [0, 100] paid evenly, no revenue: the gap by the end of
/// year Y is the amount paid by then, c = T·(Y − 2025)/3. With $10B more cash, it is
/// max(0, c − 10), so the paired difference is −min(10, c) in every trial.
const THREE_YEARS: &str = r#"
[time]
start = 2026
horizon_years = 3
steps_per_year = 1
report_years = [2026, 2027, 2028]
[cash]
initial = 0
[revenue.none]
run_rate = 0
growth = 0
[obligations.bill]
total = { low = 0, high = 100 }
start = 2026
years = 3
"#;

fn three_years(cash: f64) -> funding_gap::model::Model {
    compile(
        &load_str(
            THREE_YEARS,
            "t.toml",
            None,
            &[format!("cash.initial={cash}")],
        )
        .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// By the end of year Y, c ~ U(0, a) with a = 100·(Y − 2025)/3: E[min(10, c)] = 10 − 50/a,
/// and P(shortfall) falls from 1 to P(c > 10) = 1 − 10/a.
#[test]
fn paired_differences_by_report_year_have_their_known_answers() {
    let c = compare(
        &[three_years(0.0), three_years(10.0)],
        &cfg(40_000),
        &|_| {},
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let p = &c.paired[0];
    let years: Vec<i32> = p.by_year.iter().map(|d| d.year).collect();
    assert_eq!(years, [2026, 2027, 2028]);
    for d in &p.by_year {
        let a = 100.0 * f64::from(d.year - 2025) / 3.0;
        let gap = -(10.0 - 50.0 / a);
        let prob = -(10.0 / a);
        assert!(d.gap_mean_diff_se > 0.0 && d.shortfall_probability_diff_se > 0.0);
        close(
            d.gap_mean_diff,
            gap,
            4.0 * d.gap_mean_diff_se,
            &format!("mean gap difference by {}", d.year),
        );
        close(
            d.shortfall_probability_diff,
            prob,
            4.0 * d.shortfall_probability_diff_se,
            &format!("P(shortfall) difference by {}", d.year),
        );
        // The paired differences are those of the two runs' own by-year figures.
        let y = d.year.to_string();
        let (ya, yb) = (
            &c.summaries[0].gap_by_year[&y],
            &c.summaries[1].gap_by_year[&y],
        );
        close(
            d.gap_mean_diff,
            yb.gap.mean - ya.gap.mean,
            1e-9,
            "paired mean = difference of means",
        );
        close(
            d.shortfall_probability_diff,
            yb.shortfall_probability.estimate - ya.shortfall_probability.estimate,
            1e-9,
            "paired P(shortfall) = difference of the P(shortfall)",
        );
    }
    // The last report year is the horizon: the same as the whole-horizon difference.
    close(
        p.by_year[2].gap_mean_diff,
        p.gap_mean_diff,
        1e-9,
        "by 2028 = over the horizon",
    );
    // Each scenario's median first shortfall: A runs short at the end of 2026 in every trial.
    assert_eq!(c.summaries[0].first_shortfall.median, Some(2027.0));
    assert_eq!(
        c.summaries[0].first_shortfall.median_date.as_deref(),
        Some("2026-12-31")
    );
}

/// Only the report years both scenarios have are paired.
#[test]
fn paired_differences_by_year_only_for_shared_report_years() {
    let other = compile(
        &load_str(
            &THREE_YEARS.replace("report_years = [2026, 2027, 2028]", "report_years = [2027]"),
            "t.toml",
            None,
            &[],
        )
        .unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let c = compare(&[three_years(0.0), other], &cfg(2_000), &|_| {}, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let years: Vec<i32> = c.paired[0].by_year.iter().map(|d| d.year).collect();
    assert_eq!(years, [2027]);
    // The same scenario: no difference at all.
    assert_eq!(c.paired[0].by_year[0].gap_mean_diff, 0.0);
    assert_eq!(c.paired[0].by_year[0].gap_mean_diff_se, 0.0);
}

/// A target by report year: the seek reads that year's P(shortfall), and its value's
/// interval brackets the known root. By the end of 2027 the bill has paid 2T/3, so
/// P(shortfall by 2027) = 1 − 3x/200 and ≤ 0.1 needs x = 60.
#[test]
fn goal_seek_on_a_report_year_gives_the_root_an_interval() {
    let (path, values) = parse_sweep("cash.initial=0:100:6").unwrap_or_else(|e| panic!("{e}"));
    let target = Target::parse("shortfall_probability_2027<=0.1").unwrap_or_else(|e| panic!("{e}"));
    let build = |v: f64| {
        compile(&load_str(
            THREE_YEARS,
            "t.toml",
            None,
            &[format!("cash.initial={v}")],
        )?)
    };
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
    let k = s.seek.as_ref().unwrap_or_else(|| panic!("no seek"));
    assert_eq!(k.metric.name(), "shortfall_probability_2027");
    let root = k.value.unwrap_or(f64::NAN);
    close(
        root,
        60.0,
        0.75,
        "smallest cash with P(shortfall by 2027) ≤ 10 %",
    );
    let [lo, hi] = k.value_ci95;
    let (lo, hi) = (lo.unwrap_or(f64::NAN), hi.unwrap_or(f64::NAN));
    assert!(lo < root && root < hi, "interval {lo} – {hi} around {root}");
    // P = 0.1 has s.e. 0.0015 and the curve falls 0.015 per $B: about ± 0.2 each side.
    assert!(lo > 59.0 && hi < 61.0, "interval {lo} – {hi}");
    // Every value run is listed, ascending, with the metric the target reads.
    assert_eq!(k.evaluated.len(), values.len() + k.runs);
    assert!(k.evaluated.windows(2).all(|w| w[0].value < w[1].value));
    for p in &s.points {
        let e = k
            .evaluated
            .iter()
            .find(|e| e.value == p.value)
            .unwrap_or_else(|| panic!("{} not listed", p.value));
        let by = p
            .shortfall_probability_by_year
            .iter()
            .find(|(y, _)| y == "2027")
            .map_or(f64::NAN, |(_, v)| *v);
        assert_eq!(e.metric, by);
        assert!(e.metric_ci95[0] <= e.metric && e.metric <= e.metric_ci95[1]);
    }
}

const ROUNDS: &str = r#"
[time]
start = 2026
horizon_years = 4
steps_per_year = 4
[cash]
initial = 20
[revenue.api]
run_rate = 10
growth = 0.5
volatility = 0.2
[events.slump]
hazard = 3
factor = 0.5
[obligations.cloud]
total = { low = 50, high = 150 }
start = 2026
years = 4
[rounds.r1]
close = 2026.5
probability = 0.8
[rounds.r1.participants.alpha]
amount = { low = 10, high = 30 }
tranches = [{ share = 0.5, when = "close" }, { share = 0.5, when = "ipo", lapses = 2028.0 }]
[rounds.r1.participants.beta]
probability = 0.5
amount = 5
[ipo]
probability = 0.6
date = { low = 2027, high = 2030.5 }
multiple = 10
raise_share = 0.1
"#;

/// A replayed trial lists the events that fired and the tranches received, and they add up
/// to the trial's own results.
#[test]
fn trace_shows_events_rounds_and_tranches_that_add_up() {
    let m = model(ROUNDS);
    let (mut fired, mut received_on_ipo, mut lapsed) = (0, 0, 0);
    for trial in 0..60 {
        let t = trace(&m, 9, trial);
        let metric = |k: &str| {
            t.metrics
                .iter()
                .find(|(n, _)| n == k)
                .map_or(f64::NAN, |(_, v)| *v)
        };
        let received: f64 = t
            .rounds
            .iter()
            .flat_map(|r| &r.participants)
            .flat_map(|p| &p.tranches)
            .map(|tr| tr.amount)
            .sum();
        close(
            received,
            metric("funding_rounds"),
            1e-9,
            "tranches received = round funding",
        );
        let from_steps: f64 = t.steps.iter().map(|s| s.rounds).sum();
        close(
            received,
            from_steps,
            1e-9,
            "tranches received = the steps' rounds",
        );
        for tr in t
            .rounds
            .iter()
            .flat_map(|r| &r.participants)
            .flat_map(|p| &p.tranches)
        {
            assert_eq!(tr.received_at.is_some(), tr.amount > 0.0);
            if tr.when == "ipo" {
                match tr.received_at {
                    Some(at) => {
                        received_on_ipo += 1;
                        assert!(at < 2028.0);
                        assert_eq!(t.ipo.as_ref().and_then(|i| i.at), Some(at));
                    }
                    None => lapsed += 1,
                }
            }
        }
        fired += t.events.len();
        for e in &t.events {
            assert_eq!(e.event, "slump");
            assert_eq!(e.segments, ["api"]);
            assert!(e.t > 2026.0 && e.t < 2030.0);
        }
        let ipo = t.ipo.as_ref().unwrap_or_else(|| panic!("no IPO"));
        close(ipo.raise, metric("ipo_raise"), 1e-9, "IPO raise");
    }
    // A hazard of 3 per year fires in almost every trial; the IPO tranche both arrives and
    // lapses somewhere in 60 trials.
    assert!(fired >= 50, "{fired} firings");
    assert!(
        received_on_ipo > 0 && lapsed > 0,
        "{received_on_ipo} / {lapsed}"
    );
}

/// The worst trials are explained by their own draws: each driver's decile is that of its u
/// in the trial, and its excess is the run's mean gap in that decile minus the mean.
#[test]
fn worst_trials_are_explained_by_their_own_inputs() {
    let m = model(ROUNDS);
    let (summary, list) = worst(&m, &cfg(20_000), 5, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(list.len(), 5);
    for (trial, _) in &list {
        let t = trace(&m, 9, *trial);
        let d = drivers(&summary, &t, 5);
        assert!(!d.is_empty() && d.len() <= 5);
        assert!(d.windows(2).all(|w| w[0].excess_gap >= w[1].excess_gap));
        for x in &d {
            let (_, _, u) = t
                .inputs
                .iter()
                .find(|(p, _, _)| *p == x.path)
                .unwrap_or_else(|| panic!("{} not an input", x.path));
            assert_eq!(x.decile, ((u * 10.0).floor() as usize).min(9) + 1);
            let sens = summary
                .sensitivity
                .gap
                .iter()
                .find(|s| s.path == x.path)
                .unwrap_or_else(|| panic!("no sensitivity for {}", x.path));
            close(
                x.excess_gap,
                sens.decile_means[x.decile - 1] - summary.gap.mean,
                1e-12,
                "excess gap",
            );
            assert!(x.excess_gap > 0.0);
        }
    }
    // The largest bill is what makes a trial worst: its total is a driver of the worst one,
    // drawn in its top decile.
    let t = trace(&m, 9, list[0].0);
    let d = drivers(&summary, &t, 5);
    assert!(
        d.iter()
            .any(|x| x.path == "obligations.cloud.total" && x.decile == 10),
        "{d:?}"
    );
}
