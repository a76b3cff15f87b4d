//! One case from start to result: skip if the target cannot run it, execute, check, and decide the
//! outcome from the findings (never from the exchange directly).

use std::time::{Duration, Instant};

use crate::check::{Finding, check};
use crate::execute::{Exchange, Target, execute, missing};
use crate::generate::{Case, Requirement};
use crate::profile::TargetProfile;

use super::outcome::{CaseError, Outcome, SkipReason};

/// A case's run.
#[derive(Debug, Clone)]
pub struct CaseRun {
    /// Passed, failed, skipped (with why) or could not be tested (with why).
    pub outcome: Outcome,
    /// Everything the checks found, failures and observations.
    pub findings: Vec<Finding>,
    /// Every request the case sent and its answer.
    pub exchange: Exchange,
    /// Wall time of the whole case, waits and retries included.
    pub duration: Duration,
}

impl CaseRun {
    /// A case that sent nothing: skipped, or lost before it could report.
    pub fn not_run(outcome: Outcome) -> Self {
        Self { outcome, findings: Vec::new(), exchange: Exchange::default(), duration: Duration::ZERO }
    }
}

/// Why the target cannot run `case`, if it cannot.
pub fn skip_reason(case: &Case, profile: &TargetProfile) -> Option<SkipReason> {
    for r in &case.requires {
        match r {
            Requirement::FaultInjection if !profile.file.fault_injection => return Some(SkipReason::NoFaultInjection),
            Requirement::OwnProject if !profile.file.isolate_projects => return Some(SkipReason::NeedsOwnProject),
            Requirement::FixedToken if profile.auth.token().is_none() => return Some(SkipReason::NoFixedToken),
            _ => {}
        }
    }
    // A resource or value the target did not supply is never made up: the case says what to set.
    if let Some((what, flag)) =
        case.steps.iter().flat_map(|s| s.request.slots()).find_map(|slot| missing(profile, slot))
    {
        return Some(SkipReason::NoResource { what, flag });
    }
    if case.mutating && profile.file.read_only {
        return Some(SkipReason::ReadOnly);
    }
    if case.mutating && !profile.file.allow_mutating {
        return Some(SkipReason::MutatingNotAllowed);
    }
    None
}

/// The outcome of an executed case: failed on a failure finding, else could-not-test when a request
/// got no answer or execution stopped early, else passed.
pub fn conclude(exchange: Exchange, findings: Vec<Finding>, duration: Duration) -> CaseRun {
    let failed = findings.iter().any(Finding::is_failure);
    let error = exchange
        .unanswered()
        .map(|(step, error)| CaseError::NoAnswer { step: step.to_owned(), error: error.clone() })
        .or_else(|| if failed { None } else { exchange.stopped.clone().map(CaseError::Stopped) });
    let outcome = match error {
        _ if failed => Outcome::Failed,
        Some(e) => Outcome::Error(e),
        None => Outcome::Passed,
    };
    CaseRun { outcome, findings, exchange, duration }
}

/// Runs one case against the target.
pub(super) async fn run_case(case: &Case, target: &Target<'_>) -> CaseRun {
    let timed_out = || CaseRun::not_run(Outcome::Error(CaseError::RunTimeout));
    if let Some(reason) = skip_reason(case, target.profile) {
        return CaseRun::not_run(Outcome::Skipped(reason));
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
