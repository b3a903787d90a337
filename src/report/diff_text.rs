//! The text of `funding-gap diff`: the differences of two scenarios, grouped by section.

use crate::analysis::diff::{ChangeKind, ScenarioDiff};

/// The differences as a table per section: path, A's value, B's value; a note when there are
/// none.
pub fn render_diff(d: &ScenarioDiff) -> String {
    if d.is_empty() {
        return format!(
            "'{}' and '{}' are the same after extends, remove and --set are resolved\n",
            d.a, d.b
        );
    }
    let n = d.changes.len();
    let mut out = format!(
        "{n} difference{} of '{}' (B) against '{}' (A), after extends, remove and --set:\n",
        if n == 1 { "" } else { "s" },
        d.b,
        d.a
    );
    let mut cut = false;
    let mut cell = |v: &Option<String>, kind: ChangeKind, side: ChangeKind| match v {
        Some(v) if v.chars().count() > MAX_CELL => {
            cut = true;
            let head: String = v.chars().take(MAX_CELL - 1).collect();
            format!("{head}…")
        }
        Some(v) => v.clone(),
        None if kind == side => "(absent)".to_string(),
        None => "-".to_string(),
    };
    let mut sections: Vec<&str> = Vec::new();
    for c in &d.changes {
        if !sections.contains(&c.section.as_str()) {
            sections.push(&c.section);
        }
    }
    for section in sections {
        let rows: Vec<[String; 3]> = d
            .changes
            .iter()
            .filter(|c| c.section == section)
            .map(|c| {
                let path = match c.kind {
                    ChangeKind::Changed => c.path.clone(),
                    ChangeKind::Added => format!("{} (added)", c.path),
                    ChangeKind::Removed => format!("{} (removed)", c.path),
                };
                [
                    path,
                    cell(&c.a, c.kind, ChangeKind::Added),
                    cell(&c.b, c.kind, ChangeKind::Removed),
                ]
            })
            .collect();
        let header = ["path".to_string(), "A".to_string(), "B".to_string()];
        let w: Vec<usize> = (0..2)
            .map(|i| {
                rows.iter()
                    .chain([&header])
                    .map(|r| r[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        out.push_str(&format!("\n[{section}]\n"));
        for r in std::iter::once(&header).chain(&rows) {
            let line = format!(
                "  {:<w0$}  {:<w1$}  {}",
                r[0],
                r[1],
                r[2],
                w0 = w[0],
                w1 = w[1]
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    if cut {
        out.push_str(&format!(
            "\nValues longer than {MAX_CELL} characters are cut (…); --json gives them in full.\n"
        ));
    }
    out
}

/// Longest value the table shows in full, in characters.
const MAX_CELL: usize = 60;
