//! funding-gap: a Monte Carlo simulator of whether OpenAI can pay for the compute it has
//! promised to buy.
//!
//! One folder per stage, data flowing one way (a module uses only the modules above it in
//! this picture; `cargo test` checks it, see `src/layout.rs`):
//!
//! ```text
//!  fastmath, rng, dist, stats, qmc   leaves: exp, per-trial streams, distributions, statistics,
//!                                    point sets (--sampling lhs|rqmc)
//!            │
//!  scenario/ ── load ──▶ Scenario    TOML, extends, --set, validate/ per section
//!            │
//!  model/ ── compile ──▶ Model       once per scenario: grid, copula, schedules
//!            │
//!  sim/                              one trial, pure, no allocation:
//!    sample ─▶ prepare ─▶ revenue      everything that does not depend on cash
//!    cash (one step, plainly) ◀── lanes (the same rules, 8 trials side by side)
//!            │
//!  engine/ ── simulate ──▶ RunResult the only place with threads: chunks reduced in
//!            │                        index order, the accumulator, the band sample
//!  summary ── summarize ──▶ Summary  plain Serialize data
//!            │
//!  analysis/                         compare, sweep, trace, worst, explain
//!            │
//!  report/, chart/                   text, files (Exporter per format), one file per chart
//! ```
//!
//! - [`scenario`]: TOML → validated [`scenario::Scenario`] (`extends`, `--set`, every error
//!   named).
//! - [`dist`]: marginal distributions and their quantile functions.
//! - [`model`]: [`model::Model`], everything computable once per scenario.
//! - [`rng`]: one random stream per (seed, trial, input path).
//! - [`qmc`]: Latin hypercube and scrambled Sobol' points in independent replicates, and the
//!   Brownian bridge of the shock walks.
//! - [`sim`]: one trial, or a batch stepped together; the rules of a step in [`sim::cash`];
//!   the schema of a trial's results in [`metrics`] (a leaf, so that a scenario's checks can name them).
//! - [`stats`]: mergeable moments, quantile sketch, selection quantiles, sensitivity sums.
//! - [`engine`]: parallel trials, deterministic reduction.
//! - [`summary`]: the statistics of a run as plain `Serialize` data.
//! - [`analysis`]: paired comparisons, sweeps, trial replays, what a scenario assumes.
//! - [`report`] and [`chart`]: files, the terminal table, the charts.
//!
//! The semantics are specified in `docs/model.md`. The library never prints, never exits and
//! never reads the environment; the binary (`src/main.rs`, `src/cli/`) does.

#![forbid(unsafe_code)]

pub mod analysis;
pub mod chart;
pub mod dist;
pub mod engine;
pub mod fastmath;
pub mod metrics;
pub mod model;
pub mod qmc;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod stats;
pub mod summary;

#[cfg(test)]
mod layout;
