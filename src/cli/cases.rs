//! `hwconform cases`: lists the generated cases (id, kind, rationale), no I/O besides stdout.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::Args;

use crate::catalogue::Catalogue;
use crate::generate::{Case, generate};

/// `hwconform cases` arguments.
#[derive(Debug, Args)]
pub struct CasesArgs {
    /// Only cases whose id contains this text (`*` matches anything).
    #[arg(long)]
    pub only: Option<String>,
    /// Group the cases by the documented rule they probe (`hwconform rules` lists the ids), with
    /// each rule's probe count; cases probing no single rule come last.
    #[arg(long)]
    pub by_rule: bool,
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
    let cases: Vec<Case> = generate(&catalogue)
        .into_iter()
        .filter(|c| args.only.as_deref().is_none_or(|p| matches(c.id.as_str(), p)))
        .collect();
    if args.by_rule {
        text = by_rule(&cases);
    } else {
        for case in &cases {
            let _ = writeln!(text, "{}\t{}\t{}", case.id, case.kind, case.rationale);
        }
    }
    super::output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The cases grouped by rule: a `RULE<TAB>N probes` line, then one indented line per case.
pub fn by_rule(cases: &[Case]) -> String {
    let mut groups: std::collections::BTreeMap<&str, Vec<&Case>> = std::collections::BTreeMap::new();
    let mut loose = Vec::new();
    for case in cases {
        match &case.rule {
            Some(rule) => groups.entry(rule.as_str()).or_default().push(case),
            None => loose.push(case),
        }
    }
    let mut text = String::new();
    for (rule, members) in &groups {
        let _ = writeln!(text, "{rule}\t{} probes", members.len());
        for case in members {
            let _ = writeln!(text, "  {}\t{}\t{}", case.id, case.kind, case.rationale);
        }
    }
    if !loose.is_empty() {
        let _ = writeln!(text, "(no single rule)\t{} cases", loose.len());
        for case in loose {
            let _ = writeln!(text, "  {}\t{}\t{}", case.id, case.kind, case.rationale);
        }
    }
    text
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
