//! Leaves a target as the run found it: the lifecycle plan read from the catalogue (what creates,
//! what deletes, which list shows it), the journal every created resource is written to as it is
//! created, and the sweep that deletes them at the end of a run (or later, from the journal, with
//! `hwconform cleanup`) and verifies through the list that none remains.

mod finish;
mod journal;
mod list;
mod plan;
mod sweep;

use std::path::PathBuf;

pub use crate::report::CleanupState;
pub use finish::{finish, summary_lines};
pub use journal::{Contents, Created, Entry, FILE_NAME, Journal, Removal, read};
pub use list::Item;
pub use plan::{CreatorPlan, Lifecycle, ListPlan};
pub use sweep::{Settled, SweepOptions, sweep};

/// What a run does about what it creates (`hwconform run`'s flags): where it journals it, how much it
/// may create, and whether and how long it cleans up at the end.
#[derive(Debug, Clone)]
pub struct CleanupOptions {
    /// The journal file; `None`: nothing is recorded and nothing cleaned up (library callers that
    /// do their own bookkeeping, the in-process reference server's tests).
    pub journal: Option<PathBuf>,
    /// `--max-created`.
    pub max_created: Option<usize>,
    /// `--keep`.
    pub keep: bool,
    /// `--cleanup-timeout`.
    pub timeout: std::time::Duration,
}

impl Default for CleanupOptions {
    fn default() -> Self {
        Self { journal: None, max_created: None, keep: false, timeout: std::time::Duration::from_secs(600) }
    }
}

/// Why the journal could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CleanupError {
    /// The journal file could not be created, opened, read, parsed or appended to.
    #[error("use the journal {}: {message}", path.display())]
    Journal {
        /// Path of the journal file.
        path: PathBuf,
        /// The I/O error on one line, or why the file is not a hwconform journal.
        message: String,
    },
}
