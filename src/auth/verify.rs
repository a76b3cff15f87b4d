//! Owns verification of `SDK-HMAC-SHA256` signatures for the reference server: [`Verifier`] and [`KeyStore`].
//!
//! A request passes only if its `Authorization` header parses, `host` and `x-sdk-date` are among the signed
//! headers, `X-Sdk-Date` is within the allowed clock skew of the server clock ([`DEFAULT_CLOCK_SKEW`],
//! 15 minutes either way), the access key is known, temporary credentials carry their signed security token,
//! and the signature recomputed over the request as received matches (compared in constant time).
//!
//! The body: the SDK sends `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` for non-JSON content types, which leaves
//! the body out of the signature; that is accepted by default so the official SDKs work, and can be refused
//! with [`Verifier::with_unsigned_payload`]. Any other `X-Sdk-Content-Sha256` value must equal the body hash.
//! The header only counts when it is signed.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::Mac;
use http::header::AUTHORIZATION;

use super::canonical::{EMPTY_SHA256, header_value, sha256_hex};
use super::error::{AuthError, SignatureError};
use super::request::RequestParts;
use super::secret::Secret;
use super::signer::{
    ALGORITHM, AccessKeyId, HEADER_CONTENT_SHA256, HEADER_SDK_DATE, HEADER_SECURITY_TOKEN, UNSIGNED_PAYLOAD,
    canonical_request, mac, parse_sdk_date, string_to_sign,
};
use super::strategy::AkSkEnvNames;

/// How far `X-Sdk-Date` may be from the server clock, either way, unless configured otherwise.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

#[derive(Clone)]
struct StoredKey {
    sk: Secret,
    security_token: Option<Secret>,
}

/// The AK/SK pairs a server accepts. `Debug` shows only how many.
///
/// Deserialises from a list, for a server config or seed file:
/// `[{ "ak": "…", "sk": "…" }, { "ak": "…", "sk": "…", "security_token": "…" }]`.
#[derive(Clone, Default)]
pub struct KeyStore {
    keys: HashMap<String, StoredKey>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    ak: String,
    sk: Secret,
    #[serde(default)]
    security_token: Option<Secret>,
}

impl<'de> serde::Deserialize<'de> for KeyStore {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut store = Self::new();
        for entry in Vec::<KeyEntry>::deserialize(deserializer)? {
            store.keys.insert(entry.ak, StoredKey { sk: entry.sk, security_token: entry.security_token });
        }
        Ok(store)
    }
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore").field("keys", &self.keys.len()).finish()
    }
}

impl KeyStore {
    /// An empty store (every request is refused with an unknown key).
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts a permanent key pair.
    pub fn insert(&mut self, ak: impl Into<String>, sk: Secret) {
        self.keys.insert(ak.into(), StoredKey { sk, security_token: None });
    }

    /// Accepts a temporary key pair, only together with its security token.
    pub fn insert_temporary(&mut self, ak: impl Into<String>, sk: Secret, security_token: Secret) {
        self.keys.insert(ak.into(), StoredKey { sk, security_token: Some(security_token) });
    }

    /// The pair from `HUAWEICLOUD_SDK_AK`/`_SK` (and `_SECURITY_TOKEN` if set), the variables the official SDKs
    /// read; `Ok(None)` when neither AK nor SK is set, an error when only one is.
    pub fn from_env() -> Result<Option<Self>, AuthError> {
        Self::from_env_names(&AkSkEnvNames::default())
    }

    /// Like [`KeyStore::from_env`] with other variable names.
    pub fn from_env_names(names: &AkSkEnvNames) -> Result<Option<Self>, AuthError> {
        let ak = Secret::from_env_opt(&names.ak)?;
        let sk = Secret::from_env_opt(&names.sk)?;
        let (ak, sk) = match (ak, sk) {
            (None, None) => return Ok(None),
            (Some(ak), Some(sk)) => (ak, sk),
            (None, Some(_)) => return Err(AuthError::EnvMissing { var: names.ak.clone() }),
            (Some(_), None) => return Err(AuthError::EnvMissing { var: names.sk.clone() }),
        };
        let mut store = Self::new();
        match Secret::from_env_opt(&names.security_token)? {
            Some(token) => store.insert_temporary(ak.expose(), sk, token),
            None => store.insert(ak.expose(), sk),
        }
        Ok(Some(store))
    }

    /// How many key pairs are accepted.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key pair is accepted.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Checks signed requests against a [`KeyStore`].
#[derive(Clone, Debug)]
pub struct Verifier {
    keys: KeyStore,
    clock_skew: Duration,
    allow_unsigned_payload: bool,
}

impl Verifier {
    /// A verifier with the default clock skew that accepts `UNSIGNED-PAYLOAD` (as the SDKs send it).
    pub fn new(keys: KeyStore) -> Self {
        Self { keys, clock_skew: DEFAULT_CLOCK_SKEW, allow_unsigned_payload: true }
    }

    /// Sets how far `X-Sdk-Date` may be from the server clock, either way.
    #[must_use]
    pub fn with_clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = skew;
        self
    }

    /// Whether `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` is accepted.
    #[must_use]
    pub fn with_unsigned_payload(mut self, allow: bool) -> Self {
        self.allow_unsigned_payload = allow;
        self
    }

    /// The access key that signed `parts`, or why the request must be refused (each reason is a 401).
    pub fn verify(&self, parts: &RequestParts, now: DateTime<Utc>) -> Result<AccessKeyId, SignatureError> {
        let auth = parts.headers.get(AUTHORIZATION).ok_or(SignatureError::MissingAuthorization)?;
        let auth = auth.to_str().map_err(|_| SignatureError::MalformedAuthorization)?;
        let parsed = parse_authorization(auth)?;

        for required in ["host", HEADER_SDK_DATE] {
            if !parsed.signed_headers.iter().any(|h| h == required) {
                return Err(SignatureError::UnsignedRequiredHeader { header: required });
            }
        }
        if let Some(missing) = parsed.signed_headers.iter().find(|h| !parts.headers.contains_key(h.as_str())) {
            return Err(SignatureError::MissingSignedHeader { header: missing.clone() });
        }
        let date_value = header_value(&parts.headers, HEADER_SDK_DATE).unwrap_or_default();
        let date = parse_sdk_date(&date_value).ok_or(SignatureError::MalformedDate)?;
        let seconds = (now - date).num_seconds().abs();
        let allowed = i64::try_from(self.clock_skew.as_secs()).unwrap_or(i64::MAX);
        if seconds > allowed {
            return Err(SignatureError::DateOutOfWindow { seconds, allowed });
        }

        let key = self.keys.keys.get(parsed.access).ok_or(SignatureError::UnknownAccessKey)?;
        if let Some(expected) = &key.security_token {
            let signed = parsed.signed_headers.iter().any(|h| h == HEADER_SECURITY_TOKEN);
            let sent = header_value(&parts.headers, HEADER_SECURITY_TOKEN).filter(|_| signed);
            let sent = sent.ok_or(SignatureError::MissingSecurityToken)?;
            if Secret::new(sent) != *expected {
                return Err(SignatureError::SecurityTokenMismatch);
            }
        }
        let payload = self.payload_hash(parts, &parsed.signed_headers)?;

        let canonical = canonical_request(parts, &parsed.signed_headers, &payload)
            .map_err(|header| SignatureError::MissingSignedHeader { header })?;
        let to_sign = string_to_sign(&date_value, &canonical);
        let given = hex::decode(parsed.signature).map_err(|_| SignatureError::SignatureMismatch)?;
        mac(&key.sk, &to_sign).verify_slice(&given).map_err(|_| SignatureError::SignatureMismatch)?;
        Ok(AccessKeyId::new(parsed.access))
    }

    /// The payload hash to verify against. Unlike the signer, an *unsigned* `X-Sdk-Content-Sha256` is ignored:
    /// otherwise anyone could attach the old hash to a replaced body.
    fn payload_hash(&self, parts: &RequestParts, signed_headers: &[String]) -> Result<String, SignatureError> {
        if parts.body.is_empty() {
            return Ok(EMPTY_SHA256.to_owned());
        }
        let actual = sha256_hex(&parts.body);
        if !signed_headers.iter().any(|h| h == HEADER_CONTENT_SHA256) {
            return Ok(actual);
        }
        let Some(declared) = header_value(&parts.headers, HEADER_CONTENT_SHA256) else { return Ok(actual) };
        if declared == UNSIGNED_PAYLOAD {
            return if self.allow_unsigned_payload { Ok(declared) } else { Err(SignatureError::UnsignedPayload) };
        }
        if declared == actual { Ok(declared) } else { Err(SignatureError::BodyHashMismatch) }
    }
}

struct ParsedAuthorization<'a> {
    access: &'a str,
    signed_headers: Vec<String>,
    signature: &'a str,
}

/// Parses `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` (fields in any order).
fn parse_authorization(value: &str) -> Result<ParsedAuthorization<'_>, SignatureError> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or(SignatureError::MalformedAuthorization)?;
    let (mut access, mut signed, mut signature) = (None, None, None);
    for field in rest.split(',') {
        let (name, value) = field.trim().split_once('=').ok_or(SignatureError::MalformedAuthorization)?;
        let slot = match name {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(SignatureError::MalformedAuthorization),
        };
        if slot.replace(value).is_some() || value.is_empty() {
            return Err(SignatureError::MalformedAuthorization);
        }
    }
    match (access, signed, signature) {
        (Some(access), Some(signed), Some(signature)) => Ok(ParsedAuthorization {
            access,
            signed_headers: signed.split(';').map(str::to_owned).collect(),
            signature,
        }),
        _ => Err(SignatureError::MalformedAuthorization),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_parsing() {
        let p = parse_authorization("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=ab").unwrap();
        assert_eq!((p.access, p.signature), ("AK", "ab"));
        assert_eq!(p.signed_headers, ["host", "x-sdk-date"]);
        for bad in [
            "",
            "SDK-HMAC-SHA256",
            "SDK-HMAC-SM3 Access=AK, SignedHeaders=host, Signature=ab",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host",
            "SDK-HMAC-SHA256 Access=AK, Access=AK, SignedHeaders=host, Signature=ab",
            "SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=ab",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab, Extra=1",
        ] {
            assert!(matches!(parse_authorization(bad), Err(SignatureError::MalformedAuthorization)), "{bad}");
        }
    }

    #[test]
    fn store_deserialises_from_a_list() {
        let s: KeyStore =
            serde_json::from_str(r#"[{"ak":"A","sk":"S"},{"ak":"T","sk":"S2","security_token":"X"}]"#).unwrap();
        assert_eq!(s.len(), 2);
        assert!(s.keys["T"].security_token.is_some() && s.keys["A"].security_token.is_none());
        assert!(serde_json::from_str::<KeyStore>(r#"[{"ak":"A"}]"#).is_err());
    }

    #[test]
    fn store_debug_hides_keys() {
        let mut s = KeyStore::new();
        s.insert("AKID", Secret::new("SKVALUE"));
        let shown = format!("{:?}", Verifier::new(s));
        assert!(!shown.contains("AKID") && !shown.contains("SKVALUE"), "{shown}");
    }
}
