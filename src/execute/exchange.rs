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
    /// One entry per request sent, in order (a walked step has one per page).
    pub steps: Vec<StepExchange>,
    /// Why execution stopped before the last step, if it did (a value to capture was missing).
    #[serde(skip)]
    pub stopped: Option<Stopped>,
    /// Waits for the target's asynchronous work between steps.
    #[serde(skip)]
    pub waits: Vec<super::WaitRecord>,
}

/// One request and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct StepExchange {
    /// Index of the step in `Case::steps`.
    pub step: usize,
    /// The step's label (`add`, `list_after`, `page_0`).
    pub label: String,
    /// The request as it went on the wire.
    pub request: SentRequest,
    /// The answer, or why there was none (timeout, refused connection, malformed HTTP …).
    pub response: Result<Received, StepError>,
    /// How many times the request was sent again after the target throttled it.
    #[serde(skip)]
    pub retries: u32,
    /// Time from the first send to the end of the answer, retries and their waits included.
    #[serde(skip)]
    pub duration: Duration,
    /// The values the target's slots took, by role name (`project`, `graph` …) or capture name.
    pub bindings: BTreeMap<String, String>,
}

/// A request as it went on the wire (token redacted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentRequest {
    /// HTTP method (`POST`).
    pub method: String,
    /// Full URL as sent, token redacted.
    pub url: String,
    /// The path, percent-encoded, without scheme, host and query.
    pub path: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Headers as sent, by lowercase name, secrets redacted.
    pub headers: BTreeMap<String, String>,
    /// The body as sent; `None` when the request had none.
    pub body: Option<String>,
}

/// A response as received. The body is capped; `truncated` says whether it was cut.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Received {
    /// HTTP status code of the answer.
    pub status: u16,
    /// Header names in lowercase; values lossily decoded (each cut at a bound, and at most so many).
    pub headers: BTreeMap<String, String>,
    /// The body as kept: all of it unless `truncated`; only its excerpt when `binary`.
    pub body: String,
    /// Whether the body was cut at the read cap (`body` then holds only what was read).
    pub truncated: bool,
    /// Bytes of the body read (inflated, if it came compressed); the whole body's unless `truncated`.
    pub size: u64,
    /// SHA-256 (hex) of those bytes.
    pub sha256: String,
    /// The body is not UTF-8 (so never JSON): `body` is a lossy excerpt of it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub binary: bool,
    /// The content coding undone on reading (`gzip`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoded: Option<String>,
    /// Bytes of the body the report shows.
    #[serde(skip)]
    excerpt_max: usize,
    /// The body parsed once, on first use (checks read it many times).
    #[serde(skip)]
    parsed: OnceLock<Option<Value>>,
}

impl Received {
    /// A response whose body is `body` as given (size and hash are the text's).
    pub fn new(status: u16, headers: BTreeMap<String, String>, body: String, truncated: bool) -> Self {
        use sha2::Digest;
        Self {
            status,
            headers,
            size: body.len() as u64,
            sha256: hex::encode(sha2::Sha256::digest(body.as_bytes())),
            body,
            truncated,
            binary: false,
            decoded: None,
            excerpt_max: super::EXCERPT,
            parsed: OnceLock::new(),
        }
    }

    /// A response from a body read within the run's limits: text is kept as read; bytes that are
    /// not UTF-8 are kept as a lossy excerpt of `excerpt` bytes (no check can parse them).
    pub fn from_read(status: u16, headers: BTreeMap<String, String>, read: super::ReadBody, excerpt: usize) -> Self {
        let (body, binary) = match String::from_utf8(read.bytes) {
            Ok(text) => (text, false),
            // A body cut mid-character is still text: only the cut's last few bytes are invalid.
            Err(e) if read.truncated && e.utf8_error().error_len().is_none() => {
                let valid = e.utf8_error().valid_up_to();
                let mut bytes = e.into_bytes();
                bytes.truncate(valid);
                (String::from_utf8(bytes).unwrap_or_default(), false)
            }
            Err(e) => {
                let bytes = e.as_bytes();
                let lossy = String::from_utf8_lossy(&bytes[..bytes.len().min(excerpt)]);
                (super::excerpt(&lossy, excerpt).to_owned(), true)
            }
        };
        Self {
            status,
            headers,
            body,
            truncated: read.truncated,
            size: read.size,
            sha256: read.sha256,
            binary,
            decoded: read.decoded,
            excerpt_max: excerpt,
            parsed: OnceLock::new(),
        }
    }

    /// The body as JSON, if it is JSON (a truncated or binary body never is).
    pub fn json(&self) -> Option<&Value> {
        self.parsed
            .get_or_init(|| if self.truncated || self.binary { None } else { serde_json::from_str(&self.body).ok() })
            .as_ref()
    }

    /// The part of the body a report shows (its first bytes, bounded once escaped).
    pub fn excerpt(&self) -> &str {
        super::excerpt(&self.body, self.excerpt_max)
    }

    /// Whether [`Self::excerpt`] is less than the body (or the body itself was cut on reading).
    pub fn excerpted(&self) -> bool {
        self.truncated || self.binary || self.excerpt().len() < self.body.len()
    }

    /// Whether the target refused the request before processing it, asking to come back later: a
    /// 429, or a 503 with `Retry-After`. Such an answer says nothing about the contract.
    pub fn throttled(&self) -> bool {
        self.status == 429 || (self.status == 503 && self.headers.contains_key("retry-after"))
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
