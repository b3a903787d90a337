//! Every chart renders for every shipped scenario and for degenerate data, as a PNG of the
//! requested size and as well-formed SVG carrying its title.

mod analysis;
mod readability;

use std::path::Path;

use funding_gap::chart::{Chart, ChartOptions, Format, render_all, render_bytes};
use funding_gap::engine::{RunConfig, simulate};
use funding_gap::model::compile;
use funding_gap::scenario::{load, load_str};
use funding_gap::summary::{Summary, summarize};

fn summary_of(scenario: funding_gap::scenario::Scenario, trials: u64) -> Summary {
    let model = compile(&scenario).unwrap_or_else(|e| panic!("{e}"));
    let cfg = RunConfig {
        trials,
        seed: 3,
        threads: Some(2),
        save_trials: false,
        worst: 0,
    };
    let run = simulate(&model, &cfg, &|_| {}, None, None).unwrap_or_else(|e| panic!("{e}"));
    summarize(&model, &run)
}

fn from_toml(toml: &str, trials: u64) -> Summary {
    summary_of(
        load_str(toml, "test.toml", None, &[]).unwrap_or_else(|e| panic!("{e}")),
        trials,
    )
}

/// Renders every chart in both formats at `size` and checks each file.
fn check_all(s: &Summary, size: (u32, u32)) {
    let opts = ChartOptions {
        formats: vec![Format::Png, Format::Svg],
        width: size.0,
        height: size.1,
    };
    // Every chart of the run: Chart::ALL, and the capacity chart where the scenario has one.
    for chart in Chart::of(s) {
        let png = render_bytes(chart, s, Format::Png, &opts)
            .unwrap_or_else(|e| panic!("{}: {e}", s.scenario));
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder
            .read_info()
            .unwrap_or_else(|e| panic!("{}: {e}", chart.file_stem()));
        let info = reader.info();
        assert_eq!(
            (info.width, info.height),
            size,
            "{} PNG size",
            chart.file_stem()
        );

        let svg = render_bytes(chart, s, Format::Svg, &opts).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(svg).unwrap_or_default();
        let doc = roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{} SVG is not well-formed XML: {e}", chart.file_stem()));
        let texts: String = doc
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            texts.contains(&format!("{} —", s.scenario)),
            "{} SVG lacks its title: {texts:.200}",
            chart.file_stem()
        );
        assert!(
            texts.contains("seed"),
            "{} SVG lacks its subtitle",
            chart.file_stem()
        );
    }
}

#[test]
fn every_chart_renders_for_every_scenario() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut seen = 0;
    // scenarios/*.toml and the published analyses, scenarios/published/*.toml
    let entries = [dir.clone(), dir.join("published")]
        .into_iter()
        .flat_map(|d| std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.extension().is_some_and(|x| x == "toml") {
            let s = summary_of(load(&path, &[]).unwrap_or_else(|e| panic!("{e}")), 3_000);
            check_all(&s, (1200, 800));
            seen += 1;
        }
    }
    assert!(seen >= 2);
}

#[test]
fn charts_are_written_to_disk_with_their_names() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let s = from_toml(RICH, 500);
    let written =
        render_all(&s, tmp.path(), &ChartOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(written.len(), 2 * Chart::ALL.len());
    for chart in Chart::ALL {
        for ext in ["png", "svg"] {
            assert!(
                tmp.path()
                    .join(format!("{}.{ext}", chart.file_stem()))
                    .is_file()
            );
        }
    }
    // Nothing but the charts: no temporary files left behind.
    assert_eq!(
        std::fs::read_dir(tmp.path())
            .map(|d| d.count())
            .unwrap_or(0),
        2 * Chart::ALL.len()
    );
}

/// A small scenario with a round, an IPO and a debt facility.
const RICH: &str = r#"
[time]
start = 2026
horizon_years = 4
report_years = [2027]
[cash]
initial = 20
min_cash = 2
[revenue.core]
run_rate = 10
growth = { low = 0.2, high = 1.0 }
volatility = 0.3
[obligations.cloud]
total = 60
start = 2026
years = 4
[obligations.chips]
counterparty = "Chips"
total = 30
start = 2027
years = 2
[rounds.a]
close = 2026.5
[rounds.a.participants.fund]
amount = { low = 5, high = 20 }
[ipo]
probability = 0.5
date = { low = 2027, high = 2028 }
multiple = 10
raise_share = 0.05
[debt]
limit = 2
rate = 0.05
"#;

#[test]
fn no_trial_has_a_gap() {
    let s = from_toml(&RICH.replace("initial = 20", "initial = 5000"), 400);
    assert_eq!(s.shortfall_probability.estimate, 0.0);
    check_all(&s, (1200, 800));
}

#[test]
fn every_trial_has_a_gap() {
    let s = from_toml(&RICH.replace("total = 60", "total = 6000"), 400);
    assert_eq!(s.shortfall_probability.estimate, 1.0);
    check_all(&s, (1200, 800));
}

#[test]
fn a_single_trial() {
    let s = from_toml(RICH, 1);
    assert_eq!(s.trials, 1);
    check_all(&s, (1200, 800));
}

#[test]
fn all_values_equal() {
    // Every input fixed and no volatility: every trial is the same.
    let toml = RICH
        .replace("growth = { low = 0.2, high = 1.0 }", "growth = 0.5")
        .replace("volatility = 0.3", "")
        .replace("amount = { low = 5, high = 20 }", "amount = 10")
        .replace("probability = 0.5", "probability = 1")
        .replace("date = { low = 2027, high = 2028 }", "date = 2027.5");
    let s = from_toml(&toml, 50);
    assert_eq!(s.bands.cash.p5, s.bands.cash.p95);
    check_all(&s, (1200, 800));
}

#[test]
fn a_thirty_year_monthly_horizon() {
    let toml = RICH
        .replace(
            "horizon_years = 4",
            "horizon_years = 30\nsteps_per_year = 12",
        )
        .replace("report_years = [2027]", "report_years = [2027, 2040, 2055]");
    let s = from_toml(&toml, 200);
    assert_eq!(s.bands.t.len(), 361);
    check_all(&s, (1200, 800));
}

#[test]
fn half_size_and_odd_sizes_render() {
    let s = from_toml(RICH, 300);
    check_all(&s, (600, 400));
    check_all(&s, (1600, 900));
}

#[test]
fn a_scenario_without_obligations_or_rounds() {
    let toml = r#"
[time]
start = 2026
horizon_years = 2
[cash]
initial = 1
[revenue.core]
run_rate = 1
growth = 0.1
"#;
    let s = from_toml(toml, 20);
    check_all(&s, (1200, 800));
}
