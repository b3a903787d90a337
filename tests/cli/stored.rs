//! Stored runs: `funding-gap runs` lists run folders, and `compare` on run folders.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use super::{assert_error, funding_gap};

/// `run SCENARIO --out DIR --trials N` with `extra` options, quiet, no charts; asserts success.
fn stored_run(scenario: &str, dir: &Path, trials: &str, extra: &[&str]) {
    let d = dir.display().to_string();
    let mut args = vec![
        "run", scenario, "--out", &d, "--trials", trials, "--charts", "none", "-q",
    ];
    args.extend_from_slice(extra);
    let out = funding_gap(&args);
    assert_eq!(out.code, Some(0), "{}", out.dump());
}

fn json(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn runs_lists_each_run_with_its_headline_numbers_and_a_broken_one_with_the_reason() {
    let tmp = TempDir::new().expect("temp dir");
    let base = tmp.path().join("base");
    let nested = tmp.path().join("batch").join("no-round");
    stored_run("base", &base, "500", &["--save-trials"]);
    stored_run(
        "no-round",
        &nested,
        "400",
        &["--seed", "7", "--set", "ipo.probability=0.5"],
    );
    let broken = tmp.path().join("broken");
    fs::create_dir(&broken).expect("mkdir");
    fs::write(broken.join("manifest.json"), "{ not json").expect("write");
    fs::create_dir(tmp.path().join("not-a-run")).expect("mkdir");

    let out = funding_gap(&["runs", &tmp.path().display().to_string(), "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 3, "{}", out.stdout);
    // The broken one has no time, so it comes first; the others have one, newest last.
    assert!(
        rows[0]["problem"]
            .as_str()
            .expect("problem")
            .contains("not a run's manifest")
    );
    let row_of = |dir: &Path| {
        rows.iter()
            .find(|r| r["folder"] == dir.display().to_string())
            .unwrap_or_else(|| panic!("no row for {}", dir.display()))
    };
    for (dir, trials, seed) in [(&base, 500, 42), (&nested, 400, 7)] {
        let r = row_of(dir);
        let s = json(&dir.join("summary.json"));
        let m = json(&dir.join("manifest.json"));
        assert_eq!(r["trials"], trials);
        assert_eq!(r["seed"], seed);
        assert_eq!(r["written_at"], m["written_at"]);
        assert_eq!(
            r["shortfall_probability"],
            s["shortfall_probability"]["estimate"]
        );
        assert_eq!(r["gap_p50"], s["gap"]["quantiles"]["p50"]);
        assert_eq!(r["gap_mean"], s["gap"]["mean"]);
        assert!(r["problem"].is_null());
        // The time is in the manifest only: summary.json stays the same for the same inputs.
        let when = m["written_at"].as_str().expect("written_at");
        assert!(when.len() == 20 && when.ends_with('Z'), "{when}");
        assert!(s.get("written_at").is_none());
    }
    assert_eq!(row_of(&base)["trials_file"], true);
    assert_eq!(row_of(&nested)["trials_file"], false);
    assert_eq!(row_of(&nested)["overrides"][0], "ipo.probability=0.5");
    let times: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r["written_at"].as_str().expect("time"))
        .collect();
    assert!(times[0] <= times[1], "{times:?}");

    let text = funding_gap(&["runs", &tmp.path().display().to_string()]);
    assert_eq!(text.code, Some(0), "{}", text.dump());
    for needle in [
        "scenario",
        "no-round",
        "ipo.probability=0.5",
        "cannot read this run",
    ] {
        assert!(text.stdout.contains(needle), "{needle}\n{}", text.stdout);
    }
}

#[test]
fn runs_of_a_missing_folder_is_an_error_and_an_empty_one_says_so() {
    let tmp = TempDir::new().expect("temp dir");
    let missing = tmp.path().join("missing").display().to_string();
    let out = funding_gap(&["runs", &missing]);
    assert_error(&out, 1, &[&missing, "no such file or directory"]);
    let empty = funding_gap(&["runs", &tmp.path().display().to_string()]);
    assert_eq!(empty.code, Some(0), "{}", empty.dump());
    assert!(empty.stdout.contains("no runs"), "{}", empty.stdout);
}

/// `compare` on run folders, run from `dir`, JSON of the first difference.
fn compare_folders(dir: &Path, a: &str, b: &str) -> serde_json::Value {
    let out = super::funding_gap_in(dir, &["compare", a, b, "--out", "cmp", "-q"]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    json(&dir.join("cmp").join("stored_comparison.json"))["diffs"][0].clone()
}

fn close(x: &serde_json::Value, y: &serde_json::Value, what: &str) {
    let (x, y) = (x.as_f64().expect(what), y.as_f64().expect(what));
    assert!(
        (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs())),
        "{what}: {x} vs {y}"
    );
}

#[test]
fn a_run_folder_against_itself_differs_by_nothing_paired_or_not() {
    let tmp = TempDir::new().expect("temp dir");
    stored_run("base", &tmp.path().join("kept"), "600", &["--save-trials"]);
    stored_run("base", &tmp.path().join("bare"), "600", &[]);
    let paired = compare_folders(tmp.path(), "kept", "kept");
    assert_eq!(paired["method"], "paired by trial (from stored trials)");
    for k in [
        "gap_mean_diff",
        "gap_mean_diff_se",
        "shortfall_probability_diff",
    ] {
        assert_eq!(paired[k], 0.0, "{k}");
    }
    assert_eq!(paired["p_gap_a_smaller"], 0.0);
    assert_eq!(paired["p_gap_a_larger"], 0.0);
    let unpaired = compare_folders(tmp.path(), "bare", "bare");
    assert_eq!(unpaired["method"], "unpaired (from stored summaries)");
    assert!(
        unpaired["why_unpaired"]
            .as_str()
            .expect("why")
            .contains("trials.csv")
    );
    assert_eq!(unpaired["gap_mean_diff"], 0.0);
    assert_eq!(unpaired["shortfall_probability_diff"], 0.0);
    // Two independent estimates: the combined standard error is √2 × each one's.
    let se = json(&tmp.path().join("bare").join("summary.json"))["gap"]["std_error"]
        .as_f64()
        .expect("se");
    close(
        &unpaired["gap_mean_diff_se"],
        &serde_json::json!(se * 2f64.sqrt()),
        "unpaired se",
    );
}

#[test]
fn stored_runs_that_kept_their_trials_pair_as_a_live_compare_does() {
    let tmp = TempDir::new().expect("temp dir");
    for s in ["base", "no-round"] {
        stored_run(
            s,
            &tmp.path().join(s),
            "800",
            &["--save-trials", "--seed", "5"],
        );
    }
    stored_run(
        "no-round",
        &tmp.path().join("other-seed"),
        "800",
        &["--save-trials"],
    );
    let stored = compare_folders(tmp.path(), "base", "no-round");
    assert_eq!(stored["method"], "paired by trial (from stored trials)");
    let live_dir = tmp.path().join("live").display().to_string();
    let live = funding_gap(&[
        "compare", "base", "no-round", "--trials", "800", "--seed", "5", "--out", &live_dir,
        "--charts", "none", "-q",
    ]);
    assert_eq!(live.code, Some(0), "{}", live.dump());
    let live = json(&tmp.path().join("live").join("comparison.json"))["paired"][0].clone();
    for k in [
        "gap_mean_diff",
        "gap_mean_diff_se",
        "shortfall_probability_diff",
        "shortfall_probability_diff_se",
        "p_gap_a_smaller",
        "p_gap_a_larger",
    ] {
        close(&stored[k], &live[k], k);
    }
    for (s, l) in stored["by_year"]
        .as_array()
        .expect("years")
        .iter()
        .zip(live["by_year"].as_array().expect("years"))
    {
        assert_eq!(s["year"].as_str(), Some(l["year"].to_string().as_str()));
        close(&s["gap_mean_diff"], &l["gap_mean_diff"], "by year");
        close(&s["gap_mean_diff_se"], &l["gap_mean_diff_se"], "by year se");
    }
    // Another seed cannot be paired: unpaired, with the reason.
    let other = compare_folders(tmp.path(), "base", "other-seed");
    assert_eq!(other["method"], "unpaired (from stored summaries)");
    assert!(
        other["why_unpaired"]
            .as_str()
            .expect("why")
            .contains("seed")
    );
}

#[test]
fn a_run_folder_and_a_scenario_are_not_compared_and_the_message_says_what_to_run() {
    let tmp = TempDir::new().expect("temp dir");
    stored_run("base", &tmp.path().join("kept"), "300", &[]);
    let kept = tmp.path().join("kept").display().to_string();
    let out = funding_gap(&["compare", &kept, "no-round"]);
    assert_error(
        &out,
        2,
        &[
            "is a run folder",
            "funding-gap run no-round --trials 300 --seed 42 --save-trials",
        ],
    );
    let out = funding_gap(&["compare", &kept, &kept, "--trials", "10"]);
    assert_error(&out, 2, &["--trials, --seed and --set apply to scenarios"]);
}
