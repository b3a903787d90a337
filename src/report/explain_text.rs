//! `explain` as text: what a scenario assumes, for a reader deciding whether to trust it.

use std::fmt::Write;

use super::table::{quarter, usd_b};
use crate::analysis::explain::Explanation;

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

    let _ = writeln!(
        o,
        "\nUncertain inputs ({}): median and 90 % interval",
        e.inputs.len()
    );
    for i in &e.inputs {
        let _ = writeln!(
            o,
            "  {:<52} {:>10}   [{} – {}]   {}",
            i.path,
            crate::dist::fmt_num(i.p50),
            crate::dist::fmt_num(i.p5),
            crate::dist::fmt_num(i.p95),
            i.distribution
        );
        if let Some(src) = &i.source {
            let _ = writeln!(o, "      {}", wrap(src, 94, "      "));
        }
    }
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
            .map(|t| format!(", first short at {}", quarter(t)))
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
