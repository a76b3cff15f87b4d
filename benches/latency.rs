//! Benchmark (not a timed test): how close a run comes to its bound against a slow target.
//!
//! The reference server as a foreign target (one shared project, fresh ids, no fault header) with
//! every answer delayed by the `latency` variant (default 300 ms), the full suite at concurrency 8.
//! The bound is max(requests × mean latency ÷ concurrency, longest chain × mean latency), where the
//! longest chain is the requests of the longest run of cases that may not overlap (the scheduler's
//! conflict graph, weighed with the requests each case really sent). Goal: ≤ 1.5 × the bound,
//! with every case passing or skipped (the verdicts of a correct server).
//!
//! `cargo bench --bench latency` (optionally `-- LATENCY_MS`, default 300).

use std::sync::Arc;
use std::time::{Duration, Instant};

use hwconform::catalogue::Catalogue;
use hwconform::generate::{Case, generate};
use hwconform::profile::ProfileFile;
use hwconform::report::CaseOutcome;
use hwconform::runner::{Plan, Session, SessionOptions, ignore};
use hwconform::server::{DEFAULT_TOKEN, ServerConfig, Variant, spawn};

const CONCURRENCY: usize = 8;

fn main() {
    let latency_ms: u64 =
        std::env::args().skip(1).find(|a| !a.starts_with('-')).and_then(|a| a.parse().ok()).unwrap_or(300);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    rt.block_on(bench(Duration::from_millis(latency_ms)));
}

async fn bench(latency: Duration) {
    let catalogue = Catalogue::builtin().unwrap_or_else(|e| panic!("{e}"));
    let cases: Vec<Arc<Case>> = generate(&catalogue).into_iter().map(Arc::new).collect();
    let config = ServerConfig {
        variants: vec![Variant::Latency(latency)],
        // Waits for asynchronous backups are outside the bound: backups finish at once.
        backup_delay: Duration::ZERO,
        catalogue: Some(Arc::new(catalogue.clone())),
        ..ServerConfig::foreign()
    };
    let server = spawn(config).await.unwrap_or_else(|e| panic!("{e}"));
    let seed = server.seed().clone();
    let mut file = ProfileFile::reference().unwrap_or_else(|e| panic!("{e}"));
    "bench-foreign".clone_into(&mut file.name);
    file.reference_server = false;
    file.fault_injection = false;
    file.isolate_projects = false;
    file.token = Some(DEFAULT_TOKEN.to_owned());
    for op in catalogue.operations() {
        file.endpoints.insert(op.meta.service.clone(), server.base_url());
    }
    file.graph_id = Some(seed.graphs[0].id.clone());
    file.instance_id = Some(seed.instances[0].id.clone());
    file.backup_id =
        seed.backups.iter().find_map(|b| b.get(&seed.lifecycle.id).and_then(|v| v.as_str())).map(str::to_owned);
    let profile = file.resolve(&|_| None).unwrap_or_else(|e| panic!("{e}"));
    let options = SessionOptions { concurrency: CONCURRENCY, no_proxy: true, ..SessionOptions::default() };
    let session = Session::open(Arc::new(catalogue), profile, options).await.unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let runs = session.run(&cases, &ignore).await;
    let elapsed = started.elapsed();
    let profile = session.profile().clone();
    server.shutdown().await;

    let count = |o: CaseOutcome| runs.iter().filter(|r| r.outcome.flat() == o).count();
    let (passed, failed, skipped, errors) = (
        count(CaseOutcome::Passed),
        count(CaseOutcome::Failed),
        count(CaseOutcome::Skipped),
        count(CaseOutcome::Error),
    );
    let requests: usize = runs.iter().map(|r| r.exchange.steps.len()).sum();
    let total: Duration = runs.iter().flat_map(|r| r.exchange.steps.iter().map(|s| s.duration)).sum();
    let mean = total.checked_div(u32::try_from(requests.max(1)).unwrap_or(u32::MAX)).unwrap_or_default();
    let mut plan = Plan::of(&cases, &profile);
    plan.weight = runs.iter().map(|r| r.exchange.steps.len() as u64).collect();
    let chain = plan.longest_chain();
    #[expect(clippy::cast_precision_loss, reason = "request counts are far below 2^52")]
    let spread = mean.mul_f64(requests as f64 / CONCURRENCY as f64);
    #[expect(clippy::cast_precision_loss, reason = "a chain of requests is far below 2^52 long")]
    let along = mean.mul_f64(chain as f64);
    let bound = spread.max(along);
    let ratio = elapsed.as_secs_f64() / bound.as_secs_f64().max(f64::EPSILON);
    println!(
        "latency {} ms: {} cases ({passed} passed, {failed} failed, {skipped} skipped, {errors} errors), {requests} requests, mean latency {} ms",
        latency.as_millis(),
        runs.len(),
        mean.as_millis()
    );
    println!(
        "bound max({requests} x {} ms / {CONCURRENCY} = {} ms, chain {chain} x {} ms = {} ms) = {} ms; conflicts {}",
        mean.as_millis(),
        spread.as_millis(),
        mean.as_millis(),
        along.as_millis(),
        bound.as_millis(),
        plan.conflict_pairs()
    );
    println!("run {} ms = {ratio:.2} x the bound (goal <= 1.5)", elapsed.as_millis());
    let failures: Vec<String> = cases
        .iter()
        .zip(&runs)
        .filter(|(_, r)| matches!(r.outcome.flat(), CaseOutcome::Failed | CaseOutcome::Error))
        .map(|(c, r)| format!("{} {:?}", c.id, r.outcome))
        .collect();
    assert!(failures.is_empty(), "a correct server must pass: {failures:#?}");
}
