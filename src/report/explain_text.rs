//! `explain` as text: what a scenario assumes, for a reader deciding whether to trust it.

use std::fmt::Write;

use super::format::{Decimals, pct};
use super::table::{quarter, usd_b};
use crate::analysis::explain::Explanation;
use crate::summary::scenario_date;

/// Wraps `text` at `width` columns, indenting continuation lines by `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line > 0 && line + 1 + word.chars().count() > width {
            out.push('\n');
            out.push_str(indent);
            line = indent.len();
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.chars().count();
    }
    out
}

/// Renders an explanation as plain text (ending in a newline).
pub fn render_explanation(e: &Explanation) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}: {}", e.scenario, e.description);
    if !e.files.is_empty() {
        let files = &e.files;
        let _ = writeln!(
            o,
            "Read from: {}",
            files
                .join(" <- extends <- ")
                .replace(" <- extends <- ", " (extends) ")
        );
    }
    let steps = match e.steps_per_year {
        1 => "yearly",
        4 => "quarterly",
        _ => "monthly",
    };
    let years: Vec<String> = e.report_years.iter().map(|y| y.to_string()).collect();
    let _ = writeln!(
        o,
        "Horizon: {} to {}, {steps}; gap reported by the end of {}",
        quarter(e.horizon[0]),
        quarter(e.horizon[1]),
        years.join(", ")
    );

    if e.overrides.is_empty() {
        let _ = writeln!(o, "Changed by --set: nothing");
    } else {
        let _ = writeln!(
            o,
            "Changed by --set (applied after the files, in this order):"
        );
        for set in &e.overrides {
            let _ = writeln!(o, "  --set {set}");
        }
    }

    if !e.removed.is_empty() {
        let _ = writeln!(o, "Removed from what it extends (by `remove`):");
        for r in &e.removed {
            let _ = writeln!(o, "  {} (removed by {})", r.entry, r.file);
            for c in &r.correlations {
                let _ = writeln!(o, "      correlation {c} dropped with it");
            }
        }
    }

    let _ = writeln!(
        o,
        "\nUncertain inputs ({}): median and 90 % interval (3 significant figures)",
        e.inputs.len()
    );
    for i in &e.inputs {
        let _ = writeln!(
            o,
            "  {:<52} {:>10}   [{} – {}]   {}",
            i.path,
            number(&i.path, i.p50),
            number(&i.path, i.p5),
            number(&i.path, i.p95),
            i.distribution
        );
        if let Some(src) = &i.source {
            let _ = writeln!(o, "      {}", wrap(src, 94, "      "));
        }
    }
    write_fixed(&mut o, e);
    write_contracts(&mut o, e);
    write_rounds(&mut o, e);
    if !e.correlations.is_empty() {
        let _ = writeln!(o, "\nCorrelations (Gaussian copula on normal scores)");
        for (a, b, rho) in &e.correlations {
            let _ = writeln!(o, "  {rho:>5.2}  {a} – {b}");
        }
    }

    write_obligations(&mut o, e);
    write_median_path(&mut o, e);

    if e.warnings.is_empty() {
        let _ = writeln!(o, "\nNo warnings.");
    } else {
        let _ = writeln!(o, "\nWarnings");
        for w in &e.warnings {
            let _ = writeln!(o, "  - {}", wrap(w, 96, "    "));
        }
    }
    o
}

/// `x` to 3 significant figures, with thousands separators and no trailing zeros:
/// 1234.5 → "1,230", 0.04567 → "0.0457", 40 → "40".
pub(crate) fn sig3(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let mag = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(mag - 2);
    let r = (x / scale).round() * scale;
    // Rounding can carry into the next power of ten (999.6 → 1000).
    let mag = if r.abs() > 0.0 {
        r.abs().log10().floor() as i32
    } else {
        mag
    };
    let decimals = (2 - mag).clamp(0, 12) as usize;
    let s = format!("{:.*}", decimals, r.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = frac.trim_end_matches('0');
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if x < 0.0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// Whether the field at `path` holds a date.
fn is_date(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    matches!(
        last,
        "date" | "close" | "start" | "lapses" | "from" | "until"
    )
}

/// A value of the field at `path` for reading: a date as its day, any other number to 3
/// significant figures.
pub(crate) fn number(path: &str, x: f64) -> String {
    if is_date(path) {
        scenario_date(x)
    } else {
        sig3(x)
    }
}

/// The fixed values, with their sources.
fn write_fixed(o: &mut String, e: &Explanation) {
    if e.fixed.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\nFixed values ({}): $B, $B/yr, fractions or years as the field says",
        e.fixed.len()
    );
    for f in &e.fixed {
        let _ = writeln!(o, "  {:<52} {:>10}", f.path, number(&f.path, f.value));
        if let Some(src) = &f.source {
            let _ = writeln!(o, "      {}", wrap(src, 94, "      "));
        }
    }
}

/// The contracts: total, timing, realized and flexible shares.
fn write_contracts(o: &mut String, e: &Explanation) {
    if e.contracts.is_empty() {
        return;
    }
    let _ = writeln!(o, "\nContracts ($B, medians)");
    for c in &e.contracts {
        let _ = writeln!(
            o,
            "  {:<22} {:<14} total ${}B ({}), {}; realized {}, flexible {}{}",
            c.name,
            c.counterparty,
            sig3(c.total_p50),
            c.total,
            c.timing,
            pct(c.realized_share_p50, Decimals::NoneIfWhole),
            pct(c.flexible_share_p50, Decimals::NoneIfWhole),
            if c.flexible_share_p50 > 0.0 {
                format!(" (deferred by {} yr)", sig3(c.deferral_years))
            } else {
                String::new()
            }
        );
        if let Some(who) = &c.if_joins {
            let _ = writeln!(
                o,
                "  {:<22} exists only if {who} joins (and its round closes)",
                ""
            );
        }
    }
}

/// The rounds: close date and probability, each participant's amount, tranches and their
/// conditions.
fn write_rounds(o: &mut String, e: &Explanation) {
    if e.rounds.is_empty() && e.ipo.is_none() {
        return;
    }
    let _ = writeln!(o, "\nFunding rounds and IPO (amounts $B, medians)");
    if let Some(i) = &e.ipo {
        let _ = writeln!(
            o,
            "  IPO: happens with probability {}, dated {} [{} – {}], raises {} of {}× the revenue run-rate",
            pct(i.probability, Decimals::NoneIfWhole),
            scenario_date(i.date[1]),
            scenario_date(i.date[0]),
            scenario_date(i.date[2]),
            pct(i.raise_share_p50, Decimals::NoneIfWhole),
            sig3(i.multiple_p50)
        );
    }
    for r in &e.rounds {
        let _ = writeln!(
            o,
            "  round {}: closes {} with probability {}{}",
            r.name,
            scenario_date(r.close),
            pct(r.closes_probability, Decimals::NoneIfWhole),
            r.post_money
                .map(|v| format!(", post-money ${}B", sig3(v)))
                .unwrap_or_default()
        );
        for p in &r.participants {
            let _ = writeln!(
                o,
                "    {:<20} joins with probability {}, commits ${}B ({})",
                p.name,
                pct(p.joins_probability, Decimals::NoneIfWhole),
                sig3(p.amount_p50),
                p.amount
            );
            for t in &p.tranches {
                let when = match (t.when.as_str(), t.date) {
                    _ if t.condition.is_some() => t.condition.clone().unwrap_or_default(),
                    ("close", _) => "at the close".to_string(),
                    ("date", Some(d)) => format!("on {}", scenario_date(d)),
                    _ => "at the IPO, if it happens inside the horizon".to_string(),
                };
                let lapses = t
                    .lapses
                    .map(|l| format!("; lapses {} if not paid by then", scenario_date(l)))
                    .unwrap_or_default();
                let mut line = format!("{when}{lapses}");
                if t.condition.is_some() {
                    line = wrap(&line, 86, "            ");
                }
                let _ = writeln!(
                    o,
                    "      {:>5} {}",
                    pct(t.share, Decimals::NoneIfWhole),
                    line
                );
            }
            if let Some(tied) = &p.tied_spend {
                let _ = writeln!(o, "      tied spend: {}", wrap(tied, 86, "        "));
            }
        }
    }
}

/// The obligations due per year, by counterparty, with totals.
fn write_obligations(o: &mut String, e: &Explanation) {
    let _ = writeln!(
        o,
        "\nObligations due per year, $B (mean totals × mean realized shares, before deferral)"
    );
    let _ = write!(o, "  {:<22}", "counterparty");
    for y in &e.schedule_years {
        let _ = write!(o, "{y:>8}");
    }
    let _ = writeln!(o, "{:>10}", "total");
    let mut totals = vec![0.0; e.schedule_years.len()];
    for (name, row) in &e.schedule {
        let _ = write!(o, "  {:<22}", name);
        for (t, v) in totals.iter_mut().zip(row) {
            *t += v;
            let _ = write!(o, "{:>8}", usd_b(*v));
        }
        let _ = writeln!(o, "{:>10}", usd_b(row.iter().sum()));
    }
    let _ = write!(o, "  {:<22}", "total");
    for t in &totals {
        let _ = write!(o, "{:>8}", usd_b(*t));
    }
    let _ = writeln!(o, "{:>10}", usd_b(totals.iter().sum()));
    let _ = writeln!(
        o,
        "  Headline total of the contracts: ${}B",
        usd_b(e.headline_total)
    );
}

/// Sources and uses of cash on the median path, and the path year by year.
fn write_median_path(o: &mut String, e: &Explanation) {
    let m = &e.median_path;
    let _ = writeln!(
        o,
        "\nSources and uses of cash on the median path (every input at its median, no shocks or events), $B"
    );
    let sources = m.initial_cash + m.revenue + m.rounds + m.ipo + m.debt;
    let uses = m.costs + m.obligations + m.interest;
    let _ = writeln!(
        o,
        "  Sources {:>10}   cash at start {}, revenue {}, rounds {}, IPO {}, debt {}",
        usd_b(sources),
        usd_b(m.initial_cash),
        usd_b(m.revenue),
        usd_b(m.rounds),
        usd_b(m.ipo),
        usd_b(m.debt)
    );
    let _ = writeln!(
        o,
        "  Uses    {:>10}   other costs {}, obligations {}, interest {}",
        usd_b(uses),
        usd_b(m.costs),
        usd_b(m.obligations),
        usd_b(m.interest)
    );
    let _ = writeln!(
        o,
        "  Cash at the end {} (floor {}); gap on this path {}{}",
        usd_b(m.cash_end),
        usd_b(m.floor),
        usd_b(m.gap),
        m.first_shortfall
            .map(|t| format!(", first short on {}", crate::summary::calendar_date(t)))
            .unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "  {:<6} {:>10} {:>12} {:>12} {:>22} {:>14}",
        "year", "revenue", "other costs", "obligations", "rounds+IPO+debt−int.", "cash at end"
    );
    for y in &m.by_year {
        let _ = writeln!(
            o,
            "  {:<6} {:>10} {:>12} {:>12} {:>22} {:>14}",
            y.year,
            usd_b(y.revenue),
            usd_b(y.costs),
            usd_b(y.obligations),
            usd_b(y.financing),
            usd_b(y.cash_end)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_to_three_significant_figures() {
        assert_eq!(sig3(1234.5), "1,230");
        assert_eq!(sig3(1_234_567.0), "1,230,000");
        assert_eq!(sig3(0.04567), "0.0457");
        assert_eq!(sig3(40.0), "40");
        assert_eq!(sig3(-2.5), "-2.5");
        assert_eq!(sig3(999.6), "1,000");
        assert_eq!(sig3(0.0), "0");
        assert_eq!(number("ipo.date", 2027.5), "2027-07-01");
    }
}
