//! Sends a case's requests to a target and records what came back. Never decides pass or fail.

mod exchange;

pub use exchange::{Exchange, Received, SentRequest, StepExchange};
