//! `first_shortfall`: the share of trials still solvent (no shortfall yet) over time — a
//! survival curve of solvency. A reader sees when the money first runs out, and how fast the
//! risk builds up.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::report::format::{Decimals, pct};
use crate::summary::Summary;

/// Draws the chart.
///
/// # Errors
/// plotters' error as text.
pub fn draw<DB: DrawingBackend>(
    s: &Summary,
    root: &DrawingArea<DB, Shift>,
    st: &Style,
) -> Result<(), String> {
    let area = frame(root, st, s, "when the money first runs out")?;
    let t = &s.bands.t;
    let mut chart = axes(
        &area,
        st,
        &Axes {
            x: (s.start, s.end),
            y: (0.0, 1.0),
            x_desc: "Year",
            y_desc: "Share of trials with no shortfall yet",
            x_ticks: year_ticks(s.start, s.end),
            x_fmt: &|v| year_label(*v),
            y_fmt: &|v| format!("{:.0} %", v * 100.0),
        },
    )?;
    // A step function: solvent until the step in which cash first drops below the floor.
    let mut pts = Vec::with_capacity(2 * t.len());
    for (j, &c) in s.first_shortfall.cumulative.iter().enumerate() {
        if j > 0 {
            pts.push((t[j], 1.0 - s.first_shortfall.cumulative[j - 1]));
        }
        pts.push((t[j], 1.0 - c));
    }
    let style = st.line(OKABE_BLUE);
    chart
        .draw_series(
            AreaSeries::new(pts.iter().copied(), 0.0, OKABE_BLUE.mix(0.12)).border_style(style),
        )
        .map_err(err_text)?
        .label("Still solvent (cash at or above the floor so far)")
        .legend(line_swatch(style, st));
    let half = st.thin(MUTED);
    rule(
        &mut chart,
        (s.start, 0.5),
        (s.end, 0.5),
        (st.px(6.0), st.px(6.0)),
        half,
    )?;
    let note = match s.first_shortfall.median {
        Some(m) => format!(
            "P(shortfall) {}; median first shortfall {} among trials that run short",
            pct(s.shortfall_probability.estimate, Decimals::NoneIfWhole),
            year_label(m)
        ),
        None => format!("No shortfall in any of the {} trials", thousands(s.trials)),
    };
    // Below the legend, clear of the curve's steep part (which is at the left when risk is early).
    text_on(
        &mut chart,
        &note,
        (s.end - 0.01 * (s.end - s.start), 0.86),
        st.note().pos(anchor(HPos::Right, VPos::Top)),
    )?;
    legend(&mut chart, st, SeriesLabelPosition::UpperRight)
}
