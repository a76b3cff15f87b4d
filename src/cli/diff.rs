//! `hwconform diff OLD.json NEW.json [--json]`: exit 1 on regressions, 2 on unreadable input.

use std::process::ExitCode;

use super::output::print;
use super::{CliError, DiffArgs};
use crate::report::{ReportError, diff_reports, read_report};

pub fn run(args: &DiffArgs) -> Result<ExitCode, CliError> {
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
