//! Owns the auth layer's errors: [`AuthError`] (client side: credentials, signing, IAM) and
//! [`SignatureError`] (server side: why a signed request was refused).
//!
//! Messages are lowercase, one line, read after "failed to authenticate: ", and never contain a secret.

/// Why a request could not be authenticated on the client side.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A credential environment variable (access key, secret key or token) is unset or empty.
    #[error("read credentials: environment variable {var} is not set or empty")]
    EnvMissing {
        /// Name of the environment variable, as the profile or the defaults spell it.
        var: String,
    },
    /// A credential environment variable holds bytes that are not valid Unicode.
    #[error("read credentials: environment variable {var} is not valid unicode")]
    EnvNotUnicode {
        /// Name of the environment variable.
        var: String,
    },
    /// A secret file the profile names cannot be read, or is empty.
    #[error("read secret file {path}: {message}")]
    SecretFile {
        /// Path of the secret file, as displayed to the user.
        path: String,
        /// Why it is unusable: the I/O error kind, or "file is empty".
        message: String,
    },
    /// The profile's `auth` section is contradictory or incomplete (e.g. both project id and name).
    #[error("configure authentication: {0}")]
    Config(String),
    /// The request could not be signed (bad x-sdk-date, no host, URL that cannot be rebuilt).
    #[error("sign request: {0}")]
    Sign(String),
    /// A header name or value set while authenticating is not valid in HTTP.
    #[error("set header {header}: the value is not a valid header value")]
    HeaderValue {
        /// Name of the header that could not be set (e.g. `x-auth-token`).
        header: String,
    },
    /// The request to sign could not be read (URL not absolute or not parseable, streaming body).
    #[error("build request: {0}")]
    Request(String),
    /// The IAM token endpoint could not be reached (no HTTP answer).
    #[error("reach iam at {endpoint}: {message}")]
    IamUnreachable {
        /// URL of the IAM token endpoint.
        endpoint: String,
        /// The transport error chain, on one line.
        message: String,
    },
    /// IAM refused the token request (a non-success status).
    #[error("get an iam token: iam answered status {status}, error code {code}")]
    IamRejected {
        /// HTTP status code IAM answered.
        status: u16,
        /// The `error_code` of IAM's error body (empty if it had none).
        code: String,
    },
    /// IAM's success answer is unusable (too large, no `x-subject-token`, bad `expires_at`).
    #[error("get an iam token: {0}")]
    IamResponse(String),
}

/// Why the reference server refuses a signed request (each is a 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The request has no `Authorization` header.
    #[error("no authorization header")]
    MissingAuthorization,
    /// The `Authorization` header is not of the `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` form.
    #[error("authorization header is not `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`")]
    MalformedAuthorization,
    /// The `Access` key in the `Authorization` header is not one the server knows.
    #[error("unknown access key")]
    UnknownAccessKey,
    /// A header the scheme requires (`host`, `x-sdk-date`) is not among the signed headers.
    #[error("required header {header} is not signed")]
    UnsignedRequiredHeader {
        /// Lowercase name of the required header.
        header: &'static str,
    },
    /// A header listed in `SignedHeaders` is absent from the request.
    #[error("signed header {header} is missing from the request")]
    MissingSignedHeader {
        /// Lowercase name of the missing header.
        header: String,
    },
    /// The `x-sdk-date` header is not of the form `yyyymmddThhmmssZ`.
    #[error("x-sdk-date is not of the form yyyymmddThhmmssZ")]
    MalformedDate,
    /// The `x-sdk-date` is farther from the server's clock than the allowed skew.
    #[error("x-sdk-date is {seconds}s away from the server clock, more than the allowed {allowed}s")]
    DateOutOfWindow {
        /// How far the request's date is from the server's clock, in seconds (absolute).
        seconds: i64,
        /// The largest accepted distance, in seconds.
        allowed: i64,
    },
    /// The access key is temporary but the request signs no `x-security-token`.
    #[error("temporary credentials need a signed x-security-token header")]
    MissingSecurityToken,
    /// The `x-security-token` was not issued with this access key.
    #[error("x-security-token does not belong to the access key")]
    SecurityTokenMismatch,
    /// The request declares `UNSIGNED-PAYLOAD` as its body hash, which the server refuses.
    #[error("unsigned payloads are not accepted")]
    UnsignedPayload,
    /// `x-sdk-content-sha256` differs from the SHA-256 of the received body.
    #[error("x-sdk-content-sha256 does not match the body")]
    BodyHashMismatch,
    /// The recomputed signature differs from the one in the `Authorization` header.
    #[error("signature does not match")]
    SignatureMismatch,
}
