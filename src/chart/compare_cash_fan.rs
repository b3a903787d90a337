//! `compare_cash_fan`: cash over time for each scenario of a comparison — its median and the
//! band of the middle half of trials (25–75 %), one colour per scenario — with the cash floor
//! of the first scenario. A reader sees where the scenarios part ways, and when each one's
//! cash typically falls through the floor. The legend shows each band's colour as drawn on
//! white, and the colour where two bands overlap.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::analysis::Comparison;
use crate::summary::Summary;

/// Where the legend may go, the best first ([`legend_spot`] takes the first that covers least).
const LEGEND_SPOTS: [SeriesLabelPosition; 5] = [
    SeriesLabelPosition::LowerLeft,
    SeriesLabelPosition::UpperRight,
    SeriesLabelPosition::UpperLeft,
    SeriesLabelPosition::LowerRight,
    SeriesLabelPosition::MiddleRight,
];

/// Draws the chart: every scenario's band, then every median over them, then the floor; the
/// legend where it covers the least of them.
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
    let (start, end) = horizon(c, first);
    let floor = first.cash_floor;
    let mut chart = cash_axes(&area, st, (start, end), cash_range(c, floor))?;
    // The lines drawn, to keep the legend off them, and the legend's labels.
    let mut lines = draw_bands(&mut chart, c, st)?;
    let names = scenario_labels(c);
    let mut labels = Vec::new();
    for (i, s) in c.summaries.iter().enumerate() {
        let (label, median) = draw_median(&mut chart, i, s, &names[i], st)?;
        labels.push(label);
        lines.push(median);
    }
    for (label, colour) in overlap_keys(&names) {
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
            .map_err(err_text)?
            .label(label.clone())
            .legend(swatch(colour.to_rgba(), st));
        labels.push(label);
    }
    let floor_style = st.thin(INK).stroke_width(st.px(2.0));
    let floor_label = if c.summaries.len() > 1 {
        format!("Cash floor of {} ({})", names[0], money(floor))
    } else {
        format!("Cash floor ({})", money(floor))
    };
    rule(
        &mut chart,
        (start, floor),
        (end, floor),
        (st.px(10.0), st.px(6.0)),
        floor_style,
    )?
    .label(floor_label.clone())
    .legend(dashed_swatch(floor_style, st.px(7.0), st.px(4.0), st));
    labels.push(floor_label);
    lines.push(vec![(start, floor), (end, floor)]);
    let at = legend_spot(&chart, st, &labels, &lines, &LEGEND_SPOTS);
    legend(&mut chart, st, at)
}

/// The union of the scenarios' horizons (around the first one's start if that is empty).
fn horizon(c: &Comparison, first: &Summary) -> (f64, f64) {
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
    if start.is_finite() && end.is_finite() && end > start {
        (start, end)
    } else {
        padded(first.start, first.start, 0.0)
    }
}

/// The y axis: every band and median, the floor and 0, with some headroom.
fn cash_range(c: &Comparison, floor: f64) -> (f64, f64) {
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
    padded(lo, hi, 0.06)
}

/// The opacity of a scenario's band.
const BAND_ALPHA: f64 = 0.16;

/// `c` at opacity `alpha` over the opaque `under`, as plotters blends it.
fn over(under: RGBColor, c: RGBColor, alpha: f64) -> RGBColor {
    let mix = |u: u8, v: u8| (f64::from(u) * (1.0 - alpha) + f64::from(v) * alpha).round() as u8;
    RGBColor(mix(under.0, c.0), mix(under.1, c.1), mix(under.2, c.2))
}

/// The colour of the `i`-th scenario's band on white.
fn band_colour(i: usize) -> RGBColor {
    over(WHITE, scenario_colour(i), BAND_ALPHA)
}

/// The legend entries for where bands overlap, with the colour seen there (on white): one per
/// pair of scenarios for up to three scenarios; beyond, one for the first two, saying that
/// overlapping bands mix their colours (six or more pairs would crowd the legend).
fn overlap_keys(names: &[String]) -> Vec<(String, RGBColor)> {
    // A later band is drawn over an earlier one.
    let pair = |i: usize, j: usize| over(band_colour(i), scenario_colour(j), BAND_ALPHA);
    match names.len() {
        0 | 1 => Vec::new(),
        2 => vec![("Both bands overlap".to_string(), pair(0, 1))],
        3 => [(0, 1), (0, 2), (1, 2)]
            .iter()
            .map(|&(i, j)| {
                (
                    format!("Bands of {} and {} overlap", names[i], names[j]),
                    pair(i, j),
                )
            })
            .collect(),
        _ => vec![(
            format!(
                "Bands overlap (e.g. {} and {}): their colours mix",
                names[0], names[1]
            ),
            pair(0, 1),
        )],
    }
}

/// The bands, all of them before any median, so that no band hides another scenario's
/// median; returns their edges.
fn draw_bands<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    c: &Comparison,
    st: &Style,
) -> Result<Vec<Vec<(f64, f64)>>, String> {
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
                scenario_colour(i).mix(BAND_ALPHA).filled(),
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
    Ok(lines)
}

/// The median of the `i`-th scenario `s`, named `name`, with one legend entry for its band
/// and its median together; returns the entry's label and the median's points.
fn draw_median<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    i: usize,
    s: &Summary,
    name: &str,
    st: &Style,
) -> Result<(String, Vec<(f64, f64)>), String> {
    let b = &s.bands;
    let median: Vec<(f64, f64)> =
        b.t.iter()
            .copied()
            .zip(b.cash.p50.iter().copied())
            .filter(|(t, v)| t.is_finite() && v.is_finite())
            .collect();
    let (style, dash) = scenario_line(i, st);
    draw_line(chart, median.clone(), style, dash, "", st)?;
    // The legend's key: a filled box with the median's line across it (a dash longer than
    // the box draws it solid).
    let label = format!("{name}: median, 25–75 % of trials");
    let (w, h) = (st.px(22.0) as i32, st.px(7.0) as i32);
    let (d, g) = dash.map_or((w as u32 + 1, 1), |(d, g)| {
        ((d * 2 / 3).max(2), (g * 2 / 3).max(2))
    });
    let fill = band_colour(i).filled();
    chart
        .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
        .map_err(err_text)?
        .label(label.clone())
        .legend(move |at| {
            EmptyElement::at(at)
                + Rectangle::new([(0, -h), (w, h)], fill)
                + plotters::element::DashedPathElement::new(vec![(0, 0), (w, 0)], d, g, style)
        });
    Ok((label, median))
}
