//! Serialised shapes of the catalogue files: `operation.json`, `fixtures/errata.json`,
//! `fixtures/rows.json`. See `schemas/README.md` for what each field means.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a fact comes from: documentation page (seed file name), table and row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub page: String,
    pub table: String,
    pub row: String,
    /// Why the fact is read this way, where the page does not say it in so many words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Source {
    pub fn new(page: impl Into<String>, table: impl Into<String>, row: impl Into<String>) -> Self {
        Self { page: page.into(), table: table.into(), row: row.into(), note: None }
    }

    /// The `x-source` annotation of a schema node: one source object or a list of them.
    pub fn from_annotation(node: &serde_json::Value) -> Vec<Source> {
        match node.get("x-source") {
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(|v| serde_json::from_value(v.clone()).ok()).collect()
            }
            Some(v) => serde_json::from_value(v.clone()).map(|s| vec![s]).unwrap_or_default(),
            None => Vec::new(),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} · {} · {}", self.page, self.table, self.row)
    }
}

/// A stable operation id such as `ges.v2.add_backup`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OperationId(pub String);

impl OperationId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An HTTP status code as documented.
pub type StatusCode = u16;

/// `schemas/<operation>/operation.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationMeta {
    #[serde(rename = "$comment", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub id: OperationId,
    pub title: String,
    pub service: String,
    /// Service family with API version, the unit of a compatibility verdict ("GES v2").
    pub family: String,
    pub api_version: String,
    pub doc_version: Option<String>,
    /// The documentation page (seed file name) the operation is taken from.
    pub page: String,
    pub method: String,
    pub path: String,
    /// Whether a successful call changes state (creates a backup, writes an export).
    pub mutating: bool,
    /// A companion operation (the deletes): it serves a run's lifecycle and cleanup; the headline
    /// contract is the operations without this mark, and family verdicts say which they include.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub companion: bool,
    pub success_status: StatusCode,
    pub error_envelope: ErrorEnvelopeMeta,
    pub parameters: Vec<Parameter>,
    pub request_body: Option<RequestBodyMeta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<PaginationMeta>,
    pub responses: Vec<ResponseMeta>,
    /// The page's status-code table (empty where the page defers to a shared page).
    pub status_codes: Vec<StatusCodeRow>,
    pub error_examples: Vec<ErrorExample>,
    pub examples: Vec<ExampleMeta>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusCodeRow {
    pub status: StatusCode,
    pub source: Source,
}

/// Which error envelope the API version uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvelopeStyle {
    /// `error_code` / `error_msg` (GES v2, GeminiDB v3).
    Snake,
    /// `errorCode` / `errorMessage` (GES v1.0).
    Camel,
}

impl EnvelopeStyle {
    /// The (code, message) member names.
    pub fn fields(self) -> (&'static str, &'static str) {
        match self {
            Self::Snake => ("error_code", "error_msg"),
            Self::Camel => ("errorCode", "errorMessage"),
        }
    }
}

/// How firmly the page fixes the error envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvelopeBasis {
    /// A response table on the page documents the envelope: a deviation is a failure.
    Table,
    /// The page defers to a page outside the contract; the envelope is the family's convention,
    /// and a deviation is an observation.
    Convention,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorEnvelopeMeta {
    pub style: EnvelopeStyle,
    /// Schema file, relative to the operation's folder.
    pub schema: String,
    pub basis: EnvelopeBasis,
    pub source: Source,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    Path,
    Query,
    Header,
}

/// What a parameter's value stands for, so cases can fill it from the target profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamRole {
    Project,
    Graph,
    Instance,
    Backup,
    AuthToken,
    PageLimit,
    PageOffset,
}

impl ParamRole {
    /// The snake_case name of the role (`graph`, `instance` …), as profiles and placeholders spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::Graph => "graph",
            Self::Instance => "instance",
            Self::Backup => "backup",
            Self::AuthToken => "auth_token",
            Self::PageLimit => "page_limit",
            Self::PageOffset => "page_offset",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "in")]
    pub location: Location,
    pub required: bool,
    pub role: ParamRole,
    /// JSON Schema of the value (for query parameters: of the value once parsed).
    pub schema: serde_json::Value,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestBodyMeta {
    pub schema: String,
    pub media_type: String,
    pub source: Source,
}

/// How the list operation pages: the query parameters and response members involved.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationMeta {
    pub limit: String,
    pub offset: String,
    /// Member holding the total number of items (not the page size).
    pub total: String,
    pub items: String,
    pub item_id: String,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseMeta {
    pub status: StatusCode,
    pub schema: String,
    pub source: Source,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// Which requests a documented error example answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    /// Requests breaking a documented rule of a request parameter or body field.
    InvalidRequest,
    /// Requests naming a resource of this role that does not exist.
    UnknownResource(ParamRole),
    /// Failures no input can provoke; testable only with the target's fault-injection control.
    InternalFault,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorExample {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub applies_to: AppliesTo,
    /// The example (by name) that shows it.
    pub example: String,
    pub source: Source,
}

/// A documented example; files are relative to `fixtures/examples/<operation>/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleMeta {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusCode>,
    /// The corrected JSON body, where the example has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The example as printed on the page.
    pub raw: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
    pub source: Source,
}

/// `fixtures/errata.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ErrataFile {
    #[serde(rename = "$comment", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub errata: Vec<Erratum>,
}

/// A mistake in a documentation page, with what the catalogue follows instead.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    pub id: String,
    pub operation: OperationId,
    /// The example (by name) the erratum is about.
    pub example: String,
    pub kind: ErratumKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violates: Option<Violates>,
    /// For `sdk_disagrees`: which SDK model reads the member otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk: Option<SdkDisagreement>,
    pub source: Source,
    pub reason: String,
    pub decision: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErratumKind {
    /// The raw example is not JSON.
    InvalidJson,
    /// The raw example (once made JSON) breaks the schema at `violates`.
    ViolatesSchema,
    /// The example response holds more items than the example request's limit.
    PageExceedsLimit,
    /// The example shows a status whose body no response table documents.
    UndocumentedResponse,
    /// An official SDK reads the documented member under another name, or not at all
    /// (evidence: `fixtures/sdk/evidence.json`).
    SdkDisagrees,
}

/// How an official SDK model departs from a documented member.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SdkDisagreement {
    pub package: String,
    pub model: String,
    /// The member as the page documents it.
    pub member: String,
    /// The member the SDK reads instead, or `None` where it reads none.
    pub sdk_member: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violates {
    pub pointer: String,
    pub keyword: String,
}

/// `fixtures/rows.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RowsFile {
    #[serde(rename = "$comment", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub pages: Vec<PageRows>,
}

/// Every table row of one documentation page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRows {
    pub page: String,
    pub operation: OperationId,
    pub tables: Vec<TableRows>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableRows {
    pub table: String,
    pub rows: Vec<String>,
}
