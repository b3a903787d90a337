//! `[obligations.*]`: contracts to pay a counterparty, with their timing.
//!
//! The timing is read by `timing`: a `schedule` of amounts per calendar year, or else a term
//! (`start`, `years`, `profile`). A new kind of timing is one more function there, next to
//! `schedule_timing` and `term_timing`.

use indexmap::IndexMap;
use toml::Value;

use super::Checker;
use super::inputs::{Domain, MAX_MAGNITUDE};
use crate::dist::Dist;
use crate::scenario::raw::RawObligation;
use crate::scenario::{Obligation, Param, Timing};

/// `[obligations.*]`.
pub(super) fn obligations(
    c: &mut Checker,
    raw: &IndexMap<String, RawObligation>,
    start: f64,
) -> Vec<Obligation> {
    raw.iter()
        .map(|(name, o)| obligation(c, name, o, start))
        .collect()
}

/// One obligation: its timing, then its total (by default a schedule's sum), deferral and
/// shares.
fn obligation(c: &mut Checker, name: &str, o: &RawObligation, start: f64) -> Obligation {
    let p = |f: &str| format!("obligations.{name}.{f}");
    let timing = timing(c, name, o, start);
    let total = match (&o.total, &timing) {
        (None, Timing::Schedule(rows)) => Param {
            path: p("total"),
            dist: Dist::Fixed(rows.iter().map(|r| r.1).sum()),
        },
        _ => c.param(&p("total"), &o.total, Domain::NonNeg, None),
    };
    let deferral_years = match o.deferral_years {
        None => 1.0,
        Some(d) => c
            .number(&p("deferral_years"), d, Domain::Positive)
            .unwrap_or(1.0),
    };
    let capacity = super::capacity::contract(c, name, o, &timing);
    Obligation {
        name: name.to_string(),
        counterparty: o.counterparty.clone().unwrap_or_else(|| name.to_string()),
        total,
        timing,
        realized_share: c.param(
            &p("realized_share"),
            &o.realized_share,
            Domain::Unit,
            Some(1.0),
        ),
        flexible_share: c.param(
            &p("flexible_share"),
            &o.flexible_share,
            Domain::Unit,
            Some(0.0),
        ),
        deferral_years,
        capacity,
        // Resolved against the rounds, which are read after the obligations
        // (`funding::if_joins`).
        if_joins: None,
    }
}

/// When the obligation is paid: by its `schedule` if it has one, else over a term.
fn timing(c: &mut Checker, name: &str, o: &RawObligation, start: f64) -> Timing {
    match &o.schedule {
        Some(sched) => schedule_timing(c, name, o, sched),
        None => term_timing(c, name, o, start),
    }
}

/// `schedule = { 2027 = 10, 2028 = 20 }`: amounts ($B) per calendar year, sorted by year;
/// at least one of them positive.
fn schedule_timing(c: &mut Checker, name: &str, o: &RawObligation, sched: &toml::Table) -> Timing {
    let p = |f: &str| format!("obligations.{name}.{f}");
    if o.start.is_some() || o.years.is_some() || o.profile.is_some() {
        c.problem(
            &format!("obligations.{name}"),
            None,
            "a `schedule` sets the timing itself: leave out `start`, `years` and `profile`",
        );
    }
    let mut rows = Vec::new();
    for (k, v) in sched {
        let kp = format!("{}.{k}", p("schedule"));
        let year: Option<i32> = k.parse().ok();
        let x = match v {
            Value::Integer(i) => Some(*i as f64),
            Value::Float(x) => Some(*x),
            _ => None,
        };
        match (year, x) {
            (Some(y), Some(x)) if x.is_finite() && (0.0..=MAX_MAGNITUDE).contains(&x) => {
                rows.push((y, x))
            }
            (None, _) => c.problem(&kp, None, "the key must be a calendar year such as 2027"),
            _ => c.problem(
                &kp,
                Some(v.to_string()),
                "must be an amount from 0 to 1e12 ($B)",
            ),
        }
    }
    rows.sort_by_key(|r| r.0);
    if rows.iter().map(|r| r.1).sum::<f64>() <= 0.0 {
        c.problem(
            &p("schedule"),
            None,
            "needs at least one year with a positive amount",
        );
    }
    Timing::Schedule(rows)
}

/// A term: `start` (required), `years` (required, > 0, at most 200) and a `profile`.
fn term_timing(c: &mut Checker, name: &str, o: &RawObligation, start: f64) -> Timing {
    let p = |f: &str| format!("obligations.{name}.{f}");
    let s = c.req_date(&p("start"), &o.start);
    let years = match o.years {
        None => {
            c.missing(&p("years"), "the term in years");
            None
        }
        Some(y) => c
            .number(&p("years"), y, Domain::Positive)
            .and_then(|y| c.term(&p("years"), y)),
    };
    Timing::Term {
        start: s.unwrap_or(start),
        years: years.unwrap_or(1.0),
        profile: c.profile(&p("profile"), &o.profile),
    }
}
