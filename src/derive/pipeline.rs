//! The derive pipeline: pages → facts → assembled files → examples checked (errata) → overlay
//! applied → the catalogue files, with every warning and the time each page took. One page that
//! cannot be read (or whose operation id another page also yields) is a failure of that page
//! only: every other page is still derived.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::assemble::{Envelope, OperationFiles, Style, assemble, envelope_schema, style_name};
use super::errata::{Found, Validators, check_examples, check_request_lines};
use super::interpret::{Facts, read_page};
use super::overlay::apply_patch;
use super::{DeriveError, Overlay, Page, Warning};
use crate::catalogue::ErratumKind;

/// One derived page: the operation it documents and how long deriving it took.
#[derive(Debug, Clone)]
pub struct DerivedPage {
    /// The page's file name.
    pub page: String,
    /// Id of the operation it documents (`ges.v2.add_backup`).
    pub operation: String,
    /// How long deriving the page took.
    pub elapsed: Duration,
}

/// A page derive could not turn into an operation, with why (one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The page's file name.
    pub page: String,
    /// Why it gave no operation, on one line.
    pub error: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.error)
    }
}

/// The derived catalogue: files by path relative to the project root (`schemas/…`, `fixtures/…`).
#[derive(Debug, Clone, Default)]
pub struct Derived {
    /// JSON files (schemas, `operation.json`, fixtures) by path relative to the project root.
    pub json: BTreeMap<String, Value>,
    /// Text files (examples as printed, `raw/*.txt`) by path relative to the project root.
    pub text: BTreeMap<String, String>,
    /// Rows and sentences derive could not read, each naming page, table and row.
    pub warnings: Vec<Warning>,
    /// The pages that gave an operation, in input order.
    pub pages: Vec<DerivedPage>,
    /// Pages that gave no operation; the others are derived all the same.
    pub failures: Vec<Failure>,
}

const ERRATA_COMMENT: &str = "Mistakes in the documentation pages. Each entry keeps the raw example (fixtures/examples/<operation>/raw/), says why it is wrong and what the catalogue follows instead; tests/ prove every entry against the raw text.";
const ROWS_COMMENT: &str = "Every table row of the five documentation pages, by page and table, so that coverage and traceability can be counted. Table names are the page's own label where it has one, else the heading the table stands under.";

impl Derived {
    /// The ids of the derived operations.
    pub fn operations(&self) -> BTreeSet<String> {
        self.pages.iter().map(|p| p.operation.clone()).collect()
    }

    /// Writes every file below `out` (creating `out/schemas` and `out/fixtures`).
    pub fn write(&self, out: &Path) -> Result<(), DeriveError> {
        let files = self
            .json
            .iter()
            .map(|(p, v)| (p, serde_json::to_string_pretty(v).unwrap_or_default() + "\n"))
            .chain(self.text.iter().map(|(p, t)| (p, format!("{}\n", t.trim_end()))));
        for (rel, text) in files {
            let path = out.join(rel);
            let err =
                |e: std::io::Error| DeriveError::Write { path: path.display().to_string(), message: e.to_string() };
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(err)?;
            }
            std::fs::write(&path, text).map_err(err)?;
        }
        Ok(())
    }
}

fn read_text(path: &Path) -> Result<String, DeriveError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| DeriveError::Read { path: shown.clone(), message: e.to_string() })?;
    String::from_utf8(bytes).map_err(|_| DeriveError::Read { path: shown, message: "not UTF-8 text".into() })
}

/// Reads page files and derives them. A page that cannot be read is a failure naming it.
pub fn derive_files(paths: &[PathBuf], overlay: &Overlay) -> Result<Derived, DeriveError> {
    let mut pages = Vec::new();
    let mut failures = Vec::new();
    for path in paths {
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        match read_text(path) {
            Ok(text) => pages.push((name, text)),
            Err(e) => failures.push(Failure { page: name, error: e.to_string() }),
        }
    }
    let mut derived = derive(&pages, overlay)?;
    failures.append(&mut derived.failures);
    derived.failures = failures;
    Ok(derived)
}

/// Reads and assembles every page; a page that fails is recorded and the others go on.
fn read_pages(pages: &[(String, String)], overlay: &Overlay, out: &mut Derived) -> Vec<(Facts, OperationFiles)> {
    let mut ops: Vec<(Facts, OperationFiles)> = Vec::new();
    let mut sorted: Vec<&(String, String)> = pages.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, text) in sorted {
        let start = Instant::now();
        let facts = Page::parse(name, text).and_then(|page| read_page(&page, &overlay.labels(name), &mut out.warnings));
        let facts = match facts {
            Ok(f) => f,
            Err(e) => {
                out.failures.push(Failure { page: name.clone(), error: e.to_string() });
                continue;
            }
        };
        let files = assemble(&facts, overlay.identity(name).as_ref(), &mut out.warnings);
        out.pages.push(DerivedPage { page: name.clone(), operation: files.id.clone(), elapsed: start.elapsed() });
        ops.push((facts, files));
    }
    // Two pages yielding one operation id would overwrite each other: both fail, naming each other.
    let mut by_id: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (f, o) in &ops {
        by_id.entry(o.id.clone()).or_default().push(f.page.clone());
    }
    for (id, pages) in by_id.iter().filter(|(_, p)| p.len() > 1) {
        for page in pages {
            let others: Vec<&str> = pages.iter().filter(|p| *p != page).map(String::as_str).collect();
            let error = DeriveError::IdCollision { page: page.clone(), id: id.clone(), others: others.join(", ") };
            out.failures.push(Failure { page: page.clone(), error: error.to_string() });
        }
    }
    let collided = |id: &str| by_id.get(id).is_some_and(|p| p.len() > 1);
    out.pages.retain(|p| !collided(&p.operation));
    ops.retain(|(_, o)| !collided(&o.id));
    ops
}

/// Derives the catalogue of `pages` (file name, text), applying `overlay`. Pages that cannot be
/// derived are listed in [`Derived::failures`]; the error is for what stops every page.
pub fn derive(pages: &[(String, String)], overlay: &Overlay) -> Result<Derived, DeriveError> {
    let mut out = Derived::default();
    let mut ops = read_pages(pages, overlay, &mut out);

    // The shared error envelopes, from every page that documents one.
    for style in [Style::Snake, Style::Camel] {
        let documented: Vec<(String, &Envelope)> = ops
            .iter()
            .filter_map(|(f, o)| o.envelope.as_ref().filter(|e| e.style == style).map(|e| (f.page.clone(), e)))
            .collect();
        if !documented.is_empty() {
            out.json.insert(
                format!("schemas/common/error-{}.schema.json", style_name(style)),
                envelope_schema(style, &documented),
            );
        }
    }
    for (_, o) in &ops {
        out.json.insert(format!("schemas/{}/operation.json", o.id), o.operation.clone());
        out.json.extend(o.schemas.clone());
    }
    apply_patches(overlay, &mut out, "schemas/");

    // Examples against the (patched) schemas: errata.
    let schemas: BTreeMap<String, Value> =
        out.json.iter().filter(|(p, _)| p.ends_with(".schema.json")).map(|(p, v)| (p.clone(), v.clone())).collect();
    let validators = Validators::new(&schemas);
    let mut errata = Vec::new();
    let mut unnamed = 0u32;
    let mut rows = Vec::new();
    for (facts, o) in &mut ops {
        let roles = overlay.identity(&facts.page).map(|i| i.roles).unwrap_or_default();
        let meta_path = format!("schemas/{}/operation.json", o.id);
        if let Some(meta) = out.json.get(&meta_path) {
            o.operation = meta.clone();
        }
        let (found, bodies) = check_examples(facts, o, &schemas, &validators, &roles, &mut out.warnings);
        check_request_lines(facts, &mut out.warnings);
        let decided = decide_errata(facts, &o.id, found, overlay, &mut unnamed, &mut out.warnings);
        errata.extend(decided.errata);
        let (ids_by_example, undocumented) = (decided.ids_by_example, decided.undocumented);
        if let Some(meta) = out.json.get_mut(&meta_path) {
            annotate(meta, &ids_by_example, &undocumented, overlay, &o.id, &facts.page, &mut out.warnings);
        }
        for ex in &o.examples {
            let dir = format!("fixtures/examples/{}", o.id);
            out.text.insert(format!("{dir}/raw/{}.txt", ex.name), ex.raw.clone());
            if let Some(body) = bodies.get(&ex.name) {
                out.json.insert(format!("{dir}/{}.json", ex.name), body.clone());
            }
        }
        let tables: Vec<Value> = facts.tables.iter().map(|(t, r)| json!({"table": t, "rows": r})).collect();
        rows.push(json!({"page": facts.page, "operation": o.id, "tables": tables}));
    }
    apply_patches(overlay, &mut out, "fixtures/");
    // E2 before E10: by the letters, then the number.
    errata.sort_by_key(|e| {
        let id = e["id"].as_str().unwrap_or("");
        let digits = id.trim_start_matches(|c: char| !c.is_ascii_digit());
        (id[..id.len() - digits.len()].to_owned(), digits.parse::<u64>().unwrap_or(0), id.to_owned())
    });
    out.json.insert("fixtures/errata.json".into(), json!({"$comment": ERRATA_COMMENT, "errata": errata}));
    out.json.insert("fixtures/rows.json".into(), json!({"$comment": ROWS_COMMENT, "pages": rows}));
    Ok(out)
}

/// Errata of one operation, with the ids each example and undocumented status carry.
#[derive(Default)]
struct Decided {
    errata: Vec<Value>,
    ids_by_example: BTreeMap<String, Vec<String>>,
    undocumented: BTreeMap<u64, Vec<String>>,
}

/// Gives each contradiction found on a page its overlay decision (or a provisional `D<n>` id and a
/// warning), and carries the overlay's errata whose evidence lies outside the pages.
fn decide_errata(
    facts: &Facts,
    op: &str,
    found: Vec<Found>,
    overlay: &Overlay,
    unnamed: &mut u32,
    warnings: &mut Vec<Warning>,
) -> Decided {
    let mut d = Decided::default();
    let mut matched = BTreeSet::new();
    for f in found {
        let entry =
            overlay.errata.iter().find(|e| e.operation == f.operation && e.example == f.example && e.kind == f.kind);
        let (id, reason, decision, source) = if let Some(e) = entry {
            matched.insert(e.id.clone());
            (e.id.clone(), e.reason.clone(), e.decision.clone(), e.source.clone().unwrap_or(f.source.clone()))
        } else {
            *unnamed += 1;
            let id = format!("D{unnamed}");
            warnings.push(Warning::new(
                &facts.page,
                f.source["table"].as_str().unwrap_or("-"),
                f.source["row"].as_str().unwrap_or("-"),
                format!(
                    "erratum {id} ({}, {}) has no decision in the overlay: {}",
                    kind_name(f.kind),
                    f.example,
                    f.reason
                ),
            ));
            (
                id,
                f.reason.clone(),
                "None recorded: the overlay has no decision for this erratum.".to_owned(),
                f.source.clone(),
            )
        };
        d.ids_by_example.entry(f.example.clone()).or_default().push(id.clone());
        if f.kind == ErratumKind::UndocumentedResponse
            && let Some(s) = f.example.strip_prefix("response.").and_then(|s| s.parse().ok())
        {
            d.undocumented.entry(s).or_default().push(id.clone());
        }
        let mut e = json!({
            "id": id, "operation": f.operation, "example": f.example, "kind": f.kind,
            "source": source, "reason": reason, "decision": decision,
        });
        if let Some(v) = f.violates {
            e["violates"] = v;
        }
        d.errata.push(e);
    }
    for e in overlay.errata.iter().filter(|e| e.operation == op && !matched.contains(&e.id)) {
        // Evidence outside the pages (the official SDKs): carried as the overlay states it.
        if e.kind == ErratumKind::SdkDisagrees
            && let (Some(source), Some(sdk)) = (&e.source, &e.sdk)
        {
            d.ids_by_example.entry(e.example.clone()).or_default().push(e.id.clone());
            d.errata.push(json!({
                "id": e.id, "operation": e.operation, "example": e.example, "kind": e.kind,
                "sdk": sdk, "source": source, "reason": e.reason, "decision": e.decision,
            }));
            continue;
        }
        warnings.push(Warning::new(
            &facts.page,
            "-",
            &e.example,
            format!(
                "overlay erratum {} ({}) was not found on the page: the page changed or the entry is stale",
                e.id,
                kind_name(e.kind)
            ),
        ));
    }
    d
}

/// Writes errata ids and error-code readings into one `operation.json`.
fn annotate(
    meta: &mut Value,
    ids: &BTreeMap<String, Vec<String>>,
    undocumented: &BTreeMap<u64, Vec<String>>,
    overlay: &Overlay,
    op: &str,
    page: &str,
    warnings: &mut Vec<Warning>,
) {
    if let Some(Value::Array(examples)) = meta.get_mut("examples") {
        for ex in examples {
            let name = ex["name"].as_str().unwrap_or("").to_owned();
            if let Some(list) = ids.get(&name) {
                let mut list = list.clone();
                list.sort();
                list.dedup();
                ex["errata"] = json!(list);
            }
        }
    }
    if let Some(Value::Array(responses)) = meta.get_mut("responses") {
        for r in responses {
            if let Some(list) = r["status"].as_u64().and_then(|s| undocumented.get(&s)) {
                r["errata"] = json!(list);
            }
        }
    }
    if let Some(Value::Array(codes)) = meta.get_mut("error_examples") {
        for e in codes {
            let code = e["code"].as_str().unwrap_or("").to_owned();
            match overlay.applies_to(op, &code) {
                Some(v) => e["applies_to"] = serde_json::to_value(v).unwrap_or_default(),
                None => warnings.push(Warning::new(
                    page,
                    "-",
                    &code,
                    "no applies_to reading of this error code in the overlay",
                )),
            }
        }
    }
}

/// Applies the overlay patches whose file starts with `prefix` and was derived.
fn apply_patches(overlay: &Overlay, out: &mut Derived, prefix: &str) {
    for p in overlay.patches.iter().filter(|p| p.file.starts_with(prefix)) {
        let Some(doc) = out.json.get_mut(&p.file) else { continue };
        if let Err(e) = apply_patch(doc, p.op, &p.pointer, p.value.as_ref()) {
            out.warnings.push(Warning::new(&p.file, "overlay", &p.pointer, format!("patch no longer applies: {e}")));
        }
    }
}

/// `invalid_json`, `violates_schema` …: the kind as `fixtures/errata.json` writes it.
fn kind_name(kind: ErratumKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
