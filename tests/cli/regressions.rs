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

/// A scenario of `n` growth segments (each with one uncertain input), the first two of them
/// correlated, as a generator would write it.
fn many_segments(n: usize) -> String {
    let mut s = String::from(
        "name = \"many\"\n[time]\nstart = 2026\nhorizon_years = 2\nsteps_per_year = 4\n[cash]\ninitial = 20\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "[revenue.s{i}]\nrun_rate = 1.0\ngrowth = {{ low = 0.1, high = 0.3 }}\nvolatility = 0.2\n"
        ));
    }
    s.push_str("[[revenue_correlations]]\nbetween = [\"s0\", \"s1\"]\nrho = 0.5\n");
    s
}

/// One correlated pair among many segments made the compiled shock factor a dense m×m matrix
/// (45,000 segments: 24 GB). What is stored must grow linearly with the segments.
#[test]
fn many_segments_compile_to_a_factor_linear_in_their_number() {
    let m = 1500;
    let scenario = funding_gap::scenario::load_str(&many_segments(m), "many.toml", None, &[])
        .expect("a scenario of many segments loads");
    let model = funding_gap::model::compile(&scenario).expect("and compiles");
    let stored = model.seg_factor.as_ref().map_or(0, |f| f.len());
    assert!(
        stored <= 4 * m,
        "the shock factor stores {stored} numbers for {m} segments"
    );
}

/// Absurd sizes are refused with the count and the limit, before anything big is built.
#[test]
fn a_section_over_the_cap_is_refused_with_the_count_and_the_limit() {
    let tmp = TempDir::new().expect("temp dir");
    let file = tmp.path().join("many.toml");
    fs::write(&file, many_segments(2001)).expect("write many.toml");
    let out = funding_gap(&["validate", &file.display().to_string()]);
    assert_error(&out, 2, &["revenue", "2001", "2000"]);
}

/// A 15,000-deep `extends` chain overflowed the stack (exit 134). It is refused at the cap,
/// naming the chain's start and the limit.
#[test]
fn a_deep_extends_chain_is_refused_not_a_stack_overflow() {
    let tmp = TempDir::new().expect("temp dir");
    let depth = 15_000;
    fs::copy(
        root().join("tests/fixtures/minimal.toml"),
        tmp.path().join("f0.toml"),
    )
    .expect("copy minimal.toml");
    for i in 1..=depth {
        fs::write(
            tmp.path().join(format!("f{i}.toml")),
            format!("extends = \"f{}.toml\"\n", i - 1),
        )
        .expect("write a link of the chain");
    }
    let start = tmp.path().join(format!("f{depth}.toml"));
    let out = funding_gap(&["validate", &start.display().to_string()]);
    assert_error(&out, 2, &[&format!("f{depth}.toml"), "64"]);
}

/// The message said letters are allowed; "révenu" is letters.
#[test]
fn a_name_of_unicode_letters_is_accepted() {
    let (_tmp, out) = validate_variant("name = \"révenu-2026\"\n", &[]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
}

/// One unknown field hid the other unknown fields and every other problem.
#[test]
fn every_unknown_field_is_reported_with_the_other_problems() {
    let (_tmp, out) = validate_variant(
        "[time]\nhorizon_yeras = 8\n[ipo]\nprobablity = 0.5\nmultiple = -3\n",
        &[],
    );
    assert_error(
        &out,
        2,
        &[
            "unknown field `horizon_yeras`",
            "unknown field `probablity`",
            "ipo.multiple = -3: must be",
        ],
    );
}

/// `*=` scales an input's distribution, `+=` shifts it, by the per-form rules of the README.
#[test]
fn set_scales_and_shifts_a_distribution() {
    use funding_gap::dist::Dist;
    let minimal = fs::read_to_string(root().join("tests/fixtures/minimal.toml")).expect("read");
    let dist_of = |sets: &[&str], path: &str| {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let s = funding_gap::scenario::load_str(&minimal, "minimal.toml", None, &sets)
            .unwrap_or_else(|e| panic!("{sets:?}: {e}"));
        s.params()
            .into_iter()
            .find(|p| p.path == path)
            .map(|p| p.dist.clone())
            .unwrap_or_else(|| panic!("no input {path}"))
    };
    let g = "revenue.core.growth";
    assert_eq!(
        dist_of(&["revenue.core.growth*=0.5"], g),
        Dist::Uniform {
            low: 0.1,
            high: 0.4
        }
    );
    assert_eq!(
        dist_of(&["revenue.core.growth+=0.25"], g),
        Dist::Uniform {
            low: 0.45,
            high: 1.05
        }
    );
    assert_eq!(
        dist_of(&["revenue.core.run_rate*=2"], "revenue.core.run_rate"),
        Dist::Fixed(20.0)
    );
    let sets = [
        "revenue.core.growth={ mean = 0.5, sd = 0.1, min = 0 }",
        "revenue.core.growth*=2",
    ];
    assert_eq!(
        dist_of(&sets, g),
        Dist::Normal {
            mean: 1.0,
            sd: 0.2,
            min: 0.0,
            max: f64::INFINITY
        }
    );
    let sets = [
        "revenue.core.growth={ mean = 0.5, sd = 0.1, min = -0.5 }",
        "revenue.core.growth+=0.5",
    ];
    assert_eq!(
        dist_of(&sets, g),
        Dist::Normal {
            mean: 1.0,
            sd: 0.1,
            min: 0.0,
            max: f64::INFINITY
        }
    );
    let sets = [
        "revenue.core.growth={ median = 0.5, sd_log = 0.3 }",
        "revenue.core.growth*=2",
    ];
    let Dist::LogNormal { mu, sigma } = dist_of(&sets, g) else {
        panic!("a scaled lognormal stays lognormal")
    };
    assert!(
        (mu - 1f64.ln()).abs() < 1e-12 && sigma == 0.3,
        "{mu} {sigma}"
    );
}

/// Scaling or shifting something that is not a number or a distribution, by something that
/// is not a number, or at a path that does not exist, is the usual clear `--set` error.
#[test]
fn set_scale_and_shift_are_checked() {
    let cases: [(&str, &[&str]); 5] = [
        (
            "revenue.core.growht*=0.8",
            &["has no `growht`", "did you mean `growth`?"],
        ),
        ("revenue.core.growth*=lots", &["lots", "a number"]),
        ("revenue.core*=0.8", &["not a number or a distribution"]),
        ("costs.opex.from+=x", &["a number"]),
        ("revenue.core.growth+=0.1", &[]),
    ];
    for (arg, needles) in cases {
        let out = funding_gap(&["validate", &fixture("minimal.toml"), "--set", arg]);
        if needles.is_empty() {
            assert_eq!(out.code, Some(0), "{}", out.dump());
        } else {
            let mut all = vec![arg];
            all.extend_from_slice(needles);
            assert_error(&out, 2, &all);
        }
    }
    let out = funding_gap(&[
        "validate",
        &fixture("minimal.toml"),
        "--set",
        "revenue.core.growth={ median = 0.5, sd_log = 0.3 }",
        "--set",
        "revenue.core.growth+=0.1",
    ]);
    assert_error(&out, 2, &["revenue.core.growth+=0.1", "lognormal"]);
}

/// A 100 KB `--set` value was echoed twice in full: values in messages are cut.
#[test]
fn a_long_value_is_cut_in_messages() {
    let long = "x".repeat(100_000);
    let arg = format!("revenue.core.growth=\"{long}\"");
    let out = funding_gap(&["validate", &fixture("minimal.toml"), "--set", &arg]);
    assert_error(&out, 2, &["revenue.core.growth", "(100002 characters)"]);
    assert!(
        out.stderr.len() < 2_000,
        "{} bytes of stderr",
        out.stderr.len()
    );
}

/// Issue 15: shipped variants printed correlation warnings on every run, and so did the
/// README's own `--set` example: an input fixed on purpose (by a variant of the file that
/// correlates it, or by `--set`) lets its correlation lapse quietly.
#[test]
fn inputs_fixed_on_purpose_let_their_correlations_lapse_quietly() {
    for args in [
        vec!["validate", "scenarios/amazon-10b.toml"],
        vec!["validate", "scenarios/round-as-closed.toml"],
        vec![
            "validate",
            "base",
            "--set",
            "rounds.2026.participants.amazon.amount=50",
        ],
    ] {
        let out = crate::funding_gap(&args);
        assert_eq!(out.code, Some(0), "{}", out.dump());
        assert!(!out.stderr.contains("warning"), "{args:?}\n{}", out.dump());
    }
    // A correlation the file itself declares, on an input it leaves fixed, is still a mistake
    // worth a warning.
    let dir = tempfile::TempDir::new().expect("temp dir");
    let file = dir.path().join("own.toml");
    let base = crate::root().join("scenarios/bench.toml");
    std::fs::write(
        &file,
        format!(
            "extends = {:?}\n\n[[correlations]]\nbetween = [\"cash.initial\", \"ipo.multiple\"]\nrho = 0.5\n",
            base.display().to_string()
        ),
    )
    .expect("write");
    let out = crate::funding_gap(&["validate", &file.display().to_string()]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(
        out.stderr
            .contains("`cash.initial` is fixed in this scenario, so its correlation with `ipo.multiple` has no effect"),
        "{}",
        out.dump()
    );
}
