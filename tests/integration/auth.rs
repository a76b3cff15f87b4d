//! Tests of `hwconform::auth`: the signer against the official Python SDK's vectors, the verifier against
//! every tampered variant, signing over the wire (reqwest → axum), and IAM password auth against a mock.

use super::support::Loopback;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use hwconform::auth::{
    AkSkAuth, AkSkCredentials, Auth, AuthError, IamConfig, IamPasswordAuth, IamScope, KeyStore, Redactor, RequestParts,
    Secret, SignatureError, TokenAuth, Verifier, parse_sdk_date, sign,
};
use serde::Deserialize;
use tokio::net::TcpListener;

// ---------------------------------------------------------------- vectors from the official SDK signer

#[derive(Deserialize)]
struct VectorFile {
    ak: String,
    sk: String,
    date: String,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    input: VectorInput,
    expected: VectorExpected,
}

#[derive(Deserialize)]
struct VectorInput {
    method: String,
    host: String,
    path: String,
    url_query: String,
    headers: BTreeMap<String, String>,
    body: String,
    security_token: Option<String>,
    project_id: Option<String>,
}

#[derive(Deserialize)]
struct VectorExpected {
    canonical_request: String,
    string_to_sign: String,
    authorization: String,
    uri: String,
    headers: BTreeMap<String, String>,
}

fn vectors() -> VectorFile {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/signing/vectors.json");
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn header_map(headers: &BTreeMap<String, String>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        map.insert(HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_bytes(v.as_bytes()).unwrap());
    }
    map
}

fn credentials(file: &VectorFile, input: &VectorInput) -> AkSkCredentials {
    let mut creds = AkSkCredentials::new(&file.ak, Secret::new(&file.sk));
    creds.security_token = input.security_token.as_deref().map(Secret::new);
    creds.project_id.clone_from(&input.project_id);
    creds
}

fn key_store(file: &VectorFile, input: &VectorInput) -> KeyStore {
    let mut keys = KeyStore::new();
    match &input.security_token {
        Some(token) => keys.insert_temporary(&file.ak, Secret::new(&file.sk), Secret::new(token)),
        None => keys.insert(&file.ak, Secret::new(&file.sk)),
    }
    keys
}

/// The request as the SDK put it on the wire, as the server sees it (origin-form URI).
fn sdk_signed_request(v: &Vector) -> RequestParts {
    let mut parts = RequestParts::parse(v.input.method.parse().unwrap(), &v.expected.uri).unwrap();
    parts.headers = header_map(&v.expected.headers);
    parts.body = v.input.body.as_bytes().to_vec();
    parts
}

fn vector_date(file: &VectorFile) -> DateTime<Utc> {
    parse_sdk_date(&file.date).unwrap()
}

#[test]
fn signer_matches_every_sdk_vector() {
    let file = vectors();
    assert!(file.vectors.len() >= 25, "the vector file lost cases");
    for v in &file.vectors {
        let query = if v.input.url_query.is_empty() { String::new() } else { format!("?{}", v.input.url_query) };
        let url = format!("https://{}{}{query}", v.input.host, v.input.path);
        let mut parts = RequestParts::parse(v.input.method.parse().unwrap(), &url).unwrap();
        parts.headers = header_map(&v.input.headers);
        parts.body = v.input.body.as_bytes().to_vec();
        // The vector's own X-Sdk-Date wins over `now`, as in the SDK; pass a different `now` to prove it.
        let trace = sign(&mut parts, &credentials(&file, &v.input), Utc::now()).unwrap();
        let name = &v.name;
        assert_eq!(trace.canonical_request(), v.expected.canonical_request, "{name}: canonical request");
        assert_eq!(trace.string_to_sign(), v.expected.string_to_sign, "{name}: string to sign");
        assert_eq!(parts.headers["authorization"], v.expected.authorization.as_str(), "{name}: authorization");
        let wire = parts.uri.path_and_query().map_or("/", http::uri::PathAndQuery::as_str);
        assert_eq!(wire, v.expected.uri, "{name}: uri on the wire");
        let ours: BTreeMap<String, String> = parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let sdks: BTreeMap<String, String> =
            v.expected.headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
        assert_eq!(ours, sdks, "{name}: headers on the wire");
    }
}

#[test]
fn verifier_accepts_every_sdk_signed_request() {
    let file = vectors();
    for v in &file.vectors {
        let verifier = Verifier::new(key_store(&file, &v.input));
        let got = verifier.verify(&sdk_signed_request(v), vector_date(&file));
        assert_eq!(got.map(|ak| ak.expose().to_owned()), Ok(file.ak.clone()), "{}", v.name);
    }
}

// ---------------------------------------------------------------- tampering

fn tampered_variants(v: &Vector) -> Vec<(&'static str, RequestParts)> {
    let base = sdk_signed_request(v);
    let mut out = Vec::new();

    let mut t = base.clone();
    t.method = if t.method == Method::GET { Method::POST } else { Method::GET };
    out.push(("method", t));

    let mut t = base.clone();
    let path = t.uri.path().to_owned();
    let query = t.uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    t.uri = format!("{path}x{query}").parse().unwrap();
    out.push(("path", t));

    let mut t = base.clone();
    t.uri = format!("{path}/extra{query}").parse().unwrap();
    out.push(("path segment", t));

    let mut t = base.clone();
    let sep = if query.is_empty() { "?" } else { "&" };
    t.uri = format!("{path}{query}{sep}injected=1").parse().unwrap();
    out.push(("query added", t));

    if let Some(q) = base.uri.query() {
        let mut t = base.clone();
        let (first, rest) = q.split_once('&').unwrap_or((q, ""));
        let changed = if first.ends_with('0') { format!("{first}1") } else { format!("{first}0") };
        let rest = if rest.is_empty() { String::new() } else { format!("&{rest}") };
        t.uri = format!("{path}?{changed}{rest}").parse().unwrap();
        out.push(("query value", t));
    }

    let mut t = base.clone();
    let host = t.headers["host"].to_str().unwrap().to_owned();
    t.headers.insert("host", HeaderValue::from_str(&format!("evil.{host}")).unwrap());
    out.push(("host header", t));

    let mut t = base.clone();
    if t.headers.contains_key("x-project-id") {
        t.headers.insert("x-project-id", HeaderValue::from_static("ffffffffffffffffffffffffffffffff"));
        out.push(("project header", t));
    }

    let mut t = base.clone();
    if t.headers.contains_key("content-type") {
        t.headers.insert("content-type", HeaderValue::from_static("application/xml"));
        out.push(("content-type header", t));
    }

    let mut t = base.clone();
    if t.headers.contains_key("x-project-id") {
        t.headers.remove("x-project-id");
        out.push(("signed header removed", t));
    }

    let unsigned_payload = base.headers.get("x-sdk-content-sha256").is_some_and(|h| h == "UNSIGNED-PAYLOAD");
    if !unsigned_payload {
        let mut t = base.clone();
        t.body.extend_from_slice(b" ");
        out.push(("body appended", t));
        if !base.body.is_empty() {
            let mut t = base.clone();
            t.body[0] ^= 0x01;
            out.push(("body byte", t));
            let mut t = base.clone();
            t.body.clear();
            out.push(("body removed", t));
        }
    }

    let date = parse_sdk_date(base.headers["x-sdk-date"].to_str().unwrap()).unwrap();
    let mut t = base.clone();
    let later = (date + ChronoDuration::seconds(1)).format("%Y%m%dT%H%M%SZ").to_string();
    t.headers.insert("x-sdk-date", HeaderValue::from_str(&later).unwrap());
    out.push(("date", t));

    let mut t = base.clone();
    let auth = t.headers["authorization"].to_str().unwrap().to_owned();
    let flipped = match auth.chars().last() {
        Some('0') => format!("{}1", &auth[..auth.len() - 1]),
        _ => format!("{}0", &auth[..auth.len() - 1]),
    };
    t.headers.insert("authorization", HeaderValue::from_str(&flipped).unwrap());
    out.push(("signature", t));

    out
}

#[test]
fn verifier_rejects_every_tampered_variant_of_every_vector() {
    let file = vectors();
    let now = vector_date(&file);
    let mut checked = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for v in &file.vectors {
        let verifier = Verifier::new(key_store(&file, &v.input));
        for (kind, parts) in tampered_variants(v) {
            let result = verifier.verify(&parts, now);
            assert!(result.is_err(), "{}: tampered {kind} was accepted", v.name);
            checked += 1;
            kinds.insert(kind);
        }
    }
    for kind in ["method", "path", "query added", "query value", "host header", "body byte", "date", "signature"] {
        assert!(kinds.contains(kind), "no vector exercised tampering of {kind}");
    }
    assert!(checked > 200, "only {checked} tampered variants");
}

#[test]
fn specific_refusals_name_the_reason() {
    let file = vectors();
    let v = file.vectors.iter().find(|v| v.name == "post_json_body_ges_v2_add_backup").unwrap();
    let now = vector_date(&file);
    let verifier = Verifier::new(key_store(&file, &v.input));
    let signed = sdk_signed_request(v);

    let mut t = signed.clone();
    t.body = b"{\"backup\":{\"name\":\"other\"}}".to_vec();
    assert_eq!(verifier.verify(&t, now), Err(SignatureError::SignatureMismatch));

    // An attacker attaching the original body hash as an unsigned header gains nothing.
    let mut t = signed.clone();
    let original_hash = hwconform::auth::payload_hash(&signed);
    t.body = b"{\"backup\":{\"name\":\"other\"}}".to_vec();
    t.headers.insert("x-sdk-content-sha256", HeaderValue::from_str(&original_hash).unwrap());
    assert_eq!(verifier.verify(&t, now), Err(SignatureError::SignatureMismatch));

    let mut t = signed.clone();
    t.headers.remove("authorization");
    assert_eq!(verifier.verify(&t, now), Err(SignatureError::MissingAuthorization));

    let mut t = signed.clone();
    t.headers.insert("authorization", HeaderValue::from_static("Bearer abc"));
    assert_eq!(verifier.verify(&t, now), Err(SignatureError::MalformedAuthorization));

    let other = Verifier::new({
        let mut k = KeyStore::new();
        k.insert("SOMEONE-ELSE", Secret::new(&file.sk));
        k
    });
    assert_eq!(other.verify(&signed, now), Err(SignatureError::UnknownAccessKey));

    let wrong_sk = Verifier::new({
        let mut k = KeyStore::new();
        k.insert(&file.ak, Secret::new("not-the-secret-key"));
        k
    });
    assert_eq!(wrong_sk.verify(&signed, now), Err(SignatureError::SignatureMismatch));

    // The window is 15 minutes either way, inclusive.
    let fifteen = ChronoDuration::minutes(15);
    assert!(verifier.verify(&signed, now + fifteen).is_ok());
    assert!(verifier.verify(&signed, now - fifteen).is_ok());
    for skewed in [now + fifteen + ChronoDuration::seconds(1), now - fifteen - ChronoDuration::seconds(1)] {
        assert_eq!(
            verifier.verify(&signed, skewed),
            Err(SignatureError::DateOutOfWindow { seconds: 901, allowed: 900 })
        );
    }
    let strict = Verifier::new(key_store(&file, &v.input)).with_clock_skew(std::time::Duration::from_secs(60));
    assert!(matches!(
        strict.verify(&signed, now + ChronoDuration::minutes(2)),
        Err(SignatureError::DateOutOfWindow { .. })
    ));

    let mut t = signed.clone();
    t.headers.insert("x-sdk-date", HeaderValue::from_static("2026-11-23T11:30:00Z"));
    assert_eq!(verifier.verify(&t, now), Err(SignatureError::MalformedDate));
}

/// Signs with a chosen signed-header list, bypassing the SDK rule that signs every header.
fn sign_with_headers(parts: &mut RequestParts, ak: &str, sk: &str, signed: &[&str]) {
    let signed: Vec<String> = signed.iter().map(|s| (*s).to_owned()).collect();
    let payload = hwconform::auth::payload_hash(parts);
    let canonical = hwconform::auth::canonical_request(parts, &signed, &payload).unwrap();
    let date = parts.headers["x-sdk-date"].to_str().unwrap().to_owned();
    let sig = hwconform::auth::signature(&Secret::new(sk), &hwconform::auth::string_to_sign(&date, &canonical));
    let value = format!("SDK-HMAC-SHA256 Access={ak}, SignedHeaders={}, Signature={sig}", signed.join(";"));
    parts.headers.insert("authorization", HeaderValue::from_str(&value).unwrap());
}

#[test]
fn unsigned_required_headers_are_refused_even_with_a_valid_signature() {
    let file = vectors();
    let v = file.vectors.iter().find(|v| v.name == "get_list_backups_plain").unwrap();
    let now = vector_date(&file);
    let verifier = Verifier::new(key_store(&file, &v.input));

    let mut parts = sdk_signed_request(v);
    sign_with_headers(&mut parts, &file.ak, &file.sk, &["host", "x-project-id", "x-sdk-date"]);
    assert!(verifier.verify(&parts, now).is_ok(), "the hand-made signature itself must be valid");

    let mut no_host = parts.clone();
    sign_with_headers(&mut no_host, &file.ak, &file.sk, &["x-project-id", "x-sdk-date"]);
    assert_eq!(verifier.verify(&no_host, now), Err(SignatureError::UnsignedRequiredHeader { header: "host" }));

    let mut no_date = parts.clone();
    sign_with_headers(&mut no_date, &file.ak, &file.sk, &["host", "x-project-id"]);
    assert_eq!(verifier.verify(&no_date, now), Err(SignatureError::UnsignedRequiredHeader { header: "x-sdk-date" }));

    let mut missing = parts.clone();
    missing.headers.remove("x-project-id");
    assert_eq!(
        verifier.verify(&missing, now),
        Err(SignatureError::MissingSignedHeader { header: "x-project-id".into() })
    );
}

#[test]
fn temporary_credentials_need_their_security_token() {
    let file = vectors();
    let v = file.vectors.iter().find(|v| v.name == "post_json_body_temporary_credentials").unwrap();
    let now = vector_date(&file);
    let verifier = Verifier::new(key_store(&file, &v.input));
    let signed = sdk_signed_request(v);
    assert!(verifier.verify(&signed, now).is_ok());

    let mut t = signed.clone();
    t.headers.insert("x-security-token", HeaderValue::from_static("another-token"));
    assert_eq!(verifier.verify(&t, now), Err(SignatureError::SecurityTokenMismatch));

    // The same AK/SK signing without the token (as if it were permanent) is refused.
    let permanent = file.vectors.iter().find(|v| v.name == "post_json_body_ges_v2_add_backup").unwrap();
    assert_eq!(verifier.verify(&sdk_signed_request(permanent), now), Err(SignatureError::MissingSecurityToken));
}

#[test]
fn unsigned_payload_is_accepted_by_default_and_refusable() {
    let file = vectors();
    let v = file.vectors.iter().find(|v| v.name == "post_non_json_body_text_plain").unwrap();
    let now = vector_date(&file);
    let signed = sdk_signed_request(v);
    assert!(Verifier::new(key_store(&file, &v.input)).verify(&signed, now).is_ok());
    let strict = Verifier::new(key_store(&file, &v.input)).with_unsigned_payload(false);
    assert_eq!(strict.verify(&signed, now), Err(SignatureError::UnsignedPayload));
}

// ---------------------------------------------------------------- over the wire: reqwest → axum

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

async fn verifying_handler(
    State(verifier): State<Arc<Verifier>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parts = RequestParts { method, uri, headers, body: body.to_vec() };
    match verifier.verify(&parts, Utc::now()) {
        Ok(_) => (StatusCode::OK, "signed").into_response(),
        Err(e) => (StatusCode::UNAUTHORIZED, e.to_string()).into_response(),
    }
}

#[test]
fn requests_signed_by_aksk_auth_verify_on_an_axum_server() {
    runtime().block_on(async {
        let mut keys = KeyStore::new();
        keys.insert("WIRE-AK", Secret::new("wire-secret"));
        let app = Router::new().fallback(any(verifying_handler)).with_state(Arc::new(Verifier::new(keys)));
        let server = Loopback::start(app).await;
        let client = reqwest::Client::builder().no_proxy().build().unwrap();

        let good = AkSkAuth::new(AkSkCredentials::new("WIRE-AK", Secret::new("wire-secret")).with_project_id("p"));
        let bad = AkSkAuth::new(AkSkCredentials::new("WIRE-AK", Secret::new("wrong-secret")));
        let paths = [
            (Method::GET, "/v1.0/p/graphs/backups?offset=0&limit=10&name=a%20b&x=%2B%26", ""),
            (Method::POST, "/v2/p/graphs/my%20graph%E5%9B%BE/backups", r#"{"backup":{"name":"n"}}"#),
            (Method::POST, "/v3/p/instances/i!(x)/backups?tag=b&tag=a", "{}"),
        ];
        for (method, path, body) in paths {
            for (auth, expected) in [(&good, StatusCode::OK), (&bad, StatusCode::UNAUTHORIZED)] {
                let mut parts =
                    RequestParts::parse(method.clone(), &format!("{}{path}", server.base)).unwrap().with_body(body);
                parts.headers.insert("content-type", HeaderValue::from_static("application/json"));
                auth.apply(&mut parts).await.unwrap();
                let response = client.execute(parts.into_reqwest(&client).unwrap()).await.unwrap();
                let status = response.status();
                let text = response.text().await.unwrap();
                assert_eq!(status, expected, "{method} {path}: {text}");
            }
        }
        server.stop().await;
    });
}

// ---------------------------------------------------------------- IAM password auth against a mock

#[derive(Clone)]
struct IamMock {
    calls: Arc<AtomicUsize>,
    /// How long the tokens it issues live.
    lifetime: ChronoDuration,
    send_token_header: bool,
}

async fn iam_tokens(State(mock): State<IamMock>, headers: HeaderMap, body: Bytes) -> Response {
    let n = mock.calls.fetch_add(1, Ordering::SeqCst) + 1;
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let json = headers.get("content-type").is_some_and(|v| v.to_str().unwrap_or("").starts_with("application/json"));
    let user = body.pointer("/auth/identity/password/user");
    let methods_ok = body.pointer("/auth/identity/methods/0").and_then(|m| m.as_str()) == Some("password");
    let password = user.and_then(|u| u.pointer("/password")).and_then(|p| p.as_str());
    let domain = user.and_then(|u| u.pointer("/domain/name")).and_then(|p| p.as_str());
    if !json || !methods_ok || domain != Some("hwdomain") || body.pointer("/auth/scope/project/name").is_none() {
        return (StatusCode::BAD_REQUEST, r#"{"error":{"code":"400","message":"bad body","title":"Bad Request"}}"#)
            .into_response();
    }
    if password != Some("right-password") {
        return (
            StatusCode::UNAUTHORIZED,
            [("content-type", "application/json")],
            r#"{"error":{"code":"401","message":"The username or password is wrong.","title":"Unauthorized"}}"#,
        )
            .into_response();
    }
    let expires_at = (Utc::now() + mock.lifetime).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let body = serde_json::json!({ "token": { "expires_at": expires_at, "methods": ["password"] } }).to_string();
    let mut response = (StatusCode::CREATED, [("content-type", "application/json")], body).into_response();
    if mock.send_token_header {
        response.headers_mut().insert("x-subject-token", HeaderValue::from_str(&format!("MIItoken-{n}")).unwrap());
    }
    response
}

async fn start_iam(lifetime: ChronoDuration, send_token_header: bool) -> (Loopback, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let mock = IamMock { calls: calls.clone(), lifetime, send_token_header };
    let app = Router::new().route("/v3/auth/tokens", post(iam_tokens)).with_state(mock);
    (Loopback::start(app).await, calls)
}

fn iam_config(endpoint: &str, password: &str) -> IamConfig {
    IamConfig::new(endpoint, "hwdomain", "hwuser", Secret::new(password), IamScope::ProjectName("cn-north-4".into()))
}

fn iam_auth(config: IamConfig) -> IamPasswordAuth {
    IamPasswordAuth::with_client(config, reqwest::Client::builder().no_proxy().build().unwrap())
}

async fn apply_token(auth: &dyn Auth) -> Result<String, AuthError> {
    let mut parts = RequestParts::parse(Method::GET, "http://127.0.0.1:1/x").unwrap();
    auth.apply(&mut parts).await?;
    Ok(parts.headers["x-auth-token"].to_str().unwrap().to_owned())
}

#[test]
fn iam_token_is_cached_until_close_to_expiry() {
    runtime().block_on(async {
        let (server, calls) = start_iam(ChronoDuration::hours(24), true).await;
        let auth = iam_auth(iam_config(&format!("{}/", server.base), "right-password"));
        assert_eq!(apply_token(&auth).await.unwrap(), "MIItoken-1");
        assert_eq!(apply_token(&auth).await.unwrap(), "MIItoken-1");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "a valid cached token must be reused");
        let secrets = auth.secrets();
        assert!(
            secrets.iter().any(|s| s.expose() == "MIItoken-1")
                && secrets.iter().any(|s| s.expose() == "right-password")
        );
        server.stop().await;
    });
}

#[test]
fn iam_token_close_to_expiry_is_renewed() {
    runtime().block_on(async {
        // Tokens that live 5 minutes are always inside the default 10-minute renewal margin.
        let (server, calls) = start_iam(ChronoDuration::minutes(5), true).await;
        let auth = iam_auth(iam_config(&server.base, "right-password"));
        assert_eq!(apply_token(&auth).await.unwrap(), "MIItoken-1");
        assert_eq!(apply_token(&auth).await.unwrap(), "MIItoken-2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        server.stop().await;
    });
}

#[test]
fn iam_failures_are_one_line_errors_naming_status_and_code() {
    runtime().block_on(async {
        let (server, _) = start_iam(ChronoDuration::hours(1), true).await;
        let auth = iam_auth(iam_config(&server.base, "wrong-password"));
        let e = apply_token(&auth).await.unwrap_err().to_string();
        assert_eq!(e, "get an iam token: iam answered status 401, error code 401");
        server.stop().await;

        let (server, _) = start_iam(ChronoDuration::hours(1), false).await;
        let auth = iam_auth(iam_config(&server.base, "right-password"));
        let e = apply_token(&auth).await.unwrap_err().to_string();
        assert!(e.contains("without an x-subject-token header") && !e.contains('\n'), "{e}");
        assert!(!e.contains("right-password"));
        server.stop().await;

        // A port nobody listens on: bind one, note it, release it.
        let closed = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
        let auth = iam_auth(iam_config(&format!("http://{closed}"), "right-password"));
        let e = apply_token(&auth).await.unwrap_err().to_string();
        assert!(e.starts_with(&format!("reach iam at http://{closed}")) && !e.contains('\n'), "{e}");
    });
}

// ---------------------------------------------------------------- secrets never print

#[test]
fn no_strategy_or_error_shows_a_secret() {
    let sk = "SK-never-shown-0001";
    let token = "TOKEN-never-shown-0002";
    let password = "PASSWORD-never-shown-0003";
    let aksk =
        AkSkAuth::new(AkSkCredentials::new("AK-hidden-0004", Secret::new(sk)).with_security_token(Secret::new(token)));
    let tok = TokenAuth::new(Secret::new(token));
    let iam = iam_auth(iam_config("http://127.0.0.1:1", password));
    let shown = format!("{aksk:?} {tok:?} {iam:?} {:?}", Secret::new(sk));
    for s in [sk, token, password, "AK-hidden-0004"] {
        assert!(!shown.contains(s), "{s} shown in {shown}");
    }

    // Whatever reaches output passes the redactor seeded from the strategies.
    let mut all = aksk.secrets();
    all.extend(tok.secrets());
    all.extend(iam.secrets());
    let redactor = Redactor::with_secrets(&all);
    let log = format!("sent {token} with sk={sk} for AK-hidden-0004; body {{\"password\":\"{password}\"}}");
    let clean = redactor.redact(&log);
    for s in [sk, token, password, "AK-hidden-0004"] {
        assert!(!clean.contains(s), "{s} survived in {clean}");
    }
}

// ---------------------------------------------------------------- properties of sign → verify

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn verifier() -> Verifier {
        let mut keys = KeyStore::new();
        keys.insert("PROP-AK", Secret::new("prop-sk"));
        Verifier::new(keys)
    }

    fn creds() -> AkSkCredentials {
        AkSkCredentials::new("PROP-AK", Secret::new("prop-sk")).with_project_id("proj")
    }

    /// A request from arbitrary segments and pairs, encoded the way our client would put it on the wire.
    fn request(segments: &[String], pairs: &[(String, String)], body: &[u8]) -> RequestParts {
        let path = segments.iter().fold(String::new(), |mut path, s| {
            let _ = write!(path, "/{}", hwconform::auth::sdk_quote(s));
            path
        });
        let query = hwconform::auth::canonical_query(pairs);
        let query = if query.is_empty() { String::new() } else { format!("?{query}") };
        let mut parts = RequestParts::parse(Method::POST, &format!("https://h.example{path}{query}")).unwrap();
        parts.headers.insert("content-type", HeaderValue::from_static("application/json"));
        parts.body = body.to_vec();
        parts
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn signed_requests_verify_and_any_body_change_fails(
            segments in proptest::collection::vec("[ -~é图]{1,8}", 1..4),
            pairs in proptest::collection::vec(("[ -~é]{1,6}", "[ -~é]{0,6}"), 0..4),
            body in proptest::collection::vec(proptest::arbitrary::any::<u8>(), 1..32),
            flip in proptest::arbitrary::any::<proptest::sample::Index>(),
        ) {
            let now = Utc::now();
            let mut parts = request(&segments, &pairs, &body);
            sign(&mut parts, &creds(), now).unwrap();
            // The server sees the origin-form URI.
            let mut received = parts.clone();
            received.uri = parts.uri.path_and_query().unwrap().as_str().parse().unwrap();
            prop_assert!(verifier().verify(&received, now).is_ok());
            let i = flip.index(received.body.len());
            received.body[i] ^= 0x80;
            prop_assert_eq!(verifier().verify(&received, now), Err(SignatureError::SignatureMismatch));
        }

        #[test]
        fn canonical_query_is_a_fixed_point(pairs in proptest::collection::vec(("[ -~é]{0,6}", "[ -~é]{0,6}"), 0..5)) {
            let pairs: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| !k.is_empty()).collect();
            let once = hwconform::auth::canonical_query(&pairs);
            let twice = hwconform::auth::canonical_query(&hwconform::auth::query_pairs(&once));
            prop_assert_eq!(once, twice);
        }
    }
}

// ---------------------------------------------------------------- the official Python SDK signer, live

/// Signs requests with the official SDK (`BasicCredentials.sign_request`, the SDK's own signer) and sends
/// them with `requests`, as the SDK's `HttpClient.do_request_sync` does. Prints `name status` per request.
const PYTHON_SDK_CLIENT: &str = r#"
import sys, requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
host, ak, sk, tmp_ak, tmp_sk, tmp_token = sys.argv[1:7]
P = "/v2/0123456789abcdef0123456789abcdef/graphs/"
JSON = {"Content-Type": "application/json;charset=UTF-8"}
cases = [
    ("list", "GET", "/v1.0/p/graphs/backups", [("offset", 0), ("limit", 10)], JSON, b"", "perm"),
    ("add_json", "POST", P + "graph-1/backups", [], JSON, '{"backup":{"name":"n ü"}}'.encode(), "perm"),
    ("path_space_unicode", "GET", P + "my%20graph%E5%9B%BE/backups", [], JSON, b"", "perm"),
    ("path_reserved", "GET", P + "g!*'():@&=+$,;/backups", [], JSON, b"", "perm"),
    ("path_encoded_slash_percent", "GET", P + "a%2Fb%25c/backups", [], JSON, b"", "perm"),
    ("query_reserved_repeated", "GET", "/v1.0/p/graphs/backups",
     [("name", "my backup"), ("f", "a=b&c"), ("tag", ["z", "a"]), ("u", "图")], JSON, b"", "perm"),
    ("text_body_unsigned_payload", "POST", P + "g/backups", [], {"Content-Type": "text/plain"}, b"raw {", "perm"),
    ("temporary_credentials", "POST", "/v3/p/instances/i/backups", [], JSON, b'{"name":"b"}', "tmp"),
    ("wrong_sk_must_fail", "GET", "/v1.0/p/graphs/backups", [], JSON, b"", "wrong"),
]
for name, method, path, query, headers, body, who in cases:
    if who == "tmp":
        creds = BasicCredentials(tmp_ak, tmp_sk, "p").with_security_token(tmp_token)
    else:
        creds = BasicCredentials(ak, sk if who == "perm" else sk + "x", "p")
    req = SdkRequest(method=method, schema="http", host=host, resource_path=path,
                     query_params=[(k, list(v) if isinstance(v, list) else v) for k, v in query],
                     header_params=dict(headers), body=body)
    signed = creds.sign_request(req)
    r = requests.request(signed.method, signed.url, headers=signed.header_params, data=signed.body,
                         timeout=10, allow_redirects=False)
    print(name, r.status_code, r.text.replace("\n", " "))
"#;

fn python_with_sdk() -> Result<(), String> {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import huaweicloudsdkcore, requests"])
        .output()
        .map_err(|e| format!("python3 is not available ({e})"))?;
    if probe.status.success() {
        Ok(())
    } else {
        Err("the Python package huaweicloudsdkcore is not installed (pip install huaweicloudsdkcore)".into())
    }
}

#[test]
fn official_python_sdk_signed_requests_verify_on_an_axum_server() {
    if let Err(reason) = python_with_sdk() {
        eprintln!("skipped official_python_sdk_signed_requests_verify_on_an_axum_server: {reason}");
        return;
    }
    let rt = runtime();
    let mut keys = KeyStore::new();
    keys.insert("PY-AK", Secret::new("py-secret"));
    keys.insert_temporary("PY-TMP-AK", Secret::new("py-tmp-secret"), Secret::new("py-tmp-token"));
    let app = Router::new().fallback(any(verifying_handler)).with_state(Arc::new(Verifier::new(keys)));
    let server = rt.block_on(Loopback::start(app));
    let host = server.base.trim_start_matches("http://").to_owned();
    // The runtime's worker threads serve while this thread waits for Python.
    let output = std::process::Command::new("python3")
        .args(["-c", PYTHON_SDK_CLIENT, &host, "PY-AK", "py-secret", "PY-TMP-AK", "py-tmp-secret", "py-tmp-token"])
        .output();
    rt.block_on(server.stop());
    let output = output.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "python failed: {}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 9, "{stdout}");
    for line in lines {
        let mut fields = line.splitn(3, ' ');
        let (name, status) = (fields.next().unwrap_or(""), fields.next().unwrap_or(""));
        let expected = if name == "wrong_sk_must_fail" { "401" } else { "200" };
        assert_eq!(status, expected, "{line}");
    }
}
