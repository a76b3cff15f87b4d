//! Pure checks: (case, exchange) → findings, each with its check kind, strength and source.

mod finding;
mod flow;
mod pagination;
mod response;
mod verdict;

#[cfg(test)]
mod tests;

pub use finding::{CheckKind, Finding, Strength};
pub use verdict::check;
