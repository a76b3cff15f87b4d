//! `hwconform selftest`: runs the suite against the reference server broken one documented rule at
//! a time (and against each legitimate variant) and prints the bite — rules caught / rules, per
//! operation, with the first failing case of each rule. Exit 1 when a rule goes uncaught or a
//! variant fails; `--write FILE` saves the figure (the committed one is `fixtures/bite.json`).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CliError;
use crate::catalogue::Catalogue;
use crate::selftest::{Options, run as selftest};

/// `hwconform selftest` arguments.
#[derive(Debug, Args)]
pub struct SelftestArgs {
    /// Only rules whose id contains this text.
    #[arg(long)]
    pub only: Option<String>,
    /// Skip the legitimate variants (only the broken servers).
    #[arg(long)]
    pub no_variants: bool,
    /// Broken servers at once.
    #[arg(long, default_value_t = 4)]
    pub servers: usize,
    /// Cases at once against each server.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Write the bite figure (JSON) to this file.
    #[arg(long)]
    pub write: Option<PathBuf>,
}

/// Runs the verb: exit 0 when every rule is caught and every variant passes, 1 otherwise, 2 on error.
pub fn run(args: &SelftestArgs) -> ExitCode {
    super::output::finish(main(args))
}

fn main(args: &SelftestArgs) -> Result<ExitCode, CliError> {
    let catalogue = Catalogue::builtin()?;
    let options = Options {
        rules: true,
        only: args.only.clone(),
        variants: !args.no_variants,
        servers: args.servers,
        concurrency: args.concurrency,
        variant_list: None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(e.to_string()))?;
    let result = runtime.block_on(selftest(&catalogue, &options)).map_err(|e| CliError::Runtime(e.to_string()))?;
    let mut text = result.bite.render();
    for v in &result.variants {
        if v.failed.is_empty() {
            let _ = write!(text, "variant {}: {} cases, none failed", v.variant, v.cases);
            if !v.untested.is_empty() {
                let _ = write!(text, " ({} could not be tested: {})", v.untested.len(), v.untested.join("; "));
            }
            text.push('\n');
        } else {
            let _ = writeln!(
                text,
                "variant {}: {} of {} cases FAILED: {}",
                v.variant,
                v.failed.len(),
                v.cases,
                v.failed.join(", ")
            );
        }
    }
    if !result.bite.uncaught.is_empty() {
        let _ = writeln!(text, "NOT CAUGHT: {}", result.bite.uncaught.join(", "));
    }
    if let Some(path) = &args.write {
        std::fs::write(path, result.bite.to_json())
            .map_err(|e| CliError::Runtime(format!("write {}: {e}", path.display())))?;
    }
    super::output::print(&text)?;
    Ok(if result.proven() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
