//! End-to-end tests of the `funding-gap` binary: every bad input is rejected with a clear
//! message and the right exit status, and the happy paths write what they promise.
//!
//! The binary runs with the package root as its working directory, so scenario arguments are
//! given as `tests/fixtures/NAME.toml` and names like `bench` resolve to `scenarios/NAME.toml`.
//! Every run passes `--out` inside a fresh temporary directory, or runs from one (to check a
//! default folder): nothing is written to the repository's `output/`.
//!
//! - [`args`]: `--trials` forms and limit, the long-run estimate, default folders, help texts,
//!   `trace --threads`, `new --extends`.
//! - [`data_outputs`]: report.xlsx and trials.parquet read back by independent readers.
//! - [`distributions`]: the beta, Student-t, discrete and mixture forms end to end.
//! - [`error_catalogue`]: every example of `docs/errors.md` prints exactly what it says.
//! - [`errors`]: bad scenario files (`tests/fixtures/*.toml`, one problem each).
//! - [`usage`]: bad command lines: `--set`, `--trials`, `--out`, unknown scenario names.
//! - [`run`]: successful runs, `--help`, determinism across thread counts.
//! - [`sampling`]: `--sampling`, `--replicates`, `--precision`: deterministic rounds, refusals.
//! - [`published`]: every `scenarios/published/*.toml` runs and its `[[checks]]` hold as declared.
//! - [`report_html`]: `report.html` of a run, a comparison and a sweep, checked in headless
//!   Chromium (skipped without it unless `FUNDING_GAP_REQUIRE_BROWSER=1`); `--report none`.
//! - [`regressions`]: problems found by reviewing the messages and behaviour, one test each.
//! - [`switches`]: `switches`: its help, its outputs, and the generated table in
//!   scenarios/README.md.
//! - [`signals`]: Ctrl-C, SIGTERM, SIGHUP and SIGKILL, two runs into one folder, a closed
//!   stdout.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod analysis_text;
mod args;
mod conditional;
mod data_outputs;
mod distributions;
mod error_catalogue;
mod errors;
mod published;
mod regressions;
mod report_html;
mod run;
mod sampling;
mod scenario_diff;
mod shards;
#[cfg(unix)]
mod signals;
mod stored;
mod switches;
mod usage;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_funding-gap");

/// The package root: the working directory of every run.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The path of a fixture as passed on the command line (relative to the package root).
fn fixture(name: &str) -> String {
    let rel = format!("tests/fixtures/{name}");
    assert!(root().join(&rel).is_file(), "missing fixture {rel}");
    rel
}

/// What a run of the binary produced.
#[derive(Debug)]
struct Output {
    /// Exit status (`None` if killed by a signal).
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Output {
    /// Everything, for assertion messages.
    fn dump(&self) -> String {
        format!(
            "exit status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs the binary with `args` from the package root.
fn funding_gap<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    funding_gap_in(root(), args)
}

/// Runs the binary with `args` from the folder `dir`.
fn funding_gap_in<S: AsRef<std::ffi::OsStr>>(dir: &std::path::Path, args: &[S]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Asserts a failure: exit status `code`, stderr starting with `error: `, no panic, and every
/// one of `needles` somewhere in stderr.
fn assert_error(out: &Output, code: i32, needles: &[&str]) {
    assert_eq!(out.code, Some(code), "wrong exit status\n{}", out.dump());
    assert!(
        out.stderr.starts_with("error: "),
        "stderr must start with `error: `\n{}",
        out.dump()
    );
    assert!(
        !out.stderr.contains("panicked"),
        "the binary panicked\n{}",
        out.dump()
    );
    for needle in needles {
        assert!(
            out.stderr.contains(needle),
            "stderr should contain {needle:?}\n{}",
            out.dump()
        );
    }
}

/// Every shipped scenario file: `scenarios/*.toml` and the published analyses in
/// `scenarios/published/*.toml`, sorted.
fn shipped_scenarios() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = ["scenarios", "scenarios/published"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(root().join(d))
                .unwrap_or_else(|e| panic!("cannot list {d}/: {e}"))
                .map(|e| e.expect("entry").path())
        })
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
}

/// Asserts that nothing exists at `dir`, or that it is an empty directory.
fn assert_nothing_written(dir: &Path) {
    if !dir.exists() {
        return;
    }
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    assert!(
        entries.is_empty(),
        "nothing should have been written to {}, found {entries:?}",
        dir.display()
    );
}

/// `funding-gap run ARGS... --out TMP/out`, expected to fail with `code` before writing anything
/// (stdout empty, no output directory created, nothing else in TMP).
fn run_fails(args: &[&str], code: i32, needles: &[&str]) -> Output {
    let tmp = TempDir::new().expect("temp dir");
    let out_dir = tmp.path().join("out");
    let mut full: Vec<String> = vec!["run".into()];
    full.extend(args.iter().map(|s| s.to_string()));
    full.extend(["--out".into(), out_dir.display().to_string()]);
    let out = funding_gap(&full);
    assert_error(&out, code, needles);
    assert!(
        out.stdout.is_empty(),
        "a failed run should print nothing on stdout\n{}",
        out.dump()
    );
    assert_nothing_written(&out_dir);
    assert_nothing_written(tmp.path());
    out
}

/// A bad scenario fixture: `run` and `validate` both exit 2, name the file and say what is
/// wrong (every one of `needles`), and `run` writes nothing. Returns the `run` output.
fn bad_fixture(name: &str, needles: &[&str]) -> Output {
    let path = fixture(name);
    let mut all: Vec<&str> = vec![&path];
    all.extend_from_slice(needles);
    let run = run_fails(&[&path], 2, &all);
    let validate = funding_gap(&["validate", &path]);
    assert_error(&validate, 2, &all);
    assert!(
        !validate.stdout.contains("ok:"),
        "validate must not report a bad file as ok\n{}",
        validate.dump()
    );
    run
}
