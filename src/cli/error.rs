//! Errors of the command line: each is one line, printed after "hwconform: failed to ".

use crate::catalogue::CatalogueError;
use crate::report::ReportError;

/// Why a subcommand failed: it prints this on one line and exits 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A report, baseline or rendering error.
    #[error("{0}")]
    Report(#[from] ReportError),
    /// The catalogue could not be loaded.
    #[error("load the catalogue: {0}")]
    Catalogue(#[from] CatalogueError),
    /// A command's output could not be written.
    #[error("write {path}: {message}")]
    Output {
        /// Path written to (`stdout` for the standard output).
        path: String,
        /// The I/O error, on one line.
        message: String,
    },
    /// The reference server could not be started.
    #[error("start the server: {0}")]
    Server(#[from] crate::server::ServerError),
    /// The async runtime could not be started, or a self-test inside it failed.
    #[error("start the async runtime: {0}")]
    Runtime(String),
    /// A run (or cleanup) failed.
    #[error(transparent)]
    Run(#[from] crate::runner::RunError),
}
