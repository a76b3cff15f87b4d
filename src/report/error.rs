//! Errors of the report layer: reading, parsing and writing reports and baselines.

/// Why a report or baseline could not be read or written. Messages read after "failed to ".
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A report or baseline file could not be read.
    #[error("read {path}: {message}")]
    Read {
        /// Path of the file.
        path: String,
        /// The I/O error, on one line.
        message: String,
    },
    /// A report or baseline file is not valid JSON of the expected shape.
    #[error("parse {path}: {message}")]
    Parse {
        /// Path of the file.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// A `report.json` was written by a hwconform with another report schema version.
    #[error("read {path}: report schema_version {found} is not supported (this hwconform reads version {supported})")]
    UnsupportedVersion {
        /// Path of the report.
        path: String,
        /// The `schema_version` the report declares.
        found: u32,
        /// The `schema_version` this build reads and writes.
        supported: u32,
    },
    /// A report file could not be written.
    #[error("write {path}: {message}")]
    Write {
        /// Path of the file.
        path: String,
        /// The I/O error, on one line.
        message: String,
    },
    /// A report could not be rendered in one of its formats.
    #[error("render {format}: {message}")]
    Render {
        /// The format that failed (`json`, `junit`, `html`).
        format: String,
        /// The renderer's error.
        message: String,
    },
    /// `--format` names a format that does not exist; holds the unknown name.
    #[error("parse the format list: unknown format {0:?} (expected json, junit, markdown or html)")]
    UnknownFormat(String),
}
