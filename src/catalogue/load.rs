//! Turns a [`FileSet`] into a [`Catalogue`]: parses the metadata, registers every schema under its
//! `$id` (so `$ref`s between files resolve offline) and compiles each schema once.

use std::collections::BTreeMap;

use serde_json::Value;

use super::model::{
    ErrataFile, Erratum, ExampleMeta, OperationMeta, PageRows, Parameter, ResponseMeta, RowsFile, Source,
};
use super::rules::{Rule, rules_of};
use super::{CatalogueError, CompiledSchema, FileSet, OperationId};

const SCHEMAS: &str = "schemas/";
const EXAMPLES: &str = "fixtures/examples/";
const ERRATA: &str = "fixtures/errata.json";
const ROWS: &str = "fixtures/rows.json";

/// The whole contract: every documented operation, the errata and the documented table rows.
#[derive(Debug, Clone)]
pub struct Catalogue {
    operations: Vec<Operation>,
    errata: Vec<Erratum>,
    rows: Vec<PageRows>,
    /// Every schema document by `$id`, with its file.
    documents: BTreeMap<String, (String, Value)>,
}

/// One documented operation with its compiled schemas and examples.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The operation's `operation.json`.
    pub meta: OperationMeta,
    /// The request body schema, where the operation takes a body.
    pub request: Option<CompiledSchema>,
    /// Response body schemas by documented status, in the order of `operation.json`.
    pub responses: Vec<(u16, CompiledSchema)>,
    /// The error envelope of the operation's API version.
    pub envelope: CompiledSchema,
    /// Each parameter with its compiled value schema.
    pub parameters: Vec<(Parameter, CompiledSchema)>,
    /// The operation's documented examples, loaded from `fixtures/examples/<operation>/`.
    pub examples: Vec<LoadedExample>,
}

/// A documented example: its metadata, the raw text as printed, and the corrected JSON body.
#[derive(Debug, Clone)]
pub struct LoadedExample {
    /// The example's entry in `operation.json`.
    pub meta: ExampleMeta,
    /// The example exactly as printed on the page.
    pub raw: String,
    /// The corrected JSON body (`ExampleMeta::file`); `None` where the example has no body.
    pub body: Option<Value>,
}

impl Catalogue {
    /// The catalogue embedded in this binary at build time.
    pub fn builtin() -> Result<Self, CatalogueError> {
        Self::load(&FileSet::embedded())
    }

    /// The catalogue in `root/schemas` and `root/fixtures`.
    pub fn from_dir(root: &std::path::Path) -> Result<Self, CatalogueError> {
        Self::load(&FileSet::from_dir(root)?)
    }

    /// Loads and compiles everything in `files`.
    pub fn load(files: &FileSet) -> Result<Self, CatalogueError> {
        let schema_files: Vec<&str> =
            files.paths().filter(|p| p.starts_with(SCHEMAS) && p.ends_with(".schema.json")).collect();
        let mut documents = Vec::with_capacity(schema_files.len());
        let mut by_id = BTreeMap::new();
        for path in &schema_files {
            let doc = files.json(path)?;
            let id = doc.get("$id").and_then(Value::as_str).ok_or_else(|| CatalogueError::Invalid {
                file: (*path).to_owned(),
                message: "schema has no $id".into(),
            })?;
            by_id.insert(id.to_owned(), ((*path).to_owned(), doc.clone()));
            documents.push((id.to_owned(), doc));
        }
        let registry = jsonschema::Registry::new()
            .extend(documents.iter().map(|(id, doc)| (id.as_str(), doc.clone())))
            .and_then(jsonschema::RegistryBuilder::prepare)
            .map_err(|e| CatalogueError::Compile { file: SCHEMAS.into(), message: e.to_string() })?;
        let compile = |file: &str, doc: &Value| -> Result<CompiledSchema, CatalogueError> {
            let validator = jsonschema::draft202012::options()
                .should_validate_formats(true)
                .with_registry(&registry)
                .build(doc)
                .map_err(|e| CatalogueError::Compile { file: file.to_owned(), message: e.to_string() })?;
            Ok(CompiledSchema::new(file.to_owned(), doc.clone(), validator))
        };
        let compile_file = |file: &str| -> Result<CompiledSchema, CatalogueError> { compile(file, &files.json(file)?) };

        let mut operations = Vec::new();
        for meta_path in files.paths().filter(|p| p.starts_with(SCHEMAS) && p.ends_with("/operation.json")) {
            let meta: OperationMeta = serde_json::from_value(files.json(meta_path)?)
                .map_err(|e| CatalogueError::Invalid { file: meta_path.to_owned(), message: e.to_string() })?;
            let dir = meta_path.trim_end_matches("operation.json");
            let folder = dir.trim_start_matches(SCHEMAS).trim_end_matches('/');
            if folder != meta.id.as_str() {
                return Err(CatalogueError::Invalid {
                    file: meta_path.to_owned(),
                    message: format!("id {} does not match its folder {folder}", meta.id),
                });
            }
            let rel = |name: &str| normalise_path(&format!("{dir}{name}"));
            let request = meta.request_body.as_ref().map(|b| compile_file(&rel(&b.schema))).transpose()?;
            let responses = meta
                .responses
                .iter()
                .map(|r| Ok((r.status, compile_file(&rel(&r.schema))?)))
                .collect::<Result<Vec<_>, CatalogueError>>()?;
            let envelope = compile_file(&rel(&meta.error_envelope.schema))?;
            let parameters = meta
                .parameters
                .iter()
                .map(|p| {
                    let mut doc = p.schema.clone();
                    if let Some(obj) = doc.as_object_mut() {
                        obj.entry("$schema").or_insert_with(|| "https://json-schema.org/draft/2020-12/schema".into());
                    }
                    Ok((p.clone(), compile(&format!("{meta_path}#/parameters/{}", p.name), &doc)?))
                })
                .collect::<Result<Vec<_>, CatalogueError>>()?;
            let examples = meta
                .examples
                .iter()
                .map(|e| load_example(files, &meta.id, e))
                .collect::<Result<Vec<_>, CatalogueError>>()?;
            operations.push(Operation { meta, request, responses, envelope, parameters, examples });
        }
        if operations.is_empty() {
            return Err(CatalogueError::Invalid { file: SCHEMAS.into(), message: "no operation.json found".into() });
        }
        operations.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));

        let errata: ErrataFile = serde_json::from_value(files.json(ERRATA)?)
            .map_err(|e| CatalogueError::Invalid { file: ERRATA.into(), message: e.to_string() })?;
        let rows: RowsFile = serde_json::from_value(files.json(ROWS)?)
            .map_err(|e| CatalogueError::Invalid { file: ROWS.into(), message: e.to_string() })?;
        let catalogue = Self { operations, errata: errata.errata, rows: rows.pages, documents: by_id };
        catalogue.check_references()?;
        Ok(catalogue)
    }

    /// Every erratum names an operation and an example that exist.
    fn check_references(&self) -> Result<(), CatalogueError> {
        for e in &self.errata {
            let op = self.operation(e.operation.as_str()).ok_or_else(|| CatalogueError::Invalid {
                file: ERRATA.into(),
                message: format!("{}: unknown operation {}", e.id, e.operation),
            })?;
            if op.example(&e.example).is_none() {
                return Err(CatalogueError::Invalid {
                    file: ERRATA.into(),
                    message: format!("{}: {} has no example {}", e.id, e.operation, e.example),
                });
            }
        }
        Ok(())
    }

    /// Every operation, sorted by id.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// One operation by id.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.meta.id.as_str() == id)
    }

    /// Every documentation erratum of `fixtures/errata.json`.
    pub fn errata(&self) -> &[Erratum] {
        &self.errata
    }

    /// The documented table rows, per page.
    pub fn rows(&self) -> &[PageRows] {
        &self.rows
    }

    /// Every schema document with its file, by `$id`.
    pub fn documents(&self) -> impl Iterator<Item = (&str, &str, &Value)> {
        self.documents.iter().map(|(id, (file, doc))| (id.as_str(), file.as_str(), doc))
    }

    /// Compiles a schema document written at run time (a patched copy of a catalogue schema: the
    /// reference server's rule breaks) against the catalogue's documents, so its `$ref`s resolve.
    pub fn compile(&self, file: &str, document: &Value) -> Result<CompiledSchema, CatalogueError> {
        let registry = jsonschema::Registry::new()
            .extend(self.documents.iter().map(|(id, (_, doc))| (id.as_str(), doc.clone())))
            .and_then(jsonschema::RegistryBuilder::prepare)
            .map_err(|e| CatalogueError::Compile { file: file.to_owned(), message: e.to_string() })?;
        let mut doc = document.clone();
        if let Some(obj) = doc.as_object_mut() {
            obj.entry("$schema").or_insert_with(|| "https://json-schema.org/draft/2020-12/schema".into());
        }
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .with_registry(&registry)
            .build(&doc)
            .map_err(|e| CatalogueError::Compile { file: file.to_owned(), message: e.to_string() })?;
        Ok(CompiledSchema::new(file.to_owned(), doc, validator))
    }

    /// The rules of a schema document, following `$ref`s to other catalogue documents.
    pub fn rules(&self, document: &Value) -> Vec<Rule> {
        let base = document.get("$id").and_then(Value::as_str).unwrap_or_default().to_owned();
        let resolve = |reference: &str| -> Option<&Value> {
            let uri = if reference.contains("://") {
                reference.to_owned()
            } else {
                let dir = base.rfind('/').map_or("", |i| &base[..=i]);
                format!("{dir}{reference}")
            };
            self.documents.get(&uri).map(|(_, doc)| doc)
        };
        rules_of(document, &resolve)
    }

    /// Every source the catalogue cites: metadata rows and `x-source` annotations of every schema document.
    pub fn sources(&self) -> Vec<Source> {
        let mut out = Vec::new();
        for op in &self.operations {
            out.extend(op.sources());
        }
        // Documents reached only through `$ref` (the list's backup object) cite rows too.
        for (_, doc) in self.documents.values() {
            collect_annotations(doc, &mut out);
        }
        out.sort();
        out.dedup();
        out
    }
}

impl Operation {
    /// The operation's stable id.
    pub fn id(&self) -> &OperationId {
        &self.meta.id
    }

    /// The schema documented for `status`, if any.
    pub fn response_schema(&self, status: u16) -> Option<&CompiledSchema> {
        self.responses.iter().find(|(s, _)| *s == status).map(|(_, s)| s)
    }

    /// The documented body of `status`: the response table, or the example printed under that
    /// status, that `responses[]` records. Only such a status has its envelope, members and error
    /// code fixed by the page; every other status (a 401 from an API gateway, a 503) says nothing
    /// about its body, so checks of it are observations.
    pub fn documented_body(&self, status: u16) -> Option<&ResponseMeta> {
        self.meta.responses.iter().find(|r| r.status == status)
    }

    /// One example by name (`request`, `response.200` …).
    pub fn example(&self, name: &str) -> Option<&LoadedExample> {
        self.examples.iter().find(|e| e.meta.name == name)
    }

    /// The last segment of the path (`backups` for `…/graphs/{graph_id}/backups`, `{backup_id}` for a
    /// delete of one): the collection a POST adds to or a list shows.
    pub fn last_segment(&self) -> &str {
        self.meta.path.trim_end_matches('/').rsplit('/').next().unwrap_or_default()
    }

    /// Every status the page documents for this operation: success, status-code table, examples.
    pub fn documented_statuses(&self) -> Vec<u16> {
        let mut all: Vec<u16> = std::iter::once(self.meta.success_status)
            .chain(self.meta.status_codes.iter().map(|s| s.status))
            .chain(self.meta.responses.iter().map(|r| r.status))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Every source this operation cites.
    pub fn sources(&self) -> Vec<Source> {
        let m = &self.meta;
        let mut out: Vec<Source> = m.parameters.iter().map(|p| p.source.clone()).collect();
        out.push(m.error_envelope.source.clone());
        out.extend(m.request_body.iter().map(|b| b.source.clone()));
        out.extend(m.pagination.iter().map(|p| p.source.clone()));
        out.extend(m.responses.iter().map(|r| r.source.clone()));
        out.extend(m.status_codes.iter().map(|s| s.source.clone()));
        out.extend(m.error_examples.iter().map(|e| e.source.clone()));
        out.extend(m.examples.iter().map(|e| e.source.clone()));
        let schemas = self.request.iter().chain(self.responses.iter().map(|(_, s)| s)).chain([&self.envelope]);
        for schema in schemas {
            collect_annotations(&schema.document, &mut out);
        }
        out
    }
}

fn collect_annotations(node: &Value, out: &mut Vec<Source>) {
    match node {
        Value::Object(map) => {
            out.extend(Source::from_annotation(node));
            for (k, v) in map {
                if k != "x-source" {
                    collect_annotations(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_annotations(v, out)),
        _ => {}
    }
}

fn load_example(files: &FileSet, op: &OperationId, meta: &ExampleMeta) -> Result<LoadedExample, CatalogueError> {
    let dir = format!("{EXAMPLES}{op}/");
    let raw = files.get(&format!("{dir}{}", meta.raw))?.to_owned();
    let body = meta.file.as_ref().map(|f| files.json(&format!("{dir}{f}"))).transpose()?;
    Ok(LoadedExample { meta: meta.clone(), raw, body })
}

/// Resolves `a/b/../c` to `a/c` (schema files refer to shared ones as `../common/…`).
fn normalise_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}
