//! Rule breaks (`--break RULE_ID`, `ServerConfig::breaks`): every listed rule starts a server, and
//! each kind of breakage does exactly the wrong thing its kind suggests, next to a faithful server
//! that does the right one.

use hwconform::catalogue::{Catalogue, RuleId, rule_list};
use hwconform::server::{DEFAULT_TOKEN, FAULT_HEADER, ServerConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::server::{GEMINI, Harness, V1_ADD, V1_LIST, V2_ADD, V2_EXPORT, assert_error, project};

/// The hand-written broken variants of `suite_variants.rs`, each with the generated breakage that
/// replaces it.
pub(crate) const HAND_WRITTEN: &[(&str, &str)] = &[
    ("GES.0047 changed to GES.0048", "ges.v2.add_backup/error_code/GES.0047"),
    ("GES.7000 changed to GES.7001", "ges.v1.add_backup/error_code/GES.7000"),
    ("GES.7006 changed to GES.7007", "ges.v1.list_backups/error_code/GES.7006"),
    ("GES.0001 changed to GES.0002", "ges.v2.export_backup/error_code/GES.0001"),
    ("v2 envelope in camelCase", "ges.v2.add_backup/envelope/error_code"),
    ("v1.0 envelope in snake_case", "ges.v1.list_backups/envelope/errorCode"),
    ("backup_id dropped from the v2 add answer", "ges.v2.add_backup/response.200/backup_id/required"),
    ("jobId dropped from the v1.0 add answer", "ges.v1.add_backup/response.200/jobId/required"),
    ("encrypted dropped from listed backups", "ges.v1.list_backups/response.200/backupList[].encrypted/required"),
    ("name length rule disabled", "geminidb.v3.create_backup/body/name/max_length"),
    ("pagination off by one", "ges.v1.list_backups/pagination/limit"),
    ("offset ignored", "ges.v1.list_backups/pagination/offset"),
    ("backupCount is the page size, not the total", "ges.v1.list_backups/pagination/total"),
    ("default limit 5 instead of 10", "ges.v1.list_backups/default/limit"),
    ("new backups never listed", "ges.v2.add_backup/state/listed"),
    ("success answered 201", "ges.v2.add_backup/status/200"),
    ("answers declared text/plain", "ges.v2.export_backup/media_type/application_json"),
    ("auth not enforced (any token accepted)", "ges.v1.add_backup/auth/required"),
    ("malformed bodies answered 500", "ges.v2.add_backup/malformed/body"),
    ("unknown graph answered 200", "ges.v2.add_backup/not_found/graph_id"),
];

async fn broken(ids: &[&str]) -> Harness {
    let breaks = ids.iter().map(|i| i.parse::<RuleId>().unwrap()).collect();
    Harness::with(ServerConfig { breaks, fault_injection: true, ..ServerConfig::default() }).await
}

fn gemini_body(name: &str, description: &str) -> Value {
    json!({"name": name, "description": description})
}

async fn gemini(h: &Harness, p: &str, body: &Value) -> u16 {
    h.request(GEMINI, p).json(body).send().await.unwrap().status().as_u16()
}

#[test]
fn every_hand_written_broken_variant_maps_to_a_listed_rule() {
    let ids: Vec<String> = rule_list(&Catalogue::builtin().unwrap()).into_iter().map(|r| r.id.to_string()).collect();
    assert_eq!(HAND_WRITTEN.len(), 20);
    for (name, id) in HAND_WRITTEN {
        assert!(ids.iter().any(|i| i == id), "{name}: {id} is not listed");
    }
}

#[tokio::test]
async fn every_listed_rule_starts_a_broken_server() {
    for rule in rule_list(&Catalogue::builtin().unwrap()) {
        let h = broken(&[rule.id.as_str()]).await;
        let p = project("start");
        // Still a server: the list answers.
        let status = h.request(V1_LIST, &p).send().await.unwrap().status();
        assert!(status.is_success() || status.is_client_error(), "{}: {status}", rule.id);
        h.server.shutdown().await;
    }
    let err = hwconform::server::spawn(ServerConfig {
        breaks: vec!["ges.v2.add_backup/nothing/here".parse().unwrap()],
        ..ServerConfig::default()
    })
    .await
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("ges.v2.add_backup/nothing/here"), "{err}");
}

#[tokio::test]
async fn request_rules_are_widened_by_one_step() {
    let faithful = Harness::start().await;
    let h = broken(&[
        "geminidb.v3.create_backup/body/name/max_length",
        "geminidb.v3.create_backup/body/name/first_char",
        "geminidb.v3.create_backup/body/name/allowed_chars",
        "geminidb.v3.create_backup/body/description/forbidden_chars",
        "geminidb.v3.create_backup/body/name/min_length",
        "geminidb.v3.create_backup/body/description/required",
        "ges.v2.add_backup/path/project_id/max_length",
        "ges.v2.add_backup/path/project_id/allowed_chars",
    ])
    .await;
    let p = project("widen");
    for body in [
        gemini_body(&format!("A{}", "a".repeat(64)), ""),
        gemini_body("1abc", ""),
        gemini_body("ab.cd", ""),
        gemini_body("abcd", "x=y"),
        gemini_body("abc", ""),
        json!({"name": "abcd"}),
    ] {
        assert_eq!(gemini(&h, &p, &body).await, 202, "broken accepts {body}");
        assert_eq!(gemini(&faithful, &p, &body).await, 400, "faithful refuses {body}");
    }
    // Still refused where the break does not reach: one more character, another forbidden one.
    assert_eq!(gemini(&h, &p, &gemini_body(&format!("A{}", "a".repeat(65)), "")).await, 400);
    assert_eq!(gemini(&h, &p, &gemini_body("abcd", "x<y")).await, 400);
    for bad_project in ["a".repeat(65), "ab.c".to_owned()] {
        let url = h.url(V2_ADD, &bad_project, &h.seed.graphs[0].id);
        let send =
            |c: &reqwest::Client, u: String| c.post(u).header("X-Auth-Token", DEFAULT_TOKEN).json(&json!({})).send();
        assert_eq!(send(&h.client, url).await.unwrap().status(), StatusCode::OK, "{bad_project}");
        let url = faithful.url(V2_ADD, &bad_project, &faithful.seed.graphs[0].id);
        assert_eq!(send(&faithful.client, url).await.unwrap().status(), StatusCode::BAD_REQUEST, "{bad_project}");
    }
    h.server.shutdown().await;
    faithful.server.shutdown().await;
}

#[tokio::test]
async fn query_types_and_defaults_are_broken() {
    let h = broken(&["ges.v1.list_backups/query/limit/type", "ges.v1.list_backups/default/limit"]).await;
    let p = project("query");
    for _ in 0..12 {
        h.add(V2_ADD, &p).await;
    }
    assert_eq!(h.list(&p, "").await["backupList"].as_array().unwrap().len(), 9, "default 10 became 9");
    // A text limit is accepted (200, `Harness::list` asserts it), where the faithful server answers 400.
    assert!(h.list(&p, "limit=abc").await["backupList"].is_array());
    h.server.shutdown().await;
    let h = broken(&["ges.v1.list_backups/default/offset"]).await;
    let body = h.list(&p, "limit=1").await;
    assert_eq!(body["backupList"][0]["id"], h.seed.backups[1]["id"], "offset 0 became 1");
    h.server.shutdown().await;
}

#[tokio::test]
async fn success_answers_lose_or_mangle_documented_members() {
    let h = broken(&[
        "ges.v2.add_backup/response.200/backup_id/required",
        "ges.v1.add_backup/response.200/jobId/type",
        "ges.v1.list_backups/response.200/backupList[].encrypted/required",
        "ges.v1.list_backups/response.200/backupList[].status/enum",
        "ges.v2.add_backup/status/200",
        "ges.v2.export_backup/media_type/application_json",
    ])
    .await;
    let p = project("answers");
    let resp = h.request(V2_ADD, &p).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let body: Value = resp.json().await.unwrap();
    assert!(body.get("backup_id").is_none() && body["job_id"].is_string(), "{body}");
    let body: Value = h.request(V1_ADD, &p).send().await.unwrap().json().await.unwrap();
    assert!(body["jobId"].is_number(), "{body}");
    let list = h.list(&p, "limit=100").await;
    for item in list["backupList"].as_array().unwrap() {
        assert!(item.get("encrypted").is_none(), "{item}");
        assert_eq!(item["status"], "undocumented");
    }
    let resp = h
        .request(V2_EXPORT, &p)
        .json(&json!({"backup_id": h.seed.backups[0]["id"], "export_path": "obs://b/d"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/plain");
    h.server.shutdown().await;
}

#[tokio::test]
async fn documented_errors_change_code_status_or_envelope_only_where_documented() {
    let h = broken(&[
        "ges.v2.add_backup/error_code/GES.0047",
        "ges.v1.add_backup/error_status/GES.7000",
        "ges.v2.export_backup/envelope/error_code",
        "ges.v1.list_backups/error_code/GES.7006",
    ])
    .await;
    let p = project("errors");
    let unknown = "00000000-0000-0000-0000-000000000000";
    let send =
        |id: &str| h.client.post(h.url(id, &p, unknown)).header("X-Auth-Token", DEFAULT_TOKEN).json(&json!({})).send();
    assert_error(send(V2_ADD).await.unwrap(), h.op(V2_ADD), 404, Some("GES.0048")).await;
    assert_error(send(V1_ADD).await.unwrap(), h.op(V1_ADD), 404, Some("GES.7000")).await;
    // 400 has a documented body on the export page: renamed there; 401 has none: untouched.
    let resp = h.request(V2_EXPORT, &p).json(&json!({"backup_id": 1})).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert!(body["errorCode"].is_string() && body.get("error_code").is_none(), "{body}");
    let resp = h.client.post(h.url(V2_EXPORT, &p, &h.seed.graphs[0].id)).send().await.unwrap();
    assert_error(resp, h.op(V2_EXPORT), 401, None).await;
    let resp = h.request(V1_LIST, &p).header(FAULT_HEADER, "internal").send().await.unwrap();
    assert_error(resp, h.op(V1_LIST), 400, Some("GES.7007")).await;
    h.server.shutdown().await;
}

#[tokio::test]
async fn auth_is_skipped_or_near_misses_accepted_on_one_operation() {
    let h = broken(&["ges.v1.add_backup/auth/required", "ges.v2.add_backup/auth/exact_token"]).await;
    let p = project("auth");
    let post = |id: &str, token: Option<&str>| {
        let mut req = h.client.post(h.url(id, &p, &h.seed.graphs[0].id)).json(&json!({}));
        if let Some(t) = token {
            req = req.header("X-Auth-Token", t);
        }
        req.send()
    };
    assert_eq!(post(V1_ADD, None).await.unwrap().status(), StatusCode::OK);
    let near = format!("{DEFAULT_TOKEN}x");
    assert_eq!(post(V2_ADD, Some(&near)).await.unwrap().status(), StatusCode::OK);
    assert_eq!(post(V2_ADD, Some(&DEFAULT_TOKEN.to_uppercase())).await.unwrap().status(), StatusCode::OK);
    assert_eq!(post(V2_ADD, Some("wrong")).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(post(V2_ADD, None).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    // Other operations keep their auth.
    let resp = h.client.get(h.url(V1_LIST, &p, "")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    h.server.shutdown().await;
}

/// Whether a page (offset 1, limit 1) and the whole list show the breakage.
type PageCheck = fn(&Value, &Value) -> bool;

#[tokio::test]
async fn pagination_and_counts_go_wrong_one_way_each() {
    let p = project("pages");
    let cases: [(&str, PageCheck); 4] = [
        ("ges.v1.list_backups/pagination/limit", |page, _| page["backupList"].as_array().unwrap().len() == 2),
        ("ges.v1.list_backups/pagination/offset", |page, all| page["backupList"][0] == all["backupList"][0]),
        ("ges.v1.list_backups/pagination/total", |page, _| page["backupCount"] == 1),
        ("ges.v1.list_backups/count/backupCount", |page, _| page["backupCount"] == 3),
    ];
    for (id, wrong) in cases {
        let h = broken(&[id]).await;
        h.add(V2_ADD, &p).await;
        let page = h.list(&p, "offset=1&limit=1").await;
        let all = h.list(&p, "offset=0&limit=100").await;
        assert!(wrong(&page, &all), "{id}: {page} / {all}");
        h.server.shutdown().await;
    }
}

#[tokio::test]
async fn unknown_resources_malformed_bodies_and_listing_are_broken() {
    let h = broken(&[
        "ges.v2.add_backup/not_found/graph_id",
        "ges.v2.export_backup/not_found/backup_id",
        "ges.v2.add_backup/malformed/body",
        "ges.v1.add_backup/state/listed",
    ])
    .await;
    let p = project("misc");
    let unknown = "00000000-0000-0000-0000-000000000000";
    let resp = h.client.post(h.url(V2_ADD, &p, unknown)).header("X-Auth-Token", DEFAULT_TOKEN).json(&json!({}));
    assert_eq!(resp.send().await.unwrap().status(), StatusCode::OK);
    let resp = h.request(V2_EXPORT, &p).json(&json!({"backup_id": unknown, "export_path": "x"})).send().await;
    assert_eq!(resp.unwrap().status(), StatusCode::OK);
    let resp = h
        .client
        .post(h.url(V2_ADD, &p, &h.seed.graphs[0].id))
        .header("X-Auth-Token", DEFAULT_TOKEN)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let before = h.list(&p, "limit=100").await["backupCount"].clone();
    h.add(V1_ADD, &p).await;
    assert_eq!(h.list(&p, "limit=100").await["backupCount"], before, "v1.0 adds are not listed");
    h.add(V2_ADD, &p).await;
    assert_eq!(h.list(&p, "limit=100").await["backupCount"], before.as_u64().unwrap() + 1, "v2 adds are");
    h.server.shutdown().await;
}
