//! Errors of setting up execution. Per-request failures (timeouts, refused connections) are not
//! errors of this layer: they are recorded in the exchange, one line each.

/// Why requests cannot be sent at all. Messages read after "failed to …".
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    #[error("build the HTTP client: {0}")]
    Client(String),
    #[error("read the CA file {path}: {message}")]
    CaFile { path: String, message: String },
    #[error("{0}")]
    Profile(#[from] crate::profile::ProfileError),
}
