//! Authentication: secrets that never print, value-based redaction, `SDK-HMAC-SHA256` AK/SK signing and
//! its verification, and the strategies (token, AK/SK, IAM password) the executor applies to each request.

mod canonical;
mod error;
mod iam;
mod redact;
mod request;
mod secret;
mod signer;
mod spec;
mod strategy;
mod verify;

pub use canonical::{EMPTY_SHA256, canonical_query, canonical_uri, query_pairs, sdk_quote};
pub use error::{AuthError, SignatureError};
pub use iam::{DEFAULT_RENEW_BEFORE, IamConfig, IamPasswordAuth, IamScope};
pub use redact::{Redactor, SENSITIVE_HEADERS, is_sensitive_header};
pub use request::RequestParts;
pub use secret::{REDACTED, Secret};
pub use signer::{
    ALGORITHM, AccessKeyId, AkSkCredentials, DATE_FORMAT, HEADER_CONTENT_SHA256, HEADER_PROJECT_ID, HEADER_SDK_DATE,
    HEADER_SECURITY_TOKEN, SigningTrace, UNSIGNED_PAYLOAD, canonical_request, parse_sdk_date, payload_hash, sign,
    signature, string_to_sign,
};
pub use spec::{AuthSpec, DEFAULT_IAM_PASSWORD_ENV};
pub use strategy::{AkSkAuth, AkSkEnvNames, Auth, HEADER_AUTH_TOKEN, NoAuth, TokenAuth, WRONG_SK, WRONG_TOKEN};
pub use verify::{DEFAULT_CLOCK_SKEW, KeyStore, Verifier};
