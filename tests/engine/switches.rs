//! `switches`: each structural switch's effect where it is known by hand, and the pairing
//! that makes the changes precise.

use funding_gap::analysis::{Switch, Switches, switches};
use funding_gap::engine::RunConfig;
use funding_gap::model::{Model, compile};
use funding_gap::scenario::builtin_base;

use crate::support::{close, model, run};

fn cfg(trials: u64) -> RunConfig {
    RunConfig {
        trials,
        seed: 7,
        threads: Some(2),
        save_trials: false,
        worst: 0,
    }
}

fn run_switches(m: &Model, trials: u64) -> Switches {
    switches(m, &cfg(trials), &|_| {}, None).unwrap_or_else(|e| panic!("{e}"))
}

/// Flat revenue and costs, a certain IPO at a fixed date, multiple and share, and a round
/// whose tied spend creates $5B of new obligations inside the horizon; nothing reacts to
/// cash (no debt, nothing deferrable), and the starting cash is uncertain so trials differ.
const KNOWN: &str = r#"
name = "known"
description = "switches with known answers"

[time]
start = 2026
horizon_years = 3
steps_per_year = 4

[cash]
initial = { low = 80.0, high = 120.0 }
min_cash = 0.0

[revenue.core]
run_rate = 10.0
growth = 0.0
volatility = 0.0

[costs.opex]
annual = 5.0
growth = 0.0

[rounds.seed]
close = 2026.25

[rounds.seed.participants.fund]
probability = 1.0
amount = 10.0
tranches = [{ share = 1.0, when = "close" }]
tied_spend = { share = 0.5, start = 2026.5, years = 1, profile = "flat" }

[ipo]
probability = 1.0
date = 2027.0
multiple = 20.0
raise_share = 0.1
"#;

/// IPO off removes the raise (multiple × run-rate × share = 20 × 10 × 0.1 = $20B) from every
/// trial's cash at the end; tied spend off gives back the $5B of new obligations the tied
/// money created. Both exactly, in every trial (paired s.e. 0); the switches with nothing to
/// turn off are n/a.
#[test]
fn ipo_and_tied_spend_off_move_cash_by_the_raise_and_the_tied_spend() {
    let s = run_switches(&model(KNOWN), 2_000);
    let row = |sw: Switch| {
        s.switches
            .iter()
            .find(|r| r.switch == sw)
            .unwrap_or_else(|| panic!("no row for {}", sw.label()))
    };
    let ipo = row(Switch::Ipo)
        .change
        .as_ref()
        .unwrap_or_else(|| panic!("IPO off did not run"));
    close(
        ipo.cash_end_mean.diff,
        -20.0,
        1e-9,
        "IPO off: mean cash_end change",
    );
    close(ipo.cash_end_mean.se, 0.0, 1e-9, "IPO off: its paired s.e.");
    assert!(
        ipo.cash_end_mean.se_unpaired > 0.1,
        "{:?}",
        ipo.cash_end_mean
    );
    let tied = row(Switch::TiedSpend)
        .change
        .as_ref()
        .unwrap_or_else(|| panic!("tied spend off did not run"));
    close(
        tied.cash_end_mean.diff,
        5.0,
        1e-9,
        "tied spend off: mean cash_end change",
    );
    close(
        tied.cash_end_mean.se,
        0.0,
        1e-9,
        "tied spend off: its paired s.e.",
    );
    for sw in [
        Switch::Deferral,
        Switch::Revolver,
        Switch::CapacityLink,
        Switch::Correlations,
    ] {
        let r = row(sw);
        assert!(
            r.not_applicable.is_some() && r.change.is_none() && r.value.is_none(),
            "{} should be n/a: {r:?}",
            sw.label()
        );
    }
}

/// On base, every switch's changes have a paired standard error below the one two
/// independent runs would give, and the baseline is the scenario's own run, to the bit.
#[test]
fn paired_errors_are_smaller_than_unpaired_on_base() {
    let base = builtin_base(&[]).unwrap_or_else(|e| panic!("{e}"));
    let m = compile(&base).unwrap_or_else(|e| panic!("{e}"));
    let s = run_switches(&m, 3_000);
    let (_, own) = run(&m, 3_000, 7, 2);
    assert_eq!(s.baseline.gap_mean.to_bits(), own.gap.mean.to_bits());
    assert_eq!(
        s.baseline.shortfall_probability,
        own.shortfall_probability.estimate
    );
    let mut ran = 0;
    for r in &s.switches {
        let Some(c) = &r.change else { continue };
        ran += 1;
        let mut all = vec![
            ("P(shortfall)", c.shortfall_probability),
            ("mean gap", c.gap_mean),
            ("mean deficit", c.deficit_mean),
            ("mean cash_end", c.cash_end_mean),
        ];
        all.extend(c.gap_mean_by_year.iter().map(|(_, v)| ("gap by year", *v)));
        for (what, ch) in all {
            assert!(
                ch.se < ch.se_unpaired,
                "{}: {what}: paired s.e. {} not below unpaired {}",
                r.label,
                ch.se,
                ch.se_unpaired
            );
        }
    }
    assert!(ran >= 5, "only {ran} switches ran on base");
}
