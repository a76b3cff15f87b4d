//! The `hwconform` command line: parses the arguments and hands over to [`hwconform::cli::run`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    hwconform::cli::run(hwconform::cli::Cli::parse())
}
