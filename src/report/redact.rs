//! Value-based redaction of a whole report: every occurrence of a secret value (token, AK, SK,
//! signature, password) in any string of the model, map keys included, becomes `***`.
//!
//! Applied at the output boundary, before any renderer sees the report, in the manner of Hurl's
//! `util/redacted.rs`. The walk is typed (so enum values and field names can never be damaged);
//! a test appends a secret to every string of the sample report in turn and checks that no
//! rendering keeps it, so a field added later and missed here fails that test.

use std::collections::BTreeMap;

use super::{CaseResult, DriftRecord, ExchangeRecord, FindingRecord, Report};
use crate::catalogue::Source;

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// A copy of `report` with every secret value replaced by [`MASK`]. Empty secrets are ignored;
/// longer secrets are replaced first, so a secret containing another is masked whole.
pub fn redact_report(report: &Report, secrets: &[&str]) -> Report {
    let mut secrets: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    let mut out = report.clone();
    if secrets.is_empty() {
        return out;
    }
    let r = Redactor { secrets };
    r.walk_report(&mut out);
    out
}

struct Redactor<'a> {
    secrets: Vec<&'a str>,
}

impl Redactor<'_> {
    fn s(&self, value: &mut String) {
        for secret in &self.secrets {
            if value.contains(secret) {
                *value = value.replace(secret, MASK);
            }
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

    fn source(&self, s: &mut Source) {
        self.s(&mut s.page);
        self.s(&mut s.table);
        self.s(&mut s.row);
        self.opt(&mut s.note);
    }

    fn walk_report(&self, r: &mut Report) {
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
        self.map(&mut x.request.headers);
        self.opt(&mut x.request.body);
        if let Some(resp) = &mut x.response {
            self.map(&mut resp.headers);
            self.opt(&mut resp.body);
        }
        self.opt(&mut x.error);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

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
            let mut r = Redactor { secrets: refs.clone() };
            r.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
            let mut v = text;
            r.s(&mut v);
            for secret in &refs {
                prop_assert!(!v.contains(secret), "{secret:?} survives in {v:?}");
            }
        }
    }

    #[test]
    fn masks_longest_first_and_ignores_empty() {
        let mut r = Redactor { secrets: vec!["abcdef", "abc"] };
        r.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let mut v = "x abcdef y abc".to_owned();
        r.s(&mut v);
        assert_eq!(v, "x *** y ***");
        let mut m = BTreeMap::from([("k-abc".to_owned(), "v".to_owned())]);
        r.map(&mut m);
        assert!(m.contains_key("k-***"));
    }
}
