//! Arguments that work as their help says: `--trials` in the usual numeric forms for every
//! command, the estimate of a long run, `compare`'s default folder on any file system, help
//! texts that tell each command's own defaults, `trace --threads`, and `new --extends`.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tempfile::TempDir;

use crate::{BIN, Output, assert_error, fixture, funding_gap, funding_gap_in, root};

fn assert_ok(out: &Output) {
    assert_eq!(out.code, Some(0), "{}", out.dump());
    assert!(!out.stderr.contains("panicked"), "{}", out.dump());
}

/// The trials a run recorded in its manifest.
fn manifest_trials(dir: &Path) -> u64 {
    let text = fs::read_to_string(dir.join("manifest.json")).expect("read manifest.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("manifest.json is JSON");
    v["trials"].as_u64().expect("manifest trials")
}

#[test]
fn trials_accepts_underscores_commas_and_exact_scientific_notation() {
    let tmp = TempDir::new().expect("temp dir");
    for (written, trials) in [
        ("1000", 1000),
        ("1_000", 1000),
        ("1,000", 1000),
        ("1e3", 1000),
        ("1E3", 1000),
        ("1.5e3", 1500),
        ("2.50e+3", 2500),
        ("15000e-1", 1500),
    ] {
        let dir = tmp.path().join(format!("t{trials}-{}", written.len()));
        let d = dir.display().to_string();
        let out = funding_gap(&[
            "run",
            &fixture("minimal.toml"),
            "--trials",
            written,
            "--charts",
            "none",
            "--out",
            &d,
            "-q",
        ]);
        assert_ok(&out);
        assert_eq!(manifest_trials(&dir), trials, "--trials {written}");
    }
}

#[test]
fn every_command_taking_trials_parses_them_alike() {
    let tmp = TempDir::new().expect("temp dir");
    let minimal = fixture("minimal.toml");
    let out_dir = |name: &str| tmp.path().join(name).display().to_string();
    let (compare_out, sweep_out) = (out_dir("compare"), out_dir("sweep"));
    let runs: [Vec<&str>; 5] = [
        vec![
            "compare",
            &minimal,
            &minimal,
            "--charts",
            "none",
            "--out",
            &compare_out,
            "-q",
        ],
        vec![
            "sweep",
            &minimal,
            "--set",
            "cash.initial=10,20",
            "--charts",
            "none",
            "--out",
            &sweep_out,
            "-q",
        ],
        vec!["trace", &minimal, "--worst", "2", "--json"],
        vec!["headlines", &minimal],
        vec![
            "bench",
            &minimal,
            "--max-threads",
            "1",
            "--repeat",
            "1",
            "--json",
        ],
    ];
    for mut args in runs {
        args.extend(["--trials", "1.5"]);
        let bad = funding_gap(&args);
        assert_error(&bad, 2, &["'1.5'", "--trials", "whole number"]);
        let n = args.len();
        args[n - 1] = "1.5e2";
        assert_ok(&funding_gap(&args));
    }
}

#[test]
fn a_long_run_says_how_long_it_will_take() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("out").display().to_string();
    let mut child = Command::new(BIN)
        .args([
            "run",
            &fixture("minimal.toml"),
            "--trials",
            "1e11",
            "--charts",
            "none",
            "--out",
            &dir,
        ])
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the run");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Not a speed test: the estimate comes within a second or two of the start; the limit
    // only keeps a missing estimate from leaving a 10^11-trial run behind.
    let line = rx.recv_timeout(Duration::from_secs(120));
    child.kill().expect("stop the run");
    let _ = child.wait();
    let line = line.expect("the run printed nothing on stderr before the time limit");
    for needle in ["100,000,000,000 trials", "will take about", "Ctrl-C"] {
        assert!(line.contains(needle), "{needle:?} not in {line:?}");
    }
}

#[test]
fn a_short_run_prints_no_estimate() {
    let tmp = TempDir::new().expect("temp dir");
    let dir = tmp.path().join("out").display().to_string();
    let out = funding_gap(&[
        "run",
        &fixture("minimal.toml"),
        "--trials",
        "2e4",
        "--charts",
        "none",
        "--out",
        &dir,
    ]);
    assert_ok(&out);
    assert!(!out.stderr.contains("will take"), "{}", out.dump());
}

/// Writes `NAME.toml` extending the minimal fixture, with that name, into `dir`.
fn named_variant(dir: &Path, name: &str) -> String {
    let minimal = root().join("tests/fixtures/minimal.toml");
    let file = dir.join(format!("{name}.toml"));
    fs::write(
        &file,
        format!(
            "extends = {:?}\nname = {name:?}\n",
            minimal.display().to_string()
        ),
    )
    .expect("write variant");
    file.display().to_string()
}

/// The folders in `dir/output/`.
fn output_folders(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.join("output"))
        .expect("list output/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Five long names made `output/compare-A-vs-B-vs-...` longer than a file name may be: the
/// comparison ran, then failed to create its folder (exit 1).
#[test]
fn compare_default_folder_of_long_names_fits_the_file_system() {
    let tmp = TempDir::new().expect("temp dir");
    let files: Vec<String> = (1..=5)
        .map(|i| {
            named_variant(
                tmp.path(),
                &format!("a-scenario-with-a-rather-long-and-descriptive-name-number-{i}"),
            )
        })
        .collect();
    let compare = |files: &[&str]| {
        let mut args = vec!["compare"];
        args.extend_from_slice(files);
        args.extend(["--trials", "200", "--charts", "none", "-q"]);
        funding_gap_in(tmp.path(), &args)
    };
    let mut list: Vec<&str> = files.iter().map(String::as_str).collect();
    assert_ok(&compare(&list));
    let first = output_folders(tmp.path());
    assert_eq!(first.len(), 1, "{first:?}");
    let folder = &first[0];
    assert!(folder.len() <= 100, "{folder} is {} bytes", folder.len());
    assert!(
        folder.starts_with("compare-a-scenario-with-a-rather-long"),
        "{folder}"
    );
    assert!(
        tmp.path()
            .join("output")
            .join(folder)
            .join("comparison.json")
            .is_file(),
        "no comparison.json in {folder}"
    );
    // The same list gives the same folder; another order, another folder.
    assert_ok(&compare(&list));
    assert_eq!(output_folders(tmp.path()), first);
    list.swap(3, 4);
    assert_ok(&compare(&list));
    assert_eq!(output_folders(tmp.path()).len(), 2);
}

#[test]
fn compare_default_folder_of_short_names_is_the_names() {
    let tmp = TempDir::new().expect("temp dir");
    let a = named_variant(tmp.path(), "a");
    let b = named_variant(tmp.path(), "b");
    let out = funding_gap_in(
        tmp.path(),
        &[
            "compare", &a, &b, "--trials", "200", "--charts", "none", "-q",
        ],
    );
    assert_ok(&out);
    assert_eq!(output_folders(tmp.path()), ["compare-a-vs-b"]);
}

/// The help of `command`.
fn help(command: &str) -> String {
    let out = funding_gap(&[command, "--help"]);
    assert_ok(&out);
    // One line per option: clap wraps long help at the terminal width.
    out.stdout.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The help line of `option` (up to the next option).
fn option_help(help: &str, option: &str) -> String {
    let start = help
        .find(&format!("{option} <"))
        .unwrap_or_else(|| panic!("no {option} in {help}"));
    let rest = &help[start + option.len()..];
    let end = rest.find(" --").unwrap_or(rest.len());
    rest[..end].to_string()
}

#[test]
fn sweep_help_tells_the_trials_it_runs_per_value() {
    let sweep = help("sweep");
    let trials = option_help(&sweep, "--trials");
    assert!(trials.contains("20000"), "{trials}");
    assert!(!trials.contains("default: the scenario's"), "{trials}");
}

#[test]
fn compare_and_sweep_help_name_their_own_output_folder() {
    let compare = option_help(&help("compare"), "--out");
    assert!(compare.contains("output/compare-"), "{compare}");
    assert!(compare.contains("100"), "{compare}");
    let sweep = option_help(&help("sweep"), "--out");
    assert!(sweep.contains("output/sweep-"), "{sweep}");
    for text in [&compare, &sweep] {
        assert!(!text.contains("several scenarios"), "{text}");
        assert!(!text.contains("output/<scenario name>/]"), "{text}");
    }
    let compare_trials = option_help(&help("compare"), "--trials");
    assert!(
        compare_trials.contains("first scenario"),
        "{compare_trials}"
    );
}

#[test]
fn trace_threads_do_not_change_the_worst_trials() {
    let minimal = fixture("minimal.toml");
    let worst = |threads: &str| {
        let out = funding_gap(&[
            "trace",
            &minimal,
            "--worst",
            "5",
            "--trials",
            "20000",
            "--threads",
            threads,
            "--json",
        ]);
        assert_ok(&out);
        out.stdout
    };
    let one = worst("1");
    assert!(one.contains("\"trial\""), "{one}");
    assert_eq!(one, worst("2"));
    assert_eq!(one, worst("3"));
    let bad = funding_gap(&["trace", &minimal, "--worst", "5", "--threads", "0"]);
    assert_error(&bad, 2, &["--threads", "1..=1024"]);
}

/// A working directory holding a copy of `scenarios/base.toml`.
fn with_base() -> TempDir {
    let tmp = TempDir::new().expect("temp dir");
    fs::create_dir(tmp.path().join("scenarios")).expect("mkdir scenarios");
    fs::copy(
        root().join("scenarios/base.toml"),
        tmp.path().join("scenarios/base.toml"),
    )
    .expect("copy base.toml");
    tmp
}

/// Every example line of a variant uncommented: `# [table]` and `# key = value` lines.
fn uncommented(text: &str) -> String {
    text.lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(code)
                if code.starts_with('[')
                    || code
                        .split_once(" = ")
                        .is_some_and(|(k, _)| !k.is_empty() && !k.contains(' ')) =>
            {
                code
            }
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn new_extends_writes_a_short_variant_whose_examples_hold_the_parent_values() {
    let tmp = with_base();
    let out = funding_gap_in(tmp.path(), &["new", "my-case", "--extends", "base"]);
    assert_ok(&out);
    let file = tmp.path().join("scenarios/my-case.toml");
    let text = fs::read_to_string(&file).expect("read the variant");
    assert!(
        text.lines().count() < 40,
        "{} lines:\n{text}",
        text.lines().count()
    );
    assert!(text.contains("extends = \"base.toml\""), "{text}");
    assert!(text.contains("name = \"my-case\""), "{text}");
    for section in ["[revenue.", "[obligations.", "[rounds.", "[ipo]"] {
        assert!(text.contains(&format!("# {section}")), "{section}:\n{text}");
    }
    let validate = funding_gap_in(tmp.path(), &["validate", "my-case"]);
    assert_ok(&validate);
    assert!(validate.stdout.contains("ok:"), "{}", validate.dump());
    // Uncommented, the examples set the base's own values: the same results as the base.
    let open = uncommented(&text);
    assert_ne!(open, text, "no example lines to uncomment");
    fs::write(tmp.path().join("scenarios/open.toml"), &open).expect("write open.toml");
    let bands = |name: &str| {
        let out = funding_gap_in(
            tmp.path(),
            &[
                "run", name, "--trials", "2000", "--charts", "none", "-q", "--out", name,
            ],
        );
        assert_ok(&out);
        fs::read_to_string(tmp.path().join(name).join("bands.csv")).expect("read bands.csv")
    };
    assert!(
        bands("open") == bands("base"),
        "the examples differ from base:\n{open}"
    );
    // It never overwrites.
    let again = funding_gap_in(tmp.path(), &["new", "my-case", "--extends", "base"]);
    assert_error(&again, 2, &["already exists"]);
    assert_eq!(fs::read_to_string(&file).expect("reread"), text);
}

#[test]
fn new_extends_a_file_in_another_folder_by_its_relative_path() {
    let tmp = with_base();
    fs::create_dir(tmp.path().join("cases")).expect("mkdir cases");
    let out = funding_gap_in(
        tmp.path(),
        &["new", "cases/x.toml", "--extends", "scenarios/base.toml"],
    );
    assert_ok(&out);
    let text = fs::read_to_string(tmp.path().join("cases/x.toml")).expect("read x.toml");
    assert!(
        text.contains("extends = \"../scenarios/base.toml\""),
        "{text}"
    );
    assert_ok(&funding_gap_in(tmp.path(), &["validate", "cases/x.toml"]));
}

#[test]
fn new_extends_what_is_not_a_file_is_refused_and_writes_nothing() {
    let tmp = TempDir::new().expect("temp dir");
    let out = funding_gap_in(tmp.path(), &["new", "x.toml", "--extends", "base"]);
    assert_error(&out, 2, &["--extends base", "built-in"]);
    let out = funding_gap_in(tmp.path(), &["new", "x.toml", "--extends", "nosuch"]);
    assert_error(&out, 2, &["no scenario 'nosuch'"]);
    let left: Vec<_> = fs::read_dir(tmp.path()).expect("list").collect();
    assert!(left.is_empty(), "{left:?}");
}
