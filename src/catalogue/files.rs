//! The set of catalogue files, read either from the copy embedded at build time or from a folder.

use std::collections::BTreeMap;
use std::path::Path;

use super::CatalogueError;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Files keyed by their path relative to the project root (`schemas/…`, `fixtures/…`).
#[derive(Debug, Clone, Default)]
pub struct FileSet {
    files: BTreeMap<String, String>,
}

impl FileSet {
    /// The `schemas/` and `fixtures/` that this binary was built with.
    pub fn embedded() -> Self {
        let files = embedded::EMBEDDED.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Self { files }
    }

    /// Reads `schemas/` and `fixtures/` below `root` (a checkout, or the output of `hwconform derive`).
    pub fn from_dir(root: &Path) -> Result<Self, CatalogueError> {
        let mut set = Self::default();
        for dir in ["schemas", "fixtures"] {
            set.read_tree(root, &root.join(dir))?;
        }
        Ok(set)
    }

    /// Builds a set from explicit contents (tests, derived catalogues).
    pub fn from_map(files: BTreeMap<String, String>) -> Self {
        Self { files }
    }

    fn read_tree(&mut self, root: &Path, dir: &Path) -> Result<(), CatalogueError> {
        let io =
            |p: &Path, e: std::io::Error| CatalogueError::Io { path: p.display().to_string(), message: e.to_string() };
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io(dir, e)),
        };
        for entry in entries {
            let path = entry.map_err(|e| io(dir, e))?.path();
            if path.is_dir() {
                self.read_tree(root, &path)?;
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("json" | "txt" | "toml")) {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                self.files.insert(rel, text);
            }
        }
        Ok(())
    }

    /// The text of one file.
    pub fn get(&self, path: &str) -> Result<&str, CatalogueError> {
        self.files.get(path).map(String::as_str).ok_or_else(|| CatalogueError::Missing { file: path.to_owned() })
    }

    /// Parses one file as JSON.
    pub fn json(&self, path: &str) -> Result<serde_json::Value, CatalogueError> {
        serde_json::from_str(self.get(path)?)
            .map_err(|e| CatalogueError::Json { file: path.to_owned(), message: e.to_string() })
    }

    /// Every path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Inserts or replaces one file.
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.files.insert(path.into(), text.into());
    }
}
