//! Load-shaped tests of the reference server: concurrent creates lose or duplicate nothing, and
//! 10,000 random (often hostile) requests never get a 5xx other than an injected one.

use std::collections::HashSet;

use futures::StreamExt;
use hwconform::catalogue::{Location, ParamRole};
use hwconform::server::{DEFAULT_TOKEN, FAULT_HEADER, LATENCY_HEADER, ServerConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::server::{GEMINI, Harness, V1_ADD, V1_LIST, V2_ADD, project};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_creates_make_a_thousand_backups() {
    let h = Harness::start().await;
    let p = project("race");
    let before = h.list(&p, "limit=10").await["backupCount"].as_u64().unwrap();
    let results = futures::stream::iter(0..1000)
        .map(|i| {
            let op = if i % 3 == 0 { V1_ADD } else { V2_ADD };
            let req = h.request(op, &p);
            async move {
                let resp = req.send().await.unwrap();
                assert_eq!(resp.status(), StatusCode::OK);
                resp.json::<Value>().await.unwrap()
            }
        })
        .buffer_unordered(1000)
        .collect::<Vec<_>>()
        .await;
    assert_eq!(results.len(), 1000);
    let returned: Vec<&str> = results.iter().filter_map(|b| b.get("backup_id")).filter_map(Value::as_str).collect();
    let list = h.list(&p, "limit=5000").await;
    assert_eq!(list["backupCount"].as_u64().unwrap(), before + 1000);
    let ids: Vec<&str> = list["backupList"].as_array().unwrap().iter().map(|b| b["id"].as_str().unwrap()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "no id is listed twice");
    assert_eq!(ids.len() as u64, before + 1000);
    assert!(returned.iter().all(|id| unique.contains(id)), "every returned backup id is listed");
    let stats = h.server.stats();
    assert_eq!(stats.creates_of(V2_ADD) + stats.creates_of(V1_ADD), 1000);
    // GeminiDB creates are tracked the same way.
    let gemini = futures::stream::iter(0..200)
        .map(|_| {
            let req = h.request(GEMINI, &p);
            async move { req.send().await.unwrap().status() }
        })
        .buffer_unordered(200)
        .collect::<Vec<_>>()
        .await;
    assert!(gemini.iter().all(|s| s.as_u16() == 202));
    let created = h.server.instance_backups(&p);
    assert_eq!(created.len(), 200);
    assert_eq!(created.iter().map(|b| b.id.as_str()).collect::<HashSet<_>>().len(), 200);
    h.server.shutdown().await;
}

/// A small deterministic generator (xorshift64*), so a failure can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next().to_le_bytes()[0]).collect()
    }
}

/// One random request: (method, path+query, headers, body, carries the internal-fault header).
type Fuzzed = (Method, String, Vec<(String, Vec<u8>)>, Option<Vec<u8>>, bool);

fn fuzz_request(rng: &mut Rng, h: &Harness) -> Fuzzed {
    let ops = h.catalogue.operations();
    let op = rng.pick(ops);
    let methods =
        [Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH, Method::HEAD, Method::OPTIONS];
    let method = if rng.below(4) == 0 {
        rng.pick(&methods).clone()
    } else {
        Method::from_bytes(op.meta.method.as_bytes()).unwrap()
    };
    let seeded_backup = h.seed.backups[0]["id"].as_str().unwrap().to_owned();
    let mut path = op.meta.path.clone();
    for p in op.meta.parameters.iter().filter(|p| p.location == Location::Path) {
        let good = match p.role {
            ParamRole::Project => format!("proj{}", rng.below(50)),
            ParamRole::Instance => h.seed.instances[0].id.clone(),
            _ => h.seed.graphs[rng.below(h.seed.graphs.len())].id.clone(),
        };
        let value = match rng.below(12) {
            0 => String::new(),
            1 => "x".repeat(rng.below(3000)),
            2 => "%FF%FE%00".into(),
            3 => "%2F..%2F".into(),
            4 => "caf%C3%A9-%E2%9C%93".into(),
            5 => "..".into(),
            6 => format!("{good}%20"),
            7 => rng.below(1_000_000).to_string(),
            _ => good,
        };
        path = path.replace(&format!("{{{}}}", p.name), &value);
    }
    match rng.below(10) {
        0 => path.push_str("/extra"),
        1 => path = path.replacen('/', "//", 1),
        2 => path = path.rsplit_once('/').map(|(a, _)| a.to_owned()).unwrap_or_default(),
        _ => {}
    }
    let queries = [
        "",
        "limit=2",
        "offset=1&limit=1",
        "limit=abc",
        "limit=-3",
        "offset=%FF",
        "limit=1&limit=2",
        "limit=99999999999999999999",
    ];
    let query = rng.pick(&queries);
    if !query.is_empty() {
        path = format!("{path}?{query}");
    }
    let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
    match rng.below(6) {
        0 => {}
        1 => headers.push(("x-auth-token".into(), b"wrong".to_vec())),
        2 => {
            headers.push(("x-auth-token".into(), DEFAULT_TOKEN.into()));
            headers.push(("x-auth-token".into(), DEFAULT_TOKEN.into()));
        }
        3 => headers.push(("x-auth-token".into(), b"tok\xff\xfe".to_vec())),
        _ => headers.push(("x-auth-token".into(), DEFAULT_TOKEN.into())),
    }
    let cts: [&[u8]; 6] = [
        b"application/json",
        b"application/json; charset=utf-8",
        b"text/plain",
        b"",
        b"application/\xff",
        b"multipart/form-data; boundary=x",
    ];
    if rng.below(4) != 0 {
        headers.push(("content-type".into(), rng.pick(&cts).to_vec()));
    }
    let mut fault = false;
    if rng.below(8) == 0 {
        let values: [&[u8]; 4] = [b"internal", b"INTERNAL", b"other", b"\xff"];
        let v = rng.pick(&values).to_vec();
        fault = v.eq_ignore_ascii_case(b"internal");
        headers.push((FAULT_HEADER.into(), v));
    }
    if rng.below(10) == 0 {
        let values: [&[u8]; 4] = [b"0", b"1", b"99999999", b"soon"];
        headers.push((LATENCY_HEADER.into(), rng.pick(&values).to_vec()));
    }
    let body = match rng.below(9) {
        0 => None,
        1 => {
            let n = rng.below(200);
            Some(rng.bytes(n))
        }
        2 => Some(b"{\"backup_id\":".to_vec()),
        3 => Some(json!({"backup_id": seeded_backup, "export_path": "obs://b"}).to_string().into_bytes()),
        4 => Some(json!({"name": "backup_name", "description": "fine"}).to_string().into_bytes()),
        5 => Some(vec![b'{'; 2000]),
        6 => Some(format!("[{}]", "[".repeat(300)).into_bytes()),
        7 => Some(vec![b' '; 70_000]),
        _ => Some(b"{}".to_vec()),
    };
    (method, path, headers, body, fault)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_random_requests_never_get_an_uninjected_5xx() {
    let h = Harness::with(ServerConfig { fault_injection: true, ..ServerConfig::default() }).await;
    let seed = 0x5EED_u64 ^ 0x9E37_79B9_7F4A_7C15;
    let mut rng = Rng(seed);
    let requests: Vec<Fuzzed> = (0..10_000).map(|_| fuzz_request(&mut rng, &h)).collect();
    let base = h.server.base_url();
    let outcomes = futures::stream::iter(requests)
        .map(|(method, path, headers, body, fault)| {
            let mut req = h.client.request(method.clone(), format!("{base}{path}"));
            for (name, value) in &headers {
                if let Ok(v) = reqwest::header::HeaderValue::from_bytes(value) {
                    req = req.header(name.as_str(), v);
                }
            }
            if let Some(body) = body {
                req = req.body(body);
            }
            async move {
                let resp = req.send().await.map_err(|e| format!("{method} {path}: {e}"))?;
                let status = resp.status().as_u16();
                let bytes = resp.bytes().await.map_err(|e| format!("{method} {path}: {e}"))?;
                if status >= 500 && !fault {
                    return Err(format!("{method} {path} → {status} without an injected fault"));
                }
                if status >= 400 && method != Method::HEAD {
                    let body: Value = serde_json::from_slice(&bytes)
                        .map_err(|_| format!("{method} {path} → {status} with a non-JSON body"))?;
                    let envelope = body.get("error_code").or_else(|| body.get("errorCode"));
                    if envelope.and_then(Value::as_str).is_none() {
                        return Err(format!("{method} {path} → {status} without an error envelope: {body}"));
                    }
                }
                Ok(status)
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<Result<u16, String>>>()
        .await;
    let failures: Vec<&String> = outcomes.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        failures.is_empty(),
        "{} failures (seed {seed:#x}), first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let statuses: HashSet<u16> = outcomes.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    assert!(statuses.contains(&200) && statuses.contains(&401) && statuses.contains(&404), "{statuses:?}");
    // Still answering, with the documented list.
    let list = h.list(&project("after"), "").await;
    assert_eq!(usize::try_from(list["backupCount"].as_u64().unwrap()).unwrap(), h.seed.backups.len());
    assert!(h.op(V1_LIST).response_schema(200).unwrap().is_valid(&list));
    h.server.shutdown().await;
}

/// Sends raw bytes and returns what came back (the server closes or answers; it never hangs).
async fn raw_exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let _ = stream.shutdown().await;
    let mut out = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), stream.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the server answered or closed the connection");
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn malformed_http_is_refused_without_a_5xx() {
    let h = Harness::start().await;
    let addr = h.server.addr();
    let graph = &h.seed.graphs[0].id;
    let cases: Vec<Vec<u8>> = vec![
        b"GARBAGE\r\n\r\n".to_vec(),
        b"GET /v1.0/p\xff/graphs/backups HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        format!("POST /v2/p1/graphs/{graph}/backups HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {DEFAULT_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{{}}").into_bytes(),
        b"GET /v1.0/p1/graphs/backups HTTP/1.1\r\nHost: x\r\nX-Auth-Token: \xff\xfe\r\nConnection: close\r\n\r\n".to_vec(),
        format!("GET /v1.0/p1/graphs/backups HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {DEFAULT_TOKEN}\r\nX-Big: {}\r\nConnection: close\r\n\r\n", "a".repeat(200_000)).into_bytes(),
    ];
    for case in &cases {
        let answer = raw_exchange(addr, case).await;
        let status = answer.split(' ').nth(1).and_then(|s| s.parse::<u16>().ok());
        assert!(status.is_none_or(|s| s < 500), "{answer}");
    }
    let list = h.list(&project("alive"), "").await;
    assert!(list["backupCount"].is_u64());
    h.server.shutdown().await;
}
