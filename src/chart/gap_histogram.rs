//! `gap_histogram`: the distribution of the funding gap over the horizon. The trials with no
//! gap are a point mass at $0, stated in words rather than drawn as a tall first bar; P50,
//! P90 and P95 are marked. A reader sees how large the gap typically is and how fat the tail.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::report::format::{Decimals, pct};
use crate::summary::{GapDistribution, Summary};

/// Draws the chart: the bars, the percentile markers, the legend, and the notes below it.
///
/// # Errors
/// plotters' error as text.
pub fn draw<DB: DrawingBackend>(
    s: &Summary,
    root: &DrawingArea<DB, Shift>,
    st: &Style,
) -> Result<(), String> {
    let years = horizon_label(s.start, s.end);
    let area = frame(
        root,
        st,
        s,
        &format!("distribution of the funding gap, {years}"),
    )?;
    let d = &s.gap_distribution;
    if d.no_gap_share >= 1.0 - 1e-12 {
        return centered_note(
            &area,
            st,
            &[
                "No funding gap in any trial:",
                &format!(
                    "cash stays above the floor in all {} trials.",
                    thousands(s.trials)
                ),
            ],
        );
    }
    let top = *d.bin_edges.last().unwrap_or(&1.0);
    let tallest = d.bin_shares.iter().copied().fold(0.0, f64::max);
    let ymax = (tallest * 1.25).max(1e-6);
    let mut chart = histogram_axes(&area, st, top, ymax)?;
    draw_bars(&mut chart, d, st)?;
    draw_percentiles(&mut chart, s, (top, ymax), st)?;
    legend(&mut chart, st, SeriesLabelPosition::UpperRight)?;
    draw_notes(&area, st, &notes(s, top))
}

/// The axes: the gap ($B) from 0 to `top`, the share of trials from 0 to `ymax`.
fn histogram_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    top: f64,
    ymax: f64,
) -> Result<ChartContext<'a, DB, Plane>, String> {
    let xstep = tick_step(0.0, top, 10);
    let ystep = tick_step(0.0, ymax * 100.0, 8) / 100.0;
    axes(
        area,
        st,
        &Axes {
            x: (0.0, top),
            y: (0.0, ymax),
            x_desc: "Funding gap ($B): extra capital needed at the start to stay above the cash floor",
            y_desc: "Share of trials",
            x_ticks: 10,
            x_fmt: &|v| usd(*v, xstep),
            y_fmt: &|v| {
                if ystep >= 0.01 {
                    format!("{:.0} %", v * 100.0)
                } else {
                    format!("{:.1} %", v * 100.0)
                }
            },
        },
    )
}

/// The bars of the trials with a gap (empty bins are not drawn).
fn draw_bars<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    d: &GapDistribution,
    st: &Style,
) -> Result<(), String> {
    chart
        .draw_series(
            d.bin_shares
                .iter()
                .enumerate()
                .filter(|(_, h)| **h > 0.0)
                .map(|(i, &h)| {
                    Rectangle::new(
                        [(d.bin_edges[i], 0.0), (d.bin_edges[i + 1], h)],
                        OKABE_BLUE.mix(0.75).filled(),
                    )
                }),
        )
        .map_err(err_text)?
        .label("Trials with a gap")
        .legend(swatch(OKABE_BLUE.mix(0.75), st));
    Ok(())
}

/// Percentile markers: dashed verticals labelled with their value, those within the x axis
/// (which ends at `top`; the y axis at `ymax`).
fn draw_percentiles<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    s: &Summary,
    (top, ymax): (f64, f64),
    st: &Style,
) -> Result<(), String> {
    let marks = [
        ("P50", "p50", VERMILLION),
        ("P90", "p90", ORANGE),
        ("P95", "p95", PURPLE),
    ];
    for (i, (name, key, colour)) in marks.into_iter().enumerate() {
        let v = s.gap.quantiles.get(key).copied().unwrap_or(f64::NAN);
        if !v.is_finite() || v > top {
            continue;
        }
        let style = st.thin(colour).stroke_width(st.px(2.5));
        rule(
            chart,
            (v, 0.0),
            (v, ymax * 0.93),
            (st.px(8.0), st.px(5.0)),
            style,
        )?
        .label(format!("{name}: {}", money(v)))
        .legend(line_swatch(style, st));
        text_on(
            chart,
            &format!(" {name}"),
            (v, ymax * (0.97 - 0.045 * i as f64)),
            st.note().color(&colour),
        )?;
    }
    Ok(())
}

/// The notes: the point mass at zero and the tail beyond `top` (neither drawn), the mean
/// gap and P(shortfall).
fn notes(s: &Summary, top: f64) -> Vec<String> {
    let d = &s.gap_distribution;
    let mut notes = vec![format!(
        "No gap (point mass at $0, not drawn): {} of trials",
        pct(d.no_gap_share, Decimals::NoneIfWhole)
    )];
    if d.above_range_share > 0.0 {
        notes.push(format!(
            "Beyond {} (not drawn): {} of trials",
            money(top),
            pct(d.above_range_share, Decimals::NoneIfWhole)
        ));
    }
    notes.push(format!(
        "Mean gap {} ± {} (s.e.); P(shortfall) {}",
        money(s.gap.mean),
        money(s.gap.std_error),
        pct(s.shortfall_probability.estimate, Decimals::NoneIfWhole)
    ));
    notes
}

/// Writes the notes right-aligned on a white box below the legend.
fn draw_notes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    notes: &[String],
) -> Result<(), String> {
    let (w, _) = area.dim_in_pixel();
    let x = w as i32 - st.px(30.0) as i32;
    let y0 = st.px(190.0) as i32;
    let line = st.px(24.0) as i32;
    let widest = notes
        .iter()
        .map(|n| {
            area.estimate_text_size(n, &st.note())
                .map(|(w, _)| w as i32)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(err_text)?
        .into_iter()
        .max()
        .unwrap_or(0);
    let pad = st.px(8.0) as i32;
    area.draw(&Rectangle::new(
        [
            (x - widest - pad, y0 - pad),
            (x + pad, y0 + line * notes.len() as i32 + pad / 2),
        ],
        WHITE.mix(0.9).filled(),
    ))
    .map_err(err_text)?;
    let right = st.note().pos(anchor(HPos::Right, VPos::Top));
    for (i, n) in notes.iter().enumerate() {
        area.draw_text(n, &right, (x, y0 + i as i32 * line))
            .map_err(err_text)?;
    }
    Ok(())
}
