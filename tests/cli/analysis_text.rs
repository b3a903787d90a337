//! The analyses' texts and JSON: compare by report year, sweep's target metric and interval,
//! trace's events and tranches, the worst trials' own drivers, explain's fixed values, rounds
//! and overrides, first-shortfall dates.

use tempfile::TempDir;

use super::funding_gap;

fn json(path: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Whether `s` holds a date `YYYY-MM-DD`.
fn has_date(s: &str) -> bool {
    s.as_bytes().windows(10).any(|w| {
        w.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
    })
}

#[test]
fn compare_pairs_by_report_year_and_dates_the_first_shortfall() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("c");
    let out = funding_gap(&[
        "compare",
        "base",
        "no-round",
        "--trials",
        "2000",
        "--charts",
        "none",
        "--out",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(
        out.stdout.contains("By the end of each report year"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("first short*"), "{}", out.stdout);
    assert!(has_date(&out.stdout), "{}", out.stdout);
    let c = json(&dir.join("comparison.json"));
    let (a, b) = (&c["summaries"][0], &c["summaries"][1]);
    assert!(a["first_shortfall"]["median_date"].is_string());
    let by_year = c["paired"][0]["by_year"].as_array().expect("by_year");
    assert_eq!(
        by_year.len(),
        a["gap_by_year"].as_object().expect("years").len()
    );
    for d in by_year {
        let y = d["year"].as_i64().expect("year").to_string();
        let mean = |s: &serde_json::Value| s["gap_by_year"][&y]["mean"].as_f64().expect("mean");
        let diff = d["gap_mean_diff"].as_f64().expect("diff");
        assert!((diff - (mean(b) - mean(a))).abs() < 1e-9, "{y}: {diff}");
        assert!(d["shortfall_probability_diff_se"].as_f64().expect("se") >= 0.0);
        assert!(
            out.stdout.contains(&format!(" {y} ")),
            "{y} missing\n{}",
            out.stdout
        );
    }
}

#[test]
fn sweep_shows_a_report_year_target_and_the_interval_of_its_value() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("s");
    let out = funding_gap(&[
        "sweep",
        "base",
        "--set",
        "cash.initial=0:400:5",
        "--target",
        "shortfall_probability_2028<=0.2",
        "--trials",
        "1000",
        "--charts",
        "none",
        "--out",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(
        out.stdout.contains("shortfall_probability_2028, 95 % CI"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("95 % interval of the value"),
        "{}",
        out.stdout
    );
    let s = json(&dir.join("sweep.json"));
    let k = &s["seek"];
    assert_eq!(k["metric"], "shortfall_probability_2028");
    let v = k["value"].as_f64().expect("value");
    let lo = k["value_ci95"][0].as_f64().expect("low end");
    let hi = k["value_ci95"][1].as_f64().expect("high end");
    assert!(lo <= v && v <= hi, "{lo} {v} {hi}");
    assert!(k["evaluated"].as_array().expect("evaluated").len() >= 5);
}

#[test]
fn trace_shows_events_rounds_tranches_and_the_ipo() {
    let out = funding_gap(&["trace", "base", "--trial", "3"]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    for needle in [
        "Events that fired:",
        "Rounds (tranches received, $B):",
        "round 2026 (close 2026-04-01)",
        "at the close",
        "IPO:",
    ] {
        assert!(out.stdout.contains(needle), "{needle:?}\n{}", out.stdout);
    }
    let out = funding_gap(&["trace", "base", "--trial", "3", "--json"]);
    let t: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(t["events"].is_array() && t["rounds"][0]["participants"].is_array());
}

#[test]
fn worst_trials_list_their_own_drivers_and_what_happened() {
    let out = funding_gap(&["trace", "base", "--worst", "2", "--trials", "2000"]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(out.stdout.contains("(decile"), "{}", out.stdout);
    assert!(out.stdout.contains("what happened:"), "{}", out.stdout);
    let out = funding_gap(&[
        "trace", "base", "--worst", "2", "--trials", "2000", "--json",
    ]);
    let t: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let d = &t[0]["drivers"][0];
    assert!(d["path"].is_string() && d["excess_gap"].as_f64().expect("excess") > 0.0);
}

#[test]
fn explain_shows_fixed_values_rounds_and_what_set_changed() {
    let out = funding_gap(&["explain", "base", "--set", "cash.initial=1234.5"]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    for needle in [
        "Changed by --set",
        "--set cash.initial=1234.5",
        "Fixed values",
        "1,230",
        "Contracts",
        "Funding rounds and IPO",
        "lapses 2029-01-01",
    ] {
        assert!(out.stdout.contains(needle), "{needle:?}\n{}", out.stdout);
    }
    let out = funding_gap(&["explain", "base", "--set", "cash.initial=1234.5", "--json"]);
    let e: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(e["overrides"][0], "cash.initial=1234.5");
    let cash = e["fixed"]
        .as_array()
        .expect("fixed")
        .iter()
        .find(|f| f["path"] == "cash.initial")
        .expect("cash.initial is fixed");
    assert_eq!(cash["value"], 1234.5);
    assert!(e["rounds"][0]["participants"][0]["tranches"].is_array());
}

#[test]
fn the_run_table_dates_the_median_first_shortfall() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("r");
    let out = funding_gap(&[
        "run",
        "base",
        "--trials",
        "2000",
        "--charts",
        "none",
        "--out",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("First shortfall"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(has_date(line) && !line.contains("-Q"), "{line}");
    let s = json(&dir.join("summary.json"));
    let date = s["first_shortfall"]["median_date"].as_str().expect("date");
    assert!(line.contains(date), "{line} vs {date}");
}
