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
    CaseStarted { case: &'a Case },
    /// A case ended (any outcome, skipped included).
    CaseFinished { case: &'a Case, run: &'a CaseRun },
    /// A request the target throttled is about to be sent again.
    Retry { case: &'a Case, step: &'a str, status: u16, attempt: u32, delay: Duration },
    /// A case waits for asynchronous work on the target (a backup to settle).
    Wait { case: &'a Case, what: &'a str, waited: Duration, polls: u32 },
    /// The run created a resource on the target (recorded for cleanup).
    ResourceCreated { resource: &'a ResourceRecord },
    /// The run deleted a resource it created.
    ResourceDeleted { resource: &'a ResourceRecord },
}

/// A subscriber to a run's events.
pub type OnEvent<'a> = &'a (dyn Fn(&RunEvent<'_>) + Sync);

/// The subscriber that ignores everything.
pub fn ignore(_: &RunEvent<'_>) {}
