//! Pagination checks over the pages of a case: within the limit, offsets skip, a constant total,
//! the documented default limit, and a walk that yields every item once. A page shorter than a
//! large limit asked is a server cap: an observation.

use std::collections::BTreeSet;

use serde_json::Value;

use super::finding::{CheckKind, Finding};
use crate::catalogue::{Operation, PaginationMeta, Source};
use crate::execute::{Exchange, StepExchange};
use crate::generate::{Case, PageRule};

/// One answered page.
pub(crate) struct Page<'a> {
    pub ex: &'a StepExchange,
    pub items: &'a [Value],
    pub total: Option<u64>,
}

impl Page<'_> {
    pub(super) fn ids(&self, meta: &PaginationMeta) -> Vec<String> {
        self.items.iter().map(|i| i.get(&meta.item_id).map_or_else(|| i.to_string(), id_text)).collect()
    }
}

fn id_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// The pages of steps with this label answered with the success status and a readable body.
pub(crate) fn pages<'a>(case: &Case, exchange: &'a Exchange, label: &'a str) -> Vec<Page<'a>> {
    exchange
        .labelled(label)
        .filter_map(|ex| {
            let op = &case.steps.get(ex.step)?.operation;
            let meta = op.meta.pagination.as_ref()?;
            let rx = ex.received()?;
            if rx.status != op.meta.success_status {
                return None;
            }
            let body = rx.json()?;
            let items = body.get(&meta.items)?.as_array()?.as_slice();
            let total = body.get(&meta.total).and_then(Value::as_u64);
            Some(Page { ex, items, total })
        })
        .collect()
}

fn limit_source(op: &Operation, meta: &PaginationMeta) -> Source {
    op.meta.parameters.iter().find(|p| p.name == meta.limit).map_or_else(|| meta.source.clone(), |p| p.source.clone())
}

fn offset_source(op: &Operation, meta: &PaginationMeta) -> Source {
    op.meta.parameters.iter().find(|p| p.name == meta.offset).map_or_else(|| meta.source.clone(), |p| p.source.clone())
}

/// Every page of every step of a list operation holds at most the limit it asked for; a page
/// shorter than both the limit and the rest of the total is a cap (observation).
pub(crate) fn within_limits(case: &Case, exchange: &Exchange) -> Vec<Finding> {
    let mut out = Vec::new();
    let labels: BTreeSet<&str> = exchange.steps.iter().map(|s| s.label.as_str()).collect();
    for label in labels {
        for page in pages(case, exchange, label) {
            let op = &case.steps[page.ex.step].operation;
            let Some(meta) = &op.meta.pagination else { continue };
            let Some(limit) = page.ex.query(&meta.limit).and_then(|l| l.parse::<u64>().ok()) else { continue };
            let n = page.items.len() as u64;
            if n > limit {
                out.push(
                    Finding::failure(
                        CheckKind::Pagination,
                        label,
                        format!("{} holds {n} items for {}={limit}", meta.items, meta.limit),
                        limit_source(op, meta),
                    )
                    .with(format!("at most {limit}"), n.to_string()),
                );
            }
            let offset = page.ex.query(&meta.offset).and_then(|o| o.parse::<u64>().ok()).unwrap_or(0);
            if let Some(total) = page.total {
                let due = limit.min(total.saturating_sub(offset));
                if n < due {
                    out.push(Finding::observation(
                        CheckKind::Pagination,
                        label,
                        format!(
                            "{n} items for {}={limit} at {}={offset} with {} {total}: the target caps the page size",
                            meta.limit, meta.offset, meta.total
                        ),
                        limit_source(op, meta),
                    ));
                }
            }
        }
    }
    out
}

/// The rule-specific checks.
pub(crate) fn check(case: &Case, exchange: &Exchange, rule: &PageRule) -> Vec<Finding> {
    let Some(op) = case.steps.iter().map(|s| &s.operation).find(|o| o.meta.pagination.is_some()) else {
        return Vec::new();
    };
    let Some(meta) = &op.meta.pagination else { return Vec::new() };
    let mut out = within_limits(case, exchange);
    match rule {
        PageRule::WithinLimit => {}
        PageRule::OffsetSkips => {
            let (first, second) = (pages(case, exchange, "offset_0"), pages(case, exchange, "offset_1"));
            if let (Some(a), Some(b)) = (first.first(), second.first()) {
                let (a, b) = (a.ids(meta), b.ids(meta));
                if a.len() < 2 {
                    out.push(Finding::observation(
                        CheckKind::Pagination,
                        "offset_1",
                        format!("not exercised: the list holds {} item(s)", a.len()),
                        offset_source(op, meta),
                    ));
                } else if b.first() != a.get(1) {
                    out.push(
                        Finding::failure(
                            CheckKind::Pagination,
                            "offset_1",
                            format!(
                                "the page at {}=1 does not start with the second item of the page at {}=0",
                                meta.offset, meta.offset
                            ),
                            offset_source(op, meta),
                        )
                        .with(a[1].clone(), b.first().cloned().unwrap_or_else(|| "(empty page)".into())),
                    );
                }
            }
        }
        PageRule::TotalConstant => {
            let totals: Vec<(String, Option<u64>)> = ["offset_0", "offset_1", "limit_100"]
                .iter()
                .flat_map(|l| pages(case, exchange, l).into_iter().map(|p| (p.ex.label.clone(), p.total)))
                .collect();
            let distinct: BTreeSet<Option<u64>> = totals.iter().map(|(_, t)| *t).collect();
            if distinct.len() > 1 {
                let shown: Vec<String> = totals
                    .iter()
                    .map(|(l, t)| format!("{l}: {}", t.map_or("none".into(), |t| t.to_string())))
                    .collect();
                out.push(Finding::failure(
                    CheckKind::Pagination,
                    "limit_100",
                    format!("{} is not the same on every page ({})", meta.total, shown.join(", ")),
                    meta.source.clone(),
                ));
            }
            if let Some(p) = pages(case, exchange, "limit_100").first()
                && let Some(total) = p.total
                && (p.items.len() as u64) > total
            {
                out.push(Finding::failure(
                    CheckKind::Pagination,
                    "limit_100",
                    format!("{} {total} is less than the {} items on one page", meta.total, p.items.len()),
                    meta.source.clone(),
                ));
            }
        }
        PageRule::DefaultLimit { default } => {
            if let Some(p) = pages(case, exchange, "no_limit").first() {
                let n = p.items.len() as u64;
                let due = p.total.map_or(*default, |t| t.min(*default));
                if n != due {
                    out.push(
                        Finding::failure(
                            CheckKind::Pagination,
                            "no_limit",
                            format!(
                                "without {} the page holds {n} items; the documented default is {default} (total {})",
                                meta.limit,
                                p.total.map_or("unknown".into(), |t| t.to_string())
                            ),
                            limit_source(op, meta),
                        )
                        .with(due.to_string(), n.to_string()),
                    );
                }
            }
            out.extend(same_page(case, exchange, ("no_limit", "explicit_limit"), &meta.limit, limit_source(op, meta)));
        }
        PageRule::WalkAll => out.extend(walk_all(case, exchange, "walk", op, meta)),
        PageRule::DefaultSame { param, .. } => {
            let source = op
                .meta
                .parameters
                .iter()
                .find(|p| &p.name == param)
                .map_or_else(|| meta.source.clone(), |p| p.source.clone());
            out.extend(same_page(case, exchange, ("omitted", "explicit"), param, source));
        }
    }
    out
}

/// A parameter left out (step `omitted`) answers the page it answers at its documented default
/// (step `explicit`): the same total, the same items in the same order, each with the same
/// documented members. Values are not compared: an asynchronous backup may finish in between.
fn same_page(
    case: &Case,
    exchange: &Exchange,
    (omitted, explicit): (&str, &str),
    param: &str,
    source: Source,
) -> Vec<Finding> {
    let (Some(a), Some(b)) =
        (pages(case, exchange, omitted).into_iter().next(), pages(case, exchange, explicit).into_iter().next())
    else {
        return Vec::new();
    };
    let Some(meta) = case.steps.get(a.ex.step).and_then(|s| s.operation.meta.pagination.clone()) else {
        return Vec::new();
    };
    let members = |items: &[Value]| -> Vec<(String, Vec<String>)> {
        items
            .iter()
            .map(|i| {
                let id = i.get(&meta.item_id).map_or_else(|| i.to_string(), id_text);
                let keys = i.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
                (id, keys)
            })
            .collect()
    };
    let (left, right) = (members(a.items), members(b.items));
    let mut out = Vec::new();
    if a.total != b.total {
        out.push(
            Finding::failure(
                CheckKind::Pagination,
                omitted,
                format!("{} differs with {param} left out and given at its default", meta.total),
                source.clone(),
            )
            .with(b.total.map_or("none".into(), |t| t.to_string()), a.total.map_or("none".into(), |t| t.to_string())),
        );
    }
    let ids = |v: &[(String, Vec<String>)]| v.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    if ids(&left) != ids(&right) {
        out.push(
            Finding::failure(
                CheckKind::Pagination,
                omitted,
                format!("{param} left out answers other items than {param} given at its documented default"),
                source,
            )
            .with(ids(&right).join(", "), ids(&left).join(", ")),
        );
    } else if left != right {
        out.push(Finding::failure(
            CheckKind::Pagination,
            omitted,
            format!("{param} left out answers the same items with other members than {param} given at its documented default"),
            source,
        ));
    }
    out
}

/// Every documented count follows the creates of the case: a page read after a create that
/// succeeded holds a total at least one more than the page read before it (more is recorded:
/// others may add on a shared project). Steps that `adds` mark the creates.
pub(crate) fn counts_follow(case: &Case, exchange: &Exchange) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut known: Option<u64> = None;
    let mut pending = 0u64;
    let mut last_create = String::new();
    for ex in &exchange.steps {
        let Some(step) = case.steps.get(ex.step) else { continue };
        let Some(rx) = ex.received() else { continue };
        if step.adds {
            if rx.status == step.operation.meta.success_status {
                pending += 1;
                last_create.clone_from(&ex.label);
            }
            continue;
        }
        let Some(meta) = &step.operation.meta.pagination else { continue };
        if rx.status != step.operation.meta.success_status {
            continue;
        }
        let Some(total) = rx.json().and_then(|b| b.get(&meta.total).and_then(Value::as_u64)) else { continue };
        if let Some(before) = known
            && pending > 0
        {
            let due = before + pending;
            if total < due {
                out.push(
                    Finding::failure(
                        CheckKind::Pagination,
                        &ex.label,
                        format!("{} is {total} after {pending} successful create(s) ({last_create}); it was {before} before", meta.total),
                        meta.source.clone(),
                    )
                    .with(format!("at least {due}"), total.to_string()),
                );
            } else if total > due {
                out.push(Finding::observation(
                    CheckKind::Pagination,
                    &ex.label,
                    format!(
                        "{} grew by {} over {pending} create(s) (others may add on a shared project)",
                        meta.total,
                        total - before
                    ),
                    meta.source.clone(),
                ));
            }
        }
        known = Some(total);
        pending = 0;
    }
    out
}

/// Walking every page yields each item once, as many as the total says.
pub(crate) fn walk_all(
    case: &Case,
    exchange: &Exchange,
    label: &str,
    op: &Operation,
    meta: &PaginationMeta,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let pages = pages(case, exchange, label);
    let Some(total) = pages.first().and_then(|p| p.total) else { return out };
    let mut seen = BTreeSet::new();
    let mut count = 0u64;
    for p in &pages {
        for id in p.ids(meta) {
            count += 1;
            if !seen.insert(id.clone()) {
                out.push(Finding::failure(
                    CheckKind::Pagination,
                    label,
                    format!("item {id} appears on more than one page"),
                    offset_source(op, meta),
                ));
            }
        }
    }
    if count != total {
        out.push(
            Finding::failure(
                CheckKind::Pagination,
                label,
                format!("walking every page yields {count} items, {} says {total}", meta.total),
                meta.source.clone(),
            )
            .with(total.to_string(), count.to_string()),
        );
    }
    out
}
