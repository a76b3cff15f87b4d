//! The overlay: every place where the committed catalogue must say more than, or differ from, what
//! the pages literally say, one entry each with its reason. Read from one JSON file
//! (`fixtures/derive-overlay.json`) and applied after derivation.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::DeriveError;
use super::assemble::Identity;
use crate::catalogue::{AppliesTo, ErratumKind, ParamRole};

/// The whole overlay file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// The overlay file's `$comment`, read and ignored.
    #[serde(rename = "$comment", default)]
    pub comment: Option<String>,
    /// Operation identity per page: what no page states (id, family, parameter roles …).
    #[serde(default)]
    pub operations: Vec<OperationEntry>,
    /// Table labels chosen where a page numbers none and the heading is ambiguous.
    #[serde(default)]
    pub table_labels: Vec<LabelEntry>,
    /// What each documented error code is the answer to.
    #[serde(default)]
    pub applies_to: Vec<AppliesToEntry>,
    /// Decisions on the contradictions derive finds between a page's examples and its tables.
    #[serde(default)]
    pub errata: Vec<ErratumEntry>,
    /// Edits of derived files (clarifications, corrected example bodies).
    #[serde(default)]
    pub patches: Vec<PatchEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationEntry {
    pub page: String,
    pub id: String,
    pub title: String,
    pub service: String,
    pub family: String,
    pub mutating: bool,
    #[serde(default)]
    pub roles: BTreeMap<String, ParamRole>,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelEntry {
    pub page: String,
    /// The label derive gives the table (heading, with ` (2)` for a second table under it).
    pub derived: String,
    pub label: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliesToEntry {
    pub operation: String,
    pub code: String,
    pub applies_to: AppliesTo,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErratumEntry {
    pub id: String,
    pub operation: String,
    pub example: String,
    pub kind: ErratumKind,
    /// The erratum's own reason (why the page is wrong), as written to `fixtures/errata.json`.
    pub reason: String,
    pub decision: String,
    /// A different citation than the one derive finds, with why. Required for errata whose
    /// evidence lies outside the pages (`sdk_disagrees`), which derive cannot find itself.
    #[serde(default)]
    pub source: Option<Value>,
    /// For `sdk_disagrees`: the SDK model and members (evidence in `fixtures/sdk/`).
    #[serde(default)]
    pub sdk: Option<Value>,
    #[serde(default)]
    pub source_reason: Option<String>,
}

/// How a patch changes the document at `pointer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatchOp {
    /// Set (or add) the member or array element at `pointer` to `value`.
    Set,
    /// Append `value` to the array at `pointer`.
    Append,
    /// Remove the member or array element at `pointer`.
    Remove,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchEntry {
    /// Path relative to the project root (`schemas/…`, `fixtures/examples/…`).
    pub file: String,
    pub op: PatchOp,
    pub pointer: String,
    #[serde(default)]
    pub value: Option<Value>,
    pub reason: String,
}

impl Overlay {
    /// Reads and checks an overlay file: every entry must give a reason.
    pub fn from_file(path: &Path) -> Result<Self, DeriveError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| DeriveError::Read { path: shown.clone(), message: e.to_string() })?;
        Self::from_str(&shown, &text)
    }

    /// Parses overlay text; `name` is used in messages.
    pub fn from_str(name: &str, text: &str) -> Result<Self, DeriveError> {
        let overlay: Self = serde_json::from_str(text)
            .map_err(|e| DeriveError::Overlay { path: name.to_owned(), message: e.to_string() })?;
        let bad = |what: String| DeriveError::Overlay { path: name.to_owned(), message: what };
        for e in &overlay.operations {
            if e.reason.trim().is_empty() {
                return Err(bad(format!("operation {} has no reason", e.id)));
            }
        }
        for e in &overlay.table_labels {
            if e.reason.trim().is_empty() {
                return Err(bad(format!("table label {} has no reason", e.label)));
            }
        }
        for e in &overlay.applies_to {
            if e.reason.trim().is_empty() {
                return Err(bad(format!("applies_to of {} has no reason", e.code)));
            }
        }
        for e in &overlay.errata {
            if e.reason.trim().is_empty() || e.decision.trim().is_empty() {
                return Err(bad(format!("erratum {} needs a reason and a decision", e.id)));
            }
            if e.source.is_some() && e.source_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(bad(format!("erratum {} overrides its source without a source_reason", e.id)));
            }
        }
        for e in &overlay.patches {
            if e.reason.trim().is_empty() {
                return Err(bad(format!("patch {} {} has no reason", e.file, e.pointer)));
            }
            if e.op != PatchOp::Remove && e.value.is_none() {
                return Err(bad(format!("patch {} {} has no value", e.file, e.pointer)));
            }
        }
        Ok(overlay)
    }

    /// The identity of the operation documented by `page`.
    pub fn identity(&self, page: &str) -> Option<Identity> {
        self.operations.iter().find(|e| e.page == page).map(|e| Identity {
            id: e.id.clone(),
            title: e.title.clone(),
            service: e.service.clone(),
            family: e.family.clone(),
            mutating: e.mutating,
            roles: e.roles.clone(),
        })
    }

    /// Derived label → chosen label, for one page.
    pub fn labels(&self, page: &str) -> BTreeMap<String, String> {
        self.table_labels.iter().filter(|e| e.page == page).map(|e| (e.derived.clone(), e.label.clone())).collect()
    }

    /// The reading of an error code.
    pub fn applies_to(&self, operation: &str, code: &str) -> Option<&AppliesTo> {
        self.applies_to.iter().find(|e| e.operation == operation && e.code == code).map(|e| &e.applies_to)
    }
}

/// Applies one patch to `doc`. The error says why the patch no longer fits the document.
pub(super) fn apply_patch(doc: &mut Value, op: PatchOp, pointer: &str, value: Option<&Value>) -> Result<(), String> {
    let value = value.cloned().unwrap_or(Value::Null);
    if op == PatchOp::Append {
        return match doc.pointer_mut(pointer) {
            Some(Value::Array(items)) => {
                items.push(value);
                Ok(())
            }
            _ => Err(format!("{pointer} is not an array")),
        };
    }
    let (parent, last) = pointer.rsplit_once('/').ok_or_else(|| format!("{pointer} is not a JSON pointer"))?;
    let last = last.replace("~1", "/").replace("~0", "~");
    match (doc.pointer_mut(parent), op) {
        (Some(Value::Object(map)), PatchOp::Set) => {
            map.insert(last, value);
            Ok(())
        }
        (Some(Value::Object(map)), PatchOp::Remove) => {
            map.remove(&last).map(|_| ()).ok_or_else(|| format!("{pointer} does not exist"))
        }
        (Some(Value::Array(items)), op) => {
            let i: usize = last.parse().map_err(|_| format!("{pointer}: {last} is not an index"))?;
            if i >= items.len() {
                return Err(format!("{pointer} does not exist"));
            }
            if op == PatchOp::Set {
                items[i] = value;
            } else {
                items.remove(i);
            }
            Ok(())
        }
        _ => Err(format!("{parent} does not exist")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches_set_append_remove() {
        let mut doc = json!({"a": {"b": 1}, "list": [1, 2, 3]});
        apply_patch(&mut doc, PatchOp::Set, "/a/c", Some(&json!("x"))).expect("set");
        apply_patch(&mut doc, PatchOp::Append, "/list", Some(&json!(4))).expect("append");
        apply_patch(&mut doc, PatchOp::Remove, "/list/0", None).expect("remove");
        assert_eq!(doc, json!({"a": {"b": 1, "c": "x"}, "list": [2, 3, 4]}));
        assert!(apply_patch(&mut doc, PatchOp::Remove, "/nope/x", None).is_err());
    }

    #[test]
    fn every_entry_needs_a_reason() {
        let text = r#"{"patches": [{"file": "f", "op": "set", "pointer": "/a", "value": 1, "reason": " "}]}"#;
        let err = Overlay::from_str("o.json", text).expect_err("no reason");
        assert_eq!(err.to_string(), "overlay o.json: patch f /a has no reason");
    }
}
