//! The reference server's catalogue-driven `Delete` behaviour: three delete operations written as
//! schema folders in the test (shaped like the companion pages' GES v2, GES v1.0 and GeminiDB v3
//! deletes) are served with no Rust of their own — a deleted backup leaves the list and its count,
//! a second delete and an export of it are refused, a backup still `backing_up` cannot be deleted.

use std::sync::Arc;
use std::time::Duration;

use hwconform::catalogue::{Catalogue, FileSet, rule_list};
use hwconform::server::{DEFAULT_TOKEN, ServerConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::server::{GEMINI, Harness, V2_ADD, V2_EXPORT, assert_error, project};

const V2_DELETE: &str = "ges.v2.delete_backup";
const V1_DELETE: &str = "ges.v1.delete_backup";
const GEMINI_DELETE: &str = "geminidb.v3.delete_backup";

fn source(row: &str) -> Value {
    json!({"page": "companion.txt", "table": "URI", "row": row})
}

fn param(name: &str, role: &str, location: &str) -> Value {
    json!({"name": name, "in": location, "required": true, "role": role, "schema": {"type": "string"}, "source": source(name)})
}

/// `operation.json` of a delete operation, shaped like the companion pages.
fn delete_meta(id: &str, service: &str, path: &str, params: &[Value], success: u16, style: &str) -> Value {
    let envelope =
        if style == "snake" { "../common/error-snake.schema.json" } else { "../common/error-camel.schema.json" };
    let mut responses = vec![json!({"status": 400, "schema": envelope, "source": source("400")})];
    if service == "GeminiDB" {
        responses = vec![json!({"status": 202, "schema": "response.202.schema.json", "source": source("202")})];
    }
    let statuses: Vec<Value> =
        [400, 401, 403, 404, 500, 503].iter().map(|s| json!({"status": s, "source": source(&s.to_string())})).collect();
    json!({
        "id": id, "title": "Delete a backup", "service": service, "family": format!("{service} delete"),
        "api_version": "v", "doc_version": null, "page": "companion.txt", "method": "DELETE", "path": path,
        "mutating": true, "success_status": success,
        "error_envelope": {"style": style, "schema": envelope, "basis": "table", "source": source("400")},
        "parameters": params, "request_body": null, "responses": responses,
        "status_codes": if service == "GeminiDB" { json!([]) } else { Value::from(statuses) },
        "error_examples": [], "examples": []
    })
}

/// The built-in catalogue plus the three delete operations.
pub(crate) fn with_deletes() -> Catalogue {
    // The committed catalogue holds the three companion deletes (derived from their pages): use them.
    let builtin = Catalogue::builtin().unwrap();
    if [V2_DELETE, V1_DELETE, GEMINI_DELETE].iter().all(|id| builtin.operation(id).is_some()) {
        return builtin;
    }
    let mut files = FileSet::embedded();
    let token = || param("X-Auth-Token", "auth_token", "header");
    let ges_params = || {
        let path = [("project_id", "project"), ("graph_id", "graph"), ("backup_id", "backup")];
        path.iter().map(|(name, role)| param(name, role, "path")).chain([token()]).collect::<Vec<_>>()
    };
    let ops = [
        delete_meta(
            V2_DELETE,
            "GES",
            "/v2/{project_id}/graphs/{graph_id}/backups/{backup_id}",
            &ges_params(),
            200,
            "snake",
        ),
        delete_meta(
            V1_DELETE,
            "GES",
            "/v1.0/{project_id}/graphs/{graph_id}/backups/{backup_id}",
            &ges_params(),
            200,
            "camel",
        ),
        delete_meta(
            GEMINI_DELETE,
            "GeminiDB",
            "/v3/{project_id}/backups/{backup_id}",
            &[param("project_id", "project", "path"), param("backup_id", "backup", "path"), token()],
            202,
            "snake",
        ),
    ];
    for meta in ops {
        let id = meta["id"].as_str().unwrap().to_owned();
        files.insert(format!("schemas/{id}/operation.json"), meta.to_string());
    }
    let job = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("https://schemas.hwconform.invalid/{GEMINI_DELETE}/response.202.schema.json"),
        "type": "object", "required": ["job_id"],
        "properties": {"job_id": {"type": "string", "x-source": source("job_id")}}
    });
    files.insert(format!("schemas/{GEMINI_DELETE}/response.202.schema.json"), job.to_string());
    Catalogue::load(&files).unwrap()
}

async fn start(backup_delay: Duration) -> Harness {
    let catalogue = with_deletes();
    let config = ServerConfig { catalogue: Some(Arc::new(catalogue.clone())), backup_delay, ..ServerConfig::default() };
    let mut h = Harness::with(config).await;
    h.catalogue = catalogue;
    h
}

impl Harness {
    /// The delete operation's URL for a backup (of the first seeded graph, where the path names one).
    fn delete_url(&self, id: &str, project: &str, graph: &str, backup: &str) -> String {
        let op = self.op(id);
        let path =
            op.meta.path.replace("{project_id}", project).replace("{graph_id}", graph).replace("{backup_id}", backup);
        format!("{}{path}", self.server.base_url())
    }

    async fn delete(&self, id: &str, project: &str, graph: &str, backup: &str) -> reqwest::Response {
        let url = self.delete_url(id, project, graph, backup);
        self.client.delete(url).header("X-Auth-Token", DEFAULT_TOKEN).send().await.unwrap()
    }
}

#[tokio::test]
async fn a_deleted_backup_leaves_the_list_and_cannot_be_deleted_or_exported_again() {
    let h = start(Duration::from_millis(300)).await;
    let p = project("del");
    let graph = h.seed.graphs[0].id.clone();
    for delete in [V2_DELETE, V1_DELETE] {
        let op = h.op(delete).clone();
        let created = h.add(V2_ADD, &p).await;
        let id = created["backup_id"].as_str().unwrap().to_owned();
        // GES refuses to delete a backup still being made: 400, a status its page lists.
        assert_error(h.delete(delete, &p, &graph, &id).await, &op, 400, Some("HWC.0409")).await;
        tokio::time::sleep(Duration::from_millis(350)).await;
        let before = h.list(&p, "limit=100").await;
        let resp = h.delete(delete, &p, &graph, &id).await;
        assert_eq!(resp.status(), StatusCode::OK, "{delete}");
        assert_eq!(resp.json::<Value>().await.unwrap(), json!({}), "the pages' example success body");
        let after = h.list(&p, "limit=100").await;
        assert_eq!(after["backupCount"], before["backupCount"].as_u64().unwrap() - 1);
        assert!(!after["backupList"].as_array().unwrap().iter().any(|i| i["id"] == id.as_str()));
        // A second delete: 404, a status the page lists, in the API's envelope.
        assert_error(h.delete(delete, &p, &graph, &id).await, &op, 404, None).await;
        let resp = h.request(V2_EXPORT, &p).json(&json!({"backup_id": id, "export_path": "obs://b/d"})).send().await;
        assert_error(resp.unwrap(), h.op(V2_EXPORT), 404, None).await;
    }
    // A seeded backup of another graph is not this graph's.
    let other = h.seed.backups.iter().find(|b| b["graphId"] != graph.as_str()).unwrap()["id"].as_str().unwrap();
    assert_error(h.delete(V2_DELETE, &p, &graph, other).await, h.op(V2_DELETE), 404, None).await;
    // An unknown graph.
    let unknown = "00000000-0000-0000-0000-000000000000";
    assert_error(h.delete(V1_DELETE, &p, unknown, other).await, h.op(V1_DELETE), 404, None).await;
    // Seeded backups can be deleted too, and the list's count follows.
    let seeded = h.seed.backups[0]["id"].as_str().unwrap();
    assert_eq!(h.delete(V1_DELETE, &p, &graph, seeded).await.status(), StatusCode::OK);
    let list = h.list(&p, "limit=100").await;
    assert_eq!(list["backupCount"], h.seed.backups.len() - 1);
    h.server.shutdown().await;
}

#[tokio::test]
async fn geminidb_backups_are_deleted_by_id_alone() {
    let h = start(Duration::ZERO).await;
    let p = project("gdel");
    let created = h.add(GEMINI, &p).await;
    let id = created["backup_id"].as_str().unwrap().to_owned();
    assert_eq!(h.server.instance_backups(&p).len(), 1);
    let resp = h.delete(GEMINI_DELETE, &p, "", &id).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let body: Value = resp.json().await.unwrap();
    assert!(body["job_id"].is_string(), "{body}");
    assert!(h.server.instance_backups(&p).is_empty());
    assert_error(h.delete(GEMINI_DELETE, &p, "", &id).await, h.op(GEMINI_DELETE), 404, None).await;
    h.server.shutdown().await;
}

#[tokio::test]
async fn delete_rules_are_listed_and_broken_like_any_other() {
    let catalogue = with_deletes();
    let ids: Vec<String> = rule_list(&catalogue).into_iter().map(|r| r.id.to_string()).collect();
    for expected in [
        "ges.v2.delete_backup/not_found/backup_id",
        "ges.v2.delete_backup/auth/required",
        "ges.v2.delete_backup/state/removed",
        "ges.v1.delete_backup/state/removed",
        "geminidb.v3.delete_backup/not_found/backup_id",
    ] {
        assert!(ids.iter().any(|i| i == expected), "{expected}");
    }
    assert!(!ids.iter().any(|i| i == "geminidb.v3.delete_backup/state/removed"), "no GeminiDB list");
    let config = ServerConfig {
        catalogue: Some(Arc::new(catalogue.clone())),
        backup_delay: Duration::ZERO,
        breaks: vec!["ges.v2.delete_backup/state/removed".parse().unwrap()],
        ..ServerConfig::default()
    };
    let mut h = Harness::with(config).await;
    h.catalogue = catalogue;
    let p = project("keep");
    let id = h.add(V2_ADD, &p).await["backup_id"].as_str().unwrap().to_owned();
    let graph = h.seed.graphs[0].id.clone();
    assert_eq!(h.delete(V2_DELETE, &p, &graph, &id).await.status(), StatusCode::OK);
    let list = h.list(&p, "limit=100").await;
    assert!(list["backupList"].as_array().unwrap().iter().any(|i| i["id"] == id.as_str()), "broken: still listed");
    h.server.shutdown().await;
}
