//! `hwconform run`: the suite against a target (a profile, flags, or the in-process reference
//! server), with a progress bar on a terminal, a summary, `report.json`, and an exit code for CI:
//! 0 every case passed or was skipped, 1 a case failed, 2 the suite could not run.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::auth::Secret;
use crate::catalogue::Catalogue;
use crate::execute::{ClientOptions, RunLimits, client};
use crate::generate::{Case, CaseKind, generate};
use crate::normalise::{compare_snapshot, normalise, record_snapshot};
use crate::profile::{ProfileFile, TargetProfile};
use crate::report::{Baseline, CaseOutcome, Format, GateResult, Report, gate};
use crate::runner::{RunError, build_report, case_result, run_cases_with, start_reference};

use super::CliError;
use super::selection::select;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Target profile (TOML, see fixtures/targets/). Without it and without --target, the
    /// reference server is started in-process.
    #[arg(long, env = "HWCONFORM_TARGET")]
    pub profile: Option<PathBuf>,
    /// Base URL of every service of the target (overrides the profile's endpoints).
    #[arg(long)]
    pub target: Option<String>,
    /// Environment variable holding the token (never the token itself on the command line).
    #[arg(long)]
    pub token_env: Option<String>,
    /// File holding the token.
    #[arg(long)]
    pub token_file: Option<String>,
    /// The token itself. Anyone on this machine can read it in the process list (ps): prefer
    /// --token-env or --token-file. Never printed or written to a report.
    #[arg(long, value_name = "T", value_parser = secret_arg, conflicts_with_all = ["token_env", "token_file"])]
    pub token: Option<Secret>,
    #[arg(long)]
    pub project_id: Option<String>,
    #[arg(long)]
    pub graph_id: Option<String>,
    #[arg(long)]
    pub instance_id: Option<String>,
    /// A finished backup of the graph (optional: the run finds one, or creates one where it may).
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
    #[arg(long, value_name = "DIR")]
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
    /// Stop after SECS seconds: cases not finished by then are errors ("run timeout", exit 1).
    #[arg(long, value_name = "SECS")]
    pub run_timeout: Option<u64>,
    /// Times a throttled request is sent again after its Retry-After (429, or 503 with Retry-After,
    /// whatever the method: refused before processing; a bare 503 only for a GET).
    #[arg(long, default_value_t = 2)]
    pub retries: u32,
    /// Longest wait, in seconds, for the target's asynchronous work (a backup leaving backing_up)
    /// before what depends on it is reported as could not test (default 900).
    #[arg(long, value_name = "SECS")]
    pub settle_timeout: Option<u64>,
    /// PEM file of certificate authorities to trust besides the system's.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
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
}

/// `--value MEMBER=VALUE`.
fn member_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((member, value)) if !member.is_empty() => Ok((member.to_owned(), value.to_owned())),
        _ => Err(format!("{text:?}: give MEMBER=VALUE")),
    }
}

/// `--token`'s value goes straight into a [`Secret`], so even `RunArgs`' `Debug` hides it.
fn secret_arg(value: &str) -> Result<Secret, String> {
    if value.is_empty() { Err("the token is empty".into()) } else { Ok(Secret::new(value)) }
}

/// Builds the profile from the file and the flags (flags win).
fn profile(args: &RunArgs) -> Result<ProfileFile, RunError> {
    let mut file = match (&args.profile, &args.target) {
        (Some(path), _) => ProfileFile::read(path)?,
        (None, Some(_)) => {
            let mut f = ProfileFile::reference()?;
            "cli".clone_into(&mut f.name);
            f.reference_server = false;
            f.fault_injection = false;
            f.isolate_projects = false;
            // The reference server's ids and values mean nothing on another target: only what the
            // flags supply is sent (cases needing the rest are skipped, naming the flag to set).
            f.project_id = String::new();
            f.graph_id = None;
            f.instance_id = None;
            f.backup_id = None;
            f.export_path = None;
            f.values.clear();
            f
        }
        (None, None) => ProfileFile::reference()?,
    };
    if let Some(target) = &args.target {
        file.reference_server = false;
        for v in file.endpoints.values_mut() {
            v.clone_from(target);
        }
        for service in ["GES", "GeminiDB"] {
            file.endpoints.insert(service.to_owned(), target.clone());
        }
    }
    let set = |slot: &mut String, v: &Option<String>| {
        if let Some(v) = v {
            v.clone_into(slot);
        }
    };
    set(&mut file.project_id, &args.project_id);
    if file.project_id.is_empty() {
        return Err(RunError::Usage("name the target's project: --project-id P (or project_id in a profile)".into()));
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
    if args.token_env.is_some() || args.token_file.is_some() {
        file.token = None;
        file.token_env.clone_from(&args.token_env);
        file.token_file.clone_from(&args.token_file);
    }
    if let Some(token) = &args.token {
        file.token = Some(token.expose().to_owned());
        file.token_env = None;
        file.token_file = None;
    }
    if let Some(t) = args.timeout {
        file.timeout_secs = Some(t);
    }
    file.read_only |= args.read_only;
    Ok(file)
}

/// Runs the command; the exit code says how it went (errors: one line on stderr, exit 2).
pub fn run(args: &RunArgs) -> ExitCode {
    // Logs (the in-process server's included) go to stderr; quiet unless RUST_LOG asks.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Runtime(e.to_string()))
        .and_then(|rt| rt.block_on(run_async(args)));
    super::output::finish(result.map_err(CliError::from))
}

/// The verb for callers already inside a Tokio runtime.
pub async fn run_async(args: &RunArgs) -> Result<ExitCode, RunError> {
    let started_at = chrono::Utc::now().to_rfc3339();
    if let Some(rps) = args.rps
        && !(rps.is_finite() && rps >= crate::execute::RateLimiter::MIN_RPS)
    {
        let min = crate::execute::RateLimiter::MIN_RPS;
        return Err(RunError::BadOption(format!("--rps {rps}: give a number of requests a second of at least {min}")));
    }
    let clock = std::time::Instant::now();
    // Every input is checked before a single request goes out.
    let formats = match (&args.format, &args.report_dir) {
        (Some(list), Some(_)) => Format::parse_list(list).map_err(RunError::Input)?,
        (Some(_), None) => return Err(RunError::Usage("write the reports: --format needs --report-dir".into())),
        (None, _) => Format::ALL.to_vec(),
    };
    let baseline = args.baseline.as_deref().map(Baseline::read).transpose().map_err(RunError::Input)?;
    let catalogue = Catalogue::builtin()?;
    let selection = select(generate(&catalogue), args.only.as_deref(), args.rerun_failed.as_deref())?;
    for note in &selection.notes {
        eprintln!("hwconform: {note}");
    }
    if selection.nothing_failed {
        let shown = args.rerun_failed.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
        print_lines(&[format!("hwconform: no case failed in {shown}: nothing to rerun")]);
        return Ok(ExitCode::SUCCESS);
    }
    let cases: Vec<Arc<Case>> = selection.cases.into_iter().map(Arc::new).collect();
    let mut profile: TargetProfile = profile(args)?.resolve(&|v| std::env::var(v).ok())?;
    let server =
        if profile.file.reference_server { Some(start_reference(&mut profile, &catalogue).await?) } else { None };
    let options = ClientOptions {
        timeout: Duration::from_secs(profile.file.timeout_secs.unwrap_or(30)),
        no_proxy: profile.file.reference_server,
        ca_file: args.ca_file.clone(),
        ..ClientOptions::default()
    };
    let http = client(options)?;
    let mut limits = RunLimits::new(args.rps, args.retries, args.run_timeout.map(Duration::from_secs));
    limits.settle = args.settle_timeout.map(Duration::from_secs);
    // The target's own resources (a finished backup to export), from the profile or found on it.
    crate::runner::acquire_resources(&catalogue, &cases, &mut profile, &http, &limits).await;
    let limits = Arc::new(limits);
    let bar =
        indicatif::ProgressBar::with_draw_target(Some(cases.len() as u64), indicatif::ProgressDrawTarget::stderr());
    let on_done = |case: &Case, _: &crate::runner::CaseRun| {
        bar.set_message(case.id.to_string());
        bar.inc(1);
    };
    let profile = Arc::new(profile);
    let runs = run_cases_with(&cases, Arc::clone(&profile), http, limits, args.concurrency, &on_done).await;
    bar.finish_and_clear();
    if let Some(server) = server {
        server.shutdown().await;
    }
    // Cases the run's deadline cut are errors of their own, not a sign of an unreachable target.
    let timed_out = |r: &&crate::runner::CaseRun| r.error.as_deref() == Some(crate::runner::RUN_TIMEOUT);
    let ran = runs.iter().filter(|r| r.outcome != CaseOutcome::Skipped && !timed_out(r)).count();
    let errored: Vec<&str> = runs.iter().filter(|r| !timed_out(r)).filter_map(|r| r.error.as_deref()).collect();
    if ran > 0 && errored.len() == ran {
        let redactor = crate::runner::run_redactor(&profile);
        return Err(RunError::Unreachable(redactor.redact(errored[0])));
    }
    let mut results = Vec::with_capacity(cases.len());
    // Snapshots serve drift: a target's first run records them (not under CI), later runs compare.
    let snapshots = args
        .snapshots
        .clone()
        .or_else(|| profile.file.snapshots.as_ref().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("snapshots"));
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let (mut recorded, mut not_recorded) = (0usize, 0usize);
    for (case, run) in cases.iter().zip(&runs) {
        let mut result = case_result(case, run);
        if matches!(run.outcome, CaseOutcome::Passed | CaseOutcome::Failed) {
            let path = snapshots.join(case.id.snapshot_file(profile.name()));
            let value = normalise(case, &run.exchange);
            if path.exists() {
                result.drift = compare_snapshot(&path, &value);
            } else if ci {
                not_recorded += 1;
            } else if record_snapshot(&path, &case.rationale, &value).is_ok() {
                recorded += 1;
            }
        }
        results.push(result);
    }
    let report = build_report(&catalogue, &profile, results, started_at);
    let written = match &args.report_dir {
        Some(dir) => crate::report::write_reports(&report, dir, &formats)?,
        None => Vec::new(),
    };
    let gated = baseline.as_ref().map(|b| gate(&report, b));
    let mut lines = summary_lines(&report, &cases, gated.as_ref(), clock.elapsed());
    lines.extend(written.iter().map(|p| format!("wrote {}", p.display())));
    if recorded > 0 {
        lines.push(format!(
            "recorded {recorded} snapshot(s) under {} (first run against {})",
            snapshots.display(),
            profile.name()
        ));
    }
    if not_recorded > 0 {
        lines.push(format!(
            "{not_recorded} snapshot(s) not recorded (CI=true): nothing was written to {}",
            snapshots.display()
        ));
    }
    for r in &profile.resources {
        let id = r.id.as_deref().unwrap_or("-");
        let note = if r.note.is_empty() { String::new() } else { format!(": {}", r.note) };
        lines.push(format!("resource {} {id} ({}{note})", r.role, r.origin));
    }
    if let Some(g) = &gated {
        lines.extend(g.render_text(&report).lines().map(str::to_owned));
    }
    print_lines(&lines);
    let drifted = args.fail_on_drift && report.summary.drift > 0;
    let failed = match &gated {
        Some(g) => !g.passed,
        None => report.summary.failed > 0 || report.summary.errors > 0,
    };
    Ok(if failed || drifted { ExitCode::from(1) } else { ExitCode::SUCCESS })
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
    if !report.created_resources.is_empty() {
        let n = report.created_resources.len();
        lines.push(format!(
            "created on the target: {n} (listed in report.json created_resources; no delete in the contract)"
        ));
    }
    lines
}
