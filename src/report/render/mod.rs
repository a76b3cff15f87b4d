//! The renderers: pure functions from a [`Report`] to text (JSON, JUnit, Markdown, HTML), and the
//! views they share (labels, the operation × category matrix). Renderers never compute a verdict
//! the model does not hold, except to fill in what an older report lacks.

mod html;
mod json;
mod junit;
mod markdown;
pub mod matrix;
mod view;

// The model and figures the renderers read, named for them as `super::…`.
use super::{
    CaseOutcome, CaseResult, ExchangeRecord, FamilyVerdict, FindingRecord, Report, ReportError, Strength, Verdict,
    coverage_counts, family_errors, family_verdicts,
};

pub use html::render_html;
pub use json::render_json;
pub use junit::render_junit;
pub use markdown::render_markdown;
pub(super) use view::outcome_label;
