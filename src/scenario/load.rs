//! Reading a scenario: files, `extends` chains, TOML parsing with line and column, merging.
//!
//! A file is parsed to a TOML table and its shape checked against [`RawScenario`] (so a
//! misspelt field is reported at its line), then merged over the file it `extends`,
//! recursively. The merged table is patched by the `--set` overrides and handed to validation.

use std::path::{Path, PathBuf};

use super::error::{Problem, ScenarioError, io_reason, plain_types, with_suggestion};
use super::overrides::{apply_override, note_overrides};
use super::raw::RawScenario;
use super::types::{Scenario, SourceFile};
use super::validate;

/// The base scenario compiled into the binary (`funding-gap` with no arguments).
pub const BUILTIN_BASE: &str = include_str!("../../scenarios/base.toml");

/// Loads a scenario file, resolving `extends` and applying `--set PATH=VALUE` overrides.
///
/// # Errors
/// [`ScenarioError`] for an unreadable file, bad TOML, an unknown field, an `extends` cycle, an
/// override that names no field, or values that break the format's rules (all of them listed).
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let origin = path.display().to_string();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    let mut chain = Vec::new();
    let mut files = Vec::new();
    let table = resolve(path, None, &mut chain, &mut files)?;
    let mut scenario = finish(table, &origin, &stem, overrides)?;
    scenario.files = files;
    Ok(scenario)
}

/// Loads a scenario from a string (`extends` is resolved relative to `dir`, if given).
///
/// # Errors
/// As [`load`].
pub fn load_str(
    text: &str,
    origin: &str,
    dir: Option<&Path>,
    overrides: &[String],
) -> Result<Scenario, ScenarioError> {
    let mut table = parse_checked(text, origin)?;
    let mut files = vec![SourceFile::new(origin, text)];
    if let Some(parent) = take_extends(&mut table, origin)? {
        let base_dir = dir.unwrap_or_else(|| Path::new("."));
        let mut chain = Vec::new();
        let base = resolve(
            &base_dir.join(&parent),
            Some(origin),
            &mut chain,
            &mut files,
        )?;
        table = merge_over(base, table);
    }
    let stem = origin.trim_end_matches(".toml").to_string();
    let mut scenario = finish(table, origin, &stem, overrides)?;
    scenario.files = files;
    Ok(scenario)
}

/// The built-in base scenario.
///
/// # Errors
/// Only if the compiled-in file is invalid, which the test suite rules out.
pub fn builtin_base(overrides: &[String]) -> Result<Scenario, ScenarioError> {
    load_str(BUILTIN_BASE, "base (built-in)", None, overrides).map(|mut s| {
        s.name = "base".to_string();
        s
    })
}

/// Applies the overrides to the merged table and validates the result.
fn finish(
    mut table: toml::Table,
    origin: &str,
    stem: &str,
    overrides: &[String],
) -> Result<Scenario, ScenarioError> {
    for arg in overrides {
        apply_override(&mut table, arg)?;
    }
    let raw: RawScenario = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| ScenarioError::Invalid {
            file: origin.to_string(),
            problems: vec![Problem {
                path: "(scenario)".to_string(),
                value: None,
                message: e.message().trim().to_string(),
            }],
        })?;
    let mut scenario = validate::validate(raw, origin, stem).map_err(|e| match e {
        ScenarioError::Invalid { file, mut problems } => {
            note_overrides(&mut problems, overrides);
            ScenarioError::Invalid { file, problems }
        }
        other => other,
    })?;
    scenario.overrides = overrides.to_vec();
    Ok(scenario)
}

/// Reads `path`, parses it, and merges it over the file it extends, recursively.
fn resolve(
    path: &Path,
    extended_by: Option<&str>,
    chain: &mut Vec<(PathBuf, String)>,
    files: &mut Vec<SourceFile>,
) -> Result<toml::Table, ScenarioError> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(ScenarioError::Directory {
            path: shown,
            extended_by: extended_by.map(str::to_string),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Read {
        path: shown.clone(),
        extended_by: extended_by.map(str::to_string),
        reason: io_reason(&e),
    })?;
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if chain.iter().any(|(c, _)| c == &canonical) {
        let mut names: Vec<String> = chain.iter().map(|(_, shown)| shown.clone()).collect();
        names.push(shown.clone());
        return Err(ScenarioError::Cycle {
            file: shown,
            chain: names.join(" -> "),
        });
    }
    chain.push((canonical, shown.clone()));
    files.push(SourceFile::new(&shown, &text));
    let mut table = parse_checked(&text, &shown)?;
    if let Some(parent) = take_extends(&mut table, &shown)? {
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        let base = resolve(&dir.join(parent), Some(&shown), chain, files)?;
        table = merge_over(base, table);
    }
    chain.pop();
    Ok(table)
}

/// Removes `extends` from a parsed file and returns it.
fn take_extends(table: &mut toml::Table, file: &str) -> Result<Option<String>, ScenarioError> {
    match table.remove("extends") {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ScenarioError::Invalid {
            file: file.to_string(),
            problems: vec![Problem {
                path: "extends".into(),
                value: Some(other.to_string()),
                message: "must be a file name in quotes, e.g. extends = \"base.toml\"".into(),
            }],
        }),
    }
}

/// Parses TOML and checks its shape against [`RawScenario`], with line and column on error.
fn parse_checked(text: &str, file: &str) -> Result<toml::Table, ScenarioError> {
    let parse_err = |e: toml::de::Error| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, column) = line_col(text, offset);
        let key = key_at(text, offset);
        let mut message = with_suggestion(&plain_types(e.message().trim(), key.as_deref()));
        if message.starts_with("invalid type") || message.starts_with("invalid value") {
            if let Some(key) = key {
                message = format!("{key}: {message}");
            }
        }
        ScenarioError::Parse {
            file: file.to_string(),
            line,
            column,
            message,
        }
    };
    let table: toml::Table = text.parse().map_err(parse_err)?;
    toml::from_str::<RawScenario>(text).map_err(parse_err)?;
    Ok(table)
}

/// The dotted key of the `key = value` line holding `offset`, with its `[table]` header.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    if key.is_empty() || key.contains(['{', '[', '"', '#']) {
        return None;
    }
    let header = before[..line_start].lines().rev().find_map(|l| {
        let l = l.trim();
        l.strip_prefix("[[")
            .and_then(|r| r.split_once("]]"))
            .or_else(|| l.strip_prefix('[').and_then(|r| r.split_once(']')))
            .map(|(h, _)| h.trim().to_string())
    });
    Some(match header {
        Some(h) => format!("{h}.{key}"),
        None => key.to_string(),
    })
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Merges `child` over `base`: tables key by key, anything else replaced. The base's `name`
/// and `description` are not inherited: they describe the base, not the variant.
fn merge_over(mut base: toml::Table, child: toml::Table) -> toml::Table {
    base.remove("name");
    base.remove("description");
    merge_tables(&mut base, child);
    base
}

/// How a table of the scenario merges under `extends`.
#[derive(Clone, Copy)]
enum Shape {
    /// The file: sections merge, other keys are replaced.
    Root,
    /// A table of fields (`[time]`, a segment, a participant): each field is replaced whole,
    /// so a variant can swap a distribution's form or a path's points.
    Fields,
    /// Named entries (`[revenue]`, `[obligations]`, a round's `participants`): merge by name.
    Entries(&'static Shape),
    /// A round: its `participants` merge by name, other fields are replaced.
    Round,
}

/// Merges `child` into `base` by the scenario's shape.
fn merge_tables(base: &mut toml::Table, child: toml::Table) {
    merge_shaped(base, child, Shape::Root);
}

fn merge_shaped(base: &mut toml::Table, child: toml::Table, shape: Shape) {
    for (k, v) in child {
        let inner = match shape {
            Shape::Root => match k.as_str() {
                "time" | "run" | "cash" | "ipo" | "debt" => Some(Shape::Fields),
                "revenue" | "events" | "costs" | "obligations" => {
                    Some(Shape::Entries(&Shape::Fields))
                }
                "rounds" => Some(Shape::Entries(&Shape::Round)),
                _ => None,
            },
            Shape::Entries(entry) => Some(*entry),
            Shape::Round => (k == "participants").then_some(Shape::Entries(&Shape::Fields)),
            Shape::Fields => None,
        };
        match (base.get_mut(&k), v, inner) {
            (Some(toml::Value::Table(b)), toml::Value::Table(c), Some(inner)) => {
                merge_shaped(b, c, inner)
            }
            (_, v, _) => {
                base.insert(k, v);
            }
        }
    }
}
