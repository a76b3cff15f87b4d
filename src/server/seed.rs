//! The state every project starts with (`fixtures/seed.json`): graphs, GeminiDB instances, backups,
//! and the names of the list-item members the server fills in for backups it creates.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::catalogue::{Catalogue, FileSet};

use super::error::ServerError;

/// Path of the built-in seed inside the embedded file set.
const BUILTIN: &str = "fixtures/seed.json";

/// Graphs, instances and backups that every project starts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// The file's `$comment`, kept so the seed round-trips.
    #[serde(rename = "$comment", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Graphs every project starts with (the GES operations' `graph_id`s).
    pub graphs: Vec<SeedGraph>,
    /// GeminiDB instances every project starts with.
    pub instances: Vec<SeedInstance>,
    /// Backups as list items of the list operation (validated against its item schema on load).
    pub backups: Vec<Map<String, Value>>,
    /// Which list-item members the server sets on a backup it creates, and its status values.
    pub lifecycle: Lifecycle,
}

/// A graph that exists in every project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedGraph {
    /// The graph's id, as paths name it.
    pub id: String,
    /// The graph's name, as backup list items show it (`graph_name`).
    pub name: String,
    /// The constant members of a list item for a backup created on this graph.
    pub backup: Map<String, Value>,
}

/// A GeminiDB instance that exists in every project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedInstance {
    /// The instance's id, as paths name it.
    pub id: String,
    /// The instance's name.
    pub name: String,
}

/// The list-item members the server sets on a backup it creates, and the two status values it uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// Item member holding the backup's id (`id`).
    pub id: String,
    /// Item member holding the backup's name (`name`).
    pub name: String,
    /// Item member holding the backup's state (`status`).
    pub status: String,
    /// Status value while the backup is being made (`backing_up`).
    pub in_progress: String,
    /// Status value once the backup is made (`success`).
    pub done: String,
    /// Item member holding the start time in Unix milliseconds (`startTimestamp`).
    pub start_ms: String,
    /// Item member holding the start time as text (`startTime`).
    pub start_time: String,
    /// Item member holding the end time in Unix milliseconds (`endTimestamp`).
    pub end_ms: String,
    /// Item member holding the end time as text (`endTime`).
    pub end_time: String,
    /// Item member holding how long the backup took, in seconds (`duration`).
    pub duration_s: String,
}

impl Seed {
    /// The seed built into the binary (`fixtures/seed.json`).
    ///
    /// # Panics
    ///
    /// Never in practice: the embedded file is checked by a unit test.
    pub fn builtin() -> Self {
        // Proven invariant: the embedded file is checked by `builtin_seed_loads_and_validates`.
        #[expect(clippy::expect_used, reason = "the embedded seed is validated by a unit test")]
        Self::try_builtin().expect("the embedded fixtures/seed.json parses")
    }

    /// The built-in seed, as a `Result`.
    pub fn try_builtin() -> Result<Self, ServerError> {
        let files = FileSet::embedded();
        let text =
            files.get(BUILTIN).map_err(|e| ServerError::Seed { file: BUILTIN.into(), message: e.to_string() })?;
        Self::parse(BUILTIN, text)
    }

    /// Reads a seed file.
    pub fn from_file(path: &Path) -> Result<Self, ServerError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ServerError::Seed { file: file.clone(), message: e.to_string() })?;
        Self::parse(&file, &text)
    }

    fn parse(file: &str, text: &str) -> Result<Self, ServerError> {
        serde_json::from_str(text).map_err(|e| ServerError::Seed { file: file.to_owned(), message: e.to_string() })
    }

    /// The same seed with every graph, instance and backup id replaced by a fresh random one of the
    /// same shape (each hexadecimal digit redrawn, everything else kept), consistently wherever the id
    /// occurs: what a foreign target looks like, whose ids the reference profile cannot know.
    #[must_use]
    pub fn with_fresh_ids(&self) -> Self {
        let mut ids: Vec<(String, String)> = Vec::new();
        let mut fresh = |old: &str| -> String {
            if let Some((_, new)) = ids.iter().find(|(o, _)| o == old) {
                return new.clone();
            }
            let new = redraw_hex(old);
            ids.push((old.to_owned(), new.clone()));
            new
        };
        let mut seed = self.clone();
        for g in &mut seed.graphs {
            g.id = fresh(&g.id);
        }
        for i in &mut seed.instances {
            i.id = fresh(&i.id);
        }
        for b in &mut seed.backups {
            if let Some(Value::String(id)) = b.get_mut(&self.lifecycle.id) {
                *id = fresh(id);
            }
        }
        // Every other string member holding an id (a backup's or template's graph id) follows.
        let replace = |map: &mut Map<String, Value>| {
            for value in map.values_mut() {
                if let Value::String(text) = value
                    && let Some((_, new)) = ids.iter().find(|(old, _)| old == text)
                {
                    new.clone_into(text);
                }
            }
        };
        seed.backups.iter_mut().for_each(replace);
        seed.graphs.iter_mut().for_each(|g| replace(&mut g.backup));
        seed
    }

    /// The graph with this id.
    pub fn graph(&self, id: &str) -> Option<&SeedGraph> {
        self.graphs.iter().find(|g| g.id == id)
    }

    /// The instance with this id.
    pub fn instance(&self, id: &str) -> Option<&SeedInstance> {
        self.instances.iter().find(|i| i.id == id)
    }

    /// Checks the seed against the contract: every seeded backup, and a backup created on every
    /// graph (in progress and done), must be a valid item of each list operation's response.
    pub fn validate(&self, catalogue: &Catalogue) -> Result<(), ServerError> {
        let invalid = |message: String| ServerError::Seed { file: "seed".into(), message };
        let mut ids = std::collections::HashSet::new();
        for b in &self.backups {
            let id = b
                .get(&self.lifecycle.id)
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(format!("a seeded backup has no string member {:?}", self.lifecycle.id)))?;
            if !ids.insert(id) {
                return Err(invalid(format!("backup id {id} is seeded twice")));
            }
        }
        let mut items: Vec<Value> = self.backups.iter().cloned().map(Value::Object).collect();
        for g in &self.graphs {
            for done in [false, true] {
                items.push(Value::Object(self.lifecycle.render(
                    &g.backup,
                    "example-id",
                    &g.name,
                    1_600_000_000_000,
                    2,
                    done,
                )));
            }
        }
        for op in catalogue.operations() {
            let (Some(p), Some(schema)) = (&op.meta.pagination, op.response_schema(op.meta.success_status)) else {
                continue;
            };
            let mut body = Map::new();
            body.insert(p.total.clone(), Value::from(items.len()));
            body.insert(p.items.clone(), Value::Array(items.clone()));
            let body = Value::Object(body);
            if let Some(v) = schema.violations(&body).first() {
                return Err(invalid(format!(
                    "backups do not fit {} ({}): {} at {}",
                    op.meta.id, schema.file, v.message, v.instance_path
                )));
            }
        }
        Ok(())
    }
}

/// `id` with every hexadecimal digit replaced by a random one (case kept), so the shape stays.
fn redraw_hex(id: &str) -> String {
    let mut random = uuid::Uuid::new_v4().as_u128();
    let mut refills = 0;
    id.chars()
        .map(|c| {
            if !c.is_ascii_hexdigit() {
                return c;
            }
            if random == 0 || refills > 28 {
                random = uuid::Uuid::new_v4().as_u128();
                refills = 0;
            }
            refills += 1;
            // Masked to 0..16, so the cast keeps the value.
            let digit = (random & 0xf) as u32;
            random >>= 4;
            let d = char::from_digit(digit, 16).unwrap_or('0');
            if c.is_ascii_uppercase() { d.to_ascii_uppercase() } else { d }
        })
        .collect()
}

impl Lifecycle {
    /// A list item for a created backup: the graph's template plus id, name, status and times.
    ///
    /// While in progress the end equals the start and the duration is 0; once done the end is
    /// `start + duration`.
    pub fn render(
        &self,
        template: &Map<String, Value>,
        id: &str,
        graph_name: &str,
        start_ms: i64,
        duration_s: i64,
        done: bool,
    ) -> Map<String, Value> {
        let mut item = template.clone();
        let start = format_time(start_ms);
        let (end_ms, duration) = if done { (start_ms + duration_s * 1000, duration_s) } else { (start_ms, 0) };
        item.insert(self.id.clone(), Value::from(id));
        item.insert(self.name.clone(), Value::from(format!("{graph_name}-{}", compact_time(start_ms))));
        let status = if done { &self.done } else { &self.in_progress };
        item.insert(self.status.clone(), Value::from(status.as_str()));
        item.insert(self.start_ms.clone(), Value::from(start_ms));
        item.insert(self.start_time.clone(), Value::from(start));
        item.insert(self.end_ms.clone(), Value::from(end_ms));
        item.insert(self.end_time.clone(), Value::from(format_time(end_ms)));
        item.insert(self.duration_s.clone(), Value::from(duration));
        item
    }
}

/// `2021-06-08T13:55:13` (UTC), the shape of the list example's `startTime`.
fn format_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()).unwrap_or_default()
}

/// `20210608135513`, the suffix of the list example's backup names.
fn compact_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y%m%d%H%M%S").to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_seed_loads_and_validates() {
        let seed = Seed::try_builtin().unwrap();
        assert_eq!(seed.backups.len(), 3, "the list example's three backups (erratum E4)");
        assert!(!seed.graphs.is_empty() && !seed.instances.is_empty());
        seed.validate(&Catalogue::builtin().unwrap()).unwrap();
    }

    #[test]
    fn a_broken_seed_is_refused() {
        let mut seed = Seed::builtin();
        seed.backups[0].remove("status");
        let err = seed.validate(&Catalogue::builtin().unwrap()).unwrap_err();
        assert!(err.to_string().contains("ges.v1.list_backups"), "{err}");
        let dup = seed.backups[1].clone();
        let mut seed = Seed::builtin();
        seed.backups.push(dup);
        assert!(seed.validate(&Catalogue::builtin().unwrap()).unwrap_err().to_string().contains("twice"));
    }

    #[test]
    fn fresh_ids_keep_the_shape_and_the_references() {
        let seed = Seed::builtin();
        let fresh = seed.with_fresh_ids();
        fresh.validate(&Catalogue::builtin().unwrap()).unwrap();
        for (old, new) in seed.graphs.iter().zip(&fresh.graphs) {
            assert_ne!(old.id, new.id);
            assert_eq!(old.id.len(), new.id.len());
            assert_eq!(new.backup["graphId"], new.id.as_str(), "the template follows its graph");
        }
        let old_instance = &seed.instances[0].id;
        let new_instance = &fresh.instances[0].id;
        assert_ne!(old_instance, new_instance);
        assert!(new_instance.contains("in"), "non-hex characters are kept: {new_instance}");
        for (old, new) in seed.backups.iter().zip(&fresh.backups) {
            assert_ne!(old["id"], new["id"]);
            let graph = new["graphId"].as_str().unwrap();
            assert!(fresh.graph(graph).is_some(), "a seeded backup names a fresh graph");
        }
    }

    #[test]
    fn times_have_the_example_shape() {
        assert_eq!(format_time(1_623_160_513_000), "2021-06-08T13:55:13");
        assert_eq!(compact_time(1_623_160_513_000), "20210608135513");
    }
}
