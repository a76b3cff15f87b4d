//! `hwconform rules`: lists every documented rule of the catalogue by id, one per line with a short
//! description — the ids `hwconform serve --break RULE_ID` takes.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::Args;

use super::cases::matches;
use crate::catalogue::{Catalogue, rule_list};

/// `hwconform rules` arguments.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Only rules whose id contains this text (`*` matches anything).
    #[arg(long)]
    pub only: Option<String>,
}

/// Prints `id<TAB>description` per rule; a closed pipe (`| head`) ends quietly.
pub fn run(args: &RulesArgs) -> ExitCode {
    super::output::finish(list(args))
}

fn list(args: &RulesArgs) -> Result<ExitCode, super::CliError> {
    let catalogue = Catalogue::builtin()?;
    let mut text = String::new();
    for rule in rule_list(&catalogue).iter().filter(|r| args.only.as_deref().is_none_or(|p| matches(r.id.as_str(), p)))
    {
        let _ = writeln!(text, "{}\t{}", rule.id, rule.description);
    }
    super::output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}
