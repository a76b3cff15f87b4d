//! Owns [`RunError`] (a run could not start or finish: the command exits 2) and [`UsageError`] (the
//! user's flags or files are unusable, found before a single request goes out). Messages read after
//! "failed to …"; the detail is the `source()` chain.

use crate::catalogue::CatalogueError;
use crate::execute::{ExecuteError, StepError};
use crate::profile::ProfileError;
use crate::report::ReportError;
use crate::server::ServerError;

/// Why a run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The user's input is unusable.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The catalogue could not be loaded.
    #[error("load the catalogue")]
    Catalogue(#[from] CatalogueError),
    /// The target profile could not be loaded or completed.
    #[error("load the target profile")]
    Profile(#[from] ProfileError),
    /// The in-process reference server could not be started.
    #[error("start the reference server")]
    Server(#[from] ServerError),
    /// The HTTP client could not be set up.
    #[error(transparent)]
    Execute(#[from] ExecuteError),
    /// No case that sent a request got an answer; the first case's failure stands for all.
    #[error("get an answer from the target: no case did (first: {case}, step {step})")]
    Unreachable {
        /// Id of the first case that sent a request.
        case: String,
        /// Label of its step that got no answer.
        step: String,
        /// Why that step got no answer.
        #[source]
        error: StepError,
    },
    /// A report file could not be written.
    #[error("write the report")]
    Report(#[source] ReportError),
    /// The tokio runtime could not be started.
    #[error("start the async runtime")]
    Runtime(#[source] std::io::Error),
}

/// Flags or files the user gave that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// `--rps` is below the smallest accepted rate (holds the value given).
    #[error("read the options: --rps {0}: give a number of requests a second of at least {min}", min = crate::execute::RateLimiter::MIN_RPS)]
    Rps(f64),
    /// `--format` was given without `--report-dir` to write the reports to.
    #[error("write the reports: --format needs --report-dir")]
    FormatWithoutReportDir,
    /// A file the user named (report to rerun, baseline) or a flag value is unusable.
    #[error(transparent)]
    Input(ReportError),
    /// `--target` without `--project-id` (and no profile naming one).
    #[error("name the target's project: --project-id P (or project_id in a profile)")]
    NoProject,
    /// `--only` matches no generated case (holds the pattern given).
    #[error("select cases: none matches {0:?}")]
    NoCases(String),
    /// `--rerun-failed` names only cases that are no longer generated (holds which ones, from which report).
    #[error("select cases: none of {0} is generated any more")]
    NothingToRerun(String),
    /// The journal of created resources cannot be written or read.
    #[error(transparent)]
    Journal(#[from] crate::cleanup::CleanupError),
    /// `hwconform cleanup` without a target, or with one it cannot reach.
    #[error("clean up: {0}")]
    Cleanup(String),
}
