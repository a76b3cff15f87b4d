//! Hostile targets: a huge body, a body that is not JSON, an answer that never comes, a closed
//! port. The suite must answer each with a finding or a one-line error, never a panic or a hang.

use super::support::Loopback;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use hwconform::catalogue::Catalogue;
use hwconform::check::CheckKind;
use hwconform::execute::{BODY_CAP, TransportKind};
use hwconform::generate::{Case, generate};
use hwconform::profile::ProfileFile;
use hwconform::runner::{CaseRun, Outcome, Session, SessionOptions, ignore};

async fn against(app: axum::Router, case_id: &str, timeout: Duration) -> CaseRun {
    let server = Loopback::start(app).await;
    let run = run_at(&server.base, case_id, timeout).await;
    server.stop().await;
    run
}

async fn run_at(base: &str, case_id: &str, timeout: Duration) -> CaseRun {
    let catalogue = Catalogue::builtin().unwrap();
    let cases: Vec<Arc<Case>> =
        generate(&catalogue).into_iter().filter(|c| c.id.as_str() == case_id).map(Arc::new).collect();
    assert_eq!(cases.len(), 1);
    let mut file = ProfileFile::reference().unwrap();
    file.reference_server = false;
    file.token = Some("t".into());
    for service in ["GES", "GeminiDB"] {
        file.endpoints.insert(service.into(), base.to_owned());
    }
    let options =
        SessionOptions { concurrency: 1, request_timeout: Some(timeout), no_proxy: true, ..SessionOptions::default() };
    let session = Session::open(Arc::new(catalogue), file.resolve(&|_| None).unwrap(), options).await.unwrap();
    let run = session.run(&cases, &ignore).await.remove(0);
    drop(session.close(Vec::new()).await);
    run
}

#[tokio::test]
async fn a_huge_body_is_capped_and_reported() {
    let app = axum::Router::new()
        .fallback(|| async { ([("content-type", "application/json")], vec![b' '; BODY_CAP * 3]).into_response() });
    let run = against(app, "ges.v2.add_backup/positive/example", Duration::from_secs(30)).await;
    assert!(matches!(run.outcome, Outcome::Failed), "{:?}", run.outcome);
    let rx = run.exchange.steps[0].received().unwrap();
    assert!(rx.truncated && rx.body.len() == BODY_CAP);
    assert!(
        run.findings.iter().any(|f| f.check == CheckKind::Schema && f.message.contains("body cap")),
        "{:?}",
        run.findings
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_finding() {
    let app = axum::Router::new().fallback(|| async { ([("content-type", "application/json")], "<html>oops</html>") });
    let run = against(app, "ges.v2.add_backup/positive/example", Duration::from_secs(30)).await;
    assert!(matches!(run.outcome, Outcome::Failed), "{:?}", run.outcome);
    assert!(run.findings.iter().any(|f| f.check == CheckKind::Schema && f.message.contains("not JSON")));
}

#[tokio::test]
async fn an_answer_that_never_comes_times_out_as_an_error() {
    let app = axum::Router::new().fallback(|| async {
        std::future::pending::<()>().await;
        "never"
    });
    let run = against(app, "ges.v1.list_backups/positive/example", Duration::from_millis(300)).await;
    let error = run.outcome.error().expect("could not test");
    assert_eq!(error.transport_kind(), Some(TransportKind::FirstByteTimeout), "{error}");
    let line = error.to_string();
    assert!(line.contains("in time") && !line.contains('\n'), "{line}");
}

#[tokio::test]
async fn a_closed_port_is_a_one_line_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let run = run_at(&format!("http://{addr}"), "ges.v1.list_backups/positive/example", Duration::from_secs(5)).await;
    let error = run.outcome.error().expect("could not test");
    assert_eq!(error.transport_kind(), Some(TransportKind::Connect), "{error}");
    let line = error.to_string();
    assert!(line.contains("connect to the target") && !line.contains('\n'), "{line}");
}

/// What a target that misbehaves on purpose answers to every request.
#[derive(Debug, Clone, Copy)]
enum Hostile {
    /// `Content-Encoding: gzip` over a body that inflates to 1 GiB of zeros (about 1 MiB on the wire).
    GzipBomb,
    /// 1 MiB of bytes that are not text, labelled JSON.
    Binary,
    /// A body that never ends.
    Endless,
    /// JSON nested a million levels deep.
    DeepJson,
    /// Accepts the request and never answers.
    Silent,
}

/// 64 gzip members of 16 MiB of zeros each: a conforming decoder inflates them to 1 GiB.
fn gzip_bomb() -> &'static axum::body::Bytes {
    static BOMB: std::sync::OnceLock<axum::body::Bytes> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 16 << 20]).unwrap();
        let member = enc.finish().unwrap();
        axum::body::Bytes::from(member.repeat(64))
    })
}

fn hostile_app(kind: Hostile) -> axum::Router {
    use axum::body::Body;
    let json = ("content-type", "application/json");
    axum::Router::new().fallback(move || async move {
        match kind {
            Hostile::GzipBomb => ([json, ("content-encoding", "gzip")], gzip_bomb().clone()).into_response(),
            Hostile::Binary => {
                let body: Vec<u8> = (0..1u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
                ([json], body).into_response()
            }
            Hostile::Endless => {
                let chunk = axum::body::Bytes::from(vec![b'['; 64 * 1024]);
                let stream = futures::stream::repeat_with(move || Ok::<_, std::convert::Infallible>(chunk.clone()));
                ([json], Body::from_stream(stream)).into_response()
            }
            Hostile::DeepJson => {
                let depth = 1_000_000;
                let body = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
                ([json], body).into_response()
            }
            Hostile::Silent => {
                std::future::pending::<()>().await;
                StatusCode::OK.into_response()
            }
        }
    })
}

/// One `hwconform run` process and what it cost.
#[derive(Debug)]
struct Ran {
    code: Option<i32>,
    /// Peak resident set of the process (`VmHWM`), in KiB.
    peak_rss_kib: i64,
    dir: std::path::PathBuf,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Ran {
    fn size(&self, file: &str) -> Option<u64> {
        std::fs::metadata(self.dir.join(file)).ok().map(|m| m.len())
    }
}

/// Waits for `child` to end, reading its peak resident set (`VmHWM`, KiB) every millisecond while
/// it runs. getrusage's `ru_maxrss` cannot serve: a spawned child's figure starts from the test
/// process's own RSS at the fork.
fn watch(mut child: std::process::Child) -> (std::process::ExitStatus, i64) {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<i64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs the built binary against `base` with `args` and measures it.
async fn run_process(name: &str, base: &str, args: &[&str]) -> Ran {
    let dir = std::env::temp_dir().join(format!("hwconform-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = std::fs::File::create(dir.join("stdout.txt")).unwrap();
    let err = std::fs::File::create(dir.join("stderr.txt")).unwrap();
    let started = std::time::Instant::now();
    // HWCONFORM_HOSTILE_BIN measures another build (a release binary, an older one) the same way.
    let bin = std::env::var_os("HWCONFORM_HOSTILE_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_hwconform").into());
    let child = std::process::Command::new(bin)
        .env_remove("HWCONFORM_TARGET")
        .env_remove("RUST_LOG")
        .env("HWC_HOSTILE_TOKEN", "hostile-test-token")
        .args(["run", "--target", base, "--project-id", "hostileproject", "--token-env", "HWC_HOSTILE_TOKEN"])
        // Every resource named, so every case sends its requests into the hostile answers.
        .args(["--graph-id", "hostilegraph", "--instance-id", "hostileinstance", "--backup-id", "hostilebackup"])
        .args(["--export-path", "obs://hostile/exports"])
        // A first run against a target records its snapshots: here, never into the project's own.
        .arg("--snapshots")
        .arg(dir.join("snapshots"))
        .arg("--report-dir")
        .arg(&dir)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    let (status, peak_rss_kib) = tokio::task::spawn_blocking(move || watch(child)).await.unwrap();
    let code = status.code();
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
    Ran { code, peak_rss_kib, stdout: read("stdout.txt"), stderr: read("stderr.txt"), elapsed: started.elapsed(), dir }
}

/// The bounds every hostile run must keep, whatever the target sent.
fn assert_bounded(kind: Hostile, ran: &Ran) {
    let (json, html) = (ran.size("report.json"), ran.size("report.html"));
    eprintln!(
        "hostile {kind:?}: exit {:?}, peak RSS {} MiB, report.json {:?} B, report.html {:?} B, {:?}",
        ran.code,
        ran.peak_rss_kib / 1024,
        json,
        html,
        ran.elapsed
    );
    let context = format!("{kind:?}: stdout {}\nstderr {}", ran.stdout, ran.stderr);
    assert!(ran.peak_rss_kib < 200 * 1024, "{context}\npeak RSS {} KiB", ran.peak_rss_kib);
    let json = json.unwrap_or_else(|| panic!("{context}\nno report.json"));
    let html = html.unwrap_or_else(|| panic!("{context}\nno report.html"));
    assert!(json < 20 << 20, "{context}\nreport.json {json} B");
    assert!(html < 20 << 20, "{context}\nreport.html {html} B");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ran.dir.join("report.json")).unwrap()).unwrap();
    assert!(report["summary"]["total"].as_u64().unwrap_or(0) > 0, "{context}");
}

async fn hostile_run(kind: Hostile, args: &[&str]) -> Ran {
    let server = Loopback::start(hostile_app(kind)).await;
    let ran = run_process(&format!("{kind:?}"), &server.base, args).await;
    server.stop().await;
    assert_bounded(kind, &ran);
    ran
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_bomb_keeps_the_run_bounded() {
    let ran = hostile_run(Hostile::GzipBomb, &["--timeout", "20"]).await;
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mebibyte_of_binary_per_request_keeps_the_run_bounded() {
    let ran = hostile_run(Hostile::Binary, &["--timeout", "20"]).await;
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_keeps_the_run_bounded() {
    let ran = hostile_run(Hostile::Endless, &["--timeout", "20"]).await;
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_json_keeps_the_run_bounded() {
    let ran = hostile_run(Hostile::DeepJson, &["--timeout", "20"]).await;
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_never_answers_still_gets_a_report_at_the_run_timeout() {
    let ran = hostile_run(Hostile::Silent, &["--timeout", "1", "--run-timeout", "4"]).await;
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
}
