//! One HTTP client per target: timeouts, no redirects followed, no retries, a cap on bodies.

use std::path::PathBuf;
use std::time::Duration;

use super::ExecuteError;
use super::error::CaFileError;

/// The largest response body read; the rest is dropped and the body marked truncated.
pub const BODY_CAP: usize = 1024 * 1024;

/// Transport settings.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Time allowed to open a connection (default 5 s).
    pub connect_timeout: Duration,
    /// Ignore proxy settings from the environment (for a server on this machine).
    pub no_proxy: bool,
    /// PEM file of extra certificate authorities trusted besides the system's (a private deployment).
    pub ca_file: Option<PathBuf>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            no_proxy: false,
            ca_file: None,
        }
    }
}

/// The certificates of a PEM file, or an error naming it.
fn certificates(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, ExecuteError> {
    let bad = |source: CaFileError| ExecuteError::CaFile { path: path.display().to_string(), source };
    let pem = std::fs::read(path).map_err(|e| bad(e.into()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(CaFileError::Pem(e)))?;
    if certs.is_empty() {
        return Err(bad(CaFileError::Empty));
    }
    Ok(certs)
}

/// Builds the client. Proxies come from the usual environment variables (`HTTPS_PROXY`, `NO_PROXY`…)
/// unless `no_proxy`; TLS is rustls. POSTs that create resources are never retried: the client has no
/// retry policy of its own (the executor retries throttled GETs only).
pub fn client(options: &ClientOptions) -> Result<reqwest::Client, ExecuteError> {
    let builder = reqwest::Client::builder();
    let mut builder = if options.no_proxy { builder.no_proxy() } else { builder };
    if let Some(path) = &options.ca_file {
        for cert in certificates(path)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(16)
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        .user_agent(concat!("hwconform/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(ExecuteError::Client)
}
