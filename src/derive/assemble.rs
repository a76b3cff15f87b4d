//! Assembles the facts of one page into the catalogue's file format (`schemas/README.md`):
//! `operation.json`, the request, response and nested-object schemas, and the printed examples.
//! Identity (id, title, family …) comes from the overlay; without an entry, a provisional id is
//! made from what identifies the operation on the page (see [`provisional_id`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::Warning;
use super::interpret::{Facts, Field, FieldTable, Param};
use super::types::{item_type, json_type};

pub(super) const ID_BASE: &str = "https://schemas.hwconform.invalid/";
pub(super) const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// What the overlay says about a page's operation (the page cannot say it).
#[derive(Debug, Clone)]
pub struct Identity {
    pub id: String,
    pub title: String,
    pub service: String,
    pub family: String,
    pub mutating: bool,
    pub roles: BTreeMap<String, crate::catalogue::ParamRole>,
}

/// The error-envelope convention (the catalogue's own type).
pub(super) use crate::catalogue::EnvelopeStyle as Style;

/// `snake` / `camel`, as `operation.json` writes the style.
pub(super) fn style_name(style: Style) -> &'static str {
    match style {
        Style::Snake => "snake",
        Style::Camel => "camel",
    }
}

/// The shared envelope schema of a style, relative to an operation folder.
pub(super) fn style_schema(style: Style) -> String {
    format!("../common/error-{}.schema.json", style_name(style))
}

/// Where a page documents its error envelope.
#[derive(Debug, Clone)]
pub(super) struct Envelope {
    pub style: Style,
    pub label: String,
    /// The status of the table, when the table documents the envelope of that status only.
    pub only_for: Option<u16>,
    /// Each envelope member with its documented type.
    pub members: Vec<(String, String)>,
}

/// A printed example ready to be written: raw text, and the body to correct and validate.
#[derive(Debug, Clone)]
pub(super) struct ExampleOut {
    pub name: String,
    pub status: Option<u16>,
    pub raw: String,
    pub body_raw: Option<String>,
    pub source: Value,
}

/// The assembled files of one operation, before errata and overlay patches.
#[derive(Debug, Clone)]
pub(super) struct OperationFiles {
    pub id: String,
    pub operation: Value,
    /// Schema documents by path relative to the project root.
    pub schemas: BTreeMap<String, Value>,
    pub examples: Vec<ExampleOut>,
    pub envelope: Option<Envelope>,
}

pub(super) fn source(page: &str, table: &str, row: &str) -> Value {
    json!({"page": page, "table": table, "row": row})
}

fn find_envelope(facts: &Facts) -> Option<Envelope> {
    for style in [Style::Snake, Style::Camel] {
        let (code, msg) = style.fields();
        let tables =
            facts.responses.iter().map(|(s, t)| (Some(*s), t)).chain(facts.objects.iter().map(|o| (None, &o.table)));
        for (status, table) in tables {
            let members: Vec<(String, String)> = table
                .fields
                .iter()
                .filter(|f| f.name == code || f.name == msg)
                .map(|f| (f.name.clone(), f.doc_type.clone()))
                .collect();
            if members.len() == 2 {
                let pure = table.fields.len() == 2;
                let only_for = status.filter(|s| pure && *s >= 400);
                return Some(Envelope { style, label: table.label.clone(), only_for, members });
            }
        }
    }
    None
}

/// Marks a member whose description or type derive could not fully read (`x-unread`): what is
/// listed there constrains nothing, so the member is less constrained than the page may mean.
fn mark_unread(schema: &mut Map<String, Value>, field: &Field, ty: Option<&str>, misfits: Vec<String>) {
    let mut unread = field.constraints.unread.clone();
    if ty.is_none() {
        unread.push(format!("unknown type `{}`", field.doc_type));
    }
    unread.extend(misfits);
    if !unread.is_empty() {
        schema.insert("x-unread".into(), json!(unread));
    }
}

struct Builder<'a> {
    facts: &'a Facts,
    warnings: &'a mut Vec<Warning>,
}

impl Builder<'_> {
    fn warn(&mut self, field: &Field, message: impl Into<String>) {
        self.warnings.push(Warning::new(&self.facts.page, &field.table, &field.name, message).at(field.line));
    }

    fn untyped(&mut self, field: &Field) {
        self.warn(field, format!("unknown type `{}`; member left untyped", field.doc_type));
    }

    /// The type, items and `$ref` of one member.
    fn typed(&mut self, schema: &mut Map<String, Value>, field: &Field, ty: Option<&'static str>) {
        let nested = field.nested.as_ref().map(|n| json!({"$ref": format!("{n}.schema.json")}));
        match (ty, nested) {
            (Some("array"), nested) => {
                schema.insert("type".into(), json!("array"));
                match (nested, item_type(&field.doc_type)) {
                    (Some(items), _) => {
                        schema.insert("items".into(), items);
                    }
                    (None, Some(t)) => {
                        schema.insert("items".into(), json!({"type": t}));
                    }
                    (None, None) => self.warn(
                        field,
                        format!("no table documents the items of `{}`; items left unconstrained", field.doc_type),
                    ),
                }
            }
            (Some(t), nested) => {
                schema.insert("type".into(), json!(t));
                if let Some(Value::Object(r)) = nested {
                    schema.extend(r);
                }
            }
            (None, _) => self.untyped(field),
        }
    }

    /// The type and constraint keywords of one member (or parameter), and its JSON type.
    fn constrained(&mut self, field: &Field) -> (Map<String, Value>, Option<&'static str>) {
        let mut schema = Map::new();
        let ty = json_type(&field.doc_type);
        self.typed(&mut schema, field, ty);
        let misfits = field.constraints.apply(&mut schema, ty);
        for sentence in &misfits {
            self.warn(field, sentence.clone());
        }
        mark_unread(&mut schema, field, ty, misfits);
        (schema, ty)
    }

    /// The schema of one member, and whether a success body must contain it.
    fn property(&mut self, field: &Field, envelope: bool) -> (Value, bool) {
        let page = &self.facts.page;
        let (mut schema, ty) = self.constrained(field);
        let blank = field.constraints.may_be_blank && !envelope;
        if blank {
            if let Some(t) = ty {
                schema.insert("type".into(), json!([t, "null"]));
            }
            schema.insert("x-may-be-blank".into(), json!(true));
        }
        schema.insert("x-doc-type".into(), json!(field.doc_type));
        schema.insert("x-source".into(), source(page, &field.table, &field.name));
        (Value::Object(schema), !blank)
    }

    fn object_schema(&mut self, table: &FieldTable, id: &str, title: &str, whole: bool, request: bool) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for f in &table.fields {
            let (schema, needed) = self.property(f, false);
            properties.insert(f.name.clone(), schema);
            // A response member the page marks not mandatory (否/No) may be absent, like a blank one.
            let needed = if request { f.required == Some(true) } else { needed && f.required != Some(false) };
            if needed {
                required.push(f.name.clone());
            }
        }
        let mut doc = json!({
            "$schema": DRAFT,
            "$id": format!("{ID_BASE}{id}"),
            "title": title,
            "type": "object",
            "required": required,
            "properties": properties,
        });
        if whole {
            doc["x-source"] = source(&self.facts.page, &table.label, "*");
        }
        doc
    }
}

/// A provisional operation id, for a page the overlay does not name: API version, method, path
/// template (placeholders by name), the query values the request line fixes, and the doc version
/// the title gives — everything that tells two operations (or two doc versions of one) apart.
pub(super) fn provisional_id(facts: &Facts) -> String {
    let slug = |s: &str| -> String {
        let s: String =
            s.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
        let mut out = String::new();
        for part in s.split('_').filter(|p| !p.is_empty()) {
            if !out.is_empty() {
                out.push('_');
            }
            out.push_str(part);
        }
        out
    };
    let version = if facts.api_version.is_empty() { "v0".to_owned() } else { facts.api_version.clone() };
    let rest = facts.path.strip_prefix(&format!("/{version}")).unwrap_or(&facts.path);
    let mut id = format!("{version}.{}.{}", facts.method.to_lowercase(), slug(rest));
    for (k, v) in &facts.fixed_query {
        let _ = write!(id, ".{}-{}", slug(k), slug(v));
    }
    if let Some(doc) = &facts.doc_version {
        let _ = write!(id, "@{}", slug(doc));
    }
    id
}

fn provisional_identity(facts: &Facts, warnings: &mut Vec<Warning>) -> Identity {
    let id = provisional_id(facts);
    warnings.push(Warning::new(
        &facts.page,
        "-",
        "-",
        format!("no overlay entry: provisional id {id}; service, family and parameter roles unknown, mutating read from the method"),
    ));
    Identity {
        id,
        title: facts.title.clone(),
        service: String::new(),
        family: facts.api_version.clone(),
        mutating: facts.method != "GET",
        roles: BTreeMap::new(),
    }
}

/// Parameters (path, query, header) in page order.
fn parameters(b: &mut Builder<'_>, params: &[Param], identity: &Identity) -> Vec<Value> {
    let page = &b.facts.page;
    let mut out = Vec::new();
    for Param { place, field: f } in params {
        let (mut schema, _) = b.constrained(f);
        if let Some(value) = &f.fixed {
            // The request line fixes the value (`?action_id=start`): the one value it may take.
            schema.insert("enum".into(), json!([value]));
        }
        let mut p = json!({
            "name": f.name,
            "in": place.as_str(),
            "required": f.required.unwrap_or(false),
            "schema": schema,
            "source": source(page, &f.table, &f.name),
        });
        match identity.roles.get(&f.name) {
            Some(role) => p["role"] = serde_json::to_value(role).unwrap_or_default(),
            None => b.warn(f, "no role for this parameter in the overlay"),
        }
        out.push(p);
    }
    out
}

/// The request body: its table, or the example body where the page documents no table.
fn request_body(b: &mut Builder<'_>, id: &str, heading: &str, schemas: &mut BTreeMap<String, Value>) -> Value {
    let facts = b.facts;
    let page = &facts.page;
    let title = format!("{heading}: request body");
    if let Some(table) = &facts.body {
        let doc = b.object_schema(table, &format!("{id}/request.schema.json"), &title, true, true);
        schemas.insert(format!("schemas/{id}/request.schema.json"), doc);
        return json!({"schema": "request.schema.json", "media_type": "application/json", "source": source(page, &table.label, "*")});
    }
    let Some(ex) = facts.examples.iter().find(|e| e.status.is_none() && e.body.is_some()) else {
        return Value::Null;
    };
    let empty = ex.body.as_deref().is_some_and(|b| serde_json::from_str::<Value>(b).is_ok_and(|v| v == json!({})));
    let description = if empty {
        "The page documents no body parameters; its example request sends an empty JSON object."
    } else {
        b.warnings.push(Warning::new(
            page,
            &ex.table,
            &ex.row,
            "example request body without a body table; body left unconstrained",
        ));
        "The page documents no body parameters; its example request sends a body, left unconstrained."
    };
    let doc = json!({
        "$schema": DRAFT,
        "$id": format!("{ID_BASE}{id}/request.schema.json"),
        "title": title,
        "description": description,
        "type": "object",
        "x-source": source(page, &ex.table, &ex.row),
    });
    schemas.insert(format!("schemas/{id}/request.schema.json"), doc);
    json!({"schema": "request.schema.json", "media_type": "application/json", "source": source(page, &ex.table, &ex.row)})
}

/// Nested objects, then the documented responses (and the error examples of the envelope).
fn responses(
    b: &mut Builder<'_>,
    id: &str,
    heading: &str,
    envelope: Option<&Envelope>,
    schemas: &mut BTreeMap<String, Value>,
) -> Vec<Value> {
    let facts = b.facts;
    let page = &facts.page;
    for o in &facts.objects {
        let title = format!("{heading}: {} object", o.name);
        let doc = b.object_schema(&o.table, &format!("{id}/{}.schema.json", o.name), &title, true, o.request);
        schemas.insert(format!("schemas/{id}/{}.schema.json", o.name), doc);
    }
    let mut responses = Vec::new();
    for (status, table) in &facts.responses {
        let schema = if let Some(e) = envelope.filter(|e| e.only_for == Some(*status)) {
            style_schema(e.style)
        } else {
            let title = format!("{heading}: {status} response body");
            let mut doc = b.object_schema(table, &format!("{id}/response.{status}.schema.json"), &title, false, false);
            if let Some(obj) = doc.as_object_mut() {
                obj.remove("x-source");
            }
            schemas.insert(format!("schemas/{id}/response.{status}.schema.json"), doc);
            format!("response.{status}.schema.json")
        };
        responses
            .push((*status, json!({"status": status, "schema": schema, "source": source(page, &table.label, "*")})));
    }
    for ex in facts.examples.iter().filter(|e| e.status.is_some_and(|s| !facts.responses.contains_key(&s))) {
        let status = ex.status.unwrap_or(0);
        if responses.iter().any(|(s, _)| *s == status) {
            continue;
        }
        match (envelope, status >= 400) {
            (Some(e), true) => responses.push((
                status,
                json!({"status": status, "schema": style_schema(e.style), "source": source(page, &ex.table, &ex.row)}),
            )),
            _ => b.warnings.push(Warning::new(
                page,
                &ex.table,
                &ex.row,
                "example of a status with no documented body; not a response of the catalogue",
            )),
        }
    }
    responses.sort_by_key(|(s, _)| *s);
    responses.into_iter().map(|(_, r)| r).collect()
}

/// The printed examples to write, their `operation.json` entries, and the error codes they show.
fn examples(facts: &Facts, envelope: Option<&Envelope>) -> (Vec<ExampleOut>, Vec<Value>, Vec<Value>) {
    let page = &facts.page;
    let mut out = Vec::new();
    let mut meta = Vec::new();
    for ex in &facts.examples {
        let src = source(page, &ex.table, &ex.row);
        let raw = ex.body.clone().or_else(|| ex.request_line.clone()).unwrap_or_default();
        let mut m = json!({"name": ex.name, "raw": format!("raw/{}.txt", ex.name), "source": src});
        if let Some(s) = ex.status {
            m["status"] = json!(s);
        }
        if ex.body.is_some() {
            m["file"] = json!(format!("{}.json", ex.name));
        }
        if let Some(line) = &ex.request_line {
            m["request_line"] = json!(line);
            if let Some((_, q)) = line.split_once('?') {
                let query: Map<String, Value> =
                    q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), json!(v))).collect();
                m["query"] = Value::Object(query);
            }
        }
        meta.push(m);
        out.push(ExampleOut { name: ex.name.clone(), status: ex.status, raw, body_raw: ex.body.clone(), source: src });
    }
    let mut error_examples = Vec::new();
    for ex in facts.examples.iter().filter(|e| e.status.is_some_and(|s| s >= 400)) {
        let (Some(env), Some(body)) = (envelope, ex.body.as_deref()) else { continue };
        let (code, msg) = env.style.fields();
        let parsed = serde_json::from_str::<Value>(body).ok();
        let field = |k: &str| parsed.as_ref().and_then(|v| v.get(k)).and_then(Value::as_str).map(str::to_owned);
        if let (Some(c), Some(m)) = (field(code), field(msg)) {
            error_examples.push(json!({
                "status": ex.status,
                "code": c,
                "message": m,
                "example": ex.name,
                "source": source(page, &ex.table, &ex.row),
            }));
        }
    }
    (out, meta, error_examples)
}

/// Assembles one operation. `identity` is the overlay's; `None` makes a provisional one.
pub(super) fn assemble(facts: &Facts, identity: Option<&Identity>, warnings: &mut Vec<Warning>) -> OperationFiles {
    let page = facts.page.as_str();
    let identity = identity.cloned().unwrap_or_else(|| provisional_identity(facts, warnings));
    let id = identity.id.clone();
    let heading = format!("{} ({})", identity.title, identity.family);
    let mut b = Builder { facts, warnings };
    let mut schemas = BTreeMap::new();
    let envelope = find_envelope(facts);
    let parameters = parameters(&mut b, &facts.params, &identity);
    let request_body = request_body(&mut b, &id, &heading, &mut schemas);
    let responses = responses(&mut b, &id, &heading, envelope.as_ref(), &mut schemas);
    let error_envelope = if let Some(e) = &envelope {
        json!({
            "style": style_name(e.style),
            "schema": style_schema(e.style),
            "basis": "table",
            "source": source(page, &e.label, "*"),
        })
    } else {
        b.warnings.push(Warning::new(page, "-", "-", "the page documents no error envelope"));
        Value::Null
    };
    let (examples, example_meta, error_examples) = examples(facts, envelope.as_ref());
    let status_codes: Vec<Value> =
        facts.status_codes.iter().map(|(s, t, r)| json!({"status": s, "source": source(page, t, r)})).collect();
    let operation = json!({
        "$comment": "Operation metadata; see schemas/README.md for the format.",
        "id": id,
        "title": identity.title,
        "service": identity.service,
        "family": identity.family,
        "api_version": facts.api_version,
        "doc_version": facts.doc_version,
        "page": page,
        "method": facts.method,
        "path": facts.path,
        "mutating": identity.mutating,
        "success_status": facts.success_status,
        "error_envelope": error_envelope,
        "parameters": parameters,
        "request_body": request_body,
        "responses": responses,
        "status_codes": status_codes,
        "error_examples": error_examples,
        "examples": example_meta,
    });
    OperationFiles { id, operation, schemas, examples, envelope }
}

/// The shared envelope schema of one style, from every page documenting it (in page order).
pub(super) fn envelope_schema(style: Style, documented: &[(String, &Envelope)]) -> Value {
    let (code, msg) = style.fields();
    let mut properties = Map::new();
    for name in [code, msg] {
        let sources: Vec<Value> = documented.iter().map(|(page, e)| source(page, &e.label, name)).collect();
        let doc_type = documented
            .iter()
            .find_map(|(_, e)| e.members.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()))
            .unwrap_or_else(|| "String".into());
        let x_source = if sources.len() == 1 { sources[0].clone() } else { Value::Array(sources) };
        properties.insert(name.into(), json!({"type": "string", "x-doc-type": doc_type, "x-source": x_source}));
    }
    json!({
        "$schema": DRAFT,
        "$id": format!("{ID_BASE}common/error-{}.schema.json", style_name(style)),
        "title": format!("Error envelope ({})", if style == Style::Snake { "snake_case" } else { "camelCase" }),
        "type": "object",
        "required": [code, msg],
        "properties": properties,
    })
}
