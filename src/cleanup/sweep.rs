//! Deletes what a run created and proves it: waits for anything the list still shows as being made
//! (GES refuses to delete a backup that is `backing_up`), sends each delete, then reads the list again
//! and settles every resource as deleted (verified gone), accepted (no list to verify against), left
//! (with the reason) or not removable. Never deletes anything without an id the run recorded itself.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::journal::{Created, Journal, Removal};
use super::list::{self, Item, literal_case};
use super::plan::CreatorPlan;
use crate::execute::{Target, execute};
use crate::report::CleanupState;

/// How a cleanup runs.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// Leave everything (`--keep`): each resource is reported as left, with that reason.
    pub keep: bool,
    /// The bound of the whole cleanup (`--cleanup-timeout`), waits included.
    pub timeout: Duration,
    /// Time between two reads of the list while a backup is still being made.
    pub poll: Duration,
    /// Set by a second Ctrl-C: stop now and report what is left.
    pub stop: Arc<AtomicBool>,
}

impl Default for SweepOptions {
    fn default() -> Self {
        Self {
            keep: false,
            timeout: Duration::from_secs(600),
            poll: Duration::from_millis(500),
            stop: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// What became of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The resource, as the journal holds it.
    pub created: Created,
    /// What became of it.
    pub state: CleanupState,
}

enum Progress {
    Waiting(String),
    Sent { status: u16 },
}

/// Cleans up `resources` (recorded by `journal`'s run, or read back from its file), writing each
/// resource's fate to the journal as it is settled.
pub async fn sweep(
    resources: &[Created],
    journal: &Journal,
    target: &Target<'_>,
    options: &SweepOptions,
) -> Vec<Settled> {
    let plan = journal.plan();
    let started = Instant::now();
    let mut states: BTreeMap<u64, CleanupState> = BTreeMap::new();
    let mut pending: Vec<(&Created, &CreatorPlan)> = Vec::new();
    for c in resources {
        match triage(c, plan.creator(&c.creator), options.keep) {
            Ok(p) => pending.push((c, p)),
            Err(state) => {
                states.insert(c.seq, state);
            }
        }
    }
    let mut progress: BTreeMap<u64, Progress> = BTreeMap::new();
    // Deleted by the run's own cases: only verified.
    let removed = journal.removed();
    let mut done: BTreeMap<u64, u16> =
        pending.iter().filter_map(|(c, _)| removed.get(&c.seq).map(|r| (c.seq, r.status))).collect();
    loop {
        let remaining: Vec<(&Created, &CreatorPlan)> =
            pending.iter().filter(|(c, _)| !done.contains_key(&c.seq)).copied().collect();
        if remaining.is_empty() {
            break;
        }
        if options.stop.load(Ordering::SeqCst) || started.elapsed() >= options.timeout {
            let why = if options.stop.load(Ordering::SeqCst) {
                "cleanup stopped by a second Ctrl-C".to_owned()
            } else {
                format!("cleanup timed out after {} s (--cleanup-timeout)", options.timeout.as_secs())
            };
            for (c, _) in remaining {
                let last = match progress.get(&c.seq) {
                    Some(Progress::Waiting(s)) => format!("; the list still showed it {s}"),
                    Some(Progress::Sent { status }) => format!("; the last DELETE was answered {status}"),
                    None => String::new(),
                };
                states.insert(c.seq, CleanupState::Left { reason: format!("{why}{last}") });
            }
            break;
        }
        let lists = read_lists(&remaining, target).await;
        for (c, p) in &remaining {
            if options.stop.load(Ordering::SeqCst) {
                break;
            }
            let busy = p.list.as_ref().and_then(|l| {
                let items = lists.get(&(l.op.meta.id.to_string(), c.project.clone()))?.as_ref().ok()?;
                let item = items.iter().find(|i| Some(&i.id) == c.id.as_ref())?;
                item.in_progress(l).then(|| item.status.clone().unwrap_or_default())
            });
            if let Some(status) = busy {
                progress.insert(c.seq, Progress::Waiting(status));
                continue;
            }
            match delete(c, p, target).await {
                Ok(status) if (200..300).contains(&status) || status == 404 => {
                    done.insert(c.seq, status);
                }
                Ok(status) => {
                    // Refused (a backup still being made, where the list does not say so, or a throttle):
                    // tried again next round, until the bound.
                    progress.insert(c.seq, Progress::Sent { status });
                }
                Err(e) => {
                    tracing::warn!(resource = ?c.id, error = %e, "cleanup delete got no answer");
                }
            }
        }
        if pending.iter().any(|(c, _)| !done.contains_key(&c.seq)) {
            let left = options.timeout.saturating_sub(started.elapsed());
            tokio::time::sleep(options.poll.min(left)).await;
        }
    }
    // Verify: read each list once more; a deleted resource it still shows is left.
    let deleted: Vec<(&Created, &CreatorPlan)> =
        pending.iter().filter(|(c, _)| done.contains_key(&c.seq)).copied().collect();
    let lists = read_lists(&deleted, target).await;
    for (c, p) in deleted {
        states.insert(c.seq, verified(c, p, done[&c.seq], removed.get(&c.seq), &lists));
    }
    resources
        .iter()
        .map(|c| {
            let state = states.remove(&c.seq).unwrap_or_else(|| CleanupState::Left {
                reason: "cleanup ended before it reached this resource".into(),
            });
            journal.settle(c.seq, &state);
            Settled { created: c.clone(), state }
        })
        .collect()
}

/// The plan to delete resource `c` with (`creator`'s), or what becomes of it without a delete: its
/// creator is unknown or has no deleter, its id is unknown, or `keep` asks to leave it.
fn triage<'p>(c: &Created, creator: Option<&'p CreatorPlan>, keep: bool) -> Result<&'p CreatorPlan, CleanupState> {
    match (creator, &c.id) {
        (None, _) => Err(CleanupState::Left { reason: format!("{} is not in this catalogue", c.creator) }),
        (Some(p), _) if p.deleter.is_none() && p.role.is_none() => Err(CleanupState::NotRemovable {
            reason: format!("the contract has no operation that deletes an {} ({})", c.kind, c.creator),
        }),
        (Some(p), _) if p.deleter.is_none() => {
            Err(CleanupState::Left { reason: format!("the contract has no operation that deletes a {}", c.kind) })
        }
        (Some(_), None) => Err(CleanupState::Left {
            reason: format!(
                "possible leftover, never deleted: {}",
                c.unidentified.as_deref().unwrap_or("its id is unknown")
            ),
        }),
        (Some(_), Some(_)) if keep => Err(CleanupState::Left { reason: "--keep: left on the target as asked".into() }),
        (Some(p), Some(_)) => Ok(p),
    }
}

/// What became of deleted resource `c`: its delete was answered `status` (or it was `removed` by the
/// run's own case), and `lists`, read after, no longer show it (deleted) or still do (left).
fn verified(
    c: &Created,
    p: &CreatorPlan,
    status: u16,
    removed: Option<&Removal>,
    lists: &BTreeMap<(String, String), Result<Vec<Item>, String>>,
) -> CleanupState {
    let deleter = p.deleter.as_ref().map(|d| d.meta.id.to_string()).unwrap_or_default();
    let answered = if let Some(r) = removed {
        format!("deleted by case {} ({} answered {})", r.case, r.operation, r.status)
    } else if status == 404 {
        format!("{deleter} answered 404 (already gone)")
    } else {
        format!("{deleter} answered {status}")
    };
    match &p.list {
        None => CleanupState::Accepted {
            how: format!("{answered}; not verified: the contract has no operation that lists a {}", c.kind),
        },
        Some(l) => match lists.get(&(l.op.meta.id.to_string(), c.project.clone())) {
            Some(Ok(items)) if items.iter().any(|i| Some(&i.id) == c.id.as_ref()) => {
                CleanupState::Left { reason: format!("{answered}, but {} still shows it", l.op.meta.id) }
            }
            Some(Ok(_)) => CleanupState::Deleted { how: format!("{answered}; {} no longer shows it", l.op.meta.id) },
            Some(Err(e)) => CleanupState::Left {
                reason: format!("{answered}, but {} could not be read to verify: {e}", l.op.meta.id),
            },
            None => CleanupState::Left { reason: format!("{answered}, but {} was not read", l.op.meta.id) },
        },
    }
}

/// Each (list, project) the resources need, read once.
async fn read_lists(
    resources: &[(&Created, &CreatorPlan)],
    target: &Target<'_>,
) -> BTreeMap<(String, String), Result<Vec<Item>, String>> {
    let mut wanted = BTreeSet::new();
    let mut out = BTreeMap::new();
    for (c, p) in resources {
        let Some(l) = &p.list else { continue };
        let key = (l.op.meta.id.to_string(), c.project.clone());
        if wanted.insert(key.clone()) {
            let items = list::read(target, l, &c.project).await;
            out.insert(key, items);
        }
    }
    out
}

/// Sends the delete of one resource; the status it got, or why there was none.
async fn delete(c: &Created, p: &CreatorPlan, target: &Target<'_>) -> Result<u16, String> {
    let Some(deleter) = &p.deleter else { return Err("no delete operation".into()) };
    let Some(id) = &c.id else { return Err("no id".into()) };
    let mut values = c.bindings.clone();
    values.insert("project".into(), c.project.clone());
    if let Some(role) = p.role {
        values.insert(crate::generate::role_name(role).into(), id.clone());
    }
    let case = literal_case(deleter, "delete", &values);
    let exchange = execute(&case, target).await;
    if let Some(stopped) = &exchange.stopped {
        return Err(stopped.to_string());
    }
    let step = exchange.steps.last().ok_or("nothing was sent")?;
    step.response.as_ref().map(|r| r.status).map_err(ToString::to_string)
}
