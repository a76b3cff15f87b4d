//! The drift check: the derived catalogue against the committed one, compared as parsed JSON per
//! file (text files line by line, ignoring indentation), grouped by operation for review.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde_json::Value;

use super::{DeriveError, Derived};

/// One file that differs, with each difference on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDrift {
    /// Id of the operation the file belongs to; `common` for shared schemas, `fixtures` for shared fixtures.
    pub operation: String,
    /// Path of the file, relative to the project root.
    pub file: String,
    /// Each difference on one line: `+` only derived, `-` only committed, `~` both but different.
    pub differences: Vec<String>,
}

/// Every difference between derivation and the committed catalogue (empty: no drift).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    /// The files that differ.
    pub files: Vec<FileDrift>,
}

impl Drift {
    /// Whether derivation and the committed catalogue agree.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut by_op: BTreeMap<&str, Vec<&FileDrift>> = BTreeMap::new();
        for d in &self.files {
            by_op.entry(d.operation.as_str()).or_default().push(d);
        }
        for (op, files) in by_op {
            writeln!(f, "== {op}")?;
            for d in files {
                writeln!(f, "  {}", d.file)?;
                for line in &d.differences {
                    writeln!(f, "    {line}")?;
                }
            }
        }
        Ok(())
    }
}

fn operation_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["schemas", "common", ..] => "common".into(),
        ["schemas", op, ..] | ["fixtures", "examples", op, ..] => (*op).to_owned(),
        _ => "fixtures".into(),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 140 { format!("{}…", s.chars().take(140).collect::<String>()) } else { s }
}

/// Every difference between `committed` and `derived`, as `pointer: …` lines.
#[expect(clippy::many_single_char_names, reason = "a/b and x/y are the two sides compared, p the pointer")]
pub(super) fn json_diff(committed: &Value, derived: &Value, pointer: &str, out: &mut Vec<String>) {
    match (committed, derived) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => json_diff(x, y, &p, out),
                    (Some(x), None) => out.push(format!("- {p}: committed {}, the pages do not give it", short(x))),
                    (None, Some(y)) => out.push(format!("+ {p}: the pages give {}, not committed", short(y))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                json_diff(x, y, &format!("{pointer}/{i}"), out);
            }
        }
        (a, b) if a != b => out.push(format!(
            "~ {}: committed {}, the pages give {}",
            if pointer.is_empty() { "/" } else { pointer },
            short(a),
            short(b)
        )),
        _ => {}
    }
}

fn text_lines(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

fn read(path: &Path) -> Result<Option<String>, DeriveError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DeriveError::Read { path: path.display().to_string(), message: e.to_string() }),
    }
}

/// Keeps only the entries of a whole-catalogue list (`errata`, `pages`) that belong to `keep`.
fn filter_list(doc: &mut Value, list: &str, key: &str, keep: &BTreeSet<String>) {
    if let Some(Value::Array(items)) = doc.get_mut(list) {
        items.retain(|e| e.get(key).and_then(Value::as_str).is_some_and(|v| keep.contains(v)));
    }
}

/// Compares `derived` with the catalogue in `schemas` and `fixtures`. Only the derived operations
/// are compared; files committed in their folders but not derived are drift too.
pub fn check(derived: &Derived, schemas: &Path, fixtures: &Path) -> Result<Drift, DeriveError> {
    let locate = |rel: &str| match rel.split_once('/') {
        Some(("schemas", rest)) => schemas.join(rest),
        Some(("fixtures", rest)) => fixtures.join(rest),
        _ => schemas.join(rel),
    };
    let ops = derived.operations();
    let pages: BTreeSet<String> = derived.pages.iter().map(|p| p.page.clone()).collect();
    let mut drift = Drift::default();
    let mut push = |file: &str, differences: Vec<String>| {
        if !differences.is_empty() {
            drift.files.push(FileDrift { operation: operation_of(file), file: file.to_owned(), differences });
        }
    };
    for (rel, value) in &derived.json {
        let path = locate(rel);
        let Some(text) = read(&path)? else {
            push(rel, vec!["+ derived from the pages, not committed".into()]);
            continue;
        };
        let mut committed: Value = serde_json::from_str(&text)
            .map_err(|e| DeriveError::Json { path: path.display().to_string(), message: e.to_string() })?;
        let mut derived_value = value.clone();
        if rel == "fixtures/errata.json" {
            filter_list(&mut committed, "errata", "operation", &ops);
            filter_list(&mut derived_value, "errata", "operation", &ops);
        } else if rel == "fixtures/rows.json" {
            filter_list(&mut committed, "pages", "page", &pages);
        }
        let mut diffs = Vec::new();
        json_diff(&committed, &derived_value, "", &mut diffs);
        push(rel, diffs);
    }
    for (rel, text) in &derived.text {
        match read(&locate(rel))? {
            None => push(rel, vec!["+ derived from the pages, not committed".into()]),
            Some(c) if text_lines(&c) != text_lines(text) => {
                push(rel, vec![format!("~ text: committed {:?}, the pages give {:?}", c.trim(), text.trim())]);
            }
            Some(_) => {}
        }
    }
    // Files committed for a derived operation that derivation does not produce.
    for op in &ops {
        for (dir, prefix) in [
            (schemas.join(op), format!("schemas/{op}")),
            (fixtures.join("examples").join(op), format!("fixtures/examples/{op}")),
        ] {
            let mut found = Vec::new();
            list_files(&dir, &prefix, &mut found);
            for rel in found {
                if !derived.json.contains_key(&rel) && !derived.text.contains_key(&rel) {
                    push(&rel, vec!["- committed, but the pages do not give it".into()]);
                }
            }
        }
    }
    Ok(drift)
}

fn list_files(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            list_files(&path, &format!("{prefix}/{name}"), out);
        } else {
            out.push(format!("{prefix}/{name}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_each_changed_pointer() {
        let mut out = Vec::new();
        json_diff(&json!({"a": 1, "b": [1, 2], "c": "x"}), &json!({"a": 2, "b": [1, 2], "d": true}), "", &mut out);
        assert_eq!(
            out,
            vec![
                "~ /a: committed 1, the pages give 2",
                "- /c: committed \"x\", the pages do not give it",
                "+ /d: the pages give true, not committed",
            ]
        );
    }
}
