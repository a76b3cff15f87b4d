//! Reads a parsed [`Page`] into the facts of one operation: walks its blocks in order, keeping the
//! section each table stands in (its role), the request line, the printed examples and the status
//! codes. Tables get their provenance label here (the page's caption, else the heading they stand
//! under, renamed by the overlay where the page numbers none). [`super::roles`] then decides where
//! each table's members go.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::page::{Block, Page};
use super::phrases::{Constraints, re, read_constraints};
use super::request_line::{RequestLine, parse_request_line};
use super::roles::place_tables;
use super::sections::{Caption, Section, caption, heading_status, section_of};
use super::table::{Column, Table};
use super::{DeriveError, Warning};

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Path,
    Query,
    Header,
    Body,
}

impl Place {
    pub(super) fn as_str(self) -> &'static str {
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
pub(super) struct Field {
    pub name: String,
    pub required: Option<bool>,
    pub doc_type: String,
    pub constraints: Constraints,
    /// The provenance label of the table the row is in.
    pub table: String,
    /// The page line of the row (0: not from a row).
    pub line: usize,
    /// The nested object documenting this member's members (its items, for an array).
    pub nested: Option<String>,
    /// The value the request line fixes for a query parameter (`action_id=start`).
    pub fixed: Option<String>,
}

/// The members of one table, under its provenance label.
#[derive(Debug, Clone)]
pub(super) struct FieldTable {
    pub label: String,
    pub fields: Vec<Field>,
}

/// One parameter of the request (path, query or header).
#[derive(Debug, Clone)]
pub(super) struct Param {
    pub place: Place,
    pub field: Field,
}

/// A nested object: its file name, members, and whether it is part of the request.
#[derive(Debug, Clone)]
pub(super) struct Object {
    pub name: String,
    pub table: FieldTable,
    pub request: bool,
}

/// A printed example: the request line and/or body text exactly as on the page.
#[derive(Debug, Clone)]
pub(super) struct PrintedExample {
    pub name: String,
    pub status: Option<u16>,
    pub request_line: Option<String>,
    pub body: Option<String>,
    pub table: String,
    pub row: String,
}

impl PrintedExample {
    fn response(status: u16, body: String, table: String, row: String) -> Self {
        Self {
            name: format!("response.{status}"),
            status: Some(status),
            request_line: None,
            body: Some(body),
            table,
            row,
        }
    }
}

/// Everything one page documents about its operation.
#[derive(Debug, Clone)]
pub(super) struct Facts {
    pub page: String,
    pub title: String,
    pub doc_version: Option<String>,
    pub method: String,
    pub path: String,
    /// Query parameters the request line fixes (`action_id=start`), part of the operation's identity.
    pub fixed_query: Vec<(String, String)>,
    pub api_version: String,
    pub params: Vec<Param>,
    pub body: Option<FieldTable>,
    pub responses: BTreeMap<u16, FieldTable>,
    pub objects: Vec<Object>,
    pub status_codes: Vec<(u16, String, String)>,
    pub success_status: u16,
    pub examples: Vec<PrintedExample>,
    /// Every table with its rows' first cells, in page order (`fixtures/rows.json`).
    pub tables: Vec<(String, Vec<String>)>,
}

/// What a table documents, from the section it stands in (or, outside any, its columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Uri,
    Request,
    Response(Option<u16>),
}

/// A member table as read, before its members are placed.
#[derive(Debug, Clone)]
pub(super) struct ReadTable {
    pub label: String,
    pub caption: Option<Caption>,
    pub role: Role,
    pub table: Table,
    pub fields: Vec<Field>,
}

static STATUS_CAPTION: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)status code:?\s*(\d{3})"));
static STATUS_CELL: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{3})\b"));
static VERSION: LazyLock<Regex> = LazyLock::new(|| re(r"^/(v\d+(?:\.\d+)?)/"));

/// The endpoint as found: the request line and where it stands.
pub(super) struct Endpoint {
    pub line: RequestLine,
    pub table: String,
    pub page_line: usize,
}

pub(super) struct Reader<'a> {
    pub page: &'a Page,
    labels: &'a BTreeMap<String, String>,
    pub warnings: &'a mut Vec<Warning>,
    used_labels: BTreeMap<String, usize>,
    section: Section,
    section_heading: String,
    heading: String,
    status: Option<u16>,
    bullet: Option<String>,
    pub endpoint: Option<Endpoint>,
    pub examples: Vec<PrintedExample>,
    pub status_codes: Vec<(u16, String, String)>,
    saw_status_table: bool,
    pub tables: Vec<ReadTable>,
    pub rows: Vec<(String, Vec<String>)>,
}

impl Reader<'_> {
    pub(super) fn warn(&mut self, table: &str, row: &str, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning::new(&self.page.file, table, row, message).at(line));
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
            let required = match table.cell(row, &Column::Mandatory).map(str::trim) {
                None => None,
                Some("Yes" | "是" | "true" | "必选") => Some(true),
                Some("No" | "否" | "false" | "可选") => Some(false),
                Some(other) => {
                    let message = format!("mandatory cell `{other}` is neither Yes nor No; read as optional");
                    self.warn(label, &name, row.line, message);
                    Some(false)
                }
            };
            let doc_type = table.cell(row, &Column::Type).unwrap_or("").to_owned();
            let description = table.cell(row, &Column::Description).unwrap_or("");
            let constraints = read_constraints(description, &doc_type);
            for sentence in &constraints.unread {
                let message = format!("constraint not understood, member left unconstrained by it: {sentence:?}");
                self.warn(label, &name, row.line, message);
            }
            fields.push(Field {
                name,
                required,
                doc_type,
                constraints,
                table: label.to_owned(),
                line: row.line,
                nested: None,
                fixed: None,
            });
        }
        fields
    }

    fn heading(&mut self, text: &str) {
        if let Some(s) = section_of(text) {
            self.section = s;
            text.clone_into(&mut self.section_heading);
            self.status = None;
            self.bullet = None;
        }
        if let Some(s) = heading_status(text) {
            self.status = Some(s);
        }
        text.clone_into(&mut self.heading);
    }

    /// A bullet; "- 正常" followed by a bare status code is a status-code row outside any table.
    /// Returns whether the next block was consumed.
    fn bullet(&mut self, text: &str, next: Option<&Block>) -> bool {
        self.bullet = Some(text.to_owned());
        if self.section == Section::StatusCodes
            && let Some(Block::Text { text: code, .. }) = next
            && let Some(c) = STATUS_CELL.captures(code)
            && code.len() == 3
        {
            let status = c[1].parse().unwrap_or(0);
            self.status_codes.push((status, self.section_heading.clone(), format!("{text} {code}")));
            return true;
        }
        false
    }

    /// A request line: the endpoint when it is the first in the URI section (or the first written
    /// as a template), else a printed example when it names a host. Returns whether it was one.
    fn request_line(&mut self, text: &str, line: usize, table: String, body: Option<String>) -> bool {
        let Some(l) = parse_request_line(text) else { return false };
        // Outside code, a request line with a host is an example only where requests are shown.
        let shown = body.is_some() || matches!(self.section, Section::Request | Section::ExampleRequest);
        let template_place = !matches!(self.section, Section::ExampleRequest | Section::ExampleResponse);
        if self.endpoint.is_none() && template_place && (self.section == Section::Uri || !l.has_host) {
            self.endpoint = Some(Endpoint { line: l, table: self.section_heading.clone(), page_line: line });
            return true;
        }
        if !l.has_host || !shown {
            return false;
        }
        let has_body = body.as_deref().is_some_and(|b| !b.trim().is_empty());
        let row = match (&body, has_body) {
            (Some(_), true) => "body".to_owned(),
            (Some(_), false) => "request line".to_owned(),
            (None, _) => String::new(),
        };
        self.examples.push(PrintedExample {
            name: "request".into(),
            status: None,
            request_line: Some(l.text.clone()),
            body: body.filter(|_| has_body),
            table,
            row,
        });
        true
    }

    fn text(&mut self, blocks: &[Block], i: usize, text: &str, line: usize) -> usize {
        let example = matches!(self.section, Section::ExampleRequest | Section::ExampleResponse);
        // A status subsection written as a (bold) paragraph rather than a heading.
        if matches!(self.section, Section::Response | Section::ExampleResponse)
            && let Some(s) = heading_status(text)
        {
            self.status = Some(s);
            return i + 1;
        }
        if self.request_line(text, line, self.section_heading.clone(), None) {
            self.bullet = None;
        } else if example && (text.starts_with('{') || text.starts_with('[')) {
            let (body, next) = collect_body(blocks, i);
            self.example_body(body, line);
            return next;
        } else if self.section == Section::ExampleResponse
            && let Some(c) = STATUS_CAPTION.captures(text)
        {
            self.status = c[1].parse().ok();
        }
        i + 1
    }

    fn example_body(&mut self, body: String, line: usize) {
        let table = self.section_heading.clone();
        if self.section == Section::ExampleRequest {
            let row = self.bullet.clone().unwrap_or_else(|| "body".into());
            match self.examples.iter_mut().rfind(|e| e.status.is_none()) {
                Some(e) if e.body.is_none() => {
                    e.body = Some(body);
                    e.row = row;
                }
                _ => self.examples.push(PrintedExample {
                    name: "request".into(),
                    status: None,
                    request_line: None,
                    body: Some(body),
                    table,
                    row,
                }),
            }
        } else if let Some(s) = self.status {
            self.examples.push(PrintedExample::response(s, body, table, format!("Status code: {s}")));
        } else {
            self.warn(&table, "-", line, "example body with no status code before it; ignored");
        }
    }

    fn code(&mut self, text: &str, line: usize) {
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("").trim();
        let rest = lines.collect::<Vec<_>>().join("\n");
        let table = self.bullet.clone().unwrap_or_else(|| self.heading.clone());
        if self.request_line(first, line, table.clone(), Some(rest.clone())) {
            return;
        }
        if let Some(c) = STATUS_CAPTION.captures(first) {
            let s: u16 = c[1].parse().unwrap_or(0);
            self.examples.push(PrintedExample::response(s, rest, table, first.to_owned()));
        }
    }

    fn table(&mut self, table: &Table) {
        let under = if self.heading.is_empty() { self.section_heading.clone() } else { self.heading.clone() };
        let label = self.label(table, &under);
        if table.truncated {
            let (row, line) = table.rows.last().map_or(("-".to_owned(), table.line), |r| (r.key().to_owned(), r.line));
            self.warn(&label, &row, line, "the table ends in an incomplete row: the page looks truncated");
        }
        self.rows.push((label.clone(), table.rows.iter().map(|r| r.key().to_owned()).collect()));
        if table.columns.first() == Some(&Column::Status) {
            self.saw_status_table = true;
            for row in &table.rows {
                match STATUS_CELL.captures(row.key()).and_then(|c| c[1].parse().ok()) {
                    Some(code) => self.status_codes.push((code, label.clone(), row.key().to_owned())),
                    None => self.warn(&label, row.key(), row.line, "status-code row without a status code"),
                }
            }
            return;
        }
        let role = match self.section {
            Section::Uri => Some(Role::Uri),
            Section::Request => Some(Role::Request),
            Section::Response => Some(Role::Response(self.status)),
            // Outside the member sections the columns say: a mandatory column documents input.
            _ if table.has(&Column::Mandatory) => Some(Role::Request),
            _ => Some(Role::Response(self.status)),
        }
        .filter(|_| table.has(&Column::Mandatory) || table.has(&Column::Type));
        let Some(role) = role else {
            self.warn(&label, "-", table.line, "table with unknown columns; ignored");
            return;
        };
        let fields = self.fields(table, &label);
        let caption = table.label.as_deref().and_then(caption);
        self.tables.push(ReadTable { label, caption, role, table: table.clone(), fields });
    }
}

/// Reads the operation documented by `page`. `labels` renames derived table labels (overlay).
pub(super) fn read_page(
    page: &Page,
    labels: &BTreeMap<String, String>,
    warnings: &mut Vec<Warning>,
) -> Result<Facts, DeriveError> {
    let mut r = Reader {
        page,
        labels,
        warnings,
        used_labels: BTreeMap::new(),
        section: Section::Other,
        section_heading: String::new(),
        heading: String::new(),
        status: None,
        bullet: None,
        endpoint: None,
        examples: Vec::new(),
        status_codes: Vec::new(),
        saw_status_table: false,
        tables: Vec::new(),
        rows: Vec::new(),
    };
    let blocks = &page.blocks;
    let mut i = 0;
    while i < blocks.len() {
        match &blocks[i] {
            Block::Heading { text, .. } => r.heading(text),
            Block::Bullet { text, .. } => {
                if r.bullet(text, blocks.get(i + 1)) {
                    i += 1;
                }
            }
            Block::Text { text, line } => {
                i = r.text(blocks, i, text, *line);
                continue;
            }
            Block::Code { text, line } => r.code(text, *line),
            Block::Table(table) => r.table(table),
        }
        i += 1;
    }
    finish(r)
}

/// The facts, once every block is read: the endpoint, the tables placed, examples checked.
fn finish(mut r: Reader<'_>) -> Result<Facts, DeriveError> {
    if r.endpoint.is_none() {
        // No template line: the first example request line gives method and path.
        let example = r.examples.iter().find_map(|e| e.request_line.as_deref().and_then(parse_request_line));
        if let Some(line) = example {
            let table =
                r.examples.iter().find(|e| e.request_line.is_some()).map(|e| e.table.clone()).unwrap_or_default();
            r.warn(
                &table,
                "request line",
                0,
                "no request line in the URI section; method and path read from the example request",
            );
            r.endpoint = Some(Endpoint { line, table, page_line: 0 });
        }
    }
    let Some(endpoint) = r.endpoint.take() else {
        return Err(DeriveError::NoEndpoint { page: r.page.file.clone() });
    };
    let path = endpoint.line.path.clone();
    let api_version = VERSION.captures(&path).map_or_else(
        || {
            r.warn("URI", &path, endpoint.page_line, "no API version in the path");
            String::new()
        },
        |c| c[1].to_owned(),
    );
    let placed = place_tables(&mut r, &endpoint);
    let mut responses = placed.responses;
    let success_status = responses
        .keys()
        .copied()
        .chain(r.status_codes.iter().map(|(s, _, _)| *s))
        .find(|s| (200..300).contains(s))
        .unwrap_or(200);
    // A response table under no status heading documents the success response.
    if let Some(t) = responses.remove(&0) {
        responses.insert(success_status, t);
    }
    if !r.saw_status_table && r.status_codes.is_empty() {
        r.warn("Status Codes", "*", 0, "the page documents no status-code table");
    }
    let examples = one_example_each(&mut r);
    let fixed_query = endpoint.line.query.iter().filter_map(|q| q.fixed.clone().map(|v| (q.name.clone(), v))).collect();
    Ok(Facts {
        page: r.page.file.clone(),
        title: r.page.title.clone(),
        doc_version: r.page.doc_version.clone(),
        method: endpoint.line.method.clone(),
        path,
        fixed_query,
        api_version,
        params: placed.params,
        body: placed.body,
        responses,
        objects: placed.objects,
        status_codes: std::mem::take(&mut r.status_codes),
        success_status,
        examples,
        tables: std::mem::take(&mut r.rows),
    })
}

/// One example per request and status: a second one would overwrite the first's fixture.
fn one_example_each(r: &mut Reader<'_>) -> Vec<PrintedExample> {
    let mut examples = std::mem::take(&mut r.examples);
    let mut seen = std::collections::BTreeSet::new();
    let page = r.page.file.clone();
    examples.retain(|e| {
        let first = seen.insert(e.name.clone());
        if !first {
            r.warnings.push(Warning::new(&page, &e.table, &e.row, format!("second {} example ignored", e.name)));
        }
        first
    });
    for e in &mut examples {
        if e.row.is_empty() {
            let query = e.request_line.as_deref().is_some_and(|l| l.contains('?'));
            e.row = if query { "query".into() } else { "request line".into() };
        }
    }
    examples
}

/// The JSON text starting at `blocks[start]`: text lines until the brackets balance.
fn collect_body(blocks: &[Block], start: usize) -> (String, usize) {
    let mut depth = 0i64;
    let mut lines = Vec::new();
    let mut i = start;
    while let Some(Block::Text { text, .. }) = blocks.get(i) {
        depth +=
            text.chars().map(|c| i64::from(matches!(c, '{' | '[')) - i64::from(matches!(c, '}' | ']'))).sum::<i64>();
        lines.push(text.clone());
        i += 1;
        if depth <= 0 {
            break;
        }
    }
    (lines.join("\n"), i)
}
