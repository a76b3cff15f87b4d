//! The command line: one `Subcommand` variant per verb, each verb's code in its own module.

pub mod baseline;
pub mod cases;
pub mod cleanup;
pub mod derive;
pub mod diff;
mod error;
pub mod openapi;
mod output;
pub mod report;
pub mod rules;
pub mod run;
mod selection;
pub mod selftest;
pub mod serve;
pub mod target;

use clap::{Parser, Subcommand};

pub use error::CliError;

/// Conformance harness for Huawei Cloud backup APIs, driven by their documentation.
#[derive(Debug, Parser)]
#[command(name = "hwconform", version, about)]
pub struct Cli {
    /// The verb to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs of `hwconform`, one per subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Re-render a saved `report.json` (JSON, JUnit, Markdown, HTML), optionally gating it on a baseline.
    Report(report::ReportArgs),
    /// Write a baseline of known deviations (every failing case with its reason) from a report.json to stdout.
    Baseline(baseline::BaselineArgs),
    /// Compare two report.json files: regressions, fixes, new/removed cases, drift. Exit 1 on regressions.
    Diff(diff::DiffArgs),
    /// Print the catalogue as an OpenAPI 3.1 document (JSON).
    Openapi(openapi::OpenapiArgs),
    /// Derive the catalogue (schemas, examples, errata) from documentation pages, or check it.
    Derive(derive::DeriveArgs),
    /// Run the reference server (an in-memory stand-in for the documented operations).
    Serve(serve::ServeArgs),
    /// Run the conformance suite against a target (default: the reference server, in-process).
    #[command(after_help = crate::runner::Exit::TABLE)]
    Run(Box<run::RunArgs>),
    /// List the generated cases: id, kind, rationale.
    Cases(cases::CasesArgs),
    /// Delete what a run created and could not clean up (killed, timed out, --keep), from its journal.
    Cleanup(cleanup::CleanupArgs),
    /// List every documented rule by id (what `serve --break RULE_ID` takes), with a short description.
    Rules(rules::RulesArgs),
    /// Prove the suite's bite: run it against the reference server broken one rule at a time (and
    /// against each legitimate variant); exit 1 if a rule goes uncaught or a variant fails.
    Selftest(selftest::SelftestArgs),
}
