//! `hwconform serve` as a process: it listens where told, answers, and stops cleanly on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_and_stops_on_ctrl_c() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hwconform"))
        .args(["serve", "--addr", "127.0.0.1:0", "--token", "cli-token", "--backup-delay-ms", "0"])
        .env_remove("HWCONFORM_TOKENS")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hwconform binary starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let url = loop {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => {
                if let Some(url) = line.split("listening on ").nth(1).filter(|u| u.starts_with("http://")) {
                    break url.trim().to_owned();
                }
                seen.push(line);
            }
            Err(e) => {
                let _ = child.kill();
                panic!("no listening line ({e}); stderr so far: {seen:?}");
            }
        }
    };
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let list = format!("{url}/v1.0/cliproject/graphs/backups");
    let resp = client.get(&list).header("X-Auth-Token", "cli-token").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(body["backupCount"].as_u64().unwrap() > 0);
    let denied = client.get(&list).header("X-Auth-Token", "hwconform-local-token").send().await.unwrap();
    assert_eq!(denied.status(), 401, "only the --token given is accepted");
    drop(client);
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || {
        for _ in 0..300 {
            if let Some(status) = child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        None
    })
    .await
    .unwrap();
    let exit = exit.expect("the server stops after Ctrl-C");
    assert!(exit.success(), "{exit:?}");
    // The child has exited, so its stderr is at EOF and the reader finishes.
    let _ = reader.join();
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
    assert!(!rest.iter().chain(&seen).any(|l| l.contains("cli-token")), "the token is never printed");
}

#[test]
fn rules_lists_every_rule_id_with_a_description_and_serve_refuses_an_unknown_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_hwconform")).arg("rules").output().expect("the binary runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let catalogue = hwconform::catalogue::Catalogue::builtin().unwrap();
    let listed = hwconform::catalogue::rule_list(&catalogue);
    assert_eq!(text.lines().count(), listed.len());
    for (line, rule) in text.lines().zip(&listed) {
        let (id, description) = line.split_once('\t').unwrap();
        assert_eq!(id, rule.id.as_str());
        assert!(!description.is_empty());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_hwconform"))
        .args(["serve", "--addr", "127.0.0.1:0", "--break", "ges.v2.add_backup/no/such"])
        .env_remove("HWCONFORM_TOKENS")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ges.v2.add_backup/no/such") && err.lines().count() == 1, "{err}");
}
