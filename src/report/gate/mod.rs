//! What CI needs around a report: the baseline of known deviations and the gate over it, the diff
//! of two reports, and the coverage of documented rows.

mod baseline;
mod coverage;
mod diff;

// The model the gate reads, named for it as `super::…`.
use super::render::outcome_label;
use super::{CaseOutcome, CaseResult, Coverage, Report, ReportError, RowCoverage, Strength, io_message};

pub use baseline::{BASELINE_VERSION, Baseline, GateResult, KnownDeviation, failed_case_ids, gate};
pub use coverage::{coverage, coverage_counts};
pub use diff::{OutcomeChange, ReportDiff, diff_reports};
