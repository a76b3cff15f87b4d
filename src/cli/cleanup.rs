//! `hwconform cleanup JOURNAL`: finishes the cleanup of a run that could not (killed, CI timeout,
//! `--keep`): deletes what the journal recorded and has not settled for good, verifies through the
//! list, and appends what became of each resource to the journal. Deletes nothing the journal does
//! not name. Exit 0 when nothing is left, 3 when something is, 2 when it could not run.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::catalogue::Catalogue;
use crate::cleanup::{Journal, Lifecycle, SweepOptions, finish, read, summary_lines};
use crate::execute::{ClientOptions, client};
use crate::runner::{RunError, UsageError};

use super::CliError;
use super::target::TargetArgs;

/// `hwconform cleanup` arguments.
#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// The journal a run wrote beside its report (created.jsonl).
    pub journal: PathBuf,
    /// The run's target: its endpoints and credentials.
    #[command(flatten)]
    pub target_args: TargetArgs,
    /// Bound of the whole cleanup, waits for backups still being made included, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub cleanup_timeout: u64,
}

/// Runs the verb: exit 0 when nothing is left on the target, 3 when something is, 2 on error.
pub fn run(args: &CleanupArgs) -> ExitCode {
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)
        .and_then(|rt| rt.block_on(cleanup(args)));
    super::output::finish(result.map_err(CliError::from))
}

async fn cleanup(args: &CleanupArgs) -> Result<ExitCode, RunError> {
    let contents = read(&args.journal).map_err(UsageError::from)?;
    if !args.target_args.names_a_target() {
        return Err(UsageError::Cleanup("name the target of the run (--profile or --target)".into()).into());
    }
    let catalogue = Catalogue::builtin()?;
    let file = args.target_args.profile_file(&catalogue)?;
    if file.reference_server {
        return Err(UsageError::Cleanup(
            "the profile starts an in-process reference server, which ended with its run".into(),
        )
        .into());
    }
    let profile = file.resolve(&|v| std::env::var(v).ok())?;
    let http = client(&ClientOptions {
        timeout: Duration::from_secs(profile.file.timeout_secs.unwrap_or(30)),
        ca_file: args.target_args.ca_file.clone(),
        ..ClientOptions::default()
    })?;
    let plan = Arc::new(Lifecycle::of(&catalogue));
    let journal = Journal::reopen(&args.journal, plan, &contents).map_err(UsageError::from)?;
    let open = contents.open();
    let options = SweepOptions { timeout: Duration::from_secs(args.cleanup_timeout), ..SweepOptions::default() };
    let settled = finish(&open, &journal, &profile, &http, None, &options).await;
    let mut lines = vec![format!(
        "hwconform cleanup: {} of {} resources in {} still to settle",
        open.len(),
        contents.created.len(),
        args.journal.display()
    )];
    let records: Vec<_> = settled.iter().map(crate::cleanup::Settled::record).collect();
    lines.extend(summary_lines(&records));
    let mut text = lines.join("\n");
    text.push('\n');
    let _ = super::output::print(&text);
    let left = settled.iter().any(|s| s.state.is_left());
    Ok(if left { ExitCode::from(3) } else { ExitCode::SUCCESS })
}
