//! The end of a run (or `hwconform cleanup`): sweep what the journal holds with limits of its own (the
//! run's deadline does not bound cleanup; `--cleanup-timeout` does), a second Ctrl-C stopping it, and
//! one line per resource for the terminal.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::journal::{Created, Journal};
use super::sweep::{Settled, SweepOptions, sweep};
use crate::execute::{RunLimits, Target};
use crate::profile::TargetProfile;
use crate::report::{CleanupState, Provenance, ResourceRecord};

/// Sweeps `resources` against the target; Ctrl-C while it runs stops it (what is left is reported).
pub async fn finish(
    resources: &[Created],
    journal: &Journal,
    profile: &TargetProfile,
    client: &reqwest::Client,
    rps: Option<f64>,
    options: &SweepOptions,
) -> Vec<Settled> {
    let limits = RunLimits::new(rps, 2, None);
    let target = Target { profile, client, limits: &limits, progress: None };
    let stop = Arc::clone(&options.stop);
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.store(true, Ordering::SeqCst);
            eprintln!("hwconform: cleanup stopped (Ctrl-C); reporting what is left");
        }
    });
    // A run killed between a request whose answer named no id and the list read after it: tell the
    // new resource apart now, by the same rule.
    let mut resources = journal.reidentify(resources, &target).await;
    // A run killed (or a create timed out) before the answer: ask the list whether it was processed.
    resources.extend(journal.resolve_unanswered(&target).await);
    let settled = sweep(&resources, journal, &target, options).await;
    watcher.abort();
    settled
}

impl Settled {
    /// The report's record of this resource: its id (or why it is unknown), the operation that
    /// created it, the case, and what became of it.
    pub fn record(&self) -> ResourceRecord {
        let c = &self.created;
        let id = c.id.clone().unwrap_or_else(|| {
            let job: Vec<String> = c.answer_ids.iter().map(|(k, v)| format!("{k} {v}")).collect();
            format!("(unknown; the answer named {})", if job.is_empty() { "nothing".into() } else { job.join(", ") })
        });
        ResourceRecord {
            kind: c.kind.clone(),
            id,
            operation: Some(c.creator.clone()),
            provenance: Provenance::Created { case: c.case.clone() },
            cleanup: Some(self.state.clone()),
        }
    }
}

/// The resources the run created, one line for each not simply deleted, then the count: what was
/// deleted and verified, accepted, not removable, left.
pub fn summary_lines(resources: &[ResourceRecord]) -> Vec<String> {
    let mut lines = Vec::new();
    let (mut deleted, mut accepted, mut fixed, mut left, mut total) = (0, 0, 0, 0, 0);
    for r in resources {
        let Provenance::Created { case } = &r.provenance else { continue };
        total += 1;
        let (word, text) = match &r.cleanup {
            Some(CleanupState::Deleted { .. }) => {
                deleted += 1;
                continue;
            }
            Some(CleanupState::Accepted { how }) => {
                accepted += 1;
                ("accepted", how.as_str())
            }
            Some(CleanupState::NotRemovable { reason }) => {
                fixed += 1;
                ("kept", reason.as_str())
            }
            Some(CleanupState::Left { reason }) => {
                left += 1;
                ("LEFT", reason.as_str())
            }
            None => {
                left += 1;
                ("LEFT", "not cleaned up")
            }
        };
        lines.push(format!("{word:<8} {} {} (case {case}): {text}", r.kind, r.id));
    }
    lines.push(format!(
        "created and cleaned up: {total} resources: {deleted} deleted and verified gone, {accepted} deletions \
         accepted (not verifiable), {fixed} not removable, {left} left behind"
    ));
    lines
}
