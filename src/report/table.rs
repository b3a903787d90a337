//! The summary table printed on stdout: the answers a reader wants at a glance.

use std::fmt::Write;

use super::format::{Decimals, pct};
use crate::summary::{CheckResult, Summary};

/// Formats $B with thousands separators: 1 decimal (2 below 10).
pub fn usd_b(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let decimals = if x.abs() < 10.0 { 2 } else { 1 };
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if x < 0.0 && s.chars().any(|c| c != '0' && c != '.') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// A decimal year as its quarter: 2027.5 → "2027-Q3" (shared by every text report).
pub(crate) fn quarter(t: f64) -> String {
    let y = (t + 1e-9).floor();
    let q = ((t - y) * 4.0 + 1e-6).floor() as i32 + 1;
    format!("{y:.0}-Q{q}")
}

/// The headline lines: P(shortfall), the gap, the deficit, the first shortfall.
fn headline(o: &mut String, s: &Summary) {
    let p = &s.shortfall_probability;
    let _ = writeln!(
        o,
        "  P(shortfall)         {:>8}   95 % CI {} – {}",
        pct(p.estimate, Decimals::OneOrThreeIfTiny),
        pct(p.ci95[0], Decimals::OneOrThreeIfTiny),
        pct(p.ci95[1], Decimals::OneOrThreeIfTiny)
    );
    let g = &s.gap;
    let q = |k: &str| g.quantiles.get(k).copied().unwrap_or(f64::NAN);
    let _ = writeln!(
        o,
        "  Funding gap, $B      median {}   P90 {}   P95 {}   mean {} ± {} (s.e.)",
        usd_b(q("p50")),
        usd_b(q("p90")),
        usd_b(q("p95")),
        usd_b(g.mean),
        usd_b(g.std_error)
    );
    let _ = writeln!(
        o,
        "  If short, $B         mean gap {}   worst 5 % of trials (CVaR95) {}",
        usd_b(g.mean_given_shortfall),
        usd_b(g.cvar95)
    );
    let d = &s.deficit;
    let dq = |k: &str| d.quantiles.get(k).copied().unwrap_or(f64::NAN);
    let _ = writeln!(
        o,
        "  Deficit, $B          median {}   P90 {}   mean {}   (deepest fall on the trial's own path)",
        usd_b(dq("p50")),
        usd_b(dq("p90")),
        usd_b(d.mean)
    );
    let first = match s.first_shortfall.median {
        Some(t) => format!(
            "median {} among trials that run short",
            crate::summary::calendar_date(t)
        ),
        None => "no trial runs short".to_string(),
    };
    let _ = writeln!(o, "  First shortfall      {first}");
}

/// The calendar-year lines: median revenue, operating cash flow and net burn per year, and
/// the break-even year.
fn annual(o: &mut String, s: &Summary) {
    if s.annual.is_empty() {
        return;
    }
    let _ = write!(o, "  {:<28}", "By calendar year, medians $B");
    for (year, a) in &s.annual {
        let partial = if a.months < 12.0 { "*" } else { "" };
        let _ = write!(o, " {:>9}", format!("{year}{partial}"));
    }
    let _ = writeln!(o);
    type Pick = fn(&crate::summary::AnnualFigures) -> f64;
    let rows: [(&str, Pick); 3] = [
        ("revenue", |a| a.revenue.p50),
        ("operating cash flow", |a| a.operating_cash_flow.p50),
        ("net burn (incl. interest)", |a| a.net_burn.p50),
    ];
    for (label, f) in rows {
        let _ = write!(o, "  {label:<28}");
        for a in s.annual.values() {
            let _ = write!(o, " {:>9}", usd_b(f(a)));
        }
        let _ = writeln!(o);
    }
    if s.annual.values().any(|a| a.months < 12.0) {
        let _ = writeln!(
            o,
            "  (* a partial year: only its months inside the horizon)"
        );
    }
    let year = |y: Option<i32>| y.map_or("none".to_string(), |y| y.to_string());
    let _ = writeln!(
        o,
        "  Break-even (cash flow ≥ 0 from then on): median {}, never in {}; first year ≥ 0: median {}",
        year(s.breakeven.median_year),
        pct(s.breakeven.never, Decimals::OneOrThreeIfTiny),
        year(s.first_nonnegative_year.median_year)
    );
    let _ = writeln!(o);
}

/// Renders the summary as a plain-text table (ending in a newline).
pub fn render_table(s: &Summary) -> String {
    let mut o = String::new();
    let steps = match s.steps_per_year {
        1 => "yearly",
        4 => "quarterly",
        _ => "monthly",
    };
    let _ = writeln!(
        o,
        "funding-gap · {} — {} trials, seed {}, {} to {} ({steps})",
        s.scenario,
        s.trials,
        s.seed,
        quarter(s.start),
        quarter(s.end)
    );
    if !s.description.is_empty() {
        let _ = writeln!(o, "{}", s.description);
    }
    for set in &s.provenance.overrides {
        let _ = writeln!(o, "  --set {set}");
    }
    if let Some(p) = &s.sampling {
        let _ = writeln!(
            o,
            "  sampling: {} in {} randomizations; errors and intervals from their spread",
            match p.method {
                crate::qmc::Method::Lhs => "Latin hypercube",
                _ => "scrambled Sobol' points (RQMC)",
            },
            p.replicates
        );
    }
    let _ = writeln!(o);
    headline(&mut o, s);
    let _ = writeln!(o);
    if !s.gap_by_year.is_empty() {
        let _ = writeln!(
            o,
            "  Gap by end of year   P(shortfall)      median        P90        P95    mean ± s.e."
        );
        for (year, y) in &s.gap_by_year {
            let q = |k: &str| y.gap.quantiles.get(k).copied().unwrap_or(f64::NAN);
            let _ = writeln!(
                o,
                "  {:<18} {:>13} {:>11} {:>10} {:>10}    {} ± {}",
                year,
                pct(y.shortfall_probability.estimate, Decimals::OneOrThreeIfTiny),
                usd_b(q("p50")),
                usd_b(q("p90")),
                usd_b(q("p95")),
                usd_b(y.gap.mean),
                usd_b(y.gap.std_error)
            );
        }
        let _ = writeln!(o);
    }
    if !s.sensitivity.gap.is_empty() {
        let _ = writeln!(
            o,
            "  What drives the gap (top 5 of {} inputs by swing; from this run, no extra trials)",
            s.sensitivity.gap.len()
        );
        let _ = writeln!(
            o,
            "  {:<50} {:>12} {:>18} {:>16}",
            "input", "swing, $B", "variance share", "worst 10 %: u"
        );
        for i in s.sensitivity.gap.iter().take(5) {
            let _ = writeln!(
                o,
                "  {:<50} {:>12} {:>9.1} % {:<6} {:>15}",
                i.path,
                usd_b(i.swing),
                100.0 * i.variance_share,
                i.variance_share_se
                    .map_or(String::new(), |se| format!("± {:.1}", 100.0 * se)),
                i.worst_decile_median_u
                    .map_or("–".to_string(), |u| format!("{u:.2}"))
            );
        }
        let _ = writeln!(
            o,
            "  (swing: mean gap in the input's top decile minus its bottom decile; worst 10 %: the input's\n   median quantile among the worst 10 % of trials, 0.50 = no pull)"
        );
        let _ = writeln!(o);
    }
    annual(&mut o, s);
    let m = |k: &str| s.metrics.get(k).map_or(f64::NAN, |m| m.p50);
    let _ = writeln!(
        o,
        "  Over the horizon (medians, $B): revenue {}, obligations paid {}, other costs {}, rounds {}, IPO {}, debt {}",
        usd_b(m("revenue")),
        usd_b(m("obligations_paid")),
        usd_b(m("costs")),
        usd_b(m("funding_rounds")),
        usd_b(m("ipo_raise")),
        usd_b(m("debt_drawn"))
    );
    if let Some(c) = &s.capacity {
        capacity_lines(&mut o, s, c);
    }
    check_lines(&mut o, s);
    o
}

/// A check's number in its unit: $B, a percentage, or a decimal year (2029.25) — "never" for
/// a first-shortfall date after the horizon.
pub(crate) fn check_number(unit: &str, x: Option<f64>) -> String {
    match (unit, x) {
        (_, None) => "never".to_string(),
        ("probability", Some(x)) => pct(x, Decimals::OneOrThreeIfTiny),
        ("year", Some(x)) => format!("{x:.2}"),
        (_, Some(x)) => usd_b(x),
    }
}

/// A check's difference, run − published, in its unit: "+2.1 pt", "-0.25", "+8.14".
pub(crate) fn check_delta(c: &CheckResult) -> String {
    match (c.unit, c.delta) {
        ("probability", Some(d)) => format!("{:+.1} pt", 100.0 * d),
        ("year", Some(d)) => format!("{d:+.2}"),
        (_, Some(d)) => format!("{}{}", if d > 0.0 { "+" } else { "" }, usd_b(d)),
        (_, None) => "–".to_string(),
    }
}

/// A check's tolerance in its unit: "±2.0 pt", "±0.25", "±3.26".
pub(crate) fn check_tolerance(c: &CheckResult) -> String {
    match c.unit {
        "probability" => format!("±{:.1} pt", 100.0 * c.tolerance),
        "year" => format!("±{:.2}", c.tolerance),
        _ => format!("±{}", usd_b(c.tolerance)),
    }
}

/// A check's verdict in words; whether it is what the scenario expects is
/// [`CheckResult::as_expected`], which each text flags in its own way.
pub(crate) fn check_verdict(c: &CheckResult) -> &'static str {
    match (c.pass, c.as_expected) {
        (true, true) => "pass",
        (false, true) => "differs, as expected",
        (true, false) => "pass, but expected to differ",
        (false, false) => "FAIL",
    }
}

/// The scenario's published checks: the figure, the run's value with its 95 % interval, the
/// difference, the tolerance and the verdict; a check whose verdict is not the one the
/// scenario expects is flagged, and a check expected to differ gives its reason.
fn check_lines(o: &mut String, s: &Summary) {
    if s.checks.is_empty() {
        return;
    }
    let pass = s.checks.iter().filter(|c| c.pass).count();
    let unexpected = s.checks.iter().filter(|c| !c.as_expected).count();
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  Published checks: {pass} of {} within tolerance; {}",
        s.checks.len(),
        match unexpected {
            0 => "every verdict as the scenario expects".to_string(),
            k => format!("{k} NOT as the scenario expects"),
        }
    );
    let width = s
        .checks
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(16)
        .max(16);
    let _ = writeln!(
        o,
        "  {:<width$} {:>10} {:>10}   {:<21} {:>9} {:>10}   result",
        "published figure", "published", "run", "95 % CI", "delta", "tolerance"
    );
    for c in &s.checks {
        let num = |x| check_number(c.unit, x);
        let verdict = if c.as_expected {
            check_verdict(c).to_string()
        } else {
            format!("{}  <- UNEXPECTED", check_verdict(c))
        };
        let _ = writeln!(
            o,
            "  {:<width$} {:>10} {:>10}   {:<21} {:>9} {:>10}   {verdict}",
            c.label,
            num(Some(c.published)),
            num(c.value),
            format!("{} – {}", num(c.ci95[0]), num(c.ci95[1])),
            check_delta(c),
            check_tolerance(c)
        );
        // The metric (when a label stands for it) and, for a check expected to differ, why.
        let metric = (c.label != c.metric).then_some(c.metric.as_str());
        let why = c.reason.as_deref().filter(|_| c.expect == "differs");
        let note: Vec<String> = metric
            .map(|m| format!("[{m}]"))
            .into_iter()
            .chain(why.map(|r| format!("why: {r}")))
            .collect();
        if !note.is_empty() {
            let _ = writeln!(o, "      {}", note.join(" "));
        }
    }
}

/// With `[capacity]`: how often and how much revenue the compute could not serve, and the
/// capacity online and idle in the latest report year before the horizon's last year (or the
/// last year).
fn capacity_lines(o: &mut String, s: &Summary, c: &crate::summary::CapacitySummary) {
    let _ = writeln!(
        o,
        "  Capacity: revenue unserved in {:.1} % of trials, mean ${}B over the horizon; idle capacity mean {:.1} GW-years",
        100.0 * c.probability_bound.estimate,
        usd_b(c.unserved_revenue.mean),
        c.idle_gw_years.mean
    );
    let last = c.by_year.keys().next_back().cloned().unwrap_or_default();
    let year = s.gap_by_year.keys().rfind(|y| **y < last).unwrap_or(&last);
    if let Some(v) = c.by_year.get(year) {
        let y = year;
        let _ = writeln!(
            o,
            "            {y} (medians): {:.1} GW online, {:.1} GW idle, demand ${}B; revenue unserved mean ${}B",
            v.capacity_gw.p50,
            v.idle_gw.p50,
            usd_b(v.demand.p50),
            usd_b(v.unserved_revenue.mean)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_money() {
        assert_eq!(usd_b(1051.54), "1,051.5");
        assert_eq!(usd_b(1234567.0), "1,234,567.0");
        assert_eq!(usd_b(-3.456), "-3.46");
        assert_eq!(usd_b(0.0), "0.00");
        assert_eq!(quarter(2027.25), "2027-Q2");
    }
}
