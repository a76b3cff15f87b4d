//! Runs one case's steps in order against a target: fills slots, follows walks page by page,
//! captures values for later steps. Records everything; decides nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::error::Stopped;
use super::exchange::Exchange;
use super::pace::RunLimits;
use super::send::{Bindings, prepare, send};
use crate::generate::{Case, Slot};
use crate::profile::TargetProfile;

/// Where the case runs.
pub struct Target<'a> {
    pub profile: &'a TargetProfile,
    pub client: &'a reqwest::Client,
    /// Rate, retries and deadline shared by the whole run.
    pub limits: &'a RunLimits,
}

/// The project a case uses: its own where the target isolates projects, the profile's otherwise.
pub fn project_for(case: &Case, profile: &TargetProfile) -> String {
    if profile.file.isolate_projects { case.id.project_id() } else { profile.file.project_id.clone() }
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
        if let Some(settle) = &step.settle
            && let Some(id) = bindings.captures.get(&settle.capture)
        {
            let (list, project) = (&settle.list, bindings.project.clone());
            let bound = crate::cleanup::SETTLE_BOUND;
            if let Err(e) = crate::cleanup::settle(target, list, &project, id, bound).await {
                exchange.stopped = Some(Stopped::Unsettled { step: step.label.clone(), reason: e });
                return exchange;
            }
        }
        let mut template = step.request.clone();
        let mut pages = 0usize;
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
            let ex = send(target.client, target.profile, target.limits, i, &step.label, prepared).await;
            if let Some(j) = journal {
                j.observe(case.id.as_str(), &step.operation, &ex, window, target).await;
            }
            let failed = ex.response.is_err();
            exchange.steps.push(ex);
            if failed {
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
                for c in &step.captures {
                    if let Some(v) = body.pointer(&c.pointer).and_then(|v| v.as_str().map(str::to_owned)) {
                        bindings.captures.insert(c.name.clone(), v);
                    }
                }
            }
            // Walks advance the offset by the page length until the list is exhausted.
            let Some(walk) = &step.walk else { break };
            pages += 1;
            let Some(body) = body else { break };
            let n = body.get(&walk.items).and_then(Value::as_array).map_or(0, Vec::len);
            let total = body.get(&walk.total).and_then(Value::as_u64);
            let offset = template
                .query
                .iter()
                .find(|(name, _)| name == &walk.offset_param)
                .and_then(|(_, s)| if let Slot::Literal(v) = s { v.as_u64() } else { None })
                .unwrap_or(0);
            let next = offset + n as u64;
            if n == 0 || pages >= walk.max_pages || total.is_some_and(|t| next >= t) {
                break;
            }
            for (name, slot) in &mut template.query {
                if name == &walk.offset_param {
                    *slot = Slot::Literal(Value::from(next));
                }
            }
        }
    }
    exchange
}
