//! The server's in-memory state: projects (each seeded lazily on first use), their backups and
//! GeminiDB backups, and counters for tests.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;

use crate::catalogue::OperationId;

use super::seed::Seed;

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

/// The project limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectLimit;

/// A seeded backup: its id and its list item, serialised once.
#[derive(Debug)]
struct SeededBackup {
    id: Option<String>,
    json: Arc<str>,
}

/// A backup as the list shows it.
#[derive(Debug, Clone)]
enum StoredBackup {
    Seeded(Arc<SeededBackup>),
    Created { id: String, graph: usize, start_ms: i64, created: Instant },
}

/// A GeminiDB backup created through the API.
#[derive(Debug, Clone)]
pub struct InstanceBackup {
    pub id: String,
    pub job_id: String,
    pub instance_id: String,
    pub body: Value,
}

#[derive(Debug, Default)]
struct Project {
    backups: Vec<StoredBackup>,
    instance_backups: Vec<InstanceBackup>,
}

/// All projects of one server.
#[derive(Debug)]
pub struct Store {
    seed: Arc<Seed>,
    seeded: Vec<Arc<SeededBackup>>,
    projects: RwLock<HashMap<String, Arc<Mutex<Project>>>>,
    delay: Duration,
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
    pub fn new(
        seed: Arc<Seed>,
        delay: Duration,
        operations: impl IntoIterator<Item = OperationId>,
        aliases: Vec<(String, String)>,
    ) -> Self {
        let seeded = seed
            .backups
            .iter()
            .map(|item| {
                let id = item.get(&seed.lifecycle.id).and_then(Value::as_str).map(str::to_owned);
                let mut item = item.clone();
                add_aliases(&mut item, &aliases);
                let json = Value::Object(item).to_string();
                Arc::new(SeededBackup { id, json: json.into() })
            })
            .collect();
        let creates = operations.into_iter().map(|id| (id, AtomicU64::new(0))).collect();
        Self { seed, seeded, projects: RwLock::new(HashMap::new()), delay, creates, aliases }
    }

    pub fn seed(&self) -> &Seed {
        &self.seed
    }

    fn project(&self, id: &str) -> Result<Arc<Mutex<Project>>, ProjectLimit> {
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
    pub fn list(&self, project: &str, offset: usize, limit: usize) -> Result<(usize, Vec<Arc<str>>), ProjectLimit> {
        let (total, page) = self.with_project(project, |p| {
            (p.backups.len(), p.backups.iter().skip(offset).take(limit).cloned().collect::<Vec<_>>())
        })?;
        Ok((total, page.iter().map(|b| self.render(b)).collect()))
    }

    fn render(&self, backup: &StoredBackup) -> Arc<str> {
        match backup {
            StoredBackup::Seeded(item) => Arc::clone(&item.json),
            StoredBackup::Created { id, graph, start_ms, created } => {
                let Some(g) = self.seed.graphs.get(*graph) else {
                    return Arc::from("null");
                };
                let done = created.elapsed() >= self.delay;
                let duration = i64::try_from(self.delay.as_secs()).unwrap_or(i64::MAX / 2_000);
                let mut item = self.seed.lifecycle.render(&g.backup, id, &g.name, *start_ms, duration, done);
                add_aliases(&mut item, &self.aliases);
                Arc::from(Value::Object(item).to_string())
            }
        }
    }

    /// Whether the project holds a backup with this id.
    pub fn has_backup(&self, project: &str, backup: &str) -> Result<bool, ProjectLimit> {
        self.with_project(project, |p| {
            p.backups.iter().any(|b| match b {
                StoredBackup::Seeded(item) => item.id.as_deref() == Some(backup),
                StoredBackup::Created { id, .. } => id == backup,
            })
        })
    }

    /// Deletes a backup of the project's list (of the seeded graph `graph`, by index, where a path names
    /// one): `Err(false)` when there is none, `Err(true)` while it is still being made.
    pub fn delete_backup(
        &self,
        project: &str,
        backup: &str,
        graph: Option<usize>,
    ) -> Result<Result<(), bool>, ProjectLimit> {
        self.with_project(project, |p| {
            let found = p.backups.iter().position(|b| match b {
                StoredBackup::Seeded(item) => item.id.as_deref() == Some(backup),
                StoredBackup::Created { id, graph: g, .. } => id == backup && graph.is_none_or(|x| x == *g),
            });
            let Some(i) = found else { return Err(false) };
            if let StoredBackup::Created { created, .. } = &p.backups[i]
                && created.elapsed() < self.delay
            {
                return Err(true);
            }
            p.backups.remove(i);
            Ok(())
        })
    }

    /// Deletes a GeminiDB backup; `false` when the project has none with this id.
    pub fn delete_instance_backup(&self, project: &str, backup: &str) -> Result<bool, ProjectLimit> {
        self.with_project(project, |p| {
            let before = p.instance_backups.len();
            p.instance_backups.retain(|b| b.id != backup);
            p.instance_backups.len() < before
        })
    }

    /// Creates a backup of a seeded graph (by index) and returns its id.
    pub fn create_graph_backup(&self, op: &OperationId, project: &str, graph: usize) -> Result<String, ProjectLimit> {
        let id = uuid::Uuid::new_v4().to_string();
        let start_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let start_ms = i64::try_from(start_ms).unwrap_or(0);
        let backup = StoredBackup::Created { id: id.clone(), graph, start_ms, created: Instant::now() };
        self.with_project(project, |p| p.backups.push(backup))?;
        self.count(op);
        Ok(id)
    }

    /// Records a GeminiDB backup.
    pub fn create_instance_backup(
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
    pub fn instance_backups(&self, project: &str) -> Vec<InstanceBackup> {
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

    pub fn stats(&self) -> ServerStats {
        ServerStats {
            creates: self.creates.iter().map(|(id, n)| (id.clone(), n.load(Ordering::Relaxed))).collect(),
            projects: self.projects.read().unwrap_or_else(PoisonError::into_inner).len(),
        }
    }
}
