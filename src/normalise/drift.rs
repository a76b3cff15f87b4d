//! Drift: compares a normalised exchange with a recorded insta snapshot file, without insta (the
//! library does not depend on it), so `hwconform run` can report drift apart from failures.

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
    let mut diff = String::new();
    for l in old_lines.iter().filter(|l| !new_lines.contains(l)) {
        diff.push_str(&format!("-{l}\n"));
    }
    for l in new_lines.iter().filter(|l| !old_lines.contains(l)) {
        diff.push_str(&format!("+{l}\n"));
    }
    Some(Drift { snapshot: path.to_owned(), diff })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_value_after_the_header() {
        let text = "---\nsource: tests/conformance.rs\ninfo: x\n---\n{\n  \"a\": 1\n}\n";
        assert_eq!(snapshot_value(text), Some(serde_json::json!({"a": 1})));
    }
}
