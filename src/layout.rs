//! Checks of the source tree's shape, run by `cargo test`: imports run one way along the
//! data flow drawn in the crate docs, and no function grows past ~120 lines unless a comment
//! says why it must be one piece.

use std::path::{Path, PathBuf};

/// The crate's top-level modules in the order of the data flow. A module may use only
/// modules of an earlier layer (and itself); modules in one layer do not use each other.
const LAYERS: &[&[&str]] = &[
    &["fastmath", "rng", "dist", "metrics"],
    &["stats", "qmc"],
    &["scenario"],
    &["model"],
    &["sim"],
    &["engine"],
    &["summary"],
    &["analysis"],
    &["report"],
    &["chart"],
];

/// Longest function allowed without a comment that says why it is one piece.
const MAX_FN_LINES: usize = 120;

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The library's files with the top-level module each belongs to (main.rs and the binary's
/// modules are not the library's).
fn library_files() -> Vec<(String, PathBuf)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(&src).ok()?.to_path_buf();
            let first = rel.components().next()?.as_os_str().to_str()?.to_string();
            let module = first.trim_end_matches(".rs").to_string();
            layer_of(&module).map(|_| (module, p))
        })
        .collect()
}

/// Every `crate::NAME` in `text`, comments included (a doc link upward is a dependency
/// a reader follows too).
fn crate_refs(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (no, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push((no + 1, name));
            rest = after;
        }
    }
    out
}

#[test]
fn imports_run_one_way() {
    let mut bad = Vec::new();
    for (module, path) in library_files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Some(own) = layer_of(&module) else {
            continue;
        };
        for (line, used) in crate_refs(&text) {
            match layer_of(&used) {
                Some(l) if used == module || l < own => {}
                Some(_) => bad.push(format!("{}:{line}: {module} uses {used}", path.display())),
                None => {}
            }
        }
    }
    assert!(
        bad.is_empty(),
        "imports against the flow:\n{}",
        bad.join("\n")
    );
}

/// Functions longer than [`MAX_FN_LINES`], found by their opening line and the closing
/// brace at the same indentation.
fn long_functions(text: &str) -> Vec<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        let is_fn = ["fn ", "pub fn ", "pub(super) fn ", "pub(crate) fn "]
            .iter()
            .any(|p| t.starts_with(p));
        if !is_fn || t.ends_with(';') {
            continue;
        }
        let close = " ".repeat(indent) + "}";
        let Some(len) = lines[i + 1..].iter().position(|l| *l == close) else {
            continue;
        };
        if len + 2 <= MAX_FN_LINES {
            continue;
        }
        // The comment just above the function (doc or plain) must say why.
        let above = lines[..i]
            .iter()
            .rev()
            .take_while(|l| l.trim_start().starts_with("//") || l.trim_start().starts_with("#"))
            .any(|l| l.contains("One piece on purpose"));
        if !above {
            out.push((i + 1, len + 2));
        }
    }
    out
}

#[test]
fn no_function_is_too_long_without_a_reason() {
    let mut bad = Vec::new();
    for (_, path) in library_files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for (line, len) in long_functions(&text) {
            bad.push(format!("{}:{line}: {len} lines", path.display()));
        }
    }
    assert!(
        bad.is_empty(),
        "functions over {MAX_FN_LINES} lines with no comment saying \"One piece on purpose\" \
         and why:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_check() {
    // A reference against the flow and a long function are caught.
    assert_eq!(
        crate_refs("use crate::chart::x; // crate::sim")[0].1,
        "chart"
    );
    let long = format!("fn f() {{\n{}}}\n", "    x;\n".repeat(130));
    assert_eq!(long_functions(&long), vec![(1, 132)]);
    let excused = format!("// One piece on purpose: why.\n{long}");
    assert!(long_functions(&excused).is_empty());
    assert!(library_files().iter().any(|(m, _)| m == "sim"));
}

/// The lines of `text` that are merge-conflict markers left by a merge (1-based).
fn conflict_markers(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("<<<<<<< ") || l.starts_with(">>>>>>> ") || *l == "=======")
        .map(|(i, _)| i + 1)
        .collect()
}

/// No tracked text file holds a merge-conflict marker: a merge that left one in README.md
/// went unnoticed once (the docs are read by people, not compiled).
#[test]
fn no_conflict_markers_are_left() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        "src",
        "docs",
        "scenarios",
        "tests",
        "benches",
        "scripts",
        ".ci",
    ] {
        all_files(&root.join(dir), &mut files);
    }
    for f in [
        "README.md",
        "BENCHMARKS.md",
        "CONTRIBUTING.md",
        "Cargo.toml",
    ] {
        files.push(root.join(f));
    }
    let mut bad = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for line in conflict_markers(&text) {
            bad.push(format!("{}:{line}", path.display()));
        }
    }
    assert!(
        bad.is_empty(),
        "merge-conflict markers:\n{}",
        bad.join("\n")
    );
    assert_eq!(
        conflict_markers("a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n"),
        vec![2, 4, 6]
    );
}

/// Every file under `dir`, recursively.
fn all_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            all_files(&p, out);
        } else {
            out.push(p);
        }
    }
}
