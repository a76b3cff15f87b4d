//! Reads a list operation through the normal execution path (auth, retries, redaction): every page
//! of one project, as the items' ids, parents and states. The journal's before/after windows, the
//! wait for backups still being made and the final verification all read the list here.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::plan::ListPlan;
use crate::execute::{Target, execute};
use crate::generate::{
    AuthMode, BodyTemplate, Case, CaseId, CaseKind, Expectation, Relation, RequestTemplate, Slot, Step, Walk,
};

/// The longest a step waits for a resource to settle.
pub const SETTLE_BOUND: Duration = Duration::from_secs(900);
/// The first pause between two reads while waiting; it doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(250);
const MAX_POLL: Duration = Duration::from_secs(5);

/// The most pages one read walks.
const MAX_PAGES: usize = 500;
/// The page size asked for.
const PAGE: i64 = 100;

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
            settle: None,
            waits: crate::generate::StepWaits::default(),
            adds: false,
        }],
        relation: Relation::None,
        rule: None,
    }
}

/// Every item of `project`'s list, or why it could not be read. Boxed: the journal calls it from
/// inside a case's execution.
pub(super) fn read<'a>(
    target: &'a Target<'a>,
    list: &'a ListPlan,
    project: &'a str,
) -> Pin<Box<dyn Future<Output = Result<Vec<Item>, String>> + Send + 'a>> {
    Box::pin(async move {
        let values = [("project".to_owned(), project.to_owned())].into();
        let mut case = literal_case(&list.op, "list", &values);
        let step = &mut case.steps[0];
        step.request.query = vec![
            (list.offset.clone(), Slot::Literal(Value::from(0))),
            (list.limit.clone(), Slot::Literal(Value::from(PAGE))),
        ];
        step.walk = Some(Walk {
            offset_param: list.offset.clone(),
            total: list.total.clone(),
            items: list.items.clone(),
            max_pages: MAX_PAGES,
        });
        let exchange = execute(&case, target).await;
        if let Some(stopped) = &exchange.stopped {
            return Err(stopped.to_string());
        }
        let mut items = Vec::new();
        for page in &exchange.steps {
            let rx = page.response.as_ref().map_err(|e| format!("{}: no answer: {e}", list.op.meta.id))?;
            if rx.status != list.op.meta.success_status {
                return Err(format!("{} answered {}", list.op.meta.id, rx.status));
            }
            let body = rx.json().ok_or_else(|| format!("{} answered no JSON", list.op.meta.id))?;
            for item in body.get(&list.items).and_then(Value::as_array).into_iter().flatten() {
                let text = |m: &str| item.get(m).and_then(Value::as_str).map(str::to_owned);
                let Some(id) = text(&list.item_id) else { continue };
                items.push(Item {
                    id,
                    parent: list.parent.as_ref().and_then(|(m, _)| text(m)),
                    status: list.status.as_ref().and_then(|(m, _)| text(m)),
                });
            }
        }
        Ok(items)
    })
}

/// How a wait ended well: how long it took and how many reads it made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waited {
    /// How long the wait took in all.
    pub waited: Duration,
    /// How many times the list was read.
    pub polls: u32,
}

/// Waits until `list` no longer shows `id` (of `project`) as still being made, reading it again with
/// a growing pause, at most `bound`. An item the list does not show is not waited for (the next
/// request will say what the target thinks of it).
pub fn settle<'a>(
    target: &'a Target<'a>,
    list: &'a ListPlan,
    project: &'a str,
    id: &'a str,
    bound: Duration,
) -> Pin<Box<dyn Future<Output = Result<Waited, String>> + Send + 'a>> {
    Box::pin(async move {
        let started = Instant::now();
        let mut pause = FIRST_POLL;
        let mut polls = 0u32;
        loop {
            polls += 1;
            let items = read(target, list, project).await?;
            let busy = items.iter().find(|i| i.id == id).filter(|i| i.in_progress(list));
            let Some(item) = busy else { return Ok(Waited { waited: started.elapsed(), polls }) };
            if started.elapsed() + pause > bound {
                return Err(format!(
                    "waited {} s ({polls} reads of {}): {id} is still {}",
                    started.elapsed().as_secs(),
                    list.op.meta.id,
                    item.status.as_deref().unwrap_or("in progress")
                ));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_POLL);
        }
    })
}
