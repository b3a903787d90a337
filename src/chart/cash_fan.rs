//! `cash_fan`: cash over time — median, 25–75 % and 5–95 % bands, the cash floor, and the
//! dates of the round and the IPO. A reader sees when cash typically runs out and how wide
//! the uncertainty is. Below zero the plot is shaded and labelled as the unfunded need: cash
//! there is money the company would have had to find, not money it has.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::summary::Summary;

/// The shade of the region below zero.
const UNFUNDED: RGBAColor = RGBAColor(40, 40, 40, 0.07);

/// The label of the region below zero.
const UNFUNDED_LABEL: &str = "Below zero: unfunded need";

/// Draws the chart: the IPO window behind everything, the bands, the median and the floor,
/// then the dates on top.
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
    let y = padded(lo, hi, 0.06);
    let mut chart = cash_axes(&area, st, (s.start, s.end), y)?;
    draw_unfunded(&mut chart, s, y, st)?;
    draw_ipo_window(&mut chart, s, y, st)?;
    draw_fan(&mut chart, s, st)?;
    draw_dates(&mut chart, s, y, st)?;
    legend(&mut chart, st, SeriesLabelPosition::LowerLeft)
}

/// The region below zero, lightly shaded over the width of the plot and labelled in its lower
/// right corner, and the zero line. The y axis `y` reaches below the lowest 5 % band by a
/// margin ([`padded`]), so the label there never sits on a band.
fn draw_unfunded<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    s: &Summary,
    (ylo, yhi): (f64, f64),
    st: &Style,
) -> Result<(), String> {
    if ylo >= 0.0 {
        return Ok(());
    }
    let top = yhi.min(0.0);
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(s.start, ylo), (s.end, top)],
            UNFUNDED.filled(),
        )))
        .map_err(err_text)?;
    chart
        .draw_series(LineSeries::new(
            [(s.start, 0.0), (s.end, 0.0)],
            st.thin(MUTED),
        ))
        .map_err(err_text)?;
    // A few pixels in from the corner, in data units.
    let (w, ph) = chart.plotting_area().dim_in_pixel();
    let dy = (yhi - ylo) * f64::from(st.px(6.0)) / f64::from(ph.max(1));
    let dx = (s.end - s.start) * f64::from(st.px(8.0)) / f64::from(w.max(1));
    text_on(
        chart,
        UNFUNDED_LABEL,
        (s.end - dx, ylo + dy),
        st.note()
            .color(&MUTED)
            .pos(anchor(HPos::Right, VPos::Bottom)),
    )
}

/// The IPO window (5–95 % of its date), lightly shaded over the height `y` of the plot.
fn draw_ipo_window<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    s: &Summary,
    (ylo, yhi): (f64, f64),
    st: &Style,
) -> Result<(), String> {
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
    Ok(())
}

/// The bands of cash, its median and the cash floor.
fn draw_fan<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    s: &Summary,
    st: &Style,
) -> Result<(), String> {
    let b = &s.bands;
    let t = &b.t;
    let bands = [
        (&b.cash.p5, &b.cash.p95, 0.18, "5–95 % of trials"),
        (&b.cash.p25, &b.cash.p75, 0.38, "25–75 % of trials"),
    ];
    for (lo, hi, alpha, label) in bands {
        chart
            .draw_series(std::iter::once(band(
                t,
                lo,
                hi,
                OKABE_BLUE.mix(alpha).filled(),
            )))
            .map_err(err_text)?
            .label(label)
            .legend(swatch(OKABE_BLUE.mix(alpha), st));
    }
    chart
        .draw_series(LineSeries::new(
            t.iter().copied().zip(b.cash.p50.iter().copied()),
            st.line(OKABE_BLUE),
        ))
        .map_err(err_text)?
        .label("Median")
        .legend(line_swatch(st.line(OKABE_BLUE), st));
    let floor = st.thin(VERMILLION).stroke_width(st.px(2.5));
    rule(
        chart,
        (s.start, s.cash_floor),
        (s.end, s.cash_floor),
        (st.px(10.0), st.px(6.0)),
        floor,
    )?
    .label(format!("Cash floor ({})", money(s.cash_floor)))
    .legend(line_swatch(floor, st));
    Ok(())
}

/// Round closes and the median IPO date: vertical rules over the height `y` of the plot,
/// with a label at the top (every other one a little lower, so that close dates both show).
fn draw_dates<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    s: &Summary,
    (ylo, yhi): (f64, f64),
    st: &Style,
) -> Result<(), String> {
    for (i, m) in s.timeline.iter().enumerate() {
        if m.t < s.start || m.t > s.end {
            continue;
        }
        let label = if m.window.is_some() {
            format!("{} (median)", m.label)
        } else {
            m.label.clone()
        };
        rule(
            chart,
            (m.t, ylo),
            (m.t, yhi),
            (st.px(4.0), st.px(4.0)),
            st.thin(INK),
        )?;
        let y = yhi - (yhi - ylo) * (0.03 + 0.05 * (i % 2) as f64);
        text_on(chart, &format!(" {label}"), (m.t, y), st.note())?;
    }
    Ok(())
}
