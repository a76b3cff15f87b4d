//! Value-based redaction of a whole report, applied at the output boundary before any renderer
//! sees it (in the manner of Hurl's `util/redacted.rs`): every string of the model, map keys
//! included, goes through the `auth` layer's [`Redactor`] (every occurrence of a secret value, in
//! its plain, percent-encoded and JSON-escaped spellings, becomes `***`), and the values of
//! credential headers are masked by name.
//!
//! The walk is typed, so enum values and field names can never be damaged; a test appends a secret
//! to every string of the sample report in turn and checks that no rendering keeps it, so a field
//! added later and missed here fails that test.

use std::collections::BTreeMap;

use super::{
    CaseResult, CleanupState, DriftRecord, ExchangeRecord, ExpectationRecord, FindingRecord, Provenance, Report,
    ResourceRecord,
};
use crate::auth::{Redactor, is_sensitive_header};
use crate::catalogue::Source;

pub use crate::auth::{REDACTED as MASK, SENSITIVE_HEADERS};

/// A copy of `report` with every occurrence of a secret value masked in every string of the
/// model, and the values of credential headers ([`SENSITIVE_HEADERS`]) masked whatever they hold.
/// Empty secrets are ignored.
pub fn redact_report(report: &Report, secrets: &[&str]) -> Report {
    let mut redactor = Redactor::new();
    for s in secrets {
        redactor.add_value(s);
    }
    redact_report_with(report, &redactor)
}

/// Like [`redact_report`], with a redactor the caller already holds (the run's, which knows the
/// token, AK/SK and the signatures it made).
pub fn redact_report_with(report: &Report, redactor: &Redactor) -> Report {
    let mut out = report.clone();
    Walk { redactor }.report(&mut out);
    out
}

struct Walk<'a> {
    redactor: &'a Redactor,
}

impl Walk<'_> {
    fn s(&self, value: &mut String) {
        let redacted = self.redactor.redact(value);
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
        let old = std::mem::take(headers);
        for (name, value) in old {
            let shown = if is_sensitive_header(&name) { MASK.to_owned() } else { self.redactor.redact(&value) };
            headers.insert(self.redactor.redact(&name), shown);
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
        for c in &mut r.created_resources {
            self.s(&mut c.case);
            self.s(&mut c.method);
            self.s(&mut c.url);
            self.map(&mut c.ids);
        }
        r.resources.iter_mut().for_each(|x| self.resource(x));
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
        if let Some(e) = &mut c.expectation {
            self.expectation(e);
        }
        for w in &mut c.waits {
            self.s(&mut w.what);
            self.opt(&mut w.settled);
        }
    }

    fn resource(&self, r: &mut ResourceRecord) {
        self.s(&mut r.kind);
        self.s(&mut r.id);
        self.opt(&mut r.operation);
        match &mut r.provenance {
            Provenance::Profile { setting: s }
            | Provenance::Discovered { how: s }
            | Provenance::Created { case: s } => {
                self.s(s);
            }
        }
        match &mut r.cleanup {
            Some(
                CleanupState::Deleted { how: s }
                | CleanupState::Accepted { how: s }
                | CleanupState::Left { reason: s }
                | CleanupState::NotRemovable { reason: s },
            ) => self.s(s),
            None => {}
        }
    }

    fn expectation(&self, e: &mut ExpectationRecord) {
        for step in &mut e.steps {
            self.s(&mut step.step);
            self.s(&mut step.description);
            self.opt(&mut step.schema);
            self.opt(&mut step.envelope);
            self.opt(&mut step.error_code);
        }
        self.opt(&mut e.relation);
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
            self.opt(&mut resp.body_sha256);
        }
        self.opt(&mut x.error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CaseOutcome, RequestRecord};

    #[test]
    fn masks_values_and_credential_headers() {
        let mut report: Report = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "tool": {"name": "hwconform", "version": "0"}, "started_at": "t",
            "target": {"profile": "p", "endpoints": {}, "auth": "token", "fault_injection": false, "reference_server": false},
            "summary": {"total": 0, "passed": 0, "failed": 0, "skipped": 0, "drift": 0}, "cases": []
        }))
        .unwrap();
        report.cases.push(CaseResult {
            kind: "auth".into(),
            rationale: "sent s3cr3t and a%2Bb".into(),
            exchanges: vec![ExchangeRecord {
                request: RequestRecord {
                    method: "GET".into(),
                    url: "u?k=s3cr3t".into(),
                    headers: [("Cookie".to_owned(), "anything".to_owned()), ("x-s3cr3t".to_owned(), "v".to_owned())]
                        .into(),
                    body: None,
                },
                response: None,
                error: None,
                transport_error: None,
                retries: 0,
                duration_ms: 0,
            }],
            ..CaseResult::blank("c", "f", CaseOutcome::Passed)
        });
        let out = redact_report(&report, &["s3cr3t", "a+b", ""]);
        let c = &out.cases[0];
        assert_eq!(c.rationale, "sent *** and ***");
        assert_eq!(c.exchanges[0].request.url, "u?k=***");
        let headers: Vec<_> = c.exchanges[0].request.headers.iter().collect();
        assert_eq!(headers, vec![(&"Cookie".to_owned(), &"***".to_owned()), (&"x-***".to_owned(), &"v".to_owned())]);
        let mut expected = report.clone();
        expected.cases[0].exchanges[0].request.headers.insert("Cookie".into(), "***".into());
        assert_eq!(redact_report(&report, &[]), expected, "without secrets only credential headers change");
    }
}
