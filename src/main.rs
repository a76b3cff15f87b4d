//! The `hwconform` command line: parses arguments and hands each verb to `hwconform::cli`.

use std::process::ExitCode;

use clap::Parser;
use hwconform::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Derive(args) => hwconform::cli::derive::run(&args),
        Command::Report(args) => hwconform::cli::report::run(&args),
        Command::Baseline(args) => hwconform::cli::baseline::run(&args),
        Command::Diff(args) => hwconform::cli::diff::run(&args),
        Command::Openapi(args) => hwconform::cli::openapi::run(&args),
        Command::Serve(args) => hwconform::cli::serve::run(&args),
        Command::Run(args) => hwconform::cli::run::run(&args),
        Command::Cases(args) => hwconform::cli::cases::run(&args),
        Command::Cleanup(args) => hwconform::cli::cleanup::run(&args),
        Command::Rules(args) => hwconform::cli::rules::run(&args),
        Command::Selftest(args) => hwconform::cli::selftest::run(&args),
    }
}
