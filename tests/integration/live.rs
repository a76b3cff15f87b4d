//! What a run against a live cloud relies on, proven on the in-process reference server: the whole
//! suite signed with AK/SK (no token), unsigned and tampered requests refused, `--read-only` creating
//! nothing while a normal run lists what it created, and no credential in any output.

use super::support::Loopback;
use std::process::Command;
use std::sync::Arc;

use hwconform::auth::{AkSkAuth, AkSkCredentials, Auth, KeyStore, Redactor, RequestParts, Secret};
use hwconform::catalogue::Catalogue;
use hwconform::execute::{ClientOptions, client};
use hwconform::generate::{Case, Requirement, generate};
use hwconform::normalise::normalise;
use hwconform::profile::{ProfileFile, TargetProfile};
use hwconform::report::Report;
use hwconform::runner::{CaseRun, Outcome, Session, SessionOptions, SkipReason, case_result, ignore};
use hwconform::server::{ServerConfig, SignatureAuthenticator, spawn};

const AK: &str = "HWCLIVETESTAK0000001";
const SK: &str = "hwc-live-test-secret-key-0001";
const SECURITY_TOKEN: &str = "hwc-live-test-security-token-0001";

/// The reference profile, authenticated by AK/SK signing (temporary credentials) instead of a token.
fn signed_reference() -> TargetProfile {
    let file = ProfileFile::reference().unwrap();
    let creds = AkSkCredentials::new(AK, Secret::new(SK)).with_security_token(Secret::new(SECURITY_TOKEN));
    let auth: Arc<dyn Auth> = Arc::new(AkSkAuth::new(creds));
    let redactor = Redactor::with_secrets(&auth.secrets());
    TargetProfile { file, auth, redactor }
}

/// The whole suite against the reference server under `profile`: the cases, their runs, the report,
/// and what the server counted.
async fn run_all(profile: TargetProfile) -> (Vec<Arc<Case>>, Vec<CaseRun>, Report, hwconform::server::ServerStats) {
    let catalogue = Arc::new(Catalogue::builtin().unwrap());
    let session = Session::open(Arc::clone(&catalogue), profile, SessionOptions::default()).await.unwrap();
    let cases: Vec<_> = generate(&catalogue).into_iter().map(Arc::new).collect();
    let runs = session.run(&cases, &ignore).await;
    let stats = session.server_stats().unwrap();
    let results: Vec<_> = cases.iter().zip(&runs).map(|(c, r)| case_result(c, r)).collect();
    let report = session.close(results).await;
    (cases, runs, report, stats)
}

fn assert_no_secret(text: &str, what: &str) {
    for secret in [AK, SK, SECURITY_TOKEN, hwconform::server::DEFAULT_TOKEN] {
        assert!(!text.contains(secret), "a credential leaked into {what}");
    }
    // A real signature is 64 hex digits after `Signature=`; only `***` may follow it.
    for (i, _) in text.match_indices("Signature=") {
        let rest = &text[i + "Signature=".len()..];
        let hex = rest.chars().take_while(char::is_ascii_hexdigit).count();
        assert!(hex < 64, "a request signature leaked into {what}: {}", &rest[..hex]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_signed_with_aksk_and_no_token() {
    let (cases, runs, report, stats) = run_all(signed_reference()).await;
    let bad: Vec<String> = cases
        .iter()
        .zip(&runs)
        // Near-miss tokens are made from a fixed token; a signed run has none and skips them.
        .filter(|(c, r)| {
            let near_miss_skipped =
                matches!(r.outcome, Outcome::Skipped(_)) && c.requires.contains(&Requirement::FixedToken);
            !(matches!(r.outcome, Outcome::Passed) || near_miss_skipped)
        })
        .map(|(c, r)| format!("{} {:?} {:?}", c.id, r.outcome, r.findings))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(stats.total_creates() > 0);
    // Every valid request was signed; the wrong-credential cases were signed with another key.
    let auth_cases = cases
        .iter()
        .zip(&runs)
        .filter(|(c, r)| c.id.as_str().contains("/auth/") && !matches!(r.outcome, Outcome::Skipped(_)));
    for (case, run) in auth_cases {
        // The probed request is the case's last (a delete's auth case first creates what it deletes).
        let probed = run.exchange.steps.last().unwrap();
        let sent = &probed.request.headers;
        let signed = sent.contains_key("authorization");
        assert_eq!(signed, case.id.as_str().ends_with("wrong_token"), "{}: {sent:?}", case.id);
        assert_eq!(probed.received().map(|r| r.status), Some(401), "{}", case.id);
    }
    // Nothing recorded, reported or snapshotted carries a credential.
    assert_eq!(report.target.auth, "aksk");
    for format in hwconform::report::Format::ALL {
        assert_no_secret(&hwconform::report::render(&report, format).unwrap(), &format!("the {format:?} report"));
    }
    for (case, run) in cases.iter().zip(&runs) {
        assert_no_secret(&format!("{:?}", run.exchange), &format!("the exchange of {}", case.id));
        let snapshot = normalise(case, &run.exchange).to_string();
        assert_no_secret(&snapshot, &format!("the snapshot of {}", case.id));
        // Snapshots stay stable across runs: the signature's date is never in them.
        assert!(!snapshot.contains("x-sdk-date"), "{}: {snapshot}", case.id);
        if case.kind == hwconform::generate::CaseKind::Positive {
            assert!(snapshot.contains("\"auth\":\"[signature]\""), "{}: {snapshot}", case.id);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_and_tampered_requests_are_refused() {
    let mut keys = KeyStore::new();
    keys.insert(AK, Secret::new(SK));
    let config = ServerConfig {
        tokens: Vec::new(),
        authenticator: Some(Arc::new(SignatureAuthenticator::new(keys))),
        ..ServerConfig::default()
    };
    let server = spawn(config).await.unwrap();
    let http = client(&ClientOptions { no_proxy: true, ..ClientOptions::default() }).unwrap();
    let auth = AkSkAuth::new(AkSkCredentials::new(AK, Secret::new(SK)));
    let url = format!("{}/v1.0/hwclivetest/graphs/backups?offset=0&limit=2", server.base_url());
    let status = |parts: RequestParts| {
        let req = parts.into_reqwest(&http).unwrap();
        let http = http.clone();
        async move { http.execute(req).await.unwrap().status().as_u16() }
    };
    let unsigned = RequestParts::parse(http::Method::GET, &url).unwrap();
    let mut signed = unsigned.clone();
    auth.apply(&mut signed).await.unwrap();
    assert_eq!(status(signed.clone()).await, 200);
    assert_eq!(status(unsigned).await, 401);
    let mut tampered = signed.clone();
    tampered.uri = url.replace("limit=2", "limit=3").parse().unwrap();
    assert_eq!(status(tampered).await, 401);
    let mut wrong = RequestParts::parse(http::Method::GET, &url).unwrap();
    auth.wrong().apply(&mut wrong).await.unwrap();
    assert_eq!(status(wrong).await, 401);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_run_creates_nothing_and_a_normal_run_lists_what_it_created() {
    let mut file = ProfileFile::reference().unwrap();
    file.read_only = true;
    let (cases, runs, _, stats) = run_all(file.resolve(&|_| None).unwrap()).await;
    assert_eq!(stats.total_creates(), 0, "{stats:?}");
    let skipped: Vec<_> = cases.iter().zip(&runs).filter(|(_, r)| r.outcome.skip_reason().is_some()).collect();
    assert!(!skipped.is_empty());
    for (case, run) in &skipped {
        assert!(case.mutating, "{} was skipped but changes nothing", case.id);
        assert_eq!(run.outcome.skip_reason(), Some(&SkipReason::ReadOnly), "{}", case.id);
    }
    for (case, run) in cases.iter().zip(&runs).filter(|(_, r)| r.outcome.skip_reason().is_none()) {
        assert!(matches!(run.outcome, Outcome::Passed), "{}: {:?}", case.id, run.outcome);
        assert!(!case.mutating, "{} changes state but ran read-only", case.id);
    }

    let (_, _, report, stats) = run_all(ProfileFile::reference().unwrap().resolve(&|_| None).unwrap()).await;
    assert!(stats.total_creates() > 0);
    // Every backup the server counted is listed, and so is every export job (which writes to storage).
    let (exports, creates): (Vec<_>, Vec<_>) =
        report.created_resources.iter().partition(|c| c.url.contains("/backups/export"));
    assert_eq!(creates.len() as u64, stats.total_creates(), "{:#?}", report.created_resources);
    assert!(!exports.is_empty(), "{:#?}", report.created_resources);
    let job = |c: &&hwconform::report::CreatedResource| c.ids.contains_key("job_id") || c.ids.contains_key("jobId");
    assert!(report.created_resources.iter().all(|c| job(&c)), "{:#?}", report.created_resources);
    let md = hwconform::report::render_markdown(&report);
    assert!(md.contains(&format!("## Created on the target ({})", report.created_resources.len())), "{md}");
}

fn hwconform() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hwconform"));
    c.env_remove("HWCONFORM_TARGET").env_remove("RUST_LOG").env_remove("HUAWEICLOUD_SDK_AK");
    c.env_remove("HUAWEICLOUD_SDK_SK").env_remove("HUAWEICLOUD_SDK_SECURITY_TOKEN");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_sdk_credentials_signs_every_request_and_prints_no_secret() {
    let mut keys = KeyStore::new();
    keys.insert_temporary(AK, Secret::new(SK), Secret::new(SECURITY_TOKEN));
    let config = ServerConfig {
        tokens: Vec::new(),
        authenticator: Some(Arc::new(SignatureAuthenticator::new(keys))),
        ..ServerConfig::default()
    };
    let server = spawn(config).await.unwrap();
    let dir = std::env::temp_dir().join(format!("hwconform-live-{}", std::process::id()));
    let mut cmd = hwconform();
    cmd.args(["run", "--target", &server.base_url(), "--read-only", "--rps", "500", "--report-dir"])
        .arg(&dir)
        .arg("--snapshots")
        .arg(dir.join("snapshots"))
        .args(["--project-id", "hwclivecli"])
        .env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN)
        .env("NO_PROXY", "127.0.0.1")
        .env("RUST_LOG", "trace")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let out = tokio::task::spawn_blocking(move || cmd.output()).await.unwrap().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(server.stats().total_creates(), 0);
    server.shutdown().await;
    // Every case that ran was answered (no 401): the signature convinced the server.
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["target"]["auth"], "aksk");
    assert_eq!(report["summary"]["failed"], 0, "{stdout}");
    assert!(report["summary"]["passed"].as_u64().unwrap() > 0, "{stdout}");
    assert!(stdout.contains("skipped"), "{stdout}");
    assert_no_secret(&stdout, "stdout");
    assert_no_secret(&stderr, "stderr (trace logs)");
    assert!(stderr.len() > 1000, "trace logs were written: {}", stderr.len());
    for file in ["report.json", "junit.xml", "report.md", "report.html"] {
        assert_no_secret(&std::fs::read_to_string(dir.join(file)).unwrap(), file);
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}

const IAM_PASSWORD: &str = "hwc-live-test-iam-password-0001";
const IAM_TOKEN: &str = "MIIhwcLiveTestIamToken0001";

/// A stand-in IAM endpoint: issues [`IAM_TOKEN`] for [`IAM_PASSWORD`], 401 otherwise.
async fn iam_tokens(body: axum::body::Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let password = body.pointer("/auth/identity/password/user/password").and_then(|p| p.as_str());
    if password != Some(IAM_PASSWORD) {
        return (axum::http::StatusCode::UNAUTHORIZED, r#"{"error":{"code":"401","message":"wrong"}}"#).into_response();
    }
    let expires_at = (chrono::Utc::now() + chrono::Duration::hours(12)).to_rfc3339();
    let body = serde_json::json!({ "token": { "expires_at": expires_at, "methods": ["password"] } }).to_string();
    (axum::http::StatusCode::CREATED, [("content-type", "application/json"), ("x-subject-token", IAM_TOKEN)], body)
        .into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_and_iam_password_runs_print_no_secret() {
    let iam_server =
        Loopback::start(axum::Router::new().route("/v3/auth/tokens", axum::routing::post(iam_tokens))).await;
    let iam = iam_server.base.clone();
    let config = ServerConfig { tokens: vec![IAM_TOKEN.to_owned()], ..ServerConfig::default() };
    let server = spawn(config).await.unwrap();
    let dir = std::env::temp_dir().join(format!("hwconform-live-iam-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let r = ProfileFile::reference().unwrap();
    let profile = dir.join("iam.toml");
    let text = format!(
        "name = \"iam\"\nproject_id = \"hwcliveiam\"\ngraph_id = \"{}\"\ninstance_id = \"{}\"\nbackup_id = \"{}\"\n\
         export_path = \"{}\"\n[auth]\nscheme = \"iam\"\nendpoint = \"{iam}\"\ndomain = \"d\"\nuser = \"u\"\n\
         password_env = \"HWC_LIVE_IAM_PW\"\nproject_name = \"cn-north-4\"\n",
        r.graph_id.unwrap_or_default(),
        r.instance_id.unwrap_or_default(),
        r.backup_id.unwrap_or_default(),
        r.export_path.unwrap_or_default()
    );
    std::fs::write(&profile, text).unwrap();
    let base = server.base_url();
    let runs: [(&str, Vec<String>); 2] = [
        ("iam", vec!["--profile".into(), profile.display().to_string()]),
        ("token", vec!["--token-env".into(), "HWC_LIVE_TOKEN".into(), "--project-id".into(), "hwclivetok".into()]),
    ];
    for (scheme, extra) in runs {
        let out_dir = dir.join(scheme);
        let mut cmd = hwconform();
        cmd.args(["run", "--target", &base, "--read-only", "--report-dir"])
            .arg(&out_dir)
            .arg("--snapshots")
            .arg(out_dir.join("snapshots"))
            .args(&extra)
            .env("HWC_LIVE_IAM_PW", IAM_PASSWORD)
            .env("HWC_LIVE_TOKEN", IAM_TOKEN)
            .env("NO_PROXY", "127.0.0.1")
            .env("RUST_LOG", "trace")
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        let out = tokio::task::spawn_blocking(move || cmd.output()).await.unwrap().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{scheme}: {stdout}\n{}", stderr.lines().last().unwrap_or_default());
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out_dir.join("report.json")).unwrap()).unwrap();
        assert_eq!(report["target"]["auth"], scheme);
        assert!(report["summary"]["passed"].as_u64().unwrap() > 0, "{stdout}");
        for (what, text) in [("stdout", stdout.into_owned()), ("stderr", stderr.into_owned())].into_iter().chain(
            ["report.json", "junit.xml", "report.md", "report.html"]
                .map(|f| (f, std::fs::read_to_string(out_dir.join(f)).unwrap())),
        ) {
            for secret in [IAM_PASSWORD, IAM_TOKEN] {
                assert!(!text.contains(secret), "{scheme}: a credential leaked into {what}");
            }
        }
    }
    server.shutdown().await;
    iam_server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_live_options_exit_2_with_one_line() {
    for args in [
        vec!["run", "--only", "auth", "--ca-file", "/nonexistent/ca.pem"],
        vec!["run", "--only", "auth", "--ca-file", file!()],
        vec!["run", "--only", "auth", "--rps", "0"],
        vec!["run", "--only", "auth", "--rps=-3"],
        vec!["run", "--only", "auth", "--rps", "1e-300"],
        vec!["run", "--only", "auth", "--rps", "NaN"],
    ] {
        let out = hwconform().args(&args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("hwconform: failed to "), "{stderr}");
    }
}

#[test]
fn an_expired_run_timeout_reports_every_case_as_a_run_timeout_error() {
    let dir = std::env::temp_dir().join(format!("hwconform-live-timeout-{}", std::process::id()));
    let out = hwconform()
        .args(["run", "--only", "auth", "--run-timeout", "0", "--report-dir"])
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Cut short, nothing failed: the exit code says the verdict is incomplete (4), not failed (1).
    assert_eq!(out.status.code(), Some(4), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["ending"], "run_timeout");
    let cases = report["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        assert_eq!(c["outcome"], "error", "{c}");
        assert_eq!(c["error_kind"], "run_timeout", "{c}");
        assert_eq!(c["error"], "run timeout", "{c}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
