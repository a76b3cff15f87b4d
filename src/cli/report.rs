//! `hwconform report REPORT.json --format … --out DIR [--baseline FILE]`: re-renders a saved
//! report, and with a baseline prints the gate and exits 1 when it fails.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CliError;
use super::output::{finish, print};
use crate::report::{Baseline, Format, gate, read_report, write_reports};

/// `hwconform report` arguments.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The report.json to render.
    pub report: PathBuf,
    /// Comma-separated formats: json, junit, markdown, html.
    #[arg(long, default_value = "junit,markdown,html")]
    pub format: String,
    /// Output folder (created if missing).
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Gate the report on this baseline: exit 1 on a new failure or a stale entry.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
}

/// Runs the verb; errors print one line and exit 2.
pub fn run(args: &ReportArgs) -> ExitCode {
    finish(run_inner(args))
}

fn run_inner(args: &ReportArgs) -> Result<ExitCode, CliError> {
    let formats = Format::parse_list(&args.format)?;
    let report = read_report(&args.report)?;
    let baseline = args.baseline.as_deref().map(Baseline::read).transpose()?;
    let written = write_reports(&report, &args.out, &formats)?;
    let mut text = written.iter().fold(String::new(), |mut text, p| {
        let _ = writeln!(text, "wrote {}", p.display());
        text
    });
    let mut code = ExitCode::SUCCESS;
    if let Some(baseline) = baseline {
        let result = gate(&report, &baseline);
        text.push_str(&result.render_text(&report));
        if !result.passed {
            code = ExitCode::from(1);
        }
    }
    print(&text)?;
    Ok(code)
}
