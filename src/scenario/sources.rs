//! Where an input's value comes from: the comment that cites it in the scenario file, as the
//! scenario's own convention asks (`# sources.md §…: figure (outlet, date)` beside the value,
//! or a comment block just above it).
//!
//! The files of an `extends` chain are searched child first, as merging lets the child's value
//! stand; a `--set` override of the input (or of a table holding it) is named after the comment,
//! since the command line, not the file, then decides the value.

use super::types::Scenario;

/// The source comments of a scenario's files, parsed once.
#[derive(Debug)]
pub struct Sources {
    /// Each file of the chain, child first, parsed with its comments (a file that does not
    /// parse, which validation would have refused, is skipped).
    docs: Vec<toml_edit::DocumentMut>,
    /// The `--set` overrides, as typed.
    overrides: Vec<String>,
}

impl Sources {
    /// Parses the files of `scenario`.
    pub fn of(scenario: &Scenario) -> Sources {
        Sources {
            docs: scenario
                .files
                .iter()
                .filter_map(|f| f.text.parse::<toml_edit::DocumentMut>().ok())
                .collect(),
            overrides: scenario.overrides.clone(),
        }
    }

    /// The source of the input at the dotted `path` (e.g. `revenue.consumer.growth`): its
    /// comment, then every `--set` that changed it; `None` when neither exists.
    pub fn source(&self, path: &str) -> Option<String> {
        let keys: Vec<&str> = path.split('.').collect();
        let comment = self
            .docs
            .iter()
            .find_map(|doc| comment_of(doc.as_table(), &keys));
        let sets: Vec<&str> = self
            .overrides
            .iter()
            .filter(|o| sets_path(o, path))
            .map(String::as_str)
            .collect();
        let sets = if sets.is_empty() {
            None
        } else {
            Some(format!(
                "set on the command line: {}",
                sets.iter()
                    .map(|s| format!("--set {s}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        };
        match (comment, sets) {
            (Some(c), Some(s)) => Some(format!("{c} ({s})")),
            (c, s) => c.or(s),
        }
    }
}

/// Whether the override `arg` (`PATH=VALUE`, `PATH*=K` or `PATH+=K`) changes `path`: its
/// path is `path` or a table holding it.
fn sets_path(arg: &str, path: &str) -> bool {
    let Some(eq) = arg.find('=') else {
        return false;
    };
    let target = arg[..eq].trim_end_matches(['*', '+']).trim();
    path == target
        || path
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The comment of the key at `keys` under `table`, if the key is there and has one: the
/// comment after its value on the same line, else the comment lines just above it, else
/// (for a key inside an inline table) its enclosing key's.
fn comment_of(table: &toml_edit::Table, keys: &[&str]) -> Option<String> {
    let (first, rest) = keys.split_first()?;
    let (key, item) = table.get_key_value(first)?;
    if rest.is_empty() {
        return trailing(item.as_value().and_then(|v| v.decor().suffix()))
            .or_else(|| key.leaf_decor().prefix().and_then(above))
            .or_else(|| group_comment(table, first));
    }
    match item {
        toml_edit::Item::Table(t) => comment_of(t, rest),
        toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => inline_comment(t, rest)
            .or_else(|| {
                trailing(item.as_value().and_then(|v| v.decor().suffix()))
                    .or_else(|| key.leaf_decor().prefix().and_then(above))
            }),
        _ => None,
    }
}

/// The comment block that heads the group of lines `name` belongs to, for a key with no
/// comment of its own: the comment above the nearest earlier key of `table` with no blank
/// line between them (`annual = ...` and `growth = ...` under one block cite it together).
fn group_comment(table: &toml_edit::Table, name: &str) -> Option<String> {
    let keys: Vec<(&toml_edit::Key, &toml_edit::Item)> = table
        .iter()
        .filter_map(|(k, _)| table.get_key_value(k))
        .filter(|(_, item)| item.is_value())
        .collect();
    let at = keys.iter().position(|(k, _)| k.get() == name)?;
    for i in (0..at).rev() {
        // A blank line (or a comment) before the later key ends the group.
        let gap = keys[i + 1].0.leaf_decor().prefix().and_then(|p| p.as_str());
        if gap.is_some_and(|g| g.contains('\n')) {
            return None;
        }
        if let Some(c) = keys[i].0.leaf_decor().prefix().and_then(above) {
            return Some(c);
        }
    }
    None
}

/// The comment of a key inside an inline table (rare: inline tables are on one line).
fn inline_comment(table: &toml_edit::InlineTable, keys: &[&str]) -> Option<String> {
    let (first, rest) = keys.split_first()?;
    let (key, item) = table.get_key_value(first)?;
    let value = item.as_value()?;
    if rest.is_empty() {
        return trailing(value.decor().suffix())
            .or_else(|| key.leaf_decor().prefix().and_then(above));
    }
    match value {
        toml_edit::Value::InlineTable(t) => inline_comment(t, rest),
        _ => None,
    }
}

/// The comment after a value on its line (`  # ...`), if any.
fn trailing(raw: Option<&toml_edit::RawString>) -> Option<String> {
    let text = raw?.as_str()?.trim();
    let c = text.strip_prefix('#')?.trim();
    (!c.is_empty()).then(|| c.to_string())
}

/// The comment block just above a key, from the text toml_edit keeps before it (whole lines
/// of whitespace and `#`-comments, then the key's indentation): its lines without `#`,
/// joined by spaces. A blank line ends a block, so a block separated from the key by one is
/// not the key's; `None` if there is none.
fn above(raw: &toml_edit::RawString) -> Option<String> {
    let text = raw.as_str()?;
    let mut lines: Vec<&str> = text.split('\n').collect();
    lines.pop(); // the key's own indentation
    let mut block: Vec<&str> = Vec::new();
    for line in lines {
        match line.trim().strip_prefix('#') {
            Some(c) => block.push(c.trim()),
            None => block.clear(),
        }
    }
    let joined = block
        .into_iter()
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!joined.is_empty()).then_some(joined)
}

#[cfg(test)]
#[allow(clippy::expect_used)] // a test's failure message
mod tests {
    use super::*;
    use crate::scenario::load_str;

    const CHILD: &str = r#"
extends = "parent.toml"
name = "child"

[revenue.consumer]
growth = { p5 = 0.4, p95 = 1.2 }  # child: slower growth (note, 2026)
"#;

    fn sources(text: &str, sets: &[String]) -> Sources {
        let scenario = load_str(text, "test.toml", None, sets).expect("valid scenario");
        Sources::of(&scenario)
    }

    #[test]
    fn a_trailing_comment_is_the_source() {
        let s = sources(crate::scenario::BUILTIN_BASE, &[]);
        let got = s.source("revenue.consumer.run_rate").expect("a source");
        assert!(got.starts_with("sources.md §1.1: ~55 % of ~$21B"), "{got}");
    }

    #[test]
    fn comment_lines_above_a_key_are_its_source_when_none_trails_it() {
        let s = sources(crate::scenario::BUILTIN_BASE, &[]);
        let got = s.source("revenue.consumer.growth").expect("a source");
        assert!(
            got.starts_with("sources.md §1.1: run-rate ~$6B -> >$20B during 2025"),
            "{got}"
        );
        assert!(got.ends_with("90 % interval 50–180 %/yr."), "{got}");
    }

    #[test]
    fn an_override_is_named_after_the_comment() {
        let sets = vec!["revenue.consumer.growth*=0.8".to_string()];
        let s = sources(crate::scenario::BUILTIN_BASE, &sets);
        let got = s.source("revenue.consumer.growth").expect("a source");
        assert!(
            got.ends_with("(set on the command line: --set revenue.consumer.growth*=0.8)"),
            "{got}"
        );
        // A table's override reaches the inputs under it; a sibling's does not.
        let sets = ["revenue.consumer={ run_rate = 5 }".to_string()];
        assert!(sets_path(&sets[0], "revenue.consumer.growth"));
        assert!(!sets_path(&sets[0], "revenue.consumers.growth"));
        assert!(!sets_path("ipo.date=2028", "ipo.date_x"));
    }

    #[test]
    fn the_child_file_is_searched_before_the_file_it_extends() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("parent.toml"),
            crate::scenario::BUILTIN_BASE,
        )
        .expect("write parent");
        let scenario = load_str(CHILD, "child.toml", Some(dir.path()), &[]).expect("valid child");
        let s = Sources::of(&scenario);
        assert_eq!(
            s.source("revenue.consumer.growth").as_deref(),
            Some("child: slower growth (note, 2026)")
        );
        let inherited = s.source("revenue.consumer.run_rate").expect("a source");
        assert!(inherited.starts_with("sources.md §1.1"), "{inherited}");
    }

    #[test]
    fn only_the_last_comment_block_before_a_key_counts() {
        let doc: toml_edit::DocumentMut =
            "[a]\n# old block\n\n# near\n#\n# block\n  x = 1\n# apart\n\ny = 2\n"
                .parse()
                .expect("toml");
        assert_eq!(
            comment_of(doc.as_table(), &["a", "x"]).as_deref(),
            Some("near block")
        );
        assert_eq!(comment_of(doc.as_table(), &["a", "y"]), None);
        assert_eq!(comment_of(doc.as_table(), &["a", "z"]), None);
    }

    #[test]
    fn a_block_above_consecutive_keys_cites_them_all_until_a_blank_line() {
        let doc: toml_edit::DocumentMut = "[a]\n# both\nx = 1\ny = 2  # own\nz = 3\n\nw = 4\n"
            .parse()
            .expect("toml");
        let of = |k| comment_of(doc.as_table(), &["a", k]);
        assert_eq!(of("x").as_deref(), Some("both"));
        assert_eq!(of("y").as_deref(), Some("own"));
        assert_eq!(of("z").as_deref(), Some("both"));
        assert_eq!(of("w"), None);
    }
}
