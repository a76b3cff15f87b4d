//! Owns [`RunEvent`]: what happens during a run, as it happens, for whoever follows it (the progress
//! bar, a reporter, a test). One enum, one callback: the runner emits, subscribers match what they need.

use std::time::Duration;

use crate::execute::Progress;
use crate::generate::Case;
use crate::report::ResourceRecord;

use super::case::CaseRun;

/// One thing that happened during a run. Borrowed, so emitting costs nothing when nobody listens.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum RunEvent<'a> {
    /// A case was given its turn and starts sending.
    CaseStarted {
        /// The case about to send.
        case: &'a Case,
    },
    /// A case ended (any outcome, skipped included).
    CaseFinished {
        /// The case that ended.
        case: &'a Case,
        /// How it ended: outcome, findings and exchanges.
        run: &'a CaseRun,
    },
    /// A request the target throttled is about to be sent again.
    Retry {
        /// The case whose request is resent.
        case: &'a Case,
        /// Label of the throttled step.
        step: &'a str,
        /// The throttling status the target answered (429, or 503 with `Retry-After`).
        status: u16,
        /// Which resend this is, from 1.
        attempt: u32,
        /// How long the run waits before resending (`Retry-After` or backoff).
        delay: Duration,
    },
    /// A case waits for asynchronous work on the target (a backup to settle).
    Wait {
        /// The waiting case.
        case: &'a Case,
        /// What it waits for, in words.
        what: &'a str,
        /// How long it has waited so far.
        waited: Duration,
        /// How many times the list was read so far.
        polls: u32,
    },
    /// The target accepted a request of a case that creates a resource (recorded for cleanup).
    ResourceCreated {
        /// The case whose request created it.
        case: &'a Case,
        /// What was created, by role (`backup`).
        kind: &'a str,
        /// Its id, where the answer named it (else it is told apart through the list).
        id: Option<&'a str>,
        /// The creating operation's id.
        operation: &'a str,
    },
    /// The run's cleanup deleted a resource the run created (or the target accepted its deletion).
    ResourceDeleted {
        /// The resource, with how it was deleted.
        resource: &'a ResourceRecord,
    },
}

impl<'a> RunEvent<'a> {
    /// The run event for what `case`'s execution reported.
    pub fn of_progress(case: &'a Case, progress: &'a Progress) -> Self {
        match progress {
            Progress::Retry { step, status, attempt, delay } => {
                Self::Retry { case, step, status: *status, attempt: *attempt, delay: *delay }
            }
            Progress::Wait { what, waited, polls } => Self::Wait { case, what, waited: *waited, polls: *polls },
            Progress::Created { kind, id, operation } => {
                Self::ResourceCreated { case, kind, id: id.as_deref(), operation }
            }
        }
    }
}

/// A subscriber to a run's events.
pub type OnEvent<'a> = &'a (dyn Fn(&RunEvent<'_>) + Sync);

/// The subscriber that ignores everything.
pub fn ignore(_: &RunEvent<'_>) {}
