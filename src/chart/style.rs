//! The look shared by every chart: fonts, sizes, the colour-blind-safe palette, the title
//! block, and number formats for axes.
//!
//! Colours: the Okabe–Ito palette for series (safe for the common colour-vision
//! deficiencies); counterparties have colours of their own, stable by name
//! (`super::colours`). Sizes scale with the chart so that a half-size chart stays legible.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
pub use plotters::style::text_anchor::{HPos, VPos};

/// A text anchor.
pub fn anchor(h: HPos, v: VPos) -> plotters::style::text_anchor::Pos {
    plotters::style::text_anchor::Pos::new(h, v)
}

/// plotters' drawing error as text, the error every chart function returns.
pub fn err_text<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

use crate::analysis::Comparison;
use crate::summary::Summary;

/// Okabe–Ito blue: cash, the main series.
pub const OKABE_BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito vermillion: obligations, shortfalls.
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Okabe–Ito bluish green: revenue.
pub const OKABE_GREEN: RGBColor = RGBColor(0, 158, 115);
/// Okabe–Ito orange.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe–Ito sky blue.
pub const SKY: RGBColor = RGBColor(86, 180, 233);
/// Okabe–Ito reddish purple.
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
/// Dark grey for text and reference lines.
pub const INK: RGBColor = RGBColor(40, 40, 40);
/// Mid grey for secondary text.
pub const MUTED: RGBColor = RGBColor(100, 100, 100);
/// Light grey for grid lines.
pub const GRID: RGBColor = RGBColor(225, 225, 225);

/// Series colours in order of use.
pub const SERIES: [RGBColor; 7] = [
    OKABE_BLUE,
    VERMILLION,
    OKABE_GREEN,
    ORANGE,
    SKY,
    PURPLE,
    INK,
];

const FAMILY: &str = "sans-serif";
static FONTS: Once = Once::new();

/// Registers the bundled DejaVu Sans (regular and bold) as the charts' font, once.
pub fn register_fonts() {
    FONTS.call_once(|| {
        // The bytes are compiled in and known to be valid fonts (a test renders text), so an
        // error here cannot come from user input; without a font, text is simply not drawn.
        let _ = plotters::style::register_font(
            FAMILY,
            FontStyle::Normal,
            include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
        );
        let _ = plotters::style::register_font(
            FAMILY,
            FontStyle::Bold,
            include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf"),
        );
    });
}

/// Sizes for one chart size.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Scale factor against 1200×800.
    pub scale: f64,
    /// Chart width, pixels.
    pub width: u32,
    /// Chart height, pixels.
    pub height: u32,
}

impl Style {
    /// Sizes for a `width`×`height` chart.
    pub fn new(width: u32, height: u32) -> Style {
        let scale = (width as f64 / 1200.0)
            .min(height as f64 / 800.0)
            .clamp(0.65, 4.0);
        Style {
            scale,
            width,
            height,
        }
    }

    /// `px` at 1200×800, scaled.
    pub fn px(&self, px: f64) -> u32 {
        (px * self.scale).round().max(1.0) as u32
    }

    fn font(&self, size: f64) -> TextStyle<'static> {
        (FAMILY, size * self.scale).into_font().color(&INK)
    }

    /// Chart title.
    pub fn title(&self) -> TextStyle<'static> {
        (FAMILY, 30.0 * self.scale, FontStyle::Bold)
            .into_font()
            .color(&INK)
    }

    /// Subtitle.
    pub fn subtitle(&self) -> TextStyle<'static> {
        (FAMILY, 19.0 * self.scale).into_font().color(&MUTED)
    }

    /// Axis descriptions.
    pub fn axis(&self) -> TextStyle<'static> {
        self.font(20.0)
    }

    /// Tick labels.
    pub fn ticks(&self) -> TextStyle<'static> {
        self.font(17.0)
    }

    /// Legend entries.
    pub fn legend(&self) -> TextStyle<'static> {
        self.font(17.0)
    }

    /// Annotations on the plot.
    pub fn note(&self) -> TextStyle<'static> {
        self.font(16.0)
    }

    /// Thin line.
    pub fn thin(&self, c: RGBColor) -> ShapeStyle {
        c.stroke_width(self.px(1.5))
    }

    /// Main line.
    pub fn line(&self, c: RGBColor) -> ShapeStyle {
        c.stroke_width(self.px(3.0))
    }
}

/// Draws the title block of a run's chart ("scenario — title", then trials, seed and horizon)
/// and returns the area below it, with margins.
///
/// # Errors
/// plotters' error as text.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &Style,
    s: &Summary,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    let subtitle = format!(
        "{} · seed {} · {} · funding-gap",
        trials_label(s.trials),
        s.seed,
        horizon_label(s.start, s.end)
    );
    frame_with(root, st, &format!("{} — {title}", s.scenario), &subtitle)
}

/// Draws a title block with any title and subtitle and returns the area below it, with
/// margins. A title too long for the chart's width is set in a smaller type (down to 60 %); a
/// subtitle too long is broken after its " · " separators onto more lines, the block growing
/// to hold them.
///
/// # Errors
/// plotters' error as text.
pub fn frame_with<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &Style,
    title: &str,
    subtitle: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    let left = st.px(24.0) as i32;
    let room = (st.width as i32 - 2 * left).max(1) as f64;
    let width = |text: &str, style: &TextStyle<'static>| {
        root.estimate_text_size(text, style)
            .map_or(0.0, |(w, _)| w as f64)
    };
    let fit = |text: &str, style: TextStyle<'static>| -> TextStyle<'static> {
        let w = width(text, &style);
        if w <= room {
            return style;
        }
        let size = (style.font.get_size() * (room / w).max(0.6))
            .floor()
            .max(1.0);
        TextStyle {
            font: style.font.resize(size),
            ..style
        }
    };
    // The subtitle's lines: as many " · "-separated parts on each as fit.
    let sub = st.subtitle();
    let mut lines: Vec<String> = Vec::new();
    for part in subtitle.split(" · ") {
        match lines.last_mut() {
            Some(line) if width(&format!("{line} · {part}"), &sub) <= room => {
                line.push_str(" · ");
                line.push_str(part);
            }
            _ => lines.push(part.to_string()),
        }
    }
    let line_h = st.px(25.0);
    let extra = line_h * lines.len().saturating_sub(1) as u32;
    let (head, body) = root.split_vertically(st.px(92.0) + extra);
    let title_style = fit(title, st.title());
    head.draw_text(title, &title_style, (left, st.px(18.0) as i32))
        .map_err(err_text)?;
    for (i, line) in lines.iter().enumerate() {
        let style = fit(line, sub.clone());
        let y = st.px(58.0) as i32 + (line_h as usize * i) as i32;
        head.draw_text(line, &style, (left, y)).map_err(err_text)?;
    }
    Ok(body.margin(st.px(4.0), st.px(16.0), st.px(12.0), st.px(36.0)))
}

/// Draws the title block of a comparison's chart: "compare — title", then the scenarios
/// ("base vs no-round"), trials, seed and horizon; returns the area below it.
///
/// # Errors
/// plotters' error as text.
pub fn frame_compare<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &Style,
    c: &Comparison,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    let ss = &c.summaries;
    let names = scenario_labels(c);
    let who = match names.split_first() {
        None => "no scenarios".to_string(),
        Some((a, [])) => a.clone(),
        Some((a, rest)) => format!("{a} vs {}", rest.join(", ")),
    };
    let mut parts = vec![who];
    if let Some(first) = ss.first() {
        let same_trials = ss.iter().all(|s| s.trials == first.trials);
        parts.push(if same_trials {
            format!(
                "{}{}",
                trials_label(first.trials),
                if ss.len() > 1 { " each" } else { "" }
            )
        } else {
            let t: Vec<String> = ss.iter().map(|s| thousands(s.trials)).collect();
            format!("{} trials", t.join(" / "))
        });
        parts.push(format!("seed {}, common random numbers", first.seed));
        let start = ss.iter().map(|s| s.start).fold(f64::INFINITY, f64::min);
        let end = ss.iter().map(|s| s.end).fold(f64::NEG_INFINITY, f64::max);
        parts.push(horizon_label(start, end));
    }
    parts.push("funding-gap".to_string());
    frame_with(root, st, &format!("compare — {title}"), &parts.join(" · "))
}

/// The scenarios' names for legends, numbered where two scenarios share a name.
pub fn scenario_labels(c: &Comparison) -> Vec<String> {
    let ss = &c.summaries;
    ss.iter()
        .enumerate()
        .map(|(i, s)| {
            if ss.iter().filter(|o| o.scenario == s.scenario).count() > 1 {
                format!("{} ({})", s.scenario, i + 1)
            } else {
                s.scenario.clone()
            }
        })
        .collect()
}

/// The colour of the i-th scenario of a comparison (INK is kept for reference lines).
pub fn scenario_colour(i: usize) -> RGBColor {
    SERIES[i % (SERIES.len() - 1)]
}

/// The line of the i-th scenario of a comparison, solid for the first and dashed (with a
/// pattern of its own) for the others, so that identical curves still show both.
pub fn scenario_line(i: usize, st: &Style) -> (ShapeStyle, Option<(u32, u32)>) {
    let style = st.line(scenario_colour(i));
    let dash = match i {
        0 => None,
        i => {
            let (dash, gap) = [(14.0, 7.0), (4.0, 6.0), (24.0, 7.0)][(i - 1) % 3];
            Some((st.px(dash), st.px(gap)))
        }
    };
    (style, dash)
}

/// "1 trial", "10,000 trials".
pub fn trials_label(n: u64) -> String {
    format!("{} trial{}", thousands(n), if n == 1 { "" } else { "s" })
}

/// Writes a message in the middle of an area (for charts with nothing to plot).
///
/// # Errors
/// plotters' error as text.
pub fn centered_note<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    lines: &[&str],
) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    let style = st.axis().pos(anchor(HPos::Center, VPos::Center));
    let step = st.px(30.0) as i32;
    let y0 = h as i32 / 2 - step * (lines.len() as i32 - 1) / 2;
    for (i, line) in lines.iter().enumerate() {
        area.draw_text(line, &style, (w as i32 / 2, y0 + step * i as i32))
            .map_err(err_text)?;
    }
    Ok(())
}

pub use crate::report::format::thousands;

/// A dollar amount in $B for an axis whose ticks are `step` apart: "1,200", "2.5", "-40";
/// beyond a million $B (only in runaway scenarios), scientific: "5.0e9".
pub fn usd(v: f64, step: f64) -> String {
    if v.abs() >= 1e6 {
        return format!("{v:.1e}");
    }
    let decimals = if step >= 1.0 || step <= 0.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
    let int: u64 = int.parse().unwrap_or(0);
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{}.{f}", thousands(int)),
        None => format!("{sign}{}", thousands(int)),
    }
}

/// A decimal year as a label: "2027", or "2027-Q3" between years.
pub fn year_label(t: f64) -> String {
    let y = (t + 1e-9).floor();
    let frac = t - y;
    if frac.abs() < 1e-6 {
        format!("{y:.0}")
    } else {
        format!("{y:.0}-Q{}", (frac * 4.0 + 1e-6).floor() as i32 + 1)
    }
}

/// The horizon in words: "2026–2033" when it spans whole calendar years, else from–to dates.
pub fn horizon_label(start: f64, end: f64) -> String {
    let whole = |t: f64| (t - t.round()).abs() < 1e-6;
    if whole(start) && whole(end) {
        format!("{:.0}–{:.0}", start.round(), end.round() - 1.0)
    } else {
        format!("{} to {}", year_label(start), year_label(end))
    }
}

/// A dollar amount in a sentence: "$7.5B", "$63B", "$1,404B".
pub fn money(v: f64) -> String {
    format!("${}B", usd(v, if v.abs() < 10.0 { 0.1 } else { 1.0 }))
}

/// A y range that contains `lo..hi` with some headroom, never empty.
pub fn padded(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    if hi - lo < 1e-9 {
        let d = (lo.abs() * 0.1).max(1.0);
        return (lo - d, hi + d);
    }
    let d = (hi - lo) * pad;
    (lo - d, hi + d)
}

/// Roughly how far apart `n` ticks over `lo..hi` will be (for label decimals).
pub fn tick_step(lo: f64, hi: f64, n: usize) -> f64 {
    let raw = (hi - lo).abs() / n.max(1) as f64;
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * p)
}

/// Number of year ticks for a time axis from `start` to `end` (at most about 12).
pub fn year_ticks(start: f64, end: f64) -> usize {
    ((end - start).ceil() as usize + 1).clamp(2, 12)
}

/// The coordinate system of every chart here: f64 by f64.
pub type Plane = plotters::coord::cartesian::Cartesian2d<
    plotters::coord::types::RangedCoordf64,
    plotters::coord::types::RangedCoordf64,
>;

/// Axis set-up of a chart.
pub struct Axes<'f> {
    /// x range.
    pub x: (f64, f64),
    /// y range.
    pub y: (f64, f64),
    /// x description with units.
    pub x_desc: &'f str,
    /// y description with units.
    pub y_desc: &'f str,
    /// x tick count.
    pub x_ticks: usize,
    /// x tick label.
    pub x_fmt: &'f dyn Fn(&f64) -> String,
    /// y tick label.
    pub y_fmt: &'f dyn Fn(&f64) -> String,
}

/// Builds a chart with the house mesh: light grid, labelled axes, readable ticks.
///
/// # Errors
/// plotters' error as text.
pub fn axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    ax: &Axes<'_>,
) -> Result<ChartContext<'a, DB, Plane>, String> {
    axes_panel(area, st, ax, true)
}

/// [`axes`] for one panel of a stack sharing the x axis: with `show_x` false, the x ticks
/// and description are left to the panel below (the vertical grid lines stay, at the same
/// places, and the plot keeps the same left edge).
///
/// # Errors
/// plotters' error as text.
pub fn axes_panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    ax: &Axes<'_>,
    show_x: bool,
) -> Result<ChartContext<'a, DB, Plane>, String> {
    let x_area = if show_x { st.px(64.0) } else { st.px(6.0) };
    // As many y ticks as fit comfortably in a short panel, at most 8.
    let plot_h = area.dim_in_pixel().1.saturating_sub(x_area);
    let y_ticks = (plot_h / st.px(34.0).max(1)).clamp(3, 8) as usize;
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(x_area)
        .y_label_area_size(st.px(104.0))
        .build_cartesian_2d(ax.x.0..ax.x.1, ax.y.0..ax.y.1)
        .map_err(err_text)?;
    let hidden = |_: &f64| String::new();
    chart
        .configure_mesh()
        .x_labels(ax.x_ticks)
        .y_labels(y_ticks)
        .x_label_formatter(if show_x { ax.x_fmt } else { &hidden })
        .y_label_formatter(ax.y_fmt)
        .x_desc(if show_x { ax.x_desc } else { "" })
        .y_desc(ax.y_desc)
        .axis_desc_style(st.axis())
        .label_style(st.ticks())
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1))
        .draw()
        .map_err(err_text)?;
    Ok(chart)
}

/// The axes of an exceedance chart: gap levels X from 0 to `top` ($B), P(gap > X) from 0 to 1.
///
/// # Errors
/// plotters' error as text.
pub fn exceedance_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    top: f64,
    x_desc: &str,
) -> Result<ChartContext<'a, DB, Plane>, String> {
    let xstep = tick_step(0.0, top, 10);
    axes(
        area,
        st,
        &Axes {
            x: (0.0, top),
            y: (0.0, 1.0),
            x_desc,
            y_desc: "P(gap > X)",
            x_ticks: 10,
            x_fmt: &|v| usd(*v, xstep),
            y_fmt: &|v| format!("{:.0} %", v * 100.0),
        },
    )
}

/// The axes of a cash-over-time chart: years from `x.0` to `x.1`, cash ($B) over `y`.
///
/// # Errors
/// plotters' error as text.
pub fn cash_axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    st: &Style,
    x: (f64, f64),
    y: (f64, f64),
) -> Result<ChartContext<'a, DB, Plane>, String> {
    let step = tick_step(y.0, y.1, 8);
    axes(
        area,
        st,
        &Axes {
            x,
            y,
            x_desc: "Year",
            y_desc: "Cash ($B)",
            x_ticks: year_ticks(x.0, x.1),
            x_fmt: &|v| year_label(*v),
            y_fmt: &|v| usd(*v, step),
        },
    )
}

/// Draws a dashed straight line from `from` to `to` (`dash` and gap in pixels), a rule such
/// as a floor, a mean, a bound or a date, and returns its series for a legend entry.
///
/// # Errors
/// plotters' error as text.
pub fn rule<'c, 'a, DB: DrawingBackend + 'a>(
    chart: &'c mut ChartContext<'a, DB, Plane>,
    from: (f64, f64),
    to: (f64, f64),
    (dash, gap): (u32, u32),
    style: ShapeStyle,
) -> Result<&'c mut plotters::chart::SeriesAnno<'a, DB>, String> {
    chart
        .draw_series(DashedLineSeries::new([from, to], dash, gap, style))
        .map_err(err_text)
}

/// Writes `text` on a chart at `at` (data coordinates).
///
/// # Errors
/// plotters' error as text.
pub fn text_on<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    text: &str,
    at: (f64, f64),
    style: TextStyle<'_>,
) -> Result<(), String> {
    chart
        .draw_series(std::iter::once(Text::new(text.to_string(), at, style)))
        .map_err(err_text)?;
    Ok(())
}

/// A filled band between `lo` and `hi` over `t`.
pub fn band(t: &[f64], lo: &[f64], hi: &[f64], style: ShapeStyle) -> Polygon<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = t.iter().zip(hi).map(|(&x, &y)| (x, y)).collect();
    pts.extend(t.iter().zip(lo).rev().map(|(&x, &y)| (x, y)));
    Polygon::new(pts, style)
}

/// Draws a band between `lo` and `hi` over `t`, filled in `colour` at `alpha`, with its legend
/// entry `label`.
///
/// # Errors
/// plotters' error as text.
pub fn labelled_band<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    st: &Style,
    t: &[f64],
    (lo, hi): (&[f64], &[f64]),
    colour: RGBColor,
    alpha: f64,
    label: String,
) -> Result<(), String> {
    chart
        .draw_series(std::iter::once(band(t, lo, hi, colour.mix(alpha).filled())))
        .map_err(err_text)?
        .label(label)
        .legend(swatch(colour.mix(alpha), st));
    Ok(())
}

/// Draws the line of `values` over `t` in `colour`, dashed if `dashed`, with its legend entry
/// `label`.
///
/// # Errors
/// plotters' error as text.
pub fn labelled_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    st: &Style,
    (t, values): (&[f64], &[f64]),
    colour: RGBColor,
    dashed: bool,
    label: String,
) -> Result<(), String> {
    let style = st.line(colour);
    let points = t.iter().copied().zip(values.iter().copied());
    if dashed {
        chart
            .draw_series(DashedLineSeries::new(
                points,
                st.px(10.0),
                st.px(6.0),
                style,
            ))
            .map_err(err_text)?
    } else {
        chart
            .draw_series(LineSeries::new(points, style))
            .map_err(err_text)?
    }
    .label(label)
    .legend(line_swatch(style, st));
    Ok(())
}

/// Draws the legend of a chart in the house style.
///
/// # Errors
/// plotters' error as text.
pub fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    st: &Style,
    at: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(at)
        .label_font(st.legend())
        .background_style(WHITE.mix(0.9))
        .border_style(GRID.stroke_width(1))
        .margin(st.px(12.0))
        .legend_area_size(st.px(30.0))
        .draw()
        .map_err(err_text)
}

/// A legend swatch for filled areas.
pub fn swatch(c: RGBAColor, st: &Style) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> + use<> {
    let (w, h) = (st.px(22.0) as i32, st.px(7.0) as i32);
    move |(x, y)| Rectangle::new([(x, y - h), (x + w, y + h)], c.filled())
}

/// A legend swatch for lines.
pub fn line_swatch(
    style: ShapeStyle,
    st: &Style,
) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> + use<> {
    let w = st.px(22.0) as i32;
    move |(x, y)| PathElement::new(vec![(x, y), (x + w, y)], style)
}

/// A legend swatch for dashed lines (`dash` and `gap` in pixels).
pub fn dashed_swatch(
    style: ShapeStyle,
    dash: u32,
    gap: u32,
    st: &Style,
) -> impl Fn((i32, i32)) -> plotters::element::DashedPathElement<std::vec::IntoIter<(i32, i32)>, u32>
+ use<> {
    let w = st.px(22.0) as i32;
    move |(x, y)| {
        plotters::element::DashedPathElement::new(vec![(x, y), (x + w, y)], dash, gap, style)
    }
}

/// Draws a line through `pts`, solid or with `dash` (dash, gap in pixels), with a legend
/// entry `label` (none if empty).
///
/// # Errors
/// plotters' error as text.
pub fn draw_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Plane>,
    pts: Vec<(f64, f64)>,
    style: ShapeStyle,
    dash: Option<(u32, u32)>,
    label: &str,
    st: &Style,
) -> Result<(), String> {
    match dash {
        None => {
            let anno = chart
                .draw_series(LineSeries::new(pts, style))
                .map_err(err_text)?;
            if !label.is_empty() {
                anno.label(label).legend(line_swatch(style, st));
            }
        }
        Some((d, g)) => {
            let anno = chart
                .draw_series(DashedLineSeries::new(pts, d, g, style))
                .map_err(err_text)?;
            if !label.is_empty() {
                // The swatch is short: a finer pattern keeps the dashes visible in it.
                let (sd, sg) = ((d * 2 / 3).max(2), (g * 2 / 3).max(2));
                anno.label(label).legend(dashed_swatch(style, sd, sg, st));
            }
        }
    }
    Ok(())
}

/// The symbol of an entry in a [`legend_strip`].
#[derive(Debug, Clone, Copy)]
pub enum Key {
    /// A filled box (a band).
    Fill(RGBAColor),
    /// A line.
    Line(ShapeStyle),
    /// A dashed line: style, dash and gap in pixels.
    Dashed(ShapeStyle, u32, u32),
    /// A line with a round marker on it (a series of points).
    Marked(ShapeStyle, Option<(u32, u32)>),
    /// No symbol (a note).
    Blank,
}

/// Draws a legend as rows of entries along the top of `area`, starting at the left edge of
/// the plot [`axes`] will build there and wrapping to the width, and returns the area below
/// it for the chart. A legend here never covers data, whatever its shape.
///
/// # Errors
/// plotters' error as text.
pub fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    entries: &[(Key, String)],
) -> Result<DrawingArea<DB, Shift>, String> {
    if entries.is_empty() {
        return Ok(area.clone());
    }
    let font = st.legend();
    let g = StripGeometry::new(st);
    let (placed, rows) = lay_out_strip(area, st, &g, entries);
    let height = rows * g.row_h + st.px(6.0) as i32;
    let (strip, rest) = area.split_vertically(height.max(0) as u32);
    for (x, row, key, label) in placed {
        let y = row * g.row_h + g.row_h / 2;
        let (x0, x1) = (x + st.px(2.0) as i32, x + g.key_w - st.px(2.0) as i32);
        draw_key(&strip, st, key, (x0, x1), y)?;
        let tx = match key {
            Key::Blank => x,
            _ => x + g.key_w + g.key_gap,
        };
        strip
            .draw_text(label, &font.pos(anchor(HPos::Left, VPos::Center)), (tx, y))
            .map_err(err_text)?;
    }
    Ok(rest)
}

/// The measures of a [`legend_strip`], in pixels.
struct StripGeometry {
    /// Where the first entry of a row starts: the plot's left edge.
    left: i32,
    /// Width of a key's symbol.
    key_w: i32,
    /// Between a symbol and its label.
    key_gap: i32,
    /// Between one entry and the next.
    item_gap: i32,
    /// Height of a row.
    row_h: i32,
}

impl StripGeometry {
    fn new(st: &Style) -> StripGeometry {
        StripGeometry {
            left: st.px(104.0) as i32,
            key_w: st.px(26.0) as i32,
            key_gap: st.px(7.0) as i32,
            item_gap: st.px(22.0) as i32,
            row_h: st.px(26.0) as i32,
        }
    }
}

/// Lays the entries of a [`legend_strip`] out in rows as wide as `area`: each entry's left
/// edge and row, and the number of rows.
fn lay_out_strip<'e, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    st: &Style,
    g: &StripGeometry,
    entries: &'e [(Key, String)],
) -> (Vec<(i32, i32, &'e Key, &'e String)>, i32) {
    let font = st.legend();
    let right = area.dim_in_pixel().0 as i32;
    let mut placed = Vec::with_capacity(entries.len());
    let (mut x, mut row) = (g.left, 0);
    for (key, label) in entries {
        let text_w = area.estimate_text_size(label, &font).map_or(
            (label.chars().count() as f64 * 9.0 * st.scale) as i32,
            |(w, _)| w as i32,
        );
        let w = match key {
            Key::Blank => text_w,
            _ => g.key_w + g.key_gap + text_w,
        };
        if x > g.left && x + w > right {
            x = g.left;
            row += 1;
        }
        placed.push((x, row, key, label));
        x += w + g.item_gap;
    }
    (placed, row + 1)
}

/// Draws the symbol of one [`legend_strip`] entry from `x0` to `x1` around height `y`.
fn draw_key<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    st: &Style,
    key: &Key,
    (x0, x1): (i32, i32),
    y: i32,
) -> Result<(), String> {
    match *key {
        Key::Fill(c) => strip
            .draw(&Rectangle::new(
                [(x0, y - st.px(7.0) as i32), (x1, y + st.px(7.0) as i32)],
                c.filled(),
            ))
            .map_err(err_text),
        Key::Line(style) => strip
            .draw(&PathElement::new(vec![(x0, y), (x1, y)], style))
            .map_err(err_text),
        Key::Dashed(style, d, g) => strip
            .draw(&plotters::element::DashedPathElement::new(
                vec![(x0, y), (x1, y)],
                d,
                g,
                style,
            ))
            .map_err(err_text),
        Key::Marked(style, dash) => {
            // The line, its dashes finer to show in the short symbol, and a dot on it.
            let line = match dash {
                None => Key::Line(style),
                Some((d, g)) => Key::Dashed(style, (d * 2 / 3).max(2), (g * 2 / 3).max(2)),
            };
            draw_key(strip, st, &line, (x0, x1), y)?;
            strip
                .draw(&Circle::new(
                    ((x0 + x1) / 2, y),
                    st.px(4.5),
                    style.color.filled(),
                ))
                .map_err(err_text)
        }
        Key::Blank => Ok(()),
    }
}

/// Where a legend with `labels` covers the fewest of the `lines` (data coordinates): the first
/// of `prefer` among the least covered, else a spot at any height along the left or right
/// edge of the plot. Lines are sampled densely between their points, so a
/// line crossing a corner counts even if none of its points lies there.
pub fn legend_spot<'a, DB: DrawingBackend + 'a>(
    chart: &ChartContext<'a, DB, Plane>,
    st: &Style,
    labels: &[String],
    lines: &[Vec<(f64, f64)>],
    prefer: &[SeriesLabelPosition],
) -> SeriesLabelPosition {
    let (pw, ph) = chart.plotting_area().dim_in_pixel();
    let plot = (pw as i32, ph as i32);
    let size = legend_size(chart, st, labels);
    let samples = line_samples(chart, lines);
    let first = prefer
        .first()
        .cloned()
        .unwrap_or(SeriesLabelPosition::UpperRight);
    let (w, h) = size;
    if w + 10 > plot.0 || h + 10 > plot.1 {
        return first;
    }
    // The preferred spots first, then any height at the left or right edge.
    let pad = st.px(6.0) as f64;
    let step = st.px(8.0).max(1) as usize;
    let free = (5..=(plot.1 - h - 5).max(5))
        .step_by(step)
        .flat_map(|y| [(plot.0 - w - 5, y), (5, y)])
        .map(|(x, y)| SeriesLabelPosition::Coordinate(x, y));
    let mut best: Option<(usize, SeriesLabelPosition)> = None;
    for pos in prefer.iter().cloned().chain(free) {
        let c = covered(&samples, legend_corner(&pos, plot, size), size, pad);
        if best.as_ref().is_none_or(|(b, _)| c < *b) {
            best = Some((c, pos));
        }
    }
    best.map_or(first, |(_, p)| p)
}

/// The size in pixels of the box [`legend`] draws for `labels`.
fn legend_size<'a, DB: DrawingBackend + 'a>(
    chart: &ChartContext<'a, DB, Plane>,
    st: &Style,
    labels: &[String],
) -> (i32, i32) {
    let area = chart.plotting_area();
    let font = st.legend();
    let text_w = labels
        .iter()
        .map(|l| {
            area.estimate_text_size(l, &font).map_or(
                (l.chars().count() as f64 * 10.0 * st.scale) as i32,
                |(w, _)| w as i32,
            )
        })
        .max()
        .unwrap_or(0);
    let margin = st.px(12.0) as i32;
    let w = text_w + st.px(30.0) as i32 + 2 * margin;
    let h = (labels.len() as f64 * font.font.get_size() * 1.25) as i32 + 2 * margin;
    (w, h)
}

/// Points every few pixels along `lines`, in pixels from the plot's upper left corner.
fn line_samples<'a, DB: DrawingBackend + 'a>(
    chart: &ChartContext<'a, DB, Plane>,
    lines: &[Vec<(f64, f64)>],
) -> Vec<(f64, f64)> {
    let base = chart.plotting_area().get_base_pixel();
    let mut samples = Vec::new();
    for line in lines {
        for pair in line.windows(2) {
            let (a, b) = (chart.backend_coord(&pair[0]), chart.backend_coord(&pair[1]));
            let steps = ((b.0 - a.0).abs().max((b.1 - a.1).abs()) / 4).clamp(1, 400);
            for k in 0..steps {
                let f = k as f64 / steps as f64;
                samples.push((
                    a.0 as f64 + f * (b.0 - a.0) as f64 - base.0 as f64,
                    a.1 as f64 + f * (b.1 - a.1) as f64 - base.1 as f64,
                ));
            }
        }
        if let Some(p) = line.last() {
            let c = chart.backend_coord(p);
            samples.push(((c.0 - base.0) as f64, (c.1 - base.1) as f64));
        }
    }
    samples
}

/// The upper left corner of a legend of `size` at `pos` on a plot of `plot` pixels, as
/// plotters places it.
fn legend_corner(
    pos: &SeriesLabelPosition,
    (pw, ph): (i32, i32),
    (w, h): (i32, i32),
) -> (i32, i32) {
    use SeriesLabelPosition::*;
    match pos {
        Coordinate(x, y) => (*x, *y),
        _ => (
            match pos {
                UpperLeft | MiddleLeft | LowerLeft => 5,
                UpperMiddle | MiddleMiddle | LowerMiddle => (pw - w) / 2,
                _ => pw - w - 5,
            },
            match pos {
                UpperLeft | UpperMiddle | UpperRight => 5,
                MiddleLeft | MiddleMiddle | MiddleRight => (ph - h) / 2,
                _ => ph - h - 5,
            },
        ),
    }
}

/// How many of `samples` a legend of `size` with its upper left corner at `corner` covers,
/// with `pad` pixels around it.
fn covered(samples: &[(f64, f64)], corner: (i32, i32), (w, h): (i32, i32), pad: f64) -> usize {
    let (x0, y0) = (corner.0 as f64 - pad, corner.1 as f64 - pad);
    let (x1, y1) = (x0 + w as f64 + 2.0 * pad, y0 + h as f64 + 2.0 * pad);
    samples
        .iter()
        .filter(|(x, y)| *x >= x0 && *x <= x1 && *y >= y0 && *y <= y1)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_axis_labels() {
        assert_eq!(usd(1200.0, 200.0), "1,200");
        assert_eq!(usd(-40.0, 20.0), "-40");
        assert_eq!(usd(2.5, 0.5), "2.5");
        assert_eq!(usd(0.0, 0.5), "0.0");
        assert_eq!(year_label(2027.0), "2027");
        assert_eq!(year_label(2027.5), "2027-Q3");
        assert_eq!(padded(5.0, 5.0, 0.05), (4.0, 6.0));
        assert_eq!(tick_step(0.0, 1000.0, 10), 100.0);
    }
}
