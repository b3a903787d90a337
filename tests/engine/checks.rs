//! `[[checks]]`: each check's value is the statistic it names, computed from the same trials
//! as the rest of the summary — known answers on a scenario with no uncertainty, and exact
//! agreement with the summary's own estimates where both report the same thing.

use super::support::{close, model, run};
use funding_gap::summary::{CheckResult, Summary};

/// A scenario with no uncertainty: revenue $10B/yr flat, costs $8B/yr, a $60B contract paid
/// evenly over 3 years from mid-2026 ($20B/yr), $20B of cash, a floor of $2B.
const FLAT: &str = r#"
name = "flat"
[time]
start = 2026
horizon_years = 4
steps_per_year = 4
report_years = [2027, 2029]
[cash]
initial = 20.0
min_cash = 2.0
[revenue.core]
run_rate = 10.0
growth = 0.0
[costs.opex]
annual = 8.0
[obligations.cloud]
total = 60.0
start = 2026.5
years = 3
"#;

fn with_checks(base: &str, checks: &[(&str, f64)]) -> String {
    let mut s = base.to_string();
    for (metric, published) in checks {
        s.push_str(&format!(
            "[[checks]]\nmetric = \"{metric}\"\npublished = {published}\ntolerance = 0.5\nsource = \"test\"\n"
        ));
    }
    s
}

fn check<'a>(s: &'a Summary, metric: &str) -> &'a CheckResult {
    s.checks
        .iter()
        .find(|c| c.metric == metric)
        .unwrap_or_else(|| panic!("no check {metric}"))
}

fn value(s: &Summary, metric: &str) -> f64 {
    check(s, metric).value.unwrap_or(f64::NAN)
}

#[test]
fn known_answers_with_no_uncertainty() {
    // 2026: revenue 10, costs 8, contract 10 (half a year) → burn 8; 2027–2028: burn 18 a
    // year; cash 20 → 12 at end-2026 → below the floor of 2 during 2027.
    let text = with_checks(
        FLAT,
        &[
            ("revenue.2027.mean", 10.0),
            ("revenue.2026-2029.p50", 40.0),
            ("obligations_paid.2026.mean", 10.0),
            ("obligations_paid.2026-2029.mean", 60.0),
            ("costs.2027.p50", 8.0),
            ("pre_obligation_cash_flow.2026-2028.mean", 6.0),
            ("net_burn.2027.mean", 18.0),
            ("operating_cash_flow.2028.mean", -18.0),
            ("net_burn.2027.prob_ge(18)", 1.0),
            ("net_burn.2027.prob_le(17.9)", 0.0),
            ("shortfall_probability", 1.0),
            ("shortfall_probability.by_2027", 1.0),
            ("gap.by_2027.p50", 8.0),
            ("first_shortfall.prob_le(2026.99)", 0.0),
            ("first_shortfall.prob_le(2027.99)", 1.0),
        ],
    );
    let m = model(&text);
    let (_, s) = run(&m, 64, 1, 1);
    for c in &s.checks {
        let v = c.value.unwrap_or(f64::NAN);
        close(v, c.published, 1e-9, &c.metric);
        assert!(c.pass && c.as_expected, "{} should pass", c.metric);
        let [lo, hi] = c.ci95;
        let (lo, hi) = (lo.unwrap_or(f64::NAN), hi.unwrap_or(f64::NAN));
        assert!(
            lo <= v + 1e-9 && v <= hi + 1e-9,
            "{}: {v} outside [{lo}, {hi}]",
            c.metric
        );
    }
    // The first shortfall: cash 12 at end-2026 falls by 4.5 a quarter, below 2 in 2027-Q3
    // (12 − 2 × 4.5 = 3 at 2027.5, −1.5 at 2027.75).
    let text = with_checks(FLAT, &[("first_shortfall.p50", 2027.75)]);
    let (_, s) = run(&model(&text), 16, 1, 1);
    close(
        value(&s, "first_shortfall.p50"),
        2027.75,
        1e-9,
        "first shortfall",
    );
}

#[test]
fn checks_agree_with_the_summary_and_expectations_are_honoured() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal.toml");
    let base = std::fs::read_to_string(path).unwrap_or_default();
    let base = base.replace(
        "steps_per_year = 4",
        "steps_per_year = 4\nreport_years = [2028]",
    );
    let mut text = with_checks(
        &base,
        &[
            ("gap.p50", 0.0),
            ("gap.mean", 0.0),
            ("shortfall_probability", 0.0),
            ("shortfall_probability.by_2028", 0.0),
            ("revenue.2027.mean", 0.0),
            ("net_burn.2026-2027.mean", 0.0),
        ],
    );
    text.push_str(
        "[[checks]]\nmetric = \"gap.p90\"\npublished = 1e6\ntolerance = \"1%\"\nexpect = \"differs\"\nreason = \"a test\"\nsource = \"test\"\n",
    );
    let m = model(&text);
    let (_, s) = run(&m, 4000, 7, 2);
    // The same estimate as the summary's, exactly (the same trials, the same sketch width).
    assert_eq!(
        check(&s, "gap.p50").value,
        s.gap.quantiles.get("p50").copied()
    );
    close(value(&s, "gap.mean"), s.gap.mean, 1e-9, "gap mean");
    assert_eq!(
        check(&s, "shortfall_probability").value,
        Some(s.shortfall_probability.estimate)
    );
    assert_eq!(
        check(&s, "shortfall_probability").ci95,
        s.shortfall_probability.ci95.map(Some)
    );
    assert_eq!(
        check(&s, "shortfall_probability.by_2028").value,
        s.gap_by_year
            .get("2028")
            .map(|y| y.shortfall_probability.estimate)
    );
    let annual = |y: &str| s.annual.get(y).map_or(f64::NAN, |a| a.net_burn.mean);
    close(
        value(&s, "revenue.2027.mean"),
        s.annual.get("2027").map_or(f64::NAN, |a| a.revenue.mean),
        1e-9,
        "revenue 2027",
    );
    // The mean of a sum over years is the sum of the years' means.
    close(
        value(&s, "net_burn.2026-2027.mean"),
        annual("2026") + annual("2027"),
        1e-9,
        "burn 2026–27",
    );
    // A check expected to differ that does differ is as expected; the others fail (their
    // published figures are 0) unless the value is within 0.5 of it.
    let p90 = check(&s, "gap.p90");
    assert!(!p90.pass && p90.as_expected && p90.expect == "differs");
    close(p90.tolerance, 1e4, 1e-6, "relative tolerance");
    let mean = check(&s, "gap.mean");
    assert_eq!(mean.pass, mean.value.is_some_and(|v| v.abs() <= 0.5));
    assert_eq!(mean.as_expected, mean.pass);
    // The interval of a mean is ± 1.96 standard errors.
    let [lo, hi] = mean.ci95;
    close(
        hi.unwrap_or(f64::NAN) - lo.unwrap_or(f64::NAN),
        2.0 * 1.959_963_984_540_054 * s.gap.std_error,
        1e-9,
        "mean interval",
    );
}

#[test]
fn checks_are_the_same_at_any_thread_count() {
    let text = with_checks(
        FLAT.replace(
            "growth = 0.0",
            "growth = { low = 0.0, high = 0.5 }\nvolatility = 0.3",
        )
        .as_str(),
        &[
            ("revenue.2029.p90", 0.0),
            ("net_burn.2026-2029.mean", 0.0),
            ("gap.by_2029.p50", 0.0),
            ("first_shortfall.p10", 2027.0),
        ],
    );
    let m = model(&text);
    let (_, one) = run(&m, 3000, 3, 1);
    let (_, two) = run(&m, 3000, 3, 2);
    assert_eq!(one.checks, two.checks);
}

#[test]
fn a_scenario_without_checks_has_none() {
    let (_, s) = run(&model(FLAT), 16, 1, 1);
    assert!(s.checks.is_empty());
    let json = serde_json::to_string(&s).unwrap_or_default();
    assert!(!json.contains("\"checks\""));
}
