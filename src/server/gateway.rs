//! What an API gateway and HTTP stack in front of the service do to every exchange, for the
//! legitimate variants that act there (see `variant.rs` for why each is legitimate): throttling
//! (429 before any processing), added latency, undocumented extra members, gzip content coding,
//! `Connection: close`, chunked bodies — and the gateway's own error answers (401/403/429 in its
//! snake_case envelope, whatever the API's envelope is).
//!
//! The middleware is only installed when one of these variants is on, so the default server's
//! hot path is untouched.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    ACCEPT_ENCODING, CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, VARY,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::catalogue::EnvelopeStyle;

use super::auth::AuthFailure;
use super::envelope::ApiError;
use super::variant::VariantSet;

/// The gateway's code for refused credentials (401).
pub const GATEWAY_UNAUTHORIZED: &str = "APIG.0301";
/// The gateway's code for credentials it does not accept for this call (403).
pub const GATEWAY_FORBIDDEN: &str = "APIG.0302";
/// The gateway's code for a throttled request (429).
pub const GATEWAY_THROTTLED: &str = "APIG.0308";

/// The seconds a throttled client is told to wait.
const RETRY_AFTER_SECS: &str = "1";

/// Fingerprints of throttled requests kept for letting their retry through; cleared when full.
const MAX_REMEMBERED: usize = 4096;

/// Member added to every JSON object body under `extra-members` (unless the body has it).
const EXTRA_MEMBER: &str = "request_id";
/// Member added to every object of a top-level list under `extra-members`.
const EXTRA_ITEM_MEMBER: &str = "x_hwc_extra";

/// The gateway's refusal of credentials: 401 without any, 403 with ones it does not accept.
pub(super) fn auth_refusal(failure: &AuthFailure) -> ApiError {
    let (status, code) = match failure {
        AuthFailure::Missing => (StatusCode::UNAUTHORIZED, GATEWAY_UNAUTHORIZED),
        _ => (StatusCode::FORBIDDEN, GATEWAY_FORBIDDEN),
    };
    ApiError { status, code: code.to_owned(), message: failure.to_string(), style: EnvelopeStyle::Snake }
}

/// Per-server gateway state.
#[derive(Debug)]
pub(super) struct Gateway {
    variants: VariantSet,
    body_limit: usize,
    requests: AtomicU64,
    throttled: Mutex<HashSet<u64>>,
}

impl Gateway {
    pub(super) fn new(variants: VariantSet, body_limit: usize) -> Self {
        Self { variants, body_limit, requests: AtomicU64::new(0), throttled: Mutex::new(HashSet::new()) }
    }

    /// Whether this request is throttled: the n-th request is, when a hash of (seed, n) falls in the
    /// configured share — unless it repeats a request just throttled (a retry), which goes through.
    fn throttles(&self, req: &Request) -> bool {
        let Some((per_mille, seed)) = self.variants.throttle else {
            return false;
        };
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        req.method().hash(&mut hasher);
        req.uri().hash(&mut hasher);
        let fingerprint = hasher.finish();
        let mut remembered = self.throttled.lock().unwrap_or_else(PoisonError::into_inner);
        if remembered.remove(&fingerprint) {
            return false;
        }
        if splitmix64(seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)) % 1000 >= u64::from(per_mille) {
            return false;
        }
        if remembered.len() >= MAX_REMEMBERED {
            remembered.clear();
        }
        remembered.insert(fingerprint);
        true
    }
}

/// A well-mixed 64-bit hash of `x` (SplitMix64's finaliser): deterministic, seedable, no state.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The middleware: latency and throttling before the service, body shaping after it.
pub(super) async fn gateway(State(g): State<Arc<Gateway>>, req: Request, next: Next) -> Response {
    if let Some(delay) = g.variants.latency {
        tokio::time::sleep(delay).await;
    }
    let gzip = g.variants.gzip && accepts_gzip(req.headers().get_all(ACCEPT_ENCODING).iter());
    let response = if g.throttles(&req) {
        // Read the body anyway, so the client's connection stays usable.
        let _ = axum::body::to_bytes(req.into_body(), g.body_limit).await;
        let error = ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: GATEWAY_THROTTLED.to_owned(),
            message: "the request was throttled; retry after the time in Retry-After".to_owned(),
            style: EnvelopeStyle::Snake,
        };
        let mut response = error.into_response();
        response.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
        response
    } else {
        next.run(req).await
    };
    shape(&g.variants, response, gzip).await
}

/// Extra members, gzip, chunking and `Connection: close`, as the variants ask.
async fn shape(variants: &VariantSet, response: Response, gzip: bool) -> Response {
    let (mut parts, body) = response.into_parts();
    if variants.connection_close {
        parts.headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    if !(variants.extra_members || gzip || variants.chunked) {
        return Response::from_parts(parts, body);
    }
    // Bodies are the server's own small answers: reading them whole cannot exhaust memory.
    let Ok(mut bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the answer could not be read").into_response();
    };
    let json = parts.headers.get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if variants.extra_members && json {
        bytes = with_extra_members(&bytes);
    }
    if gzip && !bytes.is_empty() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        if encoder.write_all(&bytes).is_ok()
            && let Ok(encoded) = encoder.finish()
        {
            bytes = Bytes::from(encoded);
            parts.headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        parts.headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    }
    parts.headers.remove(CONTENT_LENGTH);
    let body = if variants.chunked && bytes.len() > 1 {
        // Two chunks, so the client has to join them.
        let half = bytes.len() / 2;
        let chunks = [bytes.slice(..half), bytes.slice(half..)];
        Body::from_stream(futures::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>)))
    } else {
        Body::from(bytes)
    };
    Response::from_parts(parts, body)
}

/// The body with an undocumented member added at the top and to every object of a top-level list.
fn with_extra_members(bytes: &Bytes) -> Bytes {
    let Ok(Value::Object(mut body)) = serde_json::from_slice::<Value>(bytes) else {
        return bytes.clone();
    };
    for value in body.values_mut() {
        for item in value.as_array_mut().into_iter().flatten() {
            if let Some(item) = item.as_object_mut() {
                item.entry(EXTRA_ITEM_MEMBER).or_insert_with(|| Value::from("vendor"));
            }
        }
    }
    body.entry(EXTRA_MEMBER).or_insert_with(|| Value::from(uuid::Uuid::new_v4().simple().to_string()));
    Bytes::from(Value::Object(body).to_string())
}

/// Whether `Accept-Encoding` allows gzip (listed, or `*`, with a non-zero weight).
fn accepts_gzip<'a>(values: impl Iterator<Item = &'a HeaderValue>) -> bool {
    let mut gzip = None;
    let mut any = None;
    for value in values.filter_map(|v| v.to_str().ok()) {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match coding.as_str() {
                "gzip" | "x-gzip" => gzip = Some(weight > 0.0),
                "*" => any = Some(weight > 0.0),
                _ => {}
            }
        }
    }
    gzip.or(any).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(values: &[&'static str]) -> bool {
        let values: Vec<HeaderValue> = values.iter().map(|v| HeaderValue::from_static(v)).collect();
        accepts_gzip(values.iter())
    }

    #[test]
    fn accept_encoding_is_read_with_weights() {
        assert!(accepts(&["gzip"]));
        assert!(accepts(&["br, gzip;q=0.5"]));
        assert!(accepts(&["*"]));
        assert!(!accepts(&[]));
        assert!(!accepts(&["identity"]));
        assert!(!accepts(&["gzip;q=0"]));
        assert!(!accepts(&["*, gzip;q=0"]));
    }

    #[test]
    fn extra_members_reach_the_top_and_list_items() {
        let body = with_extra_members(&Bytes::from_static(br#"{"n":1,"items":[{"id":"a"},2]}"#));
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert!(v[EXTRA_MEMBER].is_string());
        assert_eq!(v["items"][0][EXTRA_ITEM_MEMBER], "vendor");
        assert_eq!(v["items"][1], 2);
        let text = with_extra_members(&Bytes::from_static(b"not json"));
        assert_eq!(&text[..], b"not json");
    }

    #[test]
    fn throttling_is_deterministic_and_lets_a_retry_through() {
        let pattern = || {
            let g = Gateway::new(VariantSet { throttle: Some((300, 9)), ..VariantSet::default() }, 1024);
            (0..200)
                .map(|i| {
                    let req = Request::builder().uri(format!("/r{i}")).body(Body::empty()).unwrap();
                    g.throttles(&req)
                })
                .collect::<Vec<bool>>()
        };
        let first = pattern();
        assert_eq!(first, pattern(), "same seed, same requests: same answers");
        let share = first.iter().filter(|t| **t).count();
        assert!((30..=90).contains(&share), "about 30% of 200 throttled, got {share}");
        let g = Gateway::new(VariantSet { throttle: Some((1000, 1)), ..VariantSet::default() }, 1024);
        let req = || Request::builder().uri("/same").body(Body::empty()).unwrap();
        assert!(g.throttles(&req()));
        assert!(!g.throttles(&req()), "the retry of a throttled request goes through");
        assert!(g.throttles(&req()));
    }
}
