//! Reads and validates one request against its operation's documented parameters and body schema,
//! returning typed inputs or the error answer the operation's page prescribes.
//!
//! - Path, query and header parameters are checked with the catalogue's compiled parameter schemas
//!   (query values are parsed to integers where the schema says `integer`; anything else is a 400).
//! - A body operation needs `Content-Type: application/json` (415 otherwise), valid UTF-8 JSON,
//!   and a value that passes the request schema. An empty body counts as no body: it is accepted
//!   only where the request schema accepts `{}` (GES v2 add documents no body members, and the
//!   official Python SDK sends it with no body at all).
//! - Breaking a rule answers with the page's documented `invalid_request` example where there is
//!   one (GES.0001 on the export page), else 400 with the server's own `HWC.0400`.

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use serde_json::Value;

use crate::catalogue::{AppliesTo, EnvelopeStyle, Location, Operation, ParamRole};

use super::envelope::{ApiError, OwnCode};

/// The longest path segment the server accepts (longer ids are refused before any lookup).
pub(super) const MAX_SEGMENT: usize = 256;

/// The validated inputs of one request.
#[derive(Debug, Default)]
pub(super) struct Inputs {
    pub path: Vec<(ParamRole, String)>,
    pub query: Vec<(ParamRole, i64)>,
    pub body: Option<Value>,
}

impl Inputs {
    pub(super) fn path(&self, role: ParamRole) -> Option<&str> {
        self.path.iter().find(|(r, _)| *r == role).map(|(_, v)| v.as_str())
    }

    pub(super) fn query(&self, role: ParamRole) -> Option<i64> {
        self.query.iter().find(|(r, _)| *r == role).map(|(_, v)| *v)
    }
}

/// How one operation's requests are checked.
#[derive(Debug, Clone)]
pub(super) struct Validator {
    pub op: Operation,
    pub style: EnvelopeStyle,
    /// Path parameter names in template order.
    pub path_names: Vec<String>,
    /// Whether an absent (empty) body is acceptable.
    pub absent_body_ok: bool,
}

impl Validator {
    pub(super) fn new(op: &Operation) -> Self {
        let path_names = template_names(&op.meta.path);
        let absent_body_ok = op.request.as_ref().is_none_or(|s| s.is_valid(&Value::Object(serde_json::Map::new())));
        Self { op: op.clone(), style: op.meta.error_envelope.style, path_names, absent_body_ok }
    }

    /// The answer for a request that breaks a documented rule.
    pub(super) fn invalid(&self, detail: impl Into<String>) -> ApiError {
        match self.op.meta.error_examples.iter().find(|e| e.applies_to == AppliesTo::InvalidRequest) {
            Some(example) => ApiError::documented(self.style, example),
            None => ApiError::own(self.style, OwnCode::InvalidRequest, detail),
        }
    }

    /// The answer for a request naming a resource that does not exist.
    pub(super) fn unknown(&self, role: ParamRole, what: &str) -> ApiError {
        let documented = self.op.meta.error_examples.iter().find(|e| e.applies_to == AppliesTo::UnknownResource(role));
        match documented {
            Some(example) => ApiError::documented(self.style, example),
            None => ApiError::own(self.style, OwnCode::NotFound, format!("{what} does not exist")),
        }
    }

    /// Checks path values (in template order), the raw query and the headers.
    pub(super) fn parameters(
        &self,
        path: &[String],
        query: Option<&str>,
        headers: &HeaderMap,
    ) -> Result<Inputs, ApiError> {
        let mut inputs = Inputs::default();
        let pairs: Vec<(String, String)> =
            query.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
        for (param, schema) in &self.op.parameters {
            match param.location {
                Location::Path => {
                    let Some(value) = self.path_names.iter().position(|n| *n == param.name).and_then(|i| path.get(i))
                    else {
                        return Err(self.invalid(format!("path parameter {} is missing", param.name)));
                    };
                    if value.len() > MAX_SEGMENT {
                        return Err(
                            self.invalid(format!("path parameter {} is longer than {MAX_SEGMENT} bytes", param.name))
                        );
                    }
                    if let Some(v) = schema.violations(&Value::from(value.as_str())).first() {
                        return Err(self.invalid(format!("path parameter {}: {}", param.name, v.message)));
                    }
                    inputs.path.push((param.role, value.clone()));
                }
                Location::Query => {
                    let mut values = pairs.iter().filter(|(k, _)| *k == param.name).map(|(_, v)| v.as_str());
                    let value = match (values.next(), values.next()) {
                        (Some(_), Some(_)) => {
                            return Err(self.invalid(format!("query parameter {} is given more than once", param.name)));
                        }
                        (Some(v), None) => Some(v),
                        (None, _) => None,
                    };
                    let integer = schema.document.get("type").and_then(Value::as_str) == Some("integer");
                    let parsed = match value {
                        None if param.required => {
                            return Err(self.invalid(format!("query parameter {} is required", param.name)));
                        }
                        None => schema.document.get("default").and_then(Value::as_i64),
                        Some(text) if integer => match text.trim().parse::<i64>() {
                            Ok(n) if text.trim() == text => Some(n),
                            _ => return Err(self.invalid(format!("query parameter {} must be an integer", param.name))),
                        },
                        Some(_) => None,
                    };
                    let instance = match (parsed, value) {
                        (Some(n), _) => Value::from(n),
                        (None, Some(text)) => Value::from(text),
                        (None, None) => continue,
                    };
                    if let Some(v) = schema.violations(&instance).first() {
                        return Err(self.invalid(format!("query parameter {}: {}", param.name, v.message)));
                    }
                    if let Some(n) = parsed {
                        inputs.query.push((param.role, n));
                    }
                }
                // The token itself is checked by the authenticator; other headers by their schema.
                Location::Header if param.role == ParamRole::AuthToken => {}
                Location::Header => match headers.get(param.name.as_str()).map(|v| v.to_str()) {
                    None if param.required => return Err(self.invalid(format!("header {} is required", param.name))),
                    None => {}
                    Some(Err(_)) => return Err(self.invalid(format!("header {} is not visible ASCII", param.name))),
                    Some(Ok(text)) => {
                        if let Some(v) = schema.violations(&Value::from(text)).first() {
                            return Err(self.invalid(format!("header {}: {}", param.name, v.message)));
                        }
                    }
                },
            }
        }
        Ok(inputs)
    }

    /// Checks the body of a body operation: media type, UTF-8, JSON, request schema.
    pub(super) fn body(&self, headers: &HeaderMap, bytes: &Bytes) -> Result<Option<Value>, ApiError> {
        let Some(schema) = &self.op.request else {
            return Ok(None);
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return if self.absent_body_ok { Ok(None) } else { Err(self.invalid("the request body is missing")) };
        }
        let media = self.op.meta.request_body.as_ref().map_or("application/json", |b| b.media_type.as_str());
        if !has_media_type(headers, media) {
            return Err(ApiError::own(
                self.style,
                OwnCode::UnsupportedMediaType,
                format!("the request body must be sent with Content-Type: {media}"),
            ));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| self.invalid("the request body is not valid UTF-8"))?;
        let value: Value =
            serde_json::from_str(text).map_err(|e| self.invalid(format!("the request body is not valid JSON: {e}")))?;
        if let Some(v) = schema.violations(&value).first() {
            let at = if v.instance_path.is_empty() { "/" } else { v.instance_path.as_str() };
            return Err(self.invalid(format!("request body at {at}: {}", v.message)));
        }
        Ok(Some(value))
    }
}

/// Whether the single `Content-Type` header names `media` (parameters such as charset allowed).
fn has_media_type(headers: &HeaderMap, media: &str) -> bool {
    let mut values = headers.get_all(CONTENT_TYPE).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return false;
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(media))
}

/// The `{name}`s of a path template, in order.
pub(super) fn template_names(template: &str) -> Vec<String> {
    template
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_owned)
        .collect()
}

/// The template with its parameters renamed `{p0}`, `{p1}` … so that templates naming the same
/// position differently (`{project_id}` and `{projectId}`) can share one router.
pub(super) fn positional_route(template: &str) -> String {
    let mut n = 0;
    template
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') && seg.ends_with('}') {
                n += 1;
                format!("{{p{}}}", n - 1)
            } else {
                seg.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn templates() {
        assert_eq!(template_names("/v1.0/{projectId}/graphs/{graphId}/backups"), ["projectId", "graphId"]);
        assert_eq!(positional_route("/v1.0/{projectId}/graphs/{graphId}/backups"), "/v1.0/{p0}/graphs/{p1}/backups");
    }

    #[test]
    fn media_types() {
        let mut h = HeaderMap::new();
        assert!(!has_media_type(&h, "application/json"));
        h.insert(CONTENT_TYPE, HeaderValue::from_static("Application/JSON; charset=utf-8"));
        assert!(has_media_type(&h, "application/json"));
        h.append(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        assert!(!has_media_type(&h, "application/json"), "two content types are ambiguous");
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(!has_media_type(&h, "application/json"));
    }
}
