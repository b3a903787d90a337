//! `[[checks]]`: published figures the run is compared with, each naming a metric of the run
//! in the grammar of README.md, "Published checks". A metric that does not exist is refused
//! with the list of the forms that do, for this scenario's years and report years.

use toml::Value;

use super::Checker;
use crate::metrics::METRIC_NAMES;
use crate::scenario::raw::RawCheck;
use crate::scenario::types::{
    Check, CheckMetric, Expect, Quantity, Stat, Time, Tolerance, YearSeries,
};

/// The calendar years a run of `time` has steps in, first and last.
fn calendar_years(time: &Time) -> (i32, i32) {
    let dt = 1.0 / f64::from(time.steps_per_year.max(1));
    let first = (time.start + 1e-9).floor() as i32;
    let last = (time.start + time.horizon_years - dt + 1e-9).floor() as i32;
    (first, last.max(first))
}

/// What a metric may be, for this scenario: the list printed when one is not.
fn valid_forms(time: &Time) -> String {
    let (first, last) = calendar_years(time);
    let series: Vec<&str> = YearSeries::ALL.iter().map(|&(_, n)| n).collect();
    let report: Vec<String> = time.report_years.iter().map(|y| y.to_string()).collect();
    format!(
        "a metric is one of: <series>.<year>.<stat> or <series>.<from>-<to>.<stat> (the sum over those calendar years), with <series> one of {} and years {first}–{last}; gap.<stat>, deficit.<stat>, gap.by_<year>.<stat>, deficit.by_<year>.<stat> (<year> a report year: {}); shortfall_probability, shortfall_probability.by_<year>; first_shortfall.p<N>, first_shortfall.prob_le(<date>), first_shortfall.prob_ge(<date>); <metric>.<stat> for a horizon total, <metric> one of {}; <stat> is mean, p<N> (0 < N < 100, e.g. p50, p97.5), prob_ge(<x>) or prob_le(<x>)",
        series.join(", "),
        if report.is_empty() {
            "none declared".to_string()
        } else {
            report.join(", ")
        },
        METRIC_NAMES.join(", "),
    )
}

/// Parses a statistic: `mean`, `p<N>`, `prob_ge(<x>)`, `prob_le(<x>)`.
fn stat(s: &str) -> Option<Stat> {
    let arg = |prefix: &str| -> Option<f64> {
        let inner = s.strip_prefix(prefix)?.strip_suffix(')')?;
        inner.trim().parse::<f64>().ok().filter(|x| x.is_finite())
    };
    if s == "mean" {
        return Some(Stat::Mean);
    }
    if let Some(x) = arg("prob_ge(") {
        return Some(Stat::ProbGe(x));
    }
    if let Some(x) = arg("prob_le(") {
        return Some(Stat::ProbLe(x));
    }
    let n = s.strip_prefix('p')?;
    if !n.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let n: f64 = n.parse().ok()?;
    (n > 0.0 && n < 100.0).then_some(Stat::Quantile(n / 100.0))
}

/// Parses `<year>` or `<from>-<to>` inside `[first, last]`.
fn years(s: &str, (first, last): (i32, i32)) -> Option<(i32, i32)> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (i32, i32) = (a.parse().ok()?, b.parse().ok()?);
    (first <= a && a <= b && b <= last).then_some((a, b))
}

/// `by_<year>` for a report year.
fn by_report_year(s: &str, time: &Time) -> Option<i32> {
    let y: i32 = s.strip_prefix("by_")?.parse().ok()?;
    time.report_years.contains(&y).then_some(y)
}

/// Parses a metric for a scenario of `time`; `None` when it is not one.
pub fn metric(text: &str, time: &Time) -> Option<CheckMetric> {
    let (name, rest) = match text.split_once('.') {
        Some((n, r)) => (n, Some(r)),
        None => (text, None),
    };
    match (name, rest) {
        ("shortfall_probability", None) => return Some(CheckMetric::ShortfallProbability(None)),
        ("shortfall_probability", Some(r)) => {
            return by_report_year(r, time).map(|y| CheckMetric::ShortfallProbability(Some(y)));
        }
        ("first_shortfall", Some(r)) => {
            return stat(r)
                .filter(|s| *s != Stat::Mean)
                .map(CheckMetric::FirstShortfall);
        }
        _ => {}
    }
    let rest = rest?;
    // `<series>.<years>.<stat>`: the part after the name starts with a digit.
    if let Some(&(series, _)) = YearSeries::ALL.iter().find(|(_, n)| *n == name) {
        if let Some((span, st)) = rest.split_once('.') {
            if span.starts_with(|c: char| c.is_ascii_digit()) {
                let (from, to) = years(span, calendar_years(time))?;
                let q = Quantity::Years { series, from, to };
                return stat(st).map(|s| CheckMetric::Of(q, s));
            }
        }
    }
    if name == "gap" || name == "deficit" {
        if let Some((by, st)) = rest.split_once('.').filter(|(b, _)| b.starts_with("by_")) {
            let y = by_report_year(by, time)?;
            let q = if name == "gap" {
                Quantity::GapBy(y)
            } else {
                Quantity::DeficitBy(y)
            };
            return stat(st).map(|s| CheckMetric::Of(q, s));
        }
    }
    let i = METRIC_NAMES.iter().position(|&m| m == name)?;
    stat(rest).map(|s| CheckMetric::Of(Quantity::Metric(i), s))
}

/// A number from TOML (an integer or a float).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        _ => None,
    }
}

/// A tolerance: a positive number, or a string `"N%"` with N > 0.
fn tolerance(c: &mut Checker, path: &str, v: &Value) -> Option<Tolerance> {
    let parsed = match v {
        Value::String(s) => s
            .trim()
            .strip_suffix('%')
            .and_then(|n| n.trim().parse::<f64>().ok())
            .filter(|n| n.is_finite() && *n > 0.0)
            .map(|n| Tolerance::Relative(n / 100.0)),
        _ => number(v)
            .filter(|x| x.is_finite() && *x > 0.0)
            .map(Tolerance::Absolute),
    };
    if parsed.is_none() {
        c.problem(
            path,
            Some(v.to_string()),
            "must be a number > 0 in the metric's unit ($B, years or a probability), or a string \"N%\" (N > 0) of the published figure",
        );
    }
    parsed
}

/// Text fields that must be present and not blank.
fn text(c: &mut Checker, path: &str, v: &Option<String>, what: &str) -> Option<String> {
    match v.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => Some(t.to_string()),
        Some(_) => {
            c.problem(path, Some("\"\"".to_string()), format!("is blank ({what})"));
            None
        }
        None => {
            c.missing(path, what);
            None
        }
    }
}

/// One `[[checks]]` entry, or `None` after reporting its problems.
fn check(c: &mut Checker, i: usize, r: &RawCheck, time: &Time) -> Option<Check> {
    let p = |f: &str| format!("checks.{i}.{f}");
    let metric = match r.metric.as_deref() {
        None => {
            c.missing(
                &p("metric"),
                "the metric of the run to compare, e.g. revenue.2030.p50",
            );
            None
        }
        Some(m) => {
            let parsed = metric(m.trim(), time);
            if parsed.is_none() {
                c.problem(&p("metric"), Some(format!("{m:?}")), valid_forms(time));
            }
            parsed
        }
    };
    let published = match &r.published {
        None => {
            c.missing(
                &p("published"),
                "the published figure, in the metric's unit",
            );
            None
        }
        Some(v) => {
            let x = number(v).filter(|x| x.is_finite());
            let share = metric.as_ref().is_some_and(CheckMetric::is_probability);
            match x {
                Some(x) if share && !(0.0..=1.0).contains(&x) => {
                    c.problem(
                        &p("published"),
                        Some(v.to_string()),
                        "is a probability here: it must be between 0 and 1",
                    );
                    None
                }
                Some(x) => Some(x),
                None => {
                    c.problem(&p("published"), Some(v.to_string()), "must be a number");
                    None
                }
            }
        }
    };
    let tol = match &r.tolerance {
        None => {
            c.missing(
                &p("tolerance"),
                "how far the run may be from the figure and still match: a number in the metric's unit, or \"N%\"",
            );
            None
        }
        Some(v) => tolerance(c, &p("tolerance"), v),
    };
    let expect = match r.expect.as_deref() {
        None | Some("match") => Some(Expect::Match),
        Some("differs") => Some(Expect::Differs),
        Some(other) => {
            c.problem(
                &p("expect"),
                Some(format!("{other:?}")),
                "must be \"match\" (the run reproduces the figure) or \"differs\" (it departs, for the stated reason)",
            );
            None
        }
    };
    let reason = match (expect, r.reason.as_deref().map(str::trim)) {
        (Some(Expect::Differs), None | Some("")) => {
            c.missing(
                &p("reason"),
                "why the run departs from the figure: a check expected to differ must say why",
            );
            None
        }
        (_, Some(t)) if !t.is_empty() => Some(t.to_string()),
        _ => None,
    };
    let source = text(
        c,
        &p("source"),
        &r.source,
        "where the published figure comes from",
    );
    let metric_text = r.metric.as_deref()?.trim().to_string();
    Some(Check {
        label: r
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map_or_else(|| metric_text.clone(), str::to_string),
        metric_text,
        metric: metric?,
        published: published?,
        tolerance: tol?,
        expect: expect?,
        reason,
        source: source?,
    })
}

/// `[[checks]]`.
pub(super) fn checks(c: &mut Checker, raw: &[RawCheck], time: &Time) -> Vec<Check> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, r)| check(c, i, r, time))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time() -> Time {
        Time {
            start: 2026.0,
            horizon_years: 8.0,
            steps_per_year: 4,
            report_years: vec![2027, 2028, 2030, 2033],
        }
    }

    #[test]
    fn the_grammar_reads_every_form() {
        let t = time();
        let m = |s: &str| metric(s, &t);
        let years = |series, from, to| Quantity::Years { series, from, to };
        assert_eq!(
            m("revenue.2030.p50"),
            Some(CheckMetric::Of(
                years(YearSeries::Revenue, 2030, 2030),
                Stat::Quantile(0.5)
            ))
        );
        assert_eq!(
            m("net_burn.2026-2029.mean"),
            Some(CheckMetric::Of(
                years(YearSeries::NetBurn, 2026, 2029),
                Stat::Mean
            ))
        );
        assert_eq!(
            m("revenue.2030.prob_ge(280)"),
            Some(CheckMetric::Of(
                years(YearSeries::Revenue, 2030, 2030),
                Stat::ProbGe(280.0)
            ))
        );
        assert_eq!(
            m("gap.by_2030.p97.5"),
            Some(CheckMetric::Of(
                Quantity::GapBy(2030),
                Stat::Quantile(0.975)
            ))
        );
        assert_eq!(
            m("gap.mean"),
            Some(CheckMetric::Of(Quantity::Metric(0), Stat::Mean))
        );
        // `revenue.<stat>` is the horizon total; `revenue.<year>.<stat>` a calendar year.
        let total = METRIC_NAMES.iter().position(|&n| n == "revenue");
        assert_eq!(
            m("revenue.p50"),
            total.map(|i| CheckMetric::Of(Quantity::Metric(i), Stat::Quantile(0.5)))
        );
        assert_eq!(
            m("shortfall_probability.by_2028"),
            Some(CheckMetric::ShortfallProbability(Some(2028)))
        );
        assert_eq!(
            m("first_shortfall.prob_le(2029.25)"),
            Some(CheckMetric::FirstShortfall(Stat::ProbLe(2029.25)))
        );
    }

    #[test]
    fn the_grammar_refuses_what_does_not_exist() {
        let t = time();
        for bad in [
            "revenue",
            "revenue.2034.p50",
            "revenue.2025.p50",
            "revenue.2030-2028.mean",
            "revenue.2030.p100",
            "revenue.2030.p0",
            "revenue.2030.median",
            "gap.by_2029.p50",
            "shortfall_probability.by_2031",
            "first_shortfall.mean",
            "burn.2030.mean",
            "gap.p50.mean",
            "revenue.2030.prob_ge(x)",
        ] {
            assert_eq!(metric(bad, &t), None, "{bad} should be refused");
        }
    }
}
