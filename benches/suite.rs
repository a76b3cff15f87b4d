//! Benchmark (not a timed test): cases per second for the full suite against the in-process
//! reference server, and for the very same requests sent by a bare reqwest loop, in one run.
//! The difference is the harness's own overhead (generation excluded: cases are built once;
//! filling templates, checking, schema validation and bookkeeping included). Target ≤ 25 %.
//!
//! `cargo bench --bench suite` (optionally `-- ROUNDS`, default 5).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use hwconform::catalogue::Catalogue;
use hwconform::execute::{ClientOptions, client};
use hwconform::generate::{Case, generate};
use hwconform::profile::{ProfileFile, TargetProfile};
use hwconform::runner::{run_cases, start_reference};

const CONCURRENCY: usize = 8;

struct Recorded {
    method: reqwest::Method,
    path_and_query: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

async fn fresh(catalogue: &Catalogue) -> (hwconform::server::RunningServer, TargetProfile) {
    let mut profile = ProfileFile::reference().and_then(|f| f.resolve(&|_| None)).unwrap_or_else(|e| panic!("{e}"));
    let server = start_reference(&mut profile, catalogue).await.unwrap_or_else(|e| panic!("{e}"));
    (server, profile)
}

/// One round: the suite on a fresh server, then the same requests by a bare loop on another fresh
/// server. Returns (suite time, bare time, requests).
async fn round(catalogue: &Catalogue, cases: &[Arc<Case>]) -> (Duration, Duration, usize) {
    let http = client(ClientOptions { no_proxy: true, ..ClientOptions::default() }).unwrap_or_else(|e| panic!("{e}"));
    let (server, profile) = fresh(catalogue).await;
    let base = server.base_url();
    let token = profile.token.expose().to_owned();
    let profile = Arc::new(profile);
    let started = Instant::now();
    let runs = run_cases(cases, Arc::clone(&profile), http.clone(), CONCURRENCY, &|_, _| {}).await;
    let suite = started.elapsed();
    server.shutdown().await;
    let failed = runs.iter().filter(|r| r.outcome != hwconform::report::CaseOutcome::Passed).count();
    assert_eq!(failed, 0, "the benchmark needs a passing suite");

    // The same requests, case by case (a case's requests in order, cases concurrently).
    let recorded: Vec<Vec<Recorded>> = runs
        .iter()
        .map(|r| {
            r.exchange
                .steps
                .iter()
                .map(|s| Recorded {
                    method: reqwest::Method::from_bytes(s.request.method.as_bytes()).unwrap_or(reqwest::Method::GET),
                    path_and_query: s.request.url.trim_start_matches(&base).to_owned(),
                    headers: s
                        .request
                        .headers
                        .iter()
                        .map(|(k, v)| (k.clone(), if v == "***" { token.clone() } else { v.clone() }))
                        .collect(),
                    body: s.request.body.clone(),
                })
                .collect()
        })
        .collect();
    let requests = recorded.iter().map(Vec::len).sum();
    let (server, _) = fresh(catalogue).await;
    let base = server.base_url();
    let started = Instant::now();
    futures::stream::iter(recorded.iter())
        .map(|reqs| {
            let (http, base) = (http.clone(), base.clone());
            async move {
                for r in reqs {
                    let mut b = http.request(r.method.clone(), format!("{base}{}", r.path_and_query));
                    for (k, v) in &r.headers {
                        b = b.header(k, v);
                    }
                    if let Some(body) = &r.body {
                        b = b.body(body.clone());
                    }
                    if let Ok(resp) = b.send().await {
                        let _ = resp.bytes().await;
                    }
                }
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<()>>()
        .await;
    let bare = started.elapsed();
    server.shutdown().await;
    (suite, bare, requests)
}

fn main() {
    let rounds: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap_or_else(|e| panic!("{e}"));
    let catalogue = Catalogue::builtin().unwrap_or_else(|e| panic!("{e}"));
    let cases: Vec<Arc<Case>> = generate(&catalogue).into_iter().map(Arc::new).collect();
    let n = cases.len();
    // One warm-up round (connections, allocator, lazy statics), not counted.
    rt.block_on(round(&catalogue, &cases));
    let (mut suite, mut bare, mut requests) = (Duration::ZERO, Duration::ZERO, 0);
    for _ in 0..rounds {
        let (s, b, r) = rt.block_on(round(&catalogue, &cases));
        suite += s;
        bare += b;
        requests = r;
    }
    let per = |d: Duration| n as f64 * rounds as f64 / d.as_secs_f64();
    let (suite_rate, bare_rate) = (per(suite), per(bare));
    let overhead = (suite.as_secs_f64() / bare.as_secs_f64() - 1.0) * 100.0;
    println!("hwconform suite benchmark: {n} cases, {requests} requests per round, {rounds} rounds, concurrency {CONCURRENCY}");
    println!("  suite (execute + check) : {suite_rate:>9.1} cases/s  ({:.1} ms per round)", suite.as_secs_f64() * 1000.0 / rounds as f64);
    println!("  bare reqwest loop       : {bare_rate:>9.1} cases/s  ({:.1} ms per round)", bare.as_secs_f64() * 1000.0 / rounds as f64);
    println!("  overhead                : {overhead:>8.1} %  (target <= 25 %)");
}
