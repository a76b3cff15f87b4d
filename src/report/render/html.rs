//! The self-contained HTML report: one file with inline CSS and JavaScript, no external asset,
//! opens offline. Headline verdict per family, the compatibility matrix, then every case (request,
//! response, expectation and findings with their doc source), filterable by outcome and
//! operation; drift, errata and coverage follow. Rendered with askama (templates checked at
//! compile time, every value HTML-escaped). A pure function of the model.

use askama::Template;

use super::family_errors;
use super::matrix::matrix;
use super::view::{expectation_lines, families, outcome_label, overall, source_text, strength_label, verdict_label};
use super::{CaseResult, ExchangeRecord, Report, ReportError, Strength, coverage_counts};

/// Bytes of one body (or drift diff, or finding text) the page shows; report.json keeps more.
const SHOWN: usize = 4 * 1024;
/// Bytes of bodies and diffs the whole page shows; past it, a case's details name report.json
/// instead. With [`SHOWN`] this keeps the page a few MiB whatever the run, so it opens in a browser.
const PAGE_BUDGET: usize = 4 * 1024 * 1024;

/// What is left of the page's budget for bodies and diffs.
struct Budget(usize);

impl Budget {
    /// `text` as shown: cut to [`SHOWN`], or withheld once the page's budget is spent.
    fn show(&mut self, text: &str) -> String {
        if self.0 == 0 {
            return format!("({} bytes not shown: the page's budget is spent; see report.json)", text.len());
        }
        let shown = crate::execute::cut(text, SHOWN.min(self.0));
        self.0 = self.0.saturating_sub(shown.len());
        if shown == text {
            shown
        } else {
            let n = shown.len() - '…'.len_utf8();
            format!("{shown}\n(the first {n} of {} bytes; see report.json)", text.len())
        }
    }
}

/// The report as one HTML page.
pub fn render_html(report: &Report) -> Result<String, ReportError> {
    page(report).render().map_err(|e| ReportError::Render { format: "html".into(), message: e.to_string() })
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page {
    overall: &'static str,
    target: String,
    started_at: String,
    tool: String,
    total: usize,
    passed: usize,
    failed: usize,
    skipped: usize,
    errors: usize,
    drift: usize,
    observations: usize,
    families: Vec<FamilyView>,
    columns: Vec<&'static str>,
    matrix: Vec<(String, Vec<String>)>,
    operations: Vec<String>,
    cases: Vec<CaseView>,
    errata: Vec<ErratumView>,
    coverage: Option<CoverageView>,
    bite: Option<BiteView>,
}

struct BiteView {
    caught: usize,
    rules: usize,
    operations: Vec<(String, usize, usize)>,
    uncaught: Vec<String>,
    unprobed: Vec<String>,
}

struct FamilyView {
    family: String,
    verdict: &'static str,
    core_passed: usize,
    core_failed: usize,
    extended: usize,
    skipped: usize,
    errors: usize,
    skip_reasons: String,
}

struct CaseView {
    id: String,
    operation: String,
    kind: String,
    outcome: &'static str,
    rationale: String,
    expectation: Vec<String>,
    duration_ms: u64,
    mutating: bool,
    skip_reason: Option<String>,
    error: Option<String>,
    findings: Vec<FindingView>,
    sources: Vec<String>,
    exchanges: Vec<ExchangeView>,
    drift: Option<(String, String)>,
}

struct FindingView {
    check: String,
    strength: &'static str,
    message: String,
    expected: Option<String>,
    actual: Option<String>,
    source: String,
}

struct ExchangeView {
    request_line: String,
    request_headers: String,
    request_body: Option<String>,
    status: Option<u16>,
    response_headers: String,
    response_body: Option<String>,
    error: Option<String>,
    duration_ms: u64,
}

struct ErratumView {
    id: String,
    operation: String,
    reason: String,
    decision: String,
    source: String,
}

struct CoverageView {
    covered: usize,
    total: usize,
    missing: Vec<String>,
}

fn page(report: &Report) -> Page {
    let fams = families(report);
    let (columns, rows) = matrix(&report.cases);
    let mut operations: Vec<String> = report.cases.iter().map(|c| c.operation.clone()).collect();
    operations.sort();
    operations.dedup();
    let t = &report.target;
    let mut target = format!("{} (auth: {}", t.profile, t.auth);
    if t.reference_server {
        target.push_str(", reference server");
    }
    if t.fault_injection {
        target.push_str(", fault injection");
    }
    target.push(')');
    let s = &report.summary;
    Page {
        overall: verdict_label(overall(&fams)),
        target,
        started_at: report.started_at.clone(),
        tool: format!("{} {}", report.tool.name, report.tool.version),
        total: s.total,
        passed: s.passed,
        failed: s.failed,
        skipped: s.skipped,
        errors: s.errors,
        drift: s.drift,
        observations: s.observations,
        families: fams
            .iter()
            .map(|f| FamilyView {
                family: f.family.clone(),
                verdict: verdict_label(f.verdict),
                core_passed: f.core_passed,
                core_failed: f.core_failed,
                extended: f.extended_observations,
                skipped: f.skipped,
                errors: family_errors(&report.cases, &f.family),
                skip_reasons: f.skip_reasons.join("; "),
            })
            .collect(),
        columns: columns.iter().map(|c| c.label()).collect(),
        matrix: rows
            .iter()
            .map(|r| (r.operation.clone(), columns.iter().map(|c| r.cell(*c).text()).collect()))
            .collect(),
        operations,
        cases: {
            let mut budget = Budget(PAGE_BUDGET);
            report.cases.iter().map(|c| case_view(c, &mut budget)).collect()
        },
        errata: report
            .errata
            .iter()
            .map(|e| ErratumView {
                id: e.id.clone(),
                operation: e.operation.clone(),
                reason: e.reason.clone(),
                decision: e.decision.clone(),
                source: source_text(&e.source),
            })
            .collect(),
        coverage: report.coverage.as_ref().map(|c| {
            let (covered, total) = coverage_counts(c);
            let missing = c
                .rows
                .iter()
                .filter(|r| r.cases == 0)
                .map(|r| format!("{} · {} · {}", r.page, r.table, r.row))
                .collect();
            CoverageView { covered, total, missing }
        }),
        bite: report.bite.as_ref().map(|b| BiteView {
            caught: b.caught,
            rules: b.rules,
            operations: b.operations.iter().map(|(op, (c, r))| (op.clone(), *c, *r)).collect(),
            uncaught: b.uncaught.clone(),
            unprobed: b.unprobed.clone(),
        }),
    }
}

fn case_view(c: &CaseResult, budget: &mut Budget) -> CaseView {
    let mut findings: Vec<&super::FindingRecord> = c.findings.iter().collect();
    // Failures first: they are what the reader came for.
    findings.sort_by_key(|f| f.strength != Strength::Failure);
    CaseView {
        id: c.id.clone(),
        operation: c.operation.clone(),
        kind: c.kind.clone(),
        outcome: outcome_label(c.outcome),
        rationale: c.rationale.clone(),
        expectation: expectation_lines(c),
        duration_ms: c.duration_ms,
        mutating: c.mutating,
        skip_reason: c.skip_reason.clone(),
        error: c.error.clone(),
        findings: findings
            .into_iter()
            .map(|f| FindingView {
                check: f.check.clone(),
                strength: strength_label(f.strength),
                message: crate::execute::cut(&f.message, SHOWN),
                expected: f.expected.as_deref().map(|t| crate::execute::cut(t, SHOWN)),
                actual: f.actual.as_deref().map(|t| crate::execute::cut(t, SHOWN)),
                source: source_text(&f.source),
            })
            .collect(),
        sources: c.sources.iter().map(source_text).collect(),
        exchanges: c.exchanges.iter().map(|x| exchange_view(x, budget)).collect(),
        drift: c.drift.as_ref().map(|d| (d.snapshot.clone(), budget.show(&d.diff))),
    }
}

fn exchange_view(x: &ExchangeRecord, budget: &mut Budget) -> ExchangeView {
    let headers = |h: &std::collections::BTreeMap<String, String>| {
        h.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n")
    };
    ExchangeView {
        request_line: format!("{} {}", x.request.method, x.request.url),
        request_headers: headers(&x.request.headers),
        request_body: x.request.body.as_deref().map(|b| budget.show(&pretty(b))),
        status: x.response.as_ref().map(|r| r.status),
        response_headers: x.response.as_ref().map(|r| headers(&r.headers)).unwrap_or_default(),
        response_body: x.response.as_ref().and_then(|r| r.body.as_deref()).map(|b| budget.show(&pretty(b))),
        error: x.error.clone(),
        duration_ms: x.duration_ms,
    }
}

/// A JSON body pretty-printed; anything else (or a body past the size worth indenting) as it came.
fn pretty(body: &str) -> String {
    if body.len() > SHOWN {
        return body.to_owned();
    }
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned())
}
