//! Drift: compares a normalised exchange with a recorded insta snapshot file, without insta (the
//! library does not depend on it), so `hwconform run` can report drift apart from failures.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// How a normalised exchange differs from its recorded snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The snapshot file compared with.
    pub snapshot: PathBuf,
    /// Lines only in the recorded snapshot (`-`), then lines only in the new value (`+`).
    pub diff: String,
}

/// The value stored in an insta `.snap` file (the JSON after the `---` header).
pub fn snapshot_value(text: &str) -> Option<Value> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    serde_json::from_str(&rest[end + 5..]).ok()
}

/// Records `value` as the snapshot at `path`, in insta's file format (a header, then the value), so
/// `cargo insta review` and [`snapshot_value`] read it: a target's first run records what it answered.
pub fn record_snapshot(path: &Path, description: &str, value: &Value) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let body = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    let description = serde_json::to_string(description).map_err(std::io::Error::other)?;
    std::fs::write(path, format!("---\nsource: tests/conformance.rs\ndescription: {description}\n---\n{body}\n"))
}

/// Compares `value` with the snapshot at `path`; `None` when equal or when there is no snapshot.
pub fn compare_snapshot(path: &Path, value: &Value) -> Option<Drift> {
    let text = std::fs::read_to_string(path).ok()?;
    let recorded = snapshot_value(&text);
    if recorded.as_ref() == Some(value) {
        return None;
    }
    let old = recorded.map(|v| serde_json::to_string_pretty(&v).unwrap_or_default()).unwrap_or_default();
    let new = serde_json::to_string_pretty(value).unwrap_or_default();
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let (old_set, new_set): (HashSet<&str>, HashSet<&str>) =
        (old_lines.iter().copied().collect(), new_lines.iter().copied().collect());
    let mut diff = String::new();
    let removed = old_lines.iter().filter(|l| !new_set.contains(*l)).map(|l| ('-', *l));
    let added = new_lines.iter().filter(|l| !old_set.contains(*l)).map(|l| ('+', *l));
    for (sign, line) in removed.chain(added) {
        // Bounded whatever the snapshots hold: each line cut, the whole diff at most DIFF_CAP.
        if diff.len() >= DIFF_CAP {
            diff.push_str("… (diff cut)\n");
            break;
        }
        let shown = crate::execute::cut(line, DIFF_LINE_CAP);
        diff.push(sign);
        diff.push_str(&shown);
        diff.push('\n');
    }
    Some(Drift { snapshot: path.to_owned(), diff })
}

/// The most of a drift diff a report keeps (the report's body excerpt).
pub(super) const DIFF_CAP: usize = crate::execute::EXCERPT;
/// The most of one diff line a report keeps.
const DIFF_LINE_CAP: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_snapshot_reads_back_and_shows_no_drift() {
        let dir = std::env::temp_dir().join(format!("hwconform-record-{}", std::process::id()));
        let path = dir.join("a__b@t.snap");
        let value = serde_json::json!({"status": 200, "body": {"id": "[id]"}});
        record_snapshot(&path, "a \"quoted\" rationale", &value).unwrap();
        assert_eq!(snapshot_value(&std::fs::read_to_string(&path).unwrap()), Some(value.clone()));
        assert!(compare_snapshot(&path, &value).is_none());
        assert!(compare_snapshot(&path, &serde_json::json!({"status": 201})).is_some());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn reads_the_value_after_the_header() {
        let text = "---\nsource: tests/conformance.rs\ninfo: x\n---\n{\n  \"a\": 1\n}\n";
        assert_eq!(snapshot_value(text), Some(serde_json::json!({"a": 1})));
    }
}
