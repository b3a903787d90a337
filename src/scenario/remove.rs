//! `remove = [...]` in a variant: inherited entries dropped when the file is merged over the
//! one it extends.
//!
//! A name is the dotted path of a named entry: `revenue.<segment>`, `events.<name>`,
//! `costs.<name>`, `obligations.<name>`, `rounds.<round>` or
//! `rounds.<round>.participants.<name>`. Each must exist in what the file extends, and the
//! file itself may not define it too. After the merge, a reference to a removed entry
//! elsewhere (an event's or a revenue-share cost's `segments`, a tied spend's
//! `counts_toward`, an obligation's `if_joins`) is an error naming both; an inherited
//! correlation that names a removed input or segment is dropped with it (the variant cannot
//! edit an inherited list, only replace it) and recorded, so that `explain` shows it. A
//! correlation the variant declares itself must not name a removed entry.

use toml::{Table, Value};

use super::error::{Problem, ScenarioError};
use super::load::merge_over;
use super::types::Removed;

/// The sections whose entries `remove` may name.
const SECTIONS: [&str; 5] = ["revenue", "events", "costs", "obligations", "rounds"];

/// Takes `remove` out of a parsed file (its shape was checked: a list of strings).
pub(super) fn take_remove(table: &mut Table) -> Vec<String> {
    match table.remove("remove") {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A `remove` in a file that extends nothing is an error.
pub(super) fn no_base_to_remove_from(remove: &[String], file: &str) -> Result<(), ScenarioError> {
    if remove.is_empty() {
        return Ok(());
    }
    Err(invalid(
        file,
        vec![Problem {
            path: "remove".into(),
            value: Some(list(remove)),
            message: "drops entries of the file this one extends, but it has no `extends`".into(),
        }],
    ))
}

/// Merges `child` (from `file`) over `base` after dropping from `base` the entries named in
/// `remove`; records each in `removed`, with the inherited correlations dropped with it.
///
/// # Errors
/// [`ScenarioError::Invalid`] for a name that is not an entry of `base` (listing those of its
/// section), one that `child` defines too, or a reference left pointing at a removed entry.
pub(super) fn merge_removing(
    mut base: Table,
    child: Table,
    remove: &[String],
    file: &str,
    removed: &mut Vec<Removed>,
) -> Result<Table, ScenarioError> {
    if remove.is_empty() {
        return Ok(merge_over(base, child));
    }
    let mut problems = Vec::new();
    let mut gone = Vec::new();
    for (i, name) in remove.iter().enumerate() {
        let path = format!("remove.{i}");
        let Some(entry) = Entry::parse(name) else {
            problems.push(Problem {
                path,
                value: Some(format!("\"{name}\"")),
                message: "must name an entry of a section: revenue.<name>, events.<name>, costs.<name>, obligations.<name>, rounds.<name> or rounds.<round>.participants.<name>".into(),
            });
            continue;
        };
        if entry.get(&child).is_some() {
            problems.push(Problem {
                path,
                value: Some(format!("\"{name}\"")),
                message: "is also defined in this file: remove it or define it, not both".into(),
            });
            continue;
        }
        if entry.take(&mut base).is_none() {
            let valid = entry.siblings(&base);
            let allowed = if valid.is_empty() {
                "it has none".to_string()
            } else {
                format!("it has {}", valid.join(", "))
            };
            problems.push(Problem {
                path,
                value: Some(format!("\"{name}\"")),
                message: format!("names nothing in the file this one extends; {allowed}"),
            });
            continue;
        }
        gone.push(entry);
    }
    if !problems.is_empty() {
        return Err(invalid(file, problems));
    }
    let own_correlations = [
        child.contains_key("correlations"),
        child.contains_key("revenue_correlations"),
    ];
    let mut merged = merge_over(base, child);
    let mut problems = dangling_references(&merged, &gone);
    let mut records: Vec<Removed> = gone
        .iter()
        .map(|e| Removed {
            file: file.to_string(),
            entry: e.name(),
            correlations: Vec::new(),
        })
        .collect();
    for (section, own) in ["correlations", "revenue_correlations"]
        .into_iter()
        .zip(own_correlations)
    {
        let Some(Value::Array(items)) = merged.get_mut(section) else {
            continue;
        };
        let mut kept = Vec::new();
        for (i, item) in std::mem::take(items).into_iter().enumerate() {
            let between: Vec<String> = item
                .get("between")
                .and_then(Value::as_array)
                .map(|b| {
                    b.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let hit = gone.iter().position(|e| {
                between.iter().any(|name| match section {
                    "correlations" => e.covers_input(name),
                    _ => e.is_segment(name),
                })
            });
            match (hit, own) {
                (None, _) => kept.push(item),
                (Some(g), true) => problems.push(Problem {
                    path: format!("{section}.{i}.between"),
                    value: Some(list(&between)),
                    message: format!(
                        "names {}, which `remove` drops: correlate inputs that remain",
                        gone[g].name()
                    ),
                }),
                (Some(g), false) => records[g].correlations.push(between.join(" ~ ")),
            }
        }
        *items = kept;
    }
    if !problems.is_empty() {
        return Err(invalid(file, problems));
    }
    removed.extend(records);
    Ok(merged)
}

/// One entry `remove` can name.
enum Entry {
    /// `<section>.<name>`.
    Top(&'static str, String),
    /// `rounds.<round>.participants.<name>`.
    Participant(String, String),
}

impl Entry {
    /// Reads a dotted name; `None` when it names no entry of a known section.
    fn parse(name: &str) -> Option<Entry> {
        let (section, rest) = name.split_once('.')?;
        let section = SECTIONS.into_iter().find(|s| *s == section)?;
        if rest.is_empty() {
            return None;
        }
        if section == "rounds" {
            if let Some((r, p)) = rest.split_once(".participants.") {
                return (!r.is_empty() && !p.is_empty())
                    .then(|| Entry::Participant(r.to_string(), p.to_string()));
            }
        }
        Some(Entry::Top(section, rest.to_string()))
    }

    /// Its dotted name.
    fn name(&self) -> String {
        match self {
            Entry::Top(s, n) => format!("{s}.{n}"),
            Entry::Participant(r, p) => format!("rounds.{r}.participants.{p}"),
        }
    }

    /// The table of entries it lives in, in `table`.
    fn parent<'a>(&self, table: &'a Table) -> Option<&'a Table> {
        match self {
            Entry::Top(s, _) => table.get(*s)?.as_table(),
            Entry::Participant(r, _) => table
                .get("rounds")?
                .get(r.as_str())?
                .get("participants")?
                .as_table(),
        }
    }

    /// Its own key in [`Entry::parent`].
    fn key(&self) -> &str {
        match self {
            Entry::Top(_, n) | Entry::Participant(_, n) => n,
        }
    }

    /// Its value in `table`, if there.
    fn get<'a>(&self, table: &'a Table) -> Option<&'a Value> {
        self.parent(table)?.get(self.key())
    }

    /// Takes it out of `table`, if there.
    fn take(&self, table: &mut Table) -> Option<Value> {
        let parent = match self {
            Entry::Top(s, _) => table.get_mut(*s)?.as_table_mut()?,
            Entry::Participant(r, _) => table
                .get_mut("rounds")?
                .get_mut(r.as_str())?
                .get_mut("participants")?
                .as_table_mut()?,
        };
        parent.remove(self.key())
    }

    /// The dotted names of the entries of its section in `table` (what could be removed).
    fn siblings(&self, table: &Table) -> Vec<String> {
        let Some(parent) = self.parent(table) else {
            return Vec::new();
        };
        parent
            .keys()
            .map(|k| match self {
                Entry::Top(s, _) => format!("{s}.{k}"),
                Entry::Participant(r, _) => format!("rounds.{r}.participants.{k}"),
            })
            .collect()
    }

    /// Whether the input at dotted path `path` belongs to it.
    fn covers_input(&self, path: &str) -> bool {
        let name = self.name();
        path.strip_prefix(name.as_str())
            .is_some_and(|rest| rest.starts_with('.'))
    }

    /// Whether it is the revenue segment `segment`.
    fn is_segment(&self, segment: &str) -> bool {
        matches!(self, Entry::Top("revenue", n) if n == segment)
    }

    /// Whether it is the obligation `name`.
    fn is_obligation(&self, name: &str) -> bool {
        matches!(self, Entry::Top("obligations", n) if n == name)
    }

    /// Whether it is, or holds, the participant named by `path`
    /// (`rounds.<round>.participants.<name>`).
    fn holds_participant(&self, path: &str) -> bool {
        match self {
            Entry::Participant(..) => self.name() == path,
            Entry::Top("rounds", _) => self.covers_input(path),
            Entry::Top(..) => false,
        }
    }
}

/// The references in `merged` that point at a removed entry: an event's or a cost's
/// `segments`, a tied spend's `counts_toward`, an obligation's `if_joins`.
fn dangling_references(merged: &Table, gone: &[Entry]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut report = |path: String, value: &str, entry: &Entry| {
        problems.push(Problem {
            path,
            value: Some(format!("\"{value}\"")),
            message: format!(
                "names {}, which `remove` drops: remove this reference too, or keep the entry",
                entry.name()
            ),
        });
    };
    let entries = |section: &str| {
        merged
            .get(section)
            .and_then(Value::as_table)
            .into_iter()
            .flat_map(|t| t.iter())
    };
    for section in ["events", "costs"] {
        for (name, v) in entries(section) {
            let segments = v.get("segments").and_then(Value::as_array);
            for seg in segments.into_iter().flatten().filter_map(Value::as_str) {
                if let Some(e) = gone.iter().find(|e| e.is_segment(seg)) {
                    report(format!("{section}.{name}.segments"), seg, e);
                }
            }
        }
    }
    for (name, v) in entries("obligations") {
        if let Some(p) = v.get("if_joins").and_then(Value::as_str) {
            if let Some(e) = gone.iter().find(|e| e.holds_participant(p)) {
                report(format!("obligations.{name}.if_joins"), p, e);
            }
        }
    }
    for (rname, r) in entries("rounds") {
        let participants = r.get("participants").and_then(Value::as_table);
        for (pname, p) in participants.into_iter().flatten() {
            let toward = p
                .get("tied_spend")
                .and_then(|t| t.get("counts_toward"))
                .and_then(Value::as_str);
            if let Some(o) = toward {
                if let Some(e) = gone.iter().find(|e| e.is_obligation(o)) {
                    report(
                        format!("rounds.{rname}.participants.{pname}.tied_spend.counts_toward"),
                        o,
                        e,
                    );
                }
            }
        }
    }
    problems
}

/// A list of names as TOML writes it: `["a", "b"]`.
fn list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// An invalid-scenario error in `file`.
fn invalid(file: &str, problems: Vec<Problem>) -> ScenarioError {
    ScenarioError::Invalid {
        file: file.to_string(),
        problems,
    }
}
