//! One HTTP client per target: timeouts, no redirects followed, no retries, a cap on bodies.

use std::time::Duration;

use super::ExecuteError;

/// The largest response body read; the rest is dropped and the body marked truncated.
pub const BODY_CAP: usize = 1024 * 1024;

/// Transport settings.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    /// Whole-request timeout.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Ignore proxy settings from the environment (for a server on this machine).
    pub no_proxy: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(30), connect_timeout: Duration::from_secs(5), no_proxy: false }
    }
}

/// Builds the client. POSTs that create resources are never retried: the client has no retry
/// policy beyond reqwest's protocol-level one, which never resends a request the server read.
pub fn client(options: ClientOptions) -> Result<reqwest::Client, ExecuteError> {
    let builder = reqwest::Client::builder();
    let builder = if options.no_proxy { builder.no_proxy() } else { builder };
    builder
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(16)
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .user_agent(concat!("hwconform/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ExecuteError::Client(e.to_string()))
}
