//! A run of the suite against one target, owned by a [`Session`]: open (reference server if asked,
//! client, limits), run cases with an event callback ([`RunEvent`]), close (cleanup, server
//! shutdown, report). Also owns what a run decides: each case's [`Outcome`] and the run's [`Exit`].

mod case;
mod created;
mod error;
mod event;
mod exit;
mod expectation;
mod outcome;
mod reference;
mod report;
mod session;
mod suite;

pub use case::{CaseRun, conclude, skip_reason};
pub use error::{RunError, UsageError};
pub use event::{OnEvent, RunEvent, ignore};
pub use exit::Exit;
pub use expectation::expectation_record;
pub use outcome::{CaseError, Outcome, SkipReason};
pub use report::{case_result, drift_record, ending_of, run_redactor};
pub use session::{Session, SessionOptions, load_profile};
pub use suite::shares_state;
