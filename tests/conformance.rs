//! The conformance suite as `cargo test` trials: one libtest-mimic trial per generated case, named
//! by the case id (`ges.v2.add_backup::auth::missing_token`).
//!
//! Listing is cheap and I/O-free (cases come from the embedded catalogue). The target is the
//! profile named by `HWCONFORM_TARGET`, or the reference server started in-process (fault
//! injection on) on the first trial that needs it, and stopped when the run ends. Under nextest
//! (one process per test) each process starts its own. Each trial fails on a contract failure.
//!
//! Snapshots serve drift, never the verdict. For the reference profile (the project's own
//! regression guard, `snapshots/`) a difference fails the trial through insta, so
//! `cargo insta review` accepts it. For any other target the snapshots live under
//! `HWCONFORM_SNAPSHOTS`, the profile's `snapshots` key, or `snapshots/` (suffix = profile name):
//! the first run records them (with `CI=true` a missing one is only reported as not recorded),
//! later runs report drift on stderr and fail on it only with `HWCONFORM_FAIL_ON_DRIFT=1`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::Duration;

use hwconform::catalogue::Catalogue;
use hwconform::execute::{ClientOptions, RunLimits, Target, client};
use hwconform::generate::{Case, generate};
use hwconform::normalise::normalise;
use hwconform::normalise::{compare_snapshot, record_snapshot};
use hwconform::profile::{ProfileFile, TargetProfile};
use hwconform::report::CaseOutcome;
use hwconform::runner::{acquire_resources, run_case, shares_state, skip_reason, start_reference};
use hwconform::server::RunningServer;
use libtest_mimic::{Arguments, Completion, Failed, Trial};

#[expect(clippy::expect_used, reason = "the harness cannot run without a runtime")]
static RT: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime")
});

struct Env {
    profile: TargetProfile,
    client: reqwest::Client,
}

static ENV: OnceLock<Result<Env, String>> = OnceLock::new();
/// The reference server, if this process started one; `main` stops it after the last trial.
/// The catalogue `main` compiled to list the trials; the lazy set-up reuses it.
static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
static SERVER: Mutex<Option<RunningServer>> = Mutex::new(None);
/// On a target with one fixed project, cases that change or page through its lists take turns
/// (under nextest, run them with `--test-threads 1` or a serial test group).
static SHARED_PROJECT: Mutex<()> = Mutex::new(());

async fn setup() -> Result<Env, String> {
    let file = match std::env::var_os("HWCONFORM_TARGET") {
        Some(path) => ProfileFile::read(Path::new(&path)),
        None => ProfileFile::reference(),
    }
    .map_err(|e| format!("failed to load the target profile: {e}"))?;
    let mut profile =
        file.resolve(&|v| std::env::var(v).ok()).map_err(|e| format!("failed to load the target profile: {e}"))?;
    if profile.file.reference_server {
        let catalogue = CATALOGUE.get().ok_or("the catalogue was not loaded")?;
        let server = start_reference(&mut profile, catalogue).await.map_err(|e| format!("failed to {e}"))?;
        if let Ok(mut slot) = SERVER.lock() {
            *slot = Some(server);
        }
    }
    let options = ClientOptions {
        timeout: Duration::from_secs(profile.file.timeout_secs.unwrap_or(30)),
        no_proxy: profile.file.reference_server,
        ..ClientOptions::default()
    };
    let client = client(options).map_err(|e| format!("failed to {e}"))?;
    // The target's own resources (a finished backup), from the profile or found on the target.
    let catalogue = CATALOGUE.get().ok_or("the catalogue was not loaded")?;
    let cases: Vec<Arc<Case>> = generate(catalogue).into_iter().map(Arc::new).collect();
    acquire_resources(catalogue, &cases, &mut profile, &client, &LIMITS).await;
    for r in &profile.resources {
        let id = r.id.as_deref().unwrap_or("-");
        eprintln!("hwconform: {} {id} ({}{}{})", r.role, r.origin, if r.note.is_empty() { "" } else { ": " }, r.note);
    }
    Ok(Env { profile, client })
}

fn env() -> Result<&'static Env, Failed> {
    ENV.get_or_init(|| RT.block_on(setup())).as_ref().map_err(|e| Failed::from(e.clone()))
}

fn run_trial(case: &Case) -> Result<Completion, Failed> {
    let env = env()?;
    if let Some(reason) = skip_reason(case, &env.profile) {
        return Ok(Completion::ignored_with(reason));
    }
    let target = Target { profile: &env.profile, client: &env.client, limits: &LIMITS };
    let _turn = (!env.profile.file.isolate_projects && shares_state(case))
        .then(|| SHARED_PROJECT.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    let run = RT.block_on(run_case(case, &target));
    match run.outcome {
        CaseOutcome::Failed => {
            let lines: Vec<String> = run.findings.iter().filter(|f| f.is_failure()).map(ToString::to_string).collect();
            return Err(format!("{} ({})\n  {}", case.id, case.rationale, lines.join("\n  ")).into());
        }
        // Another target may throttle or take long: what could not be tested is not the target's fault.
        CaseOutcome::Error if env.profile.name() != REFERENCE => {
            return Ok(Completion::ignored_with(format!("could not test: {}", run.error.unwrap_or_default())));
        }
        CaseOutcome::Error => {
            return Err(format!("{}: could not test: {}", case.id, run.error.unwrap_or_default()).into());
        }
        CaseOutcome::Passed | CaseOutcome::Skipped => {}
    }
    let value = normalise(case, &run.exchange);
    let dir = snapshot_dir(&env.profile);
    if env.profile.name() != REFERENCE && !fail_on_drift() {
        // Another target: snapshots record what it answered, and report drift; the verdict is above.
        let path = dir.join(case.id.snapshot_file(env.profile.name()));
        if !path.exists() {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                eprintln!("hwconform: snapshot not recorded (CI=true): {}", path.display());
            } else {
                record_snapshot(&path, &case.rationale, &value)
                    .map_err(|e| format!("failed to record {}: {e}", path.display()))?;
                eprintln!("hwconform: snapshot recorded: {}", path.display());
            }
        } else if let Some(drift) = compare_snapshot(&path, &value) {
            eprintln!(
                "hwconform: drift from {} (HWCONFORM_FAIL_ON_DRIFT=1 fails on it):\n{}",
                drift.snapshot, drift.diff
            );
        }
        return Ok(Completion::Completed);
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_snapshot_suffix(env.profile.name());
    settings.set_info(&case.sources);
    settings.set_description(case.rationale.clone());
    settings.set_sort_maps(true);
    settings.bind(|| insta::assert_json_snapshot!(case.id.snapshot_name(), value));
    Ok(Completion::Completed)
}

/// Retries of throttled requests (`HWCONFORM_RETRIES`, default 2, as `hwconform run --retries`).
static LIMITS: LazyLock<RunLimits> = LazyLock::new(|| {
    let retries = std::env::var("HWCONFORM_RETRIES").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    RunLimits::new(None, retries, None)
});

/// The profile whose snapshots are the project's regression guard.
const REFERENCE: &str = "reference";

fn fail_on_drift() -> bool {
    std::env::var("HWCONFORM_FAIL_ON_DRIFT").is_ok_and(|v| v == "1" || v == "true")
}

/// Where the target's snapshots live: `HWCONFORM_SNAPSHOTS`, the profile's `snapshots`, or `snapshots/`.
fn snapshot_dir(profile: &TargetProfile) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("HWCONFORM_SNAPSHOTS")
        .map(std::path::PathBuf::from)
        .or_else(|| profile.file.snapshots.as_ref().map(std::path::PathBuf::from))
        .map_or_else(|| root.join("snapshots"), |d| if d.is_absolute() { d } else { root.join(d) })
}

fn main() -> ExitCode {
    let mut args = Arguments::from_args();
    // Cases wait on the network, not the CPU.
    args.test_threads.get_or_insert(8);
    let catalogue = match Catalogue::builtin() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: failed to load the catalogue: {e}");
            return ExitCode::from(2);
        }
    };
    let cases = generate(&catalogue);
    let _ = CATALOGUE.set(catalogue);
    if cases.is_empty() {
        eprintln!("error: the catalogue yields no case");
        return ExitCode::from(2);
    }
    let trials: Vec<Trial> = cases
        .into_iter()
        .map(Arc::new)
        .map(|case| {
            let name = case.id.trial_name();
            let kind = case.kind.as_str();
            Trial::ignorable_test(name, move || run_trial(&case)).with_kind(kind)
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    let server = SERVER.lock().ok().and_then(|mut s| s.take());
    if let Some(server) = server {
        RT.block_on(server.shutdown());
    }
    conclusion.exit_code()
}
