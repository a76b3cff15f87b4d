//! What became of a resource the run created (the report model's type; kept here until the report
//! model carries it).

use serde::{Deserialize, Serialize};

/// What became of a resource the run created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CleanupState {
    /// Deleted, and (where the contract has a list) verified gone.
    Deleted { how: String },
    /// Deletion accepted by the target but not verifiable (no list operation).
    Accepted { how: String },
    /// Still on the target, and why (`--keep`, deletion refused, wait ran out …).
    Left { reason: String },
    /// The contract has no way to remove it (e.g. an export written to the user's storage).
    NotRemovable { reason: String },
}

impl CleanupState {
    /// Whether the resource was left behind on the target.
    pub fn is_left(&self) -> bool {
        matches!(self, Self::Left { .. })
    }
}
