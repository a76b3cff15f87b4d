//! The axum application: one route per catalogue operation (its `method` + `path`), the request
//! pipeline (auth → injected faults → parameters → body → behaviour), and JSON fallbacks for
//! unknown routes (404) and wrong methods (405) in the envelope the path prefix implies.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use serde_json::{Map, Value};

use crate::catalogue::{Catalogue, EnvelopeStyle, ErratumKind, OperationId, ParamRole};

use super::auth::{AuthFailure, AuthRequest, Authenticator, TokenAuthenticator};
use super::behaviour::Behaviour;
use super::breaks::{self, RouteBreaks};
use super::config::{FAULT_HEADER, FAULT_INTERNAL, LATENCY_HEADER, MAX_INJECTED_LATENCY, Projects, ServerConfig};
use super::envelope::{ApiError, OwnCode};
use super::error::ServerError;
use super::gateway;
use super::request::{Inputs, Validator, positional_route};
use super::state::{InstanceBackup, ProjectLimit, Refusal, Store, StoreOptions};
use super::variant::VariantSet;

/// The header carrying the token, as the pages name it.
const TOKEN_HEADER: &str = "x-auth-token";

/// One routed operation.
#[derive(Debug)]
struct Route {
    validator: Validator,
    behaviour: Behaviour,
    /// Members of the success body: (name, is the backup id).
    success_members: Vec<(String, bool)>,
    /// Rules broken on purpose on this route (`--break`); `None` on a faithful server.
    breaks: Option<RouteBreaks>,
}

impl Route {
    fn breaks(&self) -> &RouteBreaks {
        static NONE: std::sync::LazyLock<RouteBreaks> = std::sync::LazyLock::new(RouteBreaks::default);
        self.breaks.as_ref().unwrap_or(&NONE)
    }
}

/// Everything the handlers share.
pub(super) struct App {
    routes: Vec<Route>,
    /// First path segment (`v2`, `v1.0`, `v3`) → envelope style, for 404/405 answers.
    prefixes: Vec<(String, EnvelopeStyle)>,
    pub store: Store,
    tokens: TokenAuthenticator,
    extra_auth: Option<Arc<dyn Authenticator>>,
    fault_injection: bool,
    pub variants: VariantSet,
}

impl App {
    pub(super) fn new(config: &ServerConfig, catalogue: &Catalogue) -> Result<Self, ServerError> {
        if config.tokens.is_empty() && config.authenticator.is_none() {
            return Err(ServerError::Config("at least one token is needed".into()));
        }
        if config.tokens.iter().any(|t| t.is_empty() || t.bytes().any(|b| !(0x21..0x7f).contains(&b))) {
            return Err(ServerError::Config("a token is empty or holds characters other than visible ASCII".into()));
        }
        config.seed.validate(catalogue)?;
        let variants = VariantSet::new(&config.variants).map_err(|e| ServerError::Config(e.to_string()))?;
        let mut routes = Vec::new();
        let mut prefixes: Vec<(String, EnvelopeStyle)> = Vec::new();
        for (op, breaks) in breaks::compile(catalogue, &config.breaks)? {
            let op = &op;
            let behaviour = Behaviour::of(op).ok_or_else(|| ServerError::Route {
                path: op.meta.path.clone(),
                message: format!("{}: no behaviour matches its metadata", op.meta.id),
            })?;
            let success_members =
                op.response_schema(op.meta.success_status).map(|s| success_members(&s.document)).unwrap_or_default();
            let prefix = first_segment(&op.meta.path).to_owned();
            if !prefixes.iter().any(|(p, _)| *p == prefix) {
                prefixes.push((prefix, op.meta.error_envelope.style));
            }
            routes.push(Route { validator: Validator::new(op), behaviour, success_members, breaks });
        }
        Ok(Self {
            routes,
            prefixes,
            store: Store::new(
                Arc::new(config.seed.clone()),
                variants.slow_backups.unwrap_or(config.backup_delay),
                StoreOptions {
                    shared: config.projects == Projects::Shared,
                    order: variants.order,
                    one_backup_per_graph: variants.one_backup_per_graph,
                },
                catalogue.operations().iter().map(|o| o.meta.id.clone()),
                sdk_spellings(catalogue),
            ),
            tokens: TokenAuthenticator::new(TOKEN_HEADER, config.tokens.iter().cloned()),
            extra_auth: config.authenticator.clone(),
            fault_injection: config.fault_injection,
            variants,
        })
    }

    /// The envelope style for a path outside the documented routes.
    fn style_for(&self, path: &str) -> EnvelopeStyle {
        let first = first_segment(path);
        self.prefixes.iter().find(|(p, _)| p == first).map_or(EnvelopeStyle::Snake, |(_, s)| *s)
    }

    fn authorize(&self, parts: &Parts, body: &[u8], near_miss: bool) -> Result<(), AuthFailure> {
        let request = AuthRequest { method: &parts.method, uri: &parts.uri, headers: &parts.headers, body };
        match self.tokens.authorize(&request) {
            Ok(()) => Ok(()),
            Err(_) if near_miss && self.tokens.near_miss(&request) => Ok(()),
            Err(failure) => match &self.extra_auth {
                Some(extra) if failure == AuthFailure::Missing => extra.authorize(&request),
                _ => Err(failure),
            },
        }
    }
}

/// The router serving every operation of the catalogue.
pub(super) fn router(app: &Arc<App>, body_limit: usize) -> Result<Router, ServerError> {
    let mut router = Router::new();
    let mut seen = std::collections::HashSet::new();
    for (index, route) in app.routes.iter().enumerate() {
        let meta = &route.validator.op.meta;
        let method =
            Method::from_bytes(meta.method.as_bytes()).ok().and_then(|m| MethodFilter::try_from(m).ok()).ok_or_else(
                || ServerError::Route { path: meta.path.clone(), message: format!("unknown method {}", meta.method) },
            )?;
        let shared = Arc::clone(app);
        let handler = move |req: Request| {
            let app = Arc::clone(&shared);
            async move { handle(&app, index, req).await }
        };
        let path = positional_route(&meta.path);
        // `Router::route` panics on a malformed template or a second handler for the same method and
        // path; both are refused here as errors instead.
        let malformed = !path.starts_with('/')
            || path.split('/').any(|seg| (seg.contains('{') || seg.contains('}')) && !is_param(seg));
        if malformed || !seen.insert((path.clone(), meta.method.to_ascii_uppercase())) {
            let message =
                if malformed { "malformed path template" } else { "a second operation on this method and path" };
            return Err(ServerError::Route { path: meta.path.clone(), message: message.into() });
        }
        router = router.route(&path, on(method, handler));
    }
    let for_404 = Arc::clone(app);
    let for_405 = Arc::clone(app);
    Ok(router
        .fallback(move |req: Request| {
            let app = Arc::clone(&for_404);
            async move {
                let style = app.style_for(req.uri().path());
                drain(req).await;
                ApiError::own(style, OwnCode::NotFound, "no such route").into_response()
            }
        })
        .method_not_allowed_fallback(move |req: Request| {
            let app = Arc::clone(&for_405);
            async move {
                let style = app.style_for(req.uri().path());
                let message = format!("method {} is not allowed on this route", req.method());
                drain(req).await;
                ApiError::own(style, OwnCode::MethodNotAllowed, message).into_response()
            }
        })
        .layer(DefaultBodyLimit::max(body_limit)))
}

/// The request's inputs: its body read (whatever the outcome), its caller authorised, a fault injected
/// if asked, its parameters and body validated.
async fn accept(app: &App, route: &Route, req: Request) -> Result<Inputs, ApiError> {
    let v = &route.validator;
    let (mut parts, body) = req.into_parts();
    // The body is read first, whatever the outcome: an answer sent before the body is consumed
    // makes the connection close under a client that is still sending or about to reuse it.
    let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::own(v.style, OwnCode::PayloadTooLarge, "the request body is larger than the server accepts")
        } else {
            v.invalid("the request body could not be read")
        }
    })?;
    let broken = route.breaks();
    if !broken.skip_auth {
        app.authorize(&parts, &bytes, broken.near_miss_tokens).map_err(|f| {
            if app.variants.gateway_auth {
                gateway::auth_refusal(&f)
            } else {
                ApiError::own(v.style, OwnCode::Unauthorized, f.to_string())
            }
        })?;
    }
    if app.fault_injection {
        inject(route, &parts).await?;
    }
    let raw = RawPathParams::from_request_parts(&mut parts, &())
        .await
        .map_err(|r| v.invalid(format!("path parameters: {}", r.body_text())))?;
    let mut path: Vec<(usize, String)> = raw
        .iter()
        .map(|(name, value)| (name.trim_start_matches('p').parse::<usize>().unwrap_or(usize::MAX), value.to_owned()))
        .collect();
    path.sort_by_key(|(i, _)| *i);
    let path: Vec<String> = path.into_iter().map(|(_, v)| v).collect();
    let mut inputs = v.parameters(&path, parts.uri.query(), &parts.headers)?;
    if broken.malformed_500
        && !bytes.iter().all(u8::is_ascii_whitespace)
        && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err()
    {
        return Err(ApiError::own(v.style, OwnCode::Internal, "the request body could not be handled"));
    }
    inputs.body = v.body(&parts.headers, &bytes)?;
    Ok(inputs)
}

/// The answer of a list: the page at the asked offset and limit, with the total.
fn list_page(
    app: &App,
    v: &Validator,
    broken: &RouteBreaks,
    inputs: &Inputs,
    project: &str,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let too_many =
        |_: ProjectLimit| ApiError::own(v.style, OwnCode::TooManyProjects, "the server holds too many projects");
    let Some(p) = &v.op.meta.pagination else {
        return Err(v.invalid("the operation does not page"));
    };
    let offset = inputs.query(ParamRole::PageOffset).unwrap_or(0);
    let limit = inputs.query(ParamRole::PageLimit).unwrap_or(0);
    let (Ok(mut offset), Ok(mut limit)) = (usize::try_from(offset), usize::try_from(limit)) else {
        return Err(v.invalid(format!("{} and {} must not be negative", p.offset, p.limit)));
    };
    if broken.offset_ignored {
        offset = 0;
    }
    if broken.page_limit_plus_one {
        limit = limit.saturating_add(1);
    }
    let (mut total, items) = app.store.list(project, offset, limit).map_err(too_many)?;
    if broken.total_is_page {
        total = items.len();
    }
    if broken.stale_count && total > app.store.seed().backups.len() {
        total -= 1;
    }
    let body = list_body(&p.total, total, &p.items, &items);
    Ok((status, [(CONTENT_TYPE, "application/json")], body).into_response())
}

/// Reads and drops the body (up to the limit), so the connection stays usable after an early answer.
async fn drain(req: Request) {
    let _ = Bytes::from_request(req, &()).await;
}

async fn handle(app: &App, index: usize, req: Request) -> Response {
    let broken = app.routes.get(index).and_then(|r| r.breaks.as_ref());
    match (pipeline(app, index, req).await, broken) {
        (Ok(response), Some(b)) if b.touches_success() && response.status().is_success() => b.success(response).await,
        (Ok(response), _) => response,
        (Err(error), Some(b)) if b.touches_errors() => b.error(error),
        (Err(error), _) => error.into_response(),
    }
}

async fn pipeline(app: &App, index: usize, req: Request) -> Result<Response, ApiError> {
    let Some(route) = app.routes.get(index) else {
        return Err(ApiError::own(EnvelopeStyle::Snake, OwnCode::NotFound, "no such route"));
    };
    let inputs = accept(app, route, req).await?;
    let v = &route.validator;
    let broken = route.breaks();
    let too_many =
        |_: ProjectLimit| ApiError::own(v.style, OwnCode::TooManyProjects, "the server holds too many projects");
    let project = inputs.path(ParamRole::Project).unwrap_or_default().to_owned();
    let status = StatusCode::from_u16(v.op.meta.success_status).unwrap_or(StatusCode::OK);
    match &route.behaviour {
        Behaviour::List => list_page(app, v, broken, &inputs, &project, status),
        Behaviour::Export { backup_member } => {
            let graph = inputs.path(ParamRole::Graph).unwrap_or_default();
            if app.store.seed().graph(graph).is_none() && !broken.accept_unknown.contains(&ParamRole::Graph) {
                return Err(v.unknown(ParamRole::Graph, "the graph"));
            }
            // A value of another type (accepted only where a rule break loosened the type) is
            // looked up by its JSON text.
            let backup = match inputs.body.as_ref().and_then(|b| b.get(backup_member)) {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                // Reached only where a rule break made the member optional: no such backup.
                None => String::new(),
            };
            match app.store.backup(&project, &backup).map_err(too_many)? {
                None if broken.accept_unknown.contains(&ParamRole::Backup) => {}
                None => return Err(v.unknown(ParamRole::Backup, "the backup")),
                // Under slow backups the service, like the real one, exports only finished backups.
                Some(false) if app.variants.slow_backups.is_some() => {
                    return Err(ApiError::own(v.style, OwnCode::Conflict, "the backup is still backing_up"));
                }
                Some(_) => {}
            }
            Ok(success(status, &route.success_members, None))
        }
        Behaviour::CreateGraphBackup => {
            let graph = inputs.path(ParamRole::Graph).unwrap_or_default();
            let index = match app.store.seed().graphs.iter().position(|g| g.id == graph) {
                Some(index) => index,
                None if broken.accept_unknown.contains(&ParamRole::Graph) => 0,
                None => return Err(v.unknown(ParamRole::Graph, "the graph")),
            };
            let id = app
                .store
                .create_graph_backup(&v.op.meta.id, &project, index, !broken.unlisted)
                .map_err(|r| refused(v, r))?;
            Ok(success(status, &route.success_members, Some(&id)))
        }
        Behaviour::CreateInstanceBackup => {
            let instance = inputs.path(ParamRole::Instance).unwrap_or_default();
            if app.store.seed().instance(instance).is_none() && !broken.accept_unknown.contains(&ParamRole::Instance) {
                return Err(v.unknown(ParamRole::Instance, "the instance"));
            }
            let backup = InstanceBackup {
                id: mint_id(),
                job_id: uuid::Uuid::new_v4().to_string(),
                instance_id: instance.to_owned(),
                body: inputs.body.unwrap_or(Value::Null),
            };
            let (id, job) = (backup.id.clone(), backup.job_id.clone());
            app.store.create_instance_backup(&v.op.meta.id, &project, backup).map_err(too_many)?;
            Ok(success_with_job(status, &route.success_members, Some(&id), &job))
        }
        Behaviour::Delete => {
            let mut graph = inputs.path(ParamRole::Graph);
            if let Some(g) = graph
                && app.store.seed().graph(g).is_none()
            {
                if !broken.accept_unknown.contains(&ParamRole::Graph) {
                    return Err(v.unknown(ParamRole::Graph, "the graph"));
                }
                graph = None;
            }
            let backup = inputs.path(ParamRole::Backup).unwrap_or_default();
            if broken.keep_deleted {
                // A rule break: answer success for a backup that exists, and keep it.
                return match app.store.backup(&project, backup).map_err(too_many)? {
                    Some(_) => Ok(success(status, &route.success_members, Some(backup))),
                    None => Err(v.unknown(ParamRole::Backup, "the backup")),
                };
            }
            match app.store.delete_backup(&project, graph, backup) {
                Err(Refusal::Unknown) if broken.accept_unknown.contains(&ParamRole::Backup) => {}
                other => other.map_err(|r| refused(v, r))?,
            }
            Ok(success(status, &route.success_members, Some(backup)))
        }
    }
}

/// The answer for a request the store refused.
fn refused(v: &Validator, refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::ProjectLimit => ApiError::own(v.style, OwnCode::TooManyProjects, "the server holds too many projects"),
        Refusal::Unknown => v.unknown(ParamRole::Backup, "the backup"),
        Refusal::Unfinished => ApiError::own(v.style, OwnCode::Conflict, "the backup is still backing_up"),
        Refusal::GraphBusy => {
            ApiError::own(v.style, OwnCode::Conflict, "another backup of the graph is still backing_up")
        }
    }
}

/// Applies injected latency and faults (only called when fault injection is on).
async fn inject(route: &Route, parts: &Parts) -> Result<(), ApiError> {
    let v = &route.validator;
    if let Some(value) = parts.headers.get(LATENCY_HEADER) {
        let ms = value.to_str().ok().and_then(|s| s.trim().parse::<u64>().ok());
        let delay = ms.map(Duration::from_millis).filter(|d| *d <= MAX_INJECTED_LATENCY).ok_or_else(|| {
            let max = MAX_INJECTED_LATENCY.as_millis();
            ApiError::own(
                v.style,
                OwnCode::InvalidRequest,
                format!("{LATENCY_HEADER} must be a whole number of milliseconds up to {max}"),
            )
        })?;
        tokio::time::sleep(delay).await;
    }
    if let Some(value) = parts.headers.get(FAULT_HEADER) {
        if value.as_bytes().eq_ignore_ascii_case(FAULT_INTERNAL.as_bytes()) {
            let documented =
                v.op.meta.error_examples.iter().find(|e| e.applies_to == crate::catalogue::AppliesTo::InternalFault);
            return Err(match documented {
                Some(example) => ApiError::documented(v.style, example),
                None => ApiError::own(v.style, OwnCode::Internal, "injected internal fault"),
            });
        }
        return Err(ApiError::own(
            v.style,
            OwnCode::InvalidRequest,
            format!("{FAULT_HEADER} must be {FAULT_INTERNAL}"),
        ));
    }
    Ok(())
}

/// The success body: the backup id in the member annotated `x-resource: backup`, a fresh job id in
/// every other required member.
fn success(status: StatusCode, members: &[(String, bool)], backup: Option<&str>) -> Response {
    success_with_job(status, members, backup, &mint_id())
}

fn success_with_job(status: StatusCode, members: &[(String, bool)], backup: Option<&str>, job: &str) -> Response {
    let mut body = Map::new();
    for (name, is_backup) in members {
        let value = if *is_backup { backup.map_or_else(mint_id, str::to_owned) } else { job.to_owned() };
        body.insert(name.clone(), Value::from(value));
    }
    (status, axum::Json(Value::Object(body))).into_response()
}

/// The required string members of a success schema, flagged when they carry the backup id.
fn success_members(schema: &Value) -> Vec<(String, bool)> {
    let required = schema.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
    required
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|name| {
            let prop = schema.get("properties")?.get(name)?;
            let is_string = prop.get("type").and_then(Value::as_str) == Some("string");
            let is_backup = prop.get("x-resource").and_then(Value::as_str) == Some("backup");
            is_string.then(|| (name.to_owned(), is_backup))
        })
        .collect()
}

/// A job or backup id: 32 lower-case hex digits, the shape of the pages' job ids.
fn mint_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The list items' second spellings: where an erratum records that the official SDK reads a list item's
/// documented member under another name (`sdk_disagrees` with an `sdk_member`, e.g. E6 `graph_name` →
/// `graphName`), the server sends both so page-faithful clients and SDK users both get the value.
fn sdk_spellings(catalogue: &Catalogue) -> Vec<(String, String)> {
    let lists: Vec<&OperationId> = catalogue
        .operations()
        .iter()
        .filter(|o| Behaviour::of(o) == Some(Behaviour::List))
        .map(|o| &o.meta.id)
        .collect();
    catalogue
        .errata()
        .iter()
        .filter(|e| e.kind == ErratumKind::SdkDisagrees && lists.contains(&&e.operation))
        .filter_map(|e| e.sdk.as_ref())
        .filter_map(|sdk| sdk.sdk_member.as_ref().map(|alias| (sdk.member.clone(), alias.clone())))
        .collect()
}

/// `{"<total>":N,"<items>":[item,…]}` from items serialised beforehand (the list is the hot path).
fn list_body(total_member: &str, total: usize, items_member: &str, items: &[Arc<str>]) -> String {
    let mut out = String::with_capacity(64 + items.iter().map(|i| i.len() + 1).sum::<usize>());
    out.push('{');
    out.push_str(&Value::from(total_member).to_string());
    out.push(':');
    out.push_str(&total.to_string());
    out.push(',');
    out.push_str(&Value::from(items_member).to_string());
    out.push_str(":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    out.push_str("]}");
    out
}

/// `{name}` with a non-empty name free of braces.
fn is_param(segment: &str) -> bool {
    segment
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .is_some_and(|name| !name.is_empty() && !name.contains(['{', '}']))
}

fn first_segment(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::FileSet;

    /// The built-in catalogue plus a copy of the list operation under another id, with `path`.
    fn with_copy(path: &str) -> Catalogue {
        let mut files = FileSet::embedded();
        let mut meta = files.json("schemas/ges.v1.list_backups/operation.json").unwrap();
        meta["id"] = "ges.v1.list_backups_copy".into();
        meta["path"] = path.into();
        meta["examples"] = serde_json::json!([]);
        for r in meta["responses"].as_array_mut().unwrap() {
            let schema = format!("../ges.v1.list_backups/{}", r["schema"].as_str().unwrap());
            r["schema"] = schema.into();
        }
        let envelope = format!("../ges.v1.list_backups/{}", meta["error_envelope"]["schema"].as_str().unwrap());
        meta["error_envelope"]["schema"] = envelope.into();
        files.insert("schemas/ges.v1.list_backups_copy/operation.json", meta.to_string());
        Catalogue::load(&files).unwrap()
    }

    fn build(catalogue: &Catalogue) -> Result<Router, ServerError> {
        let app = Arc::new(App::new(&ServerConfig::default(), catalogue)?);
        router(&app, 1024)
    }

    #[test]
    fn list_bodies_are_json() {
        let items: Vec<Arc<str>> = vec![Arc::from(r#"{"id":"a"}"#), Arc::from(r#"{"id":"b"}"#)];
        let body: Value = serde_json::from_str(&list_body("total\"x", 7, "items", &items)).unwrap();
        assert_eq!(body, serde_json::json!({"total\"x": 7, "items": [{"id": "a"}, {"id": "b"}]}));
        let empty: Value = serde_json::from_str(&list_body("t", 0, "i", &[])).unwrap();
        assert_eq!(empty, serde_json::json!({"t": 0, "i": []}));
    }

    #[test]
    fn the_builtin_catalogue_routes() {
        assert!(build(&Catalogue::builtin().unwrap()).is_ok());
    }

    #[test]
    fn conflicting_or_malformed_routes_are_errors_not_panics() {
        let same = build(&with_copy("/v1.0/{other}/graphs/backups")).unwrap_err().to_string();
        assert!(same.contains("second operation"), "{same}");
        let bad = build(&with_copy("/v1.0/{a/graphs")).unwrap_err().to_string();
        assert!(bad.contains("malformed"), "{bad}");
        // A new path under a new name is simply another route.
        assert!(build(&with_copy("/v1.0/{project_id}/graphs/backups/copy")).is_ok());
    }
}
