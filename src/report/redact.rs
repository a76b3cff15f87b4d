//! Value-based redaction of a whole report: every occurrence of a secret value (token, AK, SK,
//! signature, password) in any string of the model, map keys included, becomes `***`; the values
//! of credential headers are masked by name too.
//!
//! Applied at the output boundary, before any renderer sees the report, in the manner of Hurl's
//! `util/redacted.rs`. The walk is typed (so enum values and field names can never be damaged);
//! a test appends a secret to every string of the sample report in turn and checks that no
//! rendering keeps it, so a field added later and missed here fails that test. The `auth` layer's
//! `Redactor` can be plugged in through [`redact_report_with`].

use std::collections::BTreeMap;

use super::{CaseResult, DriftRecord, ExchangeRecord, FindingRecord, Report};
use crate::catalogue::Source;

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// Headers whose values are credentials (lowercase): masked by name, whatever they hold.
pub const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "x-auth-token",
    "x-subject-token",
    "x-security-token",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// A copy of `report` with every occurrence of a secret value masked, in every string of the
/// model, and the values of credential headers ([`SENSITIVE_HEADERS`]) masked whatever they hold.
/// A secret is also found in its percent-encoded and JSON-escaped spellings. Empty secrets are
/// ignored. Occurrences are found in the original text (overlaps included) and each maximal
/// covered span becomes one mask, so masking one secret can neither hide nor create another.
pub fn redact_report(report: &Report, secrets: &[&str]) -> Report {
    let values = spellings(secrets);
    redact_report_with(report, |text| mask_spans(text, &values))
}

/// Like [`redact_report`], with any value-based redaction (e.g. the `auth` layer's redactor):
/// `redact` is applied to every string of the model, map keys included.
pub fn redact_report_with(report: &Report, redact: impl Fn(&str) -> String) -> Report {
    let mut out = report.clone();
    Walk { redact: &redact }.report(&mut out);
    out
}

/// Every spelling of every secret worth searching for, longest first, without duplicates.
fn spellings(secrets: &[&str]) -> Vec<String> {
    let mut values = Vec::new();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        values.push((*secret).to_owned());
        values.push(percent_encode(secret));
        if let Ok(quoted) = serde_json::to_string(secret) {
            values.push(quoted.trim_matches('"').to_owned());
        }
    }
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.dedup();
    values
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `text` with each maximal span covered by an occurrence of some value replaced by [`MASK`].
fn mask_spans(text: &str, values: &[String]) -> String {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for value in values {
        let mut from = 0;
        while let Some(pos) = text.get(from..).and_then(|rest| rest.find(value.as_str())) {
            let start = from + pos;
            spans.push((start, start + value.len()));
            // Step one character, so overlapping occurrences are found too.
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if spans.is_empty() {
        return text.to_owned();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    let mut i = 0;
    while i < spans.len() {
        let (start, mut end) = spans[i];
        while i + 1 < spans.len() && spans[i + 1].0 <= end {
            end = end.max(spans[i + 1].1);
            i += 1;
        }
        if start >= cursor {
            out.push_str(&text[cursor..start]);
            out.push_str(MASK);
            cursor = end;
        }
        i += 1;
    }
    out.push_str(&text[cursor..]);
    out
}

struct Walk<'a> {
    redact: &'a dyn Fn(&str) -> String,
}

impl Walk<'_> {
    fn s(&self, value: &mut String) {
        let redacted = (self.redact)(value);
        if redacted != *value {
            *value = redacted;
        }
    }

    fn opt(&self, value: &mut Option<String>) {
        if let Some(v) = value {
            self.s(v);
        }
    }

    fn map(&self, map: &mut BTreeMap<String, String>) {
        let old = std::mem::take(map);
        for (mut k, mut v) in old {
            self.s(&mut k);
            self.s(&mut v);
            map.insert(k, v);
        }
    }

    fn headers(&self, headers: &mut BTreeMap<String, String>) {
        self.map(headers);
        for (name, value) in headers.iter_mut() {
            if SENSITIVE_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                MASK.clone_into(value);
            }
        }
    }

    fn source(&self, s: &mut Source) {
        self.s(&mut s.page);
        self.s(&mut s.table);
        self.s(&mut s.row);
        self.opt(&mut s.note);
    }

    fn report(&self, r: &mut Report) {
        self.s(&mut r.tool.name);
        self.s(&mut r.tool.version);
        self.s(&mut r.started_at);
        self.s(&mut r.target.profile);
        self.map(&mut r.target.endpoints);
        self.s(&mut r.target.auth);
        for f in &mut r.families {
            self.s(&mut f.family);
            f.skip_reasons.iter_mut().for_each(|s| self.s(s));
        }
        for c in &mut r.cases {
            self.case(c);
        }
        for e in &mut r.errata {
            self.s(&mut e.id);
            self.s(&mut e.operation);
            self.s(&mut e.reason);
            self.s(&mut e.decision);
            self.source(&mut e.source);
        }
        if let Some(cov) = &mut r.coverage {
            for row in &mut cov.rows {
                self.s(&mut row.page);
                self.s(&mut row.table);
                self.s(&mut row.row);
            }
        }
    }

    fn case(&self, c: &mut CaseResult) {
        self.s(&mut c.id);
        self.s(&mut c.operation);
        self.s(&mut c.family);
        self.s(&mut c.kind);
        self.s(&mut c.rationale);
        c.findings.iter_mut().for_each(|f| self.finding(f));
        self.opt(&mut c.skip_reason);
        self.opt(&mut c.error);
        c.sources.iter_mut().for_each(|s| self.source(s));
        c.exchanges.iter_mut().for_each(|x| self.exchange(x));
        if let Some(DriftRecord { snapshot, diff }) = &mut c.drift {
            self.s(snapshot);
            self.s(diff);
        }
    }

    fn finding(&self, f: &mut FindingRecord) {
        self.s(&mut f.check);
        self.s(&mut f.message);
        self.source(&mut f.source);
        self.opt(&mut f.expected);
        self.opt(&mut f.actual);
    }

    fn exchange(&self, x: &mut ExchangeRecord) {
        self.s(&mut x.request.method);
        self.s(&mut x.request.url);
        self.headers(&mut x.request.headers);
        self.opt(&mut x.request.body);
        if let Some(resp) = &mut x.response {
            self.headers(&mut resp.headers);
            self.opt(&mut resp.body);
        }
        self.opt(&mut x.error);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn redact(text: &str, secrets: &[&str]) -> String {
        mask_spans(text, &spellings(secrets))
    }

    #[test]
    fn masks_overlaps_once_and_other_spellings() {
        assert_eq!(redact("x abcdef y abc", &["abcdef", "abc"]), "x *** y ***");
        assert_eq!(redact("xabcdx", &["abc", "bcd"]), "x***x", "overlapping secrets are one span");
        assert_eq!(redact("aaaa", &["aa"]), "***");
        assert_eq!(redact("q=a%2Bb%2Fc", &["a+b/c"]), "q=***", "percent-encoded");
        assert_eq!(redact(r#"{"k":"a\"b"}"#, &["a\"b"]), r#"{"k":"***"}"#, "JSON-escaped");
        assert_eq!(redact("ünï✓ secret ✓", &["secret"]), "ünï✓ *** ✓");
        assert_eq!(redact("nothing", &["", "zz"]), "nothing");
    }

    proptest! {
        /// Wherever secrets (any characters but the mask's own) sit in a string, none survives.
        #[test]
        fn no_secret_substring_survives(
            secrets in proptest::collection::vec("[^*]{1,16}", 1..4),
            pieces in proptest::collection::vec(".{0,12}", 0..6),
        ) {
            let mut text = String::new();
            for (i, p) in pieces.iter().enumerate() {
                text.push_str(p);
                text.push_str(&secrets[i % secrets.len()]);
            }
            let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
            let out = redact(&text, &refs);
            for secret in &refs {
                prop_assert!(!out.contains(secret), "{secret:?} survives in {out:?}");
            }
        }
    }
}
