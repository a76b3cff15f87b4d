//! Errors of the report layer: reading, parsing and writing reports and baselines.

/// Why a report or baseline could not be read or written. Messages read after "failed to ".
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("read {path}: {message}")]
    Read { path: String, message: String },
    #[error("parse {path}: {message}")]
    Parse { path: String, message: String },
    #[error("read {path}: report schema_version {found} is not supported (this hwconform reads version {supported})")]
    UnsupportedVersion { path: String, found: u32, supported: u32 },
    #[error("write {path}: {message}")]
    Write { path: String, message: String },
    #[error("render {format}: {message}")]
    Render { format: String, message: String },
    #[error("parse the format list: unknown format {0:?} (expected json, junit, markdown or html)")]
    UnknownFormat(String),
}
