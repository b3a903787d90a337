//! The `funding-gap` command line: parse, run the stages, print, map errors to exit codes.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    commands::stop_on_ctrl_c();
    let result = match cli.command {
        None => commands::run(&[], &cli.opts),
        Some(cli::Command::Run { scenarios, opts }) => commands::run(&scenarios, &opts),
        Some(cli::Command::Validate { scenarios, set }) => commands::validate(&scenarios, &set),
        Some(cli::Command::Explain {
            scenario,
            set,
            json,
        }) => commands::explain(&scenario, &set, json),
        Some(cli::Command::New { name }) => commands::new(&name),
        Some(cli::Command::Compare { scenarios, opts }) => commands::compare(&scenarios, &opts),
        Some(cli::Command::Bench {
            scenario,
            trials,
            seed,
            max_threads,
            repeat,
            json,
        }) => commands::bench(scenario.as_deref(), trials, seed, max_threads, repeat, json),
        Some(cli::Command::Sweep {
            scenario,
            target,
            opts,
        }) => commands::sweep(&scenario, target.as_deref(), &opts),
        Some(cli::Command::Trace {
            scenario,
            trial,
            worst,
            trials,
            seed,
            set,
            json,
        }) => commands::trace(&scenario, trial, worst, trials, seed, &set, json),
        Some(cli::Command::Headlines {
            scenarios,
            trials,
            seed,
            threads,
            update,
        }) => commands::headlines(&scenarios, trials, seed, threads, update.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for line in e.to_string().lines() {
                eprintln!("error: {line}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
