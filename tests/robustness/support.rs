//! Shared helpers: case counts, a panic- and hang-proof runner, the checks every rejection
//! and every summary must pass, and execution counting for `scripts/fuzz.sh`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use funding_gap::engine::{RunConfig, simulate};
use funding_gap::model::{Model, compile};
use funding_gap::scenario::{Scenario, ScenarioError};
use funding_gap::sim::{Scratch, run_trial};
use funding_gap::summary::{Summary, summarize};
use proptest::test_runner::Config;
use serde_json::Value as Json;

/// How long one fuzz case (load, compile, a few trials) may take.
pub const TIME_LIMIT: Duration = Duration::from_secs(2);

/// The package root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `scenarios/`.
pub fn scenarios_dir() -> PathBuf {
    root().join("scenarios")
}

/// Every shipped scenario file: `scenarios/*.toml` and the published analyses in
/// `scenarios/published/*.toml`, sorted.
pub fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = [scenarios_dir(), scenarios_dir().join("published")]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// Cases per fuzz property: `FUZZ_CASES`, default 256.
pub fn fuzz_cases() -> u32 {
    env_u32("FUZZ_CASES", 256)
}

/// Cases per property over random valid scenarios: `PROP_CASES`, default 128.
pub fn prop_cases() -> u32 {
    env_u32("PROP_CASES", 128)
}

/// A proptest configuration with `cases` cases that never writes regression files into the
/// source tree (a failure prints its shrunk input; scripts/fuzz.sh keeps the log) and gives
/// up shrinking after a minute (a hanging input leaves a spinning thread per attempt).
pub fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        max_shrink_time: 60_000,
        max_shrink_iters: 512,
        ..Config::default()
    }
}

/// Runs `f` on its own thread: `Err` with a description if it panics or takes longer than
/// [`TIME_LIMIT`] (the thread is then left running; the test fails anyway).
pub fn guarded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("guarded-case".into())
        .spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(f));
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return Err(format!("cannot spawn the case's thread: {e}"));
    }
    match rx.recv_timeout(TIME_LIMIT) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(payload)) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(non-string panic payload)".into());
            Err(format!("PANICKED: {msg}"))
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "HUNG: did not finish within {} s",
            TIME_LIMIT.as_secs_f64()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the case's thread vanished".into()),
    }
}

/// What happened to one input.
#[derive(Debug)]
pub enum Verdict {
    /// Loaded, compiled, and a few trials ran.
    Accepted,
    /// Rejected by `load` or `compile`, with the error's Display.
    Rejected(String),
    /// Loaded, but it would trigger a bug already pinned in `regressions`: not run further.
    KnownBug(&'static str),
}

/// Whether a loaded scenario would trigger a bug already pinned (and ignored) in
/// `regressions`: the fuzzer skips such inputs and counts them, so that a long run keeps
/// finding new bugs (unless `FUZZ_STRICT` is set). No bug is open now: the last one, terms
/// so long that compiling hung, is fixed by the validator's bounds. When the fuzzer finds
/// one, pin it in `regressions` and recognise its inputs here, behind
/// `std::env::var_os("FUZZ_STRICT").is_none()`.
pub fn known_bug(_s: &Scenario) -> Option<&'static str> {
    None
}

/// Loads with `load`, compiles, and (if accepted) runs a few trials of the result and
/// summarises them: the whole path a `funding-gap run` takes for one input, minus the files.
pub fn exercise(load: impl FnOnce() -> Result<Scenario, ScenarioError>) -> Verdict {
    let scenario = match load() {
        Ok(s) => s,
        Err(e) => return Verdict::Rejected(e.to_string()),
    };
    if let Some(bug) = known_bug(&scenario) {
        return Verdict::KnownBug(bug);
    }
    let model = match compile(&scenario) {
        Ok(m) => m,
        Err(e) => return Verdict::Rejected(e.to_string()),
    };
    run_a_few(&model);
    Verdict::Accepted
}

/// Runs trials 0..4 of `model` with seed 7, then a run of 8 trials through the engine, the
/// summary and its JSON.
pub fn run_a_few(model: &Model) {
    let mut s = Scratch::new(model);
    for trial in 0..4 {
        run_trial(model, 7, trial, &mut s);
    }
    let cfg = RunConfig {
        trials: 8,
        seed: 7,
        threads: Some(1),
        save_trials: true,
        worst: 3,
    };
    let run = simulate(model, &cfg, &|_| {}, None, None).unwrap_or_else(|e| panic!("run: {e}"));
    let summary = summarize(model, &run);
    serde_json::to_string(&summary).unwrap_or_else(|e| panic!("summary.json: {e}"));
}

/// Words that must never reach a user: panics, Rust type names, Debug output.
const FORBIDDEN: [&str; 16] = [
    "panicked",
    "RawScenario",
    "RawTime",
    "RawCash",
    "RawSegment",
    "RawObligation",
    "RawRound",
    "RawParticipant",
    "RawTranche",
    "f64",
    "i64",
    "u64",
    "usize",
    "Option<",
    "IndexMap",
    "toml::",
];

/// Checks a rejection's message: non-empty, no blank lines, no line that starts with
/// "error:" (the CLI adds that prefix itself), and none of [`FORBIDDEN`] unless the input
/// itself contains that word (a misspelt key is echoed back).
///
/// The line checks are skipped when the input holds a newline: `--set` echoes its argument
/// raw, so such an input gives a multi-line message (a known bug,
/// `regressions::a_newline_in_a_set_argument_splits_the_error_line`).
pub fn check_message(msg: &str, input: &str) -> Result<(), String> {
    if msg.trim().is_empty() {
        return Err("the error message is empty".into());
    }
    let lines: Vec<&str> = if input.contains('\n') {
        Vec::new()
    } else {
        msg.lines().collect()
    };
    for line in lines {
        if line.trim().is_empty() {
            return Err(format!("the error message has a blank line:\n{msg}"));
        }
        if line.trim_start().to_ascii_lowercase().starts_with("error:") {
            return Err(format!(
                "a line starts with \"error:\" (the CLI prints \"error: error: ...\"):\n{msg}"
            ));
        }
    }
    if msg.to_ascii_lowercase().contains("error: error") {
        return Err(format!("the message repeats \"error:\":\n{msg}"));
    }
    // A character the message escapes (`\u{f6400}`) must not read as a type name (`f64`).
    let unescaped = strip_unicode_escapes(msg);
    for word in FORBIDDEN {
        if unescaped.contains(word) && !input.contains(word) {
            return Err(format!(
                "the error message contains `{word}`, which the input does not:\n{msg}"
            ));
        }
    }
    Ok(())
}

/// `msg` without its unicode escapes: `\u{1F600}`, `\u00e9`, `\U0001F600`.
fn strip_unicode_escapes(msg: &str) -> String {
    let b = msg.as_bytes();
    let hex = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_hexdigit);
    let mut out = String::with_capacity(msg.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let rest = &b[i + 2..];
            let skip = match b[i + 1] {
                b'u' if rest.first() == Some(&b'{') => rest
                    .iter()
                    .position(|&c| c == b'}')
                    .filter(|&e| hex(&rest[1..e]))
                    .map(|e| e + 3),
                b'u' if rest.len() >= 4 && hex(&rest[..4]) => Some(6),
                b'U' if rest.len() >= 8 && hex(&rest[..8]) => Some(10),
                _ => None,
            };
            if let Some(n) = skip {
                out.push(' ');
                i += n;
                continue;
            }
        }
        let ch_len = msg[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&msg[i..i + ch_len]);
        i += ch_len;
    }
    out
}

/// Runs `trials` trials on 2 threads and summarises.
pub fn run_summary(model: &Model, trials: u64, seed: u64) -> Summary {
    let cfg = RunConfig {
        trials,
        seed,
        threads: Some(2),
        save_trials: false,
        worst: 0,
    };
    let run = simulate(model, &cfg, &|_| {}, None, None).unwrap_or_else(|e| panic!("run: {e}"));
    summarize(model, &run)
}

/// Fields of the summary that are `Option`s: `null` there means "none", not a non-finite
/// number. Matched against the path with array indices and map keys replaced by `*`.
const OPTIONAL: [&str; 9] = [
    "first_shortfall.median",
    "first_shortfall.median_all_trials",
    "breakeven.median_year",
    "first_nonnegative_year.median_year",
    "provenance.git_commit",
    "timeline.*.window",
    "sensitivity.gap.*.worst_decile_median_u",
    "sensitivity.by_year.*.*.worst_decile_median_u",
    "inputs.*.source",
];

/// Every place in the summary's JSON holding a non-finite number. serde_json writes NaN and
/// ±inf as `null`, so a `null` anywhere but an `Option` field is one; the exact values are
/// named by [`non_finite_values`].
pub fn json_nulls(summary: &Summary) -> Vec<String> {
    let json = serde_json::to_value(summary).unwrap_or_else(|e| panic!("serialise: {e}"));
    let mut out = Vec::new();
    walk_json(&json, String::new(), String::new(), &mut out);
    out
}

fn walk_json(v: &Json, path: String, pattern: String, out: &mut Vec<String>) {
    let join = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_string()
        } else {
            format!("{a}.{b}")
        }
    };
    match v {
        Json::Null => {
            if !OPTIONAL.contains(&pattern.as_str()) {
                out.push(path);
            }
        }
        Json::Number(n) => {
            // serde_json never holds a non-finite number, but check anyway.
            if n.as_f64().is_some_and(|x| !x.is_finite()) {
                out.push(path);
            }
        }
        Json::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk_json(x, join(&path, &i.to_string()), join(&pattern, "*"), out);
            }
        }
        Json::Object(o) => {
            // Maps keyed by data (years, counterparties) get `*`; struct fields keep names.
            let by_data = matches!(
                pattern.as_str(),
                "sensitivity.by_year" | "gap_by_year" | "metrics"
            );
            for (k, x) in o {
                let p = if by_data { "*" } else { k.as_str() };
                walk_json(x, join(&path, k), join(&pattern, p), out);
            }
        }
        Json::Bool(_) | Json::String(_) => {}
    }
}

/// Every non-finite number in the summary with its path and value (NaN, inf or -inf), found
/// by serialising to a TOML value, which, unlike JSON, keeps them. Empty if that
/// serialisation is not possible.
pub fn non_finite_values(summary: &Summary) -> Vec<String> {
    let Ok(v) = toml::Value::try_from(summary) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk_toml(&v, String::new(), &mut out);
    out
}

fn walk_toml(v: &toml::Value, path: String, out: &mut Vec<String>) {
    let join = |b: &str| {
        if path.is_empty() {
            b.to_string()
        } else {
            format!("{path}.{b}")
        }
    };
    match v {
        toml::Value::Float(x) if !x.is_finite() => out.push(format!("{path} = {x}")),
        toml::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk_toml(x, join(&i.to_string()), out);
            }
        }
        toml::Value::Table(t) => {
            for (k, x) in t {
                walk_toml(x, join(k), out);
            }
        }
        _ => {}
    }
}

/// Collapses a list of paths such as `bands.cash.p5.17` into `bands.cash.p5.* (×n)`, so a
/// report stays readable.
pub fn collapse(paths: &[String]) -> Vec<String> {
    let mut groups: indexmap::IndexMap<String, (usize, String)> = indexmap::IndexMap::new();
    for p in paths {
        let (body, value) = match p.split_once(" = ") {
            Some((b, v)) => (b, Some(v)),
            None => (p.as_str(), None),
        };
        let key: Vec<String> = body
            .split('.')
            .map(|s| {
                if s.parse::<u64>().is_ok() {
                    "*".to_string()
                } else {
                    s.to_string()
                }
            })
            .collect();
        let mut key = key.join(".");
        if let Some(v) = value {
            key.push_str(&format!(" = {v}"));
        }
        let e = groups.entry(key).or_insert((0, p.clone()));
        e.0 += 1;
    }
    groups
        .into_iter()
        .map(|(k, (n, first))| {
            if n == 1 {
                first
            } else {
                format!("{k} (×{n})")
            }
        })
        .collect()
}

/// Formats a list for a failure message.
pub fn bullet(items: &[String]) -> String {
    let mut s = String::new();
    for i in items {
        let _ = writeln!(s, "  - {i}");
    }
    s
}

/// Counts the cases a fuzz property ran (accepted, rejected, and skipped as a known bug) and,
/// when `FUZZ_COUNT_FILE` is set, appends `name cases accepted rejected known [bug=count ...]`
/// to it when dropped, even when the property fails. scripts/fuzz.sh sums these lines.
pub struct Counter {
    name: &'static str,
    accepted: AtomicU64,
    rejected: AtomicU64,
    known: AtomicU64,
    by_bug: std::sync::Mutex<std::collections::BTreeMap<&'static str, u64>>,
}

impl Counter {
    /// A counter for the property `name`.
    pub fn new(name: &'static str) -> Counter {
        Counter {
            name,
            accepted: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            known: AtomicU64::new(0),
            by_bug: std::sync::Mutex::default(),
        }
    }

    /// Records one case's verdict.
    pub fn record(&self, v: &Verdict) {
        match v {
            Verdict::Accepted => self.accepted.fetch_add(1, Ordering::Relaxed),
            Verdict::Rejected(_) => self.rejected.fetch_add(1, Ordering::Relaxed),
            Verdict::KnownBug(bug) => {
                if let Ok(mut m) = self.by_bug.lock() {
                    *m.entry(bug).or_default() += 1;
                }
                self.known.fetch_add(1, Ordering::Relaxed)
            }
        };
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        let [a, r, k] =
            [&self.accepted, &self.rejected, &self.known].map(|c| c.load(Ordering::Relaxed));
        if let Ok(path) = std::env::var("FUZZ_COUNT_FILE") {
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                let bugs: String = self
                    .by_bug
                    .lock()
                    .map(|m| m.iter().map(|(b, n)| format!(" {b}={n}")).collect())
                    .unwrap_or_default();
                let _ = writeln!(f, "{} {} {} {} {}{bugs}", self.name, a + r + k, a, r, k);
            }
        }
    }
}

/// The message check itself: type names fail it, escaped characters that look like one do not.
#[test]
fn message_check_tells_type_names_from_escapes() {
    let ok = "--set a=\u{f6400}: invalid type: string \"\\u{f6400}\", expected a number";
    assert_eq!(check_message(ok, "a=\u{f6400}"), Ok(()));
    assert_eq!(check_message("x: \"\\uF640\" and \\U000F6400", ""), Ok(()));
    assert!(check_message("x: invalid type: string, expected f64", "").is_err());
    assert!(check_message("x: unknown field `f64`", "f64 = 1").is_ok());
    assert!(check_message("error: x", "").is_err());
    assert!(check_message("a\n\nb", "").is_err());
    assert!(check_message("  ", "").is_err());
}
