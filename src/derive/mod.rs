//! `hwconform derive`: documentation pages in, catalogue files out, and the drift check against the
//! committed catalogue. Re-exports only; see each submodule for what it owns.

mod assemble;
mod check;
mod errata;
mod error;
mod interpret;
mod overlay;
mod page;
mod phrases;
mod pipeline;
mod table;
mod warning;

pub use check::{Drift, FileDrift, check};
pub use error::DeriveError;
pub use overlay::Overlay;
pub use page::{Block, Format, Page};
pub use phrases::{Charset, Constraints, read_constraints};
pub use pipeline::{Derived, DerivedPage, derive, derive_files};
pub use table::{Column, Row, Table};
pub use warning::Warning;
