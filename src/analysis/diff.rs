//! `funding-gap diff`: what differs between two scenarios once `extends`, `remove` and `--set`
//! are resolved.
//!
//! Both scenarios load through the normal loader (so both are valid), and their resolved
//! tables ([`Scenario::resolved`]) are walked side by side. A field that is an input of
//! either scenario ([`Scenario::params`]) is compared as a distribution, so `50` and `50.0`
//! are the same and `{ low = 10, high = 50 }` against `50` reads `uniform(10, 50)` against
//! `fixed(50)`, as `explain` describes inputs. Everything else is compared as TOML values:
//! entries added or removed (segments, events, costs, obligations, rounds, participants,
//! tranches, correlations, checks), fixed values, time and run settings, capacity. Arrays of
//! tables are matched by their `label`, `name` or `between` when they have one (so a check
//! inserted in the middle is one addition, not a change of every later one), else by position.

use std::collections::HashMap;

use serde::Serialize;

use crate::dist::Dist;
use crate::scenario::Scenario;

/// What happened to a field or entry from A to B.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// In both, with different values.
    Changed,
    /// Only in B.
    Added,
    /// Only in A.
    Removed,
}

/// One difference.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    /// The top-level section, e.g. `rounds` (`scenario` for the name and description).
    pub section: String,
    /// The field's path, as `--set` names it; `[...]` picks an entry of an array.
    pub path: String,
    /// What happened.
    pub kind: ChangeKind,
    /// A's value (a distribution as `explain` describes it), none when added.
    pub a: Option<String>,
    /// B's value, none when removed.
    pub b: Option<String>,
}

/// The differences of B against A.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScenarioDiff {
    /// A's name.
    pub a: String,
    /// B's name.
    pub b: String,
    /// Every difference, in A's order of sections and fields (B's new ones after).
    pub changes: Vec<Change>,
}

impl ScenarioDiff {
    /// Whether the two scenarios are the same.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// The differences of `b` against `a`.
pub fn diff(a: &Scenario, b: &Scenario) -> ScenarioDiff {
    let params = |s: &Scenario| -> HashMap<String, Dist> {
        s.params()
            .into_iter()
            .map(|p| (p.path.clone(), p.dist.clone()))
            .collect()
    };
    let walk = Walk {
        a: params(a),
        b: params(b),
    };
    let mut changes = Vec::new();
    walk.tables("", &a.resolved, &b.resolved, &mut changes);
    ScenarioDiff {
        a: a.name.clone(),
        b: b.name.clone(),
        changes,
    }
}

/// The inputs of both scenarios by path.
struct Walk {
    a: HashMap<String, Dist>,
    b: HashMap<String, Dist>,
}

/// `prefix.key`, or `key` at the top.
fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A value as one line of TOML.
fn text(v: &toml::Value) -> String {
    v.to_string()
}

/// The section of `path`: its first key (`scenario` for the top-level name and description).
fn section(path: &str) -> String {
    let first = path.split(['.', '[']).next().unwrap_or(path);
    match first {
        "name" | "description" => "scenario".to_string(),
        other => other.to_string(),
    }
}

/// The identity of an entry of an array of tables: its `label`, `name` or `between`.
fn identity(v: &toml::Value) -> Option<String> {
    let t = v.as_table()?;
    ["label", "name", "between"]
        .iter()
        .find_map(|k| t.get(*k))
        .map(|id| match id {
            toml::Value::String(s) => format!("{s:?}"),
            toml::Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().map_or_else(|| text(x), str::to_string))
                .collect::<Vec<_>>()
                .join(" ~ "),
            other => text(other),
        })
}

impl Walk {
    fn push(&self, out: &mut Vec<Change>, path: String, a: Option<String>, b: Option<String>) {
        let kind = match (&a, &b) {
            (None, _) => ChangeKind::Added,
            (_, None) => ChangeKind::Removed,
            _ => ChangeKind::Changed,
        };
        out.push(Change {
            section: section(&path),
            path,
            kind,
            a,
            b,
        });
    }

    fn tables(&self, prefix: &str, a: &toml::Table, b: &toml::Table, out: &mut Vec<Change>) {
        for (k, va) in a {
            self.values(&join(prefix, k), Some(va), b.get(k), out);
        }
        for (k, vb) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
            self.values(&join(prefix, k), None, Some(vb), out);
        }
    }

    fn values(
        &self,
        path: &str,
        a: Option<&toml::Value>,
        b: Option<&toml::Value>,
        out: &mut Vec<Change>,
    ) {
        // An input of either scenario: compared and described as a distribution.
        let (da, db) = (self.a.get(path), self.b.get(path));
        if da.is_some() || db.is_some() {
            let describe = |d: Option<&Dist>, v: Option<&toml::Value>| {
                d.map(Dist::describe).or_else(|| v.map(text))
            };
            let same = match (da, db) {
                (Some(x), Some(y)) => x == y,
                _ => a == b,
            };
            if !same {
                self.push(out, path.to_string(), describe(da, a), describe(db, b));
            }
            return;
        }
        match (a, b) {
            (Some(toml::Value::Table(ta)), Some(toml::Value::Table(tb))) => {
                self.tables(path, ta, tb, out);
            }
            (Some(toml::Value::Array(xa)), Some(toml::Value::Array(xb)))
                if xa.iter().chain(xb).all(toml::Value::is_table) =>
            {
                self.arrays(path, xa, xb, out);
            }
            (Some(x), Some(y)) if x == y => {}
            _ => self.push(out, path.to_string(), a.map(text), b.map(text)),
        }
    }

    /// Arrays of tables: by identity when every entry has a distinct one, else by position.
    fn arrays(&self, path: &str, a: &[toml::Value], b: &[toml::Value], out: &mut Vec<Change>) {
        let ids = |xs: &[toml::Value]| -> Option<Vec<String>> {
            let ids: Vec<String> = xs.iter().map(identity).collect::<Option<_>>()?;
            let mut sorted = ids.clone();
            sorted.sort();
            sorted.dedup();
            (sorted.len() == ids.len()).then_some(ids)
        };
        let (Some(ia), Some(ib)) = (ids(a), ids(b)) else {
            for i in 0..a.len().max(b.len()) {
                self.values(&format!("{path}[{i}]"), a.get(i), b.get(i), out);
            }
            return;
        };
        for (id, va) in ia.iter().zip(a) {
            let vb = ib.iter().position(|x| x == id).map(|j| &b[j]);
            self.values(&format!("{path}[{id}]"), Some(va), vb, out);
        }
        for (id, vb) in ib.iter().zip(b).filter(|(id, _)| !ia.contains(id)) {
            self.values(&format!("{path}[{id}]"), None, Some(vb), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    fn scenario(text: &str, set: &[&str]) -> Scenario {
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        load_str(
            text,
            "t.toml",
            Some(std::path::Path::new("scenarios")),
            &set,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_scenario_against_itself_has_no_differences() {
        let a = scenario("extends = \"base.toml\"\nname = \"x\"", &[]);
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn an_override_shows_as_its_distributions() {
        let a = scenario("extends = \"base.toml\"\nname = \"x\"", &[]);
        let b = scenario(
            "extends = \"base.toml\"\nname = \"x\"",
            &["rounds.2026.participants.amazon.amount=50.0"],
        );
        let d = diff(&a, &b);
        assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
        let c = &d.changes[0];
        assert_eq!(c.path, "rounds.2026.participants.amazon.amount");
        assert_eq!(c.section, "rounds");
        assert_eq!(c.kind, ChangeKind::Changed);
        assert_eq!(c.b.as_deref(), Some("fixed(50)"));
        assert!(c.a.as_deref().is_some_and(|s| s.contains("35")), "{c:?}");
    }

    #[test]
    fn a_removed_entry_is_one_removal() {
        let a = scenario("extends = \"base.toml\"\nname = \"x\"", &[]);
        let b = scenario(
            "extends = \"base.toml\"\nname = \"x\"\nremove = [\"obligations.cerebras\"]",
            &[],
        );
        let d = diff(&a, &b);
        let removed: Vec<&Change> = d
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Removed)
            .collect();
        let gone = removed
            .iter()
            .find(|c| c.path == "obligations.cerebras")
            .unwrap_or_else(|| panic!("{:#?}", d.changes));
        assert!(gone.b.is_none() && gone.a.is_some());
        assert_eq!(gone.section, "obligations");
        // One line for the entry, none for each of its fields.
        assert!(
            !d.changes
                .iter()
                .any(|c| c.path.starts_with("obligations.cerebras.")),
            "{:#?}",
            d.changes
        );
    }
}
