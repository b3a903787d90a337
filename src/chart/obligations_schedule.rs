//! `obligations_schedule`: expected payments due per calendar year, stacked by counterparty,
//! with the headline total. A reader sees who must be paid, how much, and when the bill peaks.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::*;
use crate::summary::Summary;

/// Most counterparties shown by name; the rest are grouped as "others".
const NAMED: usize = 9;

/// Draws the chart.
///
/// # Errors
/// plotters' error as text.
pub fn draw<DB: DrawingBackend>(
    s: &Summary,
    root: &DrawingArea<DB, Shift>,
    st: &Style,
) -> Result<(), String> {
    let area = frame(root, st, s, "obligations due per year by counterparty")?;
    let sched = &s.obligations_schedule;
    let years = &sched.years;
    if years.is_empty() || sched.by_counterparty.is_empty() {
        return centered_note(&area, st, &["This scenario has no obligations."]);
    }
    // Largest counterparties first; the smallest beyond NAMED grouped.
    let mut rows: Vec<(String, Vec<f64>)> = sched
        .by_counterparty
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    rows.sort_by(|a, b| b.1.iter().sum::<f64>().total_cmp(&a.1.iter().sum::<f64>()));
    if rows.len() > NAMED + 1 {
        let rest = rows.split_off(NAMED);
        let mut other = vec![0.0; years.len()];
        for (_, v) in &rest {
            for (o, x) in other.iter_mut().zip(v) {
                *o += x;
            }
        }
        rows.push((format!("{} others", rest.len()), other));
    }
    let tallest = sched.total_by_year.iter().copied().fold(0.0, f64::max);
    // Headroom above the tallest bar for its total and the headline note.
    let yhi = tallest.max(1e-9) * 1.22;
    let step = tick_step(0.0, yhi, 8);
    let x0 = years[0] as f64 - 0.5;
    let x1 = *years.last().unwrap_or(&years[0]) as f64 + 0.5;
    let mut chart = axes(
        &area,
        st,
        &Axes {
            x: (x0, x1),
            y: (0.0, yhi),
            x_desc: "Calendar year",
            y_desc: "Payments due ($B)",
            x_ticks: years.len().clamp(2, 12),
            x_fmt: &|v| {
                if (v - v.round()).abs() < 1e-6 {
                    format!("{:.0}", v)
                } else {
                    String::new()
                }
            },
            y_fmt: &|v| usd(*v, step),
        },
    )?;
    let mut base = vec![0.0; years.len()];
    for (i, (name, values)) in rows.iter().enumerate() {
        let colour = CATEGORIES[i.min(CATEGORIES.len() - 1)];
        let total: f64 = values.iter().sum();
        let bars: Vec<Rectangle<(f64, f64)>> = years
            .iter()
            .enumerate()
            .filter(|(k, _)| values[*k] > 0.0)
            .map(|(k, &y)| {
                let (lo, hi) = (base[k], base[k] + values[k]);
                Rectangle::new(
                    [(y as f64 - 0.38, lo), (y as f64 + 0.38, hi)],
                    colour.filled(),
                )
            })
            .collect();
        for (b, v) in base.iter_mut().zip(values) {
            *b += v;
        }
        chart
            .draw_series(bars)
            .map_err(err_text)?
            .label(format!("{name} ({})", money(total)))
            .legend(swatch(colour.to_rgba(), st));
    }
    // Totals above the bars.
    chart
        .draw_series(
            years
                .iter()
                .zip(&sched.total_by_year)
                .filter(|(_, v)| **v > 0.0)
                .map(|(&y, &v)| {
                    Text::new(
                        usd(v, 1.0),
                        (y as f64, v + yhi * 0.012),
                        st.note().pos(anchor(HPos::Center, VPos::Bottom)),
                    )
                }),
        )
        .map_err(err_text)?;
    let inside: f64 = sched.total_by_year.iter().sum();
    chart
        .draw_series(std::iter::once(Text::new(
            format!(
                "Headline total {}; expected inside the horizon {} (mean realized share)",
                money(sched.headline_total),
                money(inside)
            ),
            (x0 + 0.1, yhi * 0.97),
            st.note(),
        )))
        .map_err(err_text)?;
    legend(&mut chart, st, SeriesLabelPosition::UpperRight)
}
