//! hwconform: a conformance harness for Huawei Cloud backup APIs, driven by their documentation.
//!
//! The pipeline, one module per stage: documentation pages → [`derive`] → [`catalogue`] (schemas as
//! data) → cases → exchanges → verdicts → [`report`]. See `README.md` and `schemas/README.md`.

pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod derive;
pub mod openapi;
pub mod report;
pub mod server;
