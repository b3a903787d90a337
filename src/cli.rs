//! Command-line arguments (clap). The names are the interface scripts rely on.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  funding-gap                                  run the built-in base scenario into output/base/
  funding-gap run scenarios/base.toml --trials 1000000 --threads 2
  funding-gap run base --set rounds.2026.participants.amazon.amount=50
  funding-gap run my.toml --out results/ --save-trials --charts svg --chart-size 1600x900
  funding-gap validate scenarios/*.toml

A SCENARIO is a TOML file, or a name that is looked up as scenarios/NAME.toml ('base' falls
back to the built-in copy). Exit status: 0 success, 2 invalid scenario or arguments, 1 any
other failure (I/O). See README.md for the scenario format.";

/// Monte Carlo simulator of OpenAI's compute obligations against the revenue and funding it
/// can raise: how big is the funding gap, how likely is a shortfall, and when does the money
/// run out.
#[derive(Debug, Parser)]
#[command(name = "funding-gap", version, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: `run` on the built-in base scenario).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the default run.
    #[command(flatten)]
    pub opts: RunOpts,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate scenarios: print the summary, write summary.json and bands.csv
    #[command(after_help = EXAMPLES)]
    Run {
        /// Scenario files or names (default: the built-in base scenario)
        scenarios: Vec<String>,
        /// Run options.
        #[command(flatten)]
        opts: RunOpts,
    },
    /// Show what a scenario assumes: inputs with sources, obligations by year, the median path
    #[command(
        after_help = "Examples:\n  funding-gap explain base\n  funding-gap explain scenarios/compute-reset.toml --set ipo.probability=0.3"
    )]
    Explain {
        /// Scenario file or name
        scenario: String,
        /// Override an input by its path, e.g. --set ipo.probability=0.5 (repeatable)
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Write a complete, commented scenario template that loads and runs
    #[command(
        after_help = "Examples:\n  funding-gap new my-case          writes scenarios/my-case.toml\n  funding-gap new /tmp/test.toml   writes that file"
    )]
    New {
        /// A name (written to scenarios/NAME.toml) or a path ending in .toml
        name: String,
    },
    /// Print a Markdown table of headline results for several scenarios
    #[command(
        after_help = "Examples:\n  funding-gap headlines scenarios/*.toml\n  funding-gap headlines scenarios/*.toml --update scenarios/README.md"
    )]
    Headlines {
        /// Scenario files or names
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// Trials per scenario
        #[arg(long, value_name = "N", default_value_t = 20_000)]
        trials: u64,
        /// Seed
        #[arg(long, value_name = "S", default_value_t = 42)]
        seed: u64,
        /// Worker threads [default: one per core]
        #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
        /// Replace the table between the `<!-- headlines:begin -->` and `<!-- headlines:end -->`
        /// markers of this file instead of printing it
        #[arg(long, value_name = "FILE")]
        update: Option<PathBuf>,
    },
    /// Run scenarios on the same random numbers and show paired differences
    #[command(
        after_help = "Examples:\n  funding-gap compare base no-round\n  funding-gap compare scenarios/amazon-10b.toml scenarios/amazon-50b.toml --trials 200000\n\nOutputs (default output/compare-A-vs-B/): comparison.json, compare_exceedance and compare_cash_fan charts."
    )]
    Compare {
        /// Scenario files or names (two or more; differences are against the first)
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<String>,
        /// Run options (--set applies to every scenario).
        #[command(flatten)]
        opts: RunOpts,
    },
    /// Run one scenario across values of one input; optionally solve for a target
    #[command(
        after_help = "Examples:\n  funding-gap sweep base --set rounds.2026.participants.amazon.amount=10:50:5\n  funding-gap sweep base --set ipo.probability=0,0.25,0.5,0.75,1\n  funding-gap sweep base --set cash.initial=40:400:10 --target \"shortfall_probability_2030<=0.1\"\n\nThe swept --set is the one whose value is LO:HI:N or a list V1,V2,...; other --set are plain overrides.\nTargets: shortfall_probability, shortfall_probability_<year>, gap_mean, gap_p50, gap_p90, gap_p95 with <= or >=.\nOutputs (default output/sweep-SCENARIO/): sweep.csv, sweep.json, sweep chart."
    )]
    Sweep {
        /// Scenario file or name
        scenario: String,
        /// Find the smallest value that meets this, e.g. "shortfall_probability<=0.1"
        #[arg(long, value_name = "METRIC<=X")]
        target: Option<String>,
        /// Run options (trials per value).
        #[command(flatten)]
        opts: RunOpts,
    },
    /// Replay one trial year by year, or list the trials with the largest gap
    #[command(
        after_help = "Examples:\n  funding-gap trace base --trial 17\n  funding-gap trace base --worst 10 --trials 100000\n\nA trial replays exactly as it ran in `run` with the same seed: its random numbers depend only\non the seed, its index and the input paths."
    )]
    Trace {
        /// Scenario file or name
        scenario: String,
        /// The trial to replay (0-based, as in trials.csv)
        #[arg(
            long,
            value_name = "N",
            conflicts_with = "worst",
            required_unless_present = "worst"
        )]
        trial: Option<u64>,
        /// List the K trials with the largest gap in a run of --trials
        #[arg(long, value_name = "K")]
        worst: Option<usize>,
        /// Trials in the run searched by --worst [default: the scenario's]
        #[arg(long, value_name = "N")]
        trials: Option<u64>,
        /// Seed [default: the scenario's]
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
        /// Override an input by its path (repeatable)
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Measure throughput by thread count, against the RNG floor
    #[command(
        after_help = "Examples:\n  funding-gap bench\n  funding-gap bench scenarios/base.toml --trials 1000000 --json\n\nWith no scenario, benches scenarios/bench.toml (the model of docs/bench-model.md). Charts and\noutput files are off: this times the simulation and its statistics. See BENCHMARKS.md."
    )]
    Bench {
        /// Scenario file or name [default: bench]
        scenario: Option<String>,
        /// Trials per measurement
        #[arg(long, value_name = "N", default_value_t = 1_000_000)]
        trials: u64,
        /// Seed
        #[arg(long, value_name = "S", default_value_t = 42)]
        seed: u64,
        /// Largest thread count to measure [default: the number of cores]
        #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
        max_threads: Option<u16>,
        /// Runs per thread count, in rounds over the thread counts; the table shows the
        /// median (a shared machine's speed drifts, and one run proves little)
        #[arg(long, value_name = "R", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=100))]
        repeat: u16,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Load and check scenarios without running them; print every problem
    #[command(
        after_help = "Examples:\n  funding-gap validate scenarios/*.toml\n  funding-gap validate base --set ipo.probability=0.3"
    )]
    Validate {
        /// Scenario files or names
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// Override an input by its path, e.g. --set ipo.probability=0.5 (repeatable)
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
}

/// Options of `run`.
#[derive(Debug, Args, Clone)]
pub struct RunOpts {
    /// Number of trials [default: the scenario's [run] trials, else 100000]
    #[arg(long, value_name = "N")]
    pub trials: Option<u64>,
    /// Seed: the same seed gives the same results at any thread count [default: the scenario's, else 42]
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads [default: one per core]
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output directory [default: output/<scenario name>/]; with several scenarios, DIR/<name>/
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Override an input by its path, e.g. --set rounds.2026.participants.amazon.amount=50 or
    /// --set 'revenue.consumer.growth={ low = 0.3, high = 0.9 }' (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Also write trials.csv: one row per trial with its sampled inputs and results
    #[arg(long)]
    pub save_trials: bool,
    /// Chart formats: png,svg | png | svg | none
    #[arg(long, value_name = "FORMATS", default_value = "png,svg")]
    pub charts: String,
    /// Chart size in pixels, WIDTHxHEIGHT
    #[arg(long, value_name = "WxH", default_value = "1200x800")]
    pub chart_size: String,
    /// Print nothing but errors (no table, no progress bar)
    #[arg(long, short)]
    pub quiet: bool,
}
