//! Owns the canonical forms of `SDK-HMAC-SHA256`: URI, query, headers and payload hash, exactly as the
//! official Python SDK's `huaweicloudsdkcore/signer/signer.py` builds them.
//!
//! - Encoding is Python's `quote(s, safe='~')`: every UTF-8 byte except `A-Z a-z 0-9 - . _ ~` becomes `%XX`
//!   (uppercase hex).
//! - URI: the path is percent-decoded, split on `/`, each segment encoded, rejoined, and a `/` appended
//!   when it does not already end in one (so `%2F` in a path is signed as a separator, like the SDK).
//! - Query: pairs are decoded, sorted by (key, value) on the decoded strings, encoded, joined with `&`.
//!   A `+` in a received query decodes to a space, as the server's query parser reads it; clients signed by
//!   this module or the SDK never send a raw `+` (the wire query is rewritten to the canonical one).
//! - Headers: every header whose name has no `_` is signed, lowercase, sorted; values are trimmed; several
//!   values of one header are joined with `,` (the SDK keeps one value per name, so it never produces them).
//! - Payload: the SHA-256 of the empty string for an empty body, else the `X-Sdk-Content-Sha256` header's
//!   value when present (`UNSIGNED-PAYLOAD` for non-JSON content types), else the hex SHA-256 of the body.

use http::HeaderMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

/// Bytes Python's `quote(s, safe='~')` leaves alone: ALPHA, DIGIT and `-._~`.
const SDK_ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Hex SHA-256 of the empty string: the payload hash of a request without a body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Percent-encodes like the SDK's `_url_encode` (RFC 3986 unreserved characters kept).
pub fn sdk_quote(s: &str) -> String {
    utf8_percent_encode(s, SDK_ENCODE).to_string()
}

/// Percent-decodes like Python's `unquote` (invalid escapes kept, invalid UTF-8 replaced by U+FFFD).
fn decode(s: &str, plus_as_space: bool) -> String {
    if plus_as_space && s.contains('+') {
        let spaced = s.replace('+', " ");
        return percent_decode_str(&spaced).decode_utf8_lossy().into_owned();
    }
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The canonical URI of a (percent-encoded) request path.
pub fn canonical_uri(path: &str) -> String {
    let decoded = decode(path, false);
    let mut uri = decoded.split('/').map(sdk_quote).collect::<Vec<_>>().join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The decoded `(key, value)` pairs of a raw query string; a key without `=` has an empty value.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| match segment.split_once('=') {
            Some((k, v)) => (decode(k, true), decode(v, true)),
            None => (decode(segment, true), String::new()),
        })
        .collect()
}

/// The canonical query string of decoded pairs (also what goes on the wire after signing).
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut sorted = pairs.to_vec();
    sorted.sort();
    sorted.iter().map(|(k, v)| format!("{}={}", sdk_quote(k), sdk_quote(v))).collect::<Vec<_>>().join("&")
}

/// The names the SDK signs: every header without `_` in its name, lowercase, sorted.
pub(super) fn signed_header_names(headers: &HeaderMap) -> Vec<String> {
    let mut names: Vec<String> =
        headers.keys().map(|k| k.as_str().to_ascii_lowercase()).filter(|k| !k.contains('_')).collect();
    names.sort();
    names.dedup();
    names
}

/// A header's value as signed: UTF-8 (lossy), trimmed, several values joined with `,`. `None` if absent.
pub(super) fn header_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<String> =
        headers.get_all(name).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned()).collect();
    if values.is_empty() { None } else { Some(values.join(",")) }
}

/// `name:value\n` for each signed header, in the given order; `Err(name)` names a signed header that is absent.
pub(super) fn canonical_headers(headers: &HeaderMap, signed: &[String]) -> Result<String, String> {
    let mut out = String::new();
    for name in signed {
        let value = header_value(headers, name).ok_or_else(|| name.clone())?;
        out.push_str(name);
        out.push(':');
        out.push_str(&value);
        out.push('\n');
    }
    Ok(out)
}

/// Hex SHA-256 of bytes.
pub(super) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_matches_python() {
        assert_eq!(sdk_quote("a b/c~d-e_f.g"), "a%20b%2Fc~d-e_f.g");
        assert_eq!(sdk_quote("图"), "%E5%9B%BE");
        assert_eq!(sdk_quote("!*'()"), "%21%2A%27%28%29");
    }

    #[test]
    fn uri_decodes_then_encodes_segments_and_adds_trailing_slash() {
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/a%20b/c"), "/a%20b/c/");
        assert_eq!(canonical_uri("/a%2Fb/"), "/a/b/");
        assert_eq!(canonical_uri("/x+y/%zz"), "/x%2By/%25zz/");
    }

    #[test]
    fn query_is_decoded_sorted_and_reencoded() {
        let pairs = query_pairs("b=2&a=x+y&a=%2B&flag&&c=%E5%9B%BE");
        assert_eq!(canonical_query(&pairs), "a=%2B&a=x%20y&b=2&c=%E5%9B%BE&flag=");
        assert_eq!(canonical_query(&query_pairs("")), "");
    }

    #[test]
    fn headers_signed_lowercase_sorted_without_underscores() {
        let mut h = HeaderMap::new();
        h.insert("X-B", " two ".parse().unwrap());
        h.insert("a_b", "x".parse().unwrap());
        h.append("x-a", "1".parse().unwrap());
        h.append("x-a", "2".parse().unwrap());
        let names = signed_header_names(&h);
        assert_eq!(names, ["x-a", "x-b"]);
        assert_eq!(canonical_headers(&h, &names).unwrap(), "x-a:1,2\nx-b:two\n");
        assert_eq!(canonical_headers(&h, &["host".into()]).unwrap_err(), "host");
    }
}
