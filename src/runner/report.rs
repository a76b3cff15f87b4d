//! Builds the `report.json` model from the runs: per-case results (exchanges, findings,
//! expectation), then the figures the report layer derives one way for every caller (summary,
//! family verdicts, errata, coverage), and finally redaction of every string with the run's
//! secrets ([`redact_report_with`]) before anything can be written.

use crate::auth::Redactor;
use crate::catalogue::Catalogue;
use crate::execute::StepExchange;
use crate::generate::Case;
use crate::profile::TargetProfile;
use crate::report::{
    CaseResult, ExchangeRecord, Report, RequestRecord, ResponseRecord, SCHEMA_VERSION, TargetInfo, ToolInfo, coverage,
    errata_records, family_verdicts, redact_report_with, summary_of,
};

use super::case::CaseRun;
use super::expectation::expectation_record;

fn exchange_record(ex: &StepExchange) -> ExchangeRecord {
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
            body: Some(rx.body.clone()),
        }),
        error: ex.response.as_ref().err().cloned(),
        duration_ms: u64::try_from(ex.duration.as_millis()).unwrap_or(u64::MAX),
    }
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
        outcome: run.outcome,
        findings: run.findings.iter().map(|f| f.record()).collect(),
        skip_reason: run.skip_reason.clone(),
        error: run.error.clone(),
        duration_ms: u64::try_from(run.duration.as_millis()).unwrap_or(u64::MAX),
        sources: case.sources.clone(),
        exchanges: run.exchange.steps.iter().map(exchange_record).collect(),
        drift: None,
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
pub fn build_report(
    catalogue: &Catalogue,
    profile: &TargetProfile,
    results: Vec<CaseResult>,
    started_at: String,
) -> Report {
    let created_resources = super::created::created_resources(&results);
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
        summary: summary_of(&results),
        families: family_verdicts(&results),
        coverage: Some(coverage(catalogue, &results)),
        errata: errata_records(catalogue),
        cases: results,
        created_resources,
        bite: crate::selftest::bite_record(catalogue),
    };
    redact_report_with(&report, &run_redactor(profile))
}
