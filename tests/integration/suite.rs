//! The suite's own integration tests: snapshots match generated cases, the generated cases pass
//! against the reference server through `hwconform run`'s library path, and `report.json` holds
//! the fields the issue fixes.

use std::sync::Arc;

use hwconform::catalogue::Catalogue;
use hwconform::generate::{Requirement, generate};
use hwconform::profile::ProfileFile;
use hwconform::report::CaseOutcome;
use hwconform::runner::{Outcome, Session, SessionOptions, case_result, ignore};

#[test]
fn every_snapshot_file_matches_a_generated_case() {
    let cases = generate(&Catalogue::builtin().unwrap());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if std::path::Path::new(&name).extension().is_none_or(|e| e != "snap") {
            continue;
        }
        count += 1;
        let (stem, suffix) =
            name.trim_end_matches(".snap").rsplit_once('@').expect("snapshot names carry a profile suffix");
        assert!(
            cases.iter().any(|c| c.id.snapshot_file(suffix) == name),
            "snapshots/{name} matches no generated case (stem {stem}): delete it or restore its case"
        );
    }
    // The reference server's snapshots are committed: one per case.
    assert_eq!(count, cases.len(), "snapshots/ should hold one reference snapshot per case");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_every_case_and_the_report_keeps_its_contract() {
    let session = Session::reference(SessionOptions::default()).await.unwrap();
    let cases: Vec<_> = generate(session.catalogue()).into_iter().map(Arc::new).collect();
    let runs = session.run(&cases, &ignore).await;
    let results: Vec<_> = cases.iter().zip(&runs).map(|(c, r)| case_result(c, r)).collect();
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r.outcome != CaseOutcome::Passed)
        .map(|r| format!("{} {:?} {:?} {:?}", r.id, r.outcome, r.error, r.findings))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let report = session.close(results).await;
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["schema_version"], 2);
    assert_eq!(json["ending"], "completed");
    for key in ["total", "passed", "failed", "skipped", "drift"] {
        assert!(json["summary"][key].is_u64(), "summary.{key}");
    }
    let case = &json["cases"][0];
    for key in ["id", "operation", "kind", "outcome", "findings", "duration_ms"] {
        assert!(!case[key].is_null(), "cases[].{key}");
    }
    for case in json["cases"].as_array().unwrap() {
        let steps = case["expectation"]["steps"].as_array().unwrap_or_else(|| panic!("no expectation: {}", case["id"]));
        assert!(!steps.is_empty(), "{}", case["id"]);
    }
    let verdicts: Vec<_> = report.families.iter().map(|f| (f.family.as_str(), f.verdict)).collect();
    assert!(verdicts.iter().all(|(_, v)| *v == hwconform::report::Verdict::Success), "{verdicts:?}");
    let text = json.to_string();
    assert!(!text.contains(hwconform::server::DEFAULT_TOKEN), "the token leaked into report.json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_shared_project_passes_too_with_state_changing_cases_in_turn() {
    let catalogue = Arc::new(Catalogue::builtin().unwrap());
    let mut file = ProfileFile::reference().unwrap();
    file.isolate_projects = false;
    let profile = file.resolve(&|_| None).unwrap();
    let session = Session::open(Arc::clone(&catalogue), profile, SessionOptions::default()).await.unwrap();
    let cases: Vec<_> = generate(&catalogue).into_iter().map(Arc::new).collect();
    // Twice: the second run starts from the state the first left (more backups than the seed).
    for _ in 0..2 {
        let runs = session.run(&cases, &ignore).await;
        let bad: Vec<String> = cases
            .iter()
            .zip(&runs)
            .filter(|(_, r)| matches!(r.outcome, Outcome::Failed | Outcome::Error(_)))
            .map(|(c, r)| format!("{} {:?} {:?}", c.id, r.outcome, r.findings))
            .collect();
        assert!(bad.is_empty(), "{bad:#?}");
        let skipped = runs.iter().filter(|r| matches!(r.outcome, Outcome::Skipped(_))).count();
        let own = cases.iter().filter(|c| c.requires.contains(&Requirement::OwnProject)).count();
        assert!(own >= 2, "valid project ids are probed");
        assert_eq!(skipped, own, "only the cases needing a project of their own are skipped");
    }
    drop(session.close(Vec::new()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_reports_its_start_and_its_end_once() {
    use hwconform::runner::RunEvent;
    use std::sync::Mutex;
    let session = Session::reference(SessionOptions::default()).await.unwrap();
    let cases: Vec<_> =
        generate(session.catalogue()).into_iter().filter(|c| c.id.as_str().contains("auth")).map(Arc::new).collect();
    let seen = Mutex::new(Vec::new());
    let on_event = |e: &RunEvent<'_>| match e {
        RunEvent::CaseStarted { case } => seen.lock().unwrap().push(format!("start {}", case.id)),
        RunEvent::CaseFinished { case, run } => {
            seen.lock().unwrap().push(format!("end {} {:?}", case.id, run.outcome.flat()));
        }
        _ => {}
    };
    let runs = session.run(&cases, &on_event).await;
    drop(session.close(Vec::new()).await);
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.len(), 2 * cases.len(), "{seen:#?}");
    for (case, run) in cases.iter().zip(&runs) {
        let start = seen.iter().position(|s| *s == format!("start {}", case.id)).unwrap();
        let end = seen.iter().position(|s| *s == format!("end {} {:?}", case.id, run.outcome.flat())).unwrap();
        assert!(start < end, "{} ended before it started", case.id);
    }
}
