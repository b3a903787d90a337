//! `sweep`: what one input does to the results. Two panels share the swept value as their x
//! axis: above, P(shortfall) with its 95 % interval; below, the gap's median, P90, P95 and
//! mean. A goal seek, if any, is a vertical line through both panels at the value found, and
//! its target's bound a horizontal line on the panel of its metric. A reader sees how much
//! of the input it takes to bring the risk or the gap down to a given level.
//!
//! The legends sit in a strip above each panel rather than on it: with two short panels and
//! curves that may run anywhere, there is no corner they could be trusted to leave free.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::analysis::{Metric, Sweep, SweepPoint, Target};

/// The two panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    /// P(shortfall).
    Top,
    /// The gap.
    Bottom,
}

/// One series of the gap panel: label, colour, dash, value.
type GapSeries = (&'static str, RGBColor, bool, fn(&SweepPoint) -> f64);

/// The gap panel's series.
const GAP_SERIES: [GapSeries; 4] = [
    ("Median (P50)", OKABE_GREEN, false, |p| p.gap_p50),
    ("P90", ORANGE, false, |p| p.gap_p90),
    ("P95", VERMILLION, false, |p| p.gap_p95),
    ("Mean", INK, true, |p| p.gap_mean),
];

/// Draws the chart.
///
/// # Errors
/// plotters' error as text.
pub fn draw<DB: DrawingBackend>(
    s: &Sweep,
    root: &DrawingArea<DB, Shift>,
    st: &Style,
) -> Result<(), String> {
    let mut points: Vec<&SweepPoint> = s.points.iter().filter(|p| p.value.is_finite()).collect();
    points.sort_by(|a, b| a.value.total_cmp(&b.value));
    let n = points.len();
    let subtitle = format!(
        "{} value{} of {} · {} each · seed {}, the same at every value · funding-gap",
        n,
        if n == 1 { "" } else { "s" },
        s.path,
        trials_label(s.trials),
        s.seed
    );
    let area = frame_with(
        root,
        st,
        &format!(
            "{} — shortfall risk and funding gap as one input varies",
            s.scenario
        ),
        &subtitle,
    )?;
    if points.is_empty() {
        return centered_note(&area, st, &["No values were swept: nothing to draw."]);
    }

    // The shared x axis: the swept values and the value the seek found, a little padded so
    // that the end markers are not cut.
    let seek_value = s
        .seek
        .as_ref()
        .and_then(|k| k.value)
        .filter(|v| v.is_finite());
    let (vlo, vhi) = points
        .iter()
        .map(|p| p.value)
        .chain(seek_value)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let (xlo, xhi) = padded(vlo, vhi, 0.03);
    let xstep = tick_step(xlo, xhi, 8);
    let x_fmt = |v: &f64| usd(*v, xstep);
    let x_desc = format!("{} (swept input)", s.path);

    // The target, and the panel its bound is drawn on (if its metric is drawn).
    let target = s.seek.as_ref().and_then(|k| Target::parse(&k.target).ok());
    let target_text = s.seek.as_ref().map_or("", |k| k.target.as_str());
    let bound_on = target.as_ref().and_then(|t| {
        if !t.bound.is_finite() {
            None
        } else if probability_metric(&t.metric) && (0.0..=1.0).contains(&t.bound) {
            Some(Panel::Top)
        } else if gap_metric(&t.metric) && t.bound >= 0.0 {
            Some(Panel::Bottom)
        } else {
            None
        }
    });
    // A target on a report year's P(shortfall): that year's curve is drawn too.
    let by_year = match &target {
        Some(Target {
            metric: m @ Metric::ShortfallProbabilityBy(year),
            ..
        }) => {
            let pts: Vec<(f64, f64)> = points
                .iter()
                .map(|p| (p.value, p.metric(m)))
                .filter(|(_, y)| y.is_finite())
                .collect();
            (!pts.is_empty()).then(|| (format!("P(shortfall) by the end of {year}"), pts))
        }
        _ => None,
    };

    let data_hi = points
        .iter()
        .flat_map(|p| GAP_SERIES.iter().map(move |g| (g.3)(p)))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let gap_hi = match (&target, bound_on) {
        (Some(t), Some(Panel::Bottom)) => data_hi.max(t.bound),
        _ => data_hi,
    };
    let gap_top = if gap_hi > 0.0 { gap_hi * 1.08 } else { 1.0 };
    let ystep = tick_step(0.0, gap_top, 6);

    // Styles and legend entries.
    let marker = st.px(4.5);
    let mean_dash = (st.px(10.0), st.px(6.0));
    let by_year_dash = (st.px(10.0), st.px(5.0));
    let bound_style = st.thin(MUTED).stroke_width(st.px(2.0));
    let bound_dash = (st.px(3.0), st.px(4.0));
    let seek_style = st.thin(INK).stroke_width(st.px(2.0));
    let seek_dash = (st.px(8.0), st.px(5.0));
    let band_fill = OKABE_BLUE.mix(if n == 1 { 0.5 } else { 0.2 });
    let found = seek_value.map(|v| trim_zeros(usd(v, xstep / 100.0)));
    let seek_label = found.as_ref().map(|f| {
        let already = s.seek.as_ref().is_some_and(|k| k.runs == 0)
            && points.first().is_some_and(|p| Some(p.value) == seek_value);
        if already {
            format!("target already met at {f}, the lowest value")
        } else {
            format!("target met at {f}")
        }
    });
    // The target in the legend: by its bound's line where that is drawn, else in words.
    let target_label = if seek_value.is_some() {
        format!("Target: {target_text}")
    } else {
        format!("Target: {target_text} — not met in the swept range")
    };
    let mut top_keys = vec![
        (Key::Fill(band_fill), "95 % interval".to_string()),
        (
            Key::Marked(st.line(OKABE_BLUE), None),
            "P(shortfall) over the horizon".to_string(),
        ),
    ];
    if let Some((label, _)) = &by_year {
        top_keys.push((Key::Marked(st.line(SKY), Some(by_year_dash)), label.clone()));
    }
    let mut bottom_keys: Vec<(Key, String)> = GAP_SERIES
        .iter()
        .map(|&(label, colour, dashed, _)| {
            (
                Key::Marked(st.line(colour), dashed.then_some(mean_dash)),
                label.to_string(),
            )
        })
        .collect();
    let bound_key = (
        Key::Dashed(bound_style, bound_dash.0, bound_dash.1),
        target_label.clone(),
    );
    match bound_on {
        Some(Panel::Top) => top_keys.push(bound_key),
        Some(Panel::Bottom) => bottom_keys.push(bound_key),
        None if s.seek.is_some() => top_keys.push((Key::Blank, target_label)),
        None => {}
    }

    // The panels: the top one a little shorter, each with its legend above it.
    let (top_area, bottom_area) =
        area.split_vertically((area.dim_in_pixel().1 as f64 * 0.46) as u32);
    let top_area = top_area.margin(0, st.px(10.0), 0, 0);
    let top_area = legend_strip(&top_area, st, &top_keys)?;
    let bottom_area = legend_strip(&bottom_area, st, &bottom_keys)?;

    // Top: P(shortfall) and its 95 % interval.
    let mut top = axes_panel(
        &top_area,
        st,
        &Axes {
            x: (xlo, xhi),
            y: (0.0, 1.0),
            x_desc: &x_desc,
            y_desc: "P(shortfall)",
            x_ticks: 8,
            x_fmt: &x_fmt,
            y_fmt: &|v| format!("{:.0} %", v * 100.0),
        },
        false,
    )?;
    let xs: Vec<f64> = points.iter().map(|p| p.value).collect();
    let ci_lo: Vec<f64> = points
        .iter()
        .map(|p| p.shortfall_probability_ci95[0])
        .collect();
    let ci_hi: Vec<f64> = points
        .iter()
        .map(|p| p.shortfall_probability_ci95[1])
        .collect();
    if n == 1 {
        // One value: the interval as an error bar.
        top.draw_series(std::iter::once(PathElement::new(
            vec![(xs[0], ci_lo[0]), (xs[0], ci_hi[0])],
            band_fill.stroke_width(st.px(8.0)),
        )))
        .map_err(err_text)?;
    } else {
        top.draw_series(std::iter::once(band(
            &xs,
            &ci_lo,
            &ci_hi,
            band_fill.filled(),
        )))
        .map_err(err_text)?;
    }
    let p_line: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (p.value, p.shortfall_probability))
        .collect();
    line_with_markers(&mut top, &p_line, OKABE_BLUE, None, marker, st)?;
    if let Some((_, pts)) = &by_year {
        line_with_markers(&mut top, pts, SKY, Some(by_year_dash), marker, st)?;
    }

    // Bottom: the gap's quantiles and mean.
    let mut bottom = axes_panel(
        &bottom_area,
        st,
        &Axes {
            x: (xlo, xhi),
            y: (0.0, gap_top),
            x_desc: &x_desc,
            y_desc: "Funding gap ($B)",
            x_ticks: 8,
            x_fmt: &x_fmt,
            y_fmt: &|v| usd(*v, ystep),
        },
        true,
    )?;
    for (_, colour, dashed, f) in GAP_SERIES {
        let pts: Vec<(f64, f64)> = points
            .iter()
            .map(|p| (p.value, f(p)))
            .filter(|(_, y)| y.is_finite())
            .collect();
        let dash = dashed.then_some(mean_dash);
        line_with_markers(&mut bottom, &pts, colour, dash, marker, st)?;
    }
    if data_hi <= 0.0 {
        bottom
            .draw_series(std::iter::once(Text::new(
                "No funding gap at any swept value",
                ((xlo + xhi) / 2.0, gap_top * 0.55),
                st.axis().pos(anchor(HPos::Center, VPos::Center)),
            )))
            .map_err(err_text)?;
    }

    // The target's bound, on the panel of its metric.
    if let (Some(t), Some(panel)) = (&target, bound_on) {
        let line = DashedLineSeries::new(
            [(xlo, t.bound), (xhi, t.bound)],
            bound_dash.0,
            bound_dash.1,
            bound_style,
        );
        match panel {
            Panel::Top => top.draw_series(line).map_err(err_text)?,
            Panel::Bottom => bottom.draw_series(line).map_err(err_text)?,
        };
    }

    // The goal seek: a vertical line through both panels, labelled in the top one.
    if let (Some(v), Some(label)) = (seek_value, &seek_label) {
        top.draw_series(DashedLineSeries::new(
            [(v, 0.0), (v, 1.0)],
            seek_dash.0,
            seek_dash.1,
            seek_style,
        ))
        .map_err(err_text)?;
        bottom
            .draw_series(DashedLineSeries::new(
                [(v, 0.0), (v, gap_top)],
                seek_dash.0,
                seek_dash.1,
                seek_style,
            ))
            .map_err(err_text)?;
        // Beside the line on the side with more room, at the top or the bottom of the panel,
        // away from the curve of P(shortfall) there.
        let right = v < xlo + 0.6 * (xhi - xlo);
        let p_at = interpolate(&p_line, v);
        let (y, vpos) = if p_at > 0.5 {
            (0.03, VPos::Bottom)
        } else {
            (0.97, VPos::Top)
        };
        let style = st
            .note()
            .pos(anchor(if right { HPos::Left } else { HPos::Right }, vpos));
        top.draw_series(std::iter::once(Text::new(
            format!(" {label} "),
            (v, y),
            style,
        )))
        .map_err(err_text)?;
    }
    Ok(())
}

/// Whether a target's metric is a probability (drawn on the top panel).
fn probability_metric(m: &Metric) -> bool {
    matches!(
        m,
        Metric::ShortfallProbability | Metric::ShortfallProbabilityBy(_)
    )
}

/// Whether a target's metric is an amount of the gap (drawn on the bottom panel).
fn gap_metric(m: &Metric) -> bool {
    matches!(
        m,
        Metric::GapMean | Metric::GapP50 | Metric::GapP90 | Metric::GapP95
    )
}

/// The value of the polyline `pts` (sorted by x) at `x`; the nearest end outside.
fn interpolate(pts: &[(f64, f64)], x: f64) -> f64 {
    match pts {
        [] => f64::NAN,
        [(_, y)] => *y,
        _ => {
            for w in pts.windows(2) {
                let ((x0, y0), (x1, y1)) = (w[0], w[1]);
                if x <= x1 || x1 <= x0 {
                    if x <= x0 || x1 <= x0 {
                        return y0;
                    }
                    return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
                }
            }
            pts.last().map_or(f64::NAN, |p| p.1)
        }
    }
}

/// Draws a line through `pts` (dashed if `dash` is given) with a marker on each point.
fn line_with_markers<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    pts: &[(f64, f64)],
    colour: RGBColor,
    dash: Option<(u32, u32)>,
    marker: u32,
    st: &Style,
) -> Result<(), String> {
    let style = st.line(colour);
    match dash {
        None => chart
            .draw_series(LineSeries::new(pts.iter().copied(), style))
            .map_err(err_text)?,
        Some((d, g)) => chart
            .draw_series(DashedLineSeries::new(pts.iter().copied(), d, g, style))
            .map_err(err_text)?,
    };
    chart
        .draw_series(pts.iter().map(|&p| Circle::new(p, marker, colour.filled())))
        .map_err(err_text)?;
    Ok(())
}

/// "27.50" → "27.5", "10.00" → "10", "1,200" unchanged.
fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}
