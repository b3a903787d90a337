//! `remove` in a variant, conditional tranches and `if_joins` through the binary: what
//! `explain` says about them, and a run of a variant that uses them. Their bad values are the
//! catalogue's E-FILE-07..09 and E-VAL-73..75 (checked by `error_catalogue`).

use std::fs;

use tempfile::TempDir;

use crate::{Output, assert_error, funding_gap, root};

/// Writes `body` to `variant.toml` in a fresh temp dir after an `extends` of
/// `scenarios/<parent>`, and runs the binary with `args` followed by the file.
fn with_variant(parent: &str, body: &str, args: &[&str]) -> (TempDir, Output) {
    let tmp = TempDir::new().expect("temp dir");
    let file = tmp.path().join("variant.toml");
    let base = root().join("scenarios").join(parent);
    fs::write(
        &file,
        format!("extends = {:?}\n{body}", base.display().to_string()),
    )
    .expect("write variant.toml");
    let mut full: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    full.push(file.display().to_string());
    let out = funding_gap(&full);
    (tmp, out)
}

#[test]
fn explain_lists_what_remove_dropped_and_the_correlations_with_it() {
    let (_tmp, out) = with_variant(
        "bench.toml",
        "remove = [\"revenue.ads\", \"rounds.2026.participants.amazon\"]\n",
        &["explain"],
    );
    assert_eq!(out.code, Some(0), "{}", out.dump());
    let text = &out.stdout;
    assert!(text.contains("Removed from what it extends"), "{text}");
    assert!(text.contains("  revenue.ads (removed by "), "{text}");
    assert!(
        text.contains("correlation revenue.ads.growth ~ ipo.multiple dropped with it"),
        "{text}"
    );
    assert!(
        text.contains("correlation consumer ~ ads dropped with it"),
        "{text}"
    );
    assert!(
        text.contains("  rounds.2026.participants.amazon (removed by "),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("  revenue.ads.growth")),
        "no input left: {text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("amazon ") && l.contains("joins")),
        "no participant left: {text}"
    );
}

#[test]
fn a_variant_with_conditional_forms_runs_and_explains_them() {
    let body = r#"
[obligations.aws_expansion]
if_joins = "rounds.2026.participants.amazon"

[rounds.2026.participants.amazon]
tranches = [
  { share = 0.3, when = "close" },
  { share = 0.7, when = ["ipo", { revenue = 60 }], requires = { revenue = 30 }, lapses = 2029.0, probability = 0.8 },
]
"#;
    let (_tmp, out) = with_variant("bench.toml", body, &["explain"]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    let text = &out.stdout;
    assert!(
        text.contains("exists only if rounds.2026.participants.amazon joins"),
        "{text}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "70 % due at the first of: the IPO, run-rate ≥ $60B/yr; requires run-rate ≥ $30B/yr then; probability 0.8; lapses 2029-01-01"
        ),
        "{text}"
    );
    assert!(
        text.contains("rounds.2026.participants.amazon.tranches.1.probability"),
        "the tranche's probability is an input: {text}"
    );
    let tmp = TempDir::new().expect("temp dir");
    let out_dir = tmp.path().join("out");
    let (_t, out) = with_variant(
        "bench.toml",
        body,
        &[
            "run",
            "--trials",
            "500",
            "--charts",
            "none",
            "-q",
            "--out",
            &out_dir.display().to_string(),
        ],
    );
    assert_eq!(out.code, Some(0), "{}", out.dump());
    let summary = fs::read_to_string(out_dir.join("summary.json")).expect("summary.json");
    assert!(
        summary.contains("rounds.2026.participants.amazon.tranches.1.probability"),
        "the sensitivity sees the tranche's probability"
    );
}

#[test]
fn set_reaches_a_tranche_probability() {
    let body = "[rounds.2026.participants.amazon]\ntranches = [{ share = 0.3 }, { share = 0.7, when = 2027, probability = 0.5 }]\n";
    let (_tmp, out) = with_variant(
        "bench.toml",
        body,
        &[
            "validate",
            "--set",
            "rounds.2026.participants.amazon.tranches.1.probability=1.5",
        ],
    );
    assert_error(
        &out,
        2,
        &[
            "rounds.2026.participants.amazon.tranches.1.probability = 1.5: must be a probability in [0, 1]",
        ],
    );
}
