//! Robustness tests: fuzzing the loader, properties over random valid scenarios, and extreme
//! but valid inputs.
//!
//! - [`fuzz`]: arbitrary bytes and text, schema-shaped TOML with random mutations, and
//!   arbitrary `--set` overrides on scenarios/bench.toml. Loading (and, for what loads,
//!   compiling, a few trials, an 8-trial run and its summary) never panics, finishes within
//!   2 s, and every rejection is a clean message. `FUZZ_CASES` (default 256) sets the cases
//!   per property; `scripts/fuzz.sh 30m` runs them in a loop for a given time.
//! - [`properties`]: random valid scenarios ([`scenarios`]) run for 200 trials: every number
//!   in the summary finite; quantiles, probabilities, intervals and bands in order; the
//!   per-trial cash identity; and monotonicity of the gap in an obligation and in initial cash
//!   on common random numbers. `PROP_CASES` (default 128) sets the cases per property.
//! - [`extremes`]: one test per extreme input (one trial, 30 years monthly, zero revenue,
//!   300 % volatility, 1e9 $B amounts, growth that overflows f64, numbers near f64::MAX, ...),
//!   through the library and the binary. `extremes_report` (ignored) prints what happens in
//!   each.
//! - [`regressions`]: minimal reproducers of the bugs these tests found: open ones
//!   `#[ignore]`d with the reason (run them with `-- --ignored`), fixed ones as guards.
//!
//! Run with `cargo test --test robustness` (the test profile is optimised).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod extremes;
mod fuzz;
mod properties;
mod regressions;
mod scenarios;
mod support;
