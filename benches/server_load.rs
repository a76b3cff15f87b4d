//! Load benchmark of the reference server: list and create at concurrency 64 over loopback.
//!
//! Starts the server in-process on 127.0.0.1 port 0 and drives it with a reqwest client from the
//! same process, printing requests per second. A benchmark, not a test: it asserts nothing about
//! speed. `cargo bench --bench server_load` (env `HWCONFORM_BENCH_SECS` sets the seconds per phase).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hwconform::catalogue::{Catalogue, Location, ParamRole};
use hwconform::server::{self, DEFAULT_TOKEN, ServerConfig};

const CONCURRENCY: usize = 64;

fn main() -> std::process::ExitCode {
    let secs = std::env::var("HWCONFORM_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(Duration::from_secs(secs))) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(phase: Duration) -> Result<(), Box<dyn std::error::Error>> {
    let catalogue = Arc::new(Catalogue::builtin()?);
    let config = ServerConfig { catalogue: Some(Arc::clone(&catalogue)), ..ServerConfig::default() };
    let graph = config.seed.graphs.first().map(|g| g.id.clone()).ok_or("the seed has no graph")?;
    let running = server::spawn(config).await?;
    let client = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(CONCURRENCY).build()?;
    let url = |id: &str, project: &str| -> Result<String, String> {
        let op = catalogue.operation(id).ok_or(format!("no operation {id}"))?;
        let mut path = op.meta.path.clone();
        for p in op.meta.parameters.iter().filter(|p| p.location == Location::Path) {
            let value = if p.role == ParamRole::Project { project } else { graph.as_str() };
            path = path.replace(&format!("{{{}}}", p.name), value);
        }
        Ok(format!("{}{path}", running.base_url()))
    };
    println!(
        "reference server load, concurrency {CONCURRENCY}, {} s per phase, {} worker threads",
        phase.as_secs(),
        tokio::runtime::Handle::current().metrics().num_workers()
    );
    let list = url("ges.v1.list_backups", "benchlist")?;
    let rate = drive(&client, phase, move |c| c.get(&list).header("X-Auth-Token", DEFAULT_TOKEN)).await;
    println!("list   (GET  ges.v1.list_backups, default page): {rate}");
    let create = url("ges.v2.add_backup", "benchcreate")?;
    let rate = drive(&client, phase, move |c| {
        c.post(&create).header("X-Auth-Token", DEFAULT_TOKEN).header("Content-Type", "application/json").body("{}")
    })
    .await;
    println!("create (POST ges.v2.add_backup):                 {rate}");
    println!("creates recorded by the server: {}", running.stats().creates_of("ges.v2.add_backup"));
    running.shutdown().await;
    Ok(())
}

/// Requests per second and errors, for display.
struct Rate {
    ok: u64,
    failed: u64,
    elapsed: Duration,
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        #[expect(clippy::cast_precision_loss, reason = "answer counts are far below 2^52")]
        let rps = self.ok as f64 / self.elapsed.as_secs_f64();
        write!(
            f,
            "{rps:>9.0} req/s ({} ok, {} not 2xx or failed, {:.1} s)",
            self.ok,
            self.failed,
            self.elapsed.as_secs_f64()
        )
    }
}

async fn drive<F>(client: &reqwest::Client, phase: Duration, make: F) -> Rate
where
    F: Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + phase;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (client, make, ok, failed) = (client.clone(), Arc::clone(&make), Arc::clone(&ok), Arc::clone(&failed));
        tasks.spawn(async move {
            while Instant::now() < deadline {
                let outcome = match make(&client).send().await {
                    Ok(resp) => resp.status().is_success() && resp.bytes().await.is_ok(),
                    Err(_) => false,
                };
                let counter = if outcome { &ok } else { &failed };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    Rate { ok: ok.load(Ordering::Relaxed), failed: failed.load(Ordering::Relaxed), elapsed: started.elapsed() }
}
