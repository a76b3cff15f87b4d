//! Assembles one OpenAPI 3.1 document from the [`Catalogue`]: a path item per documented
//! operation with its parameters (value schemas from the catalogue), request body, a response per
//! documented status (body schema, or the error envelope for error statuses the page lists without
//! a body), the documented examples (error examples by code), the token as a security scheme,
//! and every catalogue schema under `components/schemas`.
//!
//! Catalogue schemas refer to one another by relative URI against their `$id`; here each becomes
//! a component without `$id`, and every `$ref` is rewritten to `#/components/schemas/<name>…`,
//! which every OpenAPI tool resolves.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::catalogue::{Catalogue, CompiledSchema, Location, Operation, ParamRole, Source};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// The OpenAPI 3.1 document of the whole catalogue.
pub fn openapi_document(catalogue: &Catalogue) -> Value {
    let ids: BTreeMap<&str, String> = catalogue.documents().map(|(id, file, _)| (id, component_name(file))).collect();
    let mut schemas = Map::new();
    for (id, file, doc) in catalogue.documents() {
        schemas.insert(component_name(file), component(doc, id, &ids));
    }
    let mut paths = Map::new();
    let mut token_sources = Vec::new();
    for op in catalogue.operations() {
        let item =
            paths.entry(op.meta.path.clone()).or_insert_with(|| json!({ "servers": [server(&op.meta.service)] }));
        if let Some(obj) = item.as_object_mut() {
            obj.insert(op.meta.method.to_ascii_lowercase(), operation(op));
        }
        token_sources.extend(
            op.meta.parameters.iter().filter(|p| p.role == ParamRole::AuthToken).map(|p| source_json(&p.source)),
        );
    }
    let errata: Vec<Value> = catalogue
        .errata()
        .iter()
        .map(|e| {
            json!({
                "id": e.id, "operation": e.operation, "example": e.example,
                "reason": e.reason, "decision": e.decision, "x-source": source_json(&e.source),
            })
        })
        .collect();
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Huawei Cloud backup APIs, as documented",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": summary(catalogue),
            "description": "Assembled by hwconform from its catalogue: the documentation pages' tables as JSON Schema 2020-12. \
                Every parameter, schema member and example carries `x-source` (page, table, row) naming the documentation \
                row it comes from; `x-errata` lists the mistakes found in the pages and what this contract follows instead.",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" },
        },
        "tags": families(catalogue),
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Auth-Token",
                    "description": "An IAM user token, as every page's request-header table requires.",
                    "x-source": token_sources,
                }
            },
        },
        "x-errata": errata,
    })
}

/// The document as pretty JSON with the top-level members in the specification's order
/// (`openapi`, `info` … first; nested maps stay sorted, so the output is stable).
pub fn openapi_json(catalogue: &Catalogue) -> String {
    const ORDER: [&str; 7] = ["openapi", "jsonSchemaDialect", "info", "tags", "paths", "components", "x-errata"];
    let doc = openapi_document(catalogue);
    let mut parts = Vec::new();
    for key in ORDER {
        if let Some(v) = doc.get(key) {
            let body = serde_json::to_string_pretty(v).unwrap_or_default().replace('\n', "\n  ");
            parts.push(format!("  {}: {body}", Value::String(key.to_owned())));
        }
    }
    format!("{{\n{}\n}}\n", parts.join(",\n"))
}

/// `schemas/ges.v1.list_backups/backup.schema.json` → `ges.v1.list_backups.backup`.
pub fn component_name(file: &str) -> String {
    file.trim_start_matches("schemas/").trim_end_matches(".json").trim_end_matches(".schema").replace('/', ".")
}

/// One line naming every operation of the catalogue, by family and title.
fn summary(catalogue: &Catalogue) -> String {
    let ops: Vec<String> =
        catalogue.operations().iter().map(|o| format!("{}: {}", o.meta.family, o.meta.title)).collect();
    format!("{}.", ops.join("; "))
}

fn families(catalogue: &Catalogue) -> Vec<Value> {
    let mut seen: Vec<&str> = catalogue.operations().iter().map(|o| o.meta.family.as_str()).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.into_iter().map(|f| json!({ "name": f, "description": format!("Service family {f}") })).collect()
}

fn server(service: &str) -> Value {
    json!({
        "url": "https://{endpoint}",
        "description": format!("The {service} endpoint of your region"),
        "variables": { "endpoint": { "default": format!("{}.example.invalid", service.to_ascii_lowercase()) } },
    })
}

fn operation(op: &Operation) -> Value {
    let m = &op.meta;
    let parameters: Vec<Value> = m
        .parameters
        .iter()
        .filter(|p| p.role != ParamRole::AuthToken)
        .map(|p| {
            json!({
                "name": p.name,
                "in": match p.location { Location::Path => "path", Location::Query => "query", Location::Header => "header" },
                "required": p.required || p.location == Location::Path,
                "schema": p.schema,
                "x-source": source_json(&p.source),
            })
        })
        .collect();
    let mut out = json!({
        "operationId": m.id.as_str(),
        "summary": m.title,
        "tags": [m.family],
        "parameters": parameters,
        "responses": responses(op),
        "x-doc-page": m.page,
        "x-mutating": m.mutating,
        "x-error-envelope": {
            "style": m.error_envelope.style,
            "basis": m.error_envelope.basis,
            "x-source": source_json(&m.error_envelope.source),
        },
    });
    if let Some(v) = &m.doc_version {
        out["x-doc-version"] = json!(v);
    }
    if m.parameters.iter().any(|p| p.role == ParamRole::AuthToken) {
        out["security"] = json!([{ "token": [] }]);
    }
    if let (Some(body), Some(schema)) = (&m.request_body, &op.request) {
        let mut content = json!({ "schema": schema_ref(schema) });
        let examples = examples(op, |e| e.meta.status.is_none());
        if !examples.is_empty() {
            content["examples"] = Value::Object(examples);
        }
        out["requestBody"] = json!({
            "required": true,
            "content": { body.media_type.clone(): content },
            "x-source": source_json(&body.source),
        });
    }
    if let Some(p) = &m.pagination {
        out["x-pagination"] = json!({
            "limit": p.limit, "offset": p.offset, "total": p.total, "items": p.items, "item_id": p.item_id,
            "x-source": source_json(&p.source),
        });
    }
    out
}

fn responses(op: &Operation) -> Value {
    let m = &op.meta;
    let mut out = Map::new();
    for status in op.documented_statuses() {
        let documented = m.responses.iter().find(|r| r.status == status);
        let row = m.status_codes.iter().find(|s| s.status == status);
        let description = match (row, documented) {
            (Some(r), _) => r.source.row.clone(),
            (None, Some(d)) => d.source.table.clone(),
            (None, None) => format!("Status {status}"),
        };
        let mut response = json!({ "description": description });
        let schema = op.response_schema(status).map(schema_ref);
        let schema = match schema {
            Some(s) => Some(s),
            None if status >= 400 => {
                response["x-envelope-basis"] = json!(m.error_envelope.basis);
                Some(schema_ref(&op.envelope))
            }
            None => None,
        };
        if let Some(schema) = schema {
            let mut content = json!({ "schema": schema });
            let mut examples = examples(op, |e| e.meta.status == Some(status));
            for e in m.error_examples.iter().filter(|e| e.status == status) {
                let (code_key, msg_key) = m.error_envelope.style.fields();
                examples.insert(
                    e.code.clone(),
                    json!({
                        "summary": e.message,
                        "value": { code_key: e.code, msg_key: e.message },
                        "x-applies-to": e.applies_to,
                        "x-source": source_json(&e.source),
                    }),
                );
            }
            if !examples.is_empty() {
                content["examples"] = Value::Object(examples);
            }
            response["content"] = json!({ "application/json": content });
        }
        let mut sources: Vec<Value> = documented.map(|d| source_json(&d.source)).into_iter().collect();
        sources.extend(row.map(|r| source_json(&r.source)));
        if sources.is_empty() {
            // A success status the page documents only by an example (no table, no status-code row).
            sources.extend(
                op.examples.iter().filter(|e| e.meta.status == Some(status)).map(|e| source_json(&e.meta.source)),
            );
        }
        response["x-source"] = Value::Array(sources);
        if let Some(d) = documented.filter(|d| !d.errata.is_empty()) {
            response["x-errata"] = json!(d.errata);
        }
        out.insert(status.to_string(), response);
    }
    Value::Object(out)
}

/// The documented examples with a JSON body that `keep` selects, by example name.
fn examples(op: &Operation, keep: impl Fn(&crate::catalogue::LoadedExample) -> bool) -> Map<String, Value> {
    let mut out = Map::new();
    for e in op.examples.iter().filter(|e| keep(e)) {
        if let Some(body) = &e.body {
            let mut ex = json!({ "summary": format!("Documented example {}", e.meta.name), "value": body, "x-source": source_json(&e.meta.source) });
            if !e.meta.errata.is_empty() {
                ex["x-errata"] = json!(e.meta.errata);
            }
            out.insert(e.meta.name.clone(), ex);
        }
    }
    out
}

fn schema_ref(schema: &CompiledSchema) -> Value {
    json!({ "$ref": format!("{SCHEMA_PREFIX}{}", component_name(&schema.file)) })
}

fn source_json(s: &Source) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

/// A catalogue document as a component: without `$id`/`$schema`, with `$ref`s rewritten.
fn component(doc: &Value, id: &str, ids: &BTreeMap<&str, String>) -> Value {
    let mut out = doc.clone();
    if let Some(obj) = out.as_object_mut() {
        obj.remove("$id");
        obj.remove("$schema");
    }
    let own = ids.get(id).cloned().unwrap_or_default();
    rewrite_refs(&mut out, id, &own, ids);
    out
}

fn rewrite_refs(node: &mut Value, base: &str, own: &str, ids: &BTreeMap<&str, String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                *r = resolve(r, base, own, ids);
            }
            for (k, v) in map.iter_mut() {
                // Annotations and examples are data, not schema: leave them as written.
                if !k.starts_with("x-") && k != "examples" && k != "const" && k != "default" {
                    rewrite_refs(v, base, own, ids);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, base, own, ids)),
        _ => {}
    }
}

/// A `$ref` as a component pointer: `backup.schema.json#/$defs/x` against base
/// `https://…/ges.v1.list_backups/response.200.schema.json` → `#/components/schemas/ges.v1.list_backups.backup/$defs/x`.
fn resolve(reference: &str, base: &str, own: &str, ids: &BTreeMap<&str, String>) -> String {
    let (uri, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    let target = if uri.is_empty() {
        Some(own.to_owned())
    } else {
        let absolute = if uri.contains("://") {
            uri.to_owned()
        } else {
            let dir = base.rfind('/').map_or("", |i| &base[..=i]);
            normalise(&format!("{dir}{uri}"))
        };
        ids.get(absolute.as_str()).cloned()
    };
    match target {
        Some(name) => format!("{SCHEMA_PREFIX}{name}{fragment}"),
        None => reference.to_owned(),
    }
}

/// Resolves `..` and `.` segments of a URI's path.
fn normalise(uri: &str) -> String {
    let (scheme, rest) = uri.split_once("://").unwrap_or(("", uri));
    let mut parts: Vec<&str> = Vec::new();
    for (i, part) in rest.split('/').enumerate() {
        match part {
            ".." if parts.len() > 1 => {
                parts.pop();
            }
            "." | ".." => {}
            p if i == 0 || !p.is_empty() => parts.push(p),
            _ => {}
        }
    }
    if scheme.is_empty() { parts.join("/") } else { format!("{scheme}://{}", parts.join("/")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_refs() {
        assert_eq!(component_name("schemas/common/error-snake.schema.json"), "common.error-snake");
        let ids = BTreeMap::from([
            ("https://s.invalid/common/error-snake.schema.json", "common.error-snake".to_owned()),
            ("https://s.invalid/a/backup.schema.json", "a.backup".to_owned()),
        ]);
        let base = "https://s.invalid/a/response.200.schema.json";
        assert_eq!(resolve("backup.schema.json", base, "a.response.200", &ids), "#/components/schemas/a.backup");
        assert_eq!(
            resolve("../common/error-snake.schema.json#/$defs/x", base, "a.response.200", &ids),
            "#/components/schemas/common.error-snake/$defs/x"
        );
        assert_eq!(resolve("#/$defs/y", base, "a.response.200", &ids), "#/components/schemas/a.response.200/$defs/y");
        assert_eq!(resolve("other.json", base, "a.response.200", &ids), "other.json", "unknown refs stay as written");
    }
}
