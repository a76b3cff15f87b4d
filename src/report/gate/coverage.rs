//! Coverage of the documentation: which table rows of `fixtures/rows.json` at least one case
//! exercised, judged by the sources the cases (and their findings) cite.
//!
//! A case's own sources say what it sets out to exercise: one matches a row when page, table and
//! row are equal, and one whose row is `*` cites the whole table and so covers each of its rows.
//! A finding's source counts only when it names a row: findings fall back to citing a whole table
//! (`Status Codes · *` for an undocumented status), and that must not mark the table's 5xx rows
//! as exercised when no case provoked them.

use std::collections::BTreeSet;

use super::{CaseResult, Coverage, RowCoverage};
use crate::catalogue::{Catalogue, Source};

/// Every documented row with the number of cases citing it, in the order of `fixtures/rows.json`.
pub fn coverage(catalogue: &Catalogue, cases: &[CaseResult]) -> Coverage {
    let cited: Vec<BTreeSet<(&str, &str, &str)>> = cases.iter().map(cited_by).collect();
    let mut rows = Vec::new();
    for page in catalogue.rows() {
        for table in &page.tables {
            for row in &table.rows {
                let key = (page.page.as_str(), table.table.as_str(), row.as_str());
                let whole = (page.page.as_str(), table.table.as_str(), "*");
                let n = cited.iter().filter(|c| c.contains(&key) || c.contains(&whole)).count();
                rows.push(RowCoverage {
                    page: page.page.clone(),
                    table: table.table.clone(),
                    row: row.clone(),
                    cases: n,
                });
            }
        }
    }
    Coverage { rows }
}

/// `(covered, total)` rows of a coverage.
pub fn coverage_counts(coverage: &Coverage) -> (usize, usize) {
    (coverage.rows.iter().filter(|r| r.cases > 0).count(), coverage.rows.len())
}

fn cited_by(case: &CaseResult) -> BTreeSet<(&str, &str, &str)> {
    let named_rows = case.findings.iter().map(|f| &f.source).filter(|s| s.row != "*");
    case.sources.iter().chain(named_rows).map(key).collect()
}

fn key(s: &Source) -> (&str, &str, &str) {
    (s.page.as_str(), s.table.as_str(), s.row.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::CaseOutcome;

    fn case(sources: Vec<Source>) -> CaseResult {
        CaseResult { sources, ..CaseResult::blank("c", "GES v2", CaseOutcome::Passed) }
    }

    #[test]
    fn counts_rows_cited_by_cases_and_whole_tables() {
        let cat = Catalogue::builtin().unwrap();
        let page = &cat.rows()[0];
        let table = &page.tables[0];
        let other = &page.tables[1];
        let one = Source::new(&page.page, &table.table, &table.rows[0]);
        let whole = Source::new(&page.page, &other.table, "*");
        let cov = coverage(&cat, &[case(vec![one.clone()]), case(vec![one, whole])]);
        let total: usize = cat.rows().iter().flat_map(|p| &p.tables).map(|t| t.rows.len()).sum();
        assert_eq!(cov.rows.len(), total);
        let find = |t: &str, r: &str| cov.rows.iter().find(|x| x.page == page.page && x.table == t && x.row == r);
        assert_eq!(find(&table.table, &table.rows[0]).unwrap().cases, 2);
        for r in &other.rows {
            assert_eq!(find(&other.table, r).unwrap().cases, 1, "{r} is covered by the whole-table citation");
        }
        let (covered, all) = coverage_counts(&cov);
        assert_eq!((covered, all), (1 + other.rows.len(), total));
    }

    #[test]
    fn a_finding_citing_a_whole_table_covers_none_of_its_rows() {
        let cat = Catalogue::builtin().unwrap();
        let page = &cat.rows()[0];
        let table = &page.tables[0];
        let mut c = case(vec![]);
        c.findings.push(crate::report::FindingRecord {
            check: "status".into(),
            strength: crate::report::Strength::Observation,
            message: "m".into(),
            source: Source::new(&page.page, &table.table, "*"),
            expected: None,
            actual: None,
        });
        assert_eq!(coverage_counts(&coverage(&cat, std::slice::from_ref(&c))).0, 0);
        c.findings[0].source.row.clone_from(&table.rows[0]);
        assert_eq!(coverage_counts(&coverage(&cat, &[c])).0, 1, "a finding naming a row covers it");
    }

    #[test]
    fn nothing_cited_nothing_covered() {
        let cat = Catalogue::builtin().unwrap();
        let cov = coverage(&cat, &[]);
        assert_eq!(coverage_counts(&cov).0, 0);
    }
}
