//! What the contract says about the lifecycle of what a run creates, read from the catalogue (no
//! operation ids in code): which operations create something, which member of their answer names it,
//! which operation deletes it and how its path is filled, and which list shows it (with its parent
//! and status members). A new creating or deleting operation folder changes the plan with no Rust.

use std::sync::Arc;

use serde_json::Value;

use crate::catalogue::{Catalogue, Location, Operation, ParamRole};
use crate::generate::{Resolver, list_items, role_name};

/// How one creating operation's results are found again and removed.
#[derive(Debug, Clone)]
pub struct CreatorPlan {
    /// The operation whose successful call creates something.
    pub creator: Arc<Operation>,
    /// What it creates, in the contract's words (`backup`; the path's last segment, e.g. `export`,
    /// where the answer names no resource).
    pub kind: String,
    /// The role of the resource it creates, where the catalogue says (`backup`).
    pub role: Option<ParamRole>,
    /// The top-level member of the success answer naming the new resource, if the page documents one.
    pub id_member: Option<String>,
    /// The operation that deletes it, if the contract has one.
    pub deleter: Option<Arc<Operation>>,
    /// The list that shows it, if the contract has one.
    pub list: Option<ListPlan>,
}

/// A paged list operation and the members of its items the lifecycle reads.
#[derive(Debug, Clone)]
pub struct ListPlan {
    /// The list operation.
    pub op: Arc<Operation>,
    /// Name of its page-size query parameter (`limit`).
    pub limit: String,
    /// Name of its offset query parameter (`offset`).
    pub offset: String,
    /// Response member holding the total number of items (`backupCount`).
    pub total: String,
    /// Response member holding the page's items (`backupList`).
    pub items: String,
    /// Item member holding the item's id (`id`).
    pub item_id: String,
    /// The role of the item id (`backup`).
    pub item_role: Option<ParamRole>,
    /// The item member naming the parent resource (the graph), and its role.
    pub parent: Option<(String, ParamRole)>,
    /// The item member holding the resource's state, and the values that mean "still being made"
    /// (`x-lifecycle`'s `pending`: `backing_up`).
    pub status: Option<(String, Vec<String>)>,
}

impl ListPlan {
    /// The parent a request's bindings name (the graph of a backup), where the list's items have one.
    pub fn parent_in(&self, bindings: &std::collections::BTreeMap<String, String>) -> Option<String> {
        self.parent.as_ref().and_then(|(_, role)| bindings.get(role.name()).cloned())
    }
}

/// The ids of the `items` on `parent` (all of them where the list has no parent).
pub(super) fn ids_on(items: Vec<super::list::Item>, parent: Option<&str>) -> Vec<String> {
    items.into_iter().filter(|i| parent.is_none_or(|p| i.parent.as_deref() == Some(p))).map(|i| i.id).collect()
}

/// The lifecycle plan of a whole catalogue.
#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    /// One plan per creating operation of the catalogue.
    pub creators: Vec<CreatorPlan>,
}

impl Lifecycle {
    /// Reads the plan from the catalogue.
    pub fn of(catalogue: &Catalogue) -> Self {
        let resolver = Resolver::new(catalogue);
        let ops: Vec<Arc<Operation>> = catalogue.operations().iter().cloned().map(Arc::new).collect();
        let lists: Vec<ListPlan> = ops.iter().filter_map(|op| list_plan(&resolver, op)).collect();
        let creators = ops
            .iter()
            .filter(|op| op.meta.mutating && op.meta.method.eq_ignore_ascii_case("POST"))
            .map(|op| creator_plan(&ops, &lists, op))
            .collect();
        Self { creators }
    }

    /// The plan of a creating operation.
    pub fn creator(&self, operation: &str) -> Option<&CreatorPlan> {
        self.creators.iter().find(|c| c.creator.meta.id.as_str() == operation)
    }

    /// The plan whose resources the operation `deleter` deletes.
    pub fn by_deleter(&self, deleter: &str) -> Option<&CreatorPlan> {
        self.creators.iter().find(|c| c.deleter.as_ref().is_some_and(|d| d.meta.id.as_str() == deleter))
    }
}

fn path_roles(op: &Operation) -> Vec<ParamRole> {
    op.meta.parameters.iter().filter(|p| p.location == Location::Path).map(|p| p.role).collect()
}

/// The top-level members of the success answer annotated `x-resource`, with their roles.
fn answer_resources(op: &Operation) -> Vec<(String, ParamRole)> {
    let Some(schema) = op.response_schema(op.meta.success_status) else { return Vec::new() };
    let Some(props) = schema.document.get("properties").and_then(Value::as_object) else { return Vec::new() };
    props
        .iter()
        .filter_map(|(name, p)| {
            let role = serde_json::from_value::<ParamRole>(p.get("x-resource")?.clone()).ok()?;
            Some((name.clone(), role))
        })
        .collect()
}

impl ListPlan {
    /// The plan of a paged list operation (`None` for any other operation).
    pub fn of(resolver: &Resolver<'_>, op: &Arc<Operation>) -> Option<Self> {
        list_plan(resolver, op)
    }
}

fn list_plan(resolver: &Resolver<'_>, op: &Arc<Operation>) -> Option<ListPlan> {
    let p = op.meta.pagination.as_ref()?;
    let items = list_items(resolver, op)?;
    Some(ListPlan {
        op: Arc::clone(op),
        limit: p.limit.clone(),
        offset: p.offset.clone(),
        total: p.total.clone(),
        items: p.items.clone(),
        item_id: p.item_id.clone(),
        item_role: items.role,
        parent: items.parents.into_iter().next(),
        status: items.status.map(|(member, lifecycle)| (member, lifecycle.pending)),
    })
}

fn creator_plan(ops: &[Arc<Operation>], lists: &[ListPlan], op: &Arc<Operation>) -> CreatorPlan {
    let service = &op.meta.service;
    let named = answer_resources(op).into_iter().next();
    // Where the answer names nothing, the resource is an item of a list of the same service whose
    // path ends with the same collection (`…/backups`).
    let listed =
        lists.iter().filter(|l| &l.op.meta.service == service).find(|l| l.op.last_segment() == op.last_segment());
    let role = named.as_ref().map(|(_, r)| *r).or_else(|| listed.and_then(|l| l.item_role));
    let kind = role.map_or_else(|| op.last_segment().to_owned(), |r| role_name(r).to_owned());
    let have = path_roles(op);
    // The deleter: a DELETE of the same service whose last path segment is the created role and whose
    // other path parameters the creating request already filled; the same API version first.
    let deleter = role.and_then(|role| {
        let mut candidates: Vec<&Arc<Operation>> = ops
            .iter()
            .filter(|d| &d.meta.service == service && d.meta.method.eq_ignore_ascii_case("DELETE"))
            .filter(|d| {
                d.meta.parameters.iter().any(|p| {
                    p.location == Location::Path && p.role == role && d.meta.path.ends_with(&format!("{{{}}}", p.name))
                })
            })
            .filter(|d| path_roles(d).iter().all(|r| *r == role || have.contains(r)))
            .collect();
        candidates.sort_by_key(|d| d.meta.api_version != op.meta.api_version);
        candidates.first().map(|d| Arc::clone(d))
    });
    let list = role
        .and_then(|role| lists.iter().find(|l| &l.op.meta.service == service && l.item_role == Some(role)).cloned());
    CreatorPlan { creator: Arc::clone(op), kind, role, id_member: named.map(|(m, _)| m), deleter, list }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_pairs_every_backup_with_its_delete() {
        let plan = Lifecycle::of(&Catalogue::builtin().unwrap());
        let of = |id: &str| plan.creator(id).unwrap_or_else(|| panic!("no plan for {id}"));
        let deleter = |id: &str| of(id).deleter.as_ref().map(|d| d.meta.id.to_string());
        assert_eq!(deleter("ges.v2.add_backup").as_deref(), Some("ges.v2.delete_backup"));
        assert_eq!(deleter("ges.v1.add_backup").as_deref(), Some("ges.v1.delete_backup"));
        assert_eq!(deleter("geminidb.v3.create_backup").as_deref(), Some("geminidb.v3.delete_backup"));
        assert_eq!(deleter("ges.v2.export_backup"), None, "an export has no delete in the contract");
        assert_eq!(of("ges.v2.export_backup").kind, "export");
        assert_eq!(of("ges.v2.add_backup").id_member.as_deref(), Some("backup_id"));
        assert_eq!(of("ges.v1.add_backup").id_member, None, "v1.0 add answers only a job id");
        let list = of("ges.v1.add_backup").list.clone().expect("the GES list shows v1.0 backups");
        assert_eq!(list.parent, Some(("graphId".to_owned(), ParamRole::Graph)));
        assert_eq!(list.status, Some(("status".to_owned(), vec!["backing_up".to_owned()])));
        assert!(of("geminidb.v3.create_backup").list.is_none(), "no GeminiDB list in the contract");
    }
}
