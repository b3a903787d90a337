//! Capacity bounds revenue (docs/model.md, "Capacity"): known answers on a deterministic
//! scenario, and a scenario without `[capacity]` untouched by the feature.

use crate::support::{close, model, run, trial};
use funding_gap::sim::capacity::{TOTALS, series};
use funding_gap::sim::years::SERIES;

/// Demand $20B/yr flat in two segments (12 + 8, the second not bound); 1 GW online at the
/// start; a contract bringing 2 GW at its realized share 0.5 from 2027 (ramp 2 years); $6B of
/// revenue per GW-year growing 50 %/yr.
const BOUND: &str = r#"
[time]
start = 2026
horizon_years = 4
steps_per_year = 1

[cash]
initial = 100

[revenue.chat]
run_rate = 12
growth = 0

[revenue.api]
run_rate = 8
growth = 0

[obligations.gpus]
total = 10
start = 2026
years = 4
realized_share = 0.5
capacity_gw = 2
online_from = 2027
online_years = 2

[capacity]
revenue_per_gw_year = 6
efficiency_growth = 0.5
existing_gw = 1
segments = ["chat"]
"#;

#[test]
fn served_revenue_is_the_least_of_demand_and_what_capacity_serves() {
    let m = model(BOUND);
    let s = trial(&m, 1, 0);
    // Capacity at t = 2026, 2027, 2028, 2029: 1, 1 + 1·0 = 1, 1 + 1·0.5, 1 + 1·1 GW.
    let gw = [1.0, 1.0, 1.5, 2.0];
    // Revenue per GW: 6·1.5^k = 6, 9, 13.5, 20.25; limit = gw × that.
    let limit = [6.0, 9.0, 20.25, 40.5];
    for k in 0..4 {
        close(s.cap_gw[k], gw[k], 1e-12, &format!("capacity {k}"));
        close(s.cap_limit[k], limit[k], 1e-12, &format!("limit {k}"));
        close(s.demand[k], 12.0, 1e-12, &format!("demand {k}"));
        // Only chat is bound: served chat = min(12, limit), api always 8.
        let served = 12.0_f64.min(limit[k]) + 8.0;
        close(s.revenue[k], served, 1e-12, &format!("revenue {k}"));
    }
    let o = &s.outcome;
    let ny = 4;
    let base = SERIES.len() * ny;
    let fig = |sr: usize, y: usize| o.years[base + TOTALS.len() + sr * ny + y];
    // Unserved: 6 + 3 + 0 + 0 = 9. Idle GW: 0, 0, 1.5 − 12/13.5, 2 − 12/20.25.
    let idle = [0.0, 0.0, 1.5 - 12.0 / 13.5, 2.0 - 12.0 / 20.25];
    close(o.years[base], 9.0, 1e-12, "unserved over the horizon");
    close(o.years[base + 1], idle.iter().sum(), 1e-12, "idle GW-years");
    for y in 0..4 {
        close(fig(series::DEMAND, y), 12.0, 1e-12, "demand by year");
        close(
            fig(series::UNSERVED, y),
            [6.0, 3.0, 0.0, 0.0][y],
            1e-12,
            "unserved by year",
        );
        close(fig(series::GW, y), gw[y], 1e-12, "GW by year");
        close(fig(series::IDLE, y), idle[y], 1e-12, "idle by year");
    }
    // The summary says the same, and every trial is bound.
    let (_, summary) = run(&m, 200, 1, 1);
    let Some(c) = summary.capacity.as_ref() else {
        panic!("no capacity summary");
    };
    close(c.unserved_revenue.mean, 9.0, 1e-9, "summary unserved");
    assert_eq!(c.probability_bound.estimate, 1.0);
    assert!(summary.bands.capacity.is_some());
}

#[test]
fn a_contract_that_never_joins_brings_no_capacity() {
    let toml = BOUND.replace(
        "[obligations.gpus]",
        "[rounds.r]\nclose = 2026\nprobability = 0\n\n[rounds.r.participants.p]\namount = 1\n\n[obligations.gpus]\nif_joins = \"rounds.r.participants.p\"",
    );
    let m = model(&toml);
    let s = trial(&m, 1, 0);
    for k in 0..4 {
        close(s.cap_gw[k], 1.0, 1e-12, &format!("capacity {k}"));
    }
}

#[test]
fn without_capacity_nothing_is_added() {
    let toml = BOUND
        .split("[obligations.gpus]")
        .next()
        .unwrap_or_default()
        .to_string();
    let m = model(&toml);
    let s = trial(&m, 1, 0);
    assert!(s.cap_gw.is_empty());
    assert_eq!(s.outcome.years.len(), SERIES.len() * 4);
    let (_, summary) = run(&m, 50, 1, 1);
    assert!(summary.capacity.is_none());
    let json = serde_json::to_string(&summary).unwrap_or_default();
    assert!(
        !json.contains("capacity"),
        "no capacity keys without [capacity]"
    );
}
