//! Single-request cases of one operation: the positive call, each documented rule broken one at a
//! time (and kept at its boundaries), auth, unknown resources, malformed bodies, injected faults.

use std::sync::Arc;

use super::build::{Context, base_request, documented, role_source};
use super::case::{
    AuthMode, BodyTemplate, Case, CaseId, CaseKind, Expectation, Relation, RequestTemplate, Requirement, Slot, Step,
};
use super::resources::{is_resource, role_name};
use crate::catalogue::rules::{Probe, Rule, RuleKind, apply, rules_of};
use crate::catalogue::{AppliesTo, Location, Operation, ParamRole, Source};

/// Every single-request case of `op`.
pub(crate) fn cases(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    // A delete's positive call deletes a backup the case created first (stateful::deletes).
    let mut out: Vec<Case> =
        if super::stateful::deleted_role(op).is_some() { Vec::new() } else { vec![positive(ctx, op)] };
    out.extend(body_rules(ctx, op));
    out.extend(parameter_rules(ctx, op));
    out.extend(auth(ctx, op));
    out.extend(not_found(ctx, op));
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
            settle: None,
        }],
        relation: Relation::None,
    }
}

fn success_source(op: &Operation) -> Vec<Source> {
    op.meta.responses.iter().filter(|r| r.status == op.meta.success_status).map(|r| r.source.clone()).collect()
}

fn positive(ctx: &Context<'_>, op: &Arc<Operation>) -> Case {
    let mut sources = success_source(op);
    sources.extend(op.example("request").map(|e| e.meta.source.clone()));
    single(
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
    )
}

/// The segment naming a member in case ids: `/a/b` → `a.b`, the root → `body`.
fn member_segment(pointer: &str) -> String {
    if pointer.is_empty() { "body".into() } else { pointer.trim_start_matches('/').replace('/', ".") }
}

fn probe_case(
    op: &Arc<Operation>,
    id_parts: [&str; 3],
    rule: &Rule,
    probe: &Probe,
    request: RequestTemplate,
    requires: Vec<Requirement>,
) -> Case {
    let (kind, expect) = if probe.valid {
        (CaseKind::Positive, Expectation::Success)
    } else {
        (CaseKind::Violation, Expectation::error(documented(op, &AppliesTo::InvalidRequest)))
    };
    let mut sources = rule.sources.clone();
    if let Expectation::Error { documented: Some(d), .. } = &expect {
        sources.push(d.source.clone());
    }
    single(
        op,
        CaseId::new([op.meta.id.as_str(), kind.as_str(), id_parts[0], id_parts[1], id_parts[2]]),
        kind,
        probe.rationale.clone(),
        sources,
        request,
        expect,
        requires,
    )
}

fn body_rules(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    let Some(schema) = &op.request else { return Vec::new() };
    let base = base_request(ctx, op, true);
    let BodyTemplate::Json { value, fills, content_type } = &base.body else { return Vec::new() };
    let mut out = Vec::new();
    for mut rule in ctx.catalogue.rules(&schema.document) {
        if rule.field.is_empty() {
            "the request body".clone_into(&mut rule.field);
        }
        let sample = value.pointer(&rule.pointer);
        for probe in rule.probes(sample) {
            let mut body = value.clone();
            if !apply(&mut body, &rule.pointer, probe.value.as_ref()) {
                continue;
            }
            // The probe replaces whatever the target would have filled at (or below) the member.
            let fills: Vec<(String, Slot)> = fills
                .iter()
                .filter(|(p, _)| {
                    !(p == &rule.pointer || p.starts_with(&format!("{}/", rule.pointer)) || rule.pointer.is_empty())
                })
                .cloned()
                .collect();
            let mut request = base.clone();
            request.body = BodyTemplate::Json { value: body, fills, content_type: content_type.clone() };
            let member = member_segment(&rule.pointer);
            out.push(probe_case(op, [&member, rule.kind.slug(), &probe.label], &rule, &probe, request, Vec::new()));
        }
    }
    out
}

fn parameter_rules(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    let mut out = Vec::new();
    for param in op.meta.parameters.iter().filter(|p| matches!(p.location, Location::Path | Location::Query)) {
        let rules = rules_of(&param.schema, &|_| None);
        for mut rule in rules {
            // Everything in a path is text; a mandatory path segment cannot be left out.
            if param.location == Location::Path && matches!(rule.kind, RuleKind::Type(_) | RuleKind::Required) {
                continue;
            }
            rule.field.clone_from(&param.name);
            rule.sources = vec![param.source.clone()];
            for probe in rule.probes(None) {
                let Some(value) = probe.value.clone() else { continue };
                let mut requires = Vec::new();
                if probe.valid && param.location == Location::Path {
                    // A valid value of a resource id names nothing on the target; only a project of
                    // its own can be tested, and only where every project starts fresh.
                    if is_resource(param.role) {
                        continue;
                    }
                    if param.role == ParamRole::Project {
                        requires.push(Requirement::OwnProject);
                    }
                }
                let mut request = base_request(ctx, op, false);
                let slots = if param.location == Location::Path { &mut request.path } else { &mut request.query };
                slots.retain(|(n, _)| n != &param.name);
                slots.push((param.name.clone(), Slot::Literal(value)));
                let where_ = if param.location == Location::Path { "path" } else { "query" };
                let member = format!("{where_}.{}", param.name);
                out.push(probe_case(op, [&member, rule.kind.slug(), &probe.label], &rule, &probe, request, requires));
            }
        }
    }
    out
}

fn auth(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    let Some(token) = op.meta.parameters.iter().find(|p| p.role == ParamRole::AuthToken) else { return Vec::new() };
    [(AuthMode::Missing, "missing_token", "without the"), (AuthMode::Wrong, "wrong_token", "with a wrong")]
        .into_iter()
        .map(|(mode, slug, words)| {
            let mut request = base_request(ctx, op, true);
            request.auth = mode;
            single(
                op,
                CaseId::new([op.meta.id.as_str(), "auth", slug]),
                CaseKind::Auth,
                format!("the valid request {words} {} header, which the page requires: must be refused", token.name),
                vec![token.source.clone()],
                request,
                Expectation::error(None),
                Vec::new(),
            )
        })
        .collect()
}

fn not_found(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    let mut out = Vec::new();
    let mut make = |name: &str, role: ParamRole, source: Source, request: RequestTemplate| {
        let doc = documented(op, &AppliesTo::UnknownResource(role));
        let mut sources = vec![source];
        let rationale = match &doc {
            Some(d) => {
                sources.push(d.source.clone());
                format!("{name} names no existing {}: the page documents {} {}", role_name(role), d.status, d.code)
            }
            None => format!("{name} names no existing {}: must be refused with an error", role_name(role)),
        };
        out.push(single(
            op,
            CaseId::new([op.meta.id.as_str(), "not_found", name]),
            CaseKind::NotFound,
            rationale,
            sources,
            request,
            Expectation::error(doc),
            Vec::new(),
        ));
    };
    for param in op.meta.parameters.iter().filter(|p| p.location == Location::Path && is_resource(p.role)) {
        let mut request = base_request(ctx, op, true);
        for (n, slot) in &mut request.path {
            if n == &param.name {
                *slot = Slot::Unknown(param.role);
            }
        }
        make(&param.name, param.role, param.source.clone(), request);
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
            make(&member_segment(pointer), *role, source, request);
        }
    }
    out
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
    vec![
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
            Expectation::Error { documented: None, lenient: true },
            Vec::new(),
        ),
    ]
}

fn faults(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    op.meta
        .error_examples
        .iter()
        .filter(|e| e.applies_to == AppliesTo::InternalFault)
        .map(|e| {
            let mut request = base_request(ctx, op, true);
            request.fault = true;
            single(
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
            )
        })
        .collect()
}
