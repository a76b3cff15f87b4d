//! Errors of deriving a catalogue: input that cannot be read or understood at all.

/// Why a page or the overlay could not be derived. Messages read after "failed to derive: ".
#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    /// A page could not be read from disk.
    #[error("{path}: cannot read: {message}")]
    Read {
        /// Path of the page file.
        path: String,
        /// The I/O error, on one line.
        message: String,
    },
    /// A page has no tables, so it is likely not an API reference page.
    #[error("{page}: no tables found (is this a documentation page?)")]
    NoTables {
        /// The page's file name.
        page: String,
    },
    /// A page names no HTTP method and path (a line such as `POST /v2/{project_id}/…`).
    #[error("{page}: no method and path found (expected a line such as `POST /v2/{{project_id}}/…`)")]
    NoEndpoint {
        /// The page's file name.
        page: String,
    },
    /// A page has no title before its `Function` section.
    #[error("{page}: no title found before the `Function` section")]
    NoTitle {
        /// The page's file name.
        page: String,
    },
    /// The overlay file could not be read or parsed.
    #[error("overlay {path}: {message}")]
    Overlay {
        /// Path of the overlay file.
        path: String,
        /// The read or TOML error, on one line.
        message: String,
    },
    /// A derived output file could not be written.
    #[error("{path}: cannot write: {message}")]
    Write {
        /// Path of the output file.
        path: String,
        /// The I/O error, on one line.
        message: String,
    },
    /// Two or more pages yield the same operation id; none of them is written.
    #[error("{page}: operation id {id} is also what {others} yields; none of them is written (ids must be unique)")]
    IdCollision {
        /// The page's file name.
        page: String,
        /// The operation id they share.
        id: String,
        /// The other pages yielding that id, comma-separated.
        others: String,
    },
    /// A committed JSON file the drift check compares against is not valid JSON.
    #[error("{path}: invalid JSON: {message}")]
    Json {
        /// Path of the committed file.
        path: String,
        /// The JSON parser's message (with line and column).
        message: String,
    },
}
