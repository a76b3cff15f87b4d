//! `hwconform cases`: lists the generated cases (id, kind, rationale), no I/O besides stdout.

use std::io::Write;

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
pub fn run(args: &CasesArgs) -> anyhow::Result<()> {
    let catalogue = Catalogue::builtin()?;
    let cases = generate(&catalogue);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for case in cases.iter().filter(|c| args.only.as_deref().is_none_or(|p| matches(c.id.as_str(), p))) {
        if writeln!(out, "{}\t{}\t{}", case.id, case.kind, case.rationale).is_err() {
            return Ok(());
        }
    }
    Ok(())
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
