//! Bad command lines: `--set`, `--trials`, `--threads`, `--out`, unknown scenarios.

use std::fs;

use tempfile::TempDir;

use crate::{assert_error, assert_nothing_written, fixture, funding_gap, run_fails};

/// `run tests/fixtures/minimal.toml --set ARG`, expected to fail with exit status 2.
fn set_fails(arg: &str, needles: &[&str]) {
    let minimal = fixture("minimal.toml");
    run_fails(&[&minimal, "--set", arg], 2, needles);
    let validate = funding_gap(&["validate", &minimal, "--set", arg]);
    assert_error(&validate, 2, needles);
}

#[test]
fn set_path_through_a_missing_table_suggests_the_near_name() {
    set_fails(
        "revenue.cor.growth=0.5",
        &[
            "--set revenue.cor.growth=0.5",
            "`revenue` has no `cor`",
            "(it has: core)",
            "did you mean `core`?",
        ],
    );
}

#[test]
fn set_path_to_a_section_the_scenario_lacks() {
    set_fails(
        "ipo.probability=0.5",
        &["--set ipo.probability=0.5", "the scenario has no `ipo`"],
    );
}

#[test]
fn set_misspelt_field_suggests_the_near_name() {
    set_fails(
        "revenue.core.grwoth=0.5",
        &[
            "--set revenue.core.grwoth=0.5",
            "unknown field `grwoth`",
            "did you mean `growth`?",
        ],
    );
}

#[test]
fn set_without_equals_sign() {
    set_fails(
        "revenue.core.growth",
        &["--set revenue.core.growth", "expected PATH=VALUE"],
    );
}

#[test]
fn set_list_index_out_of_range() {
    set_fails(
        "rounds.seed.participants.fund.tranches.5.when=2027",
        &[
            "`rounds.seed.participants.fund.tranches` has 2 entries",
            "index 5 is out of range",
        ],
    );
}

#[test]
fn set_value_outside_the_field_range() {
    set_fails(
        "obligations.cloud.total=-5",
        &["obligations.cloud.total = -5", "must be a number ≥ 0"],
    );
}

#[test]
fn trials_zero_on_the_command_line() {
    run_fails(
        &[&fixture("minimal.toml"), "--trials", "0"],
        2,
        &["trials must be at least 1 (got 0)"],
    );
}

#[test]
fn trials_zero_in_the_scenario() {
    set_fails("run.trials=0", &["run.trials = 0", "must be at least 1"]);
}

#[test]
fn threads_zero() {
    run_fails(
        &[&fixture("minimal.toml"), "--threads", "0"],
        2,
        &["'0'", "--threads", "1..=1024"],
    );
}

#[test]
fn unknown_scenario_name() {
    run_fails(
        &["nosuchscenario"],
        2,
        &[
            "no scenario 'nosuchscenario'",
            "scenarios/nosuchscenario.toml",
        ],
    );
}

#[test]
fn missing_scenario_file() {
    run_fails(
        &["tests/fixtures/does_not_exist.toml"],
        2,
        &[
            "cannot read scenario file 'tests/fixtures/does_not_exist.toml'",
            "no such file",
        ],
    );
}

#[test]
fn one_bad_scenario_among_several_runs_nothing() {
    // Everything is validated before anything runs: the valid first scenario writes nothing.
    run_fails(
        &[&fixture("minimal.toml"), &fixture("negative_amount.toml")],
        2,
        &["negative_amount.toml", "obligations.cloud.total = -5"],
    );
}

#[test]
fn validate_reports_each_file_and_counts_the_bad_ones() {
    let out = funding_gap(&[
        "validate",
        &fixture("minimal.toml"),
        &fixture("negative_amount.toml"),
        &fixture("low_above_high.toml"),
    ]);
    assert_error(
        &out,
        2,
        &[
            "negative_amount.toml: obligations.cloud.total = -5",
            "low_above_high.toml: revenue.core.growth",
            "2 of 3 scenarios are invalid",
        ],
    );
    assert!(
        out.stdout.contains("ok: tests/fixtures/minimal.toml"),
        "{}",
        out.dump()
    );
}

/// A temp dir holding a regular file `blocker` with known content.
fn dir_with_a_file() -> (TempDir, std::path::PathBuf) {
    let tmp = TempDir::new().expect("temp dir");
    let file = tmp.path().join("blocker");
    fs::write(&file, "keep me\n").expect("write blocker");
    (tmp, file)
}

fn assert_only_the_blocker(tmp: &TempDir, file: &std::path::Path) {
    assert_eq!(fs::read_to_string(file).expect("read blocker"), "keep me\n");
    let names: Vec<String> = fs::read_dir(tmp.path())
        .expect("list temp dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["blocker"], "nothing else should have been written");
}

#[test]
fn out_under_a_regular_file_is_an_io_error() {
    let (tmp, file) = dir_with_a_file();
    let out_dir = file.join("out");
    let out_arg = out_dir.display().to_string();
    let out = funding_gap(&[
        "run",
        &fixture("minimal.toml"),
        "--trials",
        "100",
        "--out",
        &out_arg,
    ]);
    assert_error(
        &out,
        1,
        &[&format!(
            "cannot create output directory '{out_arg}': '{}' is a file",
            file.display()
        )],
    );
    assert!(!out.stderr.contains("os error"), "{}", out.dump());
    assert!(out.stdout.is_empty(), "{}", out.dump());
    assert_nothing_written(&out_dir);
    assert_only_the_blocker(&tmp, &file);
}

#[test]
fn out_naming_an_existing_file_is_an_io_error() {
    let (tmp, file) = dir_with_a_file();
    let out_arg = file.display().to_string();
    let out = funding_gap(&[
        "run",
        &fixture("minimal.toml"),
        "--trials",
        "100",
        "--out",
        &out_arg,
    ]);
    assert_error(
        &out,
        1,
        &[
            &format!("output path '{out_arg}' is a file, not a directory"),
            "--out",
        ],
    );
    assert!(out.stdout.is_empty(), "{}", out.dump());
    assert_only_the_blocker(&tmp, &file);
}

#[test]
fn unknown_chart_format() {
    run_fails(
        &[&fixture("minimal.toml"), "--charts", "png,jpg"],
        2,
        &[
            "--charts png,jpg",
            "unknown format 'jpg'",
            "png,svg, png, svg or none",
        ],
    );
}

#[test]
fn chart_size_that_is_not_width_by_height() {
    run_fails(
        &[&fixture("minimal.toml"), "--chart-size", "1200"],
        2,
        &["--chart-size 1200", "WIDTHxHEIGHT", "200 to 8000"],
    );
    run_fails(
        &[&fixture("minimal.toml"), "--chart-size", "50x50"],
        2,
        &["--chart-size 50x50"],
    );
}

#[test]
fn trials_that_are_not_a_whole_number_say_which_forms_are() {
    let minimal = fixture("minimal.toml");
    for bad in ["1.5", "1e-3", "2.5e0", "-5", "1__000", "1,00", "many", ""] {
        // `=`: clap would take a bare `-5` for an option.
        run_fails(
            &[&minimal, &format!("--trials={bad}")],
            2,
            &[&format!("'{bad}'"), "--trials", "1_000_000", "1e6"],
        );
    }
    run_fails(
        &[&minimal, "--trials", "1.5"],
        2,
        &["1.5 is not a whole number"],
    );
}

#[test]
fn trials_above_the_limit_are_refused_by_every_command() {
    let minimal = fixture("minimal.toml");
    let limit = "at most 100,000,000,000 (1e11)";
    run_fails(&[&minimal, "--trials", "1e12"], 2, &[limit, "1e12"]);
    run_fails(
        &[&minimal, "--trials", "100_000_000_001"],
        2,
        &[limit, "'100_000_000_001'"],
    );
    run_fails(&[&minimal, "--trials", "1e400"], 2, &[limit]);
    let tmp = TempDir::new().expect("temp dir");
    let out_dir = tmp.path().join("out");
    let out_arg = out_dir.display().to_string();
    for args in [
        vec!["compare", &minimal, &minimal, "--out", &out_arg],
        vec![
            "sweep",
            &minimal,
            "--set",
            "cash.initial=10,20",
            "--out",
            &out_arg,
        ],
        vec!["trace", &minimal, "--worst", "3"],
        vec!["headlines", &minimal],
        vec!["bench", &minimal],
    ] {
        let mut args = args;
        args.extend(["--trials", "2e11"]);
        let out = funding_gap(&args);
        assert_error(&out, 2, &[limit]);
        assert!(out.stdout.is_empty(), "{}", out.dump());
    }
    assert_nothing_written(&out_dir);
    // A scenario's own [run] trials beyond the limit names the scenario.
    run_fails(
        &[&minimal, "--set", "run.trials=1000000000000"],
        2,
        &[&minimal, "run.trials = 1000000000000", limit],
    );
}
