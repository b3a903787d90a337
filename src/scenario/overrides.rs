//! `--set PATH=VALUE` overrides (and `PATH*=K`, `PATH+=K`, which scale or shift the number
//! or distribution at PATH): parsed, applied to the merged TOML table, and noted on the
//! problems whose value they set.
//!
//! An override is applied before validation, to the table that `extends` produced, so it can
//! set any field a file can; its shape is checked at once, so that a misspelt path is blamed
//! on the override rather than on the file.

use super::error::{
    Problem, ScenarioError, clip_quoted, did_you_mean, list_names, one_line, plain_types, set_by,
    shown_arg, with_suggestion,
};
use super::raw::RawScenario;

/// What an override does to the value at its path.
#[derive(Clone, Copy, PartialEq)]
enum Op {
    /// `PATH=VALUE`: replaces it.
    Set,
    /// `PATH*=K`: multiplies every number of it that is in the field's units.
    Scale,
    /// `PATH+=K`: adds K to every location number of it.
    Shift,
}

/// The parameters of each distribution form that a scale multiplies: those in the field's
/// units. `sd_log` is not (a lognormal's median scales, its spread in logs stays), nor is `p`,
/// nor a shape (`beta_a`, `beta_b`, `dof`) or a weight. A discrete form's `values` scale one by
/// one, a mixture's components each by these rules.
const SCALED: [&str; 15] = [
    "low",
    "mode",
    "high",
    "p5",
    "p95",
    "mean",
    "sd",
    "min",
    "max",
    "median",
    "beta_mean",
    "beta_sd",
    "location",
    "scale",
    "values",
];
/// The parameters that a shift moves: the locations (every quantile and bound moves by K; a
/// standard deviation does not).
const SHIFTED: [&str; 11] = [
    "low",
    "mode",
    "high",
    "p5",
    "p95",
    "mean",
    "min",
    "max",
    "beta_mean",
    "location",
    "values",
];
/// Every key of a distribution table.
const DIST_KEYS: [&str; 22] = [
    "low",
    "mode",
    "high",
    "pert",
    "p5",
    "p95",
    "mean",
    "sd",
    "min",
    "max",
    "median",
    "sd_log",
    "p",
    "beta_a",
    "beta_b",
    "beta_mean",
    "beta_sd",
    "location",
    "scale",
    "dof",
    "values",
    "weights",
];

/// Applies one `PATH=VALUE`, `PATH*=K` or `PATH+=K` override to the merged table.
pub(super) fn apply_override(table: &mut toml::Table, arg: &str) -> Result<(), ScenarioError> {
    let err = |message: String| ScenarioError::Override {
        arg: shown_arg(arg),
        message: clip_quoted(&one_line(&message)),
    };
    let Some((path, value)) = arg.split_once('=') else {
        return Err(err(
            "expected PATH=VALUE, e.g. --set ipo.probability=0.5".into()
        ));
    };
    let (path, value) = (path.trim(), value.trim());
    let (path, op) = match (path.strip_suffix('*'), path.strip_suffix('+')) {
        (Some(p), _) => (p.trim_end(), Op::Scale),
        (_, Some(p)) => (p.trim_end(), Op::Shift),
        _ => (path, Op::Set),
    };
    if path.is_empty() {
        return Err(err("the path before '=' is empty".into()));
    }
    // Files are merged before overrides apply, so a `--set extends=...` would be ignored.
    if path.split('.').next().map(str::trim) == Some("extends") {
        return Err(err(
            "extends cannot be set with --set (files are merged before --set applies); edit the file's `extends` line".into(),
        ));
    }
    let parsed: toml::Value = match format!("v = {value}").parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or(toml::Value::String(value.to_string())),
        Err(_) => toml::Value::String(value.to_string()),
    };
    let keys: Vec<&str> = path.split('.').collect();
    let mut root = toml::Value::Table(std::mem::take(table));
    let walked = match op {
        Op::Set => walk(&mut root, &keys, true, &err).map(|slot| *slot = parsed),
        Op::Scale | Op::Shift => factor(&parsed, op).map_err(&err).and_then(|k| {
            let slot = walk(&mut root, &keys, false, &err)?;
            rescale(slot, op, k).map_err(|m| err(format!("`{path}` {m}")))
        }),
    };
    if let toml::Value::Table(t) = root {
        *table = t;
    }
    walked?;
    // Check the shape right away, so a misspelt field is blamed on this override.
    toml::Value::Table(table.clone())
        .try_into::<RawScenario>()
        .map_err(|e| {
            err(with_suggestion(&plain_types(
                e.message().trim(),
                Some(path),
            )))
        })?;
    Ok(())
}

/// The K of `PATH*=K` or `PATH+=K`: a finite number (≥ 0 to scale).
fn factor(v: &toml::Value, op: Op) -> Result<f64, String> {
    let (sign, example) = match op {
        Op::Scale => ("*=", "revenue.consumer.growth*=0.8"),
        _ => ("+=", "revenue.consumer.growth+=-0.1"),
    };
    let k = match v {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(x) if x.is_finite() => *x,
        _ => {
            return Err(format!(
                "the value after {sign} must be a number, e.g. --set {example}"
            ));
        }
    };
    if op == Op::Scale && k < 0.0 {
        return Err(format!("a scale factor must be ≥ 0, e.g. --set {example}"));
    }
    Ok(k)
}

/// Scales or shifts the number or the distribution in `slot` by `k`; `Err` says why it cannot
/// (the caller puts the path before it).
fn rescale(slot: &mut toml::Value, op: Op, k: f64) -> Result<(), String> {
    let apply = |x: f64| if op == Op::Scale { x * k } else { x + k };
    match slot {
        toml::Value::Integer(i) => {
            let x = apply(*i as f64);
            // A whole number stays one (`run.trials*=2`), so that whole-number fields still
            // take it.
            *slot = if x.fract() == 0.0 && x.abs() < 9.0e15 {
                toml::Value::Integer(x as i64)
            } else {
                toml::Value::Float(x)
            };
            Ok(())
        }
        toml::Value::Float(x) => {
            *x = apply(*x);
            Ok(())
        }
        toml::Value::Table(t) if t.contains_key("mixture") && t.len() == 1 => {
            // Each component by the rules of its own form; its weight stays.
            if let Some(toml::Value::Array(parts)) = t.get_mut("mixture") {
                for (i, part) in parts.iter_mut().enumerate() {
                    if let toml::Value::Table(c) = part {
                        let weight = c.remove("weight");
                        let mut form = toml::Value::Table(std::mem::take(c));
                        let done = rescale(&mut form, op, k);
                        if let toml::Value::Table(f) = form {
                            *c = f;
                        }
                        if let Some(w) = weight {
                            c.insert("weight".into(), w);
                        }
                        done.map_err(|m| format!("has a component {i} that {m}"))?;
                    }
                }
            }
            Ok(())
        }
        toml::Value::Table(t) => {
            if let Some(other) = t.keys().find(|key| !DIST_KEYS.contains(&key.as_str())) {
                return Err(format!(
                    "is not a number or a distribution (it has `{other}`), so it cannot be {}",
                    if op == Op::Scale { "scaled" } else { "shifted" }
                ));
            }
            if t.contains_key("p") {
                return Err(
                    "is a { p } distribution, whose p is a probability rather than a value of the field: set it instead".into(),
                );
            }
            if op == Op::Shift && t.contains_key("median") {
                return Err(
                    "is a lognormal { median, sd_log }, which a shift would not keep lognormal: scale it with *= or set it".into(),
                );
            }
            // A beta written without bounds lies on [0, 1]: they move with it.
            if t.contains_key("beta_a") || t.contains_key("beta_mean") {
                t.entry("low").or_insert(toml::Value::Float(0.0));
                t.entry("high").or_insert(toml::Value::Float(1.0));
            }
            let moved: &[&str] = if op == Op::Scale { &SCALED } else { &SHIFTED };
            for (key, v) in t.iter_mut() {
                if !moved.contains(&key.as_str()) {
                    continue;
                }
                match v {
                    toml::Value::Integer(i) => *v = toml::Value::Float(apply(*i as f64)),
                    toml::Value::Float(x) => *x = apply(*x),
                    toml::Value::Array(items) => {
                        for item in items {
                            match item {
                                toml::Value::Integer(i) => {
                                    *item = toml::Value::Float(apply(*i as f64));
                                }
                                toml::Value::Float(x) => *x = apply(*x),
                                _ => {}
                            }
                        }
                    }
                    // Left as it is, for validation to report.
                    _ => {}
                }
            }
            Ok(())
        }
        _ => Err(format!(
            "is not a number or a distribution, so it cannot be {}",
            if op == Op::Scale { "scaled" } else { "shifted" }
        )),
    }
}

/// Walks `keys` from `root` (tables by key, arrays by index) and returns the slot of the last
/// one; with `create`, a missing last key of a table is added (as `false`, to be set).
fn walk<'v>(
    root: &'v mut toml::Value,
    keys: &[&str],
    create: bool,
    err: &dyn Fn(String) -> ScenarioError,
) -> Result<&'v mut toml::Value, ScenarioError> {
    let mut node = root;
    for (i, key) in keys.iter().enumerate() {
        let last = i + 1 == keys.len();
        let walked = keys[..i].join(".");
        let here = if walked.is_empty() {
            "the scenario".to_string()
        } else {
            format!("`{walked}`")
        };
        node = match node {
            toml::Value::Table(t) => {
                let may_add = last && create;
                if !may_add && !t.contains_key(*key) {
                    let names: Vec<&str> = t.keys().map(String::as_str).collect();
                    let hint = did_you_mean(key, names.iter().copied())
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Err(err(format!(
                        "{here} has no `{key}` (it has: {}){hint}",
                        if names.is_empty() {
                            "nothing".to_string()
                        } else {
                            list_names(&names)
                        }
                    )));
                }
                t.entry(key.to_string())
                    .or_insert(toml::Value::Boolean(false))
            }
            toml::Value::Array(a) => {
                let idx: usize = key.parse().map_err(|_| {
                    err(format!(
                        "{here} is a list: index it with a number, e.g. `{walked}.0`"
                    ))
                })?;
                let len = a.len();
                a.get_mut(idx).ok_or_else(|| {
                    err(format!(
                        "{here} has {len} entries; index {idx} is out of range"
                    ))
                })?
            }
            _ => {
                return Err(err(format!(
                    "{here} is a single value, it has no field `{key}`"
                )));
            }
        };
    }
    Ok(node)
}

/// Says where a bad value came from when it was set on the command line: appends "(set by
/// --set ...)" to each problem whose path an override set (the last override of a path is the
/// one whose value stands).
pub(super) fn note_overrides(problems: &mut [Problem], overrides: &[String]) {
    for p in problems {
        if let Some(arg) = overrides.iter().rev().find(|a| {
            a.split_once('=')
                .is_some_and(|(k, _)| k.trim().trim_end_matches(['*', '+']).trim_end() == p.path)
        }) {
            p.message.push_str(&set_by(arg));
        }
    }
}
