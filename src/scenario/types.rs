//! The validated scenario: the domain types that [`load`](fn@super::load) returns.
//!
//! Every value here has passed validation (see the `validate` module): numbers are finite and
//! inside their allowed range, names refer to something defined, dates are in order. Units:
//! money in $B, flows in $B/yr, dates as decimal years (2027.5 = 1 July 2027), terms in years,
//! rates and shares as fractions (0.25 = 25 %).

use crate::dist::Dist;

/// An uncertain input (or a constant) with the path that names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Dotted path, e.g. `revenue.consumer.growth`.
    pub path: String,
    /// Its distribution (`Dist::Fixed` for a constant), in the unit of the field it sets.
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
    /// Points (date as a decimal year, value in the unit of the field: $B/yr for a run-rate or
    /// cost path, a fraction for a revenue share), dates strictly increasing.
    pub points: Vec<(f64, f64)>,
    /// How to read between points; flat outside them.
    pub interpolation: Interpolation,
}

impl Series {
    /// The series' value at `t` (a decimal year), in the unit of its points.
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
    /// Start of the simulation, decimal year.
    pub start: f64,
    /// Length of the simulation, years (a whole number of steps).
    pub horizon_years: f64,
    /// Steps per year: 1, 4 or 12.
    pub steps_per_year: u32,
    /// Calendar years whose end the gap is reported at, ascending.
    pub report_years: Vec<i32>,
}

/// `[cash]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cash {
    /// Cash at start, $B.
    pub initial: Param,
    /// Floor the cash must stay above, $B.
    pub min_cash: Param,
}

/// A correlated pair (input paths, or segment names for revenue shocks).
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// First name: an input's dotted path, or a segment name.
    pub a: String,
    /// Second name: an input's dotted path, or a segment name.
    pub b: String,
    /// Correlation coefficient, dimensionless, in [−1, 1].
    pub rho: f64,
}

/// How a segment's run-rate evolves.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // built once per scenario; never in a hot path
pub enum SegmentKind {
    /// Decaying-growth process.
    Growth {
        /// R0, run-rate at start, $B/yr.
        run_rate: Param,
        /// g0, growth at start, fraction per year (0.5 = +50 %/yr).
        growth: Param,
        /// g∞, the growth it decays toward, fraction per year (`None`: constant growth at g0).
        terminal_growth: Option<Param>,
        /// h, half-life of the growth's excess over g∞, years.
        half_life_years: Param,
        /// Saturation level of the run-rate, $B/yr.
        ceiling: Option<Param>,
    },
    /// A published path with a scale.
    Path {
        /// Run-rate path, $B/yr.
        series: Series,
        /// Multiplier of the path, dimensionless.
        scale: Param,
    },
    /// Revenue booked in each calendar year, $B (not a run-rate): each year's figure is
    /// booked evenly over the steps that start in that year.
    Annual {
        /// (calendar year, $B booked in it), years strictly increasing; the first is at or
        /// before the start's year.
        years: Vec<(i32, Param)>,
        /// How years between two given years are filled.
        interpolation: Interpolation,
        /// Multiplier of every year's figure, dimensionless.
        scale: Param,
        /// Growth per year after the last given year, fraction per year (0: flat).
        after_growth: Param,
    },
    /// Revenue from its drivers: users × (paying share × 12 × price per month + ads per
    /// user) + market × share, $B/yr. Validation ensures at least one whole term.
    Drivers(Drivers),
}

/// A driver of a driver-based segment: one (uncertain) number for every date, or a path of
/// (uncertain) points.
#[derive(Debug, Clone, PartialEq)]
pub enum Driver {
    /// The same value at every date.
    Constant(Param),
    /// (date, value) points, dates strictly increasing, read like a [`Series`].
    Path {
        /// Points: decimal year and the value there, in the unit of the driver.
        points: Vec<(f64, Param)>,
        /// Between the points; flat outside them.
        interpolation: Interpolation,
    },
}

/// An S-curve of users, billions: `ceiling / (1 + exp(−steepness·(t − midpoint)))`, or,
/// with `start`, the same logistic moved and stretched to pass through `start` at the
/// simulation's start and tend to `ceiling`.
#[derive(Debug, Clone, PartialEq)]
pub struct Users {
    /// Level the curve tends to, billions of users.
    pub ceiling: Param,
    /// Inflection date, decimal year.
    pub midpoint: Param,
    /// Logistic rate, per year (> 0).
    pub steepness: Param,
    /// Users at the simulation's start, billions (`None`: the plain logistic).
    pub start: Option<Param>,
}

/// The drivers of a driver-based segment. Each term is present whole or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Drivers {
    /// Users, billions.
    pub users: Option<Users>,
    /// Share of users who pay, fraction in [0, 1].
    pub paying_share: Option<Driver>,
    /// Price per paying user, $ per month.
    pub price_per_month: Option<Driver>,
    /// Ads revenue per user, $ per user per year.
    pub ads_per_user: Option<Driver>,
    /// Market size, $B/yr.
    pub market: Option<Driver>,
    /// Share of the market, fraction in [0, 1].
    pub share: Option<Driver>,
}

impl Driver {
    /// Its parameters, in order.
    pub fn params(&self) -> Vec<&Param> {
        match self {
            Driver::Constant(p) => vec![p],
            Driver::Path { points, .. } => points.iter().map(|(_, p)| p).collect(),
        }
    }
}

impl Drivers {
    /// Every parameter of the drivers, in the order: users (ceiling, midpoint, steepness,
    /// start), paying share, price, ads per user, market, share.
    pub fn params(&self) -> Vec<&Param> {
        let mut v = Vec::new();
        if let Some(u) = &self.users {
            v.extend([&u.ceiling, &u.midpoint, &u.steepness]);
            v.extend(u.start.iter());
        }
        for d in [
            &self.paying_share,
            &self.price_per_month,
            &self.ads_per_user,
            &self.market,
            &self.share,
        ]
        .into_iter()
        .flatten()
        {
            v.extend(d.params());
        }
        v
    }
}

/// `[revenue.<segment>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Segment name (the key of its table).
    pub name: String,
    /// Growth process or path.
    pub kind: SegmentKind,
    /// σ of the log run-rate's shocks, per √year.
    pub volatility: Param,
}

/// `[events.<name>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Event name (the key of its table).
    pub name: String,
    /// Hazard, events per year.
    pub hazard: Param,
    /// Run-rate multiplier when it fires, dimensionless.
    pub factor: Param,
    /// Indices into [`Scenario::segments`] of the segments it hits.
    pub segments: Vec<usize>,
    /// Growth of hit segments afterwards, fraction per year.
    pub growth_after: Option<Param>,
    /// Whether it can fire more than once.
    pub recurring: bool,
}

/// A revenue share, constant or by date.
#[derive(Debug, Clone, PartialEq)]
pub enum Share {
    /// One (possibly uncertain) share, a fraction of revenue in [0, 1].
    Constant(Param),
    /// A share that changes over time, fractions of revenue in [0, 1].
    Series(Series),
}

/// Kinds of cost line.
#[derive(Debug, Clone, PartialEq)]
pub enum CostKind {
    /// `annual·(1+growth)^(t−start)` per year.
    Fixed {
        /// Cost at start, $B/yr.
        annual: Param,
        /// Growth, fraction per year.
        growth: Param,
    },
    /// A published cost path.
    Path {
        /// Cost path, $B/yr.
        series: Series,
        /// Multiplier of the path, dimensionless.
        scale: Param,
    },
    /// A share of revenue.
    RevenueShare {
        /// The share, a fraction of the segments' revenue.
        share: Share,
        /// Indices into [`Scenario::segments`] of the segments whose revenue it takes.
        segments: Vec<usize>,
    },
}

/// `[costs.<name>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// Cost line name (the key of its table).
    pub name: String,
    /// Kind.
    pub kind: CostKind,
    /// Active from (inclusive), decimal year.
    pub from: Option<f64>,
    /// Active until (exclusive), decimal year.
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
    /// Relative weight, dimensionless, at midpoint fraction `x` in (0, 1) of the term.
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
        /// First payment date, decimal year.
        start: f64,
        /// Term, years.
        years: f64,
        /// Shape.
        profile: Profile,
    },
    /// (calendar year, amount in $B) rows sorted by year; the amounts are weights, scaled to
    /// the obligation's total.
    Schedule(Vec<(i32, f64)>),
}

/// `[obligations.<name>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Obligation {
    /// Obligation name (the key of its table).
    pub name: String,
    /// Who is paid.
    pub counterparty: String,
    /// Headline total, $B.
    pub total: Param,
    /// Timing of payments.
    pub timing: Timing,
    /// Share of the total actually spent, fraction in [0, 1].
    pub realized_share: Param,
    /// Share of each payment that can be deferred, fraction in [0, 1].
    pub flexible_share: Param,
    /// How long a deferred payment is put off, years.
    pub deferral_years: f64,
    /// `if_joins`: the (round, participant) indices into [`Scenario::rounds`] of the
    /// participant without whom the contract does not exist (it is paid only in a trial where
    /// that round closes and that participant joins).
    pub if_joins: Option<(usize, usize)>,
    /// The compute capacity it brings (`None`: a cash-only contract).
    pub capacity: Option<ContractCapacity>,
}

/// The compute capacity a contract brings online.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractCapacity {
    /// Capacity at full delivery, GW (scaled by the contract's realized share).
    pub gw: Param,
    /// When it starts to come online, decimal year.
    pub online_from: f64,
    /// Years over which it ramps linearly to full (0: all at once).
    pub online_years: f64,
}

/// `[capacity]`: the compute online bounds the revenue that can be served.
#[derive(Debug, Clone, PartialEq)]
pub struct Capacity {
    /// Revenue one GW-year of compute serves at the start, $B per GW-year.
    pub revenue_per_gw_year: Param,
    /// Growth of that revenue per GW, fraction per year (efficiency and price).
    pub efficiency_growth: Param,
    /// GW online at the start outside the listed contracts.
    pub existing_gw: Param,
    /// Indices into [`Scenario::segments`] of the segments whose demand it serves.
    pub segments: Vec<usize>,
}

/// When a tranche arrives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    /// At the round's close.
    Close,
    /// In the IPO step.
    Ipo,
    /// At a date, decimal year.
    Date(f64),
    /// In the first step, from the round's close on, whose revenue run-rate (all segments)
    /// is at least this, $B/yr.
    Revenue(f64),
}

/// A condition a tranche needs when it is due (`requires`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Requirement {
    /// The IPO has happened, in the step the tranche is due or before.
    Ipo,
    /// The revenue run-rate (all segments) in the step the tranche is due is at least this,
    /// $B/yr.
    Revenue(f64),
}

/// One tranche of a participant's money.
#[derive(Debug, Clone, PartialEq)]
pub struct Tranche {
    /// Share of the participant's amount, fraction in [0, 1].
    pub share: f64,
    /// Condition.
    pub when: When,
    /// Deadline after which it never arrives, decimal year.
    pub lapses: Option<f64>,
    /// More triggers after `when` (a list in `when`): the tranche is due at the first of them
    /// to come.
    pub or_when: Vec<When>,
    /// Conditions that must all hold in the step it is due, else it never arrives.
    pub requires: Vec<Requirement>,
    /// Whether its own condition is met: Bernoulli, probability in [0, 1], drawn per trial
    /// (`None`: always).
    pub probability: Option<Param>,
}

impl Tranche {
    /// Whether it uses any of the conditional forms (`or_when`, `requires`, `probability`,
    /// a revenue trigger): such a tranche is compiled by its own rule.
    pub fn is_conditional(&self) -> bool {
        !self.or_when.is_empty()
            || !self.requires.is_empty()
            || self.probability.is_some()
            || matches!(self.when, When::Revenue(_))
    }
}

/// An entry a variant's `remove` dropped from what it extends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// The file whose `remove` named it.
    pub file: String,
    /// Its dotted name, as written (`revenue.ads`, `rounds.2026.participants.amazon`).
    pub entry: String,
    /// The inherited correlations dropped with it because they named it (each as
    /// `a ~ b`).
    pub correlations: Vec<String>,
}

/// Money tied to buying the participant's products.
#[derive(Debug, Clone, PartialEq)]
pub struct TiedSpend {
    /// Share of the participant's amount, fraction in [0, 1].
    pub share: f64,
    /// Start of the spending, decimal year.
    pub start: f64,
    /// Term, years.
    pub years: f64,
    /// Shape.
    pub profile: Profile,
    /// Index into [`Scenario::obligations`] of the obligation it counts toward (no new
    /// outflow).
    pub counts_toward: Option<usize>,
    /// Who is paid.
    pub counterparty: String,
}

/// `[rounds.<r>.participants.<p>]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    /// Participant name (the key of its table).
    pub name: String,
    /// Whether it joins: Bernoulli, probability in [0, 1].
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
    /// Round name (the key of its table).
    pub name: String,
    /// Close date, decimal year.
    pub close: f64,
    /// Post-money valuation, $B.
    pub post_money: Option<f64>,
    /// Whether it closes: Bernoulli, probability in [0, 1].
    pub closes: Param,
    /// Participants.
    pub participants: Vec<Participant>,
}

/// `[ipo]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ipo {
    /// Whether it happens: Bernoulli, probability in [0, 1].
    pub happens: Param,
    /// Date, decimal year.
    pub date: Param,
    /// Valuation as a multiple of the revenue run-rate, dimensionless (× $B/yr gives $B).
    pub multiple: Param,
    /// Share of the valuation raised, fraction in [0, 1].
    pub raise_share: Param,
}

/// `[debt]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Debt {
    /// Credit limit, $B.
    pub limit: Param,
    /// Interest rate, fraction per year.
    pub rate: Param,
}

/// Defaults for a run, overridable on the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDefaults {
    /// Number of trials, a count ≥ 1.
    pub trials: u64,
    /// Seed of the random streams.
    pub seed: u64,
}

/// One file a scenario was read from, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as given (or as `extends` resolved it), or the name of a text without a file
    /// (`base (built-in)`).
    pub path: String,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Its text.
    pub text: String,
}

impl SourceFile {
    /// A file named `path` that holds `text`.
    pub fn new(path: &str, text: &str) -> SourceFile {
        use sha2::Digest;
        use std::fmt::Write;
        let digest = sha2::Sha256::digest(text.as_bytes());
        let mut sha256 = String::with_capacity(64);
        for b in digest.iter() {
            let _ = write!(sha256, "{b:02x}");
        }
        SourceFile {
            path: path.to_string(),
            sha256,
            text: text.to_string(),
        }
    }
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
    pub files: Vec<SourceFile>,
    /// The `--set PATH=VALUE` overrides applied after merging, as typed.
    pub overrides: Vec<String>,
    /// Whether `correlations` came from a file this one extends (the file named does not
    /// declare them).
    pub correlations_inherited: bool,
    /// The inherited entries that `remove` dropped, in the order applied.
    pub removed: Vec<Removed>,
    /// The scenario as validation read it: the files merged along `extends`, `remove`
    /// applied, then the `--set` overrides (`funding-gap diff` compares these).
    pub resolved: toml::Table,
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
    /// Compute capacity and the revenue it can serve (`None`: revenue is not bounded).
    pub capacity: Option<Capacity>,
    /// Published figures the run is compared with.
    pub checks: Vec<Check>,
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
                SegmentKind::Annual {
                    years,
                    scale,
                    after_growth,
                    ..
                } => {
                    v.extend(years.iter().map(|(_, p)| p));
                    v.extend([scale, after_growth]);
                }
                SegmentKind::Drivers(d) => v.extend(d.params()),
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
            v.extend(o.capacity.iter().map(|c| &c.gw));
        }
        for r in &self.rounds {
            v.push(&r.closes);
            for p in &r.participants {
                v.extend([&p.joins, &p.amount]);
                v.extend(p.tranches.iter().filter_map(|t| t.probability.as_ref()));
            }
        }
        if let Some(ipo) = &self.ipo {
            v.extend([&ipo.happens, &ipo.date, &ipo.multiple, &ipo.raise_share]);
        }
        if let Some(d) = &self.debt {
            v.extend([&d.limit, &d.rate]);
        }
        if let Some(c) = &self.capacity {
            v.extend([&c.revenue_per_gw_year, &c.efficiency_growth, &c.existing_gw]);
        }
        v
    }
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
}

/// `[[checks]]`: a published figure the run is compared with (README, "Published checks").
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The metric as written, e.g. `revenue.2030.p50`.
    pub metric_text: String,
    /// The metric, parsed.
    pub metric: CheckMetric,
    /// A short name for tables (default: the metric as written).
    pub label: String,
    /// The published figure, in the metric's unit.
    pub published: f64,
    /// How far the run may be from it and still match.
    pub tolerance: Tolerance,
    /// Whether the run is expected to match the figure or to differ from it.
    pub expect: Expect,
    /// Why the run departs (required when `expect` is [`Expect::Differs`]).
    pub reason: Option<String>,
    /// Where the published figure comes from.
    pub source: String,
}

/// A check's tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tolerance {
    /// In the metric's unit.
    Absolute(f64),
    /// A share of |published| (0.05 for "5%").
    Relative(f64),
}

impl Tolerance {
    /// The tolerance in the metric's unit for a published figure.
    pub fn absolute(self, published: f64) -> f64 {
        match self {
            Tolerance::Absolute(t) => t,
            Tolerance::Relative(r) => r * published.abs(),
        }
    }
}

/// What a check expects of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The run reproduces the figure within the tolerance.
    Match,
    /// The run departs from the figure, for the check's stated reason.
    Differs,
}

impl Expect {
    /// As written in a scenario and in summary.json.
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Match => "match",
            Expect::Differs => "differs",
        }
    }
}

/// A metric of a run that a check reads: a per-trial quantity and a statistic of it across
/// trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CheckMetric {
    /// A statistic of a per-trial quantity.
    Of(Quantity, Stat),
    /// P(shortfall) over the horizon (`None`) or by the end of a report year.
    ShortfallProbability(Option<i32>),
    /// A percentile of the first-shortfall date, or the share of trials whose first shortfall
    /// falls on or before a date (trials that never run short count as after every date).
    FirstShortfall(Stat),
}

impl CheckMetric {
    /// Whether the metric is a probability (its figure, tolerance and value are shares).
    pub fn is_probability(&self) -> bool {
        matches!(
            self,
            CheckMetric::ShortfallProbability(_)
                | CheckMetric::FirstShortfall(Stat::ProbGe(_) | Stat::ProbLe(_))
                | CheckMetric::Of(_, Stat::ProbGe(_) | Stat::ProbLe(_))
        )
    }
}

/// A per-trial quantity a check reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantity {
    /// A calendar-year series summed over the years `from..=to` (one year when equal).
    Years {
        /// Which series.
        series: YearSeries,
        /// First calendar year.
        from: i32,
        /// Last calendar year.
        to: i32,
    },
    /// One of the per-trial metrics over the horizon, by its index in
    /// [`crate::metrics::METRIC_NAMES`].
    Metric(usize),
    /// The gap up to the end of a report year.
    GapBy(i32),
    /// The deficit up to the end of a report year.
    DeficitBy(i32),
}

/// A calendar-year series a check can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearSeries {
    /// Revenue booked.
    Revenue,
    /// Revenue − other costs − obligations paid.
    OperatingCashFlow,
    /// Other costs + obligations paid + interest − revenue.
    NetBurn,
    /// Obligations paid, after deferral.
    ObligationsPaid,
    /// Other costs.
    Costs,
    /// Revenue − other costs: the cash flow before the obligations.
    PreObligationCashFlow,
}

impl YearSeries {
    /// Every series, with its name in a metric.
    pub const ALL: [(YearSeries, &'static str); 6] = [
        (YearSeries::Revenue, "revenue"),
        (YearSeries::OperatingCashFlow, "operating_cash_flow"),
        (YearSeries::NetBurn, "net_burn"),
        (YearSeries::ObligationsPaid, "obligations_paid"),
        (YearSeries::Costs, "costs"),
        (
            YearSeries::PreObligationCashFlow,
            "pre_obligation_cash_flow",
        ),
    ];
}

/// A statistic across trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stat {
    /// The mean.
    Mean,
    /// The quantile at this probability (0.5 for `p50`).
    Quantile(f64),
    /// The share of trials whose value is ≥ this.
    ProbGe(f64),
    /// The share of trials whose value is ≤ this.
    ProbLe(f64),
}
