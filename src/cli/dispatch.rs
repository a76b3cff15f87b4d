//! Runs a parsed command line and maps the outcome to an exit code: 0 success, 1 a verdict
//! against the target (regression, gate failed), 2 bad input (unreadable report or baseline).

use std::process::ExitCode;

use super::{Cli, Command, baseline, diff, openapi, report};

/// Runs `cli`; errors are printed as one line on stderr.
pub fn run(cli: Cli) -> ExitCode {
    let result = match &cli.command {
        Command::Report(args) => report::run(args),
        Command::Baseline(args) => baseline::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Openapi(args) => openapi::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hwconform: failed to {e}");
            ExitCode::from(2)
        }
    }
}
