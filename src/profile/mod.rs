//! Target profiles: TOML files naming a target's endpoints, resources, token and capabilities.

mod error;
mod model;
mod token;

pub use error::ProfileError;
pub use model::{ProfileFile, TargetProfile};
pub use token::Token;
