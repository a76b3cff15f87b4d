//! Tests of the reference server (`hwconform::server`): every documented behaviour, read from the
//! catalogue, against a server started in-process on 127.0.0.1 port 0 and stopped by each test.

use std::time::Duration;

use hwconform::catalogue::{AppliesTo, Catalogue, Location, Operation, ParamRole};
use hwconform::server::{
    self, Behaviour, DEFAULT_TOKEN, FAULT_HEADER, LATENCY_HEADER, RunningServer, Seed, ServerConfig,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(crate) const V2_ADD: &str = "ges.v2.add_backup";
pub(crate) const V2_EXPORT: &str = "ges.v2.export_backup";
pub(crate) const V1_ADD: &str = "ges.v1.add_backup";
pub(crate) const V1_LIST: &str = "ges.v1.list_backups";
pub(crate) const GEMINI: &str = "geminidb.v3.create_backup";

/// A running server, a client, and the catalogue it serves.
pub(crate) struct Harness {
    pub server: RunningServer,
    pub client: reqwest::Client,
    pub catalogue: Catalogue,
    pub seed: Seed,
}

impl Harness {
    pub(crate) async fn start() -> Self {
        Self::with(ServerConfig::default()).await
    }

    pub(crate) async fn with(config: ServerConfig) -> Self {
        let seed = config.seed.clone();
        let server = server::spawn(config).await.expect("server starts");
        let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().unwrap();
        Self { server, client, catalogue: Catalogue::builtin().unwrap(), seed }
    }

    /// The operations these tests drive with one generic valid request: all but deletes, which need
    /// a backup made for them first (`server_delete.rs` covers them).
    pub(crate) fn operations(&self) -> Vec<&Operation> {
        self.catalogue.operations().iter().filter(|o| Behaviour::of(o) != Some(Behaviour::Delete)).collect()
    }

    pub(crate) fn op(&self, id: &str) -> &Operation {
        self.catalogue.operation(id).unwrap()
    }

    /// The operation's URL with path parameters filled by role.
    pub(crate) fn url(&self, id: &str, project: &str, resource: &str) -> String {
        let op = self.op(id);
        let mut path = op.meta.path.clone();
        for p in op.meta.parameters.iter().filter(|p| p.location == Location::Path) {
            let value = if p.role == ParamRole::Project { project } else { resource };
            path = path.replace(&format!("{{{}}}", p.name), value);
        }
        format!("{}{path}", self.server.base_url())
    }

    /// The id of a seeded graph or instance, whichever the operation names.
    pub(crate) fn resource(&self, id: &str) -> String {
        let op = self.op(id);
        if op.meta.parameters.iter().any(|p| p.role == ParamRole::Instance) {
            self.seed.instances[0].id.clone()
        } else {
            self.seed.graphs[0].id.clone()
        }
    }

    /// A valid request for the operation: documented example body where there is one.
    pub(crate) fn request(&self, id: &str, project: &str) -> reqwest::RequestBuilder {
        let op = self.op(id);
        let method = Method::from_bytes(op.meta.method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, self.url(id, project, &self.resource(id)))
            .header("X-Auth-Token", DEFAULT_TOKEN);
        if op.request.is_some() {
            let body = op.example("request").and_then(|e| e.body.clone()).unwrap_or(json!({}));
            req = req.json(&body);
        }
        req
    }

    pub(crate) async fn list(&self, project: &str, query: &str) -> Value {
        let url = format!("{}?{query}", self.url(V1_LIST, project, ""));
        let resp = self.client.get(url).header("X-Auth-Token", DEFAULT_TOKEN).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.json().await.unwrap()
    }

    pub(crate) async fn add(&self, id: &str, project: &str) -> Value {
        let resp = self.request(id, project).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), self.op(id).meta.success_status);
        resp.json().await.unwrap()
    }
}

/// A project id unique to one test (letters and digits: every documented project rule allows it).
pub(crate) fn project(tag: &str) -> String {
    format!("{tag}{}", uuid::Uuid::new_v4().simple())
}

/// Asserts an error answer: status, the operation's envelope, and the code where one is given.
pub(crate) async fn assert_error(resp: reqwest::Response, op: &Operation, status: u16, code: Option<&str>) -> Value {
    assert_eq!(resp.status().as_u16(), status, "status of {}", op.meta.id);
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(ct.starts_with("application/json"), "content type {ct}");
    let body: Value = resp.json().await.unwrap();
    let violations = op.envelope.violations(&body);
    assert!(violations.is_empty(), "{} envelope: {violations:?} in {body}", op.meta.id);
    if let Some(code) = code {
        let (field, _) = op.meta.error_envelope.style.fields();
        assert_eq!(body[field], code, "{body}");
    }
    body
}

fn documented<'a>(op: &'a Operation, applies: &AppliesTo) -> &'a hwconform::catalogue::ErrorExample {
    op.meta.error_examples.iter().find(|e| &e.applies_to == applies).unwrap()
}

#[tokio::test]
async fn every_operation_succeeds_with_a_body_its_schema_accepts() {
    let h = Harness::start().await;
    let p = project("ok");
    // Export needs a backup that exists: the first seeded one.
    let seeded = h.seed.backups[0]["id"].as_str().unwrap().to_owned();
    for op in h.operations() {
        let id = op.meta.id.as_str();
        let mut req = h.request(id, &p);
        if id == V2_EXPORT {
            req = req.json(&json!({"backup_id": seeded, "export_path": "obs://bucket/dir"}));
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), op.meta.success_status, "{id}");
        let body: Value = resp.json().await.unwrap();
        let schema = op.response_schema(op.meta.success_status).unwrap();
        assert!(schema.violations(&body).is_empty(), "{id}: {:?} in {body}", schema.violations(&body));
    }
    let stats = h.server.stats();
    assert_eq!(stats.creates_of(V2_ADD), 1);
    assert_eq!(stats.creates_of(V1_ADD), 1);
    assert_eq!(stats.creates_of(GEMINI), 1);
    assert_eq!(stats.creates_of(V2_EXPORT), 0);
    assert_eq!(h.server.instance_backups(&p).len(), 1);
    h.server.shutdown().await;
}

#[tokio::test]
async fn list_pages_exactly_as_documented() {
    let h = Harness::start().await;
    let p = project("page");
    let op = h.op(V1_LIST);
    let pg = op.meta.pagination.clone().unwrap();
    let seeded = h.seed.backups.len();
    // The page's example request (offset=0&limit=2) answers the corrected example (erratum E4).
    let example = op.example("request").unwrap().meta.query.clone().unwrap();
    let query: Vec<String> = example.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let body = h.list(&p, &query.join("&")).await;
    // Plus the SDK's second spellings the errata record (E6: graphName beside graph_name).
    let mut expected = op.example("response.200").unwrap().body.clone().unwrap();
    for e in h.catalogue.errata().iter().filter(|e| e.operation.as_str() == V1_LIST) {
        let Some((member, Some(alias))) = e.sdk.as_ref().map(|s| (&s.member, &s.sdk_member)) else { continue };
        for item in expected[&pg.items].as_array_mut().unwrap() {
            let value = item[member].clone();
            item[alias] = value;
        }
    }
    assert_eq!(body, expected);
    assert_eq!(body[&pg.items][0]["graphName"], body[&pg.items][0]["graph_name"]);
    // backupCount is the total, not the page size; offset skips.
    let body = h.list(&p, &format!("{}=1&{}=1", pg.offset, pg.limit)).await;
    assert_eq!(body[&pg.total], seeded);
    assert_eq!(body[&pg.items].as_array().unwrap().len(), 1);
    assert_eq!(body[&pg.items][0][&pg.item_id], h.seed.backups[1]["id"]);
    let body = h.list(&p, &format!("{}={}", pg.offset, seeded + 5)).await;
    assert_eq!(body[&pg.total], seeded);
    assert!(body[&pg.items].as_array().unwrap().is_empty());
    // Default limit 10 (from the parameter schema's default).
    let default = usize::try_from(
        op.parameters.iter().find(|(p, _)| p.role == ParamRole::PageLimit).unwrap().0.schema["default"]
            .as_u64()
            .unwrap(),
    )
    .unwrap();
    for _ in 0..12 {
        h.add(V2_ADD, &p).await;
    }
    let body = h.list(&p, "").await;
    assert_eq!(body[&pg.total], seeded + 12);
    assert_eq!(body[&pg.items].as_array().unwrap().len(), default);
    let schema = op.response_schema(200).unwrap();
    assert!(schema.violations(&body).is_empty(), "{:?}", schema.violations(&body));
    h.server.shutdown().await;
}

#[tokio::test]
async fn adds_appear_in_the_list_in_progress_then_done_and_export_accepts_them() {
    // A delay no test waits for: the backup stays in progress.
    let slow = Harness::with(ServerConfig { backup_delay: Duration::from_secs(3600), ..ServerConfig::default() }).await;
    // No delay: the backup is done at once.
    let fast = Harness::with(ServerConfig { backup_delay: Duration::ZERO, ..ServerConfig::default() }).await;
    let lifecycle = slow.seed.lifecycle.clone();
    for (h, expected) in [(&slow, &lifecycle.in_progress), (&fast, &lifecycle.done)] {
        let p = project("flow");
        for add in [V2_ADD, V1_ADD] {
            let created = h.add(add, &p).await;
            let list = h.list(&p, "limit=100").await;
            let items = list["backupList"].as_array().unwrap();
            assert_eq!(items.len(), h.seed.backups.len() + if add == V2_ADD { 1 } else { 2 });
            let newest = items.last().unwrap();
            assert_eq!(&newest[&lifecycle.status], expected);
            assert_eq!(newest["graphId"], json!(h.resource(add)));
            if let Some(backup_id) = created.get("backup_id") {
                assert_eq!(&newest[&lifecycle.id], backup_id);
            }
            let schema = h.op(V1_LIST).response_schema(200).unwrap();
            assert!(schema.violations(&list).is_empty(), "{:?}", schema.violations(&list));
            // Export accepts the new backup id.
            let id = newest[&lifecycle.id].as_str().unwrap();
            let resp = h
                .request(V2_EXPORT, &p)
                .json(&json!({"backup_id": id, "export_path": "obs://b/p"}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
        }
        // Another project does not see them.
        let other = h.list(&project("other"), "limit=100").await;
        assert_eq!(other["backupCount"], h.seed.backups.len());
    }
    slow.server.shutdown().await;
    fast.server.shutdown().await;
}

#[tokio::test]
async fn unknown_resources_get_the_documented_errors() {
    let h = Harness::start().await;
    let p = project("unknown");
    for id in [V2_ADD, V1_ADD, GEMINI, V2_EXPORT] {
        let op = h.op(id);
        let method = Method::from_bytes(op.meta.method.as_bytes()).unwrap();
        let mut req = h.client.request(method, h.url(id, &p, "no-such-resource")).header("X-Auth-Token", DEFAULT_TOKEN);
        if op.request.is_some() {
            req = req.json(&op.example("request").and_then(|e| e.body.clone()).unwrap_or(json!({})));
        }
        let resp = req.send().await.unwrap();
        let role = if id == GEMINI { ParamRole::Instance } else { ParamRole::Graph };
        match op.meta.error_examples.iter().find(|e| e.applies_to == AppliesTo::UnknownResource(role)) {
            Some(e) => {
                let body = assert_error(resp, op, e.status, Some(&e.code)).await;
                let (_, msg) = op.meta.error_envelope.style.fields();
                assert_eq!(body[msg], e.message.as_str());
            }
            None => {
                assert_error(resp, op, 404, None).await;
            }
        }
    }
    // v2 add → 404 GES.0047 and v1.0 add → 400 GES.7000, as the pages print them.
    assert_eq!(documented(h.op(V2_ADD), &AppliesTo::UnknownResource(ParamRole::Graph)).code, "GES.0047");
    assert_eq!(documented(h.op(V1_ADD), &AppliesTo::UnknownResource(ParamRole::Graph)).code, "GES.7000");
    // Export of an unknown backup: a 4xx in the v2 envelope.
    let op = h.op(V2_EXPORT);
    let resp = h.request(V2_EXPORT, &p).json(&json!({"backup_id": "nope", "export_path": "x"})).send().await.unwrap();
    let status = resp.status().as_u16();
    assert!((400..500).contains(&status), "{status}");
    assert_error(resp, op, status, None).await;
    h.server.shutdown().await;
}

#[tokio::test]
async fn body_rules_are_enforced_with_the_documented_codes() {
    let h = Harness::start().await;
    let p = project("body");
    let export = h.op(V2_EXPORT);
    let invalid = documented(export, &AppliesTo::InvalidRequest);
    let seeded = h.seed.backups[0]["id"].clone();
    let bad_bodies = [
        json!({}),
        json!({"backup_id": seeded}),
        json!({"export_path": "obs://x"}),
        json!({"backup_id": 7, "export_path": "obs://x"}),
        json!([]),
        json!("text"),
    ];
    for body in bad_bodies {
        let resp = h.request(V2_EXPORT, &p).json(&body).send().await.unwrap();
        assert_error(resp, export, invalid.status, Some(&invalid.code)).await;
    }
    for raw in [&b"{not json"[..], b"{\"backup_id\": \"\xff\xfe\", \"export_path\": \"x\"}", b"\xc3\x28"] {
        let resp = h
            .client
            .post(h.url(V2_EXPORT, &p, &h.resource(V2_EXPORT)))
            .header("X-Auth-Token", DEFAULT_TOKEN)
            .header("content-type", "application/json")
            .body(raw.to_vec())
            .send()
            .await
            .unwrap();
        assert_error(resp, export, invalid.status, Some(&invalid.code)).await;
    }
    // GeminiDB: each request-body rule (name pattern/length, description characters) → 400.
    let gemini = h.op(GEMINI);
    for body in [
        json!({"name": "1abc", "description": "d"}),
        json!({"name": "abc", "description": "d"}),
        json!({"name": "a".repeat(65), "description": "d"}),
        json!({"name": "valid_name", "description": "a<b"}),
        json!({"name": "valid_name", "description": "x".repeat(257)}),
        json!({"name": "valid_name"}),
        json!({"description": "d"}),
    ] {
        let resp = h.request(GEMINI, &p).json(&body).send().await.unwrap();
        assert_error(resp, gemini, 400, None).await;
    }
    assert_eq!(h.server.stats().creates_of(GEMINI), 0);
    h.server.shutdown().await;
}

#[tokio::test]
async fn parameters_are_checked_against_their_schemas() {
    let h = Harness::start().await;
    // v2 add documents project_id as letters and digits, at most 64.
    let add = h.op(V2_ADD);
    for bad in ["with-dash", "a_b", &"a".repeat(65), "caf%C3%A9"] {
        let resp = h
            .client
            .post(h.url(V2_ADD, bad, &h.resource(V2_ADD)))
            .header("X-Auth-Token", DEFAULT_TOKEN)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_error(resp, add, 400, None).await;
    }
    // v1.0 list: limit and offset are integers.
    let list = h.op(V1_LIST);
    for q in ["limit=abc", "offset=1.5", "limit=", "limit=99999999999999999999999", "limit=1&limit=2", "offset=-1"] {
        let url = format!("{}?{q}", h.url(V1_LIST, &project("q"), ""));
        let resp = h.client.get(url).header("X-Auth-Token", DEFAULT_TOKEN).send().await.unwrap();
        assert_error(resp, list, 400, None).await;
    }
    h.server.shutdown().await;
}

#[tokio::test]
async fn every_operation_requires_a_valid_token() {
    let h = Harness::with(ServerConfig {
        tokens: vec![DEFAULT_TOKEN.into(), "second-token".into()],
        ..ServerConfig::default()
    })
    .await;
    let p = project("auth");
    for op in h.operations() {
        let id = op.meta.id.as_str();
        for token in [None, Some("wrong"), Some("")] {
            // The valid request, with its token removed or replaced.
            let mut built = h.request(id, &p).build().unwrap();
            built.headers_mut().remove("x-auth-token");
            if let Some(t) = token {
                built.headers_mut().insert("x-auth-token", t.parse().unwrap());
            }
            let resp = h.client.execute(built).await.unwrap();
            let body = assert_error(resp, op, 401, None).await;
            assert!(!body.to_string().contains("wrong"), "the token value is never echoed: {body}");
            let mut built = h.request(id, &p).build().unwrap();
            built.headers_mut().insert("x-auth-token", "second-token".parse().unwrap());
            let resp = h.client.execute(built).await.unwrap();
            assert_ne!(resp.status(), StatusCode::UNAUTHORIZED, "{id}: a configured token is accepted");
        }
        // Two token headers are ambiguous.
        let resp = h.request(id, &p).header("X-Auth-Token", DEFAULT_TOKEN).send().await.unwrap();
        assert_error(resp, op, 401, None).await;
    }
    assert_eq!(h.server.stats().total_creates(), 9, "3 creating operations × 3 accepted calls");
    h.server.shutdown().await;
}

#[tokio::test]
async fn faults_are_injected_only_when_enabled() {
    let on = Harness::with(ServerConfig { fault_injection: true, ..ServerConfig::default() }).await;
    let off = Harness::start().await;
    let p = project("fault");
    for op in on.operations() {
        let id = op.meta.id.as_str();
        let resp = on.request(id, &p).header(FAULT_HEADER, "internal").send().await.unwrap();
        match op.meta.error_examples.iter().find(|e| e.applies_to == AppliesTo::InternalFault) {
            Some(e) => {
                assert_error(resp, op, e.status, Some(&e.code)).await;
            }
            None => {
                assert_error(resp, op, 500, None).await;
            }
        }
        // Ignored when fault injection is off.
        let mut req = off.request(id, &p).header(FAULT_HEADER, "internal").header(LATENCY_HEADER, "5");
        if id == V2_EXPORT {
            req = req.json(&json!({"backup_id": off.seed.backups[0]["id"], "export_path": "x"}));
        }
        assert_eq!(req.send().await.unwrap().status().as_u16(), op.meta.success_status, "{id}");
    }
    assert_eq!(documented(on.op(V1_LIST), &AppliesTo::InternalFault).code, "GES.7006");
    // Latency: a small value still answers; a value over the bound or not a number is a 400.
    let list = on.op(V1_LIST);
    let ok = on.request(V1_LIST, &p).header(LATENCY_HEADER, "20").send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    for bad in ["10001", "abc", "-5"] {
        let resp = on.request(V1_LIST, &p).header(LATENCY_HEADER, bad).send().await.unwrap();
        assert_error(resp, list, 400, None).await;
    }
    let resp = on.request(V1_LIST, &p).header(FAULT_HEADER, "bogus").send().await.unwrap();
    assert_error(resp, list, 400, None).await;
    on.server.shutdown().await;
    off.server.shutdown().await;
}

#[tokio::test]
async fn hostile_requests_get_json_4xx_answers() {
    let h = Harness::with(ServerConfig { body_limit: 1024, ..ServerConfig::default() }).await;
    let base = h.server.base_url();
    let p = project("hostile");
    let camel = h.op(V1_LIST);
    let snake = h.op(V2_ADD);
    // Unknown routes: JSON 404 in the envelope of the prefix.
    for (path, op) in [("/nope", snake), ("/v1.0/x/y/z/w/v", camel), ("/v2/p/graphs", snake), ("/", snake)] {
        let resp = h.client.get(format!("{base}{path}")).header("X-Auth-Token", DEFAULT_TOKEN).send().await.unwrap();
        assert_error(resp, op, 404, None).await;
    }
    // Wrong methods: JSON 405, camel under /v1.0/.
    let resp = h.client.delete(h.url(V1_LIST, &p, "")).send().await.unwrap();
    assert_error(resp, camel, 405, None).await;
    let resp = h.client.get(h.url(V2_ADD, &p, "g")).send().await.unwrap();
    assert_error(resp, snake, 405, None).await;
    // Body over the limit → 413; wrong or missing content type → 415.
    let export = h.op(V2_EXPORT);
    let big = format!("{{\"backup_id\": \"{}\", \"export_path\": \"x\"}}", "a".repeat(4096));
    let resp = h
        .client
        .post(h.url(V2_EXPORT, &p, &h.resource(V2_EXPORT)))
        .header("X-Auth-Token", DEFAULT_TOKEN)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_error(resp, export, 413, None).await;
    for ct in [None, Some("text/plain"), Some("application/jsonx")] {
        let req = h.request(V2_EXPORT, &p).body(r#"{"backup_id": "a", "export_path": "x"}"#);
        let mut built = req.build().unwrap();
        built.headers_mut().remove("content-type");
        if let Some(ct) = ct {
            built.headers_mut().insert("content-type", ct.parse().unwrap());
        }
        let resp = h.client.execute(built).await.unwrap();
        assert_error(resp, export, 415, None).await;
    }
    // Odd path segments: percent-encoded invalid UTF-8, huge ids.
    let resp = h
        .client
        .post(format!("{base}/v2/%FF%FE/graphs/g/backups"))
        .header("X-Auth-Token", DEFAULT_TOKEN)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_error(resp, snake, 400, None).await;
    let resp = h
        .client
        .post(h.url(V1_ADD, &"p".repeat(5000), &h.resource(V1_ADD)))
        .header("X-Auth-Token", DEFAULT_TOKEN)
        .send()
        .await
        .unwrap();
    assert_error(resp, h.op(V1_ADD), 400, None).await;
    h.server.shutdown().await;
}

#[tokio::test]
async fn what_the_official_sdks_send_is_accepted() {
    // The Python SDKs send `Content-Type: application/json` with no body on both GES adds.
    let h = Harness::start().await;
    let p = project("sdk");
    for id in [V2_ADD, V1_ADD] {
        let resp = h
            .client
            .post(h.url(id, &p, &h.resource(id)))
            .header("X-Auth-Token", DEFAULT_TOKEN)
            .header("Content-Type", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{id}");
    }
    // A body on the body-less v1.0 add is ignored.
    let resp = h
        .client
        .post(h.url(V1_ADD, &p, &h.resource(V1_ADD)))
        .header("X-Auth-Token", DEFAULT_TOKEN)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // An empty body where the schema requires members is a 400, not a pass.
    let resp = h
        .client
        .post(h.url(V2_EXPORT, &p, &h.resource(V2_EXPORT)))
        .header("X-Auth-Token", DEFAULT_TOKEN)
        .header("Content-Type", "application/json")
        .send()
        .await
        .unwrap();
    assert_error(resp, h.op(V2_EXPORT), 400, Some("GES.0001")).await;
    h.server.shutdown().await;
}

#[tokio::test]
async fn bad_configuration_is_a_clear_error() {
    let err = server::spawn(ServerConfig { tokens: vec![], ..ServerConfig::default() }).await.err().unwrap();
    assert!(err.to_string().contains("token"), "{err}");
    let err = server::spawn(ServerConfig { tokens: vec!["has space".into()], ..ServerConfig::default() })
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("token"), "{err}");
    let mut seed = Seed::builtin();
    seed.backups[0].insert("status".into(), json!("unknown-status"));
    let err = server::spawn(ServerConfig { seed, ..ServerConfig::default() }).await.err().unwrap();
    assert!(err.to_string().contains("seed"), "{err}");
    // A taken port.
    let first = server::spawn(ServerConfig::default()).await.unwrap();
    let err = server::spawn(ServerConfig { addr: first.addr(), ..ServerConfig::default() }).await.err().unwrap();
    assert!(err.to_string().contains("bind"), "{err}");
    first.shutdown().await;
}

/// A `tracing` writer appending to a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The process-wide log of `hwconform` events. A global subscriber, not a scoped one: with scoped
/// subscribers, tests on other threads race to cache "nobody listens" for a callsite.
fn global_log() -> Option<Captured> {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    static LOG: std::sync::OnceLock<Option<Captured>> = std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .with_filter(tracing_subscriber::filter::Targets::new().with_target("hwconform", tracing::Level::INFO));
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::set_global_default(subscriber).ok().map(|()| captured)
    })
    .clone()
}

#[tokio::test]
async fn requests_are_logged_without_secrets() {
    let captured = global_log().expect("no other global tracing subscriber is installed in this test binary");
    let secret = "very-secret-token-value";
    let h = Harness::with(ServerConfig { tokens: vec![secret.into()], ..ServerConfig::default() }).await;
    let p = project("log");
    let url = format!("{}?limit=1", h.url(V1_LIST, &p, ""));
    let ok = h.client.get(&url).header("X-Auth-Token", secret).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let denied = h.client.get(&url).header("X-Auth-Token", "another-secret-guess").send().await.unwrap();
    assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
    h.server.shutdown().await;
    let log = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    let ours: Vec<&str> = log.lines().filter(|l| l.contains(&p)).collect();
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert!(ours[0].contains("status=200") && ours[1].contains("status=401"), "{ours:?}");
    assert!(ours.iter().all(|l| l.contains("method=GET") && l.contains("latency_us=")), "{ours:?}");
    assert!(!log.contains(secret) && !log.contains("another-secret-guess"), "a token reached the log");
}

/// Accepts requests whose `x-test-signature` is the body's length: proves the seam sees the body.
struct LengthSignature;

impl hwconform::server::Authenticator for LengthSignature {
    fn authorize(&self, request: &hwconform::server::AuthRequest<'_>) -> Result<(), hwconform::server::AuthFailure> {
        let sent = request.headers.get("x-test-signature").and_then(|v| v.to_str().ok());
        match sent {
            Some(s) if s == request.body.len().to_string() => Ok(()),
            _ => Err(hwconform::server::AuthFailure::BadSignature("length mismatch".into())),
        }
    }
}

#[tokio::test]
async fn another_authenticator_is_consulted_when_no_token_is_sent() {
    let h = Harness::with(ServerConfig {
        authenticator: Some(std::sync::Arc::new(LengthSignature)),
        ..ServerConfig::default()
    })
    .await;
    let p = project("seam");
    let body = json!({"name": "signed_backup", "description": "signed"}).to_string();
    let url = h.url(GEMINI, &p, &h.resource(GEMINI));
    let send = |signature: String, token: Option<&str>| {
        let mut req = h
            .client
            .post(&url)
            .header("content-type", "application/json")
            .header("x-test-signature", signature)
            .body(body.clone());
        if let Some(t) = token {
            req = req.header("X-Auth-Token", t);
        }
        req.send()
    };
    assert_eq!(send(body.len().to_string(), None).await.unwrap().status().as_u16(), 202);
    let resp = send("1".into(), None).await.unwrap();
    let err = assert_error(resp, h.op(GEMINI), 401, None).await;
    assert!(err.to_string().contains("signature"), "{err}");
    // A wrong token is refused even with a valid signature: the token check is not bypassed.
    let resp = send(body.len().to_string(), Some("wrong")).await.unwrap();
    assert_error(resp, h.op(GEMINI), 401, None).await;
    assert_eq!(h.server.stats().creates_of(GEMINI), 1);
    h.server.shutdown().await;
}

#[tokio::test]
async fn every_documented_error_example_can_be_provoked() {
    let h = Harness::with(ServerConfig { fault_injection: true, ..ServerConfig::default() }).await;
    let p = project("examples");
    let mut provoked = 0;
    for op in h.operations() {
        let id = op.meta.id.as_str();
        for example in &op.meta.error_examples {
            let mut url = h.url(id, &p, &h.resource(id));
            let mut body = op.example("request").and_then(|e| e.body.clone()).unwrap_or(json!({}));
            if let Some(member) = body.as_object().and_then(|b| b.keys().find(|k| k.contains("backup_id")).cloned()) {
                body[member.as_str()] = h.seed.backups[0]["id"].clone();
            }
            let mut fault = false;
            match &example.applies_to {
                AppliesTo::InvalidRequest => {
                    assert!(op.request.is_some(), "{id}: no body rule to break for {}", example.code);
                    body = json!([]);
                }
                AppliesTo::UnknownResource(role) => {
                    let param = op.meta.parameters.iter().find(|p| p.role == *role && p.location == Location::Path);
                    let param = param.unwrap_or_else(|| panic!("{id}: no path parameter with role {role:?}"));
                    url = url.replace(&h.resource(id), "no-such-resource");
                    assert!(url.contains("no-such-resource"), "{id}: {} not replaced", param.name);
                }
                AppliesTo::InternalFault => fault = true,
            }
            let method = Method::from_bytes(op.meta.method.as_bytes()).unwrap();
            let mut req = h.client.request(method, url).header("X-Auth-Token", DEFAULT_TOKEN);
            if op.request.is_some() {
                req = req.json(&body);
            }
            if fault {
                req = req.header(FAULT_HEADER, "internal");
            }
            let answer = assert_error(req.send().await.unwrap(), op, example.status, Some(&example.code)).await;
            let (_, msg) = op.meta.error_envelope.style.fields();
            assert_eq!(answer[msg], example.message.as_str(), "{id} {}", example.code);
            provoked += 1;
        }
    }
    let documented: usize = h.operations().iter().map(|o| o.meta.error_examples.len()).sum();
    assert_eq!(provoked, documented);
    assert!(provoked >= 4, "GES.0047, GES.7000, GES.0001 and GES.7006 are documented");
    h.server.shutdown().await;
}
