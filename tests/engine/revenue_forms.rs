//! The revenue segments given as annual figures and by their drivers: known answers with every
//! input fixed, the partial first year, the rule after the last year, and the drivers as
//! inputs (`--set`, sensitivity, correlations).

use crate::support::{close, model, run, trial};
use funding_gap::model::compile;
use funding_gap::scenario::load_str;
use funding_gap::sim::years::series;

/// A scenario with one segment `body` (its fields), starting at `start`, with `steps` steps a
/// year over `years` years; nothing else moves cash.
fn scenario(start: &str, steps: u32, years: f64, body: &str) -> String {
    format!(
        "[time]\nstart = {start}\nhorizon_years = {years}\nsteps_per_year = {steps}\n\n[cash]\ninitial = 10\n\n[revenue.plan]\n{body}\n"
    )
}

/// Revenue booked in each calendar year of one trial, by year.
fn revenue_by_year(toml: &str) -> Vec<(i32, f64)> {
    let m = model(toml);
    let s = trial(&m, 3, 0);
    let ny = m.grid.years.len();
    m.grid
        .years
        .iter()
        .enumerate()
        .map(|(i, &y)| (y, s.outcome.years[series::REVENUE * ny + i]))
        .collect()
}

/// Zero uncertainty: each calendar year books exactly its figure, at any step length; with a
/// mid-year start the first year books the figure × the half inside the horizon, and so does
/// a last year cut by the horizon. The summary's `annual` says the same.
#[test]
fn annual_figures_are_booked_exactly_in_their_years() {
    let body = "annual = { 2026 = 30, 2027 = 60, 2028 = 100 }";
    for steps in [1, 4, 12] {
        let got = revenue_by_year(&scenario("2026", steps, 3.0, body));
        assert_eq!(got.len(), 3);
        for ((y, r), want) in got.iter().zip([30.0, 60.0, 100.0]) {
            close(*r, want, 1e-9, &format!("{steps} steps/yr, {y}"));
        }
    }
    for steps in [4, 12] {
        let got = revenue_by_year(&scenario("2026.5", steps, 2.5, body));
        let want = [(2026, 15.0), (2027, 60.0), (2028, 100.0)];
        assert_eq!(got.len(), want.len(), "{steps} steps/yr");
        for ((y, r), (wy, w)) in got.iter().zip(want) {
            assert_eq!(*y, wy);
            close(
                *r,
                w,
                1e-9,
                &format!("mid-year start, {steps} steps/yr, {y}"),
            );
        }
        // A horizon that ends mid-2028 books half of 2028.
        let got = revenue_by_year(&scenario("2026.5", steps, 2.0, body));
        close(got[2].1, 50.0, 1e-9, "half of the last year");
    }
    // The summary's calendar-year revenue, every trial the same.
    let m = model(&scenario("\"2026-Q3\"", 12, 2.5, body));
    let (_, sum) = run(&m, 50, 1, 2);
    for (y, want) in [("2026", 15.0), ("2027", 60.0), ("2028", 100.0)] {
        let a = &sum.annual[y];
        close(a.revenue.p50, want, 1e-9, &format!("summary p50 {y}"));
        close(a.revenue.mean, want, 1e-9, &format!("summary mean {y}"));
    }
}

/// Between given years, linear by default or the earlier figure with `step`; after the last,
/// flat, or grown by `after_growth` each year; `scale` multiplies every year.
#[test]
fn annual_figures_fill_gaps_and_continue_after_the_last() {
    let got = revenue_by_year(&scenario(
        "2026",
        4,
        5.0,
        "annual = { 2026 = 30, 2028 = 100 }\nafter_growth = 0.1\nscale = 2",
    ));
    let want = [60.0, 130.0, 200.0, 220.0, 242.0];
    for ((y, r), w) in got.iter().zip(want) {
        close(*r, w, 1e-9, &format!("linear gap and growth after, {y}"));
    }
    let got = revenue_by_year(&scenario(
        "2026",
        4,
        4.0,
        "annual = { 2026 = 30, 2028 = 100 }\ninterpolation = \"step\"",
    ));
    let want = [30.0, 30.0, 100.0, 100.0];
    for ((y, r), w) in got.iter().zip(want) {
        close(*r, w, 1e-9, &format!("step gap, flat after, {y}"));
    }
}

/// The run-rate of a driver segment is the product of its drivers, read at the start of each
/// step: users (billions) × (paying share × 12 × $/month + ads $/user/yr) + market × share.
#[test]
fn driver_segment_is_the_product_of_its_drivers() {
    let body = r#"users = { ceiling = 3.0, midpoint = 2028.0, steepness = 0.9 }
paying_share = { 2026 = 0.05, 2030 = 0.09 }
price_per_month = 20
ads_per_user = 2
market = { 2026 = 100, 2028 = 300 }
share = 0.4"#;
    let m = model(&scenario("2026", 4, 4.0, body));
    let s = trial(&m, 1, 0);
    for (k, &t) in m.grid.t[..m.grid.n].iter().enumerate() {
        let users = 3.0 / (1.0 + (-0.9 * (t - 2028.0)).exp());
        let paying = 0.05 + 0.04 * (t - 2026.0) / 4.0;
        let market = if t < 2028.0 {
            100.0 + 200.0 * (t - 2026.0) / 2.0
        } else {
            300.0
        };
        let want = users * (paying * 12.0 * 20.0 + 2.0) + market * 0.4;
        close(s.revenue[k], want, 1e-9, &format!("run-rate at {t}"));
    }
}

/// With `start`, the S-curve passes through it at the simulation's start and tends to the
/// ceiling, with its inflection at the midpoint.
#[test]
fn users_with_a_start_pass_through_it() {
    let body = r#"users = { ceiling = 3.0, midpoint = 2027.5, steepness = 1.2, start = 0.8 }
ads_per_user = 1"#;
    let m = model(&scenario("2025.5", 12, 30.0, body));
    let s = trial(&m, 1, 0);
    close(s.revenue[0], 0.8, 1e-12, "users at the start");
    close(s.revenue[m.grid.n - 1], 3.0, 1e-6, "users near the ceiling");
    // The steepest monthly rise is around the midpoint.
    let rises: Vec<f64> = s.revenue.windows(2).map(|w| w[1] - w[0]).collect();
    let k = rises
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(k, _)| k);
    close(m.grid.t[k], 2027.5, 1.0 / 12.0 + 1e-9, "inflection");
    assert!(s.revenue.windows(2).all(|w| w[1] >= w[0]), "rising");
}

/// Every driver (and every point of a driver's path, and every annual figure) is an input by
/// its path (what `--set`, sweep, compare and the sensitivity name): one `--set` changes it.
#[test]
fn drivers_are_inputs_by_path() {
    let text = scenario(
        "2026",
        4,
        5.0,
        r#"users = { ceiling = { low = 2.5, high = 3.5 }, midpoint = 2028.0, steepness = 0.9 }
paying_share = { 2026 = 0.05, 2030 = { low = 0.08, high = 0.12 } }
price_per_month = 20"#,
    );
    let sc = load_str(&text, "t.toml", None, &[]).unwrap_or_else(|e| panic!("{e}"));
    let paths: Vec<String> = compile(&sc)
        .unwrap_or_else(|e| panic!("{e}"))
        .inputs
        .iter()
        .map(|i| i.path.clone())
        .collect();
    assert_eq!(
        paths,
        [
            "revenue.plan.users.ceiling",
            "revenue.plan.paying_share.2030"
        ]
    );
    // HSBC's sensitivities, one --set each.
    let set = |o: &[&str]| {
        let o: Vec<String> = o.iter().map(|s| s.to_string()).collect();
        let sc = load_str(&text, "t.toml", None, &o).unwrap_or_else(|e| panic!("{e}"));
        let m = compile(&sc).unwrap_or_else(|e| panic!("{e}"));
        trial(&m, 1, 0).revenue[16] // 2030.0
    };
    let base = set(&[
        "revenue.plan.users.ceiling=3",
        "revenue.plan.paying_share.2030=0.1",
    ]);
    let users = 3.0 / (1.0 + (-0.9f64 * 2.0).exp());
    close(base, users * 0.1 * 240.0, 1e-9, "base");
    let doubled = set(&[
        "revenue.plan.users.ceiling=3",
        "revenue.plan.paying_share.2030=0.2",
    ]);
    close(doubled, 2.0 * base, 1e-9, "paying share 20 % in 2030");
    let more = set(&[
        "revenue.plan.users.ceiling=3",
        "revenue.plan.users.ceiling+=0.5",
        "revenue.plan.paying_share.2030=0.1",
    ]);
    close(more, base * 3.5 / 3.0, 1e-9, "+0.5B users at the ceiling");
}

/// Annual figures take uncertainty from each year's figure, the `scale` and the shocks; with
/// a volatility the mean of each year's revenue stays its figure (the shocks have mean 1).
#[test]
fn annual_figures_with_noise_keep_their_mean() {
    let m = model(&scenario(
        "2026",
        4,
        3.0,
        "annual = { 2026 = 30, 2027 = 60, 2028 = 100 }\nvolatility = 0.3",
    ));
    let (_, sum) = run(&m, 20_000, 5, 2);
    for (y, want) in [("2026", 30.0), ("2027", 60.0), ("2028", 100.0)] {
        let a = &sum.annual[y];
        // Five standard errors: a wrong drift (no −σ²/2) is off by several percent.
        close(
            a.revenue.mean,
            want,
            5.0 * a.revenue.std_error + 1e-9,
            &format!("mean revenue {y}"),
        );
    }
    assert!(
        sum.annual["2028"].revenue.p95 > 110.0,
        "the shocks spread it"
    );
}
