//! Owns AK/SK signing with `SDK-HMAC-SHA256`, the scheme of the official Huawei Cloud SDKs, implemented once.
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HexSHA256(body)
//! StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n HexSHA256(CanonicalRequest)
//! Signature        = Hex(HMAC-SHA256(SK, StringToSign))
//! Authorization    = "SDK-HMAC-SHA256 Access=" AK ", SignedHeaders=" a;b;c ", Signature=" Signature
//! ```
//!
//! [`sign`] adds the headers the SDK adds (`X-Security-Token` for temporary credentials and `X-Project-Id` —
//! both by `BasicCredentials.sign_request` —, `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` for non-JSON content
//! types, `X-Sdk-Date`, `Host`), signs every header without `_`, sets `Authorization`, and rewrites the query
//! to its canonical form so the bytes on the wire are the bytes signed. Canonical forms: [`super::canonical`].
//! The vectors in `fixtures/signing/vectors.json` were produced by the SDK's own signer.

use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http::{HeaderName, HeaderValue, Uri};
use sha2::Sha256;

use super::canonical::{
    EMPTY_SHA256, canonical_headers, canonical_query, canonical_uri, header_value, query_pairs, sha256_hex,
    signed_header_names,
};
use super::error::AuthError;
use super::request::RequestParts;
use super::secret::Secret;

/// The algorithm name in the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// `X-Sdk-Date` format (UTC).
pub const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";
/// Header carrying the signing time.
pub const HEADER_SDK_DATE: &str = "x-sdk-date";
/// Header that replaces the body hash (`UNSIGNED-PAYLOAD` for non-JSON content types).
pub const HEADER_CONTENT_SHA256: &str = "x-sdk-content-sha256";
/// Header carrying the security token of temporary credentials.
pub const HEADER_SECURITY_TOKEN: &str = "x-security-token";
/// Header carrying the project id (`BasicCredentials` adds it when it has one).
pub const HEADER_PROJECT_ID: &str = "x-project-id";
/// The `X-Sdk-Content-Sha256` value that exempts the body from the signature.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// An access key id. It identifies rather than authenticates, but is still kept out of output.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AccessKeyId(String);

impl AccessKeyId {
    /// Wraps an access key id.
    pub fn new(ak: impl Into<String>) -> Self {
        Self(ak.into())
    }

    /// The id itself (it goes into the `Authorization` header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessKeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessKeyId(***)")
    }
}

/// Permanent or temporary AK/SK credentials, as the SDK's `BasicCredentials` holds them.
#[derive(Clone, Debug)]
pub struct AkSkCredentials {
    /// The access key id, sent in the `Authorization` header.
    pub ak: AccessKeyId,
    /// The secret key that signs; never sent.
    pub sk: Secret,
    /// Set for temporary credentials: sent and signed as `X-Security-Token`.
    pub security_token: Option<Secret>,
    /// Sent and signed as `X-Project-Id` when set.
    pub project_id: Option<String>,
}

impl AkSkCredentials {
    /// Permanent credentials without a project id.
    pub fn new(ak: impl Into<String>, sk: Secret) -> Self {
        Self { ak: AccessKeyId::new(ak), sk, security_token: None, project_id: None }
    }

    /// Makes these temporary credentials.
    #[must_use]
    pub fn with_security_token(mut self, token: Secret) -> Self {
        self.security_token = Some(token);
        self
    }

    /// Adds a project id.
    #[must_use]
    pub fn with_project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }
}

/// The intermediate strings of one signature, for tests and diagnostics.
///
/// The canonical request contains every signed header value, including a security token, so `Debug`
/// shows only the signed header names.
pub struct SigningTrace {
    canonical_request: String,
    string_to_sign: String,
    signed_headers: Vec<String>,
}

impl SigningTrace {
    /// The canonical request (contains signed header values: handle like a secret).
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The signed header names, lowercase and sorted.
    pub fn signed_headers(&self) -> &[String] {
        &self.signed_headers
    }
}

impl std::fmt::Debug for SigningTrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningTrace").field("signed_headers", &self.signed_headers).finish_non_exhaustive()
    }
}

/// Signs `parts` in place at time `now` (an `X-Sdk-Date` already present wins, as in the SDK).
pub fn sign(parts: &mut RequestParts, creds: &AkSkCredentials, now: DateTime<Utc>) -> Result<SigningTrace, AuthError> {
    if let Some(token) = &creds.security_token {
        set_header(parts, HEADER_SECURITY_TOKEN, token.expose(), true)?;
    }
    if let Some(project) = &creds.project_id {
        set_header(parts, HEADER_PROJECT_ID, project, false)?;
    }
    let non_json = parts.headers.get(CONTENT_TYPE).is_some_and(|ct| {
        let ct = ct.as_bytes();
        !ct.starts_with(b"application/json") && !ct.starts_with(b"application/bson")
    });
    if non_json {
        set_header(parts, HEADER_CONTENT_SHA256, UNSIGNED_PAYLOAD, false)?;
    }
    let date = match header_value(&parts.headers, HEADER_SDK_DATE) {
        Some(value) => parse_sdk_date(&value)
            .ok_or_else(|| AuthError::Sign(format!("x-sdk-date {value:?} is not of the form yyyymmddThhmmssZ")))?,
        None => now,
    };
    let date = date.format(DATE_FORMAT).to_string();
    set_header(parts, HEADER_SDK_DATE, &date, false)?;
    if !parts.headers.contains_key(HOST) {
        let host = parts
            .host()
            .ok_or_else(|| AuthError::Sign("the request has neither a host header nor an absolute url".into()))?;
        set_header(parts, HOST.as_str(), &host, false)?;
    }

    trim_header_values(parts);

    let signed_headers = signed_header_names(&parts.headers);
    let canonical_request = canonical_request(parts, &signed_headers, &payload_hash(parts))
        .map_err(|name| AuthError::Sign(format!("header {name} vanished while signing")))?;
    let string_to_sign = string_to_sign(&date, &canonical_request);
    let signature = signature(&creds.sk, &string_to_sign);
    let authorization = format!(
        "{ALGORITHM} Access={}, SignedHeaders={}, Signature={signature}",
        creds.ak.expose(),
        signed_headers.join(";")
    );
    set_header(parts, AUTHORIZATION.as_str(), &authorization, true)?;
    rewrite_query(parts)?;
    Ok(SigningTrace { canonical_request, string_to_sign, signed_headers })
}

/// Parses an `X-Sdk-Date` value.
pub fn parse_sdk_date(value: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(value, DATE_FORMAT).ok().map(|d| d.and_utc())
}

/// The canonical request of `parts` over `signed_headers` with the given payload hash (see [`payload_hash`]);
/// `Err(name)` names a signed header that is absent.
pub fn canonical_request(
    parts: &RequestParts,
    signed_headers: &[String],
    payload_hash: &str,
) -> Result<String, String> {
    let headers = canonical_headers(&parts.headers, signed_headers)?;
    let query = canonical_query(&query_pairs(parts.uri.query().unwrap_or("")));
    Ok(format!(
        "{}\n{}\n{query}\n{headers}\n{}\n{payload_hash}",
        parts.method.as_str().to_ascii_uppercase(),
        canonical_uri(parts.path()),
        signed_headers.join(";"),
    ))
}

/// The body's hash as the SDK signs it (see [`super::canonical`]).
pub fn payload_hash(parts: &RequestParts) -> String {
    if parts.body.is_empty() {
        return EMPTY_SHA256.to_owned();
    }
    header_value(&parts.headers, HEADER_CONTENT_SHA256).unwrap_or_else(|| sha256_hex(&parts.body))
}

/// `SDK-HMAC-SHA256\n<date>\n<hex sha256 of the canonical request>`.
pub fn string_to_sign(date: &str, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{date}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// The hex HMAC-SHA256 of the string to sign under the secret key.
pub fn signature(sk: &Secret, string_to_sign: &str) -> String {
    hex::encode(mac(sk, string_to_sign).finalize().into_bytes())
}

/// The keyed MAC over the string to sign (the verifier compares in constant time with it).
pub(crate) fn mac(sk: &Secret, string_to_sign: &str) -> Hmac<Sha256> {
    // Proven invariant: HMAC accepts keys of every length (longer ones are hashed), so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(sk.expose().as_bytes()).expect("hmac accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    mac
}

fn set_header(parts: &mut RequestParts, name: &str, value: &str, sensitive: bool) -> Result<(), AuthError> {
    let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| AuthError::HeaderValue { header: name.into() })?;
    let mut value = HeaderValue::from_str(value).map_err(|_| AuthError::HeaderValue { header: name.into() })?;
    value.set_sensitive(sensitive);
    parts.headers.insert(header, value);
    Ok(())
}

/// Sends header values trimmed, as signed (the SDK writes the stripped values back the same way).
fn trim_header_values(parts: &mut RequestParts) {
    for value in parts.headers.values_mut() {
        let bytes = value.as_bytes();
        let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
        let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(start, |e| e + 1);
        if (start, end) != (0, bytes.len())
            && let Ok(mut trimmed) = HeaderValue::from_bytes(&bytes[start..end])
        {
            trimmed.set_sensitive(value.is_sensitive());
            *value = trimmed;
        }
    }
}

/// Replaces the URI's query by its canonical form, as the SDK's `process_request_uri` does.
fn rewrite_query(parts: &mut RequestParts) -> Result<(), AuthError> {
    let Some(query) = parts.uri.query() else { return Ok(()) };
    let canonical = canonical_query(&query_pairs(query));
    let path_and_query =
        if canonical.is_empty() { parts.path().to_owned() } else { format!("{}?{canonical}", parts.path()) };
    let mut builder = Uri::builder().path_and_query(path_and_query);
    if let Some(scheme) = parts.uri.scheme() {
        builder = builder.scheme(scheme.clone());
    }
    if let Some(authority) = parts.uri.authority() {
        builder = builder.authority(authority.clone());
    }
    parts.uri = builder.build().map_err(|e| AuthError::Sign(format!("rebuild the url: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    fn creds() -> AkSkCredentials {
        AkSkCredentials::new("AK", Secret::new("SK")).with_security_token(Secret::new("TOKEN"))
    }

    #[test]
    fn adds_sdk_headers_and_rewrites_query() {
        let mut p = RequestParts::parse(Method::GET, "https://h.example/a?b=x+y&a=1").unwrap();
        let now = parse_sdk_date("20260102T030405Z").unwrap();
        let trace = sign(&mut p, &creds(), now).unwrap();
        assert_eq!(p.uri.to_string(), "https://h.example/a?a=1&b=x%20y");
        assert_eq!(p.headers["x-sdk-date"], "20260102T030405Z");
        assert_eq!(p.headers["host"], "h.example");
        assert_eq!(trace.signed_headers(), ["host", "x-sdk-date", "x-security-token"]);
        let auth = p.headers["authorization"].to_str().unwrap();
        assert!(
            auth.starts_with("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date;x-security-token, Signature=")
        );
        assert!(p.headers["authorization"].is_sensitive() && p.headers["x-security-token"].is_sensitive());
    }

    #[test]
    fn non_json_content_type_is_unsigned_payload() {
        let mut p = RequestParts::parse(Method::POST, "https://h/a").unwrap().with_body("x");
        p.headers.insert(CONTENT_TYPE, "text/plain".parse().unwrap());
        let trace = sign(&mut p, &creds(), Utc::now()).unwrap();
        assert!(trace.canonical_request().ends_with("\nUNSIGNED-PAYLOAD"));
    }

    #[test]
    fn bad_inputs_are_one_line_errors() {
        let mut p = RequestParts::parse(Method::GET, "/relative").unwrap();
        let e = sign(&mut p, &creds(), Utc::now()).unwrap_err().to_string();
        assert!(e.contains("neither a host header"), "{e}");
        let mut p = RequestParts::parse(Method::GET, "https://h/").unwrap();
        p.headers.insert("x-sdk-date", "yesterday".parse().unwrap());
        let e = sign(&mut p, &creds(), Utc::now()).unwrap_err().to_string();
        assert!(e.contains("yyyymmddThhmmssZ") && !e.contains('\n'), "{e}");
    }

    #[test]
    fn trace_and_credentials_debug_hide_secrets() {
        let mut p = RequestParts::parse(Method::GET, "https://h/").unwrap();
        let trace = sign(&mut p, &creds(), Utc::now()).unwrap();
        let shown = format!("{trace:?} {:?}", creds());
        assert!(!shown.contains("TOKEN") && !shown.contains("\"SK\"") && !shown.contains("\"AK\""), "{shown}");
        assert!(!format!("{:?}", p.headers).contains("TOKEN"));
    }
}
