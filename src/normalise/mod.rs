//! Normalisation of exchanges for snapshots: stable placeholders for everything that varies
//! between runs, and no secrets.

mod drift;
mod exchange;

pub use drift::{Drift, compare_snapshot, snapshot_value};
pub use exchange::{Placeholders, normalise, role_placeholder};
