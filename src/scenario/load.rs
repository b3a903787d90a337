//! Reading a scenario: files, `extends` chains, TOML parsing with line and column, merging.
//!
//! A file is parsed to a TOML table and its shape checked against [`RawScenario`] (so a
//! misspelt field is reported at its line; every one is, and loading goes on without them so
//! that the other problems are listed too), then merged over the file it `extends`,
//! recursively, at most [`MAX_EXTENDS_DEPTH`] files deep. The merged table is patched by the
//! `--set` overrides, its sections checked against [`MAX_ENTRIES`], and handed to validation.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use super::error::{Problem, ScenarioError, io_reason, plain_types, with_suggestion};
use super::overrides::{apply_override, note_overrides};
use super::raw::RawScenario;
use super::remove::{merge_removing, no_base_to_remove_from, take_remove};
use super::types::{Removed, Scenario, SourceFile};
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
    let mut unknown = Unknown::default();
    let mut removed = Vec::new();
    let table = match resolve(
        path,
        None,
        &mut chain,
        &mut files,
        &mut unknown,
        &mut removed,
    ) {
        Ok(table) => table,
        Err(e) => return Err(unknown.and(Some(e))),
    };
    let mut scenario = finish(table, &origin, &stem, overrides, unknown)?;
    scenario.correlations_inherited = correlations_inherited(&files);
    scenario.files = files;
    scenario.removed = removed;
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
    let mut unknown = Unknown::default();
    let mut files = vec![SourceFile::new(origin, text)];
    let mut removed = Vec::new();
    let table = (|| {
        let mut table = parse_checked(text, origin, &mut unknown)?;
        let remove = take_remove(&mut table);
        match take_extends(&mut table, origin)? {
            Some(parent) => {
                let base_dir = dir.unwrap_or_else(|| Path::new("."));
                let mut chain = Vec::new();
                let base = resolve(
                    &base_dir.join(&parent),
                    Some(origin),
                    &mut chain,
                    &mut files,
                    &mut unknown,
                    &mut removed,
                )?;
                table = merge_removing(base, table, &remove, origin, &mut removed)?;
            }
            None => no_base_to_remove_from(&remove, origin)?,
        }
        Ok(table)
    })();
    let table = match table {
        Ok(table) => table,
        Err(e) => return Err(unknown.and(Some(e))),
    };
    let stem = origin.trim_end_matches(".toml").to_string();
    let mut scenario = finish(table, origin, &stem, overrides, unknown)?;
    scenario.correlations_inherited = correlations_inherited(&files);
    scenario.files = files;
    scenario.removed = removed;
    Ok(scenario)
}

/// Whether the scenario's `correlations` come from a file the first of `files` extends: it
/// extends one and does not declare them itself.
fn correlations_inherited(files: &[SourceFile]) -> bool {
    match files {
        [top, _, ..] => toml::from_str::<toml::Table>(&top.text)
            .map(|t| !t.contains_key("correlations"))
            .unwrap_or(false),
        _ => false,
    }
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

/// Applies the overrides to the merged table and validates the result. The unknown fields
/// found in the files are reported with whatever else is wrong.
fn finish(
    table: toml::Table,
    origin: &str,
    stem: &str,
    overrides: &[String],
    unknown: Unknown,
) -> Result<Scenario, ScenarioError> {
    match (check(table, origin, overrides), unknown.errors.is_empty()) {
        (Ok((raw, resolved)), true) => {
            let mut scenario = validate::validate(raw, origin, stem).map_err(|e| match e {
                ScenarioError::Invalid { file, mut problems } => {
                    note_overrides(&mut problems, overrides);
                    ScenarioError::Invalid { file, problems }
                }
                other => other,
            })?;
            scenario.overrides = overrides.to_vec();
            scenario.resolved = resolved;
            Ok(scenario)
        }
        (Ok((raw, _)), false) => {
            let problems = match validate::validate(raw, origin, stem) {
                Err(ScenarioError::Invalid { file, mut problems }) => {
                    // A problem at the field an unknown one was probably meant to be ("is
                    // required") says again what the unknown field's "did you mean" says.
                    problems.retain(|p| {
                        !unknown.meant.iter().any(|m| {
                            p.path == *m
                                || p.path
                                    .strip_prefix(m.as_str())
                                    .is_some_and(|r| r.starts_with('.'))
                        })
                    });
                    note_overrides(&mut problems, overrides);
                    (!problems.is_empty()).then_some(ScenarioError::Invalid { file, problems })
                }
                Err(other) => Some(other),
                Ok(_) => None,
            };
            Err(unknown.and(problems))
        }
        (Err(e), _) => Err(unknown.and(Some(e))),
    }
}

/// Applies the overrides to the merged table, checks its size, and reads it as a
/// [`RawScenario`]; returns it with the table it was read from.
fn check(
    mut table: toml::Table,
    origin: &str,
    overrides: &[String],
) -> Result<(RawScenario, toml::Table), ScenarioError> {
    for arg in overrides {
        apply_override(&mut table, arg)?;
    }
    check_size(&table, origin)?;
    toml::Value::Table(table.clone())
        .try_into()
        .map(|raw| (raw, table))
        .map_err(|e: toml::de::Error| ScenarioError::Invalid {
            file: origin.to_string(),
            problems: vec![Problem {
                path: "(scenario)".to_string(),
                value: None,
                message: e.message().trim().to_string(),
            }],
        })
}

/// Most entries a section of a scenario may hold: segments, events, cost lines, obligations,
/// rounds, participants (in all rounds), correlations, revenue correlations. Real scenarios
/// hold a few dozen; larger ones come from a generator gone wrong, and would exhaust memory
/// (an event hits every segment, a cost line takes a share of many).
pub const MAX_ENTRIES: usize = 2_000;

/// Longest chain of files that `extends` one another, counting the first.
pub const MAX_EXTENDS_DEPTH: usize = 64;

/// Refuses a merged scenario with a section of more than [`MAX_ENTRIES`] entries, naming each
/// such section, its count and the limit.
fn check_size(table: &toml::Table, origin: &str) -> Result<(), ScenarioError> {
    let count = |v: Option<&toml::Value>| match v {
        Some(toml::Value::Table(t)) => t.len(),
        Some(toml::Value::Array(a)) => a.len(),
        _ => 0,
    };
    let mut sizes: Vec<(&str, usize)> = [
        "revenue",
        "revenue_correlations",
        "events",
        "costs",
        "obligations",
        "rounds",
        "correlations",
    ]
    .into_iter()
    .map(|section| (section, count(table.get(section))))
    .collect();
    let participants = match table.get("rounds") {
        Some(toml::Value::Table(rounds)) => {
            rounds.values().map(|r| count(r.get("participants"))).sum()
        }
        _ => 0,
    };
    sizes.push(("rounds.*.participants", participants));
    let problems: Vec<Problem> = sizes
        .into_iter()
        .filter(|&(_, n)| n > MAX_ENTRIES)
        .map(|(section, n)| Problem {
            path: section.to_string(),
            value: None,
            message: format!(
                "has {n} entries; a section may hold at most {MAX_ENTRIES} (more only come from a generator gone wrong, and would exhaust memory)"
            ),
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ScenarioError::Invalid {
            file: origin.to_string(),
            problems,
        })
    }
}

/// The unknown fields found in the files so far: each is reported, and left out so that
/// loading goes on and the file's other problems are reported with it.
#[derive(Default)]
struct Unknown {
    /// One error per unknown field, with its file, line and column.
    errors: Vec<ScenarioError>,
    /// The dotted path of the field each was probably meant to be (its "did you mean").
    meant: Vec<String>,
}

impl Unknown {
    /// The error to report: the unknown fields, then `then`.
    fn and(self, then: Option<ScenarioError>) -> ScenarioError {
        let mut errors = self.errors;
        errors.extend(then);
        if errors.len() == 1 {
            errors.remove(0)
        } else {
            ScenarioError::Several(errors)
        }
    }
}

/// Reads `path`, parses it, and merges it over the file it extends, recursively, dropping
/// the inherited entries its `remove` names (recorded in `removed`).
fn resolve(
    path: &Path,
    extended_by: Option<&str>,
    chain: &mut Vec<(PathBuf, String)>,
    files: &mut Vec<SourceFile>,
    unknown: &mut Unknown,
    removed: &mut Vec<Removed>,
) -> Result<toml::Table, ScenarioError> {
    let shown = path.display().to_string();
    if chain.len() >= MAX_EXTENDS_DEPTH {
        return Err(ScenarioError::TooDeep {
            start: chain
                .first()
                .map_or_else(|| shown.clone(), |(_, s)| s.clone()),
            file: shown,
            limit: MAX_EXTENDS_DEPTH,
        });
    }
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
    let mut table = parse_checked(&text, &shown, unknown)?;
    let remove = take_remove(&mut table);
    match take_extends(&mut table, &shown)? {
        Some(parent) => {
            let dir = path.parent().unwrap_or_else(|| Path::new("."));
            let base = resolve(
                &dir.join(parent),
                Some(&shown),
                chain,
                files,
                unknown,
                removed,
            )?;
            table = merge_removing(base, table, &remove, &shown, removed)?;
        }
        None => no_base_to_remove_from(&remove, &shown)?,
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

/// Most unknown fields listed for one file; past them the check stops at the next one.
const MAX_UNKNOWN: usize = 50;

/// Parses TOML and checks its shape against [`RawScenario`], with line and column on error.
/// An unknown field is added to `unknown` and left out, and the check goes on, so that every
/// unknown field is listed at once; any other error (syntax, a wrong type) ends the check.
fn parse_checked(
    text: &str,
    file: &str,
    unknown: &mut Unknown,
) -> Result<toml::Table, ScenarioError> {
    let parse_err = |e: &toml::de::Error| {
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
    let mut doc = DeTable::parse(text).map_err(|e| parse_err(&e))?;
    let mut listed = 0;
    while let Err(e) = RawScenario::deserialize(toml::de::Deserializer::from(doc.clone())) {
        let removed = match e.span() {
            Some(span) if e.message().starts_with("unknown field") && listed < MAX_UNKNOWN => {
                remove_key_at(doc.get_mut(), span.start)
            }
            _ => None,
        };
        let error = parse_err(&e);
        let Some(mut path) = removed else {
            return Err(error);
        };
        if let ScenarioError::Parse { message, .. } = &error {
            if let Some(near) = message
                .rsplit_once("did you mean `")
                .and_then(|(_, r)| r.split_once('`'))
            {
                path.pop();
                path.push(near.0.to_string());
                unknown.meant.push(path.join("."));
            }
        }
        unknown.errors.push(error);
        listed += 1;
    }
    toml::Table::deserialize(toml::de::Deserializer::from(doc)).map_err(|e| parse_err(&e))
}

/// Removes the key that starts at byte `at` of the file from `table` or a table inside it, and
/// returns its dotted path (list indices as numbers).
fn remove_key_at(table: &mut DeTable<'_>, at: usize) -> Option<Vec<String>> {
    let hit = table
        .keys()
        .find(|k| k.span().start == at)
        .map(|k| k.get_ref().to_string());
    if let Some(key) = hit {
        table.remove(key.as_str());
        return Some(vec![key]);
    }
    for (key, value) in table.iter_mut() {
        let inner = match value.get_mut() {
            DeValue::Table(t) => remove_key_at(t, at),
            DeValue::Array(items) => items.iter_mut().enumerate().find_map(|(i, item)| match item
                .get_mut()
            {
                DeValue::Table(t) => remove_key_at(t, at).map(|mut p| {
                    p.insert(0, i.to_string());
                    p
                }),
                _ => None,
            }),
            _ => None,
        };
        if let Some(mut path) = inner {
            path.insert(0, key.get_ref().to_string());
            return Some(path);
        }
    }
    None
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
pub(super) fn merge_over(mut base: toml::Table, child: toml::Table) -> toml::Table {
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
