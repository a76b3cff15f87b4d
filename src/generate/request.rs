//! The valid request of an operation, which every generator varies: the target's resources in the
//! path, the corrected example body with its `x-resource` members filled from the target, and the
//! documented error a broken rule earns. Shared by every generator, importing none of them.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::case::{AuthMode, BodyTemplate, DocumentedError, RequestTemplate, Slot};
use super::resources::Resolver;
use crate::catalogue::{AppliesTo, Catalogue, Location, Operation, ParamRole};

/// What every generator reads: the catalogue, its operations behind `Arc`, and the resolver.
pub(crate) struct Context<'a> {
    pub catalogue: &'a Catalogue,
    pub operations: Vec<Arc<Operation>>,
    pub resolver: Resolver<'a>,
}

/// The valid request of an operation: the target's resources in the path, the corrected example
/// body with its `x-resource` members filled from the target, the example's query.
pub(crate) fn base_request(ctx: &Context<'_>, op: &Operation, with_example_query: bool) -> RequestTemplate {
    let path = op
        .meta
        .parameters
        .iter()
        .filter(|p| p.location == Location::Path)
        .map(|p| {
            // What a DELETE names is never the target's own resource: a run deletes only what it
            // created (the flows capture it), every other request names an unknown one.
            let deleted = super::resources::deleted_role(op) == Some(p.role);
            (p.name.clone(), if deleted { Slot::Unknown(p.role) } else { Slot::Role(p.role) })
        })
        .collect();
    let query = if with_example_query {
        op.example("request")
            .and_then(|e| e.meta.query.as_ref())
            .map(|q| {
                // The example's order is the page's; keep the parameters' documented order instead.
                op.meta
                    .parameters
                    .iter()
                    .filter(|p| p.location == Location::Query)
                    .filter_map(|p| q.get(&p.name).map(|v| (p.name.clone(), query_slot(&p.name, v))))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    RequestTemplate { path, query, auth: AuthMode::Valid, body: base_body(ctx, op), fault: false }
}

/// An example's query value: a placeholder the target supplies, else the literal.
fn query_slot(name: &str, v: &str) -> Slot {
    if super::resources::placeholder(v).is_some() {
        Slot::Supplied { member: name.to_owned(), placeholder: v.to_owned() }
    } else {
        Slot::Literal(literal(v))
    }
}

/// A query value as JSON: integers stay integers so probes and pages read alike.
fn literal(v: &str) -> Value {
    v.parse::<i64>().map_or_else(|_| Value::from(v), Value::from)
}

pub(crate) fn base_body(ctx: &Context<'_>, op: &Operation) -> BodyTemplate {
    let (Some(schema), Some(meta)) = (&op.request, &op.meta.request_body) else {
        return BodyTemplate::None;
    };
    let value = op.example("request").and_then(|e| e.body.clone()).unwrap_or_else(|| Value::Object(Map::default()));
    let mut fills: Vec<(String, Slot)> = ctx
        .resolver
        .members(schema)
        .into_iter()
        .filter(|m| value.pointer(&m.pointer).is_some())
        .map(|m| (m.pointer, Slot::Role(m.role)))
        .collect();
    // What the example leaves as a placeholder the target supplies; the placeholder is never sent.
    for (pointer, member, placeholder) in super::resources::placeholders(&value) {
        if !fills.iter().any(|(p, _)| *p == pointer) {
            fills.push((pointer, Slot::Supplied { member, placeholder }));
        }
    }
    BodyTemplate::Json { value, fills, content_type: meta.media_type.clone() }
}

/// The documented error for requests breaking a rule, where the page names one.
pub(crate) fn documented(op: &Operation, applies: &AppliesTo) -> Option<DocumentedError> {
    op.meta.error_examples.iter().find(|e| &e.applies_to == applies).map(|e| DocumentedError {
        status: e.status,
        code: e.code.clone(),
        message: e.message.clone(),
        source: e.source.clone(),
    })
}

/// The source of the parameter with this role, if the operation has one.
pub(crate) fn role_source(op: &Operation, role: ParamRole) -> Option<crate::catalogue::Source> {
    op.meta.parameters.iter().find(|p| p.role == role).map(|p| p.source.clone())
}
