//! `[revenue.*]`, `[[revenue_correlations]]` and `[events.*]`: the segments, the factor of
//! their correlated shocks, and the events that hit them.

use std::collections::{BTreeSet, HashMap};

use super::Compiler;
use crate::model::copula::{correlation_matrix, factorize};
use crate::model::{EventModel, Grid, MAX_CORRELATED, SegKind, SegModel, ShockFactor, Value};
use crate::rng::key_of;
use crate::scenario::{Problem, Scenario, Segment, SegmentKind};

/// The revenue side of a [`crate::model::Model`].
pub(super) struct Revenue {
    /// [`crate::model::Model::segments`].
    pub(super) segments: Vec<SegModel>,
    /// [`crate::model::Model::seg_factor`].
    pub(super) seg_factor: Option<ShockFactor>,
    /// [`crate::model::Model::events`].
    pub(super) events: Vec<EventModel>,
}

/// Compiles the segments, then their shock correlations, then the events.
pub(super) fn compile(cc: &mut Compiler, s: &Scenario, grid: &Grid) -> Revenue {
    let segments = s
        .segments
        .iter()
        .map(|seg| segment(cc, seg, grid))
        .collect();
    let seg_factor = shock_factor(cc, s);
    let events = s
        .events
        .iter()
        .map(|e| EventModel {
            hazard: cc.value(&e.hazard),
            factor: cc.value(&e.factor),
            segments: e.segments.clone(),
            growth_after: e.growth_after.as_ref().map(|g| cc.value(g)),
            recurring: e.recurring,
            key: key_of(&format!("events.{}#arrivals", e.name)),
        })
        .collect();
    Revenue {
        segments,
        seg_factor,
        events,
    }
}

/// One segment. Its inputs, in order: the half-life, g0, R0, g∞, the ceiling (a growth
/// segment) or the scale (a path), then the volatility.
fn segment(cc: &mut Compiler, seg: &Segment, grid: &Grid) -> SegModel {
    let kind = match &seg.kind {
        SegmentKind::Growth {
            run_rate,
            growth,
            terminal_growth,
            half_life_years,
            ceiling,
        } => {
            let half_life = cc.value(half_life_years);
            let decay = match half_life {
                Value::Const(h) => Some(
                    (0..grid.n)
                        .map(|k| (-(grid.t[k] - grid.start) / h).exp2())
                        .collect(),
                ),
                Value::In(_) => None,
            };
            let growth = cc.value(growth);
            let run_rate = cc.value(run_rate);
            let terminal = terminal_growth.as_ref().map_or(growth, |t| cc.value(t));
            let ceiling = ceiling.as_ref().map(|c| cc.value(c));
            SegKind::Growth {
                run_rate,
                growth,
                terminal,
                half_life,
                decay,
                ceiling,
            }
        }
        SegmentKind::Path { series, scale } => SegKind::Path {
            level: grid.sample(series, grid.n + 1),
            scale: cc.value(scale),
        },
    };
    SegModel {
        name: seg.name.clone(),
        kind,
        volatility: cc.value(&seg.volatility),
        key: key_of(&format!("revenue.{}#shocks", seg.name)),
    }
}

/// The factor of the segments' shock correlations, `None` when there are none (independent
/// shocks), when they do not form a positive semi-definite matrix, or when they correlate
/// more than [`MAX_CORRELATED`] segments (a problem is filed). The matrix is that of the
/// segments named in some pair, in the order of the segments; the others keep their own shock.
fn shock_factor(cc: &mut Compiler, s: &Scenario) -> Option<ShockFactor> {
    if s.revenue_correlations.is_empty() {
        return None;
    }
    let index: HashMap<&str, usize> = s
        .segments
        .iter()
        .enumerate()
        .map(|(i, x)| (x.name.as_str(), i))
        .collect();
    let named: Vec<(usize, usize, f64)> = s
        .revenue_correlations
        .iter()
        .filter_map(|r| Some((*index.get(r.a.as_str())?, *index.get(r.b.as_str())?, r.rho)))
        .collect();
    let members: Vec<usize> = named
        .iter()
        .flat_map(|&(a, b, _)| [a, b])
        .collect::<BTreeSet<usize>>()
        .into_iter()
        .collect();
    if members.len() > MAX_CORRELATED {
        cc.problems.push(Problem {
            path: "revenue_correlations".into(),
            value: None,
            message: format!(
                "correlate {} segments; at most {MAX_CORRELATED} can be correlated (their factor is a dense matrix): correlate groups of segments through fewer, larger segments",
                members.len()
            ),
        });
        return None;
    }
    let position: HashMap<usize, usize> =
        members.iter().enumerate().map(|(p, &i)| (i, p)).collect();
    let pairs = named
        .iter()
        .filter_map(|&(a, b, rho)| Some((*position.get(&a)?, *position.get(&b)?, rho)));
    match factorize(correlation_matrix(members.len(), pairs)) {
        Ok(a) => Some(ShockFactor::new(s.segments.len(), &members, &a)),
        Err((ev, _)) => {
            cc.problems.push(Problem {
                path: "revenue_correlations".into(),
                value: None,
                message: format!(
                    "the segment correlations do not form a positive semi-definite matrix (smallest eigenvalue {:.3}); pairs: {}; weaken the strongest ones",
                    ev,
                    s.revenue_correlations
                        .iter()
                        .map(|r| format!("{}–{} ({})", r.a, r.b, r.rho))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
            None
        }
    }
}
