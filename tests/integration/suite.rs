//! The suite's own integration tests: snapshots match generated cases, the generated cases pass
//! against the reference server through `hwconform run`'s library path, and `report.json` holds
//! the fields the issue fixes.

use std::sync::Arc;

use hwconform::catalogue::Catalogue;
use hwconform::execute::{ClientOptions, client};
use hwconform::generate::{Requirement, generate};
use hwconform::profile::ProfileFile;
use hwconform::report::CaseOutcome;
use hwconform::runner::{build_report, case_result, run_cases, start_reference};

#[test]
fn every_snapshot_file_matches_a_generated_case() {
    let cases = generate(&Catalogue::builtin().unwrap());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".snap") {
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
    let catalogue = Catalogue::builtin().unwrap();
    let mut profile = ProfileFile::reference().unwrap().resolve(&|_| None).unwrap();
    let server = start_reference(&mut profile, &catalogue).await.unwrap();
    let cases: Vec<_> = generate(&catalogue).into_iter().map(Arc::new).collect();
    let http = client(ClientOptions { no_proxy: true, ..ClientOptions::default() }).unwrap();
    let profile = Arc::new(profile);
    let runs = run_cases(&cases, Arc::clone(&profile), http, 8, &|_, _| {}).await;
    server.shutdown().await;
    let results: Vec<_> = cases.iter().zip(&runs).map(|(c, r)| case_result(c, r)).collect();
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r.outcome != CaseOutcome::Passed)
        .map(|r| format!("{} {:?} {:?} {:?}", r.id, r.outcome, r.error, r.findings))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let report = build_report(&catalogue, &profile, results, "2026-01-01T00:00:00Z".into());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["schema_version"], 1);
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
    let catalogue = Catalogue::builtin().unwrap();
    let mut file = ProfileFile::reference().unwrap();
    file.isolate_projects = false;
    let mut profile = file.resolve(&|_| None).unwrap();
    let server = start_reference(&mut profile, &catalogue).await.unwrap();
    let cases: Vec<_> = generate(&catalogue).into_iter().map(Arc::new).collect();
    let http = client(ClientOptions { no_proxy: true, ..ClientOptions::default() }).unwrap();
    // Twice: the second run starts from the state the first left (more backups than the seed).
    for _ in 0..2 {
        let runs = run_cases(&cases, Arc::new(profile.clone()), http.clone(), 8, &|_, _| {}).await;
        let bad: Vec<String> = cases
            .iter()
            .zip(&runs)
            .filter(|(_, r)| matches!(r.outcome, CaseOutcome::Failed | CaseOutcome::Error))
            .map(|(c, r)| format!("{} {:?} {:?}", c.id, r.error, r.findings))
            .collect();
        assert!(bad.is_empty(), "{bad:#?}");
        let skipped = runs.iter().filter(|r| r.outcome == CaseOutcome::Skipped).count();
        let own = cases.iter().filter(|c| c.requires.contains(&Requirement::OwnProject)).count();
        assert!(own >= 2, "valid project ids are probed");
        assert_eq!(skipped, own, "only the cases needing a project of their own are skipped");
    }
    server.shutdown().await;
}
