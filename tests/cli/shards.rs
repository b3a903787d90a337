//! `run --shard K/M` and `merge`: the merged outputs are the bytes of the run in one process,
//! for any number of shards and any order of the parts; the shards' trial files concatenate
//! to the run's trials.csv; parts that do not make one run are refused, naming why.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use crate::{assert_error, funding_gap};

/// 10.5 chunks of 1,024 trials, so that 7 shards are uneven and the last chunk is partial.
const TRIALS: &str = "10700";

fn ok(args: &[&str]) {
    let out = funding_gap(args);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(out.stderr.is_empty(), "{}", out.dump());
}

/// Runs shard k of m of bench.toml into `parts`.
fn shard(parts: &Path, k: u64, m: u64, extra: &[&str]) {
    let (p, s) = (parts.display().to_string(), format!("{k}/{m}"));
    let mut args = vec![
        "run", "bench", "--trials", TRIALS, "--seed", "9", "--shard", &s, "--out", &p, "-q",
    ];
    args.extend_from_slice(extra);
    ok(&args);
}

/// Every file of `dir` but manifest.json (which records when it was written), by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.expect("entry").path();
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            let bytes = fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, bytes)
        })
        .filter(|(n, _)| n != "manifest.json")
        .collect();
    v.sort();
    v
}

#[test]
fn merged_shards_are_byte_identical_to_one_run_for_any_m_and_order() {
    let tmp = TempDir::new().expect("temp dir");
    let one = tmp.path().join("one");
    let o = one.display().to_string();
    ok(&[
        "run", "bench", "--trials", TRIALS, "--seed", "9", "--out", &o, "-q",
    ]);
    let want = files(&one);
    let names: Vec<&str> = want.iter().map(|(n, _)| n.as_str()).collect();
    for needed in ["summary.json", "bands.csv", "cash_fan.png", "cash_fan.svg"] {
        assert!(names.contains(&needed), "{names:?}");
    }
    for m in [1_u64, 2, 3, 7] {
        let parts = tmp.path().join(format!("parts-{m}"));
        // Shards run in reverse order; merge takes them as a folder (sorted) and, for m = 3,
        // as files in a scrambled order.
        for k in (0..m).rev() {
            shard(&parts, k, m, &[]);
        }
        let merged = tmp.path().join(format!("merged-{m}"));
        let d = merged.display().to_string();
        if m == 3 {
            let f = |k| {
                parts
                    .join(format!("part-{k}-of-3.fgpart"))
                    .display()
                    .to_string()
            };
            ok(&["merge", &f(2), &f(0), &f(1), "--out", &d, "-q"]);
        } else {
            ok(&["merge", &parts.display().to_string(), "--out", &d, "-q"]);
        }
        let got = files(&merged);
        assert_eq!(
            got.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            want.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            "m = {m}"
        );
        for ((name, a), (_, b)) in got.iter().zip(&want) {
            assert!(a == b, "m = {m}: {name} differs from the one-process run");
        }
    }
}

#[test]
fn rqmc_and_lhs_shards_merge_to_the_run_and_record_their_plan() {
    // A point depends on the trial and the plan, not on the shard: the merged files are the
    // bytes of the run in one process, and parts of another plan are refused.
    let tmp = TempDir::new().expect("temp dir");
    for method in ["rqmc", "lhs"] {
        let one = tmp.path().join(format!("one-{method}"));
        let o = one.display().to_string();
        ok(&[
            "run",
            "bench",
            "--trials",
            TRIALS,
            "--seed",
            "9",
            "--sampling",
            method,
            "--replicates",
            "8",
            "--out",
            &o,
            "-q",
            "--charts",
            "none",
        ]);
        let want = files(&one);
        let parts = tmp.path().join(format!("parts-{method}"));
        for k in 0..3 {
            shard(
                &parts,
                k,
                3,
                &[
                    "--sampling",
                    method,
                    "--replicates",
                    "8",
                    "--charts",
                    "none",
                ],
            );
        }
        let merged = tmp.path().join(format!("merged-{method}"));
        let d = merged.display().to_string();
        ok(&[
            "merge",
            &parts.display().to_string(),
            "--out",
            &d,
            "-q",
            "--charts",
            "none",
        ]);
        let got = files(&merged);
        assert_eq!(got.len(), want.len(), "{method}");
        for ((name, a), (_, b)) in got.iter().zip(&want) {
            assert!(a == b, "{method}: {name} differs from the one-process run");
        }
        let summary = fs::read_to_string(merged.join("summary.json")).expect("summary");
        assert!(
            summary.contains(&format!("\"method\": \"{method}\"")),
            "{method}"
        );
    }
    // Shard 0 of the rqmc run beside shard 1 of a plain run: refused, naming the sampling.
    let mixed = tmp.path().join("mixed");
    shard(&mixed, 0, 2, &["--sampling", "rqmc", "--replicates", "8"]);
    shard(&mixed, 1, 2, &[]);
    let out = funding_gap(&[
        "merge",
        &mixed.display().to_string(),
        "--out",
        &tmp.path().join("m").display().to_string(),
    ]);
    assert_error(
        &out,
        2,
        &[
            "different runs, sampling",
            "rqmc (8 replicates) in",
            "mc in",
        ],
    );
}

#[test]
fn shard_trial_files_concatenate_to_the_runs_trials_csv() {
    let tmp = TempDir::new().expect("temp dir");
    let one = tmp.path().join("one");
    let o = one.display().to_string();
    ok(&[
        "run",
        "bench",
        "--trials",
        TRIALS,
        "--seed",
        "9",
        "--out",
        &o,
        "-q",
        "--charts",
        "none",
        "--report",
        "none",
        "--save-trials",
    ]);
    let parts = tmp.path().join("parts");
    for k in 0..3 {
        shard(&parts, k, 3, &["--save-trials"]);
    }
    let mut cat = Vec::new();
    for k in 0..3 {
        cat.extend(fs::read(parts.join(format!("trials-{k}-of-3.csv"))).expect("shard trials"));
    }
    let whole = fs::read(one.join("trials.csv")).expect("trials.csv");
    assert!(cat == whole, "the concatenation differs from trials.csv");
}

#[test]
fn parts_that_do_not_make_one_run_are_refused_naming_why() {
    let tmp = TempDir::new().expect("temp dir");
    let parts = tmp.path().join("parts");
    for k in 0..3 {
        shard(&parts, k, 3, &[]);
    }
    let f = |k: u64| {
        parts
            .join(format!("part-{k}-of-3.fgpart"))
            .display()
            .to_string()
    };
    let out = tmp.path().join("merged");
    let d = out.display().to_string();
    let merge = |files: &[&str]| {
        let mut args = vec!["merge", "--out", &d];
        args.extend_from_slice(files);
        funding_gap(&args)
    };
    assert_error(
        &merge(&[&f(0), &f(2)]),
        2,
        &["shard 1 of 3 is missing (part-1-of-3.fgpart); run it with --shard 1/3"],
    );
    assert_error(
        &merge(&[&f(0), &f(1), &f(1), &f(2)]),
        2,
        &["shard 1 of 3 is given twice"],
    );
    let other = tmp.path().join("other");
    let (o, s) = (other.display().to_string(), "1/3".to_string());
    ok(&[
        "run", "bench", "--trials", TRIALS, "--seed", "10", "--shard", &s, "--out", &o, "-q",
    ]);
    let foreign = other.join("part-1-of-3.fgpart").display().to_string();
    assert_error(
        &merge(&[&f(0), &foreign, &f(2)]),
        2,
        &["the parts come from different runs, seed: 9 in", "10 in"],
    );
    // A truncated copy, and a file that is not a part at all.
    let bytes = fs::read(f(1)).expect("part");
    let cut = tmp.path().join("cut.fgpart");
    fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    assert_error(
        &merge(&[&f(0), &cut.display().to_string(), &f(2)]),
        2,
        &["is not a usable part file", "a truncated or partial copy?"],
    );
    assert_error(
        &merge(&["scenarios/bench.toml"]),
        2,
        &["does not start with the line 'funding-gap part'"],
    );
    // The refused merges wrote nothing.
    assert!(!out.exists(), "{d} was created");
}

#[test]
fn shard_options_are_checked() {
    assert_error(
        &funding_gap(&["run", "bench", "--shard", "3/3"]),
        2,
        &["shard 3 of 3 does not exist: shards are numbered 0 to 2"],
    );
    assert_error(
        &funding_gap(&["run", "bench", "--shard", "1/0"]),
        2,
        &["the number of shards M must be 1 to"],
    );
    assert_error(
        &funding_gap(&["run", "bench", "base", "--shard", "0/2"]),
        2,
        &["--shard runs one scenario (got 2)"],
    );
    assert_error(
        &funding_gap(&["compare", "bench", "base", "--shard", "0/2"]),
        2,
        &["--shard: compare does not run in shards"],
    );
}

#[test]
fn a_sweep_run_point_by_point_merges_to_the_sweep_on_one_machine() {
    let tmp = TempDir::new().expect("temp dir");
    let common = [
        "bench",
        "--set",
        "ipo.probability=0:1:4",
        "--trials",
        "2500",
        "--target",
        "shortfall_probability<=0.999",
        "-q",
        "--charts",
        "png,svg",
    ];
    let one = tmp.path().join("one");
    let o = one.display().to_string();
    let mut args = vec!["sweep"];
    args.extend_from_slice(&common);
    args.extend_from_slice(&["--out", &o]);
    ok(&args);
    let points = tmp.path().join("points");
    let p = points.display().to_string();
    for k in ["3", "0", "2", "1"] {
        let mut args = vec!["sweep"];
        args.extend_from_slice(&common);
        args.extend_from_slice(&["--out", &p, "--point", k]);
        ok(&args);
    }
    let merged = tmp.path().join("merged");
    let m = merged.display().to_string();
    ok(&["merge", &p, "--out", &m, "-q", "--charts", "png,svg"]);
    let (want, got) = (files(&one), files(&merged));
    assert_eq!(
        got.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        want.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    assert!(want.iter().any(|(n, _)| n == "sweep.json"));
    for ((name, a), (_, b)) in got.iter().zip(&want) {
        assert!(a == b, "{name} differs from the sweep on one machine");
    }
    fs::remove_file(points.join("point-2-of-4.json")).expect("remove");
    assert_error(
        &funding_gap(&["merge", &p, "--out", &m]),
        2,
        &["point 2 of 4 is missing (point-2-of-4.json); run it with sweep --point 2"],
    );
}
