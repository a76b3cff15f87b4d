//! A run leaves a foreign target as it found it: against the reference server used as a target that
//! is not ours (one fixed project, no fault injection), a full run plus its cleanup leaves the GES list
//! (ids and backupCount) and the GeminiDB backups exactly as before — with fast and with slow backups —
//! and a backup that was there before (not created by the run) survives.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hwconform::catalogue::Catalogue;
use hwconform::cleanup::{CleanupOptions, CleanupState};
use hwconform::generate::{Case, generate};
use hwconform::profile::{ProfileFile, TargetProfile};
use hwconform::report::{Provenance, Report};
use hwconform::runner::{Session, SessionOptions, case_result, ignore};
use hwconform::server::{DEFAULT_TOKEN, RunningServer, ServerConfig, Variant, spawn};

/// A profile for `server` as a foreign target: one fixed project, no faults, the server's own (fresh)
/// seed ids, the public local token.
pub(crate) fn foreign_profile(server: &RunningServer) -> TargetProfile {
    let base = server.base_url();
    let seed = server.seed();
    let mut file = ProfileFile::reference().unwrap();
    file.name = "foreign".into();
    file.reference_server = false;
    file.isolate_projects = false;
    file.fault_injection = false;
    file.token = Some(DEFAULT_TOKEN.into());
    file.graph_id = Some(seed.graphs[0].id.clone());
    file.instance_id = Some(seed.instances[0].id.clone());
    file.backup_id = seed.backups[0][&seed.lifecycle.id].as_str().map(str::to_owned);
    for service in ["GES", "GeminiDB"] {
        file.endpoints.insert(service.into(), base.clone());
    }
    file.resolve(&|_| None).unwrap()
}

/// The reference server in its foreign-target mode; `slow`: backups stay `backing_up` that long.
pub(crate) async fn server(slow: Option<Duration>) -> RunningServer {
    let mut config = ServerConfig::foreign();
    config.backup_delay = Duration::ZERO;
    config.variants = slow.map(Variant::SlowBackups).into_iter().collect();
    spawn(config).await.unwrap()
}

/// The GES list of the profile's project: (backupCount, ids in order).
pub(crate) async fn ges_list(base: &str, project: &str) -> (u64, Vec<String>) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut ids = Vec::new();
    let mut total;
    let mut offset = 0;
    loop {
        let url = format!("{base}/v1.0/{project}/graphs/backups?offset={offset}&limit=100");
        let body: serde_json::Value =
            http.get(url).header("X-Auth-Token", DEFAULT_TOKEN).send().await.unwrap().json().await.unwrap();
        total = body["backupCount"].as_u64().unwrap();
        let page = body["backupList"].as_array().unwrap();
        ids.extend(page.iter().map(|b| b["id"].as_str().unwrap().to_owned()));
        offset += page.len();
        if page.is_empty() || offset as u64 >= total {
            break;
        }
    }
    (total, ids)
}

/// Creates a backup outside the run (a backup the user already had).
pub(crate) async fn pre_existing_backup(base: &str, profile: &TargetProfile) -> String {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!(
        "{base}/v2/{}/graphs/{}/backups",
        profile.file.project_id,
        profile.file.graph_id.as_deref().unwrap_or_default()
    );
    let body: serde_json::Value =
        http.post(url).header("X-Auth-Token", DEFAULT_TOKEN).send().await.unwrap().json().await.unwrap();
    body["backup_id"].as_str().unwrap().to_owned()
}

/// Runs `cases` through a session whose journal is `journal` (capped at `max_created`), closes it
/// (which cleans up), and returns the report with the journal's count of creations before close.
async fn session_run(
    profile: TargetProfile,
    cases: Vec<Case>,
    journal: &std::path::Path,
    max_created: Option<usize>,
) -> (Report, usize, Duration) {
    let catalogue = Arc::new(Catalogue::builtin().unwrap());
    let cleanup = CleanupOptions { journal: Some(journal.to_owned()), max_created, ..CleanupOptions::default() };
    let options = SessionOptions { no_proxy: true, cleanup, ..SessionOptions::default() };
    let session = Session::open(catalogue, profile, options).await.unwrap();
    let cases: Vec<Arc<Case>> = cases.into_iter().map(Arc::new).collect();
    let runs = session.run(&cases, &ignore).await;
    let results = cases.iter().zip(&runs).map(|(c, r)| case_result(c, r)).collect();
    let created = hwconform::cleanup::read(journal).map_or(0, |c| c.created.len());
    let started = Instant::now();
    let report = session.close(results).await;
    (report, created, started.elapsed())
}

fn created_states(report: &Report) -> Vec<&CleanupState> {
    report
        .resources
        .iter()
        .filter(|r| matches!(r.provenance, Provenance::Created { .. }))
        .filter_map(|r| r.cleanup.as_ref())
        .collect()
}

async fn full_run_then_cleanup(slow: Option<Duration>) -> Duration {
    let server = server(slow).await;
    let base = server.base_url();
    let profile = foreign_profile(&server);
    let project = profile.file.project_id.clone();
    let mine = pre_existing_backup(&base, &profile).await;
    let before = ges_list(&base, &project).await;
    assert!(before.1.contains(&mine));
    let gemini_before: Vec<String> = server.instance_backups(&project).into_iter().map(|b| b.id).collect();

    let dir = std::env::temp_dir().join(format!("hwconform-cleanup-{}-{}", std::process::id(), slow.is_some()));
    let cases = generate(&Catalogue::builtin().unwrap());
    let (report, created, took) = session_run(profile, cases, &dir.join("created.jsonl"), None).await;
    assert!(created >= 20, "the run creates backups: {created}");
    let delete_cases: Vec<String> = report
        .cases
        .iter()
        .filter(|c| c.operation.contains("delete") && c.outcome != hwconform::report::CaseOutcome::Passed)
        .map(|c| format!("{} {:?} {:?}", c.id, c.outcome, c.error))
        .collect();
    assert!(delete_cases.is_empty(), "the companion operations' cases pass on a foreign target: {delete_cases:#?}");

    let states = created_states(&report);
    assert_eq!(states.len(), created, "every created resource is in the report");
    let left: Vec<&&CleanupState> = states.iter().filter(|s| s.is_left()).collect();
    assert!(left.is_empty(), "left behind: {left:#?}");
    assert_eq!(report.summary.leftovers, 0);
    let count = |f: fn(&CleanupState) -> bool| states.iter().filter(|s| f(s)).count();
    assert!(count(|s| matches!(s, CleanupState::Deleted { .. })) > 0);
    assert!(count(|s| matches!(s, CleanupState::Accepted { .. })) > 0, "GeminiDB deletions are accepted");
    assert!(count(|s| matches!(s, CleanupState::NotRemovable { .. })) > 0, "exports are not removable");
    let md = hwconform::report::render_markdown(&report);
    assert!(md.contains("## Created and cleaned up"), "{md}");

    let after = ges_list(&base, &project).await;
    assert_eq!(after, before, "the GES list (backupCount, ids) is what it was before the run");
    let gemini_after: Vec<String> = server.instance_backups(&project).into_iter().map(|b| b.id).collect();
    assert_eq!(gemini_after, gemini_before, "the GeminiDB backups are what they were before the run");
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    took
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_and_its_cleanup_leave_a_foreign_target_as_found() {
    full_run_then_cleanup(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_slow_backups_cleanup_waits_then_leaves_the_target_as_found() {
    let took = full_run_then_cleanup(Some(Duration::from_secs(3))).await;
    eprintln!("cleanup against 3 s backups took {} ms", took.as_millis());
}

/// A profile file for the foreign target at `base` (the token is the reference server's public one).
fn profile_file(dir: &std::path::Path, server: &RunningServer) -> std::path::PathBuf {
    let base = server.base_url();
    let p = foreign_profile(server).file;
    let text = format!(
        "name = \"foreign\"\nproject_id = \"{}\"\ngraph_id = \"{}\"\ninstance_id = \"{}\"\nbackup_id = \"{}\"\n\
         export_path = \"obs://foreign/exports\"\ntoken = \"{DEFAULT_TOKEN}\"\nisolate_projects = false\nfault_injection = false\nallow_mutating = true\n\
         [endpoints]\nGES = \"{base}\"\nGeminiDB = \"{base}\"\n",
        p.project_id,
        p.graph_id.unwrap_or_default(),
        p.instance_id.unwrap_or_default(),
        p.backup_id.unwrap_or_default()
    );
    let path = dir.join("foreign.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn hwconform() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_hwconform"));
    c.env_remove("HWCONFORM_TARGET").env_remove("RUST_LOG");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_mid_way_is_finished_by_hwconform_cleanup() {
    let server = server(Some(Duration::from_secs(2))).await;
    let base = server.base_url();
    let dir = std::env::temp_dir().join(format!("hwconform-cleanup-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let profile_path = profile_file(&dir, &server);
    let profile = foreign_profile(&server);
    let project = profile.file.project_id.clone();
    let mine = pre_existing_backup(&base, &profile).await;
    let before = ges_list(&base, &project).await;
    let journal = dir.join("report").join("created.jsonl");
    let mut child = hwconform()
        .args(["run", "--concurrency", "4", "--profile"])
        .arg(&profile_path)
        .arg("--report-dir")
        .arg(dir.join("report"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it (SIGKILL: no cleanup of its own) once it has created a few backups.
    // GES backups (those the list shows), not only GeminiDB ones.
    let created =
        |text: &str| text.lines().filter(|l| l.contains("\"event\":\"created\"") && l.contains("\"list\":\"")).count();
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(&journal).unwrap_or_default();
        if created(&text) >= 3 {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it was killed");
        assert!(started.elapsed() < Duration::from_secs(300), "the run created nothing in 5 minutes");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let middle = ges_list(&base, &project).await;
    assert_ne!(middle, before, "the killed run left backups behind");

    let out = tokio::task::spawn_blocking({
        let (journal, profile_path) = (journal.clone(), profile_path.clone());
        move || hwconform().arg("cleanup").arg(&journal).arg("--profile").arg(&profile_path).output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let after = ges_list(&base, &project).await;
    // GES creates the kill left unanswered are settled through the list: the list is as before.
    assert_eq!(after, before, "after cleanup the GES list is what it was before the run\n{stdout}");
    assert!(after.1.contains(&mine), "the backup the run did not create survives");
    // A GeminiDB create the kill left unanswered cannot be told apart (no list): a possible leftover,
    // reported as such (exit 3), never guessed; every answered one is gone.
    let possible = stdout.lines().filter(|l| l.starts_with("LEFT") && l.contains("no list shows")).count();
    let gemini_left = server.instance_backups(&project).len();
    assert!(gemini_left <= possible, "{gemini_left} GeminiDB backups left, {possible} reported\n{stdout}");
    if possible == 0 {
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("0 left behind"), "{stdout}");
    } else {
        assert_eq!(out.status.code(), Some(3), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    }
    // A second cleanup has nothing left to do but what it cannot know.
    let again = hwconform().arg("cleanup").arg(&journal).arg("--profile").arg(&profile_path).output().unwrap();
    assert_eq!(again.status.code(), Some(if possible == 0 { 0 } else { 3 }));
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_run_creates_and_deletes_nothing() {
    let server = server(None).await;
    let base = server.base_url();
    let mut profile = foreign_profile(&server);
    profile.file.read_only = true;
    let project = profile.file.project_id.clone();
    let before = ges_list(&base, &project).await;
    let dir = std::env::temp_dir().join(format!("hwconform-cleanup-ro-{}", std::process::id()));
    let path = dir.join("created.jsonl");
    let (report, created, _) = session_run(profile, generate(&Catalogue::builtin().unwrap()), &path, None).await;
    assert_eq!(created, 0);
    assert!(created_states(&report).is_empty());
    assert!(!path.exists(), "a run that creates nothing writes no journal");
    assert_eq!(server.stats().total_creates(), 0);
    assert_eq!(ges_list(&base, &project).await, before);
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_created_caps_what_a_run_creates_and_cleanup_removes_it() {
    let server = server(None).await;
    let base = server.base_url();
    let profile = foreign_profile(&server);
    let project = profile.file.project_id.clone();
    let before = ges_list(&base, &project).await;
    let dir = std::env::temp_dir().join(format!("hwconform-cleanup-cap-{}", std::process::id()));
    let cases: Vec<Case> =
        generate(&Catalogue::builtin().unwrap()).into_iter().filter(|c| c.operation.starts_with("ges.")).collect();
    let (report, created, _) = session_run(profile, cases, &dir.join("created.jsonl"), Some(3)).await;
    assert_eq!(created, 3, "the cap holds");
    assert!(server.stats().total_creates() <= 3, "and the target saw no more creates");
    let cut = report.cases.iter().filter(|c| c.error.as_deref().is_some_and(|e| e.contains("--max-created 3")));
    assert!(cut.count() > 0, "cut cases say why");
    assert!(created_states(&report).iter().all(|s| !s.is_left()), "{:#?}", report.resources);
    assert_eq!(ges_list(&base, &project).await, before);
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// One journal line as a run writes it before a creating request (`before`: the parent's ids then).
fn sending_line(
    send: u64,
    creator: &str,
    project: &str,
    parent: (&str, &str),
    list: Option<&str>,
    before: Option<&[String]>,
) -> String {
    let deleter = creator.replace("add_backup", "delete_backup").replace("create_backup", "delete_backup");
    let mut line = serde_json::json!({
        "event": "sending", "seq": 0, "kind": "backup", "id": null, "creator": creator,
        "case": "killed/mid/request", "project": project,
        "bindings": {"project": project, parent.0: parent.1},
        "deleter": deleter, "list": list, "at": "2026-01-01T00:00:00Z", "send": send,
    });
    if let Some(ids) = before {
        line["before"] = serde_json::json!(ids);
    }
    line.to_string()
}

/// A foreign server and the journal a killed run left there: its first line, then the lines
/// `sendings(project, graph, instance, GES ids before)` gives; with the GES list as it was before.
struct Killed {
    server: RunningServer,
    dir: std::path::PathBuf,
    profile_path: std::path::PathBuf,
    profile: TargetProfile,
    before: (u64, Vec<String>),
    journal: std::path::PathBuf,
}

async fn killed_run(name: &str, sendings: impl Fn(&str, &str, &str, &[String]) -> Vec<String>) -> Killed {
    let server = server(None).await;
    let dir = std::env::temp_dir().join(format!("hwconform-cleanup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let profile_path = profile_file(&dir, &server);
    let profile = foreign_profile(&server);
    let (project, graph) = (profile.file.project_id.clone(), profile.file.graph_id.clone().unwrap());
    let instance = profile.file.instance_id.clone().unwrap();
    let before = ges_list(&server.base_url(), &project).await;
    let journal = dir.join("created.jsonl");
    let mut lines = vec![r#"{"event":"opened","at":"2026-01-01T00:00:00Z","profile":"foreign"}"#.to_owned()];
    lines.extend(sendings(&project, &graph, &instance, &before.1));
    std::fs::write(&journal, lines.join("\n") + "\n").unwrap();
    Killed { server, dir, profile_path, profile, before, journal }
}

/// `hwconform cleanup JOURNAL --profile P`: (exit code, stdout).
fn cleanup_cli(k: &Killed) -> (Option<i32>, String) {
    let out = hwconform().arg("cleanup").arg(&k.journal).arg("--profile").arg(&k.profile_path).output().unwrap();
    (out.status.code(), format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

const GES_LIST: Option<&str> = Some("ges.v1.list_backups");

/// A run killed after sending creates but before any answer: `hwconform cleanup` asks the list. Of two
/// GES creates on one graph the target processed one: its backup is found and deleted, the other is
/// settled as never processed; a GeminiDB create (no list to ask) is a possible leftover, exit 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_creates_are_settled_through_the_list_or_reported_never_guessed() {
    let k = killed_run("unanswered", |project, graph, instance, before| {
        vec![
            sending_line(1, "ges.v2.add_backup", project, ("graph", graph), GES_LIST, Some(before)),
            sending_line(2, "ges.v2.add_backup", project, ("graph", graph), GES_LIST, Some(before)),
            sending_line(3, "geminidb.v3.create_backup", project, ("instance", instance), None, None),
        ]
    })
    .await;
    let (base, project) = (k.server.base_url(), k.profile.file.project_id.clone());
    // The target processed one of the two GES creates before the run died.
    let processed = pre_existing_backup(&base, &k.profile).await;
    let (code, stdout) = cleanup_cli(&k);
    assert_eq!(code, Some(3), "{stdout}");
    let after = ges_list(&base, &project).await;
    assert_eq!(after, k.before, "the processed create's backup was found and deleted\n{stdout}");
    assert!(!after.1.contains(&processed));
    let left: Vec<&str> = stdout.lines().filter(|l| l.starts_with("LEFT")).collect();
    assert_eq!(left.len(), 1, "only the GeminiDB create is a possible leftover: {stdout}");
    assert!(left[0].contains("no list shows"), "{stdout}");
    let text = std::fs::read_to_string(&k.journal).unwrap();
    assert!(text.contains("never processed"), "the other GES create is settled as never processed: {text}");
    // Once settled, a second cleanup asks nothing again of the GES list and still reports the unknown.
    assert_eq!(cleanup_cli(&k).0, Some(3));
    k.server.shutdown().await;
    let _ = std::fs::remove_dir_all(&k.dir);
}

/// The same journal with no create processed: both GES requests are settled as never processed and
/// nothing is deleted (the backups the user had survive); with no GeminiDB line the cleanup is clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_creates_the_target_never_processed_delete_nothing() {
    let k = killed_run("unprocessed", |project, graph, _, before| {
        vec![
            sending_line(1, "ges.v2.add_backup", project, ("graph", graph), GES_LIST, Some(before)),
            sending_line(2, "ges.v1.add_backup", project, ("graph", graph), GES_LIST, Some(before)),
        ]
    })
    .await;
    let (code, stdout) = cleanup_cli(&k);
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(ges_list(&k.server.base_url(), &k.profile.file.project_id).await, k.before, "nothing was deleted");
    let text = std::fs::read_to_string(&k.journal).unwrap();
    assert_eq!(text.matches("never processed").count(), 2, "{text}");
    k.server.shutdown().await;
    let _ = std::fs::remove_dir_all(&k.dir);
}

/// Run events are told as things happen, each naming its case: every resend of a throttled request,
/// the polls of a wait for a slow backup, every creation the journal records; and at close every
/// deletion of the cleanup. They agree with the report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_events_tell_of_retries_waits_creations_and_deletions() {
    use hwconform::runner::RunEvent;
    use std::sync::Mutex;
    let mut config = ServerConfig::foreign();
    config.backup_delay = Duration::ZERO;
    config.variants =
        vec![Variant::SlowBackups(Duration::from_millis(600)), Variant::Throttle { per_mille: 200, seed: 7 }];
    let server = spawn(config).await.unwrap();
    let profile = foreign_profile(&server);
    let dir = std::env::temp_dir().join(format!("hwconform-events-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cleanup = CleanupOptions { journal: Some(dir.join("created.jsonl")), ..CleanupOptions::default() };
    let options = SessionOptions { no_proxy: true, retries: 6, cleanup, ..SessionOptions::default() };
    let session = Session::open(Arc::new(Catalogue::builtin().unwrap()), profile, options).await.unwrap();
    let cases: Vec<Arc<Case>> = generate(session.catalogue())
        .into_iter()
        .filter(|c| c.id.as_str().starts_with("ges.v2.delete_backup/"))
        .map(Arc::new)
        .collect();
    let heard = Mutex::new((0usize, 0usize, Vec::new(), 0usize));
    let on_event = |event: &RunEvent<'_>| {
        let mut h = heard.lock().unwrap();
        match event {
            RunEvent::Retry { case, status, attempt, .. } => {
                assert!(*status == 429 || *status == 503, "{}: {status}", case.id);
                assert!(*attempt >= 1);
                h.0 += 1;
            }
            RunEvent::Wait { what, .. } => {
                assert!(!what.is_empty());
                h.1 += 1;
            }
            RunEvent::ResourceCreated { case, kind, .. } => h.2.push(format!("{}: {kind}", case.id)),
            RunEvent::ResourceDeleted { .. } => h.3 += 1,
            _ => {}
        }
    };
    let runs = session.run(&cases, &on_event).await;
    let results = cases.iter().zip(&runs).map(|(c, r)| case_result(c, r)).collect();
    let report = session.close_with(results, &on_event).await;
    server.shutdown().await;
    let (retries, waits, created, deleted) = heard.into_inner().unwrap();
    // Resends of the cases' own requests are in the report; those of a wait's polls only in events.
    let retried: u32 = report.cases.iter().map(|c| c.retries).sum();
    assert!(retried > 0 && retries >= retried as usize, "{retries} retry events, {retried} retries in the report");
    assert!(waits > 0, "slow backups are waited for, and each poll is told");
    let made = report.resources.iter().filter(|r| matches!(r.provenance, Provenance::Created { .. })).count();
    assert!(!created.is_empty() && created.len() == made, "{created:?} vs {made} created in the report");
    let gone = created_states(&report)
        .iter()
        .filter(|s| matches!(s, CleanupState::Deleted { .. } | CleanupState::Accepted { .. }))
        .count();
    assert!(deleted > 0 && deleted == gone, "{deleted} deletion events, {gone} deletions in the report");
}
