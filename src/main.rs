//! The `hwconform` command line.

use clap::Parser as _;
use hwconform::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Derive(args) => hwconform::cli::derive::run(&args),
    }
}
