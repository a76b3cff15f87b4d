//! Runs many cases with bounded concurrency (each case's steps stay in order), reporting progress
//! through a callback. The order is the scheduler's ([`super::schedule`]): where the target has
//! one fixed project, cases that change a list and cases that page through it (a total that moves
//! between pages is not the target's fault) never overlap; nothing else waits.

use std::sync::Arc;

use super::case::{CaseRun, run_case};
use super::schedule::{Plan, run_plan};
use crate::execute::{RunLimits, Target};
use crate::generate::{Case, CaseKind};
use crate::profile::TargetProfile;

/// Whether a case must not overlap with others on a shared project.
pub fn shares_state(case: &Case) -> bool {
    case.mutating || matches!(case.kind, CaseKind::Pagination | CaseKind::Flow)
}

/// Runs `cases` (at most `concurrency` at once) with no rate limit, retries or deadline; results come
/// back in the cases' order.
pub async fn run_cases(
    cases: &[Arc<Case>],
    profile: Arc<TargetProfile>,
    client: reqwest::Client,
    concurrency: usize,
    on_done: &(dyn Fn(&Case, &CaseRun) + Sync),
) -> Vec<CaseRun> {
    run_cases_with(cases, profile, client, Arc::new(RunLimits::none()), concurrency, on_done).await
}

/// [`run_cases`] under a run's limits (rate, retries, deadline), scheduled by the run's conflict
/// graph ([`Plan`]): cases that share state on the target never overlap, everything else runs at
/// full concurrency.
pub async fn run_cases_with(
    cases: &[Arc<Case>],
    profile: Arc<TargetProfile>,
    client: reqwest::Client,
    limits: Arc<RunLimits>,
    concurrency: usize,
    on_done: &(dyn Fn(&Case, &CaseRun) + Sync),
) -> Vec<CaseRun> {
    let plan = Plan::of(cases, &profile);
    let start = |i: usize| {
        let (case, profile, client, limits) =
            (Arc::clone(&cases[i]), Arc::clone(&profile), client.clone(), Arc::clone(&limits));
        async move {
            let target = Target { profile: &profile, client: &client, limits: &limits };
            run_case(&case, &target).await
        }
    };
    let runs = run_plan(&plan, concurrency, start, &mut |i, run| on_done(&cases[i], run)).await;
    runs.into_iter().map(|r| r.unwrap_or_else(panicked)).collect()
}

fn panicked() -> CaseRun {
    CaseRun::not_run(crate::report::CaseOutcome::Error, None, Some("the case's task panicked".into()))
}
