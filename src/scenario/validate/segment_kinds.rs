//! The revenue segments given as annual figures (`annual = { 2026 = 30, ... }`) or by their
//! drivers (users × paying share × price, ads per user, market × share), and the check that a
//! segment mixes no fields of another kind.

use toml::Value;

use super::Checker;
use super::dates::parse_date_str;
use super::inputs::Domain;
use crate::scenario::raw::{RawSegment, RawValue};
use crate::scenario::{Driver, Drivers, Interpolation, SegmentKind, Users};

/// The fields of a driver-based segment that make it one.
const DRIVER_FIELDS: [&str; 6] = [
    "users",
    "paying_share",
    "price_per_month",
    "ads_per_user",
    "market",
    "share",
];

/// Every optional field of a segment that is set, by name, in the order of the format
/// reference.
fn present(s: &RawSegment) -> Vec<&'static str> {
    [
        ("run_rate", s.run_rate.is_some()),
        ("growth", s.growth.is_some()),
        ("terminal_growth", s.terminal_growth.is_some()),
        ("half_life_years", s.half_life_years.is_some()),
        ("ceiling", s.ceiling.is_some()),
        ("path", s.path.is_some()),
        ("interpolation", s.interpolation.is_some()),
        ("scale", s.scale.is_some()),
        ("annual", s.annual.is_some()),
        ("after_growth", s.after_growth.is_some()),
        ("users", s.users.is_some()),
        ("paying_share", s.paying_share.is_some()),
        ("price_per_month", s.price_per_month.is_some()),
        ("ads_per_user", s.ads_per_user.is_some()),
        ("market", s.market.is_some()),
        ("share", s.share.is_some()),
        ("volatility", s.volatility.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, set)| set.then_some(f))
    .collect()
}

/// Whether the segment sets any driver field (and so is a driver-based segment, unless it
/// has `annual` figures).
pub(super) fn has_drivers(s: &RawSegment) -> bool {
    present(s).iter().any(|f| DRIVER_FIELDS.contains(f))
}

/// Reports the fields of `s` that are not in `allowed`: `kind` says what the segment is
/// ("an `annual` segment").
fn conflicts(c: &mut Checker, name: &str, s: &RawSegment, kind: &str, allowed: &[&str]) {
    let stray: Vec<String> = present(s)
        .into_iter()
        .filter(|f| !allowed.contains(f))
        .map(|f| format!("`{f}`"))
        .collect();
    if !stray.is_empty() {
        c.problem(
            &format!("revenue.{name}"),
            None,
            format!(
                "is {kind}, so {} cannot be used in it: a segment is one kind (a growth process, a `path`, `annual` figures or drivers); use another segment for the other",
                stray.join(", ")
            ),
        );
    }
}

/// `after_growth` on a growth process or a path segment (it belongs to annual figures).
pub(super) fn stray_after_growth(c: &mut Checker, name: &str, s: &RawSegment) {
    if s.after_growth.is_some() {
        let kind = if s.path.is_some() {
            "a `path` segment"
        } else {
            "a growth process"
        };
        let allowed: Vec<&str> = present(s)
            .into_iter()
            .filter(|f| *f != "after_growth")
            .collect();
        conflicts(c, name, s, kind, &allowed);
    }
}

/// A segment given as the revenue booked in each calendar year, $B.
pub(super) fn annual(c: &mut Checker, name: &str, s: &RawSegment, start: f64) -> SegmentKind {
    let p = |f: &str| format!("revenue.{name}.{f}");
    conflicts(
        c,
        name,
        s,
        "an `annual` segment",
        &[
            "annual",
            "interpolation",
            "scale",
            "after_growth",
            "volatility",
        ],
    );
    let path = p("annual");
    let table = s.annual.clone().unwrap_or_default();
    let mut years = Vec::new();
    for (k, v) in &table {
        let key_path = format!("{path}.{k}");
        match k.trim().parse::<i32>() {
            Ok(y) if (1900..=2300).contains(&y) => {
                years.push((y, c.param(&key_path, &Some(v.clone()), Domain::NonNeg, None)));
            }
            _ => c.problem(
                &key_path,
                None,
                "the key must be a calendar year between 1900 and 2300, such as 2027: each figure is the revenue booked in that year, $B",
            ),
        }
    }
    if table.is_empty() {
        c.problem(
            &path,
            None,
            "needs at least one year, e.g. { 2026 = 30, 2027 = 60 } ($B booked in each calendar year)",
        );
    }
    years.sort_by_key(|&(y, _)| y);
    let start_year = (start + 1e-9).floor() as i32;
    if let Some(&(first, _)) = years.first() {
        if first > start_year {
            c.problem(
                &path,
                None,
                format!(
                    "starts in {first}, after the year the simulation starts in ({start_year}): give the figure of {start_year} too (a year only partly inside the horizon is booked pro rata)"
                ),
            );
        }
    }
    SegmentKind::Annual {
        years,
        interpolation: c.interpolation(&p("interpolation"), &s.interpolation),
        scale: c.param(&p("scale"), &s.scale, Domain::NonNeg, Some(1.0)),
        after_growth: c.param(
            &p("after_growth"),
            &s.after_growth,
            Domain::Growth,
            Some(0.0),
        ),
    }
}

/// A segment whose run-rate is the product of its drivers.
pub(super) fn drivers(c: &mut Checker, name: &str, s: &RawSegment) -> SegmentKind {
    let p = |f: &str| format!("revenue.{name}.{f}");
    let mut allowed = DRIVER_FIELDS.to_vec();
    allowed.extend(["interpolation", "volatility"]);
    conflicts(c, name, s, "a driver segment", &allowed);
    let interp = c.interpolation(&p("interpolation"), &s.interpolation);
    let users = s.users.as_ref().map(|u| Users {
        ceiling: c.param(&p("users.ceiling"), &u.ceiling, Domain::Positive, None),
        midpoint: c.date_param(&p("users.midpoint"), &u.midpoint),
        steepness: c.param(&p("users.steepness"), &u.steepness, Domain::Positive, None),
        start: u
            .start
            .as_ref()
            .map(|_| c.param(&p("users.start"), &u.start, Domain::NonNeg, None)),
    });
    let mut driver =
        |field: &str, v: &RawValue, domain: Domain| driver(c, &p(field), v, domain, interp);
    let d = Drivers {
        paying_share: driver("paying_share", &s.paying_share, Domain::Unit),
        price_per_month: driver("price_per_month", &s.price_per_month, Domain::NonNeg),
        ads_per_user: driver("ads_per_user", &s.ads_per_user, Domain::NonNeg),
        market: driver("market", &s.market, Domain::NonNeg),
        share: driver("share", &s.share, Domain::Unit),
        users,
    };
    whole_terms(c, name, &d);
    SegmentKind::Drivers(d)
}

/// Each term of a driver segment is given whole: subscriptions need users, a paying share
/// and a price; ads need users; a market needs a share and a share a market; users need a
/// term to multiply.
fn whole_terms(c: &mut Checker, name: &str, d: &Drivers) {
    let p = |f: &str| format!("revenue.{name}.{f}");
    let subscriptions = d.paying_share.is_some() || d.price_per_month.is_some();
    if subscriptions {
        if d.paying_share.is_none() {
            c.missing(
                &p("paying_share"),
                "the share of users who pay, in [0, 1], since `price_per_month` is given",
            );
        }
        if d.price_per_month.is_none() {
            c.missing(
                &p("price_per_month"),
                "$ per paying user per month, since `paying_share` is given",
            );
        }
    }
    if (subscriptions || d.ads_per_user.is_some()) && d.users.is_none() {
        c.missing(
            &p("users"),
            "an S-curve of users in billions, e.g. { ceiling = 3, midpoint = 2028, steepness = 0.9 }: `paying_share` and `ads_per_user` are per user",
        );
    }
    if d.users.is_some() && !subscriptions && d.ads_per_user.is_none() {
        c.problem(
            &p("users"),
            None,
            "users alone bring no revenue: give `paying_share` and `price_per_month` (subscriptions), or `ads_per_user` (ads), or both",
        );
    }
    if d.market.is_some() && d.share.is_none() {
        c.missing(
            &p("share"),
            "the share of the market, in [0, 1], since `market` is given",
        );
    }
    if d.share.is_some() && d.market.is_none() {
        c.missing(
            &p("market"),
            "the market's size, $B/yr, since `share` is given",
        );
    }
}

/// One driver: a number or a distribution (the same at every date), or a table of dates →
/// numbers or distributions (a table with any date key is a path).
fn driver(
    c: &mut Checker,
    path: &str,
    v: &RawValue,
    domain: Domain,
    interpolation: Interpolation,
) -> Option<Driver> {
    let v = v.as_ref()?;
    let Value::Table(t) = v else {
        return Some(Driver::Constant(c.param(
            path,
            &Some(v.clone()),
            domain,
            None,
        )));
    };
    if !t.keys().any(|k| parse_date_str(k).is_some()) {
        return Some(Driver::Constant(c.param(
            path,
            &Some(v.clone()),
            domain,
            None,
        )));
    }
    let mut points = Vec::new();
    for (k, x) in t {
        let key_path = format!("{path}.{k}");
        match parse_date_str(k) {
            Some(d) if (1900.0..=2300.0).contains(&d) => {
                points.push((d, c.param(&key_path, &Some(x.clone()), domain, None)));
            }
            _ => c.problem(
                &key_path,
                None,
                "the key must be a date such as 2027, \"2027.5\" or \"2027-Q3\"",
            ),
        }
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    if points.windows(2).any(|w| w[0].0 == w[1].0) {
        c.problem(path, None, "two points have the same date");
    }
    Some(Driver::Path {
        points,
        interpolation,
    })
}
