//! Reads a parsed [`Page`] into the facts of one operation: endpoint, parameters, body and
//! response tables with their constraints, status codes and the printed examples. Tables get their
//! provenance label here (the page's caption, else the heading they stand under, renamed by the
//! overlay where the page numbers none).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::page::{Block, Page};
use super::phrases::{Constraints, re, read_constraints};
use super::table::{Column, Table};
use super::{DeriveError, Warning};

/// Where a parameter table's members go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Path,
    Query,
    Header,
    Body,
}

impl Place {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
            Self::Body => "body",
        }
    }
}

/// One documented member (a table row).
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub required: Option<bool>,
    pub doc_type: String,
    pub constraints: Constraints,
}

/// The members of one table, under its provenance label.
#[derive(Debug, Clone)]
pub struct FieldTable {
    pub label: String,
    pub fields: Vec<Field>,
}

/// A printed example: the request line and/or body text exactly as on the page.
#[derive(Debug, Clone)]
pub struct PrintedExample {
    pub name: String,
    pub status: Option<u16>,
    pub request_line: Option<String>,
    pub body: Option<String>,
    pub table: String,
    pub row: String,
}

/// Everything one page documents about its operation.
#[derive(Debug, Clone)]
pub struct Facts {
    pub page: String,
    pub title: String,
    pub doc_version: Option<String>,
    pub method: String,
    pub path: String,
    pub api_version: String,
    pub params: Vec<(Place, FieldTable)>,
    pub responses: BTreeMap<u16, FieldTable>,
    pub objects: Vec<(String, FieldTable)>,
    pub status_codes: Vec<(u16, String, String)>,
    pub success_status: u16,
    pub examples: Vec<PrintedExample>,
    /// Every table with its rows' first cells, in page order (`fixtures/rows.json`).
    pub tables: Vec<(String, Vec<String>)>,
}

impl Facts {
    /// The body table, if the page documents one.
    pub fn body(&self) -> Option<&FieldTable> {
        self.params.iter().find(|(p, _)| *p == Place::Body).map(|(_, t)| t)
    }
}

static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| re(r"^(GET|POST|PUT|DELETE|PATCH)\s+(/\S*)$"));
static REQUEST_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^(GET|POST|PUT|DELETE|PATCH)\s+(https?://\S+)$"));
static STATUS_HEADING: LazyLock<Regex> = LazyLock::new(|| re(r"^Status code: (\d{3})$"));
static STATUS_CAPTION: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)status code:?\s*(\d{3})"));
static STATUS_CELL: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{3})\b"));
static HEADER_NAME: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Z][A-Za-z0-9]*(-[A-Za-z0-9]+)+$"));
static OBJECT_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:Table \d+|表\d+)\s+(\S+)$"));
static VERSION: LazyLock<Regex> = LazyLock::new(|| re(r"^/(v\d+(?:\.\d+)?)/"));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Other,
    Uri,
    Request,
    Response,
    ExampleRequest,
    ExampleResponse,
    StatusCodes,
}

fn section_of(heading: &str) -> Option<Section> {
    Some(match heading {
        "URI" => Section::Uri,
        "Request Parameters" | "请求" => Section::Request,
        "Response Parameters" | "响应" => Section::Response,
        "Example Request" | "Example Requests" => Section::ExampleRequest,
        "Example Response" | "Example Responses" => Section::ExampleResponse,
        "Status Codes" | "Status Code" | "返回值" => Section::StatusCodes,
        "Function" | "Constraints" | "Error Codes" | "功能介绍" => Section::Other,
        _ => return None,
    })
}

struct Reader<'a> {
    page: &'a Page,
    labels: &'a BTreeMap<String, String>,
    warnings: &'a mut Vec<Warning>,
    used_labels: BTreeMap<String, usize>,
}

impl Reader<'_> {
    fn warn(&mut self, table: &str, row: &str, message: impl Into<String>) {
        self.warnings.push(Warning::new(&self.page.file, table, row, message));
    }

    fn label(&mut self, table: &Table, heading: &str) -> String {
        let base = table.label.clone().unwrap_or_else(|| heading.to_owned());
        let n = self.used_labels.entry(base.clone()).or_insert(0);
        *n += 1;
        let derived = if *n == 1 { base } else { format!("{base} ({n})") };
        self.labels.get(&derived).cloned().unwrap_or(derived)
    }

    fn fields(&mut self, table: &Table, label: &str) -> Vec<Field> {
        let mut fields = Vec::new();
        for row in &table.rows {
            let name = row.key().to_owned();
            let required = match table.cell(row, &Column::Mandatory) {
                None => None,
                Some("Yes" | "是") => Some(true),
                Some("No" | "否") => Some(false),
                Some(other) => {
                    self.warn(
                        label,
                        &name,
                        format!("mandatory cell `{other}` is neither Yes nor No; read as optional"),
                    );
                    Some(false)
                }
            };
            let doc_type = table.cell(row, &Column::Type).unwrap_or("").to_owned();
            let description = table.cell(row, &Column::Description).unwrap_or("");
            let constraints = read_constraints(description, &doc_type);
            for sentence in &constraints.unread {
                self.warn(
                    label,
                    &name,
                    format!("constraint not understood, member left unconstrained by it: {sentence:?}"),
                );
            }
            fields.push(Field { name, required, doc_type, constraints });
        }
        fields
    }
}

/// Reads the operation documented by `page`. `labels` renames derived table labels (overlay).
pub fn read_page(
    page: &Page,
    labels: &BTreeMap<String, String>,
    warnings: &mut Vec<Warning>,
) -> Result<Facts, DeriveError> {
    let mut r = Reader { page, labels, warnings, used_labels: BTreeMap::new() };
    let mut endpoint = None;
    let mut params = Vec::new();
    let mut responses: BTreeMap<u16, FieldTable> = BTreeMap::new();
    let mut objects = Vec::new();
    let mut status_codes = Vec::new();
    let mut examples: Vec<PrintedExample> = Vec::new();
    let mut tables = Vec::new();
    let mut section = Section::Other;
    let mut section_heading = String::new();
    let mut heading = String::new();
    let mut status: Option<u16> = None;
    let mut bullet: Option<String> = None;
    let mut saw_status_table = false;

    let blocks = &page.blocks;
    let mut i = 0;
    while i < blocks.len() {
        match &blocks[i] {
            Block::Heading { text, .. } => {
                if let Some(s) = section_of(text) {
                    section = s;
                    section_heading = text.clone();
                    status = None;
                    bullet = None;
                }
                if let Some(c) = STATUS_HEADING.captures(text) {
                    status = c[1].parse().ok();
                }
                heading = text.clone();
            }
            Block::Bullet { text, .. } => {
                bullet = Some(text.clone());
                // "- 正常" followed by a bare status code: a status-code row outside any table.
                if section == Section::StatusCodes
                    && let Some(Block::Text { text: code, .. }) = blocks.get(i + 1)
                    && let Some(c) = STATUS_CELL.captures(code)
                    && code.len() == 3
                {
                    status_codes.push((c[1].parse().unwrap_or(0), section_heading.clone(), format!("{text} {code}")));
                    i += 1;
                }
            }
            Block::Text { text, .. } => {
                if endpoint.is_none()
                    && let Some(c) = ENDPOINT.captures(text)
                {
                    endpoint = Some((c[1].to_owned(), c[2].to_owned()));
                } else if section == Section::ExampleRequest || section == Section::ExampleResponse {
                    if let Some(c) = REQUEST_LINE.captures(text).filter(|_| section == Section::ExampleRequest) {
                        examples.push(PrintedExample {
                            name: "request".into(),
                            status: None,
                            request_line: Some(c[0].to_owned()),
                            body: None,
                            table: section_heading.clone(),
                            row: String::new(),
                        });
                        bullet = None;
                    } else if text.starts_with('{') || text.starts_with('[') {
                        let (body, next) = collect_body(blocks, i);
                        i = next;
                        if section == Section::ExampleRequest {
                            let row = bullet.clone().unwrap_or_else(|| "body".into());
                            match examples.iter_mut().rfind(|e| e.status.is_none()) {
                                Some(e) if e.body.is_none() => {
                                    e.body = Some(body);
                                    e.row = row;
                                }
                                _ => examples.push(PrintedExample {
                                    name: "request".into(),
                                    status: None,
                                    request_line: None,
                                    body: Some(body),
                                    table: section_heading.clone(),
                                    row,
                                }),
                            }
                        } else if let Some(s) = status {
                            examples.push(PrintedExample {
                                name: format!("response.{s}"),
                                status: Some(s),
                                request_line: None,
                                body: Some(body),
                                table: section_heading.clone(),
                                row: format!("Status code: {s}"),
                            });
                        } else {
                            r.warn(&section_heading, "-", "example body with no status code before it; ignored");
                        }
                        continue;
                    } else if section == Section::ExampleResponse
                        && let Some(c) = STATUS_CAPTION.captures(text)
                    {
                        status = c[1].parse().ok();
                    }
                }
            }
            Block::Code { text, .. } => {
                let mut lines = text.lines();
                let first = lines.next().unwrap_or("").trim();
                let rest = lines.collect::<Vec<_>>().join("\n");
                let table = bullet.clone().unwrap_or_else(|| heading.clone());
                if endpoint.is_none()
                    && let Some(c) = ENDPOINT.captures(first)
                {
                    endpoint = Some((c[1].to_owned(), c[2].to_owned()));
                } else if REQUEST_LINE.is_match(first) {
                    let has_body = !rest.trim().is_empty();
                    examples.push(PrintedExample {
                        name: "request".into(),
                        status: None,
                        request_line: Some(first.to_owned()),
                        body: has_body.then(|| rest.clone()),
                        table,
                        row: if has_body { "body".into() } else { "request line".into() },
                    });
                } else if let Some(c) = STATUS_CAPTION.captures(first) {
                    let s: u16 = c[1].parse().unwrap_or(0);
                    examples.push(PrintedExample {
                        name: format!("response.{s}"),
                        status: Some(s),
                        request_line: None,
                        body: Some(rest),
                        table,
                        row: first.to_owned(),
                    });
                }
            }
            Block::Table(table) => {
                let under = if heading.is_empty() { section_heading.clone() } else { heading.clone() };
                let label = r.label(table, &under);
                if table.truncated {
                    let row = table.rows.last().map(|r| r.key().to_owned()).unwrap_or_else(|| "-".into());
                    r.warn(&label, &row, "the table ends in an incomplete row: the page looks truncated");
                }
                tables.push((label.clone(), table.rows.iter().map(|r| r.key().to_owned()).collect()));
                if table.columns.first() == Some(&Column::Status) {
                    saw_status_table = true;
                    for row in &table.rows {
                        match STATUS_CELL.captures(row.key()).and_then(|c| c[1].parse().ok()) {
                            Some(code) => status_codes.push((code, label.clone(), row.key().to_owned())),
                            None => r.warn(&label, row.key(), "status-code row without a status code"),
                        }
                    }
                } else if table.columns.contains(&Column::Mandatory) {
                    let place = place_of(&label, section, table);
                    let fields = r.fields(table, &label);
                    params.push((place, FieldTable { label, fields }));
                } else if table.columns.contains(&Column::Type) {
                    let fields = r.fields(table, &label);
                    let key = status.unwrap_or(0);
                    if let std::collections::btree_map::Entry::Vacant(e) = responses.entry(key) {
                        e.insert(FieldTable { label, fields });
                    } else {
                        let name = OBJECT_LABEL
                            .captures(&label)
                            .map(|c| c[1].to_owned())
                            .unwrap_or_else(|| format!("object{}", objects.len() + 1));
                        objects.push((name, FieldTable { label, fields }));
                    }
                } else {
                    r.warn(&label, "-", "table with unknown columns; ignored");
                }
            }
        }
        i += 1;
    }

    let (method, path) = endpoint.ok_or_else(|| DeriveError::NoEndpoint { page: page.file.clone() })?;
    let api_version = VERSION.captures(&path).map(|c| c[1].to_owned()).unwrap_or_else(|| {
        r.warn("URI", &path, "no API version in the path");
        String::new()
    });
    let success_status = responses
        .keys()
        .copied()
        .chain(status_codes.iter().map(|(s, _, _)| *s))
        .find(|s| (200..300).contains(s))
        .unwrap_or(200);
    // A response table under no status heading documents the success response.
    if let Some(t) = responses.remove(&0) {
        responses.insert(success_status, t);
    }
    if !saw_status_table && status_codes.is_empty() {
        r.warn("Status Codes", "*", "the page documents no status-code table");
    }
    // One example per request and status: a second one would overwrite the first's fixture.
    let mut seen = std::collections::BTreeSet::new();
    examples.retain(|e| {
        let first = seen.insert(e.name.clone());
        if !first {
            r.warnings.push(Warning::new(&page.file, &e.table, &e.row, format!("second {} example ignored", e.name)));
        }
        first
    });
    for e in &mut examples {
        if e.row.is_empty() {
            let query = e.request_line.as_deref().is_some_and(|l| l.contains('?'));
            e.row = if query { "query".into() } else { "request line".into() };
        }
    }
    Ok(Facts {
        page: page.file.clone(),
        title: page.title.clone(),
        doc_version: page.doc_version.clone(),
        method,
        path,
        api_version,
        params,
        responses,
        objects,
        status_codes,
        success_status,
        examples,
        tables,
    })
}

fn place_of(label: &str, section: Section, table: &Table) -> Place {
    let lower = label.to_lowercase();
    // The table's own caption says more than the section it stands in.
    if lower.contains("query") || label.contains("查询") {
        Place::Query
    } else if lower.contains("header") || label.contains("请求头") || label.contains("消息头") {
        Place::Header
    } else if lower.contains("body") || label.contains("请求体") {
        Place::Body
    } else if section == Section::Uri || lower.contains("uri") || lower.contains("path") {
        Place::Path
    } else if !table.rows.is_empty() && table.rows.iter().all(|r| HEADER_NAME.is_match(r.key())) {
        // An unlabelled request table whose members are all HTTP header names (`X-Auth-Token`).
        Place::Header
    } else {
        Place::Body
    }
}

/// The JSON text starting at `blocks[start]`: text lines until the brackets balance.
fn collect_body(blocks: &[Block], start: usize) -> (String, usize) {
    let mut depth = 0i64;
    let mut lines = Vec::new();
    let mut i = start;
    while let Some(Block::Text { text, .. }) = blocks.get(i) {
        depth += text.chars().map(|c| matches!(c, '{' | '[') as i64 - matches!(c, '}' | ']') as i64).sum::<i64>();
        lines.push(text.clone());
        i += 1;
        if depth <= 0 {
            break;
        }
    }
    (lines.join("\n"), i)
}
