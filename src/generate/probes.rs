//! Rule probes as cases: every documented rule of a request body member or a path/query parameter,
//! probed by the method of `catalogue::rules` (boundaries, character classes at each position,
//! types and presence), one case per probe, each naming the rule it belongs to.

use std::sync::Arc;

use super::case::{BodyTemplate, Case, CaseId, CaseKind, Expectation, RequestTemplate, Requirement, Slot};
use super::request::{Context, base_request, documented};
use super::resources::is_resource;
use super::single::{member_segment, single};
use crate::catalogue::rules::{Probe, Rule, RuleKind, Verdict, apply, rules_of};
use crate::catalogue::{AppliesTo, Location, Operation, ParamRole};

/// Every rule-probe case of `op`.
pub(crate) fn cases(ctx: &Context<'_>, op: &Arc<Operation>) -> Vec<Case> {
    let mut out = body_rules(ctx, op);
    out.extend(parameter_rules(ctx, op));
    out
}

fn probe_case(
    op: &Arc<Operation>,
    rule_id: String,
    id_parts: [&str; 3],
    rule: &Rule,
    probe: &Probe,
    request: RequestTemplate,
    requires: Vec<Requirement>,
) -> Case {
    let (kind, segment, expect) = match probe.verdict {
        Verdict::Accept => (CaseKind::Positive, "positive", Expectation::Success),
        Verdict::Refuse => {
            (CaseKind::Violation, "violation", Expectation::error(documented(op, &AppliesTo::InvalidRequest)))
        }
        // Either answer is legitimate: a refusal in the envelope, or a success recorded as an observation.
        Verdict::Open => (CaseKind::Violation, "open", Expectation::lenient_error()),
    };
    let mut sources = rule.sources.clone();
    if let Expectation::Error { documented: Some(d), .. } = &expect {
        sources.push(d.source.clone());
    }
    let mut case = single(
        op,
        CaseId::new([op.meta.id.as_str(), segment, id_parts[0], id_parts[1], id_parts[2]]),
        kind,
        probe.rationale.clone(),
        sources,
        request,
        expect,
        requires,
    );
    case.rule = Some(rule_id);
    case
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
            let id = rule_id(op, "body", &member, &rule.kind);
            out.push(probe_case(op, id, [&member, rule.kind.slug(), &probe.label], &rule, &probe, request, Vec::new()));
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
            for probe in rule.probes(None).into_iter().filter(|p| !p.json_only) {
                let Some(value) = probe.value.clone() else { continue };
                let mut requires = Vec::new();
                if probe.verdict != Verdict::Refuse && param.location == Location::Path {
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
                let id = rule_id(op, where_, &param.name, &rule.kind);
                out.push(probe_case(
                    op,
                    id,
                    [&member, rule.kind.slug(), &probe.label],
                    &rule,
                    &probe,
                    request,
                    requires,
                ));
            }
        }
    }
    out
}

/// The catalogue-wide id of a schema or parameter rule: `<operation>/<location>/<member>/<kind>`.
pub(crate) fn rule_id(op: &Operation, location: &str, member: &str, kind: &RuleKind) -> String {
    format!("{}/{location}/{member}/{}", op.meta.id, kind.slug())
}
