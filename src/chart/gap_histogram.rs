//! `gap_histogram`: the distribution of the funding gap over the horizon. The trials with no
//! gap are a point mass at $0, stated in words rather than drawn as a tall first bar; P50,
//! P90 and P95 are marked. A reader sees how large the gap typically is and how fat the tail.
//!
//! The legend and the notes sit in a strip above the plot, so that they never cover a bar or
//! a percentile's name; the names sit at the top of the plot, in the headroom above the
//! tallest bar, each beside its line and clear of the other names and lines.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::report::format::{Decimals, pct};
use crate::summary::{GapDistribution, Summary};

/// Draws the chart: the legend and the notes, then the bars and the percentile markers.
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
    let marks = percentile_marks(s, top, st);
    // The legend and the notes above the plot, where they cannot cover a bar or a label.
    let mut keys = vec![(
        Key::Fill(OKABE_BLUE.mix(0.75)),
        "Trials with a gap".to_string(),
    )];
    keys.extend(marks.iter().map(|m| {
        (
            Key::Dashed(m.style, m.dash.0, m.dash.1),
            format!("{}: {}", m.name, money(m.value)),
        )
    }));
    let area = legend_strip(&area, st, &keys)?;
    let notes: Vec<(Key, String)> = notes(s, top).into_iter().map(|n| (Key::Blank, n)).collect();
    let area = legend_strip(&area, st, &notes)?;
    let mut chart = histogram_axes(&area, st, top, ymax)?;
    draw_bars(&mut chart, d)?;
    draw_percentiles(&mut chart, &marks, ymax, st)
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
        .map_err(err_text)?;
    Ok(())
}

/// A percentile marked on the chart.
struct Mark {
    /// "P50".
    name: &'static str,
    /// The gap at that percentile, $B.
    value: f64,
    /// The line's pen.
    style: ShapeStyle,
    /// The line's dash and gap, pixels.
    dash: (u32, u32),
}

/// P50, P90 and P95 of the gap, those within the x axis (which ends at `top`), by value.
fn percentile_marks(s: &Summary, top: f64, st: &Style) -> Vec<Mark> {
    let marks = [
        ("P50", "p50", VERMILLION),
        ("P90", "p90", ORANGE),
        ("P95", "p95", PURPLE),
    ];
    let mut out: Vec<Mark> = marks
        .into_iter()
        .filter_map(|(name, key, colour)| {
            let value = s.gap.quantiles.get(key).copied()?;
            (value.is_finite() && value <= top).then(|| Mark {
                name,
                value,
                style: st.thin(colour).stroke_width(st.px(2.5)),
                dash: (st.px(8.0), st.px(5.0)),
            })
        })
        .collect();
    out.sort_by(|a, b| a.value.total_cmp(&b.value));
    out
}

/// A label's box in pixels of the plotting area: left, top, right, bottom.
type LabelBox = (i32, i32, i32, i32);

/// Where each mark's name goes at the top of the plot (`plot` pixels wide, the marks' lines at
/// `xs` pixels, the names `widths` wide and `row_h` high): beside its line, right if there is
/// room, else left, in the highest row where it overlaps neither another name nor another
/// line. The bars stay below the rows: the y axis has a quarter of headroom above the tallest.
fn place_labels(xs: &[i32], widths: &[i32], plot: i32, row_h: i32, gap: i32) -> Vec<LabelBox> {
    let mut placed: Vec<LabelBox> = Vec::with_capacity(xs.len());
    for (i, (&x, &w)) in xs.iter().zip(widths).enumerate() {
        let fits = |b: &LabelBox| {
            b.0 >= 0
                && b.2 <= plot
                && placed
                    .iter()
                    .all(|p| b.2 <= p.0 || p.2 <= b.0 || b.3 <= p.1 || p.3 <= b.1)
                && xs
                    .iter()
                    .enumerate()
                    .all(|(j, &o)| j == i || o < b.0 || o > b.2)
        };
        let candidates = (0..xs.len() as i32).flat_map(|row| {
            let (t, b) = (row * row_h, (row + 1) * row_h);
            [(x + gap, t, x + gap + w, b), (x - gap - w, t, x - gap, b)]
        });
        let chosen = candidates
            .clone()
            .find(|b| fits(b))
            .or_else(|| candidates.clone().find(|b| b.0 >= 0 && b.2 <= plot))
            .unwrap_or((x + gap, 0, x + gap + w, row_h));
        placed.push(chosen);
    }
    placed
}

/// The percentile markers: dashed verticals from the axis up to their names, which sit at the
/// top of the plot above the bars ([`place_labels`]); `ymax` is the top of the y axis.
fn draw_percentiles<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    marks: &[Mark],
    ymax: f64,
    st: &Style,
) -> Result<(), String> {
    let plot = chart.plotting_area().strip_coord_spec();
    let (pw, ph) = plot.dim_in_pixel();
    let base = plot.get_base_pixel();
    let font = st.note();
    let xs: Vec<i32> = marks
        .iter()
        .map(|m| chart.backend_coord(&(m.value, 0.0)).0 - base.0)
        .collect();
    let widths = marks
        .iter()
        .map(|m| {
            plot.estimate_text_size(m.name, &font)
                .map(|(w, _)| w as i32)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(err_text)?;
    let (row_h, gap) = (st.px(21.0) as i32, st.px(4.0) as i32);
    let top = st.px(4.0) as i32;
    let boxes = place_labels(&xs, &widths, pw as i32, row_h, gap);
    for (m, b) in marks.iter().zip(&boxes) {
        // The line ends level with the middle of its name.
        let mid = top + (b.1 + b.3) / 2;
        let y = ymax * (1.0 - mid as f64 / ph.max(1) as f64);
        rule(chart, (m.value, 0.0), (m.value, y), m.dash, m.style)?;
        plot.draw_text(
            m.name,
            &font
                .color(&m.style.color)
                .pos(anchor(HPos::Left, VPos::Center)),
            (b.0, mid),
        )
        .map_err(err_text)?;
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
