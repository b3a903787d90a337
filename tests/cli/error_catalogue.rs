//! The error catalogue, `docs/errors.md`, checked against the binary: every entry's example is
//! run and its stderr and exit status must be exactly what the document says, so the document
//! cannot drift from the code. The entry format is described at the top of the document.
//!
//! - [`every_entry_prints_what_the_catalogue_says`]: parses the document, runs every example
//!   in a fresh temporary directory holding a copy of `scenarios/`, and fails listing every
//!   entry that is malformed or whose output or exit status differs (with the actual output,
//!   ready to paste).
//! - [`every_validation_message_is_in_the_catalogue`]: every message template of
//!   `src/scenario/validate/*.rs` appears in some entry's expected output.

use std::fmt::Write as _;
use std::fs;
use std::path::{Component, Path};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::{BIN, root};

/// The document, relative to the package root.
const DOC: &str = "docs/errors.md";

/// Fewer entries than this means the parser found nothing (or the document was gutted).
const MIN_ENTRIES: usize = 40;

/// Longest an example may run: they are all meant to take well under a second.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Subcommands that simulate, and so must be given a small `--trials`.
const SIMULATING: [&str; 6] = ["run", "compare", "sweep", "headlines", "bench", "trace"];

/// Largest `--trials` an example may use.
const MAX_TRIALS: u64 = 1000;

/// One `### E-...` entry of the catalogue.
#[derive(Debug, Default)]
struct Entry {
    /// `E-STAGE-NN`.
    id: String,
    /// 1-based line of the heading.
    line: usize,
    /// The prose under the heading.
    explanation: String,
    /// Files written before the command runs: (name, contents).
    files: Vec<(String, String)>,
    /// The arguments after `$ funding-gap`, split like a shell's.
    args: Option<Vec<String>>,
    /// The `$ ...` line as written.
    command: String,
    /// Expected stderr, line by line, trailing whitespace trimmed.
    expected: Vec<String>,
    /// Expected exit status.
    status: Option<i32>,
    /// What is wrong with the entry's shape.
    problems: Vec<String>,
}

fn doc_text() -> String {
    let path = root().join(DOC);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Lines without trailing whitespace, and without trailing empty lines.
fn trimmed_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Splits a command line like a POSIX shell: whitespace separates words, `'...'` quotes
/// literally, `"..."` quotes with `\"` and `\\` escapes, and `\` outside quotes escapes the
/// next character.
fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unclosed '".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("unclosed \"".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unclosed \"".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("a trailing \\".into()),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Parses the catalogue. An entry runs from its `### E-` heading to the next heading of any
/// level; everything outside entries is prose for readers.
fn parse(doc: &str) -> Vec<Entry> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut entries: Vec<Entry> = Vec::new();
    let mut current: Option<Entry> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if line.starts_with('#') {
            entries.extend(current.take());
            if let Some(heading) = line.strip_prefix("### E-") {
                let id = format!("E-{}", heading.split_whitespace().next().unwrap_or(""));
                let mut e = Entry {
                    id,
                    line: i,
                    ..Entry::default()
                };
                if heading.split_whitespace().nth(1).is_none() {
                    e.problems.push("the heading has no title".into());
                }
                current = Some(e);
            }
            continue;
        }
        let Some(e) = current.as_mut() else { continue };
        if let Some(info) = line.strip_prefix("```") {
            let open = i;
            let mut body = Vec::new();
            let mut closed = false;
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                if l.trim_end() == "```" {
                    closed = true;
                    break;
                }
                body.push(l);
            }
            if !closed {
                e.problems
                    .push(format!("the block opened on line {open} is never closed"));
            }
            let info = info.trim();
            if info == "console" {
                if e.args.is_some() {
                    e.problems.push("more than one console block".into());
                }
                let Some((first, rest)) = body.split_first() else {
                    e.problems.push("the console block is empty".into());
                    e.args = Some(Vec::new());
                    continue;
                };
                e.command = first.trim_end().to_string();
                match first.strip_prefix("$ funding-gap") {
                    Some(args) if args.is_empty() || args.starts_with(' ') => {
                        match shell_words(args) {
                            Ok(words) => e.args = Some(words),
                            Err(why) => {
                                e.args = Some(Vec::new());
                                e.problems.push(format!("cannot split the command: {why}"));
                            }
                        }
                    }
                    _ => {
                        e.args = Some(Vec::new());
                        e.problems.push(format!(
                            "the console block must start with `$ funding-gap ...`, not {first:?}"
                        ));
                    }
                }
                e.expected = trimmed_lines(&rest.join("\n"));
            } else if let Some(name) = info
                .split_whitespace()
                .find_map(|w| w.strip_prefix("file="))
            {
                e.files
                    .push((name.to_string(), format!("{}\n", body.join("\n"))));
            } else {
                e.problems.push(format!(
                    "a block (line {open}) that is neither `console` nor `LANG file=NAME`: {info:?}"
                ));
            }
            continue;
        }
        let text = line.trim();
        if let Some(n) = text
            .strip_prefix("(exit status ")
            .and_then(|r| r.strip_suffix(')'))
        {
            match n.parse() {
                Ok(n) if e.status.is_none() => e.status = Some(n),
                Ok(_) => e.problems.push("more than one exit status".into()),
                Err(_) => e.problems.push(format!("a bad exit status line: {text:?}")),
            }
        } else if !text.is_empty() {
            if !e.explanation.is_empty() {
                e.explanation.push(' ');
            }
            e.explanation.push_str(text);
        }
    }
    entries.extend(current);
    for e in &mut entries {
        check_shape(e);
    }
    entries
}

/// The checks on one entry that need no run.
fn check_shape(e: &mut Entry) {
    let id_ok =
        e.id.strip_prefix("E-")
            .and_then(|r| r.split_once('-'))
            .is_some_and(|(stage, n)| {
                !stage.is_empty()
                    && stage.chars().all(|c| c.is_ascii_uppercase())
                    && n.len() == 2
                    && n.chars().all(|c| c.is_ascii_digit())
            });
    if !id_ok {
        e.problems
            .push(format!("the id {:?} is not of the form E-STAGE-NN", e.id));
    }
    if e.explanation.is_empty() {
        e.problems
            .push("no explanation of what is wrong and how to fix it".into());
    }
    match &e.args {
        None => e.problems.push("no console block with a command".into()),
        Some(args) if args.is_empty() && e.problems.is_empty() => {
            // `$ funding-gap` alone runs the built-in base with 100,000 trials into output/.
            e.problems
                .push("the command has no arguments (that would run a full simulation)".into());
        }
        Some(args) => {
            let problems = cheap_and_contained(args);
            e.problems.extend(problems);
        }
    }
    if e.expected.is_empty() {
        e.problems
            .push("no expected output after the command line".into());
    }
    if e.status.is_none() {
        e.problems.push("no `(exit status N)` line".into());
    }
    for (name, _) in &e.files {
        if !is_contained(name) {
            e.problems.push(format!(
                "the file name {name:?} would be written outside the example's directory"
            ));
        }
    }
}

/// A relative path with no `..`: it stays inside the directory it is resolved from.
fn is_contained(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Examples must be quick and write only inside their directory: a simulating subcommand has
/// a small `--trials` (and `run`, `compare` and `sweep` an `--out` and `--charts`), and no
/// argument is an absolute path or climbs out with `..`.
fn cheap_and_contained(args: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for a in args {
        let value = a.split_once('=').map_or(a.as_str(), |(_, v)| v);
        if Path::new(value).is_absolute()
            || Path::new(value)
                .components()
                .any(|c| c == Component::ParentDir)
        {
            problems.push(format!(
                "the argument {a:?} points outside the example's directory"
            ));
        }
    }
    let sub = args.first().map(String::as_str).unwrap_or("");
    let after = |opt: &str| {
        args.iter()
            .position(|a| a == opt)
            .and_then(|i| args.get(i + 1))
    };
    let simulates = SIMULATING.contains(&sub) && !(sub == "trace" && after("--trial").is_some());
    if simulates {
        match after("--trials").map(|n| n.parse::<u64>()) {
            Some(Ok(n)) if n <= MAX_TRIALS => {}
            Some(Ok(n)) => {
                problems.push(format!("--trials {n}: examples use at most {MAX_TRIALS}"))
            }
            // A malformed value is the point of some examples; the parser rejects it.
            Some(Err(_)) => {}
            None => problems.push(format!(
                "`{sub}` simulates: give it --trials (at most {MAX_TRIALS})"
            )),
        }
    }
    if ["run", "compare", "sweep"].contains(&sub) {
        for opt in ["--out", "--charts"] {
            if after(opt).is_none() {
                problems.push(format!("`{sub}` examples must give {opt}"));
            }
        }
    }
    problems
}

/// What one example printed.
struct Ran {
    status: Option<i32>,
    stderr: String,
}

/// Copies the repository's `scenarios/` into `dir/scenarios`.
fn copy_scenarios(dir: &Path) {
    let from = root().join("scenarios");
    let to = dir.join("scenarios");
    fs::create_dir_all(&to).expect("create scenarios/ in the example's directory");
    for f in fs::read_dir(&from).expect("list scenarios/") {
        let f = f.expect("list scenarios/");
        if f.file_type().expect("file type").is_file() {
            fs::copy(f.path(), to.join(f.file_name())).expect("copy a scenario");
        }
    }
}

/// Runs one example in a fresh directory: its files written, `scenarios/` copied.
fn run_example(e: &Entry, args: &[String]) -> Result<Ran, String> {
    let work = TempDir::new().map_err(|err| format!("temp dir: {err}"))?;
    let logs = TempDir::new().map_err(|err| format!("temp dir: {err}"))?;
    copy_scenarios(work.path());
    for (name, text) in &e.files {
        let path = work.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|err| format!("create {name}'s folder: {err}"))?;
        }
        fs::write(&path, text).map_err(|err| format!("write {name}: {err}"))?;
    }
    // Output goes to files (not pipes) so that a long one cannot block the child.
    let err_path = logs.path().join("stderr");
    let stderr = fs::File::create(&err_path).map_err(|err| format!("stderr file: {err}"))?;
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(work.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .env_remove("RUST_BACKTRACE")
        .spawn()
        .map_err(|err| format!("cannot start {BIN}: {err}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("still running after {TIMEOUT:?}; killed"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(err) => return Err(format!("waiting for the example: {err}")),
        }
    };
    let stderr = fs::read(&err_path).map_err(|err| format!("read stderr: {err}"))?;
    Ok(Ran {
        status: status.code(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

#[test]
fn every_entry_prints_what_the_catalogue_says() {
    let entries = parse(&doc_text());
    let mut report = String::new();
    let mut failed = 0;
    if entries.len() < MIN_ENTRIES {
        let _ = writeln!(
            report,
            "{DOC}: found {} entries, expected at least {MIN_ENTRIES}: is the `### E-` heading format intact?\n",
            entries.len()
        );
        failed += 1;
    }
    let mut seen = std::collections::HashMap::new();
    for e in &entries {
        if let Some(first) = seen.insert(e.id.clone(), e.line) {
            let _ = writeln!(
                report,
                "{} (line {}): the id is also used on line {first}\n",
                e.id, e.line
            );
            failed += 1;
        }
    }
    for e in &entries {
        let head = format!("{} ({DOC}:{})", e.id, e.line);
        if !e.problems.is_empty() {
            failed += 1;
            let _ = writeln!(report, "{head}: malformed entry:");
            for p in &e.problems {
                let _ = writeln!(report, "  - {p}");
            }
            let _ = writeln!(report);
            continue;
        }
        let args = e.args.as_deref().unwrap_or_default();
        let ran = match run_example(e, args) {
            Ok(r) => r,
            Err(why) => {
                failed += 1;
                let _ = writeln!(report, "{head}: {}\n  {why}\n", e.command);
                continue;
            }
        };
        let actual = trimmed_lines(&ran.stderr);
        let status_ok = ran.status == e.status;
        if actual != e.expected || !status_ok {
            failed += 1;
            let _ = writeln!(report, "{head}: {}", e.command);
            if !status_ok {
                let _ = writeln!(
                    report,
                    "  exit status: expected {:?}, got {:?}",
                    e.status, ran.status
                );
            }
            if actual != e.expected {
                let _ = writeln!(report, "  expected stderr:");
                for l in &e.expected {
                    let _ = writeln!(report, "    {l}");
                }
                let _ = writeln!(report, "  actual stderr:");
                for l in &actual {
                    let _ = writeln!(report, "    {l}");
                }
            }
            let _ = writeln!(report);
        }
    }
    assert!(
        failed == 0,
        "{failed} problem(s) in the error catalogue ({} entries checked):\n\n{report}",
        entries.len()
    );
}

/// The string literals of Rust source, with escapes and line continuations resolved; comments
/// and char literals are skipped, and so is everything from the first `#[cfg(test)]` on.
fn string_literals(src: &str) -> Vec<String> {
    let src = src.split("#[cfg(test)]").next().unwrap_or(src);
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\'' => {
                // A char literal ('x' or '\n'); otherwise a lifetime.
                if chars.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else if chars.get(i + 1) == Some(&'\\') {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    i += 1;
                }
            }
            'r' if !chars[..i]
                .last()
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
                && matches!(chars.get(i + 1), Some('"' | '#')) =>
            {
                // A raw string r"..." or r#"..."#: no escapes.
                let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
                i += 1 + hashes;
                if chars.get(i) != Some(&'"') {
                    continue;
                }
                i += 1;
                let end: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let rest: String = chars[i..].iter().collect();
                let len = rest.find(&end).unwrap_or(rest.len());
                out.push(rest[..len].to_string());
                i += rest[..len].chars().count() + end.chars().count();
            }
            '"' => {
                i += 1;
                let mut s = String::new();
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        match chars.get(i + 1) {
                            Some('\n') => {
                                i += 2;
                                while i < chars.len() && chars[i].is_whitespace() {
                                    i += 1;
                                }
                                continue;
                            }
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some(&c) => s.push(c),
                            None => {}
                        }
                        i += 2;
                    } else {
                        s.push(chars[i]);
                        i += 1;
                    }
                }
                i += 1;
                out.push(s);
            }
            _ => i += 1,
        }
    }
    out
}

/// The fixed parts of a message template: split at `format!` placeholders (`{}`, `{name}`,
/// `{x:?}`), with `{{` and `}}` read as braces. A brace group with spaces in it, like
/// `{ low = 1 }` in a plain string, is text, not a placeholder.
fn fixed_parts(template: &str) -> Vec<String> {
    let chars: Vec<char> = template.chars().collect();
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c == '{' || c == '}') && chars.get(i + 1) == Some(&c) {
            part.push(c);
            i += 2;
            continue;
        }
        if c == '{' {
            let close = chars[i + 1..].iter().position(|&d| d == '}');
            if let Some(n) = close {
                let inner: String = chars[i + 1..i + 1 + n].iter().collect();
                let name = inner.split(':').next().unwrap_or("");
                if !inner.contains(' ')
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    parts.push(std::mem::take(&mut part));
                    i += n + 2;
                    continue;
                }
            }
        }
        part.push(c);
        i += 1;
    }
    parts.push(part);
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| p.chars().count() >= 4)
        .collect()
}

#[test]
fn every_validation_message_is_in_the_catalogue() {
    // Every string literal of the validate module (src/scenario/validate/*.rs) with a space
    // in it is (part of) a message a user can read; each of its fixed parts must appear in
    // some entry's expected output. Each file is scanned on its own: the scanner stops at a
    // file's unit tests.
    let dir = root().join("src/scenario/validate");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    let templates: Vec<String> = files
        .iter()
        .flat_map(|p| {
            let src = fs::read_to_string(p)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            string_literals(&src)
        })
        .filter(|s| s.contains(' '))
        .collect();
    assert!(
        templates.len() >= 50,
        "found only {} message templates in validate.rs: is the literal scanner broken?",
        templates.len()
    );
    let expected: String = parse(&doc_text())
        .iter()
        .flat_map(|e| e.expected.iter())
        .map(|l| format!("{l}\n"))
        .collect();
    let mut missing = Vec::new();
    for t in &templates {
        for part in fixed_parts(t) {
            if !expected.contains(&part) {
                missing.push(format!("  {part:?}\n    (from the template {t:?})"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} part(s) of validate.rs's messages appear in no example of {DOC}; add an entry that \
         shows each:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_parsers_of_this_file_work() {
    assert_eq!(
        shell_words(r#"validate bench --set 'a={ low = 1 }' --target "x<=1" a\ b"#),
        Ok(vec![
            "validate".to_string(),
            "bench".into(),
            "--set".into(),
            "a={ low = 1 }".into(),
            "--target".into(),
            "x<=1".into(),
            "a b".into(),
        ])
    );
    assert!(shell_words("'open").is_err());
    assert_eq!(
        fixed_parts("{a} ({}) must not be greater than {b} ({})"),
        vec![") must not be greater than".to_string()]
    );
    assert_eq!(
        fixed_parts("such as {{ low = 1, high = 2 }} ({})"),
        vec!["such as { low = 1, high = 2 } (".to_string()]
    );
    assert_eq!(
        fixed_parts("needs at least one point, e.g. { 2026 = 10 }"),
        vec!["needs at least one point, e.g. { 2026 = 10 }".to_string()]
    );
    assert_eq!(
        string_literals(
            "// \"no\"\nlet c = '\"'; f(\"a \\\"b\\\" \\\n    c\", 'x', r#\"raw \"q\"\"#, bar\"s t\");"
        ),
        vec!["a \"b\" c".to_string(), "raw \"q\"".into(), "s t".into()]
    );
    let doc = "# T\n\n### E-X-01 A title\n\nWhy.\n\n```toml file=a.toml\nx = 1\n```\n\n```console\n$ funding-gap validate a.toml\nerror: one  \n\n```\n\n(exit status 2)\n\n## Next\n";
    let entries = parse(doc);
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    assert_eq!(e.files, vec![("a.toml".to_string(), "x = 1\n".to_string())]);
    assert_eq!(
        e.args.as_deref(),
        Some(&["validate".to_string(), "a.toml".into()][..])
    );
    assert_eq!(e.expected, vec!["error: one".to_string()]);
    assert_eq!(e.status, Some(2));
    let broken = parse("### E-X-02 No command\n\nWhy.\n\n(exit status 2)\n");
    assert!(
        broken[0]
            .problems
            .iter()
            .any(|p| p.contains("no console block")),
        "{:?}",
        broken[0].problems
    );
    assert!(
        broken[0]
            .problems
            .iter()
            .any(|p| p.contains("no expected output")),
        "{:?}",
        broken[0].problems
    );
}
