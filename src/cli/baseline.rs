//! `hwconform baseline REPORT.json [--keep-reasons OLD.toml] > baseline.toml`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use super::output::print;
use super::{BaselineArgs, CliError};
use crate::report::{Baseline, read_report};

pub fn run(args: &BaselineArgs) -> Result<ExitCode, CliError> {
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
