//! The compatibility verdict per service family, in the manner of the Kubernetes Gateway API's
//! conformance reports.
//!
//! *Core* is the behaviour the pages fix: a case fails when a finding of strength `failure` says
//! the target broke it. *Extended* is the behaviour the pages leave open: findings of strength
//! `observation`, counted but never failing. The rule, per family:
//!
//! - `failure`: at least one case failed;
//! - `success`: no case failed, none was skipped or could not be tested, and at least one passed;
//! - `partial`: otherwise (nothing failed, but some behaviour was not tested, or nothing was).
//!
//! Cases that could not be tested are not stored in [`FamilyVerdict`] (its fields are part of the
//! `report.json` contract); renderers count them per family with [`family_errors`].

use std::collections::BTreeMap;

use super::{CaseOutcome, CaseResult, FamilyVerdict, Strength, Verdict};

/// One verdict per family named by the cases, sorted by family name.
pub fn family_verdicts(cases: &[CaseResult]) -> Vec<FamilyVerdict> {
    let mut families: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
    for case in cases {
        families.entry(case.family.as_str()).or_default().push(case);
    }
    families.into_iter().map(|(family, cases)| verdict_of(family, &cases)).collect()
}

fn verdict_of(family: &str, cases: &[&CaseResult]) -> FamilyVerdict {
    let count = |outcome: CaseOutcome| cases.iter().filter(|c| c.outcome == outcome).count();
    let (core_passed, core_failed) = (count(CaseOutcome::Passed), count(CaseOutcome::Failed));
    let (skipped, errors) = (count(CaseOutcome::Skipped), count(CaseOutcome::Error));
    let extended_observations =
        cases.iter().flat_map(|c| c.findings.iter()).filter(|f| f.strength == Strength::Observation).count();
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for case in cases.iter().filter(|c| c.outcome == CaseOutcome::Skipped) {
        *reasons.entry(case.skip_reason.as_deref().unwrap_or("no reason given")).or_default() += 1;
    }
    let skip_reasons = reasons
        .into_iter()
        .map(|(reason, n)| format!("{reason} ({n} case{})", if n == 1 { "" } else { "s" }))
        .collect();
    let verdict = if core_failed > 0 {
        Verdict::Failure
    } else if skipped == 0 && errors == 0 && core_passed > 0 {
        Verdict::Success
    } else {
        Verdict::Partial
    };
    FamilyVerdict {
        family: family.to_owned(),
        verdict,
        core_passed,
        core_failed,
        extended_observations,
        skipped,
        skip_reasons,
    }
}

/// How many of `family`'s cases could not be tested.
pub fn family_errors(cases: &[CaseResult], family: &str) -> usize {
    cases.iter().filter(|c| c.family == family && c.outcome == CaseOutcome::Error).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Source;
    use crate::report::FindingRecord;

    fn case(family: &str, outcome: CaseOutcome, observations: usize) -> CaseResult {
        let finding = FindingRecord {
            check: "envelope".into(),
            strength: Strength::Observation,
            message: "m".into(),
            source: Source::new("p", "t", "r"),
            expected: None,
            actual: None,
        };
        CaseResult {
            operation: "op".into(),
            findings: vec![finding; observations],
            skip_reason: (outcome == CaseOutcome::Skipped).then(|| "no fault injection".into()),
            ..CaseResult::blank(&format!("{family}/{outcome:?}"), family, outcome)
        }
    }

    #[test]
    fn success_partial_failure() {
        let cases = vec![
            case("A", CaseOutcome::Passed, 2),
            case("A", CaseOutcome::Passed, 0),
            case("B", CaseOutcome::Passed, 0),
            case("B", CaseOutcome::Skipped, 0),
            case("B", CaseOutcome::Skipped, 0),
            case("C", CaseOutcome::Passed, 0),
            case("C", CaseOutcome::Failed, 1),
            case("D", CaseOutcome::Error, 0),
        ];
        let v = family_verdicts(&cases);
        let got: Vec<_> = v.iter().map(|f| (f.family.as_str(), f.verdict)).collect();
        assert_eq!(
            got,
            vec![("A", Verdict::Success), ("B", Verdict::Partial), ("C", Verdict::Failure), ("D", Verdict::Partial)]
        );
        assert_eq!(v[0].extended_observations, 2, "observations never fail a family");
        assert_eq!(v[1].skip_reasons, vec!["no fault injection (2 cases)".to_owned()]);
        assert_eq!((v[2].core_passed, v[2].core_failed), (1, 1));
        assert_eq!((v[3].core_passed, v[3].core_failed, v[3].skipped), (0, 0, 0), "an error alone is partial");
    }

    #[test]
    fn no_cases_no_families() {
        assert!(family_verdicts(&[]).is_empty());
    }
}
