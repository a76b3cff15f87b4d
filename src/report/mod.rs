//! Results and their renderers: one result model ([`Report`], serialised as `report.json`), many
//! pure renderers over it (JSON, JUnit, Markdown, HTML), plus what CI needs around them:
//! redaction, verdicts, coverage, baselines and the gate, and report diffs. Reports never
//! execute anything.

mod baseline;
mod coverage;
mod diff;
mod error;
mod format;
mod html;
mod io;
mod json;
mod junit;
mod markdown;
pub mod matrix;
mod model;
mod redact;
mod summary;
mod verdict;
mod view;

pub use baseline::{BASELINE_VERSION, Baseline, GateResult, KnownDeviation, failed_case_ids, gate};
pub use coverage::{coverage, coverage_counts};
pub use diff::{OutcomeChange, ReportDiff, diff_reports};
pub use error::ReportError;
pub use format::Format;
pub use html::render_html;
pub use io::{io_message, parse_report, read_report, render, write_reports};
pub use json::render_json;
pub use junit::render_junit;
pub use markdown::render_markdown;
pub use model::{
    BiteRecord, CaseOutcome, CaseResult, CleanupState, Coverage, CreatedResource, DriftRecord, ErratumRecord,
    ErrorKind, ExchangeRecord, ExpectationRecord, FamilyVerdict, FindingRecord, Provenance, Report, RequestRecord,
    ResourceRecord, ResponseRecord, RowCoverage, RunEnding, SCHEMA_VERSION, StepExpectationRecord, Strength, Summary,
    TargetInfo, ToolInfo, TransportKind, Verdict, WaitRecord,
};
pub use redact::{MASK, SENSITIVE_HEADERS, redact_report, redact_report_with};
pub use summary::{errata_records, summary_of};
pub use verdict::{family_errors, family_verdicts};
