//! Where resources live in the contract: `x-resource` members of request and response schemas
//! (followed through `$ref`s), and the roles of path parameters. Flows and fills are derived from
//! these annotations, so a new operation folder yields them with no Rust.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::case::{Case, Expectation, Slot};
use crate::catalogue::{Catalogue, CompiledSchema, Location, Operation, PaginationMeta, ParamRole, Source};

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
    /// A resolver over every schema document of the catalogue, by `$id`.
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
pub(super) fn placeholder(text: &str) -> Option<&str> {
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
pub(super) fn placeholders(value: &Value) -> Vec<(String, String, String)> {
    fn walk(v: &Value, pointer: &str, member: &str, out: &mut Vec<(String, String, String)>) {
        match v {
            Value::String(s) if placeholder(s).is_some() => {
                out.push((pointer.to_owned(), member.to_owned(), s.clone()));
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

/// What the values of a list item's status member mean (`x-lifecycle`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// Work in progress: wait.
    #[serde(default)]
    pub pending: Vec<String>,
    /// Usable.
    #[serde(default)]
    pub ready: Vec<String>,
    /// The work failed: what depended on it cannot be tested.
    #[serde(default)]
    pub failed: Vec<String>,
}

/// How the suite follows a resource the target finishes later: the list operation that shows it
/// (every page), the item's id member, the members naming its parents (the graph), and the status
/// member with its lifecycle. Derived from `pagination`, `x-resource` and `x-lifecycle`: no names.
#[derive(Debug, Clone)]
pub struct Tracker {
    /// The list operation that shows the items.
    pub list: Arc<Operation>,
    /// The role of the items (`backup`).
    pub role: ParamRole,
    /// Members of an item naming the resources it belongs to, with their roles.
    pub parents: Vec<(String, ParamRole)>,
    /// The item member holding the item's state (`status`).
    pub status: String,
    /// Which status values mean pending, ready and failed (`x-lifecycle`).
    pub lifecycle: Lifecycle,
    /// The operations that add items to the list ([`adds_to`]), by id.
    pub creators: Vec<String>,
}

impl Tracker {
    /// Whether `op` adds items this tracker's list shows (a POST of the same service that names the
    /// item's role in its answer, or ends in the list's last path segment).
    pub fn created_by(&self, op: &Operation) -> bool {
        self.creators.iter().any(|c| c == op.meta.id.as_str())
    }

    /// The list operation's paging parameters and members (`operation.json`'s `pagination`).
    pub fn pagination(&self) -> Option<&PaginationMeta> {
        self.list.meta.pagination.as_ref()
    }

    /// The state of an item: its status member read against the lifecycle.
    pub fn state(&self, item: &Value) -> ItemState {
        let status = item.get(&self.status).and_then(Value::as_str).unwrap_or_default();
        if self.lifecycle.pending.iter().any(|s| s == status) {
            ItemState::Pending
        } else if self.lifecycle.ready.iter().any(|s| s == status) {
            ItemState::Ready
        } else if self.lifecycle.failed.iter().any(|s| s == status) {
            ItemState::Failed
        } else {
            ItemState::Unknown
        }
    }
}

/// Where an item stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemState {
    /// Work in progress (`backing_up`): the suite waits.
    Pending,
    /// Usable (`success`): discovery picks only these.
    Ready,
    /// The work failed: what depended on it cannot be tested.
    Failed,
    /// A status the lifecycle does not name (or none).
    Unknown,
}

/// What the items of a paged list say about themselves, read from its answer's annotations: the
/// role of the item id (`x-resource`), the top-level members naming the resources an item belongs
/// to, and the status member with what its values mean (`x-lifecycle`). The one reading that both
/// the suite's waits ([`Tracker`]) and the cleanup's list plan use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItems {
    /// The role of an item's id member (`backup`), where annotated.
    pub role: Option<ParamRole>,
    /// Members of an item naming the resources it belongs to (the graph), with their roles.
    pub parents: Vec<(String, ParamRole)>,
    /// The item member holding its state, and what its values mean.
    pub status: Option<(String, Lifecycle)>,
}

/// How `op`'s items are read (`None` where `op` is not a paged list with a success schema).
pub fn list_items(resolver: &Resolver<'_>, op: &Operation) -> Option<ListItems> {
    let p = op.meta.pagination.as_ref()?;
    let schema = op.response_schema(op.meta.success_status)?;
    let prefix = format!("/{}/0/", p.items);
    let members = resolver.members(schema);
    let role = members.iter().find(|m| m.pointer == format!("{prefix}{}", p.item_id)).map(|m| m.role);
    let status = resolver.node_at(schema, &format!("/{}/0", p.items)).and_then(|item| {
        item.get("properties")?.as_object()?.iter().find_map(|(name, node)| {
            let lifecycle = serde_json::from_value(node.get("x-lifecycle")?.clone()).ok()?;
            Some((name.clone(), lifecycle))
        })
    });
    let parents = members
        .iter()
        .filter(|m| Some(m.role) != role && is_resource(m.role))
        .filter_map(|m| {
            m.pointer.strip_prefix(&prefix).filter(|rest| !rest.contains('/')).map(|n| (n.to_owned(), m.role))
        })
        .collect();
    Some(ListItems { role, parents, status })
}

/// Every tracker of the catalogue: one per list operation whose items carry an `x-lifecycle` status.
pub fn trackers(catalogue: &Catalogue) -> Vec<Tracker> {
    let resolver = Resolver::new(catalogue);
    catalogue
        .operations()
        .iter()
        .filter_map(|op| {
            let ListItems { role, parents, status } = list_items(&resolver, op)?;
            let ((status, lifecycle), role) = (status?, role?);
            let creators = catalogue
                .operations()
                .iter()
                .filter(|c| adds_to(&resolver, c, op, role))
                .map(|c| c.meta.id.to_string())
                .collect();
            Some(Tracker { list: Arc::new(op.clone()), role, parents, status, lifecycle, creators })
        })
        .collect()
}

/// Plans the waits of a case's steps: before a step that uses a resource captured from an earlier
/// one, wait for it to be ready; after a create a target may refuse while its parent is busy, wait
/// for the parent and send once more.
pub(crate) fn plan_waits(trackers: &[Arc<Tracker>], case: &mut Case) {
    for i in 0..case.steps.len() {
        // The operation of the latest earlier step that captured `name`: only what it creates is
        // followed through `t`'s list (a GeminiDB backup never shows in the GES list).
        let captured_by = |name: &str| {
            case.steps[..i]
                .iter()
                .rev()
                .find(|s| s.captures.iter().any(|c| c.name == name))
                .map(|s| Arc::clone(&s.operation))
        };
        let creators: Vec<Option<Arc<Operation>>> = trackers.iter().map(|t| captured_by(role_name(t.role))).collect();
        let step = &mut case.steps[i];
        for (t, creator) in trackers.iter().zip(creators) {
            let name = role_name(t.role);
            if !step.waits.eager
                && step.request.slots().any(|s| matches!(s, Slot::Captured(c) if c == name))
                && creator.is_some_and(|op| t.created_by(&op))
            {
                step.waits.before = Some((name.to_owned(), Arc::clone(t)));
            }
            let names_parent = step
                .request
                .path
                .iter()
                .any(|(_, s)| matches!(s, Slot::Role(r) if t.parents.iter().any(|(_, p)| p == r)));
            if step.expect == Expectation::Success && names_parent && t.created_by(&step.operation) {
                step.waits.busy = Some(Arc::clone(t));
            }
        }
    }
}

/// Whether `op` adds items to `list`, whose items are resources of `role`: a mutating POST of the
/// same service whose success answer names a resource of that role, or whose path ends in the
/// list's collection. The one rule the waits, the flows and the set-up creation follow.
pub(crate) fn adds_to(resolver: &Resolver<'_>, op: &Operation, list: &Operation, role: ParamRole) -> bool {
    op.meta.service == list.meta.service
        && op.meta.mutating
        && op.meta.method == "POST"
        && (op
            .response_schema(op.meta.success_status)
            .is_some_and(|s| resolver.members(s).iter().any(|m| m.role == role))
            || op.last_segment() == list.last_segment())
}

/// The snake_case name of a role (`graph`, `instance` …): [`ParamRole::name`].
pub fn role_name(role: ParamRole) -> &'static str {
    role.name()
}

/// Whether a role names a resource that exists on the target (and so can be unknown).
pub fn is_resource(role: ParamRole) -> bool {
    matches!(role, ParamRole::Graph | ParamRole::Instance | ParamRole::Backup)
}

/// The resource role a DELETE removes: the role of the path parameter the path ends with.
pub(crate) fn deleted_role(op: &Operation) -> Option<ParamRole> {
    if !op.meta.method.eq_ignore_ascii_case("DELETE") {
        return None;
    }
    op.meta
        .parameters
        .iter()
        .filter(|p| p.location == Location::Path && is_resource(p.role))
        .find(|p| op.meta.path.trim_end_matches('/').ends_with(&format!("{{{}}}", p.name)))
        .map(|p| p.role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backup_list_tracks_backups_of_a_graph_and_flows_wait_for_them() {
        let cat = Catalogue::builtin().unwrap();
        let trackers = trackers(&cat);
        assert_eq!(trackers.len(), 1, "{trackers:?}");
        let t = &trackers[0];
        assert_eq!(
            (t.list.meta.id.as_str(), t.role, t.status.as_str()),
            ("ges.v1.list_backups", ParamRole::Backup, "status")
        );
        assert_eq!(t.parents, vec![("graphId".to_owned(), ParamRole::Graph)]);
        assert_eq!(t.state(&serde_json::json!({"status": "backing_up"})), ItemState::Pending);
        assert_eq!(t.state(&serde_json::json!({"status": "success"})), ItemState::Ready);
        assert_eq!(t.state(&serde_json::json!({"status": "failed"})), ItemState::Failed);
        assert_eq!(t.state(&serde_json::json!({})), ItemState::Unknown);
        let cases = crate::generate::generate(&cat);
        let step = |id: &str, label: &str| {
            let c = cases.iter().find(|c| c.id.as_str() == id).unwrap();
            c.steps.iter().find(|s| s.label == label).unwrap().waits.clone()
        };
        assert!(step("ges.v2.add_backup/flow/create", "use").before.is_some_and(|(n, _)| n == "backup"));
        for id in ["ges.v2.add_backup/positive/example", "ges.v1.add_backup/positive/example"] {
            assert!(step(id, "call").busy.is_some(), "{id}");
        }
        assert!(step("ges.v1.add_backup/flow/create", "create").busy.is_some());
        assert!(step("geminidb.v3.create_backup/positive/example", "call").busy.is_none());
        assert!(step("ges.v2.add_backup/auth/missing_token", "call").busy.is_none());
    }

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
