//! Fills a request template from the target and the case's captures, builds the URL (path
//! segments and query percent-encoded per RFC 3986), sends it, and reads a capped body.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use http::header::HOST;
use serde_json::Value;

use super::case::Target;
use super::error::{Phase, StepError, TransportError, TransportKind};
use super::exchange::{Received, SentRequest, StepExchange};
use super::pace::{RETRY_STATUSES, RunLimits};
use super::progress::Progress;
use super::{HEADER_COUNT_CAP, HEADER_VALUE_CAP, cut};
use crate::auth::RequestParts;
use crate::catalogue::{Operation, ParamRole};
use crate::generate::{AuthMode, BodyTemplate, RequestTemplate, Slot, UNKNOWN_ID, role_name};
use crate::profile::TargetProfile;

pub use crate::auth::WRONG_TOKEN;

/// What a case's slots resolve against.
pub(super) struct Bindings<'a> {
    pub profile: &'a TargetProfile,
    /// The project the case uses (its own, or the profile's).
    pub project: String,
    pub captures: BTreeMap<String, String>,
}

/// Why a template could not be filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unresolved(pub String);

impl Bindings<'_> {
    fn value(&self, slot: &Slot, used: &mut BTreeMap<String, String>) -> Result<Value, Unresolved> {
        Ok(match slot {
            Slot::Role(ParamRole::Project) => {
                used.insert(role_name(ParamRole::Project).to_owned(), self.project.clone());
                Value::from(self.project.clone())
            }
            Slot::Role(role) => {
                let v = self.profile.resource(*role).ok_or_else(|| unfilled(slot))?;
                used.insert(role_name(*role).to_owned(), v.to_owned());
                Value::from(v)
            }
            Slot::Supplied { member, .. } => {
                let v = self.profile.supplied(member).ok_or_else(|| unfilled(slot))?;
                used.insert(member.clone(), v.to_owned());
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

/// Why the target cannot fill `slot`, if it cannot: a resource or a placeholder value it did not
/// supply (never the reference profile's ids, never the page's placeholder). The reason names the
/// profile key and the flag that would supply it.
pub fn missing(profile: &TargetProfile, slot: &Slot) -> Option<(String, String)> {
    match slot {
        Slot::Role(role) if *role != ParamRole::Project && profile.resource(*role).is_none() => {
            Some((format!("the target's {}", role_name(*role)), TargetProfile::how_to_name(*role)))
        }
        Slot::Supplied { member, placeholder } if profile.supplied(member).is_none() => Some((
            format!("a value for {member}, which the page's example gives only as {placeholder}"),
            TargetProfile::how_to_supply(member),
        )),
        _ => None,
    }
}

fn unfilled(slot: &Slot) -> Unresolved {
    Unresolved(match slot {
        Slot::Role(role) => {
            format!("needs the target's {} (set {})", role_name(*role), TargetProfile::how_to_name(*role))
        }
        Slot::Supplied { member, placeholder } => format!(
            "needs a value for {member}, which the page's example gives only as {placeholder} (set {})",
            TargetProfile::how_to_supply(member)
        ),
        _ => "nothing to fill".to_owned(),
    })
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
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A request ready to send (credentials are added by [`send`], right before it goes).
pub(super) struct Prepared {
    pub record: SentRequest,
    pub bindings: BTreeMap<String, String>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    /// How to authenticate; `None` where the operation documents no credentials.
    auth: Option<AuthMode>,
}

/// Fills `template` for `op`.
pub(super) fn prepare(
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
    let auth = op.meta.parameters.iter().any(|p| p.role == ParamRole::AuthToken).then_some(template.auth);
    if template.fault {
        headers.push((crate::control::FAULT_HEADER.to_owned(), crate::control::FAULT_INTERNAL.to_owned()));
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
        headers.push(("Content-Type".to_owned(), ct));
    }
    let record = SentRequest {
        method: op.meta.method.clone(),
        url: url.clone(),
        path,
        query,
        headers: BTreeMap::new(),
        body: body.clone(),
    };
    Ok(Prepared { record, bindings: used, headers, body: body.map(String::into_bytes), auth })
}

/// Sends a prepared request; a transport or credentials failure becomes the exchange's one-line error.
///
/// The request is built completely, then authenticated by the profile's strategy (a valid request), by the
/// same scheme with wrong credentials (a wrong-token case), or not at all (a missing-token case), and
/// exactly those parts are sent. A GET the target throttles (429, 503) is sent again after a backoff;
/// a POST never is.
pub(super) async fn send(target: &Target<'_>, step: usize, label: &str, mut p: Prepared) -> StepExchange {
    let started = Instant::now();
    let mut retries = 0;
    let on_retry =
        |status, attempt, delay| target.report(&Progress::Retry { step: label.to_owned(), status, attempt, delay });
    let response = match authenticate(target.profile, &mut p).await {
        Ok(parts) => send_with_retries(target.client, target.limits, parts, &mut retries, &on_retry).await,
        Err(e) => Err(e),
    };
    StepExchange {
        step,
        label: label.to_owned(),
        request: p.record,
        response,
        retries,
        duration: started.elapsed(),
        bindings: p.bindings,
    }
}

/// Builds the request's parts, applies the credentials, and records the headers sent (credentials
/// redacted; a deliberately wrong token is no secret and stays visible).
async fn authenticate(profile: &TargetProfile, p: &mut Prepared) -> Result<RequestParts, StepError> {
    let build = |e: Box<dyn std::error::Error + Send + Sync>| StepError::Build(e.into());
    let method = http::Method::from_bytes(p.record.method.as_bytes()).map_err(|e| build(e.into()))?;
    let mut parts = RequestParts::parse(method, &p.record.url).map_err(|e| build(e.into()))?;
    for (name, value) in &p.headers {
        let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|e| build(e.into()))?;
        let value = http::HeaderValue::from_str(value).map_err(|e| build(e.into()))?;
        parts.headers.append(name, value);
    }
    // The recorded copy is `p.record.body`; these bytes are only sent.
    parts.body = p.body.take().unwrap_or_default();
    let wrong = p.auth == Some(AuthMode::Wrong);
    let refused = |e: crate::auth::AuthError| StepError::Authenticate(std::sync::Arc::new(e));
    match p.auth {
        Some(AuthMode::Valid) => profile.auth.apply(&mut parts).await.map_err(refused)?,
        Some(AuthMode::Wrong) => {
            profile.auth.wrong().apply(&mut parts).await.map_err(refused)?;
        }
        Some(AuthMode::NearMiss(kind)) => {
            let unmade = |why: &str| {
                StepError::Authenticate(std::sync::Arc::from(Box::<dyn std::error::Error + Send + Sync>::from(why)))
            };
            let token = profile
                .auth
                .token()
                .ok_or_else(|| unmade("near-miss tokens need a fixed token; the profile has none"))?;
            let altered =
                kind.apply(token.expose()).ok_or_else(|| unmade("this alteration leaves the token unchanged"))?;
            let near = crate::auth::TokenAuth::new(crate::auth::Secret::new(altered));
            crate::auth::Auth::apply(&near, &mut parts).await.map_err(refused)?;
        }
        Some(AuthMode::Missing) | None => {}
    }
    for (name, value) in &parts.headers {
        // The host is the URL's; recording it would tie snapshots to a port.
        if name == HOST {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes());
        let shown = if wrong && name.as_str() == crate::auth::HEADER_AUTH_TOKEN {
            profile.redactor.redact(&value)
        } else {
            profile.redactor.redact_header(name.as_str(), &value)
        };
        p.record.headers.insert(name.as_str().to_owned(), shown);
    }
    Ok(parts)
}

/// Sends the request, again after each throttled answer while retries are left: a 429 or a 503 with
/// `Retry-After` whatever the method (the target refused it before processing it, so a POST creates
/// nothing twice), a bare 503 only for a GET. Returns the last answer and how many retries it took.
async fn send_with_retries(
    client: &reqwest::Client,
    limits: &RunLimits,
    parts: RequestParts,
    retries: &mut u32,
    on_retry: &(dyn Fn(u16, u32, Duration) + Sync),
) -> Result<Received, StepError> {
    let idempotent = parts.method == http::Method::GET;
    let mut attempt = 0;
    // Only a request that may be sent again needs its parts kept (and copied) after the first try.
    let mut parts = Some(parts);
    loop {
        limits.pace().await;
        let resendable = attempt < limits.retries;
        let next = if resendable { parts.clone() } else { parts.take() };
        let Some(next) = next else {
            return Err(StepError::Build(std::sync::Arc::new(std::io::Error::other("the request was already sent"))));
        };
        let req = next.into_reqwest(client).map_err(|e| StepError::Build(std::sync::Arc::new(e)))?;
        let received = send_inner(client, limits, req).await?;
        // A 429, or a 503 with Retry-After, was refused before processing: any method may be resent.
        let retry = resendable && (received.throttled() || (idempotent && RETRY_STATUSES.contains(&received.status)));
        if !retry || limits.expired() {
            return Ok(received);
        }
        attempt += 1;
        *retries = attempt;
        let after = received.headers.get("retry-after").map(String::as_str);
        let delay = limits.retry_delay(attempt, after);
        tracing::info!(status = received.status, attempt, ?delay, "target throttled the request; retrying");
        on_retry(received.status, attempt, delay);
        tokio::time::sleep(delay).await;
    }
}

async fn send_inner(
    client: &reqwest::Client,
    limits: &RunLimits,
    mut req: reqwest::Request,
) -> Result<Received, TransportError> {
    // Compressed answers are asked for, as the SDKs do, and inflated within the body cap (see body.rs).
    req.headers_mut().entry(http::header::ACCEPT_ENCODING).or_insert(http::HeaderValue::from_static("gzip"));
    let mut resp = client.execute(req).await.map_err(|e| TransportError::classify(e, Phase::Head))?;
    let status = resp.status().as_u16();
    let headers = response_headers(resp.headers());
    let read = super::body::read_body(&mut resp, &limits.body).await.map_err(|e| match e {
        super::body::BodyError::Transport(e) => TransportError::classify(e, Phase::Body),
        super::body::BodyError::Corrupt(m) => TransportError::new(
            TransportKind::DecompressionRefused,
            Some(std::sync::Arc::new(std::io::Error::other(m))),
        ),
    })?;
    Ok(Received::from_read(status, headers, read, limits.body.excerpt))
}

/// The response headers as recorded: names lowercased, values lossily decoded and cut at
/// [`HEADER_VALUE_CAP`], at most [`HEADER_COUNT_CAP`] of them (a count of the rest is recorded).
fn response_headers(map: &http::HeaderMap) -> BTreeMap<String, String> {
    let mut headers = BTreeMap::new();
    for (k, v) in map {
        let name = k.as_str().to_ascii_lowercase();
        if headers.len() >= HEADER_COUNT_CAP && !headers.contains_key(&name) {
            continue;
        }
        let value = cut(&String::from_utf8_lossy(v.as_bytes()), HEADER_VALUE_CAP);
        // A repeated header keeps its last value, as the map always did.
        headers.insert(name, value);
    }
    let dropped = map.keys_len().saturating_sub(headers.len());
    if dropped > 0 {
        headers.insert("x-hwconform-headers-dropped".into(), dropped.to_string());
    }
    headers
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A target that throttles the first two requests of every path (`/429`: 429 with `Retry-After: 0`;
    /// `/503ra`: 503 with `Retry-After: 0`; `/503`: a bare 503), then answers 200.
    async fn throttling_target() -> (String, Arc<AtomicUsize>, tokio::sync::oneshot::Sender<()>) {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                let (status, after) = match uri.path() {
                    "/429" => (429, true),
                    "/503ra" => (503, true),
                    _ => (503, false),
                };
                let status = if n < 2 { status } else { 200 };
                let mut response = axum::response::IntoResponse::into_response((
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    "{}",
                ));
                if after {
                    response.headers_mut().insert("retry-after", axum::http::HeaderValue::from_static("0"));
                }
                response
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).with_graceful_shutdown(async move { drop(stopped.await) }).await;
        });
        (base, hits, stop)
    }

    fn prepared(method: &str, url: &str) -> Prepared {
        let record = SentRequest {
            method: method.into(),
            url: url.into(),
            path: "/x".into(),
            query: Vec::new(),
            headers: BTreeMap::new(),
            body: None,
        };
        Prepared { record, bindings: BTreeMap::new(), headers: Vec::new(), body: None, auth: Some(AuthMode::Valid) }
    }

    #[tokio::test]
    async fn throttled_requests_are_retried_and_counted_posts_only_when_refused_before_processing() {
        let profile = crate::profile::ProfileFile::reference().unwrap().resolve(&|_| None).unwrap();
        let client = crate::execute::client(&crate::execute::ClientOptions {
            no_proxy: true,
            ..crate::execute::ClientOptions::default()
        })
        .unwrap();
        let limits = RunLimits::new(None, 3, None);
        let (base, hits, stop) = throttling_target().await;
        // Every resend is reported as it happens, with its status and attempt.
        let heard = std::sync::Mutex::new(Vec::new());
        let on = |p: &Progress| {
            if let Progress::Retry { status, attempt, .. } = p {
                heard.lock().unwrap().push((*status, *attempt));
            }
        };
        let at = |limits| Target { profile: &profile, client: &client, limits, progress: Some(&on) };
        // (method, path, final status, requests seen)
        for (method, path, status, sent) in [
            ("GET", "/503", 200, 3),
            ("GET", "/429", 200, 3),
            ("POST", "/429", 200, 3),
            ("POST", "/503ra", 200, 3),
            // A bare 503 may come after processing began: a POST is never sent again.
            ("POST", "/503", 503, 1),
        ] {
            hits.store(0, Ordering::SeqCst);
            heard.lock().unwrap().clear();
            let ex = send(&at(&limits), 0, "step", prepared(method, &format!("{base}{path}"))).await;
            assert_eq!(ex.received().map(|r| r.status), Some(status), "{method} {path}");
            assert_eq!(hits.load(Ordering::SeqCst), sent, "{method} {path}");
            assert_eq!(ex.retries as usize, sent - 1, "{method} {path}");
            let attempts: Vec<u32> = heard.lock().unwrap().iter().map(|(_, a)| *a).collect();
            assert_eq!(attempts, (1..u32::try_from(sent).unwrap()).collect::<Vec<_>>(), "{method} {path}");
            // The token went out, and was recorded as `***` only.
            assert_eq!(ex.request.headers.get("x-auth-token").map(String::as_str), Some("***"));
        }
        // Retries exhausted: the last throttled answer stands, and says so.
        hits.store(0, Ordering::SeqCst);
        let one = RunLimits::new(None, 1, None);
        let ex = send(&at(&one), 0, "post", prepared("POST", &format!("{base}/429"))).await;
        assert!(ex.received().is_some_and(Received::throttled) && ex.retries == 1);
        hits.store(0, Ordering::SeqCst);
        let none = RunLimits::none();
        let ex = send(&at(&none), 0, "get", prepared("GET", &format!("{base}/429"))).await;
        assert_eq!(ex.received().map(|r| r.status), Some(429));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        let _ = stop.send(());
    }

    #[test]
    fn encodes_per_rfc_3986() {
        assert_eq!(encode("a b/c?d=e&f~g.h_i-j"), "a%20b%2Fc%3Fd%3De%26f~g.h_i-j");
        assert_eq!(encode("中"), "%E4%B8%AD");
    }
}
