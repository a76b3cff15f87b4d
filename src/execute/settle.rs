//! Owns waiting for the target's asynchronous work and finding its resources: reading a tracked
//! list to its last page, polling it until a resource leaves its pending states (bounded by the
//! run's settle timeout, paced by its rate, backing off between polls), and discovering a ready
//! resource of the target's own. What a wait took is recorded; it never decides pass or fail.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::time::Instant;

use super::case::Target;
use super::progress::Progress;
use super::send::{Bindings, prepare, send};
use crate::catalogue::Operation;
use crate::generate::{AuthMode, BodyTemplate, ItemState, RequestTemplate, Slot, Tracker, role_name};

/// One wait for asynchronous work on the target (v2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitRecord {
    /// What was awaited (`backup 1f3… of graph g1 to leave backing_up`).
    pub what: String,
    /// How long the wait took, in milliseconds.
    pub duration_ms: u64,
    /// Requests sent to find out.
    pub polls: u32,
    /// The state it ended in (`success`, `failed`), or absent when the wait ran out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled: Option<String>,
}

/// Items asked per page while reading a tracked list (a target may cap it lower: the walk follows).
const PAGE: u64 = 100;
/// The most pages one read of a list follows (a hostile target cannot loop a wait).
const MAX_PAGES: usize = 1000;
/// The first pause between polls; it doubles up to [`MAX_POLL_GAP`].
const FIRST_POLL_GAP: Duration = Duration::from_millis(200);
const MAX_POLL_GAP: Duration = Duration::from_secs(10);

/// What a wait is for.
#[derive(Debug, Clone)]
pub enum Awaited {
    /// The item with this id leaves its pending states.
    Item(String),
    /// No item naming this parent (member, id) is pending any more.
    ParentIdle(String, String),
}

/// How a wait ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitEnd {
    /// The item is ready (or the parent has nothing pending).
    Settled,
    /// The item ended in a failed state.
    Failed(String),
    /// Could not tell: the wait ran out, the list could not be read, the item vanished.
    Unknown(String),
}

/// Every item of the paged list `op` on `project`, page after page (at most [`MAX_PAGES`]), sent
/// like any request of the run (credentials, rate, retries). The one list reader of the crate: the
/// suite's waits and discovery, and the cleanup's windows and verification, all read through it.
pub async fn list_all(target: &Target<'_>, op: &Operation, project: &str) -> Result<Vec<Value>, String> {
    let Some(p) = op.meta.pagination.as_ref() else { return Err("the list has no pagination".into()) };
    let base = target.profile.endpoint(&op.meta.service).map_err(|e| e.to_string())?.to_owned();
    let bindings = Bindings { profile: target.profile, project: project.to_owned(), captures: BTreeMap::new() };
    let path = op
        .meta
        .parameters
        .iter()
        .filter(|x| x.location == crate::catalogue::Location::Path)
        .map(|x| (x.name.clone(), Slot::Role(x.role)))
        .collect();
    let mut items = Vec::new();
    let mut offset = 0u64;
    for _ in 0..MAX_PAGES {
        let template = RequestTemplate {
            path: Vec::clone(&path),
            query: vec![
                (p.limit.clone(), Slot::Literal(Value::from(PAGE))),
                (p.offset.clone(), Slot::Literal(Value::from(offset))),
            ],
            auth: AuthMode::Valid,
            body: BodyTemplate::None,
            fault: false,
        };
        let prepared = prepare(op, &template, &base, &bindings).map_err(|e| e.0)?;
        let ex = send(target, 0, "poll", prepared).await;
        let rx = ex.response.map_err(|e| format!("no answer from {}: {}", op.meta.id, e.line()))?;
        if rx.status != op.meta.success_status {
            let hint = if matches!(rx.status, 401 | 403) { " (the credentials may have expired)" } else { "" };
            return Err(format!("{} answered {}{hint}", op.meta.id, rx.status));
        }
        let body = rx.json().ok_or_else(|| format!("{} answered a body that is not JSON", op.meta.id))?;
        let page = body.get(&p.items).and_then(Value::as_array).cloned().unwrap_or_default();
        let total = body.get(&p.total).and_then(Value::as_u64);
        let n = page.len() as u64;
        items.extend(page);
        offset += n;
        if n == 0 || total.is_some_and(|t| offset >= t) {
            return Ok(items);
        }
    }
    Ok(items)
}

/// Polls the tracked list until `awaited` holds, the item fails, or the run's settle timeout passes.
pub async fn settle(target: &Target<'_>, tracker: &Tracker, project: &str, awaited: &Awaited) -> Waited {
    let started = Instant::now();
    let limit = target.limits.settle_timeout();
    let mut gap = FIRST_POLL_GAP;
    let mut polls = 0u32;
    let mut saw_pending = false;
    let what = match awaited {
        Awaited::Item(id) => format!("{} {id}", role_name(tracker.role)),
        Awaited::ParentIdle(member, id) => format!("no {} of {member} {id} pending", role_name(tracker.role)),
    };
    let end = loop {
        polls += 1;
        let state = match list_all(target, &tracker.list, project).await {
            Ok(items) => observe(tracker, &items, awaited),
            Err(e) => break WaitEnd::Unknown(format!("could not read the list: {e}")),
        };
        match state {
            ItemState::Pending => saw_pending = true,
            ItemState::Ready => break WaitEnd::Settled,
            ItemState::Failed => break WaitEnd::Failed(format!("the {} ended failed", role_name(tracker.role))),
            ItemState::Unknown => {
                break WaitEnd::Unknown(format!("the list does not show the {what} with a known status"));
            }
        }
        let elapsed = started.elapsed();
        if elapsed >= limit || target.limits.expired() {
            break WaitEnd::Unknown(format!(
                "still pending after {} s (--settle-timeout {} s)",
                elapsed.as_secs(),
                limit.as_secs()
            ));
        }
        target.report(&Progress::Wait { what: what.clone(), waited: elapsed, polls });
        tokio::time::sleep(gap.min(limit.saturating_sub(elapsed))).await;
        gap = (gap * 2).min(MAX_POLL_GAP);
    };
    let settled = match &end {
        WaitEnd::Settled => Some("settled".to_owned()),
        WaitEnd::Failed(_) => tracker.lifecycle.failed.first().cloned(),
        WaitEnd::Unknown(_) => None,
    };
    let record = WaitRecord {
        what,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        polls,
        settled,
    };
    Waited { end, record, saw_pending }
}

/// A finished wait: how it ended, its record, and whether any poll saw the work still pending.
#[derive(Debug, Clone)]
pub struct Waited {
    /// How the wait ended: settled, failed, or unknown (ran out, list unreadable).
    pub end: WaitEnd,
    /// The wait as the report records it.
    pub record: WaitRecord,
    /// Whether any read saw the work still pending (a wait that never did is not recorded).
    pub saw_pending: bool,
}

/// The state `awaited` is in, judged from the whole list.
fn observe(tracker: &Tracker, items: &[Value], awaited: &Awaited) -> ItemState {
    let Some(p) = tracker.pagination() else { return ItemState::Unknown };
    match awaited {
        Awaited::Item(id) => items
            .iter()
            .find(|i| i.get(&p.item_id).and_then(Value::as_str) == Some(id.as_str()))
            .map_or(ItemState::Unknown, |i| tracker.state(i)),
        Awaited::ParentIdle(member, id) => {
            let busy = items
                .iter()
                .filter(|i| i.get(member).and_then(Value::as_str) == Some(id.as_str()))
                .any(|i| tracker.state(i) == ItemState::Pending);
            if busy { ItemState::Pending } else { ItemState::Ready }
        }
    }
}

/// A ready item of the target's own belonging to the parents the profile names (every page of the
/// list read): the resource a case needs, found rather than assumed.
pub async fn discover(target: &Target<'_>, tracker: &Tracker, project: &str) -> Result<Option<String>, String> {
    let Some(p) = tracker.pagination() else { return Ok(None) };
    let items = list_all(target, &tracker.list, project).await?;
    let parents: Vec<(&str, &str)> = tracker
        .parents
        .iter()
        .filter_map(|(member, role)| target.profile.resource(*role).map(|id| (member.as_str(), id)))
        .collect();
    Ok(items
        .iter()
        .filter(|i| parents.iter().all(|(m, id)| i.get(*m).and_then(Value::as_str) == Some(*id)))
        .filter(|i| tracker.state(i) == ItemState::Ready)
        .find_map(|i| i.get(&p.item_id).and_then(Value::as_str).map(str::to_owned)))
}
