//! The case model: what to send (request templates with slots the target fills), what to expect,
//! and where each expectation comes from.
//!
//! Cases are target-independent: resource ids, the project and the token are [`Slot`]s resolved at
//! run time from the target profile, so listing cases needs no I/O.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::catalogue::{Operation, ParamRole, Source};

/// A stable, readable case id: `ges.v2.add_backup/auth/missing_token`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct CaseId(String);

impl CaseId {
    /// Joins segments with `/`; each segment is kept to `[A-Za-z0-9._-]` so the three renderings
    /// stay unambiguous.
    pub fn new<I, S>(segments: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let parts: Vec<String> = segments
            .into_iter()
            .map(|s| {
                s.as_ref()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
                    .collect()
            })
            .collect();
        Self(parts.join("/"))
    }

    /// Canonical form, `a/b/c`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// libtest / nextest trial name, `a::b::c`.
    pub fn trial_name(&self) -> String {
        self.0.replace('/', "::")
    }

    /// Snapshot name as given to insta (`a/b/c`; insta stores it as `a__b__c.snap`).
    pub fn snapshot_name(&self) -> &str {
        &self.0
    }

    /// The snapshot file name for a profile suffix: `a__b__c@suffix.snap`.
    pub fn snapshot_file(&self, suffix: &str) -> String {
        format!("{}@{suffix}.snap", self.0.replace('/', "__"))
    }

    /// A project id unique to this case: alphanumeric, at most 64 characters (the documented rule).
    pub fn project_id(&self) -> String {
        // FNV-1a keeps it short and stable across runs and platforms.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.0.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("hwc{hash:016x}")
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a case exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// Valid input, including values at the edge of a documented rule.
    Positive,
    /// One documented rule broken.
    Violation,
    /// The token missing, wrong or one step from the valid one: the target must refuse it.
    Auth,
    /// A well-formed id of a resource that does not exist: the documented not-found answer.
    NotFound,
    /// The list's limit/offset paging and its totals, over several requests.
    Pagination,
    /// Several operations in sequence (create, then list): what one does shows in the next.
    Flow,
    /// A body that is not what the page documents at all (not JSON, wrong content type).
    Malformed,
    /// A documented error only the server's cooperation can provoke.
    Fault,
}

impl CaseKind {
    /// Every kind, in the order cases are generated and listed.
    pub const ALL: [CaseKind; 8] = [
        Self::Positive,
        Self::Violation,
        Self::Auth,
        Self::NotFound,
        Self::Pagination,
        Self::Flow,
        Self::Malformed,
        Self::Fault,
    ];

    /// The kind's snake_case name, as case ids and `report.json` spell it (`not_found`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Positive => "positive",
            Self::Violation => "violation",
            Self::Auth => "auth",
            Self::NotFound => "not_found",
            Self::Pagination => "pagination",
            Self::Flow => "flow",
            Self::Malformed => "malformed",
            Self::Fault => "fault",
        }
    }
}

impl fmt::Display for CaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value the target fills in at run time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// The target's resource of this role (project, graph, instance, existing backup).
    Role(ParamRole),
    /// An id of this role that names nothing on the target.
    Unknown(ParamRole),
    /// A value captured by an earlier step of the same case.
    Captured(String),
    /// A literal value (probes, pagination parameters).
    Literal(Value),
    /// A value the target supplies (profile `export_path`, `[values]`) for a member the page's
    /// example shows only as a placeholder (`{obs_path}`): the placeholder is never sent.
    Supplied {
        /// The body member the value fills (e.g. `obs_path`), as profiles name it.
        member: String,
        /// The placeholder the page's example shows instead (`{obs_path}`).
        placeholder: String,
    },
}

/// The id used for resources that must not exist: alphanumeric, so it passes every id rule.
pub const UNKNOWN_ID: &str = "hwconformunknown00000000000000000000";

/// The length of the id sent where an id longer than any a target issues is probed: ids of these
/// APIs are 32 to 36 characters, and a path of this length passes any gateway.
pub(super) const OVERLONG_ID_LEN: usize = 512;

/// How the token travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// The target's valid token (or signature).
    Valid,
    /// No token at all.
    Missing,
    /// A well-formed token the target never issued.
    Wrong,
    /// The valid token, altered the way a lax comparison would still accept.
    NearMiss(NearMiss),
}

/// A token one step from the valid one: what a server comparing prefixes, ignoring case or
/// trimming would let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NearMiss {
    /// One character appended.
    Appended,
    /// The valid token without its last character.
    Prefix,
    /// Every ASCII letter in the other case.
    Case,
}

impl NearMiss {
    /// The altered token; `None` where the alteration changes nothing (a token with no letters
    /// has no other case), so the case cannot be made.
    pub fn apply(self, token: &str) -> Option<String> {
        let altered = match self {
            Self::Appended => format!("{token}x"),
            Self::Prefix => {
                let mut chars = token.chars();
                chars.next_back();
                chars.as_str().to_owned()
            }
            Self::Case => token
                .chars()
                .map(|c| if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect(),
        };
        (altered != token && !altered.is_empty()).then_some(altered)
    }

    /// The snake_case name used in case ids (`token_appended`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Appended => "token_appended",
            Self::Prefix => "token_prefix",
            Self::Case => "token_case",
        }
    }

    /// The alteration in words, for a case's rationale ("…in the" is followed by where the token travels).
    pub fn words(self) -> &'static str {
        match self {
            Self::Appended => "with the valid token plus one character appended in the",
            Self::Prefix => "with the valid token less its last character in the",
            Self::Case => "with the valid token in the other letter case in the",
        }
    }
}

/// The request body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyTemplate {
    /// No body.
    None,
    /// JSON with members filled from slots (JSON Pointer → slot) before sending, sent with this
    /// content type.
    Json {
        /// The JSON body as sent, before the fills.
        value: Value,
        /// Members filled at run time: JSON Pointer into `value`, and the slot that fills it.
        fills: Vec<(String, Slot)>,
        /// The `Content-Type` header to send (`application/json`).
        content_type: String,
    },
    /// Bytes sent as they are, with this content type (`None`: no `Content-Type` header).
    Raw {
        /// The body exactly as sent.
        text: String,
        /// The `Content-Type` header to send; `None` sends none.
        content_type: Option<String>,
    },
}

/// One request, before the target fills it in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestTemplate {
    /// Path parameters by name.
    pub path: Vec<(String, Slot)>,
    /// Query parameters, in order.
    pub query: Vec<(String, Slot)>,
    /// How the token travels (valid, missing, wrong, near miss).
    pub auth: AuthMode,
    /// The body to send.
    pub body: BodyTemplate,
    /// Ask the target to inject its documented internal fault.
    pub fault: bool,
}

/// A documented error answer: status and code named by a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentedError {
    /// The HTTP status the page documents for the error.
    pub status: u16,
    /// The error code the page documents (`GES.0001`).
    pub code: String,
    /// The error message the page documents (`Parameter error!`).
    pub message: String,
    /// The page's error example that names status and code.
    pub source: Source,
}

/// What a step's answer must be.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// The documented success status with a body valid against its schema.
    Success,
    /// An error answer in the API version's envelope: the documented status and code where a page
    /// names them, any 4xx otherwise. `lenient`: a success is also legitimate (the pages leave it
    /// open), recorded as an observation.
    Error {
        /// The status and code a page names for this answer; `None`: any 4xx in the envelope passes.
        documented: Option<DocumentedError>,
        /// Whether a success answer is also accepted (recorded as an observation).
        lenient: bool,
        /// The request names an id no target issues, which a target may refuse as invalid (the
        /// documented status and code) or as unknown (another 4xx, without the documented code:
        /// the page ties that code to its status).
        or_unknown: bool,
    },
}

impl Expectation {
    /// An error answer that must not be a success, with the documented status and code if any.
    pub fn error(documented: Option<DocumentedError>) -> Self {
        Self::Error { documented, lenient: false, or_unknown: false }
    }

    /// An error the pages leave open: a success is also legitimate.
    pub fn lenient_error() -> Self {
        Self::Error { documented: None, lenient: true, or_unknown: false }
    }
}

/// A value taken from a step's response for later steps (`Slot::Captured(name)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Capture {
    /// The name later steps use to refer to it (`Slot::Captured(name)`); also a flow rule's key.
    pub name: String,
    /// JSON Pointer into the response body.
    pub pointer: String,
}

/// Walk every page of a list operation: repeat the request, advancing the offset parameter by the
/// page length, until a page is empty or the total is reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Walk {
    /// Name of the query parameter advanced from page to page (`offset`).
    pub offset_param: String,
    /// Response member holding the total number of items (`backupCount`).
    pub total: String,
    /// Response member holding the page's items (`backupList`).
    pub items: String,
    /// Stop after this many pages whatever the answers (a hostile server cannot loop us).
    pub max_pages: usize,
}

/// One request of a case.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Short stable label (`add`, `list_after`, `page_0`).
    pub label: String,
    /// The operation the step calls; serialised as its id.
    #[serde(serialize_with = "op_id")]
    pub operation: Arc<Operation>,
    /// The request to send, with slots the target fills.
    pub request: RequestTemplate,
    /// What the answer must be.
    pub expect: Expectation,
    /// Values taken from the answer for later steps.
    pub captures: Vec<Capture>,
    /// Whether to page through the whole list from this request; `None` sends it once.
    pub walk: Option<Walk>,
    /// Waits for the target's asynchronous work around this step (filled from `x-lifecycle`).
    #[serde(skip)]
    pub waits: StepWaits,
    /// A success of this step adds one item to the list the case pages through (a documented
    /// count must follow it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adds: bool,
}

/// Waits around a step for work the target finishes later (a backup stays `backing_up` for minutes),
/// read from the list item's `x-lifecycle` (see `execute::settle`).
#[derive(Debug, Clone, Default)]
pub struct StepWaits {
    /// Before sending: wait until the resource captured under this name leaves its pending states.
    pub before: Option<(String, Arc<super::Tracker>)>,
    /// After this create is refused: if the parent it names has work pending, wait until it has none
    /// and send the request once more (a target may refuse a second backup while one is running).
    pub busy: Option<Arc<super::Tracker>>,
    /// Sent at once, without waiting for the captured resource to be ready: a probe of what the
    /// target answers meanwhile.
    pub eager: bool,
}

fn op_id<S: serde::Serializer>(op: &Arc<Operation>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(op.meta.id.as_str())
}

/// What the target must offer for a case to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// The target honours the fault-injection header.
    FaultInjection,
    /// The case sends a project id of its own (so the target must give every valid project a
    /// fresh state, as the reference server does).
    OwnProject,
    /// The target authenticates with a fixed token (near-miss tokens are made from it).
    FixedToken,
}

/// A relation between the answers of a case's steps, checked after every step's own checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// No relation: each step is judged on its own.
    None,
    /// Pagination rules over the pages answered.
    Pagination(PageRule),
    /// Stateful flow rules.
    Flow(FlowRule),
}

/// Pagination rules (see `check::pagination`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PageRule {
    /// Each page holds at most the limit it asked for.
    WithinLimit,
    /// The page at offset 1 starts with the second item of the page at offset 0.
    OffsetSkips,
    /// The total is the same on every page, whatever the limit and offset.
    TotalConstant,
    /// Without a limit, a page holds min(default, total) items.
    DefaultLimit {
        /// The documented default page size (the limit parameter's schema default).
        default: u64,
    },
    /// Walking every page yields every item once, and as many as the total says.
    WalkAll,
    /// A query parameter left out answers the same page as the parameter given at its documented
    /// default (steps `omitted` and `explicit`): the same items, with the same documented members.
    DefaultSame {
        /// Name of the query parameter left out in step `omitted` (`limit`, `offset`).
        param: String,
        /// Its documented default, sent explicitly in step `explicit`.
        default: i64,
    },
}

/// Stateful flow rules (see `check::flow`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowRule {
    /// The created resource (captured as `captured`) appears in the walked list step `list`.
    Appears {
        /// Name of the capture holding the created resource's id; `None` when the answer names none.
        created: Option<String>,
        /// Label of the list step before the create: the new item is the one it did not hold.
        list_before: Option<String>,
        /// Label of the walked list step after the create.
        list_after: String,
        /// Member of the new item naming its parent, and the parent's role: the item must name the parent it was added to.
        parent: Option<(String, ParamRole)>,
    },
    /// The captured values are non-blank.
    ReturnsIds {
        /// Names of the captures that must be non-blank (ids the create answer returns).
        captured: Vec<String>,
    },
    /// A resource's whole life: `created` appears in `list_shown`, is gone from `list_after` (once
    /// deleted), and the list's total is back to what `list_before` said.
    Gone {
        /// Name of the capture holding the created resource's id.
        created: String,
        /// Label of the list step before the create (its total is the baseline).
        list_before: String,
        /// Label of the list step that must show the created resource.
        list_shown: String,
        /// Label of the list step after the delete: the resource must be gone.
        list_after: String,
    },
}

impl RequestTemplate {
    /// Fills the path parameter `name` with `slot`.
    pub(crate) fn set_path(&mut self, name: &str, slot: &Slot) {
        for (n, s) in &mut self.path {
            if n == name {
                s.clone_from(slot);
            }
        }
    }

    /// Every slot the target fills: path, query, then body members.
    pub fn slots(&self) -> impl Iterator<Item = &Slot> {
        let body: &[(String, Slot)] = match &self.body {
            BodyTemplate::Json { fills, .. } => fills,
            BodyTemplate::None | BodyTemplate::Raw { .. } => &[],
        };
        self.path.iter().chain(&self.query).chain(body).map(|(_, slot)| slot)
    }
}

/// A generated case.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// Stable case id, e.g. `ges.v2.add_backup/auth/missing_token`.
    pub id: CaseId,
    /// Id of the operation under test (`ges.v2.add_backup`).
    pub operation: String,
    /// The service family the verdict counts the case toward (`GES v2`).
    pub family: String,
    /// What the case exercises.
    pub kind: CaseKind,
    /// One line in plain words.
    pub rationale: String,
    /// The documented rows (page, table, row) the case's expectations come from.
    pub sources: Vec<Source>,
    /// Whether the case may change state on a correct target: a request to a mutating operation that a
    /// correct target may accept. `--read-only` and `allow_mutating = false` skip these.
    pub mutating: bool,
    /// What the target must offer for the case to run; a missing one skips it.
    pub requires: Vec<Requirement>,
    /// The requests to send, in order.
    pub steps: Vec<Step>,
    /// The rule relating the steps' answers, checked after each step's own checks.
    pub relation: Relation,
    /// The catalogue-wide id of the documented rule the case probes (`hwconform rules`), where it
    /// probes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}
