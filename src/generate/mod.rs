//! Cases generated from the catalogue: positive calls, one documented rule broken at a time, auth,
//! unknown resources, pagination, stateful flows, malformed bodies and injected faults.

mod build;
mod case;
mod probes;
mod request;
mod resources;
mod single;
mod stateful;

pub use build::generate;
pub use case::{
    AuthMode, BodyTemplate, Capture, Case, CaseId, CaseKind, DocumentedError, Expectation, FlowRule, NearMiss,
    PageRule, Relation, RequestTemplate, Requirement, Slot, Step, StepWaits, UNKNOWN_ID, Walk,
};
pub use resources::{ItemState, Lifecycle, ListItems, Resolver, Tracker, is_resource, list_items, role_name, trackers};
