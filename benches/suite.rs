//! Benchmark (not a timed test): cases per second for the full suite against the in-process
//! reference server, and for the very same requests sent by a bare reqwest loop, in one run.
//! The difference is the harness's own overhead (generation excluded: cases are built once;
//! filling templates, checking, schema validation and bookkeeping included). Target ≤ 25 %.
//!
//! `cargo bench --bench suite` (optionally `-- ROUNDS`, default 5).

use std::sync::Arc;
use std::time::{Duration, Instant};

use hwconform::catalogue::Catalogue;
use hwconform::execute::{ClientOptions, client};
use hwconform::generate::{Case, generate};
use hwconform::profile::ProfileFile;
use hwconform::runner::{Outcome, Session, SessionOptions, ignore};

const CONCURRENCY: usize = 8;

struct Recorded {
    method: reqwest::Method,
    path_and_query: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

/// A session on a fresh reference server (the run's state starts from the seed every time).
async fn fresh(catalogue: &Arc<Catalogue>) -> Session {
    let profile = ProfileFile::reference().and_then(|f| f.resolve(&|_| None)).unwrap_or_else(|e| panic!("{e}"));
    // Backups finish at once: the figure is the suite's, not the server's 2 s of asynchronous work
    // (waits are measured by the latency bench and reported per case).
    let options =
        SessionOptions { concurrency: CONCURRENCY, backup_delay: Some(Duration::ZERO), ..SessionOptions::default() };
    Session::open(Arc::clone(catalogue), profile, options).await.unwrap_or_else(|e| panic!("{e}"))
}

/// One round: the suite on a fresh server, then the same requests by a bare loop on another fresh
/// server. Returns (suite time, bare time, requests).
/// The suite's execution alone (same scheduling, no checks, no verdicts), on a fresh server.
async fn execute_only(catalogue: &Arc<Catalogue>, cases: &[Arc<Case>], http: &reqwest::Client) -> Duration {
    let session = fresh(catalogue).await;
    let profile = Arc::new(session.profile().clone());
    let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for case in cases {
        let (case, profile, http, permits) =
            (Arc::clone(case), Arc::clone(&profile), http.clone(), Arc::clone(&permits));
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let target = hwconform::execute::Target {
                profile: &profile,
                client: &http,
                limits: &hwconform::execute::RunLimits::none(),
                progress: None,
            };
            std::hint::black_box(hwconform::execute::execute(&case, &target).await);
        });
    }
    while set.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    drop(session.close(Vec::new()).await);
    elapsed
}

async fn round(catalogue: &Arc<Catalogue>, cases: &[Arc<Case>]) -> (Duration, Duration, usize, Duration, Duration) {
    let http = client(&ClientOptions { no_proxy: true, ..ClientOptions::default() }).unwrap_or_else(|e| panic!("{e}"));
    let session = fresh(catalogue).await;
    let base = session.server_url().unwrap_or_default();
    let token = hwconform::server::DEFAULT_TOKEN.to_owned();
    let started = Instant::now();
    let runs = session.run(cases, &ignore).await;
    let suite = started.elapsed();
    drop(session.close(Vec::new()).await);
    let failed = runs.iter().filter(|r| !matches!(r.outcome, Outcome::Passed)).count();
    assert_eq!(failed, 0, "the benchmark needs a passing suite");
    // The checks alone, re-run over the recorded exchanges (pure: no I/O).
    let started = Instant::now();
    for (case, run) in cases.iter().zip(&runs) {
        std::hint::black_box(hwconform::check::check(case, &run.exchange));
    }
    let checks = started.elapsed();

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
    let session = fresh(catalogue).await;
    let base = session.server_url().unwrap_or_default();
    let started = Instant::now();
    // Same scheduling as the suite (a task per case, at most CONCURRENCY at once), so the
    // difference is the harness's own work only.
    let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut set = tokio::task::JoinSet::new();
    for reqs in recorded {
        let (http, base, permits) = (http.clone(), base.clone(), Arc::clone(&permits));
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
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
        });
    }
    while set.join_next().await.is_some() {}
    let bare = started.elapsed();
    drop(session.close(Vec::new()).await);
    let exec = execute_only(catalogue, cases, &http).await;
    (suite, bare, requests, checks, exec)
}

#[expect(
    clippy::many_single_char_names,
    clippy::cast_precision_loss,
    reason = "s, b, r, c, e unpack one round's figures; case and round counts are far below 2^52"
)]
fn main() {
    let rounds: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let catalogue = Arc::new(Catalogue::builtin().unwrap_or_else(|e| panic!("{e}")));
    let cases: Vec<Arc<Case>> = generate(&catalogue).into_iter().map(Arc::new).collect();
    let n = cases.len();
    // One warm-up round (connections, allocator, lazy statics), not counted.
    let _ = rt.block_on(round(&catalogue, &cases));
    let (mut suites, mut bares, mut requests, mut checks) = (Vec::new(), Vec::new(), 0, Duration::ZERO);
    let mut execs = Vec::new();
    for _ in 0..rounds {
        let (s, b, r, c, e) = rt.block_on(round(&catalogue, &cases));
        execs.push(e);
        suites.push(s);
        bares.push(b);
        requests = r;
        checks += c;
    }
    // The machine is shared: the median of each series is the figure; the minimum is shown too.
    suites.sort();
    bares.sort();
    execs.sort();
    let (suite, bare) = (suites[suites.len() / 2], bares[bares.len() / 2]);
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    let overhead = (suite.as_secs_f64() / bare.as_secs_f64() - 1.0) * 100.0;
    let best = (suites[0].as_secs_f64() / bares[0].as_secs_f64() - 1.0) * 100.0;
    println!(
        "hwconform suite benchmark: {n} cases, {requests} requests per round, {rounds} rounds, concurrency {CONCURRENCY}"
    );
    println!(
        "  suite (execute + check) : {:>9.1} cases/s  (median {:.2} ms per round, best {:.2} ms)",
        rate(suite),
        ms(suite),
        ms(suites[0])
    );
    println!(
        "  bare reqwest loop       : {:>9.1} cases/s  (median {:.2} ms per round, best {:.2} ms)",
        rate(bare),
        ms(bare),
        ms(bares[0])
    );
    println!("  overhead                : {overhead:>8.1} %  median (best rounds: {best:.1} %; target <= 25 %)");
    println!(
        "  execution alone         : {:>9.1} cases/s  (median {:.2} ms per round)",
        rate(execs[execs.len() / 2]),
        ms(execs[execs.len() / 2])
    );
    println!("  of which checks (pure)  : {:>8.2} ms per round", ms(checks) / rounds as f64);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
