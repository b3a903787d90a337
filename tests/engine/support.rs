//! Helpers: build models from TOML text, run them, read one trial.

use funding_gap::engine::{RunConfig, RunResult, simulate};
use funding_gap::model::{Model, compile};
use funding_gap::scenario::load_str;
use funding_gap::sim::{Scratch, run_trial};
use funding_gap::summary::{Summary, summarize};

/// Compiles a scenario given as TOML text.
pub fn model(toml: &str) -> Model {
    let s = load_str(toml, "test.toml", None, &[])
        .unwrap_or_else(|e| panic!("invalid test scenario:\n{e}"));
    compile(&s).unwrap_or_else(|e| panic!("cannot compile test scenario:\n{e}"))
}

/// Every shipped scenario, as a path relative to `scenarios/`: `*.toml` and the published
/// analyses in `published/*.toml`, sorted.
pub fn shipped_scenarios() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = Vec::new();
    for sub in ["", "published/"] {
        let dir = root.join(sub);
        for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let name = e
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".toml") {
                files.push(format!("{sub}{name}"));
            }
        }
    }
    files.sort();
    files
}

/// Compiles a file in scenarios/ with overrides.
pub fn scenario_file(name: &str, set: &[&str]) -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    let s = funding_gap::scenario::load(&path, &set).unwrap_or_else(|e| panic!("{e}"));
    compile(&s).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `trials` trials with `seed` on `threads` threads.
pub fn run(model: &Model, trials: u64, seed: u64, threads: usize) -> (RunResult, Summary) {
    let cfg = RunConfig {
        trials,
        seed,
        threads: Some(threads),
        save_trials: false,
        worst: 0,
    };
    let r = simulate(model, &cfg, &|_| {}, None, None).unwrap_or_else(|e| panic!("{e}"));
    let s = summarize(model, &r);
    (r, s)
}

/// Runs one trial and returns its scratch (cash path, flows, outcome).
pub fn trial(model: &Model, seed: u64, trial: u64) -> Scratch {
    let mut s = Scratch::new(model);
    run_trial(model, seed, trial, &mut s);
    s
}

/// Asserts |a − b| ≤ tol, with a message.
#[track_caller]
pub fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol,
        "{what}: got {a}, expected {b} (tolerance {tol})"
    );
}
