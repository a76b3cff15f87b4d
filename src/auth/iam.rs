//! Owns [`IamPasswordAuth`]: an IAM user token obtained with a password, cached and renewed before expiry.
//!
//! `POST {endpoint}/v3/auth/tokens?nocatalog=true` with the documented password-authentication body
//! (`auth.identity.methods = ["password"]`, `auth.identity.password.user.{name, password, domain.name}`,
//! `auth.scope` = a project by id or name, or the user's domain); the token is the `X-Subject-Token`
//! response header and lives until `token.expires_at` in the body. A cached token is reused until it is
//! within `renew_before` of expiry. Failures are one line naming the IAM status and error code.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::error::AuthError;
use super::request::RequestParts;
use super::secret::Secret;
use super::strategy::{Auth, set_token};

/// Renew a cached token this long before it expires, unless configured otherwise.
pub const DEFAULT_RENEW_BEFORE: Duration = Duration::from_secs(10 * 60);
/// The biggest IAM response body read (a token body with a catalogue is tens of KiB).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// What the token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamScope {
    /// A project by id.
    ProjectId(String),
    /// A project by name, which is the region id (e.g. `cn-north-4`).
    ProjectName(String),
    /// The user's account (domain).
    Domain,
}

/// Where and as whom to get a token.
#[derive(Debug, Clone)]
pub struct IamConfig {
    /// IAM base URL, e.g. `https://iam.cn-north-4.myhuaweicloud.com`.
    pub endpoint: String,
    /// The account (domain) the user belongs to.
    pub domain_name: String,
    /// The IAM user's name.
    pub user_name: String,
    /// The user's password.
    pub password: Secret,
    /// What the token is scoped to (a project by id or name, or the account).
    pub scope: IamScope,
    /// How long before the token expires it is renewed (default 10 minutes).
    pub renew_before: Duration,
}

impl IamConfig {
    /// A configuration with the default renewal margin.
    pub fn new(
        endpoint: impl Into<String>,
        domain_name: impl Into<String>,
        user_name: impl Into<String>,
        password: Secret,
        scope: IamScope,
    ) -> Self {
        Self {
            endpoint: endpoint.into(),
            domain_name: domain_name.into(),
            user_name: user_name.into(),
            password,
            scope,
            renew_before: DEFAULT_RENEW_BEFORE,
        }
    }

    fn tokens_url(&self) -> String {
        format!("{}/v3/auth/tokens?nocatalog=true", self.endpoint.trim_end_matches('/'))
    }

    fn request_body(&self) -> Value {
        let scope = match &self.scope {
            IamScope::ProjectId(id) => json!({ "project": { "id": id } }),
            IamScope::ProjectName(name) => json!({ "project": { "name": name } }),
            IamScope::Domain => json!({ "domain": { "name": self.domain_name } }),
        };
        json!({
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self.user_name,
                            "password": self.password.expose(),
                            "domain": { "name": self.domain_name }
                        }
                    }
                },
                "scope": scope
            }
        })
    }
}

#[derive(Clone)]
struct CachedToken {
    token: Secret,
    expires_at: DateTime<Utc>,
}

/// Gets, caches and renews an IAM token; sends it as `X-Auth-Token`.
#[derive(Debug)]
pub struct IamPasswordAuth {
    config: IamConfig,
    client: reqwest::Client,
    // Held across the IAM call so concurrent requests wait for one token instead of each fetching one.
    cache: Mutex<Option<CachedToken>>,
}

impl std::fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedToken").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

impl IamPasswordAuth {
    /// A strategy with its own HTTP client (timeouts, no redirects).
    pub fn new(config: IamConfig) -> Result<Self, AuthError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("hwconform/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AuthError::Request(error_chain(&e)))?;
        Ok(Self::with_client(config, client))
    }

    /// A strategy using the given client (e.g. one with a custom CA or proxy).
    pub fn with_client(config: IamConfig, client: reqwest::Client) -> Self {
        Self { config, client, cache: Mutex::new(None) }
    }

    /// A valid token: the cached one, or a new one when there is none or it is about to expire.
    pub async fn token(&self) -> Result<Secret, AuthError> {
        let mut cache = self.cache.lock().await;
        let margin = chrono::Duration::from_std(self.config.renew_before).unwrap_or(chrono::Duration::MAX);
        if let Some(cached) = cache.as_ref()
            && cached.expires_at.signed_duration_since(Utc::now()) > margin
        {
            return Ok(cached.token.clone());
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(token)
    }

    async fn fetch(&self) -> Result<CachedToken, AuthError> {
        let endpoint = self.config.endpoint.clone();
        let unreachable =
            |e: reqwest::Error| AuthError::IamUnreachable { endpoint: endpoint.clone(), message: error_chain(&e) };
        let mut response = self
            .client
            .post(self.config.tokens_url())
            .header(http::header::CONTENT_TYPE, "application/json;charset=utf8")
            .body(self.config.request_body().to_string())
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(AuthError::IamResponse(format!("the response body exceeds {MAX_BODY} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(AuthError::IamRejected { status: status.as_u16(), code: error_code(&body) });
        }
        let token = response
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
            AuthError::IamResponse(format!("iam answered {status} without an x-subject-token header"))
        })?;
        let expires_at = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.pointer("/token/expires_at").and_then(Value::as_str).map(str::to_owned))
            .ok_or_else(|| AuthError::IamResponse("the response body has no token.expires_at".into()))?;
        let expires_at = DateTime::parse_from_rfc3339(&expires_at)
            .map_err(|_| AuthError::IamResponse(format!("token.expires_at {expires_at:?} is not an RFC 3339 time")))?
            .with_timezone(&Utc);
        Ok(CachedToken { token: Secret::new(token), expires_at })
    }
}

impl Auth for IamPasswordAuth {
    fn scheme(&self) -> &'static str {
        "iam"
    }

    fn apply<'a>(&'a self, req: &'a mut RequestParts) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            let token = self.token().await?;
            set_token(req, &token)
        })
    }

    fn secrets(&self) -> Vec<Secret> {
        let mut out = vec![self.config.password.clone()];
        // A token being fetched right now is not listed; it is still hidden by header-name redaction.
        if let Ok(cache) = self.cache.try_lock() {
            out.extend(cache.as_ref().map(|c| c.token.clone()));
        }
        out
    }
}

/// The error code of an IAM or API Gateway error body (`error_code`, or `error.code`), on one short line.
fn error_code(body: &[u8]) -> String {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = value.get("error_code").or_else(|| value.pointer("/error/code"));
    let text = match code {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return "none (the body carries no error code)".into(),
    };
    let line: String = text.chars().filter(|c| !c.is_control()).take(64).collect();
    if line.is_empty() { "none (empty error code)".into() } else { line }
}

/// A transport error and its causes on one line (reqwest's own message omits the cause).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_the_documented_password_body() {
        let cfg = IamConfig::new(
            "https://iam.example/",
            "dom",
            "usr",
            Secret::new("pw"),
            IamScope::ProjectName("cn-north-4".into()),
        );
        assert_eq!(cfg.tokens_url(), "https://iam.example/v3/auth/tokens?nocatalog=true");
        let body = cfg.request_body();
        assert_eq!(body.pointer("/auth/identity/methods/0"), Some(&json!("password")));
        assert_eq!(body.pointer("/auth/identity/password/user/password"), Some(&json!("pw")));
        assert_eq!(body.pointer("/auth/identity/password/user/domain/name"), Some(&json!("dom")));
        assert_eq!(body.pointer("/auth/scope/project/name"), Some(&json!("cn-north-4")));
        let domain = IamConfig { scope: IamScope::Domain, ..cfg.clone() }.request_body();
        assert_eq!(domain.pointer("/auth/scope/domain/name"), Some(&json!("dom")));
        assert!(!format!("{cfg:?}").contains("\"pw\""));
    }

    #[test]
    fn error_codes_from_both_envelopes() {
        assert_eq!(error_code(br#"{"error":{"code":"401","message":"m"}}"#), "401");
        assert_eq!(error_code(br#"{"error":{"code":401}}"#), "401");
        assert_eq!(error_code(br#"{"error_code":"APIGW.0301","error_msg":"x"}"#), "APIGW.0301");
        assert!(error_code(b"<html>").starts_with("none"));
        assert_eq!(error_code(br#"{"error_code":"A\nB"}"#), "AB");
    }
}
