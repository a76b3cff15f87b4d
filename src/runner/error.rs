//! Errors that stop a whole run (the command exits 2). Messages read after "failed to …".

use crate::catalogue::CatalogueError;
use crate::execute::ExecuteError;
use crate::profile::ProfileError;
use crate::server::ServerError;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("load the catalogue: {0}")]
    Catalogue(#[from] CatalogueError),
    #[error("load the target profile: {0}")]
    Profile(#[from] ProfileError),
    #[error("start the reference server: {0}")]
    Server(#[from] ServerError),
    #[error("{0}")]
    Execute(#[from] ExecuteError),
    #[error("reach the target: {0}")]
    Unreachable(String),
    #[error("write the report: {0}")]
    Report(#[from] crate::report::ReportError),
    #[error("start the async runtime: {0}")]
    Runtime(String),
    #[error("read the options: {0}")]
    BadOption(String),
    #[error("select cases: none matches {0:?}")]
    NoCases(String),
    /// A file the user named (report to rerun, baseline) or a flag value is unusable.
    #[error("{0}")]
    Input(crate::report::ReportError),
    #[error("select cases: none of {0} is generated any more")]
    NothingToRerun(String),
    #[error("{0}")]
    Usage(String),
}
