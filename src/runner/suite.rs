//! Runs many cases with bounded concurrency (each case's steps stay in order), reporting progress
//! through a callback.
//!
//! Where every case has a project of its own, all run at once. Where the target has one fixed
//! project, cases that change or page through the project's lists would see each other's
//! backups mid-walk (a total that moves between pages is not the target's fault), so they run one
//! at a time, after the others.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::case::{CaseRun, run_case};
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

/// [`run_cases`] under a run's limits (rate, retries, deadline).
pub async fn run_cases_with(
    cases: &[Arc<Case>],
    profile: Arc<TargetProfile>,
    client: reqwest::Client,
    limits: Arc<RunLimits>,
    concurrency: usize,
    on_done: &(dyn Fn(&Case, &CaseRun) + Sync),
) -> Vec<CaseRun> {
    if profile.file.isolate_projects {
        return run_batch(cases, profile, client, limits, concurrency, on_done).await;
    }
    let (shared, free): (Vec<usize>, Vec<usize>) = (0..cases.len()).partition(|&i| shares_state(&cases[i]));
    let pick = |idx: &[usize]| idx.iter().map(|&i| Arc::clone(&cases[i])).collect::<Vec<_>>();
    let free_runs =
        run_batch(&pick(&free), Arc::clone(&profile), client.clone(), Arc::clone(&limits), concurrency, on_done).await;
    let shared_runs = run_batch(&pick(&shared), profile, client, limits, 1, on_done).await;
    let mut results: Vec<Option<CaseRun>> = vec![None; cases.len()];
    for (i, run) in free.into_iter().zip(free_runs).chain(shared.into_iter().zip(shared_runs)) {
        results[i] = Some(run);
    }
    results.into_iter().map(|r| r.unwrap_or_else(panicked)).collect()
}

fn panicked() -> CaseRun {
    CaseRun::not_run(crate::report::CaseOutcome::Error, None, Some("the case's task panicked".into()))
}

async fn run_batch(
    cases: &[Arc<Case>],
    profile: Arc<TargetProfile>,
    client: reqwest::Client,
    limits: Arc<RunLimits>,
    concurrency: usize,
    on_done: &(dyn Fn(&Case, &CaseRun) + Sync),
) -> Vec<CaseRun> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut set = JoinSet::new();
    for (i, case) in cases.iter().enumerate() {
        let (case, profile, client, permits, limits) =
            (Arc::clone(case), Arc::clone(&profile), client.clone(), Arc::clone(&permits), Arc::clone(&limits));
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let target = Target { profile: &profile, client: &client, limits: &limits };
            (i, run_case(&case, &target).await)
        });
    }
    let mut results: Vec<Option<CaseRun>> = vec![None; cases.len()];
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, run)) => {
                on_done(&cases[i], &run);
                results[i] = Some(run);
            }
            Err(e) => tracing::error!(error = %e, "a case task panicked"),
        }
    }
    results.into_iter().map(|r| r.unwrap_or_else(panicked)).collect()
}
