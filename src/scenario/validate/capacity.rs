//! `[capacity]` and the capacity fields of `[obligations.*]`: the compute a contract brings
//! online (`capacity_gw`, `online_from`, `online_years`) and the revenue a GW-year of it can
//! serve (docs/model.md, "Capacity").

use indexmap::IndexMap;

use super::Checker;
use super::inputs::Domain;
use crate::scenario::raw::{RawCapacity, RawObligation, RawSegment};
use crate::scenario::{Capacity, ContractCapacity, Obligation, Timing};

/// Longest ramp to full capacity, years.
const MAX_ONLINE_YEARS: f64 = 50.0;

/// `[capacity]`.
pub(super) fn capacity(
    c: &mut Checker,
    k: &RawCapacity,
    segments: &IndexMap<String, RawSegment>,
) -> Capacity {
    let p = |f: &str| format!("capacity.{f}");
    if k.revenue_per_gw_year.is_none() {
        c.missing(
            &p("revenue_per_gw_year"),
            "the revenue one GW-year of compute can serve, $B",
        );
    }
    Capacity {
        revenue_per_gw_year: c.param(
            &p("revenue_per_gw_year"),
            &k.revenue_per_gw_year,
            Domain::Positive,
            Some(1.0),
        ),
        efficiency_growth: c.param(
            &p("efficiency_growth"),
            &k.efficiency_growth,
            Domain::Growth,
            Some(0.0),
        ),
        existing_gw: c.param(&p("existing_gw"), &k.existing_gw, Domain::NonNeg, Some(0.0)),
        segments: match &k.segments {
            Some(names) => c.segment_refs(&p("segments"), names, segments),
            None => (0..segments.len()).collect(),
        },
    }
}

/// A contract's capacity, if it states one: `capacity_gw` (required for the other two),
/// `online_from` (default: its first payment) and `online_years` (default 1).
pub(super) fn contract(
    c: &mut Checker,
    name: &str,
    o: &RawObligation,
    timing: &Timing,
) -> Option<ContractCapacity> {
    let p = |f: &str| format!("obligations.{name}.{f}");
    if o.capacity_gw.is_none() {
        if o.online_from.is_some() || o.online_years.is_some() {
            c.problem(
                &format!("obligations.{name}"),
                None,
                "`online_from` and `online_years` describe the capacity of `capacity_gw`: give it too",
            );
        }
        return None;
    }
    let first_payment = match timing {
        Timing::Term { start, .. } => *start,
        Timing::Schedule(rows) => rows.first().map_or(0.0, |r| f64::from(r.0)),
    };
    let online_from = if o.online_from.is_some() {
        c.opt_date(&p("online_from"), &o.online_from)
            .unwrap_or(first_payment)
    } else {
        first_payment
    };
    let online_years = match o.online_years {
        None => 1.0,
        Some(y) => {
            if y.is_finite() && (0.0..=MAX_ONLINE_YEARS).contains(&y) {
                y
            } else {
                c.problem(
                    &p("online_years"),
                    Some(super::inputs::fmt(y)),
                    format!("must be a number of years from 0 (all at once) to {MAX_ONLINE_YEARS}"),
                );
                1.0
            }
        }
    };
    Some(ContractCapacity {
        gw: c.param(&p("capacity_gw"), &o.capacity_gw, Domain::NonNeg, None),
        online_from,
        online_years,
    })
}

/// A contract that states its capacity needs a `[capacity]` section to give that capacity a
/// meaning (the revenue a GW-year serves).
pub(super) fn check_contracts(
    c: &mut Checker,
    capacity: Option<&Capacity>,
    obligations: &[Obligation],
) {
    if capacity.is_some() {
        return;
    }
    if let Some(o) = obligations.iter().find(|o| o.capacity.is_some()) {
        c.problem(
            &format!("obligations.{}.capacity_gw", o.name),
            None,
            "needs a [capacity] section with `revenue_per_gw_year` (the revenue one GW-year serves), else the capacity bounds nothing",
        );
    }
}
