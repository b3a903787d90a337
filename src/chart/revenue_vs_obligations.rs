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
    for (label, band_data, colour) in &series[..2] {
        chart
            .draw_series(std::iter::once(band(
                t,
                &band_data.p5,
                &band_data.p95,
                colour.mix(0.14).filled(),
            )))
            .map_err(err_text)?
            .label(format!("{label}: 5–95 %"))
            .legend(swatch(colour.mix(0.14), st));
        chart
            .draw_series(std::iter::once(band(
                t,
                &band_data.p25,
                &band_data.p75,
                colour.mix(0.32).filled(),
            )))
            .map_err(err_text)?
            .label(format!("{label}: 25–75 %"))
            .legend(swatch(colour.mix(0.32), st));
    }
    for (label, band_data, colour) in &series {
        let style = st.line(*colour);
        let points = t.iter().copied().zip(band_data.p50.iter().copied());
        if *colour == ORANGE {
            chart
                .draw_series(DashedLineSeries::new(
                    points,
                    st.px(10.0),
                    st.px(6.0),
                    style,
                ))
                .map_err(err_text)?
        } else {
            chart
                .draw_series(LineSeries::new(points, style))
                .map_err(err_text)?
        }
        .label(format!("{label}: median"))
        .legend(line_swatch(style, st));
    }
    legend(&mut chart, st, SeriesLabelPosition::UpperLeft)
}
