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
    /// Every check kind, in the order reports list them.
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

    /// The kind's snake_case name, as `report.json`'s `check` spells it.
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
    /// Which check found it.
    pub check: CheckKind,
    /// Whether it fails the case (`failure`) or is only recorded (`observation`).
    pub strength: Strength,
    /// The step it concerns (`call`, `create`, `list` …).
    pub step: String,
    /// What was found, in one line.
    pub message: String,
    /// The documentation page, table and row the check relies on.
    pub source: Source,
    /// What the page requires (e.g. `at most 2`), where the check states it apart from the message.
    pub expected: Option<String>,
    /// What the target answered instead, where the check states it apart from the message.
    pub actual: Option<String>,
}

impl Finding {
    /// A finding with no expected/actual pair.
    pub fn new(check: CheckKind, strength: Strength, step: &str, message: impl Into<String>, source: Source) -> Self {
        Self { check, strength, step: step.to_owned(), message: message.into(), source, expected: None, actual: None }
    }

    /// A finding that fails the case.
    pub fn failure(check: CheckKind, step: &str, message: impl Into<String>, source: Source) -> Self {
        Self::new(check, Strength::Failure, step, message, source)
    }

    /// A finding only recorded: the pages leave the behaviour open.
    pub fn observation(check: CheckKind, step: &str, message: impl Into<String>, source: Source) -> Self {
        Self::new(check, Strength::Observation, step, message, source)
    }

    /// Adds what was expected and what the target answered.
    #[must_use]
    pub fn with(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    /// Whether it fails the case.
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
