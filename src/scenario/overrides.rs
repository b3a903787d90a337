//! `--set PATH=VALUE` overrides: parsed, applied to the merged TOML table, and noted on the
//! problems whose value they set.
//!
//! An override is applied before validation, to the table that `extends` produced, so it can
//! set any field a file can; its shape is checked at once, so that a misspelt path is blamed
//! on the override rather than on the file.

use super::error::{
    Problem, ScenarioError, did_you_mean, one_line, plain_types, set_by, with_suggestion,
};
use super::raw::RawScenario;

/// Applies one `PATH=VALUE` override to the merged table.
pub(super) fn apply_override(table: &mut toml::Table, arg: &str) -> Result<(), ScenarioError> {
    let err = |message: String| ScenarioError::Override {
        arg: one_line(arg),
        message: one_line(&message),
    };
    let Some((path, value)) = arg.split_once('=') else {
        return Err(err(
            "expected PATH=VALUE, e.g. --set ipo.probability=0.5".into()
        ));
    };
    let (path, value) = (path.trim(), value.trim());
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
    let walked = set_path(&mut root, &keys, parsed, &err);
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

/// Walks `keys` from `root` (tables by key, arrays by index) and sets the last one.
fn set_path(
    root: &mut toml::Value,
    keys: &[&str],
    parsed: toml::Value,
    err: &dyn Fn(String) -> ScenarioError,
) -> Result<(), ScenarioError> {
    let mut node = root;
    for (i, key) in keys.iter().enumerate() {
        let last = i + 1 == keys.len();
        let walked = keys[..i].join(".");
        let here = if walked.is_empty() {
            "the scenario".to_string()
        } else {
            format!("`{walked}`")
        };
        match node {
            toml::Value::Table(t) => {
                if last {
                    t.insert(key.to_string(), parsed);
                    return Ok(());
                }
                if !t.contains_key(*key) {
                    let names: Vec<&str> = t.keys().map(String::as_str).collect();
                    let hint = did_you_mean(key, names.iter().copied())
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Err(err(format!(
                        "{here} has no `{key}` (it has: {}){hint}",
                        if names.is_empty() {
                            "nothing".to_string()
                        } else {
                            names.join(", ")
                        }
                    )));
                }
                node = t
                    .get_mut(*key)
                    .ok_or_else(|| err("internal path error".into()))?;
            }
            toml::Value::Array(a) => {
                let idx: usize = key.parse().map_err(|_| {
                    err(format!(
                        "{here} is a list: index it with a number, e.g. `{walked}.0`"
                    ))
                })?;
                let len = a.len();
                let slot = a.get_mut(idx).ok_or_else(|| {
                    err(format!(
                        "{here} has {len} entries; index {idx} is out of range"
                    ))
                })?;
                if last {
                    *slot = parsed;
                    return Ok(());
                }
                node = slot;
            }
            _ => {
                return Err(err(format!(
                    "{here} is a single value, it has no field `{key}`"
                )));
            }
        }
    }
    Ok(())
}

/// Says where a bad value came from when it was set on the command line: appends "(set by
/// --set ...)" to each problem whose path an override set (the last override of a path is the
/// one whose value stands).
pub(super) fn note_overrides(problems: &mut [Problem], overrides: &[String]) {
    for p in problems {
        if let Some(arg) = overrides
            .iter()
            .rev()
            .find(|a| a.split_once('=').is_some_and(|(k, _)| k.trim() == p.path))
        {
            p.message.push_str(&set_by(arg));
        }
    }
}
