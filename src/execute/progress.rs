//! What execution reports while it goes, before any exchange is complete: a throttled request about
//! to be sent again, a poll of a wait for the target's asynchronous work. Whoever runs the case (the
//! runner) passes a subscriber in [`super::Target`] and turns these into its own run events.

use std::time::Duration;

/// One thing that happened inside a case's execution. Owned, so it can cross from a case's task to
/// whoever follows the run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// A request the target throttled is about to be sent again.
    Retry {
        /// Label of the throttled step.
        step: String,
        /// The throttling status (429, or 503 with `Retry-After`).
        status: u16,
        /// Which resend this is, from 1.
        attempt: u32,
        /// How long execution waits before resending (`Retry-After` or backoff).
        delay: Duration,
    },
    /// A wait for the target's asynchronous work read the list once more and goes on.
    Wait {
        /// What is awaited, in words (`backup 1f3…`).
        what: String,
        /// How long it has waited so far.
        waited: Duration,
        /// How many times the list was read so far.
        polls: u32,
    },
    /// The target accepted a request that creates a resource (recorded in the run's journal).
    Created {
        /// What was created, by role (`backup`).
        kind: String,
        /// Its id, where the answer named it (else it is told apart through the list later).
        id: Option<String>,
        /// The creating operation's id.
        operation: String,
    },
}

/// A subscriber to a case's progress.
pub type OnProgress<'a> = &'a (dyn Fn(&Progress) + Sync);
