//! The charts of a comparison (`compare_exceedance`, `compare_cash_fan`) and of a sweep
//! (`sweep`) render as PNGs of the requested size and as well-formed SVG carrying their
//! title, for real scenarios and for degenerate ones.
//!
//! With `FG_CHART_DIR` set, the charts of the real scenarios are also written there, to look at.

use std::path::{Path, PathBuf};

use funding_gap::analysis::{Comparison, Sweep, Target, compare, sweep};
use funding_gap::chart::{ChartOptions, Format, render_comparison, render_sweep};
use funding_gap::engine::RunConfig;
use funding_gap::model::{Model, compile};
use funding_gap::scenario::{load, load_str};

use super::RICH;

fn cfg(trials: u64) -> RunConfig {
    RunConfig {
        trials,
        seed: 7,
        threads: Some(2),
        save_trials: false,
        worst: 0,
    }
}

fn model_of(toml: &str) -> Model {
    compile(&load_str(toml, "test.toml", None, &[]).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn comparison(tomls: &[&str], trials: u64) -> Comparison {
    let models: Vec<Model> = tomls.iter().map(|t| model_of(t)).collect();
    compare(&models, &cfg(trials), &|_| {}, None).unwrap_or_else(|e| panic!("{e}"))
}

/// A sweep of `path` over `values` in the scenario `toml`, with an optional target.
pub(crate) fn sweep_of(
    toml: &str,
    path: &str,
    values: &[f64],
    target: Option<&str>,
    trials: u64,
) -> Sweep {
    let build = |v: f64| {
        load_str(toml, "test.toml", None, &[format!("{path}={v}")]).and_then(|s| compile(&s))
    };
    let target = target.map(|t| Target::parse(t).unwrap_or_else(|e| panic!("{e}")));
    sweep(
        "test",
        Default::default(),
        path,
        values,
        &build,
        &cfg(trials),
        target.as_ref(),
        &|_, _| {},
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn opts(size: (u32, u32)) -> ChartOptions {
    ChartOptions {
        formats: vec![Format::Png, Format::Svg],
        width: size.0,
        height: size.1,
    }
}

/// Checks a written chart: the PNG's size, and that the SVG is well-formed and carries
/// `title` and a subtitle with the seed. Returns the SVG's text.
fn check(dir: &Path, stem: &str, size: (u32, u32), title: &str) -> String {
    keep(dir, stem, size);
    let png = std::fs::read(dir.join(format!("{stem}.png")))
        .unwrap_or_else(|e| panic!("{stem}.png: {e}"));
    let reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap_or_else(|e| panic!("{stem}.png: {e}"));
    let info = reader.info();
    assert_eq!((info.width, info.height), size, "{stem} PNG size");

    let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg")))
        .unwrap_or_else(|e| panic!("{stem}.svg: {e}"));
    let doc = roxmltree::Document::parse(&svg)
        .unwrap_or_else(|e| panic!("{stem} SVG is not well-formed XML: {e}"));
    let texts: String = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        texts.contains(title),
        "{stem} SVG lacks its title '{title}': {texts:.300}"
    );
    assert!(
        texts.contains("seed 7"),
        "{stem} SVG lacks its subtitle: {texts:.300}"
    );
    texts
}

/// With `FG_CHART_DIR` set, keeps a copy of every PNG checked, under `cases/`, numbered.
fn keep(dir: &Path, stem: &str, size: (u32, u32)) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    if let Some(out) = std::env::var_os("FG_CHART_DIR") {
        let out = PathBuf::from(out).join("cases");
        let _ = std::fs::create_dir_all(&out);
        let i = N.fetch_add(1, Ordering::Relaxed);
        let name = format!("{i:03}-{stem}-{}x{}.png", size.0, size.1);
        let _ = std::fs::copy(dir.join(format!("{stem}.png")), out.join(name));
    }
}

const EXCEEDANCE_TITLE: &str = "compare — probability that the funding gap exceeds X";
const FAN_TITLE: &str = "compare — cash over time";

/// Renders a comparison at `size` into a fresh directory and checks both charts.
fn check_comparison(c: &Comparison, size: (u32, u32)) -> (String, String) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let written = render_comparison(c, tmp.path(), &opts(size)).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert_eq!(
        names,
        [
            "compare_exceedance.png",
            "compare_exceedance.svg",
            "compare_cash_fan.png",
            "compare_cash_fan.svg"
        ]
    );
    (
        check(tmp.path(), "compare_exceedance", size, EXCEEDANCE_TITLE),
        check(tmp.path(), "compare_cash_fan", size, FAN_TITLE),
    )
}

/// Renders a sweep at `size` into a fresh directory and checks its chart.
pub(crate) fn check_sweep(s: &Sweep, size: (u32, u32)) -> String {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let written = render_sweep(s, tmp.path(), &opts(size)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        written,
        [tmp.path().join("sweep.png"), tmp.path().join("sweep.svg")]
    );
    check(
        tmp.path(),
        "sweep",
        size,
        "— shortfall risk and funding gap as one input varies",
    )
}

#[test]
fn a_comparison_renders_with_its_scenarios_named() {
    let a = RICH.to_string();
    let b = format!(
        "name = \"leaner\"\n{}",
        RICH.replace("initial = 20", "initial = 35")
    );
    let c = comparison(&[&format!("name = \"rich\"\n{a}"), &b], 600);
    for size in [(1200, 800), (600, 400)] {
        let (exceedance, fan) = check_comparison(&c, size);
        for texts in [&exceedance, &fan] {
            assert!(
                texts.contains("rich vs leaner"),
                "subtitle names the scenarios: {texts:.300}"
            );
        }
        assert!(
            exceedance.contains("P(shortfall)"),
            "legend gives P(shortfall)"
        );
        assert!(
            fan.contains("Cash floor of rich"),
            "fan marks the first scenario's floor"
        );
    }
}

#[test]
fn only_the_requested_formats_are_written() {
    let c = comparison(&[RICH, RICH], 100);
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let svg_only = ChartOptions {
        formats: vec![Format::Svg],
        ..ChartOptions::default()
    };
    let written = render_comparison(&c, tmp.path(), &svg_only).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written.len(), 2);
    assert!(
        written
            .iter()
            .all(|p| p.extension().is_some_and(|x| x == "svg"))
    );
    let none = ChartOptions {
        formats: vec![],
        ..ChartOptions::default()
    };
    let s = sweep_of(RICH, "cash.initial", &[10.0, 30.0], None, 100);
    assert!(
        render_sweep(&s, tmp.path(), &none)
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty()
    );
    // Nothing but the charts: no temporary files left behind.
    assert_eq!(
        std::fs::read_dir(tmp.path())
            .map(|d| d.count())
            .unwrap_or(0),
        2
    );
}

#[test]
fn two_identical_scenarios() {
    let c = comparison(&[RICH, RICH], 400);
    assert_eq!(
        c.summaries[0].gap_distribution,
        c.summaries[1].gap_distribution
    );
    let (exceedance, _) = check_comparison(&c, (1200, 800));
    // Same names are told apart, and the paired difference is exactly nothing.
    assert!(
        exceedance.contains("(1)") && exceedance.contains("(2)"),
        "{exceedance:.400}"
    );
    assert!(exceedance.contains("±0.0 pp"), "{exceedance:.400}");
    check_comparison(&c, (600, 400));
}

#[test]
fn a_scenario_with_no_gap_and_different_horizons() {
    let rich = RICH.replace("initial = 20", "initial = 5000");
    let longer = RICH.replace("horizon_years = 4", "horizon_years = 7");
    let c = comparison(&[&rich, &longer], 300);
    assert_eq!(c.summaries[0].shortfall_probability.estimate, 0.0);
    check_comparison(&c, (1200, 800));
    // No gap anywhere.
    let c = comparison(&[&rich, &rich], 100);
    let (exceedance, _) = check_comparison(&c, (1200, 800));
    assert!(exceedance.contains("No trial of any scenario has a funding gap"));
}

#[test]
fn a_comparison_of_one_scenario_and_of_one_trial() {
    check_comparison(&comparison(&[RICH], 200), (1200, 800));
    check_comparison(&comparison(&[RICH, RICH], 1), (600, 400));
}

#[test]
fn sweeps_render() {
    let path = "rounds.a.participants.fund.amount";
    // Five points with a target met between two of them.
    let s = sweep_of(
        RICH,
        path,
        &[1.0, 10.0, 20.0, 40.0, 80.0],
        Some("shortfall_probability<=0.3"),
        300,
    );
    let texts = check_sweep(&s, (1200, 800));
    if s.seek.as_ref().is_some_and(|k| k.value.is_some()) {
        assert!(texts.contains("target met at"), "{texts:.400}");
    }
    assert!(texts.contains(path), "the x axis names the swept input");
    check_sweep(&s, (600, 400));
    // Two points; a target on the gap.
    let s = sweep_of(RICH, path, &[5.0, 15.0], Some("gap_p90<=20"), 200);
    check_sweep(&s, (1200, 800));
    // A target on a report year.
    let s = sweep_of(
        RICH,
        path,
        &[1.0, 50.0],
        Some("shortfall_probability_2027<=0.2"),
        200,
    );
    check_sweep(&s, (600, 400));
    // A target that no value meets.
    let s = sweep_of(
        RICH,
        path,
        &[1.0, 2.0],
        Some("shortfall_probability<=0"),
        200,
    );
    assert_eq!(s.seek.as_ref().and_then(|k| k.value), None);
    let texts = check_sweep(&s, (1200, 800));
    assert!(texts.contains("not met"), "{texts:.400}");
}

#[test]
fn degenerate_sweeps_render() {
    let path = "rounds.a.participants.fund.amount";
    // One point.
    check_sweep(&sweep_of(RICH, path, &[10.0], None, 100), (1200, 800));
    // No gap at any value, and a target already met at the lowest.
    let rich = RICH.replace("initial = 20", "initial = 5000");
    let s = sweep_of(&rich, path, &[1.0, 2.0], Some("gap_mean<=1"), 100);
    let texts = check_sweep(&s, (1200, 800));
    assert!(
        texts.contains("No funding gap at any swept value"),
        "{:?} {texts}",
        s.points
    );
    assert!(texts.contains("already"), "{texts:.400}");
    // Every trial short at every value.
    let broke = RICH.replace("total = 60", "total = 6000");
    check_sweep(
        &sweep_of(&broke, path, &[1.0, 2.0, 3.0], None, 50),
        (600, 400),
    );
    // No points at all (not produced by `sweep`, but the chart still draws).
    let mut empty = sweep_of(RICH, path, &[1.0], None, 10);
    empty.points.clear();
    check_sweep(&empty, (1200, 800));
}

/// The charts of the shipped scenarios: base against no-round, and base with Amazon's part of
/// the 2026 round swept from $10B to $50B.
#[test]
fn the_real_comparison_and_sweep() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let model = |name: &str| {
        compile(&load(&dir.join(name), &[]).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let c = compare(
        &[model("base.toml"), model("no-round.toml")],
        &cfg(4_000),
        &|_| {},
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (exceedance, _) = check_comparison(&c, (1200, 800));
    assert!(exceedance.contains("base vs no-round"));
    check_comparison(&c, (600, 400));

    let base = dir.join("base.toml");
    let path = "rounds.2026.participants.amazon.amount";
    let build = |v: f64| compile(&load(&base, &[format!("{path}={v}")])?);
    let values: Vec<f64> = (0..5).map(|i| 10.0 + 10.0 * i as f64).collect();
    let target = Target::parse("gap_p50<=360").unwrap_or_else(|e| panic!("{e}"));
    let s = sweep(
        "base",
        Default::default(),
        path,
        &values,
        &build,
        &cfg(2_000),
        Some(&target),
        &|_, _| {},
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    check_sweep(&s, (1200, 800));
    check_sweep(&s, (600, 400));

    if let Some(out) = std::env::var_os("FG_CHART_DIR") {
        for (size, sub) in [((1200, 800), "full"), ((600, 400), "half")] {
            let out = PathBuf::from(&out).join(sub);
            std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
            render_comparison(&c, &out, &opts(size)).unwrap_or_else(|e| panic!("{e}"));
            render_sweep(&s, &out, &opts(size)).unwrap_or_else(|e| panic!("{e}"));
            // The run's own charts too, to see the shared title block.
            let run = out.join("run");
            std::fs::create_dir_all(&run).unwrap_or_else(|e| panic!("{e}"));
            funding_gap::chart::render_all(&c.summaries[0], &run, &opts(size))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

#[test]
fn four_scenarios_each_in_its_own_colour_and_dash() {
    let named = |name: &str, toml: String| format!("name = \"{name}\"\n{toml}");
    let c = comparison(
        &[
            &named("rich", RICH.to_string()),
            &named("lean", RICH.replace("initial = 20", "initial = 8")),
            &named("flush", RICH.replace("initial = 20", "initial = 40")),
            &named(
                "longer",
                RICH.replace("horizon_years = 4", "horizon_years = 6"),
            ),
        ],
        500,
    );
    let (exceedance, fan) = check_comparison(&c, (1200, 800));
    assert!(exceedance.contains("rich vs lean, flush, longer"));
    for name in ["lean", "flush", "longer"] {
        assert!(fan.contains(&format!("{name}: median")), "{fan:.400}");
    }
    check_comparison(&c, (600, 400));
}
