//! Successful runs: validation of the shipped scenarios, the files a run writes, `--help`,
//! determinism across thread counts, and `--set` reaching the result.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use crate::{Output, assert_error, fixture, funding_gap, root};

/// `funding-gap run ARGS... --out DIR`, expected to succeed.
fn run_ok(args: &[&str], dir: &Path) -> Output {
    let mut full: Vec<String> = vec!["run".into()];
    full.extend(args.iter().map(|s| s.to_string()));
    full.extend(["--out".into(), dir.display().to_string()]);
    let out = funding_gap(&full);
    assert_eq!(out.code, Some(0), "run failed\n{}", out.dump());
    assert!(!out.stderr.contains("panicked"), "{}", out.dump());
    out
}

/// The sorted file names in `dir`.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn summary(dir: &Path) -> serde_json::Value {
    let text = fs::read_to_string(dir.join("summary.json")).expect("read summary.json");
    serde_json::from_str(&text).expect("summary.json is JSON")
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let paths = crate::shipped_scenarios();
    assert!(!paths.is_empty(), "no scenarios/*.toml found");
    let mut failures = Vec::new();
    for path in &paths {
        let rel = path
            .strip_prefix(root())
            .expect("under the root")
            .display()
            .to_string();
        let out = funding_gap(&["validate", &rel]);
        if out.code != Some(0) || !out.stdout.starts_with(&format!("ok: {rel}")) {
            failures.push(format!("{rel}:\n{}", out.dump()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} shipped scenarios do not validate:\n\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n\n")
    );
}

#[test]
fn run_writes_summary_and_bands_and_prints_the_table() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("out");
    let out = run_ok(
        &[&fixture("minimal.toml"), "--trials", "2000", "--seed", "5"],
        &dir,
    );
    for needle in [
        "minimal — 2000 trials, seed 5",
        "P(shortfall)",
        "Funding gap, $B",
        "Gap by end of year",
        "2029",
        "Wrote summary.json, bands.csv, report.xlsx, report.html, 7 charts (png, svg) to",
    ] {
        assert!(
            out.stdout.contains(needle),
            "stdout lacks {needle:?}\n{}",
            out.dump()
        );
    }
    // Only the promised files: no temporary or probe files left behind, no trials.csv.
    let mut want = vec![
        "bands.csv".to_string(),
        "manifest.json".to_string(),
        "report.html".to_string(),
        "report.xlsx".to_string(),
        "summary.json".to_string(),
    ];
    for chart in [
        "cash_fan",
        "first_shortfall",
        "gap_exceedance",
        "gap_histogram",
        "obligations_schedule",
        "revenue_vs_obligations",
        "tornado",
    ] {
        want.push(format!("{chart}.png"));
        want.push(format!("{chart}.svg"));
    }
    want.sort();
    assert_eq!(files_in(&dir), want);

    let s = summary(&dir);
    assert_eq!(s["scenario"], "minimal");
    assert_eq!(s["trials"], 2000);
    assert_eq!(s["seed"], 5);
    let p = s["shortfall_probability"]["estimate"]
        .as_f64()
        .expect("shortfall_probability.estimate is a number");
    assert!((0.0..=1.0).contains(&p), "P(shortfall) = {p}");

    let bands = fs::read_to_string(dir.join("bands.csv")).expect("read bands.csv");
    let mut lines = bands.lines();
    assert_eq!(lines.next(), Some("series,t,p5,p25,p50,p75,p95"));
    assert!(lines.count() > 1, "bands.csv has no rows:\n{bands}");
}

#[test]
fn save_trials_writes_one_row_per_trial() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("out");
    let trials = 500;
    let out = run_ok(
        &[
            &fixture("minimal.toml"),
            "--trials",
            &trials.to_string(),
            "--save-trials",
            "--charts",
            "none",
        ],
        &dir,
    );
    assert!(out.stdout.contains("trials.csv"), "{}", out.dump());
    assert_eq!(
        files_in(&dir),
        [
            "bands.csv",
            "manifest.json",
            "report.html",
            "report.xlsx",
            "summary.json",
            "trials.csv"
        ]
    );

    let csv = fs::read_to_string(dir.join("trials.csv")).expect("read trials.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), trials + 1, "header + one line per trial");
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header[0], "trial");
    for input in [
        "revenue.core.growth",
        "rounds.seed.participants.fund.amount",
    ] {
        assert!(header.contains(&input), "header lacks {input}: {header:?}");
    }
    for (i, line) in lines[1..].iter().enumerate() {
        assert_eq!(
            line.split(',').count(),
            header.len(),
            "row {i} has a different number of fields than the header: {line}"
        );
    }
}

#[test]
fn quiet_prints_nothing() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("out");
    let out = run_ok(
        &[
            &fixture("minimal.toml"),
            "--trials",
            "200",
            "-q",
            "--charts",
            "none",
        ],
        &dir,
    );
    assert!(out.stdout.is_empty(), "{}", out.dump());
    assert!(out.stderr.is_empty(), "{}", out.dump());
    assert_eq!(
        files_in(&dir),
        [
            "bands.csv",
            "manifest.json",
            "report.html",
            "report.xlsx",
            "summary.json"
        ]
    );
}

#[test]
fn help_has_examples() {
    for args in [&["--help"][..], &["run", "--help"], &["validate", "--help"]] {
        let out = funding_gap(args);
        assert_eq!(out.code, Some(0), "{args:?}\n{}", out.dump());
        assert!(out.stdout.contains("Examples"), "{args:?}\n{}", out.dump());
        assert!(out.stderr.is_empty(), "{args:?}\n{}", out.dump());
    }
}

#[test]
fn same_seed_gives_identical_results_at_any_thread_count() {
    let tmp = TempDir::new().expect("temp dir");
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let dir = tmp.path().join(format!("t{threads}"));
        run_ok(
            &[
                "scenarios/bench.toml",
                "--trials",
                "20000",
                "--seed",
                "7",
                "--threads",
                threads,
                "-q",
            ],
            &dir,
        );
        outputs.push((
            fs::read(dir.join("summary.json")).expect("read summary.json"),
            fs::read(dir.join("bands.csv")).expect("read bands.csv"),
            fs::read(dir.join("report.xlsx")).expect("read report.xlsx"),
        ));
    }
    assert!(
        outputs[0].0 == outputs[1].0,
        "summary.json differs between --threads 1 and --threads 2"
    );
    assert!(
        outputs[0].1 == outputs[1].1,
        "bands.csv differs between --threads 1 and --threads 2"
    );
    // The workbook records no time either, so it is the same bytes.
    assert!(
        outputs[0].2 == outputs[1].2,
        "report.xlsx differs between --threads 1 and --threads 2"
    );
}

#[test]
fn set_changes_the_result() {
    let tmp = TempDir::new().expect("temp dir");
    let common = [fixture("minimal.toml"), "--trials".into(), "2000".into()];
    let common: Vec<&str> = common.iter().map(String::as_str).collect();

    let base_dir = tmp.path().join("base");
    run_ok(&common, &base_dir);
    let rich_dir = tmp.path().join("rich");
    let mut rich = common.clone();
    rich.extend(["--set", "cash.initial=100"]);
    run_ok(&rich, &rich_dir);

    let (base, rich) = (summary(&base_dir), summary(&rich_dir));
    assert_ne!(
        base, rich,
        "--set cash.initial=100 did not change summary.json"
    );
    let p = |s: &serde_json::Value| {
        s["shortfall_probability"]["estimate"]
            .as_f64()
            .expect("shortfall_probability.estimate")
    };
    assert!(
        p(&base) > 0.0 && p(&rich) < p(&base),
        "more initial cash should make a shortfall less likely: {} -> {}",
        p(&base),
        p(&rich)
    );
}

#[test]
fn explain_shows_inputs_sources_schedule_and_median_path() {
    let out = funding_gap(&[
        "explain",
        &root().join("scenarios/bench.toml").display().to_string(),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    for needle in [
        "Uncertain inputs (22)",
        "revenue.consumer.growth",
        "copula input 0",
        "Obligations due per year",
        "Sources and uses of cash on the median path",
        "Cash at the end",
    ] {
        assert!(
            out.stdout.contains(needle),
            "explain lacks {needle:?}\n{}",
            out.dump()
        );
    }
    let json = funding_gap(&["explain", &fixture("minimal.toml"), "--json"]);
    assert_eq!(json.code, Some(0), "{}", json.dump());
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("explain --json is JSON");
    assert!(v["median_path"]["by_year"].is_array());
}

#[test]
fn explain_warns_about_suspicious_inputs() {
    let out = funding_gap(&[
        "explain",
        &fixture("minimal.toml"),
        "--set",
        "cash.initial={ p5 = 1, p95 = 500 }",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(out.stdout.contains("more than 100×"), "{}", out.dump());
}

#[test]
fn new_writes_a_template_that_validates_and_refuses_to_overwrite() {
    let tmp = TempDir::new().expect("temp dir");
    let path = tmp.path().join("case.toml");
    let arg = path.display().to_string();
    let out = funding_gap(&["new", &arg]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    let out = funding_gap(&["validate", &arg]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(
        out.stdout.contains("ok:") && out.stdout.contains("case"),
        "{}",
        out.dump()
    );
    let again = funding_gap(&["new", &arg]);
    assert_error(&again, 2, &["already exists"]);
}

#[test]
fn headlines_prints_a_table_and_updates_between_markers() {
    let bench = root().join("scenarios/bench.toml").display().to_string();
    let out = funding_gap(&[
        "headlines",
        &bench,
        &fixture("minimal.toml"),
        "--trials",
        "500",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(
        out.stdout.contains("| bench |") && out.stdout.contains("| minimal |"),
        "{}",
        out.dump()
    );
    let tmp = TempDir::new().expect("temp dir");
    let readme = tmp.path().join("README.md");
    fs::write(
        &readme,
        "# Title\n<!-- headlines:begin -->\nold\n<!-- headlines:end -->\nafter\n",
    )
    .expect("write");
    let out = funding_gap(&[
        "headlines",
        &bench,
        "--trials",
        "500",
        "--update",
        &readme.display().to_string(),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    let text = fs::read_to_string(&readme).expect("read");
    assert!(
        text.starts_with("# Title\n<!-- headlines:begin -->"),
        "{text}"
    );
    assert!(
        text.contains("| bench |") && !text.contains("old") && text.ends_with("after\n"),
        "{text}"
    );
}

/// The block of scenarios/README.md between `begin` and `end` is generated, not typed: rerun
/// the command it records (without `--update`) and compare what it prints.
fn assert_scenarios_readme_block_is_up_to_date(begin: &str, end: &str) {
    let readme =
        fs::read_to_string(root().join("scenarios/README.md")).expect("read scenarios/README.md");
    let a = readme.find(begin).expect("begin marker");
    let b = readme.find(end).expect("end marker") + end.len();
    let table = &readme[a..b];
    let command = table
        .split("generated by `")
        .nth(1)
        .and_then(|r| r.split('`').next())
        .expect("the table records its command");
    let args: Vec<&str> = command
        .split_whitespace()
        .skip(1)
        .take_while(|a| *a != "--update")
        .collect();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_funding-gap"))
        .args(&args)
        .current_dir(root())
        .output()
        .expect("run funding-gap");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout).replace(
        &format!("`{}`", command.split(" --update").next().unwrap_or(command)),
        &format!("`{command}`"),
    );
    assert_eq!(
        printed.trim_end(),
        table,
        "scenarios/README.md is stale: run `{command}` from the repository root"
    );
}

/// scenarios/README.md's headline table is what `headlines` prints.
#[test]
fn scenarios_readme_headline_table_is_up_to_date() {
    assert_scenarios_readme_block_is_up_to_date(
        "<!-- headlines:begin -->",
        "<!-- headlines:end -->",
    );
}

/// scenarios/README.md's table of base among the published analyses is what `checks` prints.
#[test]
fn scenarios_readme_published_table_is_up_to_date() {
    assert_scenarios_readme_block_is_up_to_date(
        "<!-- published:begin -->",
        "<!-- published:end -->",
    );
}

/// `checks` puts base's published figures beside each scenario's values, and refuses a first
/// scenario without checks.
#[test]
fn checks_tabulates_the_first_scenarios_published_figures() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_funding-gap"))
        .args([
            "checks",
            "scenarios/base.toml",
            "scenarios/bench.toml",
            "--trials",
            "200",
        ])
        .current_dir(root())
        .output()
        .expect("run funding-gap");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("<!-- published:begin -->\n<!-- generated by `funding-gap checks scenarios/base.toml scenarios/bench.toml --trials 200 --seed 42`"), "{text}");
    assert!(
        text.contains(
            "| published figure | metric | published | base | bench | base against it, and why |"
        ),
        "{text}"
    );
    // One cell per scenario in every row: bench (no checks of its own) is run with base's.
    let gap_row = text
        .lines()
        .find(|l| l.contains("`gap.by_2030.p50`"))
        .expect("the gap by 2030 row");
    assert_eq!(gap_row.matches('|').count(), 7, "{gap_row}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_funding-gap"))
        .args(["checks", "scenarios/bench.toml", "--trials", "100"])
        .current_dir(root())
        .output()
        .expect("run funding-gap");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no [[checks]]"));
}

/// `trace --trial N` reproduces row N of trials.csv from the full run.
#[test]
fn trace_reproduces_the_row_of_trials_csv() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("out");
    let _ = run_ok(
        &[
            &fixture("minimal.toml"),
            "--trials",
            "300",
            "--seed",
            "4",
            "--save-trials",
            "--charts",
            "none",
        ],
        &dir,
    );
    let csv = fs::read_to_string(dir.join("trials.csv")).expect("trials.csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let gap_col = header.iter().position(|h| *h == "gap").expect("gap column");
    let row: Vec<&str> = lines.nth(123).expect("row 123").split(',').collect();
    assert_eq!(row[0], "123");
    let out = funding_gap(&[
        "trace",
        &fixture("minimal.toml"),
        "--trial",
        "123",
        "--seed",
        "4",
        "--json",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("trace --json");
    let gap = v["metrics"]
        .as_array()
        .and_then(|m| m.iter().find(|e| e[0] == "gap"))
        .and_then(|e| e[1].as_f64())
        .expect("gap in trace");
    let csv_gap: f64 = row[gap_col].parse().expect("gap number");
    assert_eq!(gap, csv_gap, "trace and trials.csv disagree");
}

#[test]
fn compare_writes_paired_results_and_charts() {
    let tmp = TempDir::new().expect("temp dir");
    let out_dir = tmp.path().join("cmp");
    let out = funding_gap(&[
        "compare",
        &fixture("minimal.toml"),
        &fixture("variant_truncated_normal.toml"),
        "--trials",
        "2000",
        "--out",
        &out_dir.display().to_string(),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(
        out.stdout.contains("Paired differences against minimal"),
        "{}",
        out.dump()
    );
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out_dir.join("comparison.json")).expect("json"))
            .expect("parse");
    assert_eq!(v["summaries"].as_array().map(Vec::len), Some(2));
    assert!(v["paired"][0]["gap_mean_diff_se"].is_number());
    for f in ["compare_exceedance.png", "compare_cash_fan.svg"] {
        assert!(out_dir.join(f).is_file(), "{f}");
    }
}

#[test]
fn sweep_solves_a_target_and_rejects_bad_specs() {
    let tmp = TempDir::new().expect("temp dir");
    let out_dir = tmp.path().join("sw");
    let dir_arg = out_dir.display().to_string();
    let out = funding_gap(&[
        "sweep",
        &fixture("minimal.toml"),
        "--set",
        "cash.initial=0:200:5",
        "--target",
        "shortfall_probability<=0.5",
        "--trials",
        "1000",
        "--charts",
        "png",
        "--out",
        &dir_arg,
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(
        out.stdout.contains("Target shortfall_probability<=0.5"),
        "{}",
        out.dump()
    );
    let csv = fs::read_to_string(out_dir.join("sweep.csv")).expect("sweep.csv");
    assert_eq!(csv.lines().count(), 6, "{csv}");
    assert!(out_dir.join("sweep.png").is_file());

    let no_sweep = funding_gap(&["sweep", &fixture("minimal.toml"), "--set", "cash.initial=5"]);
    assert_error(&no_sweep, 2, &["sweep needs one --set PATH=LO:HI:N"]);
    let two = funding_gap(&[
        "sweep",
        &fixture("minimal.toml"),
        "--set",
        "cash.initial=0:1:2",
        "--set",
        "cash.min_cash=1,2",
    ]);
    assert_error(&two, 2, &["one swept input, got 2"]);
    let bad_range = funding_gap(&[
        "sweep",
        &fixture("minimal.toml"),
        "--set",
        "cash.initial=5:1:3",
    ]);
    assert_error(&bad_range, 2, &["HI must be greater than LO"]);
    let bad_target = funding_gap(&[
        "sweep",
        &fixture("minimal.toml"),
        "--set",
        "cash.initial=0:1:2",
        "--target",
        "speed<=1",
    ]);
    assert_error(&bad_target, 2, &["unknown metric 'speed'"]);
    let bad_path = funding_gap(&[
        "sweep",
        &fixture("minimal.toml"),
        "--set",
        "cash.initail=0:1:2",
        "--trials",
        "100",
    ]);
    assert_error(&bad_path, 2, &["cash.initail", "did you mean `initial`"]);
}

#[test]
fn trace_worst_lists_the_largest_gaps() {
    let out = funding_gap(&[
        "trace",
        &fixture("minimal.toml"),
        "--worst",
        "3",
        "--trials",
        "2000",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(
        out.stdout.contains("the 3 trials with the largest gap"),
        "{}",
        out.dump()
    );
    // One block per trial, each opening with "trial N: gap ...".
    let rows = out
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("trial "))
        .count();
    assert!(rows >= 3, "{}", out.dump());
}

#[test]
fn manifest_lists_the_run_and_warns_when_the_directory_held_another_scenario() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("out");
    let arg = dir.display().to_string();
    let bench = root().join("scenarios/bench.toml").display().to_string();
    let first = funding_gap(&[
        "run", &bench, "--trials", "300", "--charts", "none", "--out", &arg,
    ]);
    assert_eq!(first.code, Some(0), "{}", first.dump());
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(m["scenario"], "bench");
    assert_eq!(
        m["files"],
        serde_json::json!(["summary.json", "bands.csv", "report.xlsx", "report.html"])
    );
    let second = funding_gap(&[
        "run",
        &fixture("minimal.toml"),
        "--trials",
        "300",
        "--charts",
        "none",
        "--out",
        &arg,
    ]);
    assert_eq!(second.code, Some(0), "{}", second.dump());
    assert!(
        second
            .stderr
            .contains("held the outputs of scenario 'bench'"),
        "{}",
        second.dump()
    );
}

#[test]
fn bench_reports_every_thread_count_with_medians_of_its_runs() {
    let out = funding_gap(&[
        "bench",
        "--trials",
        "3000",
        "--max-threads",
        "2",
        "--repeat",
        "3",
        "--json",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.dump());
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("bench --json is JSON");
    assert_eq!(v["scenario"], "bench");
    assert_eq!(v["trials"], 3000);
    assert_eq!(v["repeat"], 3);
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{}", out.stdout);
    for (i, r) in rows.iter().enumerate() {
        let f = |k: &str| r[k].as_f64().unwrap_or_else(|| panic!("{k} in {r}"));
        assert_eq!(r["threads"], i + 1);
        assert!(f("seconds_min") > 0.0, "{r}");
        assert!(
            f("seconds_min") <= f("seconds") && f("seconds") <= f("seconds_max"),
            "{r}"
        );
        assert!(
            (f("trials_per_second") * f("seconds") - 3000.0).abs() < 1e-6,
            "{r}"
        );
        assert!(
            (f("ns_per_trial") - f("seconds") * 1e9 / 3000.0).abs() < 1e-6,
            "{r}"
        );
        assert!((f("efficiency") - f("rng_floor_seconds") / f("seconds")).abs() < 1e-12);
        assert!(f("peak_memory_mb") > 0.0, "{r}");
    }
    assert_eq!(rows[0]["speedup"], 1.0);
    let s1 = rows[0]["seconds"].as_f64().unwrap_or(f64::NAN);
    let s2 = rows[1]["seconds"].as_f64().unwrap_or(f64::NAN);
    let speedup = rows[1]["speedup"].as_f64().unwrap_or(f64::NAN);
    assert!((speedup - s1 / s2).abs() < 1e-12, "{}", out.stdout);

    let table = funding_gap(&[
        "bench",
        "--trials",
        "500",
        "--max-threads",
        "1",
        "--repeat",
        "1",
    ]);
    assert_eq!(table.code, Some(0), "{}", table.dump());
    assert!(
        table.stdout.contains("1 run per thread count"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("range, s"), "{}", table.stdout);

    let bad = funding_gap(&["bench", "--repeat", "0"]);
    assert_error(&bad, 2, &["--repeat"]);
}

/// The SHA-256 of a file's bytes, by the system's `sha256sum` (an implementation independent
/// of the one in the binary).
fn sha256sum(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("run sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_run_records_its_files_hashes_overrides_and_build() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("out");
    let arg = dir.display().to_string();
    // no-round extends base: both files are recorded, in that order, with their hashes.
    let common = [
        "run",
        "scenarios/no-round.toml",
        "--trials",
        "300",
        "--charts",
        "none",
        "--out",
        &arg,
    ];
    let first = funding_gap(&common);
    assert_eq!(first.code, Some(0), "{}", first.dump());
    let mut with_sets = common.to_vec();
    with_sets.extend(["--set", "cash.initial=50", "--set", "ipo.probability = 0.5"]);
    let second = funding_gap(&with_sets);
    assert_eq!(second.code, Some(0), "{}", second.dump());
    assert!(
        second.stderr.contains(&format!(
            "{arg} held the outputs of a run of 'no-round' without --set; this run with --set cash.initial=50 --set ipo.probability = 0.5 replaces"
        )),
        "{}",
        second.dump()
    );
    // The printed header shows the overrides.
    assert!(
        second
            .stdout
            .contains("\n  --set cash.initial=50\n  --set ipo.probability = 0.5\n"),
        "{}",
        second.dump()
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).expect("manifest"))
            .expect("json");
    for p in [&summary(&dir)["provenance"], &manifest["provenance"]] {
        let files = p["scenario_files"].as_array().expect("scenario_files");
        let paths: Vec<&str> = files.iter().filter_map(|f| f["path"].as_str()).collect();
        assert_eq!(
            paths,
            ["scenarios/no-round.toml", "scenarios/base.toml"],
            "{p}"
        );
        for f in files {
            let path = root().join(f["path"].as_str().unwrap_or_default());
            assert_eq!(f["sha256"], sha256sum(&path).as_str(), "{p}");
        }
        assert_eq!(
            p["overrides"],
            serde_json::json!(["cash.initial=50", "ipo.probability = 0.5"])
        );
        assert_eq!(p["version"], env!("CARGO_PKG_VERSION"));
        // Built from a checkout: the commit is recorded.
        if root().join(".git").exists() {
            let commit = p["git_commit"].as_str().unwrap_or_default();
            assert!(
                commit.len() >= 40 && commit[..40].chars().all(|c| c.is_ascii_hexdigit()),
                "{p}"
            );
        }
    }
    // The same overrides again: nothing to warn about.
    let third = funding_gap(&with_sets);
    assert_eq!(third.code, Some(0), "{}", third.dump());
    assert!(
        !third.stderr.contains("held the outputs"),
        "{}",
        third.dump()
    );
}
