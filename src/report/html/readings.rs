//! One sentence per chart saying what it shows, derived from the numbers it is drawn from: the
//! caption under each chart and its accessible name. A reading never states more than the
//! summary holds, and says so when a case (no shortfall, no obligations) leaves nothing to
//! read.

use crate::analysis::{Comparison, Sweep};
use crate::report::format::{Decimals, pct};
use crate::report::table::{quarter, usd_b};
use crate::summary::{Summary, calendar_date};

/// An amount in prose: "$412.3B".
pub(super) fn usd(x: f64) -> String {
    let text = usd_b(x);
    match text.strip_prefix('-') {
        Some(abs) => format!("-${abs}B"),
        None => format!("${text}B"),
    }
}

/// A probability in prose, as the terminal table prints it.
fn prob(p: f64) -> String {
    pct(p, Decimals::OneOrThreeIfTiny)
}

/// Month names, for dates in prose.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A cash point (the end of a step) as its month: 2028.0 → "Dec 2027", 2028.25 → "Mar 2028".
pub(super) fn month(t: f64) -> String {
    let date = calendar_date(t);
    let mut parts = date.split('-');
    match (
        parts.next(),
        parts.next().and_then(|m| m.parse::<usize>().ok()),
    ) {
        (Some(y), Some(m)) if (1..=12).contains(&m) => format!("{} {y}", MONTHS[m - 1]),
        _ => date,
    }
}

/// A cash point as the day it ends: 2028.0 → "31 Dec 2027" (the day of
/// [`calendar_date`], written out).
pub(super) fn day(t: f64) -> String {
    let date = calendar_date(t);
    let mut parts = date.split('-');
    match (
        parts.next(),
        parts.next().and_then(|m| m.parse::<usize>().ok()),
        parts.next().and_then(|d| d.parse::<u32>().ok()),
    ) {
        (Some(y), Some(m), Some(d)) if (1..=12).contains(&m) => {
            format!("{d} {} {y}", MONTHS[m - 1])
        }
        _ => date,
    }
}

/// "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The question a chart answers (as the README asks it), by its file stem; `None` for a
/// chart the report does not know.
pub fn question(chart: &str) -> Option<&'static str> {
    Some(match chart {
        "gap_histogram" => "How big is the gap?",
        "gap_exceedance" => "How likely is a gap larger than X?",
        "cash_fan" => "When does the cash run out?",
        "revenue_vs_obligations" => "Does revenue catch up?",
        "obligations_schedule" => "Who must be paid, and when?",
        "first_shortfall" => "How fast does the risk build up?",
        "tornado" => "What moves the gap?",
        "capacity" => "Can the compute serve the demand?",
        "compare_exceedance" => "How likely is a gap larger than X, in each scenario?",
        "compare_cash_fan" => "How does cash compare over time?",
        "sweep" => "How does the risk change with the input?",
        _ => return None,
    })
}

/// The reading of one chart of a run, by its file stem.
pub(super) fn reading(chart: &str, s: &Summary) -> Option<String> {
    Some(match chart {
        "gap_histogram" => gap_histogram(s),
        "gap_exceedance" => gap_exceedance(s),
        "cash_fan" => cash_fan(s),
        "revenue_vs_obligations" => revenue_vs_obligations(s),
        "obligations_schedule" => obligations_schedule(s),
        "first_shortfall" => first_shortfall(s),
        "tornado" => tornado(s),
        "capacity" => capacity(s),
        _ => return None,
    })
}

/// A quantile of the gap over the horizon, $B.
fn gap_q(s: &Summary, k: &str) -> f64 {
    s.gap.quantiles.get(k).copied().unwrap_or(f64::NAN)
}

fn gap_histogram(s: &Summary) -> String {
    let (p50, p90) = (gap_q(s, "p50"), gap_q(s, "p90"));
    let never = prob(s.gap_distribution.no_gap_share);
    if s.shortfall_probability.estimate == 0.0 {
        "No trial runs short: the gap is $0 in every trial.".to_string()
    } else if p50 > 0.0 {
        format!(
            "In half of the trials the gap exceeds {}, and in one trial in ten it exceeds {}; {never} of trials never run short.",
            usd(p50),
            usd(p90)
        )
    } else if p90 > 0.0 {
        format!(
            "More than half of the trials never run short ({never}), but in one trial in ten the gap exceeds {}.",
            usd(p90)
        )
    } else {
        format!(
            "Nine trials in ten or more never run short ({never}); the worst 5 % of trials need {} on average.",
            usd(s.gap.cvar95)
        )
    }
}

fn gap_exceedance(s: &Summary) -> String {
    let by_year: Vec<String> = s
        .gap_by_year
        .iter()
        .map(|(y, g)| {
            format!(
                "{} by the end of {y}",
                prob(g.shortfall_probability.estimate)
            )
        })
        .collect();
    let years = if by_year.is_empty() {
        String::new()
    } else {
        format!(" ({})", and_list(&by_year))
    };
    format!(
        "The chance that the gap exceeds $0, that the money runs short, is {} over the horizon{years}; {} of extra cash at the start would have covered 95 % of trials.",
        prob(s.shortfall_probability.estimate),
        usd(gap_q(s, "p95"))
    )
}

/// The smallest value of `v` and its index (the first, on ties).
fn lowest(v: &[f64]) -> Option<(usize, f64)> {
    v.iter()
        .copied()
        .enumerate()
        .filter(|(_, x)| x.is_finite())
        .fold(None, |best, (i, x)| match best {
            Some((_, b)) if b <= x => best,
            _ => Some((i, x)),
        })
}

fn cash_fan(s: &Summary) -> String {
    let b = &s.bands;
    let (Some((j, low)), Some((_, worst))) = (lowest(&b.cash.p50), lowest(&b.cash.p5)) else {
        return "The run has no cash path to read.".to_string();
    };
    let at = |i: usize| b.t.get(i).copied().map_or_else(String::new, month);
    let worst = format!(
        "in the worst 5 % of trials cash falls to {} or lower",
        usd(worst)
    );
    match b.cash.p50.iter().position(|&c| c < 0.0) {
        Some(first) => format!(
            "The median trial's cash falls below zero by the end of {} and is lowest, {}, at the end of {}; {worst}.",
            at(first),
            usd(low),
            at(j)
        ),
        None => format!(
            "The median trial's cash stays above zero, lowest at {} at the end of {}; {worst}.",
            usd(low),
            at(j)
        ),
    }
}

fn revenue_vs_obligations(s: &Summary) -> String {
    let b = &s.bands;
    let (rev, out) = (&b.revenue.p50, &b.outflows.p50);
    let Some(last) = rev.len().min(out.len()).checked_sub(1) else {
        return "The run has no revenue path to read.".to_string();
    };
    let when = |i: usize| b.t_flows.get(i).copied().map_or_else(String::new, quarter);
    let end = format!(
        "in {} it is {}/yr against {}/yr",
        when(last),
        usd(rev[last]),
        usd(out[last])
    );
    match rev.iter().zip(out).position(|(r, o)| r >= o) {
        Some(0) => format!(
            "The median revenue run-rate covers the median outflows (obligations and other costs) from the start; {end}."
        ),
        Some(i) => format!(
            "The median revenue run-rate first covers the median outflows (obligations and other costs) in {}; {end}.",
            when(i)
        ),
        None => format!(
            "The median revenue run-rate stays below the median outflows (obligations and other costs) throughout: {end}."
        ),
    }
}

fn obligations_schedule(s: &Summary) -> String {
    let o = &s.obligations_schedule;
    let total: f64 = o.total_by_year.iter().sum();
    let Some((peak_i, peak)) = o
        .total_by_year
        .iter()
        .copied()
        .enumerate()
        .fold(None, |best: Option<(usize, f64)>, (i, x)| match best {
            Some((_, b)) if b >= x => best,
            _ => Some((i, x)),
        })
        .filter(|_| total > 0.0)
    else {
        return "The scenario schedules no payments inside the horizon.".to_string();
    };
    let largest = o
        .by_counterparty
        .iter()
        .map(|(name, row)| (name, row.iter().sum::<f64>()))
        .fold(None, |best: Option<(&String, f64)>, (n, x)| match best {
            Some((_, b)) if b >= x => best,
            _ => Some((n, x)),
        });
    let years = match (o.years.first(), o.years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    let peak_year = o.years.get(peak_i).map_or_else(String::new, i32::to_string);
    let mut text = format!(
        "Expected payments peak at {} in {peak_year}, of {} due in {years}",
        usd(peak),
        usd(total)
    );
    if let Some((name, sum)) = largest {
        text.push_str(&format!(
            "; {name} is owed the most, {} of it",
            pct(sum / total, Decimals::Fixed(0))
        ));
    }
    text.push('.');
    text
}

fn first_shortfall(s: &Summary) -> String {
    let f = &s.first_shortfall;
    let Some((last_year, p_last)) = f.probability_by_year.iter().next_back() else {
        return "The run has no calendar year to read.".to_string();
    };
    if s.shortfall_probability.estimate == 0.0 {
        return format!("No trial runs short by the end of {last_year}.");
    }
    let by_end = format!(
        "{} of trials have run short by the end of {last_year}",
        prob(*p_last)
    );
    match (f.median_all_trials, f.median) {
        (Some(all), _) => format!(
            "Half of all trials have run short by the end of {}, and {by_end}.",
            month(all)
        ),
        (None, Some(m)) => format!(
            "{}; half of those that run short do so by the end of {}.",
            capitalise(&by_end),
            month(m)
        ),
        (None, None) => format!("{}.", capitalise(&by_end)),
    }
}

/// The text with its first letter in upper case.
pub(super) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

fn tornado(s: &Summary) -> String {
    let inputs = &s.sensitivity.gap;
    let Some(top) = inputs.first() else {
        return "No input moves the gap in this run (it has no uncertain input, or too few trials to tell).".to_string();
    };
    let direction = if top.swing >= 0.0 {
        "larger"
    } else {
        "smaller"
    };
    let next: Vec<String> = inputs
        .iter()
        .skip(1)
        .take(2)
        .map(|i| i.path.clone())
        .collect();
    let then = if next.is_empty() {
        String::new()
    } else {
        format!("; next come {}", and_list(&next))
    };
    format!(
        "{} moves the gap most: in its top tenth of draws the mean gap is {} {direction} than in its bottom tenth ({} of the gap's variance){then}.",
        top.path,
        usd(top.swing.abs()),
        pct(top.variance_share, Decimals::Fixed(1))
    )
}

fn capacity(s: &Summary) -> String {
    let Some(c) = &s.capacity else {
        return "The scenario has no capacity.".to_string();
    };
    format!(
        "In {} of trials demand outgrows what the capacity online can serve, leaving {} of revenue unserved on average over the horizon; capacity idle averages {:.1} GW-years.",
        pct(c.probability_bound.estimate, Decimals::Fixed(1)),
        usd(c.unserved_revenue.mean),
        c.idle_gw_years.mean
    )
}

/// The reading of a comparison's chart, by its file stem.
pub(super) fn comparison(chart: &str, c: &Comparison) -> Option<String> {
    Some(match chart {
        "compare_exceedance" => {
            let each: Vec<String> = c
                .summaries
                .iter()
                .map(|s| {
                    format!(
                        "{} for {}",
                        pct(s.shortfall_probability.estimate, Decimals::Fixed(1)),
                        s.scenario
                    )
                })
                .collect();
            let means: Vec<String> = c.summaries.iter().map(|s| usd(s.gap.mean)).collect();
            format!(
                "The chance of a shortfall is {}; the mean gaps are {} in that order.",
                and_list(&each),
                and_list(&means)
            )
        }
        "compare_cash_fan" => {
            let each: Vec<String> = c
                .summaries
                .iter()
                .filter_map(|s| {
                    let (j, low) = lowest(&s.bands.cash.p50)?;
                    Some(format!(
                        "{} for {} (end of {})",
                        usd(low),
                        s.scenario,
                        s.bands.t.get(j).copied().map_or_else(String::new, month)
                    ))
                })
                .collect();
            format!("The median trial's cash is lowest at {}.", and_list(&each))
        }
        _ => return None,
    })
}

/// The reading of a sweep's chart.
pub(super) fn sweep(s: &Sweep) -> String {
    let (Some(a), Some(b)) = (s.points.first(), s.points.last()) else {
        return "The sweep has no values.".to_string();
    };
    let num = crate::dist::fmt_num;
    let mut text = format!(
        "As {} goes from {} to {}, the chance of a shortfall goes from {} to {} and the mean gap from {} to {}",
        s.path,
        num(a.value),
        num(b.value),
        pct(a.shortfall_probability, Decimals::Fixed(1)),
        pct(b.shortfall_probability, Decimals::Fixed(1)),
        usd(a.gap_mean),
        usd(b.gap_mean)
    );
    if let Some(k) = &s.seek {
        match k.value {
            Some(v) => text.push_str(&format!("; {} = {} meets {}", s.path, num(v), k.target)),
            None => text.push_str(&format!("; no value swept meets {}", k.target)),
        }
    }
    text.push('.');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cash_points_read_as_months() {
        assert_eq!(month(2028.0), "Dec 2027");
        assert_eq!(month(2028.25), "Mar 2028");
        assert_eq!(usd(-336.04), "-$336.0B");
        assert_eq!(usd(1051.54), "$1,051.5B");
        assert_eq!(day(2028.0), "31 Dec 2027");
        assert_eq!(day(2028.3), "18 Apr 2028");
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
        assert_eq!(lowest(&[3.0, 1.0, 1.0, 2.0]), Some((1, 1.0)));
        assert_eq!(capitalise("one"), "One");
    }
}
