//! Target profiles: TOML files naming a target's endpoints, resources, token and capabilities.
//! The token is an [`auth::Secret`](crate::auth::Secret): it never prints.

mod error;
mod model;

pub use error::ProfileError;
pub use model::{ProfileFile, TargetProfile};
