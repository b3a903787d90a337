//! The scenario file as written: serde structs that mirror the TOML one to one.
//!
//! Every field is optional here so that a variant file (`extends = ...`) that holds only what
//! it changes still parses; required fields are enforced by validation. Uncertain numbers and
//! dates stay raw [`toml::Value`]s and are parsed by validation, which knows their path and can
//! say exactly what is wrong. Unknown fields are rejected (`deny_unknown_fields`).

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Value;

/// An uncertain number or a date, parsed later.
pub type RawValue = Option<Value>;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Scenario name.
    pub name: Option<String>,
    /// One-line description.
    pub description: Option<String>,
    /// Parent scenario file.
    pub extends: Option<String>,
    /// Inherited entries to drop (`"revenue.ads"`, `"rounds.2026.participants.amazon"`):
    /// applied by `load` when it merges the file over the one it extends.
    pub remove: Option<Vec<String>>,
    /// `[time]`.
    pub time: Option<RawTime>,
    /// `[run]`.
    pub run: Option<RawRun>,
    /// `[cash]`.
    pub cash: Option<RawCash>,
    /// `[[correlations]]`.
    #[serde(default)]
    pub correlations: Vec<RawCorrelation>,
    /// `[revenue.<segment>]`.
    #[serde(default)]
    pub revenue: IndexMap<String, RawSegment>,
    /// `[[revenue_correlations]]`.
    #[serde(default)]
    pub revenue_correlations: Vec<RawCorrelation>,
    /// `[events.<name>]`.
    #[serde(default)]
    pub events: IndexMap<String, RawEvent>,
    /// `[costs.<name>]`.
    #[serde(default)]
    pub costs: IndexMap<String, RawCost>,
    /// `[obligations.<name>]`.
    #[serde(default)]
    pub obligations: IndexMap<String, RawObligation>,
    /// `[rounds.<name>]`.
    #[serde(default)]
    pub rounds: IndexMap<String, RawRound>,
    /// `[ipo]`.
    pub ipo: Option<RawIpo>,
    /// `[debt]`.
    pub debt: Option<RawDebt>,
    /// `[capacity]`.
    pub capacity: Option<RawCapacity>,
    /// `[[checks]]`.
    #[serde(default)]
    pub checks: Vec<RawCheck>,
}

/// `[[checks]]`: a published figure to compare the run with.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    /// The metric of the run, e.g. `revenue.2030.p50`.
    pub metric: Option<String>,
    /// A short name for tables, e.g. "HSBC, Nov 2025: revenue 2030".
    pub label: Option<String>,
    /// The published figure.
    pub published: Option<Value>,
    /// A number in the metric's unit, or a string "N%" of |published|.
    pub tolerance: Option<Value>,
    /// `"match"` (default) or `"differs"`.
    pub expect: Option<String>,
    /// Why the run departs from the figure.
    pub reason: Option<String>,
    /// Where the figure comes from.
    pub source: Option<String>,
}

/// `[capacity]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapacity {
    /// Revenue one GW-year of compute can serve at the start, $B.
    pub revenue_per_gw_year: RawValue,
    /// Its growth per year.
    pub efficiency_growth: RawValue,
    /// GW online at the start outside the listed contracts.
    pub existing_gw: RawValue,
    /// Segments whose demand the capacity serves.
    pub segments: Option<Vec<String>>,
}

/// `[time]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTime {
    /// Start date.
    pub start: RawValue,
    /// Horizon in years.
    pub horizon_years: Option<f64>,
    /// 1, 4 or 12.
    pub steps_per_year: Option<i64>,
    /// Years whose end the gap is also reported at.
    pub report_years: Option<Vec<i64>>,
}

/// `[run]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    /// Default number of trials.
    pub trials: Option<i64>,
    /// Default seed.
    pub seed: Option<i64>,
}

/// `[cash]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCash {
    /// Cash at start, $B.
    pub initial: RawValue,
    /// Floor, $B.
    pub min_cash: RawValue,
}

/// One correlated pair.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrelation {
    /// The two paths (or segment names).
    pub between: Vec<String>,
    /// The coefficient.
    pub rho: f64,
}

/// `[revenue.<segment>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSegment {
    /// R0, $B/yr.
    pub run_rate: RawValue,
    /// g0, per year.
    pub growth: RawValue,
    /// g∞, per year.
    pub terminal_growth: RawValue,
    /// h, years.
    pub half_life_years: RawValue,
    /// Saturation level, $B/yr.
    pub ceiling: RawValue,
    /// σ, per √yr.
    pub volatility: RawValue,
    /// Published run-rate path, date → $B/yr.
    pub path: Option<toml::Table>,
    /// `"linear"` or `"step"`.
    pub interpolation: Option<String>,
    /// Multiplier of the path (or of the annual figures).
    pub scale: RawValue,
    /// Annual figures: calendar year → $B booked in that year.
    pub annual: Option<toml::Table>,
    /// Growth per year after the last annual figure.
    pub after_growth: RawValue,
    /// Driver: users, billions (an S-curve).
    pub users: Option<RawUsers>,
    /// Driver: share of users who pay (a number, a distribution or a date table).
    pub paying_share: RawValue,
    /// Driver: $ per paying user per month.
    pub price_per_month: RawValue,
    /// Driver: ads revenue, $ per user per year.
    pub ads_per_user: RawValue,
    /// Driver: market size, $B/yr.
    pub market: RawValue,
    /// Driver: share of the market.
    pub share: RawValue,
}

/// `users = { ceiling, midpoint, steepness, start }`: an S-curve of users, billions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUsers {
    /// Level it tends to, billions.
    pub ceiling: RawValue,
    /// Inflection date.
    pub midpoint: RawValue,
    /// Logistic rate, per year.
    pub steepness: RawValue,
    /// Users at the simulation's start, billions (anchors the curve).
    pub start: RawValue,
}

/// `[events.<name>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    /// Annual hazard.
    pub hazard: RawValue,
    /// Run-rate multiplier.
    pub factor: RawValue,
    /// Hit segments.
    pub segments: Option<Vec<String>>,
    /// Growth of hit segments afterwards.
    pub growth_after: RawValue,
    /// Whether it can fire more than once.
    pub recurring: Option<bool>,
}

/// `[costs.<name>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCost {
    /// Fixed line: $B/yr at start.
    pub annual: RawValue,
    /// Fixed line: growth per year.
    pub growth: RawValue,
    /// Path line: date → $B/yr.
    pub path: Option<toml::Table>,
    /// `"linear"` or `"step"`.
    pub interpolation: Option<String>,
    /// Path line multiplier.
    pub scale: RawValue,
    /// Revenue share line: one share.
    pub revenue_share: RawValue,
    /// Revenue share line: date → share.
    pub revenue_share_path: Option<toml::Table>,
    /// Revenue share line: which segments.
    pub segments: Option<Vec<String>>,
    /// Active from this date.
    pub from: RawValue,
    /// Active until this date.
    pub until: RawValue,
}

/// `[obligations.<name>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawObligation {
    /// Who is paid.
    pub counterparty: Option<String>,
    /// Headline total, $B.
    pub total: RawValue,
    /// First payment date.
    pub start: RawValue,
    /// Term in years.
    pub years: Option<f64>,
    /// Payment profile name.
    pub profile: Option<String>,
    /// Explicit per-year payments.
    pub schedule: Option<toml::Table>,
    /// Share of the headline actually spent.
    pub realized_share: RawValue,
    /// Share of each payment that can be deferred.
    pub flexible_share: RawValue,
    /// Deferral length in years.
    pub deferral_years: Option<f64>,
    /// Compute capacity the contract brings, GW.
    pub capacity_gw: RawValue,
    /// When its capacity starts to come online.
    pub online_from: RawValue,
    /// Over how many years its capacity comes online.
    pub online_years: Option<f64>,
    /// `"rounds.<r>.participants.<p>"`: the contract exists only if that participant joins.
    pub if_joins: Option<String>,
}

/// `[rounds.<name>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRound {
    /// Close date.
    pub close: RawValue,
    /// Post-money valuation, $B.
    pub post_money: Option<f64>,
    /// Probability the round closes.
    pub probability: Option<f64>,
    /// `[rounds.<name>.participants.<p>]`.
    #[serde(default)]
    pub participants: IndexMap<String, RawParticipant>,
}

/// `[rounds.<name>.participants.<p>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParticipant {
    /// Probability it joins.
    pub probability: Option<f64>,
    /// Its commitment, $B.
    pub amount: RawValue,
    /// How it is paid.
    pub tranches: Option<Vec<RawTranche>>,
    /// Circular-deal spend.
    pub tied_spend: Option<RawTied>,
}

/// One tranche.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTranche {
    /// Share of the amount.
    pub share: Option<f64>,
    /// `"close"`, `"ipo"`, a date, `{ revenue = X }`, or a list of them (the first to come).
    pub when: RawValue,
    /// Deadline.
    pub lapses: RawValue,
    /// Probability that the tranche's own condition is met.
    pub probability: Option<f64>,
    /// `"ipo"`, `{ revenue = X }`, or a list of them: all must hold when it is due.
    pub requires: RawValue,
}

/// `tied_spend = { ... }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTied {
    /// Share of the participant's amount.
    pub share: Option<f64>,
    /// Start date (default: the close).
    pub start: RawValue,
    /// Term in years.
    pub years: Option<f64>,
    /// Payment profile.
    pub profile: Option<String>,
    /// Existing obligation it counts toward.
    pub counts_toward: Option<String>,
    /// Who is paid (default: the participant).
    pub counterparty: Option<String>,
}

/// `[ipo]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIpo {
    /// Probability of an IPO.
    pub probability: Option<f64>,
    /// Date (uncertain).
    pub date: RawValue,
    /// Revenue multiple.
    pub multiple: RawValue,
    /// Share of valuation raised.
    pub raise_share: RawValue,
}

/// `[debt]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDebt {
    /// Facility limit, $B.
    pub limit: RawValue,
    /// Interest rate per year.
    pub rate: RawValue,
}
