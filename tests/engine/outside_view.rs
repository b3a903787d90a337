//! `scenarios/outside-view.toml`: its revenue growth is the published base-rate distribution
//! (docs/sources.md §6.4: The Base Rate Book, Exhibit 4, five-year sales CAGR, starting sales
//! $12–25B) shifted by the file's inflation, and its median 2030 revenue sits below base's.
//! A change to the file's growth that the source does not back fails here.

use crate::support::{close, run, scenario_file};
use funding_gap::model::Model;

/// The file's assumption: real band edges + this inflation = nominal band edges.
const INFLATION: f64 = 0.025;

/// sources.md §6.4: share of companies (%) in each 5-point band of real five-year sales CAGR,
/// from below −25 % to above 45 %, starting sales $12–25B (2015 $).
const SHARES: [f64; 16] = [
    0.3, 0.6, 1.2, 2.5, 6.4, 19.7, 33.3, 21.1, 8.2, 3.6, 1.7, 0.7, 0.4, 0.3, 0.0, 0.1,
];

/// The upper edges of the bands but the last (real growth): −25 %, −20 %, …, 45 %.
fn band_edges() -> Vec<f64> {
    (0..15).map(|i| -0.25 + 0.05 * f64::from(i)).collect()
}

/// The distribution of the input at `path`.
fn input<'a>(m: &'a Model, path: &str) -> &'a funding_gap::dist::Dist {
    &m.inputs
        .iter()
        .find(|i| i.path == path)
        .unwrap_or_else(|| panic!("no input {path}"))
        .dist
}

/// At each published band edge, the share of the growth distribution below it (nominal edge =
/// real edge + inflation) is the published cumulative share: the file's mixture is the
/// source's histogram, band for band.
#[test]
fn outside_view_growth_is_the_published_histogram() {
    let m = scenario_file("outside-view.toml", &[]);
    let g = input(&m, "revenue.total.growth");
    let total: f64 = SHARES.iter().sum();
    let mut below = 0.0;
    for (edge, share) in band_edges().into_iter().zip(SHARES) {
        below += share;
        close(
            g.cdf(edge + INFLATION),
            below / total,
            1e-9,
            &format!("share below {:.0} % real", edge * 100.0),
        );
    }
    // Nothing below −35 % or above 60 % real: the file's closure of the two open bands.
    close(g.cdf(-0.35 + INFLATION), 0.0, 1e-12, "lowest band's floor");
    close(g.cdf(0.60 + INFLATION), 1.0, 1e-12, "top band's ceiling");
}

/// The quantiles the file's comment states ("Resulting nominal quantiles (D)"), to the 0.1
/// point it gives them.
#[test]
fn outside_view_growth_quantiles_are_the_ones_the_file_states() {
    let m = scenario_file("outside-view.toml", &[]);
    let g = input(&m, "revenue.total.growth");
    for (u, stated) in [
        (0.05, -0.072),
        (0.10, -0.033),
        (0.50, 0.054),
        (0.90, 0.155),
        (0.95, 0.200),
        (0.99, 0.311),
    ] {
        close(
            g.quantile(u),
            stated,
            0.0005 + 1e-9,
            &format!("p{}", u * 100.0),
        );
    }
}

/// With base-rate growth, the median 2030 revenue is far below base's (which centres near the
/// company's plan, shaded down), and close to the start run-rate compounded at the median
/// growth: no shocks, no slump, so a trial's revenue is its start × (1 + g)^t.
#[test]
fn outside_view_median_2030_revenue_is_below_base() {
    let trials = 4_000;
    let (_, ov) = run(&scenario_file("outside-view.toml", &[]), trials, 42, 2);
    let (_, base) = run(&scenario_file("base.toml", &[]), trials, 42, 2);
    let ov_2030 = ov.annual["2030"].revenue.p50;
    let base_2030 = base.annual["2030"].revenue.p50;
    assert!(
        ov_2030 < base_2030,
        "outside-view's median 2030 revenue ${ov_2030:.1}B should be below base's ${base_2030:.1}B"
    );
    // 2030 books the run-rates at 2030.0, .25, .5 and .75: ~21.3 × 1.054^4.375 ≈ $26.7B.
    let approx: f64 = (0..4)
        .map(|q| 21.3 * 1.0541_f64.powf(4.0 + 0.25 * f64::from(q)) / 4.0)
        .sum();
    close(ov_2030, approx, 1.0, "outside-view median 2030 revenue, $B");
}
