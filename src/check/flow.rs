//! Flow checks: what a step created appears in the list afterwards, on the resource it was added
//! to; ids the answer documents are non-blank.

use std::collections::BTreeSet;

use serde_json::Value;

use super::finding::{CheckKind, Finding};
use super::pagination::pages;
use crate::catalogue::{ParamRole, Source};
use crate::execute::Exchange;
use crate::generate::{Case, FlowRule, role_name};

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The value captured as `name` by the case's steps, from the answers recorded.
pub(crate) fn captured(case: &Case, exchange: &Exchange, name: &str) -> Option<String> {
    exchange.steps.iter().find_map(|ex| {
        let step = case.steps.get(ex.step)?;
        let capture = step.captures.iter().find(|c| c.name == name)?;
        text(ex.received()?.json()?.pointer(&capture.pointer)?)
    })
}

fn create_source(case: &Case) -> Source {
    case.sources.first().cloned().unwrap_or_else(|| Source::new("(unknown)", "(unknown)", "*"))
}

/// The shape of an id, in words (the pages fix none: recorded as an observation).
pub(crate) fn id_shape(id: &str) -> String {
    let hex = |s: &str| s.chars().all(|c| c.is_ascii_hexdigit());
    let parts: Vec<&str> = id.split('-').collect();
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    if lens == [8, 4, 4, 4, 12] && parts.iter().all(|p| hex(p)) {
        "a UUID".into()
    } else if hex(id) {
        format!("{} hexadecimal digits", id.len())
    } else if id.chars().all(|c| c.is_ascii_alphanumeric()) {
        format!("{} letters and digits", id.len())
    } else {
        format!("{} characters", id.chars().count())
    }
}

fn observe_shapes(case: &Case, exchange: &Exchange, names: &[&str], out: &mut Vec<Finding>) {
    for name in names {
        if let Some(id) = captured(case, exchange, name) {
            out.push(Finding::observation(
                CheckKind::Flow,
                "create",
                format!("{name} is {} (the pages fix no id format)", id_shape(&id)),
                create_source(case),
            ));
        }
    }
}

pub(crate) fn check(case: &Case, exchange: &Exchange, rule: &FlowRule) -> Vec<Finding> {
    let mut out = Vec::new();
    match rule {
        FlowRule::ReturnsIds { captured: names } => {
            observe_shapes(case, exchange, &names.iter().map(String::as_str).collect::<Vec<_>>(), &mut out);
        }
        FlowRule::Appears { created: Some(name), .. } => observe_shapes(case, exchange, &[name.as_str()], &mut out),
        FlowRule::Appears { .. } => {}
        FlowRule::Gone { created, .. } => observe_shapes(case, exchange, &[created.as_str()], &mut out),
    }
    match rule {
        FlowRule::ReturnsIds { captured: names } => {
            for name in names {
                if captured(case, exchange, name).is_none() && created_ok(case, exchange) {
                    out.push(Finding::failure(
                        CheckKind::Flow,
                        "create",
                        format!("the answer carries no non-blank {name}"),
                        create_source(case),
                    ));
                }
            }
        }
        FlowRule::Gone { created, list_before, list_shown, list_after } => {
            gone(case, exchange, created, [list_before, list_shown, list_after], &mut out);
        }
        FlowRule::Appears { created, list_before, list_after, parent } => {
            appears(case, exchange, created.as_deref(), list_before.as_deref(), list_after, parent.as_ref(), &mut out);
        }
    }
    out
}

/// A create's resource appears in the list after it: by its captured id, else as the one new item
/// (on the parent it was added to).
fn appears(
    case: &Case,
    exchange: &Exchange,
    created: Option<&str>,
    list_before: Option<&str>,
    list_after: &str,
    parent: Option<&(String, ParamRole)>,
    out: &mut Vec<Finding>,
) {
    if !created_ok(case, exchange) {
        return;
    }
    let list_op = case.steps.iter().find(|s| s.label == list_after).map(|s| &s.operation);
    let Some(meta) = list_op.and_then(|o| o.meta.pagination.clone()) else { return };
    let source = meta.source.clone();
    let after = pages(case, exchange, list_after);
    if after.is_empty() {
        return; // The list step itself failed; its own findings say how.
    }
    // The count after the create is the one every page of the walk agrees with.
    if let Some(list_op) = list_op {
        out.extend(super::pagination::walk_all(case, exchange, list_after, list_op, &meta));
    }
    let after_items: Vec<&Value> = after.iter().flat_map(|p| p.items.iter()).collect();
    let id_of = |i: &Value| i.get(&meta.item_id).and_then(text);
    match (created, list_before) {
        (Some(name), _) => match captured(case, exchange, name) {
            None => out.push(Finding::failure(
                CheckKind::Flow,
                "create",
                format!("the answer carries no non-blank {name} id"),
                create_source(case),
            )),
            Some(id) => {
                if !after_items.iter().any(|i| id_of(i).as_deref() == Some(id.as_str())) {
                    out.push(Finding::failure(
                        CheckKind::Flow,
                        list_after,
                        format!(
                            "the {name} {id} just created does not appear in the list ({} items walked)",
                            after_items.len()
                        ),
                        source,
                    ));
                }
            }
        },
        (None, Some(before_label)) => {
            let before: BTreeSet<String> =
                pages(case, exchange, before_label).iter().flat_map(|p| p.ids(&meta)).collect();
            let new: Vec<&&Value> =
                after_items.iter().filter(|i| id_of(i).is_none_or(|id| !before.contains(&id))).collect();
            match new.len() {
                0 => out.push(Finding::failure(
                    CheckKind::Flow,
                    list_after,
                    "no new item appears in the list after the create succeeded",
                    source,
                )),
                1 => {
                    if let Some((member, role)) = parent {
                        let expected = exchange
                            .steps
                            .iter()
                            .find(|s| s.label == "create")
                            .and_then(|s| s.bindings.get(role_name(*role)));
                        let actual = new[0].get(member).and_then(text);
                        if let Some(expected) = expected
                            && actual.as_deref() != Some(expected.as_str())
                        {
                            out.push(
                                Finding::failure(
                                    CheckKind::Flow,
                                    list_after,
                                    format!("the new item's {member} is not the {} it was added to", role_name(*role)),
                                    source,
                                )
                                .with(expected.clone(), actual.unwrap_or_else(|| "(none)".into())),
                            );
                        }
                    }
                }
                n => out.push(Finding::observation(
                    CheckKind::Flow,
                    list_after,
                    format!("{n} new items appeared (others may have added some)"),
                    source,
                )),
            }
        }
        (None, None) => {}
    }
}

/// The lifecycle: the created resource is listed, then (deleted) no longer listed, and the total is
/// back where it started. A total moved by someone else on a shared project is an observation.
fn gone(case: &Case, exchange: &Exchange, name: &str, labels: [&String; 3], out: &mut Vec<Finding>) {
    let [before, shown, after] = labels;
    if !created_ok(case, exchange) {
        return;
    }
    let Some(id) = captured(case, exchange, name) else {
        out.push(Finding::failure(
            CheckKind::Flow,
            "create",
            format!("the answer carries no non-blank {name} id"),
            create_source(case),
        ));
        return;
    };
    let Some(meta) = case.steps.iter().find(|s| &s.label == after).and_then(|s| s.operation.meta.pagination.clone())
    else {
        return;
    };
    let listed = |label: &str| -> Option<(bool, Option<u64>)> {
        let pages = pages(case, exchange, label);
        if pages.is_empty() {
            return None; // The list step failed; its own findings say how.
        }
        let has = pages.iter().any(|p| p.ids(&meta).iter().any(|i| i == &id));
        Some((has, pages.first().and_then(|p| p.total)))
    };
    if let Some((false, _)) = listed(shown) {
        out.push(Finding::failure(
            CheckKind::Flow,
            shown.as_str(),
            format!("the {name} {id} just created does not appear in the list"),
            meta.source.clone(),
        ));
    }
    let deleted = exchange.labelled("delete").any(|ex| {
        let Some(step) = case.steps.get(ex.step) else { return false };
        ex.received().is_some_and(|rx| rx.status == step.operation.meta.success_status)
    });
    if !deleted {
        return; // The delete step's own findings say why.
    }
    let Some((still, total_after)) = listed(after) else { return };
    if still {
        out.push(Finding::failure(
            CheckKind::Flow,
            after.as_str(),
            format!("the {name} {id} is still listed after the delete succeeded"),
            meta.source.clone(),
        ));
    }
    let total_before = listed(before).and_then(|(_, t)| t);
    if let (Some(b), Some(a)) = (total_before, total_after)
        && a != b
    {
        out.push(
            Finding::observation(
                CheckKind::Flow,
                after.as_str(),
                format!("{} is not back where it started (others may have added or removed some)", meta.total),
                meta.source.clone(),
            )
            .with(b.to_string(), a.to_string()),
        );
    }
}

/// Whether the `create` step succeeded (otherwise its own status finding says why).
fn created_ok(case: &Case, exchange: &Exchange) -> bool {
    exchange.labelled("create").any(|ex| {
        let Some(step) = case.steps.get(ex.step) else { return false };
        ex.received().is_some_and(|rx| rx.status == step.operation.meta.success_status)
    })
}
