//! Regression tests for problems found by reviewing the binary's messages and behaviour.

use crate::{assert_error, fixture, funding_gap, run_fails};

#[test]
fn wrong_type_names_the_field_and_the_allowed_type() {
    let out = run_fails(&[&fixture("wrong_type.toml")], 2, &["\"eight\""]);
    assert!(out.stderr.contains("time.horizon_years"), "{}", out.dump());
    assert!(!out.stderr.contains("f64"), "{}", out.dump());
}

#[test]
fn extends_replaces_a_distribution_instead_of_merging_it() {
    let out = funding_gap(&["validate", &fixture("variant_truncated_normal.toml")]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
}

#[test]
fn set_with_the_wrong_shape_uses_plain_words() {
    let out = funding_gap(&[
        "validate",
        &fixture("minimal.toml"),
        "--set",
        "revenue.core=5",
    ]);
    assert_error(&out, 2, &["--set revenue.core=5"]);
    assert!(!out.stderr.contains("Raw"), "{}", out.dump());
    assert!(!out.stderr.contains("struct"), "{}", out.dump());
}
