//! `hwconform report REPORT.json --format … --out DIR [--baseline FILE]`: re-renders a saved
//! report, and with a baseline prints the gate and exits 1 when it fails.

use std::process::ExitCode;

use super::output::print;
use super::{CliError, ReportArgs};
use crate::report::{Baseline, Format, gate, read_report, write_reports};

pub fn run(args: &ReportArgs) -> Result<ExitCode, CliError> {
    let formats = Format::parse_list(&args.format)?;
    let report = read_report(&args.report)?;
    let baseline = args.baseline.as_deref().map(Baseline::read).transpose()?;
    let written = write_reports(&report, &args.out, &formats)?;
    let mut text: String = written.iter().map(|p| format!("wrote {}\n", p.display())).collect();
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
