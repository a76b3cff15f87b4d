//! Validates a page's printed examples against what derive read from its tables. Each
//! contradiction becomes an erratum candidate (same kinds as `fixtures/errata.json`): invalid
//! JSON (repaired where the mistake is a lone missing or trailing comma), a schema violation, a
//! page longer than the documented limit, an example of a status whose body no table documents.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::phrases::re;
use serde_json::{Value, json};

use super::Warning;
use super::assemble::OperationFiles;
use super::interpret::Facts;
use crate::catalogue::{ErratumKind, ParamRole};

/// A contradiction found on a page, before the overlay gives it an id and a decision.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub operation: String,
    pub example: String,
    pub kind: ErratumKind,
    pub violates: Option<Value>,
    pub source: Value,
    pub reason: String,
}

static TRAILING_COMMA: LazyLock<Regex> = LazyLock::new(|| re(r",(\s*[}\]])"));
static MISSING_COMMA: LazyLock<Regex> = LazyLock::new(|| re(r#"(?m)(["\d}\]el])([ \t]*\n[ \t]*")"#));

/// Warnings for examples that contradict the page outside any schema: a request line whose method
/// or path does not fit the documented endpoint, an example status missing from the status table.
pub(super) fn check_request_lines(facts: &Facts, warnings: &mut Vec<Warning>) {
    let template = regex::escape(&facts.path);
    let template = re(r"\\\{[^}]*\\\}").replace_all(&template, "[^/]+");
    let path_re = re(&format!("^{template}$"));
    for ex in &facts.examples {
        let Some(line) = &ex.request_line else { continue };
        let Some((method, url)) = line.split_once(' ') else { continue };
        let path = url.split_once("://").map_or(url, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
        let path = path.split('?').next().unwrap_or(path);
        if method != facts.method || !path_re.is_match(path) {
            let message = format!("example request line does not fit the documented {} {}", facts.method, facts.path);
            warnings.push(Warning::new(&facts.page, &ex.table, &ex.row, message));
        }
    }
    if facts.status_codes.is_empty() {
        return;
    }
    for ex in facts.examples.iter().filter(|e| e.status.is_some()) {
        let status = ex.status.unwrap_or(0);
        if !facts.status_codes.iter().any(|(s, _, _)| *s == status) && status != facts.success_status {
            let message = format!("example of status {status}, which the status-code table does not list");
            warnings.push(Warning::new(&facts.page, &ex.table, &ex.row, message));
        }
    }
}

/// The JSON a printed body means, when its only mistakes are trailing or missing commas.
pub(super) fn repair(raw: &str) -> Option<Value> {
    let text = TRAILING_COMMA.replace_all(raw, "$1");
    if let Ok(v) = serde_json::from_str(&text) {
        return Some(v);
    }
    let text = MISSING_COMMA.replace_all(&text, "$1,$2");
    serde_json::from_str(&text).ok()
}

/// A validator over every derived schema, so `$ref`s between files resolve.
pub(super) struct Validators {
    docs: Vec<(String, Value)>,
}

impl Validators {
    pub(super) fn new(schemas: &BTreeMap<String, Value>) -> Self {
        let docs: Vec<(String, Value)> = schemas
            .values()
            .filter_map(|d| d.get("$id").and_then(Value::as_str).map(|id| (id.to_owned(), d.clone())))
            .collect();
        Self { docs }
    }

    /// `(instance pointer, keyword)` of every violation of `instance` against the schema `$id`.
    fn violations(&self, schema: &Value, instance: &Value) -> Result<Vec<(String, String)>, String> {
        let registry = jsonschema::Registry::new()
            .extend(self.docs.iter().map(|(id, d)| (id.as_str(), d.clone())))
            .and_then(jsonschema::RegistryBuilder::prepare)
            .map_err(|e| e.to_string())?;
        let v = jsonschema::draft202012::options().with_registry(&registry).build(schema).map_err(|e| e.to_string())?;
        Ok(v.iter_errors(instance).map(|e| (e.instance_path().to_string(), e.kind().keyword().to_owned())).collect())
    }
}

/// The `x-source` of the schema node describing `pointer` (following `properties` only).
fn source_at(schema: &Value, pointer: &str) -> Option<Value> {
    let mut node = schema;
    for token in pointer.split('/').skip(1) {
        node = node.get("properties")?.get(token)?;
    }
    node.get("x-source").cloned()
}

/// The schema example `name` (`request`, `response.<status>`) is checked against, as the operation
/// names it.
fn example_schema(files: &OperationFiles, schemas: &BTreeMap<String, Value>, name: &str) -> Option<Value> {
    let meta = &files.operation;
    let file = if name == "request" {
        meta.get("request_body")?.get("schema")?.as_str()?.to_owned()
    } else {
        let status = name.strip_prefix("response.")?.parse::<u64>().ok()?;
        let r = meta.get("responses")?.as_array()?.iter().find(|r| r.get("status") == Some(&json!(status)))?;
        r.get("schema")?.as_str()?.to_owned()
    };
    let path = match file.strip_prefix("../") {
        Some(rest) => format!("schemas/{rest}"),
        None => format!("schemas/{}/{file}", files.id),
    };
    schemas.get(&path).cloned()
}

/// Success examples listing more items than the limit the example request asks for.
fn pages_over_limit(
    facts: &Facts,
    files: &OperationFiles,
    roles: &BTreeMap<String, ParamRole>,
    bodies: &BTreeMap<String, Value>,
    found: &mut Vec<Found>,
) {
    let limit_param = roles.iter().find(|(_, r)| **r == ParamRole::PageLimit).map(|(n, _)| n.clone());
    let limit = facts.examples.iter().filter_map(|e| e.request_line.as_deref()).find_map(|line| {
        let (_, q) = line.split_once('?')?;
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| Some(*k) == limit_param.as_deref())?
            .1
            .parse::<usize>()
            .ok()
    });
    let Some(limit) = limit else { return };
    for ex in files.examples.iter().filter(|e| e.status == Some(facts.success_status)) {
        let Some(Value::Object(body)) = bodies.get(&ex.name) else { continue };
        for (member, value) in body {
            if let Value::Array(items) = value
                && items.len() > limit
            {
                found.push(Found {
                    operation: files.id.clone(),
                    example: ex.name.clone(),
                    kind: ErratumKind::PageExceedsLimit,
                    violates: None,
                    source: ex.source.clone(),
                    reason: format!(
                        "The example request asks for at most {limit} items but {member} lists {}.",
                        items.len()
                    ),
                });
            }
        }
    }
}

/// Checks every example of one operation. Returns the contradictions and the corrected bodies.
pub(super) fn check_examples(
    facts: &Facts,
    files: &OperationFiles,
    schemas: &BTreeMap<String, Value>,
    validators: &Validators,
    roles: &BTreeMap<String, ParamRole>,
    warnings: &mut Vec<Warning>,
) -> (Vec<Found>, BTreeMap<String, Value>) {
    let op = &files.id;
    let mut found = Vec::new();
    let mut bodies = BTreeMap::new();
    for ex in &files.examples {
        let Some(raw) = &ex.body_raw else { continue };
        let body = match serde_json::from_str::<Value>(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                found.push(Found {
                    operation: op.clone(),
                    example: ex.name.clone(),
                    kind: ErratumKind::InvalidJson,
                    violates: None,
                    source: ex.source.clone(),
                    reason: format!("The example body is not valid JSON: {e}."),
                });
                let repaired = repair(raw);
                if repaired.is_none() {
                    warnings.push(Warning::new(
                        &facts.page,
                        ex.source["table"].as_str().unwrap_or("-"),
                        ex.source["row"].as_str().unwrap_or("-"),
                        "example body is not JSON and cannot be repaired; no corrected body",
                    ));
                }
                repaired
            }
        };
        let Some(body) = body else { continue };
        if let Some(schema) = example_schema(files, schemas, &ex.name) {
            match validators.violations(&schema, &body) {
                Ok(violations) => {
                    for (pointer, keyword) in violations {
                        found.push(Found {
                            operation: op.clone(),
                            example: ex.name.clone(),
                            kind: ErratumKind::ViolatesSchema,
                            violates: Some(json!({"pointer": pointer, "keyword": keyword})),
                            source: source_at(&schema, &pointer).unwrap_or_else(|| ex.source.clone()),
                            reason: format!("The example breaks the `{keyword}` rule the tables give {pointer}."),
                        });
                    }
                }
                Err(e) => warnings.push(Warning::new(
                    &facts.page,
                    "-",
                    &ex.name,
                    format!("derived schema does not compile: {e}"),
                )),
            }
        }
        bodies.insert(ex.name.clone(), body);
    }

    // A page of results longer than the limit the example request asks for.
    pages_over_limit(facts, files, roles, &bodies, &mut found);

    // An example of a status no response table documents.
    for ex in files.examples.iter().filter(|e| e.status.is_some()) {
        let status = ex.status.unwrap_or(0);
        if facts.responses.contains_key(&status) {
            continue;
        }
        let general = files.envelope.as_ref().is_some_and(|e| e.only_for.is_none());
        if status >= 400 && general {
            continue;
        }
        found.push(Found {
            operation: op.clone(),
            example: ex.name.clone(),
            kind: ErratumKind::UndocumentedResponse,
            violates: None,
            source: ex.source.clone(),
            reason: format!("The page shows a {status} example but no response table documents a {status} body."),
        });
    }
    (found, bodies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_only_comma_mistakes() {
        assert_eq!(repair("{\n\"a\" : 1\n\"b\": \"x\"\n}"), Some(json!({"a": 1, "b": "x"})));
        assert_eq!(repair("{ \"a\": \"x\", }"), Some(json!({"a": "x"})));
        assert_eq!(repair("{ \"a\": }"), None);
    }
}
