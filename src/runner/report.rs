//! Builds the `report.json` model from the runs: summary, family verdicts, per-case results with
//! redacted exchanges, errata, and coverage of documented table rows.

use std::collections::BTreeMap;

use crate::catalogue::Catalogue;
use crate::execute::StepExchange;
use crate::generate::Case;
use crate::profile::TargetProfile;
use crate::report::{
    CaseOutcome, CaseResult, Coverage, ErratumRecord, ExchangeRecord, FamilyVerdict, Report, RequestRecord,
    ResponseRecord, RowCoverage, SCHEMA_VERSION, Strength, Summary, TargetInfo, ToolInfo, Verdict,
};

use super::case::CaseRun;

/// Replaces every credential's value wherever it appears (belt and braces: none is recorded), including
/// credentials the strategy obtained during the run (an IAM token).
fn redact(text: &str, profile: &TargetProfile) -> String {
    let mut redactor = profile.redactor.clone();
    profile.auth.secrets().iter().for_each(|s| redactor.add(s));
    redactor.redact(text)
}

fn exchange_record(ex: &StepExchange, profile: &TargetProfile) -> ExchangeRecord {
    let r = |s: &str| redact(s, profile);
    ExchangeRecord {
        request: RequestRecord {
            method: ex.request.method.clone(),
            url: r(&ex.request.url),
            headers: ex.request.headers.iter().map(|(k, v)| (k.clone(), r(v))).collect(),
            body: ex.request.body.as_deref().map(r),
        },
        response: ex.received().map(|rx| ResponseRecord {
            status: rx.status,
            headers: rx.headers.iter().map(|(k, v)| (k.clone(), r(v))).collect(),
            body: Some(r(&rx.body)),
        }),
        error: ex.response.as_ref().err().map(|e| r(e)),
        duration_ms: u64::try_from(ex.duration.as_millis()).unwrap_or(u64::MAX),
    }
}

/// One case's result record.
pub fn case_result(case: &Case, run: &CaseRun, profile: &TargetProfile) -> CaseResult {
    CaseResult {
        id: case.id.to_string(),
        operation: case.operation.clone(),
        family: case.family.clone(),
        kind: case.kind.as_str().to_owned(),
        rationale: case.rationale.clone(),
        mutating: case.mutating,
        outcome: run.outcome,
        findings: run
            .findings
            .iter()
            .map(|f| {
                let mut rec = f.record();
                rec.message = redact(&rec.message, profile);
                rec
            })
            .collect(),
        skip_reason: run.skip_reason.clone(),
        error: run.error.as_deref().map(|e| redact(e, profile)),
        duration_ms: u64::try_from(run.duration.as_millis()).unwrap_or(u64::MAX),
        sources: case.sources.clone(),
        exchanges: run.exchange.steps.iter().map(|ex| exchange_record(ex, profile)).collect(),
        drift: None,
    }
}

/// The whole report.
pub fn build_report(
    catalogue: &Catalogue,
    profile: &TargetProfile,
    results: Vec<CaseResult>,
    started_at: String,
) -> Report {
    let mut summary = Summary { total: results.len(), ..Summary::default() };
    let mut families: BTreeMap<String, FamilyVerdict> = BTreeMap::new();
    for r in &results {
        let fam = families.entry(r.family.clone()).or_insert_with(|| FamilyVerdict {
            family: r.family.clone(),
            verdict: Verdict::Success,
            core_passed: 0,
            core_failed: 0,
            extended_observations: 0,
            skipped: 0,
            skip_reasons: Vec::new(),
        });
        let observations = r.findings.iter().filter(|f| f.strength == Strength::Observation).count();
        summary.observations += observations;
        fam.extended_observations += observations;
        match r.outcome {
            CaseOutcome::Passed => {
                summary.passed += 1;
                fam.core_passed += 1;
            }
            CaseOutcome::Failed => {
                summary.failed += 1;
                fam.core_failed += 1;
            }
            CaseOutcome::Skipped => {
                summary.skipped += 1;
                fam.skipped += 1;
                if let Some(reason) = &r.skip_reason
                    && !fam.skip_reasons.contains(reason)
                {
                    fam.skip_reasons.push(reason.clone());
                }
            }
            CaseOutcome::Error => summary.errors += 1,
        }
        if r.drift.is_some() {
            summary.drift += 1;
        }
    }
    for fam in families.values_mut() {
        fam.verdict = if fam.core_failed > 0 {
            Verdict::Failure
        } else if fam.skipped > 0 {
            Verdict::Partial
        } else {
            Verdict::Success
        };
    }
    let mut rows = Vec::new();
    for page in catalogue.rows() {
        for table in &page.tables {
            for row in &table.rows {
                let cases = results
                    .iter()
                    .filter(|r| {
                        r.sources
                            .iter()
                            .any(|s| s.page == page.page && s.table == table.table && (s.row == *row || s.row == "*"))
                    })
                    .count();
                rows.push(RowCoverage { page: page.page.clone(), table: table.table.clone(), row: row.clone(), cases });
            }
        }
    }
    let mut endpoints = profile.file.endpoints.clone();
    for v in endpoints.values_mut() {
        *v = redact(v, profile);
    }
    let created_resources = super::created::created_resources(&results);
    Report {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo { name: "hwconform".into(), version: env!("CARGO_PKG_VERSION").into() },
        started_at,
        target: TargetInfo {
            profile: profile.name().to_owned(),
            endpoints,
            auth: profile.auth.scheme().into(),
            fault_injection: profile.file.fault_injection,
            reference_server: profile.file.reference_server,
        },
        summary,
        families: families.into_values().collect(),
        cases: results,
        errata: catalogue
            .errata()
            .iter()
            .map(|e| ErratumRecord {
                id: e.id.clone(),
                operation: e.operation.to_string(),
                reason: e.reason.clone(),
                decision: e.decision.clone(),
                source: e.source.clone(),
            })
            .collect(),
        coverage: Some(Coverage { rows }),
        created_resources,
    }
}
