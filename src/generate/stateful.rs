//! Multi-request cases: pagination over a list operation, and stateful flows (create → appears in
//! the list → use it). Both are derived from data: `pagination` metadata, `x-resource` members of
//! responses and request bodies, and the services and collections the paths name.

use std::fmt::Write as _;
use std::sync::Arc;

use serde_json::Value;

use super::case::{
    BodyTemplate, Capture, Case, CaseId, CaseKind, Expectation, FlowRule, PageRule, Relation, RequestTemplate,
    Requirement, Slot, Step, Walk,
};
use super::request::{Context, base_request};
use super::resources::{ResourceMember, adds_to, deleted_role, is_resource, list_items, role_name};
use crate::catalogue::{Location, Operation, PaginationMeta, ParamRole};

/// The most pages a walk reads.
const MAX_PAGES: usize = 200;
/// The page size used when walking.
const WALK_LIMIT: i64 = 2;

fn step(op: &Arc<Operation>, label: &str, request: super::case::RequestTemplate) -> Step {
    Step {
        label: label.into(),
        operation: Arc::clone(op),
        request,
        expect: Expectation::Success,
        captures: Vec::new(),
        walk: None,
        waits: super::case::StepWaits::default(),
        adds: false,
    }
}

fn page(
    ctx: &Context<'_>,
    op: &Arc<Operation>,
    p: &PaginationMeta,
    label: &str,
    offset: Option<i64>,
    limit: Option<i64>,
) -> Step {
    let mut request = base_request(ctx, op, false);
    // Parameters in their documented order.
    for param in op.meta.parameters.iter().filter(|x| x.location == Location::Query) {
        let value = if param.name == p.offset {
            offset
        } else if param.name == p.limit {
            limit
        } else {
            None
        };
        if let Some(v) = value {
            request.query.push((param.name.clone(), Slot::Literal(Value::from(v))));
        }
    }
    step(op, label, request)
}

fn walk(ctx: &Context<'_>, op: &Arc<Operation>, p: &PaginationMeta, label: &str) -> Step {
    let mut s = page(ctx, op, p, label, Some(0), Some(WALK_LIMIT));
    s.walk = Some(Walk {
        offset_param: p.offset.clone(),
        total: p.total.clone(),
        items: p.items.clone(),
        max_pages: MAX_PAGES,
    });
    s
}

fn default_of(op: &Operation, name: &str) -> Option<u64> {
    op.meta.parameters.iter().find(|p| p.name == name)?.schema.get("default")?.as_u64()
}

/// The pagination cases of a list operation.
pub(crate) fn pagination(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    let Some(p) = &op.meta.pagination else { return Vec::new() };
    let mut sources = vec![p.source.clone()];
    sources.extend(
        op.meta.parameters.iter().filter(|x| x.name == p.limit || x.name == p.offset).map(|x| x.source.clone()),
    );
    let case = |slug: &str, rationale: String, steps: Vec<Step>, rule: PageRule, mutating: bool| Case {
        id: CaseId::new([op.meta.id.as_str(), "pagination", slug]),
        operation: op.meta.id.to_string(),
        family: op.meta.family.clone(),
        kind: CaseKind::Pagination,
        rationale,
        sources: sources.clone(),
        mutating,
        requires: Vec::new(),
        steps,
        rule: Some(format!("{}/{}", op.meta.id, page_rule_area(&rule, p))),
        relation: Relation::Pagination(rule),
    };
    let mut out = vec![
        case(
            "within_limit",
            format!("pages asked with {}=1 and {}=2 hold at most that many items", p.limit, p.limit),
            vec![page(ctx, op, p, "limit_1", Some(0), Some(1)), page(ctx, op, p, "limit_2", Some(0), Some(2))],
            PageRule::WithinLimit,
            false,
        ),
        case(
            "offset_skips",
            format!("the page at {}=1 starts with the second item of the page at {}=0", p.offset, p.offset),
            vec![page(ctx, op, p, "offset_0", Some(0), Some(2)), page(ctx, op, p, "offset_1", Some(1), Some(2))],
            PageRule::OffsetSkips,
            false,
        ),
        case(
            "total_constant",
            format!(
                "{} is the total, the same whatever the page asked (limit 1 at offsets 0 and 1, limit 100)",
                p.total
            ),
            vec![
                page(ctx, op, p, "offset_0", Some(0), Some(1)),
                page(ctx, op, p, "offset_1", Some(1), Some(1)),
                page(ctx, op, p, "limit_100", Some(0), Some(100)),
            ],
            PageRule::TotalConstant,
            false,
        ),
        case(
            "walk_all",
            format!("walking every page ({}={WALK_LIMIT}) yields every item once, {} of them", p.limit, p.total),
            vec![walk(ctx, op, p, "walk")],
            PageRule::WalkAll,
            false,
        ),
    ];
    if let Some(default) = default_of(op, &p.limit) {
        let (steps, mutating) = default_limit_steps(ctx, op, p, default);
        out.push(case(
            "default_limit",
            format!(
                "without {}, a page holds the documented default of {default} items (or all, if fewer), the same \
                 items as {}={default}; {} follows each create",
                p.limit, p.limit, p.total
            ),
            steps,
            PageRule::DefaultLimit { default },
            mutating,
        ));
    }
    // Every other query parameter with a documented default: left out vs given at its default,
    // on pages small enough that a different default shows.
    for param in op.meta.parameters.iter().filter(|x| x.location == Location::Query && x.name != p.limit) {
        let Some(default) = param.schema.get("default").and_then(Value::as_i64) else { continue };
        let at = |value: Option<i64>| query_at(ctx, op, p, &param.name, value);
        let mut c = case(
            &format!("default_{}", param.name),
            format!(
                "{} left out answers the same items, with the same documented members, as {}={default} (the documented default)",
                param.name, param.name
            ),
            vec![step(op, "omitted", at(None)), step(op, "explicit", at(Some(default)))],
            PageRule::DefaultSame { param: param.name.clone(), default },
            false,
        );
        c.sources.push(param.source.clone());
        out.push(c);
    }
    out
}

/// The `<area>/<detail>` of the rule a pagination case probes.
/// The steps of the default-limit case, and whether they create anything: enough items that the
/// default limit bites, created with the service's creator, re-reading the documented count after
/// every create; then a page without a limit and one with the default given.
fn default_limit_steps(ctx: &Context<'_>, op: &Arc<Operation>, p: &PaginationMeta, default: u64) -> (Vec<Step>, bool) {
    let mut steps = vec![page(ctx, op, p, "count_0", Some(0), Some(1))];
    let creator = creators(ctx, op).into_iter().next();
    if let Some(creator) = &creator {
        for i in 0..=default {
            let mut fill = step(creator, &format!("fill_{i}"), base_request(ctx, creator, true));
            fill.adds = true;
            steps.push(fill);
            steps.push(page(ctx, op, p, &format!("count_{}", i + 1), Some(0), Some(1)));
        }
    }
    steps.push(page(ctx, op, p, "no_limit", None, None));
    let explicit = i64::try_from(default).unwrap_or(i64::MAX);
    steps.push(page(ctx, op, p, "explicit_limit", None, Some(explicit)));
    (steps, creator.is_some())
}

/// A request of the list with query parameter `name` at `value` (left out when `None`), the page
/// limit at [`WALK_LIMIT`] and no other query parameter.
fn query_at(ctx: &Context<'_>, op: &Operation, p: &PaginationMeta, name: &str, value: Option<i64>) -> RequestTemplate {
    let mut request = base_request(ctx, op, false);
    for q in op.meta.parameters.iter().filter(|x| x.location == Location::Query) {
        let v = if q.name == name {
            value
        } else if q.name == p.limit {
            Some(WALK_LIMIT)
        } else {
            None
        };
        if let Some(v) = v {
            request.query.push((q.name.clone(), Slot::Literal(Value::from(v))));
        }
    }
    request
}

fn page_rule_area(rule: &PageRule, p: &PaginationMeta) -> String {
    match rule {
        PageRule::WithinLimit => "pagination/limit".into(),
        PageRule::OffsetSkips => "pagination/offset".into(),
        PageRule::TotalConstant | PageRule::WalkAll => "pagination/total".into(),
        PageRule::DefaultLimit { .. } => format!("default/{}", p.limit),
        PageRule::DefaultSame { param, .. } => format!("default/{param}"),
    }
}

/// The role of a list's items (its id member's `x-resource`).
fn item_role(ctx: &Context<'_>, list: &Operation) -> Option<ParamRole> {
    list_items(&ctx.resolver, list)?.role
}

/// Operations that add to the list's collection ([`adds_to`]).
fn creators(ctx: &Context<'_>, list: &Operation) -> Vec<Arc<Operation>> {
    let Some(role) = item_role(ctx, list) else { return Vec::new() };
    ctx.operations.iter().filter(|c| adds_to(&ctx.resolver, c, list, role)).cloned().collect()
}

/// Resource members of an operation's success answer.
fn created(ctx: &Context<'_>, op: &Operation) -> Vec<ResourceMember> {
    op.response_schema(op.meta.success_status).map(|s| ctx.resolver.members(s)).unwrap_or_default()
}

/// The step that uses the resource a flow created: `consumer`'s request with the body's `role` slots
/// filled from the capture.
fn use_step(ctx: &Context<'_>, consumer: &Arc<Operation>, role: ParamRole) -> Step {
    let mut use_it = step(consumer, "use", base_request(ctx, consumer, true));
    if let BodyTemplate::Json { fills, .. } = &mut use_it.request.body {
        for (_, slot) in fills.iter_mut() {
            if *slot == Slot::Role(role) {
                *slot = Slot::Captured(role_name(role).into());
            }
        }
    }
    use_it
}

/// The member of `list`'s items naming the parent the create adds to (a resource in `op`'s path),
/// with that parent's role.
fn parent_member(ctx: &Context<'_>, op: &Operation, list: &Operation) -> Option<(String, ParamRole)> {
    let parents = list_items(&ctx.resolver, list)?.parents;
    op.meta
        .parameters
        .iter()
        .filter(|x| x.location == Location::Path && is_resource(x.role))
        .find_map(|x| parents.iter().find(|(_, role)| *role == x.role).cloned())
}

/// The required members of `op`'s success answer named like ids, each with its pointer.
fn returned_ids(op: &Operation) -> Vec<(String, String)> {
    op.response_schema(op.meta.success_status)
        .and_then(|s| s.document.get("required").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .filter(|n| n.ends_with("id") || n.ends_with("Id"))
        .map(|n| (n.to_owned(), format!("/{n}")))
        .collect()
}

/// The flow that starts with `op`, if `op` creates something.
pub(crate) fn flows(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    if !op.meta.mutating || op.meta.method != "POST" {
        return Vec::new();
    }
    let lists: Vec<(Arc<Operation>, PaginationMeta, ParamRole)> = ctx
        .operations
        .iter()
        .filter(|l| l.meta.service == op.meta.service)
        .filter_map(|l| {
            let p = l.meta.pagination.clone()?;
            let role = item_role(ctx, l)?;
            Some((Arc::clone(l), p, role))
        })
        .filter(|(l, _, _)| creators(ctx, l).iter().any(|c| c.meta.id == op.meta.id))
        .collect();
    let made = created(ctx, op);
    let mut steps = Vec::new();
    let mut sources = op
        .meta
        .responses
        .iter()
        .filter(|r| r.status == op.meta.success_status)
        .map(|r| r.source.clone())
        .collect::<Vec<_>>();
    let mut create = step(op, "create", base_request(ctx, op, true));
    let rationale;
    let relation;
    if let Some((list, p, role)) = lists.first() {
        sources.push(p.source.clone());
        let captured = made.iter().find(|m| m.role == *role && m.required);
        create.adds = true;
        if let Some(m) = captured {
            create.captures.push(Capture { name: role_name(*role).into(), pointer: m.pointer.clone() });
            // The count before, so the one after can be checked against it.
            steps.push(walk(ctx, list, p, "list_before"));
            steps.push(create);
            steps.push(walk(ctx, list, p, "list"));
            let mut words = format!("{} → the new {} appears in {}", op.meta.id, role_name(*role), list.meta.id);
            if let Some(consumer) = consumer(ctx, op, *role) {
                let use_it = use_step(ctx, &consumer, *role);
                let _ = write!(words, " → {} accepts it", consumer.meta.id);
                sources.extend(consumer.meta.request_body.iter().map(|b| b.source.clone()));
                steps.push(use_it);
            }
            rationale = words;
            relation = FlowRule::Appears {
                created: Some(role_name(*role).into()),
                list_before: Some("list_before".into()),
                list_after: "list".into(),
                parent: None,
            };
        } else {
            // The answer names no id: the new item is the one the list did not hold before.
            let parent = parent_member(ctx, op, list);
            steps.push(walk(ctx, list, p, "list_before"));
            steps.push(create);
            steps.push(walk(ctx, list, p, "list_after"));
            rationale = format!(
                "{} → {} holds one new {}{}",
                op.meta.id,
                list.meta.id,
                role_name(*role),
                parent.as_ref().map(|(_, r)| format!(" on the {} it was added to", role_name(*r))).unwrap_or_default()
            );
            relation = FlowRule::Appears {
                created: None,
                list_before: Some("list_before".into()),
                list_after: "list_after".into(),
                parent,
            };
        }
    } else {
        if made.is_empty() {
            return Vec::new();
        }
        let ids = returned_ids(op);
        if ids.is_empty() {
            return Vec::new();
        }
        for (name, pointer) in &ids {
            create.captures.push(Capture { name: name.clone(), pointer: pointer.clone() });
        }
        steps.push(create);
        rationale = format!(
            "{} returns {}, each a non-blank id",
            op.meta.id,
            ids.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(" and ")
        );
        relation = FlowRule::ReturnsIds { captured: ids.into_iter().map(|(n, _)| n).collect() };
    }
    vec![Case {
        id: CaseId::new([op.meta.id.as_str(), "flow", "create"]),
        operation: op.meta.id.to_string(),
        family: op.meta.family.clone(),
        kind: CaseKind::Flow,
        rationale,
        sources,
        mutating: true,
        requires: Vec::<Requirement>::new(),
        steps,
        relation: Relation::Flow(relation),
        rule: Some(format!("{}/state/listed", op.meta.id)),
    }]
}

/// Another operation of the same service that takes a resource of `role` in its request body.
fn consumer(ctx: &Context<'_>, op: &Operation, role: ParamRole) -> Option<Arc<Operation>> {
    ctx.operations
        .iter()
        .filter(|c| c.meta.service == op.meta.service && c.meta.id != op.meta.id)
        .find(|c| c.request.as_ref().is_some_and(|s| ctx.resolver.members(s).iter().any(|m| m.role == role)))
        .cloned()
}

/// A creating operation whose answer names a resource `delete` removes (the same service, its other
/// path parameters filled by the creator's own), the same API version first; and the answer member.
fn creator_for(ctx: &Context<'_>, delete: &Operation, role: ParamRole) -> Option<(Arc<Operation>, String)> {
    let path_roles = |op: &Operation| -> Vec<ParamRole> {
        op.meta.parameters.iter().filter(|p| p.location == Location::Path).map(|p| p.role).collect()
    };
    let needed: Vec<ParamRole> = path_roles(delete).into_iter().filter(|r| *r != role).collect();
    let mut found: Vec<(Arc<Operation>, String)> = ctx
        .operations
        .iter()
        .filter(|c| c.meta.service == delete.meta.service && c.meta.mutating && c.meta.method == "POST")
        .filter(|c| needed.iter().all(|r| path_roles(c).contains(r)))
        .filter_map(|c| {
            let m = created(ctx, c)
                .into_iter()
                .find(|m| m.role == role && m.required && m.pointer.matches('/').count() == 1)?;
            Some((Arc::clone(c), m.pointer))
        })
        .collect();
    found.sort_by_key(|(c, _)| c.meta.api_version != delete.meta.api_version);
    found.into_iter().next()
}

/// The list operation of `op`'s service whose items are resources of `role`, with its pagination.
fn list_of(ctx: &Context<'_>, op: &Operation, role: ParamRole) -> Option<(Arc<Operation>, PaginationMeta)> {
    ctx.operations.iter().find_map(|l| {
        let p = l.meta.pagination.clone()?;
        (l.meta.service == op.meta.service && item_role(ctx, l) == Some(role)).then(|| (Arc::clone(l), p))
    })
}

/// Whether `list`'s items show their state (an `x-lifecycle` status), so a resource can be seen
/// still being made.
fn shows_state(ctx: &Context<'_>, list: &Operation) -> bool {
    list_items(&ctx.resolver, list).is_some_and(|items| items.status.is_some())
}

/// What a delete of `op` acts on when it acts on a resource of its own: the role it deletes, the
/// capture's name, and the step creating it (capturing the new id). `None` without a creator.
fn own_resource(ctx: &Context<'_>, op: &Operation) -> Option<(ParamRole, String, Step)> {
    let role = deleted_role(op)?;
    let (creator, pointer) = creator_for(ctx, op, role)?;
    let name = role_name(role).to_owned();
    let mut create = step(&creator, "create", base_request(ctx, &creator, true));
    create.captures.push(Capture { name: name.clone(), pointer });
    Some((role, name, create))
}

/// Points the step's path at the captured resource instead of an unknown one of `role`. The wait
/// until it is ready is planned with every other (`resources::plan_waits`).
fn name_captured(step: &mut Step, role: ParamRole, name: &str) {
    for (_, slot) in &mut step.request.path {
        if *slot == Slot::Unknown(role) {
            *slot = Slot::Captured(name.to_owned());
        }
    }
}

/// Makes a one-step case of a delete act on a resource the case creates first: a `create` step
/// (capturing the new id) goes before it, the id the delete names becomes the captured one, and the
/// delete waits until the list no longer shows it being made. So an auth or unknown-parent probe of a
/// delete meets a resource that exists, and only the probed rule can make a correct target refuse it
/// (a server skipping the rule deletes it: caught). `false` where the contract has no creator of it.
pub(crate) fn on_created(ctx: &Context<'_>, op: &Arc<Operation>, case: &mut Case) -> bool {
    let Some((role, name, create)) = own_resource(ctx, op) else { return false };
    let Some(last) = case.steps.last_mut() else { return false };
    name_captured(last, role, &name);
    case.steps.insert(0, create);
    case.mutating = true;
    true
}

/// The cases of a delete that need a resource of their own: the positive call (create one, delete
/// it), and the lifecycle flow (listed before → created → listed → used → deleted → no longer listed,
/// the count back where it started). Only what the case itself created is ever deleted.
pub(crate) fn deletes(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    let Some((role, name, create)) = own_resource(ctx, op) else { return Vec::new() };
    let creator = Arc::clone(&create.operation);
    let mut delete = step(op, "delete", base_request(ctx, op, true));
    name_captured(&mut delete, role, &name);
    let mut sources: Vec<_> =
        op.meta.responses.iter().filter(|r| r.status == op.meta.success_status).map(|r| r.source.clone()).collect();
    sources.extend(op.meta.parameters.iter().filter(|p| p.role == role).map(|p| p.source.clone()));
    let case = |slug: [&str; 2], kind, rationale: String, steps: Vec<Step>, rule: FlowRule, sources: Vec<_>| Case {
        id: CaseId::new([op.meta.id.as_str(), slug[0], slug[1]]),
        operation: op.meta.id.to_string(),
        family: op.meta.family.clone(),
        kind,
        rationale,
        sources,
        mutating: true,
        requires: Vec::new(),
        steps,
        relation: Relation::Flow(rule),
        rule: Some(format!("{}/state/removed", op.meta.id)),
    };
    let mut out = vec![case(
        ["positive", "created"],
        CaseKind::Positive,
        format!(
            "{} creates a {name}; {} deletes it and answers {}",
            creator.meta.id, op.meta.title, op.meta.success_status
        ),
        vec![create.clone(), delete.clone()],
        FlowRule::ReturnsIds { captured: vec![name.clone()] },
        sources.clone(),
    )];
    let list = list_of(ctx, op, role);
    if list.as_ref().is_some_and(|(l, _)| shows_state(ctx, l)) {
        // Deleted at once, while the list may still show it being made: the target may delete it or
        // refuse; a refusal at a status whose body the page documents must have that body.
        let mut eager = delete.clone();
        eager.expect = Expectation::lenient_error();
        eager.waits.eager = true;
        let mut probe = case(
            ["flow", "delete_pending"],
            CaseKind::Flow,
            format!(
                "{} creates a {name}; {} deletes it at once, before it is ready: deleted, or refused with the \
                 page's error body for that status",
                creator.meta.id, op.meta.id
            ),
            vec![create.clone(), eager],
            FlowRule::ReturnsIds { captured: vec![name.clone()] },
            sources.clone(),
        );
        probe.relation = Relation::None;
        probe.rule = None;
        out.push(probe);
    }
    if let Some((list, p)) = list {
        // The list shows the new item whatever its state; the delete waits until it is ready.
        let mut steps = vec![walk(ctx, &list, &p, "list_before"), create, walk(ctx, &list, &p, "list")];
        let mut words = format!("{} → listed", creator.meta.id);
        if let Some(consumer) = consumer(ctx, &creator, role) {
            let _ = write!(words, " → {}", consumer.meta.id);
            steps.push(use_step(ctx, &consumer, role));
        }
        steps.push(delete);
        steps.push(walk(ctx, &list, &p, "list_after"));
        let mut flow_sources = sources;
        flow_sources.push(p.source.clone());
        out.push(case(
            ["flow", "lifecycle"],
            CaseKind::Flow,
            format!(
                "{words} → {} → {} no longer shows the {name}, and {} is back where it started",
                op.meta.id, list.meta.id, p.total
            ),
            steps,
            FlowRule::Gone {
                created: name,
                list_before: "list_before".into(),
                list_shown: "list".into(),
                list_after: "list_after".into(),
            },
            flow_sources,
        ));
    }
    out
}
