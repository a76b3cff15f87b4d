//! Single-request cases of one operation other than rule probes: the positive call, auth (absent,
//! wrong and near-miss tokens), unknown resources, malformed bodies, injected faults; and the
//! one-step case constructor every generator uses.

use std::sync::Arc;

use serde_json::Value;

use super::case::{
    AuthMode, BodyTemplate, Case, CaseId, CaseKind, Expectation, NearMiss, OVERLONG_ID_LEN, Relation, RequestTemplate,
    Requirement, Slot, Step,
};
use super::request::{Context, base_request, documented, role_source};
use super::resources::{is_resource, role_name};
use crate::catalogue::{AppliesTo, Location, Operation, ParamRole, Source};

/// Every single-request case of `op`.
pub(crate) fn cases(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    // A delete's positive call deletes a backup the case created first (stateful::deletes).
    let mut out: Vec<Case> =
        if super::resources::deleted_role(op).is_some() { Vec::new() } else { vec![positive(ctx, op)] };
    out.extend(auth(ctx, op));
    out.extend(not_found(ctx, op));
    out.extend(overlong_ids(ctx, op));
    out.extend(malformed(ctx, op));
    out.extend(faults(ctx, op));
    out
}

/// A one-step case.
#[expect(clippy::too_many_arguments, reason = "a plain constructor; every field is named at the call site")]
pub(crate) fn single(
    op: &Arc<Operation>,
    id: CaseId,
    kind: CaseKind,
    rationale: String,
    sources: Vec<Source>,
    request: RequestTemplate,
    expect: Expectation,
    requires: Vec<Requirement>,
) -> Case {
    // Conservative: a request to a mutating operation is mutating whenever a correct target may accept
    // it (a success, or an error the pages leave lenient). A request every correct target refuses is
    // read-only by intent; should a broken target accept it anyway, the run lists what it created.
    let mutating =
        op.meta.mutating && matches!(expect, Expectation::Success | Expectation::Error { lenient: true, .. });
    Case {
        id,
        operation: op.meta.id.to_string(),
        family: op.meta.family.clone(),
        kind,
        rationale,
        sources,
        mutating,
        requires,
        steps: vec![Step {
            label: "call".into(),
            operation: Arc::clone(op),
            request,
            expect,
            captures: Vec::new(),
            walk: None,
            waits: super::case::StepWaits::default(),
            adds: false,
        }],
        relation: Relation::None,
        rule: None,
    }
}

fn success_source(op: &Operation) -> Vec<Source> {
    op.meta.responses.iter().filter(|r| r.status == op.meta.success_status).map(|r| r.source.clone()).collect()
}

fn positive(ctx: &Context<'_>, op: &Arc<Operation>) -> Case {
    let mut sources = success_source(op);
    sources.extend(op.example("request").map(|e| e.meta.source.clone()));
    let mut case = single(
        op,
        CaseId::new([op.meta.id.as_str(), "positive", "example"]),
        CaseKind::Positive,
        format!(
            "the documented example request, with the target's resources: {} answers {}",
            op.meta.title, op.meta.success_status
        ),
        sources,
        base_request(ctx, op, true),
        Expectation::Success,
        Vec::new(),
    );
    case.rule = Some(format!("{}/status/{}", op.meta.id, op.meta.success_status));
    case
}

/// The segment naming a member in case ids: `/a/b` → `a.b`, the root → `body`.
pub(crate) fn member_segment(pointer: &str) -> String {
    if pointer.is_empty() { "body".into() } else { pointer.trim_start_matches('/').replace('/', ".") }
}

fn auth(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    let Some(token) = op.meta.parameters.iter().find(|p| p.role == ParamRole::AuthToken) else { return Vec::new() };
    let near = |kind: NearMiss| (AuthMode::NearMiss(kind), kind.slug(), kind.words());
    [
        (AuthMode::Missing, "missing_token", "without the"),
        (AuthMode::Wrong, "wrong_token", "with a wrong"),
        near(NearMiss::Appended),
        near(NearMiss::Prefix),
        near(NearMiss::Case),
    ]
    .into_iter()
    .map(|(mode, slug, words)| {
        // The very request the positive case sends (existing resources, the valid body), so that only
        // the credentials can make a correct target refuse it.
        let mut request = base_request(ctx, op, true);
        request.auth = mode;
        let requires = if matches!(mode, AuthMode::NearMiss(_)) { vec![Requirement::FixedToken] } else { Vec::new() };
        let mut case = single(
            op,
            CaseId::new([op.meta.id.as_str(), "auth", slug]),
            CaseKind::Auth,
            format!(
                "the request that otherwise succeeds, {words} {} header, which the page requires: must be refused",
                token.name
            ),
            vec![token.source.clone()],
            request,
            Expectation::error(None),
            requires,
        );
        // A target that wrongly accepts it creates something: skipped where the run may not create.
        case.mutating = op.meta.mutating;
        // A delete is probed on a resource the case created: an unknown one would be refused anyway.
        super::stateful::on_created(ctx, op, &mut case);
        let area = if matches!(mode, AuthMode::NearMiss(_)) { "exact_token" } else { "required" };
        case.rule = Some(format!("{}/auth/{area}", op.meta.id));
        case
    })
    .collect()
}

fn not_found(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    let mut out = Vec::new();
    let make = |name: &str, role: ParamRole, source: Source, request: RequestTemplate| {
        let doc = documented(op, &AppliesTo::UnknownResource(role));
        let mut sources = vec![source];
        let rationale = match &doc {
            Some(d) => {
                sources.push(d.source.clone());
                format!("{name} names no existing {}: the page documents {} {}", role_name(role), d.status, d.code)
            }
            None => format!("{name} names no existing {}: must be refused with an error", role_name(role)),
        };
        let mut case = single(
            op,
            CaseId::new([op.meta.id.as_str(), "not_found", name]),
            CaseKind::NotFound,
            rationale,
            sources,
            request,
            Expectation::error(doc),
            Vec::new(),
        );
        case.rule = Some(format!("{}/not_found/{name}", op.meta.id));
        case
    };
    for param in op.meta.parameters.iter().filter(|p| p.location == Location::Path && is_resource(p.role)) {
        let mut request = base_request(ctx, op, true);
        request.set_path(&param.name, &Slot::Unknown(param.role));
        let mut case = make(&param.name, param.role, param.source.clone(), request);
        // A delete naming an unknown parent of a resource that exists (created by the case): it must
        // be refused as not found, not delete that resource.
        if super::resources::deleted_role(op).is_some_and(|r| r != param.role) {
            super::stateful::on_created(ctx, op, &mut case);
        }
        out.push(case);
    }
    let base = base_request(ctx, op, true);
    if let BodyTemplate::Json { fills, .. } = &base.body {
        for (pointer, slot) in fills {
            let Slot::Role(role) = slot else { continue };
            let mut request = base.clone();
            if let BodyTemplate::Json { fills, .. } = &mut request.body {
                for (p, s) in fills.iter_mut() {
                    if p == pointer {
                        *s = Slot::Unknown(*role);
                    }
                }
            }
            let source = op
                .request
                .as_ref()
                .and_then(|s| ctx.resolver.node_at(s, pointer))
                .map(Source::from_annotation)
                .and_then(|v| v.into_iter().next())
                .or_else(|| role_source(op, *role))
                .unwrap_or_else(|| op.meta.error_envelope.source.clone());
            out.push(make(&member_segment(pointer), *role, source, request));
        }
    }
    out
}

/// Where a page documents the answer to an invalid request, each resource id of the path is sent
/// far longer than any id a target issues ([`OVERLONG_ID_LEN`] alphanumeric characters, so no
/// character rule is at stake): a target refuses it as invalid, with the documented status and
/// code, or as unknown, with another 4xx. This probes the documented invalid-request answer of an
/// operation that has no body or parameter rule to break (a delete).
fn overlong_ids(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    let Some(doc) = documented(op, &AppliesTo::InvalidRequest) else { return Vec::new() };
    let id = "x".repeat(OVERLONG_ID_LEN);
    op.meta
        .parameters
        .iter()
        .filter(|p| p.location == Location::Path && is_resource(p.role))
        .map(|param| {
            let mut request = base_request(ctx, op, true);
            request.set_path(&param.name, &Slot::Literal(Value::from(id.as_str())));
            let mut case = single(
                op,
                CaseId::new([op.meta.id.as_str(), "malformed", &format!("{}_overlong", param.name)]),
                CaseKind::Malformed,
                format!(
                    "{} of {OVERLONG_ID_LEN} characters, longer than any id: refused as invalid ({} {}) or as \
                     unknown (another 4xx, without {})",
                    param.name, doc.status, doc.code, doc.code
                ),
                vec![param.source.clone(), doc.source.clone()],
                request,
                Expectation::Error { documented: Some(doc.clone()), lenient: false, or_unknown: true },
                Vec::new(),
            );
            case.rule = Some(format!("{}/error_code/{}", op.meta.id, doc.code));
            case
        })
        .collect()
}

fn malformed(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    let Some(meta) = &op.meta.request_body else { return Vec::new() };
    let base = base_request(ctx, op, true);
    let mut invalid = base.clone();
    invalid.body = BodyTemplate::Raw { text: "{\"hwconform\": ".into(), content_type: Some(meta.media_type.clone()) };
    let mut wrong_type = base.clone();
    if let BodyTemplate::Json { content_type, .. } = &mut wrong_type.body {
        "text/plain".clone_into(content_type);
    }
    let mut cases = vec![
        single(
            op,
            CaseId::new([op.meta.id.as_str(), "malformed", "invalid_json"]),
            CaseKind::Malformed,
            format!("a body that is not JSON, sent as {}: must be refused with a 4xx, not a 5xx", meta.media_type),
            vec![meta.source.clone(), op.meta.error_envelope.source.clone()],
            invalid,
            Expectation::error(None),
            Vec::new(),
        ),
        single(
            op,
            CaseId::new([op.meta.id.as_str(), "malformed", "wrong_content_type"]),
            CaseKind::Malformed,
            format!(
                "the valid body sent as text/plain instead of {}: a refusal must be a 4xx, not a 5xx",
                meta.media_type
            ),
            vec![meta.source.clone()],
            wrong_type,
            Expectation::lenient_error(),
            Vec::new(),
        ),
    ];
    for case in &mut cases {
        case.rule = Some(format!("{}/malformed/body", op.meta.id));
    }
    cases
}

fn faults(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    op.meta
        .error_examples
        .iter()
        .filter(|e| e.applies_to == AppliesTo::InternalFault)
        .map(|e| {
            let mut request = base_request(ctx, op, true);
            request.fault = true;
            let mut case = single(
                op,
                CaseId::new([op.meta.id.as_str(), "fault", "internal"]),
                CaseKind::Fault,
                format!(
                    "an internal failure of the target: the page documents {} {} ({})",
                    e.status, e.code, e.message
                ),
                vec![e.source.clone()],
                request,
                Expectation::error(documented(op, &AppliesTo::InternalFault)),
                vec![Requirement::FaultInjection],
            );
            case.rule = Some(format!("{}/error_code/{}", op.meta.id, e.code));
            case
        })
        .collect()
}
