//! JUnit XML for CI systems, built with quick-junit: one `<testsuite>` per operation, one
//! `<testcase>` per case (classname = operation). A contract failure is `<failure>`, a case that
//! could not be tested is `<error>`, a skipped case is `<skipped>` with its reason. Findings,
//! rationale and doc sources go in the message and `<system-out>`. A pure function of the model.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::view::{families, source_text, strength_label, verdict_label};
use super::{CaseOutcome, CaseResult, Report, ReportError, Strength};

/// The report as JUnit XML.
pub fn render_junit(report: &Report) -> Result<String, ReportError> {
    let mut junit = quick_junit::Report::new("hwconform");
    let started = chrono::DateTime::parse_from_rfc3339(&report.started_at).ok();
    if let Some(t) = started {
        junit.set_timestamp(t);
    }
    let mut by_operation: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
    for case in &report.cases {
        by_operation.entry(case.operation.as_str()).or_default().push(case);
    }
    let families = families(report);
    let mut total = Duration::ZERO;
    for (operation, cases) in by_operation {
        let mut suite = TestSuite::new(operation);
        if let Some(t) = started {
            suite.set_timestamp(t);
        }
        if let Some(family) = cases.first().map(|c| c.family.as_str()) {
            suite.add_property(Property::new("family", family));
            if let Some(v) = families.iter().find(|f| f.family == family) {
                suite.add_property(Property::new("family-verdict", verdict_label(v.verdict)));
            }
        }
        suite.add_property(Property::new("target", report.target.profile.as_str()));
        suite.add_property(Property::new("auth", report.target.auth.as_str()));
        let mut time = Duration::ZERO;
        for case in cases {
            time += Duration::from_millis(case.duration_ms);
            suite.add_test_case(test_case(case));
        }
        suite.set_time(time);
        total += time;
        junit.add_test_suite(suite);
    }
    junit.set_time(total);
    junit.to_string().map_err(|e| ReportError::Render { format: "junit".into(), message: e.to_string() })
}

fn test_case(case: &CaseResult) -> TestCase {
    let failures: Vec<_> = case.findings.iter().filter(|f| f.strength == Strength::Failure).collect();
    let status = match case.outcome {
        CaseOutcome::Passed => TestCaseStatus::success(),
        CaseOutcome::Failed => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            match failures.first() {
                Some(first) => {
                    let more = match failures.len() {
                        1 => String::new(),
                        n => format!(" (and {} more)", n - 1),
                    };
                    status.set_message(format!("{}: {}{more}", first.check, first.message));
                    status.set_type(first.check.as_str());
                }
                None => {
                    status.set_message("the case failed");
                }
            }
            let mut description = String::new();
            for f in &failures {
                let _ = writeln!(description, "{}: {}", f.check, f.message);
                if let Some(e) = &f.expected {
                    let _ = writeln!(description, "  expected: {e}");
                }
                if let Some(a) = &f.actual {
                    let _ = writeln!(description, "  actual: {a}");
                }
                let _ = writeln!(description, "  source: {}", source_text(&f.source));
            }
            status.set_description(description);
            status
        }
        CaseOutcome::Error => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(case.error.as_deref().unwrap_or("could not test"));
            status.set_type("error");
            status
        }
        CaseOutcome::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(case.skip_reason.as_deref().unwrap_or("skipped"));
            status
        }
    };
    let mut tc = TestCase::new(case.id.as_str(), status);
    tc.set_classname(case.operation.as_str());
    tc.set_time(Duration::from_millis(case.duration_ms));
    tc.add_property(Property::new("kind", case.kind.as_str()));
    tc.set_system_out(system_out(case));
    tc
}

fn system_out(case: &CaseResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", case.rationale);
    let _ = writeln!(out, "kind: {}{}", case.kind, if case.mutating { " (mutating)" } else { "" });
    for s in &case.sources {
        let _ = writeln!(out, "source: {}", source_text(s));
    }
    for f in &case.findings {
        let _ =
            writeln!(out, "{} [{}]: {} ({})", f.check, strength_label(f.strength), f.message, source_text(&f.source));
    }
    for x in &case.exchanges {
        let status = x.response.as_ref().map_or_else(|| "no response".to_owned(), |r| r.status.to_string());
        let _ = writeln!(out, "exchange: {} {} -> {status} in {} ms", x.request.method, x.request.url, x.duration_ms);
    }
    if let Some(d) = &case.drift {
        let _ = writeln!(out, "drift from {}:\n{}", d.snapshot, d.diff.trim_end());
    }
    out
}
