//! Checks of one answer against its step's expectation: status, content type, body schema, error
//! envelope, error code and message. Where the pages leave a choice open the check records an
//! observation and never fails.

use std::fmt::Write as _;

use serde_json::Value;

use super::Strength;
use super::finding::{CheckKind, Finding};
use crate::catalogue::{Operation, Source};
use crate::execute::{Received, StepExchange};
use crate::generate::{DocumentedError, Expectation, Step};

/// Every finding of one answered request.
pub(super) fn check_step(step: &Step, ex: &StepExchange) -> Vec<Finding> {
    let Some(rx) = ex.received() else { return Vec::new() };
    let op = &step.operation;
    let label = ex.label.as_str();
    let mut out = Vec::new();
    match &step.expect {
        Expectation::Success => success(op, label, rx, &mut out),
        Expectation::Error { documented, lenient, or_unknown } => {
            let documented = documented.as_ref();
            // An id no target issues, refused as unknown: any 4xx, but not with the code the page
            // ties to the invalid-request status.
            match documented.filter(|d| *or_unknown && d.status != rx.status && (400..500).contains(&rx.status)) {
                Some(tied) => {
                    error(op, label, rx, None, *lenient, &mut out);
                    tied_code(op, label, rx, tied, &mut out);
                }
                None => error(op, label, rx, documented, *lenient, &mut out),
            }
        }
    }
    out
}

/// A documented code answered at another status than the page ties it to.
fn tied_code(op: &Operation, label: &str, rx: &Received, tied: &DocumentedError, out: &mut Vec<Finding>) {
    if error_fields(op, rx).is_some_and(|(code, _)| code == tied.code) {
        out.push(
            Finding::failure(
                CheckKind::Status,
                label,
                format!("the page answers {} with status {}, the target with {}", tied.code, tied.status, rx.status),
                tied.source.clone(),
            )
            .with(tied.status.to_string(), rx.status.to_string()),
        );
    }
}

fn success_source(op: &Operation) -> Source {
    op.meta
        .responses
        .iter()
        .find(|r| r.status == op.meta.success_status)
        .map(|r| r.source.clone())
        .or_else(|| op.meta.status_codes.iter().find(|s| s.status == op.meta.success_status).map(|s| s.source.clone()))
        .unwrap_or_else(|| Source::new(op.meta.page.clone(), "Status code", op.meta.success_status.to_string()))
}

fn status_source(op: &Operation, status: u16) -> Source {
    op.meta
        .status_codes
        .iter()
        .find(|s| s.status == status)
        .map_or_else(|| Source::new(op.meta.page.clone(), "Status Codes", "*"), |s| s.source.clone())
}

fn success(op: &Operation, label: &str, rx: &Received, out: &mut Vec<Finding>) {
    let expected = op.meta.success_status;
    if rx.status != expected {
        let mut message = format!("expected the documented success status {expected}, got {}", rx.status);
        if let Some((code, _)) = error_fields(op, rx) {
            let _ = write!(message, " ({code})");
        }
        out.push(
            Finding::failure(CheckKind::Status, label, message, success_source(op))
                .with(expected.to_string(), rx.status.to_string()),
        );
        return;
    }
    content_type(label, rx, Strength::Failure, success_source(op), out);
    if let Some(schema) = op.response_schema(rx.status) {
        schema_check(label, rx, schema, Strength::Failure, &success_source(op), CheckKind::Schema, out);
    }
}

fn content_type(label: &str, rx: &Received, strength: Strength, source: Source, out: &mut Vec<Finding>) {
    let ok = rx
        .content_type()
        .map(|c| c.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .is_some_and(|c| c == "application/json" || (c.starts_with("application/") && c.ends_with("+json")));
    if !ok {
        let actual = rx.content_type().unwrap_or("(none)").to_owned();
        out.push(
            Finding::new(
                CheckKind::ContentType,
                strength,
                label,
                format!("the body is declared as {actual}, not JSON"),
                source,
            )
            .with("application/json", actual),
        );
    }
}

/// Validates the body; a violation's source is the `x-source` of the member where the schema
/// names one, the response table otherwise.
fn schema_check(
    label: &str,
    rx: &Received,
    schema: &crate::catalogue::CompiledSchema,
    strength: Strength,
    fallback: &Source,
    kind: CheckKind,
    out: &mut Vec<Finding>,
) {
    let Some(body) = rx.json() else {
        let why = if rx.truncated { "is larger than the body cap" } else { "is not JSON" };
        out.push(Finding::new(kind, strength, label, format!("the body {why}"), fallback.clone()));
        return;
    };
    // Most answers are valid: the boolean fast path skips building error values.
    if schema.is_valid(body) {
        return;
    }
    for v in schema.violations(body) {
        let member = match v.keyword.as_str() {
            "required" => missing_member(&v.message).map(|m| format!("{}/{m}", v.instance_path)),
            _ => None,
        }
        .unwrap_or_else(|| v.instance_path.clone());
        let source = source_at(&schema.document, &member).unwrap_or_else(|| fallback.clone());
        let at = if v.instance_path.is_empty() { "/".to_owned() } else { v.instance_path.clone() };
        out.push(Finding::new(kind, strength, label, format!("{} ({}): {}", at, v.keyword, v.message), source));
    }
}

/// The member named by a `required` message (`"job_id" is a required property`).
fn missing_member(message: &str) -> Option<String> {
    let start = message.find('"')? + 1;
    let end = start + message[start..].find('"')?;
    Some(message[start..end].to_owned())
}

/// The `x-source` of the schema node at an instance pointer (inline properties and items only).
fn source_at(document: &Value, pointer: &str) -> Option<Source> {
    let mut node = document;
    for segment in pointer.split('/').skip(1) {
        node = if segment.parse::<usize>().is_ok() && node.get("items").is_some() {
            node.get("items")?
        } else {
            node.get("properties")?.get(segment)?
        };
    }
    Source::from_annotation(node).into_iter().next()
}

/// The (code, message) members of an error body in the operation's envelope, if present.
fn error_fields(op: &Operation, rx: &Received) -> Option<(String, Option<String>)> {
    let body = rx.json()?;
    let (code, message) = op.meta.error_envelope.style.fields();
    let code = body.get(code)?.as_str()?.to_owned();
    Some((code, body.get(message).and_then(Value::as_str).map(str::to_owned)))
}

/// How firmly an error answer of `status` is judged: a failure where the page documents the body of
/// that status (a response table or an example under it, `responses[]`), an observation elsewhere —
/// a 401 answered by an API gateway in its own envelope is no deviation from a page that lists 401
/// only as a row of its status-code table. Returns the strength and the row it rests on.
fn body_basis(op: &Operation, status: u16) -> (Strength, Source) {
    match op.documented_body(status) {
        Some(r) => (Strength::Failure, r.source.clone()),
        None => (Strength::Observation, op.meta.error_envelope.source.clone()),
    }
}

fn error(
    op: &Operation,
    label: &str,
    rx: &Received,
    documented: Option<&DocumentedError>,
    lenient: bool,
    out: &mut Vec<Finding>,
) {
    let status = rx.status;
    if (200..300).contains(&status) {
        accepted_refusal(op, label, status, documented, lenient, out);
        return;
    }
    error_status(op, label, status, documented, out);
    let (body_strength, body_source) = body_basis(op, status);
    content_type(label, rx, body_strength, body_source.clone(), out);
    error_envelope(op, label, rx, body_strength, &body_source, out);
    error_code(op, label, rx, documented, body_strength, out);
}

/// A request that should have been refused was accepted (2xx): a failure, or an observation when
/// `lenient`.
fn accepted_refusal(
    op: &Operation,
    label: &str,
    status: u16,
    documented: Option<&DocumentedError>,
    lenient: bool,
    out: &mut Vec<Finding>,
) {
    let envelope = &op.meta.error_envelope;
    let expected_words = documented.map_or_else(|| "a 4xx refusal".to_owned(), |d| format!("{} {}", d.status, d.code));
    let source = documented.map_or_else(|| envelope.source.clone(), |d| d.source.clone());
    let strength = if lenient { Strength::Observation } else { Strength::Failure };
    out.push(
        Finding::new(
            CheckKind::Status,
            strength,
            label,
            format!("expected {expected_words}, the target accepted it with {status}"),
            source,
        )
        .with(expected_words, status.to_string()),
    );
}

/// The status of a refusal: the documented one, else any 4xx (one the page's table does not list is
/// observed).
fn error_status(
    op: &Operation,
    label: &str,
    status: u16,
    documented: Option<&DocumentedError>,
    out: &mut Vec<Finding>,
) {
    match documented {
        Some(d) if d.status != status => {
            out.push(
                Finding::failure(
                    CheckKind::Status,
                    label,
                    format!("expected the documented status {} ({}), got {status}", d.status, d.code),
                    d.source.clone(),
                )
                .with(d.status.to_string(), status.to_string()),
            );
        }
        Some(_) => {}
        None if !(400..500).contains(&status) => {
            out.push(
                Finding::failure(
                    CheckKind::Status,
                    label,
                    format!("a rejected request must be answered with a 4xx, got {status}"),
                    status_source(op, status),
                )
                .with("4xx", status.to_string()),
            );
        }
        None => {
            let documented_statuses = op.documented_statuses();
            if !op.meta.status_codes.is_empty() && !documented_statuses.contains(&status) {
                out.push(Finding::observation(
                    CheckKind::Status,
                    label,
                    format!("status {status} is not in the page's status-code table (any 4xx is accepted)"),
                    status_source(op, status),
                ));
            }
        }
    }
}

/// The refusal's body against the schema documented for its status, else the API version's envelope.
fn error_envelope(
    op: &Operation,
    label: &str,
    rx: &Received,
    body_strength: Strength,
    body_source: &Source,
    out: &mut Vec<Finding>,
) {
    let envelope = &op.meta.error_envelope;
    let status = rx.status;
    // The envelope: the schema documented for this status, else the API version's envelope.
    let schema = op.response_schema(status).unwrap_or(&op.envelope);
    let before = out.len();
    schema_check(label, rx, schema, body_strength, body_source, CheckKind::Envelope, out);
    if out.len() > before {
        let (c, m) = envelope.style.fields();
        let undocumented = if body_strength == Strength::Failure {
            String::new()
        } else {
            format!(" (no page documents the body of a {status} here: observed, not judged)")
        };
        for f in &mut out[before..] {
            f.message = format!("error envelope of {} ({c}/{m}) expected{undocumented}: {}", op.meta.family, f.message);
        }
    }
}

/// The refusal's error code against the documented one (its message is only ever observed).
fn error_code(
    op: &Operation,
    label: &str,
    rx: &Received,
    documented: Option<&DocumentedError>,
    body_strength: Strength,
    out: &mut Vec<Finding>,
) {
    let envelope = &op.meta.error_envelope;
    let status = rx.status;
    let fields = error_fields(op, rx);
    // A documented code is due only at its documented status, whose body the example documents.
    let code_strength = |d: &DocumentedError| if d.status == status { body_strength } else { Strength::Observation };
    match (documented, fields) {
        (Some(d), Some((code, message))) => {
            if code != d.code {
                out.push(
                    Finding::new(
                        CheckKind::ErrorCode,
                        code_strength(d),
                        label,
                        format!("expected the documented error code {}, got {code}", d.code),
                        d.source.clone(),
                    )
                    .with(d.code.clone(), code),
                );
            } else if message.as_deref() != Some(d.message.as_str()) {
                out.push(Finding::observation(
                    CheckKind::ErrorMessage,
                    label,
                    format!("message differs from the page's example ({:?}); messages are never asserted", d.message),
                    d.source.clone(),
                ));
            }
        }
        (Some(d), None) => {
            // Missing members were reported by the envelope check; say which code was due.
            out.push(Finding::new(
                CheckKind::ErrorCode,
                code_strength(d),
                label,
                format!("expected the documented error code {}, the body carries none", d.code),
                d.source.clone(),
            ));
        }
        (None, Some((code, _))) => out.push(Finding::observation(
            CheckKind::ErrorCode,
            label,
            format!("error code {code} (the pages name none for this request)"),
            envelope.source.clone(),
        )),
        (None, None) => {}
    }
}
