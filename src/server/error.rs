//! Why a reference server could not be started. Messages read after "failed to start the server: ".

use crate::catalogue::CatalogueError;

/// Why the reference server could not be started. Messages read after "failed to start the server: ".
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The catalogue the server serves could not be loaded.
    #[error("load the catalogue: {0}")]
    Catalogue(#[from] CatalogueError),
    /// A seed file (the server's initial graphs and backups) could not be read or is invalid.
    #[error("seed {file}: {message}")]
    Seed {
        /// Name of the seed file (`seed` for the seed as a whole).
        file: String,
        /// The read, parse or validation error.
        message: String,
    },
    /// The server's options are unusable (no token, unknown `--break` rule, bad variant).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// An operation of the catalogue cannot be routed (unknown method, no behaviour for it).
    #[error("route {path}: {message}")]
    Route {
        /// The operation's path template.
        path: String,
        /// Why it cannot be routed.
        message: String,
    },
    /// The listening address could not be bound.
    #[error("bind {addr}: {message}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The I/O error, on one line.
        message: String,
    },
}
