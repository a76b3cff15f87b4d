//! Runs many cases with bounded concurrency (each case's steps stay in order), reporting progress
//! through a callback.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::case::{CaseRun, run_case};
use crate::execute::Target;
use crate::generate::Case;
use crate::profile::TargetProfile;

/// Runs `cases` (at most `concurrency` at once); results come back in the cases' order.
pub async fn run_cases(
    cases: &[Arc<Case>],
    profile: Arc<TargetProfile>,
    client: reqwest::Client,
    concurrency: usize,
    on_done: &(dyn Fn(&Case, &CaseRun) + Sync),
) -> Vec<CaseRun> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut set = JoinSet::new();
    for (i, case) in cases.iter().enumerate() {
        let (case, profile, client, permits) =
            (Arc::clone(case), Arc::clone(&profile), client.clone(), Arc::clone(&permits));
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let target = Target { profile: &profile, client: &client };
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
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| CaseRun {
                outcome: crate::report::CaseOutcome::Error,
                findings: Vec::new(),
                exchange: Default::default(),
                skip_reason: None,
                error: Some("the case's task panicked".into()),
                duration: std::time::Duration::ZERO,
            })
        })
        .collect()
}
