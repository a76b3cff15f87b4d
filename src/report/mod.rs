//! Results and their renderers: one result model ([`Report`], serialised as `report.json`), many
//! pure renderers over it (JSON, JUnit, Markdown, HTML), plus what CI needs around them:
//! redaction, verdicts, coverage, baselines and the gate, and report diffs. Reports never
//! execute anything.

mod error;
mod families;
mod format;
mod gate;
mod io;
mod model;
mod redact;
pub mod render;
mod summary;

pub use error::ReportError;
pub use families::{family_errors, family_verdicts};
pub use format::Format;
pub use gate::{
    BASELINE_VERSION, Baseline, GateResult, KnownDeviation, OutcomeChange, ReportDiff, coverage, coverage_counts,
    diff_reports, failed_case_ids, gate,
};
pub use io::{io_message, parse_report, read_report, render, write_reports};
pub use model::{
    BiteRecord, CaseOutcome, CaseResult, CleanupState, Coverage, CreatedResource, DriftRecord, ErratumRecord,
    ErrorKind, ExchangeRecord, ExpectationRecord, FamilyVerdict, FindingRecord, Provenance, Report, RequestRecord,
    ResourceRecord, ResponseRecord, RowCoverage, RunEnding, SCHEMA_VERSION, StepExpectationRecord, Strength, Summary,
    TargetInfo, ToolInfo, TransportKind, Verdict, WaitRecord,
};
pub use redact::{MASK, SENSITIVE_HEADERS, redact_report, redact_report_with};
pub use render::{matrix, render_html, render_json, render_junit, render_markdown};
pub use summary::{errata_records, summary_of};
