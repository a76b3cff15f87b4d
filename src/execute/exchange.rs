//! What was sent and what came back, as plain data: the input of the checks and of normalisation.
//! Secrets never reach these values: the token header is recorded as `***`.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::error::{StepError, Stopped};

/// Every request of one case, in order (a walked step records one entry per page).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Exchange {
    pub steps: Vec<StepExchange>,
    /// Why execution stopped before the last step, if it did (a value to capture was missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(skip)]
    pub stopped: Option<Stopped>,
}

/// One request and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct StepExchange {
    /// Index of the step in `Case::steps`.
    pub step: usize,
    pub label: String,
    pub request: SentRequest,
    /// The answer, or why there was none (timeout, refused connection, malformed HTTP …).
    pub response: Result<Received, StepError>,
    /// How many times the request was sent again after the target throttled it.
    #[serde(skip)]
    pub retries: u32,
    #[serde(skip)]
    pub duration: Duration,
    /// The values the target's slots took, by role name (`project`, `graph` …) or capture name.
    pub bindings: BTreeMap<String, String>,
}

/// A request as it went on the wire (token redacted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentRequest {
    pub method: String,
    pub url: String,
    /// The path, percent-encoded, without scheme, host and query.
    pub path: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
}

/// A response as received. The body is capped; `truncated` says whether it was cut.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Received {
    pub status: u16,
    /// Header names in lowercase; values lossily decoded.
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub truncated: bool,
    /// The body parsed once, on first use (checks read it many times).
    #[serde(skip)]
    parsed: OnceLock<Option<Value>>,
}

impl Received {
    pub fn new(status: u16, headers: BTreeMap<String, String>, body: String, truncated: bool) -> Self {
        Self { status, headers, body, truncated, parsed: OnceLock::new() }
    }

    /// The body as JSON, if it is JSON (a truncated body never is).
    pub fn json(&self) -> Option<&Value> {
        self.parsed.get_or_init(|| if self.truncated { None } else { serde_json::from_str(&self.body).ok() }).as_ref()
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get("content-type").map(String::as_str)
    }
}

impl StepExchange {
    /// The answer, if there was one.
    pub fn received(&self) -> Option<&Received> {
        self.response.as_ref().ok()
    }

    /// A query parameter's value as sent.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.request.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

impl Exchange {
    /// The entries of the step with this label, in order.
    pub fn labelled<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a StepExchange> + 'a {
        self.steps.iter().filter(move |s| s.label == label)
    }

    /// The first step that got no answer, with why.
    pub fn unanswered(&self) -> Option<(&str, &StepError)> {
        self.steps.iter().find_map(|s| s.response.as_ref().err().map(|e| (s.label.as_str(), e)))
    }

    /// Requests sent again after the target throttled them, over every step.
    pub fn retries(&self) -> u32 {
        self.steps.iter().map(|s| s.retries).sum()
    }
}
