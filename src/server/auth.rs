//! Who may call: the `X-Auth-Token` check, and the [`Authenticator`] seam other credential schemes
//! (AK/SK request signing) plug into.

use std::collections::HashSet;
use std::fmt;

use axum::http::{HeaderMap, Method, Uri};

/// Why a request is not authorised. Messages never contain the credential itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// The request carries no `X-Auth-Token` header (and no other credential).
    #[error("the X-Auth-Token header is missing")]
    Missing,
    /// The `X-Auth-Token` is not one of the server's tokens.
    #[error("the X-Auth-Token header is not a valid token")]
    Unknown,
    /// The request carries more than one `X-Auth-Token` header.
    #[error("more than one X-Auth-Token header was sent")]
    Ambiguous,
    /// The request is signed (AK/SK) but the signature does not verify; holds why.
    #[error("the request signature is not valid: {0}")]
    BadSignature(String),
}

/// What an [`Authenticator`] sees of a request: everything a request signature can cover,
/// including the body (read in full, up to the body limit, before authorisation).
#[derive(Debug, Clone, Copy)]
pub struct AuthRequest<'a> {
    /// The request's method.
    pub method: &'a Method,
    /// The request's URI as received (path and query).
    pub uri: &'a Uri,
    /// The request's headers, as received.
    pub headers: &'a HeaderMap,
    /// The whole request body.
    pub body: &'a [u8],
}

/// Decides whether a request carries valid credentials.
///
/// The reference server always checks `X-Auth-Token` first; an `Authenticator` set in
/// [`ServerConfig::authenticator`](super::ServerConfig) is consulted when no token was sent, so a
/// signing scheme (AK/SK) can be added without touching the routes.
pub trait Authenticator: Send + Sync {
    /// Accepts the request, or says why it is not authorised (the server answers 401).
    fn authorize(&self, request: &AuthRequest<'_>) -> Result<(), AuthFailure>;
}

/// Accepts requests whose single `X-Auth-Token` header is one of the configured tokens.
#[derive(Clone)]
pub struct TokenAuthenticator {
    header: &'static str,
    tokens: HashSet<String>,
}

impl TokenAuthenticator {
    /// Accepts exactly the given tokens in the `header` header (lowercase name).
    pub fn new(header: &'static str, tokens: impl IntoIterator<Item = String>) -> Self {
        Self { header, tokens: tokens.into_iter().collect() }
    }
}

impl TokenAuthenticator {
    /// Whether the request's single token is a near miss of a configured one: a non-empty proper
    /// prefix, one character appended, or the same letters in another case. Only a rule break
    /// (`auth/exact_token`) accepts these.
    pub fn near_miss(&self, request: &AuthRequest<'_>) -> bool {
        let mut values = request.headers.get_all(self.header).iter();
        let (Some(value), None) = (values.next(), values.next()) else { return false };
        let Ok(sent) = value.to_str() else { return false };
        self.tokens.iter().any(|t| {
            sent != t
                && (sent.eq_ignore_ascii_case(t)
                    || (!sent.is_empty() && t.starts_with(sent))
                    || (sent.len() == t.len() + 1 && sent.starts_with(t.as_str())))
        })
    }
}

impl fmt::Debug for TokenAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenAuthenticator({}, <{} redacted>)", self.header, self.tokens.len())
    }
}

impl Authenticator for TokenAuthenticator {
    fn authorize(&self, request: &AuthRequest<'_>) -> Result<(), AuthFailure> {
        let mut values = request.headers.get_all(self.header).iter();
        let first = values.next().ok_or(AuthFailure::Missing)?;
        if values.next().is_some() {
            return Err(AuthFailure::Ambiguous);
        }
        match first.to_str() {
            Ok(token) if self.tokens.contains(token) => Ok(()),
            _ => Err(AuthFailure::Unknown),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn check(values: &[&[u8]]) -> Result<(), AuthFailure> {
        let auth = TokenAuthenticator::new("x-auth-token", ["good".to_owned()]);
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-auth-token", HeaderValue::from_bytes(v).unwrap());
        }
        let uri = Uri::from_static("/");
        auth.authorize(&AuthRequest { method: &Method::GET, uri: &uri, headers: &headers, body: b"" })
    }

    #[test]
    fn token_rules() {
        assert_eq!(check(&[b"good"]), Ok(()));
        assert_eq!(check(&[]), Err(AuthFailure::Missing));
        assert_eq!(check(&[b"bad"]), Err(AuthFailure::Unknown));
        assert_eq!(check(&[b"goo\xffd"]), Err(AuthFailure::Unknown));
        assert_eq!(check(&[b"good", b"good"]), Err(AuthFailure::Ambiguous));
    }

    #[test]
    fn near_misses_are_recognised() {
        let auth = TokenAuthenticator::new("x-auth-token", ["Good-token".to_owned()]);
        let near = |v: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert("x-auth-token", HeaderValue::from_static(v));
            let uri = Uri::from_static("/");
            auth.near_miss(&AuthRequest { method: &Method::GET, uri: &uri, headers: &headers, body: b"" })
        };
        assert!(near("Good-toke") && near("Good-tokenX") && near("good-TOKEN"));
        assert!(!near("Good-token") && !near("other") && !near("Good-tokenXY"));
    }

    #[test]
    fn debug_hides_tokens() {
        let auth = TokenAuthenticator::new("x-auth-token", ["s3cret".to_owned()]);
        assert!(!format!("{auth:?}").contains("s3cret"));
    }
}
