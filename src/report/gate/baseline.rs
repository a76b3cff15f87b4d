//! Baselines for CI: the deviations a team knows about (case id + reason), and the gate that
//! passes when the only failing cases are listed ones.
//!
//! The gate fails on any new failing case (outcome `failed` or `error`), and also on a *stale*
//! entry: a listed case that now passes, so the list never rots. Listed cases that were skipped
//! or not run at all are reported as `not_run` and do not decide the gate.
//!
//! File format (TOML):
//! ```toml
//! version = 1
//!
//! [[known]]
//! case = "ges.v2.add_backup/auth/missing_token"
//! reason = "returns 403 instead of 401; tracked as TICKET-12"
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{CaseOutcome, CaseResult, Report, ReportError, Strength};

/// The baseline file format version.
pub const BASELINE_VERSION: u32 = 1;

/// Known deviations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The baseline file format's version.
    pub version: u32,
    /// The known deviations, one per case.
    #[serde(default)]
    pub known: Vec<KnownDeviation>,
}

/// One known deviation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDeviation {
    /// Canonical case id.
    pub case: String,
    /// Why the case is known to fail (kept across `hwconform baseline --keep-reasons`).
    pub reason: String,
}

/// What the gate found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GateResult {
    /// Failing cases the baseline does not list: these fail the gate.
    pub new_failures: Vec<String>,
    /// Failing cases the baseline lists.
    pub known_failures: Vec<String>,
    /// Listed cases that now pass: the baseline is stale, which fails the gate.
    pub stale: Vec<String>,
    /// Listed cases that were skipped or are not in the report.
    pub not_run: Vec<String>,
    /// Whether the gate passes: no unlisted failure and no stale entry.
    pub passed: bool,
}

impl Baseline {
    /// Reads a baseline file; errors are one line and name the file.
    pub fn read(path: &Path) -> Result<Self, ReportError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ReportError::Read { path: shown.clone(), message: super::io_message(&e) })?;
        Self::parse(&text, &shown)
    }

    /// Parses the text of a baseline; `name` is used in error messages.
    pub fn parse(text: &str, name: &str) -> Result<Self, ReportError> {
        let parse = |message: String| ReportError::Parse { path: name.to_owned(), message };
        let baseline: Baseline =
            toml::from_str(text).map_err(|e| parse(format!("invalid baseline: {}", e.message().trim())))?;
        if baseline.version != BASELINE_VERSION {
            return Err(parse(format!(
                "baseline version {} is not supported (expected {BASELINE_VERSION})",
                baseline.version
            )));
        }
        let mut seen = BTreeSet::new();
        if let Some(dup) = baseline.known.iter().find(|k| !seen.insert(k.case.as_str())) {
            return Err(parse(format!("case {} is listed twice", dup.case)));
        }
        Ok(baseline)
    }

    /// A baseline listing every failing case of `report`, each with a reason taken from its first
    /// failure finding (or its error).
    pub fn from_report(report: &Report) -> Self {
        let known = report
            .cases
            .iter()
            .filter(|c| is_failing(c))
            .map(|c| KnownDeviation { case: c.id.clone(), reason: reason_of(c) })
            .collect();
        Self { version: BASELINE_VERSION, known }
    }

    /// The baseline as TOML, with a header comment saying what it is.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# hwconform baseline: known deviations of this target (case id + reason).\n\
             # The CI gate passes while the only failing cases are listed here, and fails when a listed case passes\n\
             # again (remove it then). Regenerate with `hwconform baseline REPORT.json > baseline.toml`.\n",
        );
        let _ = writeln!(out, "version = {}", self.version);
        for k in &self.known {
            let _ = writeln!(out, "\n[[known]]\ncase = {}\nreason = {}", toml_string(&k.case), toml_string(&k.reason));
        }
        out
    }
}

/// Ids of the cases that did not pass and were not skipped (outcome `failed` or `error`), in
/// report order: what `--rerun-failed` runs again.
pub fn failed_case_ids(report: &Report) -> Vec<String> {
    report.cases.iter().filter(|c| is_failing(c)).map(|c| c.id.clone()).collect()
}

/// Judges `report` against `baseline`.
pub fn gate(report: &Report, baseline: &Baseline) -> GateResult {
    let listed: BTreeSet<&str> = baseline.known.iter().map(|k| k.case.as_str()).collect();
    let by_id: BTreeMap<&str, &CaseResult> = report.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut result = GateResult::default();
    for case in report.cases.iter().filter(|c| is_failing(c)) {
        if listed.contains(case.id.as_str()) {
            result.known_failures.push(case.id.clone());
        } else {
            result.new_failures.push(case.id.clone());
        }
    }
    for known in &baseline.known {
        match by_id.get(known.case.as_str()).map(|c| c.outcome) {
            Some(CaseOutcome::Passed) => result.stale.push(known.case.clone()),
            Some(CaseOutcome::Skipped) | None => result.not_run.push(known.case.clone()),
            Some(CaseOutcome::Failed | CaseOutcome::Error) => {}
        }
    }
    result.passed = result.new_failures.is_empty() && result.stale.is_empty();
    result
}

impl GateResult {
    /// A readable account, one line per case, closing with the verdict.
    pub fn render_text(&self, report: &Report) -> String {
        let by_id: BTreeMap<&str, &CaseResult> = report.cases.iter().map(|c| (c.id.as_str(), c)).collect();
        let mut out = String::new();
        let _ = writeln!(out, "New failures ({}):", self.new_failures.len());
        for id in &self.new_failures {
            let reason = by_id.get(id.as_str()).map(|c| reason_of(c)).unwrap_or_default();
            let _ = writeln!(out, "  ✗ {id}: {reason}");
        }
        let _ = writeln!(out, "Known failures, listed in the baseline ({}):", self.known_failures.len());
        for id in &self.known_failures {
            let _ = writeln!(out, "  · {id}");
        }
        let _ = writeln!(out, "Stale baseline entries, now passing: remove them ({}):", self.stale.len());
        for id in &self.stale {
            let _ = writeln!(out, "  ✓ {id}");
        }
        if !self.not_run.is_empty() {
            let _ = writeln!(out, "Listed but not run ({}):", self.not_run.len());
            for id in &self.not_run {
                let _ = writeln!(out, "  ⊘ {id}");
            }
        }
        let _ = writeln!(
            out,
            "Gate: {} ({} new failures, {} stale entries)",
            if self.passed { "passed" } else { "FAILED" },
            self.new_failures.len(),
            self.stale.len()
        );
        out
    }
}

fn is_failing(c: &CaseResult) -> bool {
    matches!(c.outcome, CaseOutcome::Failed | CaseOutcome::Error)
}

/// One line saying why a case fails: its first failure finding with source, or its error.
pub(crate) fn reason_of(c: &CaseResult) -> String {
    if let Some(f) = c.findings.iter().find(|f| f.strength == Strength::Failure) {
        return format!("{}: {} ({})", f.check, f.message, f.source).replace(['\r', '\n'], " ");
    }
    match (&c.outcome, &c.error) {
        (CaseOutcome::Error, Some(e)) => format!("could not test: {e}").replace(['\r', '\n'], " "),
        _ => "failed".into(),
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_round_trip() {
        let b = Baseline {
            version: 1,
            known: vec![KnownDeviation {
                case: "a/b".into(),
                reason: "quote \" back \\ nl \n tab \t bell \u{7}".into(),
            }],
        };
        assert_eq!(Baseline::parse(&b.to_toml(), "b.toml").unwrap(), b);
    }

    #[test]
    fn rejects_bad_baselines_in_one_line() {
        for (text, want) in [
            ("version = 2", "version 2 is not supported"),
            ("version = 1\n[[known]]\ncase = \"a\"", "missing field"),
            (
                "version = 1\n[[known]]\ncase = \"a\"\nreason = \"r\"\n[[known]]\ncase = \"a\"\nreason = \"r\"",
                "listed twice",
            ),
            ("not toml at all [", "invalid baseline"),
        ] {
            let err = Baseline::parse(text, "b.toml").unwrap_err().to_string();
            assert!(err.contains(want) && err.contains("b.toml") && !err.contains('\n'), "{text}: {err}");
        }
    }
}
