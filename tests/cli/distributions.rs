//! The distribution forms of issue 16 (beta, Student-t, discrete, mixture) through the binary:
//! a scenario using every one runs end to end (the t and the discrete inside the copula),
//! reproducibly across thread counts; `explain` names each; `--set` scales them; and a bad
//! value of each is rejected with its path, value and what is allowed.

use std::fs;

use tempfile::TempDir;

use crate::{bad_fixture, fixture, funding_gap};

#[test]
fn every_new_form_runs_end_to_end() {
    let tmp = TempDir::new().expect("temp dir");
    let path = fixture("dist_forms.toml");
    let mut summaries = Vec::new();
    for threads in ["1", "2"] {
        let dir = tmp.path().join(format!("t{threads}"));
        let dir_s = dir.display().to_string();
        let out = funding_gap(&[
            "run",
            &path,
            "--trials",
            "4000",
            "--charts",
            "none",
            "--threads",
            threads,
            "-q",
            "--out",
            &dir_s,
        ]);
        assert_eq!(out.code, Some(0), "{}", out.dump());
        assert!(!out.stderr.contains("panicked"), "{}", out.dump());
        summaries.push(fs::read(dir.join("summary.json")).expect("summary.json"));
    }
    assert!(
        summaries[0] == summaries[1],
        "summary.json differs by thread count"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&summaries[0]).expect("summary.json is JSON");
    let gap = &summary["gap"]["quantiles"]["p50"];
    assert!(gap.as_f64().is_some_and(f64::is_finite), "{gap}");
}

#[test]
fn explain_names_every_new_form_with_its_percentiles() {
    let out = funding_gap(&["explain", &fixture("dist_forms.toml")]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    for needle in [
        "mixture(0.7 × uniform(18, 22) + 0.3 × discrete(12 w 0.25, 15 w 0.75))",
        "student_t(location 0.5, scale 0.15, dof 3, min 0.05, max 1.5)",
        // Mean 0.25, sd 0.05 on [0.1, 0.5]: m = 0.375, s = 0.125 on [0, 1], a + b = 14.
        "beta(a 5.25, b 8.75, low 0.1, high 0.5)",
        "beta(a 8, b 2, low 0, high 1)",
    ] {
        assert!(out.stdout.contains(needle), "{needle}\n{}", out.dump());
    }
    // Ties merge: 10 appears twice, so it carries half the weight.
    assert!(
        out.stdout
            .contains("discrete(5 w 0.25, 10 w 0.5, 15 w 0.25)"),
        "{}",
        out.dump()
    );
    // The mixture's 5th percentile is its discrete atom: F(12) = 0.3·0.25 = 0.075 ≥ 0.05.
    let line = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("cash.initial"))
        .expect("cash.initial line");
    assert!(line.contains("[12 –"), "{line}");
}

#[test]
fn set_scales_and_shifts_the_new_forms() {
    let out = funding_gap(&[
        "explain",
        &fixture("dist_forms.toml"),
        "--set",
        "obligations.cloud.realized_share*=0.5",
        "--set",
        "rounds.seed.participants.fund.amount*=2",
        "--set",
        "revenue.core.growth+=0.1",
        "--set",
        "cash.initial*=2",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    for needle in [
        // A beta without bounds lies on [0, 1]: its bounds scale with it.
        "beta(a 8, b 2, low 0, high 0.5)",
        "discrete(10 w 0.25, 20 w 0.5, 30 w 0.25)",
        "student_t(location 0.6, scale 0.15, dof 3, min 0.15, max 1.6)",
        "mixture(0.7 × uniform(36, 44) + 0.3 × discrete(24 w 0.25, 30 w 0.75))",
    ] {
        assert!(out.stdout.contains(needle), "{needle}\n{}", out.dump());
    }
}

#[test]
fn set_can_write_a_new_form() {
    let out = funding_gap(&[
        "explain",
        &fixture("minimal.toml"),
        "--set",
        "revenue.core.growth={ mixture = [{ weight = 3, low = 0.2, high = 0.8 }, { weight = 1, beta_a = 2, beta_b = 2 }] }",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(
        out.stdout
            .contains("mixture(0.75 × uniform(0.2, 0.8) + 0.25 × beta(a 2, b 2, low 0, high 1))"),
        "{}",
        out.dump()
    );
}

#[test]
fn beta_sd_too_large_for_its_mean() {
    bad_fixture(
        "dist_beta_sd_too_large.toml",
        &[
            "revenue.core.volatility.beta_sd = 0.5",
            "sd² must be less than (mean − low)·(high − mean), so sd < 0.458258",
        ],
    );
}

#[test]
fn student_t_dof_zero() {
    bad_fixture(
        "dist_t_dof_zero.toml",
        &[
            "revenue.core.growth.dof = 0",
            "must be > 0 and at most 1000000",
        ],
    );
}

#[test]
fn discrete_weights_all_zero() {
    bad_fixture(
        "dist_weights_zero.toml",
        &[
            "rounds.seed.participants.fund.amount.weights = [0, 0]",
            "the weights sum to 0; at least one must be > 0",
        ],
    );
}

#[test]
fn nested_mixture() {
    bad_fixture(
        "dist_mixture_nested.toml",
        &[
            "cash.initial.mixture.1",
            "a component cannot itself be a mixture",
        ],
    );
}
