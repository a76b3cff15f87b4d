//! The reference server's legitimate variants (`--variant`, `ServerConfig::variants`) and its
//! foreign-target mode: each behaves as its variant says, and every answer stays one the pages
//! allow (documented success status and schema; error bodies in an envelope).

use std::io::Read;
use std::time::{Duration, Instant};

use hwconform::catalogue::Operation;
use hwconform::server::{
    DEFAULT_TOKEN, FAULT_HEADER, GATEWAY_FORBIDDEN, GATEWAY_THROTTLED, GATEWAY_UNAUTHORIZED, ServerConfig, Variant,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::server::{GEMINI, Harness, V1_ADD, V1_LIST, V2_ADD, V2_EXPORT, assert_error, project};

async fn with(variants: &[&str]) -> Harness {
    let variants = variants.iter().map(|v| v.parse::<Variant>().unwrap()).collect();
    Harness::with(ServerConfig { variants, ..ServerConfig::default() }).await
}

/// A valid request for each operation (export names a seeded backup), as sent by `Harness::request`.
fn valid(h: &Harness, op: &Operation, project: &str) -> reqwest::RequestBuilder {
    let mut req = h.request(op.meta.id.as_str(), project);
    if op.meta.id.as_str() == V2_EXPORT {
        req = req.json(&json!({"backup_id": h.seed.backups[0]["id"], "export_path": "obs://bucket/dir"}));
    }
    req
}

/// The body decoded as the response's `Content-Encoding` says (gzip or none).
async fn body_of(resp: reqwest::Response) -> Value {
    let gzip = resp.headers().get("content-encoding").is_some_and(|v| v == "gzip");
    let bytes = resp.bytes().await.unwrap();
    let text = if gzip {
        let mut out = String::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut out).unwrap();
        out
    } else {
        String::from_utf8(bytes.to_vec()).unwrap()
    };
    serde_json::from_str(&text).unwrap()
}

async fn assert_success(h: &Harness, op: &Operation, resp: reqwest::Response) -> Value {
    assert_eq!(resp.status().as_u16(), op.meta.success_status, "{}", op.meta.id);
    let body = body_of(resp).await;
    let schema = op.response_schema(op.meta.success_status).unwrap();
    assert!(schema.violations(&body).is_empty(), "{}: {:?} in {body}", op.meta.id, schema.violations(&body));
    let _ = h;
    body
}

#[tokio::test]
async fn gateway_auth_refuses_in_the_gateway_envelope_on_every_operation() {
    let h = with(&["gateway-auth"]).await;
    let p = project("gw");
    for op in h.operations() {
        for (token, status, code) in [(None, 401, GATEWAY_UNAUTHORIZED), (Some("wrong"), 403, GATEWAY_FORBIDDEN)] {
            let mut built = valid(&h, op, &p).build().unwrap();
            built.headers_mut().remove("x-auth-token");
            if let Some(t) = token {
                built.headers_mut().insert("x-auth-token", t.parse().unwrap());
            }
            let resp = h.client.execute(built).await.unwrap();
            assert_eq!(resp.status().as_u16(), status, "{}", op.meta.id);
            let body: Value = resp.json().await.unwrap();
            // The gateway's snake_case envelope, also on the camelCase GES v1.0 operations.
            assert_eq!(body["error_code"], code, "{}: {body}", op.meta.id);
            assert!(body["error_msg"].is_string(), "{body}");
            assert!(body.get("errorCode").is_none(), "{body}");
        }
        assert_success(&h, op, valid(&h, op, &p).send().await.unwrap()).await;
    }
    assert_eq!(h.server.stats().total_creates(), 3, "only the authorised calls created anything");
    h.server.shutdown().await;
}

#[tokio::test]
async fn slow_backups_stay_backing_up_and_cannot_be_exported_until_done() {
    let h = with(&["slow-backups=400"]).await;
    let p = project("slow");
    let created = h.add(V2_ADD, &p).await;
    let id = created["backup_id"].as_str().unwrap().to_owned();
    let item = |list: &Value| list["backupList"].as_array().unwrap().iter().find(|i| i["id"] == id.as_str()).cloned();
    let list = h.list(&p, "limit=100").await;
    assert_eq!(item(&list).unwrap()["status"], "backing_up");
    let export = h.op(V2_EXPORT);
    let send = || h.request(V2_EXPORT, &p).json(&json!({"backup_id": id, "export_path": "obs://bucket/dir"})).send();
    // Refused with a 400 in the API's own envelope, a status the export page lists.
    assert_error(send().await.unwrap(), export, 400, Some("HWC.0409")).await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(item(&h.list(&p, "limit=100").await).unwrap()["status"], "success");
    assert_success(&h, export, send().await.unwrap()).await;
    h.server.shutdown().await;
}

#[tokio::test]
async fn throttling_refuses_a_seeded_share_before_processing() {
    let h = with(&["throttle=0.5@3"]).await;
    let p = project("throttle");
    let (mut throttled, mut created) = (0, 0);
    for i in 0..40 {
        // Distinct requests, GET and POST alike (a repeat of a throttled one would be let through).
        let resp = if i % 2 == 0 {
            h.client
                .get(format!("{}?offset={i}", h.url(V1_LIST, &p, "")))
                .header("X-Auth-Token", DEFAULT_TOKEN)
                .send()
                .await
                .unwrap()
        } else {
            h.request(V2_ADD, &format!("{p}{i}")).send().await.unwrap()
        };
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled += 1;
            assert_eq!(resp.headers()["retry-after"], "1");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error_code"], GATEWAY_THROTTLED, "{body}");
        } else {
            assert_eq!(resp.status(), StatusCode::OK);
            created += usize::from(i % 2 == 1);
        }
    }
    assert!((8..=32).contains(&throttled), "about half of 40 throttled, got {throttled}");
    assert_eq!(h.server.stats().creates_of(V2_ADD), created as u64, "a throttled add created nothing");
    // Its retry goes through.
    let url = format!("{}?offset=1000", h.url(V1_LIST, &p, ""));
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let resp = h.client.get(&url).header("X-Auth-Token", DEFAULT_TOKEN).send().await.unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert!(!statuses.windows(2).any(|w| w == [429, 429]), "never two 429s in a row for one request: {statuses:?}");
    h.server.shutdown().await;
}

#[tokio::test]
async fn lists_follow_the_chosen_order() {
    for (variant, newest_first) in [("newest-first", true), ("oldest-first", false)] {
        let h = with(&[variant]).await;
        let p = project("order");
        for _ in 0..2 {
            h.add(V2_ADD, &p).await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let list = h.list(&p, "limit=100").await;
        let starts: Vec<i64> =
            list["backupList"].as_array().unwrap().iter().map(|i| i["startTimestamp"].as_i64().unwrap()).collect();
        let mut sorted = starts.clone();
        sorted.sort_unstable();
        if newest_first {
            sorted.reverse();
        }
        assert_eq!(starts, sorted, "{variant}");
        assert_eq!(list["backupCount"], h.seed.backups.len() + 2);
        // Offset pages through the same order.
        let second = h.list(&p, "offset=1&limit=1").await;
        assert_eq!(second["backupList"][0]["startTimestamp"], starts[1]);
        h.server.shutdown().await;
    }
}

#[tokio::test]
async fn one_backup_per_graph_refuses_a_second_while_the_first_is_backing_up() {
    let h = with(&["one-backup-per-graph", "slow-backups=3600000"]).await;
    let p = project("busy");
    for (i, add) in [V2_ADD, V1_ADD].into_iter().enumerate() {
        let q = format!("{p}{i}");
        h.add(add, &q).await;
        let resp = h.request(add, &q).send().await.unwrap();
        assert_error(resp, h.op(add), 400, Some("HWC.0409")).await;
        // Another graph is not busy.
        let other = &h.seed.graphs[1].id;
        let url = h.url(add, &q, other);
        let mut req = h.client.post(url).header("X-Auth-Token", DEFAULT_TOKEN);
        if h.op(add).request.is_some() {
            req = req.json(&json!({}));
        }
        assert_eq!(req.send().await.unwrap().status().as_u16(), h.op(add).meta.success_status, "{add}");
    }
    // The list holds exactly the accepted ones.
    let stats = h.server.stats();
    assert_eq!(stats.creates_of(V2_ADD) + stats.creates_of(V1_ADD), 4);
    h.server.shutdown().await;
}

#[tokio::test]
async fn extra_members_appear_in_every_body_and_keep_it_valid() {
    let h = with(&["extra-members"]).await;
    let p = project("extra");
    for op in h.operations() {
        let body = assert_success(&h, op, valid(&h, op, &p).send().await.unwrap()).await;
        assert!(body["request_id"].is_string(), "{}: {body}", op.meta.id);
        let mut built = valid(&h, op, &p).build().unwrap();
        built.headers_mut().remove("x-auth-token");
        let error = assert_error(h.client.execute(built).await.unwrap(), op, 401, None).await;
        assert!(error["request_id"].is_string(), "{error}");
    }
    let list = h.list(&p, "").await;
    assert!(list["backupList"].as_array().unwrap().iter().all(|i| i["x_hwc_extra"] == "vendor"), "{list}");
    h.server.shutdown().await;
}

#[tokio::test]
async fn gzip_connection_close_and_chunked_shape_the_wire_only() {
    let h = with(&["gzip", "connection-close", "chunked"]).await;
    let p = project("wire");
    for op in h.operations() {
        let resp = valid(&h, op, &p).header("Accept-Encoding", "gzip").send().await.unwrap();
        let headers = resp.headers().clone();
        assert_eq!(headers["content-encoding"], "gzip", "{}", op.meta.id);
        assert_eq!(headers["connection"], "close");
        assert_eq!(headers["transfer-encoding"], "chunked");
        assert!(headers.get("content-length").is_none());
        assert_success(&h, op, resp).await;
        // Without Accept-Encoding: plain JSON.
        let resp = valid(&h, op, &p).send().await.unwrap();
        assert!(resp.headers().get("content-encoding").is_none());
        assert_success(&h, op, resp).await;
    }
    h.server.shutdown().await;
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let h = with(&["latency=150"]).await;
    let p = project("late");
    let started = Instant::now();
    assert_eq!(h.client.get(h.url(V1_LIST, &p, "")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    h.list(&p, "").await;
    assert!(started.elapsed() >= Duration::from_millis(300), "two answers, each 150 ms late");
    h.server.shutdown().await;
}

#[tokio::test]
async fn a_foreign_target_shares_one_project_with_fresh_ids_and_no_fault_header() {
    let h = Harness::with(ServerConfig::foreign()).await;
    let reference = hwconform::server::Seed::builtin();
    assert_ne!(h.server.seed().graphs[0].id, reference.graphs[0].id);
    assert_ne!(h.server.seed().instances[0].id, reference.instances[0].id);
    // Any project id reaches the same state.
    let created = h.add(V2_ADD, "projecta").await;
    let list = h.list("projectb", "limit=100").await;
    assert!(list["backupList"].as_array().unwrap().iter().any(|i| i["id"] == created["backup_id"]));
    assert_eq!(list["backupCount"], reference.backups.len() + 1);
    // The reference profile's ids are unknown here.
    let url = h.url(V2_ADD, "projecta", &reference.graphs[0].id);
    let resp = h.client.post(url).header("X-Auth-Token", DEFAULT_TOKEN).json(&json!({})).send().await.unwrap();
    assert_error(resp, h.op(V2_ADD), 404, Some("GES.0047")).await;
    let url = h.url(GEMINI, "projecta", &reference.instances[0].id);
    let body = json!({"name": "abcd", "description": ""});
    let resp = h.client.post(url).header("X-Auth-Token", DEFAULT_TOKEN).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // No fault header.
    let resp = h.request(V1_LIST, "projecta").header(FAULT_HEADER, "internal").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    h.server.shutdown().await;
}

#[tokio::test]
async fn the_real_cloud_preset_answers_every_operation_correctly_through_retries() {
    let h = with(&["real-cloud"]).await;
    let p = project("cloud");
    for op in h.operations() {
        let mut attempts = 0;
        let resp = loop {
            attempts += 1;
            let resp = valid(&h, op, &p).header("Accept-Encoding", "gzip").send().await.unwrap();
            if resp.status() != StatusCode::TOO_MANY_REQUESTS {
                break resp;
            }
            assert!(attempts < 3, "a retry of a throttled request goes through");
        };
        assert_eq!(resp.headers()["content-encoding"], "gzip");
        let body = assert_success(&h, op, resp).await;
        assert!(body["request_id"].is_string());
        let mut built = valid(&h, op, &p).build().unwrap();
        built.headers_mut().remove("x-auth-token");
        let status = h.client.execute(built).await.unwrap().status().as_u16();
        assert!([401, 429].contains(&status), "{}: {status}", op.meta.id);
    }
    h.server.shutdown().await;
}
