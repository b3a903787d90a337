//! Bad scenario files. Each fixture `extends` `tests/fixtures/minimal.toml` (a valid scenario)
//! and gets exactly one thing wrong; each test checks `run` and `validate` on it (see
//! [`crate::bad_fixture`]): exit status 2, `error: ` first, the file, the field path, the bad
//! value and what is allowed, no panic, nothing written.

use crate::{assert_error, bad_fixture, fixture, funding_gap};

#[test]
fn minimal_fixture_is_valid() {
    // The base every bad fixture extends: if this fails, every other test here is moot.
    let out = funding_gap(&["validate", &fixture("minimal.toml")]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(
        out.stdout.starts_with("ok: tests/fixtures/minimal.toml"),
        "{}",
        out.dump()
    );
}

#[test]
fn toml_syntax_error_gives_line_and_column() {
    // Line 4 is `start = "2026-Q1` (no closing quote).
    bad_fixture("bad_syntax.toml", &["bad_syntax.toml:4:", "string"]);
}

#[test]
fn wrong_type_gives_position_and_value() {
    // `horizon_years = "eight"` on line 5, the value at column 17.
    // The field path and plain wording are checked in known_issues.
    bad_fixture("wrong_type.toml", &["wrong_type.toml:5:17:", "\"eight\""]);
}

#[test]
fn unknown_field_suggests_the_near_name() {
    bad_fixture(
        "unknown_field.toml",
        &[
            "unknown_field.toml:5:1:",
            "unknown field `horizon_yeras`",
            // what is allowed
            "expected one of `start`, `horizon_years`",
            "did you mean `horizon_years`?",
        ],
    );
}

#[test]
fn probability_above_one() {
    bad_fixture(
        "probability_out_of_range.toml",
        &[
            "rounds.seed.participants.fund.probability = 1.5",
            "must be a probability in [0, 1]",
        ],
    );
}

#[test]
fn negative_obligation_total() {
    bad_fixture(
        "negative_amount.toml",
        &["obligations.cloud.total = -5", "must be a number ≥ 0"],
    );
}

#[test]
fn tranche_dated_before_the_round_closes() {
    bad_fixture(
        "tranche_before_close.toml",
        &[
            "rounds.seed.participants.fund.tranches.1.when = 2026.25",
            "is before the round's close (2026.5)",
        ],
    );
}

#[test]
fn cost_from_after_until() {
    bad_fixture(
        "cost_from_after_until.toml",
        &["costs.opex.until = 2027", "must be after `from` (2029)"],
    );
}

#[test]
fn distribution_with_low_above_high() {
    bad_fixture(
        "low_above_high.toml",
        &[
            "revenue.core.growth = { low = 0.8, high = 0.2 }",
            "low (0.8) must not be greater than high (0.2)",
        ],
    );
}

#[test]
fn correlation_rho_outside_minus_one_one() {
    bad_fixture(
        "rho_out_of_range.toml",
        &[
            "correlations.0.rho = 1.5",
            "must be a correlation in [-1, 1]",
        ],
    );
}

#[test]
fn correlation_matrix_not_positive_semi_definite_names_the_pairs() {
    bad_fixture(
        "correlation_not_psd.toml",
        &[
            "correlations",
            "not positive semi-definite",
            "correlations.0 cash.initial–revenue.core.growth (0.9)",
            "correlations.1 cash.initial–rounds.seed.participants.fund.amount (0.9)",
            "correlations.2 revenue.core.growth–rounds.seed.participants.fund.amount (-0.9)",
            "weaken or change the sign",
        ],
    );
}

#[test]
fn correlation_naming_an_unknown_input_suggests_the_near_path() {
    bad_fixture(
        "correlation_unknown_path.toml",
        &[
            "correlations.0.between = \"revenue.core.grwoth\"",
            "names no input of this scenario",
            "did you mean `revenue.core.growth`?",
        ],
    );
}

#[test]
fn extends_a_missing_file() {
    bad_fixture(
        "extends_missing.toml",
        &[
            "cannot read scenario file 'tests/fixtures/no_such_base.toml'",
            "(extended by 'tests/fixtures/extends_missing.toml')",
            "no such file",
        ],
    );
}

#[test]
fn extends_cycle_shows_the_chain() {
    for (name, other) in [
        ("cycle_a.toml", "cycle_b.toml"),
        ("cycle_b.toml", "cycle_a.toml"),
    ] {
        let out = bad_fixture(name, &["extends cycle", other]);
        let chain = format!("{name} -> ");
        assert!(out.stderr.contains(&chain), "{}", out.dump());
    }
}

#[test]
fn unbounded_normal_for_an_amount() {
    bad_fixture(
        "unbounded_normal.toml",
        &[
            "rounds.seed.participants.angel.amount = { mean = 10, sd = 5 }",
            "normal(mean 10, sd 5) can take values in",
            "must be a number ≥ 0",
            // the fix
            "min = 0",
        ],
    );
}

#[test]
fn numbers_beyond_1e12_are_rejected_before_they_can_overflow() {
    let out = funding_gap(&[
        "validate",
        &fixture("minimal.toml"),
        "--set",
        "cash.initial=1e308",
    ]);
    assert_error(&out, 2, &["cash.initial = 1e308", "at most 1e12"]);
    let out = funding_gap(&[
        "validate",
        &fixture("minimal.toml"),
        "--set",
        "cash.initial={ median = 10, sd_log = 1000 }",
    ]);
    assert_error(&out, 2, &["cash.initial.sd_log = 1000", "at most 10"]);
}
