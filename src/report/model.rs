//! The result model: what a run found, as plain serialisable data. `report.json` is this model
//! (versioned by [`SCHEMA_VERSION`]); JUnit, Markdown and HTML are rendered from it.
//!
//! Stability contract (other tools and CI read `report.json`): fields are only ever added (each with
//! a serde default, so older reports still read); the fields `schema_version`, `target`, `summary.{total,passed,failed,skipped,drift}` and
//! `cases[].{id,operation,kind,outcome,findings[].{check,message,source},duration_ms}` stay.
//! No secret is ever stored here: values are redacted before they reach this model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalogue::Source;
pub use crate::check::Strength;
pub use crate::execute::{TransportKind, WaitRecord};

/// The version of the `report.json` format. 2 added, all optional: `ending`, `summary.leftovers`,
/// `resources`, `cases[].{error_kind, retries, waits}`, `cases[].exchanges[].{transport_error,
/// retries}`, `cases[].exchanges[].response.{body_size, body_sha256, body_truncated}`
/// (documented in docs/architecture.md, "The report model").
pub const SCHEMA_VERSION: u32 = 2;

/// One run of the suite against one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `schema_version`: the report format's version, `SCHEMA_VERSION` when written by this build.
    pub schema_version: u32,
    /// `tool`: which hwconform wrote the report.
    pub tool: ToolInfo,
    /// RFC 3339 time the run started.
    pub started_at: String,
    /// `target`: the target the run tested, without secrets.
    pub target: TargetInfo,
    /// `summary`: counts of case outcomes, drift, observations and leftovers.
    pub summary: Summary,
    /// Compatibility verdict per service family ("GES v2", "GES v1.0", "GeminiDB v3").
    #[serde(default)]
    pub families: Vec<FamilyVerdict>,
    /// `cases`: one result per case run (or skipped), in run order.
    pub cases: Vec<CaseResult>,
    /// The documentation errata the catalogue follows.
    #[serde(default)]
    pub errata: Vec<ErratumRecord>,
    /// Which documented table rows at least one case exercised.
    #[serde(default)]
    pub coverage: Option<Coverage>,
    /// What the run created on the target (the contract has no delete operation: clean up by hand).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub created_resources: Vec<CreatedResource>,
    /// How the run ended (v2; absent: completed).
    #[serde(default)]
    pub ending: RunEnding,
    /// Every resource of the target the run used: where it came from and, for what the run created,
    /// whether it was cleaned up (v2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceRecord>,
    /// The suite's proven bite on the catalogue (`hwconform selftest`, committed as
    /// `fixtures/bite.json`) and the rules no case probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bite: Option<BiteRecord>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunEnding {
    /// Every selected case ran to its end (or was skipped).
    #[default]
    Completed,
    /// The run's deadline (`--run-timeout`) cut it short.
    RunTimeout,
    /// Ctrl-C or SIGTERM cut it short.
    Interrupted,
    /// No case got an answer from the target.
    Unreachable,
}

/// One resource of the target a run used (v2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRecord {
    /// What it is, in the contract's words (`backup`, `export`).
    pub kind: String,
    /// Its id on the target (or the best identification the answer gave, e.g. a job id).
    pub id: String,
    /// The operation whose answer named it, or that would delete it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// `provenance`: where the resource came from (profile, discovery, or a case that created it).
    pub provenance: Provenance,
    /// For what the run created: what became of it. Absent for resources the run did not create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<CleanupState>,
}

/// Where a resource the run used came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Provenance {
    /// Supplied by the user: a profile key or a flag (named).
    Profile {
        /// The profile key or flag that named it (e.g. `graph_id`).
        setting: String,
    },
    /// Found on the target (e.g. listed), never created by the run.
    Discovered {
        /// How it was found, in words (which list operation, which state).
        how: String,
    },
    /// Created by the run, by this case.
    Created {
        /// Id of the case that created it.
        case: String,
    },
}

/// What became of a resource the run created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CleanupState {
    /// Deleted, and (where the contract has a list) verified gone.
    Deleted {
        /// How the deletion was done and verified, in words.
        how: String,
    },
    /// Deletion accepted by the target but not verifiable (no list operation).
    Accepted {
        /// How the deletion was requested, in words.
        how: String,
    },
    /// Still on the target, and why (`--keep`, deletion refused, wait ran out …).
    Left {
        /// Why it was left, in words.
        reason: String,
    },
    /// The contract has no way to remove it (e.g. an export written to the user's storage).
    NotRemovable {
        /// Why nothing can remove it, in words.
        reason: String,
    },
}

impl CleanupState {
    /// Whether the resource was left behind on the target (a litter the exit code reports).
    pub fn is_left(&self) -> bool {
        matches!(self, Self::Left { .. })
    }
}

/// Why a case could not be tested, by kind (v2: the `error` line says it in words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A request got no usable answer (see the exchange's `transport_error`).
    Transport,
    /// A request could not be built or authenticated.
    Request,
    /// Execution stopped before the last step (a value to capture was missing).
    Stopped,
    /// The run's deadline came first.
    RunTimeout,
    /// The run was interrupted.
    Interrupted,
    /// A resource the case needs did not settle in time, or ended `failed`.
    Unsettled,
    /// The harness itself failed (a panicked task).
    Panicked,
}

/// How many documented rules the suite is proven to catch: each broken alone in the reference
/// server (`hwconform selftest`), caught when a case fails against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BiteRecord {
    /// `caught`: rules at least one case catches when the reference server breaks them alone.
    pub caught: usize,
    /// `rules`: documented rules the self-test broke one at a time.
    pub rules: usize,
    /// Per operation: (caught, rules).
    pub operations: BTreeMap<String, (usize, usize)>,
    /// Rules no case catches.
    #[serde(default)]
    pub uncaught: Vec<String>,
    /// Rules no case probes.
    #[serde(default)]
    pub unprobed: Vec<String>,
}

/// A resource a request of the run created: a POST the target accepted, with the ids its answer named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedResource {
    /// The case that sent the request.
    pub case: String,
    /// HTTP method of the creating request (`POST`).
    pub method: String,
    /// The request URL (redacted like every recorded request).
    pub url: String,
    /// HTTP status the target accepted the request with.
    pub status: u16,
    /// Id-like members of the answer (`job_id`, `backup_id`, `jobId`…), by name.
    pub ids: BTreeMap<String, String>,
}

/// `tool`: the program that wrote the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// `name`: always `hwconform`.
    pub name: String,
    /// `version`: the crate version of the hwconform that ran (`0.1.0`).
    pub version: String,
}

/// The target, without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// Profile name (`reference` for the built-in reference server).
    pub profile: String,
    /// Base URL per service (`GES`, `GeminiDB`).
    pub endpoints: BTreeMap<String, String>,
    /// Authentication scheme used (`token`, `aksk`, `iam-password`), never the credential.
    pub auth: String,
    /// `fault_injection`: whether the target honours the fault-injection control, so `fault` cases can run.
    pub fault_injection: bool,
    /// Whether the target is the reference server started in-process.
    pub reference_server: bool,
}

/// `summary`: case counts by outcome, plus drift, observations and leftovers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// `total`: cases in the report, whatever their outcome.
    pub total: usize,
    /// `passed`: cases with outcome `passed`.
    pub passed: usize,
    /// `failed`: cases with outcome `failed` (the target broke a documented rule).
    pub failed: usize,
    /// `skipped`: cases with outcome `skipped`.
    pub skipped: usize,
    /// Cases that could not be tested (unreachable, timeout): JUnit `<error>`.
    #[serde(default)]
    pub errors: usize,
    /// Cases whose normalised exchange differs from the recorded snapshot.
    pub drift: usize,
    /// Findings of strength `observation` (never fail a run).
    #[serde(default)]
    pub observations: usize,
    /// Resources the run created and left on the target (v2).
    #[serde(default)]
    pub leftovers: usize,
}

/// Whether a case passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseOutcome {
    /// Every check on every answer held (observations allowed).
    Passed,
    /// The target broke something a page fixes.
    Failed,
    /// Not run, with a reason (e.g. the target has no fault injection).
    Skipped,
    /// Could not test: transport error, timeout, bad set-up.
    Error,
}

/// One check's finding, with its documentary source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    /// Check kind: `status`, `content_type`, `schema`, `envelope`, `error_code`, `pagination`, `flow` …
    pub check: String,
    /// `strength`: `failure` (a page fixes it) or `observation` (the pages leave it open; never fails).
    pub strength: Strength,
    /// `message`: what was found, prefixed with the step's label in brackets (`[call] …`).
    pub message: String,
    /// `source`: the documentation page, table and row the check relies on.
    pub source: Source,
    /// `expected`: what the page requires (e.g. `at most 2`), where the check states it apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// `actual`: what the target answered instead, where the check states it apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

/// One request as sent (secrets redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// `method`: HTTP method as sent (`POST`).
    pub method: String,
    /// `url`: full request URL as sent, secrets redacted.
    pub url: String,
    /// `headers`: request headers by name, secrets (token, signature) redacted.
    pub headers: BTreeMap<String, String>,
    /// `body`: the request body as text; absent when the request had none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// One response as received (bodies may be truncated; secrets redacted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseRecord {
    /// `status`: HTTP status code of the answer.
    pub status: u16,
    /// `headers`: response headers by name, secrets redacted.
    pub headers: BTreeMap<String, String>,
    /// `body`: the body as text, cut at the excerpt size (see `body_truncated`); secrets redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body's full size in bytes as received (v2; `body` may hold only an excerpt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_size: Option<u64>,
    /// SHA-256 of the body as received, hex (v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    /// Whether `body` is an excerpt (cut at the excerpt size or the read cap), not the whole body (v2).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub body_truncated: bool,
}

/// A request and what came back (or why nothing did).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeRecord {
    /// `request`: the request as sent.
    pub request: RequestRecord,
    /// `response`: the answer; absent when none came (see `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseRecord>,
    /// `error`: why no answer came, on one line; absent when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The kind of transport failure, when `error` is one (v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport_error: Option<TransportKind>,
    /// Times the request was sent again after the target throttled it (v2).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: u32,
    /// `duration_ms`: time from sending the request to the end of its answer (retries included), in milliseconds.
    pub duration_ms: u64,
}

#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's skip_serializing_if passes a reference")]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// How a case's normalised exchange differs from its recorded snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftRecord {
    /// Snapshot file, relative to the project root.
    pub snapshot: String,
    /// Unified diff, old (recorded) → new (observed).
    pub diff: String,
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// Canonical case id, e.g. `ges.v2.add_backup/auth/missing_token`.
    pub id: String,
    /// `operation`: id of the operation the case tests (`ges.v2.add_backup`).
    pub operation: String,
    /// `family`: the service family whose verdict the case counts toward (`GES v2`).
    pub family: String,
    /// `positive`, `violation`, `auth`, `not_found`, `pagination`, `flow`, `malformed`, `fault`.
    pub kind: String,
    /// One line in plain words saying what the case does and why.
    pub rationale: String,
    /// `mutating`: whether the case sends a request that changes state on the target.
    pub mutating: bool,
    /// `outcome`: `passed`, `failed`, `skipped` or `error`.
    pub outcome: CaseOutcome,
    /// `findings`: what the checks found; failures decide a `failed` outcome.
    pub findings: Vec<FindingRecord>,
    /// `skip_reason`: why the case was not run, when `outcome` is `skipped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// `error`: why the case could not be tested, in words, when `outcome` is `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `duration_ms`: wall time of the whole case, waits and retries included, in milliseconds.
    pub duration_ms: u64,
    /// The documented rows the case exercises.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// `exchanges`: every request the case sent and what came back, in order.
    #[serde(default)]
    pub exchanges: Vec<ExchangeRecord>,
    /// `drift`: how the exchange differs from its recorded snapshot; absent when it matches or none is recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<DriftRecord>,
    /// What the case expected of the target, step by step (absent in reports before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectation: Option<ExpectationRecord>,
    /// Why the case could not be tested, by kind, when `outcome` is `error` (v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<ErrorKind>,
    /// Requests the case sent again after the target throttled them (v2).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: u32,
    /// Waits for asynchronous work the case made (v2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waits: Vec<WaitRecord>,
}

/// What a case expected: one record per request, plus the rule relating the answers, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectationRecord {
    /// `steps`: one expectation per request the case sends, in order.
    pub steps: Vec<StepExpectationRecord>,
    /// The rule over several answers (pagination, flow), in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
}

/// What one request's answer had to be.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepExpectationRecord {
    /// The step's label (`call`, `add`, `page_0` …).
    pub step: String,
    /// Statuses that pass; empty when any 4xx passes (the page names none).
    #[serde(default)]
    pub statuses: Vec<u16>,
    /// The expectation in plain words.
    pub description: String,
    /// Schema the body must match (success answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Error envelope the body must use (error answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<String>,
    /// Error code a page names for this answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

/// Conformance result of one family, in the manner of the Gateway API's conformance reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every core case passed, none failed, was skipped or errored.
    Success,
    /// No core case failed, but some were skipped or could not be tested (or none passed).
    Partial,
    /// At least one core case failed.
    Failure,
}

/// `families[]`: the compatibility verdict of one service family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyVerdict {
    /// `family`: the service family with API version (`GES v2`).
    pub family: String,
    /// `verdict`: `success`, `partial` or `failure`.
    pub verdict: Verdict,
    /// Core: behaviour the pages fix.
    pub core_passed: usize,
    /// Core cases that failed (a documented rule broken).
    pub core_failed: usize,
    /// Extended: behaviour the pages leave open (observations).
    pub extended_observations: usize,
    /// `skipped`: cases of the family that were skipped.
    pub skipped: usize,
    /// `skip_reasons`: each skip reason with its count (`no fault injection (2 cases)`).
    pub skip_reasons: Vec<String>,
}

/// `errata[]`: a documentation mistake the catalogue follows a correction for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErratumRecord {
    /// `id`: the erratum's id in `fixtures/errata.json` (`E1`).
    pub id: String,
    /// `operation`: id of the operation whose page holds the mistake.
    pub operation: String,
    /// `reason`: what is wrong on the page.
    pub reason: String,
    /// `decision`: what the catalogue does instead.
    pub decision: String,
    /// `source`: where on the page the mistake is.
    pub source: Source,
}

/// `coverage`: which documented table rows the cases exercised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// `rows`: every row of `fixtures/rows.json`, with how many cases cite it.
    pub rows: Vec<RowCoverage>,
}

/// One documented table row and how many cases exercised it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowCoverage {
    /// `page`: the documentation page, by seed file name.
    pub page: String,
    /// `table`: the table's label on the page.
    pub table: String,
    /// `row`: the row's first cell.
    pub row: String,
    /// `cases`: how many cases cite the row (or its whole table); 0 means uncovered.
    pub cases: usize,
}

#[cfg(test)]
impl CaseResult {
    /// A case result with every optional part empty, for unit tests to adjust (one literal to
    /// update when a field is added).
    pub(crate) fn blank(id: &str, family: &str, outcome: CaseOutcome) -> Self {
        Self {
            id: id.into(),
            operation: "ges.v2.add_backup".into(),
            family: family.into(),
            kind: "positive".into(),
            rationale: String::new(),
            mutating: false,
            outcome,
            findings: Vec::new(),
            skip_reason: None,
            error: None,
            duration_ms: 0,
            sources: Vec::new(),
            exchanges: Vec::new(),
            drift: None,
            expectation: None,
            error_kind: None,
            retries: 0,
            waits: Vec::new(),
        }
    }
}
