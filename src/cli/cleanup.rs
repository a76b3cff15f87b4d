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
use crate::profile::ProfileFile;
use crate::runner::{RunError, UsageError};

use super::CliError;

#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// The journal a run wrote beside its report (created.jsonl).
    pub journal: PathBuf,
    /// Target profile of the run (TOML), for its endpoints and credentials.
    #[arg(long, env = "HWCONFORM_TARGET")]
    pub profile: Option<PathBuf>,
    /// Base URL of every service of the target (overrides the profile's endpoints).
    #[arg(long)]
    pub target: Option<String>,
    /// Environment variable holding the token.
    #[arg(long)]
    pub token_env: Option<String>,
    /// File holding the token.
    #[arg(long)]
    pub token_file: Option<String>,
    /// Bound of the whole cleanup, waits for backups still being made included, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub cleanup_timeout: u64,
    /// PEM file of certificate authorities to trust besides the system's.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}

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
    let mut file = match (&args.profile, &args.target) {
        (Some(path), _) => ProfileFile::read(path)?,
        (None, Some(_)) => ProfileFile::reference()?,
        (None, None) => {
            return Err(UsageError::Cleanup("name the target of the run (--profile or --target)".into()).into());
        }
    };
    if let Some(target) = &args.target {
        file.reference_server = false;
        for service in ["GES", "GeminiDB"] {
            file.endpoints.insert(service.to_owned(), target.clone());
        }
    }
    if args.token_env.is_some() || args.token_file.is_some() {
        file.token = None;
        file.token_env.clone_from(&args.token_env);
        file.token_file.clone_from(&args.token_file);
    }
    if file.reference_server {
        return Err(UsageError::Cleanup(
            "the profile starts an in-process reference server, which ended with its run".into(),
        )
        .into());
    }
    let profile = file.resolve(&|v| std::env::var(v).ok())?;
    let http = client(&ClientOptions {
        timeout: Duration::from_secs(profile.file.timeout_secs.unwrap_or(30)),
        ca_file: args.ca_file.clone(),
        ..ClientOptions::default()
    })?;
    let plan = Arc::new(Lifecycle::of(&Catalogue::builtin()?));
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
