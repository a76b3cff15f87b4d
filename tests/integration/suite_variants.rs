//! Broken variants of the reference server, made in the test (never in the shipped server): a
//! small proxy in front of it rewrites requests or responses one way each. The suite must report
//! failures naming the rule for every variant, and none for the faithful proxy.

use super::support::Loopback;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use hwconform::catalogue::Catalogue;
use hwconform::execute::{ClientOptions, client};
use hwconform::generate::{Case, generate};
use hwconform::profile::ProfileFile;
use hwconform::runner::{Outcome, Session, SessionOptions, ignore};
use serde_json::Value;

/// A request as the proxy sees it (query kept raw, already encoded).
struct Req {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

struct Resp {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

type ReqFn = fn(&mut Req);
type RespFn = fn(&Req, &mut Resp);

struct Variant {
    name: &'static str,
    request: ReqFn,
    response: RespFn,
    /// A failure the suite must report: (case id contains, check kind).
    expect: (&'static str, &'static str),
}

fn keep_req(_: &mut Req) {}
fn keep_resp(_: &Req, _: &mut Resp) {}

/// Applies `f` to the JSON body, if it is JSON.
fn json(resp: &mut Resp, f: impl FnOnce(&mut Value)) {
    if let Ok(mut v) = serde_json::from_slice::<Value>(&resp.body) {
        f(&mut v);
        resp.body = v.to_string().into_bytes();
    }
}

fn rename(v: &mut Value, from: &str, to: &str) {
    if let Some(obj) = v.as_object_mut()
        && let Some(x) = obj.remove(from)
    {
        obj.insert(to.to_owned(), x);
    }
}

fn swap_code(resp: &mut Resp, from: &str, to: &str) {
    json(resp, |v| {
        for key in ["error_code", "errorCode"] {
            if v.get(key).and_then(Value::as_str) == Some(from) {
                v[key] = Value::from(to);
            }
        }
    });
}

fn set_query(req: &mut Req, name: &str, value: Option<String>) {
    req.query.retain(|(n, _)| n != name);
    if let Some(v) = value {
        req.query.push((name.to_owned(), v));
    }
}

fn query(req: &Req, name: &str) -> Option<String> {
    req.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}

fn is_list(req: &Req) -> bool {
    req.method == "GET" && req.path.ends_with("/graphs/backups")
}

fn variants() -> Vec<Variant> {
    [legitimate_variants(), error_variants(), answer_variants(), pagination_variants(), behaviour_variants()]
        .into_iter()
        .flatten()
        .collect()
}

/// The control and the legitimate differences the pages leave open: the suite must pass them all.
fn legitimate_variants() -> Vec<Variant> {
    vec![
        Variant { name: "faithful proxy (control)", request: keep_req, response: keep_resp, expect: ("", "") },
        // Legitimate differences the pages leave open: the suite must pass them all.
        Variant {
            name: "legitimate: extra members, other job id shapes, blank may-be-blank members",
            request: keep_req,
            response: |_, r| {
                json(r, |v| {
                    if let Some(o) = v.as_object_mut() {
                        o.insert("x_vendor_extra".into(), Value::from(1));
                        if o.contains_key("jobId") {
                            o.insert("jobId".into(), Value::from("job-0001"));
                            o.insert("errorCode".into(), Value::Null);
                            o.insert("errorMessage".into(), Value::from(""));
                        }
                        if o.contains_key("job_id") {
                            o.insert("job_id".into(), Value::from("JOB:42"));
                        }
                    }
                });
            },
            expect: ("", ""),
        },
        Variant {
            name: "legitimate: auth refused with 403, undocumented codes and messages of its own",
            request: keep_req,
            response: |_, r| {
                if r.status == 401 {
                    r.status = 403;
                }
                json(r, |v| {
                    for (code, msg) in [("error_code", "error_msg"), ("errorCode", "errorMessage")] {
                        if let Some(c) = v.get(code).and_then(Value::as_str) {
                            if c.starts_with("HWC.") {
                                v[code] = Value::from("VENDOR.9999");
                            }
                            v[msg] = Value::from("something else entirely");
                        }
                    }
                });
            },
            expect: ("", ""),
        },
        Variant {
            name: "legitimate: a server cap of 2 on large limits",
            request: |req| {
                if is_list(req) && query(req, "limit").and_then(|l| l.parse::<u64>().ok()).is_some_and(|l| l >= 100) {
                    set_query(req, "limit", Some("2".into()));
                }
            },
            response: keep_resp,
            expect: ("", ""),
        },
    ]
}

/// Documented error codes changed, and the envelopes in the other API version's case.
fn error_variants() -> Vec<Variant> {
    vec![
        Variant {
            name: "GES.0047 changed to GES.0048",
            request: keep_req,
            response: |_, r| swap_code(r, "GES.0047", "GES.0048"),
            expect: ("ges.v2.add_backup/not_found/graph_id", "error_code"),
        },
        Variant {
            name: "GES.7000 changed to GES.7001",
            request: keep_req,
            response: |_, r| swap_code(r, "GES.7000", "GES.7001"),
            expect: ("ges.v1.add_backup/not_found/graphId", "error_code"),
        },
        Variant {
            name: "GES.7006 changed to GES.7007",
            request: keep_req,
            response: |_, r| swap_code(r, "GES.7006", "GES.7007"),
            expect: ("ges.v1.list_backups/fault/internal", "error_code"),
        },
        Variant {
            name: "GES.0001 changed to GES.0002",
            request: keep_req,
            response: |_, r| swap_code(r, "GES.0001", "GES.0002"),
            expect: ("ges.v2.export_backup/violation", "error_code"),
        },
        Variant {
            name: "v2 envelope in camelCase",
            request: keep_req,
            response: |_, r| {
                json(r, |v| {
                    rename(v, "error_code", "errorCode");
                    rename(v, "error_msg", "errorMessage");
                });
            },
            expect: ("ges.v2.add_backup/not_found/graph_id", "envelope"),
        },
        Variant {
            name: "v1.0 envelope in snake_case",
            request: keep_req,
            response: |_, r| {
                json(r, |v| {
                    rename(v, "errorCode", "error_code");
                    rename(v, "errorMessage", "error_msg");
                });
            },
            expect: ("ges.v1.add_backup/not_found/graphId", "envelope"),
        },
    ]
}

/// Documented members dropped from answers, and a length rule disabled.
fn answer_variants() -> Vec<Variant> {
    vec![
        Variant {
            name: "backup_id dropped from the v2 add answer",
            request: keep_req,
            response: |req, r| {
                if req.method == "POST" && req.path.starts_with("/v2/") && req.path.ends_with("/backups") {
                    json(r, |v| {
                        v.as_object_mut().map(|o| o.remove("backup_id"));
                    });
                }
            },
            expect: ("ges.v2.add_backup/positive/example", "schema"),
        },
        Variant {
            name: "jobId dropped from the v1.0 add answer",
            request: keep_req,
            response: |req, r| {
                if req.method == "POST" && req.path.starts_with("/v1.0/") {
                    json(r, |v| {
                        v.as_object_mut().map(|o| o.remove("jobId"));
                    });
                }
            },
            expect: ("ges.v1.add_backup/positive/example", "schema"),
        },
        Variant {
            name: "encrypted dropped from listed backups",
            request: keep_req,
            response: |req, r| {
                if is_list(req) {
                    json(r, |v| {
                        for item in v["backupList"].as_array_mut().into_iter().flatten() {
                            item.as_object_mut().map(|o| o.remove("encrypted"));
                        }
                    });
                }
            },
            expect: ("ges.v1.list_backups/positive/example", "schema"),
        },
        Variant {
            name: "name length rule disabled (a 65-character name is cut to 64 and accepted)",
            request: |req| {
                if let Ok(mut v) = serde_json::from_slice::<Value>(&req.body)
                    && let Some(name) = v.get("name").and_then(Value::as_str)
                    && name.chars().count() > 64
                {
                    v["name"] = Value::from(name.chars().take(64).collect::<String>());
                    req.body = v.to_string().into_bytes();
                }
            },
            response: keep_resp,
            expect: ("geminidb.v3.create_backup/violation/name/max_length/len_65", "status"),
        },
    ]
}

/// Pagination and listing broken.
fn pagination_variants() -> Vec<Variant> {
    vec![
        Variant {
            name: "pagination off by one (one item more than the limit)",
            request: |req| {
                if is_list(req)
                    && let Some(l) = query(req, "limit").and_then(|l| l.parse::<u64>().ok())
                {
                    set_query(req, "limit", Some((l + 1).to_string()));
                }
            },
            response: keep_resp,
            expect: ("ges.v1.list_backups/pagination/within_limit", "pagination"),
        },
        Variant {
            name: "offset ignored",
            request: |req| {
                if is_list(req) {
                    set_query(req, "offset", None);
                }
            },
            response: keep_resp,
            expect: ("ges.v1.list_backups/pagination/offset_skips", "pagination"),
        },
        Variant {
            name: "backupCount is the page size, not the total",
            request: keep_req,
            response: |req, r| {
                if is_list(req) {
                    json(r, |v| {
                        let n = v["backupList"].as_array().map_or(0, Vec::len);
                        v["backupCount"] = Value::from(n);
                    });
                }
            },
            expect: ("ges.v1.list_backups/pagination/total_constant", "pagination"),
        },
        Variant {
            name: "default limit 5 instead of 10",
            request: |req| {
                if is_list(req) && query(req, "limit").is_none() {
                    set_query(req, "limit", Some("5".into()));
                }
            },
            response: keep_resp,
            expect: ("ges.v1.list_backups/pagination/default_limit", "pagination"),
        },
        Variant {
            name: "new backups never listed",
            request: keep_req,
            response: |req, r| {
                if is_list(req) {
                    json(r, |v| {
                        if let Some(items) = v["backupList"].as_array_mut() {
                            items.retain(|i| i["startTimestamp"].as_u64().is_some_and(|t| t < 1_700_000_000_000));
                        }
                    });
                }
            },
            expect: ("ges.v2.add_backup/flow/create", "flow"),
        },
    ]
}

/// Statuses, media types, authentication and unknown resources handled wrongly.
fn behaviour_variants() -> Vec<Variant> {
    vec![
        Variant {
            name: "success answered 201",
            request: keep_req,
            response: |_, r| {
                if r.status == 200 {
                    r.status = 201;
                }
            },
            expect: ("ges.v2.add_backup/positive/example", "status"),
        },
        Variant {
            name: "answers declared text/plain",
            request: keep_req,
            response: |_, r| "text/plain".clone_into(&mut r.content_type),
            expect: ("ges.v2.export_backup/positive/example", "content_type"),
        },
        Variant {
            name: "auth not enforced (any token accepted)",
            request: |req| {
                req.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("x-auth-token"));
                req.headers.push(("x-auth-token".into(), hwconform::server::DEFAULT_TOKEN.into()));
            },
            response: keep_resp,
            expect: ("ges.v1.add_backup/auth/wrong_token", "status"),
        },
        Variant {
            name: "malformed bodies answered 500",
            request: keep_req,
            response: |req, r| {
                if (400..500).contains(&r.status)
                    && !req.body.is_empty()
                    && serde_json::from_slice::<Value>(&req.body).is_err()
                {
                    r.status = 500;
                }
            },
            expect: ("ges.v2.add_backup/malformed/invalid_json", "status"),
        },
        Variant {
            name: "unknown graph answered 200",
            request: |req| {
                req.path = req.path.replace(hwconform::generate::UNKNOWN_ID, "4c5f882d-a813-4d78-a8e3-6d3212ddd121");
            },
            response: keep_resp,
            expect: ("ges.v2.add_backup/not_found/graph_id", "status"),
        },
    ]
}

struct Proxy {
    upstream: String,
    client: reqwest::Client,
    variant: usize,
}

async fn forward(State(p): State<Arc<Proxy>>, request: Request) -> Response {
    let variant = &variants()[p.variant];
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.map(|b| b.to_vec()).unwrap_or_default();
    let query = parts
        .uri
        .query()
        .map(|q| q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
        .unwrap_or_default();
    let headers = parts
        .headers
        .iter()
        .filter(|(n, _)| !matches!(n.as_str(), "host" | "content-length"))
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let mut req = Req { method: parts.method.to_string(), path: parts.uri.path().to_owned(), query, headers, body };
    (variant.request)(&mut req);
    let mut url = format!("{}{}", p.upstream, req.path);
    if !req.query.is_empty() {
        let q: Vec<String> = req.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        url = format!("{url}?{}", q.join("&"));
    }
    let mut out = p.client.request(parts.method.clone(), url).body(req.body.clone());
    for (n, v) in &req.headers {
        out = out.header(n, v);
    }
    let mut resp = match out.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let content_type = r
                .headers()
                .get("content-type")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default();
            let body = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            Resp { status, content_type, body }
        }
        Err(e) => Resp { status: 502, content_type: "text/plain".into(), body: e.to_string().into_bytes() },
    };
    (variant.response)(&req, &mut resp);
    Response::builder()
        .status(resp.status)
        .header("content-type", resp.content_type)
        .body(Body::from(resp.body))
        .unwrap_or_default()
}

async fn run_variant(
    variant: usize,
    upstream: &str,
    catalogue: Arc<Catalogue>,
    cases: &[Arc<Case>],
) -> Vec<(String, Vec<String>)> {
    let http = client(&ClientOptions { no_proxy: true, ..ClientOptions::default() }).unwrap();
    let proxy = Arc::new(Proxy { upstream: upstream.to_owned(), client: http.clone(), variant });
    let server = Loopback::start(axum::Router::new().fallback(forward).with_state(proxy)).await;
    let mut file = ProfileFile::reference().unwrap();
    file.reference_server = false;
    file.token = Some(hwconform::server::DEFAULT_TOKEN.into());
    for service in ["GES", "GeminiDB"] {
        file.endpoints.insert(service.into(), server.base.clone());
    }
    let options = SessionOptions { no_proxy: true, ..SessionOptions::default() };
    let session = Session::open(catalogue, file.resolve(&|_| None).unwrap(), options).await.unwrap();
    let runs = session.run(cases, &ignore).await;
    drop(session.close(Vec::new()).await);
    server.stop().await;
    cases
        .iter()
        .zip(runs)
        .filter(|(_, r)| matches!(r.outcome, Outcome::Failed | Outcome::Error(_)))
        .map(|(c, r)| {
            let mut kinds: Vec<String> =
                r.findings.iter().filter(|f| f.is_failure()).map(|f| f.check.to_string()).collect();
            if let Some(e) = r.outcome.error() {
                kinds.push(format!("error: {e}"));
            }
            (c.id.to_string(), kinds)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_broken_variant_is_caught_naming_the_rule() {
    let catalogue = Arc::new(Catalogue::builtin().unwrap());
    let profile = ProfileFile::reference().unwrap().resolve(&|_| None).unwrap();
    // The upstream: a session on the reference server, whose own cases are never run.
    let upstream_session = Session::open(Arc::clone(&catalogue), profile, SessionOptions::default()).await.unwrap();
    let upstream = upstream_session.server_url().unwrap();
    let cases: Vec<Arc<Case>> = generate(&catalogue).into_iter().map(Arc::new).collect();
    let all = variants();
    let mut caught = 0;
    let mut legitimate = 0;
    let mut problems = Vec::new();
    for (i, v) in all.iter().enumerate() {
        let failed = run_variant(i, &upstream, Arc::clone(&catalogue), &cases).await;
        if v.expect.0.is_empty() {
            if !failed.is_empty() {
                problems.push(format!("{}: a correct server failed {failed:?}", v.name));
            }
            legitimate += 1;
            eprintln!("variant {:<75} {} failed case(s)", v.name, failed.len());
            continue;
        }
        let named = failed.iter().any(|(id, kinds)| id.contains(v.expect.0) && kinds.iter().any(|k| k == v.expect.1));
        if named {
            caught += 1;
        } else {
            problems.push(format!("{}: expected a {} failure on {}, got {failed:?}", v.name, v.expect.1, v.expect.0));
        }
        eprintln!("variant {:<75} {} failed case(s){}", v.name, failed.len(), if named { "" } else { "  NOT CAUGHT" });
    }
    drop(upstream_session.close(Vec::new()).await);
    let tried = all.len() - legitimate;
    eprintln!("broken variants: {tried} tried, {caught} caught; legitimate variants passed: {legitimate}");
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(caught, tried);
}
