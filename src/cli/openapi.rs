//! `hwconform openapi [--out FILE]`: the catalogue as an OpenAPI 3.1 document.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CliError;
use super::output::{finish, print};
use crate::catalogue::Catalogue;
use crate::openapi::openapi_json;
use crate::report::io_message;

/// `hwconform openapi` arguments.
#[derive(Debug, Args)]
pub struct OpenapiArgs {
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs the verb; errors print one line and exit 2.
pub fn run(args: &OpenapiArgs) -> ExitCode {
    finish(run_inner(args))
}

fn run_inner(args: &OpenapiArgs) -> Result<ExitCode, CliError> {
    let text = openapi_json(&Catalogue::builtin()?);
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| CliError::Output { path: path.display().to_string(), message: io_message(&e) })?,
        None => print(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}
