//! Scenario files: loading (`extends`, `--set` overrides), and the validated [`Scenario`].
//!
//! The flow is raw, then validated: each file is parsed to TOML (syntax errors carry line and
//! column), checked against [`raw::RawScenario`] (unknown fields are errors, with a "did you
//! mean"), merged over the file it `extends`, patched by `--set PATH=VALUE` overrides, and
//! converted once into a [`Scenario`] whose invariants hold: every number finite and inside its
//! allowed range, every name it refers to defined, dates in order. Nothing downstream
//! re-checks. Every problem found is reported, not just the first.
//!
//! - `types`: the validated domain types ([`Scenario`] and its parts).
//! - `error`: [`ScenarioError`], [`Problem`] and the helpers that word messages
//!   ([`did_you_mean`], [`io_reason`]).
//! - `load`: [`load`](fn@load), [`load_str`], [`builtin_base`]: files, `extends`, TOML
//!   parsing, merging.
//! - `overrides`: `--set PATH=VALUE`, parsed and applied to the merged table.
//! - `remove`: a variant's `remove = [...]`, the inherited entries it drops while merging.
//! - [`raw`]: the file as written.
//! - `validate`: raw → [`Scenario`], one function per section.

mod error;
mod load;
mod overrides;
pub mod raw;
mod remove;
mod sources;
mod types;
mod validate;

pub use error::{Problem, ScenarioError, did_you_mean, io_reason};
pub use load::{BUILTIN_BASE, MAX_ENTRIES, MAX_EXTENDS_DEPTH, builtin_base, load, load_str};
pub use sources::Sources;
pub use types::{
    Capacity, Cash, ContractCapacity, Correlation, Cost, CostKind, Debt, Event, Interpolation, Ipo,
    Obligation, Param, Participant, Profile, Removed, Requirement, Round, RunDefaults, Scenario,
    Segment, SegmentKind, Series, Share, SourceFile, TiedSpend, Time, Timing, Tranche, When,
};
pub use types::{Check, CheckMetric, Expect, Quantity, Stat, Tolerance, YearSeries};
pub use types::{Driver, Drivers, Users};
pub use validate::checks::metric as check_metric;

/// A complete, commented scenario for `funding-gap new` (`{NAME}` marks the name).
pub const TEMPLATE: &str = include_str!("../../assets/template.toml");

/// The template with its name filled in.
pub fn template(name: &str) -> String {
    TEMPLATE.replace("{NAME}", name)
}
