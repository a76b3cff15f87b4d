//! Constraint phrases of a description cell → JSON Schema keywords and `x-` annotations: lengths,
//! character classes, forbidden characters, defaults, enumerations (bullets or "can be a or b"),
//! integer ranges, case sensitivity and "may be left blank". A sentence that reads like a
//! constraint but matches no phrase is returned in [`Constraints::unread`], never dropped.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value, json};

/// The character rule behind a `pattern` (`x-charset`): classes are `letter` and `digit`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Charset {
    /// Classes (`letter`, `digit`) or characters allowed as the first character.
    pub first: Vec<String>,
    /// Classes or characters allowed anywhere.
    pub allowed: Vec<String>,
    /// Characters never allowed.
    pub forbidden: Vec<String>,
}

/// Everything one description says about the values of its member.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// Least length in characters, where the description states one.
    pub min_length: Option<u64>,
    /// Greatest length in characters, where the description states one.
    pub max_length: Option<u64>,
    /// Least value of a number, where the description states one.
    pub minimum: Option<i64>,
    /// Greatest value of a number, where the description states one.
    pub maximum: Option<i64>,
    /// The character rule the description states (empty: none).
    pub charset: Charset,
    /// The documented values, where the description lists two or more as bullets.
    pub enumeration: Vec<String>,
    /// The default as written; typed by [`Constraints::apply`].
    pub default: Option<String>,
    /// The description says the member "may be left blank" on success (`x-may-be-blank`).
    pub may_be_blank: bool,
    /// The description says the value is case-sensitive (`x-case-sensitive`).
    pub case_sensitive: bool,
    /// Sentences that look like constraints but were not understood (each becomes a warning).
    pub unread: Vec<String>,
}

/// A regex from a constant pattern (a bad pattern is a programming error caught by the unit tests).
pub(crate) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("constant pattern {pattern}: {e}"))
}

static NOT_APPLICABLE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(Constraints|Range|Values|Value range|Default Value|Default value)\s*:?\s*N/A\.?"));
static LENGTH_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(\d+)\s*(?:to|-)\s*(\d+)\s*characters|长度(?:为|是)?\s*(\d+)\s*[~～-]\s*(\d+)|(\d+)\s*[~～-]\s*(\d+)\s*个字符",
    )
});
static LENGTH_MAX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:up to|a maximum of|maximum of|at most|no more than)\s+(\d+)\s+characters|最大长度(?:为|是)?\s*(\d+)|(?:最多|不超过)\s*(\d+)\s*个字符",
    )
});
static LENGTH_MIN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?:at least|a minimum of)\s+(\d+)\s+characters|最小长度(?:为|是)?\s*(\d+)"));
static VALUE_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)ranges?\s+from\s+(-?\d+)\s+to\s+(-?\d+)|取值范围(?:为|是)?\s*\[?\s*(-?\d+)\s*[~～,，-]\s*(-?\d+)\s*\]?")
});
static CONTAIN_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:can|may) (?:contain|include) only ([^.;]+)|only ([^.;]+?) are allowed|只能(?:由|包含)([^。，；]+?)(?:组成)?(?:[。，；]|$)",
    )
});
static START_WITH: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?:must\s+)?(?:start|begin)s?\s+with\s+an?\s+(letter|digit)|(?:必须)?以(字母|数字)开头"));
static FORBIDDEN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)cannot contain the following (?:special )?characters:\s*(\S+)|不能包含(?:以下)?(?:特殊)?字符[：:]\s*(\S+)")
});
static DEFAULT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)the default value is\s+([^\s。，,]+?)\.?(?:\s|$)|默认值(?:为|是)\s*([^\s。，,]+)"));
static ENUM_INLINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)the value can be\s+([A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*,?\s+or\s+[A-Za-z0-9_]+)"));
static ENUM_BULLET: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^\s*[•\-*·]\s*([A-Za-z0-9_.]+)\s*[:：]\s*\S"));
static VALUE_LIST: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|[.;]\s*)([A-Za-z_]+):\s"));
static BLANK: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)(?:may|can) be left blank|may be empty|(?:可能|可以)为空"));
static CASE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bcase-sensitive\b|区分大小写"));
static NOT_CASE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)not case-sensitive|case-insensitive|不区分大小写"));
static SENTENCE: LazyLock<Regex> = LazyLock::new(|| re(r"\.\s+|。|\n|；|;\s+"));
static LIST_SPLIT: LazyLock<Regex> = LazyLock::new(|| re(r",|、|，|\band\b|\bor\b|和|及"));
static QUOTED_CHAR: LazyLock<Regex> = LazyLock::new(|| re(r"[(（](.)[)）]"));

/// Words that mark a sentence as a constraint; such a sentence must be matched by a phrase.
const TRIGGERS: &[&str] = &[
    "character",
    "must ",
    "only ",
    "cannot",
    "can't",
    "allowed",
    "maximum of",
    "minimum of",
    "at most",
    "at least",
    "ranges",
    "valid value",
    "value can be",
    "length",
    "长度",
    "必须",
    "只能",
    "不能",
    "取值",
    "字符",
];

fn group<'a>(c: &regex::Captures<'a>) -> Vec<&'a str> {
    c.iter().skip(1).flatten().map(|m| m.as_str()).collect()
}

/// Reads the constraints of one description cell. `doc_type` is the type column as written.
pub fn read_constraints(description: &str, doc_type: &str) -> Constraints {
    let text = NOT_APPLICABLE.replace_all(description, "").into_owned();
    let mut c = Constraints::default();
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut unread = Vec::new();

    for m in LENGTH_RANGE.captures_iter(&text) {
        let g = group(&m);
        c.min_length = g.first().and_then(|v| v.parse().ok());
        c.max_length = g.get(1).and_then(|v| v.parse().ok());
        spans.extend(m.get(0).map(|m| m.range()));
    }
    for m in LENGTH_MAX.captures_iter(&text) {
        c.max_length = group(&m).first().and_then(|v| v.parse().ok());
        spans.extend(m.get(0).map(|m| m.range()));
    }
    for m in LENGTH_MIN.captures_iter(&text) {
        c.min_length = group(&m).first().and_then(|v| v.parse().ok());
        spans.extend(m.get(0).map(|m| m.range()));
    }
    for m in VALUE_RANGE.captures_iter(&text) {
        let g = group(&m);
        c.minimum = g.first().and_then(|v| v.parse().ok());
        c.maximum = g.get(1).and_then(|v| v.parse().ok());
        spans.extend(m.get(0).map(|m| m.range()));
    }
    for m in CONTAIN_ONLY.captures_iter(&text) {
        let list = group(&m).first().copied().unwrap_or("");
        match read_class_list(list) {
            Some(items) => c.charset.allowed = items,
            None => unread.push(format!("character list not understood: {list}")),
        }
        spans.extend(m.get(0).map(|m| m.range()));
    }
    for m in START_WITH.captures_iter(&text) {
        let class = group(&m).first().map(|v| class_name(v)).unwrap_or_default();
        c.charset.first = vec![class.to_owned()];
        spans.extend(m.get(0).map(|m| m.range()));
    }
    for m in FORBIDDEN.captures_iter(&text) {
        let chars = group(&m).first().copied().unwrap_or("");
        c.charset.forbidden = chars.chars().map(String::from).collect();
        spans.extend(m.get(0).map(|m| m.range()));
    }
    for m in DEFAULT.captures_iter(&text) {
        c.default = group(&m).first().map(|v| (*v).to_owned());
        spans.extend(m.get(0).map(|m| m.range()));
    }
    for m in ENUM_INLINE.captures_iter(&text) {
        let list = group(&m).first().copied().unwrap_or("");
        c.enumeration = LIST_SPLIT.split(list).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
        spans.extend(m.get(0).map(|m| m.range()));
    }
    let bullets: Vec<_> = ENUM_BULLET.captures_iter(&text).collect();
    if bullets.len() >= 2 {
        c.enumeration = bullets.iter().map(|m| m[1].to_owned()).collect();
        spans.extend(bullets.iter().filter_map(|m| m.get(0)).map(|m| m.range()));
    }
    for m in BLANK.find_iter(&text) {
        c.may_be_blank = true;
        spans.push(m.range());
    }
    if let Some(m) = CASE.find(&text)
        && !NOT_CASE.is_match(&text)
    {
        c.case_sensitive = true;
        spans.push(m.range());
    }
    if doc_type.eq_ignore_ascii_case("boolean") {
        let names: Vec<_> = VALUE_LIST.captures_iter(&text).collect();
        let odd: Vec<&str> = names
            .iter()
            .map(|m| m.get(1).map_or("", |g| g.as_str()))
            .filter(|n| !matches!(*n, "true" | "false"))
            .collect();
        if names.len() >= 2 && !odd.is_empty() {
            let odd: Vec<String> = odd.iter().map(|n| format!("`{n}`")).collect();
            unread.push(format!("the value list of a Boolean names {}, which is not a Boolean value", odd.join(", ")));
        }
        spans.extend(names.iter().filter_map(|m| m.get(0)).map(|m| m.range()));
    }

    let mut start = 0;
    let mut sentences = Vec::new();
    for sep in SENTENCE.find_iter(&text) {
        sentences.push(start..sep.start());
        start = sep.end();
    }
    sentences.push(start..text.len());
    for s in sentences {
        let sentence = text[s.clone()].trim();
        let lower = sentence.to_lowercase();
        let triggered = TRIGGERS.iter().any(|t| lower.contains(t));
        let covered = spans.iter().any(|m| m.start < s.end && s.start < m.end);
        if triggered && !covered {
            unread.push(sentence.to_owned());
        }
    }
    c.unread = unread;
    c
}

fn class_name(word: &str) -> &'static str {
    if word.contains("digit") || word.contains("数字") { "digit" } else { "letter" }
}

/// "letters, digits, hyphens (-), and underscores (_)" → `letter`, `digit`, `-`, `_`.
fn read_class_list(list: &str) -> Option<Vec<String>> {
    let mut items = Vec::new();
    for part in LIST_SPLIT.split(list).map(str::trim).filter(|p| !p.is_empty()) {
        let lower = part.to_lowercase();
        let item = if let Some(c) = QUOTED_CHAR.captures(part) {
            c[1].to_owned()
        } else if lower.contains("letter") || part.contains("字母") {
            "letter".to_owned()
        } else if lower.contains("digit") || part.contains("数字") {
            "digit".to_owned()
        } else if part.contains("中划线") || part.contains("连字符") {
            "-".to_owned()
        } else if part.contains("下划线") {
            "_".to_owned()
        } else {
            return None;
        };
        items.push(item);
    }
    (!items.is_empty()).then_some(items)
}

fn class_text(items: &[String]) -> String {
    let mut out = String::new();
    let mut hyphen = false;
    for item in items {
        match item.as_str() {
            "letter" => out.push_str("A-Za-z"),
            "digit" => out.push_str("0-9"),
            "-" => hyphen = true,
            other => {
                for ch in other.chars() {
                    if matches!(ch, '\\' | ']' | '[' | '^') {
                        out.push('\\');
                    }
                    out.push(ch);
                }
            }
        }
    }
    // A hyphen is literal only at the end of a class.
    if hyphen {
        out.push('-');
    }
    out
}

impl Charset {
    /// Whether the description states no character rule.
    pub fn is_empty(&self) -> bool {
        self.first.is_empty() && self.allowed.is_empty() && self.forbidden.is_empty()
    }

    /// The `pattern` this rule means.
    pub fn pattern(&self) -> Option<String> {
        if !self.allowed.is_empty() {
            let rest = format!("[{}]*", class_text(&self.allowed));
            return Some(if self.first.is_empty() {
                format!("^{rest}$")
            } else {
                format!("^[{}]{rest}$", class_text(&self.first))
            });
        }
        if !self.forbidden.is_empty() {
            let mut class = class_text(&self.forbidden);
            if class.starts_with('^') {
                class.insert(0, '\\');
            }
            return Some(format!("^[^{class}]*$"));
        }
        (!self.first.is_empty()).then(|| format!("^[{}]", class_text(&self.first)))
    }

    /// The `x-charset` annotation.
    pub fn annotation(&self) -> Value {
        let mut m = Map::new();
        for (key, list) in [("first", &self.first), ("allowed", &self.allowed), ("forbidden", &self.forbidden)] {
            if !list.is_empty() {
                m.insert(key.into(), json!(list));
            }
        }
        Value::Object(m)
    }
}

impl Constraints {
    /// Writes the keywords into a schema whose JSON `type` is `json_type`. A default that does not
    /// fit the type is returned as an unread sentence instead.
    pub fn apply(&self, schema: &mut Map<String, Value>, json_type: Option<&str>) -> Vec<String> {
        let mut unread = Vec::new();
        if let Some(v) = self.min_length {
            schema.insert("minLength".into(), json!(v));
        }
        if let Some(v) = self.max_length {
            schema.insert("maxLength".into(), json!(v));
        }
        if let Some(v) = self.minimum {
            schema.insert("minimum".into(), json!(v));
        }
        if let Some(v) = self.maximum {
            schema.insert("maximum".into(), json!(v));
        }
        if let Some(p) = self.charset.pattern() {
            schema.insert("pattern".into(), json!(p));
            schema.insert("x-charset".into(), self.charset.annotation());
        }
        if !self.enumeration.is_empty() {
            schema.insert("enum".into(), json!(self.enumeration));
        }
        if let Some(d) = &self.default {
            let typed = match json_type {
                Some("integer") => d.parse::<i64>().ok().map(Value::from),
                Some("number") => d.parse::<f64>().ok().map(Value::from),
                Some("boolean") => d.parse::<bool>().ok().map(Value::from),
                _ => Some(Value::from(d.clone())),
            };
            match typed {
                Some(v) => {
                    schema.insert("default".into(), v);
                }
                None => unread.push(format!("default value {d} does not fit the documented type")),
            }
        }
        if self.case_sensitive {
            schema.insert("x-case-sensitive".into(), json!(true));
        }
        unread
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(read_constraints("The value can contain up to 64 characters.", "String").max_length, Some(64));
        let c = read_constraints("Can include 4 to 64 characters.", "String");
        assert_eq!((c.min_length, c.max_length), (Some(4), Some(64)));
        assert_eq!(read_constraints("Can include a maximum of 256 characters.", "String").max_length, Some(256));
        assert_eq!(read_constraints("名称，最大长度为32。", "String").max_length, Some(32));
        assert_eq!(read_constraints("Use at least 8 characters.", "String").min_length, Some(8));
    }

    #[test]
    fn character_classes() {
        let c = read_constraints("Only letters and digits are allowed.", "String");
        assert_eq!(c.charset.pattern().as_deref(), Some("^[A-Za-z0-9]*$"));
        assert_eq!(c.charset.annotation(), json!({"allowed": ["letter", "digit"]}));
        let c = read_constraints(
            "Must start with a letter. It can contain only letters, digits, hyphens (-), and underscores (_).",
            "String",
        );
        assert_eq!(c.charset.pattern().as_deref(), Some("^[A-Za-z][A-Za-z0-9_-]*$"));
        assert_eq!(c.charset.annotation(), json!({"first": ["letter"], "allowed": ["letter", "digit", "-", "_"]}));
        let c = read_constraints("只能包含字母、数字和下划线(_)，必须以字母开头。", "String");
        assert_eq!(c.charset.pattern().as_deref(), Some("^[A-Za-z][A-Za-z0-9_]*$"));
        assert!(c.unread.is_empty(), "{:?}", c.unread);
    }

    #[test]
    fn forbidden_characters() {
        let c = read_constraints("It cannot contain the following special characters: >!<\"&'=", "String");
        assert_eq!(c.charset.forbidden, vec![">", "!", "<", "\"", "&", "'", "="]);
        assert_eq!(c.charset.pattern().as_deref(), Some("^[^>!<\"&'=]*$"));
    }

    #[test]
    fn defaults_are_typed() {
        let mut schema = Map::new();
        read_constraints("Page size. The default value is 10.", "Integer").apply(&mut schema, Some("integer"));
        assert_eq!(schema.get("default"), Some(&json!(10)));
        let mut schema = Map::new();
        let unread = read_constraints("The default value is many.", "Integer").apply(&mut schema, Some("integer"));
        assert_eq!(unread.len(), 1);
    }

    #[test]
    fn enumerations() {
        let c = read_constraints("State:\n• queued: waiting.\n• done: finished.", "String");
        assert_eq!(c.enumeration, vec!["queued", "done"]);
        let c = read_constraints("Mode. The value can be fast, safe or off.", "String");
        assert_eq!(c.enumeration, vec!["fast", "safe", "off"]);
    }

    #[test]
    fn blank_and_case() {
        assert!(read_constraints("• If the call succeeds, this parameter may be left blank.", "String").may_be_blank);
        assert!(read_constraints("执行成功时，字段可能为空。", "String").may_be_blank);
        assert!(read_constraints("It is case-sensitive.", "String").case_sensitive);
        assert!(!read_constraints("It is not case-sensitive.", "String").case_sensitive);
    }

    #[test]
    fn unknown_constraint_sentences_are_reported() {
        let c = read_constraints("Zone name. It must be unique within a region.", "String");
        assert_eq!(c.unread, vec!["It must be unique within a region."]);
        let c = read_constraints("Whether on. true: it is on; value: it is off.", "Boolean");
        assert_eq!(c.unread.len(), 1);
        assert!(read_constraints("Range N/A. Constraints N/A", "String").unread.is_empty());
    }
}
