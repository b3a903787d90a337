//! Loader fuzzing: arbitrary bytes and text, schema-shaped TOML with random mutations, and
//! arbitrary `--set PATH=VALUE` overrides on scenarios/bench.toml.
//!
//! Each case loads the input (and, if it is accepted, compiles it and runs four trials) on
//! its own thread. Properties: it never panics, it finishes within 2 s, and a rejection is an
//! error whose message is fit for a user (see [`crate::support::check_message`]).
//!
//! Case count: `FUZZ_CASES` (default 256) per property. `scripts/fuzz.sh DURATION` runs these
//! in a loop.

use std::path::PathBuf;
use std::sync::OnceLock;

use funding_gap::scenario::{load, load_str};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{TestCaseError, TestRunner};
use toml::{Table, Value};

use crate::scenarios::{Opts, scenario};
use crate::support::{
    Counter, Verdict, check_message, config, exercise, fuzz_cases, guarded, scenarios_dir,
};

/// Runs one case and turns a panic, a hang or a bad message into a failure naming the input
/// (`raw` is the input as given, `shown` as printed).
fn check_case(
    counter: &Counter,
    raw: &str,
    shown: &str,
    run: impl FnOnce() -> Verdict + Send + 'static,
) -> Result<(), TestCaseError> {
    let fail = |e: String| TestCaseError::fail(format!("{e}\ninput:\n{shown}"));
    let verdict = guarded(run).map_err(fail)?;
    counter.record(&verdict);
    if let Verdict::Rejected(msg) = &verdict {
        check_message(msg, raw).map_err(fail)?;
    }
    Ok(())
}

// ---- (i) arbitrary bytes and text -----------------------------------------------------------

/// Text biased toward TOML's alphabet, so that some of it gets past the parser.
fn tomlish_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        select(vec![
            "[",
            "]",
            "[[",
            "]]",
            "=",
            "\"",
            "'",
            "{",
            "}",
            ",",
            ".",
            "\n",
            " ",
            "#",
            "-",
            "+",
            "e",
            "nan",
            "inf",
            "true",
            "time",
            "cash",
            "revenue",
            "start",
            "horizon_years",
            "initial",
            "run_rate",
            "growth",
            "low",
            "high",
            "2027-Q3",
            "1e308",
            "extends",
            "obligations",
            "rounds",
            "participants",
            "tranches",
            "\"\"\"",
            "0x",
            "_",
        ])
        .prop_map(str::to_string),
        "[a-z0-9_]{1,8}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(token, 0..80).prop_map(|v| v.concat())
}

// ---- (ii) schema-shaped TOML with mutations -------------------------------------------------

/// Values that break a field: wrong types, extreme or NaN-like numbers, bad dates, random
/// distribution tables.
fn weird_value() -> BoxedStrategy<Value> {
    let number = prop_oneof![
        select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            1e308,
            -1e308,
            1e300,
            1e-320,
            f64::MIN_POSITIVE,
            -0.0,
            0.0,
            -1.0,
            -1e-12,
            1.0 - 1e-16,
            1.0 + 1e-12,
            2300.0,
            2300.0001,
            1899.999,
            1e15,
            4e9,
        ])
        .prop_map(Value::Float),
        select(vec![
            i64::MAX,
            i64::MIN,
            -1,
            0,
            1,
            2,
            3,
            5,
            12,
            13,
            1900,
            2027,
            2301,
            1 << 53
        ])
        .prop_map(Value::Integer),
        any::<f64>().prop_map(Value::Float),
        any::<i64>().prop_map(Value::Integer),
    ];
    let string = prop_oneof![
        select(vec![
            "2027-Q9",
            "2027-Q0",
            "2027-q3",
            "2027-Q",
            "-Q3",
            "2027-Q3-Q4",
            "2027.5",
            " 2027 ",
            "1e400",
            "nan",
            "inf",
            "-inf",
            "NaN",
            "2027-Q-1",
            "99999999999-Q1",
            "ipo",
            "close",
            "linear",
            "step",
            "ramp",
            "flat",
            "front_loaded",
            "",
            " ",
            "\u{0}",
            "é",
            "🙂",
            "bench.toml",
            "base",
            "../Cargo.toml",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        ".{0,20}".prop_map(Value::String),
    ];
    let dist_keys = vec![
        "low", "high", "mode", "pert", "p5", "p95", "mean", "sd", "min", "max", "median", "sd_log",
        "p", "lo", "hi", "sigma",
    ];
    let dist = prop::collection::vec(
        (
            select(dist_keys),
            prop_oneof![
                4 => (-100.0..3000.0f64).prop_map(Value::Float),
                2 => number.clone(),
                1 => any::<bool>().prop_map(Value::Boolean),
                1 => ".{0,4}".prop_map(Value::String),
            ],
        ),
        0..5,
    )
    .prop_map(|kv| Value::Table(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()));
    let leaf = prop_oneof![
        4 => number,
        3 => string,
        3 => dist,
        1 => any::<bool>().prop_map(Value::Boolean),
        1 => Just(Value::Datetime("1979-05-27T07:32:00Z".parse().unwrap_or_else(|e| panic!("{e}")))),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,6}", inner), 0..4)
                .prop_map(|kv| Value::Table(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Names a scenario may try to extend.
fn extends_name() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "bench.toml",
            "base.toml",
            "no-round.toml",
            "amazon-10b.toml",
            "missing.toml",
            "bench",
            "",
            ".",
            "..",
            "/",
            "../Cargo.toml",
            "../README.md",
            "../tests/fixtures/cycle_a.toml",
            "../tests/fixtures/bad_syntax.toml",
            "../tests/fixtures/extends_missing.toml",
            "scenarios/bench.toml",
            "bench.toml\u{0}",
            "ü.toml",
        ])
        .prop_map(str::to_string),
        "[a-z./-]{0,12}",
    ]
}

/// Keys an author might plausibly (mis)type.
fn random_key() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "start",
            "horizon_years",
            "steps_per_year",
            "report_years",
            "trials",
            "seed",
            "initial",
            "min_cash",
            "run_rate",
            "growth",
            "terminal_growth",
            "half_life_years",
            "ceiling",
            "volatility",
            "path",
            "interpolation",
            "scale",
            "annual",
            "revenue_share",
            "revenue_share_path",
            "segments",
            "from",
            "until",
            "total",
            "years",
            "profile",
            "schedule",
            "realized_share",
            "flexible_share",
            "deferral_years",
            "counterparty",
            "close",
            "post_money",
            "probability",
            "participants",
            "amount",
            "tranches",
            "tied_spend",
            "share",
            "when",
            "lapses",
            "counts_toward",
            "date",
            "multiple",
            "raise_share",
            "limit",
            "rate",
            "hazard",
            "factor",
            "growth_after",
            "recurring",
            "between",
            "rho",
            "name",
            "description",
            "extends",
            "time",
            "run",
            "cash",
            "revenue",
            "costs",
            "obligations",
            "rounds",
            "ipo",
            "debt",
            "events",
            "correlations",
            "revenue_correlations",
            "horizon_year",
            "stat",
            "totl",
            "2027",
            "2027-Q3",
            "0",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z0-9_ .\"-]{0,10}",
    ]
}

/// One change to a scenario tree.
#[derive(Debug, Clone)]
enum Mutation {
    /// Remove the node at a path (a field or a whole section).
    Remove(Index),
    /// Replace the node at a path with a weird value.
    Replace(Index, Value),
    /// Insert a key with a weird value into a table.
    Insert(Index, String, Value),
    /// Set `extends` at the top.
    Extends(String),
    /// Replace a number by a huge, negative or tiny multiple of itself.
    Scale(Index, f64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::Remove),
        4 => (any::<Index>(), weird_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        2 => (any::<Index>(), random_key(), weird_value()).prop_map(|(i, k, v)| Mutation::Insert(i, k, v)),
        1 => extends_name().prop_map(Mutation::Extends),
        2 => (any::<Index>(), select(vec![-1.0, 0.0, 1e6, 1e12, 1e300, -1e300, 1e-300, 1.5, 100.0]))
            .prop_map(|(i, f)| Mutation::Scale(i, f)),
    ]
}

/// Paths to every node of a tree (keys for tables, indices for arrays).
fn paths(v: &Value, here: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Table(t) => {
            for (k, x) in t {
                here.push(k.clone());
                out.push(here.clone());
                paths(x, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                here.push(i.to_string());
                out.push(here.clone());
                paths(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(root: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let mut node = root;
    for k in path {
        node = match node {
            Value::Table(t) => t.get_mut(k)?,
            Value::Array(a) => a.get_mut(k.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn apply(root: &mut Value, m: &Mutation) {
    let mut all = Vec::new();
    paths(root, &mut Vec::new(), &mut all);
    let pick = |i: &Index| (!all.is_empty()).then(|| i.get(&all).clone());
    match m {
        Mutation::Remove(i) => {
            if let Some(p) = pick(i) {
                let (last, parent) = p.split_last().unwrap_or_else(|| unreachable!());
                match node_mut(root, parent) {
                    Some(Value::Table(t)) => {
                        t.remove(last);
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(ix) = last.parse::<usize>() {
                            if ix < a.len() {
                                a.remove(ix);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Mutation::Replace(i, v) => {
            if let Some(node) = pick(i).and_then(|p| node_mut(root, &p)) {
                *node = v.clone();
            }
        }
        Mutation::Insert(i, k, v) => {
            // Into the table at the picked path, or its parent when that is not a table.
            let mut p = pick(i).unwrap_or_default();
            loop {
                if let Some(Value::Table(t)) = node_mut(root, &p) {
                    t.insert(k.clone(), v.clone());
                    break;
                }
                if p.pop().is_none() {
                    break;
                }
            }
        }
        Mutation::Extends(name) => {
            if let Value::Table(t) = root {
                t.insert("extends".into(), Value::String(name.clone()));
            }
        }
        Mutation::Scale(i, f) => {
            if let Some(node) = pick(i).and_then(|p| node_mut(root, &p)) {
                match node {
                    Value::Float(x) => *x *= f,
                    Value::Integer(x) => *node = Value::Float(*x as f64 * f),
                    _ => {}
                }
            }
        }
    }
}

/// Small edits to rendered text: break the syntax some of the time.
#[derive(Debug, Clone)]
enum TextEdit {
    Delete(Index, usize),
    Insert(Index, String),
    DuplicateLine(Index),
}

fn text_edit() -> impl Strategy<Value = TextEdit> {
    prop_oneof![
        (any::<Index>(), 1usize..20).prop_map(|(i, n)| TextEdit::Delete(i, n)),
        (
            any::<Index>(),
            prop_oneof![
                select(vec![
                    "[",
                    "]",
                    "=",
                    "\"",
                    "\n[time]\n",
                    "\n[cash]\n",
                    "{",
                    "}",
                    ",",
                    "\n",
                    "#",
                    "'''"
                ])
                .prop_map(str::to_string),
                ".{0,6}",
            ]
        )
            .prop_map(|(i, s)| TextEdit::Insert(i, s)),
        any::<Index>().prop_map(TextEdit::DuplicateLine),
    ]
}

fn edit_text(text: &str, e: &TextEdit) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return text.to_string();
    }
    match e {
        TextEdit::Delete(i, n) => {
            let at = i.index(chars.len());
            let end = (at + n).min(chars.len());
            chars[..at].iter().chain(&chars[end..]).collect()
        }
        TextEdit::Insert(i, s) => {
            let at = i.index(chars.len() + 1);
            let mut out: String = chars[..at].iter().collect();
            out.push_str(s);
            out.extend(&chars[at..]);
            out
        }
        TextEdit::DuplicateLine(i) => {
            let lines: Vec<&str> = text.lines().collect();
            let at = i.index(lines.len());
            let mut out = lines[..=at].to_vec();
            out.push(lines[at]);
            out.extend(&lines[at + 1..]);
            out.join("\n")
        }
    }
}

fn mutated_scenario() -> impl Strategy<Value = String> {
    (
        scenario(Opts { flexible: true }),
        prop_oneof![
            1 => prop::collection::vec(mutation(), 0..=1),
            1 => prop::collection::vec(mutation(), 1..=4),
        ],
        prop_oneof![
            4 => Just(Vec::new()),
            1 => prop::collection::vec(text_edit(), 1..=2),
        ],
    )
        .prop_map(|(g, muts, edits)| {
            let mut root = Value::Table(g.table);
            for m in &muts {
                apply(&mut root, m);
            }
            let table: Table = match root {
                Value::Table(t) => t,
                _ => Table::new(),
            };
            // The serialiser refuses a few trees (e.g. a NaN key path); show those as TOML-ish
            // Debug text, which the parser then rejects: still a fine input.
            let mut text = toml::to_string(&table).unwrap_or_else(|_| format!("{table:?}"));
            for e in &edits {
                text = edit_text(&text, e);
            }
            text
        })
}

// ---- (iii) --set overrides on bench.toml ------------------------------------------------------

/// Every dotted path in scenarios/bench.toml (array elements by index), and the subset that
/// ends at a plain value or a distribution table (what `--set` usually targets).
fn bench_paths() -> &'static (Vec<String>, Vec<String>) {
    static PATHS: OnceLock<(Vec<String>, Vec<String>)> = OnceLock::new();
    PATHS.get_or_init(|| {
        let text = std::fs::read_to_string(bench()).unwrap_or_else(|e| panic!("bench.toml: {e}"));
        let v: Value = toml::from_str(&text).unwrap_or_else(|e| panic!("bench.toml: {e}"));
        let mut all = Vec::new();
        paths(&v, &mut Vec::new(), &mut all);
        let mut root = v.clone();
        let leaves = all
            .iter()
            .filter(|p| match node_mut(&mut root, p) {
                Some(Value::Table(t)) => t
                    .keys()
                    .any(|k| ["low", "p5", "mean", "median", "p"].contains(&k.as_str())),
                Some(Value::Array(_)) => false,
                Some(_) => true,
                None => false,
            })
            .map(|p| p.join("."))
            .collect();
        (all.into_iter().map(|p| p.join(".")).collect(), leaves)
    })
}

fn bench() -> PathBuf {
    scenarios_dir().join("bench.toml")
}

fn set_path() -> impl Strategy<Value = String> {
    let leaf = any::<Index>().prop_map(|i| i.get(&bench_paths().1).clone());
    let known = any::<Index>().prop_map(|i| i.get(&bench_paths().0).clone());
    prop_oneof![
        12 => leaf,
        3 => known.clone(),
        2 => (known.clone(), random_key()).prop_map(|(p, k)| format!("{p}.{k}")),
        1 => (known, 0usize..4).prop_map(|(p, n)| {
            // Drop the last n segments: set a whole section.
            let parts: Vec<&str> = p.split('.').collect();
            parts[..parts.len().saturating_sub(n).max(1)].join(".")
        }),
        1 => prop::collection::vec(random_key(), 1..4).prop_map(|v| v.join(".")),
        1 => ".{0,20}",
    ]
}

/// A value as the user would type it (TOML inline syntax).
fn inline(v: Value) -> String {
    let mut t = Table::new();
    t.insert("v".into(), v);
    toml::to_string(&t)
        .ok()
        .and_then(|s| s.strip_prefix("v = ").map(|s| s.trim_end().to_string()))
        .unwrap_or_default()
}

/// Values a user would plausibly set: numbers, shares, dates, distributions.
fn plausible_value() -> impl Strategy<Value = String> {
    prop_oneof![
        (0.0..100.0f64).prop_map(|x| inline(Value::Float(x))),
        (0.0..=1.0f64).prop_map(|x| inline(Value::Float(x))),
        (0i64..=50).prop_map(|x| x.to_string()),
        (2026i64..2036, 1..=4).prop_map(|(y, q)| format!("\"{y}-Q{q}\"")),
        (2026.0..2036.0f64).prop_map(|x| format!("{:.2}", x)),
        (0.0..100.0f64, 0.0..100.0f64)
            .prop_map(|(a, w)| format!("{{ low = {a}, high = {} }}", a + w)),
        (0.01..100.0f64, 1.0..5.0f64).prop_map(|(a, r)| format!("{{ p5 = {a}, p95 = {} }}", a * r)),
        (0.0..100.0f64, 0.0..30.0f64)
            .prop_map(|(m, sd)| format!("{{ mean = {m}, sd = {sd}, min = 0 }}")),
        (0.0..=1.0f64).prop_map(|p| format!("{{ p = {p} }}")),
        Just("true".to_string()),
        Just("\"ramp\"".to_string()),
        Just("\"ipo\"".to_string()),
    ]
}

fn set_value() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => plausible_value(),
        4 => weird_value().prop_map(inline),
        2 => select(vec![
            "2027-Q9", "\"2027-Q9\"", "{ low = 1, high = 0 }", "{ low = 0.3, high = 0.9 }",
            "[1, 2", "{", "nan", "-inf", "1e999", "[]", "[2030, 2031]", "\"\"", "=", "==",
            "{ p = 2 }", "{ mean = 1, sd = -1 }", "10:50:9", "1,2,3", "0x10", "1_000", "1e308",
            "-1e308", "1e15", "0", "-0.0", "4e9", "100",
        ]).prop_map(str::to_string),
        1 => ".{0,20}",
    ]
}

fn set_arg() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (set_path(), set_value(), select(vec!["=", "=", "=", " = ", "= ", "=="]))
            .prop_map(|(p, v, eq)| format!("{p}{eq}{v}")),
        1 => ".{0,30}",
        1 => "[^=]{0,20}",
    ]
}

/// Runs `cases` cases of `strategy` through `check`, counting them for scripts/fuzz.sh, and
/// fails with proptest's shrunk input.
fn run_fuzz<S: Strategy>(
    name: &'static str,
    strategy: S,
    check: impl Fn(&Counter, S::Value) -> Result<(), TestCaseError>,
) {
    let counter = Counter::new(name);
    let mut runner = TestRunner::new(config(fuzz_cases()));
    let result = runner.run(&strategy, |v| check(&counter, v));
    drop(counter);
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

/// Arbitrary bytes in a file: `load` must refuse non-UTF-8 and bad TOML cleanly.
#[test]
fn fuzz_arbitrary_bytes_from_a_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    run_fuzz(
        "arbitrary_bytes",
        prop::collection::vec(any::<u8>(), 0..400),
        |counter, bytes| {
            let path = dir.path().join("fuzz.toml");
            std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("write: {e}"));
            let raw = String::from_utf8_lossy(&bytes).into_owned();
            let shown = format!("{bytes:?}\n(as text: {raw:?})");
            check_case(counter, &raw, &shown, move || exercise(|| load(&path, &[])))
        },
    );
}

/// Arbitrary text, and TOML-flavoured token soup.
#[test]
fn fuzz_arbitrary_text() {
    run_fuzz(
        "arbitrary_text",
        prop_oneof![".{0,200}", "(?s).{0,200}", tomlish_text()],
        |counter, text| {
            let shown = text.clone();
            check_case(counter, &shown, &shown, move || {
                exercise(|| load_str(&text, "fuzz.toml", Some(&scenarios_dir()), &[]))
            })
        },
    );
}

/// Valid scenarios with random keys, wrong types, extreme numbers, missing sections,
/// random distribution tables, bad dates and `extends` names, and broken syntax.
#[test]
fn fuzz_mutated_scenarios() {
    run_fuzz("mutated_scenarios", mutated_scenario(), |counter, text| {
        let shown = text.clone();
        check_case(counter, &shown, &shown, move || {
            exercise(|| load_str(&text, "fuzz.toml", Some(&scenarios_dir()), &[]))
        })
    });
}

/// One or two `--set PATH=VALUE` overrides on scenarios/bench.toml.
#[test]
fn fuzz_set_overrides_on_bench() {
    run_fuzz(
        "set_overrides",
        prop_oneof![
            3 => prop::collection::vec(set_arg(), 1..=1),
            1 => prop::collection::vec(set_arg(), 2..=3),
        ],
        |counter, sets| {
            let shown = sets
                .iter()
                .map(|s| format!("--set {s:?}"))
                .collect::<Vec<_>>()
                .join(" ");
            let raw = sets.join(" ");
            check_case(counter, &raw, &shown, move || {
                exercise(|| load(&bench(), &sets))
            })
        },
    );
}
