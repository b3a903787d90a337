//! Text and CSV renderings of the analyses: paired comparisons, sweeps, traced trials.

use std::fmt::Write;

use super::format::{Decimals, pct};
use super::table::{quarter, usd_b};
use crate::analysis::{Comparison, Metric, Sweep, TrialTrace};
use crate::summary::{Summary, calendar_date, scenario_date};

/// A difference of probabilities in percentage points: 0.0123 → "+1.23 pp".
pub(crate) fn pp(p: f64) -> String {
    format!("{:+.2} pp", 100.0 * p)
}

/// The comparison table: each scenario's headline results, then the paired differences.
pub fn render_comparison(c: &Comparison) -> String {
    let mut o = String::new();
    let first = &c.summaries[0];
    let _ = writeln!(
        o,
        "funding-gap compare — {} trials each, seed {}, common random numbers\n",
        first.trials, first.seed
    );
    let _ = writeln!(
        o,
        "  {:<24} {:>14} {:>12} {:>12} {:>12} {:>20} {:>14}",
        "scenario",
        "P(shortfall)",
        "gap P50",
        "gap P90",
        "gap P95",
        "gap mean ± s.e.",
        "first short*"
    );
    for s in &c.summaries {
        let q = |k: &str| s.gap.quantiles.get(k).copied().unwrap_or(f64::NAN);
        let _ = writeln!(
            o,
            "  {:<24} {:>14} {:>12} {:>12} {:>12} {:>20} {:>14}",
            s.scenario,
            pct(s.shortfall_probability.estimate, Decimals::Fixed(1)),
            usd_b(q("p50")),
            usd_b(q("p90")),
            usd_b(q("p95")),
            format!("{} ± {}", usd_b(s.gap.mean), usd_b(s.gap.std_error)),
            s.first_shortfall
                .median
                .map_or("none".to_string(), calendar_date)
        );
    }
    let _ = writeln!(
        o,
        "  (* first short: median date of the first shortfall among the trials that run short)"
    );
    let _ = writeln!(
        o,
        "\n  Paired differences against {} (B − A, same trials):",
        first.scenario
    );
    let _ = writeln!(
        o,
        "  {:<24} {:>24} {:>16} {:>22} {:>14}",
        "scenario B",
        "mean gap diff ± s.e.",
        "unpaired s.e.",
        "P(shortfall) diff",
        "P(gap_A < gap_B)"
    );
    for p in &c.paired {
        let _ = writeln!(
            o,
            "  {:<24} {:>24} {:>16} {:>22} {:>14}",
            p.scenario,
            format!("{} ± {}", usd_b(p.gap_mean_diff), usd_b(p.gap_mean_diff_se)),
            usd_b(p.gap_mean_diff_se_unpaired),
            format!(
                "{} ± {:.2}",
                pp(p.shortfall_probability_diff),
                100.0 * p.shortfall_probability_diff_se
            ),
            pct(p.p_gap_a_smaller, Decimals::Fixed(1))
        );
    }
    let _ = writeln!(
        o,
        "  (quantile differences P50/P90/P95, $B: {})",
        c.paired
            .iter()
            .map(|p| format!(
                "{}: {}/{}/{}",
                p.scenario,
                usd_b(p.quantile_diffs[0]),
                usd_b(p.quantile_diffs[1]),
                usd_b(p.quantile_diffs[2])
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    write_year_diffs(&mut o, c);
    o
}

/// The paired differences by report year: each scenario's P(shortfall) and mean gap by the
/// end of the year, and B − A with its paired standard error.
fn write_year_diffs(o: &mut String, c: &Comparison) {
    let a = &c.summaries[0];
    if c.paired.iter().all(|p| p.by_year.is_empty()) {
        return;
    }
    let _ = writeln!(
        o,
        "\n  By the end of each report year (A = {}; B − A on the same trials, ± paired s.e.):",
        a.scenario
    );
    let _ = writeln!(
        o,
        "  {:<24} {:>6} {:>10} {:>10} {:>22} {:>12} {:>12} {:>24}",
        "scenario B",
        "year",
        "P(short) A",
        "P(short) B",
        "P(shortfall) diff",
        "gap mean A",
        "gap mean B",
        "mean gap diff ± s.e."
    );
    for (p, b) in c.paired.iter().zip(&c.summaries[1..]) {
        for d in &p.by_year {
            let y = d.year.to_string();
            let (ya, yb) = (a.gap_by_year.get(&y), b.gap_by_year.get(&y));
            let prob = |g: Option<&crate::summary::YearGap>| {
                g.map_or("–".to_string(), |g| {
                    pct(g.shortfall_probability.estimate, Decimals::Fixed(1))
                })
            };
            let mean = |g: Option<&crate::summary::YearGap>| g.map_or(f64::NAN, |g| g.gap.mean);
            let _ = writeln!(
                o,
                "  {:<24} {:>6} {:>10} {:>10} {:>22} {:>12} {:>12} {:>24}",
                p.scenario,
                y,
                prob(ya),
                prob(yb),
                format!(
                    "{} ± {:.2}",
                    pp(d.shortfall_probability_diff),
                    100.0 * d.shortfall_probability_diff_se
                ),
                usd_b(mean(ya)),
                usd_b(mean(yb)),
                format!("{} ± {}", usd_b(d.gap_mean_diff), usd_b(d.gap_mean_diff_se))
            );
        }
    }
}

/// The sweep table, with the goal seek if any: with a target, a last column gives the
/// target's own metric with its 95 % interval.
pub fn render_sweep(s: &Sweep) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "funding-gap sweep — {}: {} ({} trials per value, seed {}, common random numbers)\n",
        s.scenario, s.path, s.trials, s.seed
    );
    let metric = s.seek.as_ref().map(|k| &k.metric);
    let mut header = format!(
        "  {:>14} {:>24} {:>12} {:>12} {:>12} {:>20}",
        "value", "P(shortfall), 95 % CI", "gap P50", "gap P90", "gap P95", "gap mean ± s.e."
    );
    if let Some(m) = metric {
        let _ = write!(header, "   {}, 95 % CI", m.name());
    }
    let _ = writeln!(o, "{header}");
    for p in &s.points {
        let mut line = format!(
            "  {:>14} {:>24} {:>12} {:>12} {:>12} {:>20}",
            crate::dist::fmt_num(p.value),
            format!(
                "{} ({:.1}–{:.1})",
                pct(p.shortfall_probability, Decimals::Fixed(1)),
                100.0 * p.shortfall_probability_ci95[0],
                100.0 * p.shortfall_probability_ci95[1]
            ),
            usd_b(p.gap_p50),
            usd_b(p.gap_p90),
            usd_b(p.gap_p95),
            format!("{} ± {}", usd_b(p.gap_mean), usd_b(p.gap_mean_se))
        );
        if let Some(m) = metric {
            let _ = write!(line, "   {}", metric_cell(m, p.metric(m), p.metric_ci95(m)));
        }
        let _ = writeln!(o, "{line}");
    }
    if let Some(k) = &s.seek {
        let _ = writeln!(o, "\n  Target {}: {}", k.target, k.note);
        if let (Some(v), Some(m)) = (k.value, k.metric_at_value) {
            let _ = writeln!(
                o,
                "  {} = {} gives {} = {}",
                s.path,
                crate::dist::fmt_num(v),
                k.metric.name(),
                crate::dist::fmt_num(m)
            );
            let lowest = s.points.first().map_or(f64::NAN, |p| p.value);
            let highest = s.points.last().map_or(f64::NAN, |p| p.value);
            let end = |e: Option<f64>, beyond: String| e.map_or(beyond, crate::dist::fmt_num);
            let _ = writeln!(
                o,
                "  95 % interval of the value: {} to {} (where the metric's 95 % interval crosses the bound)",
                end(
                    k.value_ci95[0],
                    format!("≤ {}", crate::dist::fmt_num(lowest))
                ),
                end(
                    k.value_ci95[1],
                    format!("> {}", crate::dist::fmt_num(highest))
                )
            );
        }
    }
    o
}

/// A metric with its 95 % interval: a probability in %, an amount in $B.
pub(crate) fn metric_cell(m: &Metric, v: f64, ci: [f64; 2]) -> String {
    match m {
        Metric::ShortfallProbability | Metric::ShortfallProbabilityBy(_) => format!(
            "{} ({:.1}–{:.1})",
            pct(v, Decimals::Fixed(1)),
            100.0 * ci[0],
            100.0 * ci[1]
        ),
        _ => format!("{} ({}–{})", usd_b(v), usd_b(ci[0]), usd_b(ci[1])),
    }
}

/// `sweep.csv`: one row per value.
pub fn sweep_csv(s: &Sweep) -> String {
    let mut o = String::from(
        "value,shortfall_probability,shortfall_probability_ci95_low,shortfall_probability_ci95_high,gap_mean,gap_mean_se,gap_p50,gap_p90,gap_p95",
    );
    if let Some(p) = s.points.first() {
        for (y, _) in &p.shortfall_probability_by_year {
            let _ = write!(o, ",shortfall_probability_{y}");
        }
    }
    o.push('\n');
    for p in &s.points {
        let _ = write!(
            o,
            "{},{},{},{},{},{},{},{},{}",
            p.value,
            p.shortfall_probability,
            p.shortfall_probability_ci95[0],
            p.shortfall_probability_ci95[1],
            p.gap_mean,
            p.gap_mean_se,
            p.gap_p50,
            p.gap_p90,
            p.gap_p95
        );
        for (_, v) in &p.shortfall_probability_by_year {
            let _ = write!(o, ",{v}");
        }
        o.push('\n');
    }
    o
}

/// A traced trial, year by year.
pub fn render_trace(t: &TrialTrace) -> String {
    let mut o = String::new();
    let metric = |k: &str| {
        t.metrics
            .iter()
            .find(|(n, _)| n == k)
            .map_or(f64::NAN, |(_, v)| *v)
    };
    let _ = writeln!(
        o,
        "funding-gap trace — {} trial {} (seed {}): gap {}, first shortfall {}, cash at the end {}\n",
        t.scenario,
        t.trial,
        t.seed,
        usd_b(metric("gap")),
        t.first_shortfall.map_or("none".to_string(), quarter),
        usd_b(metric("cash_end"))
    );
    let _ = writeln!(o, "  Inputs drawn (value, and its quantile u):");
    for (path, x, u) in &t.inputs {
        let _ = writeln!(
            o,
            "    {:<52} {:>12}   u = {:.3}",
            path,
            crate::dist::fmt_num(*x),
            u
        );
    }
    let _ = writeln!(
        o,
        "\n  Year by year, $B (revenue by segment; flows over the year; cash at its end):"
    );
    let mut header = format!("  {:<6}", "year");
    for s in &t.segments {
        let _ = write!(header, " {:>12}", truncate(s, 12));
    }
    for h in [
        "costs",
        "obligations",
        "deferred",
        "rounds",
        "IPO",
        "debt",
        "interest",
        "cash",
    ] {
        let _ = write!(header, " {:>11}", h);
    }
    let _ = writeln!(o, "{header}");
    let mut year = i32::MIN;
    let mut row: Vec<f64> = Vec::new();
    let seg = t.segments.len();
    let flush = |o: &mut String, year: i32, row: &[f64]| {
        if row.is_empty() {
            return;
        }
        let mut line = format!("  {:<6}", year);
        for v in &row[..seg] {
            let _ = write!(line, " {:>12}", usd_b(*v));
        }
        for v in &row[seg..] {
            let _ = write!(line, " {:>11}", usd_b(*v));
        }
        let _ = writeln!(o, "{line}");
    };
    let dt = if t.steps.len() > 1 {
        t.steps[1].t - t.steps[0].t
    } else {
        1.0
    };
    for st in &t.steps {
        let y = (st.t + 1e-9).floor() as i32;
        if y != year {
            flush(&mut o, year, &row);
            year = y;
            row = vec![0.0; seg + 8];
        }
        for (i, r) in st.run_rates.iter().enumerate() {
            row[i] += r * dt;
        }
        let flows = [
            st.costs,
            st.obligations_paid,
            st.deferred,
            st.rounds,
            st.ipo,
            st.debt_drawn,
            st.interest,
        ];
        for (i, v) in flows.iter().enumerate() {
            row[seg + i] += v;
        }
        row[seg + 7] = st.cash_end;
    }
    flush(&mut o, year, &row);
    write_happenings(&mut o, t, dt);
    let _ = writeln!(o, "\n  Results:");
    for (k, v) in &t.metrics {
        let _ = writeln!(o, "    {:<36} {:>12}", k, usd_b(*v));
    }
    for (y, g) in &t.report_gaps {
        let _ = writeln!(
            o,
            "    {:<36} {:>12}",
            format!("gap by end of {y}"),
            usd_b(*g)
        );
    }
    o
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}

/// The step that starts at `t`, for a grid of steps `dt` years long: "2027" for a yearly
/// grid, "2027-Q3" for a quarterly one, "2027-07" for a monthly one.
fn step_label(t: f64, dt: f64) -> String {
    let y = (t + 1e-9).floor();
    if dt > 0.99 {
        format!("{y:.0}")
    } else if dt > 0.2 {
        quarter(t)
    } else {
        let m = ((t - y) * 12.0 + 1e-6).floor() as i32 + 1;
        format!("{y:.0}-{m:02}")
    }
}

/// What happened in the trial: the events that fired, each round's close and tranches, the
/// IPO.
fn write_happenings(o: &mut String, t: &TrialTrace, dt: f64) {
    let _ = writeln!(o, "\n  Events that fired:");
    if t.events.is_empty() {
        let _ = writeln!(o, "    none");
    }
    for e in &t.events {
        let _ = writeln!(
            o,
            "    {:<24} from {}: run-rate × {} on {}",
            e.event,
            step_label(e.t, dt),
            crate::dist::fmt_num(e.factor),
            e.segments.join(", ")
        );
    }
    if !t.rounds.is_empty() {
        let _ = writeln!(o, "\n  Rounds (tranches received, $B):");
    }
    for r in &t.rounds {
        let _ = writeln!(
            o,
            "    round {} (close {}): {}",
            r.round,
            scenario_date(r.close),
            if r.closed { "closed" } else { "did not close" }
        );
        for p in &r.participants {
            if !r.closed {
                continue;
            }
            if !p.joined {
                let _ = writeln!(o, "      {:<20} did not join", p.participant);
                continue;
            }
            let _ = writeln!(
                o,
                "      {:<20} committed {}",
                p.participant,
                usd_b(p.amount)
            );
            for tr in &p.tranches {
                let _ = writeln!(
                    o,
                    "        {:>6} {:<34} {}",
                    pct(tr.share, Decimals::NoneIfWhole),
                    tranche_condition(tr),
                    match tr.received_at {
                        Some(at) =>
                            format!("received {} in {}", usd_b(tr.amount), step_label(at, dt)),
                        None => "not received inside the horizon".to_string(),
                    }
                );
            }
        }
    }
    if let Some(ipo) = &t.ipo {
        let line = match (ipo.happens, ipo.at) {
            (false, _) => "does not happen in this trial".to_string(),
            (true, None) => format!("dated {}, outside the horizon", scenario_date(ipo.date)),
            (true, Some(at)) => format!("in {}, raising {}", step_label(at, dt), usd_b(ipo.raise)),
        };
        let _ = writeln!(o, "\n  IPO: {line}");
    }
}

/// A tranche's condition in words: "at the close", "on 2027-01-01", "at the IPO", with its
/// lapse date.
fn tranche_condition(tr: &crate::analysis::TrancheTrace) -> String {
    let when = match (tr.when.as_str(), tr.date) {
        ("close", _) => "at the close".to_string(),
        ("date", Some(d)) => format!("on {}", scenario_date(d)),
        _ => "at the IPO".to_string(),
    };
    match tr.lapses {
        Some(l) => format!("{when}, lapses {}", scenario_date(l)),
        None => when,
    }
}

/// The K worst trials, each explained by its own draws: the inputs whose decile in that
/// trial carries the largest mean gap in the run, and what happened in it.
pub fn render_worst(summary: &Summary, worst: &[(u64, f64)], traces: &[TrialTrace]) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "funding-gap trace — the {} trials with the largest gap of {} ({} trials, seed {}; mean gap {})\n",
        worst.len(),
        summary.scenario,
        summary.trials,
        summary.seed,
        usd_b(summary.gap.mean)
    );
    let _ = writeln!(
        o,
        "  Each trial's drivers: the inputs whose draw in that trial (its decile of u) carries the\n  largest mean gap in the run, as the excess over the mean gap, $B; then what happened."
    );
    for ((trial, gap), t) in worst.iter().zip(traces) {
        let _ = writeln!(
            o,
            "\n  trial {trial}: gap {}, first short {}",
            usd_b(*gap),
            t.first_shortfall.map_or("never".to_string(), calendar_date)
        );
        let drivers = if t.drivers.is_empty() {
            crate::analysis::drivers(summary, t, 5)
        } else {
            t.drivers.clone()
        };
        if drivers.is_empty() {
            let _ = writeln!(
                o,
                "    no input drawn in a decile with a mean gap above the mean"
            );
        }
        for d in &drivers {
            let _ = writeln!(
                o,
                "    {:<52} {:>12}   u = {:.3} (decile {:>2})   +{}",
                d.path,
                crate::dist::fmt_num(d.value),
                d.u,
                d.decile,
                usd_b(d.excess_gap)
            );
        }
        let mut what: Vec<String> = t
            .events
            .iter()
            .map(|e| {
                format!(
                    "{} fired {} (× {:.2})",
                    e.event,
                    scenario_date(e.t),
                    e.factor
                )
            })
            .collect();
        for r in &t.rounds {
            if !r.closed {
                what.push(format!("round {} did not close", r.round));
                continue;
            }
            for p in &r.participants {
                let lost: f64 = p
                    .tranches
                    .iter()
                    .filter(|tr| tr.received_at.is_none())
                    .map(|tr| tr.share * p.amount)
                    .sum();
                if !p.joined {
                    what.push(format!("{} did not join round {}", p.participant, r.round));
                } else if lost > 0.0 {
                    what.push(format!(
                        "{} of {}'s {} in round {} not received",
                        usd_b(lost),
                        p.participant,
                        usd_b(p.amount),
                        r.round
                    ));
                }
            }
        }
        if let Some(ipo) = &t.ipo {
            if ipo.at.is_none() {
                what.push("no IPO inside the horizon".to_string());
            }
        }
        let _ = writeln!(
            o,
            "    what happened: {}",
            if what.is_empty() {
                "no event fired; every round closed in full".to_string()
            } else {
                what.join("; ")
            }
        );
    }
    let _ = writeln!(
        o,
        "\n  Replay any of them with: funding-gap trace SCENARIO --trial N --seed {}",
        summary.seed
    );
    o
}
