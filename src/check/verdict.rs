//! `check(case, exchange)`: every finding of a case, from each answer's own checks and the
//! relation between its steps. Pure: no I/O, no clock.

use super::finding::Finding;
use super::{flow, pagination, response};
use crate::execute::Exchange;
use crate::generate::{Case, Relation};

/// Every finding of one executed case.
pub fn check(case: &Case, exchange: &Exchange) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut throttled = false;
    for ex in &exchange.steps {
        // A throttled answer (429, or 503 with Retry-After) was refused before processing: it says
        // nothing about the contract, and the steps relating to it cannot be judged (the case could
        // not be tested, see `runner::conclude`).
        if ex.received().is_some_and(crate::execute::Received::throttled) {
            throttled = true;
            continue;
        }
        if let Some(step) = case.steps.get(ex.step) {
            out.extend(response::check_step(step, ex));
        }
    }
    if throttled {
        return out;
    }
    match &case.relation {
        Relation::None => out.extend(pagination::within_limits(case, exchange)),
        Relation::Pagination(rule) => {
            out.extend(pagination::check(case, exchange, rule));
            out.extend(pagination::counts_follow(case, exchange));
        }
        Relation::Flow(rule) => {
            out.extend(pagination::within_limits(case, exchange));
            out.extend(flow::check(case, exchange, rule));
            out.extend(pagination::counts_follow(case, exchange));
        }
    }
    out
}
