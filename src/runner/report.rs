//! Builds the `report.json` model from the runs: per-case results (exchanges, findings,
//! expectation), then the figures the report layer derives one way for every caller (summary,
//! family verdicts, errata, coverage), and finally redaction of every string with the run's
//! secrets ([`redact_report_with`]) before anything can be written.

use crate::auth::Redactor;
use crate::catalogue::Catalogue;

use crate::check::Finding;
use crate::execute::{StepError, StepExchange};
use crate::generate::Case;
use crate::normalise::Drift;
use crate::profile::TargetProfile;
use crate::report::{
    CaseOutcome, CaseResult, CleanupState, DriftRecord, ErrorKind, ExchangeRecord, FindingRecord, Report,
    RequestRecord, ResourceRecord, ResponseRecord, RunEnding, SCHEMA_VERSION, TargetInfo, ToolInfo, coverage,
    errata_records, family_verdicts, redact_report_with, summary_of,
};

use super::case::CaseRun;
use super::expectation::expectation_record;
use super::outcome::CaseError;

fn exchange_record(ex: &StepExchange) -> ExchangeRecord {
    let failure = ex.response.as_ref().err();
    ExchangeRecord {
        request: RequestRecord {
            method: ex.request.method.clone(),
            url: ex.request.url.clone(),
            headers: ex.request.headers.clone(),
            body: ex.request.body.clone(),
        },
        response: ex.received().map(|rx| ResponseRecord {
            status: rx.status,
            headers: rx.headers.clone(),
            // The excerpt: size, hash and whether the body was cut on reading are recorded beside it.
            body: Some(rx.excerpt().to_owned()),
            body_size: Some(rx.size),
            body_sha256: Some(rx.sha256.clone()),
            body_truncated: rx.truncated,
        }),
        error: failure.map(StepError::line),
        transport_error: failure.and_then(StepError::transport).map(|t| t.kind),
        retries: ex.retries,
        duration_ms: u64::try_from(ex.duration.as_millis()).unwrap_or(u64::MAX),
    }
}

/// The report's form of a finding (its step named in the message).
fn finding_record(f: &Finding) -> FindingRecord {
    FindingRecord {
        check: f.check.as_str().to_owned(),
        strength: f.strength,
        message: format!("[{}] {}", f.step, f.message),
        source: f.source.clone(),
        expected: f.expected.clone(),
        actual: f.actual.clone(),
    }
}

/// The report's form of drift from a recorded snapshot.
pub fn drift_record(drift: Drift) -> DriftRecord {
    DriftRecord { snapshot: drift.snapshot.display().to_string(), diff: drift.diff }
}

/// One case's result record, not yet redacted: it becomes safe to write only inside the report
/// [`build_report`] returns.
pub fn case_result(case: &Case, run: &CaseRun) -> CaseResult {
    CaseResult {
        id: case.id.to_string(),
        operation: case.operation.clone(),
        family: case.family.clone(),
        kind: case.kind.as_str().to_owned(),
        rationale: case.rationale.clone(),
        mutating: case.mutating,
        outcome: run.outcome.flat(),
        findings: run.findings.iter().map(finding_record).collect(),
        skip_reason: run.outcome.skip_reason().map(ToString::to_string),
        error: run.outcome.error().map(ToString::to_string),
        error_kind: run.outcome.error().map(CaseError::kind),
        retries: run.exchange.retries(),
        duration_ms: u64::try_from(run.duration.as_millis()).unwrap_or(u64::MAX),
        sources: case.sources.clone(),
        exchanges: run.exchange.steps.iter().map(exchange_record).collect(),
        drift: None,
        waits: run.exchange.waits.clone(),
        expectation: Some(expectation_record(case)),
    }
}

/// The redactor of a run: it knows every secret the run holds.
pub fn run_redactor(profile: &TargetProfile) -> Redactor {
    // The profile's own redactor, plus what the strategy obtained during the run (an IAM token).
    let mut redactor = profile.redactor.clone();
    profile.auth.secrets().iter().for_each(|s| redactor.add(s));
    redactor
}

/// The whole report, redacted with the run's secrets.
pub(super) fn build_report(
    catalogue: &Catalogue,
    profile: &TargetProfile,
    results: Vec<CaseResult>,
    resources: Vec<ResourceRecord>,
    started_at: String,
) -> Report {
    let created_resources = super::created::created_resources(&results);
    let mut summary = summary_of(&results);
    summary.leftovers = resources.iter().filter(|r| r.cleanup.as_ref().is_some_and(CleanupState::is_left)).count();
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo { name: "hwconform".into(), version: env!("CARGO_PKG_VERSION").into() },
        started_at,
        target: TargetInfo {
            profile: profile.name().to_owned(),
            endpoints: profile.file.endpoints.clone(),
            auth: profile.auth.scheme().into(),
            fault_injection: profile.file.fault_injection,
            reference_server: profile.file.reference_server,
        },
        summary,
        families: family_verdicts(&results),
        coverage: Some(coverage(catalogue, &results)),
        errata: errata_records(catalogue),
        ending: ending_of(&results),
        cases: results,
        created_resources,
        resources,
        bite: crate::selftest::bite_record(catalogue),
    };
    redact_report_with(&report, &run_redactor(profile))
}

/// How the run ended, read from its cases' error kinds: cut short by the deadline or an interruption,
/// or unreachable when every case that sent something got no answer at the transport level.
pub fn ending_of(results: &[CaseResult]) -> RunEnding {
    let kind = |k: ErrorKind| results.iter().any(|c| c.error_kind == Some(k));
    if kind(ErrorKind::Interrupted) {
        return RunEnding::Interrupted;
    }
    if kind(ErrorKind::RunTimeout) {
        return RunEnding::RunTimeout;
    }
    let mut ran = results.iter().filter(|c| c.outcome != CaseOutcome::Skipped).peekable();
    if ran.peek().is_some() && ran.all(|c| c.error_kind == Some(ErrorKind::Transport)) {
        return RunEnding::Unreachable;
    }
    RunEnding::Completed
}
