//! Errors of loading the catalogue: each names the file and what is wrong with it.

/// Why the catalogue could not be loaded. Messages read after "failed to load the catalogue: ".
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("{file}: file is missing")]
    Missing { file: String },
    #[error("{file}: invalid JSON: {message}")]
    Json { file: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{file}: schema does not compile: {message}")]
    Compile { file: String, message: String },
    #[error("reading {path}: {message}")]
    Io { path: String, message: String },
}
