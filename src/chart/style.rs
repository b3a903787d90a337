//! The look shared by every chart: fonts, sizes, the colour-blind-safe palette, the title
//! block, and number formats for axes.
//!
//! Colours: the Okabe–Ito palette for series (safe for the common colour-vision
//! deficiencies), Paul Tol's "muted" scheme for the stacked categories of the obligations
//! schedule. Sizes scale with the chart so that a half-size chart stays legible.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
pub use plotters::style::text_anchor::{HPos, VPos};

/// A text anchor.
pub fn anchor(h: HPos, v: VPos) -> plotters::style::text_anchor::Pos {
    plotters::style::text_anchor::Pos::new(h, v)
}

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

/// Paul Tol's muted scheme plus pale grey ("other"), for stacked categories.
pub const CATEGORIES: [RGBColor; 10] = [
    RGBColor(51, 34, 136),
    RGBColor(136, 204, 238),
    RGBColor(68, 170, 153),
    RGBColor(17, 119, 51),
    RGBColor(153, 153, 51),
    RGBColor(221, 204, 119),
    RGBColor(204, 102, 119),
    RGBColor(136, 34, 85),
    RGBColor(170, 68, 153),
    RGBColor(200, 200, 200),
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

/// Draws the title block (title, subtitle) and returns the area below it, with margins.
///
/// # Errors
/// plotters' error as text.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    st: &Style,
    s: &Summary,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    let top = st.px(92.0);
    let (head, body) = root.split_vertically(top);
    let left = st.px(24.0) as i32;
    head.draw_text(
        &format!("{} — {title}", s.scenario),
        &st.title(),
        (left, st.px(18.0) as i32),
    )
    .map_err(|e| e.to_string())?;
    let subtitle = format!(
        "{} trial{} · seed {} · {} · funding-gap",
        thousands(s.trials),
        if s.trials == 1 { "" } else { "s" },
        s.seed,
        horizon_label(s.start, s.end)
    );
    head.draw_text(&subtitle, &st.subtitle(), (left, st.px(58.0) as i32))
        .map_err(|e| e.to_string())?;
    Ok(body.margin(st.px(4.0), st.px(16.0), st.px(12.0), st.px(36.0)))
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
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

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

/// A share as a percentage label: 0.25 → "25 %".
pub fn pct(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-6 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
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
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(st.px(64.0))
        .y_label_area_size(st.px(104.0))
        .build_cartesian_2d(ax.x.0..ax.x.1, ax.y.0..ax.y.1)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_labels(ax.x_ticks)
        .y_labels(8)
        .x_label_formatter(ax.x_fmt)
        .y_label_formatter(ax.y_fmt)
        .x_desc(ax.x_desc)
        .y_desc(ax.y_desc)
        .axis_desc_style(st.axis())
        .label_style(st.ticks())
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(chart)
}

/// A filled band between `lo` and `hi` over `t`.
pub fn band(t: &[f64], lo: &[f64], hi: &[f64], style: ShapeStyle) -> Polygon<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = t.iter().zip(hi).map(|(&x, &y)| (x, y)).collect();
    pts.extend(t.iter().zip(lo).rev().map(|(&x, &y)| (x, y)));
    Polygon::new(pts, style)
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
        .map_err(|e| e.to_string())
}

/// A legend swatch for filled areas.
pub fn swatch(c: RGBAColor, st: &Style) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    let (w, h) = (st.px(22.0) as i32, st.px(7.0) as i32);
    move |(x, y)| Rectangle::new([(x, y - h), (x + w, y + h)], c.filled())
}

/// A legend swatch for lines.
pub fn line_swatch(
    style: ShapeStyle,
    st: &Style,
) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    let w = st.px(22.0) as i32;
    move |(x, y)| PathElement::new(vec![(x, y), (x + w, y)], style)
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
        assert_eq!(pct(0.25), "25 %");
        assert_eq!(padded(5.0, 5.0, 0.05), (4.0, 6.0));
        assert_eq!(tick_step(0.0, 1000.0, 10), 100.0);
    }
}
