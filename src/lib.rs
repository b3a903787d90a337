//! funding-gap: a Monte Carlo simulator of whether OpenAI can pay for the compute it has
//! promised to buy.
//!
//! The crate is one stage per module, data flowing one way:
//!
//! ```text
//! scenario (TOML)  ──load──▶  Scenario  ──compile──▶  Model  ──simulate──▶  RunResult
//!   scenario::load             (validated)  model::compile  (flat inputs,   engine::simulate
//!                                                            schedules,     (rayon, ordered
//!                                                            copula)         reduction)
//!                                                               │
//!              sim::run_batch (8 trials side by side, pure) ◀┘
//!
//! RunResult ──summarize──▶ Summary ──render──▶ terminal table, summary.json, bands.csv,
//!             summary::summarize      report::*   trials.csv
//! ```
//!
//! - [`scenario`]: TOML → validated [`scenario::Scenario`] (`extends`, `--set`, every error named).
//! - [`dist`]: marginal distributions and their quantile functions.
//! - [`model`]: [`model::Model`], everything computable once per scenario.
//! - [`rng`]: one random stream per (seed, trial, input path).
//! - [`sim`]: one trial, or a batch stepped together; no allocation.
//! - [`stats`]: mergeable moments, quantile sketch, Wilson intervals.
//! - [`engine`]: parallel trials, deterministic reduction.
//! - [`summary`]: the statistics of a run as plain `Serialize` data.
//! - [`report`]: files and the terminal table.
//!
//! The library never prints, never exits and never reads the environment; `main.rs` does.

#![forbid(unsafe_code)]

pub mod analysis;
pub mod chart;
pub mod dist;
pub mod engine;
pub mod explain;
pub mod fastmath;
pub mod model;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod stats;
pub mod summary;

#[cfg(test)]
mod layout;
