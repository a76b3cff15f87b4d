//! The conformance suite as `cargo test` trials: one libtest-mimic trial per generated case, named
//! by the case id (`ges.v2.add_backup::auth::missing_token`).
//!
//! Listing is cheap and I/O-free (cases come from the embedded catalogue). The target is the
//! profile named by `HWCONFORM_TARGET`, or the reference server started in-process (fault
//! injection on): the first trial that needs it opens the process's [`Session`], `main` closes it
//! when the run ends. Under nextest (one process per test) each process opens and closes its own.
//! Cases that share a fixed project's state take turns inside a process (under nextest, run them
//! with `--test-threads 1` or a serial test group). Each trial fails on a contract failure,
//! and on drift from its committed snapshot (`snapshots/`, suffix = profile name).

use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use hwconform::catalogue::Catalogue;
use hwconform::generate::{Case, generate};
use hwconform::normalise::normalise;
use hwconform::runner::{Exit, Outcome, Session, SessionOptions, ignore, load_profile};
use libtest_mimic::{Arguments, Completion, Failed, Trial};

#[expect(clippy::expect_used, reason = "the harness cannot run without a runtime")]
static RT: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime")
});

/// The catalogue `main` compiled to list the trials; the session reuses it.
static CATALOGUE: Mutex<Option<Arc<Catalogue>>> = Mutex::new(None);
/// This process's run, opened by the first trial that needs it (under nextest each process opens
/// its own) and closed by `main` after the last trial.
static SESSION: Mutex<Option<Result<Arc<Session>, String>>> = Mutex::new(None);

fn session() -> Result<Arc<Session>, Failed> {
    let mut slot = SESSION.lock().unwrap_or_else(PoisonError::into_inner);
    let opened = slot.get_or_insert_with(|| {
        let catalogue = CATALOGUE.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let catalogue = catalogue.ok_or("the catalogue was not loaded")?;
        let profile = std::env::var_os("HWCONFORM_TARGET").map(std::path::PathBuf::from);
        RT.block_on(async {
            let profile = load_profile(profile.as_deref())?;
            Session::open(catalogue, profile, SessionOptions::default()).await
        })
        .map(Arc::new)
        .map_err(|e| format!("failed to {}", hwconform::execute::chain(&e)))
    });
    opened.clone().map_err(Failed::from)
}

fn run_trial(case: &Case) -> Result<Completion, Failed> {
    let session = session()?;
    let run = RT.block_on(session.run_case(case, &ignore));
    match &run.outcome {
        Outcome::Skipped(reason) => return Ok(Completion::ignored_with(reason.to_string())),
        Outcome::Failed => {
            let lines: Vec<String> = run.findings.iter().filter(|f| f.is_failure()).map(ToString::to_string).collect();
            return Err(format!("{} ({})\n  {}", case.id, case.rationale, lines.join("\n  ")).into());
        }
        Outcome::Error(e) => return Err(format!("{}: could not test: {e}", case.id).into()),
        Outcome::Passed => {}
    }
    let value = normalise(case, &run.exchange);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_snapshot_suffix(session.profile().name());
    settings.set_info(&case.sources);
    settings.set_description(case.rationale.clone());
    settings.set_sort_maps(true);
    settings.bind(|| insta::assert_json_snapshot!(case.id.snapshot_name(), value));
    Ok(Completion::Completed)
}

fn main() -> ExitCode {
    let mut args = Arguments::from_args();
    // Cases wait on the network, not the CPU.
    args.test_threads.get_or_insert(8);
    let catalogue = match Catalogue::builtin() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: failed to load the catalogue: {e}");
            return Exit::Unusable.into();
        }
    };
    let cases = generate(&catalogue);
    *CATALOGUE.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(catalogue));
    if cases.is_empty() {
        eprintln!("error: the catalogue yields no case");
        return Exit::Unusable.into();
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
    // Every trial is done: this process's run is closed (cleanup, server shutdown).
    let opened = SESSION.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(Ok(session)) = opened
        && let Ok(session) = Arc::try_unwrap(session)
    {
        drop(RT.block_on(session.close(Vec::new())));
    }
    conclusion.exit_code()
}
