//! Fills a request template from the target and the case's captures, builds the URL (path
//! segments and query percent-encoded per RFC 3986), sends it, and reads a capped body.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::Value;

use super::BODY_CAP;
use super::exchange::{Received, SentRequest, StepExchange};
use crate::catalogue::{Location, Operation, ParamRole};
use crate::generate::{AuthMode, BodyTemplate, RequestTemplate, Slot, UNKNOWN_ID, role_name};
use crate::profile::TargetProfile;

/// A token that no target accepts.
pub const WRONG_TOKEN: &str = "hwconform-wrong-token";

/// What a case's slots resolve against.
pub struct Bindings<'a> {
    pub profile: &'a TargetProfile,
    /// The project the case uses (its own, or the profile's).
    pub project: String,
    pub captures: BTreeMap<String, String>,
}

/// Why a template could not be filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved(pub String);

impl Bindings<'_> {
    fn role(&self, role: ParamRole) -> String {
        match role {
            ParamRole::Project => self.project.clone(),
            other => self.profile.resource(other).unwrap_or_default().to_owned(),
        }
    }

    fn value(&self, slot: &Slot, used: &mut BTreeMap<String, String>) -> Result<Value, Unresolved> {
        Ok(match slot {
            Slot::Role(role) => {
                let v = self.role(*role);
                used.insert(role_name(*role).to_owned(), v.clone());
                Value::from(v)
            }
            Slot::Unknown(_) => Value::from(UNKNOWN_ID),
            Slot::Captured(name) => {
                let v = self.captures.get(name).ok_or_else(|| Unresolved(format!("no {name} was captured")))?;
                used.insert(name.clone(), v.clone());
                Value::from(v.clone())
            }
            Slot::Literal(v) => v.clone(),
        })
    }
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A request ready to send.
pub struct Prepared {
    pub record: SentRequest,
    pub bindings: BTreeMap<String, String>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

/// Fills `template` for `op`.
pub fn prepare(
    op: &Operation,
    template: &RequestTemplate,
    base: &str,
    b: &Bindings<'_>,
) -> Result<Prepared, Unresolved> {
    let mut used = BTreeMap::new();
    let mut path = op.meta.path.clone();
    for (name, slot) in &template.path {
        let v = text(&b.value(slot, &mut used)?);
        path = path.replace(&format!("{{{name}}}"), &encode(&v));
    }
    let mut query = Vec::new();
    for (name, slot) in &template.query {
        query.push((name.clone(), text(&b.value(slot, &mut used)?)));
    }
    let mut url = format!("{base}{path}");
    if !query.is_empty() {
        let q: Vec<String> = query.iter().map(|(n, v)| format!("{}={}", encode(n), encode(v))).collect();
        url.push('?');
        url.push_str(&q.join("&"));
    }
    let mut headers = Vec::new();
    let mut recorded = BTreeMap::new();
    let token_header =
        op.meta.parameters.iter().find(|p| p.role == ParamRole::AuthToken && p.location == Location::Header);
    if let Some(h) = token_header {
        match template.auth {
            AuthMode::Valid => {
                headers.push((h.name.clone(), b.profile.token.expose().to_owned()));
                recorded.insert(h.name.to_ascii_lowercase(), "***".to_owned());
            }
            AuthMode::Wrong => {
                headers.push((h.name.clone(), WRONG_TOKEN.to_owned()));
                recorded.insert(h.name.to_ascii_lowercase(), WRONG_TOKEN.to_owned());
            }
            AuthMode::Missing => {}
        }
    }
    if template.fault {
        headers.push((crate::server::FAULT_HEADER.to_owned(), crate::server::FAULT_INTERNAL.to_owned()));
        recorded.insert(crate::server::FAULT_HEADER.to_owned(), crate::server::FAULT_INTERNAL.to_owned());
    }
    let (body, content_type) = match &template.body {
        BodyTemplate::None => (None, None),
        BodyTemplate::Json { value, fills, content_type } => {
            let mut value = value.clone();
            for (pointer, slot) in fills {
                let v = b.value(slot, &mut used)?;
                crate::catalogue::rules::apply(&mut value, pointer, Some(&v));
            }
            (Some(value.to_string()), Some(content_type.clone()))
        }
        BodyTemplate::Raw { text, content_type } => (Some(text.clone()), content_type.clone()),
    };
    if let Some(ct) = content_type {
        headers.push(("Content-Type".to_owned(), ct.clone()));
        recorded.insert("content-type".to_owned(), ct);
    }
    let record = SentRequest {
        method: op.meta.method.clone(),
        url: url.clone(),
        path,
        query,
        headers: recorded,
        body: body.clone(),
    };
    Ok(Prepared { record, bindings: used, headers, body: body.map(String::into_bytes) })
}

/// Sends a prepared request; a transport failure becomes the exchange's one-line error.
pub async fn send(client: &reqwest::Client, step: usize, label: &str, p: Prepared) -> StepExchange {
    let started = Instant::now();
    let response = send_inner(client, &p).await;
    StepExchange {
        step,
        label: label.to_owned(),
        request: p.record,
        response,
        duration: started.elapsed(),
        bindings: p.bindings,
    }
}

async fn send_inner(client: &reqwest::Client, p: &Prepared) -> Result<Received, String> {
    let method = reqwest::Method::from_bytes(p.record.method.as_bytes()).map_err(|e| format!("bad method: {e}"))?;
    let mut req = client.request(method, &p.record.url);
    for (name, value) in &p.headers {
        req = req.header(name, value);
    }
    if let Some(body) = &p.body {
        req = req.body(body.clone());
    }
    let mut resp = req.send().await.map_err(|e| transport(&e))?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let declared = resp.content_length().and_then(|n| usize::try_from(n).ok());
    let mut truncated = false;
    let bytes = match declared {
        // The common case: a declared length under the cap is read in one go.
        Some(n) if n <= BODY_CAP => Vec::from(resp.bytes().await.map_err(|e| transport(&e))?),
        _ => {
            let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(BODY_CAP));
            while let Some(chunk) = resp.chunk().await.map_err(|e| transport(&e))? {
                let room = BODY_CAP.saturating_sub(bytes.len());
                if chunk.len() > room {
                    bytes.extend_from_slice(&chunk[..room]);
                    truncated = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            bytes
        }
    };
    let body = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(Received::new(status, headers, body, truncated))
}

/// One line saying why there was no answer (never the URL's secrets: there are none in it).
fn transport(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "could not read the body"
    } else {
        "request failed"
    };
    let mut detail = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() { kind.to_owned() } else { format!("{kind}: {detail}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_per_rfc_3986() {
        assert_eq!(encode("a b/c?d=e&f~g.h_i-j"), "a%20b%2Fc%3Fd%3De%26f~g.h_i-j");
        assert_eq!(encode("中"), "%E4%B8%AD");
    }
}
