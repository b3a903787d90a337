//! Analyses built on runs: paired comparisons of scenarios, sweeps of one input with a goal
//! seek, and the replay of single trials.
//!
//! - [`compare`] runs scenarios on common random numbers (trial i of each draws the same
//!   numbers for the inputs they share), so the standard error of a difference is that of the
//!   paired differences, usually far below the unpaired one.
//! - [`sweep`] runs one scenario with one input set to each of several values, all on the
//!   same seed (so the points are paired too), and [`seek`] finds the smallest value that
//!   meets a target by bisection between the grid points that bracket it.
//! - [`switches`] runs a scenario as is and with each structural switch (deferral, the
//!   revolver, the capacity link, tied spend, correlations, the IPO) turned off, one at a
//!   time, on common random numbers through [`compare`], and pairs each against the run as is.
//! - [`trace`] replays trial N exactly as it ran inside the full run (its streams depend only
//!   on the seed, the trial index and the input paths).

//! - [`explain`] says what a scenario assumes, with sources, and its median path.
//! - [`diff`] says what differs between two scenarios once `extends`, `remove` and `--set`
//!   are resolved.

pub mod compare;
pub mod diff;
pub mod explain;
pub mod sweep;
pub mod switches;
pub mod trace;

pub use compare::{Comparison, PairedDiff, YearDiff, compare, compare_with_pairs};
pub use sweep::{
    AnalysisError, Builder, Metric, MetricAt, Seek, Sweep, SweepPoint, Target, assemble,
    parse_sweep, point, seek, sweep,
};
pub use switches::{Change, Changes, Headline, Switch, SwitchResult, Switches, switches};
pub use trace::{
    Driver, EventFired, IpoTrace, ParticipantTrace, RoundTrace, TrancheTrace, TrialTrace,
    attach_drivers, drivers, trace, worst,
};
