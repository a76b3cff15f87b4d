//! Leaves a target as the run found it: the lifecycle plan read from the catalogue (what creates,
//! what deletes, which list shows it), the journal every created resource is written to as it is
//! created, and the sweep that deletes them at the end of a run (or later, from the journal, with
//! `hwconform cleanup`) and verifies through the list that none remains.

mod finish;
mod journal;
mod list;
mod plan;
mod state;
mod sweep;

use std::path::PathBuf;

pub use finish::{finish, summary_lines};
pub use journal::{Contents, Created, Entry, FILE_NAME, Journal, Removal, read};
pub use list::{Item, SETTLE_BOUND, Waited, settle};
pub use plan::{CreatorPlan, Lifecycle, ListPlan};
pub use state::CleanupState;
pub use sweep::{Settled, SweepOptions, sweep};

/// Why the journal could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CleanupError {
    #[error("journal {}: {message}", path.display())]
    Journal { path: PathBuf, message: String },
}
