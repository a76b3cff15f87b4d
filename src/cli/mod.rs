//! The command line: one `Subcommand` variant per verb, each verb's code in its own module.

pub mod cases;
pub mod run;
pub mod serve;

use clap::{Parser, Subcommand};

/// Conformance harness for Huawei Cloud backup APIs, driven by their documentation.
#[derive(Debug, Parser)]
#[command(name = "hwconform", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the reference server (an in-memory stand-in for the documented operations).
    Serve(serve::ServeArgs),
    /// Run the conformance suite against a target (default: the reference server, in-process).
    Run(run::RunArgs),
    /// List the generated cases: id, kind, rationale.
    Cases(cases::CasesArgs),
}
