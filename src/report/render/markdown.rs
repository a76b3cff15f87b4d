//! The Markdown summary: the per-family verdict as headline, then the compatibility matrix,
//! each failure with its doc source, what could not be tested, observations, skips, drift, the
//! documentation errata and the coverage of documented table rows. A pure function of the model.

use std::fmt::Write as _;

use super::family_errors;
use super::matrix::{Category, matrix};
use super::view::{expectation_lines, families, outcome_label, overall, source_text, verdict_label};
use super::{CaseOutcome, CaseResult, FamilyVerdict, FindingRecord, Report, Strength, coverage_counts};

/// The report as Markdown (GitHub-flavoured tables).
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are discarded on purpose.
    let o = &mut out;
    let families = families(report);
    let _ = writeln!(o, "# hwconform compatibility report\n");
    let _ = writeln!(
        o,
        "**Overall: {}** · target `{}` (auth: {}{}{}) · started {} · {} {}\n",
        verdict_label(overall(&families)),
        code_text(&report.target.profile),
        text(&report.target.auth),
        if report.target.reference_server { ", reference server" } else { "" },
        if report.target.fault_injection { ", fault injection" } else { "" },
        text(&report.started_at),
        text(&report.tool.name),
        text(&report.tool.version),
    );

    families_section(o, report, &families);
    matrix_section(o, report);
    failures_section(o, report);
    reasons_section(o, "Could not test", report, CaseOutcome::Error, |c| c.error.as_deref());
    observations_section(o, report);
    reasons_section(o, "Skipped", report, CaseOutcome::Skipped, |c| c.skip_reason.as_deref());
    drift_section(o, report);
    created_section(o, report);
    errata_section(o, report);
    coverage_section(o, report);
    if let Some(bite) = &report.bite {
        bite_section(o, bite);
    }
    out
}

/// The headline table: one verdict per family, with its counts and skip reasons, and the totals.
fn families_section(o: &mut String, report: &Report, families: &[FamilyVerdict]) {
    let _ = writeln!(o, "## Verdict per family\n");
    let _ = writeln!(
        o,
        "*Core* is what the pages fix (a failure fails the family); *extended* is what they leave open (observations, never failing).\n"
    );
    let _ = writeln!(
        o,
        "| Family | Verdict | Core passed | Core failed | Extended observations | Skipped | Could not test |"
    );
    let _ = writeln!(o, "|---|---|---:|---:|---:|---:|---:|");
    for f in families {
        let _ = writeln!(
            o,
            "| {} | **{}** | {} | {} | {} | {} | {} |",
            cell(&f.family),
            verdict_label(f.verdict),
            f.core_passed,
            f.core_failed,
            f.extended_observations,
            f.skipped,
            family_errors(&report.cases, &f.family)
        );
    }
    for f in families.iter().filter(|f| !f.skip_reasons.is_empty()) {
        let _ = writeln!(o, "\nSkipped in {}: {}", text(&f.family), text(&f.skip_reasons.join("; ")));
    }
    let s = &report.summary;
    let _ = writeln!(
        o,
        "\n**{} cases**: {} passed, {} failed, {} skipped, {} could not be tested; {} with drift; {} observations.\n",
        s.total, s.passed, s.failed, s.skipped, s.errors, s.drift, s.observations
    );
}

/// The operation × check-category matrix.
fn matrix_section(o: &mut String, report: &Report) {
    let (columns, rows) = matrix(&report.cases);
    let _ = writeln!(o, "## Compatibility matrix\n");
    let _ =
        writeln!(o, "Cases per operation and check category: ✓ passed, ✗ failed, ⊘ skipped or could not be tested.\n");
    let header: Vec<&str> = columns.iter().map(|c| c.label()).collect();
    let _ = writeln!(o, "| Operation | {} |", header.join(" | "));
    let _ = writeln!(o, "|---|{}", "---|".repeat(columns.len()));
    for row in &rows {
        let cells: Vec<String> = columns.iter().map(|c: &Category| row.cell(*c).text()).collect();
        let _ = writeln!(o, "| `{}` | {} |", code_text(&row.operation), cells.join(" | "));
    }
}

/// Every failed case with its expectation and failure findings, each with its doc source.
fn failures_section(o: &mut String, report: &Report) {
    let failed: Vec<&CaseResult> = report.cases.iter().filter(|c| c.outcome == CaseOutcome::Failed).collect();
    let _ = writeln!(o, "\n## Failures ({})\n", failed.len());
    if failed.is_empty() {
        let _ = writeln!(o, "None: the target did what the pages fix in every case that ran.\n");
    }
    for case in failed {
        let _ = writeln!(o, "### `{}`\n", code_text(&case.id));
        let _ = writeln!(o, "{}\n", text(&case.rationale));
        for line in expectation_lines(case) {
            let _ = writeln!(o, "- Expected: {}", text(&line));
        }
        for f in case.findings.iter().filter(|f| f.strength == Strength::Failure) {
            let _ = write!(o, "- **{}**: {}", text(&f.check), text(&f.message));
            if let Some(e) = &f.expected {
                let _ = write!(o, " — expected {}", code_span(e));
            }
            if let Some(a) = &f.actual {
                let _ = write!(o, ", actual {}", code_span(a));
            }
            let _ = writeln!(o, "  \n  Source: {}", text(&source_text(&f.source)));
        }
        let _ = writeln!(o);
    }
}

/// One line per distinct observation (check, message, source), naming every case that made it:
/// a target that answers 18 rejected inputs with the same undocumented code reads as one fact.
fn observations_section(o: &mut String, report: &Report) {
    let mut observed: Vec<(&FindingRecord, Vec<&str>)> = Vec::new();
    for case in &report.cases {
        for f in case.findings.iter().filter(|f| f.strength == Strength::Observation) {
            match observed
                .iter_mut()
                .find(|(g, _)| g.check == f.check && g.message == f.message && g.source == f.source)
            {
                Some((_, cases)) => cases.push(&case.id),
                None => observed.push((f, vec![&case.id])),
            }
        }
    }
    if !observed.is_empty() {
        let _ = writeln!(o, "## Observations (extended)\n");
        let _ = writeln!(o, "What the target chose where the pages are silent; never a failure.\n");
        for (f, cases) in observed {
            let ids: Vec<String> = cases.iter().map(|id| format!("`{}`", code_text(id))).collect();
            let _ = writeln!(
                o,
                "- **{}**: {} (source: {})  \n  {}: {}",
                text(&f.check),
                text(&f.message),
                text(&source_text(&f.source)),
                if ids.len() == 1 { "case".to_owned() } else { format!("{} cases", ids.len()) },
                ids.join(", ")
            );
        }
        let _ = writeln!(o);
    }
}

/// The cases whose normalised exchange differs from its recorded snapshot, with the diff.
fn drift_section(o: &mut String, report: &Report) {
    let drifted: Vec<&CaseResult> = report.cases.iter().filter(|c| c.drift.is_some()).collect();
    let _ = writeln!(o, "## Drift ({})\n", drifted.len());
    if drifted.is_empty() {
        let _ = writeln!(o, "Every normalised exchange matches its recorded snapshot.\n");
    } else {
        let _ = writeln!(o, "Differences from the recorded snapshots; reported apart from contract failures.\n");
    }
    for case in drifted {
        if let Some(d) = &case.drift {
            let _ = writeln!(o, "### `{}` ({})\n", code_text(&case.id), outcome_label(case.outcome));
            let _ = writeln!(o, "Snapshot: `{}`\n", code_text(&d.snapshot));
            let fence = fence_for(&d.diff);
            let _ = writeln!(o, "{fence}diff\n{}\n{fence}\n", d.diff.trim_end());
        }
    }
}

/// What the run created on the target, and what became of it.
fn created_section(o: &mut String, report: &Report) {
    let created: Vec<&crate::report::ResourceRecord> =
        report.resources.iter().filter(|r| matches!(r.provenance, crate::report::Provenance::Created { .. })).collect();
    if !created.is_empty() {
        let _ = writeln!(o, "## Created and cleaned up ({})\n", created.len());
        let _ = writeln!(
            o,
            "Left behind: {}. Deleted means verified gone from the list; accepted means the target accepted the \
             delete but the contract has no list to verify it against.\n",
            report.summary.leftovers
        );
        let _ = writeln!(o, "| Resource | Id | Created by | What became of it |");
        let _ = writeln!(o, "|---|---|---|---|");
        for r in created {
            let case = match &r.provenance {
                crate::report::Provenance::Created { case } => case.as_str(),
                _ => "",
            };
            let fate = match &r.cleanup {
                Some(crate::report::CleanupState::Deleted { how }) => format!("deleted: {}", text(how)),
                Some(crate::report::CleanupState::Accepted { how }) => format!("accepted, not verified: {}", text(how)),
                Some(crate::report::CleanupState::NotRemovable { reason }) => {
                    format!("not removable: {}", text(reason))
                }
                Some(crate::report::CleanupState::Left { reason }) => format!("**left**: {}", text(reason)),
                None => "**left**: not cleaned up".to_owned(),
            };
            let _ = writeln!(o, "| {} | `{}` | `{}` | {fate} |", text(&r.kind), code_text(&r.id), code_text(case));
        }
        let _ = writeln!(o);
    } else if !report.created_resources.is_empty() {
        let _ = writeln!(o, "## Created on the target ({})\n", report.created_resources.len());
        let _ = writeln!(o, "This run kept no journal and cleaned nothing up: remove these if they are not wanted.\n");
        for c in &report.created_resources {
            let ids: Vec<String> = c.ids.iter().map(|(k, v)| format!("{} `{}`", text(k), code_text(v))).collect();
            let _ = writeln!(
                o,
                "- `{}`: {} {} → {} {}",
                code_text(&c.case),
                c.method,
                text(&c.url),
                c.status,
                ids.join(", ")
            );
        }
        let _ = writeln!(o);
    }
}

/// The documentation errata the catalogue follows.
fn errata_section(o: &mut String, report: &Report) {
    let _ = writeln!(o, "## Documentation errata ({})\n", report.errata.len());
    if !report.errata.is_empty() {
        let _ = writeln!(o, "| Id | Operation | What is wrong | What hwconform follows | Source |");
        let _ = writeln!(o, "|---|---|---|---|---|");
        for e in &report.errata {
            let _ = writeln!(
                o,
                "| {} | `{}` | {} | {} | {} |",
                cell(&e.id),
                code_text(&e.operation),
                cell(&e.reason),
                cell(&e.decision),
                cell(&source_text(&e.source))
            );
        }
        let _ = writeln!(o);
    }
}

/// How many documented table rows the cases exercise, and which they do not.
fn coverage_section(o: &mut String, report: &Report) {
    let _ = writeln!(o, "## Coverage of documented table rows\n");
    match &report.coverage {
        None => {
            let _ = writeln!(o, "Not computed for this run.");
        }
        Some(cov) => {
            let (covered, total) = coverage_counts(cov);
            let _ = writeln!(o, "{covered} of {total} documented rows are exercised by at least one case.\n");
            let missing: Vec<_> = cov.rows.iter().filter(|r| r.cases == 0).collect();
            if !missing.is_empty() {
                let _ = writeln!(o, "Not exercised:\n");
                for r in missing {
                    let _ = writeln!(o, "- {} · {} · {}", text(&r.page), text(&r.table), text(&r.row));
                }
            }
        }
    }
}

/// The suite's proven bite (`hwconform selftest`) and the rules no case probes.
fn bite_section(o: &mut String, bite: &crate::report::BiteRecord) {
    let _ = writeln!(o, "\n## Bite of the suite\n");
    let _ = writeln!(
        o,
        "{} of {} documented rules are caught: the reference server broken in each alone fails at least one case (`hwconform selftest`).\n",
        bite.caught, bite.rules
    );
    for (op, (caught, rules)) in &bite.operations {
        let _ = writeln!(o, "- `{}`: {caught}/{rules}", code_text(op));
    }
    for (title, list) in [("Not caught", &bite.uncaught), ("No probe", &bite.unprobed)] {
        let _ = writeln!(o);
        if list.is_empty() {
            let _ = writeln!(o, "{title}: none.");
        } else {
            let _ = writeln!(o, "{title} ({}):\n", list.len());
            for rule in list {
                let _ = writeln!(o, "- `{}`", code_text(rule));
            }
        }
    }
}

/// A section listing the cases with `outcome`, each with the reason `why` gives; nothing when none.
fn reasons_section(
    o: &mut String,
    title: &str,
    report: &Report,
    outcome: CaseOutcome,
    why: impl Fn(&CaseResult) -> Option<&str>,
) {
    let cases: Vec<&CaseResult> = report.cases.iter().filter(|c| c.outcome == outcome).collect();
    if cases.is_empty() {
        return;
    }
    let _ = writeln!(o, "## {title} ({})\n", cases.len());
    for case in cases {
        let _ = writeln!(o, "- `{}`: {}", code_text(&case.id), text(why(case).unwrap_or("no reason given")));
    }
    let _ = writeln!(o);
}

/// Text in a paragraph or list item: HTML-significant characters escaped, on one line.
fn text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace(['\r', '\n'], " ")
}

/// Text in a table cell: also escapes the column separator.
fn cell(s: &str) -> String {
    text(s).replace('|', "\\|")
}

/// Text inside a one-backtick code span: backticks and line breaks cannot appear there.
fn code_text(s: &str) -> String {
    s.replace('`', "'").replace(['\r', '\n'], " ").replace('|', "\\|")
}

/// A code span long enough to hold the backticks in `s`.
fn code_span(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ").replace('|', "\\|");
    let ticks = "`".repeat(longest_run(&s, '`') + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') { " " } else { "" };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// A code fence longer than any backtick run in `s`.
fn fence_for(s: &str) -> String {
    "`".repeat((longest_run(s, '`') + 1).max(3))
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_would_break_markdown() {
        assert_eq!(cell("a|b <script>\nc"), "a\\|b &lt;script&gt; c");
        assert_eq!(code_span("x`y"), "``x`y``");
        assert_eq!(fence_for("no ticks"), "```");
        assert_eq!(fence_for("````"), "`````");
    }
}
