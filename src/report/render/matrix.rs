//! The compatibility matrix: operations × check categories, with pass/fail counts per cell.
//!
//! A case counts in the categories its kind exercises and in the category of each of its
//! findings. Kinds exercise: `positive` → status, schema; `violation`/`malformed` → status,
//! envelope, validation; `auth` → status, envelope, auth; `not_found`/`fault` → status, envelope,
//! error codes; `pagination` → status, schema, pagination; `flow` → status, schema, flows.
//! In each of its categories a tested case passes unless a finding of strength `failure` falls
//! in that category (a failed case without any failure finding fails in all of them); a skipped
//! case, or one that could not be tested, counts as untested.

use std::collections::{BTreeMap, BTreeSet};

use super::{CaseOutcome, CaseResult, Strength};

/// A column of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Status and content-type checks (every case kind has them).
    Status,
    /// Success bodies against their schemas.
    Schema,
    /// Error bodies in the API version's envelope.
    Envelope,
    /// Documented error codes and messages.
    ErrorCodes,
    /// Token and signature checks (`auth` cases).
    Auth,
    /// Documented request rules broken one at a time (`violation`, `malformed` cases).
    Validation,
    /// The list's limit, offset and total (`pagination` cases).
    Pagination,
    /// Several operations in sequence (`flow` cases).
    Flows,
    /// Findings of a check this version does not know.
    Other,
}

impl Category {
    /// Every column, in the order the matrix shows them.
    pub const ALL: [Category; 9] = [
        Self::Status,
        Self::Schema,
        Self::Envelope,
        Self::ErrorCodes,
        Self::Auth,
        Self::Validation,
        Self::Pagination,
        Self::Flows,
        Self::Other,
    ];

    /// The column's heading (`error codes`).
    pub fn label(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Schema => "schema",
            Self::Envelope => "envelope",
            Self::ErrorCodes => "error codes",
            Self::Auth => "auth",
            Self::Validation => "validation",
            Self::Pagination => "pagination",
            Self::Flows => "flows",
            Self::Other => "other",
        }
    }

    /// The category of a finding's `check`.
    pub fn of_check(check: &str) -> Self {
        match check {
            "status" | "content_type" | "header" | "headers" => Self::Status,
            "schema" => Self::Schema,
            "envelope" => Self::Envelope,
            "error_code" | "error_codes" | "error_message" => Self::ErrorCodes,
            "auth" => Self::Auth,
            "validation" => Self::Validation,
            "pagination" => Self::Pagination,
            "flow" | "flows" => Self::Flows,
            _ => Self::Other,
        }
    }

    /// The categories a case kind exercises.
    pub fn of_kind(kind: &str) -> &'static [Category] {
        match kind {
            "positive" => &[Self::Status, Self::Schema],
            "violation" | "malformed" => &[Self::Status, Self::Envelope, Self::Validation],
            "auth" => &[Self::Status, Self::Envelope, Self::Auth],
            "not_found" | "fault" => &[Self::Status, Self::Envelope, Self::ErrorCodes],
            "pagination" => &[Self::Status, Self::Schema, Self::Pagination],
            "flow" => &[Self::Status, Self::Schema, Self::Flows],
            _ => &[Self::Status],
        }
    }
}

/// Counts of one cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    /// Cases exercising the category with no failure in it (they may fail in another column).
    pub passed: usize,
    /// Failed cases whose failure falls in the category (or names none).
    pub failed: usize,
    /// Skipped or could not be tested.
    pub untested: usize,
}

impl Cell {
    /// Whether no case touched the cell (shown blank).
    pub fn is_empty(self) -> bool {
        self.passed + self.failed + self.untested == 0
    }

    /// `✓3 ✗1 ⊘2`, leaving out zero parts; `—` for an empty cell.
    pub fn text(self) -> String {
        if self.is_empty() {
            return "—".into();
        }
        let parts = [("✓", self.passed), ("✗", self.failed), ("⊘", self.untested)];
        parts.iter().filter(|(_, n)| *n > 0).map(|(m, n)| format!("{m}{n}")).collect::<Vec<_>>().join(" ")
    }
}

/// One operation's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    /// Id of the operation of the row.
    pub operation: String,
    /// The row's counts, by column; a missing column is an empty cell.
    pub cells: BTreeMap<Category, Cell>,
}

impl MatrixRow {
    /// The counts of one column (empty if no case touched it).
    pub fn cell(&self, category: Category) -> Cell {
        self.cells.get(&category).copied().unwrap_or_default()
    }
}

/// The matrix, one row per operation (sorted), and the columns worth showing (`other` only when
/// some finding falls there).
pub fn matrix(cases: &[CaseResult]) -> (Vec<Category>, Vec<MatrixRow>) {
    let mut rows: BTreeMap<&str, BTreeMap<Category, Cell>> = BTreeMap::new();
    for case in cases {
        let cells = rows.entry(case.operation.as_str()).or_default();
        let failing: BTreeSet<Category> = case
            .findings
            .iter()
            .filter(|f| f.strength == Strength::Failure)
            .map(|f| Category::of_check(&f.check))
            .collect();
        let mut categories: BTreeSet<Category> = Category::of_kind(&case.kind).iter().copied().collect();
        categories.extend(case.findings.iter().map(|f| Category::of_check(&f.check)));
        for category in categories {
            let cell = cells.entry(category).or_default();
            match case.outcome {
                CaseOutcome::Skipped | CaseOutcome::Error => cell.untested += 1,
                CaseOutcome::Failed if failing.is_empty() || failing.contains(&category) => cell.failed += 1,
                CaseOutcome::Passed | CaseOutcome::Failed => cell.passed += 1,
            }
        }
    }
    let rows: Vec<MatrixRow> =
        rows.into_iter().map(|(op, cells)| MatrixRow { operation: op.to_owned(), cells }).collect();
    let show_other = rows.iter().any(|r| !r.cell(Category::Other).is_empty());
    let columns = Category::ALL.into_iter().filter(|c| *c != Category::Other || show_other).collect();
    (columns, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_the_suite_names_has_a_column() {
        let checks =
            ["status", "content_type", "schema", "envelope", "error_code", "error_message", "pagination", "flow"];
        for check in checks {
            assert_ne!(Category::of_check(check), Category::Other, "{check}");
        }
        assert_eq!(Category::of_check("something_new"), Category::Other);
    }

    #[test]
    fn every_case_kind_exercises_status_and_more() {
        for kind in ["positive", "violation", "auth", "not_found", "pagination", "flow", "malformed", "fault"] {
            let cats = Category::of_kind(kind);
            assert!(cats.contains(&Category::Status) && cats.len() > 1, "{kind}");
        }
    }

    #[test]
    fn cell_text() {
        assert_eq!(Cell::default().text(), "—");
        assert_eq!(Cell { passed: 3, failed: 0, untested: 2 }.text(), "✓3 ⊘2");
    }
}
