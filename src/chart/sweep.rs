//! `sweep`: what one input does to the results. Two panels share the swept value as their x
//! axis: above, P(shortfall) with its 95 % interval (the axis zoomed to the probabilities
//! drawn, within 0–100 %); below, the gap's median, P90, P95 and
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

/// Draws the chart: the title block, then each panel under its legend, then the target's
/// bound and the goal seek across them.
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
    let area = frame_with(root, st, &title(s), &subtitle(s, points.len()))?;
    if points.is_empty() {
        return centered_note(&area, st, &["No values were swept: nothing to draw."]);
    }
    let plan = Plan::new(s, points);
    let pens = Pens::new(st, plan.points.len());
    let (top_keys, bottom_keys) = legend_keys(s, &plan, &pens, st);

    // The panels: the top one a little shorter, each with its legend above it.
    let (top_area, bottom_area) =
        area.split_vertically((area.dim_in_pixel().1 as f64 * 0.46) as u32);
    let top_area = top_area.margin(0, st.px(10.0), 0, 0);
    let top_area = legend_strip(&top_area, st, &top_keys)?;
    let bottom_area = legend_strip(&bottom_area, st, &bottom_keys)?;
    let x_desc = format!("{} (swept input)", s.path);
    let mut top = panel_axes(&top_area, st, &plan, Panel::Top, &x_desc)?;
    draw_risk(&mut top, &plan, &pens, st)?;
    let mut bottom = panel_axes(&bottom_area, st, &plan, Panel::Bottom, &x_desc)?;
    draw_gap(&mut bottom, &plan, &pens, st)?;

    // The target's bound, on the panel of its metric.
    if let (Some(t), Some(panel)) = (&plan.target, plan.bound_on) {
        let chart = match panel {
            Panel::Top => &mut top,
            Panel::Bottom => &mut bottom,
        };
        let (lo, hi) = plan.x;
        rule(
            chart,
            (lo, t.bound),
            (hi, t.bound),
            pens.bound_dash,
            pens.bound,
        )?;
    }
    if let Some(v) = plan.seek_value {
        let label = seek_label(s, &plan, v);
        draw_seek(&mut top, &mut bottom, v, &label, &plan, &pens, st)?;
    }
    Ok(())
}

/// The chart's title.
fn title(s: &Sweep) -> String {
    format!(
        "{} — shortfall risk and funding gap as one input varies",
        s.scenario
    )
}

/// The chart's subtitle: how many values of what, trials and seed.
fn subtitle(s: &Sweep, n: usize) -> String {
    format!(
        "{} value{} of {} · {} each · seed {}, the same at every value · funding-gap",
        n,
        if n == 1 { "" } else { "s" },
        s.path,
        trials_label(s.trials),
        s.seed
    )
}

/// What the chart shows, worked out before anything is drawn.
struct Plan<'s> {
    /// The points with a finite value, by value.
    points: Vec<&'s SweepPoint>,
    /// The value the goal seek found, if any.
    seek_value: Option<f64>,
    /// The shared x axis.
    x: (f64, f64),
    /// The x axis's tick spacing.
    xstep: f64,
    /// The goal seek's target, if it parses.
    target: Option<Target>,
    /// The panel the target's bound is drawn on, if its metric is drawn.
    bound_on: Option<Panel>,
    /// A target on a report year's P(shortfall): that year's curve, with its label.
    by_year: Option<(String, Vec<(f64, f64)>)>,
    /// The highest value of the gap panel's series (0 if none is positive).
    data_hi: f64,
    /// The top of the gap panel's y axis.
    gap_top: f64,
    /// The probability panel's y axis ([`probability_range`]).
    risk_y: (f64, f64),
}

impl<'s> Plan<'s> {
    fn new(s: &Sweep, points: Vec<&'s SweepPoint>) -> Plan<'s> {
        let seek_value = s
            .seek
            .as_ref()
            .and_then(|k| k.value)
            .filter(|v| v.is_finite());
        let x = x_range(&points, seek_value);
        let target = s.seek.as_ref().and_then(|k| Target::parse(&k.target).ok());
        let bound_on = target.as_ref().and_then(bound_panel);
        let by_year = target.as_ref().and_then(|t| by_year_curve(t, &points));
        let data_hi = points
            .iter()
            .flat_map(|p| GAP_SERIES.iter().map(move |g| (g.3)(p)))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let gap_hi = match (&target, bound_on) {
            (Some(t), Some(Panel::Bottom)) => data_hi.max(t.bound),
            _ => data_hi,
        };
        let bound = match (&target, bound_on) {
            (Some(t), Some(Panel::Top)) => Some(t.bound),
            _ => None,
        };
        let risk_y = probability_range(
            points
                .iter()
                .flat_map(|p| {
                    let [lo, hi] = p.shortfall_probability_ci95;
                    [p.shortfall_probability, lo, hi]
                })
                .chain(by_year.iter().flat_map(|(_, pts)| pts.iter().map(|p| p.1)))
                .chain(bound),
        );
        Plan {
            points,
            seek_value,
            x,
            xstep: tick_step(x.0, x.1, 8),
            target,
            bound_on,
            by_year,
            data_hi,
            gap_top: if gap_hi > 0.0 { gap_hi * 1.08 } else { 1.0 },
            risk_y,
        }
    }

    /// P(shortfall) over the horizon at each value.
    fn risk_line(&self) -> Vec<(f64, f64)> {
        self.points
            .iter()
            .map(|p| (p.value, p.shortfall_probability))
            .collect()
    }
}

/// The shared x axis: the swept values and the value the seek found, a little padded so
/// that the end markers are not cut.
fn x_range(points: &[&SweepPoint], seek_value: Option<f64>) -> (f64, f64) {
    let (vlo, vhi) = points
        .iter()
        .map(|p| p.value)
        .chain(seek_value)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    padded(vlo, vhi, 0.03)
}

/// Narrowest span of the probability axis: 5 percentage points.
const MIN_RISK_SPAN: f64 = 0.05;

/// The probability panel's y axis, zoomed to `values` (the probabilities drawn): their range
/// padded by a tenth of its span (at least 2 percentage points each side), at least
/// [`MIN_RISK_SPAN`] wide, its ends rounded out to a whole number of the ticks' spacing, and
/// never outside 0–100 %. With no finite value, 0–100 %.
fn probability_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(0.0, 1.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return (0.0, 1.0);
    }
    // Sums such as 0.97 - 0.02 are snapped to 1e-9 so that they land on 0.95 and not below.
    let snap = |v: f64| (v * 1e9).round() / 1e9;
    let pad = ((hi - lo) * 0.1).max(0.02);
    let (mut lo, mut hi) = (snap(lo - pad).max(0.0), snap(hi + pad).min(1.0));
    if hi - lo < MIN_RISK_SPAN - 1e-12 {
        let grow = MIN_RISK_SPAN - (hi - lo);
        let down = (grow / 2.0).min(lo).max(grow - (1.0 - hi));
        (lo, hi) = (lo - down, hi + (grow - down));
    }
    // Whole ticks at each end, with a little slack for the rounding of the division (0.95 /
    // 0.01 is 94.999…), and the product snapped so that 0.3 stays 0.3.
    let (lo, hi) = (snap(lo), snap(hi));
    let step = tick_step(0.0, snap(hi - lo), 5);
    (
        snap((lo / step + 1e-6).floor() * step).max(0.0),
        snap((hi / step - 1e-6).ceil() * step).min(1.0),
    )
}

/// A probability as a tick label: "40 %", "2.5 %" when it falls between whole percents.
fn percent_label(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-6 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

/// The panel a target's bound is drawn on: the one of its metric, if the bound fits there.
fn bound_panel(t: &Target) -> Option<Panel> {
    if !t.bound.is_finite() {
        None
    } else if probability_metric(&t.metric) && (0.0..=1.0).contains(&t.bound) {
        Some(Panel::Top)
    } else if gap_metric(&t.metric) && t.bound >= 0.0 {
        Some(Panel::Bottom)
    } else {
        None
    }
}

/// For a target on a report year's P(shortfall), that year's curve (drawn too) and its label.
fn by_year_curve(t: &Target, points: &[&SweepPoint]) -> Option<(String, Vec<(f64, f64)>)> {
    let Metric::ShortfallProbabilityBy(year) = &t.metric else {
        return None;
    };
    let pts: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (p.value, p.metric(&t.metric)))
        .filter(|(_, y)| y.is_finite())
        .collect();
    (!pts.is_empty()).then(|| (format!("P(shortfall) by the end of {year}"), pts))
}

/// The styles of the chart's lines and markers.
struct Pens {
    /// Radius of the markers on the points.
    marker: u32,
    /// Dash and gap of the mean gap's line.
    mean_dash: (u32, u32),
    /// Dash and gap of the report year's P(shortfall).
    by_year_dash: (u32, u32),
    /// The target's bound.
    bound: ShapeStyle,
    /// Dash and gap of the target's bound.
    bound_dash: (u32, u32),
    /// The goal seek's line.
    seek: ShapeStyle,
    /// Dash and gap of the goal seek's line.
    seek_dash: (u32, u32),
    /// The 95 % interval of P(shortfall).
    band_fill: RGBAColor,
}

impl Pens {
    /// The pens for a chart of `n` values.
    fn new(st: &Style, n: usize) -> Pens {
        Pens {
            marker: st.px(4.5),
            mean_dash: (st.px(10.0), st.px(6.0)),
            by_year_dash: (st.px(10.0), st.px(5.0)),
            bound: st.thin(MUTED).stroke_width(st.px(2.0)),
            bound_dash: (st.px(3.0), st.px(4.0)),
            seek: st.thin(INK).stroke_width(st.px(2.0)),
            seek_dash: (st.px(8.0), st.px(5.0)),
            band_fill: OKABE_BLUE.mix(if n == 1 { 0.5 } else { 0.2 }),
        }
    }
}

/// The entries of a panel's legend strip.
type Keys = Vec<(Key, String)>;

/// The legend entries of the top and the bottom panel. The target goes with the panel its
/// bound is drawn on, keyed by the bound's line; a target with no bound drawn is told in
/// words above the top panel.
fn legend_keys(s: &Sweep, plan: &Plan<'_>, pens: &Pens, st: &Style) -> (Keys, Keys) {
    let target_text = s.seek.as_ref().map_or("", |k| k.target.as_str());
    let target_label = if plan.seek_value.is_some() {
        format!("Target: {target_text}")
    } else {
        format!("Target: {target_text} — not met in the swept range")
    };
    let mut top_keys = vec![
        (Key::Fill(pens.band_fill), "95 % interval".to_string()),
        (
            Key::Marked(st.line(OKABE_BLUE), None),
            "P(shortfall) over the horizon".to_string(),
        ),
    ];
    if let Some((label, _)) = &plan.by_year {
        top_keys.push((
            Key::Marked(st.line(SKY), Some(pens.by_year_dash)),
            label.clone(),
        ));
    }
    let mut bottom_keys: Keys = GAP_SERIES
        .iter()
        .map(|&(label, colour, dashed, _)| {
            (
                Key::Marked(st.line(colour), dashed.then_some(pens.mean_dash)),
                label.to_string(),
            )
        })
        .collect();
    let bound_key = (
        Key::Dashed(pens.bound, pens.bound_dash.0, pens.bound_dash.1),
        target_label.clone(),
    );
    match plan.bound_on {
        Some(Panel::Top) => top_keys.push(bound_key),
        Some(Panel::Bottom) => bottom_keys.push(bound_key),
        None if s.seek.is_some() => top_keys.push((Key::Blank, target_label)),
        None => {}
    }
    (top_keys, bottom_keys)
}

/// The axes of one panel: the shared x axis (its ticks and description under the bottom
/// panel only), and the panel's own y axis.
fn panel_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    plan: &Plan<'_>,
    panel: Panel,
    x_desc: &str,
) -> Result<ChartContext<'a, DB, Plane>, String> {
    let x_fmt = |v: &f64| usd(*v, plan.xstep);
    let ystep = tick_step(0.0, plan.gap_top, 6);
    let percent = |v: &f64| percent_label(*v);
    let amount = |v: &f64| usd(*v, ystep);
    let (y, y_desc, y_fmt): (_, _, &dyn Fn(&f64) -> String) = match panel {
        Panel::Top => (plan.risk_y, "P(shortfall)", &percent),
        Panel::Bottom => ((0.0, plan.gap_top), "Funding gap ($B)", &amount),
    };
    axes_panel(
        area,
        st,
        &Axes {
            x: plan.x,
            y,
            x_desc,
            y_desc,
            x_ticks: 8,
            x_fmt: &x_fmt,
            y_fmt,
        },
        panel == Panel::Bottom,
    )
}

/// The top panel's series: P(shortfall) and its 95 % interval, and the report year's curve
/// of a target on one.
fn draw_risk<'a, DB: DrawingBackend + 'a>(
    top: &mut ChartContext<'a, DB, Plane>,
    plan: &Plan<'_>,
    pens: &Pens,
    st: &Style,
) -> Result<(), String> {
    let xs: Vec<f64> = plan.points.iter().map(|p| p.value).collect();
    let ci_lo: Vec<f64> = plan
        .points
        .iter()
        .map(|p| p.shortfall_probability_ci95[0])
        .collect();
    let ci_hi: Vec<f64> = plan
        .points
        .iter()
        .map(|p| p.shortfall_probability_ci95[1])
        .collect();
    if xs.len() == 1 {
        // One value: the interval as an error bar.
        top.draw_series(std::iter::once(PathElement::new(
            vec![(xs[0], ci_lo[0]), (xs[0], ci_hi[0])],
            pens.band_fill.stroke_width(st.px(8.0)),
        )))
        .map_err(err_text)?;
    } else {
        top.draw_series(std::iter::once(band(
            &xs,
            &ci_lo,
            &ci_hi,
            pens.band_fill.filled(),
        )))
        .map_err(err_text)?;
    }
    line_with_markers(top, &plan.risk_line(), OKABE_BLUE, None, pens.marker, st)?;
    if let Some((_, pts)) = &plan.by_year {
        line_with_markers(top, pts, SKY, Some(pens.by_year_dash), pens.marker, st)?;
    }
    Ok(())
}

/// The bottom panel's series: the gap's quantiles and mean, or a note if there is no gap.
fn draw_gap<'a, DB: DrawingBackend + 'a>(
    bottom: &mut ChartContext<'a, DB, Plane>,
    plan: &Plan<'_>,
    pens: &Pens,
    st: &Style,
) -> Result<(), String> {
    for (_, colour, dashed, f) in GAP_SERIES {
        let pts: Vec<(f64, f64)> = plan
            .points
            .iter()
            .map(|p| (p.value, f(p)))
            .filter(|(_, y)| y.is_finite())
            .collect();
        let dash = dashed.then_some(pens.mean_dash);
        line_with_markers(bottom, &pts, colour, dash, pens.marker, st)?;
    }
    if plan.data_hi <= 0.0 {
        let (xlo, xhi) = plan.x;
        text_on(
            bottom,
            "No funding gap at any swept value",
            ((xlo + xhi) / 2.0, plan.gap_top * 0.55),
            st.axis().pos(anchor(HPos::Center, VPos::Center)),
        )?;
    }
    Ok(())
}

/// What the goal seek's line at `v` says: the value found, and whether the lowest value met
/// the target already.
fn seek_label(s: &Sweep, plan: &Plan<'_>, v: f64) -> String {
    let found = trim_zeros(usd(v, plan.xstep / 100.0));
    let already = s.seek.as_ref().is_some_and(|k| k.runs == 0)
        && plan.points.first().is_some_and(|p| p.value == v);
    if already {
        format!("target already met at {found}, the lowest value")
    } else {
        format!("target met at {found}")
    }
}

/// The goal seek: a vertical line at `v` through both panels, labelled in the top one.
fn draw_seek<'a, 'b, DB: DrawingBackend + 'a + 'b>(
    top: &mut ChartContext<'a, DB, Plane>,
    bottom: &mut ChartContext<'b, DB, Plane>,
    v: f64,
    label: &str,
    plan: &Plan<'_>,
    pens: &Pens,
    st: &Style,
) -> Result<(), String> {
    let (ylo, yhi) = plan.risk_y;
    rule(top, (v, ylo), (v, yhi), pens.seek_dash, pens.seek)?;
    rule(
        bottom,
        (v, 0.0),
        (v, plan.gap_top),
        pens.seek_dash,
        pens.seek,
    )?;
    // Beside the line on the side with more room, at the top or the bottom of the panel,
    // away from the curve of P(shortfall) there.
    let (xlo, xhi) = plan.x;
    let right = v < xlo + 0.6 * (xhi - xlo);
    let (y, vpos) = if interpolate(&plan.risk_line(), v) > (ylo + yhi) / 2.0 {
        (ylo + 0.03 * (yhi - ylo), VPos::Bottom)
    } else {
        (yhi - 0.03 * (yhi - ylo), VPos::Top)
    };
    let style = st
        .note()
        .pos(anchor(if right { HPos::Left } else { HPos::Right }, vpos));
    text_on(top, &format!(" {label} "), (v, y), style)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probability_axis_follows_the_data_within_0_to_100_percent() {
        let r = |v: &[f64]| probability_range(v.iter().copied());
        assert_eq!(r(&[0.42, 0.61]), (0.4, 0.65));
        assert_eq!(r(&[0.97, 1.0]), (0.95, 1.0));
        assert_eq!(r(&[1.0, 1.0]), (0.95, 1.0));
        assert_eq!(r(&[0.0, 0.0]), (0.0, 0.05));
        assert_eq!(r(&[0.0, 1.0]), (0.0, 1.0));
        assert_eq!(r(&[0.5]), (0.47, 0.53));
        assert_eq!(r(&[]), (0.0, 1.0));
        assert_eq!(r(&[f64::NAN]), (0.0, 1.0));
        for v in [[0.001, 0.002], [0.3, 0.9], [0.999, 0.9999], [0.0, 0.33]] {
            let (lo, hi) = r(&v);
            assert!(
                (0.0..=v[0]).contains(&lo) && (v[1]..=1.0).contains(&hi),
                "{v:?}"
            );
            assert!(hi - lo >= MIN_RISK_SPAN - 1e-12, "{v:?}");
        }
    }
}
