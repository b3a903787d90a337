//! Charts of a run, of a comparison and of a sweep, drawn with plotters as PNG and SVG: one
//! file per chart in this folder.
//!
//! Charts take plain data (a [`Summary`], a [`Comparison`] or a [`Sweep`]) first and a
//! directory (rendering) second. Every chart has a title with the scenario's name, a subtitle
//! with trials and seed, axis labels with units, and shares one colour-blind-safe palette
//! ([`style`]). Text uses DejaVu Sans,
//! compiled into the binary (assets/fonts/, Bitstream Vera licence), so no system font or
//! graphics library is needed. Files are written atomically. Degenerate data (no gap, all
//! gaps, one trial, constant values) draws a sensible chart; every plotters error is returned.

mod capacity;
mod cash_fan;
mod colours;
mod compare_cash_fan;
mod compare_exceedance;
mod first_shortfall;
mod gap_exceedance;
mod gap_histogram;
mod obligations_schedule;
mod revenue_vs_obligations;
pub mod style;
mod sweep;
mod tornado;

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::analysis::{Comparison, Sweep};
use crate::report::html::Figure;
use crate::report::{ReportError, write_atomic};
use crate::summary::Summary;
use style::Style;

/// An image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Raster, for slides and documents.
    Png,
    /// Vector, for print and the web.
    Svg,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// Which formats and what size.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    /// Formats to write (empty: no charts).
    pub formats: Vec<Format>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            formats: vec![Format::Png, Format::Svg],
            width: 1200,
            height: 800,
        }
    }
}

/// The charts, by file name (the names are part of the interface).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// Distribution of the funding gap.
    GapHistogram,
    /// P(gap > x), over the horizon and by report year.
    GapExceedance,
    /// Cash over time: median and bands, floor, round and IPO dates.
    CashFan,
    /// Revenue against obligations (and other costs), with bands.
    RevenueVsObligations,
    /// Payments due per year, stacked by counterparty.
    ObligationsSchedule,
    /// P(no shortfall yet) over time.
    FirstShortfall,
    /// Inputs ranked by how much they move the gap.
    Tornado,
    /// Demand against what the capacity can serve, and revenue served (only with
    /// `[capacity]`; not in [`Chart::ALL`]).
    Capacity,
}

impl Chart {
    /// Every chart, in the order they are written.
    pub const ALL: [Chart; 7] = [
        Chart::GapHistogram,
        Chart::GapExceedance,
        Chart::CashFan,
        Chart::RevenueVsObligations,
        Chart::ObligationsSchedule,
        Chart::FirstShortfall,
        Chart::Tornado,
    ];

    /// The charts of a run: [`Chart::ALL`], and [`Chart::Capacity`] when the run has a
    /// capacity.
    pub fn of(s: &Summary) -> Vec<Chart> {
        let mut v = Chart::ALL.to_vec();
        if s.bands.capacity.is_some() {
            v.push(Chart::Capacity);
        }
        v
    }

    /// File name without extension.
    pub fn file_stem(self) -> &'static str {
        match self {
            Chart::GapHistogram => "gap_histogram",
            Chart::GapExceedance => "gap_exceedance",
            Chart::CashFan => "cash_fan",
            Chart::RevenueVsObligations => "revenue_vs_obligations",
            Chart::ObligationsSchedule => "obligations_schedule",
            Chart::FirstShortfall => "first_shortfall",
            Chart::Tornado => "tornado",
            Chart::Capacity => "capacity",
        }
    }

    fn draw<DB: DrawingBackend>(
        self,
        s: &Summary,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<(), String> {
        match self {
            Chart::GapHistogram => gap_histogram::draw(s, root, st),
            Chart::GapExceedance => gap_exceedance::draw(s, root, st),
            Chart::CashFan => cash_fan::draw(s, root, st),
            Chart::RevenueVsObligations => revenue_vs_obligations::draw(s, root, st),
            Chart::ObligationsSchedule => obligations_schedule::draw(s, root, st),
            Chart::FirstShortfall => first_shortfall::draw(s, root, st),
            Chart::Tornado => tornado::draw(s, root, st),
            Chart::Capacity => capacity::draw(s, root, st),
        }
    }
}

/// Why a chart could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Drawing failed.
    #[error("cannot draw chart {chart}: {reason}")]
    Draw {
        /// File name.
        chart: String,
        /// plotters' error.
        reason: String,
    },
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] ReportError),
}

/// Something that draws itself onto a drawing area of any backend: the private seam between
/// the charts (which only draw) and the rendering into PNG or SVG bytes and files.
trait Drawing {
    /// File name without extension.
    fn file_stem(&self) -> &'static str;

    /// Draws onto `root` (already filled white).
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<(), String>;
}

/// A chart of one run.
struct RunChart<'a>(Chart, &'a Summary);

impl Drawing for RunChart<'_> {
    fn file_stem(&self) -> &'static str {
        self.0.file_stem()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<(), String> {
        self.0.draw(self.1, root, st)
    }
}

/// The charts of a comparison and of a sweep.
enum AnalysisChart<'a> {
    /// P(gap > X) for each scenario.
    CompareExceedance(&'a Comparison),
    /// Cash over time for each scenario.
    CompareCashFan(&'a Comparison),
    /// P(shortfall) and the gap against the swept value.
    Sweep(&'a Sweep),
}

impl Drawing for AnalysisChart<'_> {
    fn file_stem(&self) -> &'static str {
        match self {
            AnalysisChart::CompareExceedance(_) => "compare_exceedance",
            AnalysisChart::CompareCashFan(_) => "compare_cash_fan",
            AnalysisChart::Sweep(_) => "sweep",
        }
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        st: &Style,
    ) -> Result<(), String> {
        match self {
            AnalysisChart::CompareExceedance(c) => compare_exceedance::draw(c, root, st),
            AnalysisChart::CompareCashFan(c) => compare_cash_fan::draw(c, root, st),
            AnalysisChart::Sweep(s) => sweep::draw(s, root, st),
        }
    }
}

/// Renders one chart in one format into memory.
///
/// # Errors
/// [`ChartError::Draw`] with plotters' reason.
pub fn render_bytes(
    chart: Chart,
    s: &Summary,
    format: Format,
    opts: &ChartOptions,
) -> Result<Vec<u8>, ChartError> {
    render_drawing(&RunChart(chart, s), format, opts)
}

/// Every chart of a run as SVG in memory, for `report.html`: one [`Figure`] per chart of
/// [`Chart::of`], named by its file stem.
///
/// # Errors
/// [`ChartError::Draw`] with plotters' reason.
pub fn run_figures(s: &Summary, opts: &ChartOptions) -> Result<Vec<Figure>, ChartError> {
    let charts: Vec<RunChart<'_>> = Chart::of(s).into_iter().map(|c| RunChart(c, s)).collect();
    svg_figures(&charts, opts)
}

/// The charts of a comparison as SVG in memory, `compare_exceedance` and `compare_cash_fan`.
///
/// # Errors
/// [`ChartError::Draw`] with plotters' reason.
pub fn comparison_figures(c: &Comparison, opts: &ChartOptions) -> Result<Vec<Figure>, ChartError> {
    svg_figures(
        &[
            AnalysisChart::CompareExceedance(c),
            AnalysisChart::CompareCashFan(c),
        ],
        opts,
    )
}

/// The chart of a sweep as SVG in memory, `sweep`.
///
/// # Errors
/// [`ChartError::Draw`] with plotters' reason.
pub fn sweep_figures(s: &Sweep, opts: &ChartOptions) -> Result<Vec<Figure>, ChartError> {
    svg_figures(&[AnalysisChart::Sweep(s)], opts)
}

/// Each drawing as SVG in memory, named by its file stem.
fn svg_figures<D: Drawing>(drawings: &[D], opts: &ChartOptions) -> Result<Vec<Figure>, ChartError> {
    drawings
        .iter()
        .map(|d| {
            Ok(Figure {
                name: d.file_stem().to_string(),
                svg: render_drawing(d, Format::Svg, opts)?,
            })
        })
        .collect()
}

/// Renders any drawing in one format into memory.
fn render_drawing<D: Drawing>(
    drawing: &D,
    format: Format,
    opts: &ChartOptions,
) -> Result<Vec<u8>, ChartError> {
    style::register_fonts();
    let st = Style::new(opts.width, opts.height);
    let size = (opts.width.max(1), opts.height.max(1));
    let fail = |reason: String| ChartError::Draw {
        chart: format!("{}.{}", drawing.file_stem(), format.extension()),
        reason,
    };
    match format {
        Format::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
                root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
                drawing.draw(&root, &st).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            Ok(text.into_bytes())
        }
        Format::Png => {
            let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
            {
                let backend = BitMapBackend::<plotters::backend::RGBPixel>::with_buffer_and_format(
                    &mut rgb, size,
                )
                .map_err(|e| fail(e.to_string()))?;
                let root = backend.into_drawing_area();
                root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
                drawing.draw(&root, &st).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            let mut png_bytes = Vec::new();
            {
                let mut enc = png::Encoder::new(&mut png_bytes, size.0, size.1);
                enc.set_color(png::ColorType::Rgb);
                enc.set_depth(png::BitDepth::Eight);
                let mut w = enc.write_header().map_err(|e| fail(e.to_string()))?;
                w.write_image_data(&rgb).map_err(|e| fail(e.to_string()))?;
            }
            Ok(png_bytes)
        }
    }
}

/// Renders each drawing in every requested format into `dir`, atomically.
fn write_drawings<D: Drawing>(
    drawings: &[D],
    dir: &Path,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ChartError> {
    let mut written = Vec::new();
    for drawing in drawings {
        for &format in &opts.formats {
            let bytes = render_drawing(drawing, format, opts)?;
            let path = dir.join(format!("{}.{}", drawing.file_stem(), format.extension()));
            write_atomic(&path, &bytes)?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Renders every chart in every requested format into `dir`.
///
/// # Errors
/// The first chart that cannot be drawn or written.
pub fn render_all(
    s: &Summary,
    dir: &Path,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ChartError> {
    let charts: Vec<RunChart<'_>> = Chart::of(s).into_iter().map(|c| RunChart(c, s)).collect();
    write_drawings(&charts, dir, opts)
}

/// Renders the charts of a comparison, `compare_exceedance` and `compare_cash_fan`, in every
/// requested format into `dir`.
///
/// # Errors
/// The first chart that cannot be drawn or written.
pub fn render_comparison(
    c: &Comparison,
    dir: &Path,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ChartError> {
    write_drawings(
        &[
            AnalysisChart::CompareExceedance(c),
            AnalysisChart::CompareCashFan(c),
        ],
        dir,
        opts,
    )
}

/// Renders the chart of a sweep, `sweep`, in every requested format into `dir`.
///
/// # Errors
/// The chart cannot be drawn or written.
pub fn render_sweep(
    s: &Sweep,
    dir: &Path,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ChartError> {
    write_drawings(&[AnalysisChart::Sweep(s)], dir, opts)
}

/// Parses `--charts`: `png,svg`, `png`, `svg` or `none`.
///
/// # Errors
/// A message naming the bad part and what is allowed.
pub fn parse_formats(arg: &str) -> Result<Vec<Format>, String> {
    if arg.trim() == "none" {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for part in arg.split(',') {
        let f = match part.trim() {
            "png" => Format::Png,
            "svg" => Format::Svg,
            other => {
                return Err(format!(
                    "--charts {arg}: unknown format '{other}'; use png,svg, png, svg or none"
                ));
            }
        };
        if !out.contains(&f) {
            out.push(f);
        }
    }
    Ok(out)
}

/// Parses `--chart-size WxH` (each side 200 to 8000 pixels).
///
/// # Errors
/// A message with the bad value and what is allowed.
pub fn parse_size(arg: &str) -> Result<(u32, u32), String> {
    let bad = || {
        format!(
            "--chart-size {arg}: expected WIDTHxHEIGHT in pixels, each 200 to 8000, e.g. 1200x800"
        )
    };
    let (w, h) = arg.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    if !(200..=8000).contains(&w) || !(200..=8000).contains(&h) {
        return Err(bad());
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_options() {
        assert_eq!(parse_formats("png,svg"), Ok(vec![Format::Png, Format::Svg]));
        assert_eq!(parse_formats("svg"), Ok(vec![Format::Svg]));
        assert_eq!(parse_formats("none"), Ok(vec![]));
        assert!(parse_formats("jpg").is_err());
        assert_eq!(parse_size("1200x800"), Ok((1200, 800)));
        assert!(parse_size("10x10").is_err());
        assert!(parse_size("big").is_err());
    }

    #[test]
    fn report_html_asks_a_question_of_every_chart() {
        let stems = Chart::ALL
            .iter()
            .chain([&Chart::Capacity])
            .map(|c| c.file_stem())
            .chain(["compare_exceedance", "compare_cash_fan", "sweep"]);
        for stem in stems {
            assert!(
                crate::report::html::question(stem).is_some(),
                "report.html has no question or reading for the chart {stem}"
            );
        }
    }
}
