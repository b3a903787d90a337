//! `[costs.*]`: cost lines other than the obligations, each of one kind: a fixed line
//! (`annual` + `growth`), a published `path` (+ `scale`), or a share of revenue
//! (`revenue_share` or `revenue_share_path`, + `segments`).

use indexmap::IndexMap;

use super::Checker;
use super::inputs::{Domain, fmt};
use crate::scenario::raw::{RawCost, RawSegment};
use crate::scenario::{Cost, CostKind, Interpolation, Share};

/// `[costs.*]`. A line whose kind cannot be told, or whose path or share is unusable, is
/// reported and left out.
pub(super) fn costs(
    c: &mut Checker,
    raw: &IndexMap<String, RawCost>,
    segments: &IndexMap<String, RawSegment>,
) -> Vec<Cost> {
    raw.iter()
        .filter_map(|(name, k)| cost(c, name, k, segments))
        .collect()
}

/// One cost line: its kind, then the dates it is active between.
fn cost(
    c: &mut Checker,
    name: &str,
    k: &RawCost,
    segments: &IndexMap<String, RawSegment>,
) -> Option<Cost> {
    let p = |f: &str| format!("costs.{name}.{f}");
    let is_fixed = k.annual.is_some() || k.growth.is_some();
    let is_path = k.path.is_some();
    let is_share = k.revenue_share.is_some() || k.revenue_share_path.is_some();
    let kinds = [is_fixed, is_path, is_share].iter().filter(|b| **b).count();
    if kinds != 1 {
        c.problem(
            &format!("costs.{name}"),
            None,
            if kinds == 0 {
                "needs one kind: `annual` (fixed line), `path` (published path) or `revenue_share` / `revenue_share_path`"
            } else {
                "mixes kinds: use exactly one of `annual` (+ growth), `path` (+ scale), `revenue_share` / `revenue_share_path`"
            },
        );
        return None;
    }
    if k.segments.is_some() && !is_share {
        c.problem(
            &p("segments"),
            None,
            "only a revenue-share line takes `segments`",
        );
    }
    if k.scale.is_some() && !is_path {
        c.problem(&p("scale"), None, "only a `path` line takes `scale`");
    }
    let interp = c.interpolation(&p("interpolation"), &k.interpolation);
    let kind = if is_fixed {
        CostKind::Fixed {
            annual: c.param(&p("annual"), &k.annual, Domain::NonNeg, None),
            growth: c.param(&p("growth"), &k.growth, Domain::Growth, Some(0.0)),
        }
    } else if let Some(path) = &k.path {
        CostKind::Path {
            series: c.series(&p("path"), path, interp, Domain::NonNeg)?,
            scale: c.param(&p("scale"), &k.scale, Domain::NonNeg, Some(1.0)),
        }
    } else {
        revenue_share(c, name, k, interp, segments)?
    };
    let from = c.opt_date(&p("from"), &k.from);
    let until = c.opt_date(&p("until"), &k.until);
    if let (Some(f), Some(u)) = (from, until) {
        if f >= u {
            c.problem(
                &p("until"),
                Some(fmt(u)),
                format!("must be after `from` ({})", fmt(f)),
            );
        }
    }
    Some(Cost {
        name: name.to_string(),
        kind,
        from,
        until,
    })
}

/// A revenue-share line: one share or a share by date, of some segments' revenue (default:
/// all of them).
fn revenue_share(
    c: &mut Checker,
    name: &str,
    k: &RawCost,
    interp: Interpolation,
    segments: &IndexMap<String, RawSegment>,
) -> Option<CostKind> {
    let p = |f: &str| format!("costs.{name}.{f}");
    let share = match (&k.revenue_share, &k.revenue_share_path) {
        (Some(_), Some(_)) => {
            c.problem(
                &format!("costs.{name}"),
                None,
                "give `revenue_share` or `revenue_share_path`, not both",
            );
            return None;
        }
        (Some(_), None) => {
            Share::Constant(c.param(&p("revenue_share"), &k.revenue_share, Domain::Unit, None))
        }
        (None, Some(t)) => {
            Share::Series(c.series(&p("revenue_share_path"), t, interp, Domain::Unit)?)
        }
        (None, None) => return None,
    };
    let segs = match &k.segments {
        Some(names) => c.segment_refs(&p("segments"), names, segments),
        None => (0..segments.len()).collect(),
    };
    Some(CostKind::RevenueShare {
        share,
        segments: segs,
    })
}
