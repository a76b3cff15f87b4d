//! `hwconform derive`: documentation pages in, catalogue files out, and the drift check against the
//! committed catalogue. Re-exports only; see each submodule for what it owns.
//!
//! Reading a page: [`page`] detects the syntax; plain-text tables are read by `text_tables`,
//! Markdown by `markdown` (the `pulldown-cmark` crate) and its HTML tables by `html` (the `tl`
//! crate, entities by `html-escape`), all into the one model of `table`. `sections` knows the
//! headings, `request_line` the request line, `interpret` walks the blocks, `nested` and `roles`
//! decide where each member goes, `types` reads documented types, `assemble` writes the files.

mod assemble;
mod drift;
mod errata;
mod error;
mod html;
mod interpret;
mod markdown;
mod nested;
mod overlay;
mod page;
mod phrases;
mod pipeline;
mod request_line;
mod roles;
mod sections;
mod table;
mod text_tables;
mod types;
mod warning;

pub use drift::{Drift, FileDrift, check};
pub use error::DeriveError;
pub use overlay::Overlay;
pub use page::{Block, Format, Page};
pub use phrases::{Charset, Constraints, read_constraints};
pub use pipeline::{Derived, DerivedPage, Failure, derive, derive_files};
pub use table::{Column, Row, Table};
pub use warning::Warning;
