//! Tests of `hwconform derive`: the three page formats (pages written for the tests under
//! `tests/pages/`), each constraint phrase family, warnings, the overlay, errata and `--check`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hwconform::derive::{Derived, Overlay, derive_files};
use serde_json::{Value, json};

fn pages_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pages")
}

fn page(name: &str) -> PathBuf {
    pages_dir().join(name)
}

fn overlay() -> Overlay {
    Overlay::from_file(&page("overlay.json")).expect("the test overlay parses")
}

fn derive_pages(names: &[&str], overlay: &Overlay) -> Derived {
    let paths: Vec<PathBuf> = names.iter().map(|n| page(n)).collect();
    derive_files(&paths, overlay).expect("the test pages derive")
}

fn file<'a>(d: &'a Derived, path: &str) -> &'a Value {
    d.json.get(path).unwrap_or_else(|| panic!("{path} derived; have {:?}", d.json.keys().collect::<Vec<_>>()))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hwconform-derive-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn hwconform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hwconform")).args(args).output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn pipe_page_gives_every_constraint_phrase_family() {
    let d = derive_pages(&["pipe_snapshot.txt"], &overlay());
    let body = file(&d, "schemas/vol.v2.create_snapshot/request.schema.json");
    let label = &body["properties"]["label"];
    // "3 to 40 characters", "must start with a letter", "can contain only letters, digits, and underscores (_)".
    assert_eq!(label["minLength"], 3);
    assert_eq!(label["maxLength"], 40);
    assert_eq!(label["pattern"], "^[A-Za-z][A-Za-z0-9_]*$");
    assert_eq!(label["x-charset"], json!({"first": ["letter"], "allowed": ["letter", "digit", "_"]}));
    assert_eq!(label["x-case-sensitive"], true);
    assert_eq!(
        label["x-source"],
        json!({"page": "pipe_snapshot.txt", "table": "Request Parameters (2)", "row": "label"})
    );
    // "a maximum of 128 characters", "cannot contain the following special characters: <>&;".
    let note = &body["properties"]["note"];
    assert_eq!(note["maxLength"], 128);
    assert_eq!(note["x-charset"], json!({"forbidden": ["<", ">", "&", ";"]}));
    assert_eq!(note["pattern"], "^[^<>&;]*$");
    // "ranges from 1 to 30", "The default value is 7".
    let retention = &body["properties"]["retention"];
    assert_eq!((retention["minimum"].clone(), retention["maximum"].clone()), (json!(1), json!(30)));
    assert_eq!(retention["default"], 7);
    assert_eq!(body["required"], json!(["label"]));
    // "up to 32 characters. Only letters and digits are allowed." on a path parameter.
    let op = file(&d, "schemas/vol.v2.create_snapshot/operation.json");
    assert_eq!(
        op["parameters"][0]["schema"],
        json!({"type": "string", "maxLength": 32, "pattern": "^[A-Za-z0-9]*$", "x-charset": {"allowed": ["letter", "digit"]}})
    );
    // Enumeration given as bullets.
    let response = file(&d, "schemas/vol.v2.create_snapshot/response.200.schema.json");
    assert_eq!(response["properties"]["state"]["enum"], json!(["creating", "ready"]));
    assert_eq!(op["method"], "POST");
    assert_eq!(op["path"], "/v2/{project_id}/volumes/{volume_id}/snapshots");
    assert_eq!(op["doc_version"], "1.2.0");
    assert_eq!(op["error_envelope"]["style"], "snake");
    assert_eq!(op["status_codes"].as_array().map(Vec::len), Some(2));
}

#[test]
fn cell_page_behind_navigation_noise() {
    let d = derive_pages(&["cells_list.txt"], &overlay());
    let op = file(&d, "schemas/snap.v1.list_snapshots/operation.json");
    assert_eq!(op["doc_version"], "2.0.1");
    assert_eq!(op["method"], "GET");
    let limit = &op["parameters"][1];
    assert_eq!((limit["name"].clone(), limit["in"].clone()), (json!("limit"), json!("query")));
    assert_eq!(limit["schema"], json!({"type": "integer", "default": 20}));
    let response = file(&d, "schemas/snap.v1.list_snapshots/response.200.schema.json");
    // "may be left blank" → optional, nullable, annotated.
    assert_eq!(response["properties"]["errorCode"]["type"], json!(["string", "null"]));
    assert_eq!(response["properties"]["errorCode"]["x-may-be-blank"], true);
    assert_eq!(response["required"], json!(["total", "snapshots"]));
    assert_eq!(response["properties"]["snapshots"]["items"], json!({"$ref": "snapshot.schema.json"}));
    // "The value can be auto or manual."
    let item = file(&d, "schemas/snap.v1.list_snapshots/snapshot.schema.json");
    assert_eq!(item["properties"]["kind"]["enum"], json!(["auto", "manual"]));
    // The menu before the title, the cookie banner and the feedback widget are not content.
    let rows = file(&d, "fixtures/rows.json");
    let tables: Vec<&str> =
        rows["pages"][0]["tables"].as_array().into_iter().flatten().filter_map(|t| t["table"].as_str()).collect();
    assert_eq!(
        tables,
        vec![
            "Table 1 URI parameters",
            "Table 2 Query parameters",
            "Table 3 Request header parameter",
            "Table 4 Response body parameters",
            "Table 5 snapshot",
            "Status Code"
        ]
    );
    assert_eq!(rows["pages"][0]["tables"][5]["rows"], json!(["200", "400"]));
}

#[test]
fn chinese_markdown_page_with_html_tables() {
    let d = derive_pages(&["markdown_cn.md"], &overlay());
    let op = file(&d, "schemas/snap.v1.create_snapshot/operation.json");
    assert_eq!(op["path"], "/v1.0/{projectId}/volumes/{volumeId}/snapshots");
    assert_eq!(op["doc_version"], "1.0.0");
    assert_eq!(op["parameters"][0]["required"], true, "是 is mandatory");
    assert_eq!(op["parameters"][0]["source"]["table"], "表1 URI参数说明");
    let statuses: Vec<u64> =
        op["status_codes"].as_array().into_iter().flatten().filter_map(|s| s["status"].as_u64()).collect();
    assert_eq!(statuses, vec![200, 400, 404]);
    assert_eq!(op["status_codes"][0]["source"]["row"], "正常 200");
    let body = file(&d, "schemas/snap.v1.create_snapshot/request.schema.json");
    // 最大长度为32 · 只能包含字母、数字和下划线(_) · 必须以字母开头 · 不能包含以下特殊字符：<>
    assert_eq!(body["properties"]["name"]["maxLength"], 32);
    assert_eq!(body["properties"]["name"]["pattern"], "^[A-Za-z][A-Za-z0-9_]*$");
    assert_eq!(body["properties"]["remark"]["x-charset"], json!({"forbidden": ["<", ">"]}));
    assert_eq!(body["required"], json!(["name"]), "否 is optional");
    let response = file(&d, "schemas/snap.v1.create_snapshot/response.200.schema.json");
    assert_eq!(response["properties"]["errorMessage"]["x-may-be-blank"], true, "字段可能为空");
    assert_eq!(file(&d, "fixtures/examples/snap.v1.create_snapshot/request.json"), &json!({"name": "daily_1"}));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn truncated_page_warns_naming_page_and_row() {
    let d = derive_pages(&["truncated.txt"], &Overlay::default());
    let shown: Vec<String> = d.warnings.iter().map(ToString::to_string).collect();
    assert!(
        shown.contains(
            &"warning: truncated.txt · URI · key: the table ends in an incomplete row: the page looks truncated (line 18)"
                .to_owned()
        ),
        "{shown:#?}"
    );
    let op = d.json.iter().find(|(p, _)| p.ends_with("operation.json")).map(|(_, v)| v).expect("an operation");
    assert_eq!(
        op["parameters"][1]["schema"],
        json!({"x-unread": ["unknown type `Str`"]}),
        "the cut-off member is left unconstrained, and marked so"
    );
}

#[test]
fn uninterpretable_sentence_is_a_warning_not_a_guess() {
    let d = derive_pages(&["cells_list.txt"], &overlay());
    let warning = d.warnings.iter().find(|w| w.row == "X-Auth-Token").expect("a warning on the header row");
    assert_eq!(warning.page, "cells_list.txt");
    assert_eq!(warning.table, "Table 3 Request header parameter");
    assert!(warning.message.contains("It must be unique per project."), "{warning}");
    let op = file(&d, "schemas/snap.v1.list_snapshots/operation.json");
    assert_eq!(
        op["parameters"][3]["schema"],
        json!({"type": "string", "x-unread": ["It must be unique per project."]})
    );
}

#[test]
fn page_without_tables_is_a_one_line_error() {
    let out = hwconform(&["derive", page("no_tables.txt").to_str().unwrap_or_default()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: failed to derive: no_tables.txt: no tables found (is this a documentation page?)\n"
    );
}

#[test]
fn unreadable_page_is_a_one_line_error() {
    let missing = page("does_not_exist.txt");
    let out = hwconform(&["derive", missing.to_str().unwrap_or_default()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: failed to derive: ") && err.contains("does_not_exist.txt: cannot read"), "{err}");
}

#[test]
fn overlay_supplies_identity_decisions_and_patches() {
    let with = derive_pages(&["pipe_snapshot.txt", "cells_list.txt"], &overlay());
    let response = file(&with, "schemas/vol.v2.create_snapshot/response.200.schema.json");
    assert_eq!(response["properties"]["snapshot_id"]["x-resource"], "snapshot");
    let errata = file(&with, "fixtures/errata.json");
    assert_eq!(errata["errata"][0]["id"], "E1");
    assert_eq!(errata["errata"][0]["kind"], "invalid_json");
    assert_eq!(errata["errata"][0]["decision"], "The corrected fixture adds it.");
    assert_eq!(errata["errata"][1]["kind"], "page_exceeds_limit");
    // The corrected body: the missing comma repaired, then the overlay's correction applied.
    assert_eq!(
        file(&with, "fixtures/examples/vol.v2.create_snapshot/response.200.json"),
        &json!({"snapshot_id": "snap-001", "state": "creating"})
    );
    let list = file(&with, "fixtures/examples/snap.v1.list_snapshots/response.200.json");
    assert_eq!(list["snapshots"].as_array().map(Vec::len), Some(1));
    let op = file(&with, "schemas/vol.v2.create_snapshot/operation.json");
    assert_eq!(op["examples"][1]["errata"], json!(["E1"]));
    assert_eq!(op["error_examples"][0]["applies_to"], "invalid_request");
    assert_eq!(op["parameters"][0]["role"], "project");

    // Without the overlay the same contradictions are found, but named provisionally and warned
    // about: the provisional id is made of version, method, path and doc version, so two pages of
    // different operations never share one.
    let without = derive_pages(&["pipe_snapshot.txt"], &Overlay::default());
    assert!(without.json.contains_key("schemas/v2.post.project_id_volumes_volume_id_snapshots@1.2.0/operation.json"));
    assert!(
        without
            .warnings
            .iter()
            .any(|w| w.message.starts_with("erratum D1 (invalid_json, response.200) has no decision"))
    );
    assert!(without.warnings.iter().any(|w| w.row == "project_id" && w.message.contains("no role")));
}

#[test]
fn overlay_entries_without_reason_are_rejected() {
    let text = r#"{"operations": [{"page": "p", "id": "a.b", "title": "t", "service": "s", "family": "f", "mutating": false, "reason": ""}]}"#;
    let err = Overlay::from_str("bad.json", text).expect_err("no reason");
    assert_eq!(err.to_string(), "overlay bad.json: operation a.b has no reason");
}

#[test]
fn check_passes_on_its_own_output_and_fails_on_a_changed_page() {
    let dir = scratch("check");
    let overlay_path = page("overlay.json");
    let overlay_arg = overlay_path.to_str().unwrap_or_default();
    let out_dir = dir.join("catalogue");
    let snapshot = page("pipe_snapshot.txt");
    let written = hwconform(&[
        "derive",
        "--overlay",
        overlay_arg,
        "--out",
        out_dir.to_str().unwrap_or_default(),
        snapshot.to_str().unwrap_or_default(),
    ]);
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    let schemas = out_dir.join("schemas");
    let schemas_arg = schemas.to_str().unwrap_or_default();
    let clean = hwconform(&[
        "derive",
        "--check",
        "--overlay",
        overlay_arg,
        "--schemas",
        schemas_arg,
        snapshot.to_str().unwrap_or_default(),
    ]);
    assert_eq!(clean.status.code(), Some(0), "{}{}", text(&clean.stdout), text(&clean.stderr));

    // The page now allows longer labels: the contract drifted.
    let changed = dir.join("pipe_snapshot.txt");
    let original = std::fs::read_to_string(&snapshot).expect("page");
    std::fs::write(&changed, original.replace("3 to 40 characters", "3 to 64 characters")).expect("write");
    let drift = hwconform(&[
        "derive",
        "--check",
        "--overlay",
        overlay_arg,
        "--schemas",
        schemas_arg,
        changed.to_str().unwrap_or_default(),
    ]);
    assert_eq!(drift.status.code(), Some(1));
    let report = text(&drift.stdout);
    assert!(report.contains("== vol.v2.create_snapshot"), "{report}");
    assert!(report.contains("schemas/vol.v2.create_snapshot/request.schema.json"), "{report}");
    assert!(report.contains("~ /properties/label/maxLength: committed 40, the pages give 64"), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn derived_output_is_a_loadable_catalogue() {
    let d = derive_pages(&["pipe_snapshot.txt", "cells_list.txt", "markdown_cn.md"], &overlay());
    let mut files = std::collections::BTreeMap::new();
    for (path, value) in &d.json {
        files.insert(path.clone(), serde_json::to_string_pretty(value).expect("serialises"));
    }
    for (path, raw) in &d.text {
        files.insert(path.clone(), raw.clone());
    }
    let catalogue = hwconform::catalogue::Catalogue::load(&hwconform::catalogue::FileSet::from_map(files))
        .expect("the derived files load as a catalogue");
    assert_eq!(catalogue.operations().len(), 3);
    assert_eq!(catalogue.errata().len(), 2);
}

proptest::proptest! {
    /// Any mix of page-like lines derives or fails with an error; it never panics or hangs.
    #[test]
    fn arbitrary_pages_never_panic(lines in proptest::collection::vec(proptest::sample::select(vec![
        "Title (1.0.0)", "Function", "URI", "POST /v2/{p}/x", "|", "Parameter |", "Type |", "Mandatory |",
        "Description |", "|---|---|", "---|---|", "x |", "Yes |", "String |", "Parameter", "Type", "Description",
        "Mandatory", "Yes", "String", "Status code: 200", "{", "}", "\"a\": 1", "Example Response", "Example Request",
        "GET https://e/v2/x?limit=1", "<table><tr><th>参数</th><th>类型</th></tr><tr><td>a</td>", "</table>",
        "```", "-   正常", "200", "## 返回值", "Feedback", "• a: b", "Table 1 x",
    ]), 0..40)) {
        let text = lines.join("\n");
        let _ = hwconform::derive::derive(&[("p.txt".to_owned(), text)], &Overlay::default());
    }
}

#[test]
fn example_request_line_off_the_documented_path_is_a_warning() {
    let original = std::fs::read_to_string(page("pipe_snapshot.txt")).expect("page");
    let changed = original
        .replace("POST https://{Endpoint}/v2/{project_id}/volumes/", "POST https://{Endpoint}/v2/{project_id}/volume/");
    let d = hwconform::derive::derive(&[("pipe_snapshot.txt".to_owned(), changed)], &overlay()).expect("derives");
    let w = d.warnings.iter().find(|w| w.message.starts_with("example request line")).expect("a warning");
    assert_eq!((w.table.as_str(), w.row.as_str()), ("Example Request", "body"));
    let clean = derive_pages(&["pipe_snapshot.txt"], &overlay());
    assert!(!clean.warnings.iter().any(|w| w.message.starts_with("example request line")));
}

/// `name → (in, required, schema)` of an operation's parameters.
fn params(op: &Value) -> std::collections::BTreeMap<String, (String, bool, Value)> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let name = p["name"].as_str().unwrap_or_default().to_owned();
            (name, (p["in"].as_str().unwrap_or_default().to_owned(), p["required"] == true, p["schema"].clone()))
        })
        .collect()
}

fn warned(d: &Derived, row: &str, part: &str) -> String {
    let shown: Vec<String> = d.warnings.iter().map(ToString::to_string).collect();
    shown
        .iter()
        .find(|w| w.contains(&format!(" · {row}: ")) && w.contains(part))
        .cloned()
        .unwrap_or_else(|| panic!("no warning on {row} saying {part:?}: {shown:#?}"))
}

#[test]
fn markdown_request_line_decides_locations() {
    let d = derive_pages(&["markdown_nested.md"], &Overlay::default());
    let id = "v2.get.project_id_volumes.kind-disk@2.0.1";
    let op = file(&d, &format!("schemas/{id}/operation.json"));
    // Scheme, host, Markdown escapes and emphasis stripped; the query part is not in the path.
    assert_eq!(op["path"], "/v2/{project_id}/volumes");
    assert_eq!(op["doc_version"], "2.0.1", "full-width brackets around the doc version");
    let p = params(op);
    assert_eq!(p["project_id"].0, "path");
    assert_eq!((p["offset"].0.as_str(), p["offset"].1, &p["offset"].2["type"]), ("query", false, &json!("integer")));
    assert_eq!(p["limit"].0, "query");
    // A value the request line fixes is a constant, required query parameter.
    assert_eq!((p["kind"].0.as_str(), p["kind"].1), ("query", true));
    assert_eq!(p["kind"].2["enum"], json!(["disk"]));
    // A URI-table row in neither the path nor the query: placed in the query, and warned with its line.
    assert_eq!(p["zone"].0, "query");
    assert!(warned(&d, "zone", "not in the request line").ends_with("(line 23)"));
}

#[test]
fn markdown_sections_decide_roles_and_nested_tables_are_followed() {
    let d = derive_pages(&["markdown_nested.md"], &Overlay::default());
    let dir = "schemas/v2.get.project_id_volumes.kind-disk@2.0.1";
    let op = file(&d, &format!("{dir}/operation.json"));
    // The 响应 table has a 是否必选 column: it is still the response, not a request body.
    assert!(op["request_body"].is_null(), "{op:#}");
    let response = file(&d, &format!("{dir}/response.200.schema.json"));
    assert_eq!(response["properties"]["volumeCount"]["type"], "integer");
    // "List结构，参见Volume类型数据结构说明" → an array of the table captioned so.
    assert_eq!(response["properties"]["volumes"]["items"], json!({"$ref": "volumes.schema.json"}));
    let volume = file(&d, &format!("{dir}/volumes.schema.json"));
    assert_eq!(volume["properties"]["size"]["type"], "integer", "Long");
    // A link `<a href="#table44">表4 …</a>` → an object of that table.
    assert_eq!(volume["properties"]["attachment"]["$ref"], "attachment.schema.json");
    // A caption naming the member ("paths属性列表") documents its items.
    assert_eq!(volume["properties"]["paths"]["items"], json!({"$ref": "paths.schema.json"}));
    // rowspan: the 是 of `path` covers `state` too.
    assert_eq!(file(&d, &format!("{dir}/paths.schema.json"))["required"], json!(["path", "state"]));
    // A cycle (表4 → 表3 → 表4) is warned and not followed; a link to a missing table is warned.
    let attachment = file(&d, &format!("{dir}/attachment.schema.json"));
    assert_eq!(attachment["properties"]["volume"]["type"], "object");
    assert!(attachment["properties"]["volume"].get("$ref").is_none());
    assert!(warned(&d, "volume", "cycle not followed").ends_with("(line 67)"));
    assert!(warned(&d, "quota", "#table404, a table this page does not have").ends_with("(line 47)"));
    // Members marked 否 in a response table may be absent.
    assert_eq!(volume["required"], json!(["id", "size"]));
}

#[test]
fn braced_endpoint_uri_line_and_english_nested_table() {
    let d = derive_pages(&["pipe_braced_endpoint.txt"], &Overlay::default());
    let dir = "schemas/v3.post.project_id_instances_instance_id_jobs.action-start";
    let op = file(&d, &format!("{dir}/operation.json"));
    assert_eq!(
        (op["method"].as_str(), op["path"].as_str()),
        (Some("POST"), Some("/v3/{project_id}/instances/{instance_id}/jobs"))
    );
    let p = params(op);
    assert_eq!((p["instance_id"].0.as_str(), p["action"].0.as_str()), ("path", "query"));
    assert_eq!(p["action"].2["enum"], json!(["start"]));
    assert_eq!(p["X-Auth-Token"].0, "header");
    // "For details, see Table 4." → the body member is an object of table 4's members.
    let body = file(&d, &format!("{dir}/request.schema.json"));
    assert_eq!(body["properties"]["job"]["$ref"], "Job.schema.json");
    let job = file(&d, &format!("{dir}/Job.schema.json"));
    assert_eq!(job["required"], json!(["name"]));
    assert_eq!(job["properties"]["steps"]["items"], json!({"type": "string"}));
    // Under "Status code: 202" the Mandatory column does not make the table a request table.
    let response = file(&d, &format!("{dir}/response.202.schema.json"));
    assert_eq!(response["properties"]["job_id"]["type"], "string");
    assert_eq!(op["success_status"], 202);
}

#[test]
fn one_bad_page_never_hides_the_others_and_ids_never_collide_silently() {
    let dir = scratch("keep-going");
    let source = std::fs::read_to_string(page("markdown_cn.md")).expect("the test page");
    let (a, b) = (dir.join("copy_a.md"), dir.join("copy_b.md"));
    std::fs::write(&a, &source).expect("write");
    std::fs::write(&b, &source).expect("write");
    let out_dir = dir.join("out");
    let arg = |p: &Path| p.to_str().unwrap_or_default().to_owned();
    let args = [
        "derive".to_owned(),
        arg(&a),
        arg(&b),
        arg(&page("no_tables.txt")),
        arg(&page("pipe_snapshot.txt")),
        "--no-overlay".to_owned(),
        "--out".to_owned(),
        arg(&out_dir),
    ];
    let out = Command::new(env!("CARGO_BIN_EXE_hwconform")).args(&args).output().expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "a failed page fails the run");
    let stderr = text(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error: failed to derive")).collect();
    assert_eq!(errors.len(), 3, "one line per failed page: {stderr}");
    assert!(errors.iter().any(|e| e.contains("copy_a.md: operation id") && e.contains("copy_b.md")), "{stderr}");
    assert!(errors.iter().any(|e| e.contains("copy_b.md: operation id") && e.contains("copy_a.md")), "{stderr}");
    assert!(errors.iter().any(|e| e.contains("no_tables.txt: no tables found")), "{stderr}");
    // The readable page is written all the same; the colliding ones are not (neither wins silently).
    let ops: Vec<String> = std::fs::read_dir(out_dir.join("schemas"))
        .expect("schemas written")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "common")
        .collect();
    assert_eq!(ops, vec!["v2.post.project_id_volumes_volume_id_snapshots@1.2.0"]);
    let _ = std::fs::remove_dir_all(&dir);
}
