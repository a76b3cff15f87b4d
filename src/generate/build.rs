//! The entry point of case generation: walks every operation of the catalogue and asks each
//! generator (single-request cases, pagination, flows) for its cases. Nothing here names an
//! operation: a new folder under `schemas/` yields cases with no Rust.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::case::{Case, Expectation};
use super::request::Context;
use super::resources::Resolver;
use super::{probes, single, stateful};
use crate::catalogue::Catalogue;

/// Every case of the catalogue, sorted by id, ids unique.
pub fn generate(catalogue: &Catalogue) -> Vec<Case> {
    let ctx = Context {
        catalogue,
        operations: catalogue.operations().iter().cloned().map(Arc::new).collect(),
        resolver: Resolver::new(catalogue),
    };
    let mut cases = Vec::new();
    for op in &ctx.operations {
        cases.extend(single::cases(&ctx, op));
        cases.extend(probes::cases(&ctx, op));
        cases.extend(stateful::pagination(&ctx, op));
        cases.extend(stateful::flows(&ctx, op));
        cases.extend(stateful::deletes(&ctx, op));
    }
    let trackers: Vec<Arc<super::Tracker>> = super::resources::trackers(catalogue).into_iter().map(Arc::new).collect();
    for case in &mut cases {
        add_sources(&ctx, case);
        super::resources::plan_waits(&trackers, case);
    }
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    let mut seen = BTreeSet::new();
    for case in &mut cases {
        let mut n = 1;
        let base = case.id.clone();
        while !seen.insert(case.id.clone()) {
            n += 1;
            case.id = super::CaseId::new(format!("{base}-{n}").split('/'));
        }
    }
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    cases
}

/// Adds to a case's own sources (its rule first) every row its checks rest on: the path
/// parameters it fills, the success response's members, or the status-code rows and envelope
/// members of the errors it accepts. Coverage of the documented rows is computed from these.
fn add_sources(ctx: &Context<'_>, case: &mut Case) {
    let mut extra = Vec::new();
    for step in &case.steps {
        let op = &step.operation;
        for (name, _) in &step.request.path {
            extra.extend(op.meta.parameters.iter().filter(|p| &p.name == name).map(|p| p.source.clone()));
        }
        for (name, _) in &step.request.query {
            extra.extend(op.meta.parameters.iter().filter(|p| &p.name == name).map(|p| p.source.clone()));
        }
        match &step.expect {
            Expectation::Success => {
                extra.extend(
                    op.meta
                        .status_codes
                        .iter()
                        .filter(|s| s.status == op.meta.success_status)
                        .map(|s| s.source.clone()),
                );
                if let Some(schema) = op.response_schema(op.meta.success_status) {
                    extra.extend(ctx.resolver.sources(schema));
                }
            }
            Expectation::Error { documented, .. } => {
                let allowed =
                    |status: u16| documented.as_ref().map_or((400..500).contains(&status), |d| d.status == status);
                extra.extend(op.meta.status_codes.iter().filter(|s| allowed(s.status)).map(|s| s.source.clone()));
                extra.push(op.meta.error_envelope.source.clone());
                extra.extend(ctx.resolver.sources(&op.envelope));
            }
        }
    }
    for source in extra {
        if !case.sources.contains(&source) {
            case.sources.push(source);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::CaseKind;

    fn cases() -> Vec<Case> {
        generate(&Catalogue::builtin().unwrap())
    }

    #[test]
    fn every_operation_yields_cases_of_every_single_request_kind() {
        let cases = cases();
        for op in Catalogue::builtin().unwrap().operations() {
            let of_op: Vec<&Case> = cases.iter().filter(|c| c.operation == op.meta.id.as_str()).collect();
            assert!(!of_op.is_empty(), "{} yields no case", op.meta.id);
            for kind in [CaseKind::Positive, CaseKind::Auth] {
                assert!(of_op.iter().any(|c| c.kind == kind), "{} has no {kind} case", op.meta.id);
            }
        }
    }

    #[test]
    fn ids_are_unique_sorted_and_render_three_ways() {
        let cases = cases();
        let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        let c = cases.iter().find(|c| c.id.as_str() == "ges.v2.add_backup/auth/missing_token").expect("auth case");
        assert_eq!(c.id.trial_name(), "ges.v2.add_backup::auth::missing_token");
        assert_eq!(c.id.snapshot_file("reference"), "ges.v2.add_backup__auth__missing_token@reference.snap");
        let p = c.id.project_id();
        assert!(p.len() <= 64 && p.chars().all(|c| c.is_ascii_alphanumeric()), "{p}");
    }

    #[test]
    fn the_issue_s_named_cases_exist() {
        let cases = cases();
        let has = |id: &str| cases.iter().any(|c| c.id.as_str() == id);
        for id in [
            "geminidb.v3.create_backup/violation/name/min_length/len_3",
            "geminidb.v3.create_backup/positive/name/min_length/len_4",
            "geminidb.v3.create_backup/positive/name/max_length/len_64",
            "geminidb.v3.create_backup/violation/name/max_length/len_65",
            "geminidb.v3.create_backup/positive/description/max_length/len_256",
            "geminidb.v3.create_backup/violation/description/max_length/len_257",
            "geminidb.v3.create_backup/violation/name/first_char/starts_1",
            "geminidb.v3.create_backup/violation/description/forbidden_chars/has_0x3e",
            "ges.v2.add_backup/violation/path.project_id/max_length/len_65",
            "ges.v2.add_backup/violation/path.project_id/allowed_chars/has_0x2d",
            "ges.v1.list_backups/violation/query.limit/type/text",
            "ges.v1.list_backups/violation/query.offset/type/fraction",
            "ges.v2.add_backup/not_found/graph_id",
            "ges.v1.add_backup/not_found/graphId",
            "ges.v2.export_backup/not_found/backup_id",
            "geminidb.v3.create_backup/not_found/instance_id",
            "ges.v1.list_backups/pagination/walk_all",
            "ges.v1.list_backups/pagination/default_limit",
            "ges.v2.add_backup/flow/create",
            "ges.v1.add_backup/flow/create",
            "geminidb.v3.create_backup/flow/create",
            "ges.v2.export_backup/malformed/invalid_json",
            "ges.v1.list_backups/fault/internal",
        ] {
            assert!(has(id), "missing {id}");
        }
        let v2 = cases.iter().find(|c| c.id.as_str() == "ges.v2.add_backup/not_found/graph_id").unwrap();
        match &v2.steps[0].expect {
            Expectation::Error { documented: Some(d), .. } => {
                assert_eq!((d.status, d.code.as_str()), (404, "GES.0047"));
            }
            other => panic!("{other:?}"),
        }
        let flow = cases.iter().find(|c| c.id.as_str() == "ges.v2.add_backup/flow/create").unwrap();
        let labels: Vec<&str> = flow.steps.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["list_before", "create", "list", "use"]);
    }

    #[test]
    fn a_new_operation_folder_yields_cases_with_no_rust() {
        use crate::catalogue::FileSet;
        let mut files = FileSet::embedded();
        let copies: Vec<(String, String)> = files
            .paths()
            .filter(|p| p.contains("/ges.v2.export_backup/"))
            .map(|p| {
                let text = files.get(p).unwrap().replace("ges.v2.export_backup", "ges.v9.export_backup");
                (p.replace("ges.v2.export_backup", "ges.v9.export_backup"), text.replace("/v2/", "/v9/"))
            })
            .collect();
        for (path, text) in copies {
            files.insert(path, text);
        }
        let catalogue = Catalogue::load(&files).unwrap();
        let cases = generate(&catalogue);
        let kinds: BTreeSet<CaseKind> =
            cases.iter().filter(|c| c.operation == "ges.v9.export_backup").map(|c| c.kind).collect();
        for kind in [CaseKind::Positive, CaseKind::Violation, CaseKind::Auth, CaseKind::NotFound, CaseKind::Malformed] {
            assert!(kinds.contains(&kind), "the new operation has no {kind} case: {kinds:?}");
        }
    }
}
