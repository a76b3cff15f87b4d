//! One case from start to result: skip if the target cannot run it, execute, check, and decide the
//! outcome from the findings (never from the exchange directly).

use std::time::{Duration, Instant};

use crate::check::{Finding, check};
use crate::execute::{Exchange, Target, execute};
use crate::generate::{Case, Requirement};
use crate::profile::TargetProfile;
use crate::report::CaseOutcome;

/// A case's run.
#[derive(Debug, Clone)]
pub struct CaseRun {
    pub outcome: CaseOutcome,
    pub findings: Vec<Finding>,
    pub exchange: Exchange,
    pub skip_reason: Option<String>,
    pub error: Option<String>,
    pub duration: Duration,
}

impl CaseRun {
    /// A case that sent nothing: skipped with a reason, or lost before it could report.
    pub fn not_run(outcome: CaseOutcome, skip_reason: Option<String>, error: Option<String>) -> Self {
        Self {
            outcome,
            findings: Vec::new(),
            exchange: Exchange::default(),
            skip_reason,
            error,
            duration: Duration::ZERO,
        }
    }
}

/// Why the target cannot run `case`, if it cannot.
pub fn skip_reason(case: &Case, profile: &TargetProfile) -> Option<String> {
    for r in &case.requires {
        match r {
            Requirement::FaultInjection if !profile.file.fault_injection => {
                return Some("the target profile has no fault-injection control (fault_injection = false)".into());
            }
            Requirement::OwnProject if !profile.file.isolate_projects => {
                return Some("needs a project of its own; the target profile uses one fixed project".into());
            }
            Requirement::FixedToken if profile.auth.token().is_none() => {
                return Some(
                    "near-miss tokens are made from a fixed token; the profile authenticates otherwise".into(),
                );
            }
            _ => {}
        }
    }
    if case.mutating && profile.file.read_only {
        return Some("creates resources; the run is read-only (--read-only or read_only = true)".into());
    }
    if case.mutating && !profile.file.allow_mutating {
        return Some("creates resources; the target profile does not allow it (allow_mutating = false)".into());
    }
    None
}

/// The outcome of an executed case.
pub fn conclude(exchange: Exchange, findings: Vec<Finding>, duration: Duration) -> CaseRun {
    let failed = findings.iter().any(Finding::is_failure);
    let error = exchange
        .transport_error()
        .map(|(label, e)| format!("[{label}] no answer: {e}"))
        .or_else(|| (!failed).then(|| exchange.stopped.clone()).flatten());
    let outcome = if failed {
        CaseOutcome::Failed
    } else if error.is_some() {
        CaseOutcome::Error
    } else {
        CaseOutcome::Passed
    };
    CaseRun { outcome, findings, exchange, skip_reason: None, error, duration }
}

/// The error of a case the run's deadline (`--run-timeout`) left unfinished or never started.
pub const RUN_TIMEOUT: &str = "run timeout";

/// Runs one case against the target.
pub async fn run_case(case: &Case, target: &Target<'_>) -> CaseRun {
    let timed_out = || CaseRun::not_run(CaseOutcome::Error, None, Some(RUN_TIMEOUT.into()));
    if let Some(reason) = skip_reason(case, target.profile) {
        return CaseRun::not_run(CaseOutcome::Skipped, Some(reason), None);
    }
    if target.limits.expired() {
        return timed_out();
    }
    let started = Instant::now();
    let exchange = match target.limits.deadline {
        Some(deadline) => match tokio::time::timeout_at(deadline, execute(case, target)).await {
            Ok(exchange) => exchange,
            Err(_) => return timed_out(),
        },
        None => execute(case, target).await,
    };
    let findings = check(case, &exchange);
    conclude(exchange, findings, started.elapsed())
}
