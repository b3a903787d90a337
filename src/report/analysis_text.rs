//! Text and CSV renderings of the analyses: paired comparisons, sweeps, traced trials.

use std::fmt::Write;

use super::format::{Decimals, pct};
use super::table::{quarter, usd_b};
use crate::analysis::{Comparison, Sweep, TrialTrace};
use crate::summary::Summary;

fn pp(p: f64) -> String {
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
        "  {:<24} {:>14} {:>12} {:>12} {:>12} {:>20}",
        "scenario", "P(shortfall)", "gap P50", "gap P90", "gap P95", "gap mean ± s.e."
    );
    for s in &c.summaries {
        let q = |k: &str| s.gap.quantiles.get(k).copied().unwrap_or(f64::NAN);
        let _ = writeln!(
            o,
            "  {:<24} {:>14} {:>12} {:>12} {:>12} {:>20}",
            s.scenario,
            pct(s.shortfall_probability.estimate, Decimals::Fixed(1)),
            usd_b(q("p50")),
            usd_b(q("p90")),
            usd_b(q("p95")),
            format!("{} ± {}", usd_b(s.gap.mean), usd_b(s.gap.std_error))
        );
    }
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
    o
}

/// The sweep table, with the goal seek if any.
pub fn render_sweep(s: &Sweep) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "funding-gap sweep — {}: {} ({} trials per value, seed {}, common random numbers)\n",
        s.scenario, s.path, s.trials, s.seed
    );
    let _ = writeln!(
        o,
        "  {:>14} {:>24} {:>12} {:>12} {:>12} {:>20}",
        "value", "P(shortfall), 95 % CI", "gap P50", "gap P90", "gap P95", "gap mean ± s.e."
    );
    for p in &s.points {
        let _ = writeln!(
            o,
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
    }
    if let Some(k) = &s.seek {
        let _ = writeln!(o, "\n  Target {}: {}", k.target, k.note);
        if let (Some(v), Some(m)) = (k.value, k.metric_at_value) {
            let _ = writeln!(
                o,
                "  {} = {} gives {}",
                s.path,
                crate::dist::fmt_num(v),
                crate::dist::fmt_num(m)
            );
        }
    }
    o
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

/// The K worst trials with the values of the inputs that drive the gap most.
pub fn render_worst(summary: &Summary, worst: &[(u64, f64)], traces: &[TrialTrace]) -> String {
    let mut o = String::new();
    let top: Vec<&str> = summary
        .sensitivity
        .gap
        .iter()
        .take(4)
        .map(|i| i.path.as_str())
        .collect();
    let _ = writeln!(
        o,
        "funding-gap trace — the {} trials with the largest gap of {} ({} trials, seed {})\n",
        worst.len(),
        summary.scenario,
        summary.trials,
        summary.seed
    );
    let _ = writeln!(
        o,
        "  Key inputs (largest swing first), value and its quantile u:"
    );
    for (i, p) in top.iter().enumerate() {
        let _ = writeln!(o, "    [{}] {p}", i + 1);
    }
    let mut header = format!("\n  {:>9} {:>10} {:>14}", "trial", "gap, $B", "first short");
    for i in 0..top.len() {
        let _ = write!(header, " {:>18}", format!("[{}]", i + 1));
    }
    let _ = writeln!(o, "{header}");
    for ((trial, gap), t) in worst.iter().zip(traces) {
        let mut line = format!(
            "  {:>9} {:>10} {:>14}",
            trial,
            usd_b(*gap),
            t.first_shortfall.map_or("none".to_string(), quarter)
        );
        for p in &top {
            let cell = t
                .inputs
                .iter()
                .find(|(q, _, _)| q == p)
                .map_or("–".to_string(), |(_, x, u)| {
                    format!("{} (u {:.2})", crate::dist::fmt_num(*x), u)
                });
            let _ = write!(line, " {:>18}", cell);
        }
        let _ = writeln!(o, "{line}");
    }
    let _ = writeln!(
        o,
        "\n  Replay any of them with: funding-gap trace SCENARIO --trial N --seed {}",
        summary.seed
    );
    o
}
