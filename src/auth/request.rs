//! Owns [`RequestParts`]: the plain description of an HTTP request that signing and verification work on.
//!
//! Both sides can produce it: the client from a `reqwest::Request` (or directly), the server from the
//! `http::request::Parts` and collected body axum hands it. The URI may be absolute (client) or
//! origin-form (server); the host for signing comes from the `Host` header, else from the URI.

use http::header::HOST;
use http::{HeaderMap, Method, Uri};

use super::error::AuthError;

/// Method, URI, headers and body bytes of one request.
#[derive(Clone, Debug)]
pub struct RequestParts {
    /// The HTTP method.
    pub method: Method,
    /// The full request URI (scheme, host, path, query).
    pub uri: Uri,
    /// The request headers, including those signing adds.
    pub headers: HeaderMap,
    /// The whole body, as signed (empty for none).
    pub body: Vec<u8>,
}

impl RequestParts {
    /// A request with no headers and an empty body.
    pub fn new(method: Method, uri: Uri) -> Self {
        Self { method, uri, headers: HeaderMap::new(), body: Vec::new() }
    }

    /// Parses `url` (absolute or origin-form; characters outside URIs must already be percent-encoded).
    pub fn parse(method: Method, url: &str) -> Result<Self, AuthError> {
        let uri = url.parse::<Uri>().map_err(|e| AuthError::Request(format!("invalid url {url:?}: {e}")))?;
        Ok(Self::new(method, uri))
    }

    /// Sets the body.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The host to sign: the `Host` header if present, else the URI's authority (`host[:port]`).
    pub fn host(&self) -> Option<String> {
        match self.headers.get(HOST) {
            Some(v) => Some(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            None => self.uri.authority().map(|a| a.as_str().to_owned()),
        }
    }

    /// The path (`/` when the URI has none).
    pub fn path(&self) -> &str {
        match self.uri.path() {
            "" => "/",
            p => p,
        }
    }

    /// Copies what a server received: the request head (axum's `Request::into_parts`) and the collected body.
    pub fn from_http(head: &http::request::Parts, body: &[u8]) -> Self {
        Self { method: head.method.clone(), uri: head.uri.clone(), headers: head.headers.clone(), body: body.to_vec() }
    }

    /// Copies a built `reqwest::Request` (its body must be in memory, not a stream).
    pub fn from_reqwest(req: &reqwest::Request) -> Result<Self, AuthError> {
        let uri = req.url().as_str().parse::<Uri>().map_err(|e| AuthError::Request(format!("invalid url: {e}")))?;
        let body = match req.body() {
            None => Vec::new(),
            Some(b) => {
                b.as_bytes().ok_or_else(|| AuthError::Request("a streaming body cannot be signed".into()))?.to_vec()
            }
        };
        Ok(Self { method: req.method().clone(), uri, headers: req.headers().clone(), body })
    }

    /// Builds a `reqwest::Request` that sends exactly these parts (the URI must be absolute).
    pub fn into_reqwest(self, client: &reqwest::Client) -> Result<reqwest::Request, AuthError> {
        if self.uri.scheme().is_none() {
            return Err(AuthError::Request(format!("url {} is not absolute", self.uri)));
        }
        client
            .request(self.method, self.uri.to_string())
            .headers(self.headers)
            .body(self.body)
            .build()
            .map_err(|e| AuthError::Request(e.without_url().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_prefers_the_header() {
        let mut p = RequestParts::parse(Method::GET, "https://a.example:8443/x").unwrap();
        assert_eq!(p.host().as_deref(), Some("a.example:8443"));
        p.headers.insert(HOST, "b.example".parse().unwrap());
        assert_eq!(p.host().as_deref(), Some("b.example"));
        assert_eq!(RequestParts::parse(Method::GET, "/only/path").unwrap().host(), None);
    }

    #[test]
    fn round_trips_through_reqwest() {
        let client = reqwest::Client::new();
        let mut p = RequestParts::parse(Method::POST, "http://127.0.0.1:1/a%20b?x=%2B").unwrap().with_body("{}");
        p.headers.insert("x-k", "v".parse().unwrap());
        let req = p.clone().into_reqwest(&client).unwrap();
        let back = RequestParts::from_reqwest(&req).unwrap();
        assert_eq!(back.uri, p.uri);
        assert_eq!(back.body, b"{}");
        assert_eq!(back.headers.get("x-k").unwrap(), "v");
        let relative = RequestParts::parse(Method::GET, "/x").unwrap().into_reqwest(&client).unwrap_err();
        assert!(relative.to_string().contains("not absolute"));
    }

    #[test]
    fn from_http_copies_the_head_and_body() {
        let (head, ()) = http::Request::post("/a?b=c").header("host", "h").body(()).unwrap().into_parts();
        let p = RequestParts::from_http(&head, b"x");
        assert_eq!(
            (p.method.clone(), p.uri.to_string(), p.host(), p.body.clone()),
            (Method::POST, "/a?b=c".into(), Some("h".into()), b"x".to_vec())
        );
    }

    #[test]
    fn bad_url_is_a_one_line_error() {
        let e = RequestParts::parse(Method::GET, "http://a b").unwrap_err().to_string();
        assert!(e.starts_with("build request: invalid url") && !e.contains('\n'), "{e}");
    }
}
