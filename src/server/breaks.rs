//! Rule breaks (issue 15, `hwconform serve --break RULE_ID`, [`ServerConfig::breaks`]): the
//! reference server with exactly the named documented rules broken, so the suite can prove it
//! catches a server that breaks each one.
//!
//! Breakages are generated from the rule's kind in the catalogue's rule listing
//! (`catalogue::rule_list`), never listed by hand:
//!
//! - a request or parameter rule is broken by patching the operation's schema at start-up and
//!   compiling it again — a length limit off by one (`maxLength` + 1, `minLength` − 1, `minimum` − 1),
//!   a character class widened (a digit allowed first, `.`/space/`@` allowed inside, the last
//!   forbidden character allowed), an enum value dropped, a required member made optional, a type
//!   loosened (another type accepted), a default changed (0 → 1, else − 1);
//! - a rule of the success answer is broken by rewriting that member in every success body (dropped,
//!   another type, one character too many or too few, a value outside the enum or the class);
//! - the other areas each have one generated wrong behaviour: success answered with another status,
//!   a documented code's last digit changed, a documented error's status swapped (400 ↔ 404), an
//!   envelope member renamed to the other API version's spelling (only on statuses whose body is
//!   documented), auth skipped, a near-miss token accepted, answers declared `text/plain`, an unknown
//!   resource accepted, a non-JSON body answered 500, created backups left out of the list, deleted
//!   ones left in it, a page
//!   one item longer than its limit, the offset ignored, the total counting the page, the count stale
//!   after a create.
//!
//! None of these is a behaviour any legitimate variant (`variant.rs`) produces.

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::catalogue::{
    Catalogue, EnvelopeStyle, ListedRule, Operation, PageRule, ParamRole, Rule, RuleId, RuleKind, RuleTarget,
    SchemaLocation, rule_list,
};

use super::envelope::ApiError;
use super::error::ServerError;

/// Characters tried, in order, to widen an "allowed characters" class.
const WIDENERS: &[char] = &['.', ' ', '@'];

/// The wrong behaviours in force on one route.
#[derive(Debug, Clone, Default)]
#[expect(clippy::struct_excessive_bools, reason = "independent rule breaks, each on or off (`--break`)")]
pub(super) struct RouteBreaks {
    pub skip_auth: bool,
    pub near_miss_tokens: bool,
    pub success_status: Option<StatusCode>,
    /// (documented code, code answered instead)
    pub error_codes: Vec<(String, String)>,
    /// (documented code, status answered instead)
    pub error_statuses: Vec<(String, StatusCode)>,
    /// (envelope member, name answered instead, statuses it applies to)
    pub envelope: Vec<(String, String, Vec<u16>)>,
    /// Rules of the success answer to break in every success body.
    pub response: Vec<Rule>,
    pub text_plain: bool,
    pub accept_unknown: Vec<ParamRole>,
    pub malformed_500: bool,
    /// What this operation creates is left out of the list.
    pub unlisted: bool,
    /// What this operation deletes stays in the list (the delete answers success and does nothing).
    pub keep_deleted: bool,
    pub page_limit_plus_one: bool,
    pub offset_ignored: bool,
    pub total_is_page: bool,
    pub stale_count: bool,
}

impl RouteBreaks {
    /// Whether success answers must be rewritten.
    pub(super) fn touches_success(&self) -> bool {
        self.success_status.is_some() || self.text_plain || !self.response.is_empty()
    }

    /// Whether error answers must be rewritten.
    pub(super) fn touches_errors(&self) -> bool {
        !(self.error_codes.is_empty() && self.error_statuses.is_empty() && self.envelope.is_empty())
    }

    /// The error answer with its code, status or envelope broken as asked.
    pub(super) fn error(&self, mut error: ApiError) -> Response {
        if let Some((_, to)) = self.error_codes.iter().find(|(from, _)| *from == error.code) {
            error.code.clone_from(to);
        }
        if let Some((_, status)) = self.error_statuses.iter().find(|(code, _)| *code == error.code) {
            error.status = *status;
        }
        let mut body = error.body();
        for (member, renamed, statuses) in &self.envelope {
            if statuses.contains(&error.status.as_u16())
                && let Some(obj) = body.as_object_mut()
                && let Some(v) = obj.remove(member)
            {
                obj.insert(renamed.clone(), v);
            }
        }
        (error.status, axum::Json(body)).into_response()
    }

    /// The success answer with its status, media type or members broken as asked.
    pub(super) async fn success(&self, response: Response) -> Response {
        let (mut parts, body) = response.into_parts();
        if let Some(status) = self.success_status {
            parts.status = status;
        }
        if self.text_plain {
            parts.headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        }
        if self.response.is_empty() {
            return Response::from_parts(parts, body);
        }
        let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
            return Response::from_parts(parts, axum::body::Body::from(bytes));
        };
        for rule in &self.response {
            break_member(&mut value, &segments(&rule.pointer), &rule.kind);
        }
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        Response::from_parts(parts, axum::body::Body::from(Bytes::from(value.to_string())))
    }
}

/// The operations to serve (schemas patched where a request rule is broken) and each one's breaks,
/// in catalogue order. An id the listing does not hold is an error naming it.
pub(super) fn compile(
    catalogue: &Catalogue,
    ids: &[RuleId],
) -> Result<Vec<(Operation, Option<RouteBreaks>)>, ServerError> {
    let listed = if ids.is_empty() { Vec::new() } else { rule_list(catalogue) };
    let mut chosen: Vec<&ListedRule> = Vec::new();
    for id in ids {
        let rule = listed
            .iter()
            .find(|r| &r.id == id)
            .ok_or_else(|| ServerError::Config(format!("--break {id}: no such rule (`hwconform rules` lists them)")))?;
        chosen.push(rule);
    }
    let mut out = Vec::new();
    for op in catalogue.operations() {
        let mine: Vec<&&ListedRule> = chosen.iter().filter(|r| r.operation == op.meta.id).collect();
        if mine.is_empty() {
            out.push((op.clone(), None));
            continue;
        }
        let mut op = op.clone();
        let mut breaks = RouteBreaks::default();
        for rule in mine {
            apply(catalogue, &mut op, &mut breaks, rule)?;
        }
        out.push((op, Some(breaks)));
    }
    Ok(out)
}

fn apply(catalogue: &Catalogue, op: &mut Operation, b: &mut RouteBreaks, rule: &ListedRule) -> Result<(), ServerError> {
    let cannot = |why: &str| ServerError::Config(format!("--break {}: {why}", rule.id));
    match &rule.target {
        RuleTarget::Schema { location: SchemaLocation::Response(_), rule } => b.response.push(rule.clone()),
        RuleTarget::Schema { location: SchemaLocation::Body, rule: r } => {
            let schema = op.request.as_ref().ok_or_else(|| cannot("the operation takes no body"))?;
            let mut doc = schema.document.clone();
            if !patch(&mut doc, &segments(&r.pointer), &r.kind) {
                return Err(cannot("the schema member cannot be patched"));
            }
            op.request = Some(catalogue.compile(&schema.file, &doc)?);
        }
        RuleTarget::Schema { location: SchemaLocation::Parameter(_), rule: r } => {
            let (param, schema) =
                op.parameters.iter_mut().find(|(p, _)| p.name == r.field).ok_or_else(|| cannot("no such parameter"))?;
            let mut doc = schema.document.clone();
            if !patch(&mut doc, &[], &r.kind) {
                return Err(cannot("the parameter schema cannot be patched"));
            }
            param.schema = doc.clone();
            *schema = catalogue.compile(&schema.file, &doc)?;
        }
        RuleTarget::Default { param, default } => {
            let changed = match default.as_i64() {
                Some(0) => Value::from(1),
                Some(n) => Value::from(n - 1),
                None => return Err(cannot("only numeric defaults are changed")),
            };
            let (p, schema) =
                op.parameters.iter_mut().find(|(p, _)| p.name == *param).ok_or_else(|| cannot("no such parameter"))?;
            let mut doc = schema.document.clone();
            doc["default"] = changed.clone();
            p.schema["default"] = changed;
            *schema = catalogue.compile(&schema.file, &doc)?;
        }
        RuleTarget::SuccessStatus(status) => {
            let other = match status {
                200 => StatusCode::CREATED,
                _ => StatusCode::OK,
            };
            b.success_status = Some(other);
        }
        RuleTarget::ErrorCode { code, .. } => b.error_codes.push((code.clone(), next_code(code))),
        RuleTarget::ErrorStatus { code, status } => {
            let other = if *status == 400 { StatusCode::NOT_FOUND } else { StatusCode::BAD_REQUEST };
            b.error_statuses.push((code.clone(), other));
        }
        RuleTarget::Envelope { member, statuses } => {
            let (own, other) = match op.meta.error_envelope.style {
                EnvelopeStyle::Snake => (EnvelopeStyle::Snake.fields(), EnvelopeStyle::Camel.fields()),
                EnvelopeStyle::Camel => (EnvelopeStyle::Camel.fields(), EnvelopeStyle::Snake.fields()),
            };
            let renamed = if member == own.0 { other.0 } else { other.1 };
            b.envelope.push((member.clone(), renamed.to_owned(), statuses.clone()));
        }
        RuleTarget::AuthRequired => b.skip_auth = true,
        RuleTarget::AuthExactToken => b.near_miss_tokens = true,
        RuleTarget::Count { .. } => b.stale_count = true,
        RuleTarget::Pagination(PageRule::Limit) => b.page_limit_plus_one = true,
        RuleTarget::Pagination(PageRule::Offset) => b.offset_ignored = true,
        RuleTarget::Pagination(PageRule::Total) => b.total_is_page = true,
        RuleTarget::MediaType(_) => b.text_plain = true,
        RuleTarget::NotFound { role, .. } => b.accept_unknown.push(*role),
        RuleTarget::Malformed => b.malformed_500 = true,
        RuleTarget::Listed => b.unlisted = true,
        RuleTarget::Removed => b.keep_deleted = true,
    }
    Ok(())
}

/// `GES.0047` → `GES.0048` (the last digit plus one, 9 → 0).
fn next_code(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    match chars.iter().rposition(char::is_ascii_digit) {
        Some(i) => {
            let d = chars[i].to_digit(10).unwrap_or(0);
            chars[i] = char::from_digit((d + 1) % 10, 10).unwrap_or('0');
            chars.into_iter().collect()
        }
        None => format!("{code}X"),
    }
}

/// A pointer's segments, unescaped (`0` stands for every list item).
fn segments(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect()
}

/// Widens (or, for enums, narrows) the schema rule at `path` of `doc`. False where the member
/// cannot be found or the rule has no wrong version.
fn patch(doc: &mut Value, path: &[String], kind: &RuleKind) -> bool {
    if let RuleKind::Required = kind {
        let Some((last, parent)) = path.split_last() else { return false };
        let Some(node) = schema_node(doc, parent) else { return false };
        let Some(required) = node.get_mut("required").and_then(Value::as_array_mut) else { return false };
        let before = required.len();
        required.retain(|r| r.as_str() != Some(last.as_str()));
        return required.len() < before;
    }
    let Some(node) = schema_node(doc, path) else { return false };
    match kind {
        RuleKind::Required => false,
        RuleKind::Type(t) => {
            let other = if t == "string" { "number" } else { "string" };
            node["type"] = Value::from(vec![Value::from(t.as_str()), Value::from(other)]);
            true
        }
        RuleKind::MaxLength(n) => set(node, "maxLength", Value::from(n + 1)),
        RuleKind::MinLength(n) => *n > 0 && set(node, "minLength", Value::from(n - 1)),
        RuleKind::Minimum(m) => set(node, "minimum", Value::from(m - 1)),
        RuleKind::Enum(values) => {
            if values.len() < 2 {
                return false;
            }
            node["enum"] = Value::from(values[..values.len() - 1].to_vec());
            true
        }
        RuleKind::FirstChar(first) => {
            let wider = if first.iter().any(|c| c == "digit") { "_" } else { "digit" };
            widen(node, "first", wider)
        }
        RuleKind::AllowedChars(allowed) => {
            let Some(c) = WIDENERS.iter().find(|c| !crate::catalogue::rules::char_in(**c, allowed)) else {
                return false;
            };
            widen(node, "allowed", &c.to_string())
        }
        RuleKind::ForbiddenChars(forbidden) => {
            if forbidden.is_empty() {
                return false;
            }
            let Some(list) = node.pointer_mut("/x-charset/forbidden").and_then(Value::as_array_mut) else {
                return false;
            };
            list.pop();
            regenerate_pattern(node)
        }
    }
}

fn set(node: &mut Value, key: &str, value: Value) -> bool {
    node[key] = value;
    true
}

fn widen(node: &mut Value, list: &str, class: &str) -> bool {
    let Some(items) = node.pointer_mut(&format!("/x-charset/{list}")).and_then(Value::as_array_mut) else {
        return false;
    };
    items.push(Value::from(class));
    // A character allowed first must also be allowed at all.
    if list == "first"
        && let Some(allowed) = node.pointer_mut("/x-charset/allowed").and_then(Value::as_array_mut)
        && !allowed.iter().any(|a| a.as_str() == Some(class))
    {
        allowed.push(Value::from(class));
    }
    regenerate_pattern(node)
}

/// Rewrites `pattern` from `x-charset` (first / allowed / forbidden classes).
fn regenerate_pattern(node: &mut Value) -> bool {
    let Some(charset) = node.get("x-charset").cloned() else { return false };
    let list = |k: &str| -> Option<Vec<String>> {
        charset.get(k)?.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
    };
    let class = |classes: &[String]| -> String {
        classes
            .iter()
            .map(|c| match c.as_str() {
                "letter" => "A-Za-z".to_owned(),
                "digit" => "0-9".to_owned(),
                literal => literal.chars().map(escape).collect(),
            })
            .collect()
    };
    let inner = match (list("allowed"), list("forbidden")) {
        (Some(allowed), _) => format!("[{}]", class(&allowed)),
        (None, Some(forbidden)) if !forbidden.is_empty() => format!("[^{}]", class(&forbidden)),
        _ => "[\\s\\S]".to_owned(),
    };
    let pattern = match list("first") {
        Some(first) => {
            let optional = node.get("minLength").and_then(Value::as_u64).unwrap_or(0) == 0;
            let body = format!("[{}]{inner}*", class(&first));
            if optional { format!("^(?:{body})?$") } else { format!("^{body}$") }
        }
        None => format!("^{inner}*$"),
    };
    node["pattern"] = Value::from(pattern);
    true
}

fn escape(c: char) -> String {
    if matches!(c, '\\' | ']' | '[' | '^' | '-') { format!("\\{c}") } else { c.to_string() }
}

/// The schema node of the member at `path` (through `properties`, and `items` for `0`).
fn schema_node<'a>(doc: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let mut node = doc;
    for segment in path {
        node = if segment == "0" && node.get("items").is_some() {
            node.get_mut("items")?
        } else {
            node.get_mut("properties")?.get_mut(segment.as_str())?
        };
    }
    Some(node)
}

/// Breaks the member at `path` of an answer (`0` = every item of a list) the way `kind` suggests.
fn break_member(value: &mut Value, path: &[String], kind: &RuleKind) {
    let Some((first, rest)) = path.split_first() else { return };
    if first == "0"
        && let Some(items) = value.as_array_mut()
    {
        for item in items {
            if rest.is_empty() {
                *item = wrong(Some(item), kind).unwrap_or(Value::Null);
            } else {
                break_member(item, rest, kind);
            }
        }
        return;
    }
    let Some(obj) = value.as_object_mut() else { return };
    if !rest.is_empty() {
        if let Some(child) = obj.get_mut(first.as_str()) {
            break_member(child, rest, kind);
        }
        return;
    }
    match wrong(obj.get(first.as_str()), kind) {
        Some(v) => obj.insert(first.clone(), v),
        None => obj.remove(first.as_str()),
    };
}

/// The wrong value for a member now holding `current`; `None` to leave it out.
fn wrong(current: Option<&Value>, kind: &RuleKind) -> Option<Value> {
    let text = current.and_then(Value::as_str).unwrap_or("value");
    Some(match kind {
        RuleKind::Required => return None,
        RuleKind::Type(t) => match t.as_str() {
            "string" => Value::from(12345),
            "boolean" => Value::from("true"),
            _ => Value::from("1"),
        },
        RuleKind::MaxLength(n) => Value::from("a".repeat(usize::try_from(*n).unwrap_or(0) + 1)),
        RuleKind::MinLength(n) => Value::from("a".repeat(usize::try_from(n.saturating_sub(1)).unwrap_or(0))),
        RuleKind::Minimum(m) => Value::from(m - 1),
        RuleKind::Enum(_) => Value::from("undocumented"),
        RuleKind::FirstChar(_) => Value::from(format!("-{text}")),
        RuleKind::AllowedChars(allowed) => {
            let c = WIDENERS.iter().find(|c| !crate::catalogue::rules::char_in(**c, allowed)).copied().unwrap_or('中');
            Value::from(format!("{text}{c}"))
        }
        RuleKind::ForbiddenChars(forbidden) => {
            Value::from(format!("{text}{}", forbidden.first().map_or("<", String::as_str)))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_members_are_broken_at_any_depth() {
        let mut body = serde_json::json!({"n": 1, "items": [{"a": "x", "b": 1}, {"a": "y", "b": 2}]});
        break_member(&mut body, &segments("/items/0/a"), &RuleKind::Required);
        break_member(&mut body, &segments("/n"), &RuleKind::Type("integer".into()));
        assert_eq!(body, serde_json::json!({"n": "1", "items": [{"b": 1}, {"b": 2}]}));
        break_member(&mut body, &segments("/items/0"), &RuleKind::Type("object".into()));
        assert_eq!(body["items"], serde_json::json!(["1", "1"]));
    }

    #[test]
    fn codes_move_by_one_digit() {
        assert_eq!(next_code("GES.0047"), "GES.0048");
        assert_eq!(next_code("GES.7009"), "GES.7000");
        assert_eq!(next_code("ABC"), "ABCX");
    }

    #[test]
    fn character_classes_regenerate_their_pattern() {
        let mut name = serde_json::json!({
            "type": "string", "minLength": 4, "pattern": "^[A-Za-z][A-Za-z0-9_-]*$",
            "x-charset": {"first": ["letter"], "allowed": ["letter", "digit", "-", "_"]}
        });
        assert!(patch(&mut name, &[], &RuleKind::FirstChar(vec!["letter".into()])));
        assert_eq!(name["pattern"], "^[A-Za-z0-9][A-Za-z0-9\\-_]*$");
        let mut description = serde_json::json!({"type": "string", "x-charset": {"forbidden": [">", "="]}});
        assert!(patch(&mut description, &[], &RuleKind::ForbiddenChars(vec![">".into(), "=".into()])));
        assert_eq!(description["pattern"], "^[^>]*$");
        let re = regex::Regex::new(description["pattern"].as_str().unwrap()).unwrap();
        assert!(re.is_match("a=b") && !re.is_match("a>b"));
    }

    #[test]
    fn every_listed_rule_compiles_into_a_breakage() {
        let catalogue = Catalogue::builtin().unwrap();
        for rule in rule_list(&catalogue) {
            let compiled = compile(&catalogue, std::slice::from_ref(&rule.id));
            assert!(compiled.is_ok(), "{}: {:?}", rule.id, compiled.err());
        }
        let err = compile(&catalogue, &["no.such/rule/x".parse().unwrap()]).unwrap_err().to_string();
        assert!(err.contains("no.such/rule/x") && err.contains("hwconform rules"), "{err}");
    }
}
