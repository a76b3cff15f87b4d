//! The reference server: an in-memory stand-in for the documented operations, driven by the catalogue.
//!
//! See [`spawn`] for the library entry point and `hwconform serve` for the command line.

mod app;
mod auth;
mod behaviour;
mod config;
mod envelope;
mod error;
mod logging;
mod request;
mod run;
mod seed;
mod state;

pub use auth::{AuthFailure, Authenticator, TokenAuthenticator};
pub use behaviour::Behaviour;
pub use config::{
    DEFAULT_BACKUP_DELAY, DEFAULT_BODY_LIMIT, DEFAULT_TOKEN, FAULT_HEADER, FAULT_INTERNAL, LATENCY_HEADER,
    MAX_INJECTED_LATENCY, ServerConfig,
};
pub use envelope::{ApiError, OwnCode};
pub use error::ServerError;
pub use run::{RunningServer, spawn};
pub use seed::{Lifecycle, Seed, SeedGraph, SeedInstance};
pub use state::{InstanceBackup, MAX_PROJECTS, ServerStats};
