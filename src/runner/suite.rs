//! Runs many cases with bounded concurrency (each case's steps stay in order), emitting run events.
//! The order is the scheduler's ([`super::schedule`]): where the target has one fixed project,
//! cases that change a list and cases that page through it (a total that moves between pages is
//! not the target's fault) never overlap; nothing else waits.

use std::sync::Arc;

use super::case::{CaseRun, run_case};
use super::event::{OnEvent, RunEvent};
use super::outcome::{CaseError, Outcome};
use super::schedule::{Plan, run_plan};
use crate::execute::{OnProgress, Progress, RunLimits, Target};
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

impl Shared {
    /// The target as execution sees it, telling `progress` of retries and waits.
    pub(super) fn target<'a>(&'a self, progress: Option<OnProgress<'a>>) -> Target<'a> {
        Target { profile: &self.profile, client: &self.client, limits: &self.limits, progress }
    }
}

/// Runs `cases` (at most `concurrency` at once) on the run's conflict graph ([`Plan`]): cases that
/// share state on the target never overlap, everything else runs at full concurrency. Results
/// come back in the cases' order.
pub(super) async fn run_all(
    cases: &[Arc<Case>],
    shared: &Shared,
    concurrency: usize,
    on_event: OnEvent<'_>,
) -> Vec<CaseRun> {
    let plan = Plan::of(cases, &shared.profile);
    // Cases run in tasks of their own; what they report on the way (retries, waits) comes back here.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Progress)>();
    let start = move |i: usize| {
        on_event(&RunEvent::CaseStarted { case: &cases[i] });
        let (case, shared, tx) = (Arc::clone(&cases[i]), shared.clone(), tx.clone());
        async move {
            let progress = move |p: &Progress| {
                let _ = tx.send((i, p.clone()));
            };
            run_case(&case, &shared.target(Some(&progress))).await
        }
    };
    let mut done = |i: usize, run: &CaseRun| on_event(&RunEvent::CaseFinished { case: &cases[i], run });
    let forward = async {
        // Ends when the last sender is gone: every task and `start` with it.
        while let Some((i, p)) = rx.recv().await {
            on_event(&RunEvent::of_progress(&cases[i], &p));
        }
    };
    let (runs, ()) = tokio::join!(run_plan(&plan, concurrency, start, &mut done), forward);
    runs.into_iter().map(|r| r.unwrap_or_else(panicked)).collect()
}

fn panicked() -> CaseRun {
    CaseRun::not_run(Outcome::Error(CaseError::Panicked))
}
