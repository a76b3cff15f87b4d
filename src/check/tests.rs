//! Every check kind, proven to fail on a wrong exchange (and to pass a right one), over recorded
//! exchanges built by hand: no network.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::Strength;
use super::{CheckKind, Finding, check};
use crate::catalogue::Catalogue;
use crate::execute::{Exchange, Received, SentRequest, StepExchange};
use crate::generate::{Case, generate};

fn case(id: &str) -> Case {
    let cases = generate(&Catalogue::builtin().unwrap());
    cases.into_iter().find(|c| c.id.as_str() == id).unwrap_or_else(|| panic!("no case {id}"))
}

fn answer(step: usize, label: &str, query: &[(&str, &str)], status: u16, body: &Value) -> StepExchange {
    answer_raw(step, label, query, status, "application/json", &body.to_string())
}

fn answer_raw(step: usize, label: &str, query: &[(&str, &str)], status: u16, ct: &str, body: &str) -> StepExchange {
    StepExchange {
        step,
        label: label.into(),
        request: SentRequest {
            method: "GET".into(),
            url: "http://127.0.0.1/x".into(),
            path: "/x".into(),
            query: query.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect(),
            headers: BTreeMap::new(),
            body: None,
        },
        response: Ok(Received::new(
            status,
            [("content-type".to_owned(), ct.to_owned())].into_iter().collect(),
            body.to_owned(),
            false,
        )),
        retries: 0,
        duration: Duration::ZERO,
        bindings: [("graph".to_owned(), "g1".to_owned())].into_iter().collect(),
    }
}

fn one(step: StepExchange) -> Exchange {
    Exchange { steps: vec![step], stopped: None, ..Exchange::default() }
}

fn failures(f: &[Finding], kind: CheckKind) -> usize {
    f.iter().filter(|f| f.check == kind && f.strength == Strength::Failure).count()
}

fn assert_fails(f: &[Finding], kind: CheckKind) {
    assert!(failures(f, kind) > 0, "expected a {kind} failure, got {f:#?}");
}

fn assert_clean(f: &[Finding]) {
    assert!(f.iter().all(|f| !f.is_failure()), "expected no failure, got {f:#?}");
}

fn backup(id: &str, graph: &str) -> Value {
    json!({"id": id, "name": "b", "backupMethod": "manual", "graphId": graph, "graph_name": "g", "graphStatus": "200",
        "graphSizeTypeIndex": "1", "dataStoreVersion": "2.2.21", "arch": "x86_64", "status": "success",
        "startTimestamp": 1, "startTime": "t", "endTimestamp": 2, "endTime": "t", "size": 1, "duration": 1, "encrypted": false})
}

fn list(ids: &[&str], total: usize) -> Value {
    json!({"backupCount": total, "backupList": ids.iter().map(|i| backup(i, "g1")).collect::<Vec<_>>()})
}

const V2_OK: &str = r#"{"job_id": "j", "backup_id": "b"}"#;

#[test]
fn status_fails_on_a_wrong_success_status() {
    let c = case("ges.v2.add_backup/positive/example");
    assert_clean(&check(&c, &one(answer_raw(0, "call", &[], 200, "application/json", V2_OK))));
    let f = check(&c, &one(answer(0, "call", &[], 202, &json!({"job_id": "j", "backup_id": "b"}))));
    assert_fails(&f, CheckKind::Status);
}

#[test]
fn status_fails_when_a_refusal_is_accepted_or_a_5xx() {
    let c = case("ges.v2.add_backup/auth/missing_token");
    let err = json!({"error_code": "X.1", "error_msg": "no"});
    assert_clean(&check(&c, &one(answer(0, "call", &[], 401, &err))));
    assert_fails(&check(&c, &one(answer(0, "call", &[], 200, &json!({})))), CheckKind::Status);
    assert_fails(&check(&c, &one(answer(0, "call", &[], 500, &err))), CheckKind::Status);
    // An undocumented 4xx is legitimate: an observation, never a failure.
    let f = check(&c, &one(answer(0, "call", &[], 422, &err)));
    assert_clean(&f);
    assert!(f.iter().any(|f| f.check == CheckKind::Status && f.strength == Strength::Observation));
}

#[test]
fn status_fails_when_the_documented_status_differs() {
    let c = case("ges.v2.add_backup/not_found/graph_id");
    let body = json!({"error_code": "GES.0047", "error_msg": "Cluster does not exist or has been deleted."});
    assert_clean(&check(&c, &one(answer(0, "call", &[], 404, &body))));
    assert_fails(&check(&c, &one(answer(0, "call", &[], 400, &body))), CheckKind::Status);
}

#[test]
fn content_type_fails_on_a_non_json_declaration() {
    let c = case("ges.v2.add_backup/positive/example");
    assert_fails(&check(&c, &one(answer_raw(0, "call", &[], 200, "text/html", V2_OK))), CheckKind::ContentType);
    assert_clean(&check(&c, &one(answer_raw(0, "call", &[], 200, "application/json;charset=UTF-8", V2_OK))));
}

#[test]
fn schema_fails_on_a_missing_required_member_and_names_its_row() {
    let c = case("ges.v2.add_backup/positive/example");
    let f = check(&c, &one(answer(0, "call", &[], 200, &json!({"job_id": "j"}))));
    assert_fails(&f, CheckKind::Schema);
    let s = f.iter().find(|f| f.check == CheckKind::Schema).unwrap();
    assert_eq!(s.source.row, "backup_id", "{s}");
    assert_fails(&check(&c, &one(answer_raw(0, "call", &[], 200, "application/json", "not json"))), CheckKind::Schema);
    // Extra members are legitimate.
    assert_clean(&check(&c, &one(answer(0, "call", &[], 200, &json!({"job_id": "j", "backup_id": "b", "extra": 1})))));
}

#[test]
fn envelope_fails_on_the_other_api_version_s_casing_where_the_page_documents_the_body() {
    // v2 add documents its 404 body (the GES.0047 example): the v1.0 casing there is a failure.
    let c = case("ges.v2.add_backup/not_found/graph_id");
    let f = check(&c, &one(answer(0, "call", &[], 404, &json!({"errorCode": "GES.0047", "errorMessage": "no"}))));
    assert_fails(&f, CheckKind::Envelope);
    // v1.0 add documents its 400 body (the GES.7000 example).
    let c = case("ges.v1.add_backup/not_found/graphId");
    assert_fails(
        &check(&c, &one(answer(0, "call", &[], 400, &json!({"error_code": "GES.7000", "error_msg": "no"})))),
        CheckKind::Envelope,
    );
    // A v1.0 list violation is answered 400, whose body the list page documents (Example Response).
    let c = case("ges.v1.list_backups/violation/query.limit/type/text");
    assert_fails(
        &check(&c, &one(answer(0, "call", &[], 400, &json!({"error_code": "X", "error_msg": "no"})))),
        CheckKind::Envelope,
    );
}

#[test]
fn envelope_of_a_status_no_page_documents_is_an_observation() {
    // The real cloud refuses credentials at its API gateway, in the gateway's snake_case envelope,
    // whatever the service's own: page 002 lists 401 only as a status-code row, with no body.
    let gateway = json!({"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication information"});
    for id in ["ges.v1.list_backups/auth/missing_token", "ges.v1.add_backup/auth/wrong_token"] {
        let f = check(&case(id), &one(answer(0, "call", &[], 401, &gateway)));
        assert_clean(&f);
        assert!(f.iter().any(|f| f.check == CheckKind::Envelope && f.strength == Strength::Observation), "{f:#?}");
    }
    // The same for a body that is not JSON at all, and for GeminiDB, which documents no error body.
    let f = check(
        &case("ges.v2.add_backup/auth/wrong_token"),
        &one(answer_raw(0, "call", &[], 403, "text/html", "<h1>no</h1>")),
    );
    assert_clean(&f);
    let c = case("geminidb.v3.create_backup/auth/wrong_token");
    let f = check(&c, &one(answer(0, "call", &[], 401, &json!({"errorCode": "X", "errorMessage": "no"}))));
    assert_clean(&f);
    assert!(f.iter().any(|f| f.check == CheckKind::Envelope && f.strength == Strength::Observation));
}

#[test]
fn error_code_fails_when_it_is_not_the_documented_one() {
    let c = case("ges.v1.add_backup/not_found/graphId");
    let ok = json!({"errorCode": "GES.7000", "errorMessage": "The graph does not exist or has been deleted."});
    assert_clean(&check(&c, &one(answer(0, "call", &[], 400, &ok))));
    let f = check(&c, &one(answer(0, "call", &[], 400, &json!({"errorCode": "GES.7001", "errorMessage": "x"}))));
    assert_fails(&f, CheckKind::ErrorCode);
}

#[test]
fn an_overlong_id_is_refused_as_invalid_with_the_documented_code_or_as_unknown_without_it() {
    let c = case("ges.v2.delete_backup/malformed/backup_id_overlong");
    let body = |code: &str| json!({"error_code": code, "error_msg": "m"});
    // Both legitimate answers pass: invalid with the documented code, unknown in another 4xx.
    assert_clean(&check(&c, &one(answer(0, "call", &[], 400, &body("GES.0001")))));
    assert_clean(&check(&c, &one(answer(0, "call", &[], 404, &body("GES.7000")))));
    // The documented code at the status the page does not tie it to, another code at 400, a success.
    assert_fails(&check(&c, &one(answer(0, "call", &[], 404, &body("GES.0001")))), CheckKind::Status);
    assert_fails(&check(&c, &one(answer(0, "call", &[], 400, &body("GES.0002")))), CheckKind::ErrorCode);
    assert_fails(&check(&c, &one(answer(0, "call", &[], 200, &json!({})))), CheckKind::Status);
    assert_fails(&check(&c, &one(answer(0, "call", &[], 500, &body("GES.0001")))), CheckKind::Status);
}

#[test]
fn error_message_is_never_asserted_only_observed() {
    let c = case("ges.v1.add_backup/not_found/graphId");
    let f =
        check(&c, &one(answer(0, "call", &[], 400, &json!({"errorCode": "GES.7000", "errorMessage": "other words"}))));
    assert_clean(&f);
    assert!(f.iter().any(|f| f.check == CheckKind::ErrorMessage && f.strength == Strength::Observation));
}

#[test]
fn pagination_fails_on_a_page_longer_than_its_limit() {
    let c = case("ges.v1.list_backups/pagination/within_limit");
    let ok = Exchange {
        steps: vec![
            answer(0, "limit_1", &[("limit", "1"), ("offset", "0")], 200, &list(&["a"], 3)),
            answer(1, "limit_2", &[("limit", "2"), ("offset", "0")], 200, &list(&["a", "b"], 3)),
        ],
        stopped: None,
        ..Exchange::default()
    };
    assert_clean(&check(&c, &ok));
    let bad = Exchange {
        steps: vec![
            answer(0, "limit_1", &[("limit", "1"), ("offset", "0")], 200, &list(&["a", "b"], 3)),
            answer(1, "limit_2", &[("limit", "2"), ("offset", "0")], 200, &list(&["a", "b", "c"], 3)),
        ],
        stopped: None,
        ..Exchange::default()
    };
    assert_eq!(failures(&check(&c, &bad), CheckKind::Pagination), 2);
}

#[test]
fn pagination_fails_when_the_offset_does_not_skip() {
    let c = case("ges.v1.list_backups/pagination/offset_skips");
    let ex = |second: &[&str]| Exchange {
        steps: vec![
            answer(0, "offset_0", &[("limit", "2"), ("offset", "0")], 200, &list(&["a", "b"], 3)),
            answer(1, "offset_1", &[("limit", "2"), ("offset", "1")], 200, &list(second, 3)),
        ],
        stopped: None,
        ..Exchange::default()
    };
    assert_clean(&check(&c, &ex(&["b", "c"])));
    assert_fails(&check(&c, &ex(&["c"])), CheckKind::Pagination);
}

#[test]
fn pagination_fails_when_the_total_is_the_page_size_and_observes_caps() {
    let c = case("ges.v1.list_backups/pagination/total_constant");
    let ex = |t0: usize, big: &[&str]| Exchange {
        steps: vec![
            answer(0, "offset_0", &[("limit", "1"), ("offset", "0")], 200, &list(&["a"], t0)),
            answer(1, "offset_1", &[("limit", "1"), ("offset", "1")], 200, &list(&["b"], 3)),
            answer(2, "limit_100", &[("limit", "100"), ("offset", "0")], 200, &list(big, 3)),
        ],
        stopped: None,
        ..Exchange::default()
    };
    assert_clean(&check(&c, &ex(3, &["a", "b", "c"])));
    assert_fails(&check(&c, &ex(1, &["a", "b", "c"])), CheckKind::Pagination);
    // A server cap on limit is legitimate: an observation.
    let f = check(&c, &ex(3, &["a", "b"]));
    assert_clean(&f);
    assert!(f.iter().any(|f| f.check == CheckKind::Pagination && f.strength == Strength::Observation));
}

#[test]
fn pagination_fails_when_the_default_limit_is_not_ten() {
    let c = case("ges.v1.list_backups/pagination/default_limit");
    let last = c.steps.len() - 1;
    let ids: Vec<String> = (0..14).map(|i| format!("b{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let ex = |n: usize| Exchange {
        steps: vec![answer(last, "no_limit", &[], 200, &list(&refs[..n], 14))],
        stopped: None,
        ..Exchange::default()
    };
    assert_clean(&check(&c, &ex(10)));
    assert_fails(&check(&c, &ex(9)), CheckKind::Pagination);
    assert_fails(&check(&c, &ex(11)), CheckKind::Pagination);
}

#[test]
fn pagination_fails_when_a_walk_repeats_or_misses_items() {
    let c = case("ges.v1.list_backups/pagination/walk_all");
    let ex = |p2: &[&str]| Exchange {
        steps: vec![
            answer(0, "walk", &[("limit", "2"), ("offset", "0")], 200, &list(&["a", "b"], 3)),
            answer(0, "walk", &[("limit", "2"), ("offset", "2")], 200, &list(p2, 3)),
        ],
        stopped: None,
        ..Exchange::default()
    };
    assert_clean(&check(&c, &ex(&["c"])));
    assert_fails(&check(&c, &ex(&["b"])), CheckKind::Pagination);
    assert_fails(&check(&c, &ex(&[])), CheckKind::Pagination);
}

#[test]
fn flow_fails_when_the_created_backup_does_not_appear() {
    let c = case("ges.v2.add_backup/flow/create");
    let ex = |listed: &[&str], total: usize| Exchange {
        steps: vec![
            answer(0, "list_before", &[("limit", "2"), ("offset", "0")], 200, &list(&["a"], 1)),
            answer_raw(1, "create", &[], 200, "application/json", r#"{"job_id": "j", "backup_id": "new"}"#),
            answer(2, "list", &[("limit", "2"), ("offset", "0")], 200, &list(listed, total)),
            answer(3, "use", &[], 200, &json!({"job_id": "j2"})),
        ],
        stopped: None,
        ..Exchange::default()
    };
    assert_clean(&check(&c, &ex(&["a", "new"], 2)));
    assert_fails(&check(&c, &ex(&["a", "b"], 2)), CheckKind::Flow);
    // The count did not follow the create, though the list did: stale.
    let stale = check(&c, &ex(&["a", "new"], 1));
    assert!(stale.iter().any(|f| f.is_failure() && f.message.contains("after 1 successful create")), "{stale:#?}");
}

#[test]
fn defaults_fail_when_the_omitted_parameter_answers_another_page() {
    let c = case("ges.v1.list_backups/pagination/default_offset");
    let ex = |omitted: &[&str]| Exchange {
        steps: vec![
            answer(0, "omitted", &[("limit", "2")], 200, &list(omitted, 3)),
            answer(1, "explicit", &[("limit", "2"), ("offset", "0")], 200, &list(&["a", "b"], 3)),
        ],
        ..Exchange::default()
    };
    assert_clean(&check(&c, &ex(&["a", "b"])));
    assert_fails(&check(&c, &ex(&["b", "c"])), CheckKind::Pagination);
}

#[test]
fn counts_must_follow_every_create_of_the_default_limit_fill() {
    let c = case("ges.v1.list_backups/pagination/default_limit");
    let labels: Vec<&str> = c.steps.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(&labels[..4], ["count_0", "fill_0", "count_1", "fill_1"]);
    let count = |step: usize, label: &str, total: usize| {
        answer(step, label, &[("limit", "1"), ("offset", "0")], 200, &list(&["a"], total))
    };
    let fill = |step: usize, label: &str| answer_raw(step, label, &[], 200, "application/json", r#"{"jobId": "j"}"#);
    let good = Exchange {
        steps: vec![count(0, "count_0", 3), fill(1, "fill_0"), count(2, "count_1", 4)],
        ..Exchange::default()
    };
    assert_clean(&check(&c, &good));
    let stale = Exchange {
        steps: vec![count(0, "count_0", 3), fill(1, "fill_0"), count(2, "count_1", 3)],
        ..Exchange::default()
    };
    assert_fails(&check(&c, &stale), CheckKind::Pagination);
}

#[test]
fn flow_fails_when_no_new_item_or_the_wrong_graph_appears() {
    let c = case("ges.v1.add_backup/flow/create");
    let mut other = list(&["a", "new"], 2);
    other["backupList"][1]["graphId"] = json!("g2");
    let ex = |after: &Value| Exchange {
        steps: vec![
            answer(0, "list_before", &[("limit", "2"), ("offset", "0")], 200, &list(&["a"], 1)),
            answer(1, "create", &[], 200, &json!({"jobId": "j"})),
            answer(2, "list_after", &[("limit", "2"), ("offset", "0")], 200, after),
        ],
        stopped: None,
        ..Exchange::default()
    };
    assert_clean(&check(&c, &ex(&list(&["a", "new"], 2))));
    assert_fails(&check(&c, &ex(&list(&["a"], 1))), CheckKind::Flow);
    assert_fails(&check(&c, &ex(&other)), CheckKind::Flow);
}

#[test]
fn flow_fails_when_an_id_is_blank() {
    let c = case("geminidb.v3.create_backup/flow/create");
    let ex = |body: &str| one(answer_raw(0, "create", &[], 202, "application/json", body));
    assert_clean(&check(&c, &ex(r#"{"job_id": "j", "backup_id": "b"}"#)));
    assert_fails(&check(&c, &ex(r#"{"job_id": "j", "backup_id": " "}"#)), CheckKind::Flow);
}

#[test]
fn every_check_kind_has_a_failing_test_above() {
    // Kept in step with CheckKind::ALL: a new kind must get a test here.
    let proven = [
        CheckKind::Status,
        CheckKind::ContentType,
        CheckKind::Schema,
        CheckKind::Envelope,
        CheckKind::ErrorCode,
        CheckKind::ErrorMessage,
        CheckKind::Pagination,
        CheckKind::Flow,
    ];
    assert_eq!(proven, CheckKind::ALL);
}

#[test]
fn id_shapes_are_observed_in_words() {
    use super::flow::id_shape;
    assert_eq!(id_shape("8061ceaf-b319-4315-9338-7f3de8e26f05"), "a UUID");
    assert_eq!(id_shape("ff8080815f9a3c84015f9a438ff70001"), "32 hexadecimal digits");
    assert_eq!(id_shape("646d88d0b03f4fd2ae944ae2a33bcb6ain06"), "36 letters and digits");
    assert_eq!(id_shape("JOB:42"), "6 characters");
}
