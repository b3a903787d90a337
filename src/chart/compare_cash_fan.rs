//! `compare_cash_fan`: cash over time for each scenario of a comparison — its median and the
//! band of the middle half of trials (25–75 %), one colour per scenario — with the cash floor
//! of the first scenario. A reader sees where the scenarios part ways, and when each one's
//! cash typically falls through the floor.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::analysis::Comparison;

/// Draws the chart.
///
/// # Errors
/// plotters' error as text.
pub fn draw<DB: DrawingBackend>(
    c: &Comparison,
    root: &DrawingArea<DB, Shift>,
    st: &Style,
) -> Result<(), String> {
    let area = frame_compare(root, st, c, "cash over time")?;
    let Some(first) = c.summaries.first() else {
        return centered_note(&area, st, &["No scenarios to compare."]);
    };
    // The union of the horizons.
    let start = c
        .summaries
        .iter()
        .map(|s| s.start)
        .fold(f64::INFINITY, f64::min);
    let end = c
        .summaries
        .iter()
        .map(|s| s.end)
        .fold(f64::NEG_INFINITY, f64::max);
    let (start, end) = if start.is_finite() && end.is_finite() && end > start {
        (start, end)
    } else {
        padded(first.start, first.start, 0.0)
    };
    let floor = first.cash_floor;
    let finite = |v: &&f64| v.is_finite();
    let lo = c
        .summaries
        .iter()
        .flat_map(|s| s.bands.cash.p25.iter().chain(&s.bands.cash.p50))
        .filter(finite)
        .copied()
        .fold(floor.min(0.0), f64::min);
    let hi = c
        .summaries
        .iter()
        .flat_map(|s| s.bands.cash.p75.iter().chain(&s.bands.cash.p50))
        .filter(finite)
        .copied()
        .fold(floor.max(0.0), f64::max);
    let (ylo, yhi) = padded(lo, hi, 0.06);
    let step = tick_step(ylo, yhi, 8);
    let mut chart = axes(
        &area,
        st,
        &Axes {
            x: (start, end),
            y: (ylo, yhi),
            x_desc: "Year",
            y_desc: "Cash ($B)",
            x_ticks: year_ticks(start, end),
            x_fmt: &|v| year_label(*v),
            y_fmt: &|v| usd(*v, step),
        },
    )?;

    // The bands first, all of them, so that no band hides another scenario's median.
    let mut lines = Vec::new();
    for (i, s) in c.summaries.iter().enumerate() {
        let b = &s.bands;
        let n = b.t.len().min(b.cash.p25.len()).min(b.cash.p75.len());
        let (t, p25, p75) = (&b.t[..n], &b.cash.p25[..n], &b.cash.p75[..n]);
        chart
            .draw_series(std::iter::once(band(
                t,
                p25,
                p75,
                scenario_colour(i).mix(0.16).filled(),
            )))
            .map_err(err_text)?;
        // Thin edges keep each band readable where bands overlap.
        let edge = scenario_colour(i).mix(0.55).stroke_width(st.px(1.0));
        let lower: Vec<(f64, f64)> = t.iter().copied().zip(p25.iter().copied()).collect();
        let upper: Vec<(f64, f64)> = t.iter().copied().zip(p75.iter().copied()).collect();
        for edge_pts in [&lower, &upper] {
            chart
                .draw_series(LineSeries::new(edge_pts.iter().copied(), edge))
                .map_err(err_text)?;
        }
        lines.push(lower);
        lines.push(upper);
    }
    let names = scenario_labels(c);
    let mut labels = Vec::new();
    for (i, s) in c.summaries.iter().enumerate() {
        let b = &s.bands;
        let median: Vec<(f64, f64)> =
            b.t.iter()
                .copied()
                .zip(b.cash.p50.iter().copied())
                .filter(|(t, v)| t.is_finite() && v.is_finite())
                .collect();
        let (style, dash) = scenario_line(i, st);
        draw_line(&mut chart, median.clone(), style, dash, "", st)?;
        // One legend entry per scenario, for its band and its median together: a filled box
        // with the median's line across it (a dash longer than the box draws it solid).
        let label = format!("{}: median, 25–75 % of trials", names[i]);
        let (w, h) = (st.px(22.0) as i32, st.px(7.0) as i32);
        let (d, g) = dash.map_or((w as u32 + 1, 1), |(d, g)| {
            ((d * 2 / 3).max(2), (g * 2 / 3).max(2))
        });
        let fill = scenario_colour(i).mix(0.3).filled();
        chart
            .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
            .map_err(err_text)?
            .label(label.clone())
            .legend(move |at| {
                EmptyElement::at(at)
                    + Rectangle::new([(0, -h), (w, h)], fill)
                    + plotters::element::DashedPathElement::new(vec![(0, 0), (w, 0)], d, g, style)
            });
        labels.push(label);
        lines.push(median);
    }
    let floor_style = st.thin(INK).stroke_width(st.px(2.0));
    let floor_label = if c.summaries.len() > 1 {
        format!("Cash floor of {} ({})", names[0], money(floor))
    } else {
        format!("Cash floor ({})", money(floor))
    };
    chart
        .draw_series(DashedLineSeries::new(
            [(start, floor), (end, floor)],
            st.px(10.0),
            st.px(6.0),
            floor_style,
        ))
        .map_err(err_text)?
        .label(floor_label.clone())
        .legend(dashed_swatch(floor_style, st.px(7.0), st.px(4.0), st));
    labels.push(floor_label);
    lines.push(vec![(start, floor), (end, floor)]);
    let at = legend_spot(
        &chart,
        st,
        &labels,
        &lines,
        &[
            SeriesLabelPosition::LowerLeft,
            SeriesLabelPosition::UpperRight,
            SeriesLabelPosition::UpperLeft,
            SeriesLabelPosition::LowerRight,
            SeriesLabelPosition::MiddleRight,
        ],
    );
    legend(&mut chart, st, at)
}
