//! Normalises a case's exchange into a stable value for snapshots: the project, the target's
//! resource ids and captured ids become named placeholders; other ids, job ids, timestamps and
//! durations become kind placeholders; only the content type of each response is kept among its
//! headers (request ids, dates and server names vary). The token is never present: the exchange
//! records it as `***`, and the normaliser drops the header whatever it holds.

use serde_json::{Map, Value, json};

use crate::catalogue::ParamRole;
use crate::execute::Exchange;
use crate::generate::{Case, role_name};

/// Known values and the placeholders that replace them, longest first.
#[derive(Debug, Clone, Default)]
pub struct Placeholders {
    pairs: Vec<(String, String)>,
}

impl Placeholders {
    /// From the values the case's requests used (project, resources, captures).
    pub fn of(exchange: &Exchange) -> Self {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for ex in &exchange.steps {
            for (name, value) in &ex.bindings {
                if value.len() >= 3 && !pairs.iter().any(|(v, _)| v == value) {
                    pairs.push((value.clone(), format!("[{name}]")));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Self { pairs }
    }

    fn apply(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (value, placeholder) in &self.pairs {
            out = out.replace(value.as_str(), placeholder);
        }
        out
    }
}

fn is_id_key(key: &str) -> bool {
    key == "id" || key.ends_with("_id") || key.ends_with("Id")
}

fn is_time_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("time") || k == "duration"
}

/// Digit runs long enough to be a timestamp (`20210608135513`) become `[digits]`.
fn mask_digits(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    for c in s.chars().chain(std::iter::once('\u{0}')) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if run.len() >= 8 {
            out.push_str("[digits]");
        } else {
            out.push_str(&run);
        }
        run.clear();
        if c != '\u{0}' {
            out.push(c);
        }
    }
    out
}

fn body_value(v: &Value, p: &Placeholders, key: Option<&str>) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(k.clone(), body_value(v, p, Some(k)));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| body_value(i, p, key)).collect()),
        Value::String(s) => {
            let replaced = p.apply(s);
            match key {
                Some(_) if replaced.starts_with('[') && replaced.ends_with(']') => Value::from(replaced),
                Some(k) if is_time_key(k) => Value::from("[time]"),
                // A new backup turns from in progress to done on the server's clock: which one a
                // snapshot sees depends on timing, not on the contract (the schema check sees both).
                Some("status") if matches!(s.as_str(), "backing_up" | "success") => Value::from("[lifecycle]"),
                Some(k) if is_id_key(k) => Value::from("[id]"),
                _ => Value::from(mask_digits(&replaced)),
            }
        }
        Value::Number(_) if key.is_some_and(is_time_key) => Value::from("[time]"),
        other => other.clone(),
    }
}

fn body(text: &str, p: &Placeholders, known_only: bool) -> Value {
    match serde_json::from_str::<Value>(text) {
        Ok(v) if known_only => {
            // Request bodies: only the target's values are replaced (probes stay visible).
            serde_json::from_str(&p.apply(&v.to_string())).unwrap_or(v)
        }
        Ok(v) => body_value(&v, p, None),
        Err(_) => Value::from(p.apply(text)),
    }
}

/// Headers that carry or accompany credentials (a signature's date and scope vary per run): summarised
/// as the request's `auth`, never shown.
const CREDENTIAL_HEADERS: &[&str] =
    &["x-auth-token", "authorization", "x-sdk-date", "x-security-token", "x-project-id"];

/// The normalised exchange of a case.
pub fn normalise(case: &Case, exchange: &Exchange) -> Value {
    let p = Placeholders::of(exchange);
    let steps: Vec<Value> = exchange
        .steps
        .iter()
        .map(|ex| {
            let headers: Map<String, Value> = ex
                .request
                .headers
                .iter()
                .filter(|(k, _)| !CREDENTIAL_HEADERS.iter().any(|c| k.eq_ignore_ascii_case(c)))
                .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                .collect();
            let header = |name: &str| ex.request.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name));
            let auth = header("x-auth-token")
                .map(|(_, v)| if v == "***" { "[token]" } else { "[wrong token]" })
                .or_else(|| header("authorization").map(|_| "[signature]"));
            let request = json!({
                "method": ex.request.method,
                "path": p.apply(&ex.request.path),
                "query": ex.request.query.iter().map(|(n, v)| json!([n, p.apply(v)])).collect::<Vec<_>>(),
                "auth": auth,
                "headers": headers,
                "body": ex.request.body.as_deref().map(|b| body(b, &p, true)),
            });
            let response = match &ex.response {
                // A body too large, cut or not text is kept by its excerpt and size, as the report
                // keeps it: a snapshot (and the drift diff of it) stays bounded whatever the target sent.
                Ok(rx) if rx.excerpted() => json!({
                    "status": rx.status,
                    "content_type": rx.content_type(),
                    "body_excerpt": p.apply(rx.excerpt()),
                    "body_size": rx.size,
                    "truncated": rx.truncated,
                }),
                Ok(rx) => json!({
                    "status": rx.status,
                    "content_type": rx.content_type(),
                    "body": if rx.body.is_empty() { Value::Null } else { body(&rx.body, &p, false) },
                    "truncated": rx.truncated,
                }),
                Err(e) => json!({ "error": e }),
            };
            json!({ "step": ex.label, "request": request, "response": response })
        })
        .collect();
    json!({ "case": case.id.as_str(), "kind": case.kind.as_str(), "rationale": case.rationale, "steps": steps })
}

/// The placeholder name of a role, for callers building their own.
pub fn role_placeholder(role: ParamRole) -> String {
    format!("[{}]", role_name(role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_ids_times_and_digit_runs() {
        let p = Placeholders { pairs: vec![("proj123".into(), "[project]".into())] };
        let v = body_value(
            &json!({"job_id": "abc", "startTimestamp": 1_623_160_513_000_u64, "name": "g-20210608135513", "graphId": "proj123", "size": 1}),
            &p,
            None,
        );
        assert_eq!(
            v,
            json!({"job_id": "[id]", "startTimestamp": "[time]", "name": "g-[digits]", "graphId": "[project]", "size": 1})
        );
    }
}
