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
    assert!(stdout.contains("10 cases against reference: 10 passed, 0 failed"), "{stdout}");
    let report = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(json["summary"]["total"], 10);
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
        .env("HWC_T", "t")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("could not connect"), "{stderr}");
}

#[test]
fn cases_lists_id_kind_and_rationale() {
    let out = hwconform().args(["cases", "--only", "ges.v2.add_backup/auth"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("ges.v2.add_backup/auth/missing_token\tauth\t"), "{stdout}");
}
