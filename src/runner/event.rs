//! Owns [`RunEvent`]: what happens during a run, as it happens, for whoever follows it (the progress
//! bar, a reporter, a test). One enum, one callback: the runner emits, subscribers match what they need.

use std::time::Duration;

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
    /// The run created a resource on the target (recorded for cleanup).
    ResourceCreated {
        /// The resource, with where it came from.
        resource: &'a ResourceRecord,
    },
    /// The run deleted a resource it created.
    ResourceDeleted {
        /// The resource, with how it was deleted.
        resource: &'a ResourceRecord,
    },
}

/// A subscriber to a run's events.
pub type OnEvent<'a> = &'a (dyn Fn(&RunEvent<'_>) + Sync);

/// The subscriber that ignores everything.
pub fn ignore(_: &RunEvent<'_>) {}
