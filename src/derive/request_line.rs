//! Request lines (`POST /v1.0/{project_id}/graphs`, `GET https://{Endpoint}/v3/…?offset={offset}`,
//! `DELETE** **https://Endpoint/v1.0/\{project\_id\}/…`): markup removed, scheme and host
//! stripped, the path template split from its query part. The request line decides where a
//! parameter goes: path parameters are exactly its `{…}` segments, query parameters its query part.

/// One member of the query part of a request line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct QueryPart {
    pub name: String,
    /// The value as written: `Some("start")` for `action_id=start`, `None` for `offset={offset}`
    /// or a bare `name`.
    pub fixed: Option<String>,
}

/// A request line read: method, path template (no query), and its query part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RequestLine {
    pub method: String,
    pub path: String,
    pub query: Vec<QueryPart>,
    /// The line was written with a scheme and host (an example rather than a template).
    pub has_host: bool,
    /// The line with markup removed, host kept (as an example shows it).
    pub text: String,
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"];

/// Removes Markdown left in a line: backslash escapes, bold markers, and emphasis underscores
/// around a placeholder (`_\{offset\}_` → `{offset}`).
pub(super) fn strip_markup(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(char::is_ascii_punctuation) => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '*' => {}
            _ => out.push(c),
        }
    }
    out.replace("_{", "{").replace("}_", "}")
}

/// The placeholder names of a path template, in order.
pub(super) fn placeholders(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        names.push(rest[open + 1..open + close].trim().to_owned());
        rest = &rest[open + close + 1..];
    }
    names
}

fn placeholder(value: &str) -> bool {
    value.starts_with('{') && value.ends_with('}')
}

/// Reads `line` as a request line; `None` when it is not one (prose, a heading …).
pub(super) fn parse_request_line(line: &str) -> Option<RequestLine> {
    let text = strip_markup(line.trim());
    let method = METHODS
        .iter()
        .find(|m| text.strip_prefix(**m).is_some_and(|rest| rest.starts_with(|c: char| c.is_whitespace())))?;
    let target = text[method.len()..].trim();
    if target.contains(char::is_whitespace) {
        return None;
    }
    let (has_host, path_and_query) = match target.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") => {
            (true, rest.find('/').map_or("/", |i| &rest[i..]))
        }
        None if target.starts_with('/') => (false, target),
        Some(_) | None => return None,
    };
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let query = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => {
                QueryPart { name: k.to_owned(), fixed: (!placeholder(v) && !v.is_empty()).then(|| v.to_owned()) }
            }
            None => QueryPart { name: kv.to_owned(), fixed: None },
        })
        .collect();
    Some(RequestLine { method: (*method).to_owned(), path: path.to_owned(), query, has_host, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_host_escapes_and_emphasis_are_stripped() {
        let l = parse_request_line(
            "GET /v1.0/\\{project\\_id\\}/graphs/metadatas?offset=_\\{offset\\}_&limit=_\\{limit\\}_",
        )
        .expect("a request line");
        assert_eq!(l.path, "/v1.0/{project_id}/graphs/metadatas");
        assert_eq!(
            l.query,
            vec![QueryPart { name: "offset".into(), fixed: None }, QueryPart { name: "limit".into(), fixed: None }]
        );
        let l = parse_request_line("GET https://{Endpoint}/v3/{project_id}/backups").expect("a request line");
        assert_eq!((l.method.as_str(), l.path.as_str(), l.has_host), ("GET", "/v3/{project_id}/backups", true));
        let l =
            parse_request_line("DELETE** **https://Endpoint/v1.0/\\{project\\_id\\}/graphs/\\{graph\\_id\\}?keep=true")
                .expect("a request line");
        assert_eq!(l.path, "/v1.0/{project_id}/graphs/{graph_id}");
        assert_eq!(l.query, vec![QueryPart { name: "keep".into(), fixed: Some("true".into()) }]);
        assert_eq!(placeholders(&l.path), vec!["project_id", "graph_id"]);
    }

    #[test]
    fn prose_is_not_a_request_line() {
        assert!(parse_request_line("GET requests return a list.").is_none());
        assert!(parse_request_line("POST").is_none());
        assert!(parse_request_line("Getting started").is_none());
    }
}
