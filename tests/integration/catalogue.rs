//! Tests of the catalogue (`schemas/` and `fixtures/`): every schema is valid 2020-12 and compiles,
//! every corrected example validates, every documented rule rejects a mutated example naming its
//! member, every erratum is proven against the raw text, and every documented table row is traced.

use std::collections::BTreeSet;

use hwconform::catalogue::{
    Catalogue, CompiledSchema, ErratumKind, FileSet, Operation, RuleKind, Verdict, rules::apply,
};
use serde_json::Value;

fn catalogue() -> Catalogue {
    Catalogue::builtin().expect("the built-in catalogue loads")
}

#[test]
fn loads_five_operations_and_three_companions() {
    let cat = catalogue();
    let ids = |companion: bool| -> Vec<&str> {
        cat.operations().iter().filter(|o| o.meta.companion == companion).map(|o| o.id().as_str()).collect()
    };
    assert_eq!(
        ids(false),
        [
            "geminidb.v3.create_backup",
            "ges.v1.add_backup",
            "ges.v1.list_backups",
            "ges.v2.add_backup",
            "ges.v2.export_backup"
        ]
    );
    assert_eq!(ids(true), ["geminidb.v3.delete_backup", "ges.v1.delete_backup", "ges.v2.delete_backup"]);
    assert!(cat.operations().iter().filter(|o| o.meta.companion).all(|o| o.meta.method == "DELETE"));
}

#[test]
fn every_schema_file_passes_the_meta_schema() {
    let files = FileSet::embedded();
    let mut checked = 0;
    for path in files.paths().filter(|p| p.starts_with("schemas/") && p.ends_with(".schema.json")) {
        let doc = files.json(path).expect("schema file is JSON");
        assert_eq!(
            doc.get("$schema").and_then(Value::as_str),
            Some("https://json-schema.org/draft/2020-12/schema"),
            "{path} declares draft 2020-12"
        );
        if let Err(e) = jsonschema::meta::validate(&doc) {
            panic!("{path} breaks the meta-schema: {e}");
        }
        checked += 1;
    }
    assert!(checked >= 11, "expected every schema file to be checked, got {checked}");
    // Parameter schemas live inside operation.json; they are checked the same way.
    for op in catalogue().operations() {
        for (p, compiled) in &op.parameters {
            jsonschema::meta::validate(&compiled.document)
                .unwrap_or_else(|e| panic!("{} parameter {}: {e}", op.id(), p.name));
        }
    }
}

#[test]
fn a_broken_schema_is_refused_with_its_file_name() {
    let mut files = FileSet::embedded();
    let path = "schemas/ges.v2.export_backup/request.schema.json";
    let mut doc = files.json(path).unwrap();
    doc["properties"]["backup_id"]["type"] = Value::from("no-such-type");
    files.insert(path, doc.to_string());
    let err = Catalogue::load(&files).expect_err("an invalid type keyword must not compile").to_string();
    assert!(err.contains(path), "error names the file: {err}");
}

/// The schema a documented example is an instance of.
fn schema_for<'a>(op: &'a Operation, example: &str) -> Option<&'a CompiledSchema> {
    if example == "request" {
        return op.request.as_ref();
    }
    let status: u16 = example.strip_prefix("response.")?.parse().ok()?;
    op.response_schema(status)
}

#[test]
fn every_corrected_example_validates() {
    let cat = catalogue();
    let mut validated = 0;
    for op in cat.operations() {
        for ex in op.examples.iter().filter(|e| e.body.is_some()) {
            let Some(schema) = schema_for(op, &ex.meta.name) else {
                // A body shown for a status no table documents is an erratum, checked below.
                assert!(!ex.meta.errata.is_empty(), "{} {} has a schema or an erratum", op.id(), ex.meta.name);
                continue;
            };
            let body = ex.body.as_ref().unwrap();
            let violations = schema.violations(body);
            assert!(violations.is_empty(), "{} {}: {violations:#?}", op.id(), ex.meta.name);
            validated += 1;
        }
    }
    // 12 of the five seed pages, 4 of the companion pages (v2 delete's 200 example has no schema: E8).
    assert_eq!(validated, 16, "every corrected example with a body is validated");
}

#[test]
fn error_examples_name_codes_that_their_example_bodies_carry() {
    for op in catalogue().operations() {
        let (code_field, msg_field) = op.meta.error_envelope.style.fields();
        for e in &op.meta.error_examples {
            let ex = op.example(&e.example).expect("error example exists");
            let body = ex.body.as_ref().expect("error example has a body");
            assert_eq!(body[code_field], Value::from(e.code.as_str()), "{} {}", op.id(), e.code);
            assert_eq!(body[msg_field], Value::from(e.message.as_str()), "{} {}", op.id(), e.code);
            assert!(op.envelope.is_valid(body), "{} {} fits the envelope", op.id(), e.code);
            assert_eq!(ex.meta.status, Some(e.status));
        }
    }
}

/// A valid instance for every schema the catalogue uses, with the schema: corrected examples for
/// bodies, and a sample value for each parameter.
fn instances(op: &Operation) -> Vec<(String, &CompiledSchema, Value)> {
    let mut out = Vec::new();
    for ex in op.examples.iter().filter(|e| e.body.is_some()) {
        if let Some(schema) = schema_for(op, &ex.meta.name) {
            out.push((format!("{} {}", op.id(), ex.meta.name), schema, ex.body.clone().unwrap()));
        }
        let status = ex.meta.status.unwrap_or_default();
        if status >= 400 {
            out.push((format!("{} {} (envelope)", op.id(), ex.meta.name), &op.envelope, ex.body.clone().unwrap()));
        }
    }
    for (p, schema) in &op.parameters {
        let sample = match p.schema.get("type").and_then(Value::as_str) {
            Some("integer") => Value::from(5),
            _ => Value::from("abc123"),
        };
        out.push((format!("{} parameter {}", op.id(), p.name), schema, sample));
    }
    out
}

#[test]
fn every_rule_rejects_a_mutated_example_naming_its_member() {
    let cat = catalogue();
    let mut rules_seen = BTreeSet::new();
    let mut rejected = BTreeSet::new();
    for op in cat.operations() {
        for (what, schema, instance) in instances(op) {
            assert!(schema.is_valid(&instance), "{what}: the unmutated instance is valid");
            for rule in cat.rules(&schema.document) {
                let key = format!("{} {} {:?}", schema.file, rule.pointer, rule.kind);
                let sample = instance.pointer(&rule.pointer).cloned();
                if sample.is_none() && rule.kind != RuleKind::Required {
                    continue; // an optional member this example does not carry
                }
                rules_seen.insert(key.clone());
                // An open probe's verdict is the target's to choose (the page leaves the class open).
                for probe in rule.probes(sample.as_ref()).into_iter().filter(|p| p.verdict != Verdict::Open) {
                    let mut mutated = instance.clone();
                    if !apply(&mut mutated, &rule.pointer, probe.value.as_ref()) {
                        continue;
                    }
                    let violations = schema.violations(&mutated);
                    if probe.valid() {
                        assert!(
                            !violations.iter().any(|v| v.instance_path == rule.pointer),
                            "{what}: probe {} ({}) should be accepted: {violations:#?}",
                            probe.label,
                            probe.rationale
                        );
                        continue;
                    }
                    let named = violations.iter().any(|v| {
                        if rule.kind == RuleKind::Required {
                            v.keyword == "required" && v.message.contains(&rule.field)
                        } else {
                            v.instance_path == rule.pointer
                        }
                    });
                    assert!(
                        named,
                        "{what}: probe {} ({}) is rejected naming {}: {violations:#?}",
                        probe.label, probe.rationale, rule.pointer
                    );
                    rejected.insert(key.clone());
                }
            }
        }
    }
    let missing: Vec<_> = rules_seen.difference(&rejected).collect();
    assert!(missing.is_empty(), "rules without a rejected mutation: {missing:#?}");
    assert!(rejected.len() >= 60, "expected the full rule set, got {}", rejected.len());
}

#[test]
fn character_rules_and_patterns_agree() {
    // x-charset is the data the generator reads; pattern is what validators enforce. They must
    // say the same thing on a spread of characters.
    let cat = catalogue();
    let probe_chars: Vec<char> = ('!'..='~').chain([' ', 'é', '中']).collect();
    let mut checked = 0;
    for (_, file, doc) in cat.documents() {
        let mut nodes = Vec::new();
        collect_charset_nodes(doc, &mut nodes);
        for node in nodes {
            let pattern = node["pattern"].as_str().unwrap_or_else(|| panic!("{file}: x-charset without pattern"));
            let re = regex::Regex::new(pattern).unwrap();
            let cs = &node["x-charset"];
            let list = |k: &str| -> Vec<String> {
                cs.get(k)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default()
            };
            for c in &probe_chars {
                let in_class = |classes: &[String]| hwconform::catalogue::rules::char_in(*c, classes);
                let body_ok = if cs.get("allowed").is_some() {
                    in_class(&list("allowed"))
                } else {
                    !in_class(&list("forbidden"))
                };
                let first_ok = if cs.get("first").is_some() { in_class(&list("first")) } else { body_ok };
                let middle: String = format!("{}{c}", if cs.get("first").is_some() { "A" } else { "" });
                assert_eq!(re.is_match(&middle), body_ok, "{file}: {c:?} inside");
                assert_eq!(re.is_match(&c.to_string()), first_ok && body_ok, "{file}: {c:?} first");
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}

fn collect_charset_nodes<'a>(node: &'a Value, out: &mut Vec<&'a Value>) {
    match node {
        Value::Object(map) => {
            if map.contains_key("x-charset") {
                out.push(node);
            }
            map.values().for_each(|v| collect_charset_nodes(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_charset_nodes(v, out)),
        _ => {}
    }
}

/// Removes commas that directly precede a closing bracket: the one repair needed to read E2's
/// raw text as JSON so that E3 can be shown on it.
fn without_trailing_commas(raw: &str) -> String {
    let re = regex::Regex::new(r",(\s*[}\]])").unwrap();
    re.replace_all(raw, "$1").into_owned()
}

#[test]
fn every_erratum_is_real() {
    let cat = catalogue();
    assert!(cat.errata().len() >= 5);
    for e in cat.errata() {
        let op = cat.operation(e.operation.as_str()).unwrap();
        let ex = op.example(&e.example).unwrap();
        assert!(ex.meta.errata.contains(&e.id), "{}: the example {} lists it", e.id, e.example);
        match e.kind {
            ErratumKind::InvalidJson => {
                assert!(serde_json::from_str::<Value>(&ex.raw).is_err(), "{}: the raw text is not JSON", e.id);
                assert!(ex.body.is_some(), "{}: a corrected body ships", e.id);
            }
            ErratumKind::ViolatesSchema => {
                let v = e.violates.as_ref().expect("violates names the member");
                let raw: Value =
                    serde_json::from_str(&without_trailing_commas(&ex.raw)).expect("raw is JSON once repaired");
                let schema = schema_for(op, &e.example).unwrap();
                let violations = schema.violations(&raw);
                assert!(
                    violations.iter().any(|x| x.instance_path == v.pointer && x.keyword == v.keyword),
                    "{}: raw breaks {} {}: {violations:#?}",
                    e.id,
                    v.pointer,
                    v.keyword
                );
                assert!(schema.is_valid(ex.body.as_ref().unwrap()), "{}: corrected body is valid", e.id);
            }
            ErratumKind::PageExceedsLimit => {
                let pg = op.meta.pagination.as_ref().expect("operation pages");
                let request = op.example("request").unwrap();
                let limit: usize = request.meta.query.as_ref().unwrap()[&pg.limit].parse().unwrap();
                assert!(
                    request.raw.contains(&format!("{}={limit}", pg.limit)),
                    "{}: limit is in the raw request",
                    e.id
                );
                let raw: Value = serde_json::from_str(&ex.raw).unwrap();
                let corrected = ex.body.as_ref().unwrap();
                let items = |v: &Value| v[&pg.items].as_array().map(Vec::len).unwrap();
                assert!(items(&raw) > limit, "{}: raw page of {} exceeds limit {limit}", e.id, items(&raw));
                assert!(items(corrected) <= limit, "{}: corrected page fits", e.id);
                assert_eq!(raw[&pg.total], corrected[&pg.total], "{}: the total is unchanged", e.id);
            }
            ErratumKind::SdkDisagrees => {
                let sdk = e.sdk.as_ref().expect("names the SDK model");
                let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sdk/evidence.json");
                let evidence: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
                let model = evidence["models"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["package"] == sdk.package.as_str() && m["model"] == sdk.model.as_str())
                    .unwrap_or_else(|| panic!("{}: evidence for {}", e.id, sdk.model));
                let members: Vec<&str> =
                    model["json_members"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
                assert!(!members.contains(&sdk.member.as_str()), "{}: the SDK does not read {}", e.id, sdk.member);
                if let Some(other) = &sdk.sdk_member {
                    assert!(members.contains(&other.as_str()), "{}: the SDK reads {other}", e.id);
                }
                let documented = cat.rules(&schema_for(op, &e.example).unwrap().document);
                assert!(
                    documented.iter().any(|r| r.field == sdk.member && r.kind == RuleKind::Required),
                    "{}: the page's table documents {}",
                    e.id,
                    sdk.member
                );
                assert!(ex.body.as_ref().unwrap().to_string().contains(&format!("\"{}\"", sdk.member)));
            }
            ErratumKind::UndocumentedResponse => {
                let status = ex.meta.status.expect("a response example");
                let page = cat.rows().iter().find(|p| p.operation == e.operation).unwrap();
                let label = format!("Status code: {status}");
                assert!(page.tables.iter().all(|t| t.table != label), "{}: no response table for {status}", e.id);
                assert!(
                    op.meta.status_codes.iter().any(|s| s.status == status) || status == op.meta.success_status,
                    "{}: the status code table lists it, or it is the success status",
                    e.id
                );
                assert!(serde_json::from_str::<Value>(&ex.raw).is_ok());
            }
        }
    }
}

#[test]
fn every_documented_table_row_is_traced() {
    let cat = catalogue();
    let cited: BTreeSet<(String, String, String)> =
        cat.sources().into_iter().map(|s| (s.page, s.table, s.row)).collect();
    let mut rows = 0;
    let mut missing = Vec::new();
    for page in cat.rows() {
        assert!(cat.operation(page.operation.as_str()).is_some(), "{} names an operation", page.page);
        for table in &page.tables {
            for row in &table.rows {
                rows += 1;
                if !cited.contains(&(page.page.clone(), table.table.clone(), row.clone())) {
                    missing.push(format!("{} · {} · {row}", page.page, table.table));
                }
            }
        }
    }
    assert!(missing.is_empty(), "rows not in the catalogue: {missing:#?}");
    // 77 rows of the five seed pages, 29 of the three companion pages.
    assert_eq!(rows, 106, "the row inventory changed: update this count deliberately");
}

#[test]
fn every_citation_of_a_listed_table_names_a_listed_row() {
    let cat = catalogue();
    for s in cat.sources() {
        let Some(page) = cat.rows().iter().find(|p| p.page == s.page) else { panic!("{s}: unknown page") };
        if let Some(table) = page.tables.iter().find(|t| t.table == s.table) {
            assert!(s.row == "*" || table.rows.contains(&s.row), "{s}: no such row");
        }
    }
}

#[test]
fn traceability_fails_when_a_row_is_dropped() {
    // The traceability check is only worth something if removing a member's schema is noticed.
    let mut files = FileSet::embedded();
    let path = "schemas/ges.v2.export_backup/request.schema.json";
    let mut doc = files.json(path).unwrap();
    doc["properties"].as_object_mut().unwrap().remove("export_path");
    doc["required"] = serde_json::json!(["backup_id"]);
    files.insert(path, doc.to_string());
    let cat = Catalogue::load(&files).unwrap();
    let cited: BTreeSet<_> = cat.sources().into_iter().map(|s| (s.table, s.row)).collect();
    assert!(!cited.contains(&("Table 3 Request body parameters".to_owned(), "export_path".to_owned())));
}
