//! The `funding-gap` command line: parse, execute the subcommand, print its error, map it to
//! the exit status (0 success, 2 invalid scenario or arguments, 1 any other failure, 130
//! interrupted). Each subcommand lives in its own file under `cli/`.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let command = cli::Cli::parse().into_command();
    cli::stop_on_ctrl_c();
    match command.execute() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            e.print();
            ExitCode::from(e.exit_code())
        }
    }
}
