//! `hwconform cases`: lists the generated cases (id, kind, rationale), no I/O besides stdout.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::Args;

use crate::catalogue::Catalogue;
use crate::generate::generate;

#[derive(Debug, Args)]
pub struct CasesArgs {
    /// Only cases whose id contains this text (`*` matches anything).
    #[arg(long)]
    pub only: Option<String>,
}

/// Whether a case id matches a pattern: substring, with `*` as a wildcard; `::` counts as `/`.
pub fn matches(id: &str, pattern: &str) -> bool {
    let pattern = pattern.replace("::", "/");
    let mut rest = id;
    for part in pattern.split('*').filter(|p| !p.is_empty()) {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Prints the cases; a closed pipe (`| head`) ends quietly.
pub fn run(args: &CasesArgs) -> ExitCode {
    super::output::finish(list(args))
}

fn list(args: &CasesArgs) -> Result<ExitCode, super::CliError> {
    let catalogue = Catalogue::builtin()?;
    let mut text = String::new();
    for case in generate(&catalogue).iter().filter(|c| args.only.as_deref().is_none_or(|p| matches(c.id.as_str(), p))) {
        let _ = writeln!(text, "{}\t{}\t{}", case.id, case.kind, case.rationale);
    }
    super::output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn patterns() {
        assert!(matches("ges.v2.add_backup/auth/missing_token", "auth"));
        assert!(matches("ges.v2.add_backup/auth/missing_token", "ges.v2.*::missing"));
        assert!(!matches("ges.v2.add_backup/auth/missing_token", "geminidb"));
    }
}
