//! Owns the auth layer's errors: [`AuthError`] (client side: credentials, signing, IAM) and
//! [`SignatureError`] (server side: why a signed request was refused).
//!
//! Messages are lowercase, one line, read after "failed to authenticate: ", and never contain a secret.

/// Why a request could not be authenticated on the client side.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("read credentials: environment variable {var} is not set or empty")]
    EnvMissing { var: String },
    #[error("read credentials: environment variable {var} is not valid unicode")]
    EnvNotUnicode { var: String },
    #[error("read secret file {path}: {message}")]
    SecretFile { path: String, message: String },
    #[error("configure authentication: {0}")]
    Config(String),
    #[error("sign request: {0}")]
    Sign(String),
    #[error("set header {header}: the value is not a valid header value")]
    HeaderValue { header: String },
    #[error("build request: {0}")]
    Request(String),
    #[error("reach iam at {endpoint}: {message}")]
    IamUnreachable { endpoint: String, message: String },
    #[error("get an iam token: iam answered status {status}, error code {code}")]
    IamRejected { status: u16, code: String },
    #[error("get an iam token: {0}")]
    IamResponse(String),
}

/// Why the reference server refuses a signed request (each is a 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no authorization header")]
    MissingAuthorization,
    #[error("authorization header is not `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`")]
    MalformedAuthorization,
    #[error("unknown access key")]
    UnknownAccessKey,
    #[error("required header {header} is not signed")]
    UnsignedRequiredHeader { header: &'static str },
    #[error("signed header {header} is missing from the request")]
    MissingSignedHeader { header: String },
    #[error("x-sdk-date is not of the form yyyymmddThhmmssZ")]
    MalformedDate,
    #[error("x-sdk-date is {seconds}s away from the server clock, more than the allowed {allowed}s")]
    DateOutOfWindow { seconds: i64, allowed: i64 },
    #[error("temporary credentials need a signed x-security-token header")]
    MissingSecurityToken,
    #[error("x-security-token does not belong to the access key")]
    SecurityTokenMismatch,
    #[error("unsigned payloads are not accepted")]
    UnsignedPayload,
    #[error("x-sdk-content-sha256 does not match the body")]
    BodyHashMismatch,
    #[error("signature does not match")]
    SignatureMismatch,
}
