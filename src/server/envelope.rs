//! Error answers in the operation's documented envelope (`error_code`/`error_msg` or
//! `errorCode`/`errorMessage`), and the server's own codes where a page names none.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::catalogue::{EnvelopeStyle, ErrorExample};

/// Codes of the reference server's own, for situations the pages give no code for.
///
/// They follow the `SERVICE.NNNN` shape of the documented codes with the prefix `HWC` and the
/// HTTP status as the number, so a client can never mistake them for a documented code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnCode {
    /// A parameter or body member breaks its documented rule, or the body is not JSON.
    InvalidRequest,
    /// Missing, unknown or ambiguous credentials.
    Unauthorized,
    /// An unknown route or resource.
    NotFound,
    /// A documented path with a method it does not take.
    MethodNotAllowed,
    /// A body over the server's size limit.
    PayloadTooLarge,
    /// A body operation called without `Content-Type: application/json`.
    UnsupportedMediaType,
    /// The server holds as many projects as it will.
    TooManyProjects,
    /// An injected internal fault on an operation whose page documents none.
    Internal,
    /// The resource's state does not allow the request (a backup still `backing_up` exported or
    /// deleted, a second backup of a graph started while one is in progress). Answered 400, the
    /// status the pages list for a request the service cannot carry out ("Request error.").
    Conflict,
}

impl OwnCode {
    /// The server's own error code for it (`HWC.0400`), used where no page names one.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "HWC.0400",
            Self::Unauthorized => "HWC.0401",
            Self::NotFound => "HWC.0404",
            Self::MethodNotAllowed => "HWC.0405",
            Self::PayloadTooLarge => "HWC.0413",
            Self::UnsupportedMediaType => "HWC.0415",
            Self::TooManyProjects => "HWC.0429",
            Self::Internal => "HWC.0500",
            Self::Conflict => "HWC.0409",
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::InvalidRequest | Self::Conflict => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyProjects => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error answer: status, code and message, rendered in one envelope style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The error code (a documented one, or the server's own `HWC.*`).
    pub code: String,
    /// The error message.
    pub message: String,
    /// The envelope's member names (`error_code`/`error_msg` or `errorCode`/`errorMessage`).
    pub style: EnvelopeStyle,
}

impl ApiError {
    /// An answer with one of the server's own codes.
    pub fn own(style: EnvelopeStyle, code: OwnCode, message: impl Into<String>) -> Self {
        Self { status: code.status(), code: code.as_str().to_owned(), message: message.into(), style }
    }

    /// The documented error example, as the page prints it.
    pub fn documented(style: EnvelopeStyle, example: &ErrorExample) -> Self {
        Self {
            status: StatusCode::from_u16(example.status).unwrap_or(StatusCode::BAD_REQUEST),
            code: example.code.clone(),
            message: example.message.clone(),
            style,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let (code, msg) = self.style.fields();
        let mut map = Map::new();
        map.insert(code.to_owned(), Value::from(self.code.as_str()));
        map.insert(msg.to_owned(), Value::from(self.message.as_str()));
        Value::Object(map)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_codes_carry_their_status() {
        for code in [
            OwnCode::InvalidRequest,
            OwnCode::Unauthorized,
            OwnCode::NotFound,
            OwnCode::MethodNotAllowed,
            OwnCode::PayloadTooLarge,
            OwnCode::UnsupportedMediaType,
            OwnCode::TooManyProjects,
            OwnCode::Internal,
        ] {
            assert_eq!(code.as_str(), format!("HWC.0{}", code.status().as_u16()));
        }
        // A conflict keeps HTTP's meaning in its code, but answers with a status the pages list.
        assert_eq!((OwnCode::Conflict.as_str(), OwnCode::Conflict.status()), ("HWC.0409", StatusCode::BAD_REQUEST));
    }

    #[test]
    fn envelope_follows_the_style() {
        let e = ApiError::own(EnvelopeStyle::Camel, OwnCode::NotFound, "no");
        assert_eq!(e.body(), serde_json::json!({"errorCode": "HWC.0404", "errorMessage": "no"}));
        let e = ApiError::own(EnvelopeStyle::Snake, OwnCode::NotFound, "no");
        assert_eq!(e.body(), serde_json::json!({"error_code": "HWC.0404", "error_msg": "no"}));
    }
}
