//! The whole suite against correct servers it has never seen: the reference server in its foreign
//! mode (one shared project, seed ids drawn afresh, no fault header), run as `--target URL` would
//! run it (no backup id, none of the reference profile's ids), once per legitimate variant and once
//! with the real-cloud preset. A correct server is never failed: every case passes, or is skipped or
//! could not be tested with a reason.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hwconform::catalogue::Catalogue;
use hwconform::generate::{Case, generate};
use hwconform::profile::ProfileFile;
use hwconform::report::{CleanupState, Provenance, Report};
use hwconform::runner::{CaseRun, Outcome, Session, SessionOptions, ignore};
use hwconform::server::{DEFAULT_TOKEN, ServerConfig, Variant, spawn};

/// What a run against one variant came to.
struct Tally {
    counts: BTreeMap<&'static str, usize>,
    failed: Vec<String>,
    errors: Vec<String>,
    skipped: Vec<String>,
    elapsed: Duration,
    /// The report of the session's close (its resources: where each came from, what became of it).
    report: Report,
}

/// Runs every case against a foreign server with `variants`, as `hwconform run --target URL
/// --project-id P --graph-id G --instance-id I --export-path X` would (nothing else supplied).
async fn run_foreign(catalogue: &Arc<Catalogue>, cases: &[Arc<Case>], variants: Vec<Variant>) -> Tally {
    let config = ServerConfig { variants, catalogue: Some(Arc::clone(catalogue)), ..ServerConfig::foreign() };
    run_against(catalogue, cases, config, None).await
}

/// Runs every case against the foreign server `config` describes; with `journal`, what the run creates
/// is journalled there and cleaned up at the close. The backup the cases use is the target's own: found
/// on it, or (where it holds none and the run keeps a journal) created by the run.
async fn run_against(
    catalogue: &Arc<Catalogue>,
    cases: &[Arc<Case>],
    config: ServerConfig,
    journal: Option<std::path::PathBuf>,
) -> Tally {
    let server = spawn(config).await.unwrap();
    let seed = server.seed().clone();
    let mut file = ProfileFile::reference().unwrap();
    "foreign".clone_into(&mut file.name);
    file.reference_server = false;
    file.fault_injection = false;
    file.isolate_projects = false;
    file.project_id = "foreignproject0001".into();
    file.graph_id = Some(seed.graphs[0].id.clone());
    file.instance_id = Some(seed.instances[0].id.clone());
    file.backup_id = None;
    file.export_path = Some("obs://foreign-bucket/exports".into());
    file.token = Some(DEFAULT_TOKEN.into());
    for service in ["GES", "GeminiDB"] {
        file.endpoints.insert(service.into(), server.base_url());
    }
    let reference = ProfileFile::reference().unwrap();
    for id in [&reference.graph_id, &reference.instance_id, &reference.backup_id] {
        let id = id.as_deref().unwrap();
        assert!(!serde_json::to_string(&seed).unwrap().contains(id), "the foreign seed still holds {id}");
    }
    let profile = file.resolve(&|_| None).unwrap();
    let cleanup = hwconform::cleanup::CleanupOptions { journal, ..Default::default() };
    let options = SessionOptions { retries: 4, no_proxy: true, cleanup, ..SessionOptions::default() };
    let started = Instant::now();
    let mut session = Session::open(Arc::clone(catalogue), profile, options).await.unwrap();
    session.acquire(cases).await;
    let backup = session.profile().file.backup_id.clone();
    if seed.backups.is_empty() {
        assert!(backup.is_some(), "the run created a backup for its cases");
    } else {
        let found = session.resources().into_iter().find(|r| r.kind == "backup");
        assert!(found.as_ref().is_some_and(|r| matches!(r.provenance, Provenance::Discovered { .. })), "{found:?}");
        let found = found.map(|r| r.id).unwrap();
        assert!(seed.backups.iter().any(|b| b["id"] == found.as_str()), "{found} is not one of the target's own");
    }
    let runs: Vec<CaseRun> = session.run(cases, &ignore).await;
    let elapsed = started.elapsed();
    let report = session.close(Vec::new()).await;
    if seed.backups.is_empty() && report.summary.leftovers == 0 {
        // What the run created for its cases (and everything else) is gone again.
        let (count, ids) = super::cleanup::ges_list(&server.base_url(), "foreignproject0001").await;
        assert_eq!((count, ids.len()), (0, 0), "the target holds no backup again: {ids:?}");
        assert!(server.instance_backups("foreignproject0001").is_empty());
    }
    server.shutdown().await;
    let mut tally = Tally { counts: BTreeMap::new(), failed: vec![], errors: vec![], skipped: vec![], elapsed, report };
    for (case, run) in cases.iter().zip(runs) {
        let name = match &run.outcome {
            Outcome::Passed => "passed",
            Outcome::Failed => {
                let why: Vec<String> =
                    run.findings.iter().filter(|f| f.is_failure()).map(ToString::to_string).collect();
                tally.failed.push(format!("{}: {}", case.id, why.join("; ")));
                "failed"
            }
            Outcome::Error(e) => {
                tally.errors.push(format!("{}: {e}", case.id));
                "could not test"
            }
            Outcome::Skipped(r) => {
                tally.skipped.push(format!("{}: {r}", case.id));
                "skipped"
            }
        };
        *tally.counts.entry(name).or_default() += 1;
    }
    tally
}

fn show(name: &str, t: &Tally) {
    let counts: Vec<String> = t.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    eprintln!("variant {name:<28} {} in {:.1} s", counts.join(", "), t.elapsed.as_secs_f64());
    for line in t.failed.iter().chain(&t.errors).chain(&t.skipped) {
        eprintln!("    {line}");
    }
}

fn cases(catalogue: &Catalogue) -> Vec<Arc<Case>> {
    generate(catalogue).into_iter().map(Arc::new).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_case_fails_on_a_correct_foreign_server_with_any_single_variant() {
    let catalogue = Arc::new(Catalogue::builtin().unwrap());
    let cases = cases(&catalogue);
    let mut problems = Vec::new();
    for variants in std::iter::once(Vec::new()).chain(Variant::all().into_iter().map(|v| vec![v])) {
        let name = variants.first().map_or_else(|| "(none)".to_owned(), ToString::to_string);
        let tally = run_foreign(&catalogue, &cases, variants).await;
        show(&name, &tally);
        problems.extend(tally.failed.iter().map(|f| format!("{name}: {f}")));
    }
    assert!(problems.is_empty(), "a correct server was failed:\n{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_case_fails_on_a_correct_foreign_server_like_the_real_cloud() {
    let catalogue = Arc::new(Catalogue::builtin().unwrap());
    let cases = cases(&catalogue);
    let tally = run_foreign(&catalogue, &cases, vec![Variant::RealCloud]).await;
    show("real-cloud", &tally);
    assert!(tally.failed.is_empty(), "a correct server was failed:\n{}", tally.failed.join("\n"));
}

/// A target holding no backup at all (fast, and with backups that take 2 s): the run creates one for
/// the cases that need it (a set-up case of its own, journalled), waits until it is ready, fails no
/// case and skips none for want of a backup, and deletes it at the close with everything else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_holding_no_backup_gets_one_created_used_and_removed() {
    let catalogue = Arc::new(Catalogue::builtin().unwrap());
    let cases = cases(&catalogue);
    for slow in [None, Some(Duration::from_secs(2))] {
        let mut config = ServerConfig {
            variants: slow.map(Variant::SlowBackups).into_iter().collect(),
            catalogue: Some(Arc::clone(&catalogue)),
            ..ServerConfig::foreign()
        };
        config.seed.backups.clear();
        let dir = std::env::temp_dir().join(format!("hwconform-nobackup-{}-{}", std::process::id(), slow.is_some()));
        let tally = run_against(&catalogue, &cases, config, Some(dir.join("created.jsonl"))).await;
        show(&format!("no backup, slow {slow:?}"), &tally);
        assert!(tally.failed.is_empty(), "a correct server was failed:\n{}", tally.failed.join("\n"));
        let wanting: Vec<&String> = tally.skipped.iter().filter(|s| s.contains("backup_id")).collect();
        assert!(wanting.is_empty(), "cases skipped for want of a backup: {wanting:#?}");
        let setup: Vec<_> = tally
            .report
            .resources
            .iter()
            .filter(|r| matches!(&r.provenance, Provenance::Created { case } if case.starts_with("set-up/backup/")))
            .collect();
        assert_eq!(setup.len(), 1, "one backup created for the cases: {:#?}", tally.report.resources);
        assert!(matches!(setup[0].cleanup, Some(CleanupState::Deleted { .. })), "{:?}", setup[0].cleanup);
        assert_eq!(tally.report.summary.leftovers, 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
