//! `tornado`: what moves the gap. For each input (largest swing first), a bar from the mean
//! gap when the input is in its bottom decile to the mean gap when it is in its top decile,
//! around the overall mean. A reader sees which assumptions matter and in which direction.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::stats::sensitivity::InputSensitivity;
use crate::summary::Summary;

/// Most inputs shown.
const SHOWN: usize = 12;

/// Draws the chart: one row per input, top to bottom; the bars; the mean; the variance shares.
///
/// # Errors
/// plotters' error as text.
pub fn draw<DB: DrawingBackend>(
    s: &Summary,
    root: &DrawingArea<DB, Shift>,
    st: &Style,
) -> Result<(), String> {
    let area = frame(root, st, s, "what moves the funding gap")?;
    let rows: Vec<_> = s
        .sensitivity
        .gap
        .iter()
        .filter(|i| i.swing.is_finite())
        .take(SHOWN)
        .collect();
    if rows.is_empty() {
        return centered_note(&area, st, &["No uncertain inputs: nothing to rank."]);
    }
    let mean = s.gap.mean;
    let mut chart = tornado_axes(&area, st, &rows, mean)?;
    draw_bars(&mut chart, &rows, mean, st)?;
    let n = rows.len() as f64;
    let line = st.thin(INK).stroke_width(st.px(2.0));
    rule(
        &mut chart,
        (mean, -0.5),
        (mean, n - 0.5),
        (st.px(6.0), st.px(5.0)),
        line,
    )?
    .label(format!("Mean gap, all trials ({})", money(mean)))
    .legend(line_swatch(line, st));
    draw_shares(&mut chart, &rows, st)?;
    // Bars shrink down the list and sit around the mean, so the lower left is free.
    legend(&mut chart, st, SeriesLabelPosition::LowerLeft)
}

/// The axes: the mean gap ($B) across, covering every bar, 0 and the overall `mean`; one
/// row per input down, named at the left, the first at the top.
fn tornado_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    rows: &[&InputSensitivity],
    mean: f64,
) -> Result<ChartContext<'a, DB, Plane>, String> {
    let lo = rows
        .iter()
        .map(|r| r.low_decile_mean.min(r.high_decile_mean))
        .fold(mean, f64::min);
    let hi = rows
        .iter()
        .map(|r| r.low_decile_mean.max(r.high_decile_mean))
        .fold(mean, f64::max);
    let (xlo, xhi) = padded(lo.min(0.0), hi, 0.04);
    let step = tick_step(xlo, xhi, 8);
    let n = rows.len() as f64;
    // Labels sit left of the bars: make room for the longest path.
    let longest = rows
        .iter()
        .map(|r| r.path.chars().count())
        .max()
        .unwrap_or(10) as f64;
    let label_px = (longest * 9.4 * st.scale).min(st.width as f64 * 0.42) as u32 + st.px(16.0);
    let labels: Vec<String> = rows.iter().map(|r| r.path.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(st.px(64.0))
        .y_label_area_size(label_px)
        .build_cartesian_2d(xlo..xhi, -0.5..n - 0.5)
        .map_err(err_text)?;
    chart
        .configure_mesh()
        .x_labels(8)
        .y_labels(rows.len())
        .x_label_formatter(&|v| usd(*v, step))
        .y_label_formatter(&|v| {
            let i = (n - 1.0 - v).round();
            if (v - v.round()).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                labels[i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_desc("Mean funding gap ($B) with the input in its bottom or top 10 %")
        .axis_desc_style(st.axis())
        .label_style(st.ticks())
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1))
        .disable_y_mesh()
        .draw()
        .map_err(err_text)?;
    Ok(chart)
}

/// The bars from the overall `mean` to the mean gap with each input in its bottom 10 %,
/// then to that with it in its top 10 %.
fn draw_bars<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    rows: &[&InputSensitivity],
    mean: f64,
    st: &Style,
) -> Result<(), String> {
    let n = rows.len() as f64;
    let half = 0.34;
    let bar = |v: f64, y: f64, c: RGBColor| {
        Rectangle::new(
            [(mean.min(v), y - half), (mean.max(v), y + half)],
            c.filled(),
        )
    };
    chart
        .draw_series(
            rows.iter()
                .enumerate()
                .map(|(i, r)| bar(r.low_decile_mean, n - 1.0 - i as f64, SKY)),
        )
        .map_err(err_text)?
        .label("Input in its bottom 10 %")
        .legend(swatch(SKY.to_rgba(), st));
    chart
        .draw_series(
            rows.iter()
                .enumerate()
                .map(|(i, r)| bar(r.high_decile_mean, n - 1.0 - i as f64, VERMILLION)),
        )
        .map_err(err_text)?
        .label("Input in its top 10 %")
        .legend(swatch(VERMILLION.to_rgba(), st));
    Ok(())
}

/// The variance share at the end of each bar, and a text-only legend line that explains it.
fn draw_shares<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    rows: &[&InputSensitivity],
    st: &Style,
) -> Result<(), String> {
    let n = rows.len() as f64;
    chart
        .draw_series(rows.iter().enumerate().map(|(i, r)| {
            let end = r.low_decile_mean.max(r.high_decile_mean);
            Text::new(
                format!(" {:.0} %", 100.0 * r.variance_share),
                (end, n - 1.0 - i as f64),
                st.note().pos(anchor(HPos::Left, VPos::Center)),
            )
        }))
        .map_err(err_text)?;
    chart
        .draw_series(std::iter::empty::<Circle<(f64, f64), u32>>())
        .map_err(err_text)?
        .label("% at bar ends: share of the gap's variance")
        .legend(|(x, y)| EmptyElement::at((x, y)));
    Ok(())
}
