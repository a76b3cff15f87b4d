//! `hwconform diff OLD.json NEW.json [--json]`: exit 1 on regressions, 2 on unreadable input.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CliError;
use super::output::{finish, print};
use crate::report::{ReportError, diff_reports, read_report};

/// `hwconform diff` arguments.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report.json.
    pub old: PathBuf,
    /// The later report.json.
    pub new: PathBuf,
    /// Print the differences as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs the verb; errors print one line and exit 2.
pub fn run(args: &DiffArgs) -> ExitCode {
    finish(run_inner(args))
}

fn run_inner(args: &DiffArgs) -> Result<ExitCode, CliError> {
    let old = read_report(&args.old)?;
    let new = read_report(&args.new)?;
    let d = diff_reports(&old, &new);
    let text = if args.json {
        let mut t = serde_json::to_string_pretty(&d)
            .map_err(|e| ReportError::Render { format: "json".into(), message: e.to_string() })?;
        t.push('\n');
        t
    } else {
        d.render_text(&old, &new)
    };
    print(&text)?;
    Ok(if d.has_regressions() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
