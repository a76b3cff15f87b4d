//! hwconform: a conformance harness for Huawei Cloud backup APIs, driven by their documentation.
//!
//! The pipeline, one module per stage: documentation pages → [`derive`] → [`catalogue`] (schemas as
//! data) → cases → exchanges → verdicts → [`report`]. See `README.md` and `schemas/README.md`.

pub mod auth;
pub mod catalogue;
pub mod check;
pub mod cleanup;
pub mod cli;
pub mod control;
pub mod derive;
pub mod execute;
pub mod generate;
pub mod normalise;
pub mod openapi;
pub mod profile;
pub mod report;
pub mod runner;
pub mod selftest;
pub mod server;
