//! The contract as data: loads `schemas/` and `fixtures/` into typed, compiled operations.
//!
//! This is the only module that knows the file layout (see `schemas/README.md`). Everything else
//! receives [`Catalogue`], [`Operation`] and [`CompiledSchema`] values.

mod error;
mod files;
mod load;
mod model;
pub mod rule_list;
pub mod rules;
mod schema;

pub use error::CatalogueError;
pub use files::FileSet;
pub use load::{Catalogue, LoadedExample, Operation};
pub use model::{
    AppliesTo, EnvelopeBasis, EnvelopeStyle, Erratum, ErratumKind, ErrorEnvelopeMeta, ErrorExample, ExampleMeta,
    Location, OperationId, OperationMeta, PageRows, PaginationMeta, ParamRole, Parameter, RequestBodyMeta,
    ResponseMeta, SdkDisagreement, Source, StatusCode, TableRows, Violates,
};
pub use rule_list::{ListedRule, PageRule, RuleId, RuleIdError, RuleTarget, SchemaLocation, rule_list};
pub use rules::{Probe, Rule, RuleKind, Shape, Verdict};
pub use schema::{CompiledSchema, SchemaViolation};
