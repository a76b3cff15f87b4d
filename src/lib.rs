//! hwconform: a conformance harness for Huawei Cloud backup APIs, driven by their documentation.
//!
//! The pipeline, one module per stage: documentation pages → [`catalogue`] (schemas as data) →
//! cases → exchanges → verdicts → reports. See `README.md` and `schemas/README.md`.

pub mod catalogue;
pub mod cli;
pub mod derive;
