//! Hostile targets: a huge body, a body that is not JSON, an answer that never comes, a closed
//! port. The suite must answer each with a finding or a one-line error, never a panic or a hang.

use super::support::Loopback;
use std::sync::Arc;
use std::time::Duration;

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
