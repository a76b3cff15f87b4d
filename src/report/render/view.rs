//! Small helpers the human-readable renderers share: labels, and the figures they derive from
//! the model where the model leaves them out (so an older or partial `report.json` still renders).

use std::borrow::Cow;
use std::fmt::Write as _;

use super::{CaseOutcome, FamilyVerdict, Report, Strength, Verdict, family_verdicts};
use crate::catalogue::Source;

/// The family verdicts stored in the report, or computed from its cases when it has none.
pub(super) fn families(report: &Report) -> Cow<'_, [FamilyVerdict]> {
    if report.families.is_empty() {
        Cow::Owned(family_verdicts(&report.cases))
    } else {
        Cow::Borrowed(&report.families)
    }
}

pub(super) fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Success => "success",
        Verdict::Partial => "partial",
        Verdict::Failure => "failure",
    }
}

pub(crate) fn outcome_label(o: CaseOutcome) -> &'static str {
    match o {
        CaseOutcome::Passed => "passed",
        CaseOutcome::Failed => "failed",
        CaseOutcome::Skipped => "skipped",
        CaseOutcome::Error => "error",
    }
}

pub(super) fn strength_label(s: Strength) -> &'static str {
    match s {
        Strength::Failure => "failure",
        Strength::Observation => "observation",
    }
}

/// `page · table · row (note)`.
pub(super) fn source_text(s: &Source) -> String {
    match &s.note {
        Some(note) => format!("{s} ({note})"),
        None => s.to_string(),
    }
}

/// The overall verdict: the worst of the families' (`partial` when there is no family).
pub(super) fn overall(families: &[FamilyVerdict]) -> Verdict {
    if families.iter().any(|f| f.verdict == Verdict::Failure) {
        Verdict::Failure
    } else if !families.is_empty() && families.iter().all(|f| f.verdict == Verdict::Success) {
        Verdict::Success
    } else {
        Verdict::Partial
    }
}

/// A case's expectation, one line per step (label, statuses, schema or envelope, error code),
/// then the rule across steps; empty for reports written before expectations were recorded.
pub(super) fn expectation_lines(case: &super::CaseResult) -> Vec<String> {
    let Some(e) = &case.expectation else { return Vec::new() };
    let mut lines: Vec<String> = e
        .steps
        .iter()
        .map(|s| {
            let mut line = format!("{}: {}", s.step, s.description);
            if let Some(schema) = &s.schema {
                let _ = write!(line, "; schema {schema}");
            }
            if let Some(envelope) = &s.envelope {
                let _ = write!(line, "; envelope {envelope}");
            }
            line
        })
        .collect();
    if let Some(r) = &e.relation {
        lines.push(format!("across steps: {r}"));
    }
    lines
}
