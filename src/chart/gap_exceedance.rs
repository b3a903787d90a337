//! `gap_exceedance`: the probability that the funding gap exceeds X, for X across the range,
//! over the whole horizon and up to the end of each report year. A reader reads off, for any
//! amount of extra capital, how likely it is not to be enough.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
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
    let area = frame(root, st, s, "probability that the funding gap exceeds X")?;
    let d = &s.gap_distribution;
    let top = *d.exceedance_x.last().unwrap_or(&1.0);
    let mut chart = exceedance_axes(&area, st, top, "X: funding gap ($B)")?;
    let xs = &d.exceedance_x;
    let end_year = horizon_label(s.start, s.end);
    let mut curves: Vec<(String, &Vec<f64>)> = d
        .exceedance_by_year
        .iter()
        .filter(|(y, _)| y.parse::<f64>().map_or(true, |y| y + 1.0 < s.end - 1e-9))
        .map(|(y, v)| (format!("by end of {y}"), v))
        .collect();
    curves.push((format!("whole horizon ({end_year})"), &d.exceedance));
    let n = curves.len();
    for (i, (label, ys)) in curves.into_iter().enumerate() {
        let last = i + 1 == n;
        let colour = if last {
            INK
        } else {
            SERIES[(i + 1) % SERIES.len()]
        };
        let style = if last {
            st.line(colour)
        } else {
            st.thin(colour).stroke_width(st.px(2.5))
        };
        chart
            .draw_series(LineSeries::new(
                xs.iter().copied().zip(ys.iter().copied()),
                style,
            ))
            .map_err(err_text)?
            .label(label)
            .legend(line_swatch(style, st));
    }
    if d.no_gap_share >= 1.0 - 1e-12 {
        text_on(
            &mut chart,
            "No trial has a funding gap: every curve is at 0 %",
            (top * 0.25, 0.5),
            st.axis(),
        )?;
    }
    legend(&mut chart, st, SeriesLabelPosition::UpperRight)
}
