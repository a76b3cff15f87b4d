//! `hwconform openapi [--out FILE]`: the catalogue as an OpenAPI 3.1 document.

use std::process::ExitCode;

use super::output::print;
use super::{CliError, OpenapiArgs};
use crate::catalogue::Catalogue;
use crate::openapi::openapi_document;
use crate::report::ReportError;

pub fn run(args: &OpenapiArgs) -> Result<ExitCode, CliError> {
    let catalogue = Catalogue::builtin()?;
    let mut text = serde_json::to_string_pretty(&openapi_document(&catalogue))
        .map_err(|e| ReportError::Render { format: "openapi".into(), message: e.to_string() })?;
    text.push('\n');
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| CliError::Output { path: path.display().to_string(), message: e.to_string() })?,
        None => print(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}
