//! Finds what a run created on the target: every POST the target accepted (2xx) — in this contract every
//! POST is a create or an export — with the id-like members of its answer. Reads the recorded (already
//! redacted) results only.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::report::{CaseResult, CreatedResource};

/// The resources the cases' accepted POSTs created, in case order.
pub(super) fn created_resources(results: &[CaseResult]) -> Vec<CreatedResource> {
    let mut out = Vec::new();
    for case in results {
        for ex in &case.exchanges {
            let Some(rx) = &ex.response else { continue };
            if !ex.request.method.eq_ignore_ascii_case("POST") || !(200..300).contains(&rx.status) {
                continue;
            }
            let body = rx.body.as_deref().and_then(|b| serde_json::from_str::<Value>(b).ok());
            out.push(CreatedResource {
                case: case.id.clone(),
                method: ex.request.method.clone(),
                url: ex.request.url.clone(),
                status: rx.status,
                ids: body.as_ref().map(ids).unwrap_or_default(),
            });
        }
    }
    out
}

/// Top-level string members named like ids (`job_id`, `backup_id`, `jobId`, `id`).
fn ids(body: &Value) -> BTreeMap<String, String> {
    let Some(map) = body.as_object() else { return BTreeMap::new() };
    map.iter()
        .filter(|(k, _)| k.as_str() == "id" || k.ends_with("_id") || k.ends_with("Id"))
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn id_members_are_picked_from_the_answer() {
        let got = ids(&json!({"job_id": "j1", "backupId": "b1", "id": "x", "name": "n", "count_id": 3}));
        let want: BTreeMap<String, String> =
            [("backupId", "b1"), ("id", "x"), ("job_id", "j1")].map(|(k, v)| (k.to_owned(), v.to_owned())).into();
        assert_eq!(got, want);
        assert!(ids(&json!([1])).is_empty());
    }
}
