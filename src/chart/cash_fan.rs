//! `cash_fan`: cash over time — median, 25–75 % and 5–95 % bands, the cash floor, and the
//! dates of the round and the IPO. A reader sees when cash typically runs out and how wide
//! the uncertainty is.

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
    let area = frame(root, st, s, "cash over time")?;
    let b = &s.bands;
    let t = &b.t;
    let lo = b
        .cash
        .p5
        .iter()
        .copied()
        .fold(s.cash_floor.min(0.0), f64::min);
    let hi = b
        .cash
        .p95
        .iter()
        .copied()
        .fold(s.cash_floor.max(0.0), f64::max);
    let (ylo, yhi) = padded(lo, hi, 0.06);
    let step = tick_step(ylo, yhi, 8);
    let mut chart = axes(
        &area,
        st,
        &Axes {
            x: (s.start, s.end),
            y: (ylo, yhi),
            x_desc: "Year",
            y_desc: "Cash ($B)",
            x_ticks: year_ticks(s.start, s.end),
            x_fmt: &|v| year_label(*v),
            y_fmt: &|v| usd(*v, step),
        },
    )?;

    // The IPO window (5–95 % of its date), lightly shaded behind everything.
    for m in &s.timeline {
        if let Some([a, z]) = m.window {
            let (a, z) = (a.max(s.start), z.min(s.end));
            if z > a {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, ylo), (z, yhi)],
                        ORANGE.mix(0.10).filled(),
                    )))
                    .map_err(err_text)?
                    .label(format!("{} date, 5–95 % range", m.label))
                    .legend(swatch(ORANGE.mix(0.25), st));
            }
        }
    }
    chart
        .draw_series(std::iter::once(band(
            t,
            &b.cash.p5,
            &b.cash.p95,
            OKABE_BLUE.mix(0.18).filled(),
        )))
        .map_err(err_text)?
        .label("5–95 % of trials")
        .legend(swatch(OKABE_BLUE.mix(0.18), st));
    chart
        .draw_series(std::iter::once(band(
            t,
            &b.cash.p25,
            &b.cash.p75,
            OKABE_BLUE.mix(0.38).filled(),
        )))
        .map_err(err_text)?
        .label("25–75 % of trials")
        .legend(swatch(OKABE_BLUE.mix(0.38), st));
    chart
        .draw_series(LineSeries::new(
            t.iter().copied().zip(b.cash.p50.iter().copied()),
            st.line(OKABE_BLUE),
        ))
        .map_err(err_text)?
        .label("Median")
        .legend(line_swatch(st.line(OKABE_BLUE), st));
    chart
        .draw_series(DashedLineSeries::new(
            [(s.start, s.cash_floor), (s.end, s.cash_floor)],
            st.px(10.0),
            st.px(6.0),
            st.thin(VERMILLION).stroke_width(st.px(2.5)),
        ))
        .map_err(err_text)?
        .label(format!("Cash floor ({})", money(s.cash_floor)))
        .legend(line_swatch(
            st.thin(VERMILLION).stroke_width(st.px(2.5)),
            st,
        ));

    // Round closes and the median IPO date: vertical rules with a label at the top.
    for (i, m) in s.timeline.iter().enumerate() {
        if m.t < s.start || m.t > s.end {
            continue;
        }
        let label = if m.window.is_some() {
            format!("{} (median)", m.label)
        } else {
            m.label.clone()
        };
        chart
            .draw_series(DashedLineSeries::new(
                [(m.t, ylo), (m.t, yhi)],
                st.px(4.0),
                st.px(4.0),
                st.thin(INK),
            ))
            .map_err(err_text)?;
        let y = yhi - (yhi - ylo) * (0.03 + 0.05 * (i % 2) as f64);
        chart
            .draw_series(std::iter::once(Text::new(
                format!(" {label}"),
                (m.t, y),
                st.note(),
            )))
            .map_err(err_text)?;
    }
    legend(&mut chart, st, SeriesLabelPosition::LowerLeft)
}
