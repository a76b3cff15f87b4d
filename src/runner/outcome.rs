//! Owns a case's outcome as the runner knows it: passed, failed, skipped *with a typed reason*, or
//! could-not-test *with a typed error*. The report's flat [`CaseOutcome`] and its `skip_reason` /
//! `error` lines are derived from it, never the other way round.

use std::fmt;

use crate::execute::{StepError, Stopped, TransportKind};
use crate::report::{CaseOutcome, ErrorKind};

/// How a case ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Every check that could fail held.
    Passed,
    /// The target broke something a page fixes (the findings say what).
    Failed,
    /// Not run against this target, and why.
    Skipped(SkipReason),
    /// Could not be tested, and why.
    Error(CaseError),
}

impl Outcome {
    /// The report's flat outcome.
    pub fn flat(&self) -> CaseOutcome {
        match self {
            Self::Passed => CaseOutcome::Passed,
            Self::Failed => CaseOutcome::Failed,
            Self::Skipped(_) => CaseOutcome::Skipped,
            Self::Error(_) => CaseOutcome::Error,
        }
    }

    /// The skip reason, if skipped.
    pub fn skip_reason(&self) -> Option<&SkipReason> {
        if let Self::Skipped(r) = self { Some(r) } else { None }
    }

    /// The error, if the case could not be tested.
    pub fn error(&self) -> Option<&CaseError> {
        if let Self::Error(e) = self { Some(e) } else { None }
    }
}

/// Why a target cannot run a case. Each reason names what would let it run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The case injects a fault the target cannot be asked for.
    NoFaultInjection,
    /// The case needs a project of its own; the target has one fixed project.
    NeedsOwnProject,
    /// The case sends near-miss tokens, made from a fixed token the profile does not have.
    NoFixedToken,
    /// The case creates resources and the run is read-only.
    ReadOnly,
    /// The case creates resources and the profile does not allow it.
    MutatingNotAllowed,
    /// A resource the case needs could not be had (from the profile, by discovery, or by creating it).
    NoResource {
        /// What is missing (`a backup whose status is success`).
        what: String,
        /// The flag or profile key that would supply it (`--backup-id`).
        flag: String,
    },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoFaultInjection => {
                f.write_str("the target profile has no fault-injection control (fault_injection = false)")
            }
            Self::NeedsOwnProject => {
                f.write_str("needs a project of its own; the target profile uses one fixed project")
            }
            Self::NoFixedToken => {
                f.write_str("near-miss tokens are made from a fixed token; the profile authenticates otherwise")
            }
            Self::ReadOnly => f.write_str("creates resources; the run is read-only (--read-only or read_only = true)"),
            Self::MutatingNotAllowed => {
                f.write_str("creates resources; the target profile does not allow it (allow_mutating = false)")
            }
            Self::NoResource { what, flag } => write!(f, "needs {what}; none could be had (set {flag})"),
        }
    }
}

/// Why a case could not be tested. Its `Display` is the report's one-line `error`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CaseError {
    /// A request got no usable answer.
    #[error("[{step}] no answer: failed to {}", .error.line())]
    NoAnswer {
        /// Label of the step that got no answer.
        step: String,
        /// Why it got none (transport, build or authentication failure).
        #[source]
        error: StepError,
    },
    /// Execution stopped before the last step (a value to capture was missing, no endpoint).
    #[error("stopped: failed to {}", crate::execute::chain(.0))]
    Stopped(#[source] Stopped),
    /// The run's deadline (`--run-timeout`) came first.
    #[error("run timeout")]
    RunTimeout,
    /// The run was interrupted (Ctrl-C, SIGTERM) before the case finished.
    #[error("interrupted")]
    Interrupted,
    /// The case's task panicked (a bug of the harness, never of the target).
    #[error("the case's task panicked")]
    Panicked,
}

impl CaseError {
    /// The report's kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NoAnswer { error: StepError::Transport(_), .. } => ErrorKind::Transport,
            Self::NoAnswer { .. } => ErrorKind::Request,
            Self::Stopped(Stopped::Waited { .. }) => ErrorKind::Unsettled,
            Self::Stopped(_) => ErrorKind::Stopped,
            Self::RunTimeout => ErrorKind::RunTimeout,
            Self::Interrupted => ErrorKind::Interrupted,
            Self::Panicked => ErrorKind::Panicked,
        }
    }

    /// The transport failure's kind, if a request got no answer at the transport level.
    pub fn transport_kind(&self) -> Option<TransportKind> {
        match self {
            Self::NoAnswer { error, .. } => error.transport().map(|t| t.kind),
            _ => None,
        }
    }

    /// Whether the run's ending (deadline, interruption), not the target, cut the case short.
    pub fn is_cut_short(&self) -> bool {
        matches!(self, Self::RunTimeout | Self::Interrupted)
    }
}
