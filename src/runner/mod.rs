//! A run of the suite against one target: start the reference server if asked, run the cases,
//! and build the report.

mod case;
mod created;
mod error;
mod expectation;
mod reference;
mod report;
mod suite;

pub use case::{CaseRun, RUN_TIMEOUT, conclude, run_case, skip_reason};
pub use created::created_resources;
pub use error::RunError;
pub use expectation::expectation_record;
pub use reference::{start_reference, start_reference_with};
pub use report::{build_report, case_result, run_redactor};
pub use suite::{run_cases, run_cases_with, shares_state};
