//! Runs one case's steps in order against a target: fills slots, follows walks page by page,
//! captures values for later steps. Records everything; decides nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::error::Stopped;
use super::exchange::Exchange;
use super::pace::RunLimits;
use super::progress::{OnProgress, Progress};
use super::send::{Bindings, prepare, send};
use super::settle::{Awaited, WaitEnd, settle};
use crate::generate::{Case, RequestTemplate, Slot, Step, Tracker, Walk};
use crate::profile::TargetProfile;

/// Where the case runs.
pub struct Target<'a> {
    /// The target profile: endpoints, credentials, resources.
    pub profile: &'a TargetProfile,
    /// The HTTP client every request of the run goes through.
    pub client: &'a reqwest::Client,
    /// Rate, retries and deadline shared by the whole run.
    pub limits: &'a RunLimits,
    /// Who hears of retries and waits as they happen (`None`: nobody).
    pub progress: Option<OnProgress<'a>>,
}

impl Target<'_> {
    /// Tells the subscriber, if any.
    pub(crate) fn report(&self, progress: &Progress) {
        if let Some(on) = self.progress {
            on(progress);
        }
    }
}

/// The project a case uses: its own where the target isolates projects, the profile's otherwise.
pub fn project_for(case: &Case, profile: &TargetProfile) -> String {
    if profile.file.isolate_projects { case.id.project_id() } else { profile.file.project_id.clone() }
}

/// The parent a create names (its path's resource of a role the tracker's items belong to), as the
/// item member naming it and the target's id.
fn busy_parent(tracker: &Tracker, template: &RequestTemplate, target: &Target<'_>) -> Option<(String, String)> {
    template.path.iter().find_map(|(_, slot)| {
        let Slot::Role(role) = slot else { return None };
        let (member, _) = tracker.parents.iter().find(|(_, r)| r == role)?;
        Some((member.clone(), target.profile.resource(*role)?.to_owned()))
    })
}

/// Waits until the resources `step` uses are ready: one an earlier step created is used only once
/// the target has finished it (the wait is recorded), and a settled capture once the list shows it.
async fn wait_for_inputs(
    step: &Step,
    bindings: &Bindings<'_>,
    target: &Target<'_>,
    exchange: &mut Exchange,
) -> Result<(), Stopped> {
    if let Some((name, tracker)) = &step.waits.before
        && let Some(id) = bindings.captures.get(name).cloned()
    {
        let waited = settle(target, tracker, &bindings.project, &Awaited::Item(id)).await;
        exchange.waits.push(waited.record);
        if let WaitEnd::Failed(why) | WaitEnd::Unknown(why) = waited.end {
            return Err(Stopped::Waited { step: step.label.clone(), reason: format!("the {name}: {why}") });
        }
    }
    Ok(())
}

/// Records the values `step` captures from its answer's `body`.
fn capture(step: &Step, body: &Value, bindings: &mut Bindings<'_>) {
    for c in &step.captures {
        if let Some(v) = body.pointer(&c.pointer).and_then(|v| v.as_str().map(str::to_owned)) {
            bindings.captures.insert(c.name.clone(), v);
        }
    }
}

/// The offset of a walk's next page after `body` (the `pages`-th), or `None` when the list is
/// exhausted or the walk has read its most pages.
fn next_offset(walk: &Walk, template: &RequestTemplate, body: &Value, pages: usize) -> Option<u64> {
    let n = body.get(&walk.items).and_then(Value::as_array).map_or(0, Vec::len);
    let total = body.get(&walk.total).and_then(Value::as_u64);
    let offset = template
        .query
        .iter()
        .find(|(name, _)| name == &walk.offset_param)
        .and_then(|(_, s)| if let Slot::Literal(v) = s { v.as_u64() } else { None })
        .unwrap_or(0);
    let next = offset + n as u64;
    if n == 0 || pages >= walk.max_pages || total.is_some_and(|t| next >= t) { None } else { Some(next) }
}

/// Executes every step of `case`.
pub async fn execute(case: &Case, target: &Target<'_>) -> Exchange {
    let mut bindings =
        Bindings { profile: target.profile, project: project_for(case, target.profile), captures: BTreeMap::new() };
    let mut exchange = Exchange::default();
    for (i, step) in case.steps.iter().enumerate() {
        let base = match target.profile.endpoint(&step.operation.meta.service) {
            Ok(b) => b.to_owned(),
            Err(e) => {
                exchange.stopped = Some(Stopped::NoEndpoint { step: step.label.clone(), source: Arc::new(e) });
                break;
            }
        };
        if let Err(stopped) = wait_for_inputs(step, &bindings, target, &mut exchange).await {
            exchange.stopped = Some(stopped);
            return exchange;
        }
        let mut template = step.request.clone();
        let mut pages = 0usize;
        let (mut busy_waited, mut resent) = (false, false);
        loop {
            let prepared = match prepare(&step.operation, &template, &base, &bindings) {
                Ok(p) => p,
                Err(e) => {
                    exchange.stopped = Some(Stopped::Unfilled { step: step.label.clone(), reason: e.0 });
                    return exchange;
                }
            };
            // The journal records what the run creates as the target accepts it (and refuses to send
            // past --max-created); an answer that names no id is told apart through the list.
            let journal = target.limits.journal.as_deref();
            if let Some(Err(reason)) = journal.map(|j| j.admit(&step.operation)) {
                exchange.stopped = Some(Stopped::Capped { step: step.label.clone(), reason });
                return exchange;
            }
            let window = match journal {
                Some(j) => j.window_before(&step.operation, &prepared.bindings, target).await,
                None => None,
            };
            let sent = match journal {
                Some(j) => {
                    j.sending(case.id.as_str(), &step.operation, &prepared.bindings, window.as_ref(), target).await
                }
                None => None,
            };
            let mut ex = send(target, i, &step.label, prepared).await;
            if let Some(j) = journal {
                j.observe(case.id.as_str(), &step.operation, &ex, window, sent, target).await;
            }
            // A create refused while its parent has work pending (one backup at a time per graph, a
            // choice the pages leave open) is sent once more when that work is done.
            if !busy_waited
                && let Some(tracker) = &step.waits.busy
                && ex.received().is_some_and(|r| (400..500).contains(&r.status) && !r.throttled())
                && let Some((member, id)) = busy_parent(tracker, &template, target)
            {
                busy_waited = true;
                let waited = settle(target, tracker, &bindings.project, &Awaited::ParentIdle(member, id)).await;
                if waited.saw_pending {
                    exchange.waits.push(waited.record);
                    if waited.end == WaitEnd::Settled {
                        resent = true;
                        continue;
                    }
                }
            }
            ex.retries += u32::from(resent);
            let failed = ex.response.is_err();
            // Still throttled after the retries: nothing after this step could be judged either.
            let throttled = ex.received().filter(|r| r.throttled()).map(|r| (r.status, ex.retries));
            exchange.steps.push(ex);
            if failed {
                return exchange;
            }
            if let Some((status, retries)) = throttled {
                exchange.stopped = Some(Stopped::Throttled { step: step.label.clone(), status, retries });
                return exchange;
            }
            // Parse only when navigation needs it; the checks parse (once) otherwise.
            let needs_body = !step.captures.is_empty() || step.walk.is_some();
            let body = exchange
                .steps
                .last()
                .filter(|_| needs_body)
                .and_then(|ex| ex.received())
                .filter(|r| r.status == step.operation.meta.success_status)
                .and_then(|r| r.json());
            if let Some(body) = body {
                capture(step, body, &mut bindings);
            }
            // Walks advance the offset by the page length until the list is exhausted.
            let Some(walk) = &step.walk else { break };
            pages += 1;
            let Some(body) = body else { break };
            let Some(next) = next_offset(walk, &template, body, pages) else { break };
            for (name, slot) in &mut template.query {
                if name == &walk.offset_param {
                    *slot = Slot::Literal(Value::from(next));
                }
            }
        }
    }
    exchange
}
