//! The documented rules of a schema, one at a time, each with probe values that keep it and
//! break it.
//!
//! This is where "one documented rule broken at a time" is derived from the catalogue: the case
//! generator turns probes into requests, and the catalogue tests turn them into mutated examples.
//! Probes are deterministic boundary values (at, just inside, just outside a limit; one case per
//! forbidden character), never random, so every case is reproducible and explainable.

use serde_json::{Map, Value};

use super::Source;

/// One documented rule of one member (or of a parameter value, where `pointer` is empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// JSON Pointer of the member in an instance (`/name`, `/backupList/0/status`); `""` for the root.
    pub pointer: String,
    /// The member's name as documented (the last pointer segment, or the parameter name).
    pub field: String,
    pub kind: RuleKind,
    pub sources: Vec<Source>,
}

/// What a rule demands, with its documented operands.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    /// The member is mandatory.
    Required,
    /// The member has the documented JSON type (`string`, `integer`, `boolean`, `array`, `object`).
    Type(String),
    MinLength(u64),
    MaxLength(u64),
    /// Characters allowed as the first character (classes `letter`, `digit`, or literal characters).
    FirstChar(Vec<String>),
    /// Characters allowed anywhere.
    AllowedChars(Vec<String>),
    /// Characters never allowed.
    ForbiddenChars(Vec<String>),
    Enum(Vec<Value>),
    Minimum(i64),
}

impl RuleKind {
    /// The JSON Schema keyword that enforces the rule.
    pub fn keyword(&self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Type(_) => "type",
            Self::MinLength(_) => "minLength",
            Self::MaxLength(_) => "maxLength",
            Self::FirstChar(_) | Self::AllowedChars(_) | Self::ForbiddenChars(_) => "pattern",
            Self::Enum(_) => "enum",
            Self::Minimum(_) => "minimum",
        }
    }

    /// A short stable slug for case ids (`max_length`, `forbidden_chars` …).
    pub fn slug(&self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Type(_) => "type",
            Self::MinLength(_) => "min_length",
            Self::MaxLength(_) => "max_length",
            Self::FirstChar(_) => "first_char",
            Self::AllowedChars(_) => "allowed_chars",
            Self::ForbiddenChars(_) => "forbidden_chars",
            Self::Enum(_) => "enum",
            Self::Minimum(_) => "minimum",
        }
    }
}

/// A value to put at a rule's member, and whether the documented rule accepts it.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The value; `None` leaves the member out.
    pub value: Option<Value>,
    /// Whether the rule (and only this rule is varied) accepts the value.
    pub valid: bool,
    /// Short stable label for case ids (`len_65`, `char_0x3e`, `missing`).
    pub label: String,
    /// One line in plain words, derived from the rule ("name longer than the documented 64 characters").
    pub rationale: String,
}

/// Every rule of `schema` and of the object members below it, following `$ref`s through `resolve`
/// (which maps a `$ref` value, as written, to the referenced document).
pub fn rules_of<'a>(schema: &'a Value, resolve: &dyn Fn(&str) -> Option<&'a Value>) -> Vec<Rule> {
    let mut out = Vec::new();
    walk(schema, "", "", &[], resolve, &mut out, 0);
    out
}

fn walk<'a>(
    node: &'a Value,
    pointer: &str,
    field: &str,
    inherited: &[Source],
    resolve: &dyn Fn(&str) -> Option<&'a Value>,
    out: &mut Vec<Rule>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let Some(obj) = node.as_object() else { return };
    if let Some(target) = obj.get("$ref").and_then(Value::as_str).and_then(resolve) {
        walk(target, pointer, field, inherited, resolve, out, depth + 1);
    }
    let mut sources = Source::from_annotation(node);
    if sources.is_empty() {
        sources = inherited.to_vec();
    }
    let rule = |kind| Rule { pointer: pointer.to_owned(), field: field.to_owned(), kind, sources: sources.clone() };
    if let Some(t) = obj.get("type").and_then(Value::as_str) {
        out.push(rule(RuleKind::Type(t.to_owned())));
    }
    if let Some(n) = obj.get("minLength").and_then(Value::as_u64) {
        out.push(rule(RuleKind::MinLength(n)));
    }
    if let Some(n) = obj.get("maxLength").and_then(Value::as_u64) {
        out.push(rule(RuleKind::MaxLength(n)));
    }
    if let Some(n) = obj.get("minimum").and_then(Value::as_i64) {
        out.push(rule(RuleKind::Minimum(n)));
    }
    if let Some(values) = obj.get("enum").and_then(Value::as_array) {
        out.push(rule(RuleKind::Enum(values.clone())));
    }
    if let Some(charset) = obj.get("x-charset").and_then(Value::as_object) {
        let list = |k: &str| -> Option<Vec<String>> {
            charset.get(k)?.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        };
        if let Some(first) = list("first") {
            out.push(rule(RuleKind::FirstChar(first)));
        }
        if let Some(allowed) = list("allowed") {
            out.push(rule(RuleKind::AllowedChars(allowed)));
        }
        if let Some(forbidden) = list("forbidden") {
            out.push(rule(RuleKind::ForbiddenChars(forbidden)));
        }
    }
    let required: Vec<&str> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            let child = format!("{pointer}/{}", escape(name));
            if required.contains(&name.as_str()) {
                let src = Source::from_annotation(prop);
                out.push(Rule {
                    pointer: child.clone(),
                    field: name.clone(),
                    kind: RuleKind::Required,
                    sources: if src.is_empty() { sources.clone() } else { src },
                });
            }
            walk(prop, &child, name, &sources, resolve, out, depth + 1);
        }
    }
    if let Some(items) = obj.get("items") {
        walk(items, &format!("{pointer}/0"), field, &sources, resolve, out, depth + 1);
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Whether `c` belongs to a class or literal of an `x-charset` list.
pub fn char_in(c: char, classes: &[String]) -> bool {
    classes.iter().any(|class| match class.as_str() {
        "letter" => c.is_ascii_alphabetic(),
        "digit" => c.is_ascii_digit(),
        literal => literal.chars().eq(std::iter::once(c)),
    })
}

/// Characters tried against an "allowed characters" rule, in order; the first two outside the
/// allowed set become probes.
const OUTSIDERS: &[char] = &['-', '_', ' ', '.', '@', '中'];

impl Rule {
    /// Probe values for this rule. `sample` is a value of the member that satisfies every rule
    /// (used to build strings of the right shape); lengths are counted in characters.
    pub fn probes(&self, sample: Option<&Value>) -> Vec<Probe> {
        let f = &self.field;
        let text = |n: usize| filler(sample, n);
        let probe = |value: Value, valid: bool, label: String, rationale: String| Probe {
            value: Some(value),
            valid,
            label,
            rationale,
        };
        match &self.kind {
            RuleKind::Required => vec![Probe {
                value: None,
                valid: false,
                label: "missing".into(),
                rationale: format!("{f} left out, though the table marks it mandatory"),
            }],
            RuleKind::Type(t) => {
                let wrong: Vec<(Value, &str)> = match t.as_str() {
                    "string" => vec![(Value::from(12345), "number")],
                    "integer" => vec![(Value::from("abc"), "text"), (Value::from(1.5), "fraction")],
                    "boolean" => vec![(Value::from("true"), "text")],
                    "array" => vec![(Value::from("x"), "text")],
                    "object" => vec![(Value::from("x"), "text")],
                    _ => vec![],
                };
                wrong
                    .into_iter()
                    .map(|(v, what)| {
                        probe(v, false, what.to_owned(), format!("{f} given as a {what}, not the documented {t}"))
                    })
                    .collect()
            }
            RuleKind::MinLength(n) => {
                let n = usize::try_from(*n).unwrap_or(usize::MAX);
                let mut out = vec![probe(
                    Value::from(text(n)),
                    true,
                    format!("len_{n}"),
                    format!("{f} of exactly the documented minimum of {n} characters"),
                )];
                if n > 0 {
                    out.push(probe(
                        Value::from(text(n - 1)),
                        false,
                        format!("len_{}", n - 1),
                        format!("{f} shorter than the documented minimum of {n} characters"),
                    ));
                }
                out.push(probe(
                    Value::from(text(n + 1)),
                    true,
                    format!("len_{}", n + 1),
                    format!("{f} just above the documented minimum of {n} characters"),
                ));
                out
            }
            RuleKind::MaxLength(n) => {
                let n = usize::try_from(*n).unwrap_or(usize::MAX / 2);
                let mut out = vec![
                    probe(
                        Value::from(text(n)),
                        true,
                        format!("len_{n}"),
                        format!("{f} of exactly the documented maximum of {n} characters"),
                    ),
                    probe(
                        Value::from(text(n + 1)),
                        false,
                        format!("len_{}", n + 1),
                        format!("{f} longer than the documented {n} characters"),
                    ),
                ];
                if n > 1 {
                    out.push(probe(
                        Value::from(text(n - 1)),
                        true,
                        format!("len_{}", n - 1),
                        format!("{f} just under the documented maximum of {n} characters"),
                    ));
                }
                out
            }
            RuleKind::FirstChar(first) => {
                let base = text(4);
                ['1', '-', '_']
                    .into_iter()
                    .filter(|c| !char_in(*c, first))
                    .take(1)
                    .map(|c| {
                        let v: String = std::iter::once(c).chain(base.chars().skip(1)).collect();
                        probe(
                            Value::from(v),
                            false,
                            format!("starts_{}", char_label(c)),
                            format!("{f} starting with {}, not {}", char_words(c), classes_words(first)),
                        )
                    })
                    .collect()
            }
            RuleKind::AllowedChars(allowed) => {
                let base = text(4);
                OUTSIDERS
                    .iter()
                    .copied()
                    .filter(|c| !char_in(*c, allowed))
                    .take(2)
                    .map(|c| {
                        let v = insert_after_first(&base, c);
                        probe(
                            Value::from(v),
                            false,
                            format!("has_{}", char_label(c)),
                            format!(
                                "{f} containing {}, outside the documented {}",
                                char_words(c),
                                classes_words(allowed)
                            ),
                        )
                    })
                    .collect()
            }
            RuleKind::ForbiddenChars(forbidden) => {
                let base = text(4);
                forbidden
                    .iter()
                    .filter_map(|s| s.chars().next())
                    .map(|c| {
                        probe(
                            Value::from(insert_after_first(&base, c)),
                            false,
                            format!("has_{}", char_label(c)),
                            format!("{f} containing the forbidden character {c}"),
                        )
                    })
                    .collect()
            }
            RuleKind::Enum(values) => {
                let mut out: Vec<Probe> = values
                    .iter()
                    .map(|v| {
                        let shown = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                        probe(
                            v.clone(),
                            true,
                            format!("is_{shown}"),
                            format!("{f} set to the documented value {shown}"),
                        )
                    })
                    .collect();
                out.push(probe(
                    Value::from("hwconform-undocumented"),
                    false,
                    "undocumented".into(),
                    format!("{f} outside its documented values"),
                ));
                out
            }
            RuleKind::Minimum(m) => vec![
                probe(Value::from(*m), true, format!("is_{m}"), format!("{f} at the documented minimum {m}")),
                probe(Value::from(m - 1), false, "below_min".into(), format!("{f} below the documented minimum {m}")),
            ],
        }
    }
}

/// A string of `n` characters shaped like `sample`: it keeps the sample's first character where
/// that is a letter (so "must start with a letter" holds) and pads with `a`.
fn filler(sample: Option<&Value>, n: usize) -> String {
    let first = sample.and_then(Value::as_str).and_then(|s| s.chars().next()).filter(char::is_ascii_alphabetic);
    let first = first.unwrap_or('A');
    if n == 0 {
        return String::new();
    }
    std::iter::once(first).chain(std::iter::repeat_n('a', n - 1)).collect()
}

fn insert_after_first(base: &str, c: char) -> String {
    let mut chars = base.chars();
    let head: String = chars.next().into_iter().collect();
    format!("{head}{c}{}", chars.collect::<String>())
}

fn char_label(c: char) -> String {
    if c.is_ascii_alphanumeric() { c.to_string() } else { format!("0x{:x}", u32::from(c)) }
}

fn char_words(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        c if c.is_ascii_digit() => "a digit".into(),
        c => format!("'{c}'"),
    }
}

fn classes_words(classes: &[String]) -> String {
    let parts: Vec<String> = classes
        .iter()
        .map(|c| match c.as_str() {
            "letter" => "letters".to_owned(),
            "digit" => "digits".to_owned(),
            other => format!("'{other}'"),
        })
        .collect();
    parts.join(", ")
}

/// Sets the member at `pointer` to `value` (or removes it for `None`), creating nothing: the
/// parent must exist. Returns whether the instance changed shape as asked.
pub fn apply(instance: &mut Value, pointer: &str, value: Option<&Value>) -> bool {
    if pointer.is_empty() {
        return match value {
            Some(v) => {
                *instance = v.clone();
                true
            }
            None => false,
        };
    }
    let (parent, last) = match pointer.rfind('/') {
        Some(i) => (&pointer[..i], pointer[i + 1..].replace("~1", "/").replace("~0", "~")),
        None => return false,
    };
    match instance.pointer_mut(parent) {
        Some(Value::Object(map)) => set_member(map, last, value),
        Some(Value::Array(items)) => match (last.parse::<usize>().ok(), value) {
            (Some(i), Some(v)) if i < items.len() => {
                items[i] = v.clone();
                true
            }
            _ => false,
        },
        _ => false,
    }
}

fn set_member(map: &mut Map<String, Value>, key: String, value: Option<&Value>) -> bool {
    match value {
        Some(v) => {
            map.insert(key, v.clone());
            true
        }
        None => map.remove(&key).is_some(),
    }
}
