//! Results and their renderers: one result model ([`Report`], serialised as `report.json`), many
//! pure renderers over it. Reports never execute anything.

mod model;

pub use model::{
    CaseOutcome, CaseResult, Coverage, DriftRecord, ErratumRecord, ExchangeRecord, FamilyVerdict, FindingRecord,
    Report, RequestRecord, ResponseRecord, RowCoverage, SCHEMA_VERSION, Strength, Summary, TargetInfo, ToolInfo,
    Verdict,
};
