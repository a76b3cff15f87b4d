//! `hwconform run`: the suite against a target (a profile, flags, or the in-process reference
//! server), with a progress bar on a terminal, a summary, `report.json`, and an exit code for CI
//! ([`Exit`]: 0 clean, 1 failed, 2 could not run, 3 leftovers, 4 cut short).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::catalogue::Catalogue;
use crate::cleanup::CleanupOptions;
use crate::generate::{Case, CaseKind, generate};
use crate::normalise::{compare_snapshot, normalise, record_snapshot};
use crate::profile::{ProfileFile, TargetProfile};
use crate::report::{Baseline, CaseOutcome, CaseResult, Format, GateResult, Report, RunEnding, gate};
use crate::runner::{
    CaseRun, Exit, Outcome, RunError, RunEvent, Session, SessionOptions, UsageError, case_result, drift_record,
    ending_of,
};

use super::CliError;
use super::selection::select;
use super::target::TargetArgs;

/// `hwconform run` arguments.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The target: profile, URL, credentials.
    #[command(flatten)]
    pub target_args: TargetArgs,
    /// The target's project id (overrides the profile's `project_id`).
    #[arg(long)]
    pub project_id: Option<String>,
    /// The target's graph, for the GES cases that name one (overrides the profile's `graph_id`).
    #[arg(long)]
    pub graph_id: Option<String>,
    /// The target's GeminiDB instance (overrides the profile's `instance_id`).
    #[arg(long)]
    pub instance_id: Option<String>,
    /// A finished backup of the graph (optional: the run finds one on the target).
    #[arg(long)]
    pub backup_id: Option<String>,
    /// The OBS path exports write to (the export page's example shows only `{obs_path}`).
    #[arg(long, value_name = "PATH")]
    pub export_path: Option<String>,
    /// A value for a request member a page's example leaves as a placeholder (repeatable).
    #[arg(long = "value", value_name = "MEMBER=VALUE", value_parser = member_value)]
    pub values: Vec<(String, String)>,
    /// Only cases whose id contains this text (`*` matches anything).
    #[arg(long)]
    pub only: Option<String>,
    /// Cases run at once (each case's steps stay in order).
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Timeout of each request, in seconds.
    #[arg(long)]
    pub timeout: Option<u64>,
    /// Where to write report.json.
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// Snapshots to compare with (drift); a first run against a target records them here
    /// (default: the profile's `snapshots`, else `snapshots/`; with CI=true nothing is written).
    #[arg(long, value_name = "DIR", env = "HWCONFORM_SNAPSHOTS")]
    pub snapshots: Option<PathBuf>,
    /// Count drift from the recorded snapshots as failure.
    #[arg(long)]
    pub fail_on_drift: bool,
    /// Run only cases that change nothing on the target (the others are skipped, with the reason).
    #[arg(long)]
    pub read_only: bool,
    /// At most N requests a second across the whole run.
    #[arg(long, value_name = "N")]
    pub rps: Option<f64>,
    /// Stop after SECS seconds: cases not finished by then are errors ("run timeout"; exit 4 unless a
    /// case failed).
    #[arg(long, value_name = "SECS")]
    pub run_timeout: Option<u64>,
    /// Times a request is sent again after a throttled answer (429, or 503 with Retry-After: any
    /// method, since the target refused it before processing; a bare 503: only a GET).
    #[arg(long, default_value_t = 2)]
    pub retries: u32,
    /// Longest wait, in seconds, for the target's asynchronous work (a backup leaving `backing_up`)
    /// before what depends on it is reported as could not test (default 900).
    #[arg(long, value_name = "SECS")]
    pub settle_timeout: Option<u64>,
    /// Report formats written to --report-dir, comma-separated: json, junit, markdown, html
    /// (default: all four).
    #[arg(long, value_name = "LIST")]
    pub format: Option<String>,
    /// Known deviations (TOML: case id + reason): exit 0 when the only failures are listed,
    /// 1 on a new failure or a listed case that now passes (stale entry).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Run only the cases that failed or could not be tested in this report.json.
    #[arg(long, value_name = "REPORT.json")]
    pub rerun_failed: Option<PathBuf>,
    /// Leave what the run created on the target (reported as left, with this reason; exit 3).
    #[arg(long)]
    pub keep: bool,
    /// Create at most N resources: creating requests past the cap are not sent (the case says so).
    #[arg(long, value_name = "N")]
    pub max_created: Option<usize>,
    /// Bound of the cleanup at the end of the run (waits for backups still being made included),
    /// in seconds; it runs after --run-timeout, outside it. A second Ctrl-C stops it.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub cleanup_timeout: u64,
    /// The journal of what the run creates, written as it goes (default: created.jsonl in
    /// --report-dir, else in the system's temporary folder); `hwconform cleanup` reads it.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// `--value MEMBER=VALUE`.
fn member_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((member, value)) if !member.is_empty() => Ok((member.to_owned(), value.to_owned())),
        _ => Err(format!("{text:?}: give MEMBER=VALUE")),
    }
}

/// What the progress bar says of a run event, if anything.
fn progress_message(event: &RunEvent<'_>) -> Option<String> {
    Some(match event {
        RunEvent::CaseFinished { case, .. } => case.id.to_string(),
        RunEvent::Retry { case, step, status, attempt, delay, .. } => {
            format!("{} {step}: {status}, resending in {} ms (try {attempt})", case.id, delay.as_millis())
        }
        RunEvent::Wait { case, what, waited, polls, .. } => {
            format!("{}: waiting for {what} ({} s, {polls} reads)", case.id, waited.as_secs())
        }
        RunEvent::ResourceDeleted { resource } => format!("cleanup: {} {} deleted", resource.kind, resource.id),
        _ => return None,
    })
}

/// Closes the session; cleanup can take minutes against a real target (backups still being made),
/// so a spinner says what it does.
async fn close_showing_cleanup(session: Session, results: Vec<crate::report::CaseResult>) -> Report {
    let cleaning = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    cleaning.set_message("cleanup: deleting what the run created");
    let on_close = |event: &RunEvent<'_>| {
        if let Some(message) = progress_message(event) {
            cleaning.set_message(message);
            cleaning.inc(1);
        }
    };
    let report = session.close_with(results, &on_close).await;
    cleaning.finish_and_clear();
    report
}

/// Builds the profile from the file and the flags (flags win).
fn profile(args: &RunArgs, catalogue: &Catalogue) -> Result<ProfileFile, RunError> {
    let mut file = args.target_args.profile_file(catalogue)?;
    let set = |slot: &mut String, v: &Option<String>| {
        if let Some(v) = v {
            v.clone_into(slot);
        }
    };
    set(&mut file.project_id, &args.project_id);
    if file.project_id.is_empty() {
        return Err(UsageError::NoProject.into());
    }
    for (slot, flag) in [
        (&mut file.graph_id, &args.graph_id),
        (&mut file.instance_id, &args.instance_id),
        (&mut file.backup_id, &args.backup_id),
        (&mut file.export_path, &args.export_path),
    ] {
        if flag.is_some() {
            slot.clone_from(flag);
        }
    }
    file.values.extend(args.values.iter().cloned());
    if let Some(t) = args.timeout {
        file.timeout_secs = Some(t);
    }
    file.read_only |= args.read_only;
    Ok(file)
}

/// Runs the command; the exit code says how it went (see [`Exit`]; errors: one line on stderr, exit 2).
pub fn run(args: &RunArgs) -> ExitCode {
    // Logs (the in-process server's included) go to stderr; quiet unless RUST_LOG asks.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)
        .and_then(|rt| rt.block_on(run_async(args)));
    super::output::finish(result.map(ExitCode::from).map_err(CliError::from))
}

/// The journal's file: `--journal`, else in the report folder, else a temporary file of this process.
fn journal_path(args: &RunArgs) -> PathBuf {
    args.journal.clone().unwrap_or_else(|| match &args.report_dir {
        Some(dir) => dir.join(crate::cleanup::FILE_NAME),
        None => std::env::temp_dir().join(format!("hwconform-{}-{}", std::process::id(), crate::cleanup::FILE_NAME)),
    })
}

/// The session's options from the command line, the journal written to `journal_path`.
fn session_options(args: &RunArgs, journal_path: &Path) -> SessionOptions {
    SessionOptions {
        concurrency: args.concurrency,
        rps: args.rps,
        retries: args.retries,
        run_timeout: args.run_timeout.map(Duration::from_secs),
        settle_timeout: args.settle_timeout.map(Duration::from_secs),
        request_timeout: None,
        ca_file: args.target_args.ca_file.clone(),
        no_proxy: false,
        cleanup: CleanupOptions {
            journal: Some(journal_path.to_path_buf()),
            max_created: args.max_created,
            keep: args.keep,
            timeout: Duration::from_secs(args.cleanup_timeout),
        },
        ..SessionOptions::default()
    }
}

/// Each case's result, with its drift against the snapshot under `snapshots` for `profile`: a
/// missing snapshot is recorded (not under CI). Also how many were recorded, and how many were not
/// (CI).
fn results_with_drift(
    cases: &[Arc<Case>],
    runs: &[CaseRun],
    snapshots: &Path,
    profile: &str,
) -> (Vec<CaseResult>, usize, usize) {
    let mut results = Vec::with_capacity(cases.len());
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let (mut recorded, mut not_recorded) = (0usize, 0usize);
    for (case, run) in cases.iter().zip(runs) {
        let mut result = case_result(case, run);
        if matches!(run.outcome, Outcome::Passed | Outcome::Failed) {
            let path = snapshots.join(case.id.snapshot_file(profile));
            let value = normalise(case, &run.exchange);
            if path.exists() {
                result.drift = compare_snapshot(&path, &value).map(drift_record);
            } else if ci {
                not_recorded += 1;
            } else if record_snapshot(&path, &case.rationale, &value).is_ok() {
                recorded += 1;
            }
        }
        results.push(result);
    }
    (results, recorded, not_recorded)
}

/// The verb for callers already inside a Tokio runtime.
pub async fn run_async(args: &RunArgs) -> Result<Exit, RunError> {
    let clock = std::time::Instant::now();
    // Every input is checked before a single request goes out.
    let formats = match (&args.format, &args.report_dir) {
        (Some(list), Some(_)) => Format::parse_list(list).map_err(UsageError::Input)?,
        (Some(_), None) => return Err(UsageError::FormatWithoutReportDir.into()),
        (None, _) => Format::ALL.to_vec(),
    };
    let baseline = args.baseline.as_deref().map(Baseline::read).transpose().map_err(UsageError::Input)?;
    let catalogue = Arc::new(Catalogue::builtin()?);
    let selection = select(generate(&catalogue), args.only.as_deref(), args.rerun_failed.as_deref())?;
    for note in &selection.notes {
        eprintln!("hwconform: {note}");
    }
    if selection.nothing_failed {
        let shown = args.rerun_failed.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
        print_lines(&[format!("hwconform: no case failed in {shown}: nothing to rerun")]);
        return Ok(Exit::Clean);
    }
    let cases: Vec<Arc<Case>> = selection.cases.into_iter().map(Arc::new).collect();
    let profile: TargetProfile = profile(args, &catalogue)?.resolve(&|v| std::env::var(v).ok())?;
    let journal_path = journal_path(args);
    let options = session_options(args, &journal_path);
    let mut session = Session::open(Arc::clone(&catalogue), profile, options).await?;
    // The target's own resources (a finished backup to export), from the profile or found on it.
    session.acquire(&cases).await;
    let bar =
        indicatif::ProgressBar::with_draw_target(Some(cases.len() as u64), indicatif::ProgressDrawTarget::stderr());
    let on_event = |event: &RunEvent<'_>| {
        if matches!(event, RunEvent::CaseFinished { .. }) {
            bar.inc(1);
        }
        if let Some(message) = progress_message(event) {
            bar.set_message(message);
        }
    };
    // Ctrl-C stops the cases; the session still cleans up at close (a second Ctrl-C stops that).
    let runs = tokio::select! {
        runs = session.run(&cases, &on_event) => Some(runs),
        _ = tokio::signal::ctrl_c() => None,
    };
    bar.finish_and_clear();
    let Some(runs) = runs else {
        let report = session.close(Vec::new()).await;
        let mut lines = vec!["hwconform: interrupted (Ctrl-C): the cases stopped, cleanup ran".to_owned()];
        lines.extend(cleanup_lines(&report, &journal_path));
        print_lines(&lines);
        return Ok(Exit::CutShort);
    };
    // Snapshots serve drift: a target's first run records them (not under CI), later runs compare.
    let snapshots = args
        .snapshots
        .clone()
        .or_else(|| session.profile().file.snapshots.as_ref().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("snapshots"));
    let (results, recorded, not_recorded) = results_with_drift(&cases, &runs, &snapshots, session.profile().name());
    // No answer at all is no verdict: say why, once (the report comes with the always-a-report work).
    if ending_of(&results) == RunEnding::Unreachable
        && let Some((case, (step, error))) =
            cases.iter().zip(&runs).find_map(|(c, r)| r.exchange.unanswered().map(|u| (c, u)))
    {
        let (case, step, error) = (case.id.to_string(), step.to_owned(), error.clone());
        drop(session.close(Vec::new()).await);
        return Err(RunError::Unreachable { case, step, error });
    }
    let report = close_showing_cleanup(session, results).await;
    let written = match &args.report_dir {
        Some(dir) => crate::report::write_reports(&report, dir, &formats).map_err(RunError::Report)?,
        None => Vec::new(),
    };
    let gated = baseline.as_ref().map(|b| gate(&report, b));
    let mut lines = summary_lines(&report, &cases, gated.as_ref(), clock.elapsed());
    lines.extend(cleanup_lines(&report, &journal_path));
    if report.summary.leftovers == 0 && args.journal.is_none() && args.report_dir.is_none() {
        // Nobody asked for it and nothing is left to finish: no litter in the temporary folder.
        let _ = std::fs::remove_file(&journal_path);
    }
    lines.extend(written.iter().map(|p| format!("wrote {}", p.display())));
    if recorded > 0 {
        let dir = snapshots.display();
        lines
            .push(format!("recorded {recorded} snapshot(s) under {dir} (first run against {})", report.target.profile));
    }
    if not_recorded > 0 {
        let dir = snapshots.display();
        lines.push(format!("{not_recorded} snapshot(s) not recorded (CI=true): nothing was written to {dir}"));
    }
    if let Some(g) = &gated {
        lines.extend(g.render_text(&report).lines().map(str::to_owned));
    }
    print_lines(&lines);
    Ok(Exit::of_run(&report, gated.as_ref(), args.fail_on_drift))
}

/// What became of what the run created, and where the journal is when something was left.
fn cleanup_lines(report: &Report, journal: &std::path::Path) -> Vec<String> {
    if !report.resources.iter().any(|r| matches!(r.provenance, crate::report::Provenance::Created { .. })) {
        return Vec::new();
    }
    let mut lines = crate::cleanup::summary_lines(&report.resources);
    if report.summary.leftovers > 0 {
        lines.push(format!("journal: {} (hwconform cleanup JOURNAL finishes the job)", journal.display()));
    }
    lines
}

/// Writes lines to stdout; a closed pipe ends quietly (the run's exit code still counts).
fn print_lines(lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    // Only a broken terminal fails here; the reports are written and the exit code says the rest.
    let _ = super::output::print(&text);
}

/// Failures (marked `(known)` when the baseline lists them) and the summary.
fn summary_lines(report: &Report, cases: &[Arc<Case>], gated: Option<&GateResult>, elapsed: Duration) -> Vec<String> {
    let known = |id: &str| gated.is_some_and(|g| g.known_failures.iter().any(|k| k == id));
    let mark = |id: &str| if known(id) { " (known)" } else { "" };
    let mut lines = Vec::new();
    for r in &report.cases {
        match r.outcome {
            CaseOutcome::Failed => {
                lines.push(format!("FAILED{}  {}  ({})", mark(&r.id), r.id, r.rationale));
                for f in r.findings.iter().filter(|f| f.strength == crate::report::Strength::Failure) {
                    lines.push(format!("        {}: {} [{}]", f.check, f.message, f.source));
                }
            }
            CaseOutcome::Error => {
                lines.push(format!("ERROR{}   {}: {}", mark(&r.id), r.id, r.error.as_deref().unwrap_or_default()));
            }
            _ => {}
        }
        if let Some(d) = &r.drift {
            lines.push(format!("DRIFT   {} ({})", r.id, d.snapshot));
        }
    }
    let by_kind: Vec<String> =
        CaseKind::ALL.iter().map(|k| format!("{k} {}", cases.iter().filter(|c| c.kind == *k).count())).collect();
    let s = &report.summary;
    lines.push(format!(
        "hwconform: {} cases against {}: {} passed, {} failed, {} skipped, {} errors, {} drift, {} observations in {}",
        s.total,
        report.target.profile,
        s.passed,
        s.failed,
        s.skipped,
        s.errors,
        s.drift,
        s.observations,
        if elapsed.as_secs() >= 10 {
            format!("{} s", elapsed.as_secs())
        } else {
            format!("{} ms", elapsed.as_millis())
        }
    ));
    lines.push(format!("by kind: {}", by_kind.join(", ")));
    let mut by_op: std::collections::BTreeMap<&str, (usize, usize)> = std::collections::BTreeMap::new();
    for r in &report.cases {
        let e = by_op.entry(r.operation.as_str()).or_default();
        e.0 += 1;
        if r.outcome == CaseOutcome::Passed {
            e.1 += 1;
        }
    }
    let by_op: Vec<String> = by_op.iter().map(|(op, (n, ok))| format!("{op} {ok}/{n}")).collect();
    lines.push(format!("passed by operation: {}", by_op.join(", ")));
    lines
}
