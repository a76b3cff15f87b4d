//! Tests of the reports: renderer snapshots over a fixed result model (`fixtures/reports/sample.json`,
//! with passes, failures, observations, a skip, an error, drift, errata and coverage), escaping,
//! secret redaction across every format, baselines and the gate, diffs, the CLI's exit codes, the
//! HTML report in headless Chromium, and the OpenAPI export's validity.

use std::path::{Path, PathBuf};
use std::process::Command;

use hwconform::catalogue::{Catalogue, Source};
use hwconform::openapi::openapi_document;
use hwconform::report::{
    Baseline, CaseOutcome, DriftRecord, ExchangeRecord, FindingRecord, Format, KnownDeviation, Report, RequestRecord,
    ResponseRecord, Strength, coverage, diff_reports, errata_records, failed_case_ids, family_verdicts, gate,
    parse_report, redact_report, render, render_html, render_json, render_junit, render_markdown, summary_of,
};
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample_text() -> String {
    std::fs::read_to_string(root().join("fixtures/reports/sample.json")).unwrap()
}

fn sample() -> Report {
    parse_report(&sample_text(), "sample.json").unwrap()
}

fn snapshot(name: &str, text: &str) {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s.bind(|| insta::assert_snapshot!(name, text));
}

/// A scratch folder under `target/tmp`, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------- the fixed model

#[test]
fn sample_is_a_consistent_report() {
    let r = sample();
    assert_eq!(r.families, family_verdicts(&r.cases), "stored verdicts follow the documented rule");
    assert_eq!(r.summary, summary_of(&r.cases));
    assert_eq!(r.errata[..], errata_records(&Catalogue::builtin().unwrap())[..r.errata.len()]);
    let s = &r.summary;
    assert_eq!((s.total, s.passed, s.failed, s.skipped, s.errors, s.drift, s.observations), (8, 4, 2, 1, 1, 1, 2));
    // The fixture exercises every shape the renderers must handle.
    assert!(s.passed > 0 && s.failed > 0 && s.skipped > 0 && s.errors > 0 && s.drift > 0 && s.observations > 0);
    assert!(!r.errata.is_empty() && r.coverage.is_some());
}

#[test]
fn json_rendering_is_stable_and_round_trips() {
    let r = sample();
    let text = render_json(&r).unwrap();
    assert_eq!(text, sample_text(), "the committed fixture is the renderer's own output");
    assert_eq!(parse_report(&text, "again").unwrap(), r);
}

#[test]
fn renderers_handle_an_empty_report() {
    let mut r = sample();
    r.cases.clear();
    r.families.clear();
    r.errata.clear();
    r.coverage = None;
    r.summary = summary_of(&r.cases);
    for format in Format::ALL {
        assert!(!render(&r, format).unwrap().is_empty(), "{format}");
    }
    let md = render_markdown(&r);
    assert!(md.contains("**Overall: partial**"), "nothing tested is no success");
    assert!(md.contains("## Failures (0)") && md.contains("Not computed for this run."));
}

#[test]
fn renderers_compute_verdicts_an_older_report_lacks() {
    let full = sample();
    let mut old = full.clone();
    old.families.clear();
    assert_eq!(render_markdown(&old), render_markdown(&full));
    assert_eq!(render_html(&old).unwrap(), render_html(&full).unwrap());
    assert_eq!(render_junit(&old).unwrap(), render_junit(&full).unwrap());
}

// ---------------------------------------------------------------- snapshots

#[test]
fn markdown_snapshot() {
    snapshot("reports__markdown", &render_markdown(&sample()));
}

#[test]
fn junit_snapshot() {
    snapshot("reports__junit", &render_junit(&sample()).unwrap());
}

#[test]
fn html_snapshot() {
    snapshot("reports__html", &render_html(&sample()).unwrap());
}

#[test]
fn junit_maps_outcomes_to_elements() {
    let xml = render_junit(&sample()).unwrap();
    assert!(xml.contains(r#"<testsuites name="hwconform" tests="8" skipped="1" failures="2" errors="1""#), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 5, "one testsuite per operation");
    assert_eq!(xml.matches("<failure ").count(), 2);
    assert_eq!(xml.matches("<error ").count(), 1);
    assert!(xml.contains(r#"<skipped message="the target has no fault injection"/>"#), "{xml}");
    assert!(xml.contains(r#"classname="ges.v2.add_backup""#));
    assert!(xml.contains("source: 000_9944e0bd545224f5.txt · Status Codes · 401 Unauthorized"));
}

#[test]
fn markdown_headline_matrix_and_sections() {
    let md = render_markdown(&sample());
    let pos = |s: &str| md.find(s).unwrap_or_else(|| panic!("missing {s:?}"));
    assert!(pos("**Overall: failure**") < pos("## Verdict per family"));
    assert!(pos("| GeminiDB v3 | **partial** | 1 | 0 | 0 | 0 | 1 |") < pos("## Compatibility matrix"));
    assert!(
        md.contains(
            "| Operation | status | schema | envelope | error codes | auth | validation | pagination | flows |"
        )
    );
    assert!(md.contains("| `ges.v2.add_backup` | ✓1 ✗1 | ✓1 | ✗1 | — | ✓1 | — | — | — |"));
    assert!(pos("## Failures (2)") < pos("## Drift (1)"));
    assert!(pos("## Drift (1)") < pos("## Documentation errata (3)"));
    assert!(md.contains("7 of 9 documented rows are exercised"));
}

// ---------------------------------------------------------------- HTML

#[test]
fn html_escapes_hostile_content_and_is_self_contained() {
    let mut r = sample();
    let payload = r#"<script>alert("pwned")</script>"#;
    r.cases[0].rationale = payload.into();
    r.cases[0].exchanges[0].response.as_mut().unwrap().body = Some(format!("<html>{payload}</html>"));
    r.cases[1].findings[0].message = format!("\"'><img src=x onerror=alert(1)>{payload}");
    let html = render_html(&r).unwrap();
    assert!(!html.contains(payload), "a <script> from the target must never reach the page unescaped");
    assert!(!html.contains("<img src=x"));
    assert!(
        html.contains("&#60;script&#62;alert(&#34;pwned&#34;)&#60;/script&#62;") || html.contains("&lt;script&gt;")
    );
    assert_eq!(html.matches("<script>").count(), 1, "only the report's own inline script");
    let plain = render_html(&sample()).unwrap();
    for external in ["<link", "src=", "@import", "url(", "<iframe", "<img"] {
        assert!(!plain.contains(external), "external asset marker {external:?} in the page");
    }
    for link in plain.split("href=\"").skip(1) {
        assert!(link.starts_with('#'), "only links inside the page: {}", &link[..link.len().min(40)]);
    }
}

#[test]
fn markdown_escapes_hostile_content() {
    let mut r = sample();
    r.cases[1].findings[0].message = "<script>x</script> | broken".into();
    let md = render_markdown(&r);
    assert!(!md.contains("<script>"));
    assert!(md.contains("&lt;script&gt;x&lt;/script&gt;"));
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HWCONFORM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn headless(browser: &Path, profile: &Path, extra: &[String], url: &str) -> std::process::Output {
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.extend(extra.iter().cloned());
    args.push(url.to_owned());
    Command::new(browser).args(&args).output().unwrap()
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED html_report_renders_in_headless_chromium: chromium is not installed \
             (run scripts/install-test-deps.sh, or set HWCONFORM_CHROMIUM)"
        );
        return;
    };
    let dir = scratch("html-report");
    let written = hwconform::report::write_reports(&sample(), &dir, &[Format::Html]).unwrap();
    let url = format!("file://{}", written[0].display());

    let dom = headless(&browser, &dir.join("profile-1"), &["--dump-dom".into()], &url);
    if !dom.status.success() && dom.stdout.is_empty() {
        // The browser itself cannot start here (a broken install, no shared memory …): that is
        // no verdict on the report.
        let err = String::from_utf8_lossy(&dom.stderr);
        eprintln!(
            "SKIPPED html_report_renders_in_headless_chromium: {} did not start: {}",
            browser.display(),
            err.trim()
        );
        return;
    }
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains(r#"data-ready="1""#), "the report's script did not run:\n{dom}");
    for (id, n) in [("sum-total", 8), ("sum-passed", 4), ("sum-failed", 2), ("sum-skipped", 1), ("sum-errors", 1)] {
        assert!(dom.contains(&format!(r#"id="{id}">{n}<"#)), "{id} should read {n}");
    }
    assert!(dom.contains(r#"<b id="shown">8</b> of <b id="case-count">8</b>"#), "script-computed counts");

    // Filters preset from the fragment: only failed and could-not-test cases stay visible.
    let filtered =
        headless(&browser, &dir.join("profile-2"), &["--dump-dom".into()], &format!("{url}#outcome=failed,error"));
    let filtered = String::from_utf8_lossy(&filtered.stdout);
    assert!(filtered.contains(r#"<b id="shown">3</b> of <b id="case-count">8</b>"#), "filtering by outcome");
    let tags: Vec<&str> =
        filtered.split("<details class=\"case\"").skip(1).map(|t| t.split('>').next().unwrap_or("")).collect();
    assert_eq!(tags.len(), 8);
    for tag in tags {
        let visible = tag.contains(r#"data-outcome="failed""#) || tag.contains(r#"data-outcome="error""#);
        assert_eq!(!tag.contains("hidden"), visible, "{tag}");
    }

    let drift = headless(&browser, &dir.join("profile-4"), &["--dump-dom".into()], &format!("{url}#drift=1"));
    let drift = String::from_utf8_lossy(&drift.stdout);
    assert!(drift.contains(r#"<b id="shown">1</b> of <b id="case-count">8</b>"#), "filtering by drift");

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report.png");
    let _ = std::fs::remove_file(&shot);
    let out = headless(
        &browser,
        &dir.join("profile-3"),
        &[format!("--screenshot={}", shot.display()), "--window-size=1280,900".into()],
        &url,
    );
    assert!(shot.exists(), "no screenshot: {}", String::from_utf8_lossy(&out.stderr));
    eprintln!("screenshot of the HTML report: {}", shot.display());
}

// ---------------------------------------------------------------- secrets

const SECRETS: [&str; 4] = ["tok-S3CRET-7f3a9c", "AKSECRETAK123", "skSECRETsk456", "sig0123456789abcdefSECRET"];

fn leaky() -> Report {
    let [token, ak, sk, sig] = SECRETS;
    let mut r = sample();
    r.target.endpoints.insert("GES".into(), format!("https://ges.example.invalid/?token={token}"));
    let case = &mut r.cases[1];
    case.rationale = format!("uses token {token}");
    case.findings[0].message = format!("the server echoed {token}");
    case.findings[0].actual = Some(format!("{{\"token\":\"{token}\"}}"));
    case.error = Some(format!("signing with {sk} failed"));
    case.exchanges.push(ExchangeRecord {
        request: RequestRecord {
            method: "POST".into(),
            url: format!("https://ges.example.invalid/v2/p/graphs?ak={ak}"),
            headers: [
                (
                    "authorization".to_owned(),
                    format!("SDK-HMAC-SHA256 Access={ak}, SignedHeaders=host, Signature={sig}"),
                ),
                ("x-auth-token".to_owned(), token.to_owned()),
                (format!("x-debug-{ak}"), "1".to_owned()),
                ("cookie".to_owned(), "session=unlisted-but-a-credential".to_owned()),
            ]
            .into(),
            body: Some(format!("{{\"sk\":\"{sk}\"}}")),
        },
        response: Some(ResponseRecord {
            status: 401,
            headers: [("x-echo".to_owned(), sig.to_owned())].into(),
            body: Some(format!("{{\"error_msg\":\"bad token {token}\"}}")),
            body_size: Some(40),
            body_sha256: None,
            body_truncated: false,
        }),
        error: Some(format!("retry with {ak}")),
        transport_error: None,
        retries: 1,
        duration_ms: 1,
    });
    case.waits.push(hwconform::report::WaitRecord {
        what: format!("backup made with {token}"),
        duration_ms: 5,
        polls: 2,
        settled: Some(format!("success {sk}")),
    });
    r.resources.push(hwconform::report::ResourceRecord {
        kind: "backup".into(),
        id: format!("b-{ak}"),
        operation: Some(format!("op {token}")),
        provenance: hwconform::report::Provenance::Created { case: format!("case {sk}") },
        cleanup: Some(hwconform::report::CleanupState::Left { reason: format!("refused for {ak}") }),
    });
    case.drift = Some(DriftRecord { snapshot: "s.snap".into(), diff: format!("+ {sig}\n") });
    r.cases[4].skip_reason = Some(format!("no fault injection for {ak}"));
    r
}

#[test]
fn no_secret_survives_in_any_format() {
    let report = redact_report(&leaky(), &SECRETS);
    for format in Format::ALL {
        let text = render(&report, format).unwrap();
        for secret in SECRETS {
            assert!(!text.contains(secret), "{format} output contains a secret");
        }
        assert!(text.contains("***"), "{format} output shows where a secret was");
        assert!(!text.contains("unlisted-but-a-credential"), "{format}: credential headers are masked by name");
    }
    // Percent-encoded in a URL, a secret is still found.
    let mut r = sample();
    r.cases[0].exchanges[0].request.url.push_str("?sig=a%2Bb%2Fc%3D");
    let url = &redact_report(&r, &["a+b/c="]).cases[0].exchanges[0].request.url;
    assert!(url.ends_with("?sig=***"), "{url}");
    // Without redaction the same report does leak: the scan above can fail.
    let raw = render_markdown(&leaky()) + &render_html(&leaky()).unwrap();
    assert!(SECRETS.iter().all(|s| raw.contains(s)));
}

#[test]
fn redaction_reaches_every_string_of_the_model() {
    let secret = "ZZ-S3CRET-ZZ";
    let base = serde_json::to_value(sample()).unwrap();
    let mut paths = Vec::new();
    string_leaves(&base, String::new(), &mut paths);
    assert!(paths.len() > 100, "the sample has many strings: {}", paths.len());
    let mut checked = 0;
    for path in &paths {
        let mut v = base.clone();
        if let Some(Value::String(s)) = v.pointer_mut(path) {
            s.push_str(secret);
        }
        // A string that is an enum value no longer parses: that string cannot hold a secret.
        let Ok(mutated) = serde_json::from_value::<Report>(v) else { continue };
        checked += 1;
        let out = render_json(&redact_report(&mutated, &[secret])).unwrap();
        assert!(!out.contains(secret), "the secret at {path} survives redaction");
    }
    assert!(checked > 100);
}

fn string_leaves(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::String(_) => out.push(path),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, x)| string_leaves(x, format!("{path}/{i}"), out)),
        Value::Object(map) => {
            for (k, x) in map {
                string_leaves(x, format!("{path}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------- baselines and the gate

#[test]
fn a_baseline_written_from_a_report_gates_it_green() {
    let r = sample();
    let b = Baseline::parse(&Baseline::from_report(&r).to_toml(), "b.toml").unwrap();
    assert_eq!(b.known.iter().map(|k| k.case.clone()).collect::<Vec<_>>(), failed_case_ids(&r));
    assert!(b.known[0].reason.contains("Status Codes · 401 Unauthorized"), "reason cites the doc source");
    let g = gate(&r, &b);
    assert!(g.passed, "{g:?}");
    assert_eq!(g.known_failures.len(), 3);
    assert!(g.new_failures.is_empty() && g.stale.is_empty());
}

#[test]
fn gate_fails_on_a_new_failure() {
    let r = sample();
    let mut b = Baseline::from_report(&r);
    let dropped = b.known.remove(0);
    let g = gate(&r, &b);
    assert!(!g.passed);
    assert_eq!(g.new_failures, vec![dropped.case.clone()]);
    assert!(g.render_text(&r).contains(&format!("✗ {}", dropped.case)));
}

#[test]
fn gate_fails_on_a_stale_entry_and_reports_unrun_ones() {
    let r = sample();
    let mut b = Baseline::from_report(&r);
    let passing = "ges.v1.add_backup/positive/documented_example";
    b.known.push(KnownDeviation { case: passing.into(), reason: "was broken last month".into() });
    b.known.push(KnownDeviation { case: "ges.v1.list_backups/fault/internal_error".into(), reason: "skipped".into() });
    b.known.push(KnownDeviation { case: "gone/case".into(), reason: "removed".into() });
    let g = gate(&r, &b);
    assert!(!g.passed, "a listed case that passes makes the baseline stale");
    assert_eq!(g.stale, vec![passing.to_owned()]);
    assert_eq!(g.not_run, vec!["ges.v1.list_backups/fault/internal_error".to_owned(), "gone/case".to_owned()]);
    assert!(g.new_failures.is_empty());
}

#[test]
fn failed_case_ids_lists_failures_and_errors_in_order() {
    assert_eq!(
        failed_case_ids(&sample()),
        vec![
            "ges.v2.add_backup/auth/missing_token",
            "ges.v1.list_backups/pagination/limit_and_offset",
            "geminidb.v3.create_backup/positive/documented_example"
        ]
    );
}

// ---------------------------------------------------------------- diff

fn changed() -> Report {
    let mut new = sample();
    // A pass becomes a failure (regression); a failure passes (fix); an error becomes a skip.
    let reg = &mut new.cases[0];
    reg.outcome = CaseOutcome::Failed;
    reg.findings.push(FindingRecord {
        check: "schema".into(),
        strength: Strength::Failure,
        message: "backup_id is missing".into(),
        source: Source::new("000_9944e0bd545224f5.txt", "Status code: 200", "backup_id"),
        expected: None,
        actual: None,
    });
    new.cases[1].outcome = CaseOutcome::Passed;
    new.cases[1].findings.clear();
    new.cases[6].outcome = CaseOutcome::Skipped;
    // Drift: resolved on one case, appears on another.
    new.cases[3].drift = None;
    new.cases[2].drift = Some(DriftRecord { snapshot: "s".into(), diff: "-a\n+b\n".into() });
    // A case removed, a new one (failing) added.
    new.cases.remove(7);
    let mut added = new.cases[5].clone();
    added.id = "ges.v1.add_backup/violation/new".into();
    added.outcome = CaseOutcome::Failed;
    new.cases.push(added);
    new
}

#[test]
fn diff_finds_regressions_fixes_cases_and_drift() {
    let (old, new) = (sample(), changed());
    let d = diff_reports(&old, &new);
    let ids = |v: &[hwconform::report::OutcomeChange]| v.iter().map(|c| c.case.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&d.new_failures),
        vec!["ges.v1.add_backup/violation/new", "ges.v2.add_backup/positive/documented_example"]
    );
    assert!(d.new_failures[1].reason.contains("backup_id is missing"));
    assert_eq!(ids(&d.fixes), vec!["ges.v2.add_backup/auth/missing_token"]);
    assert_eq!(ids(&d.other_changes), vec!["geminidb.v3.create_backup/positive/documented_example"]);
    assert_eq!(d.new_cases, vec!["ges.v1.add_backup/violation/new"]);
    assert_eq!(d.removed_cases, vec!["geminidb.v3.create_backup/violation/name/pattern"]);
    assert_eq!(d.drift_appeared, vec!["ges.v2.export_backup/violation/export_path/missing"]);
    assert_eq!(d.drift_resolved, vec!["ges.v1.list_backups/pagination/limit_and_offset"]);
    assert!(d.has_regressions());
    snapshot("reports__diff_text", &d.render_text(&old, &new));

    let same = diff_reports(&old, &old);
    assert!(!same.has_regressions() && same.fixes.is_empty() && same.new_cases.is_empty());
}

// ---------------------------------------------------------------- the command line

fn hwconform(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hwconform")).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn cli_diff_exit_codes() {
    let dir = scratch("cli-diff");
    let old = write(&dir, "old.json", &sample_text());
    let new = write(&dir, "new.json", &render_json(&changed()).unwrap());
    let bad = write(&dir, "bad.json", "{ not json");

    let (code, out, _) = hwconform(&["diff", &old, &new]);
    assert_eq!(code, 1, "regressions exit 1");
    assert!(out.contains("Regressions (2):") && out.contains("Result: 2 regressions"), "{out}");
    let (code, out, _) = hwconform(&["diff", &new, &old]);
    assert_eq!(code, 1, "the way back regresses the fixed case");
    assert!(out.contains("Fixes (1):"), "{out}");
    let (code, out, _) = hwconform(&["diff", &old, &old]);
    assert_eq!((code, out.contains("Result: no regressions")), (0, true));
    let (code, out, _) = hwconform(&["diff", "--json", &old, &new]);
    assert_eq!(code, 1);
    assert!(serde_json::from_str::<Value>(&out).unwrap()["new_failures"].is_array());

    let (code, out, err) = hwconform(&["diff", &old, &bad]);
    assert_eq!((code, out.as_str()), (2, ""), "unreadable input exits 2");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("bad.json") && err.contains("invalid JSON"), "{err}");
    let (code, _, err) = hwconform(&["diff", &old, "/nonexistent.json"]);
    assert_eq!(code, 2);
    assert_eq!(err.trim(), "hwconform: failed to read /nonexistent.json: no such file or directory");
}

#[test]
fn cli_report_renders_and_gates() {
    let dir = scratch("cli-report");
    let report = write(&dir, "report.json", &sample_text());
    let out_dir = dir.join("out");
    let out_dir_s = out_dir.display().to_string();
    let (code, out, err) = hwconform(&["report", &report, "--format", "markdown,html,junit,json", "--out", &out_dir_s]);
    assert_eq!(code, 0, "{err}");
    for f in ["report.md", "report.html", "junit.xml", "report.json"] {
        assert!(out.contains(f), "{out}");
        assert!(out_dir.join(f).exists());
    }
    assert_eq!(std::fs::read_to_string(out_dir.join("report.json")).unwrap(), sample_text());

    let (code, baseline, _) = hwconform(&["baseline", &report]);
    assert_eq!(code, 0);
    let good = write(&dir, "baseline.toml", &baseline);
    let (code, out, _) = hwconform(&["report", &report, "--out", &out_dir_s, "--baseline", &good]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Gate: passed"), "{out}");

    let partial: String = baseline.split("\n[[known]]").take(2).collect::<Vec<_>>().join("\n[[known]]");
    let partial = write(&dir, "partial.toml", &partial);
    let (code, out, _) = hwconform(&["report", &report, "--out", &out_dir_s, "--baseline", &partial]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Gate: FAILED (2 new failures, 0 stale entries)"), "{out}");

    let (code, _, err) = hwconform(&["report", &report, "--format", "pdf"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown format \"pdf\""), "{err}");
    let (code, _, err) = hwconform(&["report", &report, "--out", &out_dir_s, "--baseline", "/nonexistent.toml"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    let (code, _, err) = hwconform(&["openapi", "--out", "/nonexistent/dir/openapi.json"]);
    assert_eq!(code, 2);
    assert_eq!(err.trim(), "hwconform: failed to write /nonexistent/dir/openapi.json: no such file or directory");
}

#[test]
fn cli_baseline_keeps_reasons() {
    let dir = scratch("cli-baseline");
    let report = write(&dir, "report.json", &sample_text());
    let old = write(
        &dir,
        "old.toml",
        "version = 1\n[[known]]\ncase = \"ges.v2.add_backup/auth/missing_token\"\nreason = \"TICKET-12: gateway answers 403\"\n",
    );
    let (code, out, _) = hwconform(&["baseline", &report, "--keep-reasons", &old]);
    assert_eq!(code, 0);
    let b = Baseline::parse(&out, "stdout").unwrap();
    assert_eq!(b.known.len(), 3);
    assert_eq!(b.known[0].reason, "TICKET-12: gateway answers 403");
}

// ---------------------------------------------------------------- coverage

#[test]
fn coverage_of_the_catalogue_counts_cited_rows() {
    let cat = Catalogue::builtin().unwrap();
    let cov = coverage(&cat, &sample().cases);
    let total: usize = cat.rows().iter().flat_map(|p| &p.tables).map(|t| t.rows.len()).sum();
    assert_eq!(cov.rows.len(), total);
    let get = |page: &str, table: &str, row: &str| {
        cov.rows.iter().find(|r| r.page == page && r.table == table && r.row == row).map(|r| r.cases)
    };
    assert_eq!(get("000_9944e0bd545224f5.txt", "Request Parameters", "X-Auth-Token"), Some(2));
    // `Status code: 200 · *` covers each member row of that table.
    assert_eq!(get("000_9944e0bd545224f5.txt", "Status code: 200", "backup_id"), Some(1));
    assert_eq!(get("003_87c3994e58ef1f84.txt", "表3 异常返回值说明", "503 Service Unavailable"), Some(0));
}

// ---------------------------------------------------------------- OpenAPI

fn openapi() -> Value {
    openapi_document(&Catalogue::builtin().unwrap())
}

fn oas_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("fixtures/openapi/oas-3.1-schema-2022-10-07.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    // Formats stay annotations, as the OpenAPI Initiative runs its own schema: its `uri-reference`
    // would otherwise refuse every templated server URL (`https://{endpoint}`) the spec allows.
    jsonschema::draft202012::options().build(&schema).unwrap()
}

#[test]
fn openapi_document_is_valid_openapi_3_1() {
    let doc = openapi();
    let v = oas_validator();
    let errors: Vec<String> = v.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator can fail: a document without info is refused.
    let mut broken = doc.clone();
    broken.as_object_mut().unwrap().remove("info");
    assert!(!v.is_valid(&broken));
    broken = doc;
    broken["paths"]["/v2/{project_id}/graphs/{graph_id}/backups"]["post"]["responses"]["200"]
        .as_object_mut()
        .unwrap()
        .remove("description");
    assert!(!v.is_valid(&broken), "a response without description is refused");
}

#[test]
fn openapi_json_is_the_document_with_openapi_first() {
    let cat = Catalogue::builtin().unwrap();
    let text = hwconform::openapi::openapi_json(&cat);
    assert!(text.starts_with("{\n  \"openapi\": \"3.1.0\",\n  \"jsonSchemaDialect\""), "{}", &text[..80]);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), openapi_document(&cat));
    let (code, out, _) = hwconform(&["openapi"]);
    assert_eq!((code, out), (0, text));
}

#[test]
fn openapi_covers_every_operation_status_and_source() {
    let cat = Catalogue::builtin().unwrap();
    let doc = openapi_document(&cat);
    for op in cat.operations() {
        let m = &op.meta;
        let o = &doc["paths"][&m.path][m.method.to_ascii_lowercase()];
        assert_eq!(o["operationId"], json!(m.id.as_str()));
        for status in op.documented_statuses() {
            let r = &o["responses"][status.to_string()];
            assert!(r["description"].is_string(), "{} {status}", m.id);
            assert!(!r["x-source"].as_array().unwrap().is_empty(), "{} {status} has a source", m.id);
        }
        for p in o["parameters"].as_array().unwrap() {
            assert!(p["x-source"]["page"].is_string(), "{}: {p}", m.id);
        }
        for e in &m.error_examples {
            let ex = &o["responses"][e.status.to_string()]["content"]["application/json"]["examples"][&e.code];
            assert_eq!(ex["summary"], json!(e.message), "{} {}", m.id, e.code);
        }
        assert_eq!(o["security"], json!([{ "token": [] }]));
    }
    assert_eq!(doc["x-errata"].as_array().unwrap().len(), cat.errata().len());
}

#[test]
fn openapi_examples_validate_against_their_schemas_through_the_rewritten_refs() {
    let doc = openapi();
    let base = "https://openapi.hwconform.invalid/openapi.json";
    let registry = jsonschema::Registry::new().add(base, doc.clone()).unwrap().prepare().unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, o) in item.as_object().unwrap().iter().filter(|(k, _)| *k != "servers") {
            let mut contents: Vec<&Value> = vec![&o["requestBody"]["content"]["application/json"]];
            contents.extend(o["responses"].as_object().unwrap().values().map(|r| &r["content"]["application/json"]));
            for content in contents.into_iter().filter(|c| c.is_object()) {
                let reference = content["schema"]["$ref"].as_str().unwrap();
                let schema = json!({ "$ref": format!("{base}{reference}") });
                let v = jsonschema::draft202012::options()
                    .should_validate_formats(true)
                    .with_registry(&registry)
                    .build(&schema)
                    .unwrap_or_else(|e| panic!("{method} {path}: {reference} does not resolve: {e}"));
                for (name, ex) in content["examples"].as_object().into_iter().flatten() {
                    let errors: Vec<String> = v.iter_errors(&ex["value"]).map(|e| e.to_string()).collect();
                    assert!(errors.is_empty(), "{method} {path} example {name}: {errors:?}");
                    checked += 1;
                }
                // And the schema can fail: an empty object is no documented body.
                // (Unless the page makes every member optional, as a 200 whose members "may be left blank".)
                let required = doc.pointer(reference.trim_start_matches('#')).and_then(|s| s["required"].as_array());
                let optional_only = required.is_none_or(Vec::is_empty);
                assert!(
                    !v.is_valid(&json!({ "unexpected": [] })) || reference.contains("request") || optional_only,
                    "{reference}"
                );
            }
        }
    }
    assert!(checked >= 10, "examples checked: {checked}");
}

#[test]
fn openapi_passes_openapi_spec_validator_when_available() {
    let probe = Command::new("python3").args(["-c", "import openapi_spec_validator"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "SKIPPED openapi_passes_openapi_spec_validator_when_available: python3 with openapi-spec-validator is \
             not installed (pip install openapi-spec-validator, or scripts/install-test-deps.sh)"
        );
        return;
    }
    let dir = scratch("openapi-python");
    let file = write(&dir, "openapi.json", &serde_json::to_string_pretty(&openapi()).unwrap());
    let out = Command::new("python3").args(["-m", "openapi_spec_validator", &file]).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}
