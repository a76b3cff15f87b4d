//! The flow has no way back: docs → schemas → cases → exchanges → findings → reports. The modules of
//! the middle of the flow never import a module downstream of them (nor the server, nor the command
//! line). This test reads every `crate::…` path in their code (imports and inline paths alike) and
//! fails on a forbidden one, naming the file and line. The allowed directions are documented in
//! docs/architecture.md.

use std::path::{Path, PathBuf};

/// Module → the crate modules it must never name.
const FORBIDDEN: &[(&str, &[&str])] = &[
    ("check", &["report", "runner", "server", "cli", "normalise", "profile", "derive", "openapi"]),
    ("normalise", &["report", "runner", "server", "cli", "check", "profile", "derive", "openapi"]),
    ("execute", &["report", "runner", "server", "cli", "check", "normalise", "derive", "openapi"]),
    (
        "profile",
        &["report", "runner", "server", "cli", "check", "normalise", "execute", "generate", "derive", "openapi"],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate modules a line of code names (`crate::report::X`, `use crate::{report, …}` is not used
/// in this crate's style, so paths are enough), comments excluded.
fn named_modules(line: &str) -> Vec<&str> {
    let code = line.split("//").next().unwrap_or_default();
    code.match_indices("crate::")
        .map(|(i, m)| {
            let rest = &code[i + m.len()..];
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// Every forbidden path in the modules checked, as `file:line: module names crate::x`.
fn violations(src: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for (module, forbidden) in FORBIDDEN {
        let mut files = Vec::new();
        rust_files(&src.join(module), &mut files);
        assert!(!files.is_empty(), "src/{module} has no Rust file: the test would prove nothing");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                for named in named_modules(line) {
                    if forbidden.contains(&named) {
                        found.push(format!("{}:{}: {module} names crate::{named}", file.display(), n + 1));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn check_normalise_execute_and_profile_never_import_downstream() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(found.is_empty(), "imports against the flow (see docs/architecture.md):\n{}", found.join("\n"));
}

#[test]
fn a_wrong_way_import_is_caught() {
    // The detector itself: a copy of a module with one wrong-way import fails.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("imports-wrong-way");
    let _ = std::fs::remove_dir_all(&dir);
    for (module, _) in FORBIDDEN {
        std::fs::create_dir_all(dir.join(module)).unwrap();
        std::fs::write(dir.join(module).join("ok.rs"), "use crate::catalogue::Source; // crate::report in a comment\n")
            .unwrap();
    }
    std::fs::write(dir.join("check").join("bad.rs"), "use crate::report::Strength;\n").unwrap();
    std::fs::write(dir.join("execute").join("bad.rs"), "fn f() { let _ = crate::server::FAULT_HEADER; }\n").unwrap();
    let found = violations(&dir);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].ends_with("check names crate::report"), "{found:#?}");
    assert!(found[1].ends_with("execute names crate::server"), "{found:#?}");
    let _ = std::fs::remove_dir_all(&dir);
}
