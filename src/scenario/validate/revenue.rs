//! `[revenue.*]` segments, `[[revenue_correlations]]` and `[events.*]`, and references to
//! segments by name.

use indexmap::IndexMap;

use super::Checker;
use super::inputs::Domain;
use super::segment_kinds;
use crate::scenario::error::list_names;
use crate::scenario::raw::{RawCorrelation, RawEvent, RawSegment};
use crate::scenario::{Correlation, Event, Segment, SegmentKind, Series, did_you_mean};

/// `[revenue.*]`: at least one segment, each a growth process, a published path, annual
/// figures or drivers.
pub(super) fn segments(
    c: &mut Checker,
    raw: &IndexMap<String, RawSegment>,
    start: f64,
) -> Vec<Segment> {
    if raw.is_empty() {
        c.problem(
            "revenue",
            None,
            "at least one revenue segment is required, e.g. [revenue.consumer]",
        );
    }
    let mut segments = Vec::new();
    for (name, s) in raw {
        let p = |f: &str| format!("revenue.{name}.{f}");
        let kind = if s.annual.is_some() {
            segment_kinds::annual(c, name, s, start)
        } else if segment_kinds::has_drivers(s) {
            segment_kinds::drivers(c, name, s)
        } else {
            segment_kinds::stray_after_growth(c, name, s);
            match &s.path {
                Some(path) => path_segment(c, name, s, path, start),
                None => growth_segment(c, name, s),
            }
        };
        segments.push(Segment {
            name: name.clone(),
            kind,
            volatility: c.param(&p("volatility"), &s.volatility, Domain::NonNeg, Some(0.0)),
        });
    }
    segments
}

/// A segment that follows a published run-rate `path`, times `scale`.
fn path_segment(
    c: &mut Checker,
    name: &str,
    s: &RawSegment,
    path: &toml::Table,
    start: f64,
) -> SegmentKind {
    let p = |f: &str| format!("revenue.{name}.{f}");
    let growth_fields = s.run_rate.is_some()
        || s.growth.is_some()
        || s.terminal_growth.is_some()
        || s.half_life_years.is_some()
        || s.ceiling.is_some();
    if growth_fields {
        c.problem(
            &format!("revenue.{name}"),
            None,
            "mixes a `path` with growth-process fields (run_rate, growth, terminal_growth, half_life_years, ceiling); use one kind",
        );
    }
    let interp = c.interpolation(&p("interpolation"), &s.interpolation);
    let series = c.series(&p("path"), path, interp, Domain::NonNeg);
    SegmentKind::Path {
        series: series.unwrap_or(Series {
            points: vec![(start, 0.0)],
            interpolation: interp,
        }),
        scale: c.param(&p("scale"), &s.scale, Domain::NonNeg, Some(1.0)),
    }
}

/// A segment whose run-rate grows at a rate that decays toward a terminal growth.
fn growth_segment(c: &mut Checker, name: &str, s: &RawSegment) -> SegmentKind {
    let p = |f: &str| format!("revenue.{name}.{f}");
    if s.scale.is_some() || s.interpolation.is_some() {
        c.problem(
            &format!("revenue.{name}"),
            None,
            "`scale` and `interpolation` belong to a `path` segment; this one is a growth process",
        );
    }
    let growth = c.param(&p("growth"), &s.growth, Domain::Growth, None);
    let terminal_growth = s.terminal_growth.as_ref().map(|_| {
        c.param(
            &p("terminal_growth"),
            &s.terminal_growth,
            Domain::Growth,
            None,
        )
    });
    SegmentKind::Growth {
        run_rate: c.param(&p("run_rate"), &s.run_rate, Domain::NonNeg, None),
        growth,
        terminal_growth,
        half_life_years: c.param(
            &p("half_life_years"),
            &s.half_life_years,
            Domain::Positive,
            Some(2.0),
        ),
        ceiling: s
            .ceiling
            .as_ref()
            .map(|_| c.param(&p("ceiling"), &s.ceiling, Domain::Positive, None)),
    }
}

/// `[[revenue_correlations]]`: pairs of segments whose shocks are correlated. A pair naming
/// a segment that does not exist is reported and left out.
pub(super) fn correlations(
    c: &mut Checker,
    raw: &[RawCorrelation],
    segments: &IndexMap<String, RawSegment>,
) -> Vec<Correlation> {
    let mut revenue_correlations = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let path = format!("revenue_correlations.{i}");
        if let Some(pair) = c.pair(&path, r) {
            let refs = c.segment_refs(
                &format!("{path}.between"),
                &[pair.a.clone(), pair.b.clone()],
                segments,
            );
            if refs.len() == 2 {
                revenue_correlations.push(pair);
            }
        }
    }
    revenue_correlations
}

/// `[events.*]`: shocks that hit some segments' run-rates (default: all of them).
pub(super) fn events(
    c: &mut Checker,
    raw: &IndexMap<String, RawEvent>,
    segments: &IndexMap<String, RawSegment>,
) -> Vec<Event> {
    let mut events = Vec::new();
    for (name, e) in raw {
        let p = |f: &str| format!("events.{name}.{f}");
        let segs = match &e.segments {
            Some(names) => {
                if names.is_empty() {
                    c.problem(
                        &p("segments"),
                        Some("[]".into()),
                        "must name at least one segment (or leave it out for all)",
                    );
                }
                c.segment_refs(&p("segments"), names, segments)
            }
            None => (0..segments.len()).collect(),
        };
        events.push(Event {
            name: name.clone(),
            hazard: c.param(&p("hazard"), &e.hazard, Domain::NonNeg, None),
            factor: c.param(&p("factor"), &e.factor, Domain::NonNeg, None),
            segments: segs,
            growth_after: e
                .growth_after
                .as_ref()
                .map(|_| c.param(&p("growth_after"), &e.growth_after, Domain::Growth, None)),
            recurring: e.recurring.unwrap_or(false),
        });
    }
    events
}

impl Checker {
    /// Indices of the named segments; reports each name that is not a segment.
    pub(super) fn segment_refs(
        &mut self,
        path: &str,
        names: &[String],
        segments: &IndexMap<String, RawSegment>,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        for n in names {
            match segments.get_index_of(n.as_str()) {
                Some(i) => out.push(i),
                None => {
                    let hint = did_you_mean(n, segments.keys().map(String::as_str))
                        .map(|s| format!("; did you mean \"{s}\"?"))
                        .unwrap_or_default();
                    self.problem(
                        path,
                        Some(format!("\"{n}\"")),
                        format!(
                            "names no revenue segment (segments: {}){hint}",
                            list_names(&segments.keys().map(String::as_str).collect::<Vec<_>>())
                        ),
                    );
                }
            }
        }
        out
    }
}
