//! The published analyses (`scenarios/published/*.toml`) check themselves: each carries the
//! figures it reproduces as `[[checks]]`, and a check that does not match must say why.
//!
//! Every file in the folder is run (listed from the directory, so a new file is covered) with
//! the scenario's own seed, `--charts none`, and the `checks` of its summary.json are read: the
//! file has at least one; a check expected to match passes; a check expected to differ fails and
//! gives its reason; every check names its source.

use std::fs;
use std::path::PathBuf;

use tempfile::TempDir;

use crate::{funding_gap, root};

/// Trials per file: enough that the Monte Carlo error of a mean or a median is well inside
/// the checks' tolerances (the files' own comments were written from 20,000-trial runs), and
/// all files together stay at a few seconds of CPU.
const TRIALS: &str = "20000";

/// `scenarios/published/*.toml`, sorted, as paths relative to the package root.
fn published_files() -> Vec<String> {
    let dir = root().join("scenarios/published");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            p.strip_prefix(root())
                .expect("under the root")
                .display()
                .to_string()
        })
        .collect()
}

/// A string field of a check, or "" if it is missing or not a string.
fn text<'a>(check: &'a serde_json::Value, key: &str) -> &'a str {
    check.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

/// What is wrong with the checks of one run's summary.json (empty: nothing).
fn problems(file: &str, summary: &serde_json::Value) -> Vec<String> {
    let Some(checks) = summary.get("checks").and_then(|c| c.as_array()) else {
        return vec![format!("{file}: summary.json has no `checks` array")];
    };
    if checks.is_empty() {
        return vec![format!(
            "{file}: no [[checks]]: a published analysis carries its figures"
        )];
    }
    let mut out = Vec::new();
    for c in checks {
        let metric = text(c, "metric");
        let what = format!(
            "{file}: {metric} (published {}, value {})",
            c.get("published").unwrap_or(&serde_json::Value::Null),
            c.get("value").unwrap_or(&serde_json::Value::Null)
        );
        if text(c, "source").trim().is_empty() {
            out.push(format!("{what}: no source"));
        }
        let pass = c.get("pass").and_then(|p| p.as_bool());
        match (text(c, "expect"), pass) {
            ("match", Some(true)) => {}
            ("match", _) => out.push(format!("{what}: expected to match, but fails")),
            ("differs", Some(false)) if !text(c, "reason").trim().is_empty() => {}
            ("differs", Some(false)) => out.push(format!("{what}: differs without a reason")),
            ("differs", _) => out.push(format!(
                "{what}: expected to differ, but passes: make it a match or fix the reason"
            )),
            (other, _) => out.push(format!(
                "{what}: expect is {other:?}, pass is {pass:?}: want \"match\"/\"differs\" and a bool"
            )),
        }
    }
    out
}

#[test]
fn every_published_analysis_checks_itself() {
    let files = published_files();
    assert!(
        files.len() >= 5,
        "scenarios/published/ should hold the published analyses: {files:?}"
    );
    let tmp = TempDir::new().expect("temp dir");
    let mut all = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let out_dir = tmp.path().join(format!("run{i}"));
        let out = funding_gap(&[
            "run",
            file,
            "--trials",
            TRIALS,
            "--charts",
            "none",
            "--quiet",
            "--out",
            &out_dir.display().to_string(),
        ]);
        if out.code != Some(0) {
            all.push(format!("{file}: run failed\n{}", out.dump()));
            continue;
        }
        let json = fs::read_to_string(out_dir.join("summary.json")).expect("read summary.json");
        let summary: serde_json::Value = serde_json::from_str(&json).expect("summary.json is JSON");
        all.extend(problems(file, &summary));
    }
    assert!(all.is_empty(), "\n{}", all.join("\n"));
}

/// The rules above can fail: a summary without checks, a match that fails, a difference that
/// passes or has no reason, a check without a source.
#[test]
fn the_published_check_rules_catch_each_failure() {
    let summary = |checks: serde_json::Value| serde_json::json!({ "checks": checks });
    let good = serde_json::json!({
        "metric": "revenue.2030.p50", "published": 1.0, "value": 1.0, "pass": true,
        "expect": "match", "reason": "", "source": "sources.md §1.2"
    });
    assert!(problems("f", &summary(serde_json::json!([good.clone()]))).is_empty());
    assert_eq!(problems("f", &serde_json::json!({})).len(), 1);
    assert_eq!(problems("f", &summary(serde_json::json!([]))).len(), 1);
    let with = |k: &str, v: serde_json::Value| {
        let mut c = good.clone();
        c[k] = v;
        summary(serde_json::json!([c]))
    };
    assert_eq!(problems("f", &with("pass", false.into())).len(), 1);
    assert_eq!(problems("f", &with("source", " ".into())).len(), 1);
    let mut differs = good.clone();
    differs["expect"] = "differs".into();
    differs["pass"] = false.into();
    assert_eq!(
        problems("f", &summary(serde_json::json!([differs.clone()]))).len(),
        1
    );
    differs["reason"] = "sources.md §3.4: not published".into();
    assert!(problems("f", &summary(serde_json::json!([differs.clone()]))).is_empty());
    differs["pass"] = true.into();
    assert_eq!(
        problems("f", &summary(serde_json::json!([differs]))).len(),
        1
    );
}

/// A published analysis is found by its name, as `scenarios/NAME.toml` is: `validate
/// hsbc-2025` loads `scenarios/published/hsbc-2025.toml`.
#[test]
fn a_published_analysis_is_found_by_name() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_funding-gap"))
        .args(["validate", "hsbc-2025"])
        .current_dir(root())
        .output()
        .expect("run funding-gap");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("scenarios/published/hsbc-2025.toml"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
