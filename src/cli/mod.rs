//! The `hwconform` command line: the clap definitions, one subcommand per entry point.

pub mod derive;

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
    /// Derive the catalogue (schemas, examples, errata) from documentation pages, or check it.
    Derive(derive::DeriveArgs),
}
