//! Why a reference server could not be started. Messages read after "failed to start the server: ".

use crate::catalogue::CatalogueError;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("load the catalogue: {0}")]
    Catalogue(#[from] CatalogueError),
    #[error("seed {file}: {message}")]
    Seed { file: String, message: String },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("route {path}: {message}")]
    Route { path: String, message: String },
    #[error("bind {addr}: {message}")]
    Bind { addr: std::net::SocketAddr, message: String },
}
