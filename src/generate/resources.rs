//! Where resources live in the contract: `x-resource` members of request and response schemas
//! (followed through `$ref`s), and the roles of path parameters. Flows and fills are derived from
//! these annotations, so a new operation folder yields them with no Rust.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::catalogue::{Catalogue, CompiledSchema, ParamRole, Source};

/// A member annotated with `x-resource`: its JSON Pointer (array items as `/0`) and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceMember {
    pub pointer: String,
    pub role: ParamRole,
    /// Whether every object on the way down lists the member as required.
    pub required: bool,
}

/// Resolves `$ref`s between catalogue documents by `$id`.
pub struct Resolver<'a> {
    documents: BTreeMap<&'a str, &'a Value>,
}

impl<'a> Resolver<'a> {
    pub fn new(catalogue: &'a Catalogue) -> Self {
        Self { documents: catalogue.documents().map(|(id, _, doc)| (id, doc)).collect() }
    }

    fn resolve(&self, base: &str, reference: &str) -> Option<(&'a Value, String)> {
        let uri = if reference.contains("://") {
            reference.to_owned()
        } else {
            let dir = base.rfind('/').map_or("", |i| &base[..=i]);
            format!("{dir}{reference}")
        };
        self.documents.get(uri.as_str()).map(|doc| (*doc, uri))
    }

    /// Every `x-resource` member of `schema`.
    pub fn members(&self, schema: &CompiledSchema) -> Vec<ResourceMember> {
        let base = schema.document.get("$id").and_then(Value::as_str).unwrap_or_default().to_owned();
        let mut out = Vec::new();
        self.walk(&schema.document, &base, "", true, &mut out, 0);
        out
    }

    /// Every `x-source` of `schema` and the documents it refers to, in document order.
    pub fn sources(&self, schema: &CompiledSchema) -> Vec<Source> {
        let base = schema.document.get("$id").and_then(Value::as_str).unwrap_or_default().to_owned();
        let mut out = Vec::new();
        self.collect_sources(&schema.document, &base, &mut out, 0);
        out
    }

    fn collect_sources(&self, node: &Value, base: &str, out: &mut Vec<Source>, depth: usize) {
        if depth > 16 {
            return;
        }
        match node {
            Value::Object(map) => {
                out.extend(Source::from_annotation(node));
                if let Some((target, uri)) = map.get("$ref").and_then(Value::as_str).and_then(|r| self.resolve(base, r))
                {
                    self.collect_sources(target, &uri, out, depth + 1);
                }
                for (k, v) in map {
                    if k != "x-source" {
                        self.collect_sources(v, base, out, depth + 1);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.collect_sources(v, base, out, depth + 1)),
            _ => {}
        }
    }

    /// The schema node at `pointer` of an instance (following properties, items and `$ref`s).
    pub fn node_at(&self, schema: &CompiledSchema, pointer: &str) -> Option<&'a Value> {
        let base = schema.document.get("$id").and_then(Value::as_str).unwrap_or_default().to_owned();
        // The document itself is owned by the schema; look it up in the registry for the lifetime.
        let (mut node, mut base) = self.resolve("", &base)?;
        for segment in pointer.split('/').skip(1) {
            while let Some(r) = node.get("$ref").and_then(Value::as_str) {
                let (n, b) = self.resolve(&base, r)?;
                node = n;
                base = b;
            }
            node = match segment.parse::<usize>() {
                Ok(_) if node.get("items").is_some() => node.get("items")?,
                _ => node.get("properties")?.get(segment)?,
            };
        }
        while let Some(r) = node.get("$ref").and_then(Value::as_str) {
            let (n, b) = self.resolve(&base, r)?;
            node = n;
            base = b;
        }
        Some(node)
    }

    fn walk(
        &self,
        node: &Value,
        base: &str,
        pointer: &str,
        required: bool,
        out: &mut Vec<ResourceMember>,
        depth: usize,
    ) {
        if depth > 16 {
            return;
        }
        if let Some((target, uri)) = node.get("$ref").and_then(Value::as_str).and_then(|r| self.resolve(base, r)) {
            self.walk(target, &uri, pointer, required, out, depth + 1);
        }
        if let Some(role) = node.get("x-resource").and_then(|r| serde_json::from_value::<ParamRole>(r.clone()).ok()) {
            out.push(ResourceMember { pointer: pointer.to_owned(), role, required });
        }
        let req: Vec<&str> = node
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let child = format!("{pointer}/{}", name.replace('~', "~0").replace('/', "~1"));
                self.walk(prop, base, &child, required && req.contains(&name.as_str()), out, depth + 1);
            }
        }
        if let Some(items) = node.get("items") {
            self.walk(items, base, &format!("{pointer}/0"), false, out, depth + 1);
        }
    }
}

/// The name inside a placeholder a page prints instead of a value the caller must choose: the whole
/// string is `{name}`, `${name}` or `<name>` (`{obs_path}`, `{backup_id}`). Recognised by shape, never by
/// name, so a new page's placeholders are never sent either.
pub fn placeholder(text: &str) -> Option<&str> {
    let inner = text
        .strip_prefix("${")
        .or_else(|| text.strip_prefix('{'))
        .and_then(|t| t.strip_suffix('}'))
        .or_else(|| text.strip_prefix('<').and_then(|t| t.strip_suffix('>')))?;
    let mut chars = inner.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() || first == '_')
        .then_some(())
        .filter(|()| chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map(|()| inner)
}

/// Every placeholder string of a JSON value: (JSON Pointer, the member's name, the placeholder).
pub fn placeholders(value: &Value) -> Vec<(String, String, String)> {
    fn walk(v: &Value, pointer: &str, member: &str, out: &mut Vec<(String, String, String)>) {
        match v {
            Value::String(s) if placeholder(s).is_some() => {
                out.push((pointer.to_owned(), member.to_owned(), s.clone()))
            }
            Value::Object(map) => {
                for (k, child) in map {
                    let escaped = k.replace('~', "~0").replace('/', "~1");
                    walk(child, &format!("{pointer}/{escaped}"), k, out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{pointer}/{i}"), member, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, "", "", &mut out);
    out
}

/// The snake_case name of a role (`graph`, `instance` …).
pub fn role_name(role: ParamRole) -> &'static str {
    match role {
        ParamRole::Project => "project",
        ParamRole::Graph => "graph",
        ParamRole::Instance => "instance",
        ParamRole::Backup => "backup",
        ParamRole::AuthToken => "auth_token",
        ParamRole::PageLimit => "page_limit",
        ParamRole::PageOffset => "page_offset",
    }
}

/// Whether a role names a resource that exists on the target (and so can be unknown).
pub fn is_resource(role: ParamRole) -> bool {
    matches!(role, ParamRole::Graph | ParamRole::Instance | ParamRole::Backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised_by_shape() {
        for p in ["{obs_path}", "${bucket}", "<project_id>", "{backup_id}", "{a.b-c}"] {
            assert!(placeholder(p).is_some(), "{p}");
        }
        for v in ["", "{}", "obs://bucket/{path}", "{1abc}", "plain", "{a b}", "{\"k\": 1}"] {
            assert!(placeholder(v).is_none(), "{v}");
        }
        let body = serde_json::json!({"backup_id": "{backup_id}", "export_path": "{obs_path}", "n": {"x": ["<y>"]}});
        let found = placeholders(&body);
        assert_eq!(
            found,
            vec![
                ("/backup_id".into(), "backup_id".into(), "{backup_id}".into()),
                ("/export_path".into(), "export_path".into(), "{obs_path}".into()),
                ("/n/x/0".into(), "x".into(), "<y>".into()),
            ]
        );
    }

    #[test]
    fn finds_resource_members_through_refs() {
        let cat = Catalogue::builtin().unwrap();
        let r = Resolver::new(&cat);
        let list = cat.operation("ges.v1.list_backups").unwrap();
        let members = r.members(list.response_schema(200).unwrap());
        assert!(members.iter().any(|m| m.pointer == "/backupList/0/id" && m.role == ParamRole::Backup), "{members:?}");
        let export = cat.operation("ges.v2.export_backup").unwrap();
        let members = r.members(export.request.as_ref().unwrap());
        assert_eq!(
            members,
            vec![ResourceMember { pointer: "/backup_id".into(), role: ParamRole::Backup, required: true }]
        );
        let node = r.node_at(list.response_schema(200).unwrap(), "/backupList/0/graphId").unwrap();
        assert_eq!(node.get("x-resource").and_then(Value::as_str), Some("graph"));
    }
}
