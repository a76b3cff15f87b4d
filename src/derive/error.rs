//! Errors of deriving a catalogue: input that cannot be read or understood at all.

/// Why a page or the overlay could not be derived. Messages read after "failed to derive: ".
#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    #[error("{path}: cannot read: {message}")]
    Read { path: String, message: String },
    #[error("{page}: no tables found (is this a documentation page?)")]
    NoTables { page: String },
    #[error("{page}: no method and path found (expected a line such as `POST /v2/{{project_id}}/…`)")]
    NoEndpoint { page: String },
    #[error("{page}: no title found before the `Function` section")]
    NoTitle { page: String },
    #[error("overlay {path}: {message}")]
    Overlay { path: String, message: String },
    #[error("{path}: cannot write: {message}")]
    Write { path: String, message: String },
    #[error("{page}: operation id {id} is also what {others} yields; none of them is written (ids must be unique)")]
    IdCollision { page: String, id: String, others: String },
    #[error("{path}: invalid JSON: {message}")]
    Json { path: String, message: String },
}
