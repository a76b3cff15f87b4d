//! Where each member table's rows go, once the whole page is read. The request line decides
//! locations: a row named by a `{…}` segment is a path parameter, one named in the query part a
//! query parameter (a fixed value such as `action_id=start` kept); otherwise the caption (query,
//! header, body) or the rows (HTTP header names) decide. The section decides request or response;
//! a table another member refers to is a nested object of that member (see [`super::nested`]),
//! followed recursively with cycles warned.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::errata::repair;
use super::interpret::{Endpoint, Field, FieldTable, Object, Param, Place, ReadTable, Reader, Role};
use super::nested::{Reference, Target, resolve};
use super::phrases::{Constraints, re};
use super::request_line::placeholders;
use super::table::Column;
use super::types::{is_structured, structure_name};

/// The members of a page, placed.
pub(super) struct Placed {
    pub params: Vec<Param>,
    pub body: Option<FieldTable>,
    pub responses: BTreeMap<u16, FieldTable>,
    pub objects: Vec<Object>,
}

static HEADER_NAME: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Z][A-Za-z0-9]*(-[A-Za-z0-9]+)+$"));
static OBJECT_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:Table \d+|表\d+)\s+([A-Za-z][A-Za-z0-9_]*)$"));

/// `project_id`, `projectId` and `ProjectID` compare equal.
fn loose(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase()
}

/// The nested objects built so far, by the tables they merge.
struct Objects {
    by_tables: BTreeMap<Vec<usize>, String>,
    list: Vec<Object>,
}

struct Placer<'r, 'a> {
    r: &'r mut Reader<'a>,
    refs: Vec<Vec<Option<Vec<usize>>>>,
    objects: Objects,
}

impl Placer<'_, '_> {
    /// The tables each structured member refers to; a reference to a missing table is a warning.
    fn resolve_all(&mut self) {
        let targets: Vec<(Option<super::sections::Caption>, Option<String>)> =
            self.r.tables.iter().map(|t| (t.caption.clone(), t.table.anchor.clone())).collect();
        let targets: Vec<Target<'_>> =
            targets.iter().map(|(c, a)| Target { caption: c.as_ref(), anchor: a.as_deref() }).collect();
        let mut refs = Vec::new();
        let mut warnings = Vec::new();
        for (i, t) in self.r.tables.iter().enumerate() {
            let mut row_refs = Vec::new();
            for (f, row) in t.fields.iter().zip(&t.table.rows) {
                if !is_structured(&f.doc_type) {
                    row_refs.push(None);
                    continue;
                }
                let description = t.table.cell(row, &Column::Description).unwrap_or("");
                match resolve(&f.name, &f.doc_type, description, &row.links, &targets, i) {
                    Reference::Tables(v) => row_refs.push(Some(v)),
                    Reference::Missing(why) => {
                        warnings.push((t.label.clone(), f.name.clone(), f.line, format!("members not read: {why}")));
                        row_refs.push(None);
                    }
                    Reference::None => row_refs.push(None),
                }
            }
            refs.push(row_refs);
        }
        for (table, row, line, message) in warnings {
            self.r.warn(&table, &row, line, message);
        }
        self.refs = refs;
    }

    /// The object merging `tables` (members of `member`), built once; `None` on a cycle.
    fn object(&mut self, tables: &[usize], member: &str, request: bool, stack: &mut Vec<usize>) -> Option<String> {
        if let Some(t) = tables.iter().find(|t| stack.contains(t)) {
            let label = self.r.tables[*t].label.clone();
            let message =
                format!("the members of `{member}` refer back to {label}, which contains it: cycle not followed");
            let (at, line) = stack.last().map_or((String::new(), 0), |s| {
                let t = &self.r.tables[*s];
                (t.label.clone(), t.fields.iter().find(|f| f.name == member).map_or(t.table.line, |f| f.line))
            });
            self.r.warn(&at, member, line, message);
            return None;
        }
        if let Some(name) = self.objects.by_tables.get(tables) {
            return Some(name.clone());
        }
        let base = match tables {
            [one] => self.r.tables[*one]
                .caption
                .as_ref()
                .and_then(|c| structure_name(&c.name))
                .unwrap_or_else(|| member.to_owned()),
            _ => member.to_owned(),
        };
        let name = self.unique(&base);
        self.objects.by_tables.insert(tables.to_vec(), name.clone());
        let mut fields = Vec::new();
        let mut labels = Vec::new();
        for t in tables {
            stack.push(*t);
            labels.push(self.r.tables[*t].label.clone());
            fields.extend(self.members(*t, request, stack));
            stack.pop();
        }
        let table = FieldTable { label: labels.join(" + "), fields };
        self.objects.list.push(Object { name: name.clone(), table, request });
        Some(name)
    }

    fn unique(&self, base: &str) -> String {
        let clean: String =
            base.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
        let clean = if clean.trim_matches('_').is_empty() { "object".to_owned() } else { clean };
        let taken =
            |n: &str| self.objects.list.iter().any(|o| o.name == n) || self.objects.by_tables.values().any(|v| v == n);
        if !taken(&clean) {
            return clean;
        }
        #[expect(clippy::maybe_infinite_iter, reason = "finitely many names are taken: one suffix is free")]
        let free = (2..).map(|n| format!("{clean}_{n}")).find(|n| !taken(n));
        free.unwrap_or(clean)
    }

    /// The members of table `t`, each nested member pointing at its object.
    fn members(&mut self, t: usize, request: bool, stack: &mut Vec<usize>) -> Vec<Field> {
        let mut fields = self.r.tables[t].fields.clone();
        for (i, f) in fields.iter_mut().enumerate() {
            if let Some(Some(targets)) = self.refs[t].get(i).cloned() {
                f.nested = self.object(&targets, &f.name, request, stack);
            }
        }
        fields
    }
}

/// The top-level keys of the example request body, if the page prints one.
fn example_body_keys(r: &Reader<'_>) -> BTreeSet<String> {
    r.examples
        .iter()
        .filter(|e| e.status.is_none())
        .filter_map(|e| e.body.as_deref())
        .filter_map(|b| serde_json::from_str::<Value>(b).ok().or_else(|| repair(b)))
        .find_map(|v| v.as_object().map(|o| o.keys().cloned().collect::<BTreeSet<_>>()))
        .unwrap_or_default()
}

/// Where the parameter tables' rows go, and the parameters the request line adds.
struct Locator<'e> {
    endpoint: &'e Endpoint,
    placeholders: Vec<String>,
    body_keys: BTreeSet<String>,
}

impl Locator<'_> {
    /// The place of `f` from table `t`; a rename when a `{…}` segment spells the name otherwise;
    /// a doubt to warn about.
    fn place(&self, t: &ReadTable, f: &Field, header_table: bool) -> (Place, Option<String>, Option<String>) {
        if self.placeholders.contains(&f.name) {
            return (Place::Path, None, None);
        }
        if let Some(p) = self.placeholders.iter().find(|p| loose(p) == loose(&f.name)) {
            let why = format!(
                "documented as `{}` but the request line writes `{{{p}}}`; named as in the request line",
                f.name
            );
            return (Place::Path, Some(p.clone()), Some(why));
        }
        if self.endpoint.line.query.iter().any(|q| q.name == f.name) {
            return (Place::Query, None, None);
        }
        let caption = t.label.to_lowercase();
        if caption.contains("query") || t.label.contains("查询") {
            return (Place::Query, None, None);
        }
        if caption.contains("header") || t.label.contains("请求头") || t.label.contains("消息头") || header_table
        {
            return (Place::Header, None, None);
        }
        if caption.contains("body") || t.label.contains("请求体") || t.label.contains("Body") {
            return (Place::Body, None, None);
        }
        if t.role == Role::Uri {
            if self.body_keys.contains(&f.name) {
                let why = "listed with the URI parameters but in neither the path nor the query of the request line; read as a body member because the example request body sends it";
                return (Place::Body, None, Some(why.to_owned()));
            }
            let why = "listed with the URI parameters but not in the request line; read as a query parameter (the URI holds only path and query)";
            return (Place::Query, None, Some(why.to_owned()));
        }
        (Place::Body, None, None)
    }
}

/// Places every member table of the page: parameters, body, responses and nested objects.
pub(super) fn place_tables(r: &mut Reader<'_>, endpoint: &Endpoint) -> Placed {
    let locator =
        Locator { endpoint, placeholders: placeholders(&endpoint.line.path), body_keys: example_body_keys(r) };
    let mut p = Placer { r, refs: Vec::new(), objects: Objects { by_tables: BTreeMap::new(), list: Vec::new() } };
    p.resolve_all();
    let referenced: BTreeSet<usize> = p
        .refs
        .iter()
        .enumerate()
        .flat_map(|(i, rows)| rows.iter().flatten().flatten().copied().filter(move |t| *t != i).collect::<Vec<_>>())
        .collect();
    let mut params = Vec::new();
    let mut body: Option<FieldTable> = None;
    let mut responses: BTreeMap<u16, FieldTable> = BTreeMap::new();
    let mut extra = 0;
    for t in 0..p.r.tables.len() {
        if referenced.contains(&t) {
            continue;
        }
        let role = p.r.tables[t].role;
        let label = p.r.tables[t].label.clone();
        match role {
            Role::Response(status) => {
                let fields = p.members(t, false, &mut vec![t]);
                let key = status.unwrap_or(0);
                if let std::collections::btree_map::Entry::Vacant(e) = responses.entry(key) {
                    e.insert(FieldTable { label, fields });
                } else {
                    extra += 1;
                    let name =
                        OBJECT_LABEL.captures(&label).map(|c| c[1].to_owned()).unwrap_or(format!("object{extra}"));
                    let name = p.unique(&name);
                    p.objects.list.push(Object { name, table: FieldTable { label, fields }, request: false });
                }
            }
            Role::Uri | Role::Request => {
                let fields = p.members(t, true, &mut vec![t]);
                let rt = &p.r.tables[t];
                let header_table = !rt.fields.is_empty() && rt.fields.iter().all(|f| HEADER_NAME.is_match(&f.name));
                let placed: Vec<(Place, Option<String>, Option<String>)> =
                    fields.iter().map(|f| locator.place(rt, f, header_table)).collect();
                let all_body = placed.iter().all(|(pl, _, _)| *pl == Place::Body);
                if all_body && body.is_some() {
                    let message = "a second body table no member refers to; read as a nested object";
                    p.r.warn(&label, "-", p.r.tables[t].table.line, message);
                    let name = p.unique(&format!("object{}", extra + 1));
                    extra += 1;
                    p.objects.list.push(Object { name, table: FieldTable { label, fields }, request: true });
                    continue;
                }
                for (mut f, (place, rename, doubt)) in fields.into_iter().zip(placed) {
                    if let Some(why) = doubt {
                        p.r.warn(&label, &f.name, f.line, why);
                    }
                    if let Some(n) = rename {
                        f.name = n;
                    }
                    if place == Place::Body {
                        body.get_or_insert_with(|| FieldTable { label: label.clone(), fields: Vec::new() })
                            .fields
                            .push(f);
                    } else {
                        params.push(Param { place, field: f });
                    }
                }
            }
        }
    }
    add_request_line_params(p.r, &locator, &mut params);
    Placed { params, body, responses, objects: p.objects.list }
}

/// Parameters the request line names but no table documents, and the fixed query values.
fn add_request_line_params(r: &mut Reader<'_>, locator: &Locator<'_>, params: &mut Vec<Param>) {
    let e = locator.endpoint;
    for name in &locator.placeholders {
        if params.iter().any(|p| p.place == Place::Path && p.field.name == *name) {
            continue;
        }
        let message = "path parameter no table documents; typed as a string (every path segment is one)";
        r.warn(&e.table, name, e.page_line, message);
        params.push(Param { place: Place::Path, field: synthetic(name, Some(true), "String", &e.table, e.page_line) });
    }
    for q in &e.line.query {
        if let Some(p) = params.iter_mut().find(|p| p.place == Place::Query && p.field.name == q.name) {
            p.field.fixed.clone_from(&q.fixed);
        } else {
            let field = if let Some(value) = &q.fixed {
                let mut f = synthetic(&q.name, Some(true), "String", &e.table, e.page_line);
                f.fixed = Some(value.clone());
                f
            } else {
                let message = "query parameter of the request line no table documents; its type is unknown";
                r.warn(&e.table, &q.name, e.page_line, message);
                synthetic(&q.name, Some(false), "", &e.table, e.page_line)
            };
            params.push(Param { place: Place::Query, field });
        }
    }
}

fn synthetic(name: &str, required: Option<bool>, doc_type: &str, table: &str, line: usize) -> Field {
    Field {
        name: name.to_owned(),
        required,
        doc_type: doc_type.to_owned(),
        constraints: Constraints::default(),
        table: table.to_owned(),
        line,
        nested: None,
        fixed: None,
    }
}
