//! `capacity`: the revenue demanded of the capacity-bound segments against the most revenue
//! the capacity online can serve, each with its 5–95 % band, and the revenue served (the
//! median of all revenue). Only for scenarios with `[capacity]`. A reader sees when demand
//! outruns the compute (revenue left unserved) and when compute outruns demand (capacity
//! paid for and idle).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::summary::{Band, Summary};

/// Draws the chart.
///
/// # Errors
/// plotters' error as text, or a note when the run has no capacity.
pub fn draw<DB: DrawingBackend>(
    s: &Summary,
    root: &DrawingArea<DB, Shift>,
    st: &Style,
) -> Result<(), String> {
    let Some(cap) = &s.bands.capacity else {
        return Err("the scenario has no [capacity] section".to_string());
    };
    let area = frame(
        root,
        st,
        s,
        "revenue demanded against what the compute can serve",
    )?;
    let t = &s.bands.t_flows;
    let series: [(&str, &Band, RGBColor); 3] = [
        ("Demand", &cap.demand, OKABE_BLUE),
        ("Capacity × revenue per GW", &cap.limit, ORANGE),
        ("Revenue served", &s.bands.revenue, OKABE_GREEN),
    ];
    let hi = series[..2]
        .iter()
        .flat_map(|(_, b, _)| b.p95.iter().copied())
        .chain(s.bands.revenue.p50.iter().copied())
        .fold(0.0, f64::max);
    let (_, yhi) = padded(0.0, hi, 0.05);
    let step = tick_step(0.0, yhi, 8);
    let mut chart = axes(
        &area,
        st,
        &Axes {
            x: (s.start, s.end),
            y: (0.0, yhi),
            x_desc: "Year (at the start of each step, at an annual rate)",
            y_desc: "$B per year",
            x_ticks: year_ticks(s.start, s.end),
            x_fmt: &|v| year_label(*v),
            y_fmt: &|v| usd(*v, step),
        },
    )?;
    for (label, b, colour) in &series[..2] {
        let label = format!("{label}: 5–95 %");
        labelled_band(&mut chart, st, t, (&b.p5, &b.p95), *colour, 0.16, label)?;
    }
    for (label, b, colour) in &series {
        let dashed = *colour == OKABE_GREEN;
        let label = format!("{label}: median");
        labelled_line(&mut chart, st, (t, &b.p50), *colour, dashed, label)?;
    }
    legend(&mut chart, st, SeriesLabelPosition::UpperLeft)
}
