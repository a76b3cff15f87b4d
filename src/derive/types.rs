//! Documented types (the type column as written: `String`, `Long`, `Array of backup objects`,
//! `List<Tag>`, `JsonArray`, `DataSource数据结构`, a model name such as `GesMetaData`) → JSON
//! Schema types, and which members name a structure whose members another table documents.

use std::sync::LazyLock;

use regex::Regex;

use super::phrases::re;

static MODEL_NAME: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Z][a-z]+[A-Z][A-Za-z0-9]*$"));
static IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z][A-Za-z0-9_]*$"));

fn primitive(lower: &str) -> Option<&'static str> {
    Some(match lower {
        "string" | "strings" => "string",
        "integer" | "long" | "int" | "int32" | "int64" | "short" | "integers" => "integer",
        "number" | "float" | "double" | "bigdecimal" | "numbers" => "number",
        "boolean" | "bool" | "booleans" => "boolean",
        _ => return None,
    })
}

/// The element type written inside an array type (`List<String>` → `String`), if one is.
fn element(doc_type: &str) -> Option<&str> {
    let t = doc_type.trim();
    let lower = t.to_ascii_lowercase();
    for (open, close) in [("list<", ">"), ("array<", ">"), ("set<", ">")] {
        if lower.starts_with(open) && lower.ends_with(close) {
            return t.get(open.len()..t.len() - close.len());
        }
    }
    if lower.starts_with("array of ") {
        return t.get("array of ".len()..);
    }
    t.strip_suffix("[]").or_else(|| t.strip_suffix("数组")).or_else(|| t.strip_suffix(" array"))
}

/// The JSON Schema type a documented type means; `None` when derive cannot tell.
pub(super) fn json_type(doc_type: &str) -> Option<&'static str> {
    let t = doc_type.trim().trim_end_matches(['。', '.']);
    let lower = t.to_ascii_lowercase();
    if let Some(p) = primitive(&lower) {
        return Some(p);
    }
    if lower == "object" || lower == "jsonobject" || lower == "json" || lower.starts_with("map<") || lower == "map" {
        return Some("object");
    }
    if t.starts_with("Array")
        || t.ends_with(" array")
        || lower == "jsonarray"
        || lower == "list"
        || lower.starts_with("list<")
        || lower.starts_with("list结构")
        || t.ends_with("[]")
        || t.ends_with("数组")
    {
        return Some("array");
    }
    if t.ends_with(" object") || t.contains("数据结构") || t.contains("结构") || MODEL_NAME.is_match(t) {
        return Some("object");
    }
    if (t.starts_with("参见") || t.starts_with("参考") || t.starts_with("请参见")) && !t.contains("数组") {
        return Some("object");
    }
    None
}

/// The element type of an array of primitives (`List<String>` → `string`).
pub(super) fn item_type(doc_type: &str) -> Option<&'static str> {
    element(doc_type).and_then(|e| primitive(&e.trim().to_ascii_lowercase()))
}

/// Whether the members of a member of this type may be documented by another table: an
/// object, a structure, or an array whose elements are not primitives.
pub(super) fn is_structured(doc_type: &str) -> bool {
    match json_type(doc_type) {
        Some("object") => true,
        Some("array") => item_type(doc_type).is_none(),
        _ => false,
    }
}

/// The file name a caption gives a nested object, when it is one identifier (`Table 5 backup`).
pub(super) fn structure_name(caption_name: &str) -> Option<String> {
    IDENTIFIER.is_match(caption_name.trim()).then(|| caption_name.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_types() {
        for (doc, ty) in [
            ("String", Some("string")),
            ("Long", Some("integer")),
            ("Array of backup objects", Some("array")),
            ("List<Tag>", Some("array")),
            ("JsonArray", Some("array")),
            ("List结构，参见Graph类型数据结构说明。", Some("array")),
            ("DataSource数据结构", Some("object")),
            ("参考graph图类型数据结构说明。", Some("object")),
            ("GesMetaData", Some("object")),
            ("backup object", Some("object")),
            ("Enum", None),
        ] {
            assert_eq!(json_type(doc), ty, "{doc}");
        }
        assert_eq!(item_type("List<String>"), Some("string"));
        assert_eq!(item_type("Array of strings"), Some("string"));
        assert!(is_structured("List<Tag>") && !is_structured("String[]") && is_structured("Object"));
    }
}
