//! A list as the cleanup reads it: every page of one project (through `execute::list_all`, like any
//! request of the run), as the items' ids, parents and states; and the literal one-step cases the
//! cleanup sends its deletes with. The journal's before/after windows, the sweep's wait for backups
//! still being made and the final verification all read the list here.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use super::plan::ListPlan;
use crate::execute::{Target, list_all};
use crate::generate::{
    AuthMode, BodyTemplate, Case, CaseId, CaseKind, Expectation, Relation, RequestTemplate, Slot, Step,
};

/// One item of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The item's id (the `item_id` member).
    pub id: String,
    /// The parent resource the item names (its graph), where the list's items name one.
    pub parent: Option<String>,
    /// The item's state (`backing_up`, `success` …), where the list's items carry one.
    pub status: Option<String>,
}

impl Item {
    /// Whether the list says the resource is still being made.
    pub fn in_progress(&self, list: &ListPlan) -> bool {
        let (Some(status), Some((_, values))) = (&self.status, &list.status) else { return false };
        values.iter().any(|v| v == status)
    }
}

/// A case that fills every path parameter of `op` with a literal (by role name) and nothing else;
/// the cleanup's own requests are built as cases so they go the same way as the suite's.
pub(crate) fn literal_case(
    op: &Arc<crate::catalogue::Operation>,
    label: &str,
    values: &std::collections::BTreeMap<String, String>,
) -> Case {
    let path = op
        .meta
        .parameters
        .iter()
        .filter(|p| p.location == crate::catalogue::Location::Path)
        .map(|p| {
            let v = values.get(crate::generate::role_name(p.role)).cloned().unwrap_or_default();
            (p.name.clone(), Slot::Literal(Value::from(v)))
        })
        .collect();
    Case {
        id: CaseId::new(["cleanup", op.meta.id.as_str(), label]),
        operation: op.meta.id.to_string(),
        family: op.meta.family.clone(),
        kind: CaseKind::Positive,
        rationale: format!("cleanup: {label}"),
        sources: Vec::new(),
        mutating: op.meta.mutating,
        requires: Vec::new(),
        steps: vec![Step {
            label: label.to_owned(),
            operation: Arc::clone(op),
            request: RequestTemplate {
                path,
                query: Vec::new(),
                auth: AuthMode::Valid,
                body: BodyTemplate::None,
                fault: false,
            },
            expect: Expectation::Success,
            captures: Vec::new(),
            walk: None,
            waits: crate::generate::StepWaits::default(),
            adds: false,
        }],
        relation: Relation::None,
        rule: None,
    }
}

/// Every item of `project`'s list, or why it could not be read (`execute::list_all`). Boxed: the
/// journal calls it from inside a case's execution.
pub(super) fn read<'a>(
    target: &'a Target<'a>,
    list: &'a ListPlan,
    project: &'a str,
) -> Pin<Box<dyn Future<Output = Result<Vec<Item>, String>> + Send + 'a>> {
    Box::pin(async move {
        let items = list_all(target, &list.op, project).await?;
        Ok(items
            .iter()
            .filter_map(|item| {
                let text = |m: &str| item.get(m).and_then(Value::as_str).map(str::to_owned);
                Some(Item {
                    id: text(&list.item_id)?,
                    parent: list.parent.as_ref().and_then(|(m, _)| text(m)),
                    status: list.status.as_ref().and_then(|(m, _)| text(m)),
                })
            })
            .collect())
    })
}
