//! Regression tests for problems found by reviewing the binary's messages and behaviour.

use std::fs;

use tempfile::TempDir;

use crate::{Output, assert_error, fixture, funding_gap, root, run_fails};

/// Writes `body` to `bad.toml` in a fresh temp dir, after an `extends` of
/// `scenarios/bench.toml`, and runs `validate` on it (with `extra` arguments).
fn validate_variant(body: &str, extra: &[&str]) -> (TempDir, Output) {
    let tmp = TempDir::new().expect("temp dir");
    let file = tmp.path().join("bad.toml");
    let bench = root().join("scenarios/bench.toml");
    fs::write(
        &file,
        format!("extends = {:?}\n{body}", bench.display().to_string()),
    )
    .expect("write bad.toml");
    let mut args = vec!["validate".to_string(), file.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = funding_gap(&args);
    (tmp, out)
}

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

#[test]
fn pert_must_be_a_boolean_not_a_number() {
    for pert in ["1", "0", "\"yes\""] {
        let (_tmp, out) = validate_variant(
            &format!("[ipo]\nmultiple = {{ low = 0, mode = 0.5, high = 1, pert = {pert} }}\n"),
            &[],
        );
        assert_error(
            &out,
            2,
            &[&format!(
                "ipo.multiple.pert = {pert}: must be true or false"
            )],
        );
        assert!(
            !out.stderr.contains("is not a distribution"),
            "{}",
            out.dump()
        );
    }
}

/// The hint for a field that must be > 0 suggested `min = 0`, which fails the same check.
#[test]
fn the_hint_for_a_positive_field_suggests_something_that_passes() {
    let (_tmp, out) = validate_variant(
        "[revenue.consumer]\nhalf_life_years = { low = 0, high = 4 }\n",
        &[],
    );
    assert_error(&out, 2, &["must be a number > 0", "min = a } with a > 0"]);
    assert!(!out.stderr.contains("min = 0 }"), "{}", out.dump());
    for fixed in [
        "{ low = 0.5, high = 4 }",
        "{ p5 = 1, p95 = 4 }",
        "{ mean = 2, sd = 1, min = 0.5 }",
    ] {
        let (_tmp, out) = validate_variant(
            &format!("[revenue.consumer]\nhalf_life_years = {fixed}\n"),
            &[],
        );
        assert_eq!(out.code, Some(0), "{fixed}: {}", out.dump());
    }
}

/// "tranches = 0.9" read as if the field were set to 0.9.
#[test]
fn tranche_shares_that_do_not_sum_to_1_give_the_sum_in_words() {
    let (_tmp, out) = validate_variant(
        "[rounds.2026.participants.amazon]\ntranches = [{ share = 0.3 }, { share = 0.6, when = 2027 }]\n",
        &[],
    );
    assert_error(
        &out,
        2,
        &["rounds.2026.participants.amazon.tranches: the shares sum to 0.9; they must sum to 1"],
    );
    assert!(!out.stderr.contains("tranches = 0.9"), "{}", out.dump());
}

/// A horizon under a year gave "so a year from 2026 to 2025".
#[test]
fn a_report_year_with_a_horizon_under_a_year_says_the_minimum() {
    let out = funding_gap(&["validate", "bench", "--set", "time.horizon_years=0.25"]);
    assert_error(
        &out,
        2,
        &["the horizon must reach at least 2027 (horizon_years ≥ 1)"],
    );
    assert!(!out.stderr.contains("to 2025"), "{}", out.dump());
}

/// An invalid name was reported only once every other problem was fixed.
#[test]
fn an_invalid_name_is_listed_with_the_other_problems() {
    let (_tmp, out) = validate_variant("name = \"my case\"\n[ipo]\nprobability = 2\n", &[]);
    assert_error(
        &out,
        2,
        &[
            "name = \"my case\": must be a plain name",
            "ipo.probability = 2",
        ],
    );
}

/// "is required (a growth rate > -1 (-100 %/yr))": parentheses inside parentheses.
#[test]
fn a_missing_growth_rate_reads_without_nested_parentheses() {
    let tmp = TempDir::new().expect("temp dir");
    let file = tmp.path().join("bad.toml");
    fs::write(
        &file,
        "[time]\nstart = 2026\nhorizon_years = 4\n[cash]\ninitial = 1\n[revenue.consumer]\nrun_rate = 1\n",
    )
    .expect("write bad.toml");
    let out = funding_gap(&["validate", &file.display().to_string()]);
    assert_error(
        &out,
        2,
        &["revenue.consumer.growth: is required (a growth rate > -1, i.e. above -100 %/yr)"],
    );
}

/// `--set extends=nofile.toml` was silently ignored, and `validate` said ok.
#[test]
fn set_extends_is_an_error_not_ignored() {
    for arg in ["extends=nofile.toml", "extends=scenarios/base.toml"] {
        let out = funding_gap(&["validate", "bench", "--set", arg]);
        assert_error(
            &out,
            2,
            &[&format!("--set {arg}: extends cannot be set with --set")],
        );
        assert!(!out.stdout.contains("ok:"), "{}", out.dump());
    }
}

/// `segments = "consumer"` suggested a list of numbers, `[1, 2]`.
#[test]
fn a_list_of_names_is_exemplified_by_names() {
    let (_tmp, out) = validate_variant("[events.slump]\nsegments = \"consumer\"\n", &[]);
    assert_error(
        &out,
        2,
        &[
            "events.slump.segments: invalid type: string \"consumer\", expected a list such as [\"consumer\", \"enterprise\"]",
        ],
    );
    let out = funding_gap(&["validate", "bench", "--set", "time.report_years=2030"]);
    assert_error(&out, 2, &["expected a list such as [2028, 2030]"]);
}

/// `validate scenarios` (a directory) printed the OS's "Is a directory (os error 21)".
#[test]
fn a_directory_named_as_a_scenario_says_so_in_plain_words() {
    let out = funding_gap(&["validate", "scenarios"]);
    assert_error(
        &out,
        2,
        &[
            "'scenarios' is a directory, not a scenario file; name the files in it, e.g. scenarios/*.toml",
        ],
    );
    assert!(!out.stderr.contains("os error"), "{}", out.dump());
    let tmp = TempDir::new().expect("temp dir");
    fs::create_dir(tmp.path().join("dir")).expect("create dir");
    let file = tmp.path().join("bad.toml");
    fs::write(&file, "extends = \"dir\"\n").expect("write bad.toml");
    let out = funding_gap(&["validate", &file.display().to_string()]);
    assert_error(
        &out,
        2,
        &["dir' (extended by '", "is a directory, not a scenario file"],
    );
    assert!(!out.stderr.contains("os error"), "{}", out.dump());
}

/// `new notes/case.toml` with a file `notes` said "choose another --out"; `new` has no --out.
#[test]
fn new_under_a_file_names_what_new_takes() {
    let tmp = TempDir::new().expect("temp dir");
    let notes = tmp.path().join("notes");
    fs::write(&notes, "a file\n").expect("write notes");
    let target = notes.join("case.toml");
    let out = funding_gap(&["new", &target.display().to_string()]);
    assert_error(
        &out,
        1,
        &[
            &format!("'{}' is a file, not a folder", notes.display()),
            "give `new` a NAME",
        ],
    );
    assert!(!out.stderr.contains("--out"), "{}", out.dump());
    assert_eq!(fs::read_to_string(&notes).expect("read notes"), "a file\n");
}

/// `headlines --update missing.md` said "cannot write ...: No such file or directory (os
/// error 2)": it is a read that failed.
#[test]
fn headlines_update_of_a_missing_file_is_a_read_error_in_plain_words() {
    let tmp = TempDir::new().expect("temp dir");
    let missing = tmp.path().join("missing.md");
    let out = funding_gap(&[
        "headlines",
        &fixture("minimal.toml"),
        "--trials",
        "100",
        "--update",
        &missing.display().to_string(),
    ]);
    assert_error(
        &out,
        1,
        &[&format!(
            "cannot read '{}' (the file to update): no such file",
            missing.display()
        )],
    );
    assert!(!out.stderr.contains("os error"), "{}", out.dump());
    assert!(!missing.exists());
}

/// `sweep --set PATH=...` in a temp dir's `out`; returns the output and whether `out` exists.
fn sweep_in_tmp(scenario: &str, args: &[&str]) -> (Output, bool) {
    let tmp = TempDir::new().expect("temp dir");
    let out_dir = tmp.path().join("out");
    let mut full = vec![
        "sweep".to_string(),
        scenario.to_string(),
        "--trials".into(),
        "100".into(),
        "--charts".into(),
        "none".into(),
        "--out".into(),
        out_dir.display().to_string(),
    ];
    full.extend(args.iter().map(|s| s.to_string()));
    let out = funding_gap(&full);
    (out, out_dir.exists())
}

/// sweep quoted a rewritten argument (`--set ipo.probabilty=0`, `(set by --set
/// ipo.probability=1.5)`) instead of the one the user typed.
#[test]
fn sweep_errors_quote_the_set_as_typed() {
    let (out, _) = sweep_in_tmp("bench", &["--set", "ipo.probabilty=0:1:3"]);
    assert_error(
        &out,
        2,
        &["--set ipo.probabilty=0:1:3: unknown field `probabilty`"],
    );
    let (out, _) = sweep_in_tmp("bench", &["--set", "=1:2:3"]);
    assert_error(&out, 2, &["--set =1:2:3: the path before '=' is empty"]);
    let (out, _) = sweep_in_tmp("bench", &["--set", "ipo.probability=0.5:1.5:3"]);
    assert_error(
        &out,
        2,
        &["(set by --set ipo.probability=0.5:1.5:3, at ipo.probability = 1.5)"],
    );
    let (out, _) = sweep_in_tmp("nosuch", &["--set", "ipo.probability=0:1:3"]);
    assert_error(&out, 2, &["no scenario 'nosuch'"]);
    assert!(!out.stderr.contains("--set"), "{}", out.dump());
}

/// sweep checked only the first value: it ran the points before a bad one and had already
/// created the output directory.
#[test]
fn sweep_checks_every_value_before_running_or_writing() {
    for set in ["ipo.probability=0.5:1.5:3", "ipo.probability=0,0.5,2"] {
        let (out, created) = sweep_in_tmp("bench", &["--set", set]);
        assert_error(&out, 2, &["must be a probability in [0, 1]"]);
        assert!(out.stdout.is_empty(), "{}", out.dump());
        assert!(!created, "the output directory was created\n{}", out.dump());
    }
}

/// A target on a year the scenario does not report ran the sweep and said "widen the range".
#[test]
fn sweep_target_on_a_missing_report_year_is_an_error() {
    let (out, created) = sweep_in_tmp(
        "bench",
        &[
            "--set",
            "ipo.probability=0:1:3",
            "--target",
            "shortfall_probability_2040<=0.5",
        ],
    );
    assert_error(
        &out,
        2,
        &[
            "2040 is not a report year of bench (time.report_years: 2030); use shortfall_probability_2030",
        ],
    );
    assert!(!out.stderr.contains("widen the range"), "{}", out.dump());
    assert!(!created, "{}", out.dump());
}
