//! Owns the execution layer's errors: [`ExecuteError`] (requests cannot be sent at all: a bad client
//! set-up), [`StepError`] (one request got no answer) and its transport part, [`TransportError`],
//! classified into a [`TransportKind`] from the error's types, never from its wording where a type
//! exists.
//!
//! Every `Display` is one line that reads after "failed to …"; the detail is the `source()` chain.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A shared error source: exchanges are cloned (retries, reports), the underlying errors are not `Clone`.
pub type SharedSource = Arc<dyn StdError + Send + Sync + 'static>;

/// Why requests cannot be sent at all.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    /// The HTTP client could not be built from the run's options.
    #[error("build the HTTP client")]
    Client(#[source] reqwest::Error),
    /// The CA bundle given for the target cannot be used.
    #[error("read the CA file {path}")]
    CaFile {
        /// Path of the CA file, as given.
        path: String,
        /// Why the file is unusable (unreadable, not PEM, no certificate).
        #[source]
        source: CaFileError,
    },
    /// The profile could not be turned into client settings.
    #[error(transparent)]
    Profile(#[from] crate::profile::ProfileError),
}

/// Why a CA file is unusable.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    /// The CA file could not be read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The CA file is not a PEM bundle.
    #[error("it is not a PEM bundle")]
    Pem(#[source] reqwest::Error),
    /// The CA file holds no PEM certificate.
    #[error("no PEM certificate in it")]
    Empty,
}

/// What kind of transport failure left a request without an answer. Serialised as a snake_case slug
/// (`report.json`'s `transport_error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportKind {
    /// The target's host name does not resolve.
    Resolve,
    /// No connection could be opened (refused, unreachable network).
    Connect,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// Connecting took longer than the connect timeout.
    ConnectTimeout,
    /// Connected, but the answer's head did not come within the request timeout.
    FirstByteTimeout,
    /// The answer's head came, its body did not finish within the request timeout.
    BodyTimeout,
    /// The target closed or reset the connection mid-exchange.
    Reset,
    /// The target answered with a malformed HTTP status line.
    MalformedStatusLine,
    /// The target answered with an HTTP version that is not HTTP/1.x or 2.
    MalformedVersion,
    /// The target answered with a malformed header.
    MalformedHeader,
    /// The target's answer head is larger than the client accepts.
    HeadTooLarge,
    /// Another malformation of the target's HTTP answer.
    MalformedHttp,
    /// The body is larger than the run accepts.
    BodyTooLarge,
    /// A compressed body would expand past the run's cap, so it was not decompressed.
    DecompressionRefused,
    /// Anything else (named by the error's detail).
    Other,
}

impl TransportKind {
    /// Whether the target answered something, only not well-formed HTTP (the target was reached).
    pub fn is_malformed_answer(self) -> bool {
        matches!(
            self,
            Self::MalformedStatusLine
                | Self::MalformedVersion
                | Self::MalformedHeader
                | Self::HeadTooLarge
                | Self::MalformedHttp
        )
    }

    /// Whether a timeout ended the request.
    pub fn is_timeout(self) -> bool {
        matches!(self, Self::ConnectTimeout | Self::FirstByteTimeout | Self::BodyTimeout)
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Each reads after "failed to …".
        f.write_str(match self {
            Self::Resolve => "resolve the target's host name",
            Self::Connect => "connect to the target",
            Self::Tls => "set up TLS with the target",
            Self::ConnectTimeout => "connect to the target in time (connect timeout)",
            Self::FirstByteTimeout => "get an answer from the target in time (request timeout)",
            Self::BodyTimeout => "read the target's body in time (request timeout)",
            Self::Reset => "read the answer: the target closed the connection",
            Self::MalformedStatusLine => "read the answer: malformed HTTP status line from the target",
            Self::MalformedVersion => "read the answer: invalid HTTP version from the target",
            Self::MalformedHeader => "read the answer: malformed HTTP header from the target",
            Self::HeadTooLarge => "read the answer: the target's HTTP head is too large",
            Self::MalformedHttp => "read the answer: malformed HTTP from the target",
            Self::BodyTooLarge => "read the answer: the body is larger than the cap",
            Self::DecompressionRefused => "decompress the answer: it would expand past the cap",
            Self::Other => "send the request",
        })
    }
}

/// Where in a request's life the failure happened (to tell the timeouts apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Sending and waiting for the answer's head.
    Head,
    /// Reading the answer's body.
    Body,
}

/// A request that got no (usable) answer.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind}")]
pub struct TransportError {
    /// What kind of failure it was; decides the `transport_error` slug in reports.
    pub kind: TransportKind,
    #[source]
    source: Option<SharedSource>,
}

impl TransportError {
    /// A failure of this kind with an optional cause.
    pub fn new(kind: TransportKind, source: Option<SharedSource>) -> Self {
        Self { kind, source }
    }

    /// Classifies a client error by walking its `source()` chain for known types.
    pub fn classify(error: reqwest::Error, phase: Phase) -> Self {
        let kind = kind_of(&error, phase);
        Self { kind, source: Some(Arc::new(error)) }
    }

    /// One line: what failed (reads after "failed to …") and the innermost cause, without the URL.
    pub fn line(&self) -> String {
        match self.source.as_deref().map(|s| innermost(s)) {
            Some(detail) if !detail.is_empty() => format!("{}: {detail}", self.kind),
            _ => self.kind.to_string(),
        }
    }
}

/// The innermost error's message of a chain (the most specific; outer layers repeat the URL).
fn innermost(error: &(dyn StdError + 'static)) -> String {
    let mut last: &(dyn StdError + 'static) = error;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

fn kind_of(error: &reqwest::Error, phase: Phase) -> TransportKind {
    let timeout = || match phase {
        Phase::Head if error.is_connect() => TransportKind::ConnectTimeout,
        Phase::Head => TransportKind::FirstByteTimeout,
        Phase::Body => TransportKind::BodyTimeout,
    };
    // The client tags resolver failures with a type of its own.
    if error.is_dns() {
        return TransportKind::Resolve;
    }
    let mut next: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = next {
        if let Some(kind) = known(e, phase, &timeout) {
            return kind;
        }
        next = e.source();
    }
    if error.is_timeout() {
        timeout()
    } else if error.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Other
    }
}

/// The kind one error of the chain names by its type, if it names one.
fn known(e: &(dyn StdError + 'static), phase: Phase, timeout: &dyn Fn() -> TransportKind) -> Option<TransportKind> {
    if e.is::<rustls::Error>() {
        return Some(TransportKind::Tls);
    }
    if let Some(h) = e.downcast_ref::<hyper::Error>() {
        return hyper_kind(h, phase, timeout);
    }
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        // An I/O error may wrap the TLS library's error; its `source()` skips the wrapped error itself.
        use std::io::ErrorKind as K;
        if let Some(inner) = io.get_ref()
            && inner.is::<rustls::Error>()
        {
            return Some(TransportKind::Tls);
        }
        return match io.kind() {
            K::ConnectionRefused | K::NetworkUnreachable | K::HostUnreachable | K::AddrNotAvailable => {
                Some(TransportKind::Connect)
            }
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => Some(TransportKind::Reset),
            K::TimedOut => Some(timeout()),
            _ => None,
        };
    }
    None
}

fn hyper_kind(h: &hyper::Error, phase: Phase, timeout: &dyn Fn() -> TransportKind) -> Option<TransportKind> {
    if h.is_parse_too_large() {
        Some(TransportKind::HeadTooLarge)
    } else if h.is_parse_status() {
        Some(TransportKind::MalformedStatusLine)
    } else if h.is_parse() {
        // hyper names the other parse errors (version, header, …) only in words: no type tells them
        // apart. The words pick the name; the kind (malformed HTTP) is decided by the type.
        let text = h.to_string();
        Some(if text.contains("version") {
            TransportKind::MalformedVersion
        } else if text.contains("header") {
            TransportKind::MalformedHeader
        } else {
            TransportKind::MalformedHttp
        })
    } else if h.is_timeout() {
        Some(timeout())
    } else if h.is_incomplete_message() || h.is_canceled() || (h.is_body_write_aborted() && phase == Phase::Head) {
        Some(TransportKind::Reset)
    } else {
        None
    }
}

/// Why one request of a case got no answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StepError {
    /// The request went out (or tried to) and no usable answer came back.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The request could not be built (method, header, URL).
    #[error("build the request")]
    Build(#[source] SharedSource),
    /// The credentials could not be applied (signing, IAM token).
    #[error("authenticate the request")]
    Authenticate(#[source] SharedSource),
}

impl StepError {
    /// The transport failure, if that is what it was.
    pub fn transport(&self) -> Option<&TransportError> {
        match self {
            Self::Transport(t) => Some(t),
            _ => None,
        }
    }

    /// One line for reports: what failed and its cause.
    pub fn line(&self) -> String {
        match self {
            Self::Transport(t) => t.line(),
            Self::Build(e) | Self::Authenticate(e) => format!("{self}: {}", chain(e.as_ref())),
        }
    }
}

/// Why a case's execution stopped before its last step (nothing was wrong with the target's answers).
#[derive(Debug, Clone, thiserror::Error)]
pub enum Stopped {
    /// The profile names no endpoint for the step's service.
    #[error("find an endpoint for step {step}")]
    NoEndpoint {
        /// Label of the step that was not sent (`add`, `list_after`, `page_0`).
        step: String,
        /// Why no endpoint was found (the profile's error).
        #[source]
        source: SharedSource,
    },
    /// A value the step needs was never captured (an earlier answer lacked it).
    #[error("fill step {step}: {reason}")]
    Unfilled {
        /// Label of the step that could not be filled.
        step: String,
        /// Which captured value was missing and why.
        reason: String,
    },
    /// The target still throttled the step after every retry: nothing after it can be judged.
    #[error(
        "get an answer to step {step}: the target still throttled it ({status}) after {retries} retries (--retries)"
    )]
    Throttled {
        /// Label of the throttled step.
        step: String,
        /// HTTP status of the last throttled answer (429, or another throttling status).
        status: u16,
        /// How many retries were made before giving up (`--retries`).
        retries: u32,
    },
    /// The resource the step uses did not become ready (failed, or still pending at --settle-timeout).
    #[error("wait for what step {step} uses: {reason}")]
    Waited {
        /// Label of the step whose resource was waited for.
        step: String,
        /// Why waiting ended: the resource failed, or was still pending at `--settle-timeout`.
        reason: String,
    },
    /// The run's cap on what it creates (`--max-created`) was reached; the step was not sent.
    #[error("send step {step}: {reason}")]
    Capped {
        /// Label of the step that was not sent.
        step: String,
        /// The journal's refusal: which cap was reached.
        reason: String,
    },
}

/// An error and its causes on one line, joined by ": " (a cause its parent already quotes is skipped).
pub fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut line = error.to_string();
    let mut next = error.source();
    while let Some(e) = next {
        let text = e.to_string();
        if !line.ends_with(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        next = e.source();
    }
    line
}

impl Serialize for StepError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.line())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_after_failed_to_and_never_blame_the_network_for_a_malformed_answer() {
        for kind in [
            TransportKind::MalformedStatusLine,
            TransportKind::MalformedVersion,
            TransportKind::MalformedHeader,
            TransportKind::HeadTooLarge,
            TransportKind::MalformedHttp,
        ] {
            assert!(kind.is_malformed_answer());
            let text = kind.to_string();
            assert!(text.starts_with("read the answer"), "{text}");
            assert!(!text.contains("reach"), "{text}");
        }
        assert_eq!(serde_json::to_value(TransportKind::FirstByteTimeout).unwrap(), "first_byte_timeout");
    }

    #[test]
    fn chains_join_causes_once() {
        let inner = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let e = TransportError::new(TransportKind::Reset, Some(Arc::new(inner)));
        assert_eq!(e.line(), "read the answer: the target closed the connection: reset by peer");
        assert_eq!(chain(&e), "read the answer: the target closed the connection: reset by peer");
    }

    /// A target that answers every connection with `answer` (raw bytes) and closes it.
    async fn raw_target(answer: Vec<u8>) -> String {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    let _ = socket.write_all(&answer).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        base
    }

    async fn kind_from(url: &str) -> TransportKind {
        let client = crate::execute::client(&crate::execute::ClientOptions {
            no_proxy: true,
            timeout: std::time::Duration::from_secs(5),
            ..crate::execute::ClientOptions::default()
        })
        .unwrap();
        let e = client.get(url).send().await.expect_err("the request must fail");
        TransportError::classify(e, Phase::Head).kind
    }

    #[tokio::test]
    async fn malformed_answers_are_named_by_type_not_blamed_on_the_network() {
        let cases: [(&[u8], TransportKind); 3] = [
            (b"HTTP/1.1 2x0 OK\r\n\r\n", TransportKind::MalformedStatusLine),
            (b"HTTP/7.1 200 OK\r\n\r\n", TransportKind::MalformedVersion),
            (b"", TransportKind::Reset),
        ];
        for (answer, want) in cases {
            let base = raw_target(answer.to_vec()).await;
            assert_eq!(kind_from(&base).await, want, "{:?}", String::from_utf8_lossy(answer));
        }
        let mut huge = b"HTTP/1.1 200 OK\r\nx-big: ".to_vec();
        huge.extend(std::iter::repeat_n(b'a', 1024 * 1024));
        huge.extend_from_slice(b"\r\n\r\n");
        assert_eq!(kind_from(&raw_target(huge).await).await, TransportKind::HeadTooLarge);
    }

    #[tokio::test]
    async fn closed_ports_and_unknown_names_are_told_apart() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        assert_eq!(kind_from(&format!("http://{addr}")).await, TransportKind::Connect);
        // `.invalid` never resolves (RFC 6761), with or without a network.
        assert_eq!(kind_from("http://hwconform-test.invalid").await, TransportKind::Resolve);
    }
}
