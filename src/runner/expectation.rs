//! A case's expectation as a report record: per step, the statuses that pass, the schema or error
//! envelope the body must match and the documented error code; plus the rule relating the answers.
//! Readers of a report judge a verdict against it without reading the generator.

use crate::generate::{Case, Expectation, FlowRule, PageRule, Relation, Step};
use crate::report::{ExpectationRecord, StepExpectationRecord};

/// The record of what `case` expected.
pub fn expectation_record(case: &Case) -> ExpectationRecord {
    ExpectationRecord { steps: case.steps.iter().map(step_record).collect(), relation: relation_text(&case.relation) }
}

fn step_record(step: &Step) -> StepExpectationRecord {
    let meta = &step.operation.meta;
    let (code, message) = meta.error_envelope.style.fields();
    let envelope = || Some(format!("{code} / {message}"));
    match &step.expect {
        Expectation::Success => {
            let schema = meta.responses.iter().find(|r| r.status == meta.success_status).map(|r| r.schema.clone());
            StepExpectationRecord {
                step: step.label.clone(),
                statuses: vec![meta.success_status],
                description: format!(
                    "the documented success status {} with a JSON body valid against its schema",
                    meta.success_status
                ),
                schema,
                envelope: None,
                error_code: None,
            }
        }
        Expectation::Error { documented, lenient, or_unknown } => {
            let also = if *lenient { "; a success is also accepted (the pages leave it open)" } else { "" };
            match documented {
                Some(d) if *or_unknown => StepExpectationRecord {
                    step: step.label.clone(),
                    statuses: Vec::new(),
                    description: format!(
                        "the documented error {} {} in the error envelope, or another 4xx refusing the id as \
                         unknown (without {}){also}",
                        d.status, d.code, d.code
                    ),
                    schema: None,
                    envelope: envelope(),
                    error_code: Some(d.code.clone()),
                },
                Some(d) => StepExpectationRecord {
                    step: step.label.clone(),
                    statuses: vec![d.status],
                    description: format!("the documented error {} {} in the error envelope{also}", d.status, d.code),
                    schema: None,
                    envelope: envelope(),
                    error_code: Some(d.code.clone()),
                },
                None => StepExpectationRecord {
                    step: step.label.clone(),
                    statuses: Vec::new(),
                    description: format!("any 4xx in the error envelope (no page names the code){also}"),
                    schema: None,
                    envelope: envelope(),
                    error_code: None,
                },
            }
        }
    }
}

fn relation_text(relation: &Relation) -> Option<String> {
    let text = match relation {
        Relation::None => return None,
        Relation::Pagination(PageRule::WithinLimit) => "each page holds at most the limit asked".to_owned(),
        Relation::Pagination(PageRule::OffsetSkips) => {
            "the page at offset 1 starts with the second item of the page at offset 0".to_owned()
        }
        Relation::Pagination(PageRule::TotalConstant) => "the total is the same on every page".to_owned(),
        Relation::Pagination(PageRule::DefaultLimit { default }) => {
            format!("without a limit, a page holds min({default}, total) items")
        }
        Relation::Pagination(PageRule::WalkAll) => {
            "walking every page yields every item once, as many as the total says".to_owned()
        }
        Relation::Pagination(PageRule::DefaultSame { param, default }) => {
            format!("{param} left out answers the same items as {param}={default}")
        }
        Relation::Flow(FlowRule::Appears { list_after, .. }) => {
            format!("the created resource appears in the list of step {list_after}")
        }
        Relation::Flow(FlowRule::ReturnsIds { captured }) => {
            format!("the answer returns non-blank ids: {}", captured.join(", "))
        }
        Relation::Flow(FlowRule::Gone { created, list_shown, list_after, list_before }) => format!(
            "the created {created} is listed in step {list_shown}, gone from step {list_after}, and the total is back to step {list_before}'s"
        ),
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::generate::generate;

    #[test]
    fn every_case_records_one_expectation_per_step() {
        let cat = Catalogue::builtin().unwrap();
        let cases = generate(&cat);
        for case in &cases {
            let rec = expectation_record(case);
            assert_eq!(rec.steps.len(), case.steps.len(), "{}", case.id);
        }
        let auth = cases.iter().find(|c| c.id.as_str() == "ges.v2.add_backup/auth/missing_token").unwrap();
        let step = &expectation_record(auth).steps[0];
        assert!(step.envelope.is_some() && step.schema.is_none(), "{step:?}");
        let positive = cases.iter().find(|c| c.kind == crate::generate::CaseKind::Positive).unwrap();
        let step = &expectation_record(positive).steps[0];
        assert_eq!(step.statuses, vec![positive.steps[0].operation.meta.success_status]);
        assert!(step.schema.is_some() && step.error_code.is_none(), "{step:?}");
    }
}
