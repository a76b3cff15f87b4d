//! The end of a run (or `hwconform cleanup`): sweep what the journal holds with limits of its own (the
//! run's deadline does not bound cleanup; `--cleanup-timeout` does), a second Ctrl-C stopping it, and
//! one line per resource for the terminal.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::journal::{Created, Journal};
use super::state::CleanupState;
use super::sweep::{Settled, SweepOptions, sweep};
use crate::execute::{RunLimits, Target};
use crate::profile::TargetProfile;

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
    let target = Target { profile, client, limits: &limits };
    let stop = Arc::clone(&options.stop);
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.store(true, Ordering::SeqCst);
            eprintln!("hwconform: cleanup stopped (Ctrl-C); reporting what is left");
        }
    });
    // A run killed between a request whose answer named no id and the list read after it: tell the
    // new resource apart now, by the same rule.
    let resources = journal.reidentify(resources, &target).await;
    let settled = sweep(&resources, journal, &target, options).await;
    watcher.abort();
    settled
}

/// One line per resource, then the count: what was deleted, accepted, not removable, left.
pub fn summary_lines(settled: &[Settled]) -> Vec<String> {
    let mut lines = Vec::new();
    let (mut deleted, mut accepted, mut fixed, mut left) = (0, 0, 0, 0);
    for s in settled {
        let c = &s.created;
        let id = c.id.as_deref().unwrap_or("(id unknown)");
        let (word, text) = match &s.state {
            CleanupState::Deleted { how } => {
                deleted += 1;
                ("deleted", how)
            }
            CleanupState::Accepted { how } => {
                accepted += 1;
                ("accepted", how)
            }
            CleanupState::NotRemovable { reason } => {
                fixed += 1;
                ("kept", reason)
            }
            CleanupState::Left { reason } => {
                left += 1;
                ("LEFT", reason)
            }
        };
        if s.state.is_left() || !matches!(s.state, CleanupState::Deleted { .. }) {
            lines.push(format!("{word:<8} {} {id} (case {}): {text}", c.kind, c.case));
        }
    }
    lines.push(format!(
        "created and cleaned up: {} resources: {deleted} deleted and verified gone, {accepted} deletions accepted \
         (not verifiable), {fixed} not removable, {left} left behind",
        settled.len()
    ));
    lines
}
