//! Errors of the command line: each is one line, printed after "hwconform: failed to ".

use crate::catalogue::CatalogueError;
use crate::report::ReportError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Report(#[from] ReportError),
    #[error("load the catalogue: {0}")]
    Catalogue(#[from] CatalogueError),
    #[error("write {path}: {message}")]
    Output { path: String, message: String },
    #[error("start the server: {0}")]
    Server(#[from] crate::server::ServerError),
    #[error("start the async runtime: {0}")]
    Runtime(String),
    #[error(transparent)]
    Run(#[from] crate::runner::RunError),
}
