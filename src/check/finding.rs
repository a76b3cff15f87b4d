//! A finding: what one check saw, how much it weighs, and which documented row it rests on.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalogue::Source;

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Breaks something a page fixes: fails the case.
    Failure,
    /// Records what the target chose where the pages are silent: never fails.
    Observation,
}

/// The kinds of check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// The status is in the allowed set.
    Status,
    /// The answer is declared as JSON.
    ContentType,
    /// The body is valid against the schema documented for its status.
    Schema,
    /// An error body uses the envelope of the API version.
    Envelope,
    /// The error code is the one a page names.
    ErrorCode,
    /// The error message (never asserted: observations only).
    ErrorMessage,
    /// Pages agree with each other and with the parameters asked.
    Pagination,
    /// A stateful flow's steps agree (what was created appears, ids are returned).
    Flow,
}

impl CheckKind {
    pub const ALL: [CheckKind; 8] = [
        Self::Status,
        Self::ContentType,
        Self::Schema,
        Self::Envelope,
        Self::ErrorCode,
        Self::ErrorMessage,
        Self::Pagination,
        Self::Flow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::ContentType => "content_type",
            Self::Schema => "schema",
            Self::Envelope => "envelope",
            Self::ErrorCode => "error_code",
            Self::ErrorMessage => "error_message",
            Self::Pagination => "pagination",
            Self::Flow => "flow",
        }
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check's result. A finding without a source cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub check: CheckKind,
    pub strength: Strength,
    /// The step it concerns (`call`, `create`, `list` …).
    pub step: String,
    pub message: String,
    pub source: Source,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl Finding {
    pub fn new(check: CheckKind, strength: Strength, step: &str, message: impl Into<String>, source: Source) -> Self {
        Self { check, strength, step: step.to_owned(), message: message.into(), source, expected: None, actual: None }
    }

    pub fn failure(check: CheckKind, step: &str, message: impl Into<String>, source: Source) -> Self {
        Self::new(check, Strength::Failure, step, message, source)
    }

    pub fn observation(check: CheckKind, step: &str, message: impl Into<String>, source: Source) -> Self {
        Self::new(check, Strength::Observation, step, message, source)
    }

    #[must_use]
    pub fn with(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    pub fn is_failure(&self) -> bool {
        self.strength == Strength::Failure
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let strength = match self.strength {
            Strength::Failure => "failure",
            Strength::Observation => "observation",
        };
        write!(f, "{strength} {} [{}]: {} ({})", self.check, self.step, self.message, self.source)
    }
}
