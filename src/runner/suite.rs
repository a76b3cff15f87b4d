//! Runs many cases with bounded concurrency (each case's steps stay in order), emitting run events.
//!
//! Where every case has a project of its own, all run at once. Where the target has one fixed
//! project, cases that change or page through the project's lists would see each other's
//! backups mid-walk (a total that moves between pages is not the target's fault), so they run one
//! at a time, after the others.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::case::{CaseRun, run_case};
use super::event::{OnEvent, RunEvent};
use super::outcome::{CaseError, Outcome};
use crate::execute::{RunLimits, Target};
use crate::generate::{Case, CaseKind};
use crate::profile::TargetProfile;

/// Whether a case must not overlap with others on a shared project.
pub fn shares_state(case: &Case) -> bool {
    case.mutating || matches!(case.kind, CaseKind::Pagination | CaseKind::Flow)
}

/// What every case of a run shares.
#[derive(Clone)]
pub(super) struct Shared {
    pub profile: Arc<TargetProfile>,
    pub client: reqwest::Client,
    pub limits: Arc<RunLimits>,
}

/// Runs `cases` (at most `concurrency` at once); results come back in the cases' order.
pub(super) async fn run_all(
    cases: &[Arc<Case>],
    shared: &Shared,
    concurrency: usize,
    on_event: OnEvent<'_>,
) -> Vec<CaseRun> {
    if shared.profile.file.isolate_projects {
        return run_batch(cases, shared, concurrency, on_event).await;
    }
    let (serial, free): (Vec<usize>, Vec<usize>) = (0..cases.len()).partition(|&i| shares_state(&cases[i]));
    let pick = |idx: &[usize]| idx.iter().map(|&i| Arc::clone(&cases[i])).collect::<Vec<_>>();
    let free_runs = run_batch(&pick(&free), shared, concurrency, on_event).await;
    let serial_runs = run_batch(&pick(&serial), shared, 1, on_event).await;
    let mut results: Vec<Option<CaseRun>> = vec![None; cases.len()];
    for (i, run) in free.into_iter().zip(free_runs).chain(serial.into_iter().zip(serial_runs)) {
        results[i] = Some(run);
    }
    results.into_iter().map(|r| r.unwrap_or_else(panicked)).collect()
}

fn panicked() -> CaseRun {
    CaseRun::not_run(Outcome::Error(CaseError::Panicked))
}

async fn run_batch(cases: &[Arc<Case>], shared: &Shared, concurrency: usize, on_event: OnEvent<'_>) -> Vec<CaseRun> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let (started_tx, mut started_rx) = tokio::sync::mpsc::unbounded_channel::<usize>();
    let mut set = JoinSet::new();
    for (i, case) in cases.iter().enumerate() {
        let (case, shared, permits, started) =
            (Arc::clone(case), shared.clone(), Arc::clone(&permits), started_tx.clone());
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            // The subscriber is not `'static`: the start is reported from this loop, not the task.
            let _ = started.send(i);
            let target = Target { profile: &shared.profile, client: &shared.client, limits: &shared.limits };
            (i, run_case(&case, &target).await)
        });
    }
    drop(started_tx);
    let mut results: Vec<Option<CaseRun>> = vec![None; cases.len()];
    loop {
        tokio::select! {
            biased;
            Some(i) = started_rx.recv() => on_event(&RunEvent::CaseStarted { case: &cases[i] }),
            joined = set.join_next() => match joined {
                Some(Ok((i, run))) => {
                    on_event(&RunEvent::CaseFinished { case: &cases[i], run: &run });
                    results[i] = Some(run);
                }
                Some(Err(e)) => tracing::error!(error = %e, "a case task panicked"),
                None => break,
            },
        }
    }
    results.into_iter().map(|r| r.unwrap_or_else(panicked)).collect()
}
