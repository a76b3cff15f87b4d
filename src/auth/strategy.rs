//! Owns the [`Auth`] trait the executor calls on every built request, and the token and AK/SK strategies
//! (the IAM password strategy lives in [`super::iam`]).
//!
//! Contract: the executor builds the request completely (method, absolute URL, headers, body bytes) as a
//! [`RequestParts`], calls [`Auth::apply`] once, right before sending, then sends exactly those parts
//! (`RequestParts::into_reqwest`). Signing therefore covers the bytes on the wire; nothing may change the
//! request after `apply`. [`Auth::secrets`] feeds the output [`super::Redactor`].

use std::fmt::Debug;
use std::sync::Arc;

use chrono::Utc;
use futures::future::BoxFuture;
use http::HeaderValue;
use http::header::AUTHORIZATION;

use super::error::AuthError;
use super::request::RequestParts;
use super::secret::Secret;
use super::signer::{AkSkCredentials, sign};

/// The header carrying an IAM token.
pub const HEADER_AUTH_TOKEN: &str = "x-auth-token";

/// A way to authenticate requests, chosen by the target profile.
pub trait Auth: Send + Sync + Debug {
    /// Adds credentials to a fully built request, in place.
    fn apply<'a>(&'a self, req: &'a mut RequestParts) -> BoxFuture<'a, Result<(), AuthError>>;

    /// Every secret value this strategy may put on the wire (for the output redactor).
    fn secrets(&self) -> Vec<Secret>;

    /// The same scheme with credentials no target accepts (for the cases that must be refused): a wrong
    /// token by default; AK/SK signs with a wrong secret key.
    fn wrong(&self) -> Arc<dyn Auth> {
        Arc::new(TokenAuth::new(Secret::new(WRONG_TOKEN)))
    }

    /// The scheme's name as reports show it (`none`, `token`, `aksk`, `iam`), never a credential.
    fn scheme(&self) -> &'static str;

    /// The token a server must accept for this strategy, when it sends a fixed one.
    fn token(&self) -> Option<&Secret> {
        None
    }

    /// The AK/SK credentials a server must know to verify this strategy's signatures, when it signs.
    fn signing_key(&self) -> Option<&AkSkCredentials> {
        None
    }
}

/// A token that no target accepts (public: it is not a secret).
pub const WRONG_TOKEN: &str = "hwconform-wrong-token";

/// A secret key that signs requests no target accepts (public: it is not a secret).
pub const WRONG_SK: &str = "hwconform-wrong-secret-key";

/// No authentication (a target that needs none, or a case that tests its absence).
#[derive(Debug, Default, Clone)]
pub struct NoAuth;

impl Auth for NoAuth {
    fn apply<'a>(&'a self, _req: &'a mut RequestParts) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async { Ok(()) })
    }

    fn secrets(&self) -> Vec<Secret> {
        Vec::new()
    }

    fn wrong(&self) -> Arc<dyn Auth> {
        Arc::new(Self)
    }

    fn scheme(&self) -> &'static str {
        "none"
    }
}

/// Sends a given IAM token as `X-Auth-Token`.
#[derive(Debug, Clone)]
pub struct TokenAuth {
    token: Secret,
}

impl TokenAuth {
    /// Uses this token.
    pub fn new(token: Secret) -> Self {
        Self { token }
    }

    /// Reads the token from an environment variable.
    pub fn from_env(var: &str) -> Result<Self, AuthError> {
        Secret::from_env(var).map(Self::new)
    }
}

impl Auth for TokenAuth {
    fn apply<'a>(&'a self, req: &'a mut RequestParts) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move { set_token(req, &self.token) })
    }

    fn secrets(&self) -> Vec<Secret> {
        vec![self.token.clone()]
    }

    fn token(&self) -> Option<&Secret> {
        Some(&self.token)
    }

    fn scheme(&self) -> &'static str {
        "token"
    }
}

/// Sets `X-Auth-Token`, marked sensitive so `Debug` of the header map hides it.
pub(crate) fn set_token(req: &mut RequestParts, token: &Secret) -> Result<(), AuthError> {
    let mut value = HeaderValue::from_str(token.expose())
        .map_err(|_| AuthError::HeaderValue { header: HEADER_AUTH_TOKEN.into() })?;
    value.set_sensitive(true);
    req.headers.insert(HEADER_AUTH_TOKEN, value);
    Ok(())
}

/// The environment variables AK/SK credentials are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AkSkEnvNames {
    /// Variable holding the access key (default `HUAWEICLOUD_SDK_AK`).
    pub ak: String,
    /// Variable holding the secret key (default `HUAWEICLOUD_SDK_SK`).
    pub sk: String,
    /// Variable holding the security token of temporary credentials (default `HUAWEICLOUD_SDK_SECURITY_TOKEN`).
    pub security_token: String,
    /// Variable holding the project id (default `HUAWEICLOUD_SDK_PROJECT_ID`).
    pub project_id: String,
}

impl Default for AkSkEnvNames {
    /// The names the official SDKs read (`EnvCredentialProvider`).
    fn default() -> Self {
        Self {
            ak: "HUAWEICLOUD_SDK_AK".into(),
            sk: "HUAWEICLOUD_SDK_SK".into(),
            security_token: "HUAWEICLOUD_SDK_SECURITY_TOKEN".into(),
            project_id: "HUAWEICLOUD_SDK_PROJECT_ID".into(),
        }
    }
}

/// Signs every request with `SDK-HMAC-SHA256` at the current time.
///
/// As in the SDK, a request that already carries `Authorization` is left as it is (cases that send a
/// deliberately wrong signature rely on that), and an `X-Sdk-Date` already present is kept.
#[derive(Debug, Clone)]
pub struct AkSkAuth {
    creds: AkSkCredentials,
}

impl AkSkAuth {
    /// Uses these credentials.
    pub fn new(creds: AkSkCredentials) -> Self {
        Self { creds }
    }

    /// Reads `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK` (required), `HUAWEICLOUD_SDK_SECURITY_TOKEN` and
    /// `HUAWEICLOUD_SDK_PROJECT_ID` (optional), like the official SDKs.
    pub fn from_env() -> Result<Self, AuthError> {
        Self::from_env_names(&AkSkEnvNames::default())
    }

    /// Like [`AkSkAuth::from_env`] with other variable names.
    pub fn from_env_names(names: &AkSkEnvNames) -> Result<Self, AuthError> {
        let ak = Secret::from_env(&names.ak)?;
        let mut creds = AkSkCredentials::new(ak.expose(), Secret::from_env(&names.sk)?);
        creds.security_token = Secret::from_env_opt(&names.security_token)?;
        creds.project_id = Secret::from_env_opt(&names.project_id)?.map(|p| p.expose().to_owned());
        Ok(Self::new(creds))
    }

    /// The credentials in use.
    pub fn credentials(&self) -> &AkSkCredentials {
        &self.creds
    }
}

impl Auth for AkSkAuth {
    fn apply<'a>(&'a self, req: &'a mut RequestParts) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            if req.headers.contains_key(AUTHORIZATION) {
                return Ok(());
            }
            sign(req, &self.creds, Utc::now()).map(|_| ())
        })
    }

    fn secrets(&self) -> Vec<Secret> {
        let mut out = vec![Secret::new(self.creds.ak.expose()), self.creds.sk.clone()];
        out.extend(self.creds.security_token.clone());
        out
    }

    fn wrong(&self) -> Arc<dyn Auth> {
        let mut creds = self.creds.clone();
        creds.sk = Secret::new(WRONG_SK);
        Arc::new(Self::new(creds))
    }

    fn signing_key(&self) -> Option<&AkSkCredentials> {
        Some(&self.creds)
    }

    fn scheme(&self) -> &'static str {
        "aksk"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn token_auth_sets_a_sensitive_header() {
        let auth = TokenAuth::new(Secret::new("tok-123"));
        let mut req = RequestParts::parse(Method::GET, "http://h/x").unwrap();
        block_on(auth.apply(&mut req)).unwrap();
        assert_eq!(req.headers["x-auth-token"], "tok-123");
        assert!(req.headers["x-auth-token"].is_sensitive());
        assert!(!format!("{auth:?} {:?}", req.headers).contains("tok-123"));
        let bad = TokenAuth::new(Secret::new("bad\nvalue"));
        let e = block_on(bad.apply(&mut req)).unwrap_err().to_string();
        assert!(e.contains("x-auth-token") && !e.contains("bad"), "{e}");
    }

    #[test]
    fn aksk_auth_signs_unless_already_authorized() {
        let creds = AkSkCredentials::new("AKX", Secret::new("SKX")).with_project_id("p1");
        let auth = AkSkAuth::new(creds);
        let mut req = RequestParts::parse(Method::GET, "http://h/x").unwrap();
        block_on(auth.apply(&mut req)).unwrap();
        assert!(req.headers["authorization"].to_str().unwrap().starts_with("SDK-HMAC-SHA256 Access=AKX, "));
        assert_eq!(req.headers["x-project-id"], "p1");
        let mut preset = RequestParts::parse(Method::GET, "http://h/x").unwrap();
        preset
            .headers
            .insert(AUTHORIZATION, "SDK-HMAC-SHA256 Access=AKX, SignedHeaders=host, Signature=00".parse().unwrap());
        block_on(auth.apply(&mut preset)).unwrap();
        assert!(preset.headers["authorization"].to_str().unwrap().ends_with("Signature=00"));
        assert!(!format!("{auth:?}").contains("SKX"));
        assert_eq!(auth.secrets().len(), 2);
    }

    #[test]
    fn env_names_default_to_the_sdk_variables() {
        let names = AkSkEnvNames::default();
        assert_eq!(names.ak, "HUAWEICLOUD_SDK_AK");
        assert_eq!(names.security_token, "HUAWEICLOUD_SDK_SECURITY_TOKEN");
        let custom = AkSkEnvNames {
            ak: "HWCONFORM_TEST_UNSET_AK".into(),
            sk: "HWCONFORM_TEST_UNSET_SK".into(),
            security_token: "HWCONFORM_TEST_UNSET_TOKEN".into(),
            project_id: "HWCONFORM_TEST_UNSET_PROJECT".into(),
        };
        let e = AkSkAuth::from_env_names(&custom).unwrap_err().to_string();
        assert!(e.contains("HWCONFORM_TEST_UNSET_AK"), "{e}");
    }
}
