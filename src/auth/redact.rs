//! Owns [`Redactor`]: value-based redaction applied at the output boundary (logs, reports, snapshots).
//!
//! The type system keeps [`Secret`]s from printing, but a secret value can still reach output by other
//! roads: echoed in a response body, inside a URL, in a header. The redactor knows the secret values
//! and replaces every occurrence in any string or JSON value by `***`, and replaces the values of
//! headers that carry credentials whatever they hold.

use serde_json::Value;

use super::secret::{REDACTED, Secret};

/// Headers whose values are credentials (lowercase): redacted by name, not by value.
pub const SENSITIVE_HEADERS: &[&str] =
    &["authorization", "x-auth-token", "x-subject-token", "x-security-token", "proxy-authorization", "cookie"];

/// Whether a header carries credentials (case-insensitive).
pub fn is_sensitive_header(name: &str) -> bool {
    SENSITIVE_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// Known secret values, and the pass that removes them from output.
///
/// Every occurrence of every known value is found in the original text first (overlaps included), and
/// each maximal covered span becomes one `***`, so replacing one secret cannot hide or create another.
/// A value is also known in its percent-encoded and JSON-escaped spellings.
///
/// ```
/// use hwconform::auth::{Redactor, Secret};
/// let mut r = Redactor::new();
/// r.add(&Secret::new("s3cr3t"));
/// assert_eq!(r.redact("token=s3cr3t;"), "token=***;");
/// ```
#[derive(Clone, Default)]
pub struct Redactor {
    values: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor").field("values", &self.values.len()).finish()
    }
}

impl Redactor {
    /// A redactor that knows no values yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A redactor that knows these secrets.
    pub fn with_secrets<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Self {
        let mut r = Self::new();
        for s in secrets {
            r.add(s);
        }
        r
    }

    /// Learns a secret.
    pub fn add(&mut self, secret: &Secret) {
        self.add_value(secret.expose());
    }

    /// Learns a sensitive value that is not held as a [`Secret`] (a signature, a token read from a response).
    /// Empty values are ignored: they would match everywhere.
    pub fn add_value(&mut self, value: &str) {
        if value.is_empty() {
            return;
        }
        let encoded = super::canonical::sdk_quote(value);
        let escaped = serde_json::to_string(value).ok().and_then(|q| q.get(1..q.len() - 1).map(str::to_owned));
        for v in [Some(value.to_owned()), Some(encoded), escaped].into_iter().flatten() {
            if !v.is_empty() && !self.values.contains(&v) {
                self.values.push(v);
            }
        }
    }

    /// Whether any value is known.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The text with every known value replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        // Most text holds no secret: answer without the coverage map then.
        if !self.values.iter().any(|v| text.contains(v.as_str())) {
            return text.to_owned();
        }
        let mut covered = vec![false; text.len()];
        let mut any = false;
        for value in &self.values {
            // Restart one character after each hit rather than after its end: overlapping occurrences
            // ("aa" twice in "aaa") must all be covered.
            let mut from = 0;
            while let Some(pos) = text.get(from..).and_then(|t| t.find(value.as_str())) {
                let start = from + pos;
                covered[start..start + value.len()].iter_mut().for_each(|c| *c = true);
                any = true;
                from = start + text[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
        if !any {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut in_span = false;
        for (i, ch) in text.char_indices() {
            if covered[i] {
                if !in_span {
                    out.push_str(REDACTED);
                    in_span = true;
                }
            } else {
                in_span = false;
                out.push(ch);
            }
        }
        out
    }

    /// A header value as it may be shown: `***` for credential headers, otherwise value-redacted.
    pub fn redact_header(&self, name: &str, value: &str) -> String {
        if is_sensitive_header(name) { REDACTED.to_owned() } else { self.redact(value) }
    }

    /// Redacts every string and object key of a JSON value in place (before serialisation, so escaping
    /// cannot hide a value).
    pub fn redact_json(&self, value: &mut Value) {
        match value {
            Value::String(s) => *s = self.redact(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (k, mut v) in entries {
                    if is_sensitive_header(&k) && v.is_string() {
                        v = Value::String(REDACTED.to_owned());
                    }
                    self.redact_json(&mut v);
                    map.insert(self.redact(&k), v);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn redactor(values: &[&str]) -> Redactor {
        let mut r = Redactor::new();
        for v in values {
            r.add_value(v);
        }
        r
    }

    #[test]
    fn replaces_every_occurrence_and_merges_overlaps() {
        let r = redactor(&["abc", "cde"]);
        assert_eq!(r.redact("xabcdey abc"), "x***y ***");
        assert_eq!(redactor(&["aa"]).redact("aaa b"), "*** b");
        assert_eq!(r.redact("nothing here"), "nothing here");
    }

    #[test]
    fn knows_encoded_spellings() {
        let r = redactor(&["p@ss w\"rd"]);
        assert_eq!(r.redact("q=p%40ss%20w%22rd"), "q=***");
        assert_eq!(r.redact(r#"{"p":"p@ss w\"rd"}"#), r#"{"p":"***"}"#);
    }

    #[test]
    fn json_strings_keys_and_credential_headers() {
        let r = redactor(&["tok"]);
        let mut v =
            serde_json::json!({"a": ["xtoky", 1, null], "tok": true, "X-Auth-Token": "other", "n": {"m": "tok"}});
        r.redact_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": ["x***y", 1, null], "***": true, "X-Auth-Token": "***", "n": {"m": "***"}})
        );
        assert_eq!(r.redact_header("Authorization", "SDK-HMAC-SHA256 Access=a"), "***");
        assert_eq!(r.redact_header("Content-Type", "tok/json"), "***/json");
    }

    #[test]
    fn empty_values_are_ignored() {
        let r = redactor(&[""]);
        assert!(r.is_empty());
        assert_eq!(r.redact("abc"), "abc");
    }

    fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
            serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| {
                out.push(k.clone());
                collect_strings(v, out);
            }),
            _ => {}
        }
    }

    // Secrets are drawn without '*': the marker itself is made of '*', so a secret containing it could
    // "reappear" next to a marker without anything leaking.
    proptest! {
        #[test]
        fn no_secret_survives_redaction(
            secrets in proptest::collection::vec("[a-zA-Z0-9 %@\"\\\\/+=:é中-]{1,12}", 1..4),
            fillers in proptest::collection::vec("[a-zA-Z0-9 %@\"\\\\/+=:é中-]{0,12}", 1..6),
        ) {
            let r = redactor(&secrets.iter().map(String::as_str).collect::<Vec<_>>());
            let mut text = String::new();
            for (i, filler) in fillers.iter().enumerate() {
                text.push_str(filler);
                text.push_str(&secrets[i % secrets.len()]);
            }
            let out = r.redact(&text);
            for s in &secrets {
                prop_assert!(!out.contains(s.as_str()), "{s:?} survived in {out:?}");
            }
            let mut json = serde_json::json!({ "body": text.clone(), "list": [text.clone()], text.clone(): 1 });
            r.redact_json(&mut json);
            // Check the values, not the serialised text: JSON punctuation and escapes may spell a "secret"
            // made of punctuation without any secret being there.
            let mut strings = Vec::new();
            collect_strings(&json, &mut strings);
            for s in &secrets {
                prop_assert!(strings.iter().all(|t| !t.contains(s.as_str())), "{s:?} survived in {json}");
            }
        }
    }
}
