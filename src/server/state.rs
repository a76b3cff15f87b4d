//! The server's in-memory state: projects (each seeded lazily on first use, or one shared state for
//! every project id), their backups and GeminiDB backups, and counters for tests.
//!
//! The lifecycle rules a backup follows live here too: `backing_up` until the configured delay has
//! passed, then `success`; a backup still `backing_up` cannot be deleted (nor exported, nor a second
//! one of its graph started, under the variants that say so); a deleted backup is gone from the list
//! and its count.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;

use crate::catalogue::OperationId;

use super::seed::Seed;
use super::variant::ListOrder;

/// The most projects one server holds; a request for a new one beyond it is refused (429).
pub const MAX_PROJECTS: usize = 100_000;

/// Counters a test can read to see what the server did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServerStats {
    /// Successful creates, by operation id.
    pub creates: BTreeMap<OperationId, u64>,
    /// Projects seeded so far.
    pub projects: usize,
}

impl ServerStats {
    /// Successful creates of one operation.
    pub fn creates_of(&self, operation: &str) -> u64 {
        self.creates.iter().find(|(id, _)| id.as_str() == operation).map_or(0, |(_, n)| *n)
    }

    /// Successful creates of every operation.
    pub fn total_creates(&self) -> u64 {
        self.creates.values().sum()
    }
}

/// Why the store refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The server holds as many projects as it will.
    ProjectLimit,
    /// No backup with this id (in this graph, where one is named).
    Unknown,
    /// The backup is still `backing_up`.
    Unfinished,
    /// Another backup of the graph is still `backing_up`.
    GraphBusy,
}

/// The project limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ProjectLimit;

impl From<ProjectLimit> for Refusal {
    fn from(_: ProjectLimit) -> Self {
        Self::ProjectLimit
    }
}

/// How the store is laid out and ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct StoreOptions {
    /// One state for every project id (a foreign target's single project) instead of one per id.
    pub shared: bool,
    pub order: ListOrder,
    /// Refuse a second backup of a graph while one is still `backing_up`.
    pub one_backup_per_graph: bool,
}

/// A seeded backup: its id, graph, start and list item, serialised once.
#[derive(Debug)]
struct SeededBackup {
    id: Option<String>,
    graph: Option<String>,
    start_ms: i64,
    json: Arc<str>,
}

/// A backup as the list shows it.
#[derive(Debug, Clone)]
enum StoredBackup {
    Seeded(Arc<SeededBackup>),
    Created { id: String, graph: usize, start_ms: i64, created: Instant, listed: bool },
}

impl StoredBackup {
    /// Whether the list shows it (always, unless a rule break hides what one operation creates).
    fn listed(&self) -> bool {
        match self {
            Self::Seeded(_) => true,
            Self::Created { listed, .. } => *listed,
        }
    }

    fn id(&self) -> Option<&str> {
        match self {
            Self::Seeded(item) => item.id.as_deref(),
            Self::Created { id, .. } => Some(id),
        }
    }

    fn start_ms(&self) -> i64 {
        match self {
            Self::Seeded(item) => item.start_ms,
            Self::Created { start_ms, .. } => *start_ms,
        }
    }
}

/// A GeminiDB backup created through the API.
#[derive(Debug, Clone)]
pub struct InstanceBackup {
    /// The backup's id, as the server generated it.
    pub id: String,
    /// The job id the create answer returned.
    pub job_id: String,
    /// The instance it is a backup of.
    pub instance_id: String,
    /// The backup as the list shows it.
    pub body: Value,
}

#[derive(Debug, Default)]
struct Project {
    backups: Vec<StoredBackup>,
    /// How many of `backups` the list does not show.
    unlisted: usize,
    instance_backups: Vec<InstanceBackup>,
}

/// All projects of one server.
#[derive(Debug)]
pub(super) struct Store {
    seed: Arc<Seed>,
    seeded: Vec<Arc<SeededBackup>>,
    projects: RwLock<HashMap<String, Arc<Mutex<Project>>>>,
    delay: Duration,
    options: StoreOptions,
    creates: Vec<(OperationId, AtomicU64)>,
    /// List-item members also sent under another name (documented member, second spelling).
    aliases: Vec<(String, String)>,
}

/// Adds each alias's second spelling beside its documented member (the value copied), unless present.
fn add_aliases(item: &mut serde_json::Map<String, Value>, aliases: &[(String, String)]) {
    for (member, alias) in aliases {
        if let Some(v) = item.get(member).cloned()
            && !item.contains_key(alias)
        {
            item.insert(alias.clone(), v);
        }
    }
}

impl Store {
    /// A store whose list items also carry each `(member, alias)` pair's second spelling.
    pub(super) fn new(
        seed: Arc<Seed>,
        delay: Duration,
        options: StoreOptions,
        operations: impl IntoIterator<Item = OperationId>,
        aliases: Vec<(String, String)>,
    ) -> Self {
        let graph_ids: Vec<&str> = seed.graphs.iter().map(|g| g.id.as_str()).collect();
        let seeded = seed
            .backups
            .iter()
            .map(|item| {
                let text = |member: &str| item.get(member).and_then(Value::as_str).map(str::to_owned);
                let id = text(&seed.lifecycle.id);
                // The seeded backup's graph: the graph id one of its members holds.
                let graph = item.values().filter_map(Value::as_str).find(|v| graph_ids.contains(v)).map(str::to_owned);
                let start_ms = item.get(&seed.lifecycle.start_ms).and_then(Value::as_i64).unwrap_or(0);
                let mut item = item.clone();
                add_aliases(&mut item, &aliases);
                let json = Value::Object(item).to_string();
                Arc::new(SeededBackup { id, graph, start_ms, json: json.into() })
            })
            .collect();
        let creates = operations.into_iter().map(|id| (id, AtomicU64::new(0))).collect();
        Self { seed, seeded, projects: RwLock::new(HashMap::new()), delay, options, creates, aliases }
    }

    pub(super) fn seed(&self) -> &Seed {
        &self.seed
    }

    fn project(&self, id: &str) -> Result<Arc<Mutex<Project>>, ProjectLimit> {
        let id = if self.options.shared { "" } else { id };
        if let Some(p) = self.projects.read().unwrap_or_else(PoisonError::into_inner).get(id) {
            return Ok(Arc::clone(p));
        }
        let mut projects = self.projects.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(p) = projects.get(id) {
            return Ok(Arc::clone(p));
        }
        if projects.len() >= MAX_PROJECTS {
            return Err(ProjectLimit);
        }
        let project = Project {
            backups: self.seeded.iter().cloned().map(StoredBackup::Seeded).collect(),
            unlisted: 0,
            instance_backups: Vec::new(),
        };
        let project = Arc::new(Mutex::new(project));
        projects.insert(id.to_owned(), Arc::clone(&project));
        Ok(project)
    }

    fn with_project<T>(&self, id: &str, f: impl FnOnce(&mut Project) -> T) -> Result<T, ProjectLimit> {
        let project = self.project(id)?;
        let mut guard = project.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(f(&mut guard))
    }

    /// One page of the project's backups as serialised list items, and the total.
    pub(super) fn list(
        &self,
        project: &str,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<Arc<str>>), ProjectLimit> {
        let order = self.options.order;
        let (total, page) = self.with_project(project, |p| {
            if order == ListOrder::Stored && p.unlisted == 0 {
                let page: Vec<StoredBackup> = p.backups.iter().skip(offset).take(limit).cloned().collect();
                return (p.backups.len(), page);
            }
            let mut all: Vec<&StoredBackup> = p.backups.iter().filter(|b| b.listed()).collect();
            if order != ListOrder::Stored {
                // Stable: backups started in the same millisecond keep the order they were added in.
                all.sort_by_key(|b| b.start_ms());
                if order == ListOrder::NewestFirst {
                    all.reverse();
                }
            }
            (all.len(), all.into_iter().skip(offset).take(limit).cloned().collect())
        })?;
        Ok((total, page.iter().map(|b| self.render(b)).collect()))
    }

    fn in_progress(&self, created: Instant) -> bool {
        created.elapsed() < self.delay
    }

    fn render(&self, backup: &StoredBackup) -> Arc<str> {
        match backup {
            StoredBackup::Seeded(item) => Arc::clone(&item.json),
            StoredBackup::Created { id, graph, start_ms, created, .. } => {
                let Some(g) = self.seed.graphs.get(*graph) else {
                    return Arc::from("null");
                };
                let done = !self.in_progress(*created);
                let duration = i64::try_from(self.delay.as_secs()).unwrap_or(i64::MAX / 2_000);
                let mut item = self.seed.lifecycle.render(&g.backup, id, &g.name, *start_ms, duration, done);
                add_aliases(&mut item, &self.aliases);
                Arc::from(Value::Object(item).to_string())
            }
        }
    }

    /// Whether the project holds a backup with this id, and whether it is finished.
    pub(super) fn backup(&self, project: &str, backup: &str) -> Result<Option<bool>, ProjectLimit> {
        self.with_project(project, |p| {
            p.backups.iter().find(|b| b.id() == Some(backup)).map(|b| match b {
                StoredBackup::Seeded(_) => true,
                StoredBackup::Created { created, .. } => !self.in_progress(*created),
            })
        })
    }

    /// Creates a backup of a seeded graph (by index) and returns its id; `listed: false` keeps it out
    /// of the list (a rule break).
    pub(super) fn create_graph_backup(
        &self,
        op: &OperationId,
        project: &str,
        graph: usize,
        listed: bool,
    ) -> Result<String, Refusal> {
        let id = uuid::Uuid::new_v4().to_string();
        let start_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let start_ms = i64::try_from(start_ms).unwrap_or(0);
        let backup = StoredBackup::Created { id: id.clone(), graph, start_ms, created: Instant::now(), listed };
        let one_at_a_time = self.options.one_backup_per_graph;
        self.with_project(project, |p| {
            let busy = |b: &StoredBackup| {
                matches!(b, StoredBackup::Created { graph: g, created, .. } if *g == graph && self.in_progress(*created))
            };
            if one_at_a_time && p.backups.iter().any(busy) {
                return Err(Refusal::GraphBusy);
            }
            p.backups.push(backup);
            p.unlisted += usize::from(!listed);
            Ok(())
        })??;
        self.count(op);
        Ok(id)
    }

    /// Deletes a backup of the project — a graph backup (of `graph`, where one is named: the seed
    /// graph's id) or a GeminiDB backup. A graph backup still `backing_up` is refused.
    pub(super) fn delete_backup(&self, project: &str, graph: Option<&str>, backup: &str) -> Result<(), Refusal> {
        let graph_index = graph.map(|id| self.seed.graphs.iter().position(|g| g.id == id));
        self.with_project(project, |p| {
            if let Some(i) = p.backups.iter().position(|b| b.id() == Some(backup)) {
                let of_graph = match (&p.backups[i], graph_index) {
                    (_, None) => true,
                    (_, Some(None)) => false,
                    (StoredBackup::Seeded(item), Some(Some(g))) => {
                        item.graph.as_deref() == self.seed.graphs.get(g).map(|g| g.id.as_str())
                    }
                    (StoredBackup::Created { graph, .. }, Some(Some(g))) => *graph == g,
                };
                if !of_graph {
                    return Err(Refusal::Unknown);
                }
                if let StoredBackup::Created { created, .. } = &p.backups[i]
                    && self.in_progress(*created)
                {
                    return Err(Refusal::Unfinished);
                }
                let removed = p.backups.remove(i);
                p.unlisted -= usize::from(!removed.listed());
                return Ok(());
            }
            if graph.is_none()
                && let Some(i) = p.instance_backups.iter().position(|b| b.id == backup)
            {
                p.instance_backups.remove(i);
                return Ok(());
            }
            Err(Refusal::Unknown)
        })?
    }

    /// Records a GeminiDB backup.
    pub(super) fn create_instance_backup(
        &self,
        op: &OperationId,
        project: &str,
        backup: InstanceBackup,
    ) -> Result<(), ProjectLimit> {
        self.with_project(project, |p| p.instance_backups.push(backup))?;
        self.count(op);
        Ok(())
    }

    /// The GeminiDB backups of a project.
    pub(super) fn instance_backups(&self, project: &str) -> Vec<InstanceBackup> {
        let project = if self.options.shared { "" } else { project };
        self.projects
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(project)
            .map(|p| p.lock().unwrap_or_else(PoisonError::into_inner).instance_backups.clone())
            .unwrap_or_default()
    }

    fn count(&self, op: &OperationId) {
        if let Some((_, n)) = self.creates.iter().find(|(id, _)| id == op) {
            n.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(super) fn stats(&self) -> ServerStats {
        ServerStats {
            creates: self.creates.iter().map(|(id, n)| (id.clone(), n.load(Ordering::Relaxed))).collect(),
            projects: self.projects.read().unwrap_or_else(PoisonError::into_inner).len(),
        }
    }
}
