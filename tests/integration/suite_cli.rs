//! `hwconform run` and `hwconform cases` as a user calls them: exit codes, one-line errors,
//! report files, and no token in anything written.

use std::process::Command;

fn hwconform() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hwconform"));
    c.env_remove("HWCONFORM_TARGET").env_remove("RUST_LOG");
    c
}

#[test]
fn run_against_the_in_process_reference_server_writes_the_reports_and_exits_0() {
    let dir = std::env::temp_dir().join(format!("hwconform-suite-cli-{}", std::process::id()));
    let out = hwconform()
        .args(["run", "--only", "auth", "--concurrency", "4", "--report-dir"])
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    // Five auth cases per operation (eight operations): absent, wrong, and three near-miss tokens.
    assert!(stdout.contains("40 cases against reference: 40 passed, 0 failed"), "{stdout}");
    let report = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(json["summary"]["total"], 40);
    assert_eq!(json["summary"]["drift"], 0, "the committed snapshots match");
    for file in ["junit.xml", "report.md", "report.html"] {
        assert!(dir.join(file).exists(), "{file}");
    }
    for file in ["report.json", "junit.xml", "report.md", "report.html"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(!text.contains(hwconform::server::DEFAULT_TOKEN), "the token leaked into {file}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_exits_2_with_one_line() {
    for args in [
        vec!["run", "--profile", "/nonexistent/profile.toml"],
        vec!["run", "--only", "no-such-case"],
        vec!["run", "--target", "http://127.0.0.1:9", "--token-env", "HWCONFORM_SUITE_CLI_UNSET"],
    ] {
        let out = hwconform().args(&args).env_remove("HWCONFORM_SUITE_CLI_UNSET").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("hwconform: failed to "), "{stderr}");
    }
}

#[test]
fn an_unreachable_target_exits_2() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let out = hwconform()
        .args(["run", "--only", "positive/example", "--target", &format!("http://{addr}"), "--token-env", "HWC_T"])
        .args(["--project-id", "hwcunreachable", "--graph-id", "g1", "--instance-id", "i1"])
        // A realistic token: value-based redaction masks every occurrence, so a one-letter token
        // would mask every "t" of the message.
        .env("HWC_T", "hwc-unreachable-token")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("failed to get an answer from the target"), "{stderr}");
    assert!(stderr.contains("connect to the target"), "{stderr}");
    assert!(!stderr.contains("hwc-unreachable-token"), "{stderr}");
}

#[test]
fn cases_lists_id_kind_and_rationale() {
    let out = hwconform().args(["cases", "--only", "ges.v2.add_backup/auth"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    assert!(lines[0].starts_with("ges.v2.add_backup/auth/missing_token\tauth\t"), "{stdout}");
}

/// A scratch folder under `target/tmp`, emptied first.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("suite-cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(out: &std::process::Output) -> (Option<i32>, String, String) {
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn format_writes_only_the_formats_asked_for() {
    let dir = scratch("format");
    let out = hwconform()
        .args(["run", "--only", "ges.v2.add_backup/auth", "--format", "junit,json", "--report-dir"])
        .arg(&dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let (code, stdout, stderr) = text(&out);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    let mut files: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    assert_eq!(files, ["junit.xml", "report.json"]);
    assert!(stdout.contains("wrote ") && stdout.contains("junit.xml"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    for case in json["cases"].as_array().unwrap() {
        let steps = case["expectation"]["steps"].as_array().unwrap_or_else(|| panic!("no expectation: {case}"));
        assert!(!steps.is_empty() && steps.iter().all(|s| s["envelope"].is_string()), "{case}");
    }
}

#[test]
fn bad_flags_and_files_exit_2_with_one_line_before_running() {
    let missing = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-dir/report.json");
    let missing = missing.to_string_lossy();
    for (args, want) in [
        (vec!["run", "--format", "json,pdf", "--report-dir", "/tmp/x"], "\"pdf\""),
        (vec!["run", "--format", "json"], "--format needs --report-dir"),
        (vec!["run", "--baseline", &missing], "no such file"),
        (vec!["run", "--rerun-failed", &missing], "no such file"),
    ] {
        let (code, _, stderr) = text(&hwconform().args(&args).output().unwrap());
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("hwconform: failed to ") && stderr.contains(want), "{args:?}: {stderr}");
    }
}

#[test]
fn a_baseline_entry_that_now_passes_is_stale_and_fails_the_gate() {
    let dir = scratch("stale");
    let baseline = dir.join("baseline.toml");
    std::fs::write(
        &baseline,
        "version = 1\n[[known]]\ncase = \"ges.v2.add_backup/auth/missing_token\"\nreason = \"used to answer 403\"\n",
    )
    .unwrap();
    let out = hwconform()
        .args(["run", "--only", "ges.v2.add_backup/auth/missing_token", "--baseline"])
        .arg(&baseline)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let (code, stdout, stderr) = text(&out);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 cases against reference: 1 passed"), "{stdout}");
    assert!(stdout.contains("now passing") && stdout.contains("✓ ges.v2.add_backup/auth/missing_token"), "{stdout}");
    assert!(stdout.contains("Gate: FAILED (0 new failures, 1 stale entries)"), "{stdout}");
}

#[test]
fn rerun_failed_runs_exactly_the_failed_cases_still_generated() {
    let dir = scratch("rerun");
    let sample = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/reports/sample.json")).unwrap();
    let mut report: serde_json::Value = serde_json::from_str(&sample).unwrap();
    // The sample fails three cases: two ids the generator still makes, one it no longer does.
    for case in report["cases"].as_array_mut().unwrap() {
        if case["id"] == "geminidb.v3.create_backup/positive/documented_example" {
            case["id"] = "geminidb.v3.create_backup/positive/example".into();
        }
    }
    let failed: Vec<&str> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "failed" || c["outcome"] == "error")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        [
            "ges.v2.add_backup/auth/missing_token",
            "ges.v1.list_backups/pagination/limit_and_offset",
            "geminidb.v3.create_backup/positive/example"
        ]
    );
    let old = dir.join("old.json");
    std::fs::write(&old, report.to_string()).unwrap();
    let new_dir = dir.join("new");
    let out = hwconform()
        .args(["run", "--rerun-failed"])
        .arg(&old)
        .arg("--report-dir")
        .arg(&new_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let (code, stdout, stderr) = text(&out);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("2 cases against reference: 2 passed"), "{stdout}");
    assert!(stderr.contains("1 failed case(s)") && stderr.contains("limit_and_offset"), "{stderr}");
    let new: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(new_dir.join("report.json")).unwrap()).unwrap();
    let ran: Vec<&str> = new["cases"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ran, ["geminidb.v3.create_backup/positive/example", "ges.v2.add_backup/auth/missing_token"]);
    // A report where nothing failed: nothing to rerun, and that is not an error.
    let (code, stdout, _) =
        text(&hwconform().args(["run", "--rerun-failed"]).arg(new_dir.join("report.json")).output().unwrap());
    assert_eq!(code, Some(0));
    assert!(stdout.contains("nothing to rerun"), "{stdout}");
}

/// A reference server accepting only `accepted`, started on 127.0.0.1:0 by the caller's runtime.
async fn server_with_token(accepted: &str) -> hwconform::server::RunningServer {
    let config = hwconform::server::ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        tokens: vec![accepted.to_owned()],
        backup_delay: std::time::Duration::ZERO,
        ..hwconform::server::ServerConfig::default()
    };
    hwconform::server::spawn(config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_flag_authenticates_never_leaks_and_the_gate_passes_known_failures_only() {
    let server = server_with_token("right-t0ken-value").await;
    let base = server.base_url();
    let graph = hwconform::profile::ProfileFile::reference().unwrap().graph_id.unwrap();
    let dir = scratch("token");
    let run = move |token: &str, only: &str, baseline: Option<&std::path::Path>, report_dir: &std::path::Path| {
        let mut cmd = hwconform();
        cmd.args(["run", "--target", &base, "--token", token, "--only", only, "--report-dir"]).arg(report_dir);
        // --target sends only the ids given: the reference server's own graph, as a user would name it.
        cmd.args(["--project-id", "hwcclitoken", "--graph-id", &graph])
            .arg("--snapshots")
            .arg(report_dir.join("snapshots"));
        if let Some(b) = baseline {
            cmd.arg("--baseline").arg(b);
        }
        cmd.current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
    };
    let positive = "ges.v2.add_backup/positive/example";
    let (b1, b2, b3) = (dir.join("right"), dir.join("wrong"), dir.join("gated"));
    let baseline = dir.join("baseline.toml");
    std::fs::write(&baseline, format!("version = 1\n[[known]]\ncase = \"{positive}\"\nreason = \"wrong token\"\n"))
        .unwrap();
    let (right, wrong, gated) = {
        let run = run.clone();
        let (b1, b2, b3, baseline) = (b1.clone(), b2.clone(), b3.clone(), baseline.clone());
        tokio::task::spawn_blocking(move || {
            (
                run("right-t0ken-value", positive, None, &b1),
                run("wrong-t0ken-value", positive, None, &b2),
                run("wrong-t0ken-value", positive, Some(&baseline), &b3),
            )
        })
        .await
        .unwrap()
    };
    server.shutdown().await;
    let (code, stdout, stderr) = text(&right);
    assert_eq!(code, Some(0), "the right token passes: {stdout}\n{stderr}");
    let (code, stdout, stderr) = text(&wrong);
    assert_eq!(code, Some(1), "a wrong token fails the positive case: {stdout}\n{stderr}");
    assert!(stdout.contains(&format!("FAILED  {positive}")), "{stdout}");
    let (code, stdout, stderr) = text(&gated);
    assert_eq!(code, Some(0), "the only failure is listed: {stdout}\n{stderr}");
    assert!(stdout.contains(&format!("FAILED (known)  {positive}")), "{stdout}");
    assert!(stdout.contains("Gate: passed (0 new failures, 0 stale entries)"), "{stdout}");
    let junit = std::fs::read_to_string(b3.join("junit.xml")).unwrap();
    assert!(junit.contains("<failure"), "JUnit still shows the known failure");
    for (out, folder) in [(&right, &b1), (&wrong, &b2), (&gated, &b3)] {
        let mut seen =
            vec![String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned()];
        for file in ["report.json", "junit.xml", "report.md", "report.html"] {
            seen.push(std::fs::read_to_string(folder.join(file)).unwrap());
        }
        for t in seen {
            assert!(!t.contains("right-t0ken-value") && !t.contains("wrong-t0ken-value"), "a token leaked");
        }
    }
}

#[test]
fn help_warns_that_token_is_visible_in_the_process_list() {
    let (code, stdout, _) = text(&hwconform().args(["run", "--help"]).output().unwrap());
    assert_eq!(code, Some(0));
    assert!(stdout.contains("--token <T>") && stdout.contains("process list"), "{stdout}");
}

#[test]
fn help_documents_every_exit_code() {
    let out = hwconform().args(["run", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains(hwconform::runner::Exit::TABLE), "{help}");
    for code in 0..=4 {
        assert!(help.contains(&format!("{code} ")), "exit code {code} missing: {help}");
    }
}
