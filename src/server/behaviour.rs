//! What each operation does, read from its metadata rather than from a table of operation ids:
//!
//! - method `DELETE` with a path parameter of role `backup` → [`Behaviour::Delete`] (the backup
//!   leaves the list and its count; unknown or already deleted → the page's not-found answer; a
//!   backup still `backing_up` is refused, as GES does);
//! - `pagination` present → [`Behaviour::List`] (the project's backups, paged);
//! - a request-body member annotated `x-resource: backup` → [`Behaviour::Export`] (the named backup
//!   must exist in the project);
//! - a path parameter with role `instance` → [`Behaviour::CreateInstanceBackup`];
//! - a path parameter with role `graph` → [`Behaviour::CreateGraphBackup`] (the backup appears in
//!   the list, `in_progress` then `done` after the configured delay).
//!
//! An operation matching none of these is refused when the server starts.

use serde_json::Value;

use crate::catalogue::{Location, Operation, ParamRole};

/// What the reference server does for an operation, chosen from its metadata (not its id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// Answer a page of the backups, by limit and offset.
    List,
    /// Export the backup named by this body member.
    Export {
        /// Name of the body member (annotated `x-resource: backup`).
        backup_member: String,
    },
    /// Create a backup of the graph named by the path (GES).
    CreateGraphBackup,
    /// Create a backup of the instance named by the path (GeminiDB).
    CreateInstanceBackup,
    /// Delete the backup named by the path parameter of role `backup` (of the graph named by a
    /// path parameter of role `graph`, where the path has one).
    Delete,
}

impl Behaviour {
    /// The behaviour for an operation: deletes name a backup, lists page, exports name one in the body; `None` if none fits.
    pub fn of(op: &Operation) -> Option<Self> {
        let has = |role| op.meta.parameters.iter().any(|p| p.location == Location::Path && p.role == role);
        if op.meta.method.eq_ignore_ascii_case("DELETE") {
            return has(ParamRole::Backup).then_some(Self::Delete);
        }
        if op.meta.pagination.is_some() {
            return Some(Self::List);
        }
        if let Some(member) = op.request.as_ref().and_then(|s| backup_member(&s.document)) {
            return Some(Self::Export { backup_member: member });
        }
        if has(ParamRole::Instance) {
            Some(Self::CreateInstanceBackup)
        } else if has(ParamRole::Graph) {
            Some(Self::CreateGraphBackup)
        } else {
            None
        }
    }

    /// Whether a successful call creates a backup.
    pub fn creates(&self) -> bool {
        matches!(self, Self::CreateGraphBackup | Self::CreateInstanceBackup)
    }
}

/// The top-level body member annotated `x-resource: backup`.
fn backup_member(schema: &Value) -> Option<String> {
    schema
        .get("properties")?
        .as_object()?
        .iter()
        .find(|(_, v)| v.get("x-resource").and_then(Value::as_str) == Some("backup"))
        .map(|(k, _)| k.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;

    #[test]
    fn every_builtin_operation_has_a_behaviour() {
        let catalogue = Catalogue::builtin().unwrap();
        let found: Vec<(String, Behaviour)> =
            catalogue.operations().iter().map(|op| (op.meta.id.to_string(), Behaviour::of(op).unwrap())).collect();
        let expect = |id: &str| found.iter().find(|(i, _)| i == id).map(|(_, b)| b.clone()).unwrap();
        assert_eq!(expect("ges.v1.list_backups"), Behaviour::List);
        assert_eq!(expect("ges.v2.export_backup"), Behaviour::Export { backup_member: "backup_id".into() });
        assert_eq!(expect("ges.v2.add_backup"), Behaviour::CreateGraphBackup);
        assert_eq!(expect("ges.v1.add_backup"), Behaviour::CreateGraphBackup);
        assert_eq!(expect("geminidb.v3.create_backup"), Behaviour::CreateInstanceBackup);
    }
}
