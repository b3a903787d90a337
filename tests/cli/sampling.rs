//! `--sampling`, `--replicates` and `--precision` end to end: a precision run is
//! deterministic (the same files at any thread count) and ends on the results of a plain run
//! of the trials it took; bad options are refused naming what is allowed.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use crate::{assert_error, funding_gap};

fn summary(dir: &Path) -> serde_json::Value {
    let text = fs::read_to_string(dir.join("summary.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn run(dir: &Path, extra: &[&str]) -> crate::Output {
    let d = dir.display().to_string();
    let mut args = vec![
        "run", "bench", "--seed", "5", "--charts", "none", "--report", "none", "--out", &d,
    ];
    args.extend_from_slice(extra);
    let out = funding_gap(&args);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    out
}

#[test]
fn a_precision_run_is_deterministic_and_ends_on_a_plain_run() {
    let tmp = TempDir::new().unwrap();
    let target = ["--precision", "gap.mean.se<=0.4", "--trials", "4096"];
    let mut runs = Vec::new();
    for threads in ["1", "2"] {
        let dir = tmp.path().join(format!("t{threads}"));
        let mut args = vec!["--sampling", "rqmc", "--threads", threads];
        args.extend_from_slice(&target);
        let out = run(&dir, &args);
        assert!(
            out.stderr.contains("precision: gap.mean.se = "),
            "{}",
            out.dump()
        );
        runs.push(fs::read(dir.join("summary.json")).unwrap());
    }
    assert_eq!(runs[0], runs[1], "1 and 2 threads differ");
    let s = summary(&tmp.path().join("t1"));
    let p = &s["precision"];
    assert_eq!(p["met"], true, "{p}");
    let trials = p["trials"].as_u64().unwrap();
    assert!(trials > 4096, "{p}");
    assert!(s["gap"]["std_error"].as_f64().unwrap() <= 0.4);
    assert_eq!(s["sampling"]["method"], "rqmc");
    assert_eq!(s["sampling"]["replicates"], 16);
    // The final round is the plain run of that many trials.
    let plain = tmp.path().join("plain");
    let n = trials.to_string();
    run(&plain, &["--sampling", "rqmc", "--trials", &n, "-q"]);
    let mut p2 = summary(&plain);
    let mut p1 = s.clone();
    p1.as_object_mut().unwrap().remove("precision");
    p2.as_object_mut().unwrap().remove("precision");
    assert_eq!(p1, p2);
}

#[test]
fn a_precision_run_stops_at_its_cap_and_says_so() {
    let tmp = TempDir::new().unwrap();
    let out = run(
        tmp.path(),
        &[
            "--precision",
            "gap.mean.se<=0.001",
            "--trials",
            "2048",
            "--max-trials",
            "8192",
        ],
    );
    assert!(
        out.stderr.contains("not met at the cap of 8,192 trials"),
        "{}",
        out.dump()
    );
    let s = summary(tmp.path());
    assert_eq!(s["precision"]["met"], false);
    assert_eq!(s["precision"]["trials"], 8192);
    assert_eq!(s["precision"]["rounds"], serde_json::json!([2048, 8192]));
}

#[test]
fn plain_monte_carlo_writes_no_sampling_note() {
    let tmp = TempDir::new().unwrap();
    run(tmp.path(), &["--trials", "2000", "-q"]);
    let s = summary(tmp.path());
    assert!(s.get("sampling").is_none());
    assert!(s.get("precision").is_none());
}

#[test]
fn bad_sampling_and_precision_options_are_refused() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out").display().to_string();
    let bad = |args: &[&str], needles: &[&str]| {
        let mut all = vec!["run", "bench", "--trials", "1000", "--out", &out];
        all.extend_from_slice(args);
        assert_error(&funding_gap(&all), 2, needles);
    };
    bad(
        &["--sampling", "sobol"],
        &["possible values", "mc", "lhs", "rqmc"],
    );
    bad(
        &["--sampling", "rqmc", "--replicates", "1"],
        &["at least 2"],
    );
    bad(
        &["--sampling", "lhs", "--replicates", "1001"],
        &["more than the 1000 trials"],
    );
    bad(
        &["--precision", "gap.mean.sd<=1"],
        &["unknown measure 'sd'", "the forms are"],
    );
    bad(
        &["--precision", "gap_2099.mean.se<=1"],
        &["2099 is not a report year"],
    );
    bad(
        &["--precision", "gap.mean.se<=1", "--max-trials", "10"],
        &["--max-trials 10"],
    );
    bad(
        &["--precision", "gap.mean.se<=1", "--save-trials"],
        &["--save-trials with --precision"],
    );
    bad(
        &["--precision", "gap.mean.se<=1", "--shard", "0/2"],
        &["--precision with --shard"],
    );
    bad(
        &["--max-trials", "5000"],
        &["--max-trials caps a --precision run"],
    );
    bad(
        &["--sampling", "rqmc", "--replicates", "5000"],
        &["more than 1024"],
    );
    let compare = funding_gap(&[
        "compare",
        "base",
        "bench",
        "--sampling",
        "lhs",
        "--out",
        &out,
    ]);
    assert_error(&compare, 2, &["--sampling lhs", "compare"]);
}

#[test]
fn a_refused_scenario_stops_a_run_of_several_before_any_is_written() {
    // The second scenario's own trials (from its [run] section) are below --replicates: the
    // first must not have been run and written.
    let tmp = TempDir::new().unwrap();
    let small = tmp.path().join("small.toml");
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench.toml");
    fs::write(
        &small,
        format!(
            "extends = {:?}\nname = \"small\"\n[run]\ntrials = 10\n",
            bench.display().to_string()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = out.display().to_string();
    let s = small.display().to_string();
    let r = funding_gap(&[
        "run",
        "bench",
        &s,
        "--sampling",
        "rqmc",
        "--replicates",
        "16",
        "--out",
        &o,
        "--charts",
        "none",
    ]);
    assert_error(&r, 2, &["--replicates 16 is more than the 10 trials"]);
    assert!(
        !out.join("bench").exists(),
        "the first scenario was written"
    );
}
