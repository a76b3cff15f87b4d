//! Owns getting the target's own resources before the cases run: each role a case fills from the
//! target comes from the profile (or a flag); else, where a list tracks resources of that role, it
//! is discovered on the target (every page read, only a ready one of the profile's parents kept);
//! else the cases needing it are skipped, naming what to set. The profile records where each came
//! from, and the report shows it. Never the reference profile's ids, never a made-up one.

use std::sync::Arc;

use crate::catalogue::{Catalogue, ParamRole};
use crate::execute::{RunLimits, Target, discover};
use crate::generate::{Case, Slot, role_name, trackers};
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
            let target = Target { profile, client, limits };
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
            Ok(None) => tracing::info!("the target lists no {ready} {name}{of}; set {how}"),
            Err(e) => tracing::info!("could not look for a {name} on the target ({e}); set {how}"),
        }
    }
    records
}

fn record(kind: &str, id: &str, operation: Option<String>, provenance: Provenance) -> ResourceRecord {
    ResourceRecord { kind: kind.to_owned(), id: id.to_owned(), operation, provenance, cleanup: None }
}
