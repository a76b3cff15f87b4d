//! Errors of loading the catalogue: each names the file and what is wrong with it.

/// Why the catalogue could not be loaded. Messages read after "failed to load the catalogue: ".
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// A file the catalogue needs (schema, fixture) is not there.
    #[error("{file}: file is missing")]
    Missing {
        /// Path of the file, relative to the catalogue's root.
        file: String,
    },
    /// A catalogue file is not valid JSON.
    #[error("{file}: invalid JSON: {message}")]
    Json {
        /// Path of the file, relative to the catalogue's root.
        file: String,
        /// The JSON parser's message (with line and column).
        message: String,
    },
    /// A catalogue file is valid JSON but not of the expected shape (e.g. a schema without `$id`).
    #[error("{file}: {message}")]
    Invalid {
        /// Path of the file, relative to the catalogue's root.
        file: String,
        /// What is wrong with it.
        message: String,
    },
    /// A schema is not a valid JSON Schema.
    #[error("{file}: schema does not compile: {message}")]
    Compile {
        /// Path of the schema file, relative to the catalogue's root.
        file: String,
        /// The schema compiler's message.
        message: String,
    },
    /// A catalogue directory or file on disk could not be read.
    #[error("reading {path}: {message}")]
    Io {
        /// Path on disk, as displayed.
        path: String,
        /// The I/O error, on one line.
        message: String,
    },
}
