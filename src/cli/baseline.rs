//! `hwconform baseline REPORT.json [--keep-reasons OLD.toml] > baseline.toml`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CliError;
use super::output::{finish, print};
use crate::report::{Baseline, read_report};

/// `hwconform baseline` arguments.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// The report.json whose failing cases become the baseline.
    pub report: PathBuf,
    /// An existing baseline whose reasons are kept for cases that still fail.
    #[arg(long)]
    pub keep_reasons: Option<PathBuf>,
}

/// Runs the verb; errors print one line and exit 2.
pub fn run(args: &BaselineArgs) -> ExitCode {
    finish(run_inner(args))
}

fn run_inner(args: &BaselineArgs) -> Result<ExitCode, CliError> {
    let report = read_report(&args.report)?;
    let mut baseline = Baseline::from_report(&report);
    if let Some(path) = &args.keep_reasons {
        let old = Baseline::read(path)?;
        let reasons: BTreeMap<String, String> = old.known.into_iter().map(|k| (k.case, k.reason)).collect();
        for k in &mut baseline.known {
            if let Some(r) = reasons.get(&k.case) {
                k.reason.clone_from(r);
            }
        }
    }
    print(&baseline.to_toml())?;
    Ok(ExitCode::SUCCESS)
}
