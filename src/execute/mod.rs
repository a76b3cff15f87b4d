//! Sends a case's requests to a target and records what came back. Never decides pass or fail.

mod body;
mod case;
mod client;
mod error;
mod exchange;
mod pace;
mod progress;
mod send;
mod settle;

pub use body::{BodyLimits, EXCERPT, HEADER_COUNT_CAP, HEADER_VALUE_CAP, RUN_BUDGET, ReadBody, cut, excerpt};
pub use case::{Target, execute, project_for};
pub use client::{BODY_CAP, ClientOptions, client};
pub use error::{
    CaFileError, ExecuteError, Phase, SharedSource, StepError, Stopped, TransportError, TransportKind, chain,
};
pub use exchange::{Exchange, Received, SentRequest, StepExchange};
pub use pace::{RETRY_STATUSES, RateLimiter, RunLimits, SETTLE_TIMEOUT};
pub use progress::{OnProgress, Progress};
pub use send::{WRONG_TOKEN, encode, missing};
pub use settle::{Awaited, WaitEnd, WaitRecord, Waited, discover, list_all, settle};
