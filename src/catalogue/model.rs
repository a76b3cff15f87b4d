//! Serialised shapes of the catalogue files: `operation.json`, `fixtures/errata.json`,
//! `fixtures/rows.json`. See `schemas/README.md` for what each field means.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a fact comes from: documentation page (seed file name), table and row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The documentation page, by seed file name (e.g. `000_9944e0bd545224f5.txt`).
    pub page: String,
    /// The table's label: the page's own ("Table 3 Request body parameters") or the heading it stands under.
    pub table: String,
    /// The row's first cell (usually the member name); `*` cites the whole table.
    pub row: String,
    /// Why the fact is read this way, where the page does not say it in so many words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Source {
    /// A source without a note.
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
    /// The id as written (`ges.v2.add_backup`).
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
    /// The file's `$comment` (a pointer to `schemas/README.md`), kept so files round-trip.
    #[serde(rename = "$comment", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Stable operation id; also the operation's folder name under `schemas/`.
    pub id: OperationId,
    /// Short English title of the operation ("Create a manual backup").
    pub title: String,
    /// Service name as documented (`GES`, `GeminiDB`).
    pub service: String,
    /// Service family with API version, the unit of a compatibility verdict ("GES v2").
    pub family: String,
    /// API version in the path (`v2`, `v1.0`, `v3`).
    pub api_version: String,
    /// Version of the API as the page states it (`1.0.0`); `None` where the page states none.
    pub doc_version: Option<String>,
    /// The documentation page (seed file name) the operation is taken from.
    pub page: String,
    /// HTTP method in upper case (`POST`, `GET`, `DELETE`).
    pub method: String,
    /// Path template with `{name}` parameters as the page writes them (`/v2/{project_id}/graphs/{graph_id}/backups`).
    pub path: String,
    /// Whether a successful call changes state (creates a backup, writes an export).
    pub mutating: bool,
    /// A companion operation (the deletes): it serves a run's lifecycle and cleanup; the headline
    /// contract is the operations without this mark, and family verdicts say which they include.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub companion: bool,
    /// The documented success status: 200 for GES, 202 for GeminiDB.
    pub success_status: StatusCode,
    /// Which error envelope the operation answers with, and how firmly the page fixes it.
    pub error_envelope: ErrorEnvelopeMeta,
    /// Path, query and header parameters, in page order.
    pub parameters: Vec<Parameter>,
    /// The request body, where the page documents one; `None` for bodiless requests.
    pub request_body: Option<RequestBodyMeta>,
    /// How the operation pages its results; only list operations have it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<PaginationMeta>,
    /// One entry per documented response status, each with its body schema.
    pub responses: Vec<ResponseMeta>,
    /// The page's status-code table (empty where the page defers to a shared page).
    pub status_codes: Vec<StatusCodeRow>,
    /// Documented error codes and the requests they answer (from the error examples).
    pub error_examples: Vec<ErrorExample>,
    /// Documented request and response examples, stored under `fixtures/examples/<operation>/`.
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

/// The error envelope of an operation: `operation.json`'s `error_envelope`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorEnvelopeMeta {
    /// Member names: `snake` (`error_code`/`error_msg`) or `camel` (`errorCode`/`errorMessage`).
    pub style: EnvelopeStyle,
    /// Schema file, relative to the operation's folder.
    pub schema: String,
    /// Whether a deviation from the envelope fails (`table`) or is an observation (`convention`).
    pub basis: EnvelopeBasis,
    /// Where the envelope is documented (or the shared page it defers to, with a note).
    pub source: Source,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// In the path, replacing `{name}` in the template.
    Path,
    /// In the URL's query string.
    Query,
    /// In a request header (e.g. `X-Auth-Token`).
    Header,
}

/// What a parameter's value stands for, so cases can fill it from the target profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamRole {
    /// The project id (`{project_id}` in every path).
    Project,
    /// The id of a GES graph.
    Graph,
    /// The id of a GeminiDB instance.
    Instance,
    /// The id of a backup.
    Backup,
    /// The IAM token sent as `X-Auth-Token`.
    AuthToken,
    /// The page size of a list request (`limit`).
    PageLimit,
    /// The number of items a list request skips (`offset`).
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

/// One documented request parameter: an entry of `operation.json`'s `parameters`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// The parameter's name as the page writes it (`graph_id`, `X-Auth-Token`).
    pub name: String,
    /// Where the parameter travels (`in`: `path`, `query`, `header`).
    #[serde(rename = "in")]
    pub location: Location,
    /// Whether the page marks the parameter mandatory.
    pub required: bool,
    /// What the value stands for, so cases can fill it from the target.
    pub role: ParamRole,
    /// JSON Schema of the value (for query parameters: of the value once parsed).
    pub schema: serde_json::Value,
    /// The page table row that documents the parameter.
    pub source: Source,
}

/// The documented request body: `operation.json`'s `request_body`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestBodyMeta {
    /// Schema file of the body, relative to the operation's folder (`request.schema.json`).
    pub schema: String,
    /// Content type of the body (`application/json`).
    pub media_type: String,
    /// The page table that documents the body (`row: "*"`).
    pub source: Source,
}

/// How the list operation pages: the query parameters and response members involved.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationMeta {
    /// Name of the query parameter holding the page size (`limit`).
    pub limit: String,
    /// Name of the query parameter holding the number of items to skip (`offset`).
    pub offset: String,
    /// Member holding the total number of items (not the page size).
    pub total: String,
    /// Member holding the page's items (`backupList`).
    pub items: String,
    /// Member of an item that holds its id (`id`).
    pub item_id: String,
    /// The page table row that documents the pagination.
    pub source: Source,
}

/// One documented response: an entry of `operation.json`'s `responses`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseMeta {
    /// The HTTP status this response is documented for.
    pub status: StatusCode,
    /// Schema file of the body, relative to the operation's folder (`response.200.schema.json`).
    pub schema: String,
    /// The page table that documents the body (`Status code: 200`, `row: "*"`).
    pub source: Source,
    /// Ids of errata (`E1` …) about this response, from `fixtures/errata.json`.
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

/// A documented error code: an entry of `operation.json`'s `error_examples`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorExample {
    /// The HTTP status the error is answered with.
    pub status: StatusCode,
    /// The documented error code (`GES.0001`).
    pub code: String,
    /// The documented error message (`Parameter error!`).
    pub message: String,
    /// Which requests this error answers.
    pub applies_to: AppliesTo,
    /// The example (by name) that shows it.
    pub example: String,
    /// Where the page shows the example (`Example Response` table, status row).
    pub source: Source,
}

/// A documented example; files are relative to `fixtures/examples/<operation>/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleMeta {
    /// The example's name, also its file stem (`request`, `response.200`).
    pub name: String,
    /// The status a response example is shown for; `None` for request examples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusCode>,
    /// The corrected JSON body, where the example has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The example as printed on the page.
    pub raw: String,
    /// The request line as printed (`GET https://Endpoint/v1.0/{project_id}/graphs/backups?offset=0&limit=2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_line: Option<String>,
    /// The query parameters of the request line, by name; `None` where it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<std::collections::BTreeMap<String, String>>,
    /// Ids of errata (`E1` …) about this example, from `fixtures/errata.json`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
    /// The page table and row that show the example.
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
    /// Stable erratum id (`E1`), cited from examples and responses.
    pub id: String,
    /// The operation whose page holds the mistake.
    pub operation: OperationId,
    /// The example (by name) the erratum is about.
    pub example: String,
    /// What kind of mistake it is.
    pub kind: ErratumKind,
    /// For `violates_schema`: where and how the example breaks the schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violates: Option<Violates>,
    /// For `sdk_disagrees`: which SDK model reads the member otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk: Option<SdkDisagreement>,
    /// Where on the page the mistake is (table and row of the example).
    pub source: Source,
    /// What is wrong, in one or two sentences.
    pub reason: String,
    /// What the catalogue does instead (e.g. the corrected fixture's change).
    pub decision: String,
}

/// Kinds of documentation mistakes an erratum records.
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
    /// The SDK package (`huaweicloudsdkges`).
    pub package: String,
    /// The SDK model class that reads the member (`Backup`, `CreateBackup2Response`).
    pub model: String,
    /// The member as the page documents it.
    pub member: String,
    /// The member the SDK reads instead, or `None` where it reads none.
    pub sdk_member: Option<String>,
}

/// Where an example breaks its schema (`violates_schema` errata).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violates {
    /// JSON Pointer into the example to the offending value (`/name`).
    pub pointer: String,
    /// The JSON Schema keyword it breaks (`pattern`, `maxLength` …).
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
    /// The page, by seed file name.
    pub page: String,
    /// The operation the page documents.
    pub operation: OperationId,
    /// The page's tables, in page order.
    pub tables: Vec<TableRows>,
}

/// The rows of one table of a page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableRows {
    /// The table's label, as in `Source::table`.
    pub table: String,
    /// The first cell of each row, in page order.
    pub rows: Vec<String>,
}
