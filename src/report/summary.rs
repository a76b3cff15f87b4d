//! Figures the suite derives from its cases when it assembles a [`Report`](super::Report): the
//! summary counts and the errata records, computed one way for every caller.

use super::{CaseOutcome, CaseResult, ErratumRecord, Strength, Summary};
use crate::catalogue::Catalogue;

/// The summary of `cases`: counts per outcome, cases with drift, and observation findings.
pub fn summary_of(cases: &[CaseResult]) -> Summary {
    let count = |o: CaseOutcome| cases.iter().filter(|c| c.outcome == o).count();
    Summary {
        total: cases.len(),
        passed: count(CaseOutcome::Passed),
        failed: count(CaseOutcome::Failed),
        skipped: count(CaseOutcome::Skipped),
        errors: count(CaseOutcome::Error),
        drift: cases.iter().filter(|c| c.drift.is_some()).count(),
        observations: cases.iter().flat_map(|c| &c.findings).filter(|f| f.strength == Strength::Observation).count(),
        // Counted from the report's resources once they are known (they are not a case's).
        leftovers: 0,
    }
}

/// The catalogue's documentation errata as report records.
pub fn errata_records(catalogue: &Catalogue) -> Vec<ErratumRecord> {
    catalogue
        .errata()
        .iter()
        .map(|e| ErratumRecord {
            id: e.id.clone(),
            operation: e.operation.to_string(),
            reason: e.reason.clone(),
            decision: e.decision.clone(),
            source: e.source.clone(),
        })
        .collect()
}
