//! `revenue_vs_obligations`: revenue run-rate against the obligations paid and against all
//! outflows (obligations plus other costs), each with its 25–75 % and 5–95 % bands. A reader
//! sees whether and when revenue catches up with what must be paid.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::summary::{Band, Summary};

/// Draws the chart.
///
/// # Errors
/// plotters' error as text.
pub fn draw<DB: DrawingBackend>(
    s: &Summary,
    root: &DrawingArea<DB, Shift>,
    st: &Style,
) -> Result<(), String> {
    let area = frame(root, st, s, "revenue against obligations and other costs")?;
    let b = &s.bands;
    let t = &b.t_flows;
    let series: [(&str, &Band, RGBColor); 3] = [
        ("Revenue (run-rate)", &b.revenue, OKABE_GREEN),
        ("Obligations paid", &b.obligations, VERMILLION),
        ("Obligations + other costs", &b.outflows, ORANGE),
    ];
    let hi = series
        .iter()
        .flat_map(|(_, band, _)| band.p95.iter().copied())
        .fold(0.0, f64::max);
    let (_, yhi) = padded(0.0, hi, 0.05);
    let step = tick_step(0.0, yhi, 8);
    let mut chart = axes(
        &area,
        st,
        &Axes {
            x: (s.start, s.end),
            y: (0.0, yhi),
            x_desc: "Year (value over each step, at an annual rate)",
            y_desc: "$B per year",
            x_ticks: year_ticks(s.start, s.end),
            x_fmt: &|v| year_label(*v),
            y_fmt: &|v| usd(*v, step),
        },
    )?;
    // Revenue and obligations get full bands; the total outflow only its median, to keep the
    // chart readable (its band overlaps the obligations' almost entirely).
    for (label, b, colour) in &series[..2] {
        let outer = format!("{label}: 5–95 %");
        labelled_band(&mut chart, st, t, (&b.p5, &b.p95), *colour, 0.14, outer)?;
        let inner = format!("{label}: 25–75 %");
        labelled_band(&mut chart, st, t, (&b.p25, &b.p75), *colour, 0.32, inner)?;
    }
    for (label, b, colour) in &series {
        let dashed = *colour == ORANGE;
        let label = format!("{label}: median");
        labelled_line(&mut chart, st, (t, &b.p50), *colour, dashed, label)?;
    }
    legend(&mut chart, st, SeriesLabelPosition::UpperLeft)
}
