//! Which generated cases `hwconform run` runs: all, those matching `--only`, and with
//! `--rerun-failed REPORT.json` only those that failed (or could not be tested) in that report.
//! Ids the report names but the catalogue no longer generates are reported, never fatal.

use std::collections::BTreeSet;
use std::path::Path;

use crate::generate::Case;
use crate::report::{failed_case_ids, read_report};
use crate::runner::UsageError;

/// The cases chosen, and what the user should be told about the choice.
#[derive(Debug)]
pub(super) struct Selection {
    pub cases: Vec<Case>,
    /// One-line notes (failed ids no longer generated), printed on stderr.
    pub notes: Vec<String>,
    /// `--rerun-failed` named a report without a failing case: nothing to run, not an error.
    pub nothing_failed: bool,
}

/// Filters `cases` by `only` and the failures of the report at `rerun`.
pub(super) fn select(cases: Vec<Case>, only: Option<&str>, rerun: Option<&Path>) -> Result<Selection, UsageError> {
    let mut cases: Vec<Case> =
        cases.into_iter().filter(|c| only.is_none_or(|p| super::cases::matches(c.id.as_str(), p))).collect();
    let mut notes = Vec::new();
    if let Some(path) = rerun {
        let report = read_report(path).map_err(UsageError::Input)?;
        let failed = failed_case_ids(&report);
        if failed.is_empty() {
            return Ok(Selection { cases: Vec::new(), notes, nothing_failed: true });
        }
        let wanted: BTreeSet<&str> = failed.iter().map(String::as_str).collect();
        let generated: BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        let gone: Vec<&str> = wanted.iter().copied().filter(|id| !generated.contains(id)).collect();
        if !gone.is_empty() {
            let why =
                if only.is_some() { "not generated any more or left out by --only" } else { "not generated any more" };
            notes.push(format!("{} failed case(s) of {} {why}: {}", gone.len(), path.display(), gone.join(", ")));
        }
        cases.retain(|c| wanted.contains(c.id.as_str()));
        if cases.is_empty() {
            return Err(UsageError::NothingToRerun(format!(
                "the {} failed case(s) of {}",
                failed.len(),
                path.display()
            )));
        }
    }
    if cases.is_empty() {
        return Err(UsageError::NoCases(only.unwrap_or_default().to_owned()));
    }
    Ok(Selection { cases, notes, nothing_failed: false })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::generate::generate;

    #[test]
    fn only_filters_and_a_missing_report_is_an_input_error() {
        let all = generate(&Catalogue::builtin().unwrap());
        let n = all.len();
        let sel = select(all.clone(), Some("auth/missing_token"), None).unwrap();
        assert!(!sel.cases.is_empty() && sel.cases.len() < n);
        let err = select(all.clone(), None, Some(Path::new("/nonexistent/report.json"))).unwrap_err().to_string();
        assert_eq!(err, "read /nonexistent/report.json: no such file or directory");
        assert!(matches!(select(all, Some("no-such-case"), None), Err(UsageError::NoCases(_))));
    }
}
