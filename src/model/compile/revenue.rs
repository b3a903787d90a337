//! `[revenue.*]`, `[[revenue_correlations]]` and `[events.*]`: the segments, the factor of
//! their correlated shocks, and the events that hit them.

use std::collections::{BTreeSet, HashMap};

use super::Compiler;
use crate::model::copula::{correlation_matrix, factorize};
use crate::model::{
    Curve, DriversModel, EventModel, Grid, MAX_CORRELATED, SegKind, SegModel, ShockFactor,
    UsersModel, Value,
};
use crate::rng::key_of;
use crate::scenario::{
    Driver, Drivers, Interpolation, Param, Problem, Scenario, Segment, SegmentKind,
};

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
/// segment), the scale (a path), the years' figures, the scale and the growth after them
/// (annual figures), or the drivers in the order of [`Drivers::params`]; then the volatility.
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
        SegmentKind::Annual {
            years,
            interpolation,
            scale,
            after_growth,
        } => annual(cc, years, *interpolation, scale, after_growth, grid),
        SegmentKind::Drivers(d) => SegKind::Drivers(Box::new(drivers(cc, d, grid))),
    };
    SegModel {
        name: seg.name.clone(),
        kind,
        volatility: cc.value(&seg.volatility),
        key: key_of(&format!("revenue.{}#shocks", seg.name)),
    }
}

/// Annual figures: each step reads the figure of the calendar year it starts in (the year
/// [`Grid::year_of_step`] books it in), so a year's revenue is its figure × the share of the
/// year inside the horizon. A year between two given years is filled by `interpolation`
/// (linear in the year, or the earlier figure); before the first given year, the first; after
/// the last, the last grown by `after_growth` for each whole year since.
fn annual(
    cc: &mut Compiler,
    years: &[(i32, Param)],
    interpolation: Interpolation,
    scale: &Param,
    after_growth: &Param,
    grid: &Grid,
) -> SegKind {
    let points: Vec<Value> = years.iter().map(|(_, p)| cc.value(p)).collect();
    let given: Vec<i32> = years.iter().map(|&(y, _)| y).collect();
    let (scale, after_growth) = (cc.value(scale), cc.value(after_growth));
    if given.is_empty() {
        // Validation requires a year; nothing to read without one.
        return SegKind::Path {
            level: vec![0.0; grid.n + 1],
            scale,
        };
    }
    let last = given.len() - 1;
    let mut at = Vec::with_capacity(grid.n);
    let mut after = Vec::with_capacity(grid.n);
    for &yi in &grid.year_of_step {
        let y = grid.years[yi];
        let i = given.partition_point(|&g| g <= y).saturating_sub(1);
        if y >= given[last] {
            at.push((last, last, 0.0));
            after.push(y - given[last]);
            continue;
        }
        after.push(0);
        if y <= given[0] || given[i] == y || interpolation == Interpolation::Step {
            at.push((i, i, 0.0));
        } else {
            let w = f64::from(y - given[i]) / f64::from(given[i + 1] - given[i]);
            at.push((i, i + 1, w));
        }
    }
    SegKind::Annual {
        figure: Curve { points, at },
        after,
        scale,
        after_growth,
    }
}

/// The drivers of a driver segment, each read at the start t_k of every step.
fn drivers(cc: &mut Compiler, d: &Drivers, grid: &Grid) -> DriversModel {
    let users = d.users.as_ref().map(|u| UsersModel {
        ceiling: cc.value(&u.ceiling),
        midpoint: cc.value(&u.midpoint),
        steepness: cc.value(&u.steepness),
        start: u.start.as_ref().map(|s| cc.value(s)),
    });
    let mut curve = |d: &Option<Driver>| d.as_ref().map(|d| driver_curve(cc, d, grid));
    DriversModel {
        users,
        paying_share: curve(&d.paying_share),
        price_per_month: curve(&d.price_per_month),
        ads_per_user: curve(&d.ads_per_user),
        market: curve(&d.market),
        share: curve(&d.share),
    }
}

/// A driver read at t_0..t_{n−1} like a [`crate::scenario::Series`]: flat outside its points,
/// linear or step between them.
fn driver_curve(cc: &mut Compiler, d: &Driver, grid: &Grid) -> Curve {
    match d {
        Driver::Constant(p) => Curve {
            points: vec![cc.value(p)],
            at: vec![(0, 0, 0.0); grid.n],
        },
        Driver::Path {
            points,
            interpolation,
        } => {
            let dates: Vec<f64> = points.iter().map(|&(d, _)| d).collect();
            let values = points.iter().map(|(_, p)| cc.value(p)).collect();
            let last = dates.len().saturating_sub(1);
            let at = grid.t[..grid.n]
                .iter()
                .map(|&t| {
                    if dates.is_empty() || t <= dates[0] + 1e-9 {
                        return (0, 0, 0.0);
                    }
                    if t >= dates[last] {
                        return (last, last, 0.0);
                    }
                    let i = dates.partition_point(|&d| d <= t + 1e-9) - 1;
                    match interpolation {
                        Interpolation::Step => (i, i, 0.0),
                        Interpolation::Linear => {
                            (i, i + 1, (t - dates[i]) / (dates[i + 1] - dates[i]))
                        }
                    }
                })
                .collect();
            Curve { points: values, at }
        }
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
