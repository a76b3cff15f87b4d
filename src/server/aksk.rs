//! AK/SK request signing (`SDK-HMAC-SHA256`) as a server [`Authenticator`]: an adapter over the auth
//! layer's [`Verifier`], so a signed request without `X-Auth-Token` is accepted when its signature,
//! access key and date check out.

use std::fmt;

use crate::auth::{KeyStore, RequestParts, Verifier};

use super::auth::{AuthFailure, AuthRequest, Authenticator};

/// Verifies `Authorization: SDK-HMAC-SHA256 …` signatures against a key store.
pub struct SignatureAuthenticator {
    verifier: Verifier,
}

impl SignatureAuthenticator {
    /// An authenticator verifying AK/SK signatures against the access keys in `keys`.
    pub fn new(keys: KeyStore) -> Self {
        Self { verifier: Verifier::new(keys) }
    }

    /// Uses a configured verifier (clock skew, unsigned payloads).
    pub fn with_verifier(verifier: Verifier) -> Self {
        Self { verifier }
    }
}

impl fmt::Debug for SignatureAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureAuthenticator").finish_non_exhaustive()
    }
}

impl Authenticator for SignatureAuthenticator {
    fn authorize(&self, request: &AuthRequest<'_>) -> Result<(), AuthFailure> {
        if !request.headers.contains_key(http::header::AUTHORIZATION) {
            // Neither a token nor a signature: report the token as missing, the documented scheme.
            return Err(AuthFailure::Missing);
        }
        let mut parts = RequestParts::new(request.method.clone(), request.uri.clone()).with_body(request.body);
        parts.headers = request.headers.clone();
        self.verifier
            .verify(&parts, chrono::Utc::now())
            .map(|_| ())
            .map_err(|e| AuthFailure::BadSignature(e.to_string()))
    }
}
