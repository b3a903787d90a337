//! `[time]`: the simulation's start, horizon, steps and report years; `[run]`: the defaults of
//! a run.

use super::Checker;
use super::inputs::fmt;
use crate::scenario::raw::{RawRun, RawTime};
use crate::scenario::{RunDefaults, Time};

/// `[time]`. Every other section's dates are checked against its start, so it comes first.
pub(super) fn time(c: &mut Checker, rt: RawTime) -> Time {
    let start = c.req_date("time.start", &rt.start).unwrap_or(2026.0);
    let steps_per_year = steps_per_year(c, rt.steps_per_year);
    let horizon_years = horizon_years(c, rt.horizon_years, steps_per_year);
    let end = start + horizon_years;
    let report_years = report_years(c, rt.report_years, start, end);
    Time {
        start,
        horizon_years,
        steps_per_year,
        report_years,
    }
}

/// `time.steps_per_year`: 1, 4 (the default) or 12.
fn steps_per_year(c: &mut Checker, n: Option<i64>) -> u32 {
    match n {
        None => 4,
        Some(n @ (1 | 4 | 12)) => n as u32,
        Some(n) => {
            c.problem(
                "time.steps_per_year",
                Some(n.to_string()),
                "must be 1, 4 or 12",
            );
            4
        }
    }
}

/// `time.horizon_years`: required, in (0, 100] and a whole number of steps.
fn horizon_years(c: &mut Checker, h: Option<f64>, steps_per_year: u32) -> f64 {
    match h {
        None => {
            c.missing("time.horizon_years", "years, e.g. 8");
            8.0
        }
        Some(h) => {
            let steps = h * steps_per_year as f64;
            if !(h.is_finite() && h > 0.0 && h <= 100.0) {
                c.problem(
                    "time.horizon_years",
                    Some(fmt(h)),
                    "must be a number of years in (0, 100]",
                );
                8.0
            } else if steps.round() < 1.0 {
                c.problem(
                    "time.horizon_years",
                    Some(fmt(h)),
                    format!("must cover at least one step (1/{steps_per_year} of a year)"),
                );
                8.0
            } else if (steps - steps.round()).abs() > 1e-9 {
                c.problem(
                    "time.horizon_years",
                    Some(fmt(h)),
                    format!("must be a whole number of steps ({steps_per_year} per year)"),
                );
                8.0
            } else {
                h
            }
        }
    }
}

/// `time.report_years`: calendar years whose end falls in (start, end], sorted, without
/// repeats; by default every such year.
fn report_years(c: &mut Checker, ys: Option<Vec<i64>>, start: f64, end: f64) -> Vec<i32> {
    let Some(ys) = ys else {
        return (start.floor() as i32..)
            .take_while(|y| (*y + 1) as f64 <= end + 1e-9)
            .collect();
    };
    let mut out = Vec::new();
    for y in ys {
        let ok = (y as f64) + 1.0 > start && (y as f64) + 1.0 <= end + 1e-9;
        if ok {
            out.push(y as i32);
        } else {
            // The years whose end falls in (start, end].
            let (first, last) = (start.floor(), (end + 1e-9).floor() - 1.0);
            let which = if last < first {
                format!(
                    "and no year ends inside it: the horizon must reach at least {} (horizon_years ≥ {}), or leave report_years out",
                    first + 1.0,
                    fmt(first + 1.0 - start)
                )
            } else {
                format!("so a year from {first} to {last}")
            };
            c.problem(
                "time.report_years",
                Some(y.to_string()),
                format!(
                    "the end of the year must fall inside the horizon ({} to {}), {which}",
                    fmt(start),
                    fmt(end)
                ),
            );
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// `[run]`: the default number of trials (at least 1) and seed (≥ 0).
pub(super) fn run(c: &mut Checker, rr: RawRun) -> RunDefaults {
    let trials = match rr.trials {
        None => 100_000,
        Some(n) if n >= 1 => n as u64,
        Some(n) => {
            c.problem("run.trials", Some(n.to_string()), "must be at least 1");
            1
        }
    };
    let seed = match rr.seed {
        None => 42,
        Some(s) if s >= 0 => s as u64,
        Some(s) => {
            c.problem("run.seed", Some(s.to_string()), "must be ≥ 0");
            0
        }
    };
    RunDefaults { trials, seed }
}
