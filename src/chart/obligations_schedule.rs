//! `obligations_schedule`: expected payments due per calendar year, stacked by counterparty,
//! with the headline total. A reader sees who must be paid, how much, and when the bill peaks.
//! A counterparty's colour follows its name, not its rank ([`super::colours`]), so adding a
//! contract does not recolour the others.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::colours::{OTHERS, counterparty_colours};
use super::style::*;
use crate::summary::{Schedule, Summary};

/// Most counterparties shown by name; the rest are grouped as "others".
const NAMED: usize = 9;

/// Draws the chart: the stacked bars, their totals and the headline total.
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
    let tallest = sched.total_by_year.iter().copied().fold(0.0, f64::max);
    // Headroom above the tallest bar for its total and the headline note.
    let yhi = tallest.max(1e-9) * 1.22;
    let x0 = years[0] as f64 - 0.5;
    let x1 = *years.last().unwrap_or(&years[0]) as f64 + 0.5;
    let mut chart = schedule_axes(&area, st, years.len(), (x0, x1), yhi)?;
    draw_stacks(&mut chart, years, &counterparty_rows(sched), st)?;
    draw_totals(&mut chart, sched, (x0, yhi), st)?;
    legend(&mut chart, st, SeriesLabelPosition::UpperRight)
}

/// One stack of the bars: its legend label's name, its colour and its payments per year.
struct Row {
    /// The counterparty, or "N others".
    name: String,
    /// Its colour, stable by name ([`counterparty_colours`]).
    colour: RGBColor,
    /// Payments per year, $B.
    values: Vec<f64>,
}

/// The counterparties, largest first, with their colours and payments per year; the smallest
/// beyond [`NAMED`] grouped as one, in pale grey. The order goes by size, the colours by name.
fn counterparty_rows(sched: &Schedule) -> Vec<Row> {
    let mut rows: Vec<(&str, &Vec<f64>)> = sched
        .by_counterparty
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    rows.sort_by(|a, b| b.1.iter().sum::<f64>().total_cmp(&a.1.iter().sum::<f64>()));
    let rest = if rows.len() > NAMED + 1 {
        rows.split_off(NAMED)
    } else {
        Vec::new()
    };
    let names: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let mut out: Vec<Row> = rows
        .iter()
        .zip(counterparty_colours(&names))
        .map(|(&(name, values), colour)| Row {
            name: name.to_string(),
            colour,
            values: values.clone(),
        })
        .collect();
    if !rest.is_empty() {
        let mut other = vec![0.0; sched.years.len()];
        for (_, v) in &rest {
            for (o, x) in other.iter_mut().zip(v.iter()) {
                *o += x;
            }
        }
        out.push(Row {
            name: format!("{} others", rest.len()),
            colour: OTHERS,
            values: other,
        });
    }
    out
}

/// The axes: `n` calendar years across `x`, payments ($B) up to `yhi`.
fn schedule_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    n: usize,
    x: (f64, f64),
    yhi: f64,
) -> Result<ChartContext<'a, DB, Plane>, String> {
    let step = tick_step(0.0, yhi, 8);
    axes(
        area,
        st,
        &Axes {
            x,
            y: (0.0, yhi),
            x_desc: "Calendar year",
            y_desc: "Payments due ($B)",
            x_ticks: n.clamp(2, 12),
            x_fmt: &|v| {
                if (v - v.round()).abs() < 1e-6 {
                    format!("{:.0}", v)
                } else {
                    String::new()
                }
            },
            y_fmt: &|v| usd(*v, step),
        },
    )
}

/// One bar per year, stacked by counterparty in the order of `rows`, each with its legend
/// entry.
fn draw_stacks<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    years: &[i32],
    rows: &[Row],
    st: &Style,
) -> Result<(), String> {
    let mut base = vec![0.0; years.len()];
    for Row {
        name,
        colour,
        values,
    } in rows
    {
        let colour = *colour;
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
    Ok(())
}

/// The total above each bar, and the headline total against what falls inside the horizon
/// at the upper left (`x0` is the axis's left end, `yhi` its top).
fn draw_totals<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    sched: &Schedule,
    (x0, yhi): (f64, f64),
    st: &Style,
) -> Result<(), String> {
    chart
        .draw_series(
            sched
                .years
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
    text_on(
        chart,
        &format!(
            "Headline total {}; expected inside the horizon {} (mean realized share)",
            money(sched.headline_total),
            money(inside)
        ),
        (x0 + 0.1, yhi * 0.97),
        st.note(),
    )
}
