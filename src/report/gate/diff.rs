//! Comparing two reports of the same suite: new failures (regressions), fixes, cases that
//! appeared or disappeared, other outcome changes and drift changes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::baseline::reason_of;
use super::outcome_label;
use super::{CaseOutcome, CaseResult, Report};

/// How two reports differ. Lists are sorted by case id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportDiff {
    /// Cases failing (outcome `failed` or `error`) in the new report that did not fail in the
    /// old one, new cases included: these are regressions.
    pub new_failures: Vec<OutcomeChange>,
    /// Cases failing in the old report that pass in the new one.
    pub fixes: Vec<OutcomeChange>,
    /// Any other change of outcome (e.g. passed → skipped, failed → error).
    pub other_changes: Vec<OutcomeChange>,
    /// Ids of cases in the new report only.
    pub new_cases: Vec<String>,
    /// Ids of cases in the old report only.
    pub removed_cases: Vec<String>,
    /// Cases with drift now, none before.
    pub drift_appeared: Vec<String>,
    /// Cases with drift before, none now.
    pub drift_resolved: Vec<String>,
    /// Cases with drift in both, but a different diff.
    pub drift_changed: Vec<String>,
}

/// One case whose outcome differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeChange {
    /// The case's id.
    pub case: String,
    /// `None` for a case the old report does not have.
    pub old: Option<CaseOutcome>,
    /// Its outcome in the new report.
    pub new: CaseOutcome,
    /// Why it fails now (for regressions), else empty.
    pub reason: String,
}

impl ReportDiff {
    /// Whether the new report regresses (a new failure): `hwconform diff` exits 1 then.
    pub fn has_regressions(&self) -> bool {
        !self.new_failures.is_empty()
    }

    /// A readable account of the differences.
    pub fn render_text(&self, old: &Report, new: &Report) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "hwconform diff: {} cases (started {}) → {} cases (started {})",
            old.cases.len(),
            old.started_at,
            new.cases.len(),
            new.started_at
        );
        let outcome = |o: Option<CaseOutcome>| o.map_or("absent", outcome_label);
        let section = |o: &mut String, title: &str, mark: &str, list: &[OutcomeChange]| {
            let _ = writeln!(o, "\n{title} ({}):", list.len());
            for c in list {
                let _ = write!(o, "  {mark} {}: {} → {}", c.case, outcome(c.old), outcome_label(c.new));
                if !c.reason.is_empty() {
                    let _ = write!(o, ": {}", c.reason);
                }
                let _ = writeln!(o);
            }
        };
        section(&mut o, "Regressions", "✗", &self.new_failures);
        section(&mut o, "Fixes", "✓", &self.fixes);
        if !self.other_changes.is_empty() {
            section(&mut o, "Other outcome changes", "~", &self.other_changes);
        }
        let ids = |o: &mut String, title: &str, mark: &str, list: &[String]| {
            if !list.is_empty() {
                let _ = writeln!(o, "\n{title} ({}):", list.len());
                for id in list {
                    let _ = writeln!(o, "  {mark} {id}");
                }
            }
        };
        ids(&mut o, "New cases", "+", &self.new_cases);
        ids(&mut o, "Removed cases", "-", &self.removed_cases);
        let _ = writeln!(
            o,
            "\nDrift: {} appeared, {} resolved, {} changed",
            self.drift_appeared.len(),
            self.drift_resolved.len(),
            self.drift_changed.len()
        );
        ids(&mut o, "Drift appeared", "+", &self.drift_appeared);
        ids(&mut o, "Drift resolved", "-", &self.drift_resolved);
        ids(&mut o, "Drift changed", "~", &self.drift_changed);
        let _ = writeln!(
            o,
            "\nResult: {}",
            if self.has_regressions() {
                format!("{} regression{}", self.new_failures.len(), if self.new_failures.len() == 1 { "" } else { "s" })
            } else {
                "no regressions".to_owned()
            }
        );
        o
    }
}

/// The differences from `old` to `new`.
pub fn diff_reports(old: &Report, new: &Report) -> ReportDiff {
    let old_cases: BTreeMap<&str, &CaseResult> = old.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let new_cases: BTreeMap<&str, &CaseResult> = new.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let failing = |o: CaseOutcome| matches!(o, CaseOutcome::Failed | CaseOutcome::Error);
    let mut d = ReportDiff::default();
    for (id, n) in &new_cases {
        let o = old_cases.get(id);
        let old_outcome = o.map(|c| c.outcome);
        let change =
            |reason: String| OutcomeChange { case: (*id).to_owned(), old: old_outcome, new: n.outcome, reason };
        match old_outcome {
            None => d.new_cases.push((*id).to_owned()),
            Some(prev) if prev == n.outcome => {}
            Some(prev) if failing(prev) && n.outcome == CaseOutcome::Passed => d.fixes.push(change(String::new())),
            Some(prev) if !failing(prev) && failing(n.outcome) => {}
            Some(_) => d.other_changes.push(change(String::new())),
        }
        if failing(n.outcome) && !old_outcome.is_some_and(failing) {
            d.new_failures.push(change(reason_of(n)));
        }
        match (o.and_then(|c| c.drift.as_ref()), n.drift.as_ref()) {
            (None, Some(_)) => d.drift_appeared.push((*id).to_owned()),
            (Some(_), None) => d.drift_resolved.push((*id).to_owned()),
            (Some(a), Some(b)) if a.diff != b.diff => d.drift_changed.push((*id).to_owned()),
            _ => {}
        }
    }
    d.removed_cases = old_cases.keys().filter(|id| !new_cases.contains_key(*id)).map(|id| (*id).to_owned()).collect();
    d
}
