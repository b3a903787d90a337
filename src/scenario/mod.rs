//! Scenario files: loading (`extends`, `--set` overrides), and the validated [`Scenario`].
//!
//! The flow is raw, then validated: each file is parsed to TOML (syntax errors carry line and
//! column), checked against [`raw::RawScenario`] (unknown fields are errors, with a "did you
//! mean"), merged over the file it `extends`, patched by `--set PATH=VALUE` overrides, and
//! converted once into a [`Scenario`] whose invariants hold: every number finite and inside its
//! allowed range, every name it refers to defined, dates in order. Nothing downstream
//! re-checks. Every problem found is reported, not just the first.

pub mod raw;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::dist::Dist;
use raw::RawScenario;

/// The base scenario compiled into the binary (`funding-gap` with no arguments).
pub const BUILTIN_BASE: &str = include_str!("../../scenarios/base.toml");

/// A complete, commented scenario for `funding-gap new` (`{NAME}` marks the name).
pub const TEMPLATE: &str = include_str!("../../assets/template.toml");

/// The template with its name filled in.
pub fn template(name: &str) -> String {
    TEMPLATE.replace("{NAME}", name)
}

/// One thing wrong with a scenario: where, what value, and what is allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted field path, e.g. `obligations.oracle.total`.
    pub path: String,
    /// The offending value as written, if there is one.
    pub value: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => write!(
                f,
                "{} = {}: {}",
                one_line(&self.path),
                one_line(v),
                one_line(&self.message)
            ),
            None => write!(f, "{}: {}", one_line(&self.path), one_line(&self.message)),
        }
    }
}

/// Why a scenario could not be loaded. Every variant is the user's input to fix.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file (or a file it extends) cannot be read.
    #[error("cannot read scenario file '{path}'{}: {reason}", extended_by.as_ref().map(|b| format!(" (extended by '{b}')")).unwrap_or_default())]
    Read {
        /// The file.
        path: String,
        /// The file whose `extends` named it, if any.
        extended_by: Option<String>,
        /// The operating system's reason.
        reason: String,
    },
    /// The path names a directory (`validate scenarios`), not a file.
    #[error("'{path}'{} is a directory, not a scenario file{}", extended_by.as_ref().map(|b| format!(" (extended by '{b}')")).unwrap_or_default(), if extended_by.is_none() { format!("; name the files in it, e.g. {}/*.toml", path.trim_end_matches('/')) } else { String::new() })]
    Directory {
        /// The directory.
        path: String,
        /// The file whose `extends` named it, if any.
        extended_by: Option<String>,
    },
    /// TOML syntax, a wrong type or an unknown field, with its position.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// `extends` leads back to a file already in the chain.
    #[error("{file}: extends cycle: {chain}")]
    Cycle {
        /// The file where the cycle closes.
        file: String,
        /// The chain, `a.toml -> b.toml -> a.toml`.
        chain: String,
    },
    /// Values that break the rules; one line per problem.
    #[error("{}", problems.iter().map(|p| format!("{file}: {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The file.
        file: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// A `--set PATH=VALUE` override that cannot be applied.
    #[error("--set {arg}: {message}")]
    Override {
        /// The override as given.
        arg: String,
        /// What is wrong.
        message: String,
    },
}

impl ScenarioError {
    /// Blames an error caused by the override `applied` on the argument the user wrote,
    /// `written`, from which it was derived (`sweep` applies `PATH=V` for each value V of
    /// `--set PATH=LO:HI:N`); `at` names the value, e.g. `ipo.probability = 1.5`. Other errors
    /// are returned unchanged.
    pub fn blame_override(self, applied: &str, written: &str, at: &str) -> ScenarioError {
        match self {
            ScenarioError::Override { arg, message } if arg == one_line(applied) => {
                ScenarioError::Override {
                    arg: one_line(written),
                    message,
                }
            }
            ScenarioError::Invalid { file, mut problems } => {
                let note = set_by(applied);
                for p in &mut problems {
                    if let Some(m) = p.message.strip_suffix(&note) {
                        p.message = format!("{m} (set by --set {}, at {at})", one_line(written));
                    }
                }
                ScenarioError::Invalid { file, problems }
            }
            other => other,
        }
    }
}

/// What is appended to a problem whose value was set by the override `arg`.
fn set_by(arg: &str) -> String {
    format!(" (set by --set {})", one_line(arg))
}

/// An uncertain input (or a constant) with the path that names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Dotted path, e.g. `revenue.consumer.growth`.
    pub path: String,
    /// Its distribution (`Dist::Fixed` for a constant).
    pub dist: Dist,
}

/// Interpolation between the points of a published path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpolation {
    /// Straight lines between points.
    Linear,
    /// The value of the latest point at or before t.
    Step,
}

/// A published series: sorted (date, value) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Points sorted by date, dates strictly increasing.
    pub points: Vec<(f64, f64)>,
    /// How to read between points; flat outside them.
    pub interpolation: Interpolation,
}

impl Series {
    /// The series' value at `t`.
    pub fn at(&self, t: f64) -> f64 {
        let pts = &self.points;
        let (first, last) = (pts[0], pts[pts.len() - 1]);
        if t <= first.0 + 1e-9 {
            return first.1;
        }
        if t >= last.0 {
            return last.1;
        }
        let i = pts.partition_point(|&(d, _)| d <= t + 1e-9);
        let (a, b) = (pts[i - 1], pts[i]);
        match self.interpolation {
            Interpolation::Step => a.1,
            Interpolation::Linear => a.1 + (b.1 - a.1) * (t - a.0) / (b.0 - a.0),
        }
    }
}

/// `[time]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Time {
    /// Start, decimal year.
    pub start: f64,
    /// Horizon, years.
    pub horizon_years: f64,
    /// 1, 4 or 12.
    pub steps_per_year: u32,
    /// Years whose end the gap is reported at, ascending.
    pub report_years: Vec<i32>,
}

/// `[cash]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cash {
    /// Cash at start, $B.
    pub initial: Param,
    /// Floor, $B.
    pub min_cash: Param,
}

/// A correlated pair (input paths, or segment names for revenue shocks).
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// First name.
    pub a: String,
    /// Second name.
    pub b: String,
    /// Coefficient in [−1, 1].
    pub rho: f64,
}

/// How a segment's run-rate evolves.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // built once per scenario; never in a hot path
pub enum SegmentKind {
    /// Decaying-growth process.
    Growth {
        /// R0, $B/yr.
        run_rate: Param,
        /// g0.
        growth: Param,
        /// g∞ (`None`: constant growth at g0).
        terminal_growth: Option<Param>,
        /// h, years.
        half_life_years: Param,
        /// Saturation, $B/yr.
        ceiling: Option<Param>,
    },
    /// A published path with a scale.
    Path {
        /// Run-rate path, $B/yr.
        series: Series,
        /// Multiplier.
        scale: Param,
    },
}

/// `[revenue.<segment>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Name.
    pub name: String,
    /// Growth process or path.
    pub kind: SegmentKind,
    /// σ per √yr.
    pub volatility: Param,
}

/// `[events.<name>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Name.
    pub name: String,
    /// Annual hazard.
    pub hazard: Param,
    /// Run-rate multiplier when it fires.
    pub factor: Param,
    /// Indices of hit segments.
    pub segments: Vec<usize>,
    /// Growth of hit segments afterwards.
    pub growth_after: Option<Param>,
    /// Can fire more than once.
    pub recurring: bool,
}

/// A revenue share, constant or by date.
#[derive(Debug, Clone, PartialEq)]
pub enum Share {
    /// One (possibly uncertain) share.
    Constant(Param),
    /// A share that changes over time.
    Series(Series),
}

/// Kinds of cost line.
#[derive(Debug, Clone, PartialEq)]
pub enum CostKind {
    /// `annual·(1+growth)^(t−start)` per year.
    Fixed {
        /// $B/yr at start.
        annual: Param,
        /// Growth per year.
        growth: Param,
    },
    /// A published cost path.
    Path {
        /// $B/yr.
        series: Series,
        /// Multiplier.
        scale: Param,
    },
    /// A share of revenue.
    RevenueShare {
        /// The share.
        share: Share,
        /// Indices of the segments whose revenue it takes.
        segments: Vec<usize>,
    },
}

/// `[costs.<name>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: CostKind,
    /// Active from (inclusive).
    pub from: Option<f64>,
    /// Active until (exclusive).
    pub until: Option<f64>,
}

/// Shape of payments over a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Equal payments.
    Flat,
    /// Rising over the first half, then flat.
    Ramp,
    /// Falling linearly.
    FrontLoaded,
    /// Rising linearly.
    BackLoaded,
}

impl Profile {
    /// Weight at midpoint fraction `x` in (0, 1) of the term.
    pub fn weight(self, x: f64) -> f64 {
        match self {
            Profile::Flat => 1.0,
            Profile::Ramp => (2.0 * x).min(1.0),
            Profile::FrontLoaded => 1.0 - x,
            Profile::BackLoaded => x,
        }
    }
}

/// When an obligation is paid.
#[derive(Debug, Clone, PartialEq)]
pub enum Timing {
    /// A term with a profile.
    Term {
        /// First payment date.
        start: f64,
        /// Term, years.
        years: f64,
        /// Shape.
        profile: Profile,
    },
    /// Explicit weights per calendar year.
    Schedule(Vec<(i32, f64)>),
}

/// `[obligations.<name>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Obligation {
    /// Name.
    pub name: String,
    /// Who is paid.
    pub counterparty: String,
    /// Headline total, $B.
    pub total: Param,
    /// Timing of payments.
    pub timing: Timing,
    /// Share actually spent.
    pub realized_share: Param,
    /// Deferrable share.
    pub flexible_share: Param,
    /// Deferral, years.
    pub deferral_years: f64,
}

/// When a tranche arrives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    /// At the round's close.
    Close,
    /// In the IPO step.
    Ipo,
    /// At a date.
    Date(f64),
}

/// One tranche of a participant's money.
#[derive(Debug, Clone, PartialEq)]
pub struct Tranche {
    /// Share of the amount.
    pub share: f64,
    /// Condition.
    pub when: When,
    /// Deadline after which it never arrives.
    pub lapses: Option<f64>,
}

/// Money tied to buying the participant's products.
#[derive(Debug, Clone, PartialEq)]
pub struct TiedSpend {
    /// Share of the amount.
    pub share: f64,
    /// Start date.
    pub start: f64,
    /// Term, years.
    pub years: f64,
    /// Shape.
    pub profile: Profile,
    /// Existing obligation it counts toward (no new outflow).
    pub counts_toward: Option<usize>,
    /// Who is paid.
    pub counterparty: String,
}

/// `[rounds.<r>.participants.<p>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    /// Name.
    pub name: String,
    /// Joins: Bernoulli.
    pub joins: Param,
    /// Commitment, $B.
    pub amount: Param,
    /// Payment tranches, shares summing to 1.
    pub tranches: Vec<Tranche>,
    /// Circular-deal spend.
    pub tied_spend: Option<TiedSpend>,
}

/// `[rounds.<r>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    /// Name.
    pub name: String,
    /// Close date.
    pub close: f64,
    /// Post-money valuation, $B.
    pub post_money: Option<f64>,
    /// Closes: Bernoulli.
    pub closes: Param,
    /// Participants.
    pub participants: Vec<Participant>,
}

/// `[ipo]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ipo {
    /// Happens: Bernoulli.
    pub happens: Param,
    /// Date, decimal year.
    pub date: Param,
    /// Revenue multiple.
    pub multiple: Param,
    /// Share of valuation raised.
    pub raise_share: Param,
}

/// `[debt]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Debt {
    /// Facility, $B.
    pub limit: Param,
    /// Rate per year.
    pub rate: Param,
}

/// Defaults for a run, overridable on the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDefaults {
    /// Trials.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
}

/// A validated scenario: every invariant of the format holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Name (output directory).
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Where it came from (file path, or "built-in").
    pub origin: String,
    /// The files it was read from: the file itself first, then each file it extends.
    pub files: Vec<PathBuf>,
    /// Time grid settings.
    pub time: Time,
    /// Run defaults.
    pub run: RunDefaults,
    /// Cash and floor.
    pub cash: Cash,
    /// Input correlations.
    pub correlations: Vec<Correlation>,
    /// Revenue segments.
    pub segments: Vec<Segment>,
    /// Segment shock correlations.
    pub revenue_correlations: Vec<Correlation>,
    /// Events.
    pub events: Vec<Event>,
    /// Other costs.
    pub costs: Vec<Cost>,
    /// Contracts.
    pub obligations: Vec<Obligation>,
    /// Funding rounds.
    pub rounds: Vec<Round>,
    /// IPO.
    pub ipo: Option<Ipo>,
    /// Debt facility.
    pub debt: Option<Debt>,
}

impl Scenario {
    /// Every parameter of the scenario with its path, in file order.
    pub fn params(&self) -> Vec<&Param> {
        let mut v: Vec<&Param> = vec![&self.cash.initial, &self.cash.min_cash];
        for s in &self.segments {
            match &s.kind {
                SegmentKind::Growth {
                    run_rate,
                    growth,
                    terminal_growth,
                    half_life_years,
                    ceiling,
                } => {
                    v.extend([run_rate, growth, half_life_years]);
                    v.extend(terminal_growth.iter());
                    v.extend(ceiling.iter());
                }
                SegmentKind::Path { scale, .. } => v.push(scale),
            }
            v.push(&s.volatility);
        }
        for e in &self.events {
            v.extend([&e.hazard, &e.factor]);
            v.extend(e.growth_after.iter());
        }
        for c in &self.costs {
            match &c.kind {
                CostKind::Fixed { annual, growth } => v.extend([annual, growth]),
                CostKind::Path { scale, .. } => v.push(scale),
                CostKind::RevenueShare {
                    share: Share::Constant(p),
                    ..
                } => v.push(p),
                CostKind::RevenueShare { .. } => {}
            }
        }
        for o in &self.obligations {
            v.extend([&o.total, &o.realized_share, &o.flexible_share]);
        }
        for r in &self.rounds {
            v.push(&r.closes);
            for p in &r.participants {
                v.extend([&p.joins, &p.amount]);
            }
        }
        if let Some(ipo) = &self.ipo {
            v.extend([&ipo.happens, &ipo.date, &ipo.multiple, &ipo.raise_share]);
        }
        if let Some(d) = &self.debt {
            v.extend([&d.limit, &d.rate]);
        }
        v
    }
}

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
    let mut files = Vec::new();
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
    validate::validate(raw, origin, stem).map_err(|e| match e {
        ScenarioError::Invalid { file, mut problems } => {
            // Say where a bad value came from when it was set on the command line (the last
            // override of a path is the one whose value stands).
            for p in &mut problems {
                if let Some(arg) = overrides
                    .iter()
                    .rev()
                    .find(|a| a.split_once('=').is_some_and(|(k, _)| k.trim() == p.path))
                {
                    p.message.push_str(&set_by(arg));
                }
            }
            ScenarioError::Invalid { file, problems }
        }
        other => other,
    })
}

/// Reads `path`, parses it, and merges it over the file it extends, recursively.
fn resolve(
    path: &Path,
    extended_by: Option<&str>,
    chain: &mut Vec<(PathBuf, String)>,
    files: &mut Vec<PathBuf>,
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
    files.push(path.to_path_buf());
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

/// Replaces Rust type names in serde's messages with words a scenario author uses. `key` is the
/// dotted path of the field the message is about, if known: it picks the example of a list.
fn plain_types(message: &str, key: Option<&str>) -> String {
    let mut m = message
        .replace("expected f64", "expected a number")
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number")
        .replace(
            "expected a sequence",
            &format!("expected a list such as {}", list_example(key)),
        )
        .replace("expected a boolean", "expected true or false");
    while let Some(i) = m.find("expected struct Raw") {
        let end = m[i + 16..]
            .find(|c: char| !c.is_alphanumeric())
            .map_or(m.len(), |e| i + 16 + e);
        m.replace_range(i..end, "expected a table");
    }
    m.replace("expected a map", "expected a table")
}

/// An example value for the list field at `key`, with elements of the field's type.
fn list_example(key: Option<&str>) -> &'static str {
    let key = key.unwrap_or("");
    let segments = key.starts_with("revenue_correlations");
    match key.rsplit('.').next().unwrap_or("") {
        "segments" => "[\"consumer\", \"enterprise\"]",
        "between" if segments => "[\"consumer\", \"enterprise\"]",
        "between" => "[\"revenue.consumer.growth\", \"ipo.multiple\"]",
        "report_years" => "[2028, 2030]",
        "tranches" => "[{ share = 0.5 }, { share = 0.5, when = \"ipo\" }]",
        "revenue_correlations" => "[{ between = [\"consumer\", \"enterprise\"], rho = 0.5 }]",
        "correlations" => {
            "[{ between = [\"revenue.consumer.growth\", \"ipo.multiple\"], rho = 0.5 }]"
        }
        _ => "[1, 2]",
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Adds "did you mean `x`?" to serde's unknown-field message when a near name exists.
fn with_suggestion(message: &str) -> String {
    let one_line = message.replace('\n', " ");
    let Some(rest) = one_line.strip_prefix("unknown field `") else {
        return one_line;
    };
    let Some(end) = rest.find('`') else {
        return one_line;
    };
    let field = &rest[..end];
    let candidates: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
    match did_you_mean(field, candidates.iter().copied()) {
        Some(s) => format!("{one_line}; did you mean `{s}`?"),
        None => one_line,
    }
}

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|&(d, c)| d > 0 && d <= (name.len().max(c.len()) / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c.to_string())
}

/// Why a file could not be read, in the words of the scenario errors ("no such file").
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => e.to_string(),
    }
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

/// `text` on one line: control characters (a newline in a `--set` argument, say) are shown
/// escaped, so that an error stays one line per problem.
fn one_line(text: &str) -> String {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        text.to_string()
    }
}

/// Applies one `PATH=VALUE` override to the merged table.
fn apply_override(table: &mut toml::Table, arg: &str) -> Result<(), ScenarioError> {
    let err = |message: String| ScenarioError::Override {
        arg: one_line(arg),
        message: one_line(&message),
    };
    let Some((path, value)) = arg.split_once('=') else {
        return Err(err(
            "expected PATH=VALUE, e.g. --set ipo.probability=0.5".into()
        ));
    };
    let (path, value) = (path.trim(), value.trim());
    if path.is_empty() {
        return Err(err("the path before '=' is empty".into()));
    }
    // Files are merged before overrides apply, so a `--set extends=...` would be ignored.
    if path.split('.').next().map(str::trim) == Some("extends") {
        return Err(err(
            "extends cannot be set with --set (files are merged before --set applies); edit the file's `extends` line".into(),
        ));
    }
    let parsed: toml::Value = match format!("v = {value}").parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or(toml::Value::String(value.to_string())),
        Err(_) => toml::Value::String(value.to_string()),
    };
    let keys: Vec<&str> = path.split('.').collect();
    let mut root = toml::Value::Table(std::mem::take(table));
    let walked = set_path(&mut root, &keys, parsed, &err);
    if let toml::Value::Table(t) = root {
        *table = t;
    }
    walked?;
    // Check the shape right away, so a misspelt field is blamed on this override.
    toml::Value::Table(table.clone())
        .try_into::<RawScenario>()
        .map_err(|e| {
            err(with_suggestion(&plain_types(
                e.message().trim(),
                Some(path),
            )))
        })?;
    Ok(())
}

/// Walks `keys` from `root` (tables by key, arrays by index) and sets the last one.
fn set_path(
    root: &mut toml::Value,
    keys: &[&str],
    parsed: toml::Value,
    err: &dyn Fn(String) -> ScenarioError,
) -> Result<(), ScenarioError> {
    let mut node = root;
    for (i, key) in keys.iter().enumerate() {
        let last = i + 1 == keys.len();
        let walked = keys[..i].join(".");
        let here = if walked.is_empty() {
            "the scenario".to_string()
        } else {
            format!("`{walked}`")
        };
        match node {
            toml::Value::Table(t) => {
                if last {
                    t.insert(key.to_string(), parsed);
                    return Ok(());
                }
                if !t.contains_key(*key) {
                    let names: Vec<&str> = t.keys().map(String::as_str).collect();
                    let hint = did_you_mean(key, names.iter().copied())
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Err(err(format!(
                        "{here} has no `{key}` (it has: {}){hint}",
                        if names.is_empty() {
                            "nothing".to_string()
                        } else {
                            names.join(", ")
                        }
                    )));
                }
                node = t
                    .get_mut(*key)
                    .ok_or_else(|| err("internal path error".into()))?;
            }
            toml::Value::Array(a) => {
                let idx: usize = key.parse().map_err(|_| {
                    err(format!(
                        "{here} is a list: index it with a number, e.g. `{walked}.0`"
                    ))
                })?;
                let len = a.len();
                let slot = a.get_mut(idx).ok_or_else(|| {
                    err(format!(
                        "{here} has {len} entries; index {idx} is out of range"
                    ))
                })?;
                if last {
                    *slot = parsed;
                    return Ok(());
                }
                node = slot;
            }
            _ => {
                return Err(err(format!(
                    "{here} is a single value, it has no field `{key}`"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_interpolates_and_holds_flat() {
        let s = Series {
            points: vec![(2026.0, 10.0), (2030.0, 50.0)],
            interpolation: Interpolation::Linear,
        };
        assert_eq!(s.at(2025.0), 10.0);
        assert_eq!(s.at(2028.0), 30.0);
        assert_eq!(s.at(2031.0), 50.0);
        let s = Series {
            points: vec![(2026.0, 0.2), (2030.0, 0.08)],
            interpolation: Interpolation::Step,
        };
        assert_eq!(s.at(2029.75), 0.2);
        assert_eq!(s.at(2030.0), 0.08);
    }

    #[test]
    fn suggests_near_field_names() {
        let m = with_suggestion("unknown field `clsoe`, expected one of `close`, `post_money`");
        assert!(m.ends_with("did you mean `close`?"), "{m}");
        assert_eq!(did_you_mean("zzzzzz", ["close"]), None);
    }

    #[test]
    fn a_list_example_holds_what_the_field_holds() {
        let m = |key| plain_types("invalid type: string \"x\", expected a sequence", key);
        assert!(m(Some("events.slump.segments")).ends_with("[\"consumer\", \"enterprise\"]"));
        assert!(m(Some("costs.cut.segments")).ends_with("[\"consumer\", \"enterprise\"]"));
        assert!(m(Some("time.report_years")).ends_with("[2028, 2030]"));
        assert!(m(Some("revenue_correlations.0.between")).contains("\"consumer\""));
        assert!(m(Some("correlations.between")).contains("\"ipo.multiple\""));
        assert!(m(Some("rounds.r.participants.p.tranches")).contains("share = 0.5"));
        assert!(m(None).ends_with("expected a list such as [1, 2]"));
    }
}
