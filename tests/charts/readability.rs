//! What a reader sees: nothing hides a label, colours mean the same thing from one chart to
//! the next, axes show the data. The charts' SVG is parsed (roxmltree) and its texts and boxes
//! measured; a text's extent is estimated from its font size (DejaVu Sans is about 0.55 em
//! wide per character on average).

use std::path::Path;

use funding_gap::chart::{Chart, ChartOptions, Format, render_bytes, render_comparison};
use funding_gap::scenario::load;
use funding_gap::summary::Summary;

use super::{RICH, from_toml, summary_of};

/// A box in SVG pixels: left, top, right, bottom.
type Extent = (f64, f64, f64, f64);

/// A drawn element, in document (= drawing) order.
#[derive(Debug, Clone)]
enum Shape {
    /// A text and its estimated extent.
    Text(String, Extent),
    /// A rectangle: extent, fill ("#RRGGBB" or "none") and opacity.
    Rect(Extent, String, f64),
}

fn num(n: roxmltree::Node<'_, '_>, attr: &str) -> f64 {
    n.attribute(attr)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// The texts and rectangles of an SVG, in drawing order.
fn shapes(svg: &str) -> Vec<Shape> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    for n in doc.descendants() {
        match n.tag_name().name() {
            "rect" => {
                let (x, y) = (num(n, "x"), num(n, "y"));
                let extent = (x, y, x + num(n, "width"), y + num(n, "height"));
                let fill = n.attribute("fill").unwrap_or("none").to_string();
                out.push(Shape::Rect(extent, fill, num(n, "opacity")));
            }
            "text" => {
                let text: String = n
                    .descendants()
                    .filter(|t| t.is_text())
                    .filter_map(|t| t.text())
                    .collect();
                let text = text.trim().to_string();
                let size = num(n, "font-size");
                let w = 0.55 * size * text.chars().count() as f64;
                let (x, y) = (num(n, "x"), num(n, "y"));
                let left = match n.attribute("text-anchor") {
                    Some("middle") => x - w / 2.0,
                    Some("end") => x - w,
                    _ => x,
                };
                let top = match n.attribute("dy") {
                    Some("0.76em") => y,
                    Some("0.5ex") => y - 0.5 * size,
                    _ => y - 0.8 * size,
                };
                // Rotated texts (the y axis's description) are left out.
                if n.attribute("transform").is_none() && !text.is_empty() {
                    out.push(Shape::Text(text, (left, top, left + w, top + size)));
                }
            }
            _ => {}
        }
    }
    out
}

fn overlap(a: Extent, b: Extent) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

fn svg_of(chart: Chart, s: &Summary, size: (u32, u32)) -> String {
    let opts = ChartOptions {
        formats: vec![Format::Svg],
        width: size.0,
        height: size.1,
    };
    let bytes = render_bytes(chart, s, Format::Svg, &opts).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{e}"))
}

/// In the gap histogram no text overlaps another, a bar, or a box drawn over it later (a
/// legend or a note's backing), and no such box lies on a bar.
fn check_histogram(s: &Summary, size: (u32, u32)) {
    let svg = svg_of(Chart::GapHistogram, s, size);
    let shapes = shapes(&svg);
    let page = (0.0, 0.0, size.0 as f64, size.1 as f64);
    let bars: Vec<Extent> = shapes
        .iter()
        .filter_map(|sh| match sh {
            // Bars are taller than a legend's swatch.
            Shape::Rect(e, fill, _) if fill == "#0072B2" && e.3 - e.1 > 16.0 => Some(*e),
            _ => None,
        })
        .collect();
    let who = format!("{} at {}x{}", s.scenario, size.0, size.1);
    for (i, a) in shapes.iter().enumerate() {
        match a {
            Shape::Text(t, e) => {
                for b in &shapes[i + 1..] {
                    match b {
                        Shape::Text(u, f) => {
                            assert!(!overlap(*e, *f), "{who}: '{t}' overlaps '{u}'");
                        }
                        Shape::Rect(f, fill, op)
                            if *f != page && fill != "none" && *op >= 0.5 && overlap(*e, *f) =>
                        {
                            panic!("{who}: '{t}' is covered by a box at {f:?}");
                        }
                        _ => {}
                    }
                }
                for bar in &bars {
                    assert!(!overlap(*e, *bar), "{who}: '{t}' lies on a bar {bar:?}");
                }
            }
            Shape::Rect(e, fill, _) if fill == "#FFFFFF" && *e != page => {
                for bar in &bars {
                    assert!(!overlap(*e, *bar), "{who}: a white box {e:?} lies on a bar");
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_histograms_labels_and_notes_cover_nothing_and_are_not_covered() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for name in ["base.toml", "no-round.toml"] {
        let s = summary_of(
            load(&dir.join(name), &[]).unwrap_or_else(|e| panic!("{e}")),
            3_000,
        );
        check_histogram(&s, (1200, 800));
        check_histogram(&s, (600, 400));
    }
    let s = from_toml(RICH, 2_000);
    check_histogram(&s, (1200, 800));
    check_histogram(&s, (600, 400));
}

/// The fill of the legend swatch of the entry that starts with `name (`. plotters draws a
/// legend's texts, then its swatches in the same order.
fn swatch_of(svg: &str, name: &str) -> String {
    let shapes = shapes(svg);
    let is_text = |sh: &Shape| matches!(sh, Shape::Text(..));
    let at = shapes
        .iter()
        .position(|sh| matches!(sh, Shape::Text(t, _) if t.starts_with(&format!("{name} ("))))
        .unwrap_or_else(|| panic!("no legend entry for {name}"));
    let first = shapes[..at]
        .iter()
        .rposition(|sh| !is_text(sh))
        .map_or(0, |i| i + 1);
    let after = shapes[at..]
        .iter()
        .position(|sh| !is_text(sh))
        .map_or(shapes.len(), |i| at + i);
    shapes[after..]
        .iter()
        .filter_map(|sh| match sh {
            Shape::Rect(_, fill, _) if fill != "none" => Some(fill.clone()),
            _ => None,
        })
        .nth(at - first)
        .unwrap_or_else(|| panic!("no swatch for {name}"))
}

#[test]
fn a_counterpartys_colour_follows_its_name_not_its_rank() {
    let before = from_toml(RICH, 50);
    // A contract larger than every other one: every counterparty moves down a rank.
    let more = format!(
        "{RICH}\n[obligations.mega]\ncounterparty = \"Acme\"\ntotal = 500\nstart = 2026\nyears = 4\n"
    );
    let after = from_toml(&more, 50);
    let (a, b) = (
        svg_of(Chart::ObligationsSchedule, &before, (1200, 800)),
        svg_of(Chart::ObligationsSchedule, &after, (1200, 800)),
    );
    for name in ["cloud", "Chips"] {
        assert_eq!(swatch_of(&a, name), swatch_of(&b, name), "{name}");
    }
    assert_ne!(swatch_of(&b, "Acme"), swatch_of(&b, "cloud"));
    assert_ne!(swatch_of(&b, "Acme"), swatch_of(&b, "Chips"));
}

#[test]
fn the_cash_fan_labels_the_region_below_zero() {
    let svg = svg_of(Chart::CashFan, &from_toml(RICH, 200), (1200, 800));
    assert!(svg.contains("Below zero: unfunded need"));
}

/// `c` at `alpha` over `under`, rounded as the chart does.
fn over(under: [u8; 3], c: [u8; 3], alpha: f64) -> [u8; 3] {
    let mut out = [0; 3];
    for k in 0..3 {
        out[k] = (under[k] as f64 * (1.0 - alpha) + c[k] as f64 * alpha).round() as u8;
    }
    out
}

#[test]
fn the_compare_cash_fans_legend_shows_the_colour_where_bands_overlap() {
    let lean = RICH.replace("initial = 20", "initial = 8");
    let c = super::analysis::comparison(&[RICH, &lean], 200);
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let opts = ChartOptions {
        formats: vec![Format::Svg],
        ..ChartOptions::default()
    };
    render_comparison(&c, tmp.path(), &opts).unwrap_or_else(|e| panic!("{e}"));
    let svg = std::fs::read_to_string(tmp.path().join("compare_cash_fan.svg"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(svg.contains("Both bands overlap"));
    // Okabe–Ito blue's band, then vermillion's over it, each at 16 % on white.
    let [r, g, b] = over(over([255; 3], [0, 114, 178], 0.16), [213, 94, 0], 0.16);
    let fill = format!("#{r:02X}{g:02X}{b:02X}");
    assert!(
        shapes(&svg)
            .iter()
            .any(|sh| matches!(sh, Shape::Rect(_, f, _) if *f == fill)),
        "no swatch of the overlap's colour {fill}"
    );
}

/// The percentages written as tick labels on a sweep's chart ("40 %" → 0.40).
fn sweep_percent_ticks(s: &funding_gap::analysis::Sweep) -> Vec<f64> {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let opts = ChartOptions {
        formats: vec![Format::Svg],
        ..ChartOptions::default()
    };
    funding_gap::chart::render_sweep(s, tmp.path(), &opts).unwrap_or_else(|e| panic!("{e}"));
    let svg =
        std::fs::read_to_string(tmp.path().join("sweep.svg")).unwrap_or_else(|e| panic!("{e}"));
    shapes(&svg)
        .iter()
        .filter_map(|sh| match sh {
            Shape::Text(t, _) => t.strip_suffix(" %")?.parse::<f64>().ok(),
            _ => None,
        })
        .map(|p| p / 100.0)
        .collect()
}

#[test]
fn the_sweeps_probability_axis_follows_the_data() {
    let path = "rounds.a.participants.fund.amount";
    // Every trial short at every value: the axis ends at 100 % and starts well above 0.
    let broke = RICH.replace("total = 60", "total = 6000");
    let s = super::analysis::sweep_of(&broke, path, &[1.0, 2.0, 3.0], None, 50);
    let ticks = sweep_percent_ticks(&s);
    assert!(ticks.contains(&1.0), "{ticks:?}");
    assert!(ticks.iter().all(|&p| p >= 0.9), "{ticks:?}");
    // Whatever the data, the ticks cover it and stay within 0–100 %.
    let s = super::analysis::sweep_of(RICH, path, &[1.0, 20.0, 80.0], None, 300);
    let ticks = sweep_percent_ticks(&s);
    let (lo, hi) = s
        .points
        .iter()
        .flat_map(|p| p.shortfall_probability_ci95)
        .fold((1.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (tlo, thi) = ticks
        .iter()
        .fold((1.0f64, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
    assert!(ticks.iter().all(|p| (0.0..=1.0).contains(p)), "{ticks:?}");
    assert!(
        tlo <= lo + 0.1 && thi >= hi - 0.1,
        "{ticks:?} for {lo}..{hi}"
    );
    if lo > 0.2 {
        assert!(
            tlo > 0.0,
            "the axis starts at 0 % for data from {lo}: {ticks:?}"
        );
    }
}
