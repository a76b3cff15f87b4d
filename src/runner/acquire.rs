//! Owns getting the target's own resources before the cases run: each role a case fills from the
//! target comes from the profile (or a flag); else, where a list tracks resources of that role, it
//! is discovered on the target (every page read, only a ready one of the profile's parents kept);
//! else, where the run may create, one is created by the positive case of an operation that adds to
//! that list (journalled, so cleanup removes it) and waited for until ready; else the cases needing it
//! are skipped, naming what to set. The profile records where each came from, and the report shows
//! it. Never the reference profile's ids, never a made-up one.

use std::sync::Arc;

use crate::catalogue::{Catalogue, ParamRole};
use crate::execute::{Awaited, RunLimits, Target, WaitEnd, discover, execute, settle};
use crate::generate::{Case, CaseId, CaseKind, Expectation, Slot, Tracker, role_name, trackers};
use crate::profile::TargetProfile;
use crate::report::{Provenance, ResourceRecord};

/// Fills the profile's missing resources the `cases` need, where the target shows one, and returns
/// where every resource they use came from (what could not be had is in the skipped cases' reasons).
pub async fn acquire_resources(
    catalogue: &Catalogue,
    cases: &[Arc<Case>],
    profile: &mut TargetProfile,
    client: &reqwest::Client,
    limits: &RunLimits,
) -> Vec<ResourceRecord> {
    let mut needed: Vec<ParamRole> = Vec::new();
    for slot in cases.iter().flat_map(|c| c.steps.iter().flat_map(|s| s.request.slots())) {
        if let Slot::Role(r) = slot
            && crate::generate::is_resource(*r)
            && !needed.contains(r)
        {
            needed.push(*r);
        }
    }
    let trackers = trackers(catalogue);
    let mut records = Vec::new();
    for role in needed {
        let name = role_name(role).to_owned();
        if let Some(id) = profile.resource(role) {
            let setting = format!("{name}_id");
            records.push(record(&name, id, None, Provenance::Profile { setting }));
            continue;
        }
        let how = TargetProfile::how_to_name(role);
        let Some(tracker) = trackers.iter().find(|t| t.role == role) else { continue };
        if profile.file.isolate_projects {
            continue;
        }
        let project = profile.file.project_id.clone();
        let found = {
            let target = Target { profile, client, limits, progress: None };
            discover(&target, tracker, &project).await
        };
        let parents: Vec<String> = tracker
            .parents
            .iter()
            .filter_map(|(_, r)| profile.resource(*r).map(|id| format!("{} {id}", role_name(*r))))
            .collect();
        let of = if parents.is_empty() { String::new() } else { format!(" of {}", parents.join(", ")) };
        let ready = tracker.lifecycle.ready.join(" or ");
        match found {
            Ok(Some(id)) => {
                let how = format!("a {ready} {name}{of}, found by reading every page of {}", tracker.list.meta.id);
                profile.set_resource(role, id.clone());
                records.push(record(
                    &name,
                    &id,
                    Some(tracker.list.meta.id.to_string()),
                    Provenance::Discovered { how },
                ));
            }
            Ok(None) => match create(catalogue, tracker, profile, client, limits).await {
                Ok(id) => {
                    tracing::info!("the target listed no {ready} {name}{of}: the run created {id} for its cases");
                    profile.set_resource(role, id);
                }
                Err(why) => tracing::info!("the target lists no {ready} {name}{of} and {why}; set {how}"),
            },
            Err(e) => tracing::info!("could not look for a {name} on the target ({e}); set {how}"),
        }
    }
    records
}

/// Creates a resource `tracker` lists, for the cases that need one: the positive case of an operation
/// adding to that list (one whose answer names the new id first), sent as a case of its own
/// (`set-up/…`) so the journal records it and cleanup deletes it, then waited for until the list shows
/// it ready. `Err` says why none could be had.
async fn create(
    catalogue: &Catalogue,
    tracker: &Tracker,
    profile: &TargetProfile,
    client: &reqwest::Client,
    limits: &RunLimits,
) -> Result<String, String> {
    if profile.file.read_only || !profile.file.allow_mutating {
        return Err("the run may not create one (read-only)".into());
    }
    let Some(journal) = limits.journal.as_deref() else {
        return Err("the run keeps no journal to clean one up".into());
    };
    let plans = journal.plan();
    let mut candidates: Vec<Case> = crate::generate::generate(catalogue)
        .into_iter()
        .filter(|c| c.kind == CaseKind::Positive && c.steps.len() == 1 && c.steps[0].expect == Expectation::Success)
        .filter(|c| tracker.created_by(&c.steps[0].operation))
        .filter(|c| plans.creator(c.steps[0].operation.meta.id.as_str()).is_some_and(|p| p.deleter.is_some()))
        // Every resource the request names must be the profile's (the graph a backup belongs to).
        .filter(|c| c.steps[0].request.slots().all(|s| crate::execute::missing(profile, s).is_none()))
        .collect();
    // An answer naming the new id beats one told apart through the list; then the page's own example.
    candidates.sort_by_key(|c| {
        let op = c.steps[0].operation.meta.id.as_str();
        (plans.creator(op).is_none_or(|p| p.id_member.is_none()), !c.id.as_str().ends_with("/example"), c.id.clone())
    });
    let target = Target { profile, client, limits, progress: None };
    let mut last = format!("no operation of the catalogue adds to {}", tracker.list.meta.id);
    for mut case in candidates {
        case.id = CaseId::new(["set-up", role_name(tracker.role), case.id.as_str()]);
        let exchange = execute(&case, &target).await;
        let made = journal.created().into_iter().rev().find(|c| c.case == case.id.as_str()).and_then(|c| c.id);
        let Some(id) = made else {
            let answer = exchange
                .steps
                .last()
                .and_then(|s| s.received())
                .map_or_else(|| "no answer".to_owned(), |r| format!("status {}", r.status));
            last = format!("{} created none ({answer})", case.operation);
            continue;
        };
        let waited = settle(&target, tracker, &profile.file.project_id, &Awaited::Item(id.clone())).await;
        return match waited.end {
            WaitEnd::Settled => Ok(id),
            other => Err(format!("the {} it created ({id}) did not become ready: {other:?}", role_name(tracker.role))),
        };
    }
    Err(last)
}

fn record(kind: &str, id: &str, operation: Option<String>, provenance: Provenance) -> ResourceRecord {
    ResourceRecord { kind: kind.to_owned(), id: id.to_owned(), operation, provenance, cleanup: None }
}
