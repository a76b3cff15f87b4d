//! A compiled JSON Schema with its file name, and violations as plain data.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

/// One JSON Schema file of the catalogue, compiled once (format validation on, never fetching).
#[derive(Clone)]
pub struct CompiledSchema {
    /// Path relative to the project root, e.g. `schemas/ges.v2.add_backup/response.200.schema.json`.
    pub file: String,
    /// The schema document as written.
    pub document: Value,
    validator: Arc<jsonschema::Validator>,
}

impl fmt::Debug for CompiledSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledSchema").field("file", &self.file).finish_non_exhaustive()
    }
}

/// One way an instance breaks a schema, owned (it borrows nothing from the instance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaViolation {
    /// JSON Pointer into the instance, e.g. `/backupList/0/size`.
    pub instance_path: String,
    /// JSON Pointer of the failing keyword in the schema, through `$ref`s.
    pub schema_path: String,
    /// The failing keyword: `required`, `type`, `maxLength`, `pattern`, `enum` …
    pub keyword: String,
    /// Human-readable message without the offending value (which could be a secret).
    pub message: String,
}

impl CompiledSchema {
    pub(crate) fn new(file: String, document: Value, validator: jsonschema::Validator) -> Self {
        Self { file, document, validator: Arc::new(validator) }
    }

    /// Whether `instance` is valid.
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    /// Every violation of `instance`, in the validator's order.
    pub fn violations(&self, instance: &Value) -> Vec<SchemaViolation> {
        self.validator
            .iter_errors(instance)
            .map(|e| SchemaViolation {
                instance_path: e.instance_path().to_string(),
                schema_path: e.evaluation_path().to_string(),
                keyword: e.kind().keyword().to_owned(),
                message: e.masked().to_string(),
            })
            .collect()
    }
}
