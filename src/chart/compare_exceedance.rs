//! `compare_exceedance`: for each scenario of a comparison, the probability that the funding
//! gap over the horizon exceeds X, for X across the range. A reader sees at a glance which
//! scenario needs more capital, and by how much, at any level of confidence.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::analysis::Comparison;
use crate::report::format::{Decimals, pct};

/// Draws the chart.
///
/// # Errors
/// plotters' error as text.
pub fn draw<DB: DrawingBackend>(
    c: &Comparison,
    root: &DrawingArea<DB, Shift>,
    st: &Style,
) -> Result<(), String> {
    let area = frame_compare(root, st, c, "probability that the funding gap exceeds X")?;
    if c.summaries.is_empty() {
        return centered_note(&area, st, &["No scenarios to compare."]);
    }
    // Each curve runs over its own levels; the axis reaches the highest of their tops.
    let top = c
        .summaries
        .iter()
        .filter_map(|s| s.gap_distribution.exceedance_x.last().copied())
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let top = if top > 0.0 { top } else { 1.0 };
    let mut chart = exceedance_axes(&area, st, top, "X: funding gap over the horizon ($B)")?;

    let names = scenario_labels(c);
    let first = names.first().cloned().unwrap_or_default();
    let mut labels = Vec::new();
    let mut curves = Vec::new();
    for (i, s) in c.summaries.iter().enumerate() {
        let d = &s.gap_distribution;
        let mut pts: Vec<(f64, f64)> = d
            .exceedance_x
            .iter()
            .copied()
            .zip(d.exceedance.iter().copied())
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        // A scenario whose levels stop short of the axis: past its top (its 99.9th
        // percentile) the probability is at most the last value, below 0.1 %: carry it on.
        if let Some(&(x, y)) = pts.last() {
            if x < top {
                pts.push((top, y));
            }
        }
        let p = s.shortfall_probability.estimate;
        let mut label = format!("{}: P(shortfall) {}", names[i], pct(p, Decimals::Fixed(1)));
        if i > 0 {
            if let Some(pd) = c.paired.get(i - 1) {
                label.push_str(&format!(
                    " ({} vs {first})",
                    pp(pd.shortfall_probability_diff)
                ));
            }
        }
        let (style, dash) = scenario_line(i, st);
        draw_line(&mut chart, pts.clone(), style, dash, &label, st)?;
        labels.push(label);
        curves.push(pts);
    }
    if c.summaries
        .iter()
        .all(|s| s.gap_distribution.no_gap_share >= 1.0 - 1e-12)
    {
        text_on(
            &mut chart,
            "No trial of any scenario has a funding gap: every curve is at 0 %",
            (top * 0.5, 0.5),
            st.axis().pos(anchor(HPos::Center, VPos::Center)),
        )?;
    }
    let at = legend_spot(
        &chart,
        st,
        &labels,
        &curves,
        &[
            SeriesLabelPosition::UpperRight,
            SeriesLabelPosition::MiddleRight,
            SeriesLabelPosition::LowerLeft,
            SeriesLabelPosition::UpperLeft,
        ],
    );
    legend(&mut chart, st, at)
}

/// A difference of probabilities in percentage points: "+18.1 pp", "−0.4 pp", "±0.0 pp".
fn pp(d: f64) -> String {
    let v = d * 100.0;
    if v.abs() < 0.05 {
        "±0.0 pp".to_string()
    } else if v > 0.0 {
        format!("+{v:.1} pp")
    } else {
        format!("−{:.1} pp", -v)
    }
}
