//! Every documented rule of the catalogue, each under one stable id (issue 15): what `hwconform
//! rules` lists, what `hwconform serve --break RULE_ID` breaks, and what probes are grouped by.
//!
//! Ids are `<operation id>/<location>/<member or param>/<kind slug>` for the rules of a schema
//! (request body `body`, parameters `path`/`query`/`header`, success answer `response.<status>`;
//! nested members are dotted, list items `[]`: `backupList[].status`), and
//! `<operation id>/<area>/<detail>` for the others: the success `status`, a documented `error_code`
//! and its `error_status`, the error `envelope` members, `auth` (`required`, `exact_token`), a
//! documented `default`, a documented `count`, `pagination` (`limit`, `offset`, `total`), the
//! answer's `media_type`, `not_found` (an unknown resource is refused), `malformed` (a body that is
//! not JSON is a 4xx) and `state` (what a create adds is `listed`, what a delete takes is `removed`).
//!
//! Everything here is read from the catalogue's metadata and schemas: a new operation folder
//! brings its rules with no Rust. Only rules a server can observably break are listed (the type
//! of a path segment, always a string, is not).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Catalogue, ErrorExample, Location, Operation, OperationId, ParamRole, Rule, RuleKind, Source};

/// A rule's stable id, e.g. `geminidb.v3.create_backup/body/name/max_length`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RuleId(String);

impl RuleId {
    /// The id as written (`ges.v2.add_backup/error_code/GES.0001`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The operation id the rule belongs to (everything before the first `/`).
    pub fn operation(&self) -> &str {
        self.0.split('/').next().unwrap_or_default()
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A string that is not shaped like a rule id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a rule id (`<operation>/<area>/<detail>`; `hwconform rules` lists them)")]
pub struct RuleIdError(String);

impl FromStr for RuleId {
    type Err = RuleIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let parts: Vec<&str> = s.split('/').collect();
        if parts.len() < 3 || parts.iter().any(|p| p.is_empty()) || s.chars().any(char::is_whitespace) {
            return Err(RuleIdError(s.to_owned()));
        }
        Ok(Self(s.to_owned()))
    }
}

/// Where a schema rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaLocation {
    /// The request body.
    Body,
    /// A parameter.
    Parameter(Location),
    /// The answer documented for this (success) status.
    Response(u16),
}

impl SchemaLocation {
    fn slug(self) -> String {
        match self {
            Self::Body => "body".into(),
            Self::Parameter(Location::Path) => "path".into(),
            Self::Parameter(Location::Query) => "query".into(),
            Self::Parameter(Location::Header) => "header".into(),
            Self::Response(status) => format!("response.{status}"),
        }
    }
}

/// Which pagination promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRule {
    /// A page holds at most `limit` items.
    Limit,
    /// `offset` skips that many items.
    Offset,
    /// The total member counts every item, not the page.
    Total,
}

/// What a listed rule is about, with the operands a breakage needs.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleTarget {
    /// A rule of a schema; for parameters, `rule.field` is the parameter's name.
    Schema {
        /// Where the schema applies (body, a parameter, a success answer).
        location: SchemaLocation,
        /// The schema's rule (field, kind and operand).
        rule: Rule,
    },
    /// Success is answered with this status.
    SuccessStatus(u16),
    /// The documented error example with this code answers with it.
    ErrorCode {
        /// The documented error code (`GES.0001`).
        code: String,
        /// The status its example answers with.
        status: u16,
    },
    /// The documented error example with this code answers with its documented status.
    ErrorStatus {
        /// The documented error code.
        code: String,
        /// The status the page documents for it.
        status: u16,
    },
    /// Error bodies of these statuses (those with a documented body) carry this envelope member.
    Envelope {
        /// The envelope member (`error_code`, `errorMessage` …).
        member: String,
        /// The error statuses with a documented body.
        statuses: Vec<u16>,
    },
    /// Credentials are required.
    AuthRequired,
    /// Only the exact token is accepted (no prefix, no extra character, no other case).
    AuthExactToken,
    /// The parameter's documented default applies when it is omitted.
    Default {
        /// Name of the query parameter.
        param: String,
        /// Its documented default value.
        default: Value,
    },
    /// The total member is current after every create.
    Count {
        /// The response member holding the total (`backupCount`).
        member: String,
    },
    /// A promise of the list's limit/offset paging.
    Pagination(PageRule),
    /// Answers are declared with this media type.
    MediaType(String),
    /// A request naming an unknown resource of this role (by this parameter or body member) is refused.
    NotFound {
        /// The role of the resource named (`graph`, `backup` …).
        role: ParamRole,
        /// The path parameter or body member that names it.
        name: String,
    },
    /// A body that is not JSON is refused with a 4xx.
    Malformed,
    /// What this operation creates is listed by the service's list operation.
    Listed,
    /// What this operation deletes leaves the service's list (and its count).
    Removed,
}

/// One documented rule with its id, a one-line description and where the pages state it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedRule {
    /// The rule's stable id.
    pub id: RuleId,
    /// The operation whose pages state the rule.
    pub operation: OperationId,
    /// The rule in one line of plain words, as `hwconform rules` prints it.
    pub description: String,
    /// The page table rows that state the rule.
    pub sources: Vec<Source>,
    /// What the rule is about, with what breaking it needs.
    pub target: RuleTarget,
}

/// `/backupList/0/status` → `backupList[].status`.
fn member_name(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment == "0" {
            out.push_str("[]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

fn describe(kind: &RuleKind, field: &str) -> String {
    let words = |v: &[String]| v.join(", ");
    match kind {
        RuleKind::Required => format!("{field} is required"),
        RuleKind::Type(t) => format!("{field} is of type {t}"),
        RuleKind::MinLength(n) => format!("{field} has at least {n} characters"),
        RuleKind::MaxLength(n) => format!("{field} has at most {n} characters"),
        RuleKind::FirstChar(c) => format!("{field} starts with one of: {}", words(c)),
        RuleKind::AllowedChars(c) => format!("{field} holds only: {}", words(c)),
        RuleKind::ForbiddenChars(c) => format!("{field} never holds: {}", words(c)),
        RuleKind::Enum(v) => {
            let shown: Vec<String> =
                v.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)).collect();
            format!("{field} is one of: {}", shown.join(", "))
        }
        RuleKind::Minimum(m) => format!("{field} is at least {m}"),
    }
}

/// Whether a server can observably break this schema rule. Request rules only where the server
/// checks them (a rule of the root object, or the type of a path/header string, cannot be
/// loosened into anything a client could tell apart).
fn breakable(location: SchemaLocation, rule: &Rule) -> bool {
    match (location, &rule.kind) {
        (SchemaLocation::Parameter(Location::Query), RuleKind::Type(t)) => t != "string",
        (SchemaLocation::Body | SchemaLocation::Response(_), _) if rule.pointer.is_empty() => false,
        (SchemaLocation::Parameter(Location::Path | Location::Header), RuleKind::Type(_))
        | (_, RuleKind::MinLength(0)) => false,
        _ => true,
    }
}

/// Every documented rule of the catalogue, in a stable order (operation, then as enumerated).
pub fn rule_list(catalogue: &Catalogue) -> Vec<ListedRule> {
    let mut out = Vec::new();
    for op in catalogue.operations() {
        rules_of_operation(catalogue, op, &mut out);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|r| seen.insert(r.id.clone()));
    out
}

fn rules_of_operation(catalogue: &Catalogue, op: &Operation, out: &mut Vec<ListedRule>) {
    let mut c = Collect { op, out };
    schema_rules(catalogue, op, &mut c);
    answer_rules(op, &mut c);
    error_rules(op, &mut c);
    auth_and_default_rules(op, &mut c);
    pagination_rules(op, &mut c);
    resource_rules(catalogue, op, &mut c);
}

/// Collects one operation's rules, each id under the operation's.
struct Collect<'a> {
    op: &'a Operation,
    out: &'a mut Vec<ListedRule>,
}

impl Collect<'_> {
    fn push(&mut self, rest: &str, description: String, sources: Vec<Source>, target: RuleTarget) {
        let m = &self.op.meta;
        self.out.push(ListedRule {
            id: RuleId(format!("{}/{rest}", m.id)),
            operation: m.id.clone(),
            description,
            sources,
            target,
        });
    }
}

/// The schema rules: of the parameters, the request body and the success answer.
fn schema_rules(catalogue: &Catalogue, op: &Operation, c: &mut Collect<'_>) {
    let m = &op.meta;
    for (param, schema) in &op.parameters {
        if param.role == ParamRole::AuthToken {
            continue;
        }
        let location = SchemaLocation::Parameter(param.location);
        for mut rule in catalogue.rules(&schema.document) {
            rule.field.clone_from(&param.name);
            if rule.sources.is_empty() {
                rule.sources = vec![param.source.clone()];
            }
            if !rule.pointer.is_empty() || !breakable(location, &rule) {
                continue;
            }
            let rest = format!("{}/{}/{}", location.slug(), param.name, rule.kind.slug());
            c.push(
                &rest,
                describe(&rule.kind, &param.name),
                rule.sources.clone(),
                RuleTarget::Schema { location, rule },
            );
        }
    }
    let schemas = op
        .request
        .iter()
        .map(|s| (SchemaLocation::Body, s))
        .chain(op.response_schema(m.success_status).map(|s| (SchemaLocation::Response(m.success_status), s)));
    for (location, schema) in schemas {
        for rule in catalogue.rules(&schema.document) {
            if !breakable(location, &rule) {
                continue;
            }
            let member = member_name(&rule.pointer);
            let rest = format!("{}/{member}/{}", location.slug(), rule.kind.slug());
            c.push(&rest, describe(&rule.kind, &member), rule.sources.clone(), RuleTarget::Schema { location, rule });
        }
    }
}

/// The success status and the answer's media type.
fn answer_rules(op: &Operation, c: &mut Collect<'_>) {
    let m = &op.meta;
    let success_source = m.responses.iter().find(|r| r.status == m.success_status).map(|r| r.source.clone());
    let success_sources: Vec<Source> = success_source.into_iter().collect();
    c.push(
        &format!("status/{}", m.success_status),
        format!("success is answered {}", m.success_status),
        success_sources.clone(),
        RuleTarget::SuccessStatus(m.success_status),
    );
    c.push(
        "media_type/application_json",
        "answers are declared application/json".into(),
        success_sources,
        RuleTarget::MediaType("application/json".into()),
    );
}

/// Documented error codes and their statuses, and the envelope where a body is documented for an
/// error status.
fn error_rules(op: &Operation, c: &mut Collect<'_>) {
    let m = &op.meta;
    for e in &m.error_examples {
        c.push(
            &format!("error_code/{}", e.code),
            format!("{} is answered with code {}", applies_words(e), e.code),
            vec![e.source.clone()],
            RuleTarget::ErrorCode { code: e.code.clone(), status: e.status },
        );
        c.push(
            &format!("error_status/{}", e.code),
            format!("{} is answered with status {}", applies_words(e), e.status),
            vec![e.source.clone()],
            RuleTarget::ErrorStatus { code: e.code.clone(), status: e.status },
        );
    }
    // The envelope, where a body is documented for an error status.
    let statuses = documented_error_bodies(op);
    if !statuses.is_empty() {
        let (code, msg) = m.error_envelope.style.fields();
        for member in [code, msg] {
            c.push(
                &format!("envelope/{member}"),
                format!("error answers ({}) carry {member}", join(&statuses)),
                vec![m.error_envelope.source.clone()],
                RuleTarget::Envelope { member: member.to_owned(), statuses: statuses.clone() },
            );
        }
    }
}

/// Authentication, and the documented defaults.
fn auth_and_default_rules(op: &Operation, c: &mut Collect<'_>) {
    if let Some((auth, _)) = op.parameters.iter().find(|(p, _)| p.role == ParamRole::AuthToken) {
        c.push(
            "auth/required",
            format!("a request without a valid {} is refused", auth.name),
            vec![auth.source.clone()],
            RuleTarget::AuthRequired,
        );
        c.push(
            "auth/exact_token",
            format!("only the exact {} is accepted (no prefix, extra character or other case)", auth.name),
            vec![auth.source.clone()],
            RuleTarget::AuthExactToken,
        );
    }
    // Documented defaults.
    for (param, _) in &op.parameters {
        if let Some(default) = param.schema.get("default") {
            c.push(
                &format!("default/{}", param.name),
                format!("{} omitted means {default}", param.name),
                vec![param.source.clone()],
                RuleTarget::Default { param: param.name.clone(), default: default.clone() },
            );
        }
    }
}

/// Pagination and the documented count.
fn pagination_rules(op: &Operation, c: &mut Collect<'_>) {
    let m = &op.meta;
    if let Some(p) = &m.pagination {
        for (rule, words) in [
            (PageRule::Limit, format!("a page holds at most {} items", p.limit)),
            (PageRule::Offset, format!("{} skips that many items", p.offset)),
            (PageRule::Total, format!("{} counts every item, not the page", p.total)),
        ] {
            let slug = match rule {
                PageRule::Limit => "limit",
                PageRule::Offset => "offset",
                PageRule::Total => "total",
            };
            c.push(&format!("pagination/{slug}"), words, vec![p.source.clone()], RuleTarget::Pagination(rule));
        }
        c.push(
            &format!("count/{}", p.total),
            format!("{} is current after every create", p.total),
            vec![p.source.clone()],
            RuleTarget::Count { member: p.total.clone() },
        );
    }
}

/// Unknown resources (path parameters naming one, and body members annotated `x-resource`), a
/// malformed body, and the state a create or delete leaves in the list.
fn resource_rules(catalogue: &Catalogue, op: &Operation, c: &mut Collect<'_>) {
    let m = &op.meta;
    for (param, _) in &op.parameters {
        if matches!(param.role, ParamRole::Graph | ParamRole::Instance | ParamRole::Backup) {
            c.push(
                &format!("not_found/{}", param.name),
                format!("an unknown {} is refused", param.name),
                vec![param.source.clone()],
                RuleTarget::NotFound { role: param.role, name: param.name.clone() },
            );
        }
    }
    if let Some(props) = op.request.as_ref().and_then(|s| s.document.get("properties")).and_then(Value::as_object) {
        for (name, prop) in props {
            if prop.get("x-resource").and_then(Value::as_str) == Some("backup") {
                c.push(
                    &format!("not_found/{name}"),
                    format!("an unknown {name} is refused"),
                    Source::from_annotation(prop),
                    RuleTarget::NotFound { role: ParamRole::Backup, name: name.clone() },
                );
            }
        }
    }
    if let Some(body) = &m.request_body {
        c.push(
            "malformed/body",
            "a body that is not JSON is refused with a 4xx".into(),
            vec![body.source.clone()],
            RuleTarget::Malformed,
        );
    }
    if let Some(list) = lists_what_it_creates(catalogue, op) {
        let source = list.meta.pagination.as_ref().map(|p| p.source.clone());
        c.push(
            "state/listed",
            format!("what it creates is listed by {}", list.meta.id),
            source.into_iter().collect(),
            RuleTarget::Listed,
        );
    }
    if let Some(list) = lists_what_it_deletes(catalogue, op) {
        let source = list.meta.pagination.as_ref().map(|p| p.source.clone());
        c.push(
            "state/removed",
            format!("what it deletes leaves {} and its count", list.meta.id),
            source.into_iter().collect(),
            RuleTarget::Removed,
        );
    }
}

fn applies_words(e: &ErrorExample) -> String {
    match &e.applies_to {
        super::AppliesTo::InvalidRequest => "a request breaking a documented rule".into(),
        super::AppliesTo::UnknownResource(role) => format!("an unknown {role:?}").to_lowercase(),
        super::AppliesTo::InternalFault => "an internal fault".into(),
    }
}

fn join(statuses: &[u16]) -> String {
    statuses.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
}

/// The error statuses whose body the page documents: a response schema or an error example.
pub fn documented_error_bodies(op: &Operation) -> Vec<u16> {
    let mut out: Vec<u16> = op
        .meta
        .responses
        .iter()
        .map(|r| r.status)
        .chain(op.meta.error_examples.iter().map(|e| e.status))
        .filter(|s| *s >= 400)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The list operation of the same service that shows what `op` creates: `op` is a mutating POST on
/// the list's collection (the same last path segment).
pub fn lists_what_it_creates<'a>(catalogue: &'a Catalogue, op: &Operation) -> Option<&'a Operation> {
    if !op.meta.mutating || !op.meta.method.eq_ignore_ascii_case("POST") {
        return None;
    }
    catalogue.operations().iter().find(|l| {
        l.meta.pagination.is_some() && l.meta.service == op.meta.service && l.last_segment() == op.last_segment()
    })
}

/// The list operation of the same service that shows what `op` deletes: `op` is a `DELETE` of one
/// item of the list's collection (`…/backups/{backup_id}` for a list ending in `backups`).
pub fn lists_what_it_deletes<'a>(catalogue: &'a Catalogue, op: &Operation) -> Option<&'a Operation> {
    if !op.meta.method.eq_ignore_ascii_case("DELETE") {
        return None;
    }
    let mut segments = op.meta.path.trim_end_matches('/').rsplit('/');
    let (Some(item), Some(collection)) = (segments.next(), segments.next()) else { return None };
    if !item.starts_with('{') {
        return None;
    }
    catalogue
        .operations()
        .iter()
        .find(|l| l.meta.pagination.is_some() && l.meta.service == op.meta.service && l.last_segment() == collection)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        rule_list(&Catalogue::builtin().unwrap()).into_iter().map(|r| r.id.to_string()).collect()
    }

    #[test]
    fn ids_are_unique_well_formed_and_cover_every_area() {
        let ids = ids();
        for id in &ids {
            assert_eq!(id.parse::<RuleId>().unwrap().as_str(), id);
        }
        for expected in [
            "geminidb.v3.create_backup/body/name/max_length",
            "geminidb.v3.create_backup/body/name/first_char",
            "geminidb.v3.create_backup/body/description/forbidden_chars",
            "ges.v2.add_backup/path/project_id/max_length",
            "ges.v1.list_backups/query/limit/type",
            "ges.v1.list_backups/response.200/backupList[].encrypted/required",
            "ges.v1.list_backups/response.200/backupList[].status/enum",
            "ges.v2.add_backup/response.200/backup_id/required",
            "ges.v2.add_backup/status/200",
            "ges.v2.add_backup/error_code/GES.0047",
            "ges.v2.add_backup/error_status/GES.0047",
            "ges.v2.add_backup/envelope/error_code",
            "ges.v1.list_backups/envelope/errorCode",
            "ges.v1.add_backup/auth/required",
            "ges.v1.add_backup/auth/exact_token",
            "ges.v1.list_backups/default/limit",
            "ges.v1.list_backups/default/offset",
            "ges.v1.list_backups/count/backupCount",
            "ges.v1.list_backups/pagination/limit",
            "ges.v2.export_backup/not_found/backup_id",
            "ges.v2.add_backup/not_found/graph_id",
            "ges.v2.add_backup/malformed/body",
            "ges.v2.add_backup/state/listed",
            "ges.v2.export_backup/media_type/application_json",
        ] {
            assert!(ids.contains(&expected.to_owned()), "{expected} missing from {ids:#?}");
        }
        // GeminiDB documents no error body: no envelope rule; export creates nothing listed.
        assert!(!ids.iter().any(|i| i.starts_with("geminidb.v3.create_backup/envelope/")));
        assert!(!ids.contains(&"ges.v2.export_backup/state/listed".to_owned()));
        assert!(!ids.iter().any(|i| i.contains("/path/") && i.ends_with("/type")), "path types are not breakable");
        let unique: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
    }

    #[test]
    fn bad_ids_are_refused() {
        for bad in ["", "op", "op/x", "op//x", "op/a b/c"] {
            assert!(bad.parse::<RuleId>().is_err(), "{bad}");
        }
        assert_eq!("a.b/c/d".parse::<RuleId>().unwrap().operation(), "a.b");
    }

    #[test]
    fn members_are_dotted_with_list_items() {
        assert_eq!(member_name("/backupList/0/status"), "backupList[].status");
        assert_eq!(member_name("/name"), "name");
        assert_eq!(member_name("/a~1b"), "a/b");
    }
}
